from otter.test_files import test_case

OK_FORMAT = False
name = "q3"
points = 2


@test_case(points=1, hidden=False)
def test_small_and_large_logits(softmax):
    import math
    import numpy as np
    from dllab_checks import assert_close, call
    e = [math.exp(v) for v in (1.0, 2.0, 3.0)]
    expected = [[v / sum(e) for v in e], [1 / 3, 1 / 3, 1 / 3]]
    assert_close(call(softmax, "softmax", np.array([[1.0, 2.0, 3.0], [5.0, 5.0, 5.0]])), expected, "softmax")
    # shifting a row changes nothing, however large the logits (exp(1000) overflows)
    assert_close(call(softmax, "softmax", np.array([[1001.0, 1002.0, 1003.0]])), expected[:1],
                 "softmax of [[1001, 1002, 1003]]")


@test_case(points=1, hidden=True)
def test_hidden_logits(softmax):
    from dllab_checks import assert_close, call, load_cases
    for i, case in enumerate(load_cases("lab2_classification")["softmax"]):
        assert_close(call(softmax, "softmax", case["z"]), case["expected"],
                     f"softmax (hidden case {i}, shape {case['z'].shape})")
