from otter.test_files import test_case

OK_FORMAT = False
name = "q2"
points = 2


@test_case(points=1, hidden=False)
def test_small_example(one_hot):
    import numpy as np
    from dllab_checks import assert_close, assert_dtype, call
    expected = [[0, 1, 0, 0], [0, 0, 0, 1], [1, 0, 0, 0], [0, 1, 0, 0]]
    got = call(one_hot, "one_hot", np.array([1, 3, 0, 1]), 4)
    assert_close(got, expected, "one_hot([1, 3, 0, 1], 4)")
    # the docstring's float array: 1.0 and 0.0, as the loss and Keras read them
    assert_dtype(got, "f", "a float array", "one_hot([1, 3, 0, 1], 4)")


@test_case(points=1, hidden=True)
def test_hidden_labels(one_hot):
    from dllab_checks import assert_close, assert_dtype, call, load_cases
    for i, case in enumerate(load_cases("lab2_classification")["one_hot"]):
        y, k = case["args"]
        label = f"one_hot (hidden case {i}: {len(y)} labels, {k} classes)"
        got = call(one_hot, "one_hot", y, k)
        assert_close(got, case["expected"], label)
        assert_dtype(got, "f", "a float array", label)
