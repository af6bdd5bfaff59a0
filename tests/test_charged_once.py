"""A mistake is charged once, graded end to end: a lab-3 notebook whose zero_pad pads every
axis loses q2, and keeps q4, whose conv2d_forward is right, with a note naming zero_pad
(autograder/judge/helpers.py; the galleries' CASCADE entries hold the other cases)."""

import csv
import json

import nbformat
import pytest

from autograder.grade import grade_batch

LAB = "lab3_cnn_numpy"


@pytest.fixture(scope="module")
def graded(built, tmp_path_factory):
    lab = built[LAB]
    nb = nbformat.read(lab.dist(lab.out_root) / "solution" / f"{LAB}.ipynb", as_version=4)
    cell = next(c for c in nb.cells if c.cell_type == "code" and "def zero_pad(" in c.source)
    cell.source += "\n\ndef zero_pad(X, pad):\n    return np.pad(X, pad)  # pads N and C too\n"
    subs = tmp_path_factory.mktemp("subs")
    nbformat.write(nb, subs / "carol.ipynb")
    out = tmp_path_factory.mktemp("graded")
    grade_batch(lab, [subs], out, zip_path=lab.zip_path(lab.out_root), progress=False)
    row = next(csv.DictReader(open(out / "gradebook.csv")))
    return row, json.loads((out / "results" / "carol.json").read_text()), (out / "feedback" / "carol.md").read_text()


def test_the_wrong_helper_loses_its_own_question_only(graded):
    row, _, _ = graded
    assert float(row["q2"]) < 3 and row["q4"] == "9" and row["status"] == "graded", row


def test_the_note_names_the_helper_and_what_it_returned(graded):
    _, result, feedback = graded
    notes = [n for n in result["notes"] if n.startswith("q4: ")]
    assert notes and "your `zero_pad`" in notes[0] and "it keeps its marks" in notes[0], result["notes"]
    assert "expected shape" in notes[0] and notes[0] in feedback.replace("Note: ", "")
