from otter.test_files import test_case

from dllab_checks import accuracy

OK_FORMAT = False
name = "q6"
points = 4

# Measured in benchmarks/train_thresholds_lab4_lab5.py; see benchmarks/results/thresholds_lab4_lab5.md
THRESHOLD = 0.98


@test_case(points=1, hidden=False)
def test_accuracy_on_your_test_set(lenet, x_test, y_test):
    acc = accuracy(lenet, x_test, y_test, "lenet", 61706)
    assert acc >= THRESHOLD, (
        f"`lenet`: test accuracy {acc:.4f}, below the threshold {THRESHOLD}: train it as the notebook says")


@test_case(points=3, hidden=True)
def test_accuracy_on_mnist_test(lenet):
    from dllab_checks import load_cases
    data = load_cases("lab4_cnn_keras")["mnist_test"]
    x = data["x"].reshape(-1, 28, 28, 1).astype("float32") / 255.0
    acc = accuracy(lenet, x, data["y"], "lenet", 61706)
    assert acc >= THRESHOLD, (
        f"`lenet`: accuracy on the MNIST test set {acc:.4f}, below the threshold {THRESHOLD}")
