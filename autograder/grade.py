"""`dllab grade LAB SUBMISSIONS... --out DIR`: a gradebook for a class.

Each submission is graded with the lab's autograder zip by the grading runner
(autograder/judge/runner.py: the same code the zip runs on Gradescope), in a process of its own,
under the lab's deadline and memory limit. Whatever happens to one submission (not a
notebook, a crash, a hang), it gets a row with the reason, and the batch goes on.

Layout of DIR (one lab's: dllab-grade.json names it, and another lab is refused):
    gradebook.csv        a row per submission ever graded into DIR, a column per question, the total
    results/<id>.json    the structured result of one submission, with the digests of the
                         notebook and the autograder zip it was graded with
    feedback/<id>.md     what the student may read: points, verdicts, messages
    summary.md, scores.png   pass rates per question and the score histogram

A result is reused only while it is current: the same lab, the same submitted bytes and the same
autograder zip. Anything else is graded again, and the log says why; until its new result is on
disk the row says "pending", never the old score.
"""

import csv
import hashlib
import io
import json
import logging
import os
import threading
import zipfile
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm
from tqdm.contrib.logging import logging_redirect_tqdm

from . import cluster, lms, roster
from .errors import UsageError
from .grading import Submission, grade_one, grading_env, grading_limits, usable_cores
from .judge import isolation
from .judge.results import GRADED, feedback_markdown, finish
from .labs import Lab
from .late import LatePolicy
from .report import write_summary
from .students import student_rows, write_students

log = logging.getLogger(__name__)

OWNER_FILE = "dllab-grade.json"  # names the lab an output folder belongs to
PENDING = "pending"  # a row being graded again: its earlier result is no longer current
# What the batch chose, handed to each grading's runner (DLLAB_ISOLATION).
ISOLATION_NAMES = {isolation.BWRAP: "bwrap", isolation.USER: "user", isolation.NONE: "none"}


@dataclass
class ClassOptions:
    """Who the students are and when the work was due (README, "A semester's gradebook")."""
    roster: Path | None = None      # CSV: id, name, email[, extension, canvas_id, ...]
    roster_key: str | None = None   # a roster column that the files' names contain
    late: dict = field(default_factory=dict)  # deadline, penalty, cap, grace: over lab.toml's [late]
    assignment: str | None = None   # the LMS column's name (default: the lab's title)


@dataclass
class BatchSummary:
    graded: int = 0
    skipped: int = 0
    failed: int = 0
    regraded: dict = field(default_factory=dict)  # id -> why its earlier result was not reused
    duplicates: list = field(default_factory=list)


# --- collecting submissions ----------------------------------------------------------------

def _is_submission(path: Path) -> bool:
    return path.suffix == ".ipynb" or zipfile.is_zipfile(path)


def collect(paths: list[Path]) -> tuple[list[Submission], list[str]]:
    """Every file named, or found in a folder named; unique ids; and the duplicate names.

    A path that does not exist, or a folder without a notebook or a zip, is the instructor's
    mistake (a typo, the lab's name forgotten), not a student: UsageError, before any grading.
    Other files inside a folder of notebooks are kept, and get a row that says what they are.
    """
    files = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file()
                           and not any(part.startswith(".") for part in p.relative_to(path).parts))
            if not any(_is_submission(p) for p in found):
                raise UsageError(f"{path}: no notebook (.ipynb) or grader.export() zip in this folder")
            files += [(p, path) for p in found]
        elif path.exists():
            files.append((path, path))
        else:
            raise UsageError(f"{path}: no such file or folder")
    subs, seen, duplicates = [], {}, []
    for f, root in files:
        stem = f.name[:-len(".ipynb")] if f.name.endswith(".ipynb") else f.stem
        if stem in seen:
            seen[stem] += 1
            new = f"{stem}__{seen[stem]}"
            duplicates.append(f"{f} has the same name as an earlier submission: graded as {new}")
            stem = new
        else:
            seen[stem] = 1
        subs.append(Submission(stem, f, root))
    return subs, duplicates


# --- what makes a result current -----------------------------------------------------------

def file_digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None  # unreadable now: never matches, so it is graded (and the row says why)


def grading_key(lab: str, submission: Path, autograder_digest: str | None) -> dict:
    """What a result was computed from; a result is reused only for an equal key."""
    return {"lab": lab, "submission_sha256": file_digest(submission),
            "autograder_sha256": autograder_digest}


def why_grade_again(previous: dict, key: dict) -> str:
    """Why `previous` is not the result for `key`, in words; "" when it is."""
    old = previous.get("key") or {}
    if old.get("lab") != key["lab"]:
        return f"its earlier result is for {old.get('lab') or 'an unknown lab'}"
    if old.get("submission_sha256") != key["submission_sha256"] or key["submission_sha256"] is None:
        return "the submission changed since it was graded"
    if old.get("autograder_sha256") != key["autograder_sha256"]:
        return "the autograder zip changed since it was graded"
    return ""


