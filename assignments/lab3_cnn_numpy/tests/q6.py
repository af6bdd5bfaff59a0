from otter.test_files import test_case

OK_FORMAT = False
name = "q6"
points = 6


@test_case(points=1, hidden=False)
def test_lecture_maxpool(maxpool):
    import numpy as np
    from dllab_checks import assert_close, call
    X = np.array([[1, 3, 2, 1], [3, 6, 8, 9], [8, 3, 3, 9], [4, 6, 8, 2]], dtype=float)
    expected = np.array([[6, 9], [8, 9]], dtype=float)
    got = call(maxpool, "maxpool", X.reshape(1, 4, 4, 1), case="the lecture's 4x4 example, f=2, stride=2")
    assert_close(got, expected.reshape(1, 2, 2, 1), "maxpool (lecture example)")
    # a fifth row and column of 100s, which no 2x2 window with stride 2 reaches: the output
    # size is floored, (5 - 2) / 2 + 1 = 2.5 -> 2, and nothing changes
    X5 = np.pad(X, ((0, 1), (0, 1)), constant_values=100.0)
    got = call(maxpool, "maxpool", X5.reshape(1, 5, 5, 1),
               case="the lecture's 4x4 example with a fifth row and column, f=2, stride=2")
    assert_close(got, expected.reshape(1, 2, 2, 1),
                 "maxpool (lecture example with a fifth row and column no window reaches)")


@test_case(points=1, hidden=False)
def test_lecture_avgpool(avgpool):
    import numpy as np
    from dllab_checks import assert_close, call
    X = np.array([[1, 3, 2, 1], [3, 6, 8, 9], [8, 3, 3, 9], [4, 6, 8, 2]], dtype=float)
    expected = np.array([[3.25, 5], [5.25, 5.5]])
    got = call(avgpool, "avgpool", X.reshape(1, 4, 4, 1), case="the lecture's 4x4 example, f=2, stride=2")
    assert_close(got, expected.reshape(1, 2, 2, 1), "avgpool (lecture example)")
    # a fifth row and column of 100s, which no 2x2 window with stride 2 reaches: the output
    # size is floored, (5 - 2) / 2 + 1 = 2.5 -> 2, and nothing changes
    X5 = np.pad(X, ((0, 1), (0, 1)), constant_values=100.0)
    got = call(avgpool, "avgpool", X5.reshape(1, 5, 5, 1),
               case="the lecture's 4x4 example with a fifth row and column, f=2, stride=2")
    assert_close(got, expected.reshape(1, 2, 2, 1),
                 "avgpool (lecture example with a fifth row and column no window reaches)")


@test_case(points=2, hidden=True)
def test_maxpool_random(maxpool):
    from dllab_checks import assert_close, call, load_cases
    for case in load_cases("lab3_cnn_numpy")["maxpool"]:
        got = call(maxpool, "maxpool", *case["args"], **case["kwargs"], case=case["label"])
        assert_close(got, case["expected"], f"maxpool, {case['label']}")


@test_case(points=2, hidden=True)
def test_avgpool_random(avgpool):
    from dllab_checks import assert_close, call, load_cases
    for case in load_cases("lab3_cnn_numpy")["avgpool"]:
        got = call(avgpool, "avgpool", *case["args"], **case["kwargs"], case=case["label"])
        assert_close(got, case["expected"], f"avgpool, {case['label']}")


@test_case(points=0, hidden=False)
def test_uses_only_what_the_lab_allows(maxpool, avgpool):
    # the notebook's rules (lab.toml [[rules]]): breaking one costs the whole question
    from dllab_rules import assert_follows_rules
    assert_follows_rules(maxpool, "maxpool", "lab3_cnn_numpy")
    assert_follows_rules(avgpool, "avgpool", "lab3_cnn_numpy")
