from otter.test_files import test_case

OK_FORMAT = False
name = "q1"
points = 4

# A worked example with numbers a reader can follow: a_next[0, 0] = tanh(0.5*1 + 0.1*1 + 0.2*0.5)
# = tanh(0.7) = 0.60437; the other values come from the same formula.
PARAMS = {
    "Wax": [[0.5, 0.0], [0.0, -0.5], [1.0, 1.0]],
    "Waa": [[0.1, 0.2, 0.0], [0.3, -0.4, 0.0], [0.0, 0.0, 0.5]],
    "Wya": [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]],
    "ba": [[0.0], [0.1], [-0.2]],
    "by": [[0.0], [0.5]],
}
XT = [[1.0, 0.0], [0.0, 1.0]]
A_PREV = [[1.0, -1.0], [0.5, 0.0], [0.0, 2.0]]
A_NEXT = [[0.6043677771171634, -0.09966799462495582],
          [0.19737532022490398, -0.6043677771171635],
          [0.664036770267849, 0.9468060128462683]]
Y_PRED = [[0.47676486125171114, 0.5011749434603778],
          [0.523235138748289, 0.49882505653962217]]


def _params():
    import numpy as np
    return {k: np.array(v) for k, v in PARAMS.items()}


def _check_cache(cache, a_next, a_prev, xt, label):
    """The cache the docstring gives, what a backward pass reads: the tuple
    (a_next, a_prev, xt, params)."""
    from dllab_checks import assert_close
    assert type(cache) is tuple and cache.__len__() == 4, (
        f"`{label}`: cache should be the tuple (a_next, a_prev, xt, params), got "
        + (f"a tuple of {cache.__len__()}" if type(cache) is tuple else f"a {type(cache).__name__}"))
    assert_close(cache[0], a_next, f"{label}: cache[0] (a_next)")
    assert_close(cache[1], a_prev, f"{label}: cache[1] (a_prev)")
    assert_close(cache[2], xt, f"{label}: cache[2] (xt)")
    assert type(cache[3]) is dict and "Waa" in cache[3], (
        f"`{label}`: cache[3] should be params, the dict of weights, got a {type(cache[3]).__name__}")


@test_case(points=1, hidden=False)
def test_softmax_columns(softmax):
    import numpy as np
    from dllab_checks import assert_close, call
    z = np.array([[1.0, 1000.0, -3.0], [2.0, 1000.0, -3.0]])
    # one probability vector per column; logits of 1000 must not overflow
    assert_close(call(softmax, "softmax", z, case="z of shape (2, 3), logits of 1000"),
                 [[0.2689414213699951, 0.5, 0.5], [0.7310585786300049, 0.5, 0.5]], "softmax")


@test_case(points=1, hidden=False)
def test_cell_worked_example(rnn_cell_forward):
    import numpy as np
    from dllab_checks import assert_outputs_close, call
    out = call(rnn_cell_forward, "rnn_cell_forward", np.array(XT), np.array(A_PREV), _params(),
               case="the worked example: n_x=2, n_a=3, n_y=2, m=2")
    assert_outputs_close(out, (A_NEXT, Y_PRED, None), ("a_next", "y_pred", "cache"),
                         "rnn_cell_forward (the worked example)")
    _check_cache(out[2], A_NEXT, A_PREV, XT, "rnn_cell_forward (the worked example)")


@test_case(points=1, hidden=True)
def test_softmax_random(softmax):
    from dllab_checks import assert_close, call, load_cases
    for case in load_cases("lab5_rnn")["softmax"]:
        assert_close(call(softmax, "softmax", case["z"], case=case["label"]), case["expected"],
                     f"softmax, {case['label']}")


@test_case(points=1, hidden=True)
def test_cell_random(rnn_cell_forward):
    from dllab_checks import assert_outputs_close, call, load_cases
    for case in load_cases("lab5_rnn")["cell"]:
        out = call(rnn_cell_forward, "rnn_cell_forward", case["xt"], case["a_prev"], case["params"],
                   case=case["label"])
        assert_outputs_close(out, (case["a_next"], case["y_pred"], None), ("a_next", "y_pred", "cache"),
                             f"rnn_cell_forward, {case['label']}")
        _check_cache(out[2], case["a_next"], case["a_prev"], case["xt"], f"rnn_cell_forward, {case['label']}")