def origin_of(sub: Submission) -> dict:
    """Who and when, as the file's name and folder say (roster.py), kept with its result."""
    o = roster.origin(sub.path, sub.root or sub.path)
    return {"keys": o.keys, "time": o.time.isoformat() if o.time else None, "time_source": o.time_source,
            "source": o.source, "notes": o.notes, "upload_prefix": o.upload_prefix}


def claim_output(out: Path, lab: Lab):
    """One output folder holds one lab's grading: a new folder is marked, another lab's refused."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is a file, not a folder")
    marker = out / OWNER_FILE
    if marker.exists():
        try:
            owner = json.loads(marker.read_text()).get("lab")
        except (ValueError, AttributeError):
            owner = None
        if owner != lab.name:
            raise UsageError(f"{out} holds the grading of {owner or 'an unknown lab'}, not of {lab.name}: "
                             "choose another --out")
        return
    if any((out / "results").glob("*.json")):
        raise UsageError(f"{out} holds results that do not say which lab they are for (written by an "
                         f"older dllab): choose another --out, or delete {out / 'results'}")
    (out / "results").mkdir(parents=True, exist_ok=True)
    _atomic_write(marker, json.dumps({"lab": lab.name}) + "\n")


def load_results(out: Path) -> dict[str, dict]:
    """Every result already in the folder, by id: each keeps its gradebook row."""
    results = {}
    for path in sorted((out / "results").glob("*.json")):
        try:
            result = json.loads(path.read_text())
            results[result["id"]] = result
        except (ValueError, KeyError, TypeError):
            log.warning("warning: %s is not a result dllab wrote: left out of the gradebook", path)
    return results


# --- writing the gradebook and feedback ----------------------------------------------------

def _atomic_write(path: Path, text: str):
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def save_result(out: Path, result: dict, facts: dict):
    """One submission's files in the output folder: results/<id>.json and feedback/<id>.md
    (also what a Kubernetes pod writes, k8s.py)."""
    _atomic_write(out / "results" / f"{result['id']}.json", json.dumps(result, indent=1))
    _atomic_write(out / "feedback" / f"{result['id']}.md", feedback_markdown(result, facts, result["id"]))


def _reason(result: dict, autograder_digest: str | None) -> str:
    reason = result["reason"] or " ".join(result.get("notes", []))
    if result["status"] != PENDING and (result.get("key") or {}).get("autograder_sha256") != autograder_digest:
        # a row of this folder that this run did not grade again
        reason = ("graded with an earlier autograder zip: grade it again to update. " + reason).strip()
    return reason


def write_gradebook(out: Path, results: list[dict], questions: list[str], autograder_digest: str | None):
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["submission", *questions, "total", "possible", "status", "reason", "file"])
    for r in sorted(results, key=lambda r: r["id"]):
        writer.writerow([r["id"], *[f"{r['questions'][q]['score']:g}" for q in questions],
                         f"{r['total']:g}", f"{r['possible']:g}", r["status"],
                         _reason(r, autograder_digest), r["file"]])
    _atomic_write(out / "gradebook.csv", buf.getvalue())


# --- the batch -----------------------------------------------------------------------------

def _isolation_for(isolated: bool, scheduler: str | None) -> str:
    """The sandbox each grading's runner makes (DLLAB_ISOLATION); UsageError where none can be."""
    if scheduler:
        # each worker makes the strongest sandbox its own machine allows, as `grade` does here
        name = os.environ.get("DLLAB_ISOLATION", "auto") if isolated else "none"
        log.info("isolation: chosen by each worker of %s (%s)", scheduler, name)
        return name
    try:
        iso = isolation.choose(None if isolated else "none")
    except isolation.IsolationUnavailable as e:
        raise UsageError(str(e))
    log.info("isolation: %s", iso.kind if iso.kind != isolation.NONE else
             "none (--no-isolation): the notebooks run as you, and every row says so")
    return ISOLATION_NAMES[iso.kind]


