"""Fixtures every suite shares: the hidden cases and the labs built, once per session.

The data sets come from the folder named by DLLAB_DATA_DIR (CI sets it; see README.md), or
from Keras' download. Where neither can provide a lab's data, that lab's tests skip and say so.
"""

from dataclasses import dataclass
from pathlib import Path

import pytest

from autograder.errors import DataUnavailableError
from autograder.labs import Lab, all_labs


def _skip_without_data(lab: Lab, error: DataUnavailableError):
    pytest.skip(f"{lab.name}: its data set is not available here ({error})")


@pytest.fixture(scope="session")
def cases_dir(tmp_path_factory):
    """Every lab's hidden cases and facts, written once per test session (a lab whose data is
    unavailable has none: its tests skip, see harness.run_question)."""
    from autograder.cases import write_cases

    out = tmp_path_factory.mktemp("cases")
    for lab in all_labs():
        try:
            write_cases(lab, out)
        except DataUnavailableError:
            pass
    return out


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """Labs built into a scratch dist/ folder, each once per test session, when first asked for."""
    from autograder.build import build

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
            try:
                build(Lab(name), out)
            except DataUnavailableError as e:
                _skip_without_data(Lab(name), e)
            self[name] = BuiltLab(name, out)
            return self[name]

    return Built()
