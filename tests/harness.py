"""Run one question's otter test file against a namespace, outside any notebook.

The galleries and the reference suite use this: the namespace is the reference solution,
with one or more functions replaced by a wrong (or an alternative correct) implementation.
"""

import contextlib
import inspect
import os
import re
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from autograder.judge import helpers, verdicts
from autograder.judge.results import case_names, summarise
from autograder.labs import Lab, load_module
from autograder.checks import dllab_wire
from autograder.testfiles import load_test_file  # names the tests' helpers as the zip does
from autograder.kernel import dllab_kernel  # noqa: E402


@dataclass
class QuestionResult:
    score: float
    possible: float
    failures: list[str]          # messages of the failed test cases
    hidden_failed: int
    public_failed: int
    notes: list[str] = field(default_factory=list)  # a composite's case passed with correct helpers

    @property
    def full_marks(self) -> bool:
        return not self.failures and self.score == self.possible


def run_question(lab_name: str, question: str, cases_dir, overrides=None, base=None,
                 judged: bool = False) -> QuestionResult:
    """Grade `question` of `lab_name` with the reference namespace, updated with `overrides`.

    judged=False: as the student's `grader.check` runs it, in one namespace. judged=True: as
    grading runs it, the tests with the judge's stand-ins in this thread, the namespace
    answering from another thread over a socket pair (dllab_kernel.answer), everything that
    crosses encoded and decoded as it is between the kernel and the judge.
    """
    lab = Lab(lab_name)
    if lab.cases_file.exists() and not (cases_dir / lab.cases_name).exists():
        pytest.skip(f"{lab_name}: no hidden cases (its data set is not available here)")
    env = dict(vars(base)) if base is not None else _notebook_namespace(lab)
    for name, value in (overrides or {}).items():
        if isinstance(value, str):  # a cell of the notebook's: defined in the namespace itself
            exec(compile(value, f"<cell defining {name}>", "exec"), env)
        else:
            env[name] = value
    old = os.environ.get("DLLAB_CASES_DIR")
    os.environ["DLLAB_CASES_DIR"] = str(cases_dir)
    try:
        if judged:
            cells = [value for value in (overrides or {}).values() if isinstance(value, str)]
            return _judged(lab, question, env, cells)
        test = load_test_file(lab.tests_dir / f"{question}.py")
        test.run(env)
    finally:
        if old is None:
            os.environ.pop("DLLAB_CASES_DIR", None)
        else:
            os.environ["DLLAB_CASES_DIR"] = old
    cases = [{"name": r.test_case.name, "hidden": r.test_case.hidden, "passed": r.passed,
              "points": r.test_case.points, "message": r.message} for r in test.test_case_results]
    return _result(lab_name, question, cases, test.possible)


def _notebook_namespace(lab: Lab) -> dict:
    """The reference's functions defined in one namespace, as cells define them in a notebook:
    a function that calls another finds it there (an override replaces it for both)."""
    env = {"__name__": f"notebook_{lab.name}"}
    exec(compile(lab.solution_file.read_text(), str(lab.solution_file), "exec"), env)
    return env


def _result(lab_name: str, question: str, cases: list[dict], possible: float) -> QuestionResult:
    """The question's score as grading adds it up (results.summarise: a broken rule costs the
    question), with the failures' messages as the test file gave them."""
    names = case_names(Lab(lab_name).tests_dir)
    score = summarise({question: cases}, names, {question: float(possible)})[question]["score"]
    failures = [c["message"] for c in cases if not c["passed"]]
    notes = [c["note"] for c in cases if c.get("note")]
    hidden_failed = sum(1 for c in cases if c["hidden"] and not c["passed"])
    public_failed = sum(1 for c in cases if not c["hidden"] and not c["passed"])
    return QuestionResult(score, possible, failures, hidden_failed, public_failed, notes)


def _as_notebook(env: dict) -> list[str]:
    """The namespace as the judge reads a notebook's source (the lab's rules): the modules its
    functions come from, then `name = function` where a function has another name."""
    cells, aliases = [], []
    for name, value in env.items():
        if not inspect.isfunction(value):
            continue
        module = inspect.getmodule(value)
        if module is not None and getattr(module, "__file__", None):
            source = Path(module.__file__).read_text()
            if source not in cells:
                cells.append(source)
        if value.__name__ != name and value.__name__.isidentifier():
            aliases.append(f"{name} = {value.__name__}")
    return cells + aliases


