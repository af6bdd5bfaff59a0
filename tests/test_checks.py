"""The comparison helpers every test uses: clear messages, and verdicts a notebook cannot bend."""

import builtins
import math

import numpy as np
import pytest

from autograder.checks import dllab_checks as checks
from autograder.checks import dllab_keras


def _message(fn, *args, **kwargs):
    with pytest.raises(AssertionError) as e:
        fn(*args, **kwargs)
    return str(e.value)


def test_messages_say_what_was_expected_and_what_was_got():
    assert _message(checks.assert_close, np.ones((2, 2)), np.ones((2, 3)), "f") == \
        "`f`: expected shape (2, 3), got (2, 2)"
    msg = _message(checks.assert_close, np.array([[1.0, 2.0], [3.0, 5.0]]), [[1, 2], [3, 4]], "f")
    assert "at index (1, 1)" in msg and "expected 4, got 5" in msg and "1 of 4 values" in msg
    assert "expected 3, got 2" in _message(checks.assert_close, 2.0, 3.0, "f")  # 0-d arrays
    assert "still a stub" in _message(checks.assert_close, None, [1.0], "f")
    assert "still a stub" in _message(checks.call, lambda: None, "f")
    assert "is not defined" in _message(checks.call, None, "f")
    assert "numeric array" in _message(checks.assert_close, "text", [1.0], "f")


def test_tolerances_nan_and_infinities():
    checks.assert_close([1.0 + 1e-9], [1.0], "f")
    checks.assert_close(np.float32([0.1, 0.2]), [0.1, 0.2], "f", rtol=1e-6)
    checks.assert_close([np.inf, -np.inf], [np.inf, -np.inf], "f")
    _message(checks.assert_close, [np.nan], [1.0], "f")
    _message(checks.assert_close, [np.inf], [-np.inf], "f")
    _message(checks.assert_close, [1.0 + 1e-5], [1.0], "f")


def test_an_object_that_equals_everything_does_not_pass():
    class Liar:
        def __eq__(self, other):
            return True

        def __array__(self, dtype=None, copy=None):
            return np.zeros(3)

    _message(checks.assert_equal, Liar(), 3, "f")
    _message(checks.assert_close, Liar(), [1.0, 2.0, 3.0], "f")


def test_a_subclass_with_doctored_methods_is_compared_as_a_plain_array():
    class Doctored(np.ndarray):
        def __sub__(self, other):
            return np.zeros(self.shape)

        def all(self, *a, **k):
            return True

    wrong = np.zeros(3).view(Doctored)
    _message(checks.assert_close, wrong, [1.0, 2.0, 3.0], "f")


def test_verdicts_survive_replaced_numpy_math_and_builtins(monkeypatch):
    for module, name, fake in [
        (np, "allclose", lambda *a, **k: True), (np, "isclose", lambda *a, **k: True),
        (np, "array_equal", lambda *a, **k: True), (np, "max", lambda *a, **k: 0.0),
        (np, "abs", lambda x: 0 * x), (np, "array", lambda *a, **k: np.zeros(3)),
        (np, "asarray", lambda *a, **k: np.zeros(3)), (np, "all", lambda *a, **k: True),
        (np.testing, "assert_allclose", lambda *a, **k: None),
        (math, "isclose", lambda *a, **k: True),
        (builtins, "abs", lambda x: 0), (builtins, "round", lambda *a: 0),
        (builtins, "all", lambda *a: True), (builtins, "max", lambda *a, **k: 0),
    ]:
        monkeypatch.setattr(module, name, fake)
    _message(checks.assert_close, [0.0, 0.0, 0.0], [1.0, 2.0, 3.0], "f")
    _message(checks.assert_equal, 4, 5, "f")
    checks.assert_close([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], "f")


def test_call_gives_the_student_private_copies_even_inside_tuples():
    x = np.ones(3)
    cache = (np.ones(2), {"w": np.ones(2)})

    def vandal(a, c):
        a[:] = 0
        c[0][:] = 0
        c[1]["w"][:] = 0
        return a

    checks.call(vandal, "vandal", x, cache)
    assert x.sum() == 3 and cache[0].sum() == 2 and cache[1]["w"].sum() == 2


