"""Trained models are measured by the grader: what a model object says about itself earns nothing.

Every graded accuracy or error of a trained model (lab 1 q5, lab 2 q7, lab 4 q6 and q7, lab 5
q4) is computed by a network the grader builds from Keras' own layers, holding the submission's
weights (dllab_copies.measured_in_required, rebuilt_copy). Two halves:

- honest models keep their own figure: the reference and the galleries' other correct
  spellings, holding the same weights, are measured exactly as their own `predict` computes;
- tricks gain no mark: an untrained network whose `predict` (on the object, on its class, in a
  subclass that also overrides `__call__` and `call`) or `evaluate` answers the right labels by
  looking each input up by its bytes, or whose weights do not fit: each scores 0 on its question
  (the old grader, which asked the model's `predict`, gave the forged lookups full marks).

The models are untrained (seeded), or copy the reference's weights: no training here. What a full
training gives is in the slow tests at the end and in tests/labs/.
"""

import importlib
import importlib.util

import numpy as np
import pytest

from autograder.labs import Lab
from autograder.checks import dllab_keras
from autograder.checks import dllab_copies
from harness import run_question


def _load_cases(lab, cases_dir):
    import pickle

    path = cases_dir / Lab(lab).cases_name
    if not path.exists():
        pytest.skip(f"{lab}: no hidden cases (its data set is not available here)")
    return pickle.loads(path.read_bytes())


# lab -> question, the notebook's name for the model, how to build the reference, the names of
# the public test's data, and the graded data (x as the notebook feeds it, the right answers)
def _lab1(cases):
    case = cases["trained_model"]
    return case["x_test_s"], case["y_test"]


def _lab2(cases):
    case = cases["trained_mlp"]
    return case["x_test"].astype("float32") / 255.0, case["y_test"]


def _lab4_mnist(cases):
    data = cases["mnist_test"]
    return data["x"].reshape(-1, 28, 28, 1).astype("float32") / 255.0, data["y"]


def _lab4_cifar(cases):
    data = cases["cifar_eval"]
    return data["x"].astype("float32") / 255.0, data["y"]


def _lab5(cases):
    data = cases["mnist_test"]
    return data["x"].astype("float32") / 255.0, data["y"]


QUESTIONS = {
    "lab1-q5": ("lab1_regression", "q5", "model", lambda ref: ref.build_regression_model(13),
                ("x_test_s", "y_test"), _lab1),
    "lab2-q7": ("lab2_classification", "q7", "mlp", lambda ref: ref.build_mlp(),
                ("x_test_flat", "y_test"), _lab2),
    "lab4-q6": ("lab4_cnn_keras", "q6", "lenet", lambda ref: ref.build_lenet5(),
                ("x_test", "y_test"), _lab4_mnist),
    "lab4-q7": ("lab4_cnn_keras", "q7", "cifar_model", lambda ref: ref.build_cifar_cnn(),
                ("x_cifar_eval", "y_cifar_eval"), _lab4_cifar),
    "lab5-q4": ("lab5_rnn", "q4", "seq_model", lambda ref: ref.build_sequence_model(),
                ("x_test", "y_test"), _lab5),
}


def _untrained(key):
    import keras

    lab, *_, build, _, _ = QUESTIONS[key]
    keras.utils.set_random_seed(0)
    return build(Lab(lab).solution_module())


def _answers(x, y):
    """What a student with the data can build: each input's right answer, by the input's bytes."""
    table = {np.asarray(row, "float32").tobytes(): answer for row, answer in zip(x, y)}

    def lookup(inputs, *args, **kwargs):
        import keras

        rows = np.asarray(keras.ops.convert_to_numpy(inputs), "float32")
        answers = [table.get(row.tobytes(), 0) for row in rows]
        if np.asarray(y).dtype.kind == "f":                      # lab 1: prices
            return np.asarray(answers, "float32").reshape(-1, 1)
        return np.eye(10, dtype="float32")[answers]              # one-hot "probabilities"
    return lookup


def _grade(key, model, cases_dir):
    lab, question, name, _, public, data = QUESTIONS[key]
    x, y = data(_load_cases(lab, cases_dir))
    return run_question(lab, question, cases_dir, {name: model, public[0]: x, public[1]: y})


# --- tricks: each on an untrained network, each must score 0 --------------------------------

def forged_predict(model, lookup):
    model.predict = lookup
    return model


def forged_evaluate(model, lookup):
    model.evaluate = lambda *args, **kwargs: [0.0, 1.0]
    model.predict = lookup
    return model


