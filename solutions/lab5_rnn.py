"""Reference solution of lab 5: a recurrent network in numpy, then in Keras.

Shapes follow the deep-learning convention of one column per example: xt is (n_x, m), a hidden
state is (n_a, m), a prediction is (n_y, m); a whole sequence x is (n_x, m, T_x).
The notebook imports numpy and keras itself, so every function uses only those two names.
"""

import numpy as np
import keras
from keras import layers


def softmax(z):
    """Column-wise softmax: every column of the result is a probability vector.

    Subtract each column's maximum before exponentiating, so logits of 1000 do not overflow.

    Inputs:
    - z: array (n_y, m) of logits, one column per example

    Returns:
    - probs: array (n_y, m), columns summing to 1
    """
    e = np.exp(z - np.max(z, axis=0, keepdims=True))
    return e / np.sum(e, axis=0, keepdims=True)


def rnn_cell_forward(xt, a_prev, params):
    """One time step of a basic RNN cell.

    a_next = tanh(Wax @ xt + Waa @ a_prev + ba)
    y_pred = softmax(Wya @ a_next + by)            (softmax over the n_y rows, per column)

    Inputs:
    - xt: array (n_x, m), the input at this step
    - a_prev: array (n_a, m), the hidden state of the previous step
    - params: dict with
        Wax (n_a, n_x), Waa (n_a, n_a), Wya (n_y, n_a), ba (n_a, 1), by (n_y, 1)

    Returns a tuple of:
    - a_next: array (n_a, m)
    - y_pred: array (n_y, m)
    - cache: the tuple (a_next, a_prev, xt, params), kept for a backward pass
    """
    a_next = np.tanh(params["Wax"] @ xt + params["Waa"] @ a_prev + params["ba"])
    y_pred = softmax(params["Wya"] @ a_next + params["by"])
    cache = (a_next, a_prev, xt, params)
    return a_next, y_pred, cache


def rnn_forward(x, a0, params):
    """The forward pass of a basic RNN over a whole sequence: rnn_cell_forward at every step.

    Inputs:
    - x: array (n_x, m, T_x), the inputs; x[:, :, t] is the input at step t
    - a0: array (n_a, m), the initial hidden state
    - params: dict, as in rnn_cell_forward

    Returns a tuple of:
    - a: array (n_a, m, T_x), the hidden states of every step; a[:, :, t] is the state after
      step t
    - y_pred: array (n_y, m, T_x), the predictions of every step
    - caches: list of the T_x caches of rnn_cell_forward, in time order
    """
    n_x, m, T_x = x.shape
    n_a = params["Waa"].shape[0]
    n_y = params["Wya"].shape[0]
    a = np.zeros((n_a, m, T_x))
    y_pred = np.zeros((n_y, m, T_x))
    caches = []
    a_next = a0
    for t in range(T_x):
        a_next, yt, cache = rnn_cell_forward(x[:, :, t], a_next, params)
        a[:, :, t] = a_next
        y_pred[:, :, t] = yt
        caches.append(cache)
    return a, y_pred, caches


def build_sequence_model(cell="lstm", units=64, input_shape=(28, 28), num_classes=10):
    """A recurrent classifier that reads an image one row per time step.

    keras.Input(input_shape) -> one recurrent layer of `units` units (SimpleRNN when cell is
    "simple_rnn", LSTM when "lstm", GRU when "gru"), returning only its last hidden state
    -> Dense(num_classes, softmax). Leave the recurrent layer's other options at Keras'
    defaults (tanh activation, biases): the checks count its parameters.

    Compile with optimizer "adam", loss "sparse_categorical_crossentropy", metric "accuracy".

    Inputs:
    - cell: str, "simple_rnn", "lstm" or "gru"
    - units: int, size of the hidden state
    - input_shape: tuple (T_x, n_x), for MNIST (28, 28): 28 steps of one 28-pixel row each
    - num_classes: int, number of output units

    Returns:
    - model: a compiled keras.Model mapping (None, T_x, n_x) to (None, num_classes)
    """
    recurrent = {"simple_rnn": layers.SimpleRNN, "lstm": layers.LSTM, "gru": layers.GRU}[cell]
    model = keras.Sequential([
        keras.Input(shape=input_shape),
        recurrent(units),
        layers.Dense(num_classes, activation="softmax"),
    ], name=f"{cell}_classifier")
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model
