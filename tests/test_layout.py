"""Which code runs where, checked from the imports: a forbidden import fails here.

Three places (docs/integrity.md, "The student's side and the judge"):
- the student's kernel: the notebook's cells (`autograder/cells/`) and the modules shipped
  beside the notebook (`autograder/support/`): the labs' own libraries and otter, nothing of
  the grader's;
- the judge: the grading runner, its sandbox and the judge that runs the tests (`runner.py`,
  `isolation.py`, `judge.py`), shipped in the zip as standalone files: the standard library,
  otter's stack, each other, and the tests' helpers (`support/dllab_checks.py`,
  `support/dllab_wire.py`, which the zip ships beside them too);
- the instructor's machine: the rest of the package, which may use the judge's files (grade
  reads their results), never the other way round.
"""

import ast
import sys
from pathlib import Path

import pytest

from autograder.labs import ROOT

PACKAGE = ROOT / "autograder"
STDLIB = set(sys.stdlib_module_names)
OTTER_STACK = {"nbformat", "otter", "dill", "traitlets"}
KERNEL_LIBRARIES = {"numpy", "keras", "otter", "IPython"}
# the support files import each other by the names they have beside the notebook
SUPPORT_NAMES = {"dllab_checks", "dllab_wire"}
JUDGE = {"runner.py": {"isolation", "dllab_isolation", "judge", "dllab_judge"}, "isolation.py": set(),
         "judge.py": {"support", "numpy", *SUPPORT_NAMES}}
JUDGE_HELPERS = {"dllab_checks.py", "dllab_wire.py"}


def _imports(path: Path) -> set[str]:
    """Top-level names of every module the file imports, anywhere in it ("." for relative)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = node.module or node.names[0].name  # `from . import isolation`
            names.add(("." if node.level else "") + module.split(".")[0])
    return names


@pytest.mark.parametrize("name", sorted(JUDGE))
def test_the_judges_files_stand_alone(name):
    """They run from the zip on Gradescope: the standard library, otter's stack, each other."""
    allowed = STDLIB | OTTER_STACK | JUDGE[name] | {f".{m}" for m in JUDGE[name]}
    extra = _imports(PACKAGE / name) - allowed
    assert not extra, f"{name} imports {sorted(extra)}: the zip would not run it"


@pytest.mark.parametrize("path", sorted([*PACKAGE.glob("cells/*.py"), *PACKAGE.glob("support/*.py")]),
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_the_kernels_files_use_nothing_of_the_grader(path):
    """They run in the student's kernel: nothing there may depend on the grader's own code."""
    extra = _imports(path) - STDLIB - KERNEL_LIBRARIES - SUPPORT_NAMES
    if path.name == "__init__.py" and path.parent.name == "cells":
        return  # cells/__init__.py is the instructor's reader of the cell files, not a cell
    assert not extra, f"{path.name} imports {sorted(extra)}"


def test_the_judge_imports_nothing_of_the_instructors_side():
    instructor = {p.stem for p in PACKAGE.glob("*.py")} - {Path(n).stem for n in JUDGE} - {"__init__", "__main__"}
    for name in JUDGE:
        found = {i.lstrip(".") for i in _imports(PACKAGE / name)} & instructor
        assert not found, f"{name} imports {sorted(found)} of the instructor's side"


def test_the_zip_ships_the_judge_that_grade_runs():
    from autograder.build import ZIP_EXTRAS
    from autograder.grade import RUNNER_FILES

    shipped = {name: path.name for name, path in ZIP_EXTRAS.items()}
    assert set(RUNNER_FILES) <= set(shipped)
    judge = {shipped[f] for f in RUNNER_FILES if f.endswith(".py") and f != "dllab_guard.py"}
    assert judge == set(JUDGE) | JUDGE_HELPERS
