"""The student notebook's setup cell (the build puts it before the first code cell).

It must work in Jupyter, VS Code and Colab. Colab keeps no notebook file on the runtime's disk
and otter refuses tests kept in notebook metadata there, so the public checks travel inside
this cell as a base64 zip and are written to ./public_tests/ (not ./tests/: while grading,
otter keeps the full tests there). The build puts a `#@title` line above this text and shows
the cell collapsed (notebooks.hide_source): this docstring is dropped, the comments below stay
visible to a student who opens the cell, so they speak to the student.
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

with zipfile.ZipFile(io.BytesIO(base64.b64decode(PUBLIC_CHECKS))) as _zip:
    _zip.extractall("public_tests")
# The public tests import their comparison helpers (dllab_public_checks) by name; otter runs
# them in this kernel, so the helpers' folder goes on the path. It is a folder of its own
# because grader.check_all() takes every .py file beside the tests for a test.
sys.path.append(os.path.abspath(os.path.join("public_tests", "support")))
grader = otter.Notebook(tests_dir="public_tests")


def ready(*values):
    """True once the functions you call return something (a stub returns None)."""
    return all(v is not None for v in values)
