from otter.test_files import test_case

from dllab_checks import describe_layers, assert_architecture

OK_FORMAT = False
name = "q3"
points = 2


@test_case(points=1, hidden=False)
def test_deeper_cnn_shapes(build_deeper_cnn):
    from dllab_checks import assert_equal, call
    model = call(build_deeper_cnn, "build_deeper_cnn")
    rows = describe_layers(model, "build_deeper_cnn")
    kinds = [r["type"] for r in rows]
    assert_equal(kinds[:4], ["Conv2D", "MaxPooling2D", "Conv2D", "MaxPooling2D"],
                 "build_deeper_cnn(): the first four layers")
    # the new block: 64 filters on the 14x14 maps of the first pooling, pooled to 7x7
    assert_equal(rows[2]["output_shape"], (None, 14, 14, 64), "build_deeper_cnn(): new Conv2D output")
    assert_equal(rows[3]["output_shape"], (None, 7, 7, 64), "build_deeper_cnn(): new pooling output")
    assert_equal(rows[-1]["output_shape"], (None, 10), "build_deeper_cnn(): output")


@test_case(points=1, hidden=True)
def test_other_shapes_and_class_counts(build_deeper_cnn):
    from dllab_checks import call, load_cases
    for case in load_cases("lab4_cnn_keras")["architectures"]["build_deeper_cnn"]:
        model = call(build_deeper_cnn, "build_deeper_cnn", **case["kwargs"])
        assert_architecture(model, case["layers"], f"build_deeper_cnn(**{case['kwargs']})")
