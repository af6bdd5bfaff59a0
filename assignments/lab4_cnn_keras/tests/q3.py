from otter.test_files import test_case

OK_FORMAT = False
name = "q3"
points = 2


# LeNet-5 with Conv2D(64, 3, "same", relu) + MaxPooling2D(2) after the first pooling, at the
# default arguments (rows as in q2: the order the model runs its layers)
DEEPER = [
    {"type": "Conv2D", "output_shape": (None, 28, 28, 6), "params": 156, "activation": "relu",
     "kernel_size": (5, 5), "strides": (1, 1), "padding": "same"},
    {"type": "MaxPooling2D", "output_shape": (None, 14, 14, 6), "params": 0,
     "pool_size": (2, 2), "strides": (2, 2)},
    # the new block: 64 filters on the 14x14 maps of the first pooling, pooled to 7x7
    {"type": "Conv2D", "output_shape": (None, 14, 14, 64), "params": 3520, "activation": "relu",
     "kernel_size": (3, 3), "strides": (1, 1), "padding": "same"},
    {"type": "MaxPooling2D", "output_shape": (None, 7, 7, 64), "params": 0,
     "pool_size": (2, 2), "strides": (2, 2)},
    {"type": "Conv2D", "output_shape": (None, 3, 3, 16), "params": 25616, "activation": "relu",
     "kernel_size": (5, 5), "strides": (1, 1), "padding": "valid"},
    {"type": "MaxPooling2D", "output_shape": (None, 1, 1, 16), "params": 0,
     "pool_size": (2, 2), "strides": (2, 2)},
    {"type": "Flatten", "output_shape": (None, 16), "params": 0},
    {"type": "Dense", "output_shape": (None, 120), "params": 2040, "activation": "relu"},
    {"type": "Dense", "output_shape": (None, 84), "params": 10164, "activation": "relu"},
    {"type": "Dense", "output_shape": (None, 10), "params": 850, "activation": "softmax"},
]


@test_case(points=1, hidden=False)
def test_deeper_cnn_as_the_docstring_gives_it(build_deeper_cnn):
    from dllab_checks import call, call_label
    from dllab_keras import assert_architecture, assert_compiled_for_integer_labels
    label = call_label("build_deeper_cnn")
    model = call(build_deeper_cnn, "build_deeper_cnn")
    assert_architecture(model, DEEPER, label)
    assert_compiled_for_integer_labels(model, label)


@test_case(points=1, hidden=True)
def test_other_shapes_and_class_counts(build_deeper_cnn):
    from dllab_checks import call, call_label, load_cases
    from dllab_keras import assert_architecture
    for case in load_cases("lab4_cnn_keras")["architectures"]["build_deeper_cnn"]:
        label = call_label("build_deeper_cnn", case["kwargs"])
        model = call(build_deeper_cnn, "build_deeper_cnn", **case["kwargs"], case=label)
        assert_architecture(model, case["layers"], label)


@test_case(points=0, hidden=False)
def test_uses_only_what_the_lab_allows(build_deeper_cnn):
    # the notebook's rules (lab.toml [[rules]]): breaking one costs the whole question
    from dllab_rules import assert_follows_rules
    assert_follows_rules(build_deeper_cnn, "build_deeper_cnn", "lab4_cnn_keras")
