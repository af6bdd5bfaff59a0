"""The grading runner: one submission graded by otter, with the course's defences, into a result.

One runner, two places, the same code:
- `dllab grade` runs `python -m autograder.runner local ZIP NOTEBOOK RESULT_JSON` for each
  submission, in a folder laid out as Gradescope lays out /autograder;
- the autograder zip carries this file as `dllab_runner.py`, and the zip's `run_autograder`
  runs `python dllab_runner.py gradescope /autograder`, which grades /autograder/submission
  and always writes /autograder/results/results.json in Gradescope's format.
It is standalone on purpose: the standard library, nbformat and otter (and otter's dill), which
is all the grading image has.

What it adds to otter's own run:
- the guard cell (cells/guard.py, `dllab_guard.py` in the zip) before the submission's first
  cell: `os._exit()` raises, and output past 2 MB is dropped;
- a cell running past `cell_timeout` is interrupted and grading goes on with the next cell;
  the result's notes name each such cell by its first line, so that a training cut short
  is not mistaken for a weak model;
- a deadline of its own: past `deadline - RESERVE` every cell still to run is interrupted at
  once, so that otter's last cell (the tests not yet run) and the results are done before the
  deadline, with every mark earned until then; a kernel that cannot be interrupted is killed at
  the deadline itself, and the result still says why;
- the tests run in the judge (judge.py), in this process, never in the student's kernel:
  the notebook's last cell answers the judge's calls, and the student's side of the grading
  folder holds neither the hidden tests nor their answers;
- messages of hidden cases without the test's source line.
"""

import ast
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

try:  # as autograder.runner, in the package
    from . import isolation
    from . import judge
except ImportError:  # as dllab_runner.py, beside them in the zip
    import dllab_isolation as isolation
    import dllab_judge as judge
# A submission's statuses (the gradebook's "status" column).
GRADED, INVALID, TIMEOUT, CRASHED = "graded", "invalid", "timeout", "crashed"
# Seconds kept, after every student cell has had its time, for otter's last cell (the tests not
# yet run) and for writing the results.
RESERVE = 60
MAX_LOG = 20_000  # characters of a failed run's output kept for its reason
# Written by the otter child in the results folder: one JSON line per interrupted cell.
INTERRUPTED_LOG = "dllab-interrupted-cells.jsonl"
# Characters of one message from the student's side shown in feedback and results.json.
MAX_MESSAGE = 2_000
HERE = Path(__file__).resolve().parent
CASES_ENV = "DLLAB_CASES_DIR"  # where the tests' helpers find the hidden cases (dllab_checks)


class NotebookError(Exception):
    """The file is not a notebook we can run (not JSON, not nbformat, not found)."""


# --- reading what was submitted -------------------------------------------------------------

def read_notebook(path):
    """The notebook at `path`, or NotebookError saying why it is not one.

    Deliberately lenient about schema details (a cell id in an older minor version, say):
    Jupyter opens such notebooks, so grading must too.
    """
    import nbformat

    name = Path(path).name  # never the grader's folders: a student may read this message
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise NotebookError(f"{name}: no such file")
    except (UnicodeDecodeError, IsADirectoryError) as e:
        raise NotebookError(f"{name}: not a notebook ({type(e).__name__})")
    try:
        nb = nbformat.reads(text, as_version=4)
    except Exception as e:
        raise NotebookError(f"{name}: not a valid notebook ({type(e).__name__}: {str(e)[:200]})")
    if not isinstance(nb.get("cells"), list):
        raise NotebookError(f"{name}: not a notebook (no list of cells)")
    return nb


def notebook_from(path: Path, workdir: Path) -> Path:
    """The notebook to grade: the file itself, or the one inside a grader.export() zip."""
    path = Path(path)
    if not path.exists():
        raise NotebookError(f"{path.name}: no such file")
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            names = [n for n in z.namelist() if n.endswith(".ipynb") and "checkpoint" not in n
                     and not n.startswith("__MACOSX")]
            if len(names) != 1:
                raise NotebookError(f"{path.name}: a zip should hold exactly one notebook, "
                                    f"found {len(names)}")
            target = Path(workdir) / Path(names[0]).name
            target.write_bytes(z.read(names[0]))
            path = target
    read_notebook(path)  # raises NotebookError with the reason
    return path


