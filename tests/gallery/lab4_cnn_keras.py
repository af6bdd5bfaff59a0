"""Lab 4: wrong answers the hidden tests must catch, and other correct answers they must accept.

No training here (the galleries must stay fast): the accuracy questions get untrained or
mismatched models; that the trained reference clears them is shown in tests/test_lab4_*.py.
"""

import math

import numpy as np
import keras
from keras import layers

from gallery.entry import Entry

LAB = "lab4_cnn_keras"
COMPILE = dict(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])


def _compiled(model):
    model.compile(**COMPILE)
    return model


def _lenet(input_shape=(28, 28, 1), num_classes=10, *, pad1="same", act="relu", out="softmax",
           dense1=120, kernel=5, pool=layers.MaxPooling2D, second_pool=True, compile=True):
    """LeNet-5 with one thing changed, to spell the wrong answers briefly."""
    stack = [keras.Input(input_shape),
             layers.Conv2D(6, kernel, padding=pad1, activation=act), pool(2),
             layers.Conv2D(16, kernel, padding="valid", activation=act)]
    stack += [pool(2)] if second_pool else []
    stack += [layers.Flatten(), layers.Dense(dense1, activation="relu"),
              layers.Dense(84, activation="relu"), layers.Dense(num_classes, activation=out)]
    model = keras.Sequential(stack)
    return _compiled(model) if compile else model


# --- wrong answers ------------------------------------------------------------------------------

def conv_params_no_bias(f, c_in, filters):
    return f * f * c_in * filters


def conv_params_one_bias(f, c_in, filters):
    return f * f * c_in * filters + 1


def dense_params_no_bias(n_in, n_out):
    return n_in * n_out


def output_size_true_division(n, f, stride=1, padding="valid"):
    pad = (f - 1) // 2 if padding == "same" else 0
    return (n + 2 * pad - f) / stride + 1


def output_size_ignores_same(n, f, stride=1, padding="valid"):
    return (n - f) // stride + 1


def output_size_ignores_stride(n, f, stride=1, padding="valid"):
    pad = (f - 1) // 2 if padding == "same" else 0
    return n + 2 * pad - f + 1


def output_size_rounds(n, f, stride=1, padding="valid"):
    pad = (f - 1) // 2 if padding == "same" else 0
    return round((n + 2 * pad - f) / stride) + 1


def lenet_fixed_input(input_shape=(28, 28, 1), num_classes=10):
    return _lenet((28, 28, 1), num_classes)


def lenet_fixed_classes(input_shape=(28, 28, 1), num_classes=10):
    return _lenet(input_shape, 10)


def deeper_block_after_second_pool(input_shape=(28, 28, 1), num_classes=10):
    return _compiled(keras.Sequential([
        keras.Input(input_shape),
        layers.Conv2D(6, 5, padding="same", activation="relu"), layers.MaxPooling2D(2),
        layers.Conv2D(16, 5, padding="valid", activation="relu"), layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, padding="same", activation="relu"), layers.MaxPooling2D(2),
        layers.Flatten(), layers.Dense(120, activation="relu"), layers.Dense(84, activation="relu"),
        layers.Dense(num_classes, activation="softmax")]))


def deeper_32_filters(input_shape=(28, 28, 1), num_classes=10):
    return _compiled(keras.Sequential([
        keras.Input(input_shape),
        layers.Conv2D(6, 5, padding="same", activation="relu"), layers.MaxPooling2D(2),
        layers.Conv2D(32, 3, padding="same", activation="relu"), layers.MaxPooling2D(2),
        layers.Conv2D(16, 5, padding="valid", activation="relu"), layers.MaxPooling2D(2),
        layers.Flatten(), layers.Dense(120, activation="relu"), layers.Dense(84, activation="relu"),
        layers.Dense(num_classes, activation="softmax")]))


def _cifar(input_shape=(32, 32, 3), num_classes=10, *, filters=(32, 32, 64, 64), padding="same",
           dense=128, drop_conv=None, dropout=False, functional=False):
    convs = [layers.Conv2D(k, 3, padding=padding, activation="relu") for k in filters]
    stack = [keras.Input(input_shape)]
    for i, conv in enumerate(convs):
        if i != drop_conv:
            stack.append(conv)
        if i in (1, 3):
            stack.append(layers.MaxPooling2D(2))
            if dropout:
                stack.append(layers.Dropout(0.25))
    stack += [layers.Flatten(), layers.Dense(dense, activation="relu")]
    stack += [layers.Dropout(0.5)] if dropout else []
    stack += [layers.Dense(num_classes, activation="softmax")]
    if functional:
        x = stack[0]
        for layer in stack[1:]:
            x = layer(x)
        return _compiled(keras.Model(stack[0], x))
    return _compiled(keras.Sequential(stack))


