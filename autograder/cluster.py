"""Grading on a Dask cluster: `dllab grade LAB SUBMISSIONS --out OUT --scheduler tcp://HOST:8786`.

Each grading is one task. It carries the autograder zip's bytes and the notebook's bytes (no
shared file system is assumed) and returns the result as data. The worker grades exactly as
`dllab grade` does on one machine: grading.grade_one runs the zip's own runner, in the sandbox
the worker's machine allows. A task asks for the lab's memory and CPUs (its Gradescope
settings) as Dask resources, so a worker that declares `--resources "memory=16e9 cores=4"`
runs as many gradings at once as those allow.

What a cluster adds, and how it is met:
- a worker dies in the middle of a grading: Dask runs the task again elsewhere, and the batch
  goes on;
- a grading that kills its worker again and again: after the scheduler's
  `distributed.scheduler.allowed-failures` (README: start it with 1), Dask gives up with
  KilledWorker, and the row says so;
- the scheduler goes away: ClusterLost, with every finished row already on disk (rows are
  written as they arrive), so running the same command again grades only the rest.
"""

import hashlib
import logging
import os
import tempfile
from concurrent.futures import CancelledError
from pathlib import Path

from .errors import UsageError
from .grading import Submission, grade_one, grading_env
from .judge.results import finish

log = logging.getLogger(__name__)

GRADING_KEY_PREFIX = "dllab-grade"


class ClusterLost(UsageError):
    """The scheduler went away in the middle of a batch; what was finished is on disk."""


def grade_task(sub_id: str, file_name: str, notebook: bytes, zip_bytes: bytes, facts: dict,
               timeout: float, cell_timeout: float, memory_gb: float | None, isolation_name: str) -> dict:
    """On a worker: one grading, from bytes, as `dllab grade` grades on one machine."""
    with tempfile.TemporaryDirectory(prefix="dllab-task-") as tmp:
        notebook_path = Path(tmp) / Path(file_name).name
        notebook_path.write_bytes(notebook)
        zip_path = Path(tmp) / "autograder.zip"
        zip_path.write_bytes(zip_bytes)
        env = grading_env(1)
        env["DLLAB_ISOLATION"] = isolation_name
        result = grade_one(Submission(sub_id, notebook_path), zip_path, facts, timeout, cell_timeout,
                           memory_gb, env)
    result["file"] = file_name
    result["worker"] = os.uname().nodename
    return result


def _killed_row(sub, why: str, facts: dict) -> dict:
    return finish({"id": sub.id, "file": str(sub.path), "status": "crashed", "questions": {},
                   "reason": f"the grading ended its worker each time it ran ({why}): not graded"}, facts)


def grade_all(scheduler: str, todo: list, zip_path: Path, facts: dict, limits: dict, settings: dict,
              isolation_name: str, record) -> None:
    """Grade `todo` [(Submission, key)] on the cluster at `scheduler`; `record(sub, result, key)`
    writes each result as it arrives (grade.grade_batch's own writer)."""
    from distributed import Client, as_completed
    from distributed.scheduler import KilledWorker

    try:
        client = Client(scheduler, timeout="20s")
    except (OSError, TimeoutError) as e:
        raise UsageError(f"no Dask scheduler at {scheduler} ({type(e).__name__}): start one with "
                         f"`dask scheduler` (README, 'Grading on a cluster')")
    resources = {"memory": float(settings["memory_gb"]) * 2**30, "cores": float(settings["cpus"])}
    with client:
        # one copy of the zip for every task, made by a task of its own: a worker that dies with
        # it has it made again (data handed over with scatter cannot be, and Dask then cancels
        # every task that needs it)
        zip_bytes = zip_path.read_bytes()
        zip_future = client.submit(bytes, zip_bytes, pure=False,
                                   key=f"dllab-zip-{hashlib.sha256(zip_bytes).hexdigest()[:16]}")
        futures = {}
        for sub, key in todo:
            future = client.submit(grade_task, sub.id, str(sub.path.name), sub.path.read_bytes(), zip_future,
                                   facts, limits["timeout"], limits["cell_timeout"], limits.get("memory_gb"),
                                   isolation_name, resources=resources, pure=False,
                                   key=f"{GRADING_KEY_PREFIX}-{sub.id}-{key['submission_sha256'][:12]}")
            futures[future] = (sub, key)
        done = 0

        def lost(e):
            return ClusterLost(f"the Dask scheduler at {scheduler} went away ({type(e).__name__}) after "
                               f"{done} of {len(todo)} gradings; those are on disk: run the same command "
                               f"again to grade the rest")

        try:
            for future in as_completed(futures):
                sub, key = futures[future]
                try:
                    result = future.result()
                except KilledWorker as e:
                    result = _killed_row(sub, type(e).__name__, facts)
                except CancelledError as e:
                    if client.status != "running":  # the scheduler went away: every task with it
                        raise lost(e)
                    # the scheduler gave the task up (its workers died each time it ran)
                    result = _killed_row(sub, type(e).__name__, facts)
                result["file"] = str(sub.path)
                record(sub, result, key)
                done += 1
        except (OSError, TimeoutError) as e:
            raise lost(e)
