"""Where the repository's parts are: the labs' sources, the package's three places, the build's output.

Its own module so that the modules labs.py uses (requirements.py) can know the repository's
root without importing labs.py back.
"""

from pathlib import Path

# The package lives at the top of the repository, beside the labs it builds (install it with
# `pip install -e .`: the labs are the repository's, not the package's).
ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENTS = ROOT / "assignments"
SOLUTIONS = ROOT / "solutions"
PACKAGE = Path(__file__).resolve().parent
CHECKS = PACKAGE / "checks"   # the tests' helpers: wherever the tests run
KERNEL = PACKAGE / "kernel"   # what runs in the student's kernel
JUDGE = PACKAGE / "judge"     # what grades: the runner, its sandbox, the tests' judge
DIST = ROOT / "dist"
OTTER_CONFIG = ROOT / "otter_config.json"
