from otter.test_files import test_case

OK_FORMAT = False
name = "q10"
points = 3


@test_case(points=1, hidden=False)
def test_lecture_counts(conv_params, dense_params):
    from dllab_checks import assert_equal, call
    # LeNet-5's two conv layers (5x5 filters, 1 -> 6 and 6 -> 16 channels), AlexNet's first
    # layer (96 filters of 11x11x3), LeNet-5's dense layers 400 -> 120 -> 84 -> 10
    assert_equal(call(conv_params, "conv_params", 5, 1, 6, bias=False), 150, "conv_params(5, 1, 6, bias=False)")
    assert_equal(call(conv_params, "conv_params", 5, 1, 6, bias=True), 156, "conv_params(5, 1, 6, bias=True)")
    assert_equal(call(conv_params, "conv_params", 5, 6, 16, bias=False), 2400, "conv_params(5, 6, 16, bias=False)")
    assert_equal(call(conv_params, "conv_params", 5, 6, 16, bias=True), 2416, "conv_params(5, 6, 16, bias=True)")
    assert_equal(call(conv_params, "conv_params", 11, 3, 96, bias=False), 34848, "conv_params(11, 3, 96, bias=False)")
    assert_equal(call(dense_params, "dense_params", 400, 120, bias=True), 48120, "dense_params(400, 120, bias=True)")
    assert_equal(call(dense_params, "dense_params", 120, 84, bias=True), 10164, "dense_params(120, 84, bias=True)")
    assert_equal(call(dense_params, "dense_params", 84, 10, bias=True), 850, "dense_params(84, 10, bias=True)")


@test_case(points=2, hidden=True)
def test_other_layers(conv_params, dense_params):
    from dllab_checks import assert_equal, call, load_cases
    cases = load_cases("lab3_cnn_numpy")
    for case in cases["conv_params"]:
        got = call(conv_params, "conv_params", *case["args"], **case["kwargs"], case=case["label"])
        assert_equal(got, case["expected"], f"conv_params, {case['label']}")
    for case in cases["dense_params"]:
        got = call(dense_params, "dense_params", *case["args"], **case["kwargs"], case=case["label"])
        assert_equal(got, case["expected"], f"dense_params, {case['label']}")


@test_case(points=0, hidden=False)
def test_uses_only_what_the_lab_allows(conv_params, dense_params):
    # the notebook's rules (lab.toml [[rules]]): breaking one costs the whole question
    from dllab_rules import assert_follows_rules
    assert_follows_rules(conv_params, "conv_params", "lab3_cnn_numpy")
    assert_follows_rules(dense_params, "dense_params", "lab3_cnn_numpy")
