"""Lab 4: wrong answers the hidden tests must catch, and other correct answers they must accept.

No training here (the galleries must stay fast): the accuracy questions get untrained or
mismatched models; that the trained reference clears them is shown in tests/labs/test_lab4_*.py.

The architecture questions (q2-q4) meet every way Keras lets a student spell the same network
in the two APIs the lab asks for (Sequential or functional): keras.Input or input_shape=,
separate activation layers, nested blocks, one layer object called twice. The wrong answers
differ from the docstring in one stated requirement each. ONLY_AT_OTHER_SHAPES lists the wrong
answers that match the docstring at the default shapes, which only a hidden check can catch;
tests/labs/test_lab4_cnn_keras.py holds every other wrong answer to failing a public check.
"""

import math

import numpy as np
import keras
from keras import layers

from gallery.entry import Entry

LAB = "lab4_cnn_keras"
COMPILE = dict(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])


def _compiled(model, **settings):
    model.compile(**{**COMPILE, **settings})
    return model


def _lenet(input_shape=(28, 28, 1), num_classes=10, *, pad1="same", act="relu", out="softmax",
           dense1=120, kernel=5, pool=layers.MaxPooling2D, second_pool=True, compile=True,
           **settings):
    """LeNet-5 with one thing changed, to spell the wrong answers briefly (`settings` change
    the compile call)."""
    stack = [keras.Input(input_shape),
             layers.Conv2D(6, kernel, padding=pad1, activation=act), pool(2),
             layers.Conv2D(16, kernel, padding="valid", activation=act)]
    stack += [pool(2)] if second_pool else []
    stack += [layers.Flatten(), layers.Dense(dense1, activation="relu"),
              layers.Dense(84, activation="relu"), layers.Dense(num_classes, activation=out)]
    model = keras.Sequential(stack)
    return _compiled(model, **settings) if compile else model


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


def output_size_numpy_float(n, f, stride=1, padding="valid"):
    pad = (f - 1) // 2 if padding == "same" else 0
    return np.floor((n + 2 * pad - f) / stride) + 1


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


def _deeper(input_shape=(28, 28, 1), num_classes=10, *, pool_padding="valid"):
    """The deeper CNN with one thing changed."""
    def pool():
        return layers.MaxPooling2D(2, padding=pool_padding)
    return _compiled(keras.Sequential([
        keras.Input(input_shape),
        layers.Conv2D(6, 5, padding="same", activation="relu"), pool(),
        layers.Conv2D(64, 3, padding="same", activation="relu"), pool(),
        layers.Conv2D(16, 5, padding="valid", activation="relu"), pool(),
        layers.Flatten(), layers.Dense(120, activation="relu"), layers.Dense(84, activation="relu"),
        layers.Dense(num_classes, activation="softmax")]))


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
           dense=128, kernel=3, drop_conv=None, dropout=False, functional=False):
    """The CIFAR-10 network with one thing changed (or spelled another way)."""
    convs = [layers.Conv2D(k, kernel, padding=padding, activation="relu") for k in filters]
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



class LeNet5Subclassed(keras.Model):
    """LeNet-5 exactly, as a subclassed model: one pooling object called twice. Right numbers,
    but its layers record no output, which the feature-map part of the lab reads."""

    def __init__(self, num_classes=10):
        super().__init__()
        self.conv1 = layers.Conv2D(6, 5, padding="same", activation="relu")
        self.pool = layers.MaxPooling2D(2)
        self.conv2 = layers.Conv2D(16, 5, activation="relu")
        self.flatten = layers.Flatten()
        self.fc1 = layers.Dense(120, activation="relu")
        self.fc2 = layers.Dense(84, activation="relu")
        self.out = layers.Dense(num_classes, activation="softmax")

    def call(self, x):
        x = self.pool(self.conv1(x))
        x = self.pool(self.conv2(x))
        return self.out(self.fc2(self.fc1(self.flatten(x))))


