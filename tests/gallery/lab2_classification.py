"""Plausible wrong and alternative correct answers to lab2_classification.

The trained-classifier question (q7) gets cheap stand-ins (a model that always says the most
frequent digit, an untrained network), never a training run, so this gallery stays fast; the
trained reference is graded in tests/test_lab2_reference.py.
"""

import keras
import numpy as np

from gallery.entry import Entry

LAB = "lab2_classification"


def _augment(X):
    X = np.asarray(X, dtype=float)
    return np.hstack([np.ones((len(X), 1)), X])


# --- q1 perceptron ------------------------------------------------------------------------

def _perceptron(X, y, max_epochs, seed, update_sign=1, strict=False, bias=True):
    rng = np.random.default_rng(seed)
    Xa = _augment(X) if bias else np.asarray(X, dtype=float)
    w = rng.normal(size=Xa.shape[1])
    for _ in range(max_epochs):
        for i in rng.permutation(len(Xa)):
            a = Xa[i] @ w
            if y[i] == 1 and (a <= 0 if strict else a < 0):
                w = w + update_sign * Xa[i]
            elif y[i] == 0 and (a > 0 if strict else a >= 0):
                w = w - update_sign * Xa[i]
        pred = (Xa @ w > 0) if strict else (Xa @ w >= 0)
        if np.all(pred == y):
            return w, True
    return w, False


def always_reports_converged(X, y, max_epochs, seed):
    w, _ = _perceptron(X, y, max_epochs, seed)
    return w, True


def update_with_wrong_sign(X, y, max_epochs, seed):
    return _perceptron(X, y, max_epochs, seed, update_sign=-1)


def no_bias_input(X, y, max_epochs, seed):
    return _perceptron(X, y, max_epochs, seed, bias=False)


def converged_when_an_epoch_made_few_updates(X, y, max_epochs, seed):
    # stops as soon as one epoch makes at most one update, which need not mean all are right
    rng = np.random.default_rng(seed)
    Xa = _augment(X)
    w = rng.normal(size=Xa.shape[1])
    for _ in range(max_epochs):
        updates = 0
        for i in rng.permutation(len(Xa)):
            a = Xa[i] @ w
            if y[i] == 1 and a < 0:
                w, updates = w + Xa[i], updates + 1
            elif y[i] == 0 and a >= 0:
                w, updates = w - Xa[i], updates + 1
        if updates <= 1:
            return w, True
    return w, False


def unseeded_order(X, y, max_epochs, seed):
    return _perceptron(X, y, max_epochs, None)


def predict_strictly_positive(w, X):
    return (_augment(X) @ np.asarray(w) > 0).astype(int)


def predict_plus_minus_one(w, X):
    return np.where(_augment(X) @ np.asarray(w) >= 0, 1, -1)


def cyclic_order_from_zero(X, y, max_epochs, seed):
    # no randomness at all: deterministic, and the convergence theorem holds for any order
    Xa = _augment(X)
    w = np.zeros(Xa.shape[1])
    for _ in range(max_epochs):
        for xi, yi in zip(Xa, y):
            if yi == 1 and xi @ w < 0:
                w += xi
            elif yi == 0 and xi @ w >= 0:
                w -= xi
        if np.array_equal((Xa @ w >= 0).astype(int), np.asarray(y)):
            return w, True
    return w, False


def predict_with_where_and_loops(w, X):
    return np.array([1 if w[0] + sum(wi * xi for wi, xi in zip(w[1:], row)) >= 0 else 0 for row in X])


# --- q2 one_hot ----------------------------------------------------------------------------

def classes_from_largest_label(y, num_classes):
    y = np.asarray(y)
    return np.eye(y.max() + 1)[y]


def transposed(y, num_classes):
    return np.eye(num_classes)[np.asarray(y)].T


def labels_counted_from_one(y, num_classes):
    return np.eye(num_classes)[np.asarray(y) - 1]


def eye_indexing(y, num_classes):
    return np.eye(num_classes)[np.asarray(y, dtype=int)]


