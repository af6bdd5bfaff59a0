"""The grading runner: one submission graded by otter, with the course's defences, into a result.

One runner, two places, the same code:
- `dllab grade` runs `python dllab_runner.py local ZIP NOTEBOOK RESULT_JSON` for each
  submission, in a folder laid out as Gradescope lays out /autograder;
- the autograder zip carries this file as `dllab_runner.py`, and the zip's `run_autograder`
  runs `python dllab_runner.py gradescope /autograder`, which grades /autograder/submission
  and always writes /autograder/results/results.json in Gradescope's format.
It is standalone on purpose: the standard library, nbformat and otter (and otter's dill), which
is all the grading image has.

What it adds to otter's own run:
- the guard cell (kernel/cells/guard.py, `dllab_guard.py` in the zip) before the submission's first
  cell: `os._exit()` raises, and output past 2 MB is dropped;
- a cell running past `cell_timeout` is interrupted and grading goes on with the next cell;
  the result's notes name each such cell by its first line, so that a training cut short
  is not mistaken for a weak model;
- a deadline of its own: past `deadline - RESERVE` every cell still to run is interrupted at
  once, so that otter's last cell (the tests not yet run) and the results are done before the
  deadline, with every mark earned until then; a kernel that cannot be interrupted is killed at
  the deadline itself, and the result still says why;
- the tests run in the judge (verdicts.py), in this process, never in the student's kernel:
  the notebook's last cell answers the judge's calls, and the student's side of the grading
  folder holds neither the hidden tests nor their answers;
- messages of hidden cases without the test's source line.
"""

import ast
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

try:  # as autograder.judge.runner, in the package
    from . import helpers as judge_helpers
    from . import isolation
    from . import verdicts as judge
    from .results import (CRASHED, GRADED, INVALID, TIMEOUT, _bounded, case_names, finish,
                          gradescope_results, summarise)
    from .submission import NotebookError, first_line, notebook_from, read_notebook, submitted_notebook
except ImportError:  # as dllab_runner.py, beside them in the zip
    import dllab_helpers as judge_helpers
    import dllab_isolation as isolation
    import dllab_verdicts as judge
    from dllab_results import (CRASHED, GRADED, INVALID, TIMEOUT, _bounded, case_names, finish,
                               gradescope_results, summarise)
    from dllab_submission import NotebookError, first_line, notebook_from, read_notebook, submitted_notebook
# Seconds kept, after every student cell has had its time, for otter's last cell (the tests not
# yet run) and for writing the results.
RESERVE = 60
MAX_LOG = 20_000  # characters of a failed run's output kept for its reason
# Written by the otter child in the results folder: one JSON line per interrupted cell.
INTERRUPTED_LOG = "dllab-interrupted-cells.jsonl"
HERE = Path(__file__).resolve().parent
CASES_ENV = "DLLAB_CASES_DIR"  # where the tests' helpers find the hidden cases (dllab_checks)


# --- the defences ---------------------------------------------------------------------------

def guard_source() -> str:
    """The guard cell: beside this file in the zip, in kernel/cells/ in the package."""
    for path in (HERE / "dllab_guard.py", HERE.parent / "kernel" / "cells" / "guard.py"):
        if path.is_file():
            return path.read_text()
    raise FileNotFoundError("the guard cell (dllab_guard.py) is missing beside the runner")


def add_guard(notebook: Path):
    import nbformat

    nb = read_notebook(notebook)
    guard = nbformat.v4.new_code_cell(guard_source())
    guard.pop("id", None)
    nb.cells.insert(0, guard)
    nbformat.write(nb, str(notebook))


