"""Keras models in the tests: what two spellings of one network share, and a trained model
measured by the grader, never by the model's own methods.

Used by the tests of the labs that build Keras models (1, 2, 4, 5), wherever the tests run
(autograder/checks/__init__.py): on the student's live model in `grader.check`, and when
grading, on the copy the judge rebuilds from the spec the kernel sends (model_spec,
model_from_spec). Keras is imported inside the functions: it takes seconds to load, and a
lab's numpy questions never need it.
"""


try:  # in the package
    from . import dllab_checks as _checks
except ImportError:  # beside the tests
    import dllab_checks as _checks

_asarray, _ma, _um = _checks._asarray, _checks._ma, _checks._um
_float64, _absolute = _checks._float64, _checks._absolute
as_float_array, assert_equal = _checks.as_float_array, _checks.assert_equal


# --- Keras models: what two spellings of the same network share ----------------------------
#
# The builders of lab 4 (and lab 5) return Sequential or functional models: the feature-map part
# of lab 4 reads each layer's output, which only those two APIs record. The helpers below follow
# the layers as the model runs them, not `model.layers`: a nested Sequential block is opened,
# and one layer object called twice counts twice. Keras 3 records that graph in
# `_nodes_by_depth` (what a functional model's own `call` walks; a Sequential model keeps its
# functional twin in `_functional`). Both names are private, so tests/test_checks.py holds them
# to every spelling the course accepts: a Keras that renames them fails there, not in grading.

# Identities outside training, without weights: left out of the comparison.
_SKIPPED = frozenset({"InputLayer", "Dropout", "SpatialDropout1D", "SpatialDropout2D",
                      "SpatialDropout3D", "GaussianDropout", "GaussianNoise", "AlphaDropout"})
# Layers that only apply an activation: they count as the activation of the layer before.
_ACTIVATION_LAYERS = frozenset({"Activation", "ReLU", "Softmax", "LeakyReLU", "ELU"})
# Elementwise and non-decreasing, so f(max(a, b)) = max(f(a), f(b)): right after a max pooling
# such an activation gives the same network as right before it.
_MONOTONE = frozenset({"relu", "tanh", "sigmoid"})
_MAX_POOLS = frozenset({"MaxPooling1D", "MaxPooling2D", "MaxPooling3D"})

# Two rows of six numbers (negative, zero, small, large) that tell the activations apart:
# 7.5 tells relu from relu6, 0.05 from a thresholded relu.
_PROBE = ((-3.0, -0.5, 0.0, 0.05, 0.3, 7.5), (2.0, -1.0, 0.5, -6.5, 3.0, 0.1))


def _shape(shape):
    """A Keras shape as a plain tuple of ints and None (compared with ==, which it cannot bend)."""
    return tuple(None if d is None else int(d) for d in shape)


def _known_activations(x):
    """name -> what that activation gives for the probe x (2, 6), softmax over the last axis."""
    e = _um.exp(x - x.max(axis=-1, keepdims=True))
    return {"linear": x, "relu": _um.maximum(x, 0.0), "softmax": e / e.sum(axis=-1, keepdims=True),
            "tanh": _um.tanh(x), "sigmoid": 1.0 / (1.0 + _um.exp(-x))}


def _which_activation(fn, rank):
    """The known activation `fn` computes ("relu", "softmax", ...), or None.

    Told by what `fn` does, not by how it is spelled, so "relu", keras.activations.relu,
    keras.ops.relu, layers.ReLU() and layers.Activation("relu") are one. The probe gets `rank`
    axes, (2, 1, ..., 1, 6) like the layer's output, so that a softmax over another axis than the
    last is not taken for the softmax.
    """
    import keras

    x = _asarray(_PROBE, dtype=_float64)
    shape = (2,) + (1,) * max(rank - 2, 0) + (6,)
    try:
        out = fn(keras.ops.convert_to_tensor(x.reshape(shape).astype("float32")))
        got = _asarray(keras.ops.convert_to_numpy(out), dtype=_float64).reshape(2, 6)
    except Exception:  # not a one-tensor elementwise function (an Add, a Rescaling, ...)
        return None
    for known, want in _known_activations(x).items():
        if (_absolute(got - want) <= 1e-6 + 1e-5 * _absolute(want)).all():
            return known
    return None