def feature_maps_final_output(model, images, layer_name):
    return model.predict(images, verbose=0)


def feature_maps_layer_input(model, images, layer_name):
    probe = keras.Model(model.inputs, model.get_layer(layer_name).input)
    return probe.predict(images, verbose=0)


def feature_maps_next_layer(model, images, layer_name):
    names = [l.name for l in model.layers]
    layer = model.layers[min(names.index(layer_name) + 1, len(names) - 1)]
    return keras.Model(model.inputs, layer.output).predict(images, verbose=0)


def feature_maps_first_image_only(model, images, layer_name):
    probe = keras.Model(model.inputs, model.get_layer(layer_name).output)
    return probe.predict(images[:1], verbose=0)


_untrained_lenet = _lenet()
_untrained_cifar = _cifar()
_untrained_deeper = deeper_32_filters()

WRONG = [
    Entry("q1", "conv params without biases", {"conv_param_count": conv_params_no_bias}),
    Entry("q1", "conv params with one bias for the layer", {"conv_param_count": conv_params_one_bias}),
    Entry("q1", "dense params without biases", {"dense_param_count": dense_params_no_bias}),
    Entry("q1", "output size with true division", {"output_size": output_size_true_division}),
    Entry("q1", "output size ignores 'same'", {"output_size": output_size_ignores_same}),
    Entry("q1", "output size ignores the stride", {"output_size": output_size_ignores_stride}),
    Entry("q1", "output size rounds instead of flooring", {"output_size": output_size_rounds}),
    Entry("q2", "'valid' for 'same' in the first conv", {"build_lenet5": lambda input_shape=(28, 28, 1), num_classes=10: _lenet(input_shape, num_classes, pad1="valid")}),
    Entry("q2", "second pooling missing", {"build_lenet5": lambda input_shape=(28, 28, 1), num_classes=10: _lenet(input_shape, num_classes, second_pool=False)}),
    Entry("q2", "tanh in the convolutions", {"build_lenet5": lambda input_shape=(28, 28, 1), num_classes=10: _lenet(input_shape, num_classes, act="tanh")}),
    Entry("q2", "softmax missing", {"build_lenet5": lambda input_shape=(28, 28, 1), num_classes=10: _lenet(input_shape, num_classes, out=None)}),
    Entry("q2", "Dense(100) for Dense(120)", {"build_lenet5": lambda input_shape=(28, 28, 1), num_classes=10: _lenet(input_shape, num_classes, dense1=100)}),
    Entry("q2", "3x3 kernels", {"build_lenet5": lambda input_shape=(28, 28, 1), num_classes=10: _lenet(input_shape, num_classes, kernel=3)}),
    Entry("q2", "average pooling", {"build_lenet5": lambda input_shape=(28, 28, 1), num_classes=10: _lenet(input_shape, num_classes, pool=layers.AveragePooling2D)}),
    Entry("q2", "not compiled", {"build_lenet5": lambda input_shape=(28, 28, 1), num_classes=10: _lenet(input_shape, num_classes, compile=False)}),
    Entry("q2", "input shape hard-coded", {"build_lenet5": lenet_fixed_input}),
    Entry("q2", "10 classes hard-coded", {"build_lenet5": lenet_fixed_classes}),
    Entry("q3", "new block after the second pooling", {"build_deeper_cnn": deeper_block_after_second_pool}),
    Entry("q3", "32 filters in the new block", {"build_deeper_cnn": deeper_32_filters}),
    Entry("q3", "LeNet-5 itself", {"build_deeper_cnn": lambda input_shape=(28, 28, 1), num_classes=10: _lenet(input_shape, num_classes)}),
    Entry("q4", "a convolution missing", {"build_cifar_cnn": lambda input_shape=(32, 32, 3), num_classes=10: _cifar(input_shape, num_classes, drop_conv=1)}),
    Entry("q4", "'valid' padding", {"build_cifar_cnn": lambda input_shape=(32, 32, 3), num_classes=10: _cifar(input_shape, num_classes, padding="valid")}),
    Entry("q4", "Dense(256) for Dense(128)", {"build_cifar_cnn": lambda input_shape=(32, 32, 3), num_classes=10: _cifar(input_shape, num_classes, dense=256)}),
    Entry("q4", "filters 32, 64, 64, 128", {"build_cifar_cnn": lambda input_shape=(32, 32, 3), num_classes=10: _cifar(input_shape, num_classes, filters=(32, 64, 64, 128))}),
    Entry("q5", "the model's output whatever the layer", {"feature_maps": feature_maps_final_output}),
    Entry("q5", "the layer's input", {"feature_maps": feature_maps_layer_input}),
    Entry("q5", "the next layer's output", {"feature_maps": feature_maps_next_layer}),
    Entry("q5", "the first image only", {"feature_maps": feature_maps_first_image_only}),
    Entry("q6", "untrained LeNet-5", {"lenet": _untrained_lenet}),
    Entry("q6", "another network in `lenet`", {"lenet": _untrained_deeper}),
    Entry("q6", "never built", {"lenet": None}),
    Entry("q7", "untrained CIFAR network", {"cifar_model": _untrained_cifar}),
    Entry("q7", "LeNet-5 in `cifar_model`", {"cifar_model": _lenet((32, 32, 3))}),
]


