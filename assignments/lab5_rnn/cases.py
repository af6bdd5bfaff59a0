"""Hidden inputs and expected answers of lab 5, written at build time.

The SimpleRNN comparison is computed here, by Keras, so grading needs no Keras for it, and the
expected hidden states come from an implementation other than the reference. The build stops
if the reference and Keras disagree.

Keras computes in float64 only on TensorFlow: on JAX and PyTorch its type promotion turns 64-bit
floats into 32-bit ones (`keras.backend.result_type("float64", "float64")` is "float32" there).
A build on those backends checks the reference against Keras to float32 precision and stores
the reference's float64 states, so the hidden test's tolerance holds whatever backend built the lab.
"""

import numpy as np

from autograder.checks import dllab_keras
from autograder.kernel import dllab_data


def random_params(rng, n_x, n_a, n_y, scale=1.0):
    return {
        "Wax": rng.normal(size=(n_a, n_x)) * scale / np.sqrt(n_x),
        "Waa": rng.normal(size=(n_a, n_a)) * scale / np.sqrt(n_a),
        "Wya": rng.normal(size=(n_y, n_a)) * scale,
        "ba": rng.normal(size=(n_a, 1)) * 0.5,
        "by": rng.normal(size=(n_y, 1)) * 0.5,
    }


def keras_simple_rnn(x, a0, params):
    """Hidden states and per-step softmax predictions from Keras, for the numpy shapes of the lab.

    Keras works on rows: inputs (m, T_x, n_x) and h_t = tanh(x_t @ kernel + h_prev @ recurrent
    + bias), so kernel = Wax.T, recurrent_kernel = Waa.T. float64 throughout, so that the
    comparison can be tight.
    """
    import keras
    from keras import layers

    n_x, m, T_x = x.shape
    n_a, n_y = params["Waa"].shape[0], params["Wya"].shape[0]
    floatx = keras.config.floatx()
    keras.config.set_floatx("float64")  # predict() casts its inputs to floatx
    try:
        return _keras_simple_rnn(keras, layers, x, a0, params, n_x, n_a, n_y, T_x)
    finally:
        keras.config.set_floatx(floatx)


def _keras_simple_rnn(keras, layers, x, a0, params, n_x, n_a, n_y, T_x):
    seq = keras.Input((T_x, n_x), dtype="float64")
    h0 = keras.Input((n_a,), dtype="float64")
    rnn = layers.SimpleRNN(n_a, return_sequences=True, dtype="float64")
    dense = layers.Dense(n_y, activation="softmax", dtype="float64")
    states = rnn(seq, initial_state=h0)
    model = keras.Model([seq, h0], [states, dense(states)])
    rnn.set_weights([params["Wax"].T, params["Waa"].T, params["ba"][:, 0]])
    dense.set_weights([params["Wya"].T, params["by"][:, 0]])
    states, probs = model.predict([np.transpose(x, (1, 2, 0)), a0.T], verbose=0)
    return np.transpose(states, (2, 0, 1)), np.transpose(probs, (2, 0, 1))


def build_cases(ref):
    import keras

    rng = np.random.default_rng(55)
    softmax = []
    for shape, scale in (((4, 3), 1.0), ((1, 5), 1.0), ((10, 1), 3.0), ((6, 7), 800.0)):
        z = rng.normal(size=shape) * scale          # the last one overflows a naive exp
        softmax.append({"z": z, "expected": ref.softmax(z), "label": f"z of shape {shape}"
                        + (", logits in the hundreds" if scale > 100 else "")})

    cell = []
    for n_x, n_a, n_y, m, scale in ((3, 5, 2, 4, 1.0), (1, 1, 1, 1, 1.0), (7, 4, 6, 1, 1.0),
                                    (4, 6, 3, 10, 1.0), (5, 3, 4, 2, 600.0)):
        params = random_params(rng, n_x, n_a, n_y, scale)
        xt, a_prev = rng.normal(size=(n_x, m)), rng.uniform(-1, 1, size=(n_a, m))
        a_next, y_pred, _ = ref.rnn_cell_forward(xt, a_prev, params)
        cell.append({"xt": xt, "a_prev": a_prev, "params": params, "a_next": a_next, "y_pred": y_pred,
                     "label": f"n_x={n_x}, n_a={n_a}, n_y={n_y}, m={m}"
                     + (", weights in the hundreds" if scale > 100 else "")})

    forward = []
    for n_x, n_a, n_y, m, T_x in ((3, 5, 2, 4, 6), (2, 3, 3, 1, 1), (6, 4, 5, 3, 10), (1, 2, 4, 7, 3)):
        params = random_params(rng, n_x, n_a, n_y)
        x, a0 = rng.normal(size=(n_x, m, T_x)), rng.uniform(-1, 1, size=(n_a, m))
        a, y_pred, _ = ref.rnn_forward(x, a0, params)
        forward.append({"x": x, "a0": a0, "params": params, "a": a, "y_pred": y_pred,
                        "label": f"n_x={n_x}, n_a={n_a}, n_y={n_y}, m={m}, T_x={T_x}"})

    keras_cases = []
    keras_float64 = keras.backend.result_type("float64", "float64") == "float64"
    tol = 1e-9 if keras_float64 else 1e-5  # float32: differences up to 1e-6 seen at T_x = 28
    for n_x, n_a, n_y, m, T_x in ((4, 6, 3, 5, 7), (28, 16, 10, 3, 28), (2, 3, 2, 1, 4)):
        params = random_params(rng, n_x, n_a, n_y, scale=1.5)
        x, a0 = rng.normal(size=(n_x, m, T_x)), rng.uniform(-1, 1, size=(n_a, m))
        a, y_pred = keras_simple_rnn(x, a0, params)
        ref_a, ref_y, _ = ref.rnn_forward(x, a0, params)
        assert np.abs(ref_a - a).max() < tol and np.abs(ref_y - y_pred).max() < tol, \
            f"the reference rnn_forward disagrees with keras.layers.SimpleRNN (beyond {tol:g})"
        if not keras_float64:
            a, y_pred = ref_a, ref_y
        keras_cases.append({"x": x, "a0": a0, "params": params, "a": a, "y_pred": y_pred,
                            "label": f"n_x={n_x}, n_a={n_a}, n_y={n_y}, m={m}, T_x={T_x}"})

    describe = dllab_keras.describe_layers
    architectures = [
        {"kwargs": kwargs, "layers": describe(ref.build_sequence_model(**kwargs), "build_sequence_model")}
        for kwargs in ({}, {"cell": "simple_rnn", "units": 32}, {"cell": "gru", "units": 16},
                       {"cell": "lstm", "units": 24, "input_shape": (20, 12), "num_classes": 5},
                       {"cell": "gru", "units": 8, "input_shape": (28, 28), "num_classes": 3})]
    keras.backend.clear_session()

    (_, _), (x_test, y_test) = dllab_data.load_mnist()
    return {
        "softmax": softmax,
        "cell": cell,
        "forward": forward,
        "keras": keras_cases,
        "architectures": architectures,
        "mnist_test": {"x": np.asarray(x_test, np.uint8), "y": np.asarray(y_test).reshape(-1).astype(np.int64)},
    }
