"""Trained models measured by the grader, and models crossing from the kernel to the judge.

A submission's model object can say anything about itself, so the grader measures a copy it
builds from Keras' own classes (rebuilt_copy, measured_in_required). When grading, the same
copy is what crosses: the kernel describes the live model (model_spec) and the judge builds
it (model_from_spec). Keras is imported inside the functions, as in dllab_keras.
"""

import sys as _sys

try:  # in the package
    from . import dllab_checks as _checks
    from . import dllab_keras as _keras
except ImportError:  # beside the tests
    import dllab_checks as _checks
    import dllab_keras as _keras

_asarray, _ma, _float64 = _checks._asarray, _checks._ma, _checks._float64
as_float_array = _checks.as_float_array
_runs, _shape, _graph, _refused = _keras._runs, _keras._shape, _keras._graph, _keras._refused
_which_activation, _own_name, _no_graph_message = _keras._which_activation, _keras._own_name, _keras._no_graph_message
RefusedModel = _keras.RefusedModel


# --- trained models, measured by the grader ------------------------------------------------
#
# A submission's model object can say anything about itself: `predict`, `evaluate` and
# `__call__` can be replaced on the object or in a subclass, and `get_weights` can be overridden.
# So the accuracy (or error) of a trained model is never asked of that object. The grader builds
# a network of its own from Keras' built-in layer classes, copies into it the values of the
# submission's weight variables (read through the `weights` property of built-in layers, shapes
# checked), and predicts with that copy. Whatever the submission's objects claim, the figure is
# what a genuine network computes with the submission's weights:
# - where the docstring fixes the network (lab 4), the test builds the required network itself
#   (`measured_in_required`): a network that differs is measured as the required one would
#   compute with its weights;
# - where it is free (labs 1, 2, 5), each layer is rebuilt from its built-in class and its
#   configuration (`rebuilt_copy`); a custom class, a Lambda, an activation Keras does not know
#   are refused with a message.

# Keys of a layer's configuration that only matter for training: the copy takes Keras' defaults.
_TRAINING_ONLY = ("_initializer", "_regularizer", "_constraint")
_ACTIVATION_KEYS = ("activation", "recurrent_activation")
# Keras' own layers that run code from elsewhere (a Python function, a SavedModel on disk, a
# PyTorch, JAX or Flax module): a copy of one would run the submission's code again.
_RUNS_FOREIGN_CODE = frozenset({"Lambda", "TFSMLayer", "TorchModuleWrapper", "JaxLayer", "FlaxLayer"})


def _builtin_layer_class(op):
    """Whether `op` is an instance of one of Keras' own layer classes itself (not a subclass)."""
    import keras

    cls = type(op)
    return getattr(keras.layers, cls.__name__, None) is cls and cls.__module__.startswith("keras.")


def _where(position, op):
    return f"layer {position} ({type(op).__name__})"


def _weight_values(op, name, position):
    """The values of `op`'s weight variables, float32, in the order the layer creates them."""
    import keras

    if not isinstance(op, keras.layers.Layer):  # keras.ops.relu(x) in a functional model
        return []
    values = []
    for v in op.weights:  # a property of the built-in Layer class: an instance cannot shadow it
        assert isinstance(v, keras.Variable), (
            f"`{name}`: {_where(position, op)} holds a weight that is not a Keras variable "
            f"({type(v).__name__})")
        values.append(_asarray(keras.ops.convert_to_numpy(v.value), dtype=_ma.dtype("float32")))
    return values


def _checked_runs(model, name):
    """(operation, output shape) of every layer `model` runs, in order, or an AssertionError
    saying why the grader cannot follow the model (not a model, subclassed, no input)."""
    assert model is not None, f"`{name}` is None or not defined: run the cells that build and train it"
    _refused(model)
    import keras

    assert isinstance(model, keras.Model), f"`{name}` should be a trained keras.Model, got {type(model).__name__}"
    runs = list(_runs(model))
    for position, (op, shape) in enumerate(runs, start=1):
        if shape is None:
            raise AssertionError(_no_graph_message(op, f"`{name}`", position, op is model))
    return runs


