"""`dllab k8s` (autograder/k8s.py): every manifest it writes against Kubernetes' published schemas
(kubernetes-validate, offline), the pods' resources, deadline and retries from lab.toml, every
submission indexed, bad input refused as `dllab grade` refuses it; and the pod's command run here
as the Job runs it, its result collected by `dllab grade` into the row a local grading gives.

No cluster and no image build here: the pod's command runs on this machine, under only the
capabilities the manifest gives the container (setpriv), on a folder laid out as its volume and
a copy of the zip in a folder of its own, as the image holds it.
"""

import csv
import json
import os
import shutil
import subprocess
import sys
import time
import zipfile

import kubernetes_validate
import nbformat
import psutil
import pytest
import yaml

from autograder import k8s
from autograder.cli import main
from autograder.errors import UsageError
from autograder.grade import collect, grade_batch
from autograder.grading import kill_tree
from autograder.labs import all_labs
from autograder.paths import ROOT

LAB = "lab3_cnn_numpy"
# the oldest Kubernetes the manifests are written for, and the newest whose schemas the package ships
SCHEMAS = (k8s.KUBERNETES, kubernetes_validate.latest_version())
as_root = pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv"),
                             reason="the pod's sandbox, an unprivileged user id, needs root; its capabilities, "
                                    "setpriv (util-linux)")


@pytest.fixture(scope="module")
def lab(built):
    return built[LAB]


def _class(lab, folder, names=("alice",)):
    """The solution as `alice`; `bob` loses q5 (ReLU returns its input)."""
    text = (lab.dist(lab.out_root) / "solution" / f"{LAB}.ipynb").read_text()
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        nb = nbformat.reads(text, as_version=4)
        if name == "bob":
            cell = next(c for c in nb.cells if c.cell_type == "code" and "def relu(" in c.source)
            cell.source += "\n\ndef relu(Z):\n    return Z\n"
        nbformat.write(nb, folder / f"{name}.ipynb")
    return folder


def _write(lab, subs, out, **options):
    k8s.write_k8s(lab, [subs], out, zip_path=lab.zip_path(lab.out_root), **options)
    return out


def _documents(out):
    return [doc for path in sorted(out.glob("*.yaml")) for doc in yaml.safe_load_all(path.read_text())]


def _job(out):
    return next(doc for doc in _documents(out) if doc["kind"] == "Job")


def _quantity(text: str) -> float:
    """The two suffixes the manifests use: Mi (2**20 bytes) and m (thousandths of a CPU)."""
    return float(text[:-2]) * 2**20 if text.endswith("Mi") else float(text[:-1]) / 1000


# --- the manifests -----------------------------------------------------------------------

def test_every_manifest_is_valid_kubernetes_by_its_published_schemas(lab, tmp_path):
    out = _write(lab, _class(lab, tmp_path / "subs", ("alice", "bob")), tmp_path / "k8s",
                 claim="class-2026", namespace="grading", parallelism=8, retries=2)
    documents = _documents(out)
    assert sorted(doc["kind"] for doc in documents) == ["Job", "NetworkPolicy", "Pod"]
    for doc in documents:
        for version in SCHEMAS:
            kubernetes_validate.validate(doc, version, strict=True)  # raises on any fault
    # the check is not empty: a misspelt field fails it, and so does the field on a release before it
    job = _job(out)
    job["spec"]["backoffLimitPerIndx"] = job["spec"].pop("backoffLimitPerIndex")
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(job, k8s.KUBERNETES, strict=True)
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(_job(out), "1.27", strict=True)


@pytest.mark.parametrize("name", [lab.name for lab in all_labs()])
def test_resources_deadline_and_retries_come_from_lab_toml(name):
    lab = next(lab for lab in all_labs() if lab.name == name)
    _, job = k8s.job_manifests(lab, 7, "registry.example/dllab:1", f"{name}-autograder.zip", "claim", retries=3)
    pod = job["spec"]["template"]["spec"]
    container = pod["containers"][0]
    gradescope = lab.gradescope
    for kind in ("requests", "limits"):
        assert _quantity(container["resources"][kind]["memory"]) == gradescope["memory_gb"] * 2**30
        assert _quantity(container["resources"][kind]["cpu"]) == gradescope["cpus"]
    assert pod["activeDeadlineSeconds"] == gradescope["timeout_minutes"] * 60
    # the runner's own deadline comes first, so that it writes its result before the pod is ended
    assert pod["activeDeadlineSeconds"] > lab.grading["timeout"]
    assert job["spec"]["completionMode"] == "Indexed" and job["spec"]["completions"] == 7
    assert job["spec"]["backoffLimitPerIndex"] == 3 and pod["restartPolicy"] == "Never"
    assert job["spec"]["backoffLimit"] >= 7 * 4  # never before every index has used its retries
    assert container["command"][-2:] == [f"/autograder/{name}-autograder.zip", k8s.MOUNT]


