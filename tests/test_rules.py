"""The notebooks' rules (lab.toml [[rules]]), found in the source: through imports under other
names, `getattr` with a constant, imports inside the function, and the notebook's functions a
graded function calls; and a broken rule costs the question when a real notebook is graded.

The galleries hold the wrong and right answers per lab (tests/gallery/, "the lab's rules").
"""

import csv

import nbformat
import pytest

from autograder.checks.dllab_rules import findings
from autograder.grade import grade_batch

CELLS = [
    "import numpy as np\nfrom scipy import signal\nimport scipy.signal as ss\nfrom numpy import convolve as cv\n"
    "%matplotlib inline",
    "def helper(a, b):\n    return getattr(np, 'convolve')(a, b)\n\n"
    "def conv1d(f, g):\n    # np.convolve in a comment is not a call\n    x = np.convolve(f, g)\n"
    "    y = cv(f, g)\n    return helper(f, g)",
    "def sobel_edges(img):\n    import scipy.ndimage\n    return signal.correlate2d(img, img)",
    "mine = lambda f, g: np.convolve(f, g)\nconv1d_short = mine",
    "def clean(f, g):\n    return np.asarray(f) * 2\n\nprint(np.convolve([1], [2]))  # outside a function: allowed",
]
FORBID = ["numpy.convolve", "scipy"]


def _found(function):
    return [(where, spelled, resolved, line) for where, spelled, resolved, line, _ in
            findings(CELLS, function, FORBID)]


def test_every_spelling_of_a_forbidden_call_is_found_with_its_line():
    assert _found("conv1d") == [
        ("conv1d", "np.convolve", "numpy.convolve", 6),
        ("conv1d", "cv", "numpy.convolve", 7),
        ("helper", "getattr(np, 'convolve')", "numpy.convolve", 2),
    ]
    assert _found("sobel_edges") == [
        ("sobel_edges", "import scipy.ndimage", "scipy", 2),
        ("sobel_edges", "signal.correlate2d", "scipy.signal.correlate2d", 3),
    ]
    assert _found("conv1d_short") == [("conv1d_short", "np.convolve", "numpy.convolve", 1)]


def test_what_the_rules_allow_is_not_found():
    assert _found("clean") == []          # numpy itself, and np.convolve outside any function
    assert findings(CELLS, "not_defined", FORBID) == []
    assert findings(["def f(:\n  pass"], "f", FORBID) == []  # a cell that does not parse


@pytest.fixture(scope="module")
def graded(built, tmp_path_factory):
    lab = built["lab3_cnn_numpy"]
    nb = nbformat.read(lab.dist(lab.out_root) / "solution" / "lab3_cnn_numpy.ipynb", as_version=4)
    cell = next(c for c in nb.cells if c.cell_type == "code" and "def conv1d(" in c.source)
    cell.source += "\n\nfrom numpy import convolve as _fast\n\ndef conv1d(f, g):\n    return _fast(f, g)\n"
    subs = tmp_path_factory.mktemp("subs")
    nbformat.write(nb, subs / "eve.ipynb")
    out = tmp_path_factory.mktemp("graded")
    grade_batch(lab, [subs], out, zip_path=lab.zip_path(lab.out_root), progress=False)
    return next(csv.DictReader(open(out / "gradebook.csv"))), (out / "feedback" / "eve.md").read_text()


def test_a_broken_rule_costs_its_question_and_says_where(graded):
    row, feedback = graded
    assert row["q8"] == "0" and row["total"] == "42" and row["status"] == "graded", row
    assert "`_fast` (numpy.convolve)" in feedback and "not with `np.convolve`" in feedback
