"""One row per student: the newest submission counts, older ones are listed, late work is charged.

Runs on the instructor's machine, over the results `grade` wrote (it grades nothing). With a
roster, every student of the roster gets a row (`missing` when nothing of theirs was found) and
a file that matches nobody is reported and kept as a row of its own (`not on the roster`).
Without one, the files of one student are recognised by the key their names share (`alice.ipynb`
and `alice_2026_12_06T21_46_52_398884.zip` are alice's).

Points are split into core and bonus (a question whose title in lab.toml begins with "bonus").
"""

import csv
import io
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from .late import LatePolicy
from .roster import Matcher, Student

COLUMNS = ["student", "name", "email", "status", "core", "bonus", "score", "late_hours", "penalty",
           "total", "possible", "bonus_possible", "submitted_at", "time_from", "submission",
           "older_submissions", "notes"]
MISSING, UNMATCHED = "missing", "not on the roster"


def bonus_questions(facts: dict) -> set[str]:
    return {q for q, info in facts["questions"].items() if info["title"].lower().startswith("bonus")}


@dataclass
class Row:
    student: Student
    submissions: list = field(default_factory=list)  # results, newest first


def _time(result: dict) -> datetime | None:
    text = (result.get("origin") or {}).get("time")
    if not text:
        return None
    when = datetime.fromisoformat(text)
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)  # the export zip's (roster.py)


def _newest_first(results: list[dict]) -> list[dict]:
    floor = datetime.min.replace(tzinfo=timezone.utc)
    return sorted(results, key=lambda r: (_time(r) or floor, r["id"]), reverse=True)


def group(results: list[dict], roster: list[Student] | None, matcher: Matcher | None) -> tuple[list[Row], list[str]]:
    """Students with their submissions; the files that matched nobody on the roster."""
    rows: dict[str, Row] = {s.id: Row(s) for s in roster or []}
    unmatched = []
    for r in results:
        origin = r.get("origin") or {}
        keys = origin.get("keys") or [r["id"]]
        if matcher is not None:
            student = matcher.find(keys, Path(r["file"]).name)
            if student is None:
                unmatched.append(r["file"])
                rows[f"file:{r['id']}"] = Row(Student(r["id"]), [r])
                continue
            rows[student.id].submissions.append(r)
        else:
            rows.setdefault(keys[0], Row(Student(keys[0]))).submissions.append(r)
    for row in rows.values():
        row.submissions = _newest_first(row.submissions)
    return list(rows.values()), unmatched


def student_row(row: Row, facts: dict, policy: LatePolicy | None, on_roster: bool) -> dict:
    bonus = bonus_questions(facts)
    points = {q: info["points"] for q, info in facts["questions"].items()}
    out = {"student": row.student.id, "name": row.student.name, "email": row.student.email,
           "possible": f"{sum(p for q, p in points.items() if q not in bonus):g}",
           "bonus_possible": f"{sum(p for q, p in points.items() if q in bonus):g}"}
    if not row.submissions:
        return {**out, "status": MISSING, "core": "0", "bonus": "0", "score": "0", "late_hours": "",
                "penalty": "", "total": "0", "submitted_at": "", "time_from": "", "submission": "",
                "older_submissions": "", "notes": "nothing submitted"}
    r, older = row.submissions[0], row.submissions[1:]
    core = sum(r["questions"][q]["score"] for q in points if q not in bonus)
    extra = sum(r["questions"][q]["score"] for q in points if q in bonus)
    origin = r.get("origin") or {}
    when = _time(r)
    late = policy.late_by(when, row.student.extension) if policy else None
    share = policy.penalty(late) if policy else 0.0
    notes = list(origin.get("notes", []))
    if not on_roster:
        notes.append(UNMATCHED)
    if r["status"] != "graded":
        notes.append(r["reason"])
    return {**out, "status": r["status"] if on_roster else UNMATCHED, "core": f"{core:g}", "bonus": f"{extra:g}",
            "score": f"{core + extra:g}",
            "late_hours": f"{late.total_seconds() / 3600:.1f}" if late is not None else "",
            "penalty": f"{share:.0%}" if policy else "",
            "total": f"{round((core + extra) * (1 - share), 2):g}",
            "submitted_at": when.isoformat(timespec="seconds") if when else "",
            "time_from": origin.get("time_source", ""), "submission": r["id"],
            "older_submissions": " ".join(o["id"] for o in older), "notes": "; ".join(n for n in notes if n)}


def student_rows(results: list[dict], facts: dict, roster: list[Student] | None = None,
                 key_column: str | None = None, policy: LatePolicy | None = None) -> tuple[list[dict], list[str]]:
    """The rows of students.csv (roster order, then the files that matched nobody) and those files."""
    matcher = Matcher(roster, key_column) if roster is not None else None
    rows, unmatched = group(results, roster, matcher)
    return [student_row(row, facts, policy, on_roster=roster is None or row.student in roster)
            for row in rows], unmatched


def write_students(out: Path, rows: list[dict]):
    buf = io.StringIO()
    writer = csv.DictWriter(buf, COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    tmp = out / ".students.csv.tmp"
    tmp.write_text(buf.getvalue())
    os.replace(tmp, out / "students.csv")
