"""Grade one notebook with otter, in a process of its own: `python -m autograder.run_one`.

Usage: python -m autograder.run_one AUTOGRADER_ZIP NOTEBOOK RESULT_JSON [CELL_TIMEOUT]

`grade` runs this under a timeout and kills the whole process tree (the kernel included)
when it runs over. The result is written as structured JSON, per question and per test
case, so that feedback can show a hidden case's verdict and message without its code.
"""

import json
import os
import re
import sys
import tempfile

# "Error at line 12 in test q4:\n      <the test's source line>\nAssertionError: ..."
_SOURCE_LINES = re.compile(r"Error at line \d+ in test [^:\n]*:\n(?:[ \t].*\n)*")


def message_without_code(message: str) -> str:
    """A failed case's message with the test's source line removed (hidden tests stay hidden)."""
    return _SOURCE_LINES.sub("", message).replace("❌ Test case failed\n", "").strip()


def summarise(results) -> dict:
    questions = {}
    for name, test_file in results.results.items():
        cases = []
        for r in test_file.test_case_results:
            hidden = bool(r.test_case.hidden)
            cases.append({
                "name": r.test_case.name,
                "hidden": hidden,
                "passed": bool(r.passed),
                "points": r.test_case.points,
                "message": message_without_code(r.message) if hidden else r.message,
            })
        questions[name] = {"score": float(test_file.score), "possible": float(test_file.possible),
                           "cases": cases}
    return {"questions": questions}


def interrupt_slow_cells(cell_timeout: float):
    """Make otter interrupt a cell that runs longer than `cell_timeout` and go on.

    otter 7 executes without any timeout, so one endless loop would cost a submission every
    mark it earned elsewhere. nbclient can interrupt the kernel and continue with the next
    cell (`interrupt_on_timeout`); otter builds its traitlets Config inside grade_notebook,
    so we hand it a Config that already carries those two settings.
    """
    import otter.execute
    from traitlets.config import Config

    def config_with_timeout(*args, **kwargs):
        c = Config(*args, **kwargs)
        c.ExecutePreprocessor.timeout = int(cell_timeout)
        c.ExecutePreprocessor.interrupt_on_timeout = True
        return c

    otter.execute.Config = config_with_timeout


def main(argv):
    zip_path, notebook, out_json = argv[:3]
    if len(argv) > 3:
        interrupt_slow_cells(float(argv[3]))
    from otter.run import main as otter_run

    with tempfile.TemporaryDirectory(prefix="dllab-run-") as out_dir:
        results = otter_run(os.path.abspath(notebook), autograder=os.path.abspath(zip_path),
                            output_dir=out_dir, no_logo=True)
    summary = summarise(results)
    with open(out_json, "w") as f:
        json.dump(summary, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
