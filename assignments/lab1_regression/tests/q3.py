from otter.test_files import test_case

OK_FORMAT = False
name = "q3"
points = 3


def _activation_name(layer):
    act = getattr(layer, "activation", None)
    return getattr(act, "__name__", type(act).__name__).lower()


def _dense_stack(model):
    """[(Dense layer, activation applied after it)], folding separate ReLU/Activation layers in."""
    import keras
    stack = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.Dense):
            stack.append([layer, _activation_name(layer)])
        elif isinstance(layer, (keras.layers.ReLU, keras.layers.Activation)) and stack:
            name = "relu" if isinstance(layer, keras.layers.ReLU) else _activation_name(layer)
            if stack[-1][1] == "linear":
                stack[-1][1] = name
        elif not isinstance(layer, (keras.layers.Dropout, keras.layers.BatchNormalization,
                                    keras.layers.InputLayer)):
            raise AssertionError(
                f"the model should be a stack of Dense layers (Dropout and BatchNormalization "
                f"are fine); found a {type(layer).__name__} layer")
    return stack


def _check_compiled_regression_model(model, n_features):
    import numpy as np
    import keras
    from dllab_checks import assert_close, assert_shape
    label = f"build_regression_model({n_features})"
    assert model is not None, f"`{label}` returned None: the function is still a stub"
    assert isinstance(model, keras.Model), f"`{label}` should return a keras.Model, got {type(model).__name__}"
    assert getattr(model, "compiled", False) and model.loss is not None, (
        f"`{label}`: the model is not compiled; call model.compile(...) before returning it")
    x = np.random.default_rng(n_features).normal(size=(6, n_features)).astype("float32")
    y = np.linspace(-2.0, 3.0, 6).astype("float32").reshape(6, 1)
    try:
        raw = model.predict(x, verbose=0)
    except Exception as e:
        raise AssertionError(f"`{label}`: the model fails on a batch of shape (6, {n_features}) "
                             f"({type(e).__name__}); build it for n_features inputs") from None
    pred = assert_shape(raw, (6, 1), f"{label}: output for 6 inputs")
    # the loss, whatever its spelling ("mse", "mean_squared_error", a MeanSquaredError object)
    loss = np.asarray(keras.losses.get(model.loss)(y, pred.astype("float32")), dtype="float64").mean()
    # (one-element arrays: the message names the values either way)
    assert_close([loss], [((pred - y) ** 2).mean()], f"{label}: the compiled loss (expected mean squared error)",
                 rtol=1e-4, atol=1e-6)
    results = model.evaluate(x, y, return_dict=True, verbose=0)
    mae = (pred - y).__abs__().mean()
    names = [k for k, v in results.items() if k != "loss" and (float(v) - mae).__abs__() <= 1e-4 * (1 + mae)]
    assert names, (f"`{label}`: no compiled metric gives the mean absolute error "
                   f"(metrics: {sorted(k for k in results if k != 'loss')}); compile with metrics=['mae']")
    stack = _dense_stack(model)
    assert len(stack) >= 2, f"`{label}`: expected hidden Dense layers and an output layer, found {len(stack)} Dense layer(s)"
    out_layer, out_act = stack[-1]
    assert out_layer.units == 1, f"`{label}`: the output layer should have 1 unit, got {out_layer.units}"
    assert out_act == "linear", f"`{label}`: the output unit should have no activation (a price is any number), got {out_act}"
    for i, (layer, act) in enumerate(stack[:-1]):
        assert act == "relu", f"`{label}`: hidden Dense layer {i} should use ReLU, got {act}"


@test_case(points=2, hidden=False)
def test_architecture_13_features(build_regression_model):
    from dllab_checks import call
    _check_compiled_regression_model(call(build_regression_model, "build_regression_model", 13), 13)


@test_case(points=1, hidden=True)
def test_other_feature_counts(build_regression_model):
    from dllab_checks import call
    for n in (5, 1):
        _check_compiled_regression_model(call(build_regression_model, "build_regression_model", n), n)
