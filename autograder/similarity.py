"""`dllab similarity LAB SUBMISSIONS... --out DIR`: which students handed in whose code.

The comparison is copydetect's (https://github.com/blingenf/copydetect), used through its
documented API (`CodeFingerprint`, `compare_files`): winnowing over Pygments tokens. Pygments'
Python lexer lets copydetect replace every variable, argument and attribute name with `V`,
every defined function name with `F`, every string with `S`, and drop comments and
whitespace; so renamed variables, reworded comments and changed spacing leave the
fingerprints as they were, and a fingerprint is a set of k-gram hashes, blind to the order
in which functions appear.

copydetect would read an `.ipynb` file as plain text (Pygments has no lexer for the
extension): JSON, markdown and outputs included, no names replaced. So a notebook is first
cut down to its code cells (`student_code`), and the lab's starter notebook, rendered in
memory exactly as `dllab build` writes it, is copydetect's boilerplate: every k-gram of it
(stubs, docstrings, provided cells, setup and Submit cells) is dropped from each student's
fingerprints. Two untouched starters then have nothing left to share.

Parameters are copydetect's own defaults (noise threshold 25 characters of filtered code),
except the winnowing window: all k-grams are kept (guarantee threshold = noise threshold,
which copydetect documents for when time allows), because winnowing picks hashes of Python's
`hash()`, which is salted per process: the same class would get slightly different figures
on every run.

Code that many submissions share counts for nothing, as MOSS's `-m` and JPlag's base code
make it: a k-gram found in more than `common` submissions (default: a fifth of the class, at
least 2, so that a copy shared by two students always counts) is treated as boilerplate for
the comparison of two students. A scaffold the class found on the web, or a canonical
one-liner, then no longer makes two independent students look alike, while a copy that two
students alone share keeps its weight. Base files (`--base`) are boilerplate like the starter.
Known sources (`--source`: the reference, last year's submissions, public solutions) are
compared with every student without that discount and reported as such, never with each other.

One number per pair: the share of both students' fingerprinted code that matches the other's
(matched tokens of both over the tokens of both; JPlag's default "average" similarity). It
is symmetric, and a student who wrote almost nothing cannot reach 1 with everybody; the
report shows each student's own share beside it, for the case where one copied part of a
longer submission.
"""

import ast
import csv
import functools
import json
import logging
import math
import re
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .build import write_tests
from .cases import write_facts
from .fingerprints import (boilerplate_hashes, cell_code, code_tokens, compare, fingerprint, graded_functions,
                           student_code)
from .grade import collect
from .judge.submission import NotebookError, notebook_from, read_notebook
from .labs import lab_of_notebook
from .notebooks import render
from .similarity_html import write_html

log = logging.getLogger(__name__)

DETAILED_PAIRS = 10  # pairs shown side by side in the HTML report, from the most similar
LISTED_PAIRS = 100   # pairs listed in the HTML report's table (the CSV has every pair)
COMMON_SHARE = 0.2   # code in more than this share of the class counts as common (MOSS's -m)
SOURCE = "source:"   # the id prefix of a known source


class SimilarityError(ValueError):
    """Input the command cannot compare (exit code 2, one line, no traceback)."""


@dataclass
class Student:
    id: str
    path: Path
    code_cells: list                                # the code cells, in order
    functions: dict = field(default_factory=dict)   # graded function -> its source as handed in
    written: set = field(default_factory=set)       # graded functions that are more than the stub
    fingerprint: object = None                      # copydetect's, of the cells joined
    failures: set = field(default_factory=set)      # (question, case, message) of failed hidden cases
    source: bool = False                            # a known source (--source), not a student
    plain: object = None                            # the fingerprint without the common code

@dataclass
class Pair:
    a: str
    b: str
    similarity: float
    share_a: float          # of a's fingerprinted code, the part found in b's
    share_b: float
    shared_failures: list = field(default_factory=list)   # [(question, case, message, how many)]
    kind: str = "students"  # or "known source": b is a source given with --source


# --- what the lab hands out: its starter cells and which functions each case calls --------

def case_functions(lab) -> dict:
    """(question, case) -> the graded functions the case calls: otter passes a test case the
    notebook's globals its parameters name (docs/authoring.md)."""
    names = set(lab.stub_names())
    uses = {}
    for question, path in zip(lab.questions(), lab.test_files()):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.FunctionDef):
                uses[(question, node.name)] = {a.arg for a in node.args.args} & names
    return uses


