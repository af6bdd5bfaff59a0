from otter.test_files import test_case

OK_FORMAT = False
name = "q2"
points = 5

# The worked example of q1 run for two steps; the second input is [[2, -1], [0.5, 0]].
PARAMS = {
    "Wax": [[0.5, 0.0], [0.0, -0.5], [1.0, 1.0]],
    "Waa": [[0.1, 0.2, 0.0], [0.3, -0.4, 0.0], [0.0, 0.0, 0.5]],
    "Wya": [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]],
    "ba": [[0.0], [0.1], [-0.2]],
    "by": [[0.0], [0.5]],
}
X = [[[1.0, 2.0], [0.0, -1.0]], [[0.0, 0.5], [1.0, 0.0]]]          # (n_x=2, m=2, T_x=2)
A0 = [[1.0, -1.0], [0.5, 0.0], [0.0, 2.0]]
A = [[[0.6043677771171634, 0.8004673529688017], [-0.09966799462495582, -0.558630593841394]],
     [[0.19737532022490398, -0.04760378734300472], [-0.6043677771171635, 0.30211618731408973]],
     [[0.664036770267849, 0.9897045231746964], [0.9468060128462683, -0.6209790101331835]]]
# a and y_pred are (n, m, T_x): messages count the last axis as time steps
STEPS = {"a": (2, "time step"), "y_pred": (2, "time step")}
Y = [[[0.47676486125171114, 0.5861497574522146], [0.5011749434603778, 0.20411895758652993]],
     [[0.523235138748289, 0.41385024254778546], [0.49882505653962217, 0.79588104241347]]]


def _check_caches(caches, x, a0, a, label):
    """caches as the docstring gives them: a list of T_x caches of rnn_cell_forward, in time
    order; step t's is the tuple (a_next, a_prev, xt, params) of that step."""
    from dllab_checks import as_float_array, assert_close
    x, a0, a = as_float_array(x), as_float_array(a0), as_float_array(a)
    T_x = x.shape[2]
    assert type(caches) is list and caches.__len__() == T_x, (
        f"`{label}`: caches should be a list of the {T_x} caches of rnn_cell_forward, got "
        + (f"a list of {caches.__len__()}" if type(caches) is list else f"a {type(caches).__name__}"))
    for t in range(T_x):
        cache = caches[t]
        assert type(cache) is tuple and cache.__len__() == 4, (
            f"`{label}`: caches[{t}] should be the tuple (a_next, a_prev, xt, params) of step {t + 1}, "
            f"got a {type(cache).__name__}")
        assert_close(cache[0], a[:, :, t], f"{label}: caches[{t}][0], a_next of time step {t + 1}")
        assert_close(cache[1], a0 if t == 0 else a[:, :, t - 1], f"{label}: caches[{t}][1], a_prev of time step {t + 1}")
        assert_close(cache[2], x[:, :, t], f"{label}: caches[{t}][2], xt of time step {t + 1}")


@test_case(points=1, hidden=False)
def test_two_steps_worked_example(rnn_forward):
    import numpy as np
    from dllab_checks import assert_outputs_close, call
    params = {k: np.array(v) for k, v in PARAMS.items()}
    out = call(rnn_forward, "rnn_forward", np.array(X), np.array(A0), params,
               case="the worked example: n_x=2, n_a=3, n_y=2, m=2, T_x=2")
    assert_outputs_close(out, (A, Y, None), ("a", "y_pred", "caches"),
                         "rnn_forward (the worked example)", parts=STEPS)
    _check_caches(out[2], X, A0, A, "rnn_forward (the worked example)")


@test_case(points=2, hidden=True)
def test_random_sequences(rnn_forward):
    from dllab_checks import assert_outputs_close, call, load_cases
    for case in load_cases("lab5_rnn")["forward"]:
        out = call(rnn_forward, "rnn_forward", case["x"], case["a0"], case["params"], case=case["label"])
        assert_outputs_close(out, (case["a"], case["y_pred"], None), ("a", "y_pred", "caches"),
                             f"rnn_forward, {case['label']}", parts=STEPS)
        _check_caches(out[2], case["x"], case["a0"], case["a"], f"rnn_forward, {case['label']}")


@test_case(points=2, hidden=True)
def test_same_states_as_keras_simple_rnn(rnn_forward):
    # Expected values were computed at build time by keras.layers.SimpleRNN (float64) given the
    # same weights: kernel = Wax.T, recurrent_kernel = Waa.T, bias = ba, inputs (m, T_x, n_x).
    from dllab_checks import assert_outputs_close, call, load_cases
    for case in load_cases("lab5_rnn")["keras"]:
        out = call(rnn_forward, "rnn_forward", case["x"], case["a0"], case["params"], case=case["label"])
        assert_outputs_close(out, (case["a"], case["y_pred"], None), ("a", "y_pred", "caches"),
                             f"rnn_forward compared with keras.layers.SimpleRNN (+ Dense(softmax) "
                             f"for y_pred), {case['label']}", rtol=1e-6, atol=1e-6, parts=STEPS)
