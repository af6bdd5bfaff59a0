"""What both places report: the judge's verdicts as a result, the student's feedback and
Gradescope's results.json, the same from `dllab grade` and from the zip.

Part of the judge (shipped as dllab_results.py): the standard library only, so that the
instructor's side (the gradebook) reads results without loading the grading stack.
"""

import ast
import re
from pathlib import Path

# A submission's statuses (the gradebook's "status" column).
GRADED, INVALID, TIMEOUT, CRASHED = "graded", "invalid", "timeout", "crashed"
# Characters of one message from the student's side shown in feedback and results.json.
MAX_MESSAGE = 2_000


# "Error at line 12 in test q4:\n      <the test's source line>\nAssertionError: ..."
_SOURCE_LINES = re.compile(r"Error at line \d+ in test [^:\n]*:\n(?:[ \t].*\n)*")


def message_without_code(message: str) -> str:
    """A failed case's message with the test's source line removed (hidden tests stay hidden)."""
    return _SOURCE_LINES.sub("", message).replace("❌ Test case failed\n", "").strip()


def case_names(tests_dir: Path) -> dict[str, list[str]]:
    """Each test file's case functions in the order otter numbers them ("q4 - 1", "q4 - 2"...):
    the function's name says what the case checks."""
    names = {}
    for path in Path(tests_dir).glob("*.py"):
        tree = ast.parse(path.read_text())
        names[path.stem] = [node.name for node in tree.body if isinstance(node, ast.FunctionDef)
                            and any("test_case" in ast.unparse(d) for d in node.decorator_list)]
    return names


def _case_name(names: list[str], otter_name: str) -> str:
    number = otter_name.rsplit(" - ", 1)[-1]
    return names[int(number) - 1] if number.isdigit() and 0 < int(number) <= len(names) else otter_name


def _bounded(text, limit: int = MAX_MESSAGE) -> str:
    """Text from the student's side, cut to `limit` characters: what crosses to the student."""
    text = str(text)
    return text if len(text) <= limit else text[:limit] + f"\n[{len(text) - limit} more characters cut]"


# A failed case of this name (the lab's rules, dllab_rules) costs its whole question.
RULES_CASE = "test_uses_only_what_the_lab_allows"


def summarise(cases: dict, case_names: dict[str, list[str]], points: dict[str, float]) -> dict:
    """The verdicts as the result's questions: per question (the judge's own list), per case;
    hidden messages without code; every message bounded; scores added up here."""
    questions = {}
    for name in points:
        rows = []
        for r in cases.get(name, []):
            hidden = bool(r.get("hidden"))
            message = str(r.get("message", ""))
            rows.append({
                "name": _case_name(case_names.get(name, []), str(r.get("name", ""))),
                "hidden": hidden,
                "passed": r.get("passed") is True,
                "points": float(r.get("points") or 0),
                "message": _bounded(message_without_code(message) if hidden else message),
            })
        if rows:
            score = min(points[name], sum(c["points"] for c in rows if c["passed"]))
            if any(c["name"] == RULES_CASE and not c["passed"] for c in rows):
                score = 0
            questions[name] = {"score": float(score), "possible": float(points[name]), "cases": rows}
    return questions


def finish(result: dict, facts: dict) -> dict:
    """Every question gets a score (0 when the run failed); the total and what was possible."""
    qs = result.setdefault("questions", {})
    result.setdefault("notes", [])
    points = {q: info["points"] for q, info in facts["questions"].items()}
    for q, possible in points.items():
        qs.setdefault(q, {"score": 0.0, "possible": possible, "cases": []})
    result["total"] = sum(qs[q]["score"] for q in points)
    result["possible"] = sum(points.values())
    return result


def case_label(case: dict) -> str:
    """A test function's name as words: test_lecture_vertical_edge -> lecture vertical edge."""
    name = case["name"]
    return (name[len("test_"):] if name.startswith("test_") else name).replace("_", " ")


def feedback_markdown(result: dict, facts: dict, title: str) -> str:
    """What the student reads, the same from `grade` and from Gradescope."""
    lines = [f"# Feedback: {title}", "", f"Total: **{result['total']:g} / {result['possible']:g}**", ""]
    if result["status"] != GRADED:
        lines += [f"Not graded normally ({result['status']}): {result['reason']}", ""]
    lines += [*(f"Note: {note}" for note in result.get("notes", [])), ""] if result.get("notes") else []
    for q, info in facts["questions"].items():
        qr = result["questions"][q]
        lines.append(f"## {q}, {info['title']}: {qr['score']:g} / {qr['possible']:g}")
        for c in qr["cases"]:
            kind = "hidden" if c["hidden"] else "public"
            verdict = "passed" if c["passed"] else "failed"
            lines.append(f"- {kind} test, {case_label(c)} ({c['points']:g} pt): {verdict}")
            if not c["passed"]:
                lines += ["", "  ```", *["  " + line for line in c["message"].splitlines()], "  ```"]
        lines.append("")
    return "\n".join(lines)


def gradescope_results(result: dict, facts: dict) -> dict:
    """Gradescope's results.json: one test per case (per question when nothing ran)."""
    hidden_visibility = facts.get("gradescope", {}).get("hidden_visibility", "after_published")
    tests = []
    for q, info in facts["questions"].items():
        qr = result["questions"][q]
        if not qr["cases"]:
            tests.append({"name": f"{q}, {info['title']}", "score": 0, "max_score": info["points"],
                          "status": "failed", "visibility": "visible", "output_format": "md",
                          "output": result["reason"] or "not graded"})
            continue
        for c in qr["cases"]:
            kind = "hidden" if c["hidden"] else "public"
            entry = {"name": f"{q}, {info['title']}: {case_label(c)} ({kind})",
                     "score": c["points"] if c["passed"] else 0, "max_score": c["points"],
                     "status": "passed" if c["passed"] else "failed", "output_format": "md",
                     "visibility": hidden_visibility if c["hidden"] else "visible"}
            if not c["passed"]:
                entry["output"] = "```\n" + c["message"] + "\n```"
            tests.append(entry)
    summary = f"Total: {result['total']:g} / {result['possible']:g}"
    if result["status"] != GRADED:
        summary += f"\n\nNot graded normally ({result['status']}): {result['reason']}"
    for note in result.get("notes", []):
        summary += f"\n\nNote: {note}"
    return {"score": result["total"], "output": summary, "output_format": "md",
            "test_output_format": "md", "stdout_visibility": "hidden", "tests": tests}
