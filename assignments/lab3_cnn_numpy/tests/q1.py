from otter.test_files import test_case

OK_FORMAT = False
name = "q1"
points = 3


def _check_size(conv_output_size, args, expected, label, case=None):
    """One call: a Python int (the docstring's promise: sizes go into range() and shapes), then
    the value. `label` names the call in messages (a hidden case by its words, not its inputs)."""
    from dllab_checks import assert_equal, assert_int, call
    got = call(conv_output_size, "conv_output_size", *args, case=case)
    assert_int(got, label, python=True)
    assert_equal(got, expected, label)


@test_case(points=1, hidden=False)
def test_lecture_sizes(conv_output_size):
    # first two sizes the stride does not divide, where the floor drops the last positions:
    # 2x2 pooling of a 7x7 map (2.5 windows fit: 3 positions), a stride of 4 (1.75: 2);
    # then the lecture's examples: 6x6 with a 3x3 filter, padded by 0, 1, 2; the 7x7 strided
    # slide; 7x7 with p=1, s=2; AlexNet's first layer
    for args, expected in (((7, 2, 0, 2), 3), ((10, 3, 0, 4), 2),
                           ((6, 3, 0, 1), 4), ((6, 3, 1, 1), 6), ((6, 3, 2, 1), 8),
                           ((7, 3, 0, 2), 3), ((7, 3, 1, 2), 4), ((227, 11, 0, 4), 55)):
        _check_size(conv_output_size, args, expected, f"conv_output_size{args}")


@test_case(points=2, hidden=True)
def test_floor(conv_output_size):
    from dllab_checks import load_cases
    for case in load_cases("lab3_cnn_numpy")["conv_output_size"]:
        _check_size(conv_output_size, case["args"], case["expected"],
                    f"conv_output_size, {case['label']}", case=case["label"])


@test_case(points=0, hidden=False)
def test_uses_only_what_the_lab_allows(conv_output_size):
    # the notebook's rules (lab.toml [[rules]]): breaking one costs the whole question
    from dllab_rules import assert_follows_rules
    assert_follows_rules(conv_output_size, "conv_output_size", "lab3_cnn_numpy")
