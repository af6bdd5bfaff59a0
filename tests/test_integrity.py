"""Bad input and tampering, each graded as a real submission of lab 3 (no training).

Every tampering notebook carries a WRONG conv2d_forward (kernel flipped) and then tries to
make the grader believe it; it must not keep the marks of that question. Every other bad
input carries the correct solution and must keep the marks it earned, with the reason.
"""

import csv
import json

import nbformat
import pytest

from autograder.grade import grade_batch

LAB = "lab3_cnn_numpy"

WRONG_CONV = '''
def conv2d_forward(X, W, b, stride=1, pad=0):
    return _reference_conv2d_forward(X, W[::-1, ::-1], b, stride, pad)  # kernel flipped
'''

# name -> code run right after the setup cell, before any question
TAMPERING = {
    "np_allclose": "import numpy as np\nnp.allclose = lambda *a, **k: True",
    "np_testing": "import numpy as np\nnp.testing.assert_allclose = lambda *a, **k: None\n"
                  "np.testing.assert_array_equal = lambda *a, **k: None",
    "np_array_equal": "import numpy as np\nnp.array_equal = lambda *a, **k: True",
    "np_isclose": "import numpy as np\nnp.isclose = lambda a, b, *r, **k: np.ones(np.shape(a), bool)",
    "np_max_abs": "import numpy as np\nnp.max = lambda *a, **k: 0.0\nnp.abs = lambda x: 0 * x",
    "np_array": "import numpy as np\n_orig = np.array\nnp.asarray = np.array = lambda *a, **k: _orig(0.0)",
    "math_isclose": "import math\nmath.isclose = lambda *a, **k: True",
    "builtins": "import builtins\nbuiltins.abs = lambda x: 0\nbuiltins.round = lambda *a: 0\n"
                "builtins.all = lambda *a: True\nbuiltins.max = lambda *a, **k: 0",
    "grader_methods": "import otter\notter.Notebook.check = lambda self, *a, **k: None\n"
                      "grader.check = lambda *a, **k: None\ngrader.check_all = lambda *a, **k: None",
    "otter_checker": "from otter.execute import Checker\n"
                     "Checker.check = classmethod(lambda cls, *a, **k: None)",
    "fake_results": "import json, os\nos.makedirs('../results', exist_ok=True)\n"
                    "json.dump({'score': 100, 'tests': []}, open('../results/results.json', 'w'))\n"
                    "open('../results/results.pkl', 'wb').write(b'fake')",
    "rewrites_tests": "import glob\nfor _p in glob.glob('tests/q*.py'):\n"
                      "    open(_p, 'w').write('from otter.test_files import test_case\\nOK_FORMAT = False\\n"
                      "name = \"q\"\\npoints = 1\\n@test_case(points=1)\\ndef t():\\n    pass\\n')",
    "fake_checks_module": "import os, sys\nos.makedirs('mine', exist_ok=True)\n"
                          "open('mine/dllab_checks.py', 'w').write('def assert_close(*a, **k): pass\\n"
                          "def call(f, n, *a, **k): return f(*a, **k)\\ndef load_cases(l): "
                          "return __import__(\"_pickle\").loads(open(\"dllab_cases_' + 'lab3_cnn_numpy.pkl\", \"rb\").read())\\n')\n"
                          "sys.path.insert(0, os.path.abspath('mine'))",
}

# name -> code run right after the setup cell; the solution must keep every mark
HARMLESS_BUT_BAD = {
    "raises": "raise ValueError('a cell that raises')",
    "sys_exit": "import sys\nsys.exit(3)",
    "os_exit": "import os\nos._exit(1)",
    "sleeps": "import time\ntime.sleep(3600)",
    "memory_hog": "_hog = []\nwhile True:\n    _hog.append(bytearray(10**8))",
    "prints_gigabytes": "import sys\nfor _ in range(10**7):\n    sys.stdout.write('x' * 1000 + '\\n')",
    "deletes_its_own_files": "import os\nfor _f in os.listdir('.'):\n    if _f.endswith('.ipynb'):\n        os.remove(_f)",
}


@pytest.fixture(scope="module")
def lab(built):
    if LAB not in built:
        pytest.skip(f"{LAB} is not in assignments/")
    return built[LAB]


