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
import linecache as _linecache
import os as _os
import re as _re
import sys as _sys
from re import escape as _re_escape
from warnings import catch_warnings as _catch_warnings
from warnings import filterwarnings as _filterwarnings

from numpy import __version__ as _NUMPY_VERSION
from numpy._core import multiarray as _ma
from numpy._core import umath as _um
from numpy._core._ufunc_config import errstate as _errstate
from numpy.exceptions import VisibleDeprecationWarning as _VisibleDeprecationWarning

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

def call(fn, name, *args, case=None, **kwargs):
    """Call the student's `fn` on private copies of array arguments.

    Clear messages for what students meet first: a function that is not defined (renamed, or
    its cell not run), a stub that returns None, and a function that raises. `case` says in
    words which case this call is ("N=2, 5x6 input, stride=1, pad=0": shapes and settings,
    never the inputs' values); when `fn` raises, the AssertionError names the function, the
    case, the exception and the student's own line that raised it (see raised_message).
    """
    if isinstance(fn, Remote):  # grading: the function runs in the student's kernel
        return fn.channel.call(fn.name, name, args, kwargs, case)
    assert fn is not None, (
        f"`{name}` is not defined: run the cell that defines it, and keep its name and "
        f"signature as given"
    )
    assert callable(fn), f"`{name}` should be a function, got {type(fn).__name__}"
    args = [_copy(a) for a in args]
    kwargs = {k: _copy(v) for k, v in kwargs.items()}
    try:
        out = _call_as_the_grader(fn, args, kwargs)  # fn(*args, **kwargs), as under the grader's numpy
    except Exception as e:  # not KeyboardInterrupt: a cell timeout must still stop the tests
        raise AssertionError(raised_message(name, case, e, fn, args, kwargs)) from None
    # every graded function returns something; None means a stub or a missing `return`
    assert out is not None, (
        f"`{name}` returned None: the function is still a stub, or it is missing a `return`"
    )
    return out


# --- the student's numpy against the grader's ------------------------------------------------
#
# The grader runs the numpy pinned in pyproject.toml, which the build writes into every facts
# file. An older numpy (2.0, what Colab shipped) only warns about some things the grader's
# refuses: `Z[n, i, j, k] = np.sum(...) + b[k:k+1]` stores a one-element array into one element,
# a DeprecationWarning in numpy 2.0 and a ValueError in the grader's. So where numpy is older
# than the grader's, the student's function runs with numpy's deprecations as errors, and the
# public check fails where the grader would. Where numpy is the grader's (grading itself), it
# runs as it is. The warning functions are taken at import, before a submission can replace them.

def _release(version):
    """(2, 0, 2) from "2.0.2" or "2.5.0.dev0+git..."."""
    parts = []
    for part in str(version).split(".")[:3]:
        digits = ""
        for ch in part:
            if not ch.isdigit():
                break
            digits += ch
        parts.append(int(digits or 0))
    return tuple(parts)


def grader_numpy():
    """The grader's numpy version (a string) from the facts file beside the tests (every lab's
    holds the same versions); None where there is none."""
    folders = (_os.environ.get(CASES_ENV), _os.getcwd(), _os.path.dirname(__file__))
    if folders not in _CACHE:
        _CACHE[folders] = None
        for folder in folders:
            names = sorted(_os.listdir(folder)) if folder and _os.path.isdir(folder) else []
            facts = [n for n in names if n.startswith("dllab_facts_") and n.endswith(".json")]
            if facts:
                with _io.open(_os.path.join(folder, facts[0]), "r", encoding="utf-8") as f:
                    _CACHE[folders] = _json.loads(f.read()).get("grader_versions", {}).get("numpy")
                break
    return _CACHE[folders]


# numpy's messages when an array goes where one number goes (numpy 2.0 only warned about an
# array of one value there)
_ARRAY_FOR_A_NUMBER = ("setting an array element with a sequence",
                       "only 0-dimensional arrays can be converted to Python scalars",
                       "only length-1 arrays can be converted to Python scalars")
_DEPRECATIONS = (DeprecationWarning, _VisibleDeprecationWarning)
_TAKE_A_NUMBER = "Take the number out first: `b[k]`, not `b[k:k+1]` (an array of one value); or `.item()`."


