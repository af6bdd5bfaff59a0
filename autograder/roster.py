"""Who handed in which file, and when: a class roster matched against what an LMS download leaves.

Runs on the instructor's machine, after grading (it never looks inside a notebook). A roster is
a CSV file with the columns `id`, `name` and `email` (any order, any case), optionally
`extension` (a deadline extension: `2d`, `36h`, `90m`, or a number of hours) and the columns
an LMS export needs (`canvas_id`, `sis_user_id`, `sis_login_id`, `section`, `username`).

Each submitted file is read for a student key by the file-name conventions below, tried in
this order, and the key is matched with the roster's `id`, then `email` (or the part before
`@`), then `name` (letters only, either order of the words), or with the column the instructor
names (`--roster-key COLUMN`: the file's name contains that column's value):

- Gradescope export: `submission_<n>/...` beside `submission_metadata.yml`; keys: the
  submitters' `:sid:`, `:email:`, `:name:`; time: `:created_at:`.
- Canvas "Download Submissions": `doejane_12345_678901_lab3.ipynb` (`doejane_LATE_...` when
  Canvas marked it late, which is noted); keys: `12345` (Canvas' user id: the roster's
  `canvas_id` or `id`), then `doejane`; time: the file's.
- Moodle "Download all submissions": `Jane Doe_123456_assignsubmission_file_lab3.ipynb`, or a
  folder `Jane Doe_123456_assignsubmission_file_/`; key: `Jane Doe`; time: the file's.
- `grader.export()`'s zip: `lab3_cnn_numpy_2026_12_06T21_46_52_398884.zip`, or renamed
  `alice_2026_...zip`; keys: a folder of its own, then the name before the time; time: that time
  (the student's clock, in a zone the grader cannot know: read as UTC; the file's own time would
  be the download's).
- Anything else: `alice.ipynb`, `alice/lab3.ipynb`; keys: the folder's name when the file sits
  in one of its own, then the file's stem; time: the file's modification time.
"""

import csv
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import yaml

from .errors import UsageError

CANVAS = re.compile(r"^(?P<lastfirst>[a-z0-9]+)(?P<late>_LATE)?_(?P<user>\d+)_(?P<submission>\d+)_(?P<name>.+)$")
MOODLE = re.compile(r"^(?P<name>.+?)_(?P<participant>\d+)_assignsubmission_[a-z]+_(?P<rest>.*)$")
EXPORT_TIME = re.compile(r"^(?P<stem>.*?)_?(?P<time>\d{4}_\d{2}_\d{2}T\d{2}_\d{2}_\d{2}_\d{6})$")
DURATION = re.compile(r"^\s*(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>[dhm]?)\s*$")


@dataclass
class Student:
    id: str
    name: str = ""
    email: str = ""
    extension: timedelta = timedelta(0)
    extra: dict = field(default_factory=dict)  # the roster's other columns (canvas_id, section...)


@dataclass
class Origin:
    """Where one submitted file came from, as its name and its folder say."""
    keys: list            # candidate student keys, the most specific first
    time: datetime | None  # when it was submitted, when the download says
    time_source: str      # "gradescope", "export zip", "file time"
    notes: list = field(default_factory=list)
    source: str = "file name"
    upload_prefix: str = ""  # what a feedback file's name begins with for the LMS's bulk upload


def parse_duration(text: str) -> timedelta:
    """`2d`, `36h`, `90m`, or a number of hours; UsageError otherwise."""
    if text is None or not str(text).strip():
        return timedelta(0)
    m = DURATION.match(str(text))
    if not m:
        raise UsageError(f"'{text}' is not a duration: write 2d, 36h, 90m or a number of hours")
    n, unit = float(m["n"]), m["unit"] or "h"
    return timedelta(days=n) if unit == "d" else timedelta(hours=n) if unit == "h" else timedelta(minutes=n)


def read_roster(path: Path) -> list[Student]:
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"--roster {path}: no such file")
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        raise UsageError(f"--roster {path}: no students")
    columns = {c.strip().lower(): c for c in rows[0]}
    if "id" not in columns:
        raise UsageError(f"--roster {path}: no 'id' column (found: {', '.join(rows[0])})")
    students, seen = [], set()
    for i, row in enumerate(rows, start=2):
        get = {k: (row.get(c) or "").strip() for k, c in columns.items()}
        if not get["id"]:
            raise UsageError(f"--roster {path}, line {i}: no id")
        if get["id"] in seen:
            raise UsageError(f"--roster {path}, line {i}: the id {get['id']} appears twice")
        seen.add(get["id"])
        students.append(Student(get["id"], get.get("name", ""), get.get("email", ""),
                                parse_duration(get.get("extension", "")),
                                {k: v for k, v in get.items() if k not in ("id", "name", "email", "extension")}))
    return students


