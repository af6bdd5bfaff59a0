from otter.test_files import test_case

OK_FORMAT = False
name = "q2"
points = 2


@test_case(points=1, hidden=False)
def test_small_example(one_hot):
    import numpy as np
    from dllab_checks import assert_close, call
    expected = [[0, 1, 0, 0], [0, 0, 0, 1], [1, 0, 0, 0], [0, 1, 0, 0]]
    assert_close(call(one_hot, "one_hot", np.array([1, 3, 0, 1]), 4), expected, "one_hot([1, 3, 0, 1], 4)")


@test_case(points=1, hidden=True)
def test_hidden_labels(one_hot):
    from dllab_checks import assert_close, call, load_cases
    for i, case in enumerate(load_cases("lab2_classification")["one_hot"]):
        y, k = case["args"]
        assert_close(call(one_hot, "one_hot", y, k), case["expected"],
                     f"one_hot (hidden case {i}: {len(y)} labels, {k} classes)")