def _names_defined(nb) -> set[str]:
    defined = set()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        try:  # a cell with IPython magics or a syntax error defines nothing readable
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                defined.add(node.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                defined.add(node.id)
    return defined


def adopt(notebook: Path, source: Path) -> list[str]:
    """A notebook without otter's metadata (its cells pasted into a new notebook, say) is this
    lab's when it defines at least half of what the lab's tests take: it gets the metadata and
    a note. Without either, NotebookError says why."""
    import nbformat

    nb = read_notebook(notebook)
    if nb.metadata.get("otter", {}).get("assignment_name"):
        return []
    lab = json.loads((Path(source) / "otter_config.json").read_text())["assignment_name"]
    wanted = set(judge.names_the_tests_take(Path(source) / "tests"))
    found = wanted & _names_defined(nb)
    if not wanted or len(found) * 2 < len(wanted):
        raise NotebookError(f"{Path(notebook).name}: not a notebook of {lab} (it has no otter metadata "
                            f"and defines {len(found)} of the {len(wanted)} names its tests need)")
    nb.metadata.setdefault("otter", {})["assignment_name"] = lab
    nb.metadata.setdefault("kernelspec", {"name": "python3", "display_name": "Python 3", "language": "python"})
    nbformat.write(nb, str(notebook))
    return [f"This notebook had no otter metadata (were its cells pasted into a new notebook?): it "
            f"defines {len(found)} of the {len(wanted)} names {lab}'s tests need, and was graded as {lab}."]


def add_serve_cell(notebook: Path, ag_dir: Path):
    """The notebook's last cell: the kernel answers the judge's calls (dllab_kernel.serve)."""
    import nbformat

    nb = read_notebook(notebook)
    cell = nbformat.v4.new_code_cell(judge.SERVE_CELL.format(path=str(Path(ag_dir) / judge.SOCKET_NAME)))
    cell.pop("id", None)
    nb.cells.append(cell)
    nbformat.write(nb, str(notebook))


def withhold_answers(source: Path):
    """What the student's side gets of the zip: each test file reduced to its question's name
    and points (the notebook's own `grader.check` then runs nothing there), no hidden cases
    and no reference functions (judge/helpers.py). The judge reads them from its own copy."""
    for path in sorted(Path(source).glob("tests/*.py")):
        tree = ast.parse(path.read_text())
        kept = [node for node in tree.body if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id in ("OK_FORMAT", "name", "points") for t in node.targets)]
        path.write_text("from otter.test_files import test_case  # noqa: F401\n\n"
                        + "\n".join(ast.unparse(node) for node in kept) + "\n")
    for pattern in ("files/dllab_cases_*", "dllab_composites_*", "dllab_reference_*"):
        for path in Path(source).glob(pattern):
            path.unlink()


# --- running otter, in a process group of its own ------------------------------------------

def _otter_child(ag_dir: str, cell_timeout: float, soft_deadline: float, hard_deadline: float):
    """The child process: otter's own grading, with our limits on every cell.

    otter 7 executes without any timeout and builds its traitlets Config inside
    grade_notebook; we hand it a Config that already carries nbclient's per-cell limit
    (`timeout_func`) and `interrupt_on_timeout`, so a slow cell is interrupted and grading goes on.
    """
    import otter.execute
    from otter.run.run_autograder import main as run_autograder_main
    from traitlets.config import Config

    started = {}  # id(cell) -> (when its wait began, its limit)

    def cell_limit(cell):
        now = time.time()
        # otter's last cell, and ours before it that answers the judge: the grading's deadline
        if cell.source.startswith("from otter.execute import Checker") or judge.SERVE_PREFIX in cell.source:
            limit = max(1, int(hard_deadline - now))
        else:
            limit = max(2, int(min(cell_timeout, soft_deadline - now)))
        started[id(cell)] = (now, limit)
        return limit

    def note_if_interrupted(cell, cell_index, execute_reply):
        """nbclient's hook after each cell: a KeyboardInterrupt at the cell's limit was ours."""
        begun, limit = started.pop(id(cell), (None, None))
        content = (execute_reply or {}).get("content", {})
        if judge.SERVE_PREFIX in cell.source:  # the judge's cases say what they missed
            return
        if begun is None or content.get("ename") != "KeyboardInterrupt" or time.time() - begun < limit - 1:
            return
        with open(Path(ag_dir) / "results" / INTERRUPTED_LOG, "a") as f:
            f.write(json.dumps({"first_line": first_line(cell.source), "limit": limit}) + "\n")

    def config_with_limits(*args, **kwargs):
        c = Config(*args, **kwargs)
        c.ExecutePreprocessor.timeout_func = cell_limit
        c.ExecutePreprocessor.interrupt_on_timeout = True
        c.ExecutePreprocessor.on_cell_executed = note_if_interrupted
        return c

    otter.execute.Config = config_with_limits
    run_autograder_main(ag_dir, logo=False, otter_run=True)


def interrupted_cells_notes(ag_dir: Path) -> list[str]:
    """One note per cell that was stopped at its time limit, from the otter child's log."""
    path = Path(ag_dir) / INTERRUPTED_LOG
    notes = []
    for line in path.read_text().splitlines() if path.exists() else []:
        try:
            cell = json.loads(line)
            # the notebook could write this file too: keep to the two fields, short
            begins, limit = str(cell["first_line"])[:80].replace("`", "'"), float(cell["limit"])
            notes.append(f"The cell that begins `{begins}` was still running after "
                         f"{limit:g} s, the limit for one cell, and was interrupted; grading "
                         "went on with the next cell. What that cell had not finished (a training, a "
                         "variable it sets) was graded as it stood.")
        except (ValueError, KeyError, TypeError):
            continue
    return notes


