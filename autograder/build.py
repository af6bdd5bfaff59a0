"""`python -m autograder build`: student notebook, solution notebook and otter autograder zip."""

import ast
import re
import contextlib
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import nbformat

from .cases import write_cases
from .labs import DIST, SUPPORT, Lab, load_module

ZIP_REQUIREMENTS = Path(__file__).parent / "zip-requirements.txt"
from .notebooks import render

# Keys our own tooling reads from otter_config.json; everything else is otter's.
COURSE_KEYS = {"timeout", "cell_timeout", "memory_limit_gb", "datasets"}


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


# The student's copy of the comparison helpers goes by another name, so that during grading a
# hidden test's `import dllab_checks` finds the zip's copy, never one the notebook brought.
PUBLIC_CHECKS_MODULE = "dllab_public_checks"


def write_tests(lab: Lab, full_dir: Path, public_dir: Path):
    full_dir.mkdir(parents=True, exist_ok=True)
    public_dir.mkdir(parents=True, exist_ok=True)
    for path in lab.test_files():
        shutil.copy(path, full_dir / path.name)
        public = public_test_source(path.read_text())
        public = re.sub(r"\bdllab_checks\b", PUBLIC_CHECKS_MODULE, public)
        (public_dir / path.name).write_text(public)


def otter_config_for_zip(lab: Lab) -> dict:
    config = {k: v for k, v in lab.otter_config().items() if k not in COURSE_KEYS}
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
    # the grading image's packages: the lab's own list where it has one, else the course's
    reqs = lab.folder / "requirements.txt"
    shutil.copy(reqs if reqs.exists() else ZIP_REQUIREMENTS, stage / "requirements.txt")
    files = ["dllab_checks.py"] + [p.name for p in stage.glob("dllab_cases_*.pkl")]
    shutil.copy(SUPPORT / "dllab_checks.py", stage / "dllab_checks.py")
    datasets = lab.otter_config().get("datasets", [])
    if datasets:  # grading re-runs the student's training: the data travels with the zip
        data = load_module(SUPPORT / "dllab_data.py", "dllab_data_for_build")
        for filename in datasets:
            data.write_course_file(filename, stage / "datasets")
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


def build(lab: Lab, out_root: Path = DIST, log=print) -> Path:
    start = time.perf_counter()
    out = lab.dist(out_root)
    if out.exists():
        shutil.rmtree(out)
    with tempfile.TemporaryDirectory(prefix=f"build-{lab.name}-") as tmp:
        stage = Path(tmp)
        write_tests(lab, stage / "tests", stage / "public_tests")
        write_cases(lab, stage)
        for kind, solution in (("student", False), ("solution", True)):
            path = out / kind / f"{lab.name}.ipynb"
            path.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(render(lab, stage / "public_tests", solution), path)
        build_zip(lab, stage, lab.zip_path(out_root))
    log(f"built {lab.name} in {time.perf_counter() - start:.1f} s -> {out}")
    return out
