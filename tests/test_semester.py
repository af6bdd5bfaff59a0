"""A semester's gradebook: rosters, the names LMS downloads give files, deadlines, LMS exports.

The file-name conventions, the late policy and the exports are checked on their own (fast);
then one class of lab 3, laid out as Canvas' "Download Submissions" leaves it, is graded end to
end with a roster and a deadline, and what the instructor reads is compared with golden copies.
"""

import csv
import json
import os
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import nbformat
import pytest

from autograder.errors import UsageError
from autograder.grade import ClassOptions, grade_batch
from autograder.late import LatePolicy
from autograder.lms import CANVAS_ID_COLUMNS
from autograder.roster import Matcher, Student, origin, parse_duration, read_roster
from autograder.judge.results import finish
from autograder.students import student_rows
from golden import assert_golden

LAB = "lab3_cnn_numpy"
UTC = timezone.utc
DEADLINE = datetime(2026, 12, 10, 23, 59, tzinfo=UTC)


def _touch(path: Path, when: datetime, data: bytes = b"{}") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    os.utime(path, (when.timestamp(), when.timestamp()))
    return path


# --- which student, and when, from what the download looks like ------------------------------

def test_canvas_names_give_canvas_ids_and_the_late_mark(tmp_path):
    f = _touch(tmp_path / "doejane_LATE_12345_678901_lab3_cnn_numpy.ipynb", DEADLINE)
    o = origin(f, tmp_path)
    assert o.keys == ["12345", "doejane"] and o.source == "Canvas download"
    assert o.notes == ["Canvas marked it late"] and o.time_source == "file time" and o.time == DEADLINE


def test_moodle_files_and_folders_give_the_full_name(tmp_path):
    f = _touch(tmp_path / "Jane Doe_123456_assignsubmission_file_" / "lab3.ipynb", DEADLINE)
    o = origin(f, tmp_path)
    assert o.keys == ["Jane Doe"] and o.source == "Moodle download"
    assert o.upload_prefix == "Jane Doe_123456_assignsubmission_file_"
    g = _touch(tmp_path / "Bob Roe_77_assignsubmission_file_lab3.ipynb", DEADLINE)
    assert origin(g, tmp_path).keys == ["Bob Roe"]


def test_a_gradescope_export_gives_the_submitter_and_the_time(tmp_path):
    (tmp_path / "submission_metadata.yml").write_text(
        "submission_1001:\n  :submitters:\n  - :name: Jane Doe\n    :sid: 's42'\n    :email: jane@uni.edu\n"
        "  :created_at: 2026-12-11 01:30:00.000000000 +00:00\n")
    f = _touch(tmp_path / "submission_1001" / "lab3_cnn_numpy.ipynb", DEADLINE)
    o = origin(f, tmp_path)
    assert o.keys == ["s42", "jane@uni.edu", "Jane Doe"] and o.time_source == "gradescope"
    assert o.time == datetime(2026, 12, 11, 1, 30, tzinfo=UTC)


def test_the_export_zip_gives_its_own_time_and_the_name_before_it(tmp_path):
    f = _touch(tmp_path / "alice_2026_12_06T21_46_52_398884.zip", DEADLINE)
    o = origin(f, tmp_path)
    assert o.keys == ["alice"] and o.time_source == "export zip"
    assert o.time == datetime(2026, 12, 6, 21, 46, 52, 398884)
    nested = _touch(tmp_path / "bob" / "lab3_cnn_numpy_2026_12_07T08_00_00_000000.zip", DEADLINE)
    assert origin(nested, tmp_path).keys == ["bob", "lab3_cnn_numpy"]


def test_other_names_give_the_folder_then_the_stem_and_the_files_time(tmp_path):
    assert origin(_touch(tmp_path / "alice.ipynb", DEADLINE), tmp_path).keys == ["alice"]
    o = origin(_touch(tmp_path / "carol" / "lab3.ipynb", DEADLINE), tmp_path)
    assert o.keys == ["carol", "lab3"] and o.time_source == "file time" and o.time == DEADLINE


