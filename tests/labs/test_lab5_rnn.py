"""lab5_rnn beyond the reference suite: the numpy reference is Keras' SimpleRNN, and the
notebook's training clears q4 (slow)."""

import numpy as np
import pytest

from autograder.labs import Lab
from autograder.kernel import dllab_data
from harness import run_question

LAB = Lab("lab5_rnn")


def _params(rng, n_x, n_a, n_y):
    return {"Wax": rng.normal(size=(n_a, n_x)) / np.sqrt(n_x), "Waa": rng.normal(size=(n_a, n_a)) / np.sqrt(n_a),
            "Wya": rng.normal(size=(n_y, n_a)), "ba": rng.normal(size=(n_a, 1)), "by": rng.normal(size=(n_y, 1))}


@pytest.mark.parametrize("dtype,tol", [("float64", 1e-12), ("float32", 2e-6)])
@pytest.mark.parametrize("n_x,n_a,n_y,m,T_x", [(3, 5, 2, 4, 6), (28, 32, 10, 2, 28), (1, 1, 1, 1, 1)])
def test_numpy_reference_equals_keras_simple_rnn(dtype, tol, n_x, n_a, n_y, m, T_x):
    """Same weights, same initial state: the same hidden states at every step, and the same
    per-step softmax as a Dense layer on top."""
    import keras
    from keras import layers

    if keras.backend.result_type(dtype, dtype) != dtype:
        pytest.skip(f"Keras on {keras.backend.backend()} computes {dtype} as "
                    f"{keras.backend.result_type(dtype, dtype)} (64-bit floats only on TensorFlow)")
    ref = LAB.solution_module()
    rng = np.random.default_rng(n_x * 100 + T_x)
    params = _params(rng, n_x, n_a, n_y)
    x, a0 = rng.normal(size=(n_x, m, T_x)), rng.uniform(-1, 1, size=(n_a, m))
    a, y_pred, caches = ref.rnn_forward(x, a0, params)

    floatx = keras.config.floatx()
    keras.config.set_floatx(dtype)
    try:
        # dtype on every layer too: a global dtype policy, once set, outranks floatx
        seq, h0 = keras.Input((T_x, n_x), dtype=dtype), keras.Input((n_a,), dtype=dtype)
        rnn = layers.SimpleRNN(n_a, return_sequences=True, dtype=dtype)
        out = layers.Dense(n_y, activation="softmax", dtype=dtype)
        states = rnn(seq, initial_state=h0)
        model = keras.Model([seq, h0], [states, out(states)])
        rnn.set_weights([params["Wax"].T, params["Waa"].T, params["ba"][:, 0]])
        out.set_weights([params["Wya"].T, params["by"][:, 0]])
        k_states, k_probs = model.predict([np.transpose(x, (1, 2, 0)), a0.T], verbose=0)
    finally:
        keras.config.set_floatx(floatx)
    np.testing.assert_allclose(np.transpose(k_states, (2, 0, 1)), a, atol=tol, rtol=0)
    np.testing.assert_allclose(np.transpose(k_probs, (2, 0, 1)), y_pred, atol=tol, rtol=0)
    assert len(caches) == T_x


def test_keras_cases_match_the_reference(cases_dir):
    """The build-time Keras outputs in the cases are what the reference computes (to 1e-9)."""
    import pickle

    ref = LAB.solution_module()
    with open(cases_dir / LAB.cases_name, "rb") as f:
        cases = pickle.load(f)
    assert len(cases["keras"]) >= 3
    for case in cases["keras"]:
        a, y, _ = ref.rnn_forward(case["x"], case["a0"], case["params"])
        np.testing.assert_allclose(a, case["a"], atol=1e-9, rtol=0)
        np.testing.assert_allclose(y, case["y_pred"], atol=1e-9, rtol=0)


def test_softmax_is_stable():
    ref = LAB.solution_module()
    z = np.array([[1000.0, -1000.0], [999.0, -1001.0]])
    out = ref.softmax(z)
    assert np.isfinite(out).all()
    np.testing.assert_allclose(out.sum(axis=0), 1.0)


@pytest.mark.slow
def test_trained_reference_passes_q4(cases_dir):
    import keras

    ref, budget = LAB.solution_module(), LAB.training_budget
    (x, y), (xt, yt) = dllab_data.load_mnist()
    x, xt = x.astype("float32") / 255, xt.astype("float32") / 255
    y, yt = y.astype("int64"), yt.astype("int64")
    keras.utils.set_random_seed(budget["SEED"])
    model = ref.build_sequence_model(cell=budget["SEQ_CELL"], units=budget["SEQ_UNITS"])
    keras.utils.set_random_seed(budget["SEED"])
    model.fit(x[:55000], y[:55000], epochs=budget["SEQ_EPOCHS"], batch_size=budget["SEQ_BATCH"],
              shuffle=True, verbose=0)
    result = run_question(LAB.name, "q4", cases_dir, {"seq_model": model, "x_test": xt, "y_test": yt})
    assert result.full_marks, result.failures