def submitted_notebook(folder: Path) -> Path:
    """The one notebook Gradescope put in `folder`: an .ipynb, or the one in an uploaded zip."""
    files = sorted(p for p in Path(folder).iterdir() if p.is_file() and not p.name.startswith("."))
    notebooks = [p for p in files if p.suffix == ".ipynb"]
    zips = [p for p in files if zipfile.is_zipfile(p)]
    if len(notebooks) == 1:
        read_notebook(notebooks[0])
        return notebooks[0]
    if len(notebooks) > 1:
        raise NotebookError(f"{len(notebooks)} notebooks were submitted "
                            f"({', '.join(p.name for p in notebooks)}): submit exactly one")
    if len(zips) == 1:
        path = notebook_from(zips[0], folder)
        zips[0].unlink()  # otter grades the one notebook beside it
        return path
    names = ", ".join(p.name for p in files) or "nothing"
    raise NotebookError(f"no notebook was submitted (found: {names}): submit your .ipynb file, "
                        f"or the zip that the notebook's Submit cell wrote")


# --- the defences ---------------------------------------------------------------------------

def guard_source() -> str:
    """The guard cell: beside this file in the zip, in cells/ in the package."""
    for path in (HERE / "dllab_guard.py", HERE / "cells" / "guard.py"):
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
    and points (the notebook's own `grader.check` then runs nothing there), and no hidden
    cases. The judge reads the tests and cases from its own copy."""
    for path in sorted(Path(source).glob("tests/*.py")):
        tree = ast.parse(path.read_text())
        kept = [node for node in tree.body if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id in ("OK_FORMAT", "name", "points") for t in node.targets)]
        path.write_text("from otter.test_files import test_case  # noqa: F401\n\n"
                        + "\n".join(ast.unparse(node) for node in kept) + "\n")
    for path in Path(source).glob("files/dllab_cases_*"):
        path.unlink()


# "Error at line 12 in test q4:\n      <the test's source line>\nAssertionError: ..."
_SOURCE_LINES = re.compile(r"Error at line \d+ in test [^:\n]*:\n(?:[ \t].*\n)*")


def message_without_code(message: str) -> str:
    """A failed case's message with the test's source line removed (hidden tests stay hidden)."""
    return _SOURCE_LINES.sub("", message).replace("❌ Test case failed\n", "").strip()


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


# otter_config.json's "seed" makes otter put `np_<ID>.random.seed(42)` and `random_<ID>.seed(42)`
# on top of every code cell; the student never wrote them.
OTTER_SEED_LINE = re.compile(r"^(np|random)_[A-Za-z0-9]+(\.random)?\.seed\(\d+\)$")


def first_line(source: str, width: int = 80) -> str:
    """A cell's first line of code, as the student would recognise the cell."""
    lines = [line.strip() for line in source.splitlines()
             if line.strip() and not OTTER_SEED_LINE.match(line.strip())]
    code = [line for line in lines if not line.startswith("#")] or lines or [""]
    return code[0] if len(code[0]) <= width else code[0][:width - 3] + "..."


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
              iso: "isolation.Isolation", tests_dir: Path, memory_gb: float | None = None):
    """Run otter on ag_dir, on the student's side of `iso`, while the judge runs `tests_dir`
    against its kernel; (finished before the deadline, ids of the student's processes still
    alive once it was ended: none, or no result counts, the verdicts or None)."""
    start = time.time()
    hard = start + deadline
    soft = hard - min(RESERVE, deadline / 4)
    channel = judge.Channel.listening(ag_dir, hard)
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


def case_names(tests_dir: Path) -> dict[str, list[str]]:
    """Each test file's case functions in the order otter numbers them ("q4 - 1", "q4 - 2"...):
    the function's name says what the case checks."""
    names = {}
    for path in Path(tests_dir).glob("*.py"):
        tree = ast.parse(path.read_text())
        names[path.stem] = [node.name for node in tree.body if isinstance(node, ast.FunctionDef)
                            and any("test_case" in ast.unparse(d) for d in node.decorator_list)]
    return names


def _case_name(names: list[str], otter_name: str) -> str:
    number = otter_name.rsplit(" - ", 1)[-1]
    return names[int(number) - 1] if number.isdigit() and 0 < int(number) <= len(names) else otter_name


def _bounded(text, limit: int = MAX_MESSAGE) -> str:
    """Text from the student's side, cut to `limit` characters: what crosses to the student."""
    text = str(text)
    return text if len(text) <= limit else text[:limit] + f"\n[{len(text) - limit} more characters cut]"