ROSTER = [Student("s1", "Jane Doe", "jane@uni.edu", extra={"canvas_id": "12345"}),
          Student("s2", "Bob Roe", "bob.roe@uni.edu"),
          Student("s3", "Ann Lee", "ann@uni.edu", timedelta(days=2))]


@pytest.mark.parametrize("keys,file_name,expected", [
    (["12345", "doejane"], "doejane_12345_1_lab3.ipynb", "s1"),  # Canvas' id
    (["99999", "doejane"], "doejane_99999_1_lab3.ipynb", "s1"),  # Canvas' name, last then first
    (["Bob Roe"], "x.ipynb", "s2"),                               # Moodle's full name
    (["bob.roe"], "bob.roe.ipynb", "s2"),                         # the email's local part
    (["s3"], "s3.ipynb", "s3"),                                   # the roster's id
    (["lee ann"], "x.ipynb", "s3"),                               # a name in the other order
    (["mallory"], "mallory.ipynb", None),
])
def test_a_file_is_matched_to_the_roster_by_id_email_or_name(keys, file_name, expected):
    found = Matcher(ROSTER).find(keys, file_name)
    assert (found.id if found else None) == expected


def test_a_roster_column_can_be_named_for_matching():
    roster = [Student("s1", "Jane Doe", "jane@uni.edu", extra={"username": "jdoe7"})]
    assert Matcher(roster, "username").find([], "lab3-jdoe7-final.ipynb").id == "s1"
    with pytest.raises(UsageError, match="no such column"):
        Matcher(roster, "student_number")


