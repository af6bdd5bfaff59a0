"""Golden copies of what students and instructors read: compare, or rewrite on request.

Feedback, results.json and gradebook rows for a fixed set of submissions are committed under
tests/golden/; a change of wording then shows as a reviewed diff of those files. To accept a
change, run the tests with DLLAB_UPDATE_GOLDEN=1 and commit the files it rewrote.
"""

import difflib
import os
from pathlib import Path

GOLDEN = Path(__file__).resolve().parent / "golden"


def assert_golden(relative: str, text: str):
    """`text` equals the committed tests/golden/<relative> (or rewrites it when asked)."""
    path = GOLDEN / relative
    if os.environ.get("DLLAB_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode())
        return
    assert path.exists(), (f"no golden copy tests/golden/{relative}: run with DLLAB_UPDATE_GOLDEN=1, "
                           "review the new file and commit it")
    expected = path.read_bytes().decode()
    if text != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), text.splitlines(True),
                                            f"golden/{relative}", "now"))
        raise AssertionError(f"what users read changed (DLLAB_UPDATE_GOLDEN=1 accepts it):\n{diff[:6000]}")