@functools.lru_cache(maxsize=None)
def starter_cells(lab) -> tuple[str, ...]:
    """The code cells of the lab's student notebook as `dllab build` renders it: rendered here
    from the same sources (template, solutions' stubs, cells/), so that no build is needed and
    the boilerplate cannot lag behind the lab."""
    with tempfile.TemporaryDirectory(prefix=f"dllab-starter-{lab.name}-") as tmp:
        tmp = Path(tmp)
        write_tests(lab, tmp / "tests", tmp / "public_tests")
        facts = write_facts(lab, tmp)
        nb = render(lab, tmp / "public_tests", facts, solution=False)
    return tuple(student_code(nb))


# --- reading the class --------------------------------------------------------------------

def read_class(lab, paths: list[Path]) -> tuple[list[Student], list[str]]:
    """The submissions `grade` would grade, under the same ids; the files that are not
    notebooks of this lab come back as warnings instead."""
    for path in paths:
        if not path.exists():
            raise SimilarityError(f"{path}: no such file or folder")
    subs, duplicates = collect(paths)
    warnings = [f"{d.replace('graded as', 'compared as')}" for d in duplicates]
    names = lab.stub_names()
    stubs = {name: code_tokens(code) for name, code in graded_functions(starter_cells(lab), names).items()}
    students = []
    with tempfile.TemporaryDirectory(prefix="dllab-similarity-") as tmp:
        for sub in subs:
            try:
                work = Path(tmp) / sub.id
                work.mkdir()
                nb = read_notebook(notebook_from(sub.path, work))
            except NotebookError as e:
                warnings.append(f"{sub.path} skipped: {str(e).split(': ', 1)[-1]}")
                continue
            other = lab_of_notebook(nb)
            if other is not None and other.name != lab.name:
                warnings.append(f"{sub.path} skipped: a notebook of {other.name}, not {lab.name}")
                continue
            cells = student_code(nb)
            functions = graded_functions(cells, names)
            written = {name for name, code in functions.items() if code_tokens(code) != stubs.get(name)}
            students.append(Student(sub.id, sub.path, cells, functions, written))
    return students, warnings


# Where a student's own code raised ("  at line 22 of conv2d_backward:" and the line's text, and
# "  called from ..."): that is their spelling, which the code comparison judges; the failure is
# the same without it.
_STUDENT_LINES = re.compile(r"^  (?:at|called from) line \d+ of .*(?:\n      .*)?\n?", re.M)


def failure_key(message: str) -> str:
    """A failed case's message as two students who failed it the same way share it."""
    return _STUDENT_LINES.sub("", message).strip()


def read_failures(lab, gradebook: Path, students: list[Student]) -> list[str]:
    """Each student's failed hidden cases with their messages, from `grade`'s results/<id>.json
    beside the gradebook (the gradebook itself has scores only); returns warnings."""
    folder = gradebook.parent if gradebook.is_file() else gradebook
    results = folder / "results"
    if not gradebook.exists():
        raise SimilarityError(f"{gradebook}: no such file or folder")
    if not results.is_dir():
        raise SimilarityError(f"{gradebook}: no results/ folder beside it; give the folder that "
                              "`dllab grade ... --out DIR` wrote, or its gradebook.csv")
    missing, uses = [], case_functions(lab)
    for s in students:
        path = results / f"{s.id}.json"
        if not path.exists():
            missing.append(s.id)
            continue
        try:
            questions = json.loads(path.read_text()).get("questions", {})
        except (json.JSONDecodeError, UnicodeDecodeError, AttributeError) as e:
            raise SimilarityError(f"{path}: not a result that `dllab grade` wrote ({type(e).__name__})")
        # A case failed by a function the student never wrote (the stub as handed out fails
        # every case) is no shared bug: only failures of code the student wrote are kept.
        s.failures = {(q, c["name"], failure_key(c["message"])) for q, info in questions.items()
                      for c in info.get("cases", []) if c.get("hidden") and not c.get("passed")
                      and (not uses.get((q, c["name"])) or uses[(q, c["name"])] & s.written)}
    return [f"{len(missing)} submission(s) not in {results}: no failures to compare for "
            f"{', '.join(missing[:5])}{' ...' if len(missing) > 5 else ''}"] if missing else []


# --- comparing ----------------------------------------------------------------------------

def common_limit(n_students: int, common: int | None = None) -> int:
    """Code found in more submissions than this is common (MOSS's -m)."""
    return common if common is not None else max(2, math.ceil(COMMON_SHARE * n_students))


def common_hashes(students: list[Student], boilerplate, limit: int):
    """The k-gram hashes that more than `limit` students' code contains."""
    counts = {}
    for s in students:
        for h in set(fingerprint("\n".join(s.code_cells), s.id, boilerplate).hashes):
            counts[h] = counts.get(h, 0) + 1
    return np.array(sorted(h for h, c in counts.items() if c > limit), dtype=np.int64)


