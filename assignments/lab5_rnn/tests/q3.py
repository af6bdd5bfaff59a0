from otter.test_files import test_case

from dllab_keras import describe_layers, assert_architecture

OK_FORMAT = False
name = "q3"
points = 3


@test_case(points=1, hidden=False)
def test_default_model(build_sequence_model):
    from dllab_checks import assert_equal, call
    model = call(build_sequence_model, "build_sequence_model")
    rows = describe_layers(model, "build_sequence_model")
    assert_equal([r["type"] for r in rows], ["LSTM", "Dense"], "build_sequence_model(): layer types")
    assert_equal(tuple(model.inputs[0].shape), (None, 28, 28), "build_sequence_model(): input shape")
    assert_equal(rows[0]["output_shape"], (None, 64), "build_sequence_model(): LSTM output (last state only)")
    assert_equal(rows[-1]["output_shape"], (None, 10), "build_sequence_model(): output")
    assert_equal(rows[-1].get("activation"), "softmax", "build_sequence_model(): output activation")
    assert getattr(model, "compiled", False), "`build_sequence_model` should return a compiled model"


@test_case(points=2, hidden=True)
def test_each_cell_and_size(build_sequence_model):
    from dllab_checks import call, load_cases
    for case in load_cases("lab5_rnn")["architectures"]:
        model = call(build_sequence_model, "build_sequence_model", **case["kwargs"])
        assert_architecture(model, case["layers"], f"build_sequence_model(**{case['kwargs']})")
