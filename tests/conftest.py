import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "autograder" / "support"))  # dllab_checks, dllab_data, as in a notebook
sys.path.insert(0, str(ROOT / "tests"))

# The real datasets for tests and CI sit in ../shared/datasets beside the project; users
# with internet get the same bytes from Keras' download (autograder/support/dllab_data.py).
SHARED_DATA = ROOT.parent / "shared" / "datasets"
if "DLLAB_DATA_DIR" not in os.environ and SHARED_DATA.is_dir():
    os.environ["DLLAB_DATA_DIR"] = str(SHARED_DATA)


@pytest.fixture(scope="session")
def cases_dir(tmp_path_factory):
    """Every lab's hidden cases, written once per test session."""
    from autograder.cases import write_cases
    from autograder.labs import all_labs

    out = tmp_path_factory.mktemp("cases")
    for lab in all_labs():
        write_cases(lab, out)
    return out


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """Labs built into a scratch dist/ folder, each once per test session, when first asked for."""
    from autograder.build import build
    from autograder.labs import Lab, all_labs

    @dataclass(frozen=True)
    class BuiltLab(Lab):
        out_root: Path = None

    out = tmp_path_factory.mktemp("dist")
    names = {lab.name for lab in all_labs()}

    class Built(dict):
        def __contains__(self, name):
            return name in names

        def __missing__(self, name):
            if name not in names:
                raise KeyError(name)
            build(Lab(name), out, log=lambda *a: None)
            self[name] = BuiltLab(name, out)
            return self[name]

    return Built()
