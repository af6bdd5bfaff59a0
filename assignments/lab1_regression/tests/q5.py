from otter.test_files import test_case

OK_FORMAT = False
name = "q5"
points = 4


def _max_mae():
    """The bar of the public and the hidden test (lab.toml: thresholds.model)."""
    from dllab_checks import lab_facts
    return lab_facts("lab1_regression")["thresholds"]["model"]["max"]


def _test_mae(model, x, y, label):
    """Mean absolute error of `model` on (x, y), measured with a copy the grader builds from its
    layers' Keras classes, configurations and weights (whatever the model's own methods say)."""
    from dllab_copies import predict_in_batches, rebuilt_copy
    assert model is not None, (
        "`model` is not defined or is None: run the cells that build and train the model")
    pred = predict_in_batches(rebuilt_copy(model, "model", x.shape[1:]), x)
    assert pred.size == len(y), f"{label}: expected {len(y)} predictions, got an array of shape {pred.shape}"
    return (pred.reshape(-1) - y).__abs__().mean()


@test_case(points=1, hidden=False)
def test_test_mae_on_your_data(model, x_test_s, y_test):
    from dllab_checks import as_float_array
    # the same bar as the hidden test, on the notebook's own standardized test set
    assert x_test_s is not None and y_test is not None, "run the cells that load and standardize the data"
    mae = _test_mae(model, as_float_array(x_test_s, "x_test_s"), as_float_array(y_test, "y_test"), "your model")
    assert mae < _max_mae(), f"test MAE {mae:.3f} k$ (measured with a copy of your layers and weights): expected below {_max_mae()} k$"


@test_case(points=3, hidden=True)
def test_trained_model_beats_threshold_and_baselines(model):
    from dllab_checks import load_cases
    case = load_cases("lab1_regression")["trained_model"]
    mae = _test_mae(model, case["x_test_s"], case["y_test"], "the trained model on the test set")
    assert mae < case["mean_mae"], (
        f"test MAE {mae:.3f} k$ is no better than predicting the mean price ({case['mean_mae']:.3f} k$)")
    assert mae < case["linear_mae"], (
        f"test MAE {mae:.3f} k$ is no better than the linear baseline ({case['linear_mae']:.3f} k$)")
    assert mae < _max_mae(), f"test MAE {mae:.3f} k$: expected below {_max_mae():.2f} k$"
