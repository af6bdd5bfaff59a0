from otter.test_files import test_case

OK_FORMAT = False
name = "q4"
points = 9


@test_case(points=1, hidden=False)
def test_lecture_vertical_edge(conv2d_forward):
    import numpy as np
    from dllab_checks import assert_close, call
    img = np.array([[3, 0, 1, 2, 7, 4], [1, 5, 8, 9, 3, 1], [2, 7, 2, 5, 1, 3],
                    [0, 1, 3, 1, 7, 8], [4, 2, 1, 6, 2, 8], [2, 4, 5, 2, 3, 9]], dtype=float)
    W = np.array([[-1, 0, 1]] * 3, dtype=float).reshape(3, 3, 1, 1)
    # the slide prints 2 at (1, 2); the careful computation gives -2
    expected = np.array([[5, 4, 0, -8], [10, 2, -2, -3], [0, 2, 4, 7], [3, 2, 3, 16]])
    Z = call(conv2d_forward, "conv2d_forward", img.reshape(1, 6, 6, 1), W, np.zeros(1),
             case="the lecture's 6x6 vertical-edge example, 3x3 filter, stride=1, pad=0")
    assert_close(Z, expected.reshape(1, 4, 4, 1), "conv2d_forward (6x6 vertical-edge example)")
    # stride 2 on the same image: (6 - 3) / 2 + 1 = 2.5, floored to 2 positions (the last
    # column and row fit no window); the windows are every other one of the stride-1 map's
    Z = call(conv2d_forward, "conv2d_forward", img.reshape(1, 6, 6, 1), W, np.zeros(1), stride=2,
             case="the lecture's 6x6 vertical-edge example, 3x3 filter, stride=2, pad=0")
    assert_close(Z, expected[::2, ::2].reshape(1, 2, 2, 1),
                 "conv2d_forward (6x6 vertical-edge example, stride 2: the output size is floored)")


@test_case(points=1, hidden=False)
def test_lecture_stride_2(conv2d_forward):
    import numpy as np
    from dllab_checks import assert_close, call
    img = np.array([[3, 0, 1, 2, 7, 4, 2], [1, 5, 8, 9, 3, 1, 1], [2, 7, 2, 5, 1, 3, 5],
                    [0, 1, 3, 1, 7, 8, 4], [4, 2, 1, 6, 2, 8, 3], [2, 4, 5, 2, 3, 9, 8],
                    [2, 3, 6, 4, 2, 0, 1]], dtype=float)
    W = np.array([[-1, 0, 1]] * 3, dtype=float).reshape(3, 3, 1, 1)
    expected = np.array([[5, 0, -3], [0, 4, 2], [4, -5, 5]])
    Z = call(conv2d_forward, "conv2d_forward", img.reshape(1, 7, 7, 1), W, np.zeros(1), stride=2,
             case="the lecture's 7x7 example, 3x3 filter, stride=2, pad=0")
    assert_close(Z, expected.reshape(1, 3, 3, 1), "conv2d_forward (7x7 example, stride 2)")


@test_case(points=1, hidden=False)
def test_lecture_tens_and_zeros(conv2d_forward):
    import numpy as np
    from dllab_checks import assert_close, call
    img = np.array([[10, 10, 10, 0, 0, 0]] * 6, dtype=float)
    W = np.array([[1, 0, -1]] * 3, dtype=float).reshape(3, 3, 1, 1)
    expected = np.array([[0, 30, 30, 0]] * 4)
    Z = call(conv2d_forward, "conv2d_forward", img.reshape(1, 6, 6, 1), W, np.zeros(1),
             case="the lecture's 6x6 image of tens and zeros, 3x3 filter, stride=1, pad=0")
    assert_close(Z, expected.reshape(1, 4, 4, 1), "conv2d_forward (image of tens and zeros)")


@test_case(points=2, hidden=True)
def test_batch_and_channels(conv2d_forward):
    from dllab_checks import assert_close, call, load_cases
    for case in load_cases("lab3_cnn_numpy")["conv2d_forward/batch_channels"]:
        got = call(conv2d_forward, "conv2d_forward", *case["args"], **case["kwargs"], case=case["label"])
        assert_close(got, case["expected"], f"conv2d_forward, {case['label']}")


@test_case(points=2, hidden=True)
def test_padding(conv2d_forward):
    from dllab_checks import assert_close, call, load_cases
    for case in load_cases("lab3_cnn_numpy")["conv2d_forward/padding"]:
        got = call(conv2d_forward, "conv2d_forward", *case["args"], **case["kwargs"], case=case["label"])
        assert_close(got, case["expected"], f"conv2d_forward, {case['label']}")


@test_case(points=2, hidden=True)
def test_stride_and_padding(conv2d_forward):
    from dllab_checks import assert_close, call, load_cases
    for case in load_cases("lab3_cnn_numpy")["conv2d_forward/stride_padding"]:
        got = call(conv2d_forward, "conv2d_forward", *case["args"], **case["kwargs"], case=case["label"])
        assert_close(got, case["expected"], f"conv2d_forward, {case['label']}")


@test_case(points=0, hidden=False)
def test_uses_only_what_the_lab_allows(conv2d_forward):
    # the notebook's rules (lab.toml [[rules]]): breaking one costs the whole question
    from dllab_rules import assert_follows_rules
    assert_follows_rules(conv2d_forward, "conv2d_forward", "lab3_cnn_numpy")
