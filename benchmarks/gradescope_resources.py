"""Peak memory and time of one grading, run as Gradescope runs the autograder zip.

For each lab: the zip is unpacked into a folder bind-mounted at /autograder in a private mount
namespace (`unshare -m`), the solution notebook is the submission, and the zip's own
run_autograder runs inside a Linux cgroup (v1) with a CPU quota (half a CPU, one CPU) and a
memory limit. The cgroup's peak usage is the whole container's: the runner, otter, the
kernel, and the page cache of the files they read.

    sudo python benchmarks/gradescope_resources.py lab3_cnn_numpy --cpus 0.5 1
    sudo python benchmarks/gradescope_resources.py --check     # each lab under its lab.toml settings

Needs root and cgroup v1 (memory and cpu controllers); elsewhere it says so and stops. Results
are appended to benchmarks/results/gradescope.json; --render writes gradescope.md.
"""

import argparse
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from autograder.labs import all_labs, get_lab
from autograder.paths import DIST, ROOT

CGROUP = Path("/sys/fs/cgroup")
RESULTS = ROOT / "benchmarks" / "results" / "gradescope.json"
MARKDOWN = ROOT / "benchmarks" / "results" / "gradescope.md"
MEASURE_MEMORY_GB = 8  # a ceiling far above any lab's peak, so that the peak is what it is


def _available() -> str | None:
    if os.geteuid() != 0:
        return "needs root (cgroups and a private mount namespace)"
    for controller in ("memory", "cpu"):
        if not (CGROUP / controller).is_dir():
            return f"needs cgroup v1's {controller} controller at {CGROUP / controller}"
    if shutil.which("unshare") is None:
        return "needs unshare (util-linux)"
    return None


def _cgroup(name: str, memory_gb: float, cpus: float) -> dict:
    paths = {c: CGROUP / c / name for c in ("memory", "cpu")}
    for p in paths.values():
        if p.exists():
            p.rmdir()
        p.mkdir()
    (paths["memory"] / "memory.limit_in_bytes").write_text(str(int(memory_gb * 2**30)))
    (paths["memory"] / "memory.memsw.limit_in_bytes").write_text(str(int(memory_gb * 2**30)))
    (paths["cpu"] / "cpu.cfs_period_us").write_text("100000")
    (paths["cpu"] / "cpu.cfs_quota_us").write_text(str(int(cpus * 100000)))
    return paths


def run_once(lab, zip_path: Path, notebook: Path, cpus: float, memory_gb: float) -> dict:
    """One grading of `notebook`, as Gradescope runs it, in a cgroup; its peak, time and score."""
    name = f"dllab-{lab.name}-{os.getpid()}"
    paths = _cgroup(name, memory_gb, cpus)
    with tempfile.TemporaryDirectory(prefix="dllab-gs-") as tmp:
        root = Path(tmp)
        for sub in ("source", "submission", "results"):
            (root / sub).mkdir()
        (root / "submission_metadata.json").write_text("{}")
        with zipfile.ZipFile(zip_path) as z:
            z.extractall(root / "source")
        shutil.copy(notebook, root / "submission" / notebook.name)
        Path("/autograder").mkdir(exist_ok=True)
        script = (f"echo $$ > {paths['memory'] / 'cgroup.procs'}; echo $$ > {paths['cpu'] / 'cgroup.procs'}; "
                  f"mount --bind {root} /autograder && exec bash /autograder/source/run_autograder")
        env = dict(os.environ)
        env.pop("DLLAB_DATA_DIR", None)  # what grading needs travels in the zip
        env.pop("DLLAB_AUTOGRADER_DIR", None)
        env["PATH"] = f"{Path(sys.executable).parent}:{env.get('PATH', '')}"
        start = time.perf_counter()
        proc = subprocess.Popen(["unshare", "-m", "--propagation", "private", "bash", "-c", script],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                stdin=subprocess.DEVNULL)
        peak_rss = 0
        while proc.poll() is None:  # v1 keeps no peak of anonymous memory: sample it
            stat = dict(line.split() for line in (paths["memory"] / "memory.stat").read_text().splitlines())
            peak_rss = max(peak_rss, int(stat.get("total_rss", 0)))
            time.sleep(0.2)
        seconds = time.perf_counter() - start
        peak = int((paths["memory"] / "memory.max_usage_in_bytes").read_text())
        oom = int((paths["memory"] / "memory.failcnt").read_text())
        results = root / "results" / "results.json"
        report = json.loads(results.read_text()) if results.exists() else None
    for p in paths.values():
        p.rmdir()
    possible = sum(t["max_score"] for t in report["tests"]) if report else None
    return {"lab": lab.name, "cpus": cpus, "memory_limit_gb": memory_gb, "seconds": round(seconds, 1),
            "peak_gb": round(peak / 2**30, 3),
            "peak_rss_gb": round(peak_rss / 2**30, 3), "hit_memory_limit": oom > 0,
            "score": report["score"] if report else None, "possible": possible,
            "results_json": report is not None, "exit_code": proc.returncode,
            "date": str(datetime.date.today()), "machine_cores": os.cpu_count()}


