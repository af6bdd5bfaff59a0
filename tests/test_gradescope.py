"""The autograder zip as Gradescope runs it: lab 3's submissions, good and bad, through the zip's
own run_autograder in a folder laid out as /autograder; and the same submissions through
`grade`, which must give the same scores and the same messages.

Every other lab's solution goes through the same path in tests/test_end_to_end.py.
"""

import csv
import io
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest

from autograder.grade import grade_batch
from golden import assert_golden
from harness import run_like_gradescope

LAB = "lab3_cnn_numpy"
# Short limits, as an instructor could set in lab.toml: a slow cell is interrupted after 5 s and
# the runner's deadline is 45 s (the reserve for otter's last cell is a quarter of it).
LIMITS = {"cell_timeout": 5, "timeout": 45}

WRONG_CONV = '''
def conv2d_forward(X, W, b, stride=1, pad=0):
    """Kernel flipped: a convolution in the signal-processing sense, not the layer's."""
    return _right_conv2d_forward(X, W[::-1, ::-1], b, stride, pad)
'''


@pytest.fixture(scope="module")
def lab(built):
    return built[LAB]


def _solution(lab):
    return nbformat.read(lab.dist(lab.out_root) / "solution" / f"{LAB}.ipynb", as_version=4)


def _before_submit(nb, source):
    """`source` as a cell of its own just before the Submit section, as a student would add it."""
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    submit = next(i for i, c in enumerate(nb.cells) if c.cell_type == "markdown"
                  and c.source.startswith("## Submit"))
    nb.cells.insert(submit, nbformat.v4.new_code_cell(source))
    return nb


def _with_wrong_conv(nb):
    """The wrong answer in the cell that defines the function, as a student would write it."""
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    cell = next(c for c in nb.cells if c.cell_type == "code" and "def conv2d_forward(" in c.source)
    cell.source = cell.source.replace("def conv2d_forward(", "def _right_conv2d_forward(") + "\n" + WRONG_CONV
    return nb


def _submissions(lab) -> dict[str, dict[str, bytes]]:
    sol = _solution(lab)
    renamed = nbformat.from_dict(json.loads(json.dumps(sol)))
    for cell in renamed.cells:
        cell.source = cell.source.replace("def conv2d_forward(", "def conv2d_fwd(")
    other_lab = nbformat.from_dict(json.loads(json.dumps(sol)))
    other_lab.metadata["otter"]["assignment_name"] = "lab4_cnn_keras"
    stubborn = ("import time\nwhile True:\n    try:\n        time.sleep(0.1)\n"
                "    except KeyboardInterrupt:\n        pass")
    nb = lambda n: {f"{LAB}.ipynb": nbformat.writes(n).encode()}  # noqa: E731
    return {
        "solution": nb(sol),
        "endless_loop": nb(_before_submit(sol, "while True:\n    pass")),
        "os_exit": nb(_before_submit(sol, "import os\nos._exit(0)")),
        "wrong_conv": nb(_with_wrong_conv(sol)),
        "renamed_function": nb(renamed),
        "other_lab": nb(other_lab),
        "kernel_dies": nb(_before_submit(sol, "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)")),
        "uninterruptible": nb(_before_submit(sol, stubborn)),
        "not_a_notebook": {"answers.txt": b"I did the lab on paper"},
        "broken_json": {f"{LAB}.ipynb": b"{ not json"},
    }


@pytest.fixture(scope="module")
def gradescope(lab, tmp_path_factory):
    subs = _submissions(lab)
    root = tmp_path_factory.mktemp("gradescope")
    zip_path = lab.zip_path(lab.out_root)

    def one(name):
        return name, run_like_gradescope(zip_path, subs[name], root / name / "autograder", LIMITS)

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(one, subs))


def _by_question(report) -> dict[str, float]:
    scores = {}
    for t in report["tests"]:
        q = t["name"].split(",", 1)[0]
        scores[q] = scores.get(q, 0) + t["score"]
    return scores


def test_results_follow_gradescopes_specification(gradescope):
    for name, report in gradescope.items():
        assert report["stdout_visibility"] == "hidden", name
        assert report["tests"], name
        assert report["score"] == sum(t["score"] for t in report["tests"]), name
        for t in report["tests"]:
            assert {"name", "score", "max_score", "status", "visibility"} <= set(t), (name, t)
            assert t["status"] in ("passed", "failed") and t["visibility"] in ("visible", "after_published")
            assert t["name"].startswith("q"), t["name"]


def test_the_solution_gets_full_marks_and_readable_test_names(gradescope, lab):
    report = gradescope["solution"]
    assert report["score"] == sum(t["max_score"] for t in report["tests"]) == 45
    names = [t["name"] for t in report["tests"]]
    assert "q4, the convolution layer's forward pass: lecture vertical edge (public)" in names
    hidden = [t for t in report["tests"] if t["name"].endswith("(hidden)")]
    assert hidden and all(t["visibility"] == "after_published" for t in hidden)


def test_an_endless_loop_and_os_exit_keep_every_mark(gradescope):
    assert gradescope["endless_loop"]["score"] == 45
    assert gradescope["os_exit"]["score"] == 45
    # the student sees which cell was stopped: a training cut short is not a weak model
    assert ("Note: The cell that begins `while True:` was still running after 5 s"
            in gradescope["endless_loop"]["output"])
    assert "Note:" not in gradescope["solution"]["output"]


