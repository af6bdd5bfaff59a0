"""The whole path for every lab: build -> student and solution notebooks -> otter run.

One real `otter run` of the solution and one of the student notebook per lab run in CI;
repeated gradings of the heavy labs are marked slow.
"""

import ast
import base64
import csv
import io
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from autograder.check import check_notebook
from autograder.grading import Submission, grade_one
from autograder.labs import all_labs
from autograder.paths import ROOT
from autograder.stubs import body_lines
from autograder.judge.results import GRADED
from harness import as_in_jupyter, noise_in, run_like_gradescope

LABS = [lab.name for lab in all_labs()]
TRAINING_LABS = {"lab1_regression", "lab2_classification", "lab4_cnn_keras", "lab5_rnn"}


@pytest.fixture(scope="module", params=LABS)
def lab(request, built):
    return built[request.param]


def _grade(lab, notebook: Path, name: str) -> dict:
    result = grade_one(Submission(name, notebook), lab.zip_path(lab.out_root), lab.public_facts(),
                       timeout=1500, cell_timeout=lab.grading["cell_timeout"])
    assert result["status"] == GRADED, result["reason"]
    return result


def test_solution_scores_full_marks_through_the_zip_as_gradescope_runs_it(lab, tmp_path):
    """The zip's own run_autograder in a folder laid out as /autograder, with no DLLAB_DATA_DIR
    and no network: what grading needs must travel in the zip."""
    env = {k: v for k, v in os.environ.items() if k != "DLLAB_DATA_DIR"}
    notebook = (lab.dist(lab.out_root) / "solution" / f"{lab.name}.ipynb").read_bytes()
    report = run_like_gradescope(lab.zip_path(lab.out_root), {f"{lab.name}.ipynb": notebook},
                                 tmp_path / "autograder", env=env)
    failed = {t["name"]: t.get("output", "") for t in report["tests"] if t["status"] != "passed"}
    assert report["score"] == sum(t["max_score"] for t in report["tests"]) > 0, (report["output"], failed)


def test_student_notebook_runs_to_the_end_and_scores_zero(lab, tmp_path):
    student = lab.dist(lab.out_root) / "student" / f"{lab.name}.ipynb"
    with as_in_jupyter():
        report = check_notebook(student, with_export=True)  # the Submit cell too
    assert not report.errors, report.errors
    assert not noise_in(report.cells), "\n".join(noise_in(report.cells))  # red text: none of it the student's
    assert set(report.questions) == set(lab.questions())
    # graded as an instructor does it: the command line, in a process of its own
    proc = subprocess.run(
        [sys.executable, "-m", "autograder", "grade", lab.name, str(student), "--out",
         str(tmp_path / "out"), "--autograder", str(lab.zip_path(lab.out_root))],
        cwd=ROOT, capture_output=True, text=True, timeout=1500)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    rows = list(csv.DictReader(open(tmp_path / "out" / "gradebook.csv")))
    assert len(rows) == 1 and rows[0]["status"] == "graded", rows
    assert {q: float(rows[0][q]) for q in lab.questions()} == {q: 0.0 for q in lab.questions()}


def test_public_checks_work_without_the_notebook_file_as_in_colab(lab, tmp_path):
    """Colab: the notebook is not on the runtime's disk and otter knows it runs in Colab.

    The student notebook runs in an empty folder, with otter told it is in Colab (it looks
    at str(get_ipython())), which forbids tests kept in notebook metadata; every question's
    public check must still run (and fail, the functions being stubs), Submit cell included.
    """
    nb = nbformat.read(lab.dist(lab.out_root) / "student" / f"{lab.name}.ipynb", as_version=4)
    fake_colab = nbformat.v4.new_code_cell(
        "import sys, types, otter.check.utils as _u, otter.check.notebook as _n\n"
        "_u.get_ipython = lambda: 'google.colab._shell.Shell'\n"
        "_n.get_ipython = _u.get_ipython\n"
        "sys.modules['google.colab'] = types.ModuleType('google.colab')")
    nb.cells.insert(0, fake_colab)
    path = tmp_path / "colab.ipynb"
    nbformat.write(nb, path)
    report = check_notebook(path, with_export=True, file_beside=False)
    assert not report.errors, report.errors
    assert set(report.questions) == set(lab.questions())
    for q, r in report.questions.items():
        assert "error" not in r and r["cases"], (q, r)
        assert r["score"] == 0, (q, r)
        # what a student reads first must say what to do, not crash on the stub's None
        for case in r["cases"]:
            assert "NoneType" not in case["message"], (q, case["message"])


