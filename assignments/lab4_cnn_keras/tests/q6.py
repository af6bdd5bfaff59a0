from otter.test_files import test_case

OK_FORMAT = False
name = "q6"
points = 4

MEASURED_IN = "LeNet-5 as the docstring of build_lenet5 gives it"


def _threshold():
    """The bar of the public and the hidden test (lab.toml: thresholds.lenet)."""
    from dllab_checks import lab_facts
    return lab_facts("lab4_cnn_keras")["thresholds"]["lenet"]["min"]


def _lenet5():
    """LeNet-5 for 28x28x1 images and 10 classes, built by the grader from Keras' own layers:
    `lenet`'s weights are measured in this network, whatever `lenet` itself runs."""
    import keras
    from keras import layers
    return keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(6, 5, padding="same", activation="relu"),
        layers.MaxPooling2D(2),
        layers.Conv2D(16, 5, padding="valid", activation="relu"),
        layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dense(120, activation="relu"),
        layers.Dense(84, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ])


def _accuracy(lenet, x, y):
    from dllab_copies import measured_accuracy, measured_in_required
    copy = measured_in_required(lenet, _lenet5(), "lenet", MEASURED_IN)
    return measured_accuracy(copy, x, y, "lenet")


@test_case(points=1, hidden=False)
def test_accuracy_on_your_test_set(lenet, x_test, y_test):
    acc = _accuracy(lenet, x_test, y_test)
    threshold = _threshold()
    assert acc >= threshold, (
        f"`lenet`: test accuracy {acc:.4f}, measured with your weights in {MEASURED_IN}, below "
        f"the threshold {threshold}: train it as the notebook says")


@test_case(points=3, hidden=True)
def test_accuracy_on_mnist_test(lenet):
    from dllab_checks import load_cases
    data = load_cases("lab4_cnn_keras")["mnist_test"]
    x = data["x"].reshape(-1, 28, 28, 1).astype("float32") / 255.0
    acc = _accuracy(lenet, x, data["y"])
    threshold = _threshold()
    assert acc >= threshold, (
        f"`lenet`: accuracy on the MNIST test set {acc:.4f}, measured with your weights in "
        f"{MEASURED_IN}, below the threshold {threshold}")
