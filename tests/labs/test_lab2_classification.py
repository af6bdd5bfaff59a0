"""lab2_classification beyond the reference suite: the lecture's gates, and the notebook's
training clears q7 (slow)."""

import numpy as np
import pytest

from autograder.labs import Lab
from autograder.kernel import dllab_data
from harness import run_question

LAB = Lab("lab2_classification")


def test_perceptron_reference_on_the_lecture_gates():
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
    import keras

    budget = LAB.training_budget
    (x_train, y_train), (x_test, y_test) = dllab_data.load_mnist()
    x_train = x_train.reshape(len(x_train), -1).astype("float32") / 255.0
    x_test = x_test.reshape(len(x_test), -1).astype("float32") / 255.0
    keras.utils.set_random_seed(budget["SEED"])
    mlp = LAB.solution_module().build_mlp(784, 10)
    mlp.fit(x_train, keras.utils.to_categorical(y_train, 10), epochs=budget["EPOCHS"],
            batch_size=budget["BATCH_SIZE"], validation_split=0.1, verbose=0)
    result = run_question(LAB.name, "q7", cases_dir, {"mlp": mlp, "x_test_flat": x_test, "y_test": y_test})
    assert result.full_marks, result.failures
