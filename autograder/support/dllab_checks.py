"""Comparison helpers used by every lab's otter tests, public and hidden.

The build copies this file into each autograder zip; otter then puts it beside the
submission, so a test file can `from dllab_checks import ...`.

Why the odd imports: otter runs the tests inside the student's own Python process, after
the student's code. A submission can therefore replace `np.allclose`, `np.max`,
`math.isclose`, `builtins.abs`, `pickle.load`, ... and a test written with those names
would believe it. The helpers here compare with ndarray operators and methods only (the
slots of a built-in type cannot be reassigned from Python) and build arrays with numpy's
C constructor taken from numpy's private module, which a submission that patches `np.*`
does not reach. What in-process checks cannot defend against, and what container
isolation adds, is written down in docs/integrity.md.
"""

import _io
import _pickle
import json as _json
import os as _os

from numpy._core import multiarray as _ma
from numpy._core import umath as _um
from numpy._core._ufunc_config import errstate as _errstate

_float64 = _ma.dtype("float64")
_asarray = _ma.array          # C function: np.array(obj, dtype=..., copy=...)
_absolute = _um.absolute      # ufunc object
_isfinite = _um.isfinite

CASES_ENV = "DLLAB_CASES_DIR"


# --- loading the hidden cases and the lab's facts ------------------------------------------

def _find(filename):
    """$DLLAB_CASES_DIR, the working directory (the zip puts its files beside the submission),
    or the folder of this module (the student's public checks keep the facts beside it)."""
    for folder in (_os.environ.get(CASES_ENV), _os.getcwd(), _os.path.dirname(__file__)):
        if folder and _os.path.isfile(_os.path.join(folder, filename)):
            return _os.path.join(folder, filename)
    raise FileNotFoundError(f"{filename} not found: the build writes it beside the tests")


def cases_path(lab):
    """Where the hidden cases of `lab` live (only the autograder zip ships them)."""
    return _find(f"dllab_cases_{lab}.pkl")


_CACHE = {}


def load_cases(lab):
    """The dictionary of hidden inputs and reference outputs the build wrote for `lab`."""
    path = cases_path(lab)
    if path not in _CACHE:
        with _io.open(path, "rb") as f:
            _CACHE[path] = _pickle.loads(f.read())
    return _CACHE[path]


def lab_facts(lab):
    """The lab's thresholds and training budget, from its lab.toml (written by the build)."""
    path = _find(f"dllab_facts_{lab}.json")
    with _io.open(path, "r", encoding="utf-8") as f:
        return _json.loads(f.read())


# --- calling the student's function ---------------------------------------------------------

def call(fn, name, *args, **kwargs):
    """Call the student's `fn` on private copies of array arguments.

    Clear messages for what students meet first: a function that is not defined (renamed, or
    its cell not run) and a stub that returns None.
    """
    assert fn is not None, (
        f"`{name}` is not defined: run the cell that defines it, and keep its name and "
        f"signature as given"
    )
    assert callable(fn), f"`{name}` should be a function, got {type(fn).__name__}"
    args = [_copy(a) for a in args]
    kwargs = {k: _copy(v) for k, v in kwargs.items()}
    out = fn(*args, **kwargs)
    # every graded function returns something; None means a stub or a missing `return`
    assert out is not None, (
        f"`{name}` returned None: the function is still a stub, or it is missing a `return`"
    )
    return out


def _copy(value):
    """A private copy of arrays, also inside tuples, lists and dicts (a backward pass's cache)."""
    if isinstance(value, _ma.ndarray):
        return _asarray(value, copy=True)
    if type(value) in (tuple, list):
        return type(value)(_copy(v) for v in value)
    if type(value) is dict:
        return {k: _copy(v) for k, v in value.items()}
    return value


# --- comparisons -------------------------------------------------------------------------

def as_float_array(value, name="output", dtype="float64"):
    """`value` as a plain ndarray of `dtype` (subclasses dropped), or an AssertionError saying why.

    float64 for comparisons; float32 for a model's inputs, which Keras reads as float32 anyway
    (an MNIST test set in float64 is 63 MB spent for nothing).
    """
    assert value is not None, (
        f"`{name}` returned None: the function is still a stub, or it is missing a `return`"
    )
    try:
        arr = _asarray(value, dtype=_ma.dtype(dtype), copy=True, subok=False)
    except Exception as e:  # ragged lists, strings, objects
        raise AssertionError(f"`{name}` should return a numeric array; got {type(value).__name__} ({e})")
    return arr


def _fmt_index(index):
    return "(" + ", ".join(str(i) for i in index) + ")" if len(index) != 1 else f"({index[0]},)"


def assert_shape(got, shape, name="output"):
    arr = as_float_array(got, name)
    shape = tuple(shape)
    assert arr.shape == shape, f"`{name}`: expected shape {shape}, got {arr.shape}"
    return arr


