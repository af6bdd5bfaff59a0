"""Turn a lab's template notebook into the student and the solution notebooks.

Directive cells of the template (a code cell whose first line is the directive):
    # STUB: name, ...      the named functions of solutions/<lab>.py: stubs, or whole
    # INLINE: file.py      a file of autograder/kernel/ pasted in (the data loader)
    # TRAINING BUDGET      the lab's [training] constants from lab.toml
The build adds the setup cell (cells/setup.py) before the first code cell and the Submit cell
(cells/export.py) at the end. A question's statement in a markdown cell begins with
`**Question N.**` (N: lab.toml's qN); the build writes the question's points there, and the
lab's total at the end of the first markdown cell, from the test files.
"""

import ast
import base64
import copy
import io
import re
import zipfile
from pathlib import Path

import nbformat

from .kernel.cells import cell_source
from .labs import STUB_DIRECTIVE, Lab
from .paths import CHECKS, KERNEL
from .requirements import grader_versions, requirement
from .stubs import function_source
from .testfiles import question_points

INLINE_DIRECTIVE = "# INLINE:"
BUDGET_DIRECTIVE = "# TRAINING BUDGET"
# The student's copy of the comparison helpers goes by another name, so that during grading a
# hidden test's `import dllab_checks` finds the zip's copy, never one the notebook brought.
# The tests' helpers (autograder/checks/), in the order they import each other. The student's
# copies take other names (dllab_public_checks, ...): the notebook's own checks never shadow
# the grader's, whatever the student puts on the path.
HELPERS = ("dllab_calls", "dllab_checks", "dllab_keras", "dllab_copies", "dllab_rules")
_HELPER_NAME = re.compile(r"\bdllab_(calls|checks|keras|copies|rules)\b")


def public_names(source: str) -> str:
    """`source` with the helpers' names replaced by the student's copies' names."""
    return _HELPER_NAME.sub(r"dllab_public_\1", source)

EXPORT_MARKDOWN = """\
## Submit

Save the notebook, then run the cell below. It shows every public check once more, then
writes a zip file beside the notebook that you upload. Otter cannot export from Colab: there,
download the notebook (File > Download > Download .ipynb) and upload that file instead.
Public checks passing does not mean full marks: the autograder also runs hidden tests."""


# Where a question's statement begins in the template; the build writes its points there.
QUESTION_MARK = re.compile(r"\*\*Question (\d+)\.\*\*")


class TemplateError(ValueError):
    """A template whose question marks do not match lab.toml's questions."""


def _points(value: float) -> str:
    return f"{value:g} point" + ("" if value == 1 else "s")


def mark_points(lab: Lab, cells: list) -> None:
    """Write each question's points into its `**Question N.**` (from the test files, the one
    source of points: the notebook cannot promise other points than the grader gives), and the
    lab's total, bonus named, at the end of the first markdown cell."""
    points, bonus, seen = question_points(lab), set(lab.bonus_questions()), []

    def heading(match):
        question = f"q{match.group(1)}"
        if question not in points:
            raise TemplateError(f"{lab.template.name} marks **Question {match.group(1)}.**, "
                                f"but lab.toml has no {question}")
        seen.append(question)
        kind = "bonus, " if question in bonus else ""
        return f"**Question {match.group(1)}** ({kind}{_points(points[question])})."

    markdown = [cell for cell in cells if cell.cell_type == "markdown"]
    for cell in markdown:
        cell.source = QUESTION_MARK.sub(heading, cell.source)
    unmarked = [q for q in points if seen.count(q) != 1]
    if unmarked:
        raise TemplateError(f"{lab.template.name}: each question's statement begins with one "
                            f"**Question N.**; not so for {', '.join(unmarked)}")
    if markdown:
        markdown[0].source = markdown[0].source.rstrip() + "\n\n" + points_summary(lab, points)


def points_summary(lab: Lab, points: dict[str, float]) -> str:
    """The introduction's line on points: the total, and which questions are a bonus."""
    bonus = lab.bonus_questions()
    total = sum(points.values())
    if not bonus:
        return f"**Points.** {_points(total)} in all; each question says its own."
    extra = sum(points[q] for q in bonus)
    which = ("question " if len(bonus) == 1 else "questions ") + ", ".join(q[1:] for q in bonus)
    return (f"**Points.** {_points(total)} in all: {_points(total - extra)} for the questions "
            f"and {_points(extra)} for the bonus ({which}). Each question says its own.")


def hide_source(cell, title: str) -> None:
    """Collapse a code cell the student runs but need not read (the setup cell, the pasted data
    loader), leaving one line that says what it does. The code is unchanged below that line:
    - JupyterLab and Notebook 7: `jupyter.source_hidden` (nbformat's cell metadata) collapses
      the input and shows its first line, the title, in the placeholder;
    - Colab: `cellView: "form"` shows a cell as its form, the `#@title` line, without the code.
    VS Code's ipynb reader keeps but does not act on either (its collapsed state is its own,
    never read from the file): there the title line comes first, above the code."""
    cell.source = f"#@title {title}\n{cell.source}"
    cell.metadata["jupyter"] = {"source_hidden": True}
    cell.metadata["cellView"] = "form"