def _fit_message(name, required_label, got, want):
    def shapes(rows):
        return "; ".join(f"{kind} {[tuple(getattr(a, 'shape', a)) for a in values]}"
                         for kind, values in rows)
    return (f"`{name}`: its weights do not fit {required_label}: the layers with weights, in the "
            f"order the model runs them, hold {shapes(got) or 'nothing'}; {required_label} needs "
            f"{shapes(want)}")


def measured_in_required(model, required, name, required_label):
    """`required` (a network the test built from Keras' own layers, with an input) holding the
    weights of `model`, copied layer by layer in the order `model` runs its layers.

    Inputs:
    - model: the submission's trained model (Sequential or functional, any spelling)
    - required: keras.Model the grader built, e.g. LeNet-5 as the docstring gives it
    - name: str, the notebook's name for the model ("lenet")
    - required_label: str, how messages name `required` ("LeNet-5 as the docstring of
      build_lenet5 gives it")

    Every layer of `model` with weights must be one of Keras' own classes (Conv2D, Dense, ...);
    the list of those layers' types and weight shapes must be the one `required` has. Layers
    without weights (pooling, Flatten, activations, Dropout) are not copied: `required` has its
    own, so a missing ReLU is measured as the required network computes, with the ReLU.
    """
    got = []
    for position, (op, _) in enumerate(_checked_runs(model, name), start=1):
        values = _weight_values(op, name, position)
        if not values:
            continue
        assert _builtin_layer_class(op), (
            f"`{name}`: {_where(position, op)} is a class of its own; the grader measures "
            f"{required_label}, and copies weights only from Keras' own layers")
        got.append((type(op).__name__, values))
    targets = [op for op, _ in _runs(required) if op.weights]
    want = [(type(layer).__name__, [tuple(v.shape) for v in layer.weights]) for layer in targets]
    fits = [(kind, [v.shape for v in values]) for kind, values in got] == want
    assert fits, _fit_message(name, required_label, got, want)
    for layer, (_, values) in zip(targets, got):
        for variable, value in zip(layer.weights, values):
            variable.assign(value)
    return required


def _is_chain(model):
    """Whether `model` runs its layers one after the other (no branch, no merge)."""
    import keras

    graph = _graph(model)
    for nodes in graph._nodes_by_depth.values():
        inner = [n for n in nodes if n.operation is not None and not n.is_input]
        if len(inner) > 1:
            return False
        if inner and isinstance(inner[0].operation, keras.Model) and not _is_chain(inner[0].operation):
            return False
    return True


def _builtin_activation(fn, rank, name, where):
    """The name of the Keras activation `fn` computes, or an AssertionError."""
    import keras

    known = _which_activation(fn, rank)
    if known is not None:
        return known
    own = getattr(fn, "__name__", "")
    try:
        is_keras = keras.activations.get(own) is fn
    except Exception:
        is_keras = False
    assert is_keras, (
        f"`{name}`: {where} applies {_own_name(fn)}, which is not one of Keras' own "
        f"activations; the grader measures a copy built from Keras' own layers and activations")
    return own


def _layer_spec(op, shape, name, position):
    """(class name, configuration) of a new layer of `op`'s built-in class with `op`'s
    configuration, activations named; an AssertionError where the grader cannot copy `op`."""
    import keras

    where = _where(position, op)
    if not isinstance(op, keras.layers.Layer):  # keras.ops.relu(x) in a functional model
        return "Activation", {"activation": _builtin_activation(op, len(shape), name, where)}
    assert _builtin_layer_class(op), (
        f"`{name}`: {where} is a class of its own; the grader measures a copy of the model built "
        f"from Keras' own layers: build it from keras.layers, Sequential or functional")
    cls = type(op)
    assert cls.__name__ not in _RUNS_FOREIGN_CODE, (
        f"`{name}`: {where} runs code of its own; the grader measures a copy of the model built "
        f"from Keras' own layers and cannot copy that")
    config = cls.get_config(op)  # the class's method: an instance cannot redirect it
    config = {k: v for k, v in config.items() if not k.endswith(_TRAINING_ONLY)}
    config["dtype"] = "float32"
    config.pop("name", None)
    # an RNN applies its activations to (batch, units); elsewhere to the layer's output
    rank = 2 if hasattr(op, "cell") else len(shape)
    for key in _ACTIVATION_KEYS:
        if key in config:
            config[key] = _builtin_activation(getattr(op, key), rank, name, where)
    _assert_plain_config(config, name, where)
    return cls.__name__, config


