"""Lab 5: wrong answers the hidden tests must catch, and other correct answers they must accept.

No training here: the accuracy question gets untrained or non-recurrent models; that the
trained reference clears it is shown in tests/test_lab5_*.py.
"""

import numpy as np
import keras
from keras import layers

from gallery.entry import Entry

LAB = "lab5_rnn"


def _stable_softmax(z):
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def _cell(xt, a_prev, p, *, act=np.tanh, waa_t=False, bias=True, y_from_prev=False, out=None):
    waa = p["Waa"].T if waa_t else p["Waa"]
    a_next = act(p["Wax"] @ xt + waa @ a_prev + (p["ba"] if bias else 0))
    logits = p["Wya"] @ (a_prev if y_from_prev else a_next) + p["by"]
    y = (out or _stable_softmax)(logits)
    return a_next, y, (a_next, a_prev, xt, p)


# --- wrong answers ------------------------------------------------------------------------------

def softmax_rows(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def softmax_naive(z):
    e = np.exp(z)
    return e / e.sum(axis=0, keepdims=True)


def softmax_whole_array(z):
    e = np.exp(z - z.max())
    return e / e.sum()


def _forward(x, a0, p, *, keep_a0=False, store_prev=False, waa_t=False, reverse=False, act=np.tanh):
    n_x, m, T_x = x.shape
    a = np.zeros((p["Waa"].shape[0], m, T_x))
    y = np.zeros((p["Wya"].shape[0], m, T_x))
    caches, state = [], a0
    steps = range(T_x - 1, -1, -1) if reverse else range(T_x)
    for t in steps:
        prev = state
        new, y[:, :, t], cache = _cell(x[:, :, t], a0 if keep_a0 else state, p, waa_t=waa_t, act=act)
        a[:, :, t] = prev if store_prev else new
        state = new
        caches.append(cache)
    return a, y, caches


def _seq_model(cell="lstm", units=64, input_shape=(28, 28), num_classes=10, *, ignore_cell=False,
               ignore_units=False, out="softmax", rnn_act="tanh", sequences=False, compile=True):
    kind = {"simple_rnn": layers.SimpleRNN, "lstm": layers.LSTM, "gru": layers.GRU}
    rnn = kind["lstm" if ignore_cell else cell]
    opts = {"activation": rnn_act, "return_sequences": sequences}
    stack = [keras.Input(input_shape), rnn(64 if ignore_units else units, **opts)]
    stack += [layers.Flatten()] if sequences else []
    stack += [layers.Dense(num_classes, activation=out)]
    model = keras.Sequential(stack)
    if compile:
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def _dense_only():
    model = keras.Sequential([keras.Input((28, 28)), layers.Flatten(), layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model


_untrained_lstm = _seq_model()
_dense_model = _dense_only()

WRONG = [
    Entry("q1", "softmax over rows", {"softmax": softmax_rows}),
    Entry("q1", "softmax without subtracting the maximum", {"softmax": softmax_naive}),
    Entry("q1", "softmax over the whole array", {"softmax": softmax_whole_array}),
    Entry("q1", "ReLU cell", {"rnn_cell_forward": lambda xt, a_prev, p: _cell(xt, a_prev, p, act=lambda z: np.maximum(z, 0))}),
    Entry("q1", "sigmoid cell", {"rnn_cell_forward": lambda xt, a_prev, p: _cell(xt, a_prev, p, act=lambda z: 1 / (1 + np.exp(-z)))}),
    Entry("q1", "Waa transposed", {"rnn_cell_forward": lambda xt, a_prev, p: _cell(xt, a_prev, p, waa_t=True)}),
    Entry("q1", "ba missing", {"rnn_cell_forward": lambda xt, a_prev, p: _cell(xt, a_prev, p, bias=False)}),
    Entry("q1", "y_pred from a_prev", {"rnn_cell_forward": lambda xt, a_prev, p: _cell(xt, a_prev, p, y_from_prev=True)}),
    Entry("q1", "sigmoid output for softmax", {"rnn_cell_forward": lambda xt, a_prev, p: _cell(xt, a_prev, p, out=lambda z: 1 / (1 + np.exp(-z)))}),
    Entry("q1", "naive softmax inside the cell", {"rnn_cell_forward": lambda xt, a_prev, p: _cell(xt, a_prev, p, out=softmax_naive)}),
    Entry("q1", "cache in another order", {"rnn_cell_forward": lambda xt, a_prev, p: (lambda r: (r[0], r[1], (xt, a_prev, r[0], p)))(_cell(xt, a_prev, p))}),
    Entry("q1", "cache as a list", {"rnn_cell_forward": lambda xt, a_prev, p: (lambda r: (r[0], r[1], list(r[2])))(_cell(xt, a_prev, p))},
          public=True, message=("`rnn_cell_forward (the worked example)`: cache should be the tuple (a_next, a_prev, xt, params), got a list",)),
    Entry("q2", "caches as a tuple", {"rnn_forward": lambda x, a0, p: (lambda r: (r[0], r[1], tuple(r[2])))(_forward(x, a0, p))},
          public=True, message=("`rnn_forward (the worked example)`: caches should be a list of the 2 caches of rnn_cell_forward, got a tuple",)),
    Entry("q2", "caches in reverse order", {"rnn_forward": lambda x, a0, p: (lambda r: (r[0], r[1], r[2][::-1]))(_forward(x, a0, p))},
          public=True, message=("rnn_forward (the worked example): caches[0][0], a_next of time step 1`: values differ",)),
    Entry("q2", "a0 fed at every step", {"rnn_forward": lambda x, a0, p: _forward(x, a0, p, keep_a0=True)},
          message=("rnn_forward (the worked example): a and y_pred differ",
                   "`a`: values differ at index (0, 0, 1), time step 2 of 2",
                   "time step 1 matches; time step 2 differs",
                   "rnn_forward, n_x=3, n_a=5, n_y=2, m=4, T_x=6: a and y_pred differ",
                   "time step 1 matches; time steps 2-6 differ")),
    Entry("q2", "stores the previous state", {"rnn_forward": lambda x, a0, p: _forward(x, a0, p, store_prev=True)}),
    Entry("q2", "Waa transposed", {"rnn_forward": lambda x, a0, p: _forward(x, a0, p, waa_t=True)}),
    Entry("q2", "runs backwards in time", {"rnn_forward": lambda x, a0, p: _forward(x, a0, p, reverse=True)}),
    Entry("q2", "ReLU recurrence", {"rnn_forward": lambda x, a0, p: _forward(x, a0, p, act=lambda z: np.maximum(z, 0))}),
    Entry("q3", "always an LSTM", {"build_sequence_model": lambda cell="lstm", units=64, input_shape=(28, 28), num_classes=10: _seq_model(cell, units, input_shape, num_classes, ignore_cell=True)}),
    Entry("q3", "units ignored", {"build_sequence_model": lambda cell="lstm", units=64, input_shape=(28, 28), num_classes=10: _seq_model(cell, units, input_shape, num_classes, ignore_units=True)}),
    Entry("q3", "softmax missing", {"build_sequence_model": lambda cell="lstm", units=64, input_shape=(28, 28), num_classes=10: _seq_model(cell, units, input_shape, num_classes, out=None)}),
    Entry("q3", "ReLU recurrence", {"build_sequence_model": lambda cell="lstm", units=64, input_shape=(28, 28), num_classes=10: _seq_model(cell, units, input_shape, num_classes, rnn_act="relu")}),
    Entry("q3", "every state flattened", {"build_sequence_model": lambda cell="lstm", units=64, input_shape=(28, 28), num_classes=10: _seq_model(cell, units, input_shape, num_classes, sequences=True)}),
    Entry("q3", "not compiled", {"build_sequence_model": lambda cell="lstm", units=64, input_shape=(28, 28), num_classes=10: _seq_model(cell, units, input_shape, num_classes, compile=False)}),
    Entry("q4", "untrained LSTM", {"seq_model": _untrained_lstm}),
    Entry("q4", "no recurrent layer", {"seq_model": _dense_model}),
    Entry("q4", "never built", {"seq_model": None}),
]


# --- other correct answers ----------------------------------------------------------------------

def softmax_logsumexp(z):
    shifted = z - np.max(z, axis=0)
    return np.exp(shifted - np.log(np.sum(np.exp(shifted), axis=0)))


def cell_stacked(xt, a_prev, parameters):
    # one matrix product with [Waa | Wax] on the stacked [a_prev; xt]
    W = np.hstack([parameters["Waa"], parameters["Wax"]])
    a_next = np.tanh(W @ np.vstack([a_prev, xt]) + parameters["ba"])
    logits = np.einsum("ya,am->ym", parameters["Wya"], a_next) + parameters["by"]
    y_pred = softmax_logsumexp(logits)
    return a_next, y_pred, (a_next, a_prev, xt, parameters)


def forward_precomputed(x, a0, parameters):
    # every step's input term at once, states collected in a list
    inputs = np.einsum("ax,xmt->amt", parameters["Wax"], x) + parameters["ba"][:, :, None]
    states, preds, caches, a = [], [], [], a0
    for t in range(x.shape[2]):
        a_prev, a = a, np.tanh(inputs[:, :, t] + parameters["Waa"] @ a)
        preds.append(softmax_logsumexp(parameters["Wya"] @ a + parameters["by"]))
        states.append(a)
        caches.append((a, a_prev, x[:, :, t], parameters))
    return np.stack(states, axis=2), np.stack(preds, axis=2), caches


def seq_functional(cell="lstm", units=64, input_shape=(28, 28), num_classes=10):
    inputs = keras.Input(shape=input_shape)
    if cell == "simple_rnn":
        h = layers.SimpleRNN(units=units, activation="tanh")(inputs)
    elif cell == "gru":
        h = layers.GRU(units)(inputs)
    else:
        h = layers.LSTM(units, return_sequences=False)(inputs)
    logits = layers.Dense(num_classes)(h)
    outputs = layers.Activation("softmax")(logits)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.RMSprop(), loss="sparse_categorical_crossentropy")
    return model


def seq_add_calls(cell="lstm", units=64, input_shape=(28, 28), num_classes=10):
    model = keras.Sequential()
    model.add(keras.Input(input_shape))
    model.add(getattr(layers, {"simple_rnn": "SimpleRNN", "lstm": "LSTM", "gru": "GRU"}[cell])(units))
    model.add(layers.Dropout(0.1))
    model.add(layers.Dense(num_classes, activation=keras.activations.softmax))
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(), metrics=["accuracy"])
    return model


RIGHT = [
    Entry("q1", "log-sum-exp softmax, stacked weights", {"softmax": softmax_logsumexp, "rnn_cell_forward": cell_stacked}),
    Entry("q2", "input terms precomputed with einsum", {"rnn_forward": forward_precomputed}),
    Entry("q3", "functional API, Activation layer", {"build_sequence_model": seq_functional}),
    Entry("q3", "Sequential.add with Dropout", {"build_sequence_model": seq_add_calls}),
]


# --- a mistake is charged once (autograder/judge/helpers.py) -----------------------------------
# A wrong cell under a correct rnn_forward (the reference's, which steps with rnn_cell_forward):
# q2 keeps its marks in grading, with a note that names the cell; q1 loses them (WRONG above).
CASCADE = [
    Entry("q2", "a ReLU cell under a correct rnn_forward",
          {"rnn_cell_forward": lambda xt, a_prev, p: _cell(xt, a_prev, p, act=lambda z: np.maximum(z, 0))},
          message=("`rnn_cell_forward`", "keeps its marks")),
]