def run_otter(ag_dir: Path, cell_timeout: float, deadline: float, log_path: Path,
              iso: "isolation.Isolation", tests_dir: Path, memory_gb: float | None = None,
              cells: list[str] = ()):
    """Run otter on ag_dir, on the student's side of `iso`, while the judge runs `tests_dir`
    against its kernel; (finished before the deadline, ids of the student's processes still
    alive once it was ended: none, or no result counts, the verdicts or None)."""
    start = time.time()
    hard = start + deadline
    soft = hard - min(RESERVE, deadline / 4)
    channel = judge.Channel.listening(ag_dir, hard)
    channel.notebook_cells = list(cells)  # the lab's rules are read in the notebook as submitted
    lab = json.loads((Path(tests_dir).parent / "otter_config.json").read_text())["assignment_name"]
    channel.helpers = judge_helpers.Helpers.from_zip(Path(tests_dir).parent, lab)
    verdicts = {}

    def run_judge():
        try:
            verdicts["cases"] = judge.judge(tests_dir, channel)
        except Exception as e:  # the grader's own fault: said, never a student's mark
            verdicts["error"] = f"{type(e).__name__}: {e}"

    thread = threading.Thread(target=run_judge, daemon=True)
    thread.start()
    # the zip's own copy of this file: inside the sandbox nothing else of the grader is visible
    cmd = [sys.executable, str(ag_dir / "source" / "dllab_runner.py"), "_otter", str(ag_dir),
           str(cell_timeout), str(soft), str(hard)]
    with open(log_path, "wb") as log:
        proc = isolation.popen(iso, cmd, ag_dir, log, int(memory_gb * 2**30) if memory_gb else None)
        try:
            proc.wait(timeout=max(1.0, hard - time.time()))
            finished = True
        except subprocess.TimeoutExpired:
            finished = False
        survivors = isolation.end_all(iso, proc)  # also what a finished run left behind
    channel.stop()
    thread.join()
    if "error" in verdicts:
        raise RuntimeError(f"the judge failed: {verdicts['error']}")
    return finished and proc.returncode == 0, survivors, verdicts.get("cases")


def _crash_reason(log_text: str) -> str:
    lines = [line for line in log_text.splitlines() if line.strip()]
    if any("DeadKernelError" in line or "Kernel died" in line for line in lines):
        return "the notebook's kernel died (sys.exit, os._exit, a crash, or out of memory?)"
    if any("assignment name" in line.lower() or "assignment_name" in line for line in lines):
        return "this notebook belongs to another lab (its assignment name does not match)"
    tail = lines[-1] if lines else "no output"
    return f"grading failed: {tail[:300]}"


def grade_folder(ag_dir: Path, tests_dir: Path, cell_timeout: float, deadline: float,
                 iso: "isolation.Isolation", points: dict[str, float], memory_gb: float | None = None) -> dict:
    """Grade the one notebook in ag_dir/submission; ag_dir is laid out as Gradescope's /autograder,
    without the answers (withhold_answers); `tests_dir` is the judge's own copy of the tests.

    The judge's side: it runs the tests against the kernel while the notebook's last cell
    answers, and gives a result only once none of the student's processes is left.
    """
    ag_dir = Path(ag_dir)
    result = {"status": GRADED, "reason": "", "questions": {}, "isolation": iso.kind, "notes": []}
    if iso.kind == isolation.NONE:
        result["notes"].append("Not isolated: graded with --no-isolation, the notebook ran as the grader's own user.")
    notebook = submitted_notebook(ag_dir / "submission")
    result["notes"] += adopt(notebook, Path(tests_dir).parent)
    cells = [cell.source for cell in read_notebook(notebook).cells if cell.cell_type == "code"]
    add_guard(notebook)
    add_serve_cell(notebook, ag_dir)
    names = case_names(tests_dir)
    # otter appends to __init__.py and rewrites otter_config.json (without any token); the
    # folders around them stay the judge's
    (ag_dir / "__init__.py").touch()
    isolation.hand_over(iso, ag_dir, [ag_dir / "submission", ag_dir / "results", ag_dir / "__init__.py",
                                      ag_dir / "source" / "otter_config.json"])
    log_path = ag_dir.parent / "dllab-run.log"  # outside the student's reach
    start = time.time()
    finished, survivors, cases = run_otter(ag_dir, cell_timeout, deadline, log_path, iso, tests_dir,
                                           memory_gb, cells)
    seconds = time.time() - start
    if survivors:
        result.update(status=CRASHED, reason=(
            f"{len(survivors)} processes of the notebook could not be ended: no result is given"))
        return result
    result["notes"] += interrupted_cells_notes(ag_dir / "results")
    if cases is None:
        log_text = log_path.read_text(errors="replace")[-MAX_LOG:] if log_path.exists() else ""
        if not finished and seconds >= deadline - 1:
            result.update(status=TIMEOUT, reason=(
                f"grading ran past the {deadline:.0f} s deadline and the notebook could not be "
                "interrupted (a loop that catches KeyboardInterrupt?): it was stopped"))
        else:
            result.update(status=CRASHED, reason=_crash_reason(log_text))
        return result
    result["questions"] = summarise(cases, names, points)
    # a composite's case that passed with correct helpers says which helper failed it (helpers.py)
    result["notes"] += [_bounded(f"{q}: {case['note']}") for q in points for case in cases.get(q, [])
                        if isinstance(case, dict) and case.get("note")]
    if seconds > deadline - min(RESERVE, deadline / 4):
        result.update(status=TIMEOUT, reason=(
            f"the notebook ran past the grading deadline ({deadline:.0f} s): the cells still "
            "running then were interrupted; the marks earned until then are kept"))
    return result