def _own_name(fn):
    """A readable name for an activation the course does not use ("elu", "LeakyReLU")."""
    inner = getattr(fn, "activation", None)           # an Activation layer: its function
    return getattr(inner, "__name__", None) or getattr(fn, "__name__", None) or type(fn).__name__


def _graph(model):
    """The recorded graph that runs `model`, or None (a subclassed model, or a Sequential model
    that has no input yet)."""
    import keras

    if isinstance(model, keras.Sequential):
        return getattr(model, "_functional", None)
    return model if hasattr(model, "_nodes_by_depth") else None


def _runs(model):
    """(operation, output shape) for each layer or operation `model` runs, in the order it runs
    them, nested Sequential and functional models opened.

    A model without a recorded graph comes as (model, None), for the caller to explain.
    """
    import keras

    graph = _graph(model)
    if graph is None:
        yield model, None
        return
    by_depth = graph._nodes_by_depth
    for depth in sorted(by_depth, reverse=True):  # the inputs are deepest: Keras runs those first
        for node in by_depth[depth]:
            op = node.operation
            if op is None or node.is_input:
                continue
            if isinstance(op, keras.Model):
                yield from _runs(op)
            else:
                yield op, _shape(node.outputs[0].shape)


def _no_graph_message(model, name, position, top):
    """Why `model` (met at `position` among the compared layers) has no layer outputs."""
    import keras

    inner = [layer for layer in getattr(model, "layers", []) if type(layer).__name__ != "InputLayer"]
    first = f"layer {position} ({type(inner[0]).__name__})" if inner else f"layer {position}"
    if isinstance(model, keras.Sequential):
        return (f"{name}: the Sequential model has no input yet, so {first} has no output "
                f"shape; begin it with keras.Input(shape=input_shape), or give its first layer "
                f"input_shape=input_shape")
    what = "returns" if top else f"has, as layer {position},"
    return (f"{name}: {what} a subclassed keras.Model ({type(model).__name__}). Its layers, "
            f"from {first} on, record no output of their own, and the feature-map part of the "
            f"lab reads each layer's output: build the network with keras.Sequential or the "
            f"functional API (keras.Model(inputs, outputs)), as the docstring says")


def _activation_of(op, kind, rank):
    """The activation `op` applies when applying one is all it does, else None."""
    import keras

    if kind in _ACTIVATION_LAYERS:
        return _which_activation(op, rank) or _own_name(op)
    if not isinstance(op, keras.layers.Layer):  # keras.ops.relu(x) in a functional model
        return _which_activation(op, rank)
    return None


def _fold(rows, activation, shape):
    """Count a separate activation as the activation of the linear layer before it."""
    if activation == "linear":                       # an identity
        return
    if rows and rows[-1].get("activation") == "linear":
        rows[-1]["activation"] = activation
    elif (activation in _MONOTONE and len(rows) >= 2 and rows[-1]["type"] in _MAX_POOLS
          and rows[-2].get("activation") == "linear"):
        rows[-2]["activation"] = activation          # Conv2D -> MaxPooling2D -> ReLU
    else:
        rows.append({"type": "Activation", "output_shape": shape, "activation": activation})


def _layer_row(layer, kind, shape):
    """The facts of one layer: type, output shape, parameters, activation, window settings."""
    count = getattr(layer, "count_params", None)
    row = {"type": kind, "output_shape": shape, "params": int(count()) if count else 0}
    fn = getattr(layer, "activation", None)
    if callable(fn):
        row["activation"] = _which_activation(fn, len(shape)) or _own_name(fn)
    cfg = layer.get_config()
    if "kernel_size" in cfg:
        row["kernel_size"] = tuple(int(k) for k in cfg["kernel_size"])
        row["strides"] = tuple(int(s) for s in cfg["strides"])
        row["padding"] = str(cfg["padding"])
    if "pool_size" in cfg:
        # no padding here: for the even sizes these networks pool, "same" and "valid" give the
        # same output, and the output shape already shows any difference
        row["pool_size"] = tuple(int(k) for k in cfg["pool_size"])
        row["strides"] = tuple(int(s) for s in cfg["strides"])
    return row


