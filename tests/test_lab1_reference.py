"""lab1_regression: the reference earns full marks, and the notebook trains what was measured."""

import re
import sys

import pytest

from autograder.labs import ROOT, Lab, load_module
from harness import run_question

LAB = Lab("lab1_regression")
sys.path.insert(0, str(ROOT / "benchmarks"))
import train_thresholds  # noqa: E402


def _module(path):
    return load_module(path, f"{LAB.name}_{path.stem}")


@pytest.mark.parametrize("question", [q for q in LAB.questions() if q != "q5"])
def test_reference_full_marks(question, cases_dir):
    result = run_question(LAB.name, question, cases_dir)
    assert result.full_marks, result.failures


def test_thresholds_are_the_measured_ones():
    """The public test shows students the bar of the hidden one; both come from the benchmark."""
    assert _module(LAB.tests_dir / "q5.py").MAX_TEST_MAE == train_thresholds.LAB1_MAX_TEST_MAE
    template = LAB.template.read_text()
    assert re.search(rf"EPOCHS = {train_thresholds.LAB1_EPOCHS}\b", template), (
        "the notebook trains for another number of epochs than the threshold was measured with")


def test_trained_reference_full_marks_on_q5(cases_dir):
    """What the notebook does (about 10-15 s of training): the trained network passes q5."""
    import keras
    import dllab_data

    ref = LAB.solution_module()
    (x_train, y_train), (x_test, y_test) = dllab_data.load_boston_housing()
    x_train_s, x_test_s, _, _ = ref.standardize(x_train, x_test)
    keras.utils.set_random_seed(0)
    model = ref.build_regression_model(x_train.shape[1])
    ref.train_regression_model(model, x_train_s, y_train, train_thresholds.LAB1_EPOCHS, seed=0)
    result = run_question(LAB.name, "q5", cases_dir,
                          {"model": model, "x_test_s": x_test_s, "y_test": y_test})
    assert result.full_marks, result.failures
