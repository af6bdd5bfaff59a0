from otter.test_files import test_case

OK_FORMAT = False
name = "q2"
points = 4


# LeNet-5 as the docstring gives it, at the default arguments: the lecture's parameter counts.
# One row per layer in the order the model runs them (Input and Dropout left out, a separate
# activation layer counted as the activation of the layer before it).
LENET5 = [
    {"type": "Conv2D", "output_shape": (None, 28, 28, 6), "params": 156, "activation": "relu",
     "kernel_size": (5, 5), "strides": (1, 1), "padding": "same"},
    {"type": "MaxPooling2D", "output_shape": (None, 14, 14, 6), "params": 0,
     "pool_size": (2, 2), "strides": (2, 2)},
    {"type": "Conv2D", "output_shape": (None, 10, 10, 16), "params": 2416, "activation": "relu",
     "kernel_size": (5, 5), "strides": (1, 1), "padding": "valid"},
    {"type": "MaxPooling2D", "output_shape": (None, 5, 5, 16), "params": 0,
     "pool_size": (2, 2), "strides": (2, 2)},
    {"type": "Flatten", "output_shape": (None, 400), "params": 0},
    {"type": "Dense", "output_shape": (None, 120), "params": 48120, "activation": "relu"},
    {"type": "Dense", "output_shape": (None, 84), "params": 10164, "activation": "relu"},
    {"type": "Dense", "output_shape": (None, 10), "params": 850, "activation": "softmax"},
]


@test_case(points=2, hidden=False)
def test_lenet5_as_the_docstring_gives_it(build_lenet5):
    # every layer's settings, output and parameters (61,706 in all), and the compile settings
    from dllab_checks import call, call_label
    from dllab_keras import assert_architecture, assert_compiled_for_integer_labels
    label = call_label("build_lenet5")
    model = call(build_lenet5, "build_lenet5")
    assert_architecture(model, LENET5, label)
    assert_compiled_for_integer_labels(model, label)


@test_case(points=2, hidden=True)
def test_other_shapes_and_class_counts(build_lenet5):
    # the same network for other images and class counts: input_shape and num_classes are used
    from dllab_checks import call, call_label, load_cases
    from dllab_keras import assert_architecture
    for case in load_cases("lab4_cnn_keras")["architectures"]["build_lenet5"]:
        label = call_label("build_lenet5", case["kwargs"])
        model = call(build_lenet5, "build_lenet5", **case["kwargs"], case=label)
        assert_architecture(model, case["layers"], label)


@test_case(points=0, hidden=False)
def test_uses_only_what_the_lab_allows(build_lenet5):
    # the notebook's rules (lab.toml [[rules]]): breaking one costs the whole question
    from dllab_rules import assert_follows_rules
    assert_follows_rules(build_lenet5, "build_lenet5", "lab4_cnn_keras")