def lenet_subclassed(input_shape=(28, 28, 1), num_classes=10):
    model = LeNet5Subclassed(num_classes)
    model(keras.ops.zeros((1,) + tuple(input_shape)))   # one call creates the weights: 61,706
    return _compiled(model)


def lenet_without_input(input_shape=(28, 28, 1), num_classes=10):
    # Keras 2 habit: the model learns its input shape at the first fit; until then no layer has
    # an output shape, and input_shape goes unused
    return _compiled(keras.Sequential([
        layers.Conv2D(6, 5, padding="same", activation="relu"), layers.MaxPooling2D(2),
        layers.Conv2D(16, 5, activation="relu"), layers.MaxPooling2D(2), layers.Flatten(),
        layers.Dense(120, activation="relu"), layers.Dense(84, activation="relu"),
        layers.Dense(num_classes, activation="softmax")]))


def lenet_leaky_relu(input_shape=(28, 28, 1), num_classes=10):
    inputs = keras.Input(input_shape)
    x = layers.LeakyReLU()(layers.Conv2D(6, 5, padding="same")(inputs))
    x = layers.MaxPooling2D(2)(x)
    x = layers.LeakyReLU()(layers.Conv2D(16, 5)(x))
    x = layers.Flatten()(layers.MaxPooling2D(2)(x))
    x = layers.Dense(84, activation="relu")(layers.Dense(120, activation="relu")(x))
    return _compiled(keras.Model(inputs, layers.Dense(num_classes, activation="softmax")(x)))


def deeper_fixed_input(input_shape=(28, 28, 1), num_classes=10):
    return _deeper((28, 28, 1), num_classes)


def deeper_same_pooling(input_shape=(28, 28, 1), num_classes=10):
    # padding="same" pools 3x3 maps to 2x2 where Keras' default gives 1x1
    return _deeper(input_shape, num_classes, pool_padding="same")


def cifar_subclassed(input_shape=(32, 32, 3), num_classes=10):
    class CifarNet(keras.Model):
        def __init__(self):
            super().__init__()
            self.convs = [layers.Conv2D(k, 3, padding="same", activation="relu")
                          for k in (32, 32, 64, 64)]
            self.pool = layers.MaxPooling2D(2)
            self.flatten = layers.Flatten()
            self.hidden = layers.Dense(128, activation="relu")
            self.out = layers.Dense(num_classes, activation="softmax")

        def call(self, x):
            for i, conv in enumerate(self.convs):
                x = conv(x)
                x = self.pool(x) if i in (1, 3) else x
            return self.out(self.hidden(self.flatten(x)))

    model = CifarNet()
    model(keras.ops.zeros((1,) + tuple(input_shape)))
    return _compiled(model)


def cifar_fixed_classes(input_shape=(32, 32, 3), num_classes=10):
    return _cifar(input_shape, 10)


def cifar_fixed_input(input_shape=(32, 32, 3), num_classes=10):
    return _cifar((32, 32, 3), num_classes)


_untrained_lenet = _lenet()
_untrained_cifar = _cifar()
_untrained_deeper = deeper_32_filters()

def _lenet_with(**changes):
    """A build_lenet5 that makes LeNet-5 with `changes` (see _lenet)."""
    def build_lenet5(input_shape=(28, 28, 1), num_classes=10):
        return _lenet(input_shape, num_classes, **changes)
    return build_lenet5


def _cifar_with(**changes):
    """A build_cifar_cnn that makes the CIFAR-10 network with `changes` (see _cifar)."""
    def build_cifar_cnn(input_shape=(32, 32, 3), num_classes=10):
        return _cifar(input_shape, num_classes, **changes)
    return build_cifar_cnn