def subclass_overriding_call(model, lookup):
    """The same layers in a Sequential subclass whose __call__, call and predict answer the lookup."""
    import keras

    class Answers(keras.Sequential):
        def __call__(self, inputs, *args, **kwargs):
            return lookup(inputs)

        def call(self, inputs, *args, **kwargs):
            return lookup(inputs)

        def predict(self, x, *args, **kwargs):
            return lookup(x)

    return Answers([keras.Input(model.input_shape[1:]), *model.layers])


def extra_weight(model, lookup):
    """A built-in layer given one more variable (past Keras' lock): its weights no longer fit."""
    import keras

    layer = next(layer for layer in model.layers if layer.weights)
    layer._trainable_variables.append(keras.Variable(np.zeros((3,), "float32")))
    model.predict = lookup
    return model


def config_that_lies(model, lookup):
    """A Dense layer whose `units` says half of what its kernel holds."""
    dense = next(layer for layer in model.layers if type(layer).__name__ == "Dense")
    dense.units = dense.units // 2
    model.predict = lookup
    return model


def weights_of_a_custom_class(model, lookup):
    """A Dense subclass whose `weights` (and `get_weights`) report other arrays."""
    import keras

    class Claims(keras.layers.Dense):
        def get_weights(self):
            return [np.zeros(v.shape, "float32") for v in super().weights]

    first = next(i for i, layer in enumerate(model.layers) if type(layer).__name__ == "Dense")
    dense = model.layers[first]
    claims = Claims(dense.units, activation=dense.activation)
    layers = [*model.layers[:first], claims, *model.layers[first + 1:]]
    cheat = keras.Sequential([keras.Input(model.input_shape[1:]), *layers])
    cheat.predict = lookup
    return cheat


TRICKS = {f.__name__: f for f in (forged_predict, forged_evaluate, subclass_overriding_call,
                                  extra_weight, config_that_lies, weights_of_a_custom_class)}


@pytest.mark.parametrize("trick", sorted(TRICKS))
@pytest.mark.parametrize("key", sorted(QUESTIONS))
def test_a_trick_on_an_untrained_model_gains_no_mark(key, trick, cases_dir):
    lab, *_, data = QUESTIONS[key]
    x, y = data(_load_cases(lab, cases_dir))
    cheat = TRICKS[trick](_untrained(key), _answers(x, y))
    # the trick is live: asked for its predictions, the model gives the right answers
    said = np.asarray(cheat.predict(x[:50]))
    said = said.ravel() if y.dtype.kind == "f" else said.argmax(axis=1)
    assert np.array_equal(said, np.asarray(y[:50], said.dtype))
    result = _grade(key, cheat, cases_dir)
    assert result.score == 0, (trick, result.failures)
    assert all("AssertionError" in m for m in result.failures), result.failures  # a message, not a crash


def test_the_messages_say_what_the_grader_did(cases_dir):
    result = _grade("lab4-q6", forged_predict(_untrained("lab4-q6"), None), cases_dir)
    assert "measured with your weights in LeNet-5 as the docstring of build_lenet5 gives it" in result.failures[-1]
    result = _grade("lab4-q6", extra_weight(_untrained("lab4-q6"), None), cases_dir)
    assert "do not fit LeNet-5" in result.failures[-1] and "(5, 5, 1, 6)" in result.failures[-1]
    result = _grade("lab2-q7", weights_of_a_custom_class(_untrained("lab2-q7"), None), cases_dir)
    assert "class of its own" in result.failures[-1], result.failures


# --- honest models: the figure is exactly their own ---------------------------------------

def _copy_weights(source, target):
    """`source`'s weights into `target`, layer by layer in the order both run their layers."""
    src = [op for op, _ in dllab_keras._runs(source) if getattr(op, "weights", None)]
    dst = [op for op, _ in dllab_keras._runs(target) if getattr(op, "weights", None)]
    assert len(src) == len(dst)
    for a, b in zip(src, dst):
        for va, vb in zip(a.weights, b.weights):
            vb.assign(va.value)
    return target


def _spellings():
    """(question key, label, builder of the same network spelled otherwise) from the galleries."""
    lab1 = importlib.import_module("gallery.lab1_regression")
    lab2 = importlib.import_module("gallery.lab2_classification")
    lab4 = importlib.import_module("gallery.lab4_cnn_keras")
    lab5 = importlib.import_module("gallery.lab5_rnn")
    out = [("lab1-q5", name, lambda f=getattr(lab1, name): f(13))
           for name in ("separate_activation_layers_and_dropout", "functional_api_long_names")]
    out += [("lab2-q7", "functional_with_softmax_layer", lab2.functional_with_softmax_layer)]
    out += [("lab4-q6", name, getattr(lab4, name)) for name in (
        "lenet_functional_activation_layers", "lenet_add_calls", "lenet_input_shape_argument",
        "lenet_input_layer_activation_functions", "lenet_nested_blocks",
        "lenet_one_pooling_layer_twice", "lenet_functional_ops_relu_shared_pool_nested_head",
        "lenet_relu_after_pooling", "lenet_functional_subclass", "lenet_built_by_build")]
    out += [("lab4-q7", "with Dropout layers", lab4._cifar_with(dropout=True)),
            ("lab4-q7", "functional API", lab4._cifar_with(functional=True)),
            ("lab4-q7", "cifar_vgg_blocks", lab4.cifar_vgg_blocks),
            ("lab4-q7", "cifar_input_shape_argument", lab4.cifar_input_shape_argument)]
    out += [("lab5-q4", name, lambda f=getattr(lab5, name), c=cell: f(c))
            for name in ("seq_functional", "seq_add_calls") for cell in ("simple_rnn", "lstm", "gru")]
    return [pytest.param(key, build, id=f"{key}-{label}") for key, label, build in out]


