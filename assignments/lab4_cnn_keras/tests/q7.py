from otter.test_files import test_case

OK_FORMAT = False
name = "q7"
points = 4

MEASURED_IN = "the network the docstring of build_cifar_cnn gives"


def _threshold():
    """The bar of the public and the hidden test (lab.toml: thresholds.cifar)."""
    from dllab_checks import lab_facts
    return lab_facts("lab4_cnn_keras")["thresholds"]["cifar"]["min"]


def _cifar_cnn():
    """The exercise's CIFAR-10 network for 32x32x3 images and 10 classes, built by the grader
    from Keras' own layers: `cifar_model`'s weights are measured in this network."""
    import keras
    from keras import layers
    return keras.Sequential([
        keras.Input(shape=(32, 32, 3)),
        layers.Conv2D(32, 3, padding="same", activation="relu"),
        layers.Conv2D(32, 3, padding="same", activation="relu"),
        layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, padding="same", activation="relu"),
        layers.Conv2D(64, 3, padding="same", activation="relu"),
        layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dense(128, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ])


def _accuracy(cifar_model, x, y):
    from dllab_copies import measured_accuracy, measured_in_required
    copy = measured_in_required(cifar_model, _cifar_cnn(), "cifar_model", MEASURED_IN)
    return measured_accuracy(copy, x, y, "cifar_model")


@test_case(points=1, hidden=False)
def test_accuracy_on_your_eval_set(cifar_model, x_cifar_eval, y_cifar_eval):
    acc = _accuracy(cifar_model, x_cifar_eval, y_cifar_eval)
    threshold = _threshold()
    assert acc >= threshold, (
        f"`cifar_model`: accuracy {acc:.4f} on images 3,000-3,999, measured with your weights "
        f"in {MEASURED_IN}, below the threshold {threshold}")


@test_case(points=3, hidden=True)
def test_accuracy_on_course_split(cifar_model):
    from dllab_checks import load_cases
    data = load_cases("lab4_cnn_keras")["cifar_eval"]
    x = data["x"].astype("float32") / 255.0
    acc = _accuracy(cifar_model, x, data["y"])
    threshold = _threshold()
    assert acc >= threshold, (
        f"`cifar_model`: accuracy {acc:.4f} on the course's CIFAR-10 split (training images "
        f"3,000-3,999), measured with your weights in {MEASURED_IN}, below the threshold {threshold}")
