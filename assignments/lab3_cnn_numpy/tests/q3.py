from otter.test_files import test_case

OK_FORMAT = False
name = "q3"
points = 3


@test_case(points=1, hidden=False)
def test_lecture_first_window(conv_single_step):
    import numpy as np
    from dllab_checks import assert_close, assert_float, call
    # the first step of the vertical-edge slide: top-left 3x3 window of the 6x6 image
    a_slice = np.array([[3, 0, 1], [1, 5, 8], [2, 7, 2]], dtype=float).reshape(3, 3, 1)
    W = np.array([[-1, 0, 1]] * 3, dtype=float).reshape(3, 3, 1)
    z = call(conv_single_step, "conv_single_step", a_slice, W, 0.0,
             case="the lecture's first 3x3 window, one channel")
    # one number, as the docstring says: not an array of one value
    assert_float(z, "conv_single_step (first window of the lecture)")
    assert_close(z, 5.0, "conv_single_step (first window of the lecture)")


@test_case(points=2, hidden=True)
def test_random_windows(conv_single_step):
    from dllab_checks import assert_close, assert_float, call, load_cases
    for case in load_cases("lab3_cnn_numpy")["conv_single_step"]:
        got = call(conv_single_step, "conv_single_step", *case["args"], case=case["label"])
        assert_float(got, f"conv_single_step, {case['label']}")
        assert_close(got, case["expected"], f"conv_single_step, {case['label']}")


@test_case(points=0, hidden=False)
def test_uses_only_what_the_lab_allows(conv_single_step):
    # the notebook's rules (lab.toml [[rules]]): breaking one costs the whole question
    from dllab_rules import assert_follows_rules
    assert_follows_rules(conv_single_step, "conv_single_step", "lab3_cnn_numpy")
