"""`python -m autograder check NOTEBOOK`: run a notebook and print its public-check verdicts.

The verdicts come from the notebook's own `grader.check(...)`, called once more for every
question at the end of the run, so they are the ones a student sees inside the notebook.
"""

import json
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

from .kernel.cells import cell_source
from .labs import lab_of_notebook
from .judge.submission import first_line, notebook_from, read_notebook

MARKER = "<<dllab-check-results>>"
CHECK_CALL = re.compile(r"""grader\.check\(\s*["']([^"']+)["']\s*\)""")
# for a notebook that is none of our labs'
FALLBACK_TIMEOUT = 900.0


@dataclass
class CheckReport:
    notebook: Path
    questions: dict = field(default_factory=dict)   # name -> result dict
    errors: list = field(default_factory=list)      # cell errors, timeouts, a dead kernel
    cells: list = field(default_factory=list)       # the notebook's code cells as they ran, outputs included

    @property
    def ok(self) -> bool:
        return not self.errors and all(
            "error" not in r and r["score"] == r["possible"] for r in self.questions.values())


def questions_in(nb) -> list[str]:
    seen = []
    for cell in nb.cells:
        if cell.cell_type == "code":
            for q in CHECK_CALL.findall(cell.source):
                if q not in seen:
                    seen.append(q)
    return seen


def default_timeout(nb) -> float:
    """The notebook's lab's grading timeout (lab.toml), for a whole run of the notebook."""
    lab = lab_of_notebook(nb)
    return float(lab.grading["timeout"]) if lab else FALLBACK_TIMEOUT


def _cell_errors(cells) -> list[str]:
    """Each error, with its cell named by its first line (the number would be no editor's)."""
    errors = []
    for cell in cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                errors.append(f"the cell that begins `{first_line(cell.source)}`: {out.get('ename')}: "
                              f"{out.get('evalue', '')[:300]}")
    return errors


def check_notebook(path: Path, timeout: float | None = None, with_export: bool = False,
                   file_beside: bool = True) -> CheckReport:
    """Execute a copy of the notebook in a scratch folder; collect every question's verdict.

    The export cell is left out unless `with_export`: checking should not write a zip.
    `file_beside=False` runs it as Colab does, without the notebook file on disk.
    """
    with tempfile.TemporaryDirectory(prefix="dllab-unzip-") as tmp:
        # the Submit cell's zip is checked as grade grades it: the notebook inside
        nb = read_notebook(notebook_from(Path(path), Path(tmp)))
    nb_file = nbformat.from_dict(json.loads(json.dumps(nb)))  # as submitted, before the changes below
    report = CheckReport(path)
    questions = questions_in(nb)
    # the export cell would zip the notebook; checking must not leave files behind
    if not with_export:
        nb.cells = [c for c in nb.cells if "otter_ignore" not in c.get("metadata", {}).get("tags", [])]
    nb.cells.append(nbformat.v4.new_code_cell(cell_source("collect", QUESTIONS=questions, MARKER=MARKER)))
    timeout = timeout or default_timeout(nb)
    with tempfile.TemporaryDirectory(prefix="dllab-check-") as tmp:
        if file_beside:  # as in Jupyter, where otter finds the notebook file it runs in
            nbformat.write(nb_file, str(Path(tmp) / Path(path).with_suffix(".ipynb").name))
        # IPC sockets in the scratch folder: ipykernel warns about unencrypted TCP otherwise
        km = KernelManager(kernel_name="python3", transport="ipc", ip=str(Path(tmp) / "kernel"))
        client = NotebookClient(nb, km=km, timeout=timeout, allow_errors=True,
                                resources={"metadata": {"path": tmp}})
        # the kernel's own stderr (TensorFlow's start-up notices among it) stays out of the
        # command's output; a dead kernel is reported from nbclient's error
        kernel_log = open(Path(tmp) / "kernel.log", "wb")
        try:
            client.execute(stdout=kernel_log, stderr=kernel_log)
        except CellTimeoutError:
            report.errors.append(f"a cell ran longer than {timeout:.0f} s and was stopped")
        except DeadKernelError as e:
            report.errors.append(f"the kernel died ({e})")
        except CellExecutionError as e:  # only raised for errors nbclient cannot allow
            report.errors.append(str(e)[:300])
        finally:
            kernel_log.close()
        shutil.rmtree(tmp, ignore_errors=True)
    report.errors += _cell_errors(nb.cells[:-1])
    report.cells = [c for c in nb.cells[:-1] if c.cell_type == "code"]
    for out in nb.cells[-1].get("outputs", []):
        text = out.get("text", "")
        if MARKER in text:
            report.questions = json.loads(text.split(MARKER, 1)[1])
    if questions and not report.questions:
        report.errors.append("the checks could not run: is the setup cell (which creates `grader`) intact?")
    return report


def print_report(report: CheckReport):
    print(f"{report.notebook}")
    for q, r in report.questions.items():
        if "error" in r:
            print(f"  {q}: could not check ({r['error']})")
            continue
        status = "passed" if r["score"] == r["possible"] else "FAILED"
        print(f"  {q}: {status} ({sum(c['passed'] for c in r['cases'])}/{len(r['cases'])} public checks)")
        for c in r["cases"]:
            if not c["passed"]:
                print("      " + c["message"].replace("\n", "\n      "))
    for e in report.errors:
        print(f"  error: {e}")
    if not report.questions and not report.errors:
        print("  no grader.check(...) calls found")
