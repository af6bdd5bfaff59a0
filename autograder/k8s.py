"""Grading on Kubernetes: `dllab k8s LAB SUBMISSIONS... --out DIR` writes what a cluster needs to
grade a class as one Indexed Job; after the Job, `dllab grade LAB SUBMISSIONS --out DIR/volume/graded`
collects the pods' results into the usual gradebook.

Why it is built this way:
- One pod per submission, its index naming the submission (completionMode Indexed: Kubernetes
  gives each pod JOB_COMPLETION_INDEX). Each pod runs `python -m autograder.k8s ZIP VOLUME`
  (grade_pod below): grading.grade_one, the zip's own runner, exactly as `dllab grade` runs it for
  one submission, and the result written by grade.save_result with grade.grading_key, into the
  folder `dllab grade --out` reads. Collecting is `dllab grade` itself: every result is current,
  so it grades nothing again and writes the gradebook, students.csv and the summary. No second
  reader of results, no second gradebook writer.
- One volume carries the submissions in and the results out: a PersistentVolumeClaim the
  instructor names. ConfigMaps cannot: a pod cannot write to one, and a notebook with its plots
  passes their 1 MiB limit. With pods on several nodes the claim must be ReadWriteMany.
- The image is built as Gradescope builds one from the zip: its base image, the zip's files in
  /autograder/source and its own setup.sh (otter's environment, with the course's pinned
  packages), then this package, and the zip that the pods grade with. Every result keeps that
  zip's digest, so a rebuilt zip makes the pods' results stale, as on one machine.
- A pod's resources are the lab's Gradescope settings (lab.toml [gradescope], what one grading
  was measured to need in a container): memory_gb and cpus as requests and limits (equal:
  Kubernetes' Guaranteed class, evicted last), timeout_minutes as its activeDeadlineSeconds. That deadline
  plays the part of Gradescope's container timeout: the runner's own deadline ([grading]
  timeout) lies below it, so the runner writes its result first.
- Retries per index (backoffLimitPerIndex, general in Kubernetes 1.33): a killed pod runs once
  more by default and the other submissions go on. The Job-wide backoffLimit alone would stop
  the whole class after the seventh killed pod; it is set where it cannot be reached.
- Kubernetes ends a pod without a word (out of memory, past its deadline). So each pod first
  writes its row as "crashed: its pod ended before the grading finished"; the grading replaces it.
  A killed pod leaves that row, which collection keeps: never a silent gap.
- The sandbox: a pod is a container without user namespaces, the unprivileged-user case of
  judge/isolation.py, as on Gradescope (DLLAB_ISOLATION=user). The pod runs as root with only the
  capabilities that case needs (CAPABILITIES), no privilege escalation, no service-account token,
  and closes the folders of the zip and of the volume (mode 700) before any notebook runs, as
  the zip's run_autograder closes /autograder. Each pod's gradings get user ids apart from
  every other pod's (UID_STRIDE): a user id's process limit holds across the node. A
  NetworkPolicy shuts the pods' network where the cluster enforces policies; a user id alone
  does not (docs/integrity.md).
"""

import json
import logging
import math
import os
import shutil
import sys
import zipfile
from pathlib import Path

import yaml

from .errors import UsageError
from .grade import ISOLATION_NAMES, claim_output, collect, file_digest, grading_key, origin_of, save_result
from .grading import Submission, grade_one, grading_env, grading_limits
from .judge import isolation
from .judge.results import CRASHED, finish
from .labs import Lab
from .paths import ROOT

log = logging.getLogger(__name__)

