"""Turn a lab's template notebook into the student and the solution notebooks."""

import base64
import copy
import io
import zipfile
from pathlib import Path

import nbformat

from .labs import SUPPORT, Lab
from .stubs import function_source

STUB_DIRECTIVE = "# STUB:"
INLINE_DIRECTIVE = "# INLINE:"
PUBLIC_TESTS_DIR = "public_tests"  # not "tests": during grading otter keeps the full tests there
OTTER_PIN = "otter-grader==7.0.0"

SETUP_SOURCE = '''\
# Setup: run this cell first. It installs otter-grader where it is missing (Colab), writes
# this lab's public checks to ./{tests_dir}/ (so they work even where the notebook file is
# not on disk, as in Colab), and creates `grader`.
import base64, io, os, sys, zipfile
try:
    import otter
except ImportError:
    %pip install -q {otter_pin}
    import otter

_PUBLIC_CHECKS = "{blob}"
with zipfile.ZipFile(io.BytesIO(base64.b64decode(_PUBLIC_CHECKS))) as _z:
    _z.extractall("{tests_dir}")
sys.path.append(os.path.abspath("{tests_dir}/support"))
grader = otter.Notebook(tests_dir="{tests_dir}")


def ready(*values):
    """True once the functions you call return something (a stub returns None)."""
    return all(v is not None for v in values)
'''

EXPORT_MARKDOWN = """\
## Submit

Save the notebook, then run the cell below. It shows every public check once more, then
writes a zip file beside the notebook that you upload. Otter cannot export from Colab: there,
download the notebook (File > Download > Download .ipynb) and upload that file instead.
Public checks passing does not mean full marks: the autograder also runs hidden tests."""

EXPORT_SOURCE = """\
for question in {questions}:
    display(grader.check(question))
if "google.colab" in sys.modules:  # Colab imports it at start-up
    print("In Colab: File > Download > Download .ipynb, then upload that notebook.")
else:
    grader.export(pdf=False, run_tests=False)"""


def public_checks_blob(public_tests: Path) -> str:
    """base64 of a zip holding the public test files and the comparison helpers."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for path in sorted(public_tests.glob("q*.py")):
            z.write(path, path.name)
        # in a subfolder: grader.check_all() takes every .py file beside the tests for a test
        z.write(SUPPORT / "dllab_checks.py", "support/dllab_public_checks.py")
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _directive(cell, prefix):
    if cell.cell_type != "code" or not cell.source.startswith(prefix):
        return None
    return cell.source.splitlines()[0][len(prefix):]


def render(lab: Lab, public_tests: Path, solution: bool) -> nbformat.NotebookNode:
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
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        cells.append(cell)

    setup = nbformat.v4.new_code_cell(SETUP_SOURCE.format(
        tests_dir=PUBLIC_TESTS_DIR, otter_pin=OTTER_PIN, blob=public_checks_blob(public_tests)))
    # Colab shows a cell in "form" view as its title only: the blob stays out of sight there.
    setup.metadata["cellView"] = "form"
    first_code = next((i for i, c in enumerate(cells) if c.cell_type == "code"), len(cells))
    cells.insert(first_code, setup)
    export = nbformat.v4.new_code_cell(EXPORT_SOURCE.format(questions=lab.questions()))
    export.metadata["tags"] = ["otter_ignore"]  # otter skips it when grading
    cells += [nbformat.v4.new_markdown_cell(EXPORT_MARKDOWN), export]

    for cell in cells:  # stable ids: the same source builds byte-identical notebooks
        cell.pop("id", None)
    nb.cells = cells
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["otter"] = {"assignment_name": lab.name}
    nb.nbformat, nb.nbformat_minor = 4, 4
    return nb