def _assert_plain_config(config, name, where):
    odd = [k for k, v in config.items() if type(v) in (dict, list) and "module" in repr(v)]
    assert not odd, (
        f"`{name}`: {where} holds {', '.join(odd)} of its own; the grader measures a copy built "
        f"from Keras' own layers and cannot copy that")


def _layer_from_spec(kind, config, name, where):
    """A new layer of Keras' own class `kind`: what the judge builds from a layer's spec."""
    import keras

    cls = getattr(keras.layers, str(kind), None)
    assert (isinstance(cls, type) and issubclass(cls, keras.layers.Layer)
            and cls.__module__.startswith("keras.") and cls.__name__ not in _RUNS_FOREIGN_CODE), (
        f"`{name}`: {where} is not one of Keras' own layers")
    assert type(config) is dict, f"`{name}`: {where} has no configuration"
    config = {str(k): v for k, v in config.items() if not str(k).endswith(_TRAINING_ONLY)}
    config["dtype"] = "float32"
    config.pop("name", None)
    _assert_plain_config(config, name, where)
    try:
        return cls.from_config(config)
    except Exception as e:
        raise AssertionError(f"`{name}`: {where} cannot be rebuilt from its configuration "
                             f"({type(e).__name__}: {str(e).splitlines()[0][:160] if str(e) else ''})")


def _rebuilt_layer(op, shape, name, position):
    """A new layer of `op`'s built-in class with `op`'s configuration (no weights yet)."""
    kind, config = _layer_spec(op, shape, name, position)
    return _layer_from_spec(kind, config, name, _where(position, op))


def rebuilt_copy(model, name, input_shape):
    """A keras.Sequential the grader builds from `model`'s layers (their built-in classes and
    configurations), holding `model`'s weights.

    Inputs:
    - model: the submission's trained model, Sequential or functional, layers one after the other
    - name: str, the notebook's name for the model ("mlp")
    - input_shape: tuple, one input without the batch axis, e.g. (784,)

    Returns:
    - copy: keras.Sequential with input (None, *input_shape), for predict_in_batches
    """
    import keras

    runs = _checked_runs(model, name)
    assert _is_chain(model), (
        f"`{name}`: the grader measures a copy of the model and copies only layers run one after "
        f"the other (Sequential, or a functional chain), as the docstring asks")
    layers = [_rebuilt_layer(op, shape, name, position)
              for position, (op, shape) in enumerate(runs, start=1)]
    try:
        copy = keras.Sequential([keras.Input(shape=tuple(input_shape)), *layers])
    except Exception as e:
        raise AssertionError(f"`{name}`: its layers cannot be rebuilt for inputs of shape "
                             f"{tuple(input_shape)} ({type(e).__name__}: {str(e).splitlines()[0][:160]})")
    for position, ((op, _), layer) in enumerate(zip(runs, layers), start=1):
        values = _weight_values(op, name, position)
        want = [tuple(v.shape) for v in layer.weights]
        assert [v.shape for v in values] == want, (
            f"`{name}`: the weights of {_where(position, op)} do not fit the layer: it holds "
            f"{[v.shape for v in values]}, a {type(op).__name__} with its configuration needs {want}")
        for variable, value in zip(layer.weights, values):
            variable.assign(value)
    return copy


def predict_in_batches(copy, x, batch_size=500):
    """What the grader's `copy` outputs for `x`, in float32 batches (low memory, any backend).

    Inputs:
    - copy: a keras.Model the grader built (measured_in_required or rebuilt_copy)
    - x: array (N, ...) of inputs

    Returns:
    - out: float64 array (N, ...) of outputs
    """
    import keras

    x = as_float_array(x, "inputs", "float32")
    outs = []
    for start in range(0, x.shape[0], batch_size):
        out = copy(keras.ops.convert_to_tensor(x[start:start + batch_size]), training=False)
        outs.append(_asarray(keras.ops.convert_to_numpy(out), dtype=_float64))
    return _ma.concatenate(outs, axis=0)