def _notebook_text(path: Path) -> str:
    """Every cell's source and text output, as a reader sees them (not JSON-escaped)."""
    nb = nbformat.read(path, as_version=4)
    parts = []
    for cell in nb.cells:
        parts.append(cell.source)
        parts += [o.get("text", "") for o in cell.get("outputs", [])]
    return "\n".join(parts)


def _student_texts(lab) -> list[tuple[str, str]]:
    """Every text under dist/<lab>/student/, the public-checks blob unpacked."""
    texts = []
    for path in (lab.dist(lab.out_root) / "student").rglob("*"):
        if path.is_file():
            text = _notebook_text(path) if path.suffix == ".ipynb" else path.read_text()
            texts.append((str(path), text))
            for blob in re.findall(r"""PUBLIC_CHECKS = ['"]([A-Za-z0-9+/=]+)['"]""", text):
                with zipfile.ZipFile(io.BytesIO(base64.b64decode(blob))) as z:
                    texts += [(f"{path}:{n}", z.read(n).decode()) for n in z.namelist()]
    return texts


def _leaked_solution_lines(lab, notebook_text: str) -> dict:
    """Lines of a reference function's body that appear in `notebook_text`.

    Code the template itself gives students (a seeding line, say) does not count.
    """
    given = "\n".join(c.source for c in nbformat.read(lab.template, as_version=4).cells)
    leaks = {}
    for func in lab.stub_names():
        lines = [line.strip() for line in body_lines(lab.solution_file, func)
                 if len(line.strip()) > 12 and line.strip() in notebook_text
                 and line.strip() not in given]
        if lines:
            leaks[func] = lines
    return leaks


def test_student_build_holds_no_hidden_test_and_no_solution_body(lab):
    texts = _student_texts(lab)
    assert any(name.endswith(".py") for name, _ in texts), "the public checks blob was not found"
    for name, text in texts:
        assert not re.search(r"hidden\s*=\s*True", text), f"{name} holds a hidden test"
        if not name.endswith("checks.py"):  # the helper defines load_cases, unused here
            assert "load_cases(" not in text, f"{name} refers to the hidden cases"
    student_nb = "\n".join(t for n, t in texts if n.endswith(".ipynb"))
    assert not _leaked_solution_lines(lab, student_nb)


def test_the_leak_search_finds_solutions_where_they_are(lab):
    """The search above can fail: on the solution notebook it finds every graded function."""
    solution = _notebook_text(lab.dist(lab.out_root) / "solution" / f"{lab.name}.ipynb")
    leaks = _leaked_solution_lines(lab, solution)
    with_body = [f for f in lab.stub_names() if any(
        len(l.strip()) > 12 and l.strip() not in
        "\n".join(c.source for c in nbformat.read(lab.template, as_version=4).cells)
        for l in body_lines(lab.solution_file, f))]
    assert set(leaks) == set(with_body) and with_body


def test_template_solutions_and_tests_agree(lab):
    """One source of truth: every stub names a reference function; every test file is checked
    in the notebook and every check has a test file."""
    solution_funcs = {n.name for n in ast.parse(lab.solution_file.read_text()).body
                      if isinstance(n, ast.FunctionDef)}
    assert set(lab.stub_names()) <= solution_funcs
    template = nbformat.read(lab.template, as_version=4)
    checked = set(re.findall(r"""grader\.check\(\s*["']([^"']+)["']""",
                             "\n".join(c.source for c in template.cells if c.cell_type == "code")))
    assert checked == set(lab.questions())
    for cell in template.cells:
        assert not cell.get("outputs"), "the template keeps outputs: clear them before committing"


@pytest.mark.parametrize("name", [
    pytest.param(name, marks=[pytest.mark.slow] if name in TRAINING_LABS else [])
    for name in LABS])
def test_grading_three_times_gives_the_same_scores(name, built):
    lab = built[name]
    solution = lab.dist(lab.out_root) / "solution" / f"{lab.name}.ipynb"
    scores = [{q: r["score"] for q, r in _grade(lab, solution, f"run{i}")["questions"].items()}
              for i in range(3)]
    assert scores[0] == scores[1] == scores[2]
