"""The project's Python, generated notebook cells included (autograder/kernel/cells/), passes ruff
with the settings in pyproject.toml."""

import shutil
import subprocess

import pytest

from autograder.paths import ROOT


def test_ruff_finds_nothing():
    ruff = shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed (pip install -e '.[test]')")
    proc = subprocess.run([ruff, "check", "--no-cache", "."], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:]