def measured_accuracy(copy, x, y, name):
    """Share of the argmax of `copy`'s output equal to the integer labels `y`."""
    labels = as_float_array(y, "labels").reshape(-1)
    probs = predict_in_batches(copy, x)
    assert probs.ndim == 2 and probs.shape[0] == labels.shape[0], (
        f"`{name}`: the measured copy gives outputs of shape {probs.shape}, expected "
        f"({labels.shape[0]}, number of classes)")
    return float((probs.argmax(axis=1) == labels).mean())


# --- when grading: models as data ---------------------------------------
#
# In grading, the tests run in the judge's process and the student's code in the student's
# kernel (docs/integrity.md). A model crosses as a spec (model_spec, in the kernel): its
# layers' built-in classes and configurations, their weights, its input and its compile
# settings; the judge rebuilds a genuine Keras model from Keras' own classes (model_from_spec),
# and the tests read that. What could not be copied crosses as the reason, raised by the first
# check that reads the model.


def model_spec(value, name):
    """`value` as a spec the judge can rebuild, when it is a Keras model; else None.

    Runs in the student's kernel, where the live model is: it follows the layers as the model
    runs them (nested models opened, activations told by what they compute, as rebuilt_copy
    does). A model that cannot be copied gives {"refused": the reason}.
    """
    keras = _sys.modules.get("keras")
    if keras is None or not isinstance(value, keras.Model):
        return None
    try:
        runs = _checked_runs(value, name)
        assert _is_chain(value), (
            f"`{name}`: the grader measures a copy of the model and copies only layers run one "
            f"after the other (Sequential, or a functional chain), as the docstring asks")
        layers = []
        for position, (op, shape) in enumerate(runs, start=1):
            kind, config = _layer_spec(op, shape, name, position)
            layers.append({"class": kind, "config": config,
                           "weights": _weight_values(op, name, position)})
        compiled = bool(getattr(value, "compiled", False))
        return {"input_shape": list(_shape(value.inputs[0].shape)), "layers": layers,
                "compiled": compiled, "compile": value.get_compile_config() if compiled else None}
    except AssertionError as e:
        return {"refused": str(e)}
    except Exception as e:  # whatever the model's own code raised while it was read
        return {"refused": f"`{name}`: the grader could not read the model ({type(e).__name__})"}


def model_from_spec(spec, name="the model"):
    """A keras.Sequential of Keras' own layers built from `spec` (data from the student's
    side, checked as it is read), holding its weights and compiled as it was; or a
    RefusedModel saying why not."""
    import keras

    if type(spec) is not dict:
        return RefusedModel(f"`{name}`: the grader received no readable model")
    if "refused" in spec:
        return RefusedModel(spec["refused"])
    try:
        layers, shapes = [], []
        for position, layer in enumerate(spec["layers"], start=1):
            where = f"layer {position} ({layer['class']})"
            layers.append(_layer_from_spec(layer["class"], layer["config"], name, where))
            shapes.append([tuple(_asarray(w).shape) for w in layer["weights"]])
        input_shape = tuple(None if d is None else int(d) for d in spec["input_shape"][1:])
        try:
            copy = keras.Sequential([keras.Input(shape=input_shape), *layers])
        except Exception as e:
            raise AssertionError(f"`{name}`: its layers cannot be rebuilt for inputs of shape "
                                 f"{input_shape} ({type(e).__name__})")
        for position, (layer, values) in enumerate(zip(layers, spec["layers"]), start=1):
            values = [_asarray(w, dtype=_ma.dtype("float32")) for w in values["weights"]]
            want = [tuple(v.shape) for v in layer.weights]
            assert [tuple(v.shape) for v in values] == want, (
                f"`{name}`: the weights of layer {position} do not fit the layer")
            for variable, value in zip(layer.weights, values):
                variable.assign(value)
        if spec.get("compiled") and type(spec.get("compile")) is dict:
            try:
                copy.compile_from_config(spec["compile"])
            except Exception as e:
                raise AssertionError(f"`{name}`: the grader cannot compile a copy of the model as it "
                                     f"was compiled ({type(e).__name__}: {str(e)[:160]}); compile "
                                     f"with Keras' own optimizers, losses and metrics")
        return copy
    except AssertionError as e:
        return RefusedModel(e)
    except (KeyError, TypeError, ValueError, IndexError) as e:
        return RefusedModel(f"`{name}`: the grader received a model it cannot read ({type(e).__name__})")
