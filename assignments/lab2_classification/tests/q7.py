from otter.test_files import test_case

OK_FORMAT = False
name = "q7"
points = 4


def _min_accuracy():
    """The bar of the public and the hidden test (lab.toml: thresholds.mlp)."""
    from dllab_checks import lab_facts
    return lab_facts("lab2_classification")["thresholds"]["mlp"]["min"]


def _accuracy(mlp, x, y, label):
    """Accuracy of `mlp` on (x, y), measured with a copy the grader builds from its layers' Keras
    classes, configurations and weights (whatever the model's own methods say)."""
    from dllab_copies import measured_accuracy, rebuilt_copy
    assert mlp is not None, "`mlp` is not defined or is None: run the cells that build and train the classifier"
    copy = rebuilt_copy(mlp, "mlp", x.shape[1:])
    out_shape = tuple(copy.output_shape)
    assert out_shape == (None, 10), f"{label}: expected outputs of shape (N, 10), the model gives {out_shape}"
    return measured_accuracy(copy, x, y, "mlp")


@test_case(points=1, hidden=False)
def test_accuracy_on_your_test_set(mlp, x_test_flat, y_test):
    from dllab_checks import as_float_array
    assert x_test_flat is not None and y_test is not None, "run the cells that load and flatten the data"
    acc = _accuracy(mlp, as_float_array(x_test_flat, "x_test_flat", "float32"), as_float_array(y_test, "y_test"),
                    "your classifier")
    assert acc > _min_accuracy(), f"test accuracy {acc:.4f} (measured with a copy of your layers and weights): expected above {_min_accuracy()}"


@test_case(points=3, hidden=True)
def test_trained_classifier_accuracy(mlp):
    from dllab_checks import as_float_array, load_cases
    case = load_cases("lab2_classification")["trained_mlp"]
    # the notebook's preprocessing (flatten, scale to [0, 1]), in float32 as the notebook has it
    x = as_float_array(case["x_test"], "x_test", "float32") / 255.0
    acc = _accuracy(mlp, x, case["y_test"], "the trained classifier on the MNIST test set")
    assert acc > _min_accuracy(), f"MNIST test accuracy {acc:.4f} (measured with a copy of your layers and weights): expected above {_min_accuracy():.2f}"
