"""Every hidden test earns its place: wrong answers lose marks, other correct answers keep them.

Each module in tests/gallery/ (one per lab) defines
    LAB   = "lab3_cnn_numpy"
    WRONG = [Entry(question, label, {name: implementation, ...}), ...]
    RIGHT = [Entry(...), ...]
A wrong entry must lose marks on its own question (in a public case when it says `public=True`),
and its failures must say what its `message` fragments say; a right entry must keep full marks there.
The whole-notebook path (notebook -> otter run) is covered in tests/test_end_to_end.py.
"""

import importlib
import pkgutil

import pytest

import gallery
from harness import run_question


def _entries(kind):
    out = []
    for info in pkgutil.iter_modules(gallery.__path__):
        module = importlib.import_module(f"gallery.{info.name}")
        if not hasattr(module, "LAB"):
            continue
        for entry in getattr(module, kind, []):
            out.append(pytest.param(module.LAB, entry, id=f"{module.LAB}-{entry.question}-{entry.label}"))
    return out


# grader.check's way (one namespace) and grading's (the judge's stand-ins, the answers as data)
WAYS = [pytest.param(False, id="checked"), pytest.param(True, id="judged")]


@pytest.mark.parametrize("judged", WAYS)
@pytest.mark.parametrize("lab,entry", _entries("WRONG"))
def test_wrong_answer_loses_marks(lab, entry, cases_dir, judged):
    result = run_question(lab, entry.question, cases_dir, entry.overrides, judged=judged)
    assert result.score < result.possible, (
        f"{entry.label!r} kept full marks on {entry.question}: the tests cannot tell it apart"
    )
    assert result.public_failed or not entry.public, (
        f"{entry.label!r} passed every public case of {entry.question}: the student would not see it before submitting")
    for fragment in entry.message:
        assert any(fragment in m for m in result.failures), (fragment, result.failures)


@pytest.mark.parametrize("judged", WAYS)
@pytest.mark.parametrize("lab,entry", _entries("RIGHT"))
def test_alternative_correct_answer_keeps_marks(lab, entry, cases_dir, judged):
    result = run_question(lab, entry.question, cases_dir, entry.overrides, judged=judged)
    assert result.full_marks, f"{entry.label!r} lost marks on {entry.question}: {result.failures}"


@pytest.mark.parametrize("lab,entry", _entries("CASCADE"))
def test_a_mistake_is_charged_once(lab, entry, cases_dir):
    """A wrong helper under a correct function: grading keeps the function's marks and says
    which helper failed it; the student's own grader.check, without the reference, cannot."""
    judged = run_question(lab, entry.question, cases_dir, entry.overrides, judged=True)
    assert judged.full_marks, f"{entry.label!r} lost marks on {entry.question}: {judged.failures}"
    for fragment in entry.message:
        assert any(fragment in note for note in judged.notes), (fragment, judged.notes)
    checked = run_question(lab, entry.question, cases_dir, entry.overrides)
    assert checked.score < checked.possible, "the wrong helper does not reach the function at all"