# --- the two places -------------------------------------------------------------------------

def _layout(root: Path):
    for sub in ("source", "submission", "results"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    meta = root / "submission_metadata.json"
    if not meta.exists():
        meta.write_text("{}")


def _facts(source: Path) -> dict:
    lab = json.loads((source / "otter_config.json").read_text())["assignment_name"]
    return json.loads((source / "files" / f"dllab_facts_{lab}.json").read_text())


def _points(facts: dict) -> dict[str, float]:
    return {q: float(info["points"]) for q, info in facts["questions"].items()}


def _grade_in_scratch(source: Path, submitted: Path, limits: dict, iso: "isolation.Isolation",
                      facts: dict) -> dict:
    """Grade a copy: a scratch /autograder that the student's side may see, and nothing else."""
    with tempfile.TemporaryDirectory(prefix="dllab-run-") as tmp:
        root = Path(tmp) / "autograder"
        _layout(root)
        shutil.copytree(source, root / "source", dirs_exist_ok=True)
        withhold_answers(root / "source")
        try:
            path = notebook_from(submitted, root / "submission") if submitted.is_file() \
                else submitted_notebook(submitted)
            if path.parent != root / "submission":
                shutil.copy(path, root / "submission" / path.name)
            os.environ[CASES_ENV] = str(source / "files")  # the judge's hidden cases
            result = grade_folder(root, source / "tests", limits["cell_timeout"],
                                  limits["timeout"], iso, _points(facts), limits.get("memory_limit_gb"))
        except NotebookError as e:
            result = {"status": INVALID, "reason": str(e), "questions": {}}
    return result


def grade_local(zip_path: Path, notebook: Path, cell_timeout: float, deadline: float,
                memory_gb: float | None = None) -> dict:
    """What `dllab grade` runs for one submission: the zip unpacked, graded in a scratch copy."""
    with tempfile.TemporaryDirectory(prefix="dllab-source-") as tmp:
        source = Path(tmp)
        with zipfile.ZipFile(zip_path) as z:
            z.extractall(source)
        facts = _facts(source)
        iso = isolation.choose()
        limits = {"cell_timeout": cell_timeout, "timeout": deadline, "memory_limit_gb": memory_gb}
        result = _grade_in_scratch(source, Path(notebook), limits, iso, facts)
    return finish(result, facts)


def grade_gradescope(root: Path) -> dict:
    """What the zip's run_autograder runs: grade root/submission, write root/results/results.json.

    The student's side gets a scratch copy; /autograder itself is closed to it (root only)."""
    root = Path(root)
    out = root / "results" / "results.json"
    try:
        facts = _facts(root / "source")
        if os.geteuid() == 0:
            isolation.make_python_reachable()
            root.chmod(0o700)
        iso = isolation.choose()
        result = _grade_in_scratch(root / "source", root / "submission", facts["grading"], iso, facts)
        finish(result, facts)
        report = gradescope_results(result, facts)
    except Exception as e:  # a fault of the grader itself: the student still gets a result
        report = {"score": 0, "stdout_visibility": "hidden", "output_format": "md",
                  "output": f"The autograder could not grade this submission ({type(e).__name__}: "
                            f"{_bounded(e, 300)}). Tell your instructor.", "tests": []}
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(".results.json.tmp")
    tmp.write_text(json.dumps(report, indent=1))
    os.replace(tmp, out)
    return report


def main(argv: list[str]) -> int:
    mode, args = argv[0], argv[1:]
    if mode == "_otter":
        _otter_child(args[0], float(args[1]), float(args[2]), float(args[3]))
    elif mode == "local":
        zip_path, notebook, out_json, cell_timeout, deadline, memory_gb = args
        result = grade_local(Path(zip_path), Path(notebook), float(cell_timeout), float(deadline),
                             float(memory_gb) or None)
        Path(out_json).write_text(json.dumps(result, indent=1))
    elif mode == "gradescope":
        grade_gradescope(Path(args[0]) if args else Path("/autograder"))
    else:
        print(f"usage: {Path(__file__).name} local ZIP NOTEBOOK RESULT_JSON CELL_TIMEOUT DEADLINE MEMORY_GB"
              f" | gradescope [AUTOGRADER_DIR]", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