def loader_title(source: str) -> str:
    """What the pasted data loader gives the notebook, in one line: its load_* functions."""
    names = [node.name for node in ast.parse(source).body
             if isinstance(node, ast.FunctionDef) and node.name.startswith("load_")]
    return f"Data loader: run this cell; it defines {', '.join(n + '()' for n in names)}"


SETUP_TITLE = "Setup: run this cell first; it prepares grader.check for this lab's public checks"


def public_checks_blob(public_tests: Path, facts: Path) -> str:
    """base64 of a zip holding the public test files, the helpers they use and the lab's facts
    (a lab without Keras gets no Keras helpers)."""
    tests = sorted(public_tests.glob("q*.py"))
    text = "".join(path.read_text() for path in tests)
    used = {h for h in HELPERS if public_names(h) in text}
    # dllab_checks whatever the tests name (the others import it) and dllab_calls, which it
    # takes `call` from; dllab_keras with dllab_copies, which reads models with it
    used |= {"dllab_calls", "dllab_checks"} | ({"dllab_keras"} if "dllab_copies" in used else set())
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for path in tests:
            z.write(path, path.name)
        # in a subfolder: grader.check_all() takes every .py file beside the tests for a test
        for helper in (h for h in HELPERS if h in used):
            z.writestr(f"support/{public_names(helper)}.py", public_names((CHECKS / f"{helper}.py").read_text()))
        z.write(facts, f"support/{facts.name}")
    return base64.b64encode(buf.getvalue()).decode("ascii")


def budget_source(lab: Lab) -> str:
    constants = "".join(f"{name} = {value!r}\n" for name, value in lab.training_budget.items())
    return cell_source("budget") + constants


def _directive(cell, prefix):
    if cell.cell_type != "code" or not cell.source.startswith(prefix):
        return None
    return cell.source.splitlines()[0][len(prefix):]


def uses_keras(lab: Lab) -> bool:
    """Whether the lab's solution or template imports keras (or tensorflow)."""
    code = lab.solution_file.read_text() + "\n".join(
        c.source for c in nbformat.read(lab.template, as_version=4).cells if c.cell_type == "code")
    return re.search(r"^\s*(import|from)\s+(keras|tensorflow)\b", code, re.M) is not None


def compared_versions(lab: Lab) -> dict[str, str]:
    """The grader's versions the setup cell compares the student's with: numpy and otter, and
    Keras and TensorFlow (Keras' backend) where the lab imports keras. A numpy lab says nothing
    about TensorFlow: its student need not care."""
    return grader_versions(("numpy", "keras", "tensorflow", "otter") if uses_keras(lab) else ("numpy", "otter"))


def render(lab: Lab, public_tests: Path, facts: Path, solution: bool) -> nbformat.NotebookNode:
    """The student notebook (`solution=False`) or the solution notebook, from the template."""
    nb = nbformat.read(lab.template, as_version=4)
    cells = []
    for cell in nb.cells:
        cell = copy.deepcopy(cell)
        names = _directive(cell, STUB_DIRECTIVE)
        inline = _directive(cell, INLINE_DIRECTIVE)
        if names is not None:
            funcs = [n.strip() for n in names.split(",") if n.strip()]
            cell.source = "\n\n".join(
                function_source(lab.solution_file, n, stub=not solution).rstrip() for n in funcs
            )
        elif inline is not None:
            cell.source = (KERNEL / inline.strip()).read_text().rstrip()
            hide_source(cell, loader_title(cell.source))
        elif _directive(cell, BUDGET_DIRECTIVE) is not None:
            cell.source = budget_source(lab).rstrip()
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        cells.append(cell)
    mark_points(lab, cells)

    setup = nbformat.v4.new_code_cell(cell_source(
        "setup", OTTER_REQUIREMENT=requirement("otter-grader"), GRADER_VERSIONS=compared_versions(lab),
        PUBLIC_CHECKS=public_checks_blob(public_tests, facts),
        # Keras loaded by the setup cell, its backend's start-up notices left out (cells/setup.py)
        QUIET_IMPORTS=["keras"] if uses_keras(lab) else []).rstrip())
    hide_source(setup, SETUP_TITLE)  # a line of 30,000 characters of base64 below its title
    first_code = next((i for i, c in enumerate(cells) if c.cell_type == "code"), len(cells))
    cells.insert(first_code, setup)
    export = nbformat.v4.new_code_cell(cell_source("export", QUESTIONS=lab.questions()).rstrip())
    export.metadata["tags"] = ["otter_ignore"]  # otter skips it when grading
    cells += [nbformat.v4.new_markdown_cell(EXPORT_MARKDOWN), export]

    for cell in cells:  # stable ids: the same source builds byte-identical notebooks
        cell.pop("id", None)
    nb.cells = cells
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["otter"] = {"assignment_name": lab.name}
    nb.nbformat, nb.nbformat_minor = 4, 4
    return nb