def _variant(solution, extra: str, wrong_conv: bool):
    nb = nbformat.from_dict(json.loads(json.dumps(solution)))
    if wrong_conv:
        cell = next(c for c in nb.cells if "def conv2d_forward(" in c.source)
        cell.source = cell.source.replace("def conv2d_forward(", "def _reference_conv2d_forward(") + WRONG_CONV
    setup = next(i for i, c in enumerate(nb.cells) if "grader = otter.Notebook" in c.source)
    nb.cells.insert(setup + 1, nbformat.v4.new_code_cell(extra))
    return nb


@pytest.fixture(scope="module")
def graded(lab, tmp_path_factory):
    solution = nbformat.read(lab.dist(lab.out_root) / "solution" / f"{LAB}.ipynb", as_version=4)
    subs = tmp_path_factory.mktemp("integrity")
    nbformat.write(_variant(solution, "pass", wrong_conv=True), subs / "wrong_only.ipynb")
    for name, code in TAMPERING.items():
        nbformat.write(_variant(solution, code, wrong_conv=True), subs / f"tamper_{name}.ipynb")
    for name, code in HARMLESS_BUT_BAD.items():
        nbformat.write(_variant(solution, code, wrong_conv=False), subs / f"bad_{name}.ipynb")
    other = nbformat.from_dict(json.loads(json.dumps(solution)))
    other.metadata["otter"]["assignment_name"] = "lab4_cnn_keras"
    nbformat.write(other, subs / "other_lab.ipynb")
    out = tmp_path_factory.mktemp("integrity-out")
    grade_batch(lab, [subs], out, zip_path=lab.zip_path(lab.out_root), timeout=150,
                cell_timeout=10, jobs=2)
    rows = {r["submission"]: r for r in csv.DictReader(open(out / "gradebook.csv"))}
    results = {k: json.loads((out / "results" / f"{k}.json").read_text()) for k in rows}
    return rows, results


def _conv_question(result):
    wrong = [q for q, r in result["questions"].items() if r["score"] < r["possible"]]
    return wrong


def test_a_wrong_conv_alone_loses_exactly_its_question(graded):
    rows, results = graded
    assert rows["wrong_only"]["status"] == "graded"
    assert len(_conv_question(results["wrong_only"])) == 1


@pytest.mark.parametrize("name", sorted(TAMPERING))
def test_tampering_earns_no_mark_for_the_wrong_answer(graded, name):
    rows, results = graded
    row = rows[f"tamper_{name}"]
    honest = float(rows["wrong_only"]["total"])
    assert float(row["total"]) <= honest, (name, row["status"], row["reason"], row["total"])
    # a tampering that breaks the kernel itself may also end in a timeout: still no marks
    assert row["status"] in ("graded", "timeout"), row["reason"]


def test_rewriting_the_tests_changes_nothing(graded):
    """The tests beside the notebook are stubs; the judge runs its own copy (docs/integrity.md)."""
    rows, _ = graded
    row = rows["tamper_rewrites_tests"]
    assert row["status"] == "graded" and row["total"] == rows["wrong_only"]["total"], row


# The memory hog holds all 6 GB its kernel may have until the notebook ends; the kernel then
# still answers the judge in most runs, and died in one full test run of four on 2026-12-07 (the
# judge asks more of it than otter's checks did). Not strict until that is understood.
FLAKY = {"memory_hog": pytest.mark.xfail(strict=False, reason="the kernel sometimes dies after the hog")}


@pytest.mark.parametrize("name", [pytest.param(n, marks=FLAKY.get(n, ())) for n in sorted(HARMLESS_BUT_BAD)])
def test_bad_input_keeps_the_marks_it_earned(graded, name):
    rows, _ = graded
    row = rows[f"bad_{name}"]
    assert row["status"] == "graded", row["reason"]
    assert row["total"] == row["possible"], (name, row["total"], row["possible"])


def test_a_notebook_of_another_lab_is_refused_with_the_reason(graded):
    rows, _ = graded
    assert rows["other_lab"]["status"] == "crashed"
    assert "another lab" in rows["other_lab"]["reason"]
