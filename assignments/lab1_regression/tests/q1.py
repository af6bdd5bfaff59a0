from otter.test_files import test_case

OK_FORMAT = False
name = "q1"
points = 3


def _check_standardize(out, x_train, x_test, mean, variants, label):
    """`out` of standardize against one of the accepted std conventions (ddof 0 or 1)."""
    from dllab_checks import assert_close
    assert out is not None, f"`{label}` returned None: the function is still a stub"
    assert isinstance(out, (tuple, list)) and len(out) == 4, (
        f"`{label}` should return a tuple (x_train_s, x_test_s, mean, std); got {type(out).__name__}"
        + (f" of length {len(out)}" if isinstance(out, (tuple, list)) else ""))
    train_s, test_s, got_mean, got_std = out
    assert_close(got_mean, mean, f"{label}: mean (of the training set)")
    errors = []
    for v in variants:
        try:
            assert_close(got_std, v["std"], f"{label}: std (of the training set)")
        except AssertionError as e:
            errors.append(str(e))
            continue
        assert_close(train_s, v["train_s"], f"{label}: x_train_s")
        assert_close(test_s, v["test_s"], f"{label}: x_test_s (scaled with the TRAINING mean and std)")
        return
    raise AssertionError(errors[0])


@test_case(points=1, hidden=False)
def test_small_example(standardize):
    import numpy as np
    from dllab_checks import call
    x_train = np.array([[1.0, 10.0], [3.0, 10.0], [5.0, 40.0], [7.0, 40.0]])
    x_test = np.array([[9.0, 25.0], [-1.0, 70.0]])
    mean = np.array([4.0, 25.0])
    out = call(standardize, "standardize", x_train, x_test)
    variants = []
    for std in (np.array([np.sqrt(5.0), 15.0]), np.array([np.sqrt(20.0 / 3.0), np.sqrt(300.0)])):
        variants.append({"std": std, "train_s": (x_train - mean) / std, "test_s": (x_test - mean) / std})
    _check_standardize(out, x_train, x_test, mean, variants, "standardize")


@test_case(points=2, hidden=True)
def test_training_statistics_only(standardize):
    from dllab_checks import call, load_cases
    for i, case in enumerate(load_cases("lab1_regression")["standardize"]):
        out = call(standardize, "standardize", *case["args"])
        _check_standardize(out, *case["args"], case["mean"], case["variants"],
                           f"standardize (hidden case {i})")
