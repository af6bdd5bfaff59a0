"""Package versions, read from the one list in pyproject.toml.

The autograder zip's requirements.txt (what Gradescope's setup.sh installs), the otter install
in the notebooks' setup cell and the grader's versions that cell compares the student's with
(also in every lab's facts file, for dllab_calls) are cut from `[project] dependencies`, so
the grading image, CI and the README's install agree.
"""

import tomllib

from packaging.requirements import Requirement

from .paths import ROOT

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


def _grading_platform() -> dict[str, Requirement]:
    return {r.name: r for r in dependencies()
            if r.marker is None or r.marker.evaluate(GRADING_PLATFORM)}


def grading_requirements() -> list[str]:
    """The zip's requirements.txt lines: `tool.dllab.grading-packages`, each pinned exactly."""
    wanted = _pyproject()["tool"]["dllab"]["grading-packages"]
    reqs = _grading_platform()
    missing = [name for name in wanted if name not in reqs]
    if missing:
        raise KeyError(f"grading packages without a version in pyproject.toml: {missing}")
    return [f"{name}=={pinned_version(name)}" for name in wanted]  # exact pins, or an error


# What a notebook imports whose version can change a verdict, by import name, and the package
# that provides it in the grading image.
GRADER_MODULES = {"numpy": "numpy", "keras": "keras", "tensorflow": "tensorflow-cpu",
                  "otter": "otter-grader"}


def pinned_version(name: str) -> str:
    """The exact version pyproject.toml pins `name` to, for the grading image (e.g. "2.4.6")."""
    req = _grading_platform().get(name)
    if req is None:
        raise KeyError(f"{name} is not among pyproject.toml's dependencies")
    specs = list(req.specifier)
    if len(specs) != 1 or specs[0].operator != "==":
        raise ValueError(f"{name} is not pinned exactly in pyproject.toml: {req.specifier}")
    return specs[0].version


def grader_versions(modules=tuple(GRADER_MODULES)) -> dict[str, str]:
    """The grader's versions of `modules` by import name, e.g. {"numpy": "2.4.6", "otter": "7.0.0"}."""
    return {module: pinned_version(GRADER_MODULES[module]) for module in modules}


def oldest_numpy() -> str:
    """The oldest numpy the course supports in a student's kernel (`tool.dllab.oldest-numpy`)."""
    return _pyproject()["tool"]["dllab"]["oldest-numpy"]
