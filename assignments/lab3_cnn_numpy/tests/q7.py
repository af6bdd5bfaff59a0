from otter.test_files import test_case

OK_FORMAT = False
name = "q7"
points = 3


@test_case(points=1, hidden=False)
def test_two_by_two(nearest_upsample):
    import numpy as np
    from dllab_checks import assert_close, call
    X = np.array([[1, 2], [3, 4]], dtype=float).reshape(1, 2, 2, 1)
    expected = np.array([[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]], dtype=float)
    got = call(nearest_upsample, "nearest_upsample", X, case="a 2x2 image, scale=2")
    assert_close(got, expected.reshape(1, 4, 4, 1), "nearest_upsample (2x2 example)")


@test_case(points=2, hidden=True)
def test_random_shapes(nearest_upsample):
    from dllab_checks import assert_close, call, load_cases
    for case in load_cases("lab3_cnn_numpy")["nearest_upsample"]:
        got = call(nearest_upsample, "nearest_upsample", *case["args"], **case["kwargs"], case=case["label"])
        assert_close(got, case["expected"], f"nearest_upsample, {case['label']}")


@test_case(points=0, hidden=False)
def test_uses_only_what_the_lab_allows(nearest_upsample):
    # the notebook's rules (lab.toml [[rules]]): breaking one costs the whole question
    from dllab_rules import assert_follows_rules
    assert_follows_rules(nearest_upsample, "nearest_upsample", "lab3_cnn_numpy")
