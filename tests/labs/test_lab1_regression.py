"""lab1_regression beyond the reference suite: the notebook's training clears q5 (fast: about
10-15 s of training)."""

from autograder.labs import Lab
from autograder.kernel import dllab_data
from harness import run_question

LAB = Lab("lab1_regression")


def test_trained_reference_full_marks_on_q5(cases_dir):
    import keras

    ref, budget = LAB.solution_module(), LAB.training_budget
    (x_train, y_train), (x_test, y_test) = dllab_data.load_boston_housing()
    x_train_s, x_test_s, _, _ = ref.standardize(x_train, x_test)
    keras.utils.set_random_seed(budget["SEED"])
    model = ref.build_regression_model(x_train.shape[1])
    ref.train_regression_model(model, x_train_s, y_train, budget["EPOCHS"], seed=budget["SEED"])
    result = run_question(LAB.name, "q5", cases_dir,
                          {"model": model, "x_test_s": x_test_s, "y_test": y_test})
    assert result.full_marks, result.failures