def test_every_submission_gets_an_index_and_its_own_bytes(lab, tmp_path):
    subs = _class(lab, tmp_path / "subs", ("alice", "bob"))
    (subs / "notes.txt").write_text("not a notebook: graded as a row that says so")
    with zipfile.ZipFile(subs / "carol_2026_12_06T21_46_52_398884.zip", "w") as z:  # a grader.export() zip
        z.write(subs / "alice.ipynb", "carol.ipynb")
    other = _class(lab, tmp_path / "late", ("alice",))  # the same name again: graded as alice__2
    out = tmp_path / "k8s"
    assert main(["-q", "k8s", LAB, str(subs), str(other), "--out", str(out),
                 "--autograder", str(lab.zip_path(lab.out_root))]) == 0
    batch = json.loads((out / "volume" / k8s.INDEX).read_text())
    expected, _ = collect([subs, other])
    assert [e["id"] for e in batch["submissions"]] == [s.id for s in expected]
    assert "alice__2" in [s.id for s in expected]
    assert _job(out)["spec"]["completions"] == len(expected) == 5
    for entry, sub in zip(batch["submissions"], expected):
        assert (out / "volume" / entry["path"]).read_bytes() == sub.path.read_bytes()
        assert entry["file"] == str(sub.path)
    assert batch["facts"] == lab.public_facts()
    assert json.loads((out / "volume" / k8s.GRADED / "dllab-grade.json").read_text()) == {"lab": LAB}
    # the image's recipe: Gradescope's base, the zip's own setup.sh, the zip the pods name
    dockerfile = (out / "image" / "Dockerfile").read_text()
    assert f"FROM {k8s.BASE_IMAGE}" in dockerfile and "bash /autograder/source/setup.sh" in dockerfile
    zip_name = lab.zip_path(lab.out_root).name
    assert (out / "image" / zip_name).read_bytes() == lab.zip_path(lab.out_root).read_bytes()
    assert all((out / "image" / "source" / name).is_file() for name in ("setup.sh", "environment.yml"))
    assert f"/autograder/{zip_name}" in _job(out)["spec"]["template"]["spec"]["containers"][0]["command"]


@pytest.mark.parametrize("case", ["missing path", "no notebooks", "lab forgotten"])
def test_bad_input_gets_the_errors_of_dllab_grade(lab, tmp_path, capsys, case):
    subs = _class(lab, tmp_path / "subs")
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "readme.txt").write_text("nothing to grade")
    args = {"missing path": [LAB, str(subs), str(tmp_path / "typo")],
            "no notebooks": [LAB, str(tmp_path / "empty")],
            "lab forgotten": [str(subs)]}[case]
    zip_path = ["--autograder", str(lab.zip_path(lab.out_root))]
    errors = {}
    # (grade without a sandbox: the same errors on a machine that has none)
    for command, extra in (("grade", ["--no-isolation"]), ("k8s", [])):
        assert main(["-q", command, *args, "--out", str(tmp_path / command), *zip_path, *extra]) == 2
        errors[command] = capsys.readouterr().err.replace(f"dllab {command} ", "dllab COMMAND ")
        assert not (tmp_path / command).exists()  # nothing written
    assert errors["grade"] == errors["k8s"] and errors["k8s"].startswith("error: ")


def test_an_output_folder_in_use_is_refused(lab, tmp_path):
    out = tmp_path / "k8s"
    out.mkdir()
    (out / "job.yaml").write_text("an earlier batch's")
    with pytest.raises(UsageError, match="not an empty folder"):
        _write(lab, _class(lab, tmp_path / "subs"), out)


# --- the pod's command, run here -----------------------------------------------------------

