"""What an LMS imports: Canvas' and Moodle's grade CSV files, and feedback named for upload.

Runs on the instructor's machine, from the rows of students.csv (a roster is needed: an LMS
matches students by its own ids). Core and bonus points are separate columns, so that the
course can weigh the bonus as it likes.

- `canvas.csv`: Canvas' Gradebook import (Grades > Import): the columns `Student`, `ID`,
  `SIS User ID`, `SIS Login ID`, `Section`, then one column per assignment, and a
  `Points Possible` row, as Canvas' own export writes them. `ID` is Canvas' user id (the
  roster's `canvas_id`, else its `id`); a column whose name matches no assignment creates one.
- `moodle.csv`: Moodle's "Import grades from CSV": a header row, one row per student; at import
  map `Email address` (or `ID number`) to the user and each grade column to a grade item, and
  `Feedback` to that item's feedback.
- `feedback-upload/`: each Moodle download's feedback under the name Moodle's "Upload multiple
  feedback files in a zip" matches (`Jane Doe_123456_assignsubmission_file_feedback.md`); zip
  the folder's files and upload. `mailmerge.csv` (email, name, total, the feedback file) serves
  any LMS, or a mail merge.
"""

import csv
import shutil
from pathlib import Path

CANVAS_ID_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]


def _write(path: Path, header: list[str], rows: list[list]):
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)


def write_canvas(path: Path, rows: list[dict], roster: dict, assignment: str):
    header = CANVAS_ID_COLUMNS + [f"{assignment} (core)", f"{assignment} (bonus)"]
    first = rows[0] if rows else {"possible": "0", "bonus_possible": "0"}
    lines = [["Points Possible", "", "", "", "", first["possible"], first["bonus_possible"]]]
    for row in rows:
        s = roster.get(row["student"])
        if s is None:
            continue  # a file that matched nobody has no Canvas id
        core, bonus = _after_penalty(row)
        lines.append([s.name, s.extra.get("canvas_id") or s.id, s.extra.get("sis_user_id", ""),
                      s.extra.get("sis_login_id") or s.email, s.extra.get("section", ""), core, bonus])
    _write(path, header, lines)


def write_moodle(path: Path, rows: list[dict], roster: dict, assignment: str):
    header = ["ID number", "Email address", "Full name", f"{assignment} core", f"{assignment} bonus", "Feedback"]
    lines = []
    for row in rows:
        s = roster.get(row["student"])
        if s is None:
            continue
        core, bonus = _after_penalty(row)
        summary = f"{row['total']} points ({row['status']})" + (f"; {row['notes']}" if row["notes"] else "")
        lines.append([s.id, s.email, s.name, core, bonus, summary])
    _write(path, header, lines)


def _after_penalty(row: dict) -> tuple[str, str]:
    """Core and bonus points with the late penalty taken from each in proportion."""
    core, bonus, score, total = (float(row[k] or 0) for k in ("core", "bonus", "score", "total"))
    kept = total / score if score else 0.0
    return f"{round(core * kept, 2):g}", f"{round(bonus * kept, 2):g}"


def write_feedback_for_upload(out: Path, rows: list[dict], results: dict[str, dict]):
    """feedback-upload/ (Moodle's names) and mailmerge.csv, from feedback/<submission>.md."""
    folder = out / "feedback-upload"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    lines = []
    for row in rows:
        sub = row["submission"]
        source = out / "feedback" / f"{sub}.md"
        if sub and source.exists():
            prefix = (results.get(sub, {}).get("origin") or {}).get("upload_prefix", "")
            if prefix:
                shutil.copy(source, folder / f"{prefix}feedback.md")
        lines.append([row["email"], row["name"] or row["student"], row["total"], row["possible"],
                      str(source.relative_to(out)) if sub and source.exists() else ""])
    _write(out / "mailmerge.csv", ["email", "name", "total", "possible", "feedback"], lines)
