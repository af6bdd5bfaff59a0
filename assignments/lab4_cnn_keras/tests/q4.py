from otter.test_files import test_case

OK_FORMAT = False
name = "q4"
points = 3


# The CIFAR-10 network at the default arguments (rows as in q2: the order the model runs its
# layers; Dropout layers, which the notebook allows, are left out)
CIFAR = [
    {"type": "Conv2D", "output_shape": (None, 32, 32, 32), "params": 896, "activation": "relu",
     "kernel_size": (3, 3), "strides": (1, 1), "padding": "same"},
    {"type": "Conv2D", "output_shape": (None, 32, 32, 32), "params": 9248, "activation": "relu",
     "kernel_size": (3, 3), "strides": (1, 1), "padding": "same"},
    {"type": "MaxPooling2D", "output_shape": (None, 16, 16, 32), "params": 0,
     "pool_size": (2, 2), "strides": (2, 2)},
    {"type": "Conv2D", "output_shape": (None, 16, 16, 64), "params": 18496, "activation": "relu",
     "kernel_size": (3, 3), "strides": (1, 1), "padding": "same"},
    {"type": "Conv2D", "output_shape": (None, 16, 16, 64), "params": 36928, "activation": "relu",
     "kernel_size": (3, 3), "strides": (1, 1), "padding": "same"},
    {"type": "MaxPooling2D", "output_shape": (None, 8, 8, 64), "params": 0,
     "pool_size": (2, 2), "strides": (2, 2)},
    {"type": "Flatten", "output_shape": (None, 4096), "params": 0},
    {"type": "Dense", "output_shape": (None, 128), "params": 524416, "activation": "relu"},
    {"type": "Dense", "output_shape": (None, 10), "params": 1290, "activation": "softmax"},
]


@test_case(points=1, hidden=False)
def test_cifar_cnn_as_the_docstring_gives_it(build_cifar_cnn):
    from dllab_checks import call, call_label
    from dllab_keras import assert_architecture, assert_compiled_for_integer_labels
    label = call_label("build_cifar_cnn")
    model = call(build_cifar_cnn, "build_cifar_cnn")
    assert_architecture(model, CIFAR, label)
    assert_compiled_for_integer_labels(model, label)


@test_case(points=2, hidden=True)
def test_other_shapes_and_class_counts(build_cifar_cnn):
    from dllab_checks import call, call_label, load_cases
    from dllab_keras import assert_architecture
    for case in load_cases("lab4_cnn_keras")["architectures"]["build_cifar_cnn"]:
        label = call_label("build_cifar_cnn", case["kwargs"])
        model = call(build_cifar_cnn, "build_cifar_cnn", **case["kwargs"], case=label)
        assert_architecture(model, case["layers"], label)


@test_case(points=0, hidden=False)
def test_uses_only_what_the_lab_allows(build_cifar_cnn):
    # the notebook's rules (lab.toml [[rules]]): breaking one costs the whole question
    from dllab_rules import assert_follows_rules
    assert_follows_rules(build_cifar_cnn, "build_cifar_cnn", "lab4_cnn_keras")
