"""Which code runs where, checked from the imports: a forbidden import fails here.

A folder per place (docs/integrity.md, "The student's side and the judge"):
- `autograder/kernel/`: what runs in the student's kernel (the notebook's cells, the data
  loader, the kernel's side of grading): the labs' own libraries, otter and the tests'
  helpers, nothing of the grader's;
- `autograder/judge/`: the grading runner, its sandbox and the judge that runs the tests,
  shipped in the zip as standalone files: the standard library, otter's stack, numpy, each
  other and the tests' helpers;
- `autograder/checks/`: the tests' helpers, which run wherever the tests run (the student's
  `grader.check`, the judge): the standard library, numpy, Keras, otter, each other;
- the rest of `autograder/`: the instructor's machine, which may use the others (grade runs
  the judge the zip ships, build packs them), never the other way round.
"""

import ast
import sys
from pathlib import Path

import pytest

from autograder.paths import ROOT

PACKAGE = ROOT / "autograder"
STDLIB = set(sys.stdlib_module_names)
OTTER_STACK = {"nbformat", "otter", "dill", "traitlets"}
# the helpers import each other by the names the zip gives them, or relatively in the package
HELPERS = {"dllab_calls", "dllab_checks", "dllab_keras", "dllab_copies", "dllab_rules", "dllab_wire", ".",
           ".dllab_checks", "..checks"}
KERNEL_ALLOWED = STDLIB | {"numpy", "keras", "otter", "IPython", "dllab_kernel"} | HELPERS
# the judge runs the tests, which read Keras models: it loads Keras while the notebook runs
JUDGE_ALLOWED = STDLIB | OTTER_STACK | {"numpy", "keras"} | HELPERS | {
    "dllab_isolation", "dllab_verdicts", "dllab_results", "dllab_submission", "dllab_helpers", ".isolation",
    ".verdicts", ".helpers",
    ".results", ".submission"}
# dllab_checks words otter's messages of failed cases (its own comment says why)
CHECKS_ALLOWED = STDLIB | {"numpy", "keras", "otter"} | HELPERS


def _imports(path: Path) -> set[str]:
    """Top-level names of every module the file imports, anywhere in it ("." for relative)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            dots = "." * node.level
            names.add(dots + (node.module.split(".")[0] if node.module else ""))
    return names


def _files(folder: str) -> list[Path]:
    return sorted(p for p in (PACKAGE / folder).rglob("*.py") if p.name != "__init__.py")


def _id(path: Path) -> str:
    return str(path.relative_to(PACKAGE))


@pytest.mark.parametrize("path", _files("judge"), ids=_id)
def test_the_judges_files_stand_alone(path):
    """They run from the zip on Gradescope: the standard library, otter's stack, numpy, each
    other and the tests' helpers."""
    extra = _imports(path) - JUDGE_ALLOWED
    assert not extra, f"{_id(path)} imports {sorted(extra)}: the zip would not run it"


@pytest.mark.parametrize("path", _files("kernel"), ids=_id)
def test_the_kernels_files_use_nothing_of_the_grader(path):
    """They run in the student's kernel: nothing there may depend on the grader's own code."""
    extra = _imports(path) - KERNEL_ALLOWED
    assert not extra, f"{_id(path)} imports {sorted(extra)}"


@pytest.mark.parametrize("path", _files("checks"), ids=_id)
def test_the_tests_helpers_use_nothing_but_numpy_and_keras(path):
    extra = _imports(path) - CHECKS_ALLOWED
    assert not extra, f"{_id(path)} imports {sorted(extra)}"


# "no module over ~400 lines" (the developers' guide): what a teaching assistant reads in one sitting
MAX_LINES = 450


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=_id)
def test_no_module_is_too_long_to_read(path):
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_LINES, f"{_id(path)} has {lines} lines: split it by what its parts do"


def test_every_module_is_in_a_place():
    """A new module of the package goes in one of the folders above or is the instructor's."""
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and not p.name.startswith("__")}
    assert folders == {"checks", "judge", "kernel"}, folders


def test_the_zip_ships_the_judge_that_grade_runs():
    from autograder.build import ZIP_EXTRAS
    from autograder.grading import RUNNER_FILES

    assert set(RUNNER_FILES) <= set(ZIP_EXTRAS)
    shipped = {ZIP_EXTRAS[f] for f in RUNNER_FILES if f != "dllab_guard.py"}
    assert shipped == set(_files("judge")) | set(_files("checks"))


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _package_imports(path: Path, modules: set[str]) -> set[str]:
    """The package's modules that the file imports, at the top or inside a function: an import
    moved into a function still makes the cycle, it only hides it until the call."""
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.update(m for m in [module] + [f"{module}.{a.name}" for a in node.names] if m in modules)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name in modules)
    return found - {_module_name(path)}


def test_no_import_cycles():
    """Two modules that need each other are one module, or share a third (paths.py, grading.py,
    fingerprints.py were made so)."""
    paths = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph = {name: _package_imports(path, set(paths)) for name, path in paths.items()}

    def reaches(start: str, goal: str) -> list[str] | None:
        stack, seen = [(start, [start])], set()
        while stack:
            node, trail = stack.pop()
            for nxt in sorted(graph[node]):
                if nxt == goal:
                    return trail + [nxt]
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, trail + [nxt]))
        return None

    cycles = [" -> ".join(c) for name in sorted(graph) if (c := reaches(name, name))]
    assert not cycles, "import cycles:\n" + "\n".join(cycles)
