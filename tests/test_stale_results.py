"""A gradebook that never reports a stale result as current (lab 3: no training).

A result is reused only for the same lab, the same submitted bytes and the same autograder
zip; one output folder belongs to one lab; grading a few submissions again keeps every other
row; a mistyped path is the instructor's error, never a student's row.
"""

import csv
import json
import shutil
import subprocess
import sys
import zipfile

import nbformat
import pytest

from autograder.grade import PENDING, grade_batch
from autograder.paths import ROOT

LAB = "lab3_cnn_numpy"


@pytest.fixture(scope="module")
def lab(built):
    return built[LAB]


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "autograder", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=900)


def _rows(out):
    return {r["submission"]: r for r in csv.DictReader(open(out / "gradebook.csv"))}


def _notebooks(lab):
    """The solution, and the solution with a conv2d_forward that flips its filter (q4 fails)."""
    text = (lab.dist(lab.out_root) / "solution" / f"{LAB}.ipynb").read_text()
    wrong = nbformat.reads(text, as_version=4)
    cell = next(c for c in wrong.cells if c.cell_type == "code" and "def conv2d_forward(" in c.source)
    cell.source += "\n\n_right = conv2d_forward\n\ndef conv2d_forward(X, W, b, stride=1, pad=0):\n" \
                   "    return _right(X, W[::-1, ::-1], b, stride, pad)\n"
    return text, nbformat.writes(wrong)


@pytest.fixture(scope="module")
def graded(lab, tmp_path_factory):
    """alice (the solution) and bob (the flipped filter), graded once into one folder."""
    right, wrong = _notebooks(lab)
    subs = tmp_path_factory.mktemp("subs")
    (subs / "alice.ipynb").write_text(right)
    (subs / "bob.ipynb").write_text(wrong)
    out = tmp_path_factory.mktemp("graded")
    grade_batch(lab, [subs], out, zip_path=lab.zip_path(lab.out_root), jobs=2, progress=False)
    rows = _rows(out)
    assert rows["alice"]["total"] == "45" and float(rows["bob"]["total"]) < 45, rows
    return subs, out


def test_a_resubmission_is_graded_again_and_says_why(lab, graded, caplog):
    subs, out = graded
    before = _rows(out)
    right, _ = _notebooks(lab)
    (subs / "bob.ipynb").write_text(right)  # bob hands in corrected work under the same name
    with caplog.at_level("INFO", logger="autograder.grade"):
        summary = grade_batch(lab, [subs], out, zip_path=lab.zip_path(lab.out_root), jobs=2, progress=False)
    assert summary.regraded == {"bob": "the submission changed since it was graded"}
    assert summary.skipped == 1 and summary.graded == 1
    assert "bob: graded again (the submission changed since it was graded)" in caplog.text
    rows = _rows(out)
    assert rows["bob"]["total"] == "45" and rows["alice"] == before["alice"]
    assert "45 / 45" in (out / "feedback" / "bob.md").read_text()


def test_a_rebuilt_zip_grades_again_and_marks_the_rows_it_did_not_reach(lab, graded, tmp_path):
    subs, out = graded
    rebuilt = tmp_path / f"{LAB}-autograder.zip"
    shutil.copy(lab.zip_path(lab.out_root), rebuilt)
    with zipfile.ZipFile(rebuilt, "a") as z:  # any change of the zip's bytes: a rebuild, say
        z.writestr("CHANGES.txt", "a hidden case added")
    summary = grade_batch(lab, [subs / "alice.ipynb"], out, zip_path=rebuilt, jobs=1, progress=False)
    assert summary.regraded == {"alice": "the autograder zip changed since it was graded"}
    rows = _rows(out)
    assert rows["alice"]["status"] == "graded" and rows["alice"]["reason"] == ""
    # bob was not in this run: his row stays, and says it was graded with the earlier zip
    assert rows["bob"]["reason"].startswith("graded with an earlier autograder zip")


