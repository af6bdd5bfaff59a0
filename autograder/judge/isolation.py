"""Where the student's code runs: a sandbox that the judge starts around it, and ends.

The grading runner (runner.py) is the judge. Everything that executes the submission (otter's
run and the notebook's kernel, with every process they start) runs as the untrusted party:

- bubblewrap (Debian's `bubblewrap`), where Linux namespaces are allowed: a read-only view of
  the system folders and of Python's own, nothing of the instructor's (home, the course
  repository, other submissions), one writable grading folder, a private /tmp, no network,
  and a PID namespace of its own, so that no process outlives the grading (when its first
  process dies, the kernel ends every other);
- an unprivileged user, where the judge is root (Gradescope's container; namespaces may be
  refused there): a user id of its own for each grading, so that it cannot read what only
  root may read, write the results, or signal or trace the judge; every process of that id
  is ended before the judge writes anything. Under bubblewrap as root the same user id is
  taken inside the sandbox too.

Not isolated only when the instructor asks for it (`dllab grade --no-isolation`); every row
then says so. The same file runs in `dllab grade` and in the zip (as dllab_isolation.py): the
standard library only.
"""

import os
import resource
import shutil
import signal
import site
import subprocess
import sys
import sysconfig
import time
from dataclasses import dataclass
from pathlib import Path

BWRAP, USER, NONE = "bubblewrap", "unprivileged user", "not isolated"
# Processes the student's user id may have at once: a fork bomb stops there (TensorFlow's
# thread pools and the kernel's threads count too: about 150 were measured for lab 4).
MAX_PROCESSES = 1024
# The only environment variables that reach the student's processes (no tokens of the instructor).
KEPT_ENV = ("PATH", "LANG", "LC_ALL", "OMP_NUM_THREADS", "KERAS_BACKEND", "TF_CPP_MIN_LOG_LEVEL",
            "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "PYTHONHASHSEED", "DLLAB_DATA_DIR")
# Drops root to the grading's user id inside the sandbox (bwrap as root has no --uid without a
# user namespace, which would map that id back to root outside): no new privileges through
# set-uid programs, no supplementary groups, a process limit, then the command.
_DROP_TO = ("import ctypes, os, resource, sys\n"
            "uid = int(sys.argv[1])\n"
            "ctypes.CDLL(None).prctl(38, 1, 0, 0, 0)  # PR_SET_NO_NEW_PRIVS\n"
            "os.setgroups([]); os.setgid(uid); os.setuid(uid)\n"
            "resource.setrlimit(resource.RLIMIT_NPROC, (int(sys.argv[2]), int(sys.argv[2])))\n"
            "os.execv(sys.argv[3], sys.argv[3:])\n")


@dataclass(frozen=True)
class Isolation:
    kind: str               # BWRAP, USER or NONE
    uid: int | None = None  # the student's user id (None: the caller's own, under bubblewrap)

    @property
    def label(self) -> str:
        return self.kind if self.uid is None else f"{self.kind}, user id {self.uid}"


class IsolationUnavailable(RuntimeError):
    """No sandbox can be made here, and the instructor did not ask to grade without one."""


def grading_uid() -> int:
    """A user id of this grading's own: no two gradings on one machine share it (pids are
    unique while both run), and no account has it, so it owns nothing.

    Containers number their processes from 1 each, so the gradings of two containers on one
    machine would get the same id, and share its process limit (RLIMIT_NPROC counts a user
    id's processes machine-wide). A Kubernetes pod sets DLLAB_UID_OFFSET from its index
    (k8s.py) to keep them apart."""
    return 1_000_000 + int(os.environ.get("DLLAB_UID_OFFSET", "0")) + os.getpid()


def _python_dirs() -> list[str]:
    """What the student's Python needs to read: its prefixes and its site-packages (not the
    course repository, which an editable install puts on sys.path)."""
    dirs = {sys.prefix, sys.base_prefix, sys.exec_prefix, sysconfig.get_paths()["purelib"],
            sysconfig.get_paths()["platlib"], *site.getsitepackages()}
    real = {str(Path(d).resolve()) for d in dirs if d and Path(d).is_dir()}
    return sorted(real)


def bwrap_argv(workdir: Path, uid: int | None) -> list[str]:
    """bubblewrap's arguments: the system read-only, the grading folder writable, nothing else."""
    # as root no user namespace (in one, root could not drop its groups); otherwise one is needed
    namespaces = ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try"]
    if uid is None:
        namespaces.append("--unshare-user")
    argv = [shutil.which("bwrap") or "bwrap", *namespaces, "--die-with-parent", "--new-session",
            "--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc"]
    for d in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(d):
            argv += ["--symlink", os.readlink(d), d]
        elif os.path.isdir(d):
            argv += ["--ro-bind", d, d]
    argv += ["--proc", "/proc", "--dev", "/dev", "--ro-bind", "/sys", "/sys",
             "--perms", "1777", "--tmpfs", "/tmp"]
    made = {"/", "/tmp", "/usr"}
    for d in [*_python_dirs(), str(workdir)]:
        # the folders above a bound one, traversable (bubblewrap would make them root's alone)
        for parent in reversed(Path(d).parents):
            if str(parent) not in made and not str(parent).startswith("/usr/"):
                argv += ["--perms", "0755", "--dir", str(parent)]
                made.add(str(parent))
    for d in _python_dirs():
        argv += ["--ro-bind", d, d]
    argv += ["--bind", str(workdir), str(workdir), "--chdir", str(workdir), "--setenv", "HOME", "/tmp"]
    if uid is not None:
        argv += ["--", sys.executable, "-c", _DROP_TO, str(uid), str(MAX_PROCESSES)]
    else:
        argv += ["--"]
    return argv


def _runs(argv: list[str], **kwargs) -> bool:
    try:
        return subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=60,
                              **kwargs).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def choose(requested: str | None = None) -> Isolation:
    """The strongest isolation this machine allows, or the one asked for (DLLAB_ISOLATION:
    bwrap | user | none); IsolationUnavailable when there is none."""
    requested = requested or os.environ.get("DLLAB_ISOLATION") or "auto"
    if requested == "none":
        return Isolation(NONE)
    root = os.geteuid() == 0
    uid = grading_uid() if root else None
    probe = [sys.executable, "-c", "pass"]
    if requested in ("auto", "bwrap") and shutil.which("bwrap"):
        scratch = Path(os.environ.get("TMPDIR", "/tmp"))
        if _runs(bwrap_argv(scratch, uid) + probe):
            return Isolation(BWRAP, uid)
    if requested in ("auto", "user") and root:
        if _runs(probe, user=uid, group=uid, extra_groups=[]):
            return Isolation(USER, uid)
    why = {"bwrap": "bubblewrap cannot make a sandbox here",
           "user": "an unprivileged user needs the grader to run as root, and Python readable by it"}
    raise IsolationUnavailable(
        why.get(requested, "neither bubblewrap (apt-get install bubblewrap) nor an unprivileged user "
                "(the grader runs as root) is available")
        + ": the student's code would run as you, with your files and network; install bubblewrap, "
        "or grade with --no-isolation to accept that")