WRONG = [
    Entry("q1", "conv params without biases", {"conv_param_count": conv_params_no_bias}),
    Entry("q1", "conv params with one bias for the layer", {"conv_param_count": conv_params_one_bias}),
    Entry("q1", "dense params without biases", {"dense_param_count": dense_params_no_bias}),
    Entry("q1", "output size with true division", {"output_size": output_size_true_division}, public=True,
          message=("`output_size(28, 5, 1, 'same')` should return an int, got float 28.0",)),
    Entry("q1", "output size with np.floor, a numpy float", {"output_size": output_size_numpy_float}, public=True,
          message=("`output_size(28, 5, 1, 'same')` should return an int, got numpy.float64 28.0",)),
    Entry("q1", "conv params as a float", {"conv_param_count": lambda f, c_in, filters: (f * f * c_in + 1.0) * filters},
          public=True, message=("`conv_param_count(5, 1, 6)` should return an int, got float 156.0",)),
    Entry("q1", "output size ignores 'same'", {"output_size": output_size_ignores_same}),
    Entry("q1", "output size ignores the stride", {"output_size": output_size_ignores_stride}),
    Entry("q1", "output size rounds instead of flooring", {"output_size": output_size_rounds}, public=True,
          message=("`output_size(28, 3, 2, 'same')`: expected 14, got 15",)),
    Entry("q2", "'valid' for 'same' in the first conv", {"build_lenet5": _lenet_with(pad1="valid")}),
    Entry("q2", "second pooling missing", {"build_lenet5": _lenet_with(second_pool=False)}),
    Entry("q2", "tanh in the convolutions", {"build_lenet5": _lenet_with(act="tanh")}),
    Entry("q2", "softmax missing", {"build_lenet5": _lenet_with(out=None)}),
    Entry("q2", "Dense(100) for Dense(120)", {"build_lenet5": _lenet_with(dense1=100)}),
    Entry("q2", "3x3 kernels", {"build_lenet5": _lenet_with(kernel=3)}),
    Entry("q2", "average pooling", {"build_lenet5": _lenet_with(pool=layers.AveragePooling2D)}),
    Entry("q2", "LeakyReLU layers for ReLU in the convolutions", {"build_lenet5": lenet_leaky_relu}),
    Entry("q2", "not compiled", {"build_lenet5": _lenet_with(compile=False)}),
    Entry("q2", "categorical_crossentropy (one-hot labels)", {"build_lenet5": _lenet_with(loss="categorical_crossentropy")}),
    Entry("q2", "from_logits=True after a softmax", {"build_lenet5": _lenet_with(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))}),
    Entry("q2", "no metric", {"build_lenet5": _lenet_with(metrics=None)}),
    Entry("q2", "SGD for Adam", {"build_lenet5": _lenet_with(optimizer="sgd")}),
    Entry("q2", "subclassed keras.Model, the right network", {"build_lenet5": lenet_subclassed}),
    Entry("q2", "Sequential without an input", {"build_lenet5": lenet_without_input}),
    Entry("q2", "input shape hard-coded", {"build_lenet5": lenet_fixed_input}),
    Entry("q2", "10 classes hard-coded", {"build_lenet5": lenet_fixed_classes}),
    Entry("q3", "new block after the second pooling", {"build_deeper_cnn": deeper_block_after_second_pool}),
    Entry("q3", "32 filters in the new block", {"build_deeper_cnn": deeper_32_filters}),
    Entry("q3", "LeNet-5 itself", {"build_deeper_cnn": lambda input_shape=(28, 28, 1), num_classes=10: _lenet(input_shape, num_classes)}),
    Entry("q3", "pooling with padding='same'", {"build_deeper_cnn": deeper_same_pooling}),
    Entry("q3", "input shape hard-coded", {"build_deeper_cnn": deeper_fixed_input}),
    Entry("q4", "a convolution missing", {"build_cifar_cnn": _cifar_with(drop_conv=1)}),
    Entry("q4", "'valid' padding", {"build_cifar_cnn": _cifar_with(padding="valid")}),
    Entry("q4", "Dense(256) for Dense(128)", {"build_cifar_cnn": _cifar_with(dense=256)}),
    Entry("q4", "Dense(512) for Dense(128)", {"build_cifar_cnn": _cifar_with(dense=512)}),
    Entry("q4", "5x5 kernels", {"build_cifar_cnn": _cifar_with(kernel=5)}),
    Entry("q4", "filters 32, 64, 64, 128", {"build_cifar_cnn": _cifar_with(filters=(32, 64, 64, 128))}),
    Entry("q4", "subclassed keras.Model, the right network", {"build_cifar_cnn": cifar_subclassed}),
    Entry("q4", "input shape hard-coded", {"build_cifar_cnn": cifar_fixed_input}),
    Entry("q4", "10 classes hard-coded", {"build_cifar_cnn": cifar_fixed_classes}),
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