# The oldest Kubernetes whose published schemas the manifests are checked against (tests/test_k8s.py):
# the first with backoffLimitPerIndex generally available (beta, on by default, from 1.29).
KUBERNETES = "1.33"
BASE_IMAGE = "gradescope/autograder-base:ubuntu-22.04"  # what the zip's setup.sh is written for
MOUNT = "/grading/volume"  # the claim in each pod; /grading is closed to the student's user id
INDEX = "index.json"       # on the volume: pod i grades submissions[i]
GRADED = "graded"          # on the volume: the `dllab grade --out` folder the pods write into
# What the unprivileged-user sandbox needs of root (isolation.py): SETUID and SETGID to become
# the grading's user id, CHOWN to give it its folders, DAC_OVERRIDE to read and remove what its
# processes wrote, KILL to end them (without it a notebook that catches interrupts never ends).
# Each was found needed by running the pod's command without it. The runtime's other defaults go.
CAPABILITIES = ["CHOWN", "DAC_OVERRIDE", "KILL", "SETGID", "SETUID"]
# Apart, in user ids, from one pod's grading to the next (judge/isolation.py, grading_uid): a pod's
# runner has a process id of a few units, the same in every pod.
UID_STRIDE = 4096
ENDED = ("its Kubernetes pod (index {index}) ended before the grading finished: out of memory, past "
         "its deadline, evicted, or the grader failed (`kubectl describe pod` and `kubectl logs` say "
         "which); not graded")

DOCKERFILE = """\
# The grading image of {lab}, written by `dllab k8s` (autograder/k8s.py); build it in this folder:
#   docker build -t {image} .
# Gradescope's base image, the autograder zip's files in /autograder/source and its own setup.sh,
# as Gradescope builds an assignment's image: otter's mamba environment (otter-env) with the
# packages and versions of the course's pyproject.toml.
FROM {base}
ADD source /autograder/source
RUN apt-get update && bash /autograder/source/setup.sh && apt-get clean && rm -rf /var/lib/apt/lists/*
# The course's package in that environment: each pod runs `python -m autograder.k8s`, which grades
# with grading.grade_one and the zip's own runner, as `dllab grade` does on one machine.
ENV PATH=/root/miniforge3/envs/otter-env/bin:$PATH
COPY dllab /tmp/dllab
RUN python -m pip install --no-cache-dir /tmp/dllab && rm -rf /tmp/dllab
# The zip the pods grade with (every result keeps its digest).
COPY {zip} /autograder/{zip}
"""


def job_name(lab: Lab) -> str:
    """A DNS label, as Kubernetes names must be."""
    return "dllab-" + lab.name.replace("_", "-").lower()


def pod_resources(lab: Lab) -> dict:
    """The lab's Gradescope memory (GB of 2**30 bytes, as the Dask path reads it) and CPUs."""
    gradescope = lab.gradescope
    amount = {"cpu": f"{round(gradescope['cpus'] * 1000)}m", "memory": f"{round(gradescope['memory_gb'] * 1024)}Mi"}
    return {"requests": amount, "limits": amount}


def pod_deadline(lab: Lab) -> int:
    """Gradescope's container timeout; the runner's own deadline ([grading] timeout) is below it."""
    return int(lab.gradescope["timeout_minutes"] * 60)


def _volume(claim: str) -> dict:
    return {"name": "grading", "persistentVolumeClaim": {"claimName": claim}}


def job_manifests(lab: Lab, count: int, image: str, zip_name: str, claim: str, namespace: str | None = None,
                  parallelism: int | None = None, retries: int = 1) -> list[dict]:
    """The NetworkPolicy and the Indexed Job that grade `count` submissions, one pod each."""
    name = job_name(lab)
    where = {"namespace": namespace} if namespace else {}
    labels = {"app.kubernetes.io/name": "dllab", "app.kubernetes.io/instance": name}
    # no rule: nothing in, nothing out (the grading needs no network; the kernel's loopback stays)
    policy = {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
              "metadata": {"name": name, **where},
              "spec": {"podSelector": {"matchLabels": labels}, "policyTypes": ["Ingress", "Egress"]}}
    container = {
        "name": "grade", "image": image, "imagePullPolicy": "IfNotPresent",
        "command": ["python", "-m", "autograder.k8s", f"/autograder/{zip_name}", MOUNT],
        "env": [{"name": "DLLAB_ISOLATION", "value": "user"},
                # a CPU limit is a quota that the process's core count does not show: without this,
                # grade.grading_env would give PyTorch one thread per core of the node
                {"name": "OMP_NUM_THREADS", "value": str(max(1, math.ceil(lab.gradescope["cpus"])))}],
        "resources": pod_resources(lab),
        "securityContext": {"runAsUser": 0, "runAsNonRoot": False, "allowPrivilegeEscalation": False,
                            "capabilities": {"drop": ["ALL"], "add": CAPABILITIES}},
        "volumeMounts": [{"name": "grading", "mountPath": MOUNT}],
    }
    job = {
        "apiVersion": "batch/v1", "kind": "Job",
        "metadata": {"name": name, **where, "labels": labels},
        "spec": {
            "completionMode": "Indexed", "completions": count, "parallelism": parallelism or count,
            "backoffLimitPerIndex": retries,
            "backoffLimit": count * (retries + 1),  # never reached before every index has used its own
            # a pod evicted by a node's drain or a preemption runs again without using up a retry
            "podFailurePolicy": {"rules": [{"action": "Ignore",
                                            "onPodConditions": [{"type": "DisruptionTarget", "status": "True"}]}]},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "restartPolicy": "Never",
                    "activeDeadlineSeconds": pod_deadline(lab),
                    "automountServiceAccountToken": False,
                    "enableServiceLinks": False,
                    "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
                    "containers": [container],
                    "volumes": [_volume(claim)],
                },
            },
        },
    }
    return [policy, job]


