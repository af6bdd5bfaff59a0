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


@test_case(points=1, hidden=False)
def test_two_steps_worked_example(rnn_forward):
    import numpy as np
    from dllab_checks import assert_equal, assert_outputs_close, call
    params = {k: np.array(v) for k, v in PARAMS.items()}
    out = call(rnn_forward, "rnn_forward", np.array(X), np.array(A0), params,
               case="the worked example: n_x=2, n_a=3, n_y=2, m=2, T_x=2")
    assert_outputs_close(out, (A, Y, None), ("a", "y_pred", "caches"),
                         "rnn_forward (the worked example)", parts=STEPS)
    assert_equal(len(out[2]), 2, "len(caches)")


@test_case(points=2, hidden=True)
def test_random_sequences(rnn_forward):
    from dllab_checks import assert_equal, assert_outputs_close, call, load_cases
    for case in load_cases("lab5_rnn")["forward"]:
        out = call(rnn_forward, "rnn_forward", case["x"], case["a0"], case["params"], case=case["label"])
        assert_outputs_close(out, (case["a"], case["y_pred"], None), ("a", "y_pred", "caches"),
                             f"rnn_forward, {case['label']}", parts=STEPS)
        assert_equal(len(out[2]), case["x"].shape[2], f"rnn_forward, {case['label']}: len(caches)")


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