def _call_as_the_grader(fn, args, kwargs):
    """`fn(*args, **kwargs)`, raising where the grader's numpy would raise. Its exceptions keep
    their type and traceback (`call` words them); the text says why where numpy versions differ
    (first: the text of a raised exception is cut at some length)."""
    grader = grader_numpy()
    try:
        if grader is None or _release(_NUMPY_VERSION) >= _release(grader):
            return fn(*args, **kwargs)
        # only what the student's own code does (the module that defines `fn`): a library's
        # own deprecations are the same under the grader's versions
        module = _re_escape(getattr(fn, "__module__", None) or "__main__") + "$"
        with _catch_warnings():
            _filterwarnings("error", category=DeprecationWarning, module=module)
            _filterwarnings("error", category=_VisibleDeprecationWarning, module=module)
            return fn(*args, **kwargs)
    except Exception as e:
        text = str(e).rstrip(".")
        versions = (f"your numpy {_NUMPY_VERSION} only warns about this, the grader's numpy "
                    f"{grader} refuses it, and so do these checks")
        array_for_a_number = isinstance(e, (ValueError, TypeError)) and any(
            m in text for m in _ARRAY_FOR_A_NUMBER)
        if array_for_a_number and isinstance(e.__cause__, _DEPRECATIONS):
            # numpy 2.0 with its deprecation as an error: the grader's own ValueError, the
            # deprecation as its cause
            e.args = (f"{text}: one element was given an array of one value; {versions}. "
                      f"{_TAKE_A_NUMBER}",)
        elif array_for_a_number:
            e.args = (f"{text}: one element of an array was given an array, not a number. "
                      f"{_TAKE_A_NUMBER} numpy 2.0 only warned about an array of one value "
                      f"there; newer numpy, the grader's among them, refuses it.",)
        elif isinstance(e, _DEPRECATIONS):
            e.args = (f"your numpy {_NUMPY_VERSION} only warns about this; the grader runs numpy "
                      f"{grader}, and newer numpy refuses what older numpy deprecated, so these "
                      f"checks do too: {e}",)
        raise


def _copy(value):
    """A private copy of arrays, also inside tuples, lists and dicts (a backward pass's cache)."""
    if isinstance(value, _ma.ndarray):
        return _asarray(value, copy=True)
    if type(value) in (tuple, list):
        return type(value)(_copy(v) for v in value)
    if type(value) is dict:
        return {k: _copy(v) for k, v in value.items()}
    return value


# --- when the student's function raises: their line, not the test's ------------------------
#
# IPython compiles every notebook cell under a file name of its own and keeps the cell's text
# in linecache, so the exception's traceback leads to the line in the student's cell. The
# names: "/tmp/ipykernel_<pid>/<hash>.py" (ipykernel 6 and later: Jupyter, VS Code, Colab,
# nbclient under otter) and "<ipython-input-<n>-<hash>>" (older IPython). The line is given
# within its function ("line 21 of conv2d_backward", the def line being line 1) with its text:
# the cell's execution count would, in graded feedback, count the grading run's cells, not the
# student's. Everything here only words a message: it runs inside try, and the verdict (an
# AssertionError) stands whatever a submission has done to re or linecache.

_CELL_FILE = _re.compile(r"<ipython-input-\d+-|[/\\]ipykernel_\d+[/\\]")
_MAX_ERROR = 600  # characters of the exception's own message kept (a repr can be long)


def _in_notebook(filename):
    """Whether code compiled under `filename` comes from a notebook cell."""
    if _CELL_FILE.search(filename):
        return True
    ipython = getattr(_sys.modules.get("IPython"), "get_ipython", lambda: None)()
    naming = getattr(getattr(ipython, "compile", None), "format_code_name", None)
    return bool(naming and naming(filename))  # IPython 8 knows the names it gave its cells


def _student_frames(error, fn):
    """(code, line number) of the student's frames in `error`'s traceback, outermost first.

    The frames below `call` that come from notebook cells; without any (a function defined in a
    module, as in the project's galleries), those of the file that defines `fn`.
    """
    frames, tb = [], error.__traceback__.tb_next  # the first entry is call's own line
    while tb is not None:
        frames.append((tb.tb_frame.f_code, tb.tb_lineno))
        tb = tb.tb_next
    own = [f for f in frames if _in_notebook(f[0].co_filename)]
    if not own:
        home = getattr(getattr(fn, "__code__", None), "co_filename", None)
        own = [f for f in frames if f[0].co_filename == home]
    # a comprehension or a lambda counts its lines from its own start: its function says more,
    # at the same line
    named = [f for f in own if not f[0].co_name.startswith("<")]
    return named or own


def _line(code, lineno):
    """'line 21 of conv2d_backward:' and the line's text on the next line."""
    text = _linecache.getline(code.co_filename, lineno).strip()
    where = f"line {lineno - code.co_firstlineno + 1} of {code.co_name}"
    return where + (f":\n      {text}" if text else "")


def _kind(value):
    """What an argument is, without its values: "array (2, 5, 6, 3)", "int", "tuple of (...)"."""
    if isinstance(value, _ma.ndarray):
        return f"array {value.shape}"
    if type(value) in (tuple, list):
        return f"{type(value).__name__} of (" + ", ".join(_kind(v) for v in value) + ")"
    if type(value) is dict:
        return "dict of " + ", ".join(f"{k}: {_kind(v)}" for k, v in value.items())
    return type(value).__name__