def test_a_wrong_conv2d_forward_loses_its_question_and_shows_no_hidden_source(gradescope):
    report = gradescope["wrong_conv"]
    scores = _by_question(report)
    assert scores["q4"] < 9 and report["score"] == 45 - (9 - scores["q4"])
    failed = [t for t in report["tests"] if t["status"] == "failed"]
    assert any(t["name"].endswith("(hidden)") for t in failed)
    # a public case may quote its own line (the student has it); a hidden one never
    for t in failed:
        if t["name"].endswith("(hidden)"):
            assert "Error at line" not in t["output"] and "in test q" not in t["output"], t["output"]
    text = json.dumps(report)
    for secret in ("load_cases(", "case[\\\"expected\\\"]", "assert_close(got"):
        assert secret not in text, secret


@pytest.mark.parametrize("name,message", [
    ("renamed_function", "`conv2d_forward` is not defined"),
    ("other_lab", "belongs to another lab"),
    ("kernel_dies", "kernel died"),
    ("uninterruptible", "could not be interrupted"),
    ("not_a_notebook", "no notebook was submitted"),
    ("broken_json", "not a valid notebook"),
])
def test_bad_input_gets_a_results_file_with_a_clear_message(gradescope, name, message):
    report = gradescope[name]
    assert message in json.dumps(report), (name, report["output"])


def test_results_json_matches_its_golden_copy(gradescope):
    """What Gradescope shows each of the fixed submissions, word for word (tests/golden.py)."""
    for name, report in sorted(gradescope.items()):
        assert_golden(f"{LAB}/gradescope/{name}.json", json.dumps(report, indent=1) + "\n")


def test_grade_gives_the_same_scores_and_messages(gradescope, lab, tmp_path):
    """`grade` on one machine and the zip on Gradescope: the same runner, the same result."""
    subs = tmp_path / "subs"
    subs.mkdir()
    for name, files in _submissions(lab).items():
        if name in ("not_a_notebook", "uninterruptible", "kernel_dies"):
            continue  # a folder per submission is Gradescope's notion; the rest is compared
        (subs / f"{name}.ipynb").write_bytes(next(iter(files.values())))
    out = tmp_path / "out"
    grade_batch(lab, [subs], out, zip_path=lab.zip_path(lab.out_root), jobs=2, progress=False,
                timeout=LIMITS["timeout"], cell_timeout=LIMITS["cell_timeout"])
    # what the instructor and the students read, word for word (the file column without its folder)
    rows = list(csv.reader(io.StringIO((out / "gradebook.csv").read_text())))
    for row in rows[1:]:
        row[-1] = Path(row[-1]).name
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    assert_golden(f"{LAB}/grade/gradebook.csv", buf.getvalue())
    for path in sorted((out / "feedback").glob("*.md")):
        assert_golden(f"{LAB}/grade/feedback/{path.name}", path.read_text())
    assert_golden(f"{LAB}/grade/summary.md", (out / "summary.md").read_text())
    for path in sorted((out / "results").glob("*.json")):
        local = json.loads(path.read_text())
        report = gradescope[path.stem]
        assert local["total"] == report["score"], path.stem
        assert {q: r["score"] for q, r in local["questions"].items()} == {
            q: _by_question(report).get(q, 0) for q in local["questions"]}, path.stem
        local_messages = sorted(c["message"] for r in local["questions"].values()
                                for c in r["cases"] if not c["passed"])
        remote_messages = sorted(t["output"][len("```\n"):-len("\n```")] for t in report["tests"]
                                 if t["status"] == "failed" and t.get("output", "").startswith("```"))
        assert local_messages == remote_messages, path.stem
        assert all(f"Note: {note}" in report["output"] for note in local["notes"]), path.stem
        assert report["output"].count("Note: ") == len(local["notes"]), path.stem
        if local["status"] != "graded":  # the submitted file's name differs by nature
            reason = local["reason"].split(": ", 1)[1] if local["status"] == "invalid" else local["reason"]
            assert reason in report["output"], path.stem


# --- the Autograder Settings each lab states, against what was measured ------------------------

def _measured():
    from autograder.paths import ROOT

    path = ROOT / "benchmarks" / "results" / "gradescope.json"
    return json.loads(path.read_text()) if path.exists() else []


@pytest.mark.parametrize("name", [lab.name for lab in __import__("autograder.labs").labs.all_labs()])
def test_stated_settings_have_a_quarter_margin_over_the_measurements(name):
    """lab.toml's [gradescope] settings cover the measured peak and time with 25% to spare, and
    the runner's deadline sits between the measured time and the container's timeout."""
    from autograder.labs import Lab

    lab = Lab(name)
    g, deadline = lab.gradescope, lab.grading["timeout"]
    runs = [r for r in _measured() if r["lab"] == name and r["cpus"] == g["cpus"] and "peak_rss_gb" in r
            and not r.get("superseded")]
    assert runs, f"no measurement of {name} at {g['cpus']} CPU in benchmarks/results/gradescope.json"
    assert all(r["score"] == r["possible"] for r in runs), runs
    # both the whole container's peak (page cache included: TensorFlow's libraries, the data
    # read) and the anonymous memory, which cannot be evicted
    seconds = max(r["seconds"] for r in runs)
    for measure in ("peak_gb", "peak_rss_gb"):
        peak = max(r[measure] for r in runs)
        assert g["memory_gb"] >= 1.25 * peak, (measure, g["memory_gb"], peak)
    assert deadline >= 1.25 * seconds, (deadline, seconds)
    assert g["timeout_minutes"] * 60 >= deadline + 60, "the deadline needs a minute below the timeout"
    checks = [r for r in _measured() if r["lab"] == name and r.get("check") and not r.get("superseded")]
    assert checks and checks[-1]["memory_limit_gb"] == g["memory_gb"], "no run under the stated settings"
    assert checks[-1]["score"] == checks[-1]["possible"], checks[-1]
