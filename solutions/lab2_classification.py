"""Reference solution of lab2_classification: from the perceptron to a dense MNIST classifier.

The build cuts each function below out of this file: whole for the solution notebook, as
signature + docstring for the student's stub. The functions may use only what the notebook's
import cell provides (`np`, `keras`).
"""

import keras
import numpy as np


def perceptron_train(X, y, max_epochs, seed):
    """The perceptron learning algorithm (Rosenblatt, 1958).

    Prepend x0 = 1 to every input (so w[0] = -theta is the bias), start from random weights,
    then repeat: pick an input at random; if it has label 1 and w . x < 0, add it to w; if it
    has label 0 and w . x >= 0, subtract it. One epoch visits every input once, in a random
    order. Stop as soon as an epoch ends with every input classified correctly (converged),
    or after `max_epochs` epochs (not converged: the data may not be linearly separable).

    Inputs:
    - X: array (n_samples, n_features), without the x0 column
    - y: array (n_samples,) of 0 and 1
    - max_epochs: int
    - seed: int, for the initial weights and the order of the inputs

    Returns a tuple of:
    - w: array (n_features + 1,), w[0] the bias
    - converged: bool, True when w classifies every input correctly
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    rng = np.random.default_rng(seed)
    Xa = np.hstack([np.ones((X.shape[0], 1)), X])
    w = rng.normal(size=Xa.shape[1])
    for _ in range(max_epochs):
        for i in rng.permutation(len(Xa)):
            activation = Xa[i] @ w
            if y[i] == 1 and activation < 0:
                w = w + Xa[i]
            elif y[i] == 0 and activation >= 0:
                w = w - Xa[i]
        if np.all((Xa @ w >= 0).astype(int) == y):
            return w, True
    return w, False


def perceptron_predict(w, X):
    """Predictions of the perceptron with weights w: 1 where w0 + sum_i w_i x_i >= 0, else 0.

    Inputs:
    - w: array (n_features + 1,), w[0] the bias
    - X: array (n_samples, n_features)

    Returns:
    - y_hat: int array (n_samples,) of 0 and 1
    """
    X = np.asarray(X, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    return (X @ w[1:] + w[0] >= 0).astype(int)


def one_hot(y, num_classes):
    """One-hot encoding of integer labels.

    Inputs:
    - y: int array (n,), labels in 0 .. num_classes-1 (not every class need occur)
    - num_classes: int

    Returns:
    - y_onehot: float array (n, num_classes), 1.0 at (i, y[i]) and 0.0 elsewhere
    """
    y = np.asarray(y).astype(int)
    out = np.zeros((len(y), num_classes))
    out[np.arange(len(y)), y] = 1.0
    return out


def softmax(z):
    """Row-wise softmax: each row of logits becomes a probability distribution.

    Must stay finite for large logits (1000 and more) and for rows of very different scales.

    Inputs:
    - z: array (n, k) of logits

    Returns:
    - probs: array (n, k), rows non-negative and summing to 1
    """
    z = np.asarray(z, dtype=np.float64)
    # exp(z - max) cannot overflow, and the shift cancels in the ratio
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def cross_entropy(probs, y_onehot):
    """Mean categorical cross-entropy over the batch: -(1/n) sum_i sum_c y_ic log p_ic.

    `probs` may hold exact zeros where y is 0 (a softmax that underflowed); the loss must stay
    finite there (0 * log 0 counts as 0).

    Inputs:
    - probs: array (n, k), rows summing to 1
    - y_onehot: array (n, k) of 0 and 1

    Returns:
    - loss: float
    """
    probs = np.asarray(probs, dtype=np.float64)
    y_onehot = np.asarray(y_onehot, dtype=np.float64)
    # only the true class contributes, so take its probability and never evaluate log(0) elsewhere
    p_true = np.sum(probs * y_onehot, axis=1)
    return float(-np.mean(np.log(p_true)))


def dropout_forward(x, p, training, seed):
    """Inverted dropout.

    When training: drop every entry independently with probability p (set it to 0) and scale
    the kept ones by 1 / (1 - p), so that the expected value of every entry is unchanged and
    nothing needs rescaling at test time. When not training: return x unchanged.

    Inputs:
    - x: array of any shape
    - p: float in [0, 1), the probability of dropping an entry
    - training: bool
    - seed: int, for the dropout mask

    Returns:
    - out: array of the shape of x
    """
    x = np.asarray(x, dtype=np.float64)
    if not training:
        return x
    rng = np.random.default_rng(seed)
    keep = rng.random(x.shape) >= p
    return x * keep / (1.0 - p)


def build_mlp(input_dim=784, num_classes=10):
    """A compiled dense (fully connected) classifier.

    Input (None, input_dim): flattened images with pixels scaled to [0, 1]. One or more hidden
    Dense layers (Dropout between them is welcome), and an output Dense layer of
    `num_classes` units with softmax, so each output row is a probability distribution.
    Compile with loss "categorical_crossentropy" (the labels are one-hot) and an optimizer
    of your choice; metrics=["accuracy"] shows progress.

    Inputs:
    - input_dim: int
    - num_classes: int

    Returns:
    - model: a compiled keras.Model, output (None, num_classes)
    """
    model = keras.Sequential([
        keras.Input(shape=(input_dim,)),
        keras.layers.Dense(256, activation="relu"),
        keras.layers.Dropout(0.2),
        keras.layers.Dense(128, activation="relu"),
        keras.layers.Dropout(0.2),
        keras.layers.Dense(num_classes, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3),
                  loss="categorical_crossentropy", metrics=["accuracy"])
    return model