def describe_layers(model, name):
    """The facts of every layer that two spellings of the same network share, in the order the
    model runs its layers.

    Inputs:
    - model: a keras.Sequential or functional keras.Model with an input
    - name: str, how messages name the call that made the model

    Returns:
    - rows: list of dicts, one per compared layer, e.g.
      {"type": "Conv2D", "output_shape": (None, 28, 28, 6), "params": 156,
       "activation": "relu", "kernel_size": (5, 5), "strides": (1, 1), "padding": "same"}
      (pooling layers: "pool_size" and "strides"; Flatten: type, output shape, params).

    Input and Dropout layers are left out; nested models are opened; a layer called twice comes
    twice. A separate activation (an Activation, ReLU or Softmax layer, keras.ops.relu) counts as
    the activation of the linear layer just before it, so Dense(84, activation="relu") and
    Dense(84) + ReLU() describe the same network.
    """
    assert model is not None, f"`{name}` returned None: the function is still a stub"
    _refused(model)
    assert hasattr(model, "layers") and hasattr(model, "count_params"), (
        f"`{name}` should return a keras.Model, got {type(model).__name__}")
    rows = []
    for op, shape in _runs(model):
        if shape is None:
            raise AssertionError(_no_graph_message(op, name, len(rows) + 1, op is model))
        kind = type(op).__name__
        if kind in _SKIPPED:
            continue
        activation = _activation_of(op, kind, len(shape))
        if activation is not None:
            _fold(rows, activation, shape)
        else:
            rows.append(_layer_row(op, kind, shape))
    return rows


# The facts of a row in the order a message names the first difference: settings first (they
# say what to change), then what follows from them (output shape, parameters).
_FIELDS = (("kernel_size", "kernel size"), ("strides", "strides"), ("padding", "padding"),
           ("pool_size", "pool size"), ("activation", "activation"),
           ("output_shape", "output shape"), ("params", "parameters"))


def _first_difference(got, want):
    """1-based position of the first place two lists differ (the shorter one ends there)."""
    for i, (g, w) in enumerate(zip(got, want), start=1):
        if w != g:
            return i
    return min(len(got), len(want)) + 1


def _assert_layer_types(rows, expected, name):
    got = [str(r["type"]) for r in rows]
    want = [str(r["type"]) for r in expected]
    if want == got:
        return
    i = _first_difference(got, want)
    at = lambda kinds: kinds[i - 1] if i <= len(kinds) else "no more layers"  # noqa: E731
    raise AssertionError(
        f"{name}: expected the layers {', '.join(want)}; got {', '.join(got)}. The first "
        f"difference is layer {i}: expected {at(want)}, got {at(got)} (Input and Dropout layers "
        f"are left out, and an activation layer counts as the activation of the layer before it)")


def assert_architecture(model, expected, name):
    """`model` runs the layers `expected` lists (rows of describe_layers), and is compiled.

    Inputs:
    - model: what the student's builder returned
    - expected: list of rows, as describe_layers gives them for the reference network
    - name: str, the call that made the model, e.g. call_label("build_lenet5", {})

    Messages name a layer by its position among the compared layers and its type,
    "layer 3 (Conv2D)", and give the first fact that differs there.
    """
    rows = describe_layers(model, name)
    _assert_layer_types(rows, expected, name)
    for i, (got, want) in enumerate(zip(rows, expected), start=1):
        for key, label in _FIELDS:
            if key in want and want[key] != got.get(key):
                none = " (no activation)" if key == "activation" and got.get(key) == "linear" else ""
                raise AssertionError(f"{name}: layer {i} ({want['type']}): expected {label} "
                                     f"{want[key]!r}, got {got.get(key)!r}{none}")
    assert_equal(int(model.count_params()), int(sum(r.get("params", 0) for r in expected)),
                 f"{name}: total parameters")
    assert getattr(model, "compiled", False), (
        f"{name}: the model is not compiled; compile it before returning it, as the docstring says")


# Five integer labels and the probabilities a 3-class softmax might give them: three argmaxes of
# five are right (accuracy 0.6), no row ties, and no two losses the course meets agree here.
_LABELS = (0, 2, 1, 2, 0)
_PROBS = ((0.7, 0.2, 0.1), (0.1, 0.3, 0.6), (0.5, 0.3, 0.2), (0.2, 0.2, 0.6), (0.3, 0.4, 0.3))