def raised_message(name, case, error, fn=None, args=(), kwargs=None):
    """What a student reads when their function `name` raised `error` on `case`, e.g.

        `conv2d_backward` raised ValueError: could not broadcast input array from shape
        (0,0,1) into shape (3,3,1)
          case: N=2, 5x5 input, C_in=1, 3x3 filters, C_out=2, stride=1, pad=0
          at line 21 of conv2d_backward:
              dX[i, :, :, :] = dx_pad[pad:-pad, pad:-pad, :]

    When the line that raised is in another function of the student's (a helper), the line of
    the graded function that called it follows ("called from line 12 of conv2d_forward").
    Without a `case`, the arguments `args` and `kwargs` are described by shape and type alone
    ("called with: array (100, 13), array (100,)"). Never the test's code, never the inputs'
    values (unless the student's own message prints them).
    """
    try:
        text = str(error).strip()
    except Exception:  # a __str__ that raises
        text = ""
    if len(text) > _MAX_ERROR:
        text = text[:_MAX_ERROR] + " ..."
    lines = [f"`{name}` raised {type(error).__name__}" + (f": {text}" if text else "")]
    try:
        if case:
            lines.append(f"  case: {case}")
        elif args or kwargs:
            kinds = [_kind(a) for a in args] + [f"{k}={_kind(v)}" for k, v in (kwargs or {}).items()]
            called = ", ".join(kinds)
            lines.append("  called with: " + (called if len(called) <= _MAX_ERROR else called[:_MAX_ERROR] + " ..."))
        own = _student_frames(error, fn)
        if own:
            lines.append("  at " + _line(*own[-1]))
        if len(own) > 1 and own[0][0] is not own[-1][0]:
            lines.append("  called from " + _line(*own[0]))
    except Exception:  # the message goes without the student's line, the verdict stands
        pass
    return "\n".join(lines)


# --- what otter shows of a failed case ------------------------------------------------------
#
# otter 7 words every failed case as "Error at line N in test qX:", the test's own source line,
# then the exception. For the AssertionErrors of these helpers and of the tests' asserts that
# line only points the student at the test's code (and in a hidden test, shows it): the message
# itself names the call, the case and, when the student's function raised, the student's line.
# Every test imports this module before it can fail, in the process that runs the tests (the
# student's kernel for grader.check, the grading kernel, this project's harness), so there such
# a failure reads as its message alone. Any other exception (a test's own code failing) keeps
# otter's wording; the grading runner still strips the source line from a hidden test's.

def _otter_words_assertions_without_test_source():
    try:
        from otter.test_files.exception_test import ExceptionTestFile
    except Exception:  # no otter here (the build reads describe_layers): nothing is shown
        return
    otter_words = ExceptionTestFile._generate_error_message
    if getattr(otter_words, "dllab", False):  # the public copy of this module came first
        return

    def words(self, excp, context=0):
        if isinstance(excp, AssertionError):
            return f"AssertionError: {excp}"
        return otter_words(self, excp, context)

    words.dllab = True
    ExceptionTestFile._generate_error_message = words


_otter_words_assertions_without_test_source()


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


def _numbers(flags):
    """1-based positions of the true entries of a 1-d bool array, in runs: "1, 3-5"."""
    runs, start = [], None
    for i, flag in enumerate(list(flags) + [False], start=1):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            runs.append(f"{start}" if i - 1 == start else f"{start}-{i - 1}")
            start = None
    return ", ".join(runs)


def _parts_verdict(ok, axis, part):
    """Which parts along `axis` differ and which match: "time step 1 matches; time steps 2-6
    differ" (`ok`: the elementwise verdict, `part`: what one index along the axis is called)."""
    others = tuple(a for a in range(ok.ndim) if a != axis)
    bad = (~ok).any(axis=others) if others else ~ok
    n_bad, n = int(bad.sum()), bad.shape[0]
    differ = f"{part}{'' if n_bad == 1 else 's'} {_numbers(bad)} {'differs' if n_bad == 1 else 'differ'}"
    if n_bad == n:
        return f"all {n} {part}s differ" if n > 1 else differ
    return (f"{part}{'' if n - n_bad == 1 else 's'} {_numbers(~bad)} "
            f"{'matches' if n - n_bad == 1 else 'match'}; {differ}")