# Wrong answers that are the docstring's network at the default arguments: a hidden check
# (other input shapes and class counts) is the only one that can catch them.
ONLY_AT_OTHER_SHAPES = {
    ("q2", "input shape hard-coded"), ("q2", "10 classes hard-coded"),
    ("q3", "input shape hard-coded"),
    ("q4", "input shape hard-coded"), ("q4", "10 classes hard-coded"),
}


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
    model.compile(optimizer=keras.optimizers.Adam(), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
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
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(), metrics=["accuracy"])
    return model


def lenet_input_shape_argument(input_shape=(28, 28, 1), num_classes=10):
    # Keras 2's way to give the input (Keras 3 warns, and builds the same model); the loss as a
    # function and the metric as an object
    model = keras.Sequential([
        layers.Conv2D(6, 5, padding="same", activation="relu", input_shape=input_shape),
        layers.MaxPooling2D(), layers.Conv2D(16, 5, activation="relu"), layers.MaxPooling2D(),
        layers.Flatten(), layers.Dense(120, activation="relu"), layers.Dense(84, activation="relu"),
        layers.Dense(num_classes, activation="softmax")])
    model.compile(optimizer="adam", loss=keras.losses.sparse_categorical_crossentropy,
                  metrics=[keras.metrics.SparseCategoricalAccuracy()])
    return model


def lenet_input_layer_activation_functions(input_shape=(28, 28, 1), num_classes=10):
    relu = keras.activations.relu
    model = keras.Sequential([
        layers.InputLayer(shape=input_shape),
        layers.Conv2D(6, (5, 5), padding="same", activation=relu), layers.MaxPool2D((2, 2)),
        layers.Conv2D(16, (5, 5), activation=relu), layers.MaxPool2D((2, 2)),
        layers.Flatten(), layers.Dense(120, activation=relu), layers.Dense(84, activation=relu),
        layers.Dense(num_classes, activation=keras.activations.softmax)])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["acc"])
    return model


def lenet_nested_blocks(input_shape=(28, 28, 1), num_classes=10):
    # each block its own Sequential, without an Input: Keras builds it when the outer model calls it
    def conv_block(filters, padding):
        return keras.Sequential([layers.Conv2D(filters, 5, padding=padding, activation="relu"),
                                 layers.MaxPooling2D(2)])
    classifier = keras.Sequential([layers.Flatten(), layers.Dense(120, activation="relu"),
                                   layers.Dense(84, activation="relu"),
                                   layers.Dense(num_classes, activation="softmax")])
    return _compiled(keras.Sequential([keras.Input(input_shape), conv_block(6, "same"),
                                       conv_block(16, "valid"), classifier]))


def lenet_one_pooling_layer_twice(input_shape=(28, 28, 1), num_classes=10):
    pool = layers.MaxPooling2D(2)          # no weights, so one object serves both places
    return _compiled(keras.Sequential([
        keras.Input(input_shape), layers.Conv2D(6, 5, padding="same", activation="relu"), pool,
        layers.Conv2D(16, 5, activation="relu"), pool, layers.Flatten(),
        layers.Dense(120, activation="relu"), layers.Dense(84, activation="relu"),
        layers.Dense(num_classes, activation="softmax")]))


