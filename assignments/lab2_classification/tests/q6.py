from otter.test_files import test_case

OK_FORMAT = False
name = "q6"
points = 3


def _check_mlp(model, input_dim, num_classes):
    import numpy as np
    import keras
    from dllab_checks import assert_close, assert_shape
    label = f"build_mlp({input_dim}, {num_classes})"
    assert model is not None, f"`{label}` returned None: the function is still a stub"
    assert isinstance(model, keras.Model), f"`{label}` should return a keras.Model, got {type(model).__name__}"
    assert getattr(model, "compiled", False) and model.loss is not None, (
        f"`{label}`: the model is not compiled; call model.compile(...) before returning it")
    x = np.random.default_rng(input_dim).uniform(0.0, 1.0, size=(8, input_dim)).astype("float32")
    try:
        raw = model.predict(x, verbose=0)
    except Exception as e:
        raise AssertionError(f"`{label}`: the model fails on a batch of shape (8, {input_dim}) "
                             f"({type(e).__name__}); build it for input_dim inputs") from None
    probs = assert_shape(raw, (8, num_classes), f"{label}: output for 8 inputs")
    assert (probs >= 0).all(), f"`{label}`: outputs should be probabilities (softmax), found negative values"
    assert_close(probs.sum(axis=1), [1.0] * 8, f"{label}: sum of every output row (softmax)", rtol=1e-4, atol=1e-5)
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    assert len(dense) >= 2, f"`{label}`: expected hidden Dense layers before the output layer, found {len(dense)} Dense layer(s)"
    # the loss, whatever its spelling, must be the categorical cross-entropy of one-hot labels
    y = np.eye(num_classes, dtype="float32")[np.arange(8) % num_classes]
    try:
        loss = np.asarray(keras.losses.get(model.loss)(y, probs.astype("float32")), dtype="float64").mean()
    except Exception as e:
        raise AssertionError(f"`{label}`: the compiled loss does not take one-hot labels ({type(e).__name__}); "
                             f"use 'categorical_crossentropy'") from None
    expected = -(y * np.log(np.clip(probs, 1e-7, 1.0))).sum(axis=1).mean()
    assert_close([loss], [expected], f"{label}: the compiled loss (expected categorical cross-entropy)",
                 rtol=1e-3, atol=1e-5)


@test_case(points=2, hidden=False)
def test_mnist_classifier(build_mlp):
    from dllab_checks import call
    _check_mlp(call(build_mlp, "build_mlp"), 784, 10)


@test_case(points=1, hidden=True)
def test_other_sizes(build_mlp):
    from dllab_checks import call
    _check_mlp(call(build_mlp, "build_mlp", 20, 3), 20, 3)
    _check_mlp(call(build_mlp, "build_mlp", input_dim=64, num_classes=5), 64, 5)
