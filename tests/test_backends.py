"""The training labs on Keras' other backends: the solution graded with KERAS_BACKEND=jax|torch.

The course says its notebooks run on any Keras 3 backend, and `dllab grade` passes its
environment down to the notebook's kernel (runner -> otter -> nbclient). Each case grades a
training lab's solution notebook, built as the course builds it, with KERAS_BACKEND set, and
asserts full marks and that the kernel really ran that backend. JAX and PyTorch come with
`pip install -e ".[backends]"`; a backend that is not installed skips with the reason. Slow: each
case retrains the lab's models (benchmarks/results/backends.md has the times).
"""

import importlib.util

import nbformat
import pytest

from autograder.grading import Submission, grade_one
from autograder.judge.results import GRADED

TRAINING_LABS = ("lab1_regression", "lab2_classification", "lab4_cnn_keras", "lab5_rnn")
OTHER_BACKENDS = ("jax", "torch")


@pytest.mark.slow
@pytest.mark.parametrize("backend", OTHER_BACKENDS)
@pytest.mark.parametrize("name", TRAINING_LABS)
def test_solution_scores_full_marks_on_the_backend(name, backend, built, tmp_path, monkeypatch):
    if importlib.util.find_spec(backend) is None:
        pytest.skip(f"the {backend} backend is not installed (pip install -e \".[backends]\")")
    lab = built[name]
    # the graded copy ends with a cell that records the backend the kernel imported
    seen = tmp_path / "kernel_backend.txt"
    nb = nbformat.read(lab.dist(lab.out_root) / "solution" / f"{name}.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(
        f"import keras\nopen({str(seen)!r}, 'w').write(keras.backend.backend())"))
    notebook = tmp_path / f"{name}.ipynb"
    nbformat.write(nb, notebook)

    monkeypatch.setenv("KERAS_BACKEND", backend)  # what an instructor exports before `dllab grade`
    result = grade_one(Submission("solution", notebook), lab.zip_path(lab.out_root), lab.public_facts(),
                       timeout=lab.grading["timeout"], cell_timeout=lab.grading["cell_timeout"],
                       memory_gb=lab.grading["memory_limit_gb"])

    assert seen.exists() and seen.read_text() == backend, (
        f"the kernel ran {seen.read_text() if seen.exists() else 'no backend (the cell did not run)'}")
    assert result["status"] == GRADED, result["reason"]
    assert not result["notes"], result["notes"]  # no training cut short at the cell limit
    lost = {q: r for q, r in result["questions"].items() if r["score"] < r["possible"]}
    assert result["total"] == result["possible"] > 0, lost
