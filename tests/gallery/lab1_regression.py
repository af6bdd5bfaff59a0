"""Plausible wrong and alternative correct answers to lab1_regression.

The trained-model question (q5) gets cheap stand-ins here (a model that predicts the mean,
an untrained network, the linear baseline), never a training run, so this gallery stays
fast; the trained reference is graded in tests/test_lab1_reference.py.
"""

import keras
import numpy as np

from gallery.entry import Entry

LAB = "lab1_regression"


# --- q1 standardize -----------------------------------------------------------------------

def std_from_both_sets(x_train, x_test):
    both = np.vstack([x_train, x_test])
    mean, std = both.mean(axis=0), both.std(axis=0)
    return (x_train - mean) / std, (x_test - mean) / std, mean, std


def test_set_scaled_with_its_own_statistics(x_train, x_test):
    mean, std = x_train.mean(axis=0), x_train.std(axis=0)
    return (x_train - mean) / std, (x_test - x_test.mean(axis=0)) / x_test.std(axis=0), mean, std


def one_mean_for_all_features(x_train, x_test):
    mean, std = x_train.mean(), x_train.std()
    return (x_train - mean) / std, (x_test - mean) / std, mean, std


def row_statistics(x_train, x_test):
    mean, std = x_train.mean(axis=1, keepdims=True), x_train.std(axis=1, keepdims=True)
    return (x_train - mean) / std, (x_test - x_test.mean(axis=1, keepdims=True)) / x_test.std(axis=1, keepdims=True), \
        mean.ravel(), std.ravel()


def test_set_left_unscaled(x_train, x_test):
    mean, std = x_train.mean(axis=0), x_train.std(axis=0)
    return (x_train - mean) / std, x_test, mean, std


def divided_by_variance(x_train, x_test):
    mean, var = x_train.mean(axis=0), x_train.var(axis=0)
    return (x_train - mean) / var, (x_test - mean) / var, mean, var


def min_max_scaling(x_train, x_test):
    lo, hi = x_train.min(axis=0), x_train.max(axis=0)
    return (x_train - lo) / (hi - lo), (x_test - lo) / (hi - lo), lo, hi - lo


def sample_std_ddof1(x_train, x_test):
    mean, std = x_train.mean(axis=0), x_train.std(axis=0, ddof=1)
    return (x_train - mean) / std, (x_test - mean) / std, mean, std


def with_standard_scaler(x_train, x_test):
    from sklearn.preprocessing import StandardScaler
    scaler = StandardScaler().fit(x_train)
    return scaler.transform(x_train), scaler.transform(x_test), scaler.mean_, scaler.scale_


# --- q2 fit_linear_regression ---------------------------------------------------------------

def no_intercept(X, y):
    w, *_ = np.linalg.lstsq(X, y, rcond=None)
    return w, 0.0


def intercept_as_one_element_array(X, y):
    A = np.hstack([np.ones((len(X), 1)), X])
    theta, *_ = np.linalg.lstsq(A, y, rcond=None)
    return theta[1:], theta[:1]


def intercept_is_mean_of_y(X, y):
    w, *_ = np.linalg.lstsq(X, y, rcond=None)
    return w, float(np.mean(y))


def right_weights_mean_of_y_as_intercept(X, y):
    # right only where every column of X has mean 0 (standardized data), wrong on raw features
    A = np.hstack([np.ones((len(X), 1)), X])
    theta, *_ = np.linalg.lstsq(A, y, rcond=None)
    return theta[1:], float(np.mean(y))


def ridge_instead_of_least_squares(X, y):
    A = np.hstack([np.ones((len(X), 1)), X])
    theta = np.linalg.solve(A.T @ A + 1.0 * np.eye(A.shape[1]), A.T @ y)
    return theta[1:], float(theta[0])


def theta_with_bias_returned_as_w(X, y):
    A = np.hstack([np.ones((len(X), 1)), X])
    theta, *_ = np.linalg.lstsq(A, y, rcond=None)
    return theta, float(theta[0])


def few_steps_of_gradient_descent(X, y):
    w, b = np.zeros(X.shape[1]), 0.0
    for _ in range(100):
        err = X @ w + b - y
        w -= 1e-3 * X.T @ err / len(X)
        b -= 1e-3 * err.mean()
    return w, b


def normal_equations(X, y):
    A = np.hstack([np.ones((len(X), 1)), X])
    theta = np.linalg.solve(A.T @ A, A.T @ y)
    return theta[1:], theta[0]


def centred_data(X, y):
    xm, ym = X.mean(axis=0), y.mean()
    w = np.linalg.pinv(X - xm) @ (y - ym)
    return w, ym - xm @ w