def with_keras_to_categorical(y, num_classes):
    return keras.utils.to_categorical(y, num_classes)


# --- q3 softmax -----------------------------------------------------------------------------

def no_shift(z):
    e = np.exp(np.asarray(z, dtype=float))
    return e / e.sum(axis=1, keepdims=True)


def over_columns(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def shift_by_global_max(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max())
    return e / e.sum(axis=1, keepdims=True)


def normalised_over_whole_batch(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum()


def with_logsumexp(z):
    from scipy.special import logsumexp
    z = np.asarray(z, dtype=float)
    return np.exp(z - logsumexp(z, axis=1, keepdims=True))


def with_scipy(z):
    from scipy.special import softmax
    return softmax(z, axis=1)


# --- q4 cross_entropy -----------------------------------------------------------------------

def naive_log_of_all(probs, y):
    with np.errstate(divide="ignore", invalid="ignore"):
        return -np.mean(np.sum(y * np.log(probs), axis=1))


def summed_over_batch(probs, y):
    return -np.sum(y * np.log(np.clip(probs, 1e-12, 1.0)))


def mean_over_every_entry(probs, y):
    return -np.mean(y * np.log(np.clip(probs, 1e-12, 1.0)))


def sign_forgotten(probs, y):
    return np.mean(np.sum(y * np.log(np.clip(probs, 1e-12, 1.0)), axis=1))


def binary_formula(probs, y):
    p = np.clip(probs, 1e-12, 1 - 1e-12)
    return -np.mean(np.sum(y * np.log(p) + (1 - y) * np.log(1 - p), axis=1))


def clipped_log(probs, y):
    return -np.mean(np.sum(y * np.log(np.clip(probs, 1e-15, 1.0)), axis=1))


def true_class_indexing(probs, y):
    probs = np.asarray(probs)
    return float(-np.log(probs[np.arange(len(probs)), np.argmax(y, axis=1)]).mean())


# --- q5 dropout_forward ---------------------------------------------------------------------

def keeps_with_probability_p(x, p, training, seed):
    if not training:
        return x
    keep = np.random.default_rng(seed).random(np.shape(x)) < p
    return x * keep / p if p > 0 else np.zeros_like(x)


def no_rescaling(x, p, training, seed):
    if not training:
        return x
    return x * (np.random.default_rng(seed).random(np.shape(x)) >= p)


def rescaled_at_test_time_too(x, p, training, seed):
    if not training:
        return x * (1 - p)
    return x * (np.random.default_rng(seed).random(np.shape(x)) >= p) / (1 - p)


def seed_ignored(x, p, training, seed):
    if not training:
        return x
    return x * (np.random.random(np.shape(x)) >= p) / (1 - p)


def one_mask_per_row(x, p, training, seed):
    if not training:
        return x
    x = np.asarray(x)
    keep = np.random.default_rng(seed).random(x.shape[:1] + (1,) * (x.ndim - 1)) >= p
    return x * keep / (1 - p)


def binomial_mask(x, p, training, seed):
    if not training or p == 0:
        return np.array(x, dtype=float, copy=True)
    mask = np.random.default_rng(seed).binomial(1, 1 - p, size=np.shape(x))
    return np.asarray(x) * mask / (1 - p)


# --- q6 build_mlp ---------------------------------------------------------------------------

def _mlp(input_dim, num_classes, hidden=(128,), out_act="softmax", loss="categorical_crossentropy",
         compile=True, classes=None):
    layers = [keras.Input(shape=(input_dim,))] + [keras.layers.Dense(u, activation="relu") for u in hidden]
    layers.append(keras.layers.Dense(classes or num_classes, activation=out_act))
    model = keras.Sequential(layers)
    if compile:
        model.compile(optimizer="adam", loss=loss, metrics=["accuracy"])
    return model


def logits_output(input_dim=784, num_classes=10):
    return _mlp(input_dim, num_classes, out_act=None,
                loss=keras.losses.CategoricalCrossentropy(from_logits=True))


def sigmoid_output(input_dim=784, num_classes=10):
    return _mlp(input_dim, num_classes, out_act="sigmoid", loss="binary_crossentropy")


def mse_loss(input_dim=784, num_classes=10):
    return _mlp(input_dim, num_classes, loss="mse")


def sparse_loss_with_one_hot_labels(input_dim=784, num_classes=10):
    return _mlp(input_dim, num_classes, loss="sparse_categorical_crossentropy")


def mlp_not_compiled(input_dim=784, num_classes=10):
    return _mlp(input_dim, num_classes, compile=False)


def softmax_regression(input_dim=784, num_classes=10):
    return _mlp(input_dim, num_classes, hidden=())


def ten_classes_hard_coded(input_dim=784, num_classes=10):
    return _mlp(input_dim, num_classes, classes=10)


def functional_with_softmax_layer(input_dim=784, num_classes=10):
    inputs = keras.Input(shape=(input_dim,))
    h = keras.layers.Dense(512, activation="relu")(inputs)
    h = keras.layers.Dropout(0.3)(h)
    logits = keras.layers.Dense(num_classes)(h)
    model = keras.Model(inputs, keras.layers.Softmax()(logits))
    model.compile(optimizer=keras.optimizers.SGD(0.1, momentum=0.9),
                  loss=keras.losses.CategoricalCrossentropy(), metrics=["accuracy"])
    return model


# --- q7 the trained classifier: stand-ins that cost no training -------------------------------

class AlwaysTheMostFrequentDigit:
    def predict(self, x, verbose=0):
        return np.tile(np.eye(10)[1], (len(x), 1))


class UntrainedMLP:
    def predict(self, x, verbose=0):
        from autograder.labs import Lab
        keras.utils.set_random_seed(0)
        return Lab(LAB).solution_module().build_mlp(x.shape[1], 10).predict(x, verbose=0)


def _mnist_test():
    from autograder.kernel import dllab_data
    try:
        (_, _), (x_test, y_test) = dllab_data.load_mnist()
    except dllab_data.DataUnavailableError:
        return {"x_test_flat": None, "y_test": None}
    return {"x_test_flat": x_test.reshape(len(x_test), 784).astype("float32") / 255.0, "y_test": y_test}


# the notebook's own test set, for q7's public test: a stand-in must fail on its merits
NOTEBOOK_DATA = _mnist_test()

WRONG = [
    Entry("q1", "always reports converged", {"perceptron_train": always_reports_converged}),
    Entry("q1", "converged as 1 or 0", {"perceptron_train": lambda X, y, m, seed: (lambda r: (r[0], int(r[1])))(_perceptron(X, y, m, seed))},
          public=True, message=("`perceptron_train on OR: converged` should be a bool (True or False), got int 1",)),
    Entry("q1", "updates with the wrong sign", {"perceptron_train": update_with_wrong_sign}),
    Entry("q1", "no bias input x0", {"perceptron_train": no_bias_input}),
    Entry("q1", "converged when an epoch made at most one update",
          {"perceptron_train": converged_when_an_epoch_made_few_updates}),
    Entry("q1", "seed ignored", {"perceptron_train": unseeded_order}),
    Entry("q1", "predicts 1 only for w.x > 0", {"perceptron_predict": predict_strictly_positive}),
    Entry("q1", "predicts -1/+1", {"perceptron_predict": predict_plus_minus_one}),
    Entry("q1", "predictions as booleans", {"perceptron_predict": lambda w, X: _augment(X) @ np.asarray(w) >= 0}, public=True,
          message=("`perceptron_predict on OR` should return an int array of 0 and 1 (`.astype(int)` turns booleans into 0 and 1), got dtype bool",)),
    Entry("q2", "classes from the largest label", {"one_hot": classes_from_largest_label}),
    Entry("q2", "transposed", {"one_hot": transposed}),
    Entry("q2", "labels counted from 1", {"one_hot": labels_counted_from_one}),
    Entry("q2", "one-hot of ints", {"one_hot": lambda y, k: (np.asarray(y)[:, None] == np.arange(k)).astype(int)}, public=True,
          message=("`one_hot([1, 3, 0, 1], 4)` should return a float array, got dtype int64",)),
    Entry("q3", "no shift (overflows)", {"softmax": no_shift}),
    Entry("q3", "over columns", {"softmax": over_columns}),
    Entry("q3", "shifted by the batch's maximum", {"softmax": shift_by_global_max}),
    Entry("q3", "normalised over the whole batch", {"softmax": normalised_over_whole_batch}),
    Entry("q4", "log of every probability (0 * log 0 = nan)", {"cross_entropy": naive_log_of_all}),
    Entry("q4", "summed over the batch", {"cross_entropy": summed_over_batch}),
    Entry("q4", "mean over every entry", {"cross_entropy": mean_over_every_entry}),
    Entry("q4", "minus sign forgotten", {"cross_entropy": sign_forgotten}),
    Entry("q4", "binary cross-entropy formula", {"cross_entropy": binary_formula}),
    Entry("q4", "the loss as an array of one value", {"cross_entropy": lambda probs, y: -np.mean(np.log(np.sum(probs * y, axis=1)), keepdims=True)},
          public=True, message=("`cross_entropy` should return a float, got an array of shape (1,)",)),
    Entry("q5", "keeps with probability p", {"dropout_forward": keeps_with_probability_p}),
    Entry("q5", "no rescaling", {"dropout_forward": no_rescaling}),
    Entry("q5", "rescaled at test time too", {"dropout_forward": rescaled_at_test_time_too}),
    Entry("q5", "seed ignored", {"dropout_forward": seed_ignored}),
    Entry("q5", "one mask per row", {"dropout_forward": one_mask_per_row}),
    Entry("q6", "logits output (no softmax)", {"build_mlp": logits_output}),
    Entry("q6", "sigmoid output", {"build_mlp": sigmoid_output}),
    Entry("q6", "mean squared error loss", {"build_mlp": mse_loss}),
    Entry("q6", "sparse loss for one-hot labels", {"build_mlp": sparse_loss_with_one_hot_labels}),
    Entry("q6", "not compiled", {"build_mlp": mlp_not_compiled}),
    Entry("q6", "no hidden layer", {"build_mlp": softmax_regression}),
    Entry("q6", "10 classes hard-coded", {"build_mlp": ten_classes_hard_coded}),
    Entry("q7", "always the most frequent digit", {"mlp": AlwaysTheMostFrequentDigit(), **NOTEBOOK_DATA}),
    Entry("q7", "untrained network", {"mlp": UntrainedMLP(), **NOTEBOOK_DATA}),
    Entry("q7", "no model (training cell not run)", {"mlp": None, **NOTEBOOK_DATA}),
]

RIGHT = [
    Entry("q1", "cyclic order from zero weights, predict with loops",
          {"perceptron_train": cyclic_order_from_zero, "perceptron_predict": predict_with_where_and_loops}),
    Entry("q1", "converged as a numpy bool", {"perceptron_train": lambda X, y, m, seed: (lambda r: (r[0], np.bool_(r[1])))(_perceptron(X, y, m, seed))}),
    Entry("q2", "rows of the identity matrix", {"one_hot": eye_indexing}),
    Entry("q1", "predictions as uint8", {"perceptron_predict": lambda w, X: (_augment(X) @ np.asarray(w) >= 0).astype(np.uint8)}),
    Entry("q2", "one-hot in float32", {"one_hot": lambda y, k: np.eye(k, dtype=np.float32)[np.asarray(y)]}),
    Entry("q2", "keras.utils.to_categorical", {"one_hot": with_keras_to_categorical}),
    Entry("q3", "log-sum-exp", {"softmax": with_logsumexp}),
    Entry("q3", "scipy.special.softmax", {"softmax": with_scipy}),
    Entry("q4", "clipped log", {"cross_entropy": clipped_log}),
    Entry("q4", "probability of the true class", {"cross_entropy": true_class_indexing}),
    Entry("q5", "binomial mask", {"dropout_forward": binomial_mask}),
    Entry("q6", "functional API, Softmax layer, SGD", {"build_mlp": functional_with_softmax_layer}),
]
