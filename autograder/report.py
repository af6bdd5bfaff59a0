"""The batch summary: pass rate per question and a histogram of the scores."""

from pathlib import Path


def write_summary(out: Path, results: list[dict], questions: list[str], points: dict):
    n = len(results)
    lines = ["# Grading summary", "", f"Submissions: {n}", ""]
    statuses = {}
    for r in results:
        statuses[r["status"]] = statuses.get(r["status"], 0) + 1
    lines += ["| status | count |", "|---|---|"] + [f"| {s} | {c} |" for s, c in sorted(statuses.items())]
    lines += ["", "| question | points | full marks | mean score |", "|---|---|---|---|"]
    for q in questions:
        full = sum(1 for r in results if r["questions"][q]["score"] == points[q])
        mean = sum(r["questions"][q]["score"] for r in results) / n if n else 0.0
        rate = f"{100 * full / n:.0f}%" if n else "-"
        lines.append(f"| {q} | {points[q]:g} | {rate} | {mean:.2f} |")
    (out / "summary.md").write_text("\n".join(lines) + "\n")
    _histogram(out / "scores.png", [r["total"] for r in results], sum(points.values()))


def _histogram(path: Path, totals: list[float], possible: float):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.hist(totals, bins=min(20, max(5, int(possible) or 5)), range=(0, possible or 1),
            color="tab:blue", edgecolor="white")
    ax.set_xlabel(f"total score (out of {possible:g})")
    ax.set_ylabel("submissions")
    ax.set_title(f"Scores of {len(totals)} submissions")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
