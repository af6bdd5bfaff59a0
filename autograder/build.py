"""`dllab build`: student notebook, solution notebook and otter autograder zip of a lab."""

import ast
import contextlib
import json
import logging
import os
import shutil
import tempfile
import time
import zipfile
from pathlib import Path

import nbformat

from .cases import write_cases
from .kernel import dllab_data
from .labs import Lab, otter_config
from .paths import CHECKS, DIST, JUDGE, KERNEL
from .notebooks import public_names, render
from .requirements import grading_requirements

log = logging.getLogger(__name__)

# What the zip carries beyond otter's own files: our run_autograder, which runs our grading
# runner (the one `grade` runs) with the judge, the tests' helpers and the guard cell beside it.
ZIP_EXTRAS = {
    "run_autograder": JUDGE / "run_autograder",
    "dllab_runner.py": JUDGE / "runner.py",
    "dllab_isolation.py": JUDGE / "isolation.py",
    "dllab_verdicts.py": JUDGE / "verdicts.py",
    "dllab_helpers.py": JUDGE / "helpers.py",
    "dllab_results.py": JUDGE / "results.py",
    "dllab_submission.py": JUDGE / "submission.py",
    **{name: CHECKS / name for name in ("dllab_calls.py", "dllab_checks.py", "dllab_keras.py",
                                        "dllab_copies.py", "dllab_rules.py", "dllab_wire.py")},
    "dllab_guard.py": KERNEL / "cells" / "guard.py",
}
# What otter puts beside the notebook: the kernel's side of the judge's calls (the facts and
# the data sets are added per lab).
KERNEL_FILES = {name: path for name, path in ZIP_EXTRAS.items() if path.parent == CHECKS}
KERNEL_FILES["dllab_kernel.py"] = KERNEL / "dllab_kernel.py"


def _is_hidden(node: ast.FunctionDef) -> bool:
    for dec in node.decorator_list:
        if isinstance(dec, ast.Call):
            for kw in dec.keywords:
                if kw.arg == "hidden" and isinstance(kw.value, ast.Constant) and kw.value.value:
                    return True
    return False


def public_test_source(source: str) -> str:
    """A test file with its hidden test cases removed.

    Removes whole function definitions (decorator included) by line range, so nothing of a
    hidden case, not even a comment inside it, reaches the student. The module-level
    `points` goes too: the public cases alone do not add up to it.
    """
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    drop = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and _is_hidden(node):
            start = min([d.lineno for d in node.decorator_list] + [node.lineno]) - 1
            drop.update(range(start, node.end_lineno))
        elif isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "points" for t in node.targets):
            drop.update(range(node.lineno - 1, node.end_lineno))
    return "".join(line for i, line in enumerate(lines) if i not in drop)


def write_tests(lab: Lab, full_dir: Path, public_dir: Path):
    full_dir.mkdir(parents=True, exist_ok=True)
    public_dir.mkdir(parents=True, exist_ok=True)
    for path in lab.test_files():
        shutil.copy(path, full_dir / path.name)
        public = public_test_source(path.read_text())
        public = public_names(public)
        (public_dir / path.name).write_text(public)


def otter_config_for_zip(lab: Lab) -> dict:
    config = otter_config()
    config["assignment_name"] = lab.name  # otter refuses a notebook of another lab
    return config


@contextlib.contextmanager
def _chdir(path: Path):
    old = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def build_zip(lab: Lab, stage: Path, zip_path: Path):
    """Run otter generate on the staged tests, config and support files."""
    from otter.generate import main as otter_generate

    (stage / "otter_config.json").write_text(json.dumps(otter_config_for_zip(lab), indent=2))
    (stage / "requirements.txt").write_text("\n".join(grading_requirements()) + "\n")
    for name, path in KERNEL_FILES.items():
        shutil.copy(path, stage / name)
    files = [*KERNEL_FILES, lab.facts_name] + [p.name for p in stage.glob("dllab_cases_*.pkl")]
    if lab.datasets:  # grading re-runs the student's training: the data travels with the zip
        for filename in lab.datasets:
            dllab_data.write_course_file(filename, stage / "datasets")
        files.append("datasets")
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    with _chdir(stage):  # otter generate only packs files below the working directory
        otter_generate(
            tests_dir="tests",
            output_path=str(zip_path),
            config="otter_config.json",
            requirements="requirements.txt",
            no_environment=True,
            files=files,
        )
    # the judge alone gets the composites and the reference they are traced with (runner.withhold_answers)
    composites = {f"dllab_composites_{lab.name}.py": lab.composites_file,
                  f"dllab_reference_{lab.name}.py": lab.solution_file} if lab.composites_file.is_file() else {}
    _replace_in_zip(zip_path, {**ZIP_EXTRAS, **composites})


def _replace_in_zip(zip_path: Path, extras: dict[str, Path]):
    """Rewrite the zip otter made with `extras` (name in the zip -> file) added or replaced."""
    tmp = zip_path.with_suffix(".tmp")
    with zipfile.ZipFile(zip_path) as old, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            if info.filename not in extras:
                new.writestr(info, old.read(info))
        for name, path in extras.items():
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = 0o755 << 16  # run_autograder is executed as it is
            info.compress_type = zipfile.ZIP_DEFLATED
            new.writestr(info, path.read_bytes())
    os.replace(tmp, zip_path)


def build(lab: Lab, out_root: Path = DIST) -> Path:
    start = time.perf_counter()
    out = lab.dist(out_root)
    if out.exists():
        shutil.rmtree(out)
    with tempfile.TemporaryDirectory(prefix=f"build-{lab.name}-") as tmp:
        stage = Path(tmp)
        write_tests(lab, stage / "tests", stage / "public_tests")
        write_cases(lab, stage)
        facts = stage / lab.facts_name
        for kind, solution in (("student", False), ("solution", True)):
            path = out / kind / f"{lab.name}.ipynb"
            path.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(render(lab, stage / "public_tests", facts, solution), path)
        build_zip(lab, stage, lab.zip_path(out_root))
    settings = write_gradescope_settings(lab, lab.zip_path(out_root).parent)
    log.info("built %s in %.1f s -> %s (Gradescope: %g GB, %g CPU, %g min)", lab.name,
             time.perf_counter() - start, out, settings["memory_gb"], settings["cpus"],
             settings["timeout_minutes"])
    return out


def write_gradescope_settings(lab: Lab, folder: Path) -> dict:
    """The Autograder Settings an instructor enters on Gradescope for this lab's zip (measured:
    benchmarks/results/gradescope.md), beside the zip as gradescope.json."""
    settings = {k: lab.gradescope[k] for k in ("memory_gb", "cpus", "timeout_minutes")}
    (folder / "gradescope.json").write_text(json.dumps(settings, indent=1) + "\n")
    return settings
