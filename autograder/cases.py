"""Write what a lab's tests read at grading time (run at build time, never at grading).

- `dllab_cases_<lab>.pkl`: hidden inputs and reference outputs, from
  `assignments/<lab>/cases.py:build_cases(reference)`; only the autograder zip has it.
- `dllab_facts_<lab>.json`: the lab's thresholds and training budget (lab.toml), which public
  and hidden tests read through `dllab_checks.lab_facts`; the student's notebook has it too.
"""

import json
import pickle
from pathlib import Path

from .labs import Lab, load_module, native_stderr_silenced


def write_facts(lab: Lab, out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / lab.facts_name
    path.write_text(json.dumps(lab.public_facts(), indent=1))  # in lab.toml's order
    return path


def write_cases(lab: Lab, out_dir: Path) -> Path | None:
    """Both files above; returns the cases' path, or None when the lab has no cases.py."""
    write_facts(lab, out_dir)
    if not lab.cases_file.exists():
        return None
    reference = lab.solution_module()
    builder = load_module(lab.cases_file, f"cases_{lab.name}")
    # TensorFlow's C++ runtime also speaks on descriptor 2 while it computes (lab 5's float64
    # SimpleRNN: "Not handling type DT_DOUBLE"); the build's output stays one line per lab
    with native_stderr_silenced():
        cases = builder.build_cases(reference)
    path = out_dir / lab.cases_name
    with open(path, "wb") as f:
        pickle.dump(cases, f, protocol=pickle.HIGHEST_PROTOCOL)
    return path