# --- Keras models: describe_layers, assert_architecture, assert_compiled_for_integer_labels ----
# A small network stands for the labs' (Conv2D, pooling, Conv2D, pooling, Flatten, Dense): every
# spelling of it in the two APIs the labs ask for describes the same, a different network does
# not, and the messages name the call and a layer by position and type.

def _small(spelling="sequential", *, pool=None, act="relu", out="softmax"):
    import keras
    from keras import layers

    pool = pool or layers.MaxPooling2D
    if spelling == "sequential":
        return keras.Sequential([
            keras.Input((12, 12, 1)), layers.Conv2D(4, 3, padding="same", activation=act), pool(2),
            layers.Conv2D(8, 3, activation=act), pool(2), layers.Flatten(),
            layers.Dense(5, activation=out)])
    if spelling == "input_shape":
        return keras.Sequential([
            layers.Conv2D(4, 3, padding="same", activation="relu", input_shape=(12, 12, 1)),
            layers.MaxPooling2D(2), layers.Conv2D(8, 3, activation="relu"), layers.MaxPooling2D(2),
            layers.Flatten(), layers.Dense(5, activation="softmax")])
    if spelling == "input_layer_and_build":
        model = keras.Sequential([
            layers.Conv2D(4, 3, padding="same", activation=keras.activations.relu),
            layers.MaxPool2D(), layers.Conv2D(8, (3, 3), activation=keras.activations.relu),
            layers.MaxPool2D(), layers.Flatten(), layers.Dense(5, activation=keras.activations.softmax)])
        model.build((None, 12, 12, 1))
        return model
    if spelling == "activation_layers_and_dropout":
        return keras.Sequential([
            layers.InputLayer(shape=(12, 12, 1)), layers.Conv2D(4, 3, padding="same"), layers.ReLU(),
            layers.MaxPooling2D(2), layers.Dropout(0.3), layers.Conv2D(8, 3),
            layers.MaxPooling2D(2), layers.Activation("relu"),    # ReLU after a max: the same
            layers.SpatialDropout2D(0.1), layers.Flatten(), layers.Dense(5), layers.Softmax()])
    if spelling == "nested_shared_functional":
        pool_layer = layers.MaxPooling2D(2)
        inputs = keras.Input((12, 12, 1))
        x = pool_layer(keras.ops.relu(layers.Conv2D(4, 3, padding="same")(inputs)))
        block = keras.Sequential([layers.Conv2D(8, 3), layers.Activation("relu"), pool_layer])
        head = keras.Sequential([layers.Flatten(), layers.Dense(5, activation="softmax")])
        return keras.Model(inputs, head(block(x)))
    raise ValueError(spelling)


def _subclassed():
    import keras
    from keras import layers

    class Small(keras.Model):
        def __init__(self):
            super().__init__()
            self.conv1 = layers.Conv2D(4, 3, padding="same", activation="relu")
            self.pool = layers.MaxPooling2D(2)
            self.conv2 = layers.Conv2D(8, 3, activation="relu")
            self.flatten, self.out = layers.Flatten(), layers.Dense(5, activation="softmax")

        def call(self, x):
            return self.out(self.flatten(self.pool(self.conv2(self.pool(self.conv1(x))))))

    model = Small()
    model(keras.ops.zeros((1, 12, 12, 1)))
    return model


@pytest.mark.parametrize("spelling", ["input_shape", "input_layer_and_build",
                                      "activation_layers_and_dropout", "nested_shared_functional"])
def test_every_spelling_of_a_network_describes_it_the_same(spelling):
    want = dllab_keras.describe_layers(_small(), "f")
    assert [r["type"] for r in want] == ["Conv2D", "MaxPooling2D", "Conv2D", "MaxPooling2D",
                                         "Flatten", "Dense"]
    assert want[0]["activation"] == "relu" and want[-1]["activation"] == "softmax"
    model = _small(spelling)
    assert dllab_keras.describe_layers(model, "f") == want
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    dllab_keras.assert_architecture(model, want, "f")