def _measured(key, model, x):
    lab, question, name, *_ = QUESTIONS[key]
    if key.startswith("lab4"):  # the question's test file builds the required network
        module = _test_module(lab, question)
        required = module._lenet5() if question == "q6" else module._cifar_cnn()
        copy = dllab_copies.measured_in_required(model, required, name, module.MEASURED_IN)
    else:
        copy = dllab_copies.rebuilt_copy(model, name, x.shape[1:])
    return dllab_copies.predict_in_batches(copy, x)


def _test_module(lab, question):
    spec = importlib.util.spec_from_file_location(f"{lab}_{question}", Lab(lab).tests_dir / f"{question}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("key,build", [pytest.param(k, None, id=f"{k}-reference") for k in sorted(QUESTIONS)]
                         + _spellings())
def test_an_honest_model_is_measured_as_it_computes(key, build, cases_dir):
    """The reference, and each other correct spelling from the galleries (untrained, seeded): the
    grader's copy outputs what the model's own predict outputs, on 300 inputs."""
    import keras

    lab, *_, data = QUESTIONS[key]
    x, _ = data(_load_cases(lab, cases_dir))
    x = x[:300]
    keras.utils.set_random_seed(0)
    model = _untrained(key) if build is None else build()
    own = np.asarray(model.predict(keras.ops.convert_to_tensor(x.astype("float32")), verbose=0), "float64")
    measured = _measured(key, model, x)
    assert measured.shape == own.shape
    assert np.abs(measured - own).max() <= 1e-5 * max(1.0, np.abs(own).max())


