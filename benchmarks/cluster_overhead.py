"""What grading on a Dask cluster costs over grading on one machine (issue: grading beyond one
machine), measured on the same machine with the same two CPUs.

    flock /tmp/dllab-bench.lock python benchmarks/cluster_overhead.py [--students 300]

The class is 300 lab 3 notebooks made from the tests' synthetic class (tests/similarity_class/):
each student takes every graded function from one of the five independent solutions at random,
a tenth of them left as the stub, so the scores differ from student to student. (Not the
similarity benchmark's disguised copies: their renaming breaks some of the code.) It is graded twice, each time as an
instructor types it, in a process of its own:
- on one machine: `dllab grade lab3_cnn_numpy CLASS --out local -j 2`;
- on a cluster of this machine: `dask scheduler` and two `dask worker` processes started as the
  README starts them (one thread each, the memory and cores they may hand out as resources), then
  `dllab grade ... --scheduler tcp://...`.
Wall time is the batch's, from the command's start to its gradebook; the cluster's start-up (the
scheduler and workers coming up) is left out, as a course's cluster is up before the class is
handed in. Both gradebooks are compared row by row (every column but the file's path).

Prints a Markdown table and appends it to benchmarks/results/cluster.md with the date and the
machine's core count.
"""

import argparse
import csv
import datetime
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "cluster.md"
sys.path.insert(0, str(ROOT / "tests"))
LAB = "lab3_cnn_numpy"
# each worker: one grading at a time (one thread), and room for it (lab 3 asks for 0.75 GB, 0.5 CPU)
WORKER_RESOURCES = "memory=4e9 cores=1"


def _dllab(*args) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "autograder", "-q", *args], check=True, cwd=ROOT)
    return time.perf_counter() - start


def _rows(out: Path) -> dict:
    with open(out / "gradebook.csv") as f:
        return {r["submission"]: {k: v for k, v in r.items() if k != "file"} for r in csv.DictReader(f)}


def _grading_seconds(out: Path) -> list[float]:
    """Each grading's own time, as the result files record it (the runner's start to its end)."""
    return [json.loads(p.read_text())["seconds"] for p in (out / "results").glob("*.json")]


def _start_cluster(tmp: Path) -> tuple[list[subprocess.Popen], str]:
    scheduler_file = tmp / "scheduler.json"
    env = dict(os.environ, DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES="1")
    log = open(tmp / "cluster.log", "w")
    procs = [subprocess.Popen(["dask", "scheduler", "--scheduler-file", str(scheduler_file),
                               "--no-dashboard", "--host", "127.0.0.1"], env=env, stdout=log, stderr=log)]
    while not scheduler_file.exists():
        time.sleep(0.2)
    time.sleep(0.5)  # the file is written before the scheduler listens
    address = json.loads(scheduler_file.read_text())["address"]
    for _ in range(2):
        procs.append(subprocess.Popen(["dask", "worker", address, "--nworkers", "1", "--nthreads", "1",
                                       "--resources", WORKER_RESOURCES, "--no-dashboard"],
                                      env=env, stdout=log, stderr=log))
    from distributed import Client
    with Client(address) as client:
        client.wait_for_workers(2, timeout=120)
    return procs, address


def make_class(folder: Path, students: int, seed: int = 0):
    import random

    import nbformat
    import similarity_class as sc

    rng = random.Random(seed)
    folder.mkdir()
    for i in range(students):
        choice = {f: rng.choice(sc.INDEPENDENT) for f in sc.LAB.stub_names() if rng.random() > 0.1}
        nbformat.write(sc.student_notebook(choice), folder / f"student_{i:03d}.ipynb")


def main(students: int):
    with tempfile.TemporaryDirectory(prefix="dllab-cluster-bench-") as tmp:
        tmp = Path(tmp)
        _dllab("build", LAB, "--out", str(tmp / "dist"))
        zip_path = next((tmp / "dist" / LAB / "autograder").glob("*.zip"))
        make_class(tmp / "class", students)
        common = [LAB, str(tmp / "class"), "--autograder", str(zip_path)]

        local = _dllab("grade", *common, "--out", str(tmp / "local"), "-j", "2")
        procs, address = _start_cluster(tmp)
        try:
            cluster = _dllab("grade", *common, "--out", str(tmp / "cluster"), "--scheduler", address)
        finally:
            for p in reversed(procs):
                p.terminate()
            for p in procs:
                p.wait(timeout=60)

        a, b = _rows(tmp / "local"), _rows(tmp / "cluster")
        same = sum(a[k] == b.get(k) for k in a)
        differ = sorted(k for k in a if a[k] != b.get(k))
        totals = sorted(float(r["total"]) for r in a.values())
        each_local, each_cluster = _grading_seconds(tmp / "local"), _grading_seconds(tmp / "cluster")

    stamp = f"{datetime.date.today()}, {os.cpu_count()} cores"
    rows = [
        ("class", f"{students} lab 3 notebooks, totals from {totals[0]:g} to {totals[-1]:g} "
                  f"(median {statistics.median(totals):g}) of 45"),
        ("one machine, `-j 2`", f"{local:.0f} s = {local / students:.2f} s a submission"),
        ("two-worker cluster, same machine", f"{cluster:.0f} s = {cluster / students:.2f} s a submission"),
        ("cluster's overhead per submission", f"{(cluster / local - 1) * 100:+.1f}%"),
        ("one grading, as its result records it: local / cluster",
         f"median {statistics.median(each_local):.2f} s / {statistics.median(each_cluster):.2f} s"),
        ("same gradebook row (every column but the file's path)",
         f"{same} of {len(a)}" + (f"; differ: {', '.join(differ[:5])}" if differ else "")),
    ]
    text = [f"## {LAB}: one machine against a two-worker Dask cluster on it ({stamp})", "",
            "| what | figure |", "|---|---|", *[f"| {k} | {v} |" for k, v in rows]]
    out = "\n".join(text) + "\n\n"
    print(out)
    with open(RESULTS, "a") as f:
        f.write(out)


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--students", type=int, default=300)
    main(p.parse_args().students)
