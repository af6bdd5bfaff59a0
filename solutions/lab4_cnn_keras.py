"""Reference solution of lab 4: LeNet-5 and a CIFAR-10 network in Keras.

Each function below is cut out by the build (whole for the solution notebook, signature and
docstring for the student's). The notebook imports numpy and keras itself, so every function
uses only those two module names.
"""

import keras
from keras import layers


def conv_param_count(f, c_in, filters):
    """Number of trainable parameters of a Conv2D layer with square f x f kernels and biases.

    Inputs:
    - f: int, kernel size (the kernel is f x f)
    - c_in: int, number of input channels (the depth of every filter)
    - filters: int, number of filters (output channels)

    Returns:
    - count: int, weights plus one bias per filter
    """
    return int((f * f * c_in + 1) * filters)


def dense_param_count(n_in, n_out):
    """Number of trainable parameters of a Dense layer with biases.

    Inputs:
    - n_in: int, number of inputs
    - n_out: int, number of units

    Returns:
    - count: int, weights plus one bias per unit
    """
    return int((n_in + 1) * n_out)


def output_size(n, f, stride=1, padding="valid"):
    """Height (or width) of the output of a convolution or pooling window, as Keras computes it.

    Inputs:
    - n: int, input height (or width)
    - f: int, window size (kernel size or pool size), odd when padding is "same"
    - stride: int, step of the window
    - padding: str, "valid" (no padding) or "same" (p = (f - 1) // 2 zeros on each side)

    Returns:
    - n_out: int, floor((n + 2p - f) / stride) + 1
    """
    pad = (f - 1) // 2 if padding == "same" else 0
    return int((n + 2 * pad - f) // stride + 1)


def build_lenet5(input_shape=(28, 28, 1), num_classes=10):
    """LeNet-5, compiled for integer labels.

    Conv2D(6, 5, "same", relu) -> MaxPooling2D(2) -> Conv2D(16, 5, "valid", relu)
    -> MaxPooling2D(2) -> Flatten -> Dense(120, relu) -> Dense(84, relu)
    -> Dense(num_classes, softmax). 61,706 parameters for 28x28x1 inputs and 10 classes.
    Strides 1 in the convolutions, pooling windows 2x2 with stride 2 and no padding, biases
    everywhere (Keras' defaults). An activation may also be a layer of its own right after its
    Conv2D or Dense (layers.ReLU(), layers.Activation("softmax")).

    Build it with keras.Sequential or the functional API (keras.Model(inputs, outputs)), not as
    a subclass of keras.Model: part 3 of the lab reads each layer's output, and only those two
    APIs record it. Give the input with keras.Input(shape=input_shape) or with input_shape= on
    the first layer, and use input_shape and num_classes: the checks also build the network
    for other image sizes and class counts.

    Compile with optimizer "adam", loss "sparse_categorical_crossentropy" (integer labels, and
    probabilities out of the softmax, so not from_logits) and metrics ["accuracy"], that one
    metric only (the notebook reads loss, accuracy = model.evaluate(...)).

    Inputs:
    - input_shape: tuple (H, W, C) of one image
    - num_classes: int, number of output units

    Returns:
    - model: a compiled keras.Sequential or functional keras.Model whose input is
      (None, *input_shape)
    """
    model = keras.Sequential([
        keras.Input(shape=input_shape),
        layers.Conv2D(6, 5, padding="same", activation="relu"),
        layers.MaxPooling2D(2),
        layers.Conv2D(16, 5, padding="valid", activation="relu"),
        layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dense(120, activation="relu"),
        layers.Dense(84, activation="relu"),
        layers.Dense(num_classes, activation="softmax"),
    ], name="lenet5")
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def build_deeper_cnn(input_shape=(28, 28, 1), num_classes=10):
    """LeNet-5 with one more convolution block after the first pooling.

    Conv2D(6, 5, "same", relu) -> MaxPooling2D(2)
    -> Conv2D(64, 3, "same", relu) -> MaxPooling2D(2)          # the new block
    -> Conv2D(16, 5, "valid", relu) -> MaxPooling2D(2) -> Flatten
    -> Dense(120, relu) -> Dense(84, relu) -> Dense(num_classes, softmax).
    Strides 1 in the convolutions, pooling windows 2x2 with stride 2 and no padding (so the last
    pooling turns 3x3 maps into 1x1 for 28x28 images).

    Built and compiled like build_lenet5: keras.Sequential or the functional API, optimizer
    "adam", loss "sparse_categorical_crossentropy", metrics ["accuracy"].

    Inputs:
    - input_shape: tuple (H, W, C) of one image
    - num_classes: int, number of output units

    Returns:
    - model: a compiled keras.Sequential or functional keras.Model whose input is
      (None, *input_shape)
    """
    model = keras.Sequential([
        keras.Input(shape=input_shape),
        layers.Conv2D(6, 5, padding="same", activation="relu"),
        layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, padding="same", activation="relu"),
        layers.MaxPooling2D(2),
        layers.Conv2D(16, 5, padding="valid", activation="relu"),
        layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dense(120, activation="relu"),
        layers.Dense(84, activation="relu"),
        layers.Dense(num_classes, activation="softmax"),
    ], name="deeper_cnn")
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def build_cifar_cnn(input_shape=(32, 32, 3), num_classes=10):
    """The exercise's CIFAR-10 network: conv, conv, pool, conv, conv, pool, flatten, dense, output.

    Conv2D(32, 3, "same", relu) -> Conv2D(32, 3, "same", relu) -> MaxPooling2D(2)
    -> Conv2D(64, 3, "same", relu) -> Conv2D(64, 3, "same", relu) -> MaxPooling2D(2)
    -> Flatten -> Dense(128, relu) -> Dense(num_classes, softmax).
    3x3 kernels with stride 1, pooling windows 2x2 with stride 2 and no padding. Dropout layers
    may be added anywhere: the checks leave them out.

    Built and compiled like build_lenet5: keras.Sequential or the functional API, optimizer
    "adam", loss "sparse_categorical_crossentropy", metrics ["accuracy"].

    Inputs:
    - input_shape: tuple (H, W, C) of one image
    - num_classes: int, number of output units

    Returns:
    - model: a compiled keras.Sequential or functional keras.Model whose input is
      (None, *input_shape)
    """
    model = keras.Sequential([
        keras.Input(shape=input_shape),
        layers.Conv2D(32, 3, padding="same", activation="relu"),
        layers.Conv2D(32, 3, padding="same", activation="relu"),
        layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, padding="same", activation="relu"),
        layers.Conv2D(64, 3, padding="same", activation="relu"),
        layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dense(128, activation="relu"),
        layers.Dense(num_classes, activation="softmax"),
    ], name="cifar_cnn")
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def feature_maps(model, images, layer_name):
    """The activations (outputs) of one layer of `model` for a batch of images.

    Inputs:
    - model: a built keras.Model (Sequential or functional)
    - images: array (N, H, W, C) in the model's input format
    - layer_name: str, the `name` of one of the model's layers

    Returns:
    - maps: array, the layer's output for the N images (np.asarray turns what Keras returns
      into one), e.g. (N, 28, 28, 6) for LeNet-5's first convolution
    """
    layer = model.get_layer(layer_name)
    probe = keras.Model(inputs=model.inputs, outputs=layer.output)
    # called directly (predict() would compile a function for every new probe), with its one
    # input in a list, as model.inputs is
    return keras.ops.convert_to_numpy(probe([images], training=False))


def train_model(model, x, y, epochs, batch_size=64, seed=0, validation_data=None):
    """Train a compiled model with mini-batch gradient descent, reproducibly.

    Seed every random generator Keras uses (keras.utils.set_random_seed) before fitting, so that
    the shuffling of the batches is the same on every run.

    Inputs:
    - model: a compiled keras.Model
    - x: array of training images
    - y: array of the integer labels of x
    - epochs: int, number of passes over (x, y)
    - batch_size: int, examples per gradient step
    - seed: int
    - validation_data: optional pair (x_val, y_val), evaluated after each epoch

    Returns:
    - history: the keras History returned by model.fit
    """
    keras.utils.set_random_seed(seed)
    return model.fit(x, y, epochs=epochs, batch_size=batch_size, shuffle=True,
                     validation_data=validation_data, verbose=0)