def volume_pod(lab: Lab, image: str, claim: str, namespace: str | None = None) -> dict:
    """A pod that only holds the claim, to copy the volume's files in and the results out."""
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": f"{job_name(lab)}-volume", **({"namespace": namespace} if namespace else {}),
                         "labels": {"app.kubernetes.io/name": "dllab", "app.kubernetes.io/component": "volume"}},
            "spec": {"automountServiceAccountToken": False,
                     "containers": [{"name": "volume", "image": image, "imagePullPolicy": "IfNotPresent",
                                     "command": ["sleep", "infinity"],
                                     "securityContext": {"allowPrivilegeEscalation": False},
                                     "volumeMounts": [{"name": "grading", "mountPath": MOUNT}]}],
                     "volumes": [_volume(claim)]}}


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data):
        return True  # every value written out where it applies, no YAML anchors for a reader to chase


def _write_yaml(path: Path, header: str, documents: list[dict]):
    path.write_text(header + yaml.dump_all(documents, Dumper=_Dumper, sort_keys=False))


def _write_volume(lab: Lab, subs: list[Submission], folder: Path):
    """The submissions, the index of what each pod grades, and the grading folder the pods fill."""
    entries = []
    for sub in subs:
        path = Path("submissions") / sub.id / sub.path.name
        (folder / path).parent.mkdir(parents=True)
        shutil.copy2(sub.path, folder / path)
        # who and when, read here from the name and folder given (a copy's own says nothing)
        entries.append({"id": sub.id, "path": str(path), "file": str(sub.path), "origin": origin_of(sub)})
    batch = {"lab": lab.name, "submissions": entries, "limits": grading_limits(lab), "facts": lab.public_facts()}
    (folder / INDEX).write_text(json.dumps(batch, indent=1) + "\n")
    claim_output(folder / GRADED, lab)
    (folder / GRADED / "feedback").mkdir()


def _write_image(lab: Lab, zip_path: Path, folder: Path, image: str):
    """The image's build context: the Dockerfile, the zip and its files, this package's source."""
    with zipfile.ZipFile(zip_path) as z:
        z.extractall(folder / "source")
    shutil.copy(zip_path, folder / zip_path.name)
    package = folder / "dllab"
    shutil.copytree(ROOT / "autograder", package / "autograder", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):  # what pip needs to install it
        shutil.copy(ROOT / name, package / name)
    (folder / "Dockerfile").write_text(DOCKERFILE.format(lab=lab.name, image=image, base=BASE_IMAGE,
                                                         zip=zip_path.name))


