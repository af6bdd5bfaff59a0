from otter.test_files import test_case

OK_FORMAT = False
name = "q1"
points = 4


def _train(perceptron_train, X, y, max_epochs, seed, label):
    from dllab_checks import as_float_array, assert_bool, assert_shape, call
    out = call(perceptron_train, "perceptron_train", X, y, max_epochs, seed)
    assert out is not None, "`perceptron_train` returned None: the function is still a stub"
    assert isinstance(out, (tuple, list)) and len(out) == 2, (
        f"`perceptron_train` should return a pair (w, converged); got {type(out).__name__}")
    w, converged = out
    assert_shape(w, (X.shape[1] + 1,), f"perceptron_train on {label}: w (bias w0 first)")
    # a Python or a numpy bool (np.all(...)), never 1 or 0
    assert_bool(converged, f"perceptron_train on {label}: converged", verb="be")
    return as_float_array(w), bool(converged)


def _check_learns(perceptron_train, X, y, max_epochs, label):
    from dllab_checks import as_float_array
    w, converged = _train(perceptron_train, X, y, max_epochs, 0, label)
    assert converged, f"`perceptron_train` on {label} (linearly separable) reported converged=False"
    Xa = as_float_array([[1.0] + list(row) for row in X])
    wrong = ((Xa @ w >= 0) != (as_float_array(y) == 1)).sum()
    assert wrong == 0, (f"`perceptron_train` on {label}: reported converged, but w misclassifies "
                        f"{int(wrong)} of {len(y)} inputs (w0 + w . x >= 0 means class 1)")
    return w


def _check_predict(perceptron_predict, w, X, expected, label):
    """The predictions, then their type: the docstring promises an int array of 0 and 1."""
    from dllab_checks import assert_close, assert_dtype, call
    got = call(perceptron_predict, "perceptron_predict", w, X)
    assert_close(got, expected, label)
    assert_dtype(got, "iu", "an int array of 0 and 1 (`.astype(int)` turns booleans into 0 and 1)", label)


TRUTH = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]


@test_case(points=2, hidden=False)
def test_lecture_truth_tables(perceptron_train, perceptron_predict):
    import numpy as np
    from dllab_checks import assert_equal
    X = np.array(TRUTH)
    for gate, y in (("OR", [0, 1, 1, 1]), ("AND", [0, 0, 0, 1])):
        w = _check_learns(perceptron_train, X, np.array(y), 100, gate)
        _check_predict(perceptron_predict, w, X, y, f"perceptron_predict on {gate}")
    w, converged = _train(perceptron_train, X, np.array([0, 1, 1, 0]), 100, 0, "XOR")
    assert_equal(converged, False, "perceptron_train on XOR (not linearly separable): converged")


@test_case(points=2, hidden=True)
def test_separable_sets_predict_and_reproducibility(perceptron_train, perceptron_predict):
    from dllab_checks import assert_close, assert_equal, load_cases
    cases = load_cases("lab2_classification")
    for i, case in enumerate(cases["perceptron_separable"]):
        label = f"hidden separable set {i} ({case['X'].shape[1]} features)"
        w = _check_learns(perceptron_train, case["X"], case["y"], case["max_epochs"], label)
        _check_predict(perceptron_predict, w, case["X"], case["y"], f"perceptron_predict on {label}")
    for i, case in enumerate(cases["perceptron_not_separable"]):
        _, converged = _train(perceptron_train, case["X"], case["y"], case["max_epochs"], 3, f"hidden set {i}")
        assert_equal(converged, False, f"perceptron_train on a hidden set that is not linearly separable ({i}): converged")
    case = cases["perceptron_separable"][1]
    w1, _ = _train(perceptron_train, case["X"], case["y"], case["max_epochs"], 5, "a hidden set")
    w2, _ = _train(perceptron_train, case["X"], case["y"], case["max_epochs"], 5, "a hidden set")
    assert_close(w2, w1, "perceptron_train: w of two runs with the same seed (use the seed for every random choice)")
    for i, case in enumerate(cases["perceptron_predict"]):
        _check_predict(perceptron_predict, case["w"], case["X"], case["expected"],
                       f"perceptron_predict (hidden case {i})")
