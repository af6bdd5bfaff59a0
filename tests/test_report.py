"""The instructor's summary: totals, the rows not graded, item analysis (pass rates and Kelley's
discrimination index), from synthetic results whose answers are known."""

import random

from autograder.report import MIN_FOR_D, discrimination, item_analysis, write_summary
from autograder.judge.results import finish

FACTS = {"questions": {"q1": {"title": "easy", "points": 2}, "q2": {"title": "hard", "points": 4}}}


def _result(i, easy, hard, noise, status="graded"):
    cases = {"q1": [{"name": "test_easy", "hidden": False, "passed": easy, "points": 2,
                     "message": "" if easy else "AssertionError: `f`: expected 3, got 4"}],
             "q2": [{"name": "test_hard", "hidden": True, "passed": hard, "points": 2,
                     "message": "" if hard else "AssertionError: `g, N=2 batch`: shapes differ"},
                    {"name": "test_noise", "hidden": True, "passed": noise, "points": 2,
                     "message": "" if noise else "ValueError: noise"}]}
    questions = {q: {"score": sum(c["points"] for c in cs if c["passed"]), "possible": FACTS["questions"][q]["points"],
                     "cases": cs} for q, cs in cases.items()}
    r = {"id": f"s{i:02d}", "status": status, "reason": "" if status == "graded" else "not a valid notebook",
         "questions": questions if status == "graded" else {}}
    return finish(r, FACTS)


def _class(n=30, seed=0):
    """Students of rising ability: the easy and the hard case follow it (each with a slip or two),
    the noise case is a coin."""
    rng = random.Random(seed)
    results = []
    for i in range(n):
        ability = i / n + rng.uniform(-0.1, 0.1)
        results.append(_result(i, easy=ability > 0.25, hard=ability > 0.6, noise=rng.random() < 0.5))
    return results


def test_discrimination_separates_strong_from_weak_and_waits_for_enough_students():
    strong_pass = [False] * 10 + [True] * 10
    assert discrimination(strong_pass, list(range(20))) == 1.0
    assert discrimination(list(reversed(strong_pass)), list(range(20))) == -1.0
    assert discrimination([True] * 20, list(range(20))) == 0.0
    assert discrimination([True] * (MIN_FOR_D - 1), list(range(MIN_FOR_D - 1))) is None


def test_a_case_that_follows_ability_discriminates_more_than_noise():
    items = {it["case"]: it for it in item_analysis(_class(), ["q1", "q2"])}
    assert items["test_hard"]["d"] >= 0.4 and items["test_hard"]["d"] > abs(items["test_noise"]["d"])
    assert items["test_hard"]["hidden"] and not items["test_easy"]["hidden"]
    message, count = items["test_hard"]["failures"][0]
    assert message == "AssertionError: `g, N=2 batch`: shapes differ" and count > 5


def test_the_summary_has_totals_items_and_the_rows_not_graded(tmp_path):
    results = _class() + [_result(99, False, False, False, status="invalid")]
    write_summary(tmp_path, results, ["q1", "q2"], {"q1": 2, "q2": 4})
    text = (tmp_path / "summary.md").read_text()
    assert "Submissions: 31 (30 graded)" in text and "median" in text and "standard deviation" in text
    assert "| s99 | invalid | not a valid notebook |" in text
    assert "| q2 | test_hard | hidden | 2 |" in text and "shapes differ" in text
    assert (tmp_path / "items.png").stat().st_size > 1000 and (tmp_path / "scores.png").exists()
