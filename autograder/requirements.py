"""Package versions, read from the one list in pyproject.toml.

The autograder zip's requirements.txt (what Gradescope's setup.sh installs) and the otter
install in the notebooks' setup cell are cut from `[project] dependencies`, so the grading
image, CI and the README's install agree.
"""

import tomllib

from packaging.requirements import Requirement

from .labs import ROOT

PYPROJECT = ROOT / "pyproject.toml"
# Gradescope's autograder image is Ubuntu: environment markers are evaluated for Linux.
GRADING_PLATFORM = {"sys_platform": "linux", "platform_system": "Linux", "os_name": "posix"}


def _pyproject() -> dict:
    with open(PYPROJECT, "rb") as f:
        return tomllib.load(f)


def dependencies() -> list[Requirement]:
    return [Requirement(line) for line in _pyproject()["project"]["dependencies"]]


def _spec(req: Requirement) -> str:
    return f"{req.name}{req.specifier}"


def requirement(name: str) -> str:
    """The pinned requirement of one package, e.g. "otter-grader==7.0.0"."""
    for req in dependencies():
        if req.name == name:
            return _spec(req)
    raise KeyError(f"{name} is not among pyproject.toml's dependencies")


def grading_requirements() -> list[str]:
    """The zip's requirements.txt lines: `tool.dllab.grading-packages` with their versions."""
    wanted = _pyproject()["tool"]["dllab"]["grading-packages"]
    reqs = {r.name: r for r in dependencies()
            if r.marker is None or r.marker.evaluate(GRADING_PLATFORM)}
    missing = [name for name in wanted if name not in reqs]
    if missing:
        raise KeyError(f"grading packages without a version in pyproject.toml: {missing}")
    return [_spec(reqs[name]) for name in wanted]
