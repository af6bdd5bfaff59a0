"""Run one question's otter test file against a namespace, outside any notebook.

The galleries use this: the namespace is the reference solution with one or more functions
replaced by a wrong (or an alternative correct) implementation.
"""

import os
from dataclasses import dataclass

from otter.nbmeta_config import NBMetadataConfig
from otter.test_files import create_test_file

from autograder.labs import Lab


@dataclass
class QuestionResult:
    score: float
    possible: float
    failures: list[str]          # messages of the failed test cases
    hidden_failed: int
    public_failed: int

    @property
    def full_marks(self) -> bool:
        return not self.failures and self.score == self.possible


def run_question(lab_name: str, question: str, cases_dir, overrides=None, base=None) -> QuestionResult:
    """Grade `question` of `lab_name` with the reference namespace, updated with `overrides`."""
    lab = Lab(lab_name)
    env = dict(vars(base if base is not None else lab.solution_module()))
    env.update(overrides or {})
    old = os.environ.get("DLLAB_CASES_DIR")
    os.environ["DLLAB_CASES_DIR"] = str(cases_dir)
    try:
        test = create_test_file(str(lab.tests_dir / f"{question}.py"), NBMetadataConfig())
        test.run(env)
    finally:
        if old is None:
            os.environ.pop("DLLAB_CASES_DIR", None)
        else:
            os.environ["DLLAB_CASES_DIR"] = old
    failures, hidden_failed, public_failed = [], 0, 0
    for r in test.test_case_results:
        if not r.passed:
            failures.append(r.message)
            if r.test_case.hidden:
                hidden_failed += 1
            else:
                public_failed += 1
    return QuestionResult(test.score, test.possible, failures, hidden_failed, public_failed)
