"""Any notebook of the lab is graded, and `check` and `grade` agree on every file (lab 3).

A student who pasted the cells into a new notebook loses otter's metadata; a student may hand in
the zip the Submit cell wrote; a cell error is named by its first line, as an editor shows it.
"""

import json
import zipfile

import nbformat
import pytest

from autograder.check import check_notebook
from autograder.grade import grade_batch

LAB = "lab3_cnn_numpy"


@pytest.fixture(scope="module")
def lab(built):
    return built[LAB]


def _solution(lab):
    return nbformat.read(lab.dist(lab.out_root) / "solution" / f"{LAB}.ipynb", as_version=4)


def _pasted(lab):
    """The solution's cells in a new notebook: no otter metadata, no kernelspec."""
    nb = nbformat.v4.new_notebook()
    new = {"code": nbformat.v4.new_code_cell, "markdown": nbformat.v4.new_markdown_cell}
    nb.cells = [new[c.cell_type](c.source) for c in _solution(lab).cells if c.cell_type in new]
    return nb


@pytest.fixture(scope="module")
def graded(lab, tmp_path_factory):
    subs = tmp_path_factory.mktemp("subs")
    nbformat.write(_pasted(lab), subs / "pasted.ipynb")
    other = nbformat.v4.new_notebook()
    other.cells = [nbformat.v4.new_code_cell("def f(x):\n    return x\nprint(f(1))")]
    nbformat.write(other, subs / "unrelated.ipynb")
    out = tmp_path_factory.mktemp("out")
    grade_batch(lab, [subs], out, zip_path=lab.zip_path(lab.out_root), jobs=2, progress=False)
    return {p.stem: json.loads(p.read_text()) for p in (out / "results").glob("*.json")}


def test_a_notebook_without_otters_metadata_is_graded_with_a_note(graded):
    r = graded["pasted"]
    assert r["status"] == "graded" and r["total"] == r["possible"] == 45, r["reason"]
    assert any("had no otter metadata" in n and "graded as lab3_cnn_numpy" in n for n in r["notes"])


def test_a_notebook_of_nothing_in_the_lab_says_why(graded):
    r = graded["unrelated"]
    assert r["status"] == "invalid" and r["total"] == 0
    assert "not a notebook of lab3_cnn_numpy" in r["reason"] and "names its tests need" in r["reason"]


def test_check_agrees_with_grade_on_the_pasted_notebook(lab, graded, tmp_path):
    nbformat.write(_pasted(lab), tmp_path / "pasted.ipynb")
    report = check_notebook(tmp_path / "pasted.ipynb")
    assert report.ok, report.errors
    public = {q: all(c["passed"] for c in r["cases"] if not c["hidden"])
              for q, r in graded["pasted"]["questions"].items()}
    assert all(public.values()) and set(report.questions) <= set(public)


def test_check_takes_the_zip_the_submit_cell_writes(lab, tmp_path):
    with zipfile.ZipFile(tmp_path / "lab3_cnn_numpy_2026_12_06T21_46_52_398884.zip", "w") as z:
        z.writestr(f"{LAB}.ipynb", nbformat.writes(_solution(lab)))
        z.writestr("public_tests/q1.py", "# what otter's export adds beside the notebook")
    report = check_notebook(tmp_path / "lab3_cnn_numpy_2026_12_06T21_46_52_398884.zip")
    assert report.ok and len(report.questions) == 11, report.errors


def test_a_cell_error_is_named_by_its_first_line(lab, tmp_path):
    nb = _solution(lab)
    nb.cells.insert(2, nbformat.v4.new_code_cell("# my scratch work\nratio = 1 / 0"))
    nbformat.write(nb, tmp_path / "raises.ipynb")
    report = check_notebook(tmp_path / "raises.ipynb")
    assert any(e.startswith("the cell that begins `ratio = 1 / 0`: ZeroDivisionError") for e in report.errors), \
        report.errors
