from otter.test_files import test_case

from dllab_checks import accuracy

OK_FORMAT = False
name = "q6"
points = 4


def _threshold():
    """The bar of the public and the hidden test (lab.toml: thresholds.lenet)."""
    from dllab_checks import lab_facts
    return lab_facts("lab4_cnn_keras")["thresholds"]["lenet"]["min"]


@test_case(points=1, hidden=False)
def test_accuracy_on_your_test_set(lenet, x_test, y_test):
    acc = accuracy(lenet, x_test, y_test, "lenet", 61706)
    threshold = _threshold()
    assert acc >= threshold, (
        f"`lenet`: test accuracy {acc:.4f}, below the threshold {threshold}: train it as the notebook says")


@test_case(points=3, hidden=True)
def test_accuracy_on_mnist_test(lenet):
    from dllab_checks import load_cases
    data = load_cases("lab4_cnn_keras")["mnist_test"]
    x = data["x"].reshape(-1, 28, 28, 1).astype("float32") / 255.0
    acc = accuracy(lenet, x, data["y"], "lenet", 61706)
    threshold = _threshold()
    assert acc >= threshold, (
        f"`lenet`: accuracy on the MNIST test set {acc:.4f}, below the threshold {threshold}")