def lenet_functional_ops_relu_shared_pool_nested_head(input_shape=(28, 28, 1), num_classes=10):
    pool = layers.MaxPool2D()
    features_in = keras.Input(input_shape)
    x = pool(keras.ops.relu(layers.Conv2D(6, 5, padding="same")(features_in)))
    x = pool(keras.ops.relu(layers.Conv2D(16, 5)(x)))
    head_in = keras.Input(x.shape[1:])
    h = layers.Dense(84, activation="relu")(layers.Dense(120, activation="relu")(layers.Flatten()(head_in)))
    head = keras.Model(head_in, layers.Activation("softmax")(layers.Dense(num_classes)(h)))
    return _compiled(keras.Model(features_in, head(x)))


def lenet_relu_after_pooling(input_shape=(28, 28, 1), num_classes=10):
    # max pooling and ReLU commute (ReLU never lowers a maximum), so this is LeNet-5 again
    return _compiled(keras.Sequential([
        keras.Input(input_shape), layers.Conv2D(6, 5, padding="same"), layers.MaxPooling2D(2),
        layers.ReLU(), layers.Conv2D(16, 5), layers.MaxPooling2D(2), layers.Activation("relu"),
        layers.Flatten(), layers.Dense(120, activation="relu"), layers.Dense(84, activation="relu"),
        layers.Dense(num_classes, activation="softmax")]))


class LeNet5Graph(keras.Model):
    """A keras.Model subclass that builds its graph in __init__: the functional API."""

    def __init__(self, input_shape=(28, 28, 1), num_classes=10):
        inputs = keras.Input(input_shape)
        x = layers.MaxPooling2D(2)(layers.Conv2D(6, 5, padding="same", activation="relu")(inputs))
        x = layers.MaxPooling2D(2)(layers.Conv2D(16, 5, activation="relu")(x))
        x = layers.Dense(84, activation="relu")(layers.Dense(120, activation="relu")(layers.Flatten()(x)))
        super().__init__(inputs=inputs, outputs=layers.Dense(num_classes, activation="softmax")(x))


def lenet_functional_subclass(input_shape=(28, 28, 1), num_classes=10):
    return _compiled(LeNet5Graph(input_shape, num_classes))


def lenet_built_by_build(input_shape=(28, 28, 1), num_classes=10):
    model = keras.Sequential()
    for layer in (layers.Conv2D(6, 5, padding="same", activation="relu"), layers.MaxPooling2D(2),
                  layers.Conv2D(16, 5, activation="relu"), layers.MaxPooling2D(2), layers.Flatten(),
                  layers.Dense(120, activation="relu"), layers.Dense(84, activation="relu"),
                  layers.Dense(num_classes, activation="softmax")):
        model.add(layer)
    model.build((None,) + tuple(input_shape))
    return _compiled(model)


def deeper_functional_blocks_one_pool(input_shape=(28, 28, 1), num_classes=10):
    pool = layers.MaxPooling2D(pool_size=2, strides=2)

    def block(x, filters, kernel, padding):
        return pool(layers.Activation("relu")(layers.Conv2D(filters, kernel, padding=padding)(x)))

    inputs = keras.Input(shape=input_shape)
    x = block(block(block(inputs, 6, 5, "same"), 64, 3, "same"), 16, 5, "valid")
    x = layers.Dense(84, activation="relu")(layers.Dense(120, activation="relu")(layers.Flatten()(x)))
    return _compiled(keras.Model(inputs, layers.Dense(num_classes, activation="softmax")(x)))


