from otter.test_files import test_case

OK_FORMAT = False
name = "q5"
points = 3


@test_case(points=1, hidden=False)
def test_small_example(relu):
    import numpy as np
    from dllab_checks import assert_close, call
    Z = np.array([[5, 4, 0, -8], [10, 2, -2, -3], [0, 2, 4, 7], [3, 2, 3, 16]], dtype=float)
    expected = np.array([[5, 4, 0, 0], [10, 2, 0, 0], [0, 2, 4, 7], [3, 2, 3, 16]])
    assert_close(call(relu, "relu", Z, case="the 4x4 vertical-edge feature map"), expected, "relu (the vertical-edge feature map)")


@test_case(points=2, hidden=True)
def test_random_shapes(relu):
    from dllab_checks import assert_close, call, load_cases
    for case in load_cases("lab3_cnn_numpy")["relu"]:
        got = call(relu, "relu", *case["args"], case=case["label"])
        assert_close(got, case["expected"], f"relu, {case['label']}")


@test_case(points=0, hidden=False)
def test_uses_only_what_the_lab_allows(relu):
    # the notebook's rules (lab.toml [[rules]]): breaking one costs the whole question
    from dllab_rules import assert_follows_rules
    assert_follows_rules(relu, "relu", "lab3_cnn_numpy")
