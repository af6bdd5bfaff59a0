"""`dllab grade LAB SUBMISSIONS... --out DIR`: a gradebook for a class.

Each submission is graded with the lab's autograder zip by the grading runner
(autograder/runner.py: the same code the zip runs on Gradescope), in a process of its own,
under the lab's deadline and memory limit. Whatever happens to one submission (not a
notebook, a crash, a hang), it gets a row with the reason, and the batch goes on.

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
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from .labs import Lab
from .runner import CRASHED, GRADED, feedback_markdown, finish

log = logging.getLogger(__name__)

MAX_LOG = 20_000  # characters of a failed runner's output kept for its reason


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


# Beyond the runner's own deadline: only a runner that itself hangs is killed from here.
RUNNER_GRACE = 120


def usable_cores() -> int:
    """The cores this process may run on (a container's or taskset's limit, not the host's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def grading_env(jobs: int, environ: dict | None = None) -> dict:
    """The environment of one grading when `jobs` gradings share the machine.

    PyTorch's CPU kernels start one OpenMP thread per core and spin while they wait for each
    other; with more threads than cores they stall each other. Measured on 2 cores with two
    other processes busy: one epoch of lab 5's LSTM took 47 s with PyTorch's default threads
    and 16 s with one thread (7 s alone), with the same weights. So each grading's kernel gets
    an equal share of the cores, unless the instructor has set OMP_NUM_THREADS. TensorFlow and
    JAX keep their own thread pools, which did not stall in the same trial.
    """
    env = dict(os.environ if environ is None else environ)
    env.setdefault("OMP_NUM_THREADS", str(max(1, usable_cores() // max(1, jobs))))
    return env


def grade_one(sub: Submission, zip_path: Path, facts: dict, timeout: float, cell_timeout: float,
              memory_gb: float | None = None, env: dict | None = None) -> dict:
    """The result of one submission, from the grading runner (autograder/runner.py, the same
    code the zip runs on Gradescope); never raises for the submission's faults."""
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix=f"dllab-grade-{sub.id[:20]}-") as tmp:
        out_json = Path(tmp) / "result.json"
        log_path = Path(tmp) / "run.log"
        cmd = [sys.executable, "-m", "autograder.runner", "local", str(zip_path), str(sub.path),
               str(out_json), str(cell_timeout), str(timeout), str(memory_gb or 0)]
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    env=env)
            try:
                proc.wait(timeout=timeout + RUNNER_GRACE)
            except subprocess.TimeoutExpired:
                _kill_tree(proc)
        if out_json.exists():
            result = json.loads(out_json.read_text())
        else:
            tail = log_path.read_text(errors="replace")[-MAX_LOG:].strip().splitlines()
            result = {"status": CRASHED, "questions": {},
                      "reason": f"the grading runner failed: {tail[-1][:300] if tail else 'no output'}"}
    result.update(id=sub.id, file=str(sub.path), seconds=round(time.perf_counter() - start, 2))
    return finish(result, facts)


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
                         f"{r['total']:g}", f"{r['possible']:g}", r["status"],
                         r["reason"] or " ".join(r.get("notes", [])), r["file"]])
    _atomic_write(out / "gradebook.csv", buf.getvalue())


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
    jobs = jobs or usable_cores()
    env = grading_env(jobs)
    backend = env.get("KERAS_BACKEND", "tensorflow")
    if backend != "tensorflow":
        # the limits were measured on the grading image's TensorFlow; lab 4's CIFAR training
        # takes 4x as long on JAX (README, "Other Keras backends")
        log.warning("warning: KERAS_BACKEND=%s: %s's limits (%g s per cell, %g s per notebook) were "
                    "set for TensorFlow; trainings on %s can take longer (README, 'Other Keras "
                    "backends'), and a cell stopped at its limit is named in the feedback",
                    backend, lab.name, cell_timeout, timeout, backend)
    facts = lab.public_facts()
    questions = list(facts["questions"])
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
            _atomic_write(out / "feedback" / f"{result['id']}.md",
                          feedback_markdown(result, facts, result["id"]))
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
        futures = [pool.submit(grade_one, sub, zip_path, facts, timeout, cell_timeout, memory_gb, env)
                   for sub in todo]
        for fut in as_completed(futures):
            record(fut.result())

    from .report import write_summary
    write_summary(out, list(results.values()), questions,
                  {q: info["points"] for q, info in facts["questions"].items()})
    log.info("gradebook: %s (%d graded, %d with a problem, %d already graded)",
             out / "gradebook.csv", summary.graded, summary.failed, summary.skipped)
    return summary
