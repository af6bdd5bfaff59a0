"""Grade one notebook with otter, in a process of its own: `python -m autograder.run_one`.

Usage: python -m autograder.run_one AUTOGRADER_ZIP NOTEBOOK RESULT_JSON [CELL_TIMEOUT]

`grade` runs this under a timeout and a memory limit, and kills the whole process tree (the
kernel included) when it runs over. What this adds to a plain `otter run` (see
docs/integrity.md for what it cannot defend against):
- a cell running past CELL_TIMEOUT is interrupted and grading goes on with the next cell;
- a guard cell, run before the submission's first cell, turns `os._exit()` into an error
  (it would kill the kernel and every mark with it) and caps what the notebook prints;
- after grading, the test files and support files the grading read are compared with the
  zip's; a submission that rewrote or deleted them is reported as tampered, with no marks;
- the result is written as structured JSON, per question and per test case, so feedback can
  show a hidden case's verdict and message without its code.
"""

import hashlib
import json
import os
import re
import sys
import tempfile
import zipfile

import nbformat

from .cells import cell_source

TAMPERED = "tampered"
# "Error at line 12 in test q4:\n      <the test's source line>\nAssertionError: ..."
_SOURCE_LINES = re.compile(r"Error at line \d+ in test [^:\n]*:\n(?:[ \t].*\n)*")


def message_without_code(message: str) -> str:
    """A failed case's message with the test's source line removed (hidden tests stay hidden)."""
    return _SOURCE_LINES.sub("", message).replace("❌ Test case failed\n", "").strip()


def summarise(results) -> dict:
    questions = {}
    for name, test_file in results.results.items():
        cases = []
        for r in test_file.test_case_results:
            hidden = bool(r.test_case.hidden)
            cases.append({
                "name": r.test_case.name,
                "hidden": hidden,
                "passed": bool(r.passed),
                "points": r.test_case.points,
                "message": message_without_code(r.message) if hidden else r.message,
            })
        questions[name] = {"score": float(test_file.score), "possible": float(test_file.possible),
                           "cases": cases}
    return {"questions": questions}


def interrupt_slow_cells(cell_timeout: float):
    """Make otter interrupt a cell that runs longer than `cell_timeout` and go on.

    otter 7 executes without any timeout, so one endless loop would cost a submission every
    mark it earned elsewhere. nbclient can interrupt the kernel and continue with the next
    cell (`interrupt_on_timeout`); otter builds its traitlets Config inside grade_notebook,
    so we hand it a Config that already carries those two settings.
    """
    import otter.execute
    from traitlets.config import Config

    def config_with_timeout(*args, **kwargs):
        c = Config(*args, **kwargs)
        c.ExecutePreprocessor.timeout = int(cell_timeout)
        c.ExecutePreprocessor.interrupt_on_timeout = True
        return c

    otter.execute.Config = config_with_timeout


def _digest(path: str) -> str | None:
    if not os.path.isfile(path):
        return None
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def expected_files(ag_zip: zipfile.ZipFile) -> dict[str, str]:
    """The files, relative to the submission folder, that grading reads, with their digests."""
    out = {}
    for name in ag_zip.namelist():
        if name.startswith("tests/") and name.endswith(".py"):
            out[name] = hashlib.sha256(ag_zip.read(name)).hexdigest()
        elif name.startswith("files/") and not name.endswith("/"):
            out[name[len("files/"):]] = hashlib.sha256(ag_zip.read(name)).hexdigest()
    return out


def with_guard(notebook: str, dest: str):
    nb = nbformat.read(notebook, as_version=4)
    guard = nbformat.v4.new_code_cell(cell_source("guard"))
    guard.pop("id", None)
    nb.cells.insert(0, guard)
    nbformat.write(nb, dest)


def grade(zip_path: str, notebook: str) -> dict:
    """otter run's steps (otter.run.main), in a folder we keep until the integrity check."""
    from otter.run.run_autograder import main as run_autograder_main
    import dill

    with tempfile.TemporaryDirectory(prefix="dllab-run-") as tmp:
        ag_dir = os.path.join(tmp, "autograder")
        for sub in ("source", "submission", "results"):
            os.makedirs(os.path.join(ag_dir, sub))
        with open(os.path.join(ag_dir, "submission_metadata.json"), "w") as f:
            json.dump({}, f)
        with zipfile.ZipFile(zip_path) as z:
            z.extractall(os.path.join(ag_dir, "source"))
            expected = expected_files(z)
        with_guard(notebook, os.path.join(ag_dir, "submission", os.path.basename(notebook)))
        run_autograder_main(ag_dir, logo=False, otter_run=True)
        with open(os.path.join(ag_dir, "results", "results.pkl"), "rb") as f:
            results = dill.load(f)
        changed = sorted(name for name, digest in expected.items()
                         if _digest(os.path.join(ag_dir, "submission", name)) != digest)
    summary = summarise(results)
    if changed:
        summary["status"] = TAMPERED
        summary["reason"] = ("the notebook changed or deleted files the grading reads "
                             f"({', '.join(changed[:5])}): its results cannot be trusted")
    return summary


def main(argv):
    zip_path, notebook, out_json = argv[:3]
    if len(argv) > 3:
        interrupt_slow_cells(float(argv[3]))
    summary = grade(os.path.abspath(zip_path), os.path.abspath(notebook))
    with open(out_json, "w") as f:
        json.dump(summary, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
