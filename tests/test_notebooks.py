"""What the student reads in a built notebook: each question's points, the lab's total with its
bonus, the setup cell and the data loader collapsed in Jupyter and Colab, and no word of the
course's infrastructure or of lectures the notebook does not ship with."""

import json
import re
import tempfile
from pathlib import Path

import nbformat
import pytest

from autograder.build import write_tests
from autograder.cases import write_facts
from autograder.labs import all_labs
from autograder.notebooks import INLINE_DIRECTIVE, TemplateError, mark_points, render
from autograder.testfiles import question_points

LABS = all_labs()
# Words that belong to the course's machinery or to slides, not to a notebook that stands alone.
# (The test files' case labels may say "the lecture's ..."; they never reach the notebook's text.)
# ("slides" the verb stays: a filter slides over an image.)
BANNED = re.compile(r"course's CI|\bCI\b|the build\b|benchmarks/|course repository|course's machine"
                    r"|\blectures?\b|\bthe (?:[\w-]+ )?slide\b", re.IGNORECASE)


def _render(lab, solution=False):
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        write_tests(lab, tmp / "tests", tmp / "public_tests")
        return render(lab, tmp / "public_tests", write_facts(lab, tmp), solution=solution)


@pytest.fixture(scope="module", params=[lab.name for lab in LABS])
def built(request):
    lab = next(lab for lab in LABS if lab.name == request.param)
    return lab, _render(lab), _render(lab, solution=True)


def test_every_question_says_its_points_and_the_bonus_says_it_is_one(built):
    lab, student, _ = built
    text = "\n".join(c.source for c in student.cells if c.cell_type == "markdown")
    points, bonus = question_points(lab), set(lab.bonus_questions())
    for question, value in points.items():
        number = question[1:]
        kind = "bonus, " if question in bonus else ""
        heading = f"**Question {number}** ({kind}{value:g} point{'' if value == 1 else 's'})."
        assert text.count(heading) == 1, f"{lab.name}: {heading!r} is not in the notebook once"
    assert not re.search(r"\*\*Question \d+\.\*\*", text), "a question mark was left unrendered"
    intro = next(c.source for c in student.cells if c.cell_type == "markdown")
    assert f"**Points.** {sum(points.values()):g} points in all" in intro
    if bonus:
        extra = sum(points[q] for q in bonus)
        assert f"{extra:g} points for the bonus" in intro


def test_lab3_totals_45_with_a_6_point_bonus():
    lab = next(lab for lab in LABS if lab.name == "lab3_cnn_numpy")
    intro = _render(lab).cells[0].source
    assert "45 points in all: 39 points for the questions and 6 points for the bonus (question 11)" in intro


def _hidden_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code" and c.metadata.get("jupyter", {}).get("source_hidden")]


def test_setup_and_loader_are_collapsed_in_jupyter_and_colab_under_a_title(built):
    lab, student, solution = built
    template = nbformat.read(lab.template, as_version=4)
    loaders = sum(c.cell_type == "code" and c.source.startswith(INLINE_DIRECTIVE) for c in template.cells)
    for nb in (student, solution):
        hidden = _hidden_cells(nb)
        assert len(hidden) == 1 + loaders, f"{lab.name}: the setup cell and {loaders} loader(s) are collapsed"
        assert any("PUBLIC_CHECKS = " in c.source for c in hidden), "the setup cell is not collapsed"
        for cell in hidden:
            first = cell.source.splitlines()[0]
            assert first.startswith("#@title ") and len(first) < 120, first  # Colab's form: the title
            assert cell.metadata["cellView"] == "form"
            compile(cell.source, "cell", "exec")  # the title is a comment: the cell runs as before
    code = [c for c in student.cells if c.cell_type == "code"]
    assert code[0] is _hidden_cells(student)[0], "the setup cell comes first"


def test_nothing_the_student_reads_names_the_course_infrastructure_or_lectures(built):
    lab, student, solution = built
    for nb in (student, solution):
        for i, cell in enumerate(nb.cells):
            for line in cell.source.splitlines():
                if len(line) > 1000:  # the setup cell's base64 blob
                    continue
                match = BANNED.search(line)
                assert match is None, f"{lab.name} cell {i}: {match.group(0)!r} in {line.strip()!r}"


@pytest.mark.parametrize("old, new, says", [
    ("**Question 4.**", "Question 4.", "q4"),                             # a question without its mark
    ("**Question 4.**", "**Question 4.** **Question 4.**", "q4"),         # marked twice
    ("**Question 4.**", "**Question 4.** **Question 12.**", "no q12"),    # a mark without its question
])
def test_a_template_whose_marks_do_not_match_the_questions_stops_the_build(old, new, says):
    lab = next(lab for lab in LABS if lab.name == "lab3_cnn_numpy")
    cells = nbformat.read(lab.template, as_version=4).cells
    for cell in cells:
        cell.source = cell.source.replace(old, new)
    with pytest.raises(TemplateError, match=says):
        mark_points(lab, cells)


@pytest.mark.parametrize("lab", LABS, ids=lambda lab: lab.name)
def test_every_template_cell_has_an_id(lab):
    """nbformat warns on every read of a cell without an id (and will refuse it); a warning would
    reach the instructor's `dllab build` output and every student's kernel log."""
    cells = json.loads(lab.template.read_text())["cells"]
    missing = [i for i, cell in enumerate(cells) if "id" not in cell]
    assert not missing, f"{lab.template}: cells {missing} have no id"