def compare_class(students: list[Student], boilerplate, sources: list[Student] = (),
                  common: int | None = None) -> list[Pair]:
    """Every pair of students, with the common code left out; every student with every source."""
    limit = common_limit(len(students), common)
    discounted = np.union1d(boilerplate, common_hashes(students, boilerplate, limit))
    for s in students:
        s.fingerprint = fingerprint("\n".join(s.code_cells), s.id, discounted)
        s.plain = fingerprint("\n".join(s.code_cells), s.id, boilerplate)
    pairs = []
    for i, a in enumerate(students):
        for b in students[i + 1:]:
            sim, share_a, share_b, _ = compare(a.fingerprint, b.fingerprint)
            pairs.append(Pair(a.id, b.id, sim, share_a, share_b))
    for src in sources:
        src.fingerprint = src.plain = fingerprint("\n".join(src.code_cells), src.id, boilerplate)
        for a in students:
            sim, share_a, share_b, _ = compare(a.plain, src.plain)
            pairs.append(Pair(a.id, src.id, sim, share_a, share_b, kind="known source"))
    return pairs


def mark_shared_failures(students: list[Student], pairs: list[Pair]):
    """Each pair's failed hidden cases with the same message, with how many of the class failed
    that case with that message: a bug two students alone share says more than a common one."""
    by_id = {s.id: s for s in students}
    counts = {}
    for s in students:
        for f in s.failures:
            counts[f] = counts.get(f, 0) + 1
    for p in pairs:
        if p.kind != "students":
            continue
        shared = by_id[p.a].failures & by_id[p.b].failures
        p.shared_failures = sorted(((*f, counts[f]) for f in shared), key=lambda f: (f[3], f[:3]))


def _rounded(x: float) -> str:
    return f"{x:.3f}"


def write_csv(out: Path, pairs: list[Pair]):
    with open(out / "similarity.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["submission_a", "submission_b", "similarity", "kind"])
        for p in pairs:
            w.writerow([p.a, p.b, _rounded(p.similarity), p.kind])


def read_sources(lab, paths: list[Path]) -> list[Student]:
    """Known sources (a notebook, or a .py file of the lab's functions), as students named
    source:<file name>."""
    names, sources = lab.stub_names(), []
    with tempfile.TemporaryDirectory(prefix="dllab-sources-") as tmp:
        for path in paths:
            if not path.is_file():
                raise SimilarityError(f"--source/--base {path}: no such file")
            if path.suffix == ".py":
                cells = [cell_code(path.read_text())]
            else:
                try:
                    cells = student_code(read_notebook(notebook_from(path, Path(tmp))))
                except NotebookError as e:
                    raise SimilarityError(f"--source/--base {e}")
            functions = graded_functions(cells, names)
            sources.append(Student(f"{SOURCE}{path.stem}", path, cells, functions, set(functions), source=True))
    return sources


def similarity_report(lab, paths: list[Path], out: Path, gradebook: Path | None = None,
                      detailed: int = DETAILED_PAIRS, sources: list[Path] = (), base: list[Path] = (),
                      common: int | None = None) -> list[Pair]:
    """Compare every pair of the class, and each student with each known source; write
    out/similarity.csv and out/similarity.html."""
    start = time.perf_counter()
    students, warnings = read_class(lab, paths)
    for w in warnings:
        log.warning("%s", w)
    if len(students) < 2:
        raise SimilarityError(f"{len(students)} notebook(s) of {lab.name} found in "
                              f"{', '.join(map(str, paths))}: at least two are needed to compare")
    if gradebook is not None:
        for w in read_failures(lab, gradebook, students):
            log.warning("%s", w)
    if common is not None and common < 1:
        raise SimilarityError(f"--common must be 1 or more, not {common}")
    starter = starter_cells(lab)
    known = read_sources(lab, list(sources))
    base_cells = [c for b in read_sources(lab, list(base)) for c in b.code_cells]
    boilerplate = boilerplate_hashes(list(starter) + base_cells)
    log.info("comparing %d submissions of %s (%d pairs; code in more than %d submissions is common)%s",
             len(students), lab.name, len(students) * (len(students) - 1) // 2,
             common_limit(len(students), common), f", and with {len(known)} known sources" if known else "")
    pairs = compare_class(students, boilerplate, known, common)
    pairs.sort(key=lambda p: (-round(p.similarity, 3), p.a, p.b))
    if gradebook is not None:
        mark_shared_failures(students, pairs)
    out.mkdir(parents=True, exist_ok=True)
    write_csv(out, pairs)
    write_html(out / "similarity.html", lab, students + known, pairs, boilerplate, starter,
               detailed=detailed, listed=LISTED_PAIRS, with_gradebook=gradebook is not None,
               common=common_limit(len(students), common))
    log.info("similarity: %d submissions, %d pairs in %.1f s -> %s", len(students), len(pairs),
             time.perf_counter() - start, out / "similarity.csv")
    return pairs
