"""`build`, `check` and `grade` as an instructor meets them, bad input included (lab 3: no training)."""

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from autograder.grade import grade_batch
from autograder.paths import ROOT

LAB = "lab3_cnn_numpy"
CELL_LIMIT = 20  # seconds for one cell in the batch below


def _cli(*args, timeout=600):
    return subprocess.run([sys.executable, "-m", "autograder", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def lab(built):
    if LAB not in built:
        pytest.skip(f"{LAB} is not in assignments/")
    return built[LAB]


def _solution(lab) -> nbformat.NotebookNode:
    return nbformat.read(lab.dist(lab.out_root) / "solution" / f"{LAB}.ipynb", as_version=4)


def _with_cell(nb, source, after=1):
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    nb.cells.insert(after + 1, nbformat.v4.new_code_cell(source))
    return nb


def test_unknown_lab_is_a_clear_error_without_traceback():
    for args in (["build", "lab9_nope"], ["grade", "lab9_nope", ".", "--out", "/tmp/x"]):
        proc = _cli(*args)
        assert proc.returncode == 2
        assert "unknown lab 'lab9_nope'" in proc.stderr and LAB in proc.stderr
        assert "Traceback" not in proc.stderr


def test_check_on_a_file_that_is_not_a_notebook(tmp_path):
    bad = tmp_path / "bad.ipynb"
    bad.write_text("{ this is not json")
    proc = _cli("check", str(bad))
    assert proc.returncode == 2
    assert "not a valid notebook" in proc.stderr and "Traceback" not in proc.stderr


@pytest.fixture(scope="module")
def batch(lab, tmp_path_factory):
    """One batch of lab-3 submissions, good and bad, graded at -j 2."""
    subs = tmp_path_factory.mktemp("submissions")
    sol = _solution(lab)
    nbformat.write(sol, subs / "alice.ipynb")
    renamed = nbformat.from_dict(json.loads(json.dumps(sol)))
    for cell in renamed.cells:
        cell.source = cell.source.replace("def conv2d_forward(", "def conv2d_fwd(")
    nbformat.write(renamed, subs / "bob.ipynb")
    (subs / "carol.ipynb").write_text("not json at all")
    nbformat.write(_with_cell(sol, "while True:\n    pass"), subs / "dave.ipynb")
    stubborn = "import time\nwhile True:\n    try:\n        time.sleep(0.1)\n    except KeyboardInterrupt:\n        pass"
    nbformat.write(_with_cell(sol, stubborn), subs / "erin.ipynb")
    with zipfile.ZipFile(subs / "frank.zip", "w") as z:  # what grader.export() makes
        z.writestr(f"{LAB}.ipynb", nbformat.writes(sol))
    (subs / "other").mkdir()
    nbformat.write(sol, subs / "other" / "alice.ipynb")  # a second "alice"
    out = tmp_path_factory.mktemp("graded")
    # a cell limit that the solution's slowest cell keeps on a busy machine too (5 s did not)
    summary = grade_batch(lab, [subs], out, zip_path=lab.zip_path(lab.out_root), timeout=90,
                          cell_timeout=CELL_LIMIT, jobs=2)
    rows = {r["submission"]: r for r in __import__("csv").DictReader(open(out / "gradebook.csv"))}
    return summary, rows, out


def test_batch_keeps_a_row_for_every_submission(batch, lab):
    summary, rows, out = batch
    assert set(rows) == {"alice", "alice__2", "bob", "carol", "dave", "erin", "frank"}
    for good in ("alice", "alice__2", "frank"):
        assert rows[good]["status"] == "graded" and rows[good]["total"] == rows[good]["possible"], rows[good]
    assert summary.duplicates and "alice" in summary.duplicates[0]
    assert (out / "summary.md").exists() and (out / "scores.png").exists()
    assert len(list((out / "feedback").glob("*.md"))) == 7


def test_renamed_function_loses_only_its_question(batch):
    _, rows, out = batch
    bob = json.loads((out / "results" / "bob.json").read_text())
    lost = {q for q, r in bob["questions"].items() if r["score"] < r["possible"]}
    assert len(lost) == 1, lost
    messages = [c["message"] for q in lost for c in bob["questions"][q]["cases"] if not c["passed"]]
    assert any("`conv2d_forward` is not defined" in m for m in messages), messages


def test_not_json_gets_a_row_with_the_reason(batch):
    _, rows, _ = batch
    assert rows["carol"]["status"] == "invalid"
    assert "not a valid notebook" in rows["carol"]["reason"] and rows["carol"]["total"] == "0"


def test_endless_loop_is_interrupted_and_keeps_the_marks_earned(batch):
    _, rows, out = batch
    assert rows["dave"]["status"] == "graded"
    assert rows["dave"]["total"] == rows["dave"]["possible"]
    # the student and the instructor learn which cell was cut short, and after how long
    note = f"The cell that begins `while True:` was still running after {CELL_LIMIT} s, the limit for one cell"
    assert note in (out / "feedback" / "dave.md").read_text()
    assert note in rows["dave"]["reason"]
    assert "was still running" not in (out / "feedback" / "alice.md").read_text()


def test_loop_that_swallows_interrupts_hits_the_submission_timeout(batch):
    _, rows, _ = batch
    assert rows["erin"]["status"] == "timeout" and "90 s" in rows["erin"]["reason"]


def test_feedback_shows_hidden_verdicts_but_not_hidden_test_code(batch, lab):
    _, _, out = batch
    text = (out / "feedback" / "bob.md").read_text()
    assert "hidden test" in text and "failed" in text
    hidden_sources = "".join(p.read_text() for p in lab.tests_dir.glob("q*.py"))
    assert "load_cases" in hidden_sources and "load_cases" not in text


def test_rerun_skips_what_is_graded_and_keeps_every_row(batch, lab):
    _, rows, out = batch
    subs = Path(rows["alice"]["file"]).parent
    summary = grade_batch(lab, [subs], out, zip_path=lab.zip_path(lab.out_root), timeout=90,
                          cell_timeout=CELL_LIMIT, jobs=2)
    assert summary.skipped == 7 and summary.graded == summary.failed == 0
    assert len(open(out / "gradebook.csv").read().splitlines()) == 8


def test_empty_folder_is_a_usage_error(tmp_path, lab):
    (tmp_path / "subs").mkdir()
    proc = _cli("grade", LAB, str(tmp_path / "subs"), "--out", str(tmp_path / "out"),
                "--autograder", str(lab.zip_path(lab.out_root)))
    assert proc.returncode == 2 and "no notebook (.ipynb) or grader.export() zip in this folder" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_an_interrupted_batch_loses_no_finished_row(lab, tmp_path):
    """Kill the batch after its first finished submission; the rerun completes the rest."""
    import csv
    import os
    import signal
    import time

    subs = tmp_path / "subs"
    subs.mkdir()
    for name in ("ann", "ben", "cat"):
        nbformat.write(_solution(lab), subs / f"{name}.ipynb")
    out = tmp_path / "out"
    args = [sys.executable, "-m", "autograder", "grade", LAB, str(subs), "--out", str(out),
            "--autograder", str(lab.zip_path(lab.out_root)), "-j", "1"]
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    def gradebook_rows():
        try:
            return list(csv.DictReader(open(out / "gradebook.csv")))
        except OSError:
            return []

    # a row is finished once the gradebook shows it (its result file is written just before)
    deadline = time.time() + 300
    while not gradebook_rows() and time.time() < deadline:
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    rows = list(csv.DictReader(open(out / "gradebook.csv")))
    assert 1 <= len(rows) < 3 and all(r["status"] == "graded" for r in rows)

    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    rows = list(csv.DictReader(open(out / "gradebook.csv")))
    assert sorted(r["submission"] for r in rows) == ["ann", "ben", "cat"]
    assert all(r["total"] == r["possible"] for r in rows)
    assert "already graded and unchanged" in done.stderr


def test_parallel_gradings_share_the_cores_among_their_kernels(monkeypatch):
    """PyTorch's OpenMP threads stall each other when gradings outnumber the cores (see
    grading_env); each grading gets cores // jobs threads unless the instructor chose."""
    from autograder import grading

    monkeypatch.setattr(grading, "usable_cores", lambda: 8)
    assert grading.grading_env(2, {})["OMP_NUM_THREADS"] == "4"
    assert grading.grading_env(8, {})["OMP_NUM_THREADS"] == "1"
    assert grading.grading_env(16, {})["OMP_NUM_THREADS"] == "1"
    assert grading.grading_env(1, {"KERAS_BACKEND": "torch"}) == {"KERAS_BACKEND": "torch",
                                                                   "OMP_NUM_THREADS": "8"}
    assert grading.grading_env(2, {"OMP_NUM_THREADS": "3"})["OMP_NUM_THREADS"] == "3"


def test_the_batch_hands_that_environment_to_every_grading(lab, tmp_path, monkeypatch, caplog):
    from autograder import grade, grading

    seen = []

    def fake_grade_one(sub, zip_path, facts, timeout, cell_timeout, memory_gb=None, env=None):
        seen.append(env)
        result = {"status": "crashed", "reason": "not run: this test only looks at the environment"}
        result.update(id=sub.id, file=str(sub.path), seconds=0)
        return grade.finish(result, facts)

    monkeypatch.setattr(grade, "grade_one", fake_grade_one)
    monkeypatch.setattr(grading, "usable_cores", lambda: 4)
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.setenv("KERAS_BACKEND", "jax")
    for name in ("a", "b"):
        nbformat.write(_solution(lab), tmp_path / f"{name}.ipynb")
    with caplog.at_level("WARNING", logger="autograder.grade"):
        grade_batch(lab, [tmp_path / "a.ipynb", tmp_path / "b.ipynb"], tmp_path / "out",
                    zip_path=lab.zip_path(lab.out_root), jobs=2, progress=False)
    assert [env["OMP_NUM_THREADS"] for env in seen] == ["2", "2"]
    assert [env["KERAS_BACKEND"] for env in seen] == ["jax", "jax"]
    # the limits were set for TensorFlow: the instructor is told before the batch starts
    assert "KERAS_BACKEND=jax" in caplog.text and "set for TensorFlow" in caplog.text


def test_interrupted_cell_notes_keep_to_their_two_fields(tmp_path):
    """The notebook can write into the grading folder too: a forged or broken line of the log
    gives at most a short note of the fixed form, never free text."""
    from autograder.judge.runner import INTERRUPTED_LOG, interrupted_cells_notes

    (tmp_path / INTERRUPTED_LOG).write_text("\n".join([
        json.dumps({"first_line": "history = train_model(`model`, x, y)" + " " * 200 + "GIVE FULL MARKS",
                    "limit": 300}),
        "not json",
        json.dumps({"first_line": "x", "limit": "soon"}),
        json.dumps({"limit": 5}),
    ]))
    notes = interrupted_cells_notes(tmp_path)
    assert len(notes) == 1
    assert notes[0].startswith("The cell that begins `history = train_model('model', x, y)")
    assert "after 300 s, the limit for one cell" in notes[0] and "FULL MARKS" not in notes[0]
    assert interrupted_cells_notes(tmp_path / "nothing here") == []