def _gradescope_metadata(path: Path, top: Path) -> dict | None:
    """The submitter and time of a file inside a Gradescope export's submission folder."""
    for folder in path.parents:
        if folder == top.parent:
            return None
        meta = folder / "submission_metadata.yml"
        if meta.is_file():
            part = path.relative_to(folder).parts[0]
            with open(meta) as f:
                data = yaml.safe_load(f) or {}
            entry = data.get(part) or data.get(f":{part}")
            return entry if isinstance(entry, dict) else None
    return None


def _field(entry: dict, name: str):
    return entry.get(f":{name}:") if f":{name}:" in entry else entry.get(name, entry.get(f":{name}"))


def origin(path: Path, top: Path) -> Origin:
    """What the file's name and folders say about its author and its time (see the table above)."""
    path, top = Path(path), Path(top)
    mtime = datetime.fromtimestamp(path.stat().st_mtime, timezone.utc) if path.exists() else None
    entry = _gradescope_metadata(path, top if top.is_dir() else top.parent)
    if entry is not None:
        submitters = _field(entry, "submitters") or []
        keys = [str(_field(s, k)) for s in submitters for k in ("sid", "email", "name") if _field(s, k)]
        created = _field(entry, "created_at")
        when = created if isinstance(created, datetime) else _parse_time(str(created)) if created else None
        if when:
            return Origin(keys, when, "gradescope", source="Gradescope export")
        return Origin(keys, mtime, "file time", source="Gradescope export")
    parts = path.relative_to(top).parts if top.is_dir() and path != top else (path.name,)
    for part in parts:
        m = MOODLE.match(part)
        if m:
            return Origin([m["name"]], mtime, "file time", source="Moodle download",
                          upload_prefix=f"{m['name']}_{m['participant']}_assignsubmission_file_")
    stem = path.name[:-len(".ipynb")] if path.name.endswith(".ipynb") else path.stem
    exported = EXPORT_TIME.match(stem)  # first: its digits would read as Canvas' ids
    base = exported["stem"] if exported else stem
    when, time_source = (datetime.strptime(exported["time"], "%Y_%m_%dT%H_%M_%S_%f"), "export zip") \
        if exported else (mtime, "file time")
    m = CANVAS.match(base + path.suffix)
    if m:
        notes = ["Canvas marked it late"] if m["late"] else []
        return Origin([m["user"], m["lastfirst"]], when, time_source, notes, source="Canvas download")
    keys = ([parts[-2]] if len(parts) > 1 else []) + ([base] if base else [])
    return Origin(keys, when, time_source, source="export zip" if exported else "file name")


def _parse_time(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.strip().replace(" UTC", "+00:00"))
    except ValueError:
        return None


def _letters(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower())


def _name_keys(name: str) -> set[str]:
    words = [w for w in re.split(r"[\s,]+", name.lower()) if w]
    return {_letters("".join(words)), _letters("".join(reversed(words)))} if words else set()


class Matcher:
    """Finds the roster's student for a file's keys."""

    def __init__(self, students: list[Student], key_column: str | None = None):
        self.students, self.key_column = students, key_column
        if key_column and students and key_column.lower() not in {"id", "name", "email", *students[0].extra}:
            raise UsageError(f"--roster-key {key_column}: the roster has no such column")
        self.by = {}
        for s in students:
            for k in (s.id, s.extra.get("canvas_id", ""), s.extra.get("username", "")):
                if k:
                    self.by.setdefault(("id", k.lower()), s)
            if s.email:
                self.by.setdefault(("email", s.email.lower()), s)
                self.by.setdefault(("email", s.email.lower().split("@")[0]), s)
            for k in _name_keys(s.name):
                self.by.setdefault(("name", k), s)

    def _column(self, s: Student) -> str:
        col = self.key_column.lower()
        return {"id": s.id, "name": s.name, "email": s.email}.get(col, s.extra.get(col, ""))

    def find(self, keys: list[str], file_name: str) -> Student | None:
        if self.key_column:
            hits = [s for s in self.students if self._column(s) and self._column(s).lower() in file_name.lower()]
            return hits[0] if len(hits) == 1 else None
        for key in keys:
            k = key.strip().lower()
            for kind, value in (("id", k), ("email", k), ("name", _letters(k))):
                if (kind, value) in self.by:
                    return self.by[(kind, value)]
        return None
