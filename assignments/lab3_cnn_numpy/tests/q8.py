from otter.test_files import test_case

OK_FORMAT = False
name = "q8"
points = 3


@test_case(points=1, hidden=False)
def test_small_example(conv1d):
    import numpy as np
    from dllab_checks import assert_close, call
    # worked by hand from (f*g)[n] = sum_m f[n-m] g[m]; the kernel is not symmetric, so a
    # cross-correlation (no flip) gives [0.5, 2, 3.5, 3, 0] instead
    f = np.array([1.0, 2.0, 3.0])
    g = np.array([0.0, 1.0, 0.5])
    expected = np.array([0.0, 1.0, 2.5, 4.0, 1.5])
    assert_close(call(conv1d, "conv1d", f, g, case="f of length 3, g of length 3"), expected, "conv1d([1, 2, 3], [0, 1, 0.5])")


@test_case(points=2, hidden=True)
def test_random_signals(conv1d):
    from dllab_checks import assert_close, call, load_cases
    for case in load_cases("lab3_cnn_numpy")["conv1d"]:
        got = call(conv1d, "conv1d", *case["args"], case=case["label"])
        assert_close(got, case["expected"], f"conv1d, {case['label']}")


@test_case(points=0, hidden=False)
def test_uses_only_what_the_lab_allows(conv1d):
    # the notebook's rules (lab.toml [[rules]]): breaking one costs the whole question
    from dllab_rules import assert_follows_rules
    assert_follows_rules(conv1d, "conv1d", "lab3_cnn_numpy")
