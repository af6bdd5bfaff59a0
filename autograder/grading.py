"""One grading: the zip's own runner on one notebook, in the sandbox, under the lab's limits.

`dllab grade` (grade.py) runs it for each submission on this machine, a Dask worker runs it for
each task it is sent (cluster.py), a Kubernetes pod for its own index (k8s.py): the same call
everywhere, so a submission gets the same result wherever it is graded. It runs on the
instructor's (or the worker's) side of the boundary: it starts the runner, which starts the
sandboxed kernel and judges what comes back (autograder/judge/runner.py).
"""

import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import psutil

from .judge.results import CRASHED, finish
from .labs import Lab

MAX_LOG = 20_000  # characters of a failed runner's output kept for its reason


@dataclass
class Submission:
    id: str         # unique within the batch; names the feedback and result files
    path: Path
    root: Path | None = None  # the file or folder named on the command line that holds it


def kill_tree(proc: subprocess.Popen):
    """A runner that hangs past its own deadline, with everything it started outside the sandbox."""
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
# The judge's files in the zip, run as they are: `grade` and Gradescope run the same code.
RUNNER_FILES = ("dllab_runner.py", "dllab_isolation.py", "dllab_verdicts.py", "dllab_helpers.py", "dllab_results.py",
                "dllab_submission.py", "dllab_calls.py", "dllab_checks.py",
                "dllab_keras.py", "dllab_copies.py", "dllab_rules.py", "dllab_wire.py", "dllab_guard.py")


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
    """The result of one submission, from the grading runner that the zip ships (the same
    files it runs on Gradescope); never raises for the submission's faults."""
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix=f"dllab-grade-{sub.id[:20]}-") as tmp:
        out_json = Path(tmp) / "result.json"  # the judge's: the student's side never sees this folder
        log_path = Path(tmp) / "run.log"
        with zipfile.ZipFile(zip_path) as z:
            for name in RUNNER_FILES:
                z.extract(name, tmp)
        cmd = [sys.executable, str(Path(tmp) / "dllab_runner.py"), "local", str(zip_path), str(sub.path),
               str(out_json), str(cell_timeout), str(timeout), str(memory_gb or 0)]
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    env=env)
            try:
                proc.wait(timeout=timeout + RUNNER_GRACE)
            except subprocess.TimeoutExpired:
                kill_tree(proc)
        if out_json.exists():
            result = json.loads(out_json.read_text())
        else:
            tail = log_path.read_text(errors="replace")[-MAX_LOG:].strip().splitlines()
            result = {"status": CRASHED, "questions": {},
                      "reason": f"the grading runner failed: {tail[-1][:300] if tail else 'no output'}"}
    result.update(id=sub.id, file=str(sub.path), seconds=round(time.perf_counter() - start, 2))
    return finish(result, facts)


def grading_limits(lab: Lab, timeout: float | None = None, cell_timeout: float | None = None) -> dict:
    """One grading's limits: lab.toml's [grading], or the instructor's --timeout and --cell-timeout."""
    limits = lab.grading
    timeout = timeout or limits["timeout"]
    # a cell running past cell_timeout is interrupted and grading goes on with the next one;
    # the whole submission is stopped at `timeout`
    return {"timeout": timeout, "cell_timeout": min(cell_timeout or limits["cell_timeout"], timeout),
            "memory_gb": limits.get("memory_limit_gb")}