def assert_close(got, expected, name="output", rtol=1e-6, atol=1e-8, parts=None):
    """Shape exactly, values within `atol + rtol*|expected|`; the message names the first miss.

    The message gives the shapes, the first mismatching index and the two values there, and
    how many values differ, never the inputs.

    `parts`, for an output whose one axis holds parts that mean something on their own: (axis,
    what one index along it is called), e.g. (2, "time step") for an RNN's states (n_a, m, T_x).
    The message then counts along that axis from 1, as a student reads it ("index (0, 0, 1),
    time step 2 of 6"), and says which parts match and which differ.
    """
    got_arr = as_float_array(got, name)
    exp_arr = _asarray(expected, dtype=_float64, copy=True, subok=False)
    axis, part = parts if parts else (None, None)
    if got_arr.shape != exp_arr.shape and parts and got_arr.ndim == exp_arr.ndim:
        raise AssertionError(f"`{name}`: expected shape {exp_arr.shape}, got {got_arr.shape} "
                             f"({exp_arr.shape[axis]} {part}s along axis {axis}, got "
                             f"{got_arr.shape[axis]})")
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
        if parts:
            where += f", {part} {first[axis] + 1} of {exp_arr.shape[axis]}"
        raise AssertionError(
            f"`{name}`: values differ{where}: expected {float(exp_arr[first]):.6g}, "
            f"got {float(got_arr[first]):.6g} "
            f"({flat_bad.size} of {exp_arr.size} values outside rtol={rtol:g}, atol={atol:g})"
            + (f"; {_parts_verdict(ok, axis, part)}" if parts else "")
        )
    return got_arr


def _words(names):
    """"dX", "dX and db", "dX, dW and db"."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def assert_outputs_close(got, expected, names, name, rtol=1e-6, atol=1e-8, parts=None):
    """Each output of a function that returns several, within tolerance; one message says which
    outputs differ and which match, then assert_close's message for each that differs.

    Inputs:
    - got: what the student's function returned, a tuple or list of len(names)
    - expected: the reference outputs in the same order; None for one compared elsewhere
    - names: the outputs' names, e.g. ("dX", "dW", "db")
    - name: str, the call and its case, e.g. "conv2d_backward, N=2, 5x5 input, stride=1, pad=0"
    - rtol, atol: as in assert_close
    - parts: dict, an output's name -> assert_close's `parts` for it

    Message: "conv2d_backward, <case>: dW differs; dX and db match" and dW's first miss.
    """
    n = names.__len__()
    # the exact built-in types: their __len__ and indexing are slots a submission cannot bend
    assert type(got) in (tuple, list) and got.__len__() == n, (
        f"`{name}` should return a tuple of {n} ({', '.join(names)}), got "
        + (f"{got.__len__()} values" if type(got) in (tuple, list) else type(got).__name__))
    differ, match, details, i = [], [], [], -1
    for part in names:  # no builtin (enumerate, zip) decides which outputs are compared
        i += 1
        if expected[i] is None:
            continue
        try:
            assert_close(got[i], expected[i], part, rtol, atol, (parts or {}).get(part))
            match.append(part)
        except AssertionError as e:
            differ.append(part)
            details.append(str(e))
    if differ:
        verdict = f"{_words(differ)} {'differs' if differ.__len__() == 1 else 'differ'}"
        if match:
            verdict += f"; {_words(match)} {'matches' if match.__len__() == 1 else 'match'}"
        raise AssertionError(f"{name}: {verdict}\n" + "\n".join(details))
    return got


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


def call_label(name, kwargs=None):
    """How messages name one call of a builder.

    Inputs:
    - name: str, the function's name
    - kwargs: dict of the keyword arguments of the call (empty or None: the defaults)

    Returns:
    - label: str, "build_lenet5() with default arguments" or
      "build_lenet5(input_shape=(32, 32, 1), num_classes=5)"
    """
    if not kwargs:
        return f"{name}() with default arguments"
    return f"{name}(" + ", ".join(f"{k}={v!r}" for k, v in kwargs.items()) + ")"


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


# --- the judge's side: the student's objects as data ---------------------------------------
#
# In grading, the tests run in the judge's process and the student's code in the student's
# kernel (docs/integrity.md). A model crosses as a spec (model_spec, in the kernel): its
# layers' built-in classes and configurations, their weights, its input and its compile
# settings; the judge rebuilds a genuine Keras model from Keras' own classes (model_from_spec),
# and the tests read that. What could not be copied crosses as the reason, raised by the first
# check that reads the model.

class RefusedModel:
    """A model of the student's that the grader could not copy; `why` says why."""

    def __init__(self, why):
        self.why = str(why)

    def __repr__(self):
        return "<a model the grader could not copy>"


def _refused(model):
    if isinstance(model, RefusedModel):
        raise AssertionError(model.why)


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


class Remote:
    """The judge's stand-in for a function of the student's: calling it (directly or through
    `call`) runs the function in the student's kernel and returns what it returned, as data."""

    def __init__(self, name, channel):
        self.name = name
        self.channel = channel

    def __call__(self, *args, **kwargs):
        return call(self, self.name, *args, **kwargs)

    def __repr__(self):
        return f"<the notebook's function {self.name}>"
