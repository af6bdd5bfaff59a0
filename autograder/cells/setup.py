"""The student notebook's setup cell (the build puts it before the first code cell).

It must work in Jupyter, VS Code and Colab. Colab keeps no notebook file on the runtime's disk
and otter refuses tests kept in notebook metadata there, so the public checks travel inside
this cell as a base64 zip and are written to ./public_tests/ (not ./tests/: while grading,
otter keeps the full tests there).
"""
# Setup: run this cell first. It installs otter-grader where it is missing (Colab), writes
# this lab's public checks to ./public_tests/, and creates `grader`.
import base64
import io
import os
import sys
import zipfile

from IPython import get_ipython

OTTER_REQUIREMENT = "otter-grader"  # filled in by the build: the grader's own version
PUBLIC_CHECKS = ""  # filled in by the build: the public tests and their helpers, zipped
try:
    import otter
except ImportError:
    get_ipython().run_line_magic("pip", f"install -q {OTTER_REQUIREMENT}")
    import otter

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
