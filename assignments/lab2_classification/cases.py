"""Hidden inputs and reference outputs of lab2_classification, written at build time.

The MNIST test set travels in the cases (as uint8, 7.8 MB before compression) so that grading
the trained classifier needs neither the network nor the data folder.
"""

import numpy as np

from autograder.kernel import dllab_data


def _separable(rng, n, d, margin):
    """n points in d dimensions labelled by a random hyperplane, none closer to it than `margin`."""
    w = rng.normal(size=d)
    w /= np.linalg.norm(w)
    b = rng.uniform(-0.5, 0.5)
    X = []
    while len(X) < n:
        x = rng.uniform(-2.0, 2.0, size=d)
        if abs(x @ w + b) >= margin:
            X.append(x)
    X = np.array(X)
    return X, (X @ w + b >= 0).astype(int)


def build_cases(ref):
    data = dllab_data
    rng = np.random.default_rng(20240612)

    # Linearly separable sets with a margin: the perceptron convergence theorem bounds the
    # number of updates, so any correct implementation converges well within max_epochs.
    separable = []
    for n, d in [(30, 2), (50, 5), (20, 1), (40, 3)]:
        X, y = _separable(rng, n, d, margin=0.3)
        w, converged = ref.perceptron_train(X, y, 2000, 0)
        assert converged, "the reference must converge on every separable case"
        separable.append({"X": X, "y": y, "max_epochs": 2000})
    not_separable = [
        {"X": np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float), "y": np.array([1, 0, 0, 1]),
         "max_epochs": 50},  # XNOR
        {"X": np.array([[0.0], [1.0], [2.0]]), "y": np.array([0, 1, 0]), "max_epochs": 50},
    ]

    predict = []
    for n, d in [(12, 2), (7, 4)]:
        w, X = rng.normal(size=d + 1), rng.normal(size=(n, d))
        predict.append({"w": w, "X": X, "expected": ref.perceptron_predict(w, X)})
    # activations of exactly 0 belong to class 1 (w . x >= 0), as in the lecture
    w = np.array([0.0, 1.0, -1.0])
    X = np.array([[1.0, 1.0], [2.0, 2.0], [0.0, 0.0], [1.0, 2.0], [3.0, 1.0]])
    predict.append({"w": w, "X": X, "expected": ref.perceptron_predict(w, X)})

    one_hot = []
    for y, k in [(np.array([3, 0, 2, 2]), 6), (rng.integers(0, 10, size=25), 10),
                 (np.array([1]), 2), (np.array([0, 0, 0]), 3)]:
        one_hot.append({"args": (y, k), "expected": ref.one_hot(y, k)})

    logits = [
        rng.normal(size=(5, 4)),
        rng.normal(size=(3, 7)) * 30 + 1000,
        np.array([[1000.0, 1001.0, 999.0], [0.0, 1.0, -1.0], [-1000.0, -999.0, -1002.0]]),
        rng.normal(size=(1, 10)),
        rng.normal(size=(4, 1)),
    ]
    softmax = [{"z": z, "expected": ref.softmax(z)} for z in logits]

    cross_entropy = []
    for n, k in [(6, 4), (1, 3), (20, 10)]:
        probs = ref.softmax(rng.normal(size=(n, k)) * 2)
        y = ref.one_hot(rng.integers(0, k, size=n), k)
        cross_entropy.append({"args": (probs, y), "expected": ref.cross_entropy(probs, y)})
    probs = np.array([[0.0, 0.25, 0.75], [0.5, 0.5, 0.0], [1e-3, 0.0, 1 - 1e-3]])
    y = np.array([[0, 0, 1], [1, 0, 0], [1, 0, 0]], float)
    cross_entropy.append({"args": (probs, y), "expected": ref.cross_entropy(probs, y)})

    (_, _), (x_test, y_test) = data.load_mnist()
    return {
        "perceptron_separable": separable,
        "perceptron_not_separable": not_separable,
        "perceptron_predict": predict,
        "one_hot": one_hot,
        "softmax": softmax,
        "cross_entropy": cross_entropy,
        "trained_mlp": {
            "x_test": x_test.reshape(len(x_test), -1),  # uint8; the test scales it as the notebook does
            "y_test": y_test,
        },
    }
