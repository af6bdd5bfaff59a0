"""Hidden inputs and expected answers of lab 4, written at build time.

Parameter counts and output sizes come from Keras itself (count_params, output shapes), not
only from the reference formulas, so a formula that agrees with the reference but not with
Keras would be caught here, at build time. The evaluation images ride along, so grading needs
no network and no data folder.
"""

import numpy as np

from autograder.checks import dllab_keras
from autograder.kernel import dllab_data


def _count_cases(keras, layers, rng):
    conv, dense, sizes = [], [], []
    for _ in range(12):
        f = int(rng.choice([1, 3, 5, 7, 11]))
        c_in = int(rng.integers(1, 65))
        filters = int(rng.integers(1, 129))
        layer = layers.Conv2D(filters, f)
        layer.build((None, 32, 32, c_in))
        conv.append({"args": (f, c_in, filters), "expected": int(layer.count_params())})
    for _ in range(12):
        n_in, n_out = int(rng.integers(1, 5000)), int(rng.integers(1, 1000))
        layer = layers.Dense(n_out)
        layer.build((None, n_in))
        dense.append({"args": (n_in, n_out), "expected": int(layer.count_params())})
    # odd windows only for "same": the course defines it as p = (f - 1) // 2 (COURSE.md)
    for _ in range(30):
        f = int(rng.choice([1, 2, 3, 4, 5, 7, 11]))
        stride = int(rng.integers(1, 5))
        padding = "same" if (f % 2 == 1 and rng.random() < 0.5) else "valid"
        n = int(rng.integers(f, 80))
        pool = f % 2 == 0 or rng.random() < 0.3
        layer = (layers.MaxPooling2D(f, strides=stride, padding=padding) if pool
                 else layers.Conv2D(1, f, strides=stride, padding=padding))
        out = layer.compute_output_shape((None, n, n + 3, 1))
        sizes.append({"args": (n, f, stride, padding), "expected": int(out[1])})
    return conv, dense, sizes


def _feature_map_models(keras, layers):
    keras.utils.set_random_seed(4)
    seq = keras.Sequential([
        keras.Input((12, 12, 2)),
        layers.Conv2D(4, 3, padding="same", activation="relu", name="conv_a"),
        layers.MaxPooling2D(2, name="pool_a"),
        layers.Conv2D(3, 3, activation="tanh", name="conv_b"),
        layers.Flatten(name="flat"),
        layers.Dense(5, activation="softmax", name="probs"),
    ])
    inp = keras.Input((10, 9, 1))
    x = layers.Conv2D(2, 3, name="f_conv")(inp)
    x = layers.Activation("relu", name="f_relu")(x)
    x = layers.MaxPooling2D(2, name="f_pool")(x)
    out = layers.Dense(3, name="f_dense")(layers.Flatten(name="f_flat")(x))
    func = keras.Model(inp, out)
    rng = np.random.default_rng(5)
    cases = []
    for model, names in ((seq, ["conv_a", "pool_a", "conv_b"]), (func, ["f_conv", "f_relu", "f_pool"])):
        images = rng.normal(size=(3,) + tuple(model.inputs[0].shape[1:])).astype("float32")
        expected = {}
        for name in names:
            probe = keras.Model(model.inputs, model.get_layer(name).output)
            expected[name] = np.asarray(probe.predict(images, verbose=0))
        cases.append({"json": model.to_json(), "weights": model.get_weights(),
                      "images": images, "expected": expected})
    return cases


def build_cases(ref):
    import keras
    from keras import layers

    describe = dllab_keras.describe_layers
    rng = np.random.default_rng(2024)
    conv, dense, sizes = _count_cases(keras, layers, rng)
    for kind, fn in (("conv", ref.conv_param_count), ("dense", ref.dense_param_count),
                     ("size", ref.output_size)):
        for case in {"conv": conv, "dense": dense, "size": sizes}[kind]:
            assert fn(*case["args"]) == case["expected"], (kind, case)

    # Shapes and class counts a hard-coded answer gets wrong. The default arguments are the
    # public checks' (tests/q2-q4 hold the whole network there), so the hidden ones add only
    # what those cannot see: a size, a channel count, a class count other than the default,
    # and a non-square image. Each size before a pooling is odd or even as at the defaults, so
    # a pooling's padding changes nothing here that the public check has not already shown
    variants = {
        "build_lenet5": [{"input_shape": (32, 32, 1), "num_classes": 5},
                         {"input_shape": (28, 28, 3), "num_classes": 10}],
        "build_deeper_cnn": [{"input_shape": (36, 36, 2), "num_classes": 7}],
        "build_cifar_cnn": [{"input_shape": (28, 28, 1), "num_classes": 4},
                            {"input_shape": (24, 32, 3), "num_classes": 10}],
    }
    architectures = {}
    for builder, kwargs_list in variants.items():
        architectures[builder] = [
            {"kwargs": kwargs, "layers": describe(getattr(ref, builder)(**kwargs), builder)}
            for kwargs in kwargs_list]

    data = dllab_data
    (_, _), (x_test, y_test) = data.load_mnist()
    (_, _), (x_eval, y_eval) = data.load_cifar10_subset()
    keras.backend.clear_session()

    return {
        "conv_param_count": conv,
        "dense_param_count": dense,
        "output_size": sizes,
        "architectures": architectures,
        "feature_maps": _feature_map_models(keras, layers),
        "mnist_test": {"x": np.asarray(x_test, np.uint8), "y": np.asarray(y_test).reshape(-1).astype(np.int64)},
        "cifar_eval": {"x": np.asarray(x_eval, np.uint8), "y": np.asarray(y_eval).reshape(-1).astype(np.int64)},
    }