def grade_batch(lab: Lab, paths: list[Path], out: Path, zip_path: Path | None = None,
                timeout: float | None = None, jobs: int | None = None, force: bool = False,
                cell_timeout: float | None = None, progress: bool = True,
                isolated: bool = True, klass: ClassOptions | None = None,
                scheduler: str | None = None) -> BatchSummary:
    """Grade every submission found in `paths` into `out`; `progress` shows a bar on stderr.

    `isolated=False` (--no-isolation) grades without a sandbox where none can be made; every
    row then says so. Otherwise no sandbox is a UsageError, before anything is graded (and not
    asked for when every result in `out` is current).
    `scheduler` (tcp://HOST:8786) grades on a Dask cluster instead (cluster.py); each worker
    grades in the sandbox its own machine allows."""
    zip_path = zip_path or lab.zip_path()
    if not zip_path.exists():
        raise FileNotFoundError(f"{zip_path} not found: run `dllab build {lab.name}`")
    limits = grading_limits(lab, timeout, cell_timeout)
    timeout, cell_timeout, memory_gb = limits["timeout"], limits["cell_timeout"], limits["memory_gb"]
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
    klass = klass or ClassOptions()
    students = roster.read_roster(klass.roster) if klass.roster else None
    policy = LatePolicy.from_settings({**lab.facts.get("late", {}), **{k: v for k, v in klass.late.items() if v}})
    subs, duplicates = collect(paths)
    claim_output(out, lab)
    (out / "feedback").mkdir(exist_ok=True)

    summary = BatchSummary(duplicates=duplicates)
    for d in duplicates:
        log.warning("warning: %s", d)
    digest = file_digest(zip_path)
    results = load_results(out)  # every row of the folder, graded now or before
    todo, again = [], {}
    for sub in subs:
        key = grading_key(lab.name, sub.path, digest)
        previous = results.get(sub.id)
        why = why_grade_again(previous, key) if previous else None
        if previous and not why and not force:
            summary.skipped += 1
            previous.update(origin=origin_of(sub), file=str(sub.path))
            continue
        if previous:
            again[sub.id] = why or "--force"
        todo.append((sub, key))
    if todo:
        # only when something is to be graded: collecting finished rows (Kubernetes' volume,
        # an interrupted batch) needs no sandbox; and before any earlier result is set aside
        env["DLLAB_ISOLATION"] = _isolation_for(isolated, scheduler)
    for sub, _ in todo:
        if sub.id in again:
            why = summary.regraded[sub.id] = again[sub.id]
            log.info("%s: graded again (%s)", sub.id, why)
            # until the new result is on disk the row says so, never the old score
            (out / "results" / f"{sub.id}.json").unlink(missing_ok=True)
            (out / "feedback" / f"{sub.id}.md").unlink(missing_ok=True)
            results[sub.id] = finish({"id": sub.id, "file": str(sub.path), "status": PENDING, "questions": {},
                                      "reason": f"being graded again ({why})"}, facts)

    lock = threading.Lock()
    bar = tqdm(total=len(todo), unit="submission", disable=not progress or not todo)

    def record(result, key):
        result["key"] = key
        with lock:  # one writer at a time: a finished row is on disk before the next starts
            results[result["id"]] = result
            save_result(out, result, facts)
            write_gradebook(out, list(results.values()), questions, digest)
            if result["status"] == GRADED:
                summary.graded += 1
            else:
                summary.failed += 1
            note = "" if result["status"] == GRADED else f" [{result['status']}: {result['reason']}]"
            log.info("%s: %g/%g%s", result["id"], result["total"], result["possible"], note)
            bar.update()

    write_gradebook(out, list(results.values()), questions, digest)
    if scheduler:
        with logging_redirect_tqdm(), bar:
            cluster.grade_all(scheduler, todo, zip_path, facts, limits, lab.gradescope, env["DLLAB_ISOLATION"],
                              lambda sub, result, key: record(dict(result, origin=origin_of(sub)), key))
    else:
        with logging_redirect_tqdm(), bar, ThreadPoolExecutor(max_workers=jobs) as pool:
            futures = {pool.submit(grade_one, sub, zip_path, facts, timeout, cell_timeout, memory_gb, env): (sub, key)
                       for sub, key in todo}
            for fut in as_completed(futures):
                sub, key = futures[fut]
                record(dict(fut.result(), origin=origin_of(sub)), key)

    write_summary(out, list(results.values()), questions,
                  {q: info["points"] for q, info in facts["questions"].items()})
    rows, unmatched = student_rows(list(results.values()), facts, students, klass.roster_key, policy)
    write_students(out, rows)
    if policy:
        log.info("late policy: %s", policy.describe())
    if students is not None:
        by_id = {s.id: s for s in students}
        assignment = klass.assignment or f"{lab.name}: {lab.title}"
        lms.write_canvas(out / "canvas.csv", rows, by_id, assignment)
        lms.write_moodle(out / "moodle.csv", rows, by_id, assignment)
        lms.write_feedback_for_upload(out, rows, results)
        missing = [r["student"] for r in rows if r["status"] == "missing"]
        if missing:
            log.warning("warning: %d students on the roster submitted nothing: %s", len(missing), ", ".join(missing))
        for f in unmatched:
            log.warning("warning: %s matches nobody on the roster: graded, and kept as a row of its own", f)
    log.info("gradebook: %s (%d graded, %d with a problem, %d already graded and unchanged; "
             "%d rows in all)", out / "gradebook.csv", summary.graded, summary.failed, summary.skipped,
             len(results))
    return summary
