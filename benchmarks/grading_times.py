"""Build and grading times, otter's overhead, batch throughput, and conv2d against TensorFlow.

    flock /tmp/dllab-bench.lock python benchmarks/grading_times.py lab3_cnn_numpy [--repeat 5]
    flock /tmp/dllab-bench.lock python benchmarks/grading_times.py --throughput lab3_cnn_numpy
    flock /tmp/dllab-bench.lock python benchmarks/grading_times.py --conv

Figures, not tests: each prints a Markdown table and appends it to
benchmarks/results/grading.md with the date and the machine's core count. Run them on a
quiet machine (the lock keeps our own measurements from overlapping).
"""

import argparse
import datetime
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from autograder.paths import ROOT

# The training labs' data come from DLLAB_DATA_DIR (or Keras' download), as for every command.
RESULTS = ROOT / "benchmarks" / "results" / "grading.md"


def _stats(xs):
    return f"{statistics.median(xs):.2f} s (min {min(xs):.2f}, max {max(xs):.2f}, n={len(xs)})"


def _record(title, rows):
    stamp = f"{datetime.date.today()}, {os.cpu_count()} cores"
    text = [f"## {title} ({stamp})", "", "| what | time |", "|---|---|"]
    text += [f"| {k} | {v} |" for k, v in rows]
    out = "\n".join(text) + "\n\n"
    print(out)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with open(RESULTS, "a") as f:
        f.write(out)


def plain_execution(notebook: Path) -> float:
    """nbclient, no otter: the notebook as a student runs it top to bottom."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(notebook, as_version=4)
    nb.cells = [c for c in nb.cells if "otter_ignore" not in c.get("metadata", {}).get("tags", [])]
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(notebook, tmp)
        start = time.perf_counter()
        NotebookClient(nb, timeout=1800, kernel_name="python3",
                       resources={"metadata": {"path": tmp}}).execute()
        return time.perf_counter() - start


def lab_times(name: str, repeat: int):
    from autograder.build import build
    from autograder.grading import Submission, grade_one
    from autograder.labs import get_lab

    lab = get_lab(name)
    with tempfile.TemporaryDirectory() as tmp:
        builds = []
        for _ in range(repeat):
            start = time.perf_counter()
            build(lab, Path(tmp))
            builds.append(time.perf_counter() - start)
        solution = lab.dist(Path(tmp)) / "solution" / f"{name}.ipynb"
        plain = [plain_execution(solution) for _ in range(repeat)]
        facts = lab.public_facts()
        graded = []
        for i in range(repeat):
            r = grade_one(Submission(f"s{i}", solution), lab.zip_path(Path(tmp)), facts, 3600,
                          lab.grading["cell_timeout"])
            assert r["total"] == r["possible"], r
            graded.append(r["seconds"])
    ratio = statistics.median(graded) / statistics.median(plain)
    _record(f"{name}: build and grading of the solution notebook", [
        # the first build in a process pays for importing TensorFlow (the max)
        ("build (`python -m autograder build`)", _stats(builds)),
        ("plain execution (nbclient)", _stats(plain)),
        ("grading one submission (`otter run` via `grade`)", _stats(graded)),
        ("otter's overhead (median grading / median plain)", f"{ratio:.2f}x"),
    ])


def throughput(name: str, n: int):
    from autograder.build import build
    from autograder.grade import grade_batch
    from autograder.labs import get_lab

    lab = get_lab(name)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        build(lab, tmp)
        subs = tmp / "subs"
        subs.mkdir()
        for i in range(n):
            shutil.copy(lab.dist(tmp) / "solution" / f"{name}.ipynb", subs / f"student{i:02d}.ipynb")
        for jobs in (1, 2):
            start = time.perf_counter()
            grade_batch(lab, [subs], tmp / f"out{jobs}", zip_path=lab.zip_path(tmp), jobs=jobs,
                        progress=False)
            minutes = (time.perf_counter() - start) / 60
            rows.append((f"{n} submissions at -j {jobs}", f"{n / minutes:.1f} submissions/min"))
    _record(f"{name}: batch throughput", rows)


def conv_vs_tensorflow(repeat: int):
    import numpy as np
    import tensorflow as tf

    from autograder.labs import Lab

    ref = Lab("lab3_cnn_numpy").solution_module()

    rng = np.random.default_rng(0)
    rows = []
    for shape, f, cin, cout in [((8, 32, 32, 3), 3, 3, 16), ((16, 28, 28, 1), 5, 1, 6)]:
        X = rng.normal(size=shape)
        W = rng.normal(size=(f, f, cin, cout))
        b = rng.normal(size=cout)
        ours, theirs = [], []
        for _ in range(repeat):
            t = time.perf_counter()
            Z = ref.conv2d_forward(X, W, b, stride=1, pad=0)
            ours.append(time.perf_counter() - t)
            t = time.perf_counter()
            Zt = tf.nn.conv2d(X, W, 1, "VALID").numpy() + b
            theirs.append(time.perf_counter() - t)
        assert np.allclose(Z, Zt), "reference and tf.nn.conv2d disagree"
        rows.append((f"X{shape}, W({f},{f},{cin},{cout}): reference / tf.nn.conv2d",
                     f"{statistics.median(ours) * 1e3:.1f} ms / {statistics.median(theirs) * 1e3:.2f} ms "
                     f"= {statistics.median(ours) / statistics.median(theirs):.0f}x"))
    _record("conv2d_forward (numpy reference) against tf.nn.conv2d, same inputs, same outputs", rows)


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("lab", nargs="?")
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--throughput", action="store_true")
    p.add_argument("--submissions", type=int, default=8)
    p.add_argument("--conv", action="store_true")
    a = p.parse_args()
    if a.conv:
        conv_vs_tensorflow(a.repeat)
    elif a.throughput:
        throughput(a.lab, a.submissions)
    else:
        lab_times(a.lab, a.repeat)