def assert_close(got, expected, name="output", rtol=1e-6, atol=1e-8):
    """Shape exactly, values within `atol + rtol*|expected|`; the message names the first miss.

    The message gives the shapes, the first mismatching index and the two values there, and
    how many values differ, never the inputs.
    """
    got_arr = as_float_array(got, name)
    exp_arr = _asarray(expected, dtype=_float64, copy=True, subok=False)
    assert got_arr.shape == exp_arr.shape, (
        f"`{name}`: expected shape {exp_arr.shape}, got {got_arr.shape}"
    )
    tol = atol + rtol * _absolute(exp_arr)
    with _errstate(invalid="ignore"):  # inf - inf is nan: judged below, not worth a warning
        ok = (_absolute(got_arr - exp_arr) <= tol) & _isfinite(got_arr)
    # equal infinities count as equal
    ok = ok | ((got_arr == exp_arr) & ~_isfinite(exp_arr))
    if not ok.all():
        flat_bad = (~ok).reshape(-1).nonzero()[0]  # reshape: numpy 2 refuses nonzero() on 0-d
        first = tuple(int(i) for i in _ma.unravel_index(int(flat_bad[0]), exp_arr.shape))
        where = f" at index {_fmt_index(first)}" if first else ""
        raise AssertionError(
            f"`{name}`: values differ{where}: expected {float(exp_arr[first]):.6g}, "
            f"got {float(got_arr[first]):.6g} "
            f"({flat_bad.size} of {exp_arr.size} values outside rtol={rtol:g}, atol={atol:g})"
        )
    return got_arr


def assert_equal(got, expected, name="output"):
    """Exact equality: numbers through numpy (an object whose `__eq__` always answers True
    does not pass), anything else (tuples, strings) with `==` on the trusted side."""
    assert got is not None, f"`{name}` returned None: the function is still a stub"
    if type(expected) in (int, float):
        g = as_float_array(got, name)
        assert g.shape == (), f"`{name}`: expected a single number, got shape {g.shape}"
        assert (g == _asarray(expected, dtype=_float64)).all(), (
            f"`{name}`: expected {expected!r}, got {g.item()!r}"
        )
        return
    assert expected == got, f"`{name}`: expected {expected!r}, got {got!r}"


# --- Keras models: what two spellings of the same network share ----------------------------

def describe_layers(model, name):
    """The facts of every layer that two spellings of the same network share.

    InputLayer and Dropout change neither shapes nor weights, so they are skipped; an
    Activation, ReLU or Softmax layer is folded into the linear layer just before it, so that
    Dense(84, activation="relu") and Dense(84) + Activation("relu") describe the same network.
    """
    assert model is not None, f"`{name}` returned None: the function is still a stub"
    assert hasattr(model, "layers") and hasattr(model, "count_params"), (
        f"`{name}` should return a keras.Model, got {type(model).__name__}")
    rows = []
    for layer in model.layers:
        kind = type(layer).__name__
        if kind in ("InputLayer", "Dropout"):
            continue
        try:
            shape = tuple(layer.output.shape)
        except (AttributeError, ValueError):
            raise AssertionError(
                f"`{name}`: layer {layer.name!r} has no output shape; start the model with "
                f"keras.Input(shape=input_shape) so that Keras builds every layer")
        cfg = layer.get_config()
        fn = getattr(layer, "activation", None)
        act = getattr(fn, "__name__", None) if fn is not None else None
        folded = None
        if kind == "Activation":
            folded = act
        elif kind == "ReLU" and not cfg.get("max_value") and not cfg.get("negative_slope") \
                and not cfg.get("threshold"):
            folded = "relu"
        elif kind == "Softmax" and cfg.get("axis") in (-1, [-1], (-1,)):
            folded = "softmax"
        if folded is not None:
            if rows and rows[-1].get("activation") == "linear":
                rows[-1]["activation"] = folded
            else:
                rows.append({"type": "Activation", "output_shape": shape, "activation": folded})
            continue
        row = {"type": kind, "output_shape": shape, "params": int(layer.count_params())}
        if act is not None:
            row["activation"] = act
        if "kernel_size" in cfg:
            row["kernel_size"] = tuple(cfg["kernel_size"])
            row["strides"] = tuple(cfg["strides"])
            row["padding"] = cfg["padding"]
        if "pool_size" in cfg:
            # no padding here: for the even sizes these networks pool, "same" and "valid"
            # give the same output, and the output shape already shows any difference
            row["pool_size"] = tuple(cfg["pool_size"])
            row["strides"] = tuple(cfg["strides"])
        rows.append(row)
    return rows


def assert_architecture(model, expected, name):
    """`model` has the layers `expected` lists (rows of describe_layers), and is compiled."""
    rows = describe_layers(model, name)
    assert_equal(len(rows), len(expected),
                 f"{name}: number of layers (Input, Dropout skipped; Activation folded)")
    for i, (got, want) in enumerate(zip(rows, expected)):
        assert_equal(got, want, f"{name}: layer {i + 1} ({want['type']})")
    assert_equal(int(model.count_params()), int(sum(r.get("params", 0) for r in expected)),
                 f"{name}: total parameters")
    assert getattr(model, "compiled", False), f"`{name}` should return a compiled model"


def accuracy(model, x, y, name, n_params=None):
    """Share of `model.predict(x)`'s argmax equal to the labels `y` (a trained classifier).

    With `n_params`, the model must first have that many parameters: a different (bigger)
    network does not earn the marks of a question about a given one.
    """
    assert model is not None, (
        f"`{name}` is None or not defined: run the cells that build and train it")
    assert hasattr(model, "predict") and hasattr(model, "count_params"), (
        f"`{name}` should be a trained keras.Model, got {type(model).__name__}")
    if n_params is not None:
        assert_equal(int(model.count_params()), n_params, f"{name}: number of parameters")
    labels = as_float_array(y, "labels").reshape(-1)
    probs = as_float_array(model.predict(x, batch_size=500, verbose=0), f"{name}.predict")
    assert probs.ndim == 2 and probs.shape[0] == labels.shape[0], (
        f"`{name}.predict`: expected shape ({labels.shape[0]}, number of classes), got {probs.shape}")
    return float((probs.argmax(axis=1) == labels).mean())
