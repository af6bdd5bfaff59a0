"""How long `dllab similarity` takes for a class of 300 on this machine.

    flock /tmp/dllab-bench.lock python benchmarks/similarity_times.py [--students 300] [--repeat 3]

The class is lab 3's, made from the synthetic class of the tests (tests/similarity_class/):
each student takes every graded function from one of the five independent solutions at random
(a tenth of the functions left as the stub), then every cell they wrote is re-typed with the
disguises (renamed names, re-spaced lines, their own comments), so that no two notebooks are the
same text; ten of them are planted copies of others, two are the untouched starter. Each run is
the command as an instructor types it, in a process of its own; wall time and CPU time (the
command's user + system) are recorded.

Prints a Markdown table and appends it to benchmarks/results/similarity.md with the date and
the machine's core count.
"""

import argparse
import datetime
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "similarity.md"
sys.path.insert(0, str(ROOT / "tests"))


def make_class(folder: Path, students: int, seed: int = 0) -> dict:
    """`students` notebooks in `folder`; returns {copy: original} of the planted copies."""
    import nbformat
    import similarity_class as sc

    rng = random.Random(seed)
    names = sc.LAB.stub_names()
    planted = {}
    notebooks = {}
    for i in range(students - 12):
        choice = {f: rng.choice(sc.INDEPENDENT) for f in names if rng.random() > 0.1}
        notebooks[f"student_{i:03d}"] = sc.disguise(sc.student_notebook(choice), seed=i)
    for j, original in enumerate(rng.sample(sorted(notebooks), 10)):
        planted[f"copy_{j:02d}"] = original
        notebooks[f"copy_{j:02d}"] = sc.disguise(notebooks[original], seed=10_000 + j)
    notebooks["starter_a"] = sc.starter_notebook()
    notebooks["starter_b"] = sc.starter_notebook()
    for name, nb in notebooks.items():
        nbformat.write(nb, folder / f"{name}.ipynb")
    return planted


def run_once(folder: Path, out: Path) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "autograder", "-q", "similarity", "lab3_cnn_numpy",
                           str(folder), "--out", str(out)], cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"similarity failed ({proc.returncode}): {proc.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _stats(xs):
    return f"{statistics.median(xs):.1f} s (min {min(xs):.1f}, max {max(xs):.1f}, n={len(xs)})"


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--students", type=int, default=300)
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="dllab-similarity-bench-") as tmp:
        folder, out = Path(tmp) / "class", Path(tmp) / "out"
        folder.mkdir()
        planted = make_class(folder, args.students)
        walls, cpus = [], []
        for _ in range(args.repeat):
            wall, cpu = run_once(folder, out)
            walls.append(wall)
            cpus.append(cpu)
        import csv

        rows = list(csv.DictReader(open(out / "similarity.csv")))
        sims = {frozenset((r["submission_a"], r["submission_b"])): float(r["similarity"]) for r in rows}
        top = {frozenset(pair) for pair in planted.items()}
        caught = sum(max((pair for pair in sims if copy in pair), key=sims.get) == frozenset((copy, original))
                     for copy, original in planted.items())
        others = [s for pair, s in sims.items() if pair not in top]
        html_mb = (out / "similarity.html").stat().st_size / 1e6
    stamp = f"{datetime.date.today()}, {os.cpu_count()} cores"
    lines = [f"## lab3_cnn_numpy, {args.students} submissions ({len(rows)} pairs) ({stamp})", "",
             "| what | figure |", "|---|---|",
             f"| `dllab similarity`, wall time | {_stats(walls)} |",
             f"| `dllab similarity`, CPU time (user + system) | {_stats(cpus)} |",
             f"| planted copies whose most similar submission is the original | {caught} of {len(planted)} |",
             f"| lowest planted pair / highest other pair | {min(sims[p] for p in top):.3f} / {max(others):.3f} |",
             f"| similarity.html | {html_mb:.1f} MB |"]
    text = "\n".join(lines) + "\n\n"
    print(text)
    with open(RESULTS, "a") as f:
        f.write(text)


if __name__ == "__main__":
    main()