def with_scikit_learn(X, y):
    from sklearn.linear_model import LinearRegression
    lr = LinearRegression().fit(X, y)
    return lr.coef_, lr.intercept_


# --- q3 build_regression_model --------------------------------------------------------------

def _dense_model(n_features, hidden=(64, 64), hidden_act="relu", out_units=1, out_act=None,
                 loss="mse", metrics=("mae",), compile=True):
    layers = [keras.Input(shape=(n_features,))]
    layers += [keras.layers.Dense(u, activation=hidden_act) for u in hidden]
    layers.append(keras.layers.Dense(out_units, activation=out_act))
    model = keras.Sequential(layers)
    if compile:
        model.compile(optimizer="rmsprop", loss=loss, metrics=list(metrics))
    return model


def relu_output(n_features):
    return _dense_model(n_features, out_act="relu")


def no_hidden_layer(n_features):
    return _dense_model(n_features, hidden=())


def mae_loss_mse_metric(n_features):
    return _dense_model(n_features, loss="mae", metrics=("mse",))


def accuracy_metric(n_features):
    return _dense_model(n_features, metrics=("accuracy",))


def not_compiled(n_features):
    return _dense_model(n_features, compile=False)


def thirteen_features_hard_coded(n_features):
    return _dense_model(13)


def sigmoid_hidden_layers(n_features):
    return _dense_model(n_features, hidden_act="sigmoid")


def separate_activation_layers_and_dropout(n_features):
    model = keras.Sequential([
        keras.Input(shape=(n_features,)),
        keras.layers.Dense(32), keras.layers.Activation("relu"), keras.layers.Dropout(0.1),
        keras.layers.Dense(32), keras.layers.ReLU(),
        keras.layers.Dense(1),
    ])
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=keras.losses.MeanSquaredError(),
                  metrics=[keras.metrics.MeanAbsoluteError()])
    return model


def functional_api_long_names(n_features):
    inputs = keras.Input(shape=(n_features,))
    h = keras.layers.Dense(128, activation="relu")(inputs)
    h = keras.layers.Dense(64, activation="relu")(h)
    h = keras.layers.Dense(32, activation="relu")(h)
    model = keras.Model(inputs, keras.layers.Dense(1, activation="linear")(h))
    model.compile(optimizer="adam", loss="mean_squared_error", metrics=["mean_absolute_error"])
    return model


# --- q4 train_regression_model --------------------------------------------------------------

def trains_a_new_model(model, x, y, epochs, seed):
    keras.utils.set_random_seed(seed)
    other = keras.models.clone_model(model)
    other.compile(optimizer="rmsprop", loss="mse", metrics=["mae"])
    return other.fit(x, y, epochs=epochs, batch_size=16, verbose=0)


def seed_ignored(model, x, y, epochs, seed):
    return model.fit(x, y, epochs=epochs, batch_size=16, verbose=0)


def history_not_returned(model, x, y, epochs, seed):
    keras.utils.set_random_seed(seed)
    model.fit(x, y, epochs=epochs, batch_size=16, verbose=0)


def one_epoch_whatever_asked(model, x, y, epochs, seed):
    keras.utils.set_random_seed(seed)
    return model.fit(x, y, epochs=1, batch_size=16, verbose=0)


def validation_split_and_bigger_batches(model, x, y, epochs, seed):
    keras.utils.set_random_seed(seed)
    return model.fit(x, y, epochs=epochs, batch_size=32, validation_split=0.2, shuffle=True, verbose=0)


# --- q5 the trained model: stand-ins that cost no training ------------------------------------

def _boston():
    """The standardized Boston split, as the notebook's globals hold it (None without the data)."""
    from autograder.kernel import dllab_data
    from autograder.labs import Lab
    try:
        (x_train, y_train), (x_test, y_test) = dllab_data.load_boston_housing()
    except dllab_data.DataUnavailableError:
        return None
    x_train_s, x_test_s, _, _ = Lab(LAB).solution_module().standardize(x_train, x_test)
    return {"x_train_s": x_train_s, "y_train": y_train, "x_test_s": x_test_s, "y_test": y_test}


BOSTON = _boston() or {}
# the notebook's own test set, for q5's public test: a stand-in must fail on its merits
NOTEBOOK_DATA = {"x_test_s": BOSTON.get("x_test_s"), "y_test": BOSTON.get("y_test")}


class PredictsTheMean:
    """A model that learned nothing but the average training price."""

    def predict(self, x, verbose=0):
        return np.full((len(x), 1), BOSTON["y_train"].mean())


