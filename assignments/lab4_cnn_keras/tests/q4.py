from otter.test_files import test_case

from dllab_checks import describe_layers, assert_architecture

OK_FORMAT = False
name = "q4"
points = 3


@test_case(points=1, hidden=False)
def test_cifar_cnn_layer_order(build_cifar_cnn):
    from dllab_checks import assert_equal, call
    model = call(build_cifar_cnn, "build_cifar_cnn")
    rows = describe_layers(model, "build_cifar_cnn")
    assert_equal([r["type"] for r in rows],
                 ["Conv2D", "Conv2D", "MaxPooling2D", "Conv2D", "Conv2D", "MaxPooling2D",
                  "Flatten", "Dense", "Dense"], "build_cifar_cnn(): layer types in order")
    assert_equal(rows[-1]["output_shape"], (None, 10), "build_cifar_cnn(): output")
    assert_equal(rows[-1].get("activation"), "softmax", "build_cifar_cnn(): output activation")


@test_case(points=2, hidden=True)
def test_other_shapes_and_class_counts(build_cifar_cnn):
    from dllab_checks import call, load_cases
    for case in load_cases("lab4_cnn_keras")["architectures"]["build_cifar_cnn"]:
        model = call(build_cifar_cnn, "build_cifar_cnn", **case["kwargs"])
        assert_architecture(model, case["layers"], f"build_cifar_cnn(**{case['kwargs']})")