def summarise(cases: dict, case_names: dict[str, list[str]], points: dict[str, float]) -> dict:
    """The verdicts as the result's questions: per question (the judge's own list), per case;
    hidden messages without code; every message bounded; scores added up here."""
    questions = {}
    for name in points:
        rows = []
        for r in cases.get(name, []):
            hidden = bool(r.get("hidden"))
            message = str(r.get("message", ""))
            rows.append({
                "name": _case_name(case_names.get(name, []), str(r.get("name", ""))),
                "hidden": hidden,
                "passed": r.get("passed") is True,
                "points": float(r.get("points") or 0),
                "message": _bounded(message_without_code(message) if hidden else message),
            })
        if rows:
            score = min(points[name], sum(c["points"] for c in rows if c["passed"]))
            questions[name] = {"score": float(score), "possible": float(points[name]), "cases": rows}
    return questions


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
    finished, survivors, cases = run_otter(ag_dir, cell_timeout, deadline, log_path, iso, tests_dir, memory_gb)
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
    if seconds > deadline - min(RESERVE, deadline / 4):
        result.update(status=TIMEOUT, reason=(
            f"the notebook ran past the grading deadline ({deadline:.0f} s): the cells still "
            "running then were interrupted; the marks earned until then are kept"))
    return result


# --- what both places report ----------------------------------------------------------------

def finish(result: dict, facts: dict) -> dict:
    """Every question gets a score (0 when the run failed); the total and what was possible."""
    qs = result.setdefault("questions", {})
    result.setdefault("notes", [])
    points = {q: info["points"] for q, info in facts["questions"].items()}
    for q, possible in points.items():
        qs.setdefault(q, {"score": 0.0, "possible": possible, "cases": []})
    result["total"] = sum(qs[q]["score"] for q in points)
    result["possible"] = sum(points.values())
    return result


def case_label(case: dict) -> str:
    """A test function's name as words: test_lecture_vertical_edge -> lecture vertical edge."""
    name = case["name"]
    return (name[len("test_"):] if name.startswith("test_") else name).replace("_", " ")


def feedback_markdown(result: dict, facts: dict, title: str) -> str:
    """What the student reads, the same from `grade` and from Gradescope."""
    lines = [f"# Feedback: {title}", "", f"Total: **{result['total']:g} / {result['possible']:g}**", ""]
    if result["status"] != GRADED:
        lines += [f"Not graded normally ({result['status']}): {result['reason']}", ""]
    lines += [*(f"Note: {note}" for note in result.get("notes", [])), ""] if result.get("notes") else []
    for q, info in facts["questions"].items():
        qr = result["questions"][q]
        lines.append(f"## {q}, {info['title']}: {qr['score']:g} / {qr['possible']:g}")
        for c in qr["cases"]:
            kind = "hidden" if c["hidden"] else "public"
            verdict = "passed" if c["passed"] else "failed"
            lines.append(f"- {kind} test, {case_label(c)} ({c['points']:g} pt): {verdict}")
            if not c["passed"]:
                lines += ["", "  ```", *["  " + line for line in c["message"].splitlines()], "  ```"]
        lines.append("")
    return "\n".join(lines)


def gradescope_results(result: dict, facts: dict) -> dict:
    """Gradescope's results.json: one test per case (per question when nothing ran)."""
    hidden_visibility = facts.get("gradescope", {}).get("hidden_visibility", "after_published")
    tests = []
    for q, info in facts["questions"].items():
        qr = result["questions"][q]
        if not qr["cases"]:
            tests.append({"name": f"{q}, {info['title']}", "score": 0, "max_score": info["points"],
                          "status": "failed", "visibility": "visible", "output_format": "md",
                          "output": result["reason"] or "not graded"})
            continue
        for c in qr["cases"]:
            kind = "hidden" if c["hidden"] else "public"
            entry = {"name": f"{q}, {info['title']}: {case_label(c)} ({kind})",
                     "score": c["points"] if c["passed"] else 0, "max_score": c["points"],
                     "status": "passed" if c["passed"] else "failed", "output_format": "md",
                     "visibility": hidden_visibility if c["hidden"] else "visible"}
            if not c["passed"]:
                entry["output"] = "```\n" + c["message"] + "\n```"
            tests.append(entry)
    summary = f"Total: {result['total']:g} / {result['possible']:g}"
    if result["status"] != GRADED:
        summary += f"\n\nNot graded normally ({result['status']}): {result['reason']}"
    for note in result.get("notes", []):
        summary += f"\n\nNote: {note}"
    return {"score": result["total"], "output": summary, "output_format": "md",
            "test_output_format": "md", "stdout_visibility": "hidden", "tests": tests}


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
