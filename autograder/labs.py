"""Where each lab's sources live, and the few facts the build needs about them."""

import importlib.util
import json
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENTS = ROOT / "assignments"
SOLUTIONS = ROOT / "solutions"
SUPPORT = Path(__file__).resolve().parent / "support"
DIST = ROOT / "dist"


class UnknownLab(ValueError):
    pass


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
    def cases_name(self) -> str:
        return f"dllab_cases_{self.name}.pkl"

    def test_files(self) -> list[Path]:
        return sorted(self.tests_dir.glob("q*.py"), key=lambda p: _question_key(p.stem))

    def stub_names(self) -> list[str]:
        """The reference functions the template's `# STUB:` cells name, in order."""
        import nbformat

        names = []
        for cell in nbformat.read(self.template, as_version=4).cells:
            if cell.cell_type == "code" and cell.source.startswith("# STUB:"):
                first = cell.source.splitlines()[0][len("# STUB:"):]
                names += [n.strip() for n in first.split(",") if n.strip()]
        return names

    def questions(self) -> list[str]:
        return [p.stem for p in self.test_files()]

    def dist(self, root: Path = DIST) -> Path:
        return root / self.name

    def zip_path(self, root: Path = DIST) -> Path:
        return self.dist(root) / "autograder" / f"{self.name}-autograder.zip"

    def otter_config(self) -> dict:
        """The top-level otter_config.json, updated with the lab's own overrides."""
        config = json.loads((ROOT / "otter_config.json").read_text())
        override = self.folder / "otter_config.json"
        if override.exists():
            config.update(json.loads(override.read_text()))
        return config

    def solution_module(self):
        return load_module(self.solution_file, f"solutions_{self.name}")


def _question_key(stem: str):
    digits = "".join(c for c in stem[1:] if c.isdigit())
    return (int(digits) if digits else 0, stem)


def all_labs() -> list[Lab]:
    return [Lab(p.name) for p in sorted(ASSIGNMENTS.iterdir())
            if p.is_dir() and (p / f"{p.name}.ipynb").exists()]


def get_lab(name: str) -> Lab:
    names = [lab.name for lab in all_labs()]
    if name not in names:
        raise UnknownLab(f"unknown lab {name!r}; the labs are: {', '.join(names) or '(none)'}")
    return Lab(name)


def load_module(path: Path, module_name: str):
    """Import a file as a module (the solutions, a lab's cases.py) without touching sys.path."""
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module