def _loss_label(loss):
    """How the compile call spelled the loss, for messages."""
    if isinstance(loss, str):
        return repr(loss)
    label = getattr(loss, "__name__", None) or type(loss).__name__
    config = loss.get_config() if hasattr(loss, "get_config") else {}
    return label + ("(from_logits=True)" if type(config) is dict and config.get("from_logits") else "")


def _close(got, want):
    return bool(_absolute(_asarray(got, dtype=_float64) - want) <= 1e-6 + 1e-5 * _absolute(want))


def assert_compiled_for_integer_labels(model, name):
    """`model` is compiled as the builders' docstrings ask: optimizer Adam, loss sparse
    categorical cross-entropy of integer labels and the softmax's probabilities, and exactly one
    metric, the accuracy.

    Inputs:
    - model: what the student's builder returned
    - name: str, the call that made the model

    The loss and the metric are judged by what they compute on five integer labels, not by how
    they are spelled: "sparse_categorical_crossentropy", keras.losses.SparseCategoricalCrossentropy()
    and keras.losses.sparse_categorical_crossentropy all pass; categorical cross-entropy (one-hot
    labels) and from_logits=True (a second softmax on the probabilities) do not.
    """
    import keras

    _refused(model)
    assert getattr(model, "compiled", False), (
        f"{name}: the model is not compiled; compile it before returning it, as the docstring says")
    optimizer = type(getattr(model, "optimizer", None)).__name__
    assert optimizer == "Adam", (
        f'{name}: compile with optimizer="adam" (keras.optimizers.Adam), as the docstring says; '
        f"got {optimizer}")
    probs = _asarray(_PROBS, dtype=_float64)
    picked = _asarray([row[y] for row, y in zip(_PROBS, _LABELS)], dtype=_float64)
    want_loss = (-_um.log(picked)).mean()
    want_acc = (probs.argmax(axis=1) == _asarray(_LABELS)).mean()
    y = keras.ops.convert_to_tensor(_asarray(_LABELS, dtype=_ma.dtype("int64")))
    p = keras.ops.convert_to_tensor(probs.astype("float32"))
    spelled = _loss_label(getattr(model, "loss", None))
    ask = 'loss="sparse_categorical_crossentropy" (integer labels, probabilities out of the softmax)'
    try:
        loss = float(keras.ops.convert_to_numpy(model.compute_loss(x=None, y=y, y_pred=p)))
    except Exception as e:
        raise AssertionError(f"{name}: compile with {ask}; the loss {spelled} fails on integer "
                             f"labels ({type(e).__name__}: {str(e).splitlines()[0][:160]})")
    assert _close(loss, want_loss), (
        f"{name}: compile with {ask}; on five integer labels that loss gives {want_loss:.6g}, "
        f"the loss {spelled} gives {loss:.6g}")
    ask = 'metrics=["accuracy"], one metric (the notebook reads loss, accuracy = model.evaluate(...))'
    try:
        results = model.compute_metrics(None, y, p)
    except Exception as e:
        raise AssertionError(f"{name}: compile with {ask}; the metrics fail on integer labels "
                             f"({type(e).__name__}: {str(e).splitlines()[0][:160]})")
    metrics = {k: float(keras.ops.convert_to_numpy(v)) for k, v in results.items() if k != "loss"}
    assert len(metrics) == 1, (
        f"{name}: compile with {ask}; got "
        + (f"{len(metrics)} metrics: {', '.join(metrics)}" if metrics else "no metric"))
    (metric, value), = metrics.items()
    assert _close(value, want_acc), (
        f"{name}: compile with {ask}; on five integer labels the accuracy is {want_acc:.6g}, "
        f"the metric {metric} gives {value:.6g}")


# --- a model the grader could not copy ----------------------------------------------------

class RefusedModel:
    """A model of the student's that the grader could not copy; `why` says why."""

    def __init__(self, why):
        self.why = str(why)

    def __repr__(self):
        return "<a model the grader could not copy>"


def _refused(model):
    if isinstance(model, RefusedModel):
        raise AssertionError(model.why)