def _pod(lab, out, tmp_path, index: int) -> subprocess.Popen:
    """Start the Job's container command for `index` as Kubernetes would: its environment plus
    JOB_COMPLETION_INDEX, as root with only its capabilities and no privilege escalation, the
    zip where the image has it (a folder of its own) and the volume at the mount's place."""
    container = _job(out)["spec"]["template"]["spec"]["containers"][0]
    zip_name = lab.zip_path(lab.out_root).name
    image_root = tmp_path / "autograder"
    image_root.mkdir(exist_ok=True)
    shutil.copy(out / "image" / zip_name, image_root / zip_name)
    where = {f"/autograder/{zip_name}": str(image_root / zip_name), k8s.MOUNT: str(out / "volume")}
    command = [sys.executable if a == "python" else where.get(a, a) for a in container["command"]]
    security = container["securityContext"]
    assert security["allowPrivilegeEscalation"] is False and security["capabilities"]["drop"] == ["ALL"]
    capabilities = ",".join("+" + c.lower() for c in security["capabilities"]["add"])
    setpriv = ["setpriv", "--no-new-privs", "--bounding-set", f"-all,{capabilities}", "--inh-caps", "-all", "--"]
    (tmp_path / "tmp").mkdir(exist_ok=True)  # what a killed grading leaves stays with the test
    env = {**os.environ, **{e["name"]: e["value"] for e in container["env"]},
           "JOB_COMPLETION_INDEX": str(index), "PYTHONPATH": str(ROOT), "TMPDIR": str(tmp_path / "tmp")}
    return subprocess.Popen(setpriv + command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True)


def _rows(out):
    return {r["submission"]: r for r in csv.DictReader(open(out / "gradebook.csv"))}


@as_root
def test_each_pod_grades_as_dllab_grade_does_and_collecting_grades_nothing_again(lab, tmp_path):
    subs = _class(lab, tmp_path / "subs", ("alice", "bob"))
    out = _write(lab, subs, tmp_path / "k8s")
    for index in (1, 0):  # in any order, each pod its own submission
        pod = _pod(lab, out, tmp_path, index)
        log, _ = pod.communicate(timeout=600)
        assert pod.returncode == 0, log[-3000:]
    zip_path = lab.zip_path(lab.out_root)
    graded = out / "volume" / k8s.GRADED
    collected = grade_batch(lab, [subs], graded, zip_path=zip_path, progress=False)
    assert (collected.graded, collected.failed, collected.skipped) == (0, 0, 2)  # nothing graded twice
    local = tmp_path / "local"
    grade_batch(lab, [subs], local, zip_path=zip_path, jobs=1, progress=False)
    assert _rows(graded) == _rows(local)
    assert [(r["total"], r["status"]) for r in _rows(graded).values()] == [("45", "graded"), ("42", "graded")]
    for name in ("alice", "bob"):
        assert (graded / "feedback" / f"{name}.md").read_text() == (local / "feedback" / f"{name}.md").read_text()
        pod_result, local_result = (json.loads((o / "results" / f"{name}.json").read_text()) for o in (graded, local))
        assert pod_result["isolation"] == "unprivileged user"  # the pod's sandbox, as on Gradescope
        for extra in ("seconds", "isolation", "worker"):
            pod_result.pop(extra, None)
            local_result.pop(extra, None)
        assert pod_result == local_result


def test_pods_on_one_node_grade_under_user_ids_apart(monkeypatch):
    """A pod's runner has the same small process id in every pod; its user id must still differ
    (processes of one user id share one limit on the node)."""
    from autograder.judge.isolation import grading_uid

    uids = set()
    for index in range(3):
        monkeypatch.setenv("DLLAB_UID_OFFSET", str(index * k8s.UID_STRIDE))
        uids.add(grading_uid())
    assert len(uids) == 3


@as_root
def test_a_pod_killed_in_the_middle_of_its_grading_leaves_a_row_that_says_so(lab, tmp_path):
    """What the kubelet does to a pod out of memory or past its deadline: SIGKILL, everything."""
    subs = _class(lab, tmp_path / "subs", ("mallory",))
    out = _write(lab, subs, tmp_path / "k8s")
    pod = _pod(lab, out, tmp_path, 0)
    deadline = time.time() + 120
    while not psutil.Process(pod.pid).children(recursive=True) and time.time() < deadline:
        time.sleep(0.1)  # until the grading runner has started
    time.sleep(1)
    kill_tree(pod)
    graded = out / "volume" / k8s.GRADED
    collected = grade_batch(lab, [subs], graded, zip_path=lab.zip_path(lab.out_root), progress=False)
    assert (collected.graded, collected.skipped) == (0, 1)  # kept as it is: not graded here
    row = _rows(graded)["mallory"]
    assert row["status"] == "crashed" and row["total"] == "0", row
    assert "pod (index 0) ended before the grading finished" in row["reason"]
