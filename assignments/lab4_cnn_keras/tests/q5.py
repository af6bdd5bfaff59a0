from otter.test_files import test_case

OK_FORMAT = False
name = "q5"
points = 2


@test_case(points=1, hidden=False)
def test_last_layer_is_the_prediction(feature_maps):
    # The activations of the last layer are the model's own predictions: a check that needs no
    # stored answer.
    import numpy as np
    import keras
    from keras import layers
    from dllab_checks import assert_close, assert_shape, call
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input((8, 8, 1)),
        layers.Conv2D(3, 3, activation="relu", name="conv"),
        layers.Flatten(name="flat"),
        layers.Dense(4, activation="softmax", name="probs"),
    ])
    images = np.random.default_rng(0).normal(size=(5, 8, 8, 1)).astype("float32")
    assert_shape(call(feature_maps, "feature_maps", model, images, "conv"), (5, 6, 6, 3),
                 "feature_maps(model, images, 'conv')")
    assert_close(call(feature_maps, "feature_maps", model, images, "probs"),
                 model.predict(images, verbose=0), "feature_maps(model, images, 'probs')",
                 rtol=1e-5, atol=1e-6)


@test_case(points=1, hidden=True)
def test_inner_layers(feature_maps):
    import keras
    from dllab_checks import assert_close, call, load_cases
    for case in load_cases("lab4_cnn_keras")["feature_maps"]:
        model = keras.models.model_from_json(case["json"])
        model.set_weights(case["weights"])
        for layer_name, want in case["expected"].items():
            assert_close(call(feature_maps, "feature_maps", model, case["images"], layer_name),
                         want, f"feature_maps(model, images, {layer_name!r})", rtol=1e-5, atol=1e-6)


@test_case(points=0, hidden=False)
def test_uses_only_what_the_lab_allows(feature_maps):
    # the notebook's rules (lab.toml [[rules]]): breaking one costs the whole question
    from dllab_rules import assert_follows_rules
    assert_follows_rules(feature_maps, "feature_maps", "lab4_cnn_keras")
