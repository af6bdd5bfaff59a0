"""lab4_cnn_keras beyond the reference suite: the expected architectures are the course's, the
counting functions agree with Keras, and the notebook's trainings clear q6 and q7 (slow)."""

import numpy as np
import pytest

from autograder.labs import Lab
from autograder.support import dllab_data
from harness import run_question

LAB = Lab("lab4_cnn_keras")
TESTS = LAB.tests_dir


def test_lenet_expectation_is_the_course_table(cases_dir):
    """The hidden expectation (from the reference) and the public table (the course's LeNet-5) agree,
    and the table carries the lecture's parameter counts."""
    import pickle

    with open(cases_dir / LAB.cases_name, "rb") as f:
        cases = pickle.load(f)
    env = {}
    exec(compile((TESTS / "q2.py").read_text(), "q2.py", "exec"), env)
    table = env["LENET5"]
    assert cases["architectures"]["build_lenet5"][0]["layers"] == table
    assert [r["params"] for r in table if r["params"]] == [156, 2416, 48120, 10164, 850]
    assert sum(r["params"] for r in table) == 61706
    assert [r["output_shape"][1] for r in table[:4]] == [28, 14, 10, 5]


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


@pytest.mark.slow
def test_trained_reference_lenet_passes_q6(cases_dir):
    """The notebook's training recipe (template budget cell) clears the graded threshold."""
    import keras

    ref, budget = LAB.solution_module(), LAB.training_budget
    x, y, x_test, y_test = _mnist()
    keras.utils.set_random_seed(budget["SEED"])
    lenet = ref.build_lenet5()
    ref.train_model(lenet, x[:55000], y[:55000], budget["LENET_EPOCHS"], budget["LENET_BATCH"],
                    seed=budget["SEED"])
    result = run_question(LAB.name, "q6", cases_dir,
                          {"lenet": lenet, "x_test": x_test, "y_test": y_test})
    assert result.full_marks, result.failures


@pytest.mark.slow
def test_trained_reference_cifar_passes_q7(cases_dir):
    import keras
    ref, budget = LAB.solution_module(), LAB.training_budget
    (x, y), (xe, ye) = dllab_data.load_cifar10_subset()
    x, xe = x.astype("float32") / 255, xe.astype("float32") / 255
    y, ye = y.reshape(-1).astype("int64"), ye.reshape(-1).astype("int64")
    keras.utils.set_random_seed(budget["SEED"])
    model = ref.build_cifar_cnn()
    ref.train_model(model, x, y, budget["CIFAR_EPOCHS"], budget["CIFAR_BATCH"], seed=budget["SEED"])
    result = run_question(LAB.name, "q7", cases_dir,
                          {"cifar_model": model, "x_cifar_eval": xe, "y_cifar_eval": ye})
    assert result.full_marks, result.failures
