"""Write a lab's hidden test inputs and reference outputs (run at build time, never at grading)."""

import pickle
from pathlib import Path

from .labs import Lab, load_module


def write_cases(lab: Lab, out_dir: Path) -> Path | None:
    """Run `assignments/<lab>/cases.py:build_cases(reference)` and pickle what it returns.

    Returns the path written, or None when the lab has no cases.py.
    """
    if not lab.cases_file.exists():
        return None
    reference = lab.solution_module()
    builder = load_module(lab.cases_file, f"cases_{lab.name}")
    cases = builder.build_cases(reference)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / lab.cases_name
    with open(path, "wb") as f:
        pickle.dump(cases, f, protocol=pickle.HIGHEST_PROTOCOL)
    return path
