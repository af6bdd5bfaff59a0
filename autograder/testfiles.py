"""A lab's otter test files, read in this process: their points, and (for the project's own
tests) a question graded against a namespace without a notebook."""

import sys
from pathlib import Path

from .checks import dllab_calls, dllab_checks, dllab_copies, dllab_keras, dllab_rules, dllab_wire

# Test files import their helpers as `dllab_checks`, `dllab_keras`, ...: the names
# under which the autograder zip puts autograder/checks/ beside the submission and the runner.
# In this process those names are given to the package's own module objects, so there is one
# module each, not a second copy (the judge's stand-ins are recognised by their class).
for _module in (dllab_calls, dllab_checks, dllab_keras, dllab_copies, dllab_rules, dllab_wire):
    sys.modules.setdefault(_module.__name__.rsplit(".", 1)[-1], _module)


def load_test_file(path: Path):
    """otter's TestFile for one question file."""
    from otter.nbmeta_config import NBMetadataConfig
    from otter.test_files import create_test_file

    return create_test_file(str(path), NBMetadataConfig())


def question_points(lab) -> dict[str, float]:
    """Points per question, as otter reads them from the test files, in the lab's order."""
    return {p.stem: float(load_test_file(p).possible) for p in lab.test_files()}
