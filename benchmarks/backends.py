"""Each training lab's solution graded on each Keras backend: score, graded metric, time, memory.

    flock /tmp/dllab-bench.lock python benchmarks/backends.py lab1_regression lab2_classification \
        lab5_rnn --backend tensorflow jax torch [--repeat 2]

The course says its notebooks run on any Keras 3 backend. For each lab and backend this
builds the lab once with TensorFlow (the build the course hands out: its public checks and the
autograder zip's stored answers), then grades the solution notebook `--repeat` times with
`dllab grade` (the grading runner, otter, nbclient's kernel) with KERAS_BACKEND set in the
environment, which the kernel inherits. Each grading records:

- the score against full marks and the gradebook's status;
- the graded metric of every trained model (lab.toml's [thresholds.*]) and the backend the
  kernel really ran: one cell appended to the graded copy of the notebook, after all of its
  own cells, predicts with the notebook's trained models on the notebook's own test sets (the
  public tests' data; the hidden tests use the same images) and writes both to a JSON file.
  It only reads, so the score is the solution's;
- wall seconds, CPU seconds (user + system of every process of the grading, from the
  kernel's accounting of reaped children) and the peak of the summed resident memory of the
  grading's process tree (sampled every 0.2 s with psutil).

Backends that are not installed are skipped with a line saying so (`pip install -e ".[backends]"`
installs JAX and PyTorch, see README.md). Results merge into benchmarks/results/backends.json
(one entry per lab and backend, the latest measurement replaces the older one) and the table
in benchmarks/results/backends.md is written from it.
"""

import argparse
import csv
import datetime
import importlib.util
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat
import psutil

from autograder.labs import Lab
from autograder.paths import ROOT

RESULTS = ROOT / "benchmarks" / "results"
TRAINING_LABS = ("lab1_regression", "lab2_classification", "lab4_cnn_keras", "lab5_rnn")
BACKENDS = ("tensorflow", "jax", "torch")
# The module each backend needs; Keras imports it when KERAS_BACKEND names it.
BACKEND_MODULE = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch"}

# For each [thresholds.<name>] of a lab: the notebook's trained model and its test set (the
# names the public test of that question reads), and the notebook's variable holding the
# seconds its training took (None where the notebook does not time it).
GRADED_MODELS = {
    "lab1_regression": {"model": ("model", "x_test_s", "y_test", None)},
    "lab2_classification": {"mlp": ("mlp", "x_test_flat", "y_test", None)},
    "lab4_cnn_keras": {"lenet": ("lenet", "x_test", "y_test", "lenet_seconds"),
                       "cifar": ("cifar_model", "x_cifar_eval", "y_cifar_eval", "cifar_seconds")},
    "lab5_rnn": {"seq": ("seq_model", "x_test", "y_test", "seq_seconds")},
}

TIMED_LABS = {lab for lab, models in GRADED_MODELS.items() if all(m[3] for m in models.values())}

METRIC_CELL = '''\
# appended by benchmarks/backends.py: the graded metrics and the kernel's backend, for the record
import json as _bj, keras as _bk, numpy as _bn
_bm, _bs = {{}}, {{}}
for _name, (_model, _x, _y, _secs) in {models!r}.items():
    if _secs in globals():
        _bs[_name] = float(globals()[_secs])
    _pred = _bn.asarray(globals()[_model].predict(globals()[_x], batch_size=500, verbose=0), dtype=_bn.float64)
    _yt = _bn.asarray(globals()[_y]).reshape(-1)
    _bm[_name] = float(_bn.abs(_pred.reshape(-1) - _yt).mean()) if {kinds!r}[_name] == "max" \\
        else float((_pred.argmax(axis=1) == _yt).mean())
with open({path!r}, "w") as _bf:
    _bj.dump({{"backend": _bk.backend.backend(), "metrics": _bm, "training_s": _bs}}, _bf)
'''


def installed(backend: str) -> bool:
    return importlib.util.find_spec(BACKEND_MODULE[backend]) is not None


def _env(backend: str) -> dict:
    return {**os.environ, "KERAS_BACKEND": backend}


def build(lab: Lab, out: Path):
    """The course's build: TensorFlow computes the stored answers, whatever grades later."""
    subprocess.run([sys.executable, "-m", "autograder", "-q", "build", lab.name, "--out", str(out)],
                   env=_env("tensorflow"), check=True, cwd=ROOT)


def notebook_with_metric_cell(lab: Lab, solution: Path, dest: Path, metrics_path: Path) -> Path:
    nb = nbformat.read(solution, as_version=4)
    kinds = {name: "max" if "max" in t else "min" for name, t in lab.thresholds.items()}
    nb.cells.append(nbformat.v4.new_code_cell(METRIC_CELL.format(
        models=GRADED_MODELS[lab.name], kinds=kinds, path=str(metrics_path))))
    nbformat.write(nb, dest)
    return dest


