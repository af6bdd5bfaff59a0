"""`check`'s last cell: every question's public verdict, printed as JSON after a marker.

The verdicts come from the notebook's own `grader.check(...)`, so they are the ones a student
sees inside the notebook.
"""
import json as _json

QUESTIONS = []  # filled in by `check`: the questions the notebook checks
MARKER = ""  # filled in by `check`: what precedes the JSON in the cell's output

_dllab = {}
for _q in QUESTIONS:
    try:
        _t = grader.check(_q)  # noqa: F821 (`grader` comes from the setup cell)
        _dllab[_q] = {"score": float(_t.score), "possible": float(_t.possible),
                      "cases": [{"passed": bool(r.passed), "message": r.message}
                                for r in _t.test_case_results]}
    except Exception as _e:
        _dllab[_q] = {"error": f"{type(_e).__name__}: {_e}"}
print(MARKER + _json.dumps(_dllab))
