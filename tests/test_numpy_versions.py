"""The same verdict under every numpy the course supports (issue 9).

numpy 2.0 (what Colab shipped, `tool.dllab.oldest-numpy` in pyproject.toml) only warns about some
things the grader's pinned numpy refuses: `Z[n, i, j, k] = np.sum(...) + b[k:k+1]` stores an
array of one value into one element, a DeprecationWarning there and a ValueError here. The public
checks (`dllab_calls.call`) run the student's function as the grader's numpy would.

- fast: under the pinned numpy the public checks fail such a conv2d_forward and say why; under a
  simulated numpy 2.0 (its version and its warning) the deprecation is an error in the student's
  own code only, and a numpy as new as the grader's leaves warnings as warnings;
- through the grader: a lab 3 notebook with that conv2d_forward in its own cell, graded under
  numpy 2.0.2 (a virtual environment over this one, made once with pip and kept in pytest's
  cache; the test skips and says so where pip cannot install it) and under the pinned numpy: the
  same score on every question. 35 s on this course's machine with the environment made from
  pip's cache, so not marked slow.
"""

import csv
import inspect
import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import nbformat
import numpy as np
import pytest

import gallery.lab3_cnn_numpy as lab3_gallery
from autograder.requirements import oldest_numpy, pinned_version
from autograder.checks import dllab_calls
from harness import run_question

LAB = "lab3_cnn_numpy"
GRADER_NUMPY = pinned_version("numpy")
WRONG = next(e for e in lab3_gallery.WRONG if "b[k:k+1]" in e.label)
# what numpy 2.0 says when an array of one value is stored into one element
NUMPY_2_0_WARNING = ("Conversion of an array with ndim > 0 to a scalar is deprecated, and will error in "
                     "future. Ensure you extract a single element from your array before performing this "
                     "operation. (Deprecated NumPy 1.25.)")


@pytest.fixture
def graders_facts(cases_dir, monkeypatch):
    """The facts beside the tests, as in the grader (they name the grader's numpy)."""
    monkeypatch.setenv("DLLAB_CASES_DIR", str(cases_dir))
    assert dllab_calls.grader_numpy() == GRADER_NUMPY


# --- fast: the public checks under the pinned numpy and under a simulated numpy 2.0 ----------

def test_under_the_pinned_numpy_the_public_checks_fail_and_say_why(cases_dir):
    if np.__version__ != GRADER_NUMPY:
        pytest.skip(f"numpy {np.__version__} here, not the pinned {GRADER_NUMPY}: pip install -e .")
    result = run_question(LAB, "q4", cases_dir, WRONG.overrides)
    assert result.public_failed == 3 and result.score == 0, result.failures
    for message in result.failures:
        assert "`conv2d_forward` raised ValueError: setting an array element with a sequence" in message
        assert "Take the number out first: `b[k]`, not `b[k:k+1]`" in message
        assert "numpy 2.0 only warned about an array of one value there" in message


def _stores_one_value_array_as_numpy_2_0_does(b):
    """numpy 2.0's C code storing `b[0:1]` into one element: the warning, attributed to this line;
    when warnings are errors, numpy raises its ValueError from it."""
    out = np.zeros(1)
    try:
        warnings.warn(NUMPY_2_0_WARNING, DeprecationWarning, stacklevel=1)
    except DeprecationWarning as w:
        raise ValueError("setting an array element with a sequence.") from w
    out[0] = b[0]
    return out


def _converts_one_value_array_as_numpy_2_0_does(b):
    """numpy 2.0's `float(b[0:1])`: the warning itself, then the number."""
    warnings.warn(NUMPY_2_0_WARNING, DeprecationWarning, stacklevel=1)
    return float(b[0])


def test_under_numpy_2_0_the_deprecation_fails_the_check_and_says_why(graders_facts, monkeypatch):
    monkeypatch.setattr(dllab_calls, "_NUMPY_VERSION", "2.0.2")
    with pytest.raises(AssertionError) as e:
        dllab_calls.call(_stores_one_value_array_as_numpy_2_0_does, "conv2d_forward", np.ones(1))
    assert str(e.value).startswith(
        "`conv2d_forward` raised ValueError: setting an array element with a sequence: one element was "
        f"given an array of one value; your numpy 2.0.2 only warns about this, the grader's numpy "
        f"{GRADER_NUMPY} refuses it, and so do these checks. Take the number out first")
    with pytest.raises(AssertionError) as e:
        dllab_calls.call(_converts_one_value_array_as_numpy_2_0_does, "conv_single_step", np.ones(1))
    assert str(e.value).startswith(
        f"`conv_single_step` raised DeprecationWarning: your numpy 2.0.2 only warns about this; the "
        f"grader runs numpy {GRADER_NUMPY}, and newer numpy refuses what older numpy deprecated, so "
        f"these checks do too: Conversion of an array with ndim > 0")


def test_a_numpy_as_new_as_the_graders_leaves_warnings_as_warnings(graders_facts):
    with pytest.warns(DeprecationWarning):
        assert dllab_calls.call(_converts_one_value_array_as_numpy_2_0_does, "f", np.ones(1)) == 1.0