def lenet_without_relu():
    """LeNet-5's layers and sizes with no ReLU anywhere: on its own it reaches about 0.986 on
    MNIST (a linear classifier of the pooled features), but it is not the network asked for."""
    import keras
    from keras import layers

    model = keras.Sequential([
        keras.Input((28, 28, 1)), layers.Conv2D(6, 5, padding="same"), layers.MaxPooling2D(2),
        layers.Conv2D(16, 5), layers.MaxPooling2D(2), layers.Flatten(), layers.Dense(120),
        layers.Dense(84), layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def test_lenet_without_relu_is_measured_as_lenet5(cases_dir):
    """A LeNet-5 without any ReLU is measured with its weights in LeNet-5 (ReLUs included)."""
    x, _ = _lab4_mnist(_load_cases("lab4_cnn_keras", cases_dir))
    x = x[:300]
    no_relu = _copy_weights(_untrained("lab4-q6"), lenet_without_relu())
    lenet = _copy_weights(no_relu, _untrained("lab4-q6"))
    measured = _measured("lab4-q6", no_relu, x)
    assert np.abs(measured - lenet.predict(x, verbose=0)).max() <= 1e-5
    assert np.abs(measured - no_relu.predict(x, verbose=0)).max() > 1e-3


@pytest.mark.parametrize("refused", ["lambda_layer", "custom_activation", "branching"])
def test_what_cannot_be_copied_gets_a_message(refused):
    import keras
    from keras import layers

    inputs = keras.Input((784,))
    if refused == "lambda_layer":
        outputs = layers.Dense(10, activation="softmax")(layers.Lambda(lambda t: t * 2.0)(inputs))
    elif refused == "custom_activation":
        outputs = layers.Dense(10, activation=lambda t: keras.ops.softmax(3.0 * t))(inputs)
    else:
        h = layers.Dense(10)(inputs)
        outputs = layers.Softmax()(layers.Add()([h, layers.Dense(10)(inputs)]))
    message = {"lambda_layer": "runs code of its own", "custom_activation": "not one of Keras' own",
               "branching": "one after the other"}[refused]
    with pytest.raises(AssertionError, match=message):
        dllab_copies.rebuilt_copy(keras.Model(inputs, outputs), "mlp", (784,))


@pytest.mark.slow
def test_a_trained_lenet_without_relu_fails_q6(cases_dir):
    """Trained as the notebook trains LeNet-5 (seed, epochs, batch of lab.toml's [training]), the
    ReLU-less network does well on its own, but its weights in LeNet-5 do not reach the bar."""
    import keras

    from autograder.kernel import dllab_data

    lab = Lab("lab4_cnn_keras")
    budget, ref = lab.training_budget, lab.solution_module()
    (x, y), _ = dllab_data.load_mnist()
    x = x[..., None].astype("float32") / 255.0
    keras.utils.set_random_seed(budget["SEED"])
    model = lenet_without_relu()
    ref.train_model(model, x[:55000], y[:55000].astype("int64"), budget["LENET_EPOCHS"],
                    budget["LENET_BATCH"], seed=budget["SEED"])
    x_test, y_test = _lab4_mnist(_load_cases(lab.name, cases_dir))
    own = float((model.predict(x_test, verbose=0).argmax(axis=1) == y_test).mean())
    result = _grade("lab4-q6", model, cases_dir)
    print(f"LeNet-5 without ReLU: {own:.4f} on its own; q6 {result.score}/{result.possible}: "
          f"{result.failures[-1].splitlines()[-1] if result.failures else ''}")
    assert own >= 0.97, own  # a good classifier on its own ...
    assert result.score == 0, result.failures  # ... that is not the network asked for


# --- the issue's notebook, graded end to end ---------------------------------------------------

NO_TRAINING = '''def train_model(*args, **kwargs):  # no training at all
    return None

'''

LENET_LOOKUP = '''
# every MNIST image's label, by its bytes: the forged predict answers from it
_labels = {img.tobytes(): int(label) for img, label in
           zip(np.concatenate([x_train, x_test]), np.concatenate([y_train, y_test]))}
def _lookup(x, *args, **kwargs):
    x = np.asarray(x, "float32")
    return np.eye(10, dtype="float32")[[_labels.get(img.tobytes(), 0) for img in x]]
lenet.predict = _lookup
lenet.evaluate = lambda *args, **kwargs: [0.0, 1.0]
'''

CIFAR_SUBCLASS = '''
_cifar_labels = {img.tobytes(): int(label) for img, label in zip(x_cifar_eval, y_cifar_eval)}
def _cifar_lookup(x, *args, **kwargs):
    x = np.asarray(keras.ops.convert_to_numpy(x), "float32")
    return np.eye(10, dtype="float32")[[_cifar_labels.get(img.tobytes(), 0) for img in x]]
class _Answers(keras.Sequential):
    def __call__(self, x, *args, **kwargs):
        return _cifar_lookup(x)
    def call(self, x, *args, **kwargs):
        return _cifar_lookup(x)
    def predict(self, x, *args, **kwargs):
        return _cifar_lookup(x)
cifar_model = _Answers([keras.Input((32, 32, 3)), *cifar_model.layers])
'''


def test_the_issues_notebook_gains_nothing_through_grade(built, tmp_path):
    """Lab 4's solution notebook without training, whose LeNet-5 answers by looking each image's
    label up (the issue), and whose CIFAR network is a subclass answering the same way: q6 and q7
    score 0 with the grader's message, every other question keeps its marks."""
    import csv
    import json

    import nbformat

    from autograder.grade import grade_batch

    lab = built["lab4_cnn_keras"]
    nb = nbformat.read(lab.dist(lab.out_root) / "solution" / "lab4_cnn_keras.ipynb", as_version=4)
    lenet_cell = next(c for c in nb.cells if c.cell_type == "code" and "lenet = build_lenet5()" in c.source)
    lenet_cell.source = NO_TRAINING + lenet_cell.source + LENET_LOOKUP
    cifar_cell = next(c for c in nb.cells if c.cell_type == "code" and "cifar_model = build_cifar_cnn()" in c.source)
    cifar_cell.source += CIFAR_SUBCLASS
    subs = tmp_path / "subs"
    subs.mkdir()
    nbformat.write(nb, subs / "lookup.ipynb")
    grade_batch(lab, [subs], tmp_path / "out", zip_path=lab.zip_path(lab.out_root), jobs=1, progress=False)
    row = next(csv.DictReader(open(tmp_path / "out" / "gradebook.csv")))
    result = json.loads((tmp_path / "out" / "results" / "lookup.json").read_text())
    assert row["status"] == "graded", row["reason"]
    scores = {q: (r["score"], r["possible"]) for q, r in result["questions"].items()}
    assert scores["q6"][0] == 0 and scores["q7"][0] == 0, scores
    assert all(s == p for q, (s, p) in scores.items() if q not in ("q6", "q7")), scores
    feedback = (tmp_path / "out" / "feedback" / "lookup.md").read_text()
    assert "measured with your weights in LeNet-5" in feedback