def test_another_network_gets_the_first_difference_by_position_and_type():
    from keras import layers

    want = dllab_keras.describe_layers(_small(), "f")
    label = checks.call_label("f")
    assert _message(dllab_keras.assert_architecture, _small(act="tanh"), want, label) == (
        "f() with default arguments: layer 1 (Conv2D): expected activation 'relu', got 'tanh'")
    assert _message(dllab_keras.assert_architecture, _small(out=None), want, label).endswith(
        "layer 6 (Dense): expected activation 'softmax', got 'linear' (no activation)")
    assert "The first difference is layer 2: expected MaxPooling2D, got AveragePooling2D" in \
        _message(dllab_keras.assert_architecture, _small(pool=layers.AveragePooling2D), want, label)
    relu6 = _small("activation_layers_and_dropout")
    relu6.layers[1].max_value = 6.0          # ReLU(max_value=6) is not a ReLU
    assert "expected activation 'relu'" in _message(dllab_keras.assert_architecture, relu6, want, label)
    assert "not compiled" in _message(dllab_keras.assert_architecture, _small(), want, label)


def test_models_without_layer_outputs_get_advice_that_fits_them():
    import keras
    from keras import layers

    msg = _message(dllab_keras.describe_layers, _subclassed(), "f() with default arguments")
    assert msg.startswith("f() with default arguments: returns a subclassed keras.Model (Small). "
                          "Its layers, from layer 1 (Conv2D) on, record no output of their own")
    assert "keras.Sequential or the functional API" in msg and "conv2d_" not in msg
    unbuilt = keras.Sequential([layers.Conv2D(4, 3), layers.Flatten(), layers.Dense(5)])
    assert "the Sequential model has no input yet, so layer 1 (Conv2D) has no output shape" in \
        _message(dllab_keras.describe_layers, unbuilt, "f")
    # a subclassed block inside a functional model: named by its place among the layers
    inputs = keras.Input((12, 12, 1))
    x = layers.Conv2D(1, 1, activation="relu")(inputs)
    outer = keras.Model(inputs, _subclassed()(x))
    assert "f: has, as layer 2, a subclassed keras.Model (Small). Its layers, from layer 2 " \
        "(Conv2D) on," in _message(dllab_keras.describe_layers, outer, "f")
    assert "should return a keras.Model, got list" in _message(dllab_keras.describe_layers, [], "f")


def test_call_labels_read_as_the_call():
    assert checks.call_label("build_lenet5") == "build_lenet5() with default arguments"
    assert checks.call_label("build_lenet5", {}) == "build_lenet5() with default arguments"
    assert checks.call_label("build_lenet5", {"input_shape": (32, 32, 1), "num_classes": 5}) == \
        "build_lenet5(input_shape=(32, 32, 1), num_classes=5)"


def test_compile_settings_are_judged_by_what_they_compute():
    import keras

    def compiled(**settings):
        model = _small()
        model.compile(**{"optimizer": "adam", "loss": "sparse_categorical_crossentropy",
                         "metrics": ["accuracy"], **settings})
        return model

    for right in [{}, {"optimizer": keras.optimizers.Adam(learning_rate=1e-3)},
                  {"loss": keras.losses.SparseCategoricalCrossentropy()},
                  {"loss": keras.losses.sparse_categorical_crossentropy},
                  {"loss": lambda y, p: keras.losses.sparse_categorical_crossentropy(y, p)},
                  {"metrics": ["acc"]}, {"metrics": [keras.metrics.SparseCategoricalAccuracy()]}]:
        dllab_keras.assert_compiled_for_integer_labels(compiled(**right), "f")
    wrong = {
        "fails on integer labels": {"loss": "categorical_crossentropy"},
        "SparseCategoricalCrossentropy(from_logits=True) gives": {
            "loss": keras.losses.SparseCategoricalCrossentropy(from_logits=True)},
        "got no metric": {"metrics": None},
        "got 2 metrics": {"metrics": ["accuracy", "sparse_top_k_categorical_accuracy"]},
        "the metric categorical_accuracy gives 0.2": {"metrics": ["categorical_accuracy"]},
        "got SGD": {"optimizer": "sgd"},
        "got AdamW": {"optimizer": "adamw"},
    }
    for said, settings in wrong.items():
        assert said in _message(dllab_keras.assert_compiled_for_integer_labels, compiled(**settings), "f")
    assert "not compiled" in _message(dllab_keras.assert_compiled_for_integer_labels, _small(), "f")
