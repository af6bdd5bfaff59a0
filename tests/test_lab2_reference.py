"""lab2_classification: the reference earns full marks, and the notebook trains what was measured."""

import re
import sys

import pytest

from autograder.labs import ROOT, Lab, load_module
from harness import run_question

LAB = Lab("lab2_classification")
sys.path.insert(0, str(ROOT / "benchmarks"))
import train_thresholds  # noqa: E402


def _module(path):
    return load_module(path, f"{LAB.name}_{path.stem}")


@pytest.mark.parametrize("question", [q for q in LAB.questions() if q != "q7"])
def test_reference_full_marks(question, cases_dir):
    result = run_question(LAB.name, question, cases_dir)
    assert result.full_marks, result.failures


def test_thresholds_are_the_measured_ones():
    assert _module(LAB.tests_dir / "q7.py").MIN_TEST_ACCURACY == train_thresholds.LAB2_MIN_TEST_ACCURACY
    template = LAB.template.read_text()
    assert re.search(rf"EPOCHS = {train_thresholds.LAB2_EPOCHS}\b", template)
    assert re.search(rf"BATCH_SIZE = {train_thresholds.LAB2_BATCH}\b", template)


def test_perceptron_reference_on_the_lecture_gates():
    import numpy as np
    ref = LAB.solution_module()
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float)
    for y in ([0, 1, 1, 1], [0, 0, 0, 1]):
        for seed in range(20):
            w, converged = ref.perceptron_train(X, np.array(y), 100, seed)
            assert converged and list(ref.perceptron_predict(w, X)) == y
    assert all(not ref.perceptron_train(X, np.array([0, 1, 1, 0]), 100, s)[1] for s in range(20))


@pytest.mark.slow
def test_trained_reference_full_marks_on_q7(cases_dir):
    """What the notebook does (about 20-30 s of training here): the trained MLP passes q7."""
    x_train, y_train, x_test, y_test = train_thresholds.lab2_data()
    import keras
    keras.utils.set_random_seed(0)
    mlp = LAB.solution_module().build_mlp(784, 10)
    train_thresholds.lab2_train(mlp, x_train, y_train, seed=0)
    result = run_question(LAB.name, "q7", cases_dir, {"mlp": mlp, "x_test_flat": x_test, "y_test": y_test})
    assert result.full_marks, result.failures
