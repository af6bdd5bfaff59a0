"""Hidden inputs and reference outputs of lab1_regression, written at build time.

scikit-learn is needed here only: grading compares with the numbers stored below. The test
data of the trained-model question travels in the cases too, so grading needs no network.
"""

import numpy as np

from autograder.kernel import dllab_data


def _standardize_case(ref, x_train, x_test):
    """Both accepted conventions of the standard deviation (ddof 0 and 1), from the training set."""
    train_s, test_s, mean, std = ref.standardize(x_train, x_test)
    std1 = x_train.std(axis=0, ddof=1)
    return {
        "args": (x_train, x_test),
        "mean": mean,
        "variants": [
            {"std": std, "train_s": train_s, "test_s": test_s},
            {"std": std1, "train_s": (x_train - mean) / std1, "test_s": (x_test - mean) / std1},
        ],
    }


def build_cases(ref):
    from sklearn.linear_model import LinearRegression

    data = dllab_data
    (x_train, y_train), (x_test, y_test) = data.load_boston_housing()
    rng = np.random.default_rng(20240611)

    # Test sets drawn from another distribution than their training sets (shifted, rescaled),
    # so that statistics of the test set or of both sets together give visibly other numbers.
    standardize = [_standardize_case(ref, x_train, x_test)]
    for n_train, n_test, d in [(40, 25, 4), (6, 30, 3), (15, 1, 5)]:
        scale = rng.uniform(0.5, 20.0, size=d)
        shift = rng.uniform(-50.0, 50.0, size=d)
        a = rng.normal(size=(n_train, d)) * scale + shift
        b = rng.normal(size=(n_test, d)) * scale * 3.0 + shift + 4.0 * scale
        standardize.append(_standardize_case(ref, a, b))

    def linreg_case(X, y):
        sk = LinearRegression().fit(X, y)
        return {"args": (X, y), "w": sk.coef_.copy(), "b": float(sk.intercept_)}

    x_train_s, x_test_s, _, _ = ref.standardize(x_train, x_test)
    linreg = [linreg_case(x_train, y_train), linreg_case(x_train_s, y_train)]
    for n, d, offset in [(60, 3, 100.0), (9, 6, -20.0), (200, 10, 0.0)]:
        X = rng.normal(size=(n, d)) * rng.uniform(0.1, 10.0, size=d) + offset
        y = X @ rng.normal(size=d) + rng.uniform(-30, 30) + rng.normal(scale=0.5, size=n)
        linreg.append(linreg_case(X, y))

    baseline = LinearRegression().fit(x_train_s, y_train)
    return {
        "standardize": standardize,
        "fit_linear_regression": linreg,
        # a small slice of the real training data, to watch the student's training function
        "train": {"x": x_train_s[:64], "y": y_train[:64]},
        "trained_model": {
            "x_test_s": x_test_s,
            "y_test": y_test,
            "linear_mae": float(np.mean(np.abs(baseline.predict(x_test_s) - y_test))),
            "mean_mae": float(np.mean(np.abs(y_train.mean() - y_test))),
        },
    }
