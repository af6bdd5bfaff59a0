from otter.test_files import test_case

OK_FORMAT = False
name = "q11"
points = 6  # bonus question


@test_case(points=1, hidden=False)
def test_conv2d_backward_by_hand(conv2d_backward):
    import numpy as np
    from dllab_checks import assert_outputs_close, call
    # 3x3 image, one 2x2 filter, dZ all ones: dW[p, q] sums the 2x2 block of X at offset
    # (p, q), db counts the 4 outputs, dX[r, c] sums the filter entries that touched (r, c)
    X = np.arange(1.0, 10.0).reshape(1, 3, 3, 1)
    W = np.array([[1.0, 2.0], [3.0, 4.0]]).reshape(2, 2, 1, 1)
    cache = (X, W, np.array([0.5]), 1, 0)
    got = call(conv2d_backward, "conv2d_backward", np.ones((1, 2, 2, 1)), cache,
               case="N=1, 3x3 input, C_in=1, one 2x2 filter, dZ all ones, stride=1, pad=0")
    expected = (np.array([[1, 3, 2], [4, 10, 6], [3, 7, 4]]).reshape(1, 3, 3, 1),
                np.array([[12, 16], [24, 28]]).reshape(2, 2, 1, 1), np.array([4.0]))
    assert_outputs_close(got, expected, ("dX", "dW", "db"), "conv2d_backward (3x3 example by hand)")


@test_case(points=1, hidden=False)
def test_maxpool_backward_lecture(maxpool_backward):
    import numpy as np
    from dllab_checks import assert_close, call
    # the lecture's pooling example: each window's gradient goes to its maximum only
    X = np.array([[1, 3, 2, 1], [3, 6, 8, 9], [8, 3, 3, 9], [4, 6, 8, 2]], dtype=float)
    dout = np.array([[1.0, 2.0], [3.0, 4.0]]).reshape(1, 2, 2, 1)
    expected = np.array([[0, 0, 0, 0], [0, 1, 0, 2], [3, 0, 0, 4], [0, 0, 0, 0]], dtype=float)
    got = call(maxpool_backward, "maxpool_backward", dout, (X.reshape(1, 4, 4, 1), 2, 2))
    assert_close(got, expected.reshape(1, 4, 4, 1), "maxpool_backward (lecture example)")


# COURSE.md: analytic gradients within a relative error of 1e-7 of numerical ones
@test_case(points=2, hidden=True)
def test_conv2d_backward_numerical(conv2d_backward):
    from dllab_checks import assert_outputs_close, call, load_cases
    for case in load_cases("lab3_cnn_numpy")["conv2d_backward"]:
        got = call(conv2d_backward, "conv2d_backward", *case["args"], case=case["label"])
        assert_outputs_close(got, case["expected"], ("dX", "dW", "db"),
                             f"conv2d_backward, {case['label']}", rtol=1e-7)


@test_case(points=2, hidden=True)
def test_maxpool_backward_numerical(maxpool_backward):
    from dllab_checks import assert_close, call, load_cases
    for case in load_cases("lab3_cnn_numpy")["maxpool_backward"]:
        got = call(maxpool_backward, "maxpool_backward", *case["args"], case=case["label"])
        assert_close(got, case["expected"], f"maxpool_backward, {case['label']}", rtol=1e-7)


@test_case(points=0, hidden=False)
def test_uses_only_what_the_lab_allows(conv2d_backward, maxpool_backward):
    # the notebook's rules (lab.toml [[rules]]): breaking one costs the whole question
    from dllab_rules import assert_follows_rules
    assert_follows_rules(conv2d_backward, "conv2d_backward", "lab3_cnn_numpy")
    assert_follows_rules(maxpool_backward, "maxpool_backward", "lab3_cnn_numpy")
