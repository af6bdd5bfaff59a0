from otter.test_files import test_case

from dllab_checks import accuracy

OK_FORMAT = False
name = "q7"
points = 4


def _threshold():
    """The bar of the public and the hidden test (lab.toml: thresholds.cifar)."""
    from dllab_checks import lab_facts
    return lab_facts("lab4_cnn_keras")["thresholds"]["cifar"]["min"]


@test_case(points=1, hidden=False)
def test_accuracy_on_your_eval_set(cifar_model, x_cifar_eval, y_cifar_eval, build_cifar_cnn):
    from dllab_checks import call
    fresh = call(build_cifar_cnn, "build_cifar_cnn")
    assert fresh is not None, "`build_cifar_cnn` returned None: the function is still a stub"
    n_params = int(fresh.count_params())
    acc = accuracy(cifar_model, x_cifar_eval, y_cifar_eval, "cifar_model", n_params)
    threshold = _threshold()
    assert acc >= threshold, (
        f"`cifar_model`: accuracy {acc:.4f} on images 3,000-3,999, below the threshold {threshold}")


@test_case(points=3, hidden=True)
def test_accuracy_on_course_split(cifar_model):
    from dllab_checks import load_cases
    data = load_cases("lab4_cnn_keras")["cifar_eval"]
    x = data["x"].astype("float32") / 255.0
    acc = accuracy(cifar_model, x, data["y"], "cifar_model", data["params"])
    threshold = _threshold()
    assert acc >= threshold, (
        f"`cifar_model`: accuracy {acc:.4f} on the course's CIFAR-10 split (training images "
        f"3,000-3,999), below the threshold {threshold}")
