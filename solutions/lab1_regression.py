"""Reference solution of lab1_regression: Boston house prices with a deep network.

The build cuts each function below out of this file: whole for the solution notebook, as
signature + docstring for the student's stub. The functions may use only what the notebook's
import cell provides (`np`, `keras`).
"""

import keras
import numpy as np


def standardize(x_train, x_test):
    """Scale every feature to mean 0 and standard deviation 1, using the TRAINING set only.

    The test set plays the part of data the model has never seen: its statistics must not
    leak into the preprocessing, so it is shifted and scaled with the training set's mean and
    standard deviation.

    Inputs:
    - x_train: array (n_train, n_features)
    - x_test: array (n_test, n_features)

    Returns a tuple of:
    - x_train_s: array of the shape of x_train, (x_train - mean) / std
    - x_test_s: array of the shape of x_test, (x_test - mean) / std
    - mean: array (n_features,), the column means of x_train
    - std: array (n_features,), the column standard deviations of x_train
      (np.std's default, ddof=0, as scikit-learn's StandardScaler; ddof=1 is accepted too)
    """
    x_train = np.asarray(x_train, dtype=np.float64)
    x_test = np.asarray(x_test, dtype=np.float64)
    mean = x_train.mean(axis=0)
    std = x_train.std(axis=0)
    return (x_train - mean) / std, (x_test - mean) / std, mean, std


def fit_linear_regression(X, y):
    """Least-squares linear regression y ~ X @ w + b, in numpy.

    Either the normal equations or np.linalg.lstsq will do; the answer matches scikit-learn's
    LinearRegression().fit(X, y) (coef_, intercept_).

    Inputs:
    - X: array (n_samples, n_features)
    - y: array (n_samples,)

    Returns a tuple of:
    - w: array (n_features,), the weights
    - b: float, the intercept (bias)
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    # a column of ones carries the intercept; lstsq is stable even where X^T X is ill-conditioned
    A = np.hstack([np.ones((X.shape[0], 1)), X])
    theta, *_ = np.linalg.lstsq(A, y, rcond=None)
    return theta[1:], float(theta[0])


def build_regression_model(n_features):
    """A compiled Keras regression network for inputs of `n_features` features.

    Architecture: Dense hidden layers with ReLU, then one output unit with no activation
    (a price can be any real number). Compile with loss "mse" and metric "mae".

    Inputs:
    - n_features: int

    Returns:
    - model: a compiled keras.Model, input (None, n_features), output (None, 1)
    """
    model = keras.Sequential([
        keras.Input(shape=(n_features,)),
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dense(1),
    ])
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=1e-3), loss="mse", metrics=["mae"])
    return model


def train_regression_model(model, x, y, epochs, seed):
    """Train `model` on all of (x, y) for `epochs` epochs, reproducibly; return the History.

    Seed every random choice of training (the order of the mini-batches) with
    keras.utils.set_random_seed(seed), use mini-batches of 16, and print nothing (verbose=0).
    Train on every example: with 404 houses, holding 20% aside costs the model more than it
    gains (the notebook looks at validation curves in a separate run).

    Inputs:
    - model: a compiled keras.Model
    - x: array (n_samples, n_features), standardized
    - y: array (n_samples,)
    - epochs: int
    - seed: int

    Returns:
    - history: the keras.callbacks.History that model.fit returns ("loss" and "mae" per epoch)
    """
    keras.utils.set_random_seed(seed)
    return model.fit(x, y, epochs=epochs, batch_size=16, verbose=0)
