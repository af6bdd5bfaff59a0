"""Comparison helpers used by every lab's otter tests, public and hidden, the loading of the
hidden cases and of the lab's facts, and the checks of the type a docstring promises.

The build copies this file into each autograder zip, beside the runner and beside the notebook.
Where each part runs (autograder/checks/__init__.py): the comparisons in the judge when grading,
where nothing of the student's process reaches them, and in the student's kernel when the student
runs `grader.check`. How the student's function is called (`call`) is dllab_calls', which runs
in the student's kernel when grading; the tests import it from here all the same.

Why the odd imports: in the student's kernel the student's code runs first, and can replace
`np.allclose`, `np.max`, `math.isclose`, `builtins.abs`, ... A public check written with those
names would believe it. The helpers here compare with ndarray operators and methods only (the
slots of a built-in type cannot be reassigned from Python) and build arrays with numpy's C
constructor taken from numpy's private module, which a submission that patches `np.*` does not
reach. The grade no longer depends on this (the judge runs every test in a process of its own:
docs/integrity.md), but a public check should not lie to the student either.
"""

import _io
import _pickle
import json as _json
import os as _os

from numpy._core import multiarray as _ma
from numpy._core import umath as _um
from numpy._core._ufunc_config import errstate as _errstate

try:  # in the package
    from . import dllab_calls as _calls
except ImportError:  # beside the tests
    import dllab_calls as _calls

_float64 = _ma.dtype("float64")
_asarray = _ma.array          # C function: np.array(obj, dtype=..., copy=...)
_absolute = _um.absolute      # ufunc object
_isfinite = _um.isfinite

# A test imports all its helpers from this module, one line whatever it uses: `call` and
# `call_label` are dllab_calls' own, named here for the tests.
call, call_label = _calls.call, _calls.call_label


# --- loading the hidden cases and the lab's facts ------------------------------------------

def _find(filename):
    """The file the build wrote beside the tests, in the first of dllab_calls' folders that
    holds it."""
    for folder in _calls._beside_the_tests():
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


# --- the type a docstring promises -----------------------------------------------------------
#
# docs/course.md, "Types": "a Python int" is exactly `int`; "int" also takes a numpy integer;
# "float" is one floating-point number, Python's or numpy's, never an array of one value; "bool"
# is True or False, Python's or numpy's. `verb` is "be" for one part of what was returned. A 0-d
# array counts as the numpy scalar it holds: the judge receives it as one (dllab_wire), so both
# places reach the same verdict. Types are read with `type` and isinstance on numpy's own
# classes, which a submission cannot reassign.

def describe_value(value):
    """What a value is, for a message: "float 3.5", "numpy.int64 3", "an array of shape (1,)"."""
    if isinstance(value, (_ma.ndarray, _ma.generic)) and value.shape == ():
        return f"numpy.{value.dtype.type.__name__} {value.item()!r}"
    if isinstance(value, _ma.ndarray):
        return f"an array of shape {value.shape}"
    if type(value) in (bool, int, float):
        return f"{type(value).__name__} {value!r}"
    if type(value) in (tuple, list):
        return f"a {type(value).__name__} of {value.__len__()} values"
    return f"a {type(value).__name__}"


def _number_kind(value):
    """numpy's kind letter of a number ("b", "i", "u", "f"); None for anything else."""
    if type(value) in (bool, int, float):
        return {bool: "b", int: "i", float: "f"}[type(value)]
    if isinstance(value, (_ma.ndarray, _ma.generic)) and value.shape == ():
        return value.dtype.kind
    return None


def assert_int(got, name, python=False, verb="return"):
    """`got` is a whole number of an integer type: exactly a Python int when `python` (the
    docstring says "a Python int"), else a Python int or a numpy integer. Never a bool, nor a
    float that happens to be whole (4.0).

    Message: "`conv_output_size(7, 2, 0, 2)` should return a Python int, got float 3.5".
    """
    assert got is not None, f"`{name}` returned None: the function is still a stub"
    ok = type(got) is int if python else _number_kind(got) in ("i", "u")
    if not ok:
        hint = ""
        if python and _number_kind(got) in ("i", "u"):
            hint = " (int(...) makes it a Python int)"
        elif _number_kind(got) == "f":
            hint = " (`/` and np.floor give floats; `//` of two ints gives an int)"
        raise AssertionError(f"`{name}` should {verb} {'a Python int' if python else 'an int'}, "
                             f"got {describe_value(got)}{hint}")
    return got


def assert_float(got, name, verb="return"):
    """`got` is one floating-point number: a Python float or a numpy float (np.float64,
    np.float32), not an array of one value, not an int.

    Message: "`cross_entropy` should return a float, got an array of shape (1,)".
    """
    assert got is not None, f"`{name}` returned None: the function is still a stub"
    assert _number_kind(got) == "f", f"`{name}` should {verb} a float, got {describe_value(got)}"
    return got


def assert_bool(got, name, verb="return"):
    """`got` is True or False: a Python bool or a numpy bool (np.all(...) gives one), not 1 or 0.

    Message: "`perceptron_train on XOR: converged` should be a bool (True or False), got int 0".
    """
    assert got is not None, f"`{name}` returned None: the function is still a stub"
    assert _number_kind(got) == "b", (
        f"`{name}` should {verb} a bool (True or False), got {describe_value(got)}")
    return got


def assert_dtype(got, kinds, what, name, verb="return"):
    """The numbers of an array (or of a list of numbers) are of one of numpy's `kinds`:
    "iu" for "an int array" (bool is not), "f" for "a float array". `what` words it.

    Message: "`perceptron_predict` should return an int array, got dtype bool".
    """
    assert got is not None, f"`{name}` returned None: the function is still a stub"
    try:
        arr = got if isinstance(got, _ma.ndarray) else _asarray(got)
    except Exception:  # ragged lists, objects
        raise AssertionError(f"`{name}` should {verb} {what}, got {describe_value(got)}") from None
    assert arr.dtype.kind in kinds, f"`{name}` should {verb} {what}, got dtype {arr.dtype}"
    return got
