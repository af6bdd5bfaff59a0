"""Turn a lab's template notebook into the student and the solution notebooks.

Directive cells of the template (a code cell whose first line is the directive):
    # STUB: name, ...      the named functions of solutions/<lab>.py: stubs, or whole
    # INLINE: file.py      a file of autograder/support/ pasted in (the data loader)
    # TRAINING BUDGET      the lab's [training] constants from lab.toml
The build adds the setup cell (cells/setup.py) before the first code cell and the Submit cell
(cells/export.py) at the end.
"""

import base64
import copy
import io
import re
import zipfile
from pathlib import Path

import nbformat

from .cells import cell_source
from .labs import STUB_DIRECTIVE, SUPPORT, Lab
from .requirements import grader_versions, requirement
from .stubs import function_source

INLINE_DIRECTIVE = "# INLINE:"
BUDGET_DIRECTIVE = "# TRAINING BUDGET"
# The student's copy of the comparison helpers goes by another name, so that during grading a
# hidden test's `import dllab_checks` finds the zip's copy, never one the notebook brought.
PUBLIC_CHECKS_MODULE = "dllab_public_checks"

EXPORT_MARKDOWN = """\
## Submit

Save the notebook, then run the cell below. It shows every public check once more, then
writes a zip file beside the notebook that you upload. Otter cannot export from Colab: there,
download the notebook (File > Download > Download .ipynb) and upload that file instead.
Public checks passing does not mean full marks: the autograder also runs hidden tests."""


def public_checks_blob(public_tests: Path, facts: Path) -> str:
    """base64 of a zip holding the public test files, the comparison helpers and the lab's facts."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for path in sorted(public_tests.glob("q*.py")):
            z.write(path, path.name)
        # in a subfolder: grader.check_all() takes every .py file beside the tests for a test
        z.write(SUPPORT / "dllab_checks.py", f"support/{PUBLIC_CHECKS_MODULE}.py")
        z.write(facts, f"support/{facts.name}")
    return base64.b64encode(buf.getvalue()).decode("ascii")


def budget_source(lab: Lab) -> str:
    constants = "".join(f"{name} = {value!r}\n" for name, value in lab.training_budget.items())
    return cell_source("budget") + constants


def _directive(cell, prefix):
    if cell.cell_type != "code" or not cell.source.startswith(prefix):
        return None
    return cell.source.splitlines()[0][len(prefix):]


def compared_versions(lab: Lab) -> dict[str, str]:
    """The grader's versions the setup cell compares the student's with: numpy and otter, and
    Keras and TensorFlow (Keras' backend) where the lab imports keras. A numpy lab says nothing
    about TensorFlow: its student need not care."""
    code = lab.solution_file.read_text() + "\n".join(
        c.source for c in nbformat.read(lab.template, as_version=4).cells if c.cell_type == "code")
    uses_keras = re.search(r"^\s*(import|from)\s+(keras|tensorflow)\b", code, re.M) is not None
    return grader_versions(("numpy", "keras", "tensorflow", "otter") if uses_keras else ("numpy", "otter"))


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
            cell.source = (SUPPORT / inline.strip()).read_text().rstrip()
        elif _directive(cell, BUDGET_DIRECTIVE) is not None:
            cell.source = budget_source(lab).rstrip()
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        cells.append(cell)

    setup = nbformat.v4.new_code_cell(cell_source(
        "setup", OTTER_REQUIREMENT=requirement("otter-grader"), GRADER_VERSIONS=compared_versions(lab),
        PUBLIC_CHECKS=public_checks_blob(public_tests, facts)).rstrip())
    # Colab shows a cell in "form" view as its title only: the blob stays out of sight there.
    setup.metadata["cellView"] = "form"
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