def write_k8s(lab: Lab, paths: list[Path], out: Path, zip_path: Path | None = None, image: str | None = None,
              claim: str = "dllab-grading", namespace: str | None = None, parallelism: int | None = None,
              retries: int = 1) -> list[Submission]:
    """Write DIR (`out`): job.yaml, volume-pod.yaml, image/ (the build context), volume/ (what the
    claim holds). The submissions are found as `dllab grade` finds them, with its errors."""
    zip_path = zip_path or lab.zip_path()
    if not zip_path.exists():
        raise FileNotFoundError(f"{zip_path} not found: run `dllab build {lab.name}`")
    if retries < 0 or (parallelism is not None and parallelism < 1):
        raise UsageError("--retries must be 0 or more, --parallelism 1 or more")
    subs, duplicates = collect(paths)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise UsageError(f"--out {out} is not an empty folder: choose a new one for each batch")
    for d in duplicates:
        log.warning("warning: %s", d)
    image = image or f"{job_name(lab)}:{file_digest(zip_path)[:12]}"
    _write_volume(lab, subs, out / "volume")
    _write_image(lab, zip_path, out / "image", image)
    gradescope, grading = lab.gradescope, lab.grading
    _write_yaml(out / "job.yaml", (
        f"# Written by `dllab k8s {lab.name}` (autograder/k8s.py): {len(subs)} submissions, pod i grading\n"
        f"# volume/{INDEX}'s submissions[i]. Kubernetes {KUBERNETES} or later. From assignments/{lab.name}/lab.toml\n"
        f"# [gradescope]: memory_gb {gradescope['memory_gb']:g} and cpus {gradescope['cpus']:g} are each pod's "
        f"requests and limits,\n# timeout_minutes {gradescope['timeout_minutes']:g} its activeDeadlineSeconds "
        f"(the runner's own deadline, [grading] timeout, is {grading['timeout']:g} s).\n"
        f"# Runs of a killed pod after the first (backoffLimitPerIndex, --retries): {retries}.\n"),
        job_manifests(lab, len(subs), image, zip_path.name, claim, namespace, parallelism, retries))
    _write_yaml(out / "volume-pod.yaml",
                f"# Holds the claim {claim} at {MOUNT}, to copy volume/ in and volume/{GRADED}/ out (README).\n",
                [volume_pod(lab, image, claim, namespace)])
    log.info("%s: %d submissions, one pod each (job.yaml); the image's recipe (image/Dockerfile); "
             "the claim's files (volume/)", out, len(subs))
    log.info("build the image with `docker build -t %s %s`; after the Job, with volume/%s/ copied back: "
             "dllab grade %s SUBMISSIONS --out %s", image, out / "image", GRADED, lab.name, out / "volume" / GRADED)
    return subs


# --- in each pod ---------------------------------------------------------------------------

def grade_pod(zip_path: Path, volume: Path, index: int) -> dict:
    """Grade the volume's submission `index` as `dllab grade` grades one, into volume/graded/."""
    batch = json.loads((volume / INDEX).read_text())
    entry, facts, limits = batch["submissions"][index], batch["facts"], batch["limits"]
    out = volume / GRADED
    for folder in ("results", "feedback"):
        (out / folder).mkdir(parents=True, exist_ok=True)
    sub = Submission(entry["id"], volume / entry["path"])
    key = grading_key(batch["lab"], sub.path, file_digest(zip_path))

    def save(result: dict) -> dict:
        # the instructor's path and the origin read from it: the row `dllab grade` would write
        result.update(file=entry["file"], origin=entry["origin"], key=key, worker=os.uname().nodename)
        save_result(out, result, facts)
        return result

    save(finish({"id": sub.id, "status": CRASHED, "questions": {}, "reason": ENDED.format(index=index)}, facts))
    os.environ["DLLAB_UID_OFFSET"] = str(index * UID_STRIDE)
    if os.geteuid() == 0:
        isolation.make_python_reachable()  # the image's Python lives under /root, as on Gradescope
        for folder in (zip_path.parent, volume.parent):  # the hidden tests; the other students' work
            folder.chmod(0o700)
    iso = isolation.choose()
    env = grading_env(1)
    env["DLLAB_ISOLATION"] = ISOLATION_NAMES[iso.kind]
    return save(grade_one(sub, zip_path, facts, limits["timeout"], limits["cell_timeout"], limits["memory_gb"],
                          env))


def main(argv: list[str] | None = None) -> int:
    """The pod's command: python -m autograder.k8s ZIP VOLUME, with JOB_COMPLETION_INDEX set."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    zip_path, volume = (Path(a) for a in (sys.argv[1:] if argv is None else argv))
    result = grade_pod(zip_path, volume, int(os.environ["JOB_COMPLETION_INDEX"]))
    log.info("%s: %g/%g %s %s", result["id"], result["total"], result["possible"], result["status"], result["reason"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
