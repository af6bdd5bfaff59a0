from otter.test_files import test_case

OK_FORMAT = False
name = "q2"
points = 3


def _unpack(out, label):
    assert out is not None, f"`{label}` returned None: the function is still a stub"
    assert isinstance(out, (tuple, list)) and len(out) == 2, (
        f"`{label}` should return a pair (w, b); got {type(out).__name__}")
    return out


@test_case(points=1, hidden=False)
def test_exact_plane(fit_linear_regression):
    import numpy as np
    from dllab_checks import assert_close, assert_float, call
    # y = 2 x1 - 3 x2 + 5 exactly: least squares must recover the plane, intercept included
    X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [2.0, 3.0], [4.0, -1.0]])
    y = 2 * X[:, 0] - 3 * X[:, 1] + 5
    w, b = _unpack(call(fit_linear_regression, "fit_linear_regression", X, y), "fit_linear_regression")
    assert_float(b, "fit_linear_regression: b", verb="be")  # one number, as the docstring says
    assert_close(w, [2.0, -3.0], "fit_linear_regression: w", rtol=1e-6, atol=1e-6)
    assert_close([b], [5.0], "fit_linear_regression: b", rtol=1e-6, atol=1e-6)


@test_case(points=2, hidden=True)
def test_matches_scikit_learn(fit_linear_regression):
    from dllab_checks import assert_close, assert_float, call, load_cases
    for i, case in enumerate(load_cases("lab1_regression")["fit_linear_regression"]):
        label = f"fit_linear_regression (hidden case {i})"
        w, b = _unpack(call(fit_linear_regression, "fit_linear_regression", *case["args"]), label)
        assert_float(b, f"{label}: b", verb="be")
        # the normal equations lose a few digits on raw Boston features; still far inside 1e-5
        assert_close(w, case["w"], f"{label}: w", rtol=1e-5, atol=1e-7)
        assert_close([b], [case["b"]], f"{label}: b", rtol=1e-5, atol=1e-6)
