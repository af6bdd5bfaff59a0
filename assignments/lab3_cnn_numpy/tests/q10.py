from otter.test_files import test_case

OK_FORMAT = False
name = "q10"
points = 3


def _check_count(fn, fn_name, args, kwargs, expected, label, case=None):
    """One call: a Python int, as the docstring promises, then the count."""
    from dllab_checks import assert_equal, assert_int, call
    got = call(fn, fn_name, *args, **kwargs, case=case)
    assert_int(got, label, python=True)
    assert_equal(got, expected, label)


@test_case(points=1, hidden=False)
def test_lecture_counts(conv_params, dense_params):
    # LeNet-5's two conv layers (5x5 filters, 1 -> 6 and 6 -> 16 channels), AlexNet's first
    # layer (96 filters of 11x11x3), LeNet-5's dense layers 400 -> 120 -> 84 -> 10
    for args, bias, expected in (((5, 1, 6), False, 150), ((5, 1, 6), True, 156),
                                 ((5, 6, 16), False, 2400), ((5, 6, 16), True, 2416),
                                 ((11, 3, 96), False, 34848)):
        _check_count(conv_params, "conv_params", args, {"bias": bias}, expected,
                     f"conv_params({args[0]}, {args[1]}, {args[2]}, bias={bias})")
    for args, expected in (((400, 120), 48120), ((120, 84), 10164), ((84, 10), 850)):
        _check_count(dense_params, "dense_params", args, {"bias": True}, expected,
                     f"dense_params({args[0]}, {args[1]}, bias=True)")


@test_case(points=2, hidden=True)
def test_other_layers(conv_params, dense_params):
    from dllab_checks import load_cases
    cases = load_cases("lab3_cnn_numpy")
    for fn, fn_name in ((conv_params, "conv_params"), (dense_params, "dense_params")):
        for case in cases[fn_name]:
            _check_count(fn, fn_name, case["args"], case["kwargs"], case["expected"],
                         f"{fn_name}, {case['label']}", case=case["label"])


@test_case(points=0, hidden=False)
def test_uses_only_what_the_lab_allows(conv_params, dense_params):
    # the notebook's rules (lab.toml [[rules]]): breaking one costs the whole question
    from dllab_rules import assert_follows_rules
    assert_follows_rules(conv_params, "conv_params", "lab3_cnn_numpy")
    assert_follows_rules(dense_params, "dense_params", "lab3_cnn_numpy")
