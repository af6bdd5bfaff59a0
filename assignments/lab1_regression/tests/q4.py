from otter.test_files import test_case

OK_FORMAT = False
name = "q4"
points = 2


def _fresh_model(n_features, init_seed):
    """A small compiled network built here, so only the training function is under test."""
    import keras
    keras.utils.set_random_seed(init_seed)
    model = keras.Sequential([keras.Input(shape=(n_features,)),
                              keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1)])
    model.compile(optimizer="rmsprop", loss="mse", metrics=["mae"])
    return model


def _train(train_regression_model, x, y, epochs, seed, init_seed, global_seed):
    import keras
    from dllab_checks import as_float_array, call
    model = _fresh_model(x.shape[1], init_seed)
    before = model.predict(x, verbose=0)
    keras.utils.set_random_seed(global_seed)  # whatever came before must not matter
    history = call(train_regression_model, "train_regression_model", model, x, y, epochs, seed)
    assert history is not None, "`train_regression_model` returned None: return what model.fit returns"
    assert hasattr(history, "history") and "loss" in history.history, (
        f"`train_regression_model` should return the History of model.fit; got {type(history).__name__}")
    after = model.predict(x, verbose=0)
    assert ((as_float_array(after) - as_float_array(before)).__abs__() > 0).any(), (
        "`train_regression_model` did not change the model it was given: train `model` itself")
    return history.history


@test_case(points=1, hidden=False)
def test_trains_the_given_model(train_regression_model):
    import numpy as np
    rng = np.random.default_rng(0)
    x = rng.normal(size=(48, 3))
    y = x @ np.array([1.0, -2.0, 0.5]) + 3.0
    h = _train(train_regression_model, x, y, 3, 0, init_seed=1, global_seed=2)
    assert len(h["loss"]) == 3, f"`train_regression_model`: expected 3 epochs of history, got {len(h['loss'])}"


@test_case(points=1, hidden=True)
def test_reproducible_with_seed(train_regression_model):
    from dllab_checks import assert_close, load_cases
    case = load_cases("lab1_regression")["train"]
    first = _train(train_regression_model, case["x"], case["y"], 4, 7, init_seed=3, global_seed=11)
    second = _train(train_regression_model, case["x"], case["y"], 4, 7, init_seed=3, global_seed=12)
    assert len(first["loss"]) == 4, f"`train_regression_model`: expected 4 epochs of history, got {len(first['loss'])}"
    assert_close(second["loss"], first["loss"],
                 "train_regression_model: losses of two runs with the same seed (seed training "
                 "with keras.utils.set_random_seed(seed))", rtol=1e-5, atol=1e-6)
    assert first["loss"][-1] < first["loss"][0], (
        f"`train_regression_model`: the loss did not decrease ({first['loss'][0]:.4g} -> {first['loss'][-1]:.4g})")
