"""Grading on a Dask cluster (autograder/cluster.py), with a real cluster of worker processes:
the same scores as one machine, a worker killed in the middle of a grading, a grading that
ends its worker each time, and the scheduler going away.

The cluster is Dask's LocalCluster: a scheduler and two worker processes (each under a nanny
that starts it again when it dies), declaring their memory and cores as resources, as the
README's `dask worker --resources` does.
"""

import csv
import json
import os
import signal
import subprocess
import sys
import threading
import time

import dask
import nbformat
import pytest
from distributed import Client, LocalCluster

from autograder.cluster import ClusterLost
from autograder.grade import grade_batch

LAB = "lab3_cnn_numpy"
RESOURCES = {"memory": 4 * 2**30, "cores": 1}


@pytest.fixture(scope="module")
def lab(built):
    return built[LAB]


def _submissions(lab, folder, names=("alice", "bob", "carol", "dave")):
    """The solution, and wrong answers that lose different questions."""
    text = (lab.dist(lab.out_root) / "solution" / f"{LAB}.ipynb").read_text()
    wrong = {"bob": ("def relu(", "\n\ndef relu(Z):\n    return Z\n"),
             "carol": ("def conv2d_forward(", "\n\n_right = conv2d_forward\n\n"
                                              "def conv2d_forward(X, W, b, stride=1, pad=0):\n"
                                              "    return _right(X, W[::-1, ::-1], b, stride, pad)\n"),
             "dave": ("def conv1d(", "\n\ndef conv1d(f, g):\n    return f\n")}
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        nb = nbformat.reads(text, as_version=4)
        if name in wrong:
            marker, extra = wrong[name]
            cell = next(c for c in nb.cells if c.cell_type == "code" and marker in c.source)
            cell.source += extra
        nbformat.write(nb, folder / f"{name}.ipynb")
    return folder


def _rows(out):
    return {r["submission"]: r for r in csv.DictReader(open(out / "gradebook.csv"))}


@pytest.fixture
def cluster():
    with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, resources=RESOURCES,
                          dashboard_address=None) as c:
            yield c


def test_a_cluster_gives_the_scores_of_one_machine(lab, cluster, tmp_path):
    subs = _submissions(lab, tmp_path / "subs")
    grade_batch(lab, [subs], tmp_path / "local", zip_path=lab.zip_path(lab.out_root), jobs=2, progress=False)
    grade_batch(lab, [subs], tmp_path / "cluster", zip_path=lab.zip_path(lab.out_root), progress=False,
                scheduler=cluster.scheduler_address)
    local, remote = _rows(tmp_path / "local"), _rows(tmp_path / "cluster")
    assert local["alice"]["total"] == "45" and local["bob"]["total"] != "45"
    for name in local:
        assert {k: v for k, v in remote[name].items() if k != "file"} == \
               {k: v for k, v in local[name].items() if k != "file"}, name


def _executing(dask_worker):
    return os.getpid(), [str(ts.key) for ts in dask_worker.state.executing]


def _kill_the_worker_grading(client, name, times, killed, stop):
    """Kill the worker process that is running `name`'s grading, up to `times` times."""
    while len(killed) < times and not stop.is_set():
        try:
            running = client.run(_executing)
        except Exception:
            running = {}
        for pid, keys in running.values():
            if any(name in key for key in keys):
                time.sleep(1.5)  # in the middle of the grading, not at its start
                try:
                    os.kill(pid, signal.SIGKILL)
                    killed.append(pid)
                except ProcessLookupError:
                    pass
                time.sleep(2)  # until the scheduler has seen it go
                break
        time.sleep(0.2)


def _grade_while_killing(lab, cluster, subs, out, name, times):
    killed, stop = [], threading.Event()
    with Client(cluster.scheduler_address) as client:
        killer = threading.Thread(target=_kill_the_worker_grading, args=(client, name, times, killed, stop))
        killer.start()
        try:
            grade_batch(lab, [subs], out, zip_path=lab.zip_path(lab.out_root), progress=False,
                        scheduler=cluster.scheduler_address)
        finally:
            stop.set()
            killer.join()
    return killed, _rows(out)


def test_a_worker_killed_in_the_middle_of_a_grading_costs_nothing(lab, cluster, tmp_path):
    subs = _submissions(lab, tmp_path / "subs", names=("alice", "bob", "carol"))
    killed, rows = _grade_while_killing(lab, cluster, subs, tmp_path / "out", "-bob-", 1)
    assert len(killed) == 1
    assert {name: row["status"] for name, row in rows.items()} == dict.fromkeys(("alice", "bob", "carol"), "graded")
    assert rows["alice"]["total"] == "45" and rows["bob"]["total"] == "42", rows["bob"]


def test_a_grading_that_ends_its_worker_each_time_is_a_row_that_says_so(lab, cluster, tmp_path):
    subs = _submissions(lab, tmp_path / "subs", names=("mallory",))
    killed, rows = _grade_while_killing(lab, cluster, subs, tmp_path / "out", "-mallory-", 2)
    assert len(killed) == 2, killed
    assert rows["mallory"]["status"] == "crashed", rows["mallory"]
    assert "ended its worker each time it ran" in rows["mallory"]["reason"]


def _start(args, **kwargs):
    return subprocess.Popen([sys.executable, "-m", "distributed.cli." + args[0], *args[1:]],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kwargs)


def test_the_scheduler_going_away_stops_the_batch_with_every_finished_row_on_disk(lab, tmp_path):
    """A scheduler and a worker started as an instructor would (`dask scheduler`, `dask worker`),
    the scheduler killed once the first row is written."""
    subs = _submissions(lab, tmp_path / "subs", names=("alice", "bob", "carol", "dave"))
    out, address_file = tmp_path / "out", tmp_path / "scheduler.json"
    scheduler = _start(["dask_scheduler", "--scheduler-file", str(address_file), "--no-dashboard"])
    deadline = time.time() + 60
    while not address_file.exists() and time.time() < deadline:
        time.sleep(0.2)
    address = json.loads(address_file.read_text())["address"]
    worker = _start(["dask_worker", address, "--nworkers", "1", "--nthreads", "1", "--no-dashboard",
                     "--resources", f"memory={RESOURCES['memory']} cores=1"])

    def kill_after_the_first_row():
        while time.time() < deadline + 600 and not list((out / "results").glob("*.json")):
            time.sleep(0.2)
        scheduler.kill()

    killer = threading.Thread(target=kill_after_the_first_row)
    killer.start()
    try:
        with pytest.raises(ClusterLost, match="went away"):
            grade_batch(lab, [subs], out, zip_path=lab.zip_path(lab.out_root), progress=False,
                        scheduler=address)
    finally:
        killer.join()
        for process in (scheduler, worker):
            process.kill()
            process.wait()
    finished = sorted(p.stem for p in (out / "results").glob("*.json"))
    assert 1 <= len(finished) < 4, finished
    rows = _rows(out)
    assert all(rows[name]["status"] == "graded" for name in finished)