class TreeSampler(threading.Thread):
    """Peak of the summed RSS of a process and its descendants, and each one's last CPU time."""

    def __init__(self, pid: int, every: float = 0.2):
        super().__init__(daemon=True)
        self.root, self.every = psutil.Process(pid), every
        self.peak_rss, self.cpu_by_pid = 0, {}
        self.done = threading.Event()

    def run(self):
        while not self.done.is_set():
            try:
                procs = [self.root, *self.root.children(recursive=True)]
            except psutil.NoSuchProcess:
                return
            rss = 0
            for p in procs:
                try:
                    rss += p.memory_info().rss
                    t = p.cpu_times()
                    self.cpu_by_pid[p.pid] = t.user + t.system
                except psutil.NoSuchProcess:
                    pass
            self.peak_rss = max(self.peak_rss, rss)
            self.done.wait(self.every)


def grade_once(lab: Lab, zip_path: Path, notebook: Path, out: Path, backend: str) -> dict:
    """`dllab grade` of one notebook with KERAS_BACKEND=backend, measured from outside."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "autograder", "-q", "grade", lab.name, str(notebook), "--out", str(out),
         "--autograder", str(zip_path), "-j", "1"],
        env=_env(backend), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    sampler = TreeSampler(proc.pid)
    sampler.start()
    log = proc.communicate()[0].decode(errors="replace")
    wall = time.perf_counter() - start
    sampler.done.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    rows = list(csv.DictReader(open(out / "gradebook.csv"))) if (out / "gradebook.csv").exists() else []
    row = rows[0] if rows else {}
    return {
        "returncode": proc.returncode,
        "status": row.get("status", "no gradebook"),
        "reason": row.get("reason", log[-500:]),
        "score": float(row["total"]) if row else 0.0,
        "possible": float(row["possible"]) if row else 0.0,
        "questions": {q: float(row[q]) for q in lab.questions() if q in row},
        "wall_s": round(wall, 1),
        "cpu_s": round(cpu, 1),
        "cpu_s_sampled": round(sum(sampler.cpu_by_pid.values()), 1),
        "peak_rss_gb": round(sampler.peak_rss / 2**30, 3),
        # other work on the machine stretches wall time: the 5-minute load average at the end
        "load_5min": round(os.getloadavg()[1], 2),
    }


def measure(lab: Lab, backend: str, zip_path: Path, solution: Path, repeat: int, tmp: Path) -> dict:
    runs = []
    for i in range(repeat):
        work = tmp / f"{lab.name}-{backend}-{i}"
        work.mkdir()
        metrics_path = work / "metrics.json"
        nb = notebook_with_metric_cell(lab, solution, work / f"{lab.name}.ipynb", metrics_path)
        run = grade_once(lab, zip_path, nb, work / "graded", backend)
        seen = json.loads(metrics_path.read_text()) if metrics_path.exists() else {}
        run.update(kernel_backend=seen.get("backend"), metrics=seen.get("metrics", {}),
                   training_s=seen.get("training_s", {}))
        print(f"{lab.name} on {backend}, run {i + 1}: {run['score']:g}/{run['possible']:g} "
              f"({run['status']}), kernel backend {run['kernel_backend']}, metrics {run['metrics']}, "
              f"training {run['training_s']} s, "
              f"{run['wall_s']} s wall, {run['cpu_s']} s CPU, {run['peak_rss_gb']} GB peak", flush=True)
        runs.append(run)
    return {
        "lab": lab.name,
        "backend": backend,
        "date": str(datetime.date.today()),
        "thresholds": {name: {k: t[k] for k in ("metric", "min", "max", "budget_seconds") if k in t}
                       for name, t in lab.thresholds.items()},
        "same_scores": all(r["questions"] == runs[0]["questions"] for r in runs),
        "runs": runs,
    }


def versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for pkg in ("keras", "tensorflow-cpu", "tensorflow", "jax", "jaxlib", "torch", "otter-grader"):
        try:
            found[pkg] = version(pkg)
        except PackageNotFoundError:
            pass
    return found


def _threshold_text(t: dict) -> str:
    # the bound as lab.toml states it (whether the test takes it strictly is the test's business)
    return f"max {t['max']}" if "max" in t else f"min {t['min']}" if "min" in t else "?"


def render_markdown(data: dict) -> str:
    m = data["machine"]
    lines = [
        "# Training labs on each Keras backend",
        "",
        "`flock /tmp/dllab-bench.lock python benchmarks/backends.py LAB ... --backend ...`: the solution",
        "notebook graded by `dllab grade` with `KERAS_BACKEND` set (the zip built with TensorFlow, as the",
        "course hands it out); one column per grading. Score: total against full marks. Metric: the graded",
        "model's on the notebook's test set, against lab.toml's threshold. CPU: user + system of every",
        "process of the grading. Peak: the summed resident memory of the grading's process tree. Load: the",
        "machine's 5-minute load average when the grading ended (2 cores: above 2, other work stretched the",
        "wall time; CPU seconds are the steadier figure).",
        "",
        f"Machine: {m['machine']}, {m['cores']} cores, Python {m['python']}; "
        + ", ".join(f"{k} {v}" for k, v in m["versions"].items()) + ".",
        "",
        "| lab | backend | score | graded metric (threshold) | same score twice | training s (budget) | wall s "
        "| CPU s | peak GB | load | date |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    order = {(lab, b): (i, j) for i, lab in enumerate(TRAINING_LABS) for j, b in enumerate(BACKENDS)}
    for e in sorted(data["entries"], key=lambda e: order.get((e["lab"], e["backend"]), (9, 9))):
        runs = e["runs"]
        scores = ", ".join(f"{r['score']:g}/{r['possible']:g}" + ("" if r["status"] == "graded" else f" {r['status']}")
                           for r in runs)
        metrics = "; ".join(
            f"{name} " + ", ".join(f"{r['metrics'][name]:.4f}" if name in r["metrics"] else "none" for r in runs)
            + f" ({_threshold_text(t)})" for name, t in e["thresholds"].items())
        wrong_backend = [r["kernel_backend"] for r in runs if r["kernel_backend"] != e["backend"]]
        if wrong_backend:
            metrics += f" [kernel ran {wrong_backend}]"
        same = "yes" if e["same_scores"] else "no"
        # "none": the notebook's timing variable was never set (its training cell was interrupted)
        training = "; ".join(
            f"{name} " + ", ".join(f"{r['training_s'][name]:.0f}" if name in r.get("training_s", {}) else "none"
                                   for r in runs)
            + f" ({t['budget_seconds']})" for name, t in e["thresholds"].items()
            if e["lab"] in TIMED_LABS) or "not timed by the notebook"
        walls = [r["wall_s"] for r in runs]
        cpus = [r["cpu_s"] for r in runs]
        lines.append(
            f"| {e['lab']} | {e['backend']} | {scores} | {metrics} | {same if len(runs) > 1 else 'n/a'} | {training} | "
            f"{', '.join(f'{w:.0f}' for w in walls)} | {', '.join(f'{c:.0f}' for c in cpus)} | "
            f"{max(r['peak_rss_gb'] for r in runs):.2f} | "
            f"{', '.join(str(r['load_5min']) if 'load_5min' in r else '?' for r in runs)} | {e['date']} |")
    # what the figures alone do not say (kept in the json's "notes", written by hand)
    lines += ["", *[f"- {note}" for note in data.get("notes", [])], ""] if data.get("notes") else [""]
    return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("labs", nargs="*", default=list(TRAINING_LABS), choices=TRAINING_LABS)
    p.add_argument("--backend", nargs="+", default=list(BACKENDS), choices=BACKENDS)
    p.add_argument("--repeat", type=int, default=2, help="gradings per lab and backend (default 2)")
    a = p.parse_args(argv)

    backends = []
    for b in a.backend:
        if installed(b):
            backends.append(b)
        else:
            print(f"{b}: not installed, skipped (pip install -e \".[backends]\")", flush=True)
    out_json = RESULTS / "backends.json"
    data = json.loads(out_json.read_text()) if out_json.exists() else {"entries": []}
    data["machine"] = {"machine": platform.machine(), "cores": os.cpu_count(),
                       "python": platform.python_version(), "versions": versions()}
    with tempfile.TemporaryDirectory(prefix="dllab-backends-") as tmp:
        tmp = Path(tmp)
        for name in a.labs:
            lab = Lab(name)
            build(lab, tmp / "dist")
            zip_path, solution = lab.zip_path(tmp / "dist"), lab.dist(tmp / "dist") / "solution" / f"{name}.ipynb"
            for b in backends:
                entry = measure(lab, b, zip_path, solution, a.repeat, tmp)
                data["entries"] = [e for e in data["entries"] if (e["lab"], e["backend"]) != (name, b)]
                data["entries"].append(entry)
                # written after every entry: an interrupted run keeps what it measured
                RESULTS.mkdir(parents=True, exist_ok=True)
                out_json.write_text(json.dumps(data, indent=1) + "\n")
                (RESULTS / "backends.md").write_text(render_markdown(data))
            shutil.rmtree(tmp / "dist", ignore_errors=True)
    print(render_markdown(data))


if __name__ == "__main__":
    main()
