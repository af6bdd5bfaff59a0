from otter.test_files import test_case

OK_FORMAT = False
name = "q1"
points = 3


def _check_int(fn, fn_name, args, expected, label):
    """One call: an int (Python's or numpy's, as the docstring says int), then the value."""
    from dllab_checks import assert_equal, assert_int, call
    got = call(fn, fn_name, *args, case=label)
    assert_int(got, label)
    assert_equal(got, expected, label)


@test_case(points=1, hidden=False)
def test_lenet5_and_alexnet_by_hand(conv_param_count, dense_param_count, output_size):
    # LeNet-5 (lecture 2): two convolutions, three dense layers
    for args, want in (((5, 1, 6), 156), ((5, 6, 16), 2416)):
        _check_int(conv_param_count, "conv_param_count", args, want, f"conv_param_count{args}")
    for args, want in (((400, 120), 48120), ((120, 84), 10164), ((84, 10), 850)):
        _check_int(dense_param_count, "dense_param_count", args, want, f"dense_param_count{args}")
    # LeNet-5's feature maps in this lab: 28 -> 28 -> 14 -> 10 -> 5
    for args, want in (((28, 5, 1, "same"), 28), ((28, 2, 2, "valid"), 14),
                       ((14, 5, 1, "valid"), 10), ((10, 2, 2, "valid"), 5)):
        _check_int(output_size, "output_size", args, want, f"output_size{args}")
    # AlexNet as in lecture 2 (no padding anywhere): 227 -> 55 -> 27 -> 23 -> 11 -> 9 -> 7 -> 5 -> 2
    n = 227
    for f, s, want in ((11, 4, 55), (3, 2, 27), (5, 1, 23), (3, 2, 11), (3, 1, 9), (3, 1, 7),
                       (3, 1, 5), (3, 2, 2)):
        _check_int(output_size, "output_size", (n, f, s, "valid"), want,
                   f"output_size({n}, {f}, {s}, 'valid') in AlexNet")
        n = want
    # the deeper network's last block, where the stride does not divide: 7 -> 3 (5x5 valid),
    # then 3 -> 1 (2x2 pooling: 1.5 windows fit, floored to 1); and a strided "same" window
    for args, want in (((7, 5, 1, "valid"), 3), ((3, 2, 2, "valid"), 1), ((28, 3, 2, "same"), 14)):
        _check_int(output_size, "output_size", args, want, f"output_size{args}")


@test_case(points=2, hidden=True)
def test_against_keras_count_params_and_shapes(conv_param_count, dense_param_count, output_size):
    from dllab_checks import load_cases
    cases = load_cases("lab4_cnn_keras")
    for fn, key in ((conv_param_count, "conv_param_count"), (dense_param_count, "dense_param_count"),
                    (output_size, "output_size")):
        for case in cases[key]:
            _check_int(fn, key, case["args"], case["expected"], f"{key}{case['args']}")


@test_case(points=0, hidden=False)
def test_uses_only_what_the_lab_allows(conv_param_count, dense_param_count, output_size):
    # the notebook's rules (lab.toml [[rules]]): breaking one costs the whole question
    from dllab_rules import assert_follows_rules
    assert_follows_rules(conv_param_count, "conv_param_count", "lab4_cnn_keras")
    assert_follows_rules(dense_param_count, "dense_param_count", "lab4_cnn_keras")
    assert_follows_rules(output_size, "output_size", "lab4_cnn_keras")
