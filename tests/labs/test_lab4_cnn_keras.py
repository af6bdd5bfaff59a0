"""lab4_cnn_keras beyond the reference suite: the expected architectures are the course's, the
public checks show every requirement the default call can show, the counting functions agree
with Keras, and the notebook's trainings clear q6 and q7 (slow)."""

import re

import numpy as np
import pytest

from autograder.labs import Lab, load_module
from autograder.paths import ROOT
from autograder.kernel import dllab_data
from autograder.checks.dllab_keras import describe_layers
from gallery import lab4_cnn_keras as gallery_lab4
from harness import run_question

LAB = Lab("lab4_cnn_keras")
TESTS = LAB.tests_dir


# the public tables of the architecture questions: (test file, table, builder)
PUBLIC_TABLES = [("q2", "LENET5", "build_lenet5"), ("q3", "DEEPER", "build_deeper_cnn"),
                 ("q4", "CIFAR", "build_cifar_cnn")]


def _public_table(question, table):
    env = {}
    exec(compile((TESTS / f"{question}.py").read_text(), f"{question}.py", "exec"), env)
    return env[table]


def test_public_tables_are_the_reference_at_default_arguments():
    """Each public check holds the whole network the docstring gives, at the default arguments;
    LeNet-5's table carries the lecture's parameter counts."""
    ref = LAB.solution_module()
    for question, table, builder in PUBLIC_TABLES:
        assert _public_table(question, table) == describe_layers(getattr(ref, builder)(), builder)
    lenet = _public_table("q2", "LENET5")
    assert [r["params"] for r in lenet if r["params"]] == [156, 2416, 48120, 10164, 850]
    assert sum(r["params"] for r in lenet) == 61706
    assert [r["output_shape"][1] for r in lenet[:4]] == [28, 14, 10, 5]


def test_hidden_cases_add_only_other_shapes_and_class_counts(cases_dir):
    """The default call is the public check's; every hidden case changes the input shape or the
    class count, and expects the reference's own description."""
    import inspect
    import pickle

    with open(cases_dir / LAB.cases_name, "rb") as f:
        architectures = pickle.load(f)["architectures"]
    ref = LAB.solution_module()
    for _, _, builder in PUBLIC_TABLES:
        fn = getattr(ref, builder)
        defaults = {k: p.default for k, p in inspect.signature(fn).parameters.items()}
        assert architectures[builder]
        for case in architectures[builder]:
            assert {**defaults, **case["kwargs"]} != defaults, (builder, case["kwargs"])
            assert case["layers"] == describe_layers(fn(**case["kwargs"]), builder)


def _architecture_entries():
    return [pytest.param(e, id=f"{e.question}-{e.label}") for e in gallery_lab4.WRONG
            if e.question in ("q2", "q3", "q4")]


@pytest.mark.parametrize("entry", _architecture_entries())
def test_a_wrong_network_fails_in_public_unless_only_other_shapes_show_it(entry, cases_dir):
    """A requirement of the docstring that the default call can show is checked in public, so
    the student sees it before submitting; the messages name the call in words and a layer by
    its position and type, never by Keras' own layer names (conv2d_12)."""
    result = run_question(LAB.name, entry.question, cases_dir, entry.overrides)
    if (entry.question, entry.label) in gallery_lab4.ONLY_AT_OTHER_SHAPES:
        assert result.public_failed == 0 and result.hidden_failed > 0, result.failures
    else:
        assert result.public_failed > 0, result.failures
    for message in result.failures:
        assert "**{" not in message and not re.search(r"\b[a-z][a-z0-9]*(_[a-z0-9]+)*_\d+\b", message), message


def _said(lab_question, overrides, cases_dir):
    """What each failed case tells the student: otter's report after 'AssertionError: '."""
    failures = run_question(LAB.name, lab_question, cases_dir, overrides).failures
    return [m.split("AssertionError: ", 1)[1].strip() for m in failures]


def test_messages_for_a_subclassed_model_and_a_width_mismatch(cases_dir):
    subclassed = _said("q2", {"build_lenet5": gallery_lab4.lenet_subclassed}, cases_dir)
    assert len(subclassed) == 2          # public and hidden, each with the same advice
    assert subclassed[0].startswith("build_lenet5() with default arguments: returns a subclassed "
                                    "keras.Model (LeNet5Subclassed). Its layers, from layer 1 "
                                    "(Conv2D) on, record no output of their own")
    assert "keras.Sequential or the functional API" in subclassed[0]
    assert "keras.Input" not in subclassed[0]
    wide = _said("q4", {"build_cifar_cnn": gallery_lab4._cifar_with(dense=512)}, cases_dir)
    assert wide[0] == ("build_cifar_cnn() with default arguments: layer 8 (Dense): expected "
                       "output shape (None, 128), got (None, 512)")
    hard_coded = _said("q4", {"build_cifar_cnn": gallery_lab4.cifar_fixed_classes}, cases_dir)
    assert hard_coded == ["build_cifar_cnn(input_shape=(28, 28, 1), num_classes=4): layer 9 "
                          "(Dense): expected output shape (None, 4), got (None, 10)"]


