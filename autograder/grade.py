"""`dllab grade LAB SUBMISSIONS... --out DIR`: a gradebook for a class.

Each submission is graded by `otter run` with the lab's autograder zip, in a process of its
own (autograder.run_one) under a timeout; the whole process tree, kernel included, is
killed when it runs over. Whatever happens to one submission (not a notebook, a crash, a
hang), it gets a row with the reason, and the batch goes on.

Layout of DIR:
    gradebook.csv        a row per submission, a column per question, the total
    results/<id>.json    the structured result of one submission (what --force redoes)
    feedback/<id>.md     what the student may read: points, verdicts, messages
    summary.md, scores.png   pass rates per question and the score histogram
"""

import csv
import io
import json
import logging
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from .check import read_notebook
from .errors import NotebookError
from .labs import Lab
from .testfiles import question_points

log = logging.getLogger(__name__)

# A submission's statuses, in the gradebook's "status" column.
GRADED, INVALID, TIMEOUT, CRASHED, TAMPERED = "graded", "invalid", "timeout", "crashed", "tampered"
MAX_LOG = 20_000  # characters of a failed run's output kept in its result


@dataclass
class Submission:
    id: str         # unique within the batch; names the feedback and result files
    path: Path


@dataclass
class BatchSummary:
    graded: int = 0
    skipped: int = 0
    failed: int = 0
    duplicates: list = field(default_factory=list)


# --- collecting submissions ----------------------------------------------------------------

def collect(paths: list[Path]) -> tuple[list[Submission], list[str]]:
    """Every file named, or found in a folder named; unique ids; and the duplicate names."""
    files = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.is_file()
                            and not any(part.startswith(".") for part in p.relative_to(path).parts))
        elif path.exists():
            files.append(path)
        else:
            files.append(path)  # reported as invalid: "no such file"
    subs, seen, duplicates = [], {}, []
    for f in files:
        stem = f.name[:-len(".ipynb")] if f.name.endswith(".ipynb") else f.stem
        if stem in seen:
            seen[stem] += 1
            new = f"{stem}__{seen[stem]}"
            duplicates.append(f"{f} has the same name as an earlier submission: graded as {new}")
            stem = new
        else:
            seen[stem] = 1
        subs.append(Submission(stem, f))
    return subs, duplicates


def notebook_from(sub: Submission, workdir: Path) -> Path:
    """The notebook to grade: the file itself, or the one inside a grader.export() zip."""
    path = sub.path
    if not path.exists():
        raise NotebookError(f"{path}: no such file")
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            names = [n for n in z.namelist() if n.endswith(".ipynb") and "checkpoint" not in n
                     and not n.startswith("__MACOSX")]
            if len(names) != 1:
                raise NotebookError(f"{path.name}: a zip should hold exactly one notebook, "
                                    f"found {len(names)}")
            target = workdir / Path(names[0]).name
            target.write_bytes(z.read(names[0]))
            path = target
    read_notebook(path)  # raises NotebookError with the reason
    return path


# --- grading one submission ------------------------------------------------------------------

def _kill_tree(proc: subprocess.Popen):
    try:
        parent = psutil.Process(proc.pid)
        procs = parent.children(recursive=True) + [parent]
    except psutil.NoSuchProcess:
        return
    for p in procs:
        try:
            p.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(procs, timeout=10)


def _limit_memory(gigabytes: float):
    """For the grading process and the kernel it starts: a memory hog gets a MemoryError."""
    def apply():
        limit = int(gigabytes * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    return apply


def grade_one(sub: Submission, zip_path: Path, timeout: float, points: dict,
              cell_timeout: float | None = None, memory_gb: float | None = None) -> dict:
    """The structured result of one submission; never raises for the submission's faults."""
    result = {"id": sub.id, "file": str(sub.path), "status": GRADED, "reason": "",
              "questions": {}, "seconds": 0.0}
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix=f"dllab-grade-{sub.id[:20]}-") as tmp:
        tmp = Path(tmp)
        try:
            notebook = notebook_from(sub, tmp)
        except NotebookError as e:
            result.update(status=INVALID, reason=str(e))
            return _finish(result, points, start)
        out_json = tmp / "result.json"
        log_path = tmp / "run.log"
        cmd = [sys.executable, "-m", "autograder.run_one", str(zip_path), str(notebook), str(out_json)]
        if cell_timeout:
            cmd.append(str(cell_timeout))
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL,
                                    preexec_fn=_limit_memory(memory_gb) if memory_gb else None)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                _kill_tree(proc)
                result.update(status=TIMEOUT,
                              reason=f"grading ran past the {timeout:.0f} s limit (an endless loop, "
                                     f"or training far beyond the lab's budget?) and was stopped")
                return _finish(result, points, start)
        if proc.returncode != 0 or not out_json.exists():
            result.update(status=CRASHED, reason=_crash_reason(log_path, proc.returncode))
            return _finish(result, points, start)
        graded = json.loads(out_json.read_text())
        if graded.get("status") == TAMPERED:  # no marks it did not earn: none at all
            result.update(status=TAMPERED, reason=graded["reason"])
        else:
            result["questions"] = graded["questions"]
    return _finish(result, points, start)