def test_grading_a_subset_again_keeps_every_other_row(lab, graded):
    subs, out = graded
    summary = grade_batch(lab, [subs / "bob.ipynb"], out, zip_path=lab.zip_path(lab.out_root),
                          force=True, jobs=1, progress=False)
    assert summary.regraded == {"bob": "--force"} and summary.graded == 1
    assert set(_rows(out)) == {"alice", "bob"}
    assert "Submissions: 2" in (out / "summary.md").read_text()


def test_a_row_being_graded_again_never_shows_its_old_score(lab, tmp_path, monkeypatch):
    """While bob is graded again (or if the batch dies then), his row says pending, not the old mark."""
    from autograder import grade

    right, wrong = _notebooks(lab)
    (tmp_path / "bob.ipynb").write_text(wrong)
    out = tmp_path / "out"
    seen = []

    def fake_grade_one(sub, zip_path, facts, *args, **kwargs):
        seen.append((_rows(out).get(sub.id), (out / "results" / f"{sub.id}.json").exists(),
                     (out / "feedback" / f"{sub.id}.md").exists()))
        result = {"status": "graded", "reason": "", "questions": {}, "id": sub.id, "file": str(sub.path)}
        return grade.finish(result, facts)

    monkeypatch.setattr(grade, "grade_one", fake_grade_one)
    grade_batch(lab, [tmp_path / "bob.ipynb"], out, zip_path=lab.zip_path(lab.out_root), progress=False)
    (tmp_path / "bob.ipynb").write_text(right)
    grade_batch(lab, [tmp_path / "bob.ipynb"], out, zip_path=lab.zip_path(lab.out_root), progress=False)
    row, result_kept, feedback_kept = seen[1]
    assert row["status"] == PENDING and row["total"] == "0" and not result_kept and not feedback_kept
    assert row["reason"] == "being graded again (the submission changed since it was graded)"


def test_another_labs_output_folder_is_refused(lab, graded):
    subs, out = graded
    before = (out / "gradebook.csv").read_text()
    proc = _cli("grade", "lab1_regression", str(subs), "--out", str(out),
                "--autograder", str(lab.zip_path(lab.out_root)))
    assert proc.returncode == 2, proc.stderr
    assert f"holds the grading of {LAB}, not of lab1_regression: choose another --out" in proc.stderr
    assert (out / "gradebook.csv").read_text() == before


def test_a_folder_from_an_older_dllab_is_refused_not_mixed(lab, tmp_path):
    (tmp_path / "out" / "results").mkdir(parents=True)
    (tmp_path / "out" / "results" / "alice.json").write_text(json.dumps({"id": "alice", "total": 21}))
    (tmp_path / "alice.ipynb").write_text(_notebooks(lab)[0])
    proc = _cli("grade", LAB, str(tmp_path / "alice.ipynb"), "--out", str(tmp_path / "out"),
                "--autograder", str(lab.zip_path(lab.out_root)))
    assert proc.returncode == 2 and "do not say which lab they are for" in proc.stderr


@pytest.mark.parametrize("case", ["missing path", "folder without notebooks", "lab forgotten"])
def test_a_mistyped_path_is_a_usage_error_never_a_student(lab, tmp_path, case):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "readme.txt").write_text("not a submission")
    args = {"missing path": [LAB, str(tmp_path / "nonexistent")],
            "folder without notebooks": [LAB, str(tmp_path / "notes")],
            "lab forgotten": [str(tmp_path / "notes")]}[case]
    proc = _cli("grade", *args, "--out", str(tmp_path / "out"), "--autograder", str(lab.zip_path(lab.out_root)))
    assert proc.returncode == 2, proc.stderr
    assert {"missing path": "nonexistent: no such file or folder",
            "folder without notebooks": "no notebook (.ipynb) or grader.export() zip in this folder",
            "lab forgotten": "was the lab's name forgotten?"}[case] in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "out" / "gradebook.csv").exists()