def test_a_librarys_own_deprecation_is_not_the_students(graders_facts, monkeypatch):
    monkeypatch.setattr(dllab_calls, "_NUMPY_VERSION", "2.0.2")
    library = {"__name__": "some_library", "warnings": warnings}
    exec("def helper():\n    warnings.warn('old API', DeprecationWarning, stacklevel=1)\n    return 1.0", library)

    def students_function():
        return library["helper"]()

    with pytest.warns(DeprecationWarning, match="old API"):
        assert dllab_calls.call(students_function, "f") == 1.0


def test_the_grading_image_gets_exact_pins_and_a_range_is_refused(monkeypatch):
    from packaging.requirements import Requirement

    from autograder import requirements

    assert all("==" in line for line in requirements.grading_requirements())
    monkeypatch.setattr(requirements, "dependencies", lambda: [Requirement("numpy>=2.0,<3")])
    with pytest.raises(ValueError, match="numpy is not pinned exactly"):
        requirements.pinned_version("numpy")


def test_the_oldest_numpy_is_older_than_the_pinned_one():
    assert dllab_calls._release(oldest_numpy()) < dllab_calls._release(GRADER_NUMPY)


# --- a notebook graded under numpy 2.0.2 and under the pinned numpy -------------------------

@pytest.fixture(scope="session")
def oldest_numpy_python(request):
    """A Python whose numpy is the oldest the course supports, every other package this one's:
    a virtual environment over this one (--system-site-packages) with only numpy installed in it,
    made once and kept in pytest's cache folder."""
    version = oldest_numpy()
    folder = request.config.cache.mkdir(f"numpy-{version}-py{sys.version_info[0]}.{sys.version_info[1]}")
    python = folder / "venv" / "bin" / "python"

    def numpy_there():
        proc = subprocess.run([str(python), "-c", "import numpy, autograder; print(numpy.__version__)"],
                              capture_output=True, text=True)
        return proc.stdout.strip() if proc.returncode == 0 else None

    if not python.exists() or numpy_there() != version:
        subprocess.run([sys.executable, "-m", "venv", "--clear", "--system-site-packages",
                        str(folder / "venv")], check=True, capture_output=True)
        proc = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                               f"numpy=={version}"], capture_output=True, text=True, timeout=600)
        if proc.returncode != 0:
            pytest.skip(f"numpy {version} could not be installed into a virtual environment "
                        f"(no package registry?): {proc.stderr.strip()[-300:]}")
    assert numpy_there() == version
    return python


def _bias_slice_notebook(solution_path: Path) -> nbformat.NotebookNode:
    """The solution notebook with conv2d_forward's own cell holding the gallery's answer."""
    nb = nbformat.read(solution_path, as_version=4)
    cell = next(c for c in nb.cells if c.cell_type == "code" and "def conv2d_forward(" in c.source)
    source = inspect.getsource(lab3_gallery.conv_bias_as_one_element_array)
    cell.source = source.replace("def conv_bias_as_one_element_array(", "def conv2d_forward(")
    return nb


def _gradebook(out: Path) -> dict:
    (row,) = csv.DictReader(open(out / "gradebook.csv"))
    return row


def test_the_same_score_under_the_oldest_and_the_pinned_numpy(built, oldest_numpy_python, tmp_path):
    if np.__version__ != GRADER_NUMPY:
        pytest.skip(f"numpy {np.__version__} here, not the pinned {GRADER_NUMPY}: pip install -e .")
    lab = built[LAB]
    subs = tmp_path / "subs"
    subs.mkdir()
    nbformat.write(_bias_slice_notebook(lab.dist(lab.out_root) / "solution" / f"{LAB}.ipynb"),
                   subs / "bias_slice.ipynb")
    rows, results = {}, {}
    for name, python in (("oldest", oldest_numpy_python), ("pinned", Path(sys.executable))):
        out = tmp_path / name
        # the command line, so that the grading runner and its kernel run under that Python
        proc = subprocess.run([str(python), "-m", "autograder", "-q", "grade", LAB, str(subs), "--out", str(out),
                               "--autograder", str(lab.zip_path(lab.out_root)), "-j", "1"],
                              capture_output=True, text=True, timeout=600, env=dict(os.environ))
        assert proc.returncode == 0, proc.stderr[-3000:]
        rows[name] = _gradebook(out)
        results[name] = json.loads((out / "results" / "bias_slice.json").read_text())
    assert rows["pinned"]["status"] == rows["oldest"]["status"] == "graded"
    q4 = results["pinned"]["questions"]["q4"]
    assert q4["score"] == 0 < q4["possible"], q4
    # each kernel ran its own numpy: the oldest one's messages say it only warns
    assert "your numpy 2.0.2 only warns about this" in json.dumps(results["oldest"]["questions"]["q4"])
    assert "your numpy" not in json.dumps(q4)
    questions = [q for q in rows["pinned"] if q.startswith("q")] + ["total"]
    assert {q: rows["oldest"][q] for q in questions} == {q: rows["pinned"][q] for q in questions}
