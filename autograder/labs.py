"""Where each lab's sources live, and the lab's facts from `assignments/<lab>/lab.toml`.

A lab's `lab.toml` is the one place for what the build, the tests, the public checks, the
benchmarks and the autograder zip need to know about it: its data sets, its questions, the
training budget its thresholds were measured with, the thresholds, and the grading limits.
"""

import contextlib
import importlib.util
import json
import os
import sys
import tomllib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from .errors import UnknownLab
from .paths import ASSIGNMENTS, DIST, OTTER_CONFIG, SOLUTIONS
from .requirements import grader_versions

STUB_DIRECTIVE = "# STUB:"


@dataclass(frozen=True)
class Lab:
    name: str

    @property
    def folder(self) -> Path:
        return ASSIGNMENTS / self.name

    @property
    def template(self) -> Path:
        return self.folder / f"{self.name}.ipynb"

    @property
    def tests_dir(self) -> Path:
        return self.folder / "tests"

    @property
    def solution_file(self) -> Path:
        return SOLUTIONS / f"{self.name}.py"

    @property
    def cases_file(self) -> Path:
        return self.folder / "cases.py"

    @property
    def composites_file(self) -> Path:
        """Its functions that call earlier questions' (judge/helpers.py); absent in most labs."""
        return self.folder / "composites.py"

    @property
    def cases_name(self) -> str:
        return f"dllab_cases_{self.name}.pkl"

    @property
    def facts_name(self) -> str:
        return f"dllab_facts_{self.name}.json"

    # --- the lab's facts (lab.toml) ------------------------------------------------------

    @cached_property
    def facts(self) -> dict:
        with open(self.folder / "lab.toml", "rb") as f:
            return tomllib.load(f)

    @property
    def title(self) -> str:
        return self.facts["title"]

    @property
    def datasets(self) -> list[str]:
        return list(self.facts.get("datasets", []))

    @property
    def training_budget(self) -> dict:
        """The constants of the notebook's "Training budget" cell, e.g. {"SEED": 0, "EPOCHS": 130}."""
        return dict(self.facts.get("training", {}))

    @property
    def thresholds(self) -> dict:
        """name -> {"question", "metric", "min" or "max", "budget_seconds"}."""
        return {k: dict(v) for k, v in self.facts.get("thresholds", {}).items()}

    @property
    def grading(self) -> dict:
        """Limits of one grading: timeout, cell_timeout (seconds), memory_limit_gb."""
        return dict(self.facts["grading"])

    @property
    def gradescope(self) -> dict:
        """Gradescope's Autograder Settings for this lab, and how hidden cases are shown there."""
        return dict(self.facts.get("gradescope", {}))

    @property
    def rules(self) -> list[dict]:
        """What the notebook forbids in its graded functions: [{functions, forbid, says}]."""
        return [dict(rule) for rule in self.facts.get("rules", [])]

    def public_facts(self) -> dict:
        """The lab's facts as the build writes them beside the tests (dllab_facts_<lab>.json):
        tests read thresholds through `dllab_checks.lab_facts(lab)`, the runner reads questions,
        points and limits; `dllab_calls.call` reads the grader's numpy version. Nothing here is
        secret: the student's public checks get it too."""
        # imported here, not above: the tests' helpers bring otter (0.8 s) into every command
        from .testfiles import question_points

        points = question_points(self)
        return {"lab": self.name, "title": self.title,
                "questions": {q: {"title": self.question_title(q), "points": points[q]}
                              for q in self.questions()},
                "training": self.training_budget, "thresholds": self.thresholds,
                "grading": self.grading, "gradescope": self.gradescope,
                "rules": self.rules, "grader_versions": grader_versions()}

    def questions(self) -> list[str]:
        """The question names in notebook order, as lab.toml lists them."""
        return list(self.facts["questions"])

    def question_title(self, question: str) -> str:
        return self.facts["questions"][question]

    def bonus_questions(self) -> list[str]:
        """The questions whose title in lab.toml begins with "bonus", in notebook order."""
        return [q for q in self.questions() if self.question_title(q).lower().startswith("bonus")]

    def test_files(self) -> list[Path]:
        return [self.tests_dir / f"{q}.py" for q in self.questions()]

    def stub_names(self) -> list[str]:
        """The reference functions the template's `# STUB:` cells name, in order."""
        names = []
        for cell in json.loads(self.template.read_text())["cells"]:
            source = "".join(cell["source"])
            if cell["cell_type"] == "code" and source.startswith(STUB_DIRECTIVE):
                first = source.splitlines()[0][len(STUB_DIRECTIVE):]
                names += [n.strip() for n in first.split(",") if n.strip()]
        return names

    # --- where the build puts things -----------------------------------------------------

    def dist(self, root: Path = DIST) -> Path:
        return root / self.name

    def zip_path(self, root: Path = DIST) -> Path:
        return self.dist(root) / "autograder" / f"{self.name}-autograder.zip"

    def solution_module(self):
        return load_module(self.solution_file, f"solutions_{self.name}")


def otter_config() -> dict:
    """otter's own settings, the same for every lab (the zip's otter_config.json)."""
    return json.loads(OTTER_CONFIG.read_text())


def all_labs() -> list[Lab]:
    return [Lab(p.name) for p in sorted(ASSIGNMENTS.iterdir())
            if p.is_dir() and (p / "lab.toml").exists()]


def get_lab(name: str) -> Lab:
    names = [lab.name for lab in all_labs()]
    if name not in names:
        raise UnknownLab(f"unknown lab {name!r}; the labs are: {', '.join(names) or '(none)'}")
    return Lab(name)


def lab_of_notebook(nb: dict) -> Lab | None:
    """The lab a built notebook belongs to (its otter assignment name), if it is one of ours."""
    name = nb.get("metadata", {}).get("otter", {}).get("assignment_name")
    return Lab(name) if name in {lab.name for lab in all_labs()} else None


def load_module(path: Path, module_name: str):
    """Import a file that is not part of the package (a solution, a lab's cases.py) as a module.

    The first solution imported brings in Keras and TensorFlow, whose C++ libraries announce
    themselves on file descriptor 2 as they load; no setting turns that off, so the import
    runs with that descriptor pointed at /dev/null (errors still raise).
    """
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    with native_stderr_silenced():
        spec.loader.exec_module(module)
    return module


@contextlib.contextmanager
def native_stderr_silenced():
    """File descriptor 2 points at /dev/null for the block, where TensorFlow's C++ libraries write
    their notices; Python's exceptions still raise and are reported by the caller."""
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