def student_env(environ: dict | None = None) -> dict:
    env = {k: v for k, v in (os.environ if environ is None else environ).items() if k in KEPT_ENV}
    env.update(HOME="/tmp", MPLCONFIGDIR="/tmp/matplotlib", PYTHONDONTWRITEBYTECODE="1",
               JUPYTER_RUNTIME_DIR="/tmp/jupyter-runtime")
    return env


def _limits(memory_bytes: int | None, nproc: bool):
    def apply():
        if memory_bytes:
            resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
        if nproc:
            resource.setrlimit(resource.RLIMIT_NPROC, (MAX_PROCESSES, MAX_PROCESSES))
    return apply


def _traversable(path: Path, stop: str = "/"):
    """Every folder from `path` up reachable by other users (traversal only, never a listing)."""
    for folder in [path, *path.parents]:
        if folder.stat().st_mode & 0o001 == 0:
            folder.chmod(folder.stat().st_mode | 0o001)
        if str(folder) == stop:
            break


def make_python_reachable():
    """On Gradescope, Python lives under /root (mamba's otter-env), which only root may enter:
    the unprivileged user needs to pass through to it. Nothing is made readable that was not."""
    for path in {Path(sys.prefix), Path(sys.executable).resolve().parent}:
        _traversable(path)


def hand_over(iso: Isolation, workdir: Path, writable: list[Path]):
    """The grading folder reachable by the student's user id and `writable` its own; the rest
    of the folder stays the judge's (read-only to the student)."""
    if iso.uid is None:
        return
    if iso.kind == USER:
        _traversable(workdir, stop="/tmp")
    for path in [workdir, *workdir.rglob("*")]:  # a scratch copy: readable, as the zip is to otter
        if not path.is_symlink():
            path.chmod(path.stat().st_mode | (0o005 if path.is_dir() else 0o004))
    for top in writable:
        for path in [top, *top.rglob("*")]:
            os.lchown(path, iso.uid, iso.uid)


def popen(iso: Isolation, cmd: list[str], workdir: Path, log, memory_bytes: int | None = None,
          environ: dict | None = None) -> subprocess.Popen:
    """Start `cmd` (the student's side of a grading) in the isolation chosen."""
    workdir = Path(workdir)
    if iso.kind == NONE:
        return subprocess.Popen(cmd, cwd=workdir, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True,
                                env=dict(os.environ if environ is None else environ),
                                preexec_fn=_limits(memory_bytes, False))
    env = student_env(environ)
    if iso.kind == BWRAP:
        return subprocess.Popen(bwrap_argv(workdir, iso.uid) + cmd, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True, env=env,
                                preexec_fn=_limits(memory_bytes, False))
    home = workdir / ".home"
    home.mkdir(exist_ok=True)
    os.chown(home, iso.uid, iso.uid)
    env.update(HOME=str(home), MPLCONFIGDIR=str(home / "matplotlib"), JUPYTER_RUNTIME_DIR=str(home / "jupyter"))
    return subprocess.Popen(cmd, cwd=workdir, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            start_new_session=True, env=env, user=iso.uid, group=iso.uid, extra_groups=[],
                            preexec_fn=_limits(memory_bytes, True))


def _processes_of(uid: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    pids.append(int(entry.name))
            except OSError:
                pass
    return pids


def end_all(iso: Isolation, proc: subprocess.Popen, timeout: float = 30) -> list[int]:
    """End the student's side of the grading, every process of it, whatever it did (a double
    fork, a new session, a fork bomb); the ids of any still alive after `timeout` (none, on
    every machine measured) are returned so that the judge can refuse to write a result."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # bubblewrap: its PID namespace goes with it
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()
    if iso.uid is None:
        return []
    deadline = time.time() + timeout
    while True:
        left = _processes_of(iso.uid)
        if not left or time.time() > deadline:
            return left
        # kill(-1) from a process of that user id reaches every other one of it at once,
        # including those forked since the list was read
        subprocess.run([sys.executable, "-c", "import os, signal; os.kill(-1, signal.SIGKILL)"],
                       user=iso.uid, group=iso.uid, extra_groups=[], stdin=subprocess.DEVNULL,
                       capture_output=True)
        time.sleep(0.05)