# --- other correct answers ----------------------------------------------------------------------

def conv_params_expanded(f, c_in, filters):
    return f * f * c_in * filters + filters


def output_size_ceil_same(n, f, stride=1, padding="valid"):
    # Keras' own rule: "same" gives ceil(n / stride), "valid" ceil((n - f + 1) / stride)
    if padding == "same":
        return math.ceil(n / stride)
    return math.ceil((n - f + 1) / stride)


def output_size_numpy(n, f, stride=1, padding="valid"):
    pad = f // 2 if padding == "same" else 0          # f is odd for "same": f // 2 == (f - 1) // 2
    return np.int64(np.floor((n + 2 * pad - f) / stride) + 1)


def lenet_functional_activation_layers(input_shape=(28, 28, 1), num_classes=10):
    inputs = keras.Input(shape=input_shape)
    x = layers.Conv2D(6, (5, 5), padding="same")(inputs)
    x = layers.Activation("relu")(x)
    x = layers.MaxPool2D(pool_size=(2, 2), strides=(2, 2))(x)
    x = layers.Conv2D(16, (5, 5))(x)
    x = layers.ReLU()(x)
    x = layers.MaxPool2D()(x)
    x = layers.Flatten()(x)
    x = layers.Dense(120, activation=keras.activations.relu)(x)
    x = layers.Dense(84)(x)
    x = layers.Activation(keras.activations.relu)(x)
    x = layers.Dense(num_classes)(x)
    outputs = layers.Softmax()(x)
    model = keras.Model(inputs, outputs, name="lenet_functional")
    model.compile(optimizer=keras.optimizers.SGD(0.01), loss="sparse_categorical_crossentropy")
    return model


def lenet_add_calls(input_shape=(28, 28, 1), num_classes=10):
    # layers made first, in another order, then added in network order
    dense_layers = [layers.Dense(n, activation="relu") for n in (120, 84)]
    output = layers.Dense(num_classes, activation="softmax")
    convs = [layers.Conv2D(6, 5, strides=1, padding="same", activation="relu"),
             layers.Conv2D(16, 5, strides=(1, 1), padding="valid", activation="relu")]
    model = keras.Sequential(name="lenet_add")
    model.add(keras.Input(shape=input_shape))
    for conv in convs:
        model.add(conv)
        model.add(layers.MaxPooling2D(2, padding="same"))   # same as "valid" on even sizes
    model.add(layers.Flatten())
    for layer in dense_layers:
        model.add(layer)
    model.add(output)
    model.compile(optimizer="rmsprop", loss=keras.losses.SparseCategoricalCrossentropy(),
                  metrics=["accuracy"])
    return model


def feature_maps_layer_by_layer(model, images, layer_name):
    x = keras.ops.convert_to_tensor(images)
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        x = layer(x, training=False)
        if layer.name == layer_name:
            return keras.ops.convert_to_numpy(x)
    raise ValueError(f"no layer {layer_name}")


def feature_maps_model_call(model, images, layer_name):
    probe = keras.models.Model(inputs=model.inputs, outputs=model.get_layer(name=layer_name).output)
    return keras.ops.convert_to_numpy(probe(images, training=False))


RIGHT = [
    Entry("q1", "bias added separately; Keras' ceil rule", {"conv_param_count": conv_params_expanded, "output_size": output_size_ceil_same}),
    Entry("q1", "numpy floor, f // 2 padding", {"output_size": output_size_numpy}),
    Entry("q2", "functional API, Activation/ReLU/Softmax layers", {"build_lenet5": lenet_functional_activation_layers}),
    Entry("q2", "Sequential.add, layers made in another order", {"build_lenet5": lenet_add_calls}),
    Entry("q4", "with Dropout layers", {"build_cifar_cnn": lambda input_shape=(32, 32, 3), num_classes=10: _cifar(input_shape, num_classes, dropout=True)}),
    Entry("q4", "functional API", {"build_cifar_cnn": lambda input_shape=(32, 32, 3), num_classes=10: _cifar(input_shape, num_classes, functional=True)}),
    Entry("q5", "layer by layer", {"feature_maps": feature_maps_layer_by_layer}),
    Entry("q5", "calling a probe model", {"feature_maps": feature_maps_model_call}),
]