def test_a_roster_is_read_with_its_columns_and_refused_when_broken(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text("ID,Name,Email,Extension,canvas_id\ns1,Jane Doe,jane@uni.edu,2d,12345\ns2,Bob Roe,bob@uni.edu,,\n")
    jane, bob = read_roster(path)
    assert (jane.id, jane.extension, jane.extra["canvas_id"]) == ("s1", timedelta(days=2), "12345")
    assert bob.extension == timedelta(0)
    path.write_text("name,email\nJane,j@u\n")
    with pytest.raises(UsageError, match="no 'id' column"):
        read_roster(path)
    path.write_text("id,name\ns1,A\ns1,B\n")
    with pytest.raises(UsageError, match="appears twice"):
        read_roster(path)
    with pytest.raises(UsageError, match="is not a duration"):
        parse_duration("two days")


# --- the late policy ------------------------------------------------------------------------

POLICY = LatePolicy.from_settings({"deadline": "2026-12-10T23:59:00+00:00", "penalty": "10%/day",
                                   "cap": "30%", "grace": "15m"})


@pytest.mark.parametrize("late,extension,penalty", [
    (timedelta(minutes=-5), timedelta(0), 0.0),           # on time
    (timedelta(minutes=14), timedelta(0), 0.0),           # within the grace period
    (timedelta(minutes=16), timedelta(0), 0.1),           # a started day
    (timedelta(days=1, minutes=1), timedelta(0), 0.2),    # two started days
    (timedelta(days=9), timedelta(0), 0.3),               # the cap
    (timedelta(days=1, hours=12), timedelta(days=2), 0.0),  # an extension of two days
])
def test_the_late_policy_counts_started_units_after_grace_and_extension(late, extension, penalty):
    assert POLICY.penalty(POLICY.late_by(DEADLINE + late, extension)) == pytest.approx(penalty)


def test_a_bad_policy_is_a_usage_error():
    for settings, message in [({"penalty": "10%/day"}, "needs a deadline"),
                              ({"deadline": "next friday"}, "not an ISO 8601 time"),
                              ({"deadline": "2026-12-10", "penalty": "10 per day"}, "of the form 10%/day"),
                              ({"deadline": "2026-12-10", "cap": "150%"}, "between 0% and 100%")]:
        with pytest.raises(UsageError, match=message):
            LatePolicy.from_settings(settings)


# --- one row per student ----------------------------------------------------------------------

FACTS = {"questions": {"q1": {"title": "core", "points": 3}, "q2": {"title": "bonus: extra", "points": 2}}}


def _result(sub_id, q1, q2, keys, when, status="graded"):
    r = {"id": sub_id, "file": f"/subs/{sub_id}.ipynb", "status": status,
         "reason": "" if status == "graded" else "why",
         "questions": {"q1": {"score": q1, "possible": 3, "cases": []},
                       "q2": {"score": q2, "possible": 2, "cases": []}},
         "origin": {"keys": keys, "time": when.isoformat(), "time_source": "file time", "notes": []}}
    return finish(r, FACTS)


def test_the_newest_submission_counts_older_are_listed_and_nobody_is_forgotten():
    results = [_result("jane_old", 1, 0, ["Jane Doe"], DEADLINE - timedelta(days=1)),
               _result("jane_new", 3, 2, ["Jane Doe"], DEADLINE - timedelta(hours=1)),
               _result("bob", 3, 0, ["bob.roe"], DEADLINE + timedelta(hours=30)),
               _result("mallory", 3, 2, ["mallory"], DEADLINE)]
    rows, unmatched = student_rows(results, FACTS, ROSTER, policy=POLICY)
    by = {r["student"]: r for r in rows}
    assert [r["student"] for r in rows] == ["s1", "s2", "s3", "mallory"]
    assert by["s1"]["submission"] == "jane_new" and by["s1"]["older_submissions"] == "jane_old"
    jane, bob = by["s1"], by["s2"]
    assert (jane["core"], jane["bonus"], jane["possible"], jane["bonus_possible"]) == ("3", "2", "3", "2")
    assert (bob["score"], bob["penalty"], bob["total"], bob["late_hours"]) == ("3", "20%", "2.4", "30.0")
    assert by["s3"]["status"] == "missing" and by["s3"]["total"] == "0"
    assert by["mallory"]["status"] == "not on the roster" and unmatched == ["/subs/mallory.ipynb"]


def test_without_a_roster_a_students_files_are_one_row():
    results = [_result("alice", 1, 0, ["alice"], DEADLINE - timedelta(days=1)),
               _result("alice_2026_12_10T10_00_00_000000", 3, 0, ["alice"], DEADLINE - timedelta(hours=3))]
    rows, _ = student_rows(results, FACTS)
    assert len(rows) == 1 and rows[0]["submission"] == "alice_2026_12_10T10_00_00_000000"
    assert rows[0]["older_submissions"] == "alice" and rows[0]["penalty"] == ""


# --- the worked example: a Canvas download of lab 3, graded with a roster and a deadline -------

@pytest.fixture(scope="module")
def lab(built):
    return built[LAB]


@pytest.fixture(scope="module")
def semester(lab, tmp_path_factory):
    """The README's example: roster.csv, a Canvas download, the command, what it writes."""
    root = tmp_path_factory.mktemp("semester")
    sol = nbformat.read(lab.dist(lab.out_root) / "solution" / f"{LAB}.ipynb", as_version=4)
    wrong = nbformat.from_dict(json.loads(json.dumps(sol)))
    cell = next(c for c in wrong.cells if c.cell_type == "code" and "def conv2d_forward(" in c.source)
    cell.source += "\n\ndef conv2d_forward(X, W, b, stride=1, pad=0):\n    return None\n"
    right, bad = nbformat.writes(sol).encode(), nbformat.writes(wrong).encode()
    (root / "roster.csv").write_text(
        "id,name,email,extension,canvas_id,section\n"
        "s1,Jane Doe,jane@uni.edu,,12345,A\n"
        "s2,Bob Roe,bob@uni.edu,,12346,A\n"
        "s3,Ann Lee,ann@uni.edu,2d,12347,B\n"
        "s4,Raj Patel,raj@uni.edu,,12348,B\n")
    subs = root / "canvas-download"
    _touch(subs / "doejane_12345_900001_lab3_cnn_numpy.ipynb", DEADLINE - timedelta(days=2), bad)
    _touch(subs / "doejane_12345_900002_lab3_cnn_numpy-1.ipynb", DEADLINE - timedelta(hours=2), right)
    _touch(subs / "roebob_LATE_12346_900003_lab3_cnn_numpy.ipynb", DEADLINE + timedelta(hours=30), right)
    _touch(subs / "leeann_LATE_12347_900004_lab3_cnn_numpy.ipynb", DEADLINE + timedelta(hours=30), bad)
    with zipfile.ZipFile(subs / "stranger_2026_12_09T12_00_00_000000.zip", "w") as z:
        z.writestr(f"{LAB}.ipynb", right)
    out = root / "graded"
    grade_batch(lab, [subs], out, zip_path=lab.zip_path(lab.out_root), jobs=2, progress=False,
                klass=ClassOptions(root / "roster.csv", late={"deadline": "2026-12-10T23:59:00+00:00",
                                                               "penalty": "10%/day", "cap": "50%", "grace": "15m"},
                                   assignment="Lab 3"))
    return out


def _csv(path):
    return list(csv.DictReader(open(path, newline="")))


def test_every_student_gets_one_row_with_the_late_penalty(semester):
    rows = {r["student"]: r for r in _csv(semester / "students.csv")}
    jane, bob, ann, raj = rows["s1"], rows["s2"], rows["s3"], rows["s4"]
    assert jane["submission"] == "doejane_12345_900002_lab3_cnn_numpy-1" and jane["older_submissions"]
    assert (jane["core"], jane["bonus"], jane["total"], jane["possible"], jane["bonus_possible"]) == \
        ("39", "6", "45", "39", "6")
    assert (bob["penalty"], bob["total"], bob["time_from"]) == ("20%", "36", "file time")
    assert "Canvas marked it late" in bob["notes"]
    assert (ann["penalty"], ann["core"]) == ("0%", "30")  # her two days' extension
    assert raj["status"] == "missing"
    stranger = [r for r in rows.values() if r["status"] == "not on the roster"]
    assert len(stranger) == 1 and stranger[0]["time_from"] == "export zip"


def test_canvas_and_moodle_files_follow_their_import_formats(semester):
    lines = list(csv.reader(open(semester / "canvas.csv", newline="")))
    assert lines[0] == CANVAS_ID_COLUMNS + ["Lab 3 (core)", "Lab 3 (bonus)"]
    assert lines[1] == ["Points Possible", "", "", "", "", "39", "6"]
    rows = {line[1]: line for line in lines[2:]}
    assert set(rows) == {"12345", "12346", "12347", "12348"}  # Canvas' ids; the stranger has none
    assert rows["12346"] == ["Bob Roe", "12346", "", "bob@uni.edu", "A", "31.2", "4.8"]
    moodle = _csv(semester / "moodle.csv")
    assert list(moodle[0]) == ["ID number", "Email address", "Full name", "Lab 3 core", "Lab 3 bonus", "Feedback"]
    assert {r["Email address"] for r in moodle} == {"jane@uni.edu", "bob@uni.edu", "ann@uni.edu", "raj@uni.edu"}
    merge = _csv(semester / "mailmerge.csv")
    assert {r["email"]: r["feedback"] for r in merge}["jane@uni.edu"] == \
        "feedback/doejane_12345_900002_lab3_cnn_numpy-1.md"


def test_what_the_instructor_reads_matches_its_golden_copy(semester):
    for name in ("students.csv", "canvas.csv", "moodle.csv"):
        assert_golden(f"{LAB}/semester/{name}", (semester / name).read_text())
