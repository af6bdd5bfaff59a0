"""How a student's function is called and how its failure reads: `call`, with the judge's
stand-in for a function of the student's (`Remote`) and the name a builder's call goes by
(`call_label`).

Apart from the comparisons (dllab_checks): this is the half that touches the student's
function (runs it, copies its inputs, reads its traceback); the comparisons judge what came
back. When grading, the two run on either side of the sandbox: `call` in the student's kernel,
for the judge's requests (kernel/dllab_kernel.py), the comparisons in the judge, where `call`
only forwards to the kernel through `Remote`. The tests import `call` and `call_label` from
dllab_checks, which takes them from here; dllab_checks imports this module, never the other
way round.

Arrays are copied with numpy's C constructor taken from numpy's private module, which a
submission that patches `np.*` does not reach (dllab_checks says why).
"""

import _io
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
from numpy.exceptions import VisibleDeprecationWarning as _VisibleDeprecationWarning

_asarray = _ma.array          # C function: np.array(obj, dtype=..., copy=...)

CASES_ENV = "DLLAB_CASES_DIR"


def _beside_the_tests():
    """The folders where the build's files beside the tests are looked for, in order:
    $DLLAB_CASES_DIR, the working directory (the zip puts its files beside the submission),
    and the folder of these helpers (the student's public checks keep the facts beside them).
    Here and not with the loading of the cases (dllab_checks) because `call` reads the
    grader's numpy from the facts, and this module imports nothing of dllab_checks."""
    return (_os.environ.get(CASES_ENV), _os.getcwd(), _os.path.dirname(__file__))


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


_GRADER_NUMPY = {}  # the folders searched -> the version found there (None: no facts)


def grader_numpy():
    """The grader's numpy version (a string) from the facts file beside the tests (every lab's
    holds the same versions); None where there is none."""
    folders = _beside_the_tests()
    if folders not in _GRADER_NUMPY:
        _GRADER_NUMPY[folders] = None
        for folder in folders:
            names = sorted(_os.listdir(folder)) if folder and _os.path.isdir(folder) else []
            facts = [n for n in names if n.startswith("dllab_facts_") and n.endswith(".json")]
            if facts:
                with _io.open(_os.path.join(folder, facts[0]), "r", encoding="utf-8") as f:
                    _GRADER_NUMPY[folders] = _json.loads(f.read()).get("grader_versions", {}).get("numpy")
                break
    return _GRADER_NUMPY[folders]


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


# --- how messages name a call ------------------------------------------------------------

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


# --- the judge's stand-in -----------------------------------------------------------------

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
