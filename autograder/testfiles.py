"""A lab's otter test files, read in this process: their points, and (for the project's own
tests) a question graded against a namespace without a notebook."""

import sys
from pathlib import Path

from .support import dllab_checks


def load_test_file(path: Path):
    """otter's TestFile for one question file.

    Test files import their helpers as `dllab_checks`: the name under which the autograder zip
    puts autograder/support/dllab_checks.py beside the submission. In this process that name
    is given to the package's own module object, so there is one module, not a second copy.
    """
    from otter.nbmeta_config import NBMetadataConfig
    from otter.test_files import create_test_file

    sys.modules.setdefault("dllab_checks", dllab_checks)
    return create_test_file(str(path), NBMetadataConfig())


def question_points(lab) -> dict[str, float]:
    """Points per question, as otter reads them from the test files, in the lab's order."""
    return {p.stem: float(load_test_file(p).possible) for p in lab.test_files()}