class LinearBaseline:
    """Least squares on the standardized training set: the baseline the network must beat."""

    def predict(self, x, verbose=0):
        from autograder.labs import Lab
        w, b = Lab(LAB).solution_module().fit_linear_regression(BOSTON["x_train_s"], BOSTON["y_train"])
        return (x @ w + b).reshape(-1, 1)


class UntrainedNetwork:
    """The reference architecture, compiled, never fitted (built on first use)."""

    def predict(self, x, verbose=0):
        from autograder.labs import Lab
        keras.utils.set_random_seed(0)
        return Lab(LAB).solution_module().build_regression_model(x.shape[1]).predict(x, verbose=0)


WRONG = [
    Entry("q1", "statistics of train and test together", {"standardize": std_from_both_sets}),
    Entry("q1", "test set scaled with its own statistics", {"standardize": test_set_scaled_with_its_own_statistics}),
    Entry("q1", "one mean and std over all features", {"standardize": one_mean_for_all_features}),
    Entry("q1", "statistics per row (axis=1)", {"standardize": row_statistics}),
    Entry("q1", "test set left unscaled", {"standardize": test_set_left_unscaled}),
    Entry("q1", "divided by the variance", {"standardize": divided_by_variance}),
    Entry("q1", "min-max scaling", {"standardize": min_max_scaling}),
    Entry("q2", "no intercept", {"fit_linear_regression": no_intercept}),
    Entry("q2", "intercept as an array of one value", {"fit_linear_regression": intercept_as_one_element_array}, public=True,
          message=("`fit_linear_regression: b` should be a float, got an array of shape (1,)",)),
    Entry("q2", "intercept taken as mean of y", {"fit_linear_regression": intercept_is_mean_of_y}),
    Entry("q2", "right weights, mean of y as intercept",
          {"fit_linear_regression": right_weights_mean_of_y_as_intercept}),
    Entry("q2", "ridge instead of least squares", {"fit_linear_regression": ridge_instead_of_least_squares}),
    Entry("q2", "bias left inside w", {"fit_linear_regression": theta_with_bias_returned_as_w}),
    Entry("q2", "100 steps of gradient descent", {"fit_linear_regression": few_steps_of_gradient_descent}),
    Entry("q3", "ReLU on the output unit", {"build_regression_model": relu_output}),
    Entry("q3", "no hidden layer", {"build_regression_model": no_hidden_layer}),
    Entry("q3", "loss mae, metric mse", {"build_regression_model": mae_loss_mse_metric}),
    Entry("q3", "accuracy as the metric", {"build_regression_model": accuracy_metric}),
    Entry("q3", "not compiled", {"build_regression_model": not_compiled}),
    Entry("q3", "13 features hard-coded", {"build_regression_model": thirteen_features_hard_coded}),
    Entry("q3", "sigmoid hidden layers", {"build_regression_model": sigmoid_hidden_layers}),
    Entry("q4", "trains a copy, not the given model", {"train_regression_model": trains_a_new_model}),
    Entry("q4", "seed ignored", {"train_regression_model": seed_ignored}),
    Entry("q4", "History not returned", {"train_regression_model": history_not_returned}),
    Entry("q4", "one epoch whatever asked", {"train_regression_model": one_epoch_whatever_asked}),
    Entry("q5", "model predicts the mean price", {"model": PredictsTheMean(), **NOTEBOOK_DATA}),
    Entry("q5", "linear baseline as the model", {"model": LinearBaseline(), **NOTEBOOK_DATA}),
    Entry("q5", "untrained network", {"model": UntrainedNetwork(), **NOTEBOOK_DATA}),
    Entry("q5", "no model (training cell not run)", {"model": None, **NOTEBOOK_DATA}),
]

RIGHT = [
    Entry("q1", "sample std (ddof=1)", {"standardize": sample_std_ddof1}),
    Entry("q1", "scikit-learn StandardScaler", {"standardize": with_standard_scaler}),
    Entry("q2", "normal equations with solve", {"fit_linear_regression": normal_equations}),
    Entry("q2", "pseudo-inverse on centred data", {"fit_linear_regression": centred_data}),
    Entry("q2", "scikit-learn LinearRegression", {"fit_linear_regression": with_scikit_learn}),
    Entry("q3", "separate ReLU layers, Dropout, loss and metric objects",
          {"build_regression_model": separate_activation_layers_and_dropout}),
    Entry("q3", "functional API, three hidden layers, long names",
          {"build_regression_model": functional_api_long_names}),
    Entry("q4", "validation split and batches of 32",
          {"train_regression_model": validation_split_and_bigger_batches}),
]