def _record(row):
    rows = json.loads(RESULTS.read_text()) if RESULTS.exists() else []
    rows.append(row)
    RESULTS.write_text(json.dumps(rows, indent=1) + "\n")
    print(json.dumps(row), flush=True)


def render():
    rows = json.loads(RESULTS.read_text()) if RESULTS.exists() else []
    lines = ["# Grading as Gradescope runs it: peak memory and time", "",
             "Written by `benchmarks/gradescope_resources.py`: the lab's zip, its own `run_autograder`, "
             "`/autograder` bind-mounted in a private mount namespace, the solution notebook as the "
             "submission, inside a cgroup (v1) with the CPU quota shown; no data folder, no network. "
             "Peak is the cgroup's `memory.max_usage_in_bytes` (runner, otter, kernel, and the page cache of "
             "the files they read, TensorFlow's libraries included: clean pages the kernel can evict under "
             "pressure); anonymous is the largest `total_rss` sampled every 0.2 s, what cannot be evicted. "
             "This machine: 2 cores.", "",
             "| lab | CPUs | memory limit (GB) | peak (GB) | anonymous (GB) | time (s) | score | date |",
             "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        score = f"{r['score']:g}/{r['possible']:g}" if r["results_json"] else "no results.json"
        hit = " (limit hit)" if r["hit_memory_limit"] else ""
        rss = f"{r['peak_rss_gb']:.2f}" if "peak_rss_gb" in r else "-"
        if r.get("superseded"):
            score += f" (superseded: {r['superseded']})"
        elif r.get("check"):
            score += " (under the lab's stated settings)"
        lines.append(f"| {r['lab']} | {r['cpus']:g} | {r['memory_limit_gb']:g} | {r['peak_gb']:.2f}{hit} | {rss} "
                     f"| {r['seconds']:.0f} | {score} | {r['date']} |")
    MARKDOWN.write_text("\n".join(lines) + "\n")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("labs", nargs="*", help="lab names (default: every lab)")
    p.add_argument("--cpus", type=float, nargs="+", default=[0.5, 1.0])
    p.add_argument("--memory-gb", type=float, default=MEASURE_MEMORY_GB)
    p.add_argument("--check", action="store_true",
                   help="one grading per lab under its lab.toml [gradescope] settings")
    p.add_argument("--render", action="store_true", help="only rewrite gradescope.md")
    args = p.parse_args(argv)
    if args.render:
        render()
        return 0
    why = _available()
    if why:
        print(f"skipped: {why}", file=sys.stderr)
        return 0
    labs = [get_lab(n) for n in args.labs] if args.labs else all_labs()
    for lab in labs:
        zip_path = lab.zip_path(DIST)
        notebook = lab.dist(DIST) / "solution" / f"{lab.name}.ipynb"
        if not zip_path.exists():
            print(f"{zip_path} is missing: run `dllab build {lab.name}` first", file=sys.stderr)
            return 1
        if args.check:
            g = lab.gradescope
            _record(run_once(lab, zip_path, notebook, g["cpus"], g["memory_gb"]) | {"check": True})
        else:
            for cpus in args.cpus:
                _record(run_once(lab, zip_path, notebook, cpus, args.memory_gb))
    render()
    return 0


if __name__ == "__main__":
    sys.exit(main())
