"""The batch summary for the instructor: totals, item analysis, the rows not graded, two figures.

Runs on the instructor's machine over the results `grade` wrote. summary.md is the
instructor's alone: it quotes hidden cases' failure messages, which students see only as
their own feedback.

Item analysis, per question and per case:
- pass rate and mean score, over the submissions that were graded (status graded or timeout);
- the discrimination index D = p_upper - p_lower: the pass rate among the 27% of submissions
  with the highest rest score (the total without that case's own points) minus the pass rate
  among the 27% with the lowest. A case that strong submissions pass and weak ones fail has D
  near 1; D near 0 separates nothing (everyone passes, or it fails at random); a negative D
  deserves a look at the test. Below 10 graded submissions D is not shown: 27% of a handful is
  one or two students;
- the most common failure messages: first lines that differ only in their numbers (a value, an
  index, a count) are one failure, shown by its first example, with how many submissions.
"""

import re
import statistics
from collections import Counter
from pathlib import Path

NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e-?\d+)?")
MIN_FOR_D = 10
GROUP = 0.27  # Kelley's share for the upper and lower groups
SCORED = ("graded", "timeout")


def _first_line(message: str, width: int = 140) -> str:
    lines = [line.strip() for line in message.splitlines() if line.strip() and "Test case failed" not in line]
    line = (lines[0] if lines else "(no message)").replace("|", "\\|")
    return line if len(line) <= width else line[:width - 3] + "..."


def discrimination(passed: list[bool], rest: list[float]) -> float | None:
    """Kelley's D for one case: pass rate of the top 27% by rest score minus the bottom 27%'s."""
    n = len(passed)
    if n < MIN_FOR_D:
        return None
    k = max(1, round(GROUP * n))
    order = sorted(range(n), key=lambda i: rest[i])
    low, high = order[:k], order[-k:]
    return sum(passed[i] for i in high) / k - sum(passed[i] for i in low) / k


def item_analysis(results: list[dict], questions: list[str]) -> list[dict]:
    """One entry per case, in question order: pass rate, D, the commonest failures."""
    scored = [r for r in results if r["status"] in SCORED]
    items = []
    for q in questions:
        names = []
        for r in scored:
            for c in r["questions"][q]["cases"]:
                if c["name"] not in names:
                    names.append(c["name"])
        for name in names:
            passed, rest, failures, examples, hidden, points = [], [], Counter(), {}, False, 0.0
            for r in scored:
                case = next((c for c in r["questions"][q]["cases"] if c["name"] == name), None)
                ok = bool(case and case["passed"])
                passed.append(ok)
                rest.append(r["total"] - (case["points"] if ok else 0))
                if case:
                    hidden, points = case["hidden"], case["points"]
                    if not ok:
                        line = _first_line(case["message"])
                        failures[NUMBER.sub("#", line)] += 1
                        examples.setdefault(NUMBER.sub("#", line), line)
            items.append({"question": q, "case": name, "hidden": hidden, "points": points,
                          "pass_rate": sum(passed) / len(passed), "d": discrimination(passed, rest),
                          "failures": [(examples[k], n) for k, n in failures.most_common(3)]})
    return items


def write_summary(out: Path, results: list[dict], questions: list[str], points: dict):
    n = len(results)
    scored = [r for r in results if r["status"] in SCORED]
    lines = ["# Grading summary", "", f"Submissions: {n} ({len(scored)} graded)", ""]
    statuses = Counter(r["status"] for r in results)
    lines += ["| status | count |", "|---|---|"] + [f"| {s} | {c} |" for s, c in sorted(statuses.items())]
    totals = [r["total"] for r in scored]
    if totals:
        spread = statistics.stdev(totals) if len(totals) > 1 else 0.0
        lines += ["", f"Totals of the graded submissions (out of {sum(points.values()):g}): mean "
                  f"{statistics.mean(totals):.2f}, median {statistics.median(totals):g}, standard deviation "
                  f"{spread:.2f}, lowest {min(totals):g}, highest {max(totals):g}."]
    others = sorted((r for r in results if r["status"] not in SCORED), key=lambda r: r["id"])
    if others:
        lines += ["", "## Not graded", "", "| submission | status | reason |", "|---|---|---|"]
        lines += [f"| {r['id']} | {r['status']} | {_first_line(r['reason'])} |" for r in others]
    lines += ["", "## Questions", "", "| question | points | full marks | mean score |", "|---|---|---|---|"]
    for q in questions:
        full = sum(1 for r in scored if r["questions"][q]["score"] == points[q])
        mean = sum(r["questions"][q]["score"] for r in scored) / len(scored) if scored else 0.0
        rate = f"{100 * full / len(scored):.0f}%" if scored else "-"
        lines.append(f"| {q} | {points[q]:g} | {rate} | {mean:.2f} |")
    items = item_analysis(results, questions)
    lines += ["", "## Cases", "", f"D: the discrimination index (shown from {MIN_FOR_D} graded submissions; "
              "see autograder/report.py).", "", "| question | case | kind | points | passed | D | commonest failures |",
              "|---|---|---|---|---|---|---|"]
    for it in items:
        d = f"{it['d']:+.2f}" if it["d"] is not None else "-"
        fails = "; ".join(f"{count}x `` {message} ``" for message, count in it["failures"]) or "-"
        kind = "hidden" if it["hidden"] else "public"
        lines.append(f"| {it['question']} | {it['case']} | {kind} | {it['points']:g} | "
                     f"{100 * it['pass_rate']:.0f}% | {d} | {fails} |")
    (out / "summary.md").write_text("\n".join(lines) + "\n")
    _histogram(out / "scores.png", totals, sum(points.values()))
    _items_figure(out / "items.png", items)


def _histogram(path: Path, totals: list[float], possible: float):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.hist(totals, bins=min(20, max(5, int(possible) or 5)), range=(0, possible or 1),
            color="tab:blue", edgecolor="white")
    ax.set_xlabel(f"total score (out of {possible:g})")
    ax.set_ylabel("submissions")
    ax.set_title(f"Scores of {len(totals)} graded submissions")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _items_figure(path: Path, items: list[dict]):
    """Each case's pass rate as a bar, coloured by its discrimination: what to look at first."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 0.28 * len(items) + 1.4))
    labels = [f"{it['question']} {it['case'].removeprefix('test_')}{' (hidden)' if it['hidden'] else ''}"
              for it in items]
    cmap = plt.get_cmap("RdYlGn")
    colors = ["lightgrey" if it["d"] is None else cmap((it["d"] + 1) / 2) for it in items]
    y = range(len(items))
    ax.barh(y, [100 * it["pass_rate"] for it in items], color=colors, edgecolor="grey", linewidth=0.4)
    for i, it in enumerate(items):
        if it["d"] is not None:
            ax.text(min(100 * it["pass_rate"], 88) + 1, i, f"D {it['d']:+.2f}", va="center", fontsize=7)
    ax.set_yticks(list(y), labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("submissions that pass the case (%)")
    ax.set_title("Cases: pass rate; colour = discrimination (red: none or negative, green: strong; "
                 "grey: too few submissions)", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
