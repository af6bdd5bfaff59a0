from otter.test_files import test_case

from dllab_keras import describe_layers
from dllab_copies import measured_accuracy, rebuilt_copy

OK_FORMAT = False
name = "q4"
points = 4


def _threshold():
    """The bar of the public and the hidden test (lab.toml: thresholds.seq)."""
    from dllab_checks import lab_facts
    return lab_facts("lab5_rnn")["thresholds"]["seq"]["min"]


def _accuracy(model, x, y, name):
    """Accuracy of `model`, after checking that it is the network the question asks for,
    measured with a copy the grader builds from its layers' Keras classes, configurations and
    weights (whatever the model's own methods say)."""
    assert model is not None, (
        f"`{name}` is None or not defined: run the cells that build and train it")
    # the question is about a recurrent reader of rows: one recurrent layer, then the classifier
    kinds = [r["type"] for r in describe_layers(model, name)]
    assert len(kinds) == 2 and kinds[0] in ("SimpleRNN", "LSTM", "GRU") and kinds[1] == "Dense", (
        f"`{name}` should be SimpleRNN, LSTM or GRU followed by Dense, got layers {kinds}")
    return measured_accuracy(rebuilt_copy(model, name, x.shape[1:]), x, y, name)


@test_case(points=1, hidden=False)
def test_accuracy_on_your_test_set(seq_model, x_test, y_test):
    from dllab_checks import as_float_array
    acc = _accuracy(seq_model, as_float_array(x_test, "x_test", "float32"), y_test, "seq_model")
    threshold = _threshold()
    assert acc >= threshold, (
        f"`seq_model`: test accuracy {acc:.4f} (measured with a copy of your layers and weights), below the threshold {threshold}: train it as the notebook says")


@test_case(points=3, hidden=True)
def test_accuracy_on_mnist_test(seq_model):
    from dllab_checks import load_cases
    data = load_cases("lab5_rnn")["mnist_test"]
    x = data["x"].astype("float32") / 255.0
    acc = _accuracy(seq_model, x, data["y"], "seq_model")
    threshold = _threshold()
    assert acc >= threshold, (
        f"`seq_model`: accuracy on the MNIST test set {acc:.4f} (measured with a copy of your layers and weights), below the threshold {threshold}")
