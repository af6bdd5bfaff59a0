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
import os as _os

from numpy._core import multiarray as _ma
from numpy._core import umath as _um
from numpy._core._ufunc_config import errstate as _errstate

_float64 = _ma.dtype("float64")
_asarray = _ma.array          # C function: np.array(obj, dtype=..., copy=...)
_absolute = _um.absolute      # ufunc object
_isfinite = _um.isfinite

CASES_ENV = "DLLAB_CASES_DIR"


# --- loading the hidden cases -------------------------------------------------------------

def cases_path(lab):
    """Where the hidden cases of `lab` live: $DLLAB_CASES_DIR, the working directory, or here."""
    name = f"dllab_cases_{lab}.pkl"
    for folder in (_os.environ.get(CASES_ENV), _os.getcwd(), _os.path.dirname(__file__)):
        if folder and _os.path.isfile(_os.path.join(folder, name)):
            return _os.path.join(folder, name)
    raise FileNotFoundError(f"{name} not found: the autograder zip ships it beside the tests")


_CACHE = {}


def load_cases(lab):
    """The dictionary of hidden inputs and reference outputs the build wrote for `lab`."""
    path = cases_path(lab)
    if path not in _CACHE:
        with _io.open(path, "rb") as f:
            _CACHE[path] = _pickle.loads(f.read())
    return _CACHE[path]


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

def as_float_array(value, name="output"):
    """`value` as a plain float64 ndarray (subclasses dropped), or an AssertionError saying why."""
    assert value is not None, (
        f"`{name}` returned None: the function is still a stub, or it is missing a `return`"
    )
    try:
        arr = _asarray(value, dtype=_float64, copy=True, subok=False)
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
