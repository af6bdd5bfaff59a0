from otter.test_files import test_case

OK_FORMAT = False
name = "q1"
points = 3


@test_case(points=1, hidden=False)
def test_lecture_sizes(conv_output_size):
    from dllab_checks import assert_equal, call
    # the lecture's examples: 6x6 with a 3x3 filter, padded by 0, 1, 2; the 7x7 strided
    # slide; 7x7 with p=1, s=2; AlexNet's first layer
    assert_equal(call(conv_output_size, "conv_output_size", 6, 3, 0, 1), 4, "conv_output_size(6, 3, 0, 1)")
    assert_equal(call(conv_output_size, "conv_output_size", 6, 3, 1, 1), 6, "conv_output_size(6, 3, 1, 1)")
    assert_equal(call(conv_output_size, "conv_output_size", 6, 3, 2, 1), 8, "conv_output_size(6, 3, 2, 1)")
    assert_equal(call(conv_output_size, "conv_output_size", 7, 3, 0, 2), 3, "conv_output_size(7, 3, 0, 2)")
    assert_equal(call(conv_output_size, "conv_output_size", 7, 3, 1, 2), 4, "conv_output_size(7, 3, 1, 2)")
    assert_equal(call(conv_output_size, "conv_output_size", 227, 11, 0, 4), 55, "conv_output_size(227, 11, 0, 4)")


@test_case(points=2, hidden=True)
def test_floor(conv_output_size):
    from dllab_checks import assert_equal, call, load_cases
    for case in load_cases("lab3_cnn_numpy")["conv_output_size"]:
        got = call(conv_output_size, "conv_output_size", *case["args"], case=case["label"])
        assert_equal(got, case["expected"], f"conv_output_size, {case['label']}")


@test_case(points=0, hidden=False)
def test_uses_only_what_the_lab_allows(conv_output_size):
    # the notebook's rules (lab.toml [[rules]]): breaking one costs the whole question
    from dllab_rules import assert_follows_rules
    assert_follows_rules(conv_output_size, "conv_output_size", "lab3_cnn_numpy")