def cifar_vgg_blocks(input_shape=(32, 32, 3), num_classes=10):
    def vgg_block(filters):
        return keras.Sequential([layers.Conv2D(filters, (3, 3), padding="same"), layers.ReLU(),
                                 layers.Conv2D(filters, (3, 3), padding="same"), layers.ReLU(),
                                 layers.MaxPooling2D((2, 2)), layers.Dropout(0.2)])
    model = keras.Sequential([keras.Input(input_shape), vgg_block(32), vgg_block(64),
                              layers.Flatten(), layers.Dense(128), layers.Activation("relu"),
                              layers.Dropout(0.5), layers.Dense(num_classes), layers.Softmax()])
    model.compile(optimizer=keras.optimizers.Adam(), metrics=["accuracy"],
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=False))
    return model


def cifar_input_shape_argument(input_shape=(32, 32, 3), num_classes=10):
    model = keras.Sequential()
    model.add(layers.Conv2D(32, 3, padding="same", activation="relu", input_shape=input_shape))
    for filters in (32, 64, 64):
        model.add(layers.Conv2D(filters, 3, padding="same", activation="relu"))
        if filters == 32:
            model.add(layers.MaxPooling2D())
    model.add(layers.MaxPooling2D())
    model.add(layers.Flatten())
    model.add(layers.Dense(128, activation="relu"))
    model.add(layers.Dense(num_classes, activation="softmax"))
    return _compiled(model)


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
    Entry("q2", "input_shape= on the first layer; loss and metric as objects", {"build_lenet5": lenet_input_shape_argument}),
    Entry("q2", "InputLayer; activations as functions; metric 'acc'", {"build_lenet5": lenet_input_layer_activation_functions}),
    Entry("q2", "nested Sequential blocks", {"build_lenet5": lenet_nested_blocks}),
    Entry("q2", "one MaxPooling2D object used twice", {"build_lenet5": lenet_one_pooling_layer_twice}),
    Entry("q2", "functional, keras.ops.relu, a shared pooling, a nested head", {"build_lenet5": lenet_functional_ops_relu_shared_pool_nested_head}),
    Entry("q2", "ReLU after the max pooling", {"build_lenet5": lenet_relu_after_pooling}),
    Entry("q2", "keras.Model subclass that builds a functional graph", {"build_lenet5": lenet_functional_subclass}),
    Entry("q2", "Sequential built with model.build", {"build_lenet5": lenet_built_by_build}),
    Entry("q3", "functional blocks sharing one pooling layer", {"build_deeper_cnn": deeper_functional_blocks_one_pool}),
    Entry("q4", "with Dropout layers", {"build_cifar_cnn": _cifar_with(dropout=True)}),
    Entry("q4", "functional API", {"build_cifar_cnn": _cifar_with(functional=True)}),
    Entry("q4", "nested VGG blocks, separate activations, Dropout", {"build_cifar_cnn": cifar_vgg_blocks}),
    Entry("q4", "input_shape= on the first layer, Sequential.add", {"build_cifar_cnn": cifar_input_shape_argument}),
    Entry("q5", "layer by layer", {"feature_maps": feature_maps_layer_by_layer}),
    Entry("q5", "calling a probe model", {"feature_maps": feature_maps_model_call}),
]


# --- the lab's rules (lab.toml [[rules]]): the Keras 3 API only, never tf.* -------------------

def lenet_through_tf_keras(input_shape=(28, 28, 1), num_classes=10):
    import tensorflow as tf  # the same network, spelled with tf.keras: the notebook forbids tf.*
    tl = tf.keras.layers
    return _compiled(tf.keras.Sequential([
        tf.keras.Input(input_shape), tl.Conv2D(6, 5, padding="same", activation="relu"), tl.MaxPooling2D(2),
        tl.Conv2D(16, 5, activation="relu"), tl.MaxPooling2D(2), tl.Flatten(),
        tl.Dense(120, activation="relu"), tl.Dense(84, activation="relu"),
        tl.Dense(num_classes, activation="softmax")]))


WRONG += [
    Entry("q2", "LeNet-5 through tf.keras", {"build_lenet5": lenet_through_tf_keras},
          message=("tensorflow", "does not allow", "never `tf.*`")),
]