def _crash_reason(log_path: Path, code: int) -> str:
    text = log_path.read_text(errors="replace")[-MAX_LOG:]
    lines = [line for line in text.splitlines() if line.strip()]
    known = [line for line in lines if "DeadKernelError" in line or "Kernel died" in line]
    if known:
        return "the notebook's kernel died (sys.exit, os._exit, or out of memory?)"
    if any("assignment name" in line.lower() or "assignment_name" in line for line in lines):
        return "this notebook belongs to another lab (its assignment name does not match)"
    tail = lines[-1] if lines else "no output"
    return f"grading failed (exit code {code}): {tail[:300]}"


def _finish(result: dict, points: dict, start: float) -> dict:
    result["seconds"] = round(time.perf_counter() - start, 2)
    qs = result["questions"]
    for q, possible in points.items():  # a failed run still has a score per question: 0
        qs.setdefault(q, {"score": 0.0, "possible": possible, "cases": []})
    result["total"] = sum(qs[q]["score"] for q in points)
    result["possible"] = sum(points.values())
    return result


# --- writing the gradebook and feedback ----------------------------------------------------

def _atomic_write(path: Path, text: str):
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def write_gradebook(out: Path, results: list[dict], questions: list[str]):
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["submission", *questions, "total", "possible", "status", "reason", "file"])
    for r in sorted(results, key=lambda r: r["id"]):
        writer.writerow([r["id"], *[f"{r['questions'][q]['score']:g}" for q in questions],
                         f"{r['total']:g}", f"{r['possible']:g}", r["status"], r["reason"], r["file"]])
    _atomic_write(out / "gradebook.csv", buf.getvalue())


def feedback_markdown(r: dict, questions: list[str]) -> str:
    lines = [f"# Feedback: {r['id']}", "",
             f"Total: **{r['total']:g} / {r['possible']:g}**", ""]
    if r["status"] != GRADED:
        lines += [f"Not graded normally ({r['status']}): {r['reason']}", ""]
    for q in questions:
        qr = r["questions"][q]
        lines.append(f"## {q}: {qr['score']:g} / {qr['possible']:g}")
        for c in qr["cases"]:
            kind = "hidden" if c["hidden"] else "public"
            verdict = "passed" if c["passed"] else "failed"
            pts = f" ({c['points']:g} pt)" if c.get("points") is not None else ""
            lines.append(f"- {kind} test{pts}: {verdict}")
            if not c["passed"]:
                lines += ["", "  ```", *["  " + line for line in c["message"].splitlines()], "  ```"]
        lines.append("")
    return "\n".join(lines)


# --- the batch -----------------------------------------------------------------------------

def grade_batch(lab: Lab, paths: list[Path], out: Path, zip_path: Path | None = None,
                timeout: float | None = None, jobs: int | None = None, force: bool = False,
                cell_timeout: float | None = None, progress: bool = True) -> BatchSummary:
    """Grade every submission found in `paths` into `out`; `progress` shows a bar on stderr."""
    from tqdm import tqdm
    from tqdm.contrib.logging import logging_redirect_tqdm

    zip_path = zip_path or lab.zip_path()
    if not zip_path.exists():
        raise FileNotFoundError(f"{zip_path} not found: run `dllab build {lab.name}`")
    limits = lab.grading
    timeout = timeout or limits["timeout"]
    # a cell running past cell_timeout is interrupted and grading goes on with the next one;
    # the whole submission is stopped at `timeout`
    cell_timeout = min(cell_timeout or limits["cell_timeout"], timeout)
    memory_gb = limits.get("memory_limit_gb")
    jobs = jobs or os.cpu_count() or 1
    points = question_points(lab)
    questions = list(points)
    out.mkdir(parents=True, exist_ok=True)
    (out / "results").mkdir(exist_ok=True)
    (out / "feedback").mkdir(exist_ok=True)

    subs, duplicates = collect(paths)
    summary = BatchSummary(duplicates=duplicates)
    for d in duplicates:
        log.warning("warning: %s", d)
    if not subs:
        log.error("no submissions found")
    results, todo = {}, []
    for sub in subs:
        done = out / "results" / f"{sub.id}.json"
        if done.exists() and not force:
            results[sub.id] = json.loads(done.read_text())
            summary.skipped += 1
        else:
            todo.append(sub)

    lock = threading.Lock()
    bar = tqdm(total=len(todo), unit="submission", disable=not progress or not todo)

    def record(result):
        with lock:  # one writer at a time: a finished row is on disk before the next starts
            results[result["id"]] = result
            _atomic_write(out / "results" / f"{result['id']}.json", json.dumps(result, indent=1))
            _atomic_write(out / "feedback" / f"{result['id']}.md", feedback_markdown(result, questions))
            write_gradebook(out, list(results.values()), questions)
            if result["status"] == GRADED:
                summary.graded += 1
            else:
                summary.failed += 1
            note = "" if result["status"] == GRADED else f" [{result['status']}: {result['reason']}]"
            log.info("%s: %g/%g%s", result["id"], result["total"], result["possible"], note)
            bar.update()

    write_gradebook(out, list(results.values()), questions)
    with logging_redirect_tqdm(), bar, ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(grade_one, sub, zip_path, timeout, points, cell_timeout, memory_gb)
                   for sub in todo]
        for fut in as_completed(futures):
            record(fut.result())

    from .report import write_summary
    write_summary(out, list(results.values()), questions, points)
    log.info("gradebook: %s (%d graded, %d with a problem, %d already graded)",
             out / "gradebook.csv", summary.graded, summary.failed, summary.skipped)
    return summary
