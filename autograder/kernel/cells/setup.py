"""The student notebook's setup cell (the build puts it before the first code cell).

It must work in Jupyter, VS Code and Colab. Colab keeps no notebook file on the runtime's disk
and otter refuses tests kept in notebook metadata there, so the public checks travel inside
this cell as a base64 zip and are written to ./public_tests/ (not ./tests/: while grading,
otter keeps the full tests there). The build puts a `#@title` line above this text and shows
the cell collapsed (notebooks.hide_source): this docstring is dropped, the comments below stay
visible to a student who opens the cell, so they speak to the student.

In a lab with Keras the cell also imports Keras (and so TensorFlow) once, quietly: TensorFlow's
C++ libraries write notices to file descriptor 2 while they load (oneDNN, CPU instructions; its
TF_CPP_MIN_LOG_LEVEL does not reach the oneDNN one), and ipykernel shows that descriptor's text
in red under the cell that ran, as if the student's code had failed. TF_CPP_MIN_LOG_LEVEL=3 is
set first, as the course's own commands and the grading kernels have it: besides the notices it
leaves out the `E0000 ... node_def_util.cc ... NodeDef mentions attribute use_unbounded_threadpool`
line that TensorFlow 2.21 logs at each predict() with op determinism on (labs 1 and 2 set
TF_DETERMINISTIC_OPS; tf.data's rewrite of a parallel map copies an attribute that the sequential
op lacks, and ignores it). Errors that concern the student's code still raise Python exceptions.
While grader.check runs, TensorFlow's "N out of the last M calls ... triggered tf.function
retracing" warning is left out too: the public tests build models afresh and predict with each
(lab 1's q3 and q4 four times), and the Submit cell, which runs every check once more, brought
the count over TensorFlow's bar of five.
"""
# This cell installs otter-grader where it is missing (Colab), says which of your package
# versions differ from the grader's, writes this lab's public checks to ./public_tests/, and
# creates `grader`.
import base64
import io
import os
import sys
import zipfile

from IPython import get_ipython

OTTER_REQUIREMENT = "otter-grader"  # filled in by the build: the grader's own version
GRADER_VERSIONS = {}  # filled in by the build: the grader's versions of what this lab imports
PUBLIC_CHECKS = ""  # filled in by the build: the public tests and their helpers, zipped
QUIET_IMPORTS = []  # filled in by the build: the libraries a lab with Keras imports quietly below
try:
    import otter
except ImportError:
    get_ipython().run_line_magic("pip", f"install -q {OTTER_REQUIREMENT}")
    import otter


def _versions_that_differ(grader):
    """A line for each package whose version here is not the grader's (installed ones only)."""
    from importlib import metadata

    import numpy

    here = {"numpy": numpy.__version__, "otter": otter.__version__}
    for module, dists in (("keras", ["keras"]), ("tensorflow", ["tensorflow", "tensorflow-cpu"])):
        for dist in dists:  # without importing TensorFlow, which takes seconds
            try:
                here[module] = metadata.version(dist)
                break
            except metadata.PackageNotFoundError:
                pass

    def release(version):  # (2, 21, 0) from "2.21.0" and from "2.21.0+cpu"
        return tuple(int(p) if p.isdigit() else 0 for p in version.split("+")[0].split(".")[:3])

    lines = []
    for module, version in grader.items():
        if module not in here or release(here[module]) == release(version):
            continue
        if module == "numpy" and release(here[module]) < release(version):
            why = ("newer numpy refuses some things older numpy only warns about; the checks below "
                   "run your functions as the grader's numpy would")
        elif module == "numpy":
            why = "the grader's older numpy may accept or warn about what yours refuses"
        elif module == "otter":
            why = f"the checks may behave differently (`pip install {OTTER_REQUIREMENT}` gives you the grader's)"
        else:
            why = "the grader trains your model with its own version: results can differ a little"
        lines.append(f"  {module} {here[module]} here, {version} in the grader: {why}")
    return lines


_differ = _versions_that_differ(GRADER_VERSIONS)
if _differ:
    print("Your versions differ from the grader's, which grades your notebook with its own:",
          *_differ, sep="\n")
del _differ, _versions_that_differ


def _import_quietly(module):
    """Import `module` here, leaving out what the libraries it loads write to the error stream
    about themselves (TensorFlow's notices on the CPU instructions and oneDNN it uses): they are
    about the installation, not about your code. Anything else written meanwhile is shown."""
    import importlib
    import re
    import tempfile

    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)  # where the C++ libraries write, below Python's sys.stderr
        try:
            importlib.import_module(module)
        except ImportError:
            pass  # not installed here: the notebook's own `import` says so, in full
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
        captured.seek(0)
        text = captured.read().decode(errors="replace")
    # the notices: INFO and WARNING lines of the C++ log, and the second line of the CPU one
    notice = re.compile(r"WARNING: All log messages before absl::InitializeLog\(\) is called"
                        r"|[IW]\d{4} [\d:.]+ +\d+ [\w./-]+:\d+\] "
                        r"|To enable the following instructions: .* rebuild TensorFlow")
    sys.stderr.write("".join(line for line in text.splitlines(True) if not notice.match(line)))


if QUIET_IMPORTS:
    # TensorFlow's own C++ log: only fatal errors (errors that concern your code still raise
    # Python exceptions). It is read once, when TensorFlow loads: set before the import below.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    for _module in QUIET_IMPORTS:
        _import_quietly(_module)
del _import_quietly

with zipfile.ZipFile(io.BytesIO(base64.b64decode(PUBLIC_CHECKS))) as _zip:
    _zip.extractall("public_tests")
# The public tests import their comparison helpers (dllab_public_checks) by name; otter runs
# them in this kernel, so the helpers' folder goes on the path. It is a folder of its own
# because grader.check_all() takes every .py file beside the tests for a test.
sys.path.append(os.path.abspath(os.path.join("public_tests", "support")))
grader = otter.Notebook(tests_dir="public_tests")


def _without_retracing_warnings(check):
    """`check` (grader.check or grader.check_all) with TensorFlow's warnings about "retracing"
    left out while it runs: the checks build small models afresh and predict with each, which
    TensorFlow reports when it happens often. Such a warning from your own cells is shown."""
    import functools
    import logging

    def filter_record(record):
        return "triggered tf.function retracing" not in record.getMessage()

    @functools.wraps(check)
    def quiet_check(*args, **kwargs):
        tensorflow_log = logging.getLogger("tensorflow")
        tensorflow_log.addFilter(filter_record)
        try:
            return check(*args, **kwargs)
        finally:
            tensorflow_log.removeFilter(filter_record)

    return quiet_check


if QUIET_IMPORTS:
    grader.check = _without_retracing_warnings(grader.check)
    grader.check_all = _without_retracing_warnings(grader.check_all)
del _without_retracing_warnings


def ready(*values):
    """True once the functions you call return something (a stub returns None)."""
    return all(v is not None for v in values)
