import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "autograder" / "support"))  # dllab_checks, dllab_data, as in a notebook
sys.path.insert(0, str(ROOT / "tests"))


@pytest.fixture(scope="session")
def cases_dir(tmp_path_factory):
    """Every lab's hidden cases, written once per test session."""
    from autograder.cases import write_cases
    from autograder.labs import all_labs

    out = tmp_path_factory.mktemp("cases")
    for lab in all_labs():
        write_cases(lab, out)
    return out