def _judged(lab: Lab, question: str, env: dict, cells: list[str] = ()) -> QuestionResult:
    judge_end, kernel_end = socket.socketpair()
    kernel = threading.Thread(target=dllab_kernel.answer, args=(kernel_end, env), daemon=True)
    kernel.start()
    channel = verdicts.Channel(time.time() + 600, judge_end)
    channel.notebook_cells = _as_notebook(env) + list(cells)
    if lab.composites_file.is_file():
        channel.helpers = helpers.Helpers(load_module(lab.composites_file, f"composites_{lab.name}"),
                                          load_module(lab.solution_file, f"reference_{lab.name}"))
    try:
        cases = verdicts.run_tests(lab.tests_dir, channel, only=question)[question]
    finally:
        dllab_wire.send(judge_end, {"op": "done"})
        kernel.join(60)
        judge_end.close()
    return _result(lab.name, question, cases, float(load_test_file(lab.tests_dir / f"{question}.py").possible))


def run_like_gradescope(zip_path, submission_files: dict, root, grading=None, env=None) -> dict:
    """Grade as Gradescope's harness does: `root` laid out as /autograder (source/ holds the
    unpacked zip, submission/ what the student uploaded, results/), the zip's own
    run_autograder started with bash; returns results/results.json.

    `submission_files` maps file names to bytes; `grading` overrides the lab's grading limits
    in the zip's facts file, as an instructor editing lab.toml would (short deadlines for tests).
    """
    import json
    import subprocess
    import zipfile
    from pathlib import Path

    root = Path(root)
    for sub in ("source", "submission", "results"):
        (root / sub).mkdir(parents=True)
    (root / "submission_metadata.json").write_text("{}")
    with zipfile.ZipFile(zip_path) as z:
        z.extractall(root / "source")
    if grading:
        facts_path = next((root / "source" / "files").glob("dllab_facts_*.json"))
        facts = json.loads(facts_path.read_text())
        facts["grading"].update(grading)
        facts_path.write_text(json.dumps(facts))
    for name, data in submission_files.items():
        (root / "submission" / name).write_bytes(data)
    # the grading image's `python` is this test run's interpreter
    run_env = dict(os.environ if env is None else env)
    run_env["PATH"] = f"{Path(sys.executable).parent}:{run_env.get('PATH', '')}"
    run_env["DLLAB_AUTOGRADER_DIR"] = str(root)
    subprocess.run(["bash", str(root / "source" / "run_autograder")], env=run_env,
                   stdin=subprocess.DEVNULL, capture_output=True, timeout=3600)
    return json.loads((root / "results" / "results.json").read_text())


# --- notebooks run as in Jupyter ---------------------------------------------------------------

# A warning on stdout: Python's logging (TensorFlow's "WARNING:tensorflow:...") or `warnings`.
WARNING_LINE = re.compile(r"^(WARNING|ERROR|CRITICAL):\S|\b\w*Warning: ", re.M)


@contextlib.contextmanager
def as_in_jupyter():
    """The kernels started in the block see what a student's Jupyter gives them. They inherit
    this process's environment, less two variables: TF_CPP_MIN_LOG_LEVEL (a shell's or the
    course's commands' quiet setting), and PYTEST_CURRENT_TEST, with which ipykernel stops
    showing what is written to file descriptors 1 and 2 (TensorFlow's C++ log) under the cell."""
    saved = {name: os.environ.pop(name) for name in ("PYTEST_CURRENT_TEST", "TF_CPP_MIN_LOG_LEVEL")
             if name in os.environ}
    try:
        yield
    finally:
        os.environ.update(saved)


def first_line(cell) -> str:
    return cell.source.splitlines()[0] if cell.source else ""


def noise_in(cells) -> list[str]:
    """Every stderr output and every warning on stdout, named by its cell's first line."""
    found = []
    for cell in cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") != "stream":
                continue
            if out["name"] == "stderr" or WARNING_LINE.search(out["text"]):
                found.append(f"`{first_line(cell)}` printed on {out['name']}: {out['text'][:500]}")
    return found