def test_counting_functions_agree_with_keras_on_the_lecture_networks():
    import keras
    from keras import layers

    ref = LAB.solution_module()
    model = ref.build_lenet5()
    keras_counts = [l.count_params() for l in model.layers if l.count_params()]
    assert keras_counts == [ref.conv_param_count(5, 1, 6), ref.conv_param_count(5, 6, 16),
                            ref.dense_param_count(400, 120), ref.dense_param_count(120, 84),
                            ref.dense_param_count(84, 10)]
    # AlexNet of lecture 2 built in Keras: the output sizes of the notes, 55 ... 2
    alex = keras.Sequential([keras.Input((227, 227, 3)),
                             layers.Conv2D(96, 11, strides=4), layers.MaxPooling2D(3, 2),
                             layers.Conv2D(256, 5), layers.MaxPooling2D(3, 2),
                             layers.Conv2D(384, 3), layers.Conv2D(384, 3), layers.Conv2D(256, 3),
                             layers.MaxPooling2D(3, 2)])
    assert [l.output.shape[1] for l in alex.layers] == [55, 27, 23, 11, 9, 7, 5, 2]


def test_feature_maps_of_lenet_have_the_documented_shapes():
    ref = LAB.solution_module()
    model = ref.build_lenet5()
    images = np.zeros((2, 28, 28, 1), dtype="float32")
    convs = [l.name for l in model.layers if type(l).__name__ == "Conv2D"]
    assert ref.feature_maps(model, images, convs[0]).shape == (2, 28, 28, 6)
    assert ref.feature_maps(model, images, convs[1]).shape == (2, 10, 10, 16)


def _mnist():
    (x, y), (xt, yt) = dllab_data.load_mnist()
    return (x[..., None].astype("float32") / 255, y.astype("int64"),
            xt[..., None].astype("float32") / 255, yt.astype("int64"))


def _recipe():
    """The notebook's training recipe as the threshold benchmark runs it (one copy of it outside
    the notebook: the cosine schedule and the augmentation wrapper)."""
    return load_module(ROOT / "benchmarks" / "train_thresholds_lab4_lab5.py", "dllab_lab4_recipe")


@pytest.mark.slow
def test_trained_reference_lenet_passes_q6(cases_dir):
    """The notebook's training recipe (lab.toml's [training], the schedule) clears q6."""
    import keras

    ref, budget, recipe = LAB.solution_module(), LAB.training_budget, _recipe()
    x, y, x_test, y_test = _mnist()
    keras.utils.set_random_seed(budget["SEED"])
    lenet = ref.build_lenet5()
    recipe.compile_with_cosine(lenet, budget["LENET_LEARNING_RATE"], budget["LENET_EPOCHS"], 55000,
                               budget["LENET_BATCH"])
    ref.train_model(lenet, x[:55000], y[:55000], budget["LENET_EPOCHS"], budget["LENET_BATCH"],
                    seed=budget["SEED"])
    result = run_question(LAB.name, "q6", cases_dir,
                          {"lenet": lenet, "x_test": x_test, "y_test": y_test})
    assert result.full_marks, result.failures


@pytest.mark.slow
def test_trained_reference_cifar_passes_q7(cases_dir):
    """The notebook's recipe (schedule, augmentation wrapper) clears q7; the wrapper leaves the
    graded network as built."""
    import keras
    ref, budget, recipe = LAB.solution_module(), LAB.training_budget, _recipe()
    (x, y), (xe, ye) = dllab_data.load_cifar10_subset()
    x, xe = x.astype("float32") / 255, xe.astype("float32") / 255
    y, ye = y.reshape(-1).astype("int64"), ye.reshape(-1).astype("int64")
    keras.utils.set_random_seed(budget["SEED"])
    model = ref.build_cifar_cnn()
    trainer = recipe.augmented(model)
    recipe.compile_with_cosine(trainer, budget["CIFAR_LEARNING_RATE"], budget["CIFAR_EPOCHS"], len(x),
                               budget["CIFAR_BATCH"])
    ref.train_model(trainer, x, y, budget["CIFAR_EPOCHS"], budget["CIFAR_BATCH"], seed=budget["SEED"])
    result = run_question(LAB.name, "q7", cases_dir,
                          {"cifar_model": model, "x_cifar_eval": xe, "y_cifar_eval": ye})
    assert result.full_marks, result.failures
