from otter.test_files import test_case

OK_FORMAT = False
name = "q2"
points = 3


@test_case(points=1, hidden=False)
def test_lecture_padding(zero_pad):
    import numpy as np
    from dllab_checks import assert_close, call
    # the lecture's 6x6 image, padded with p=1 to 8x8, in a batch of 2 with 2 channels
    img = np.array([[3, 0, 1, 2, 7, 4], [1, 5, 8, 9, 3, 1], [2, 7, 2, 5, 1, 3],
                    [0, 1, 3, 1, 7, 8], [4, 2, 1, 6, 2, 8], [2, 4, 5, 2, 3, 9]], dtype=float)
    X = np.stack([img, -img], axis=-1)[None].repeat(2, axis=0)        # (2, 6, 6, 2)
    expected = np.zeros((2, 8, 8, 2))
    expected[:, 1:7, 1:7, :] = X
    assert_close(call(zero_pad, "zero_pad", X, 1, case="the lecture's 6x6 image, N=2, 2 channels, pad=1"), expected, "zero_pad(X, 1)")


@test_case(points=2, hidden=True)
def test_random_shapes(zero_pad):
    from dllab_checks import assert_close, call, load_cases
    for case in load_cases("lab3_cnn_numpy")["zero_pad"]:
        got = call(zero_pad, "zero_pad", *case["args"], case=case["label"])
        assert_close(got, case["expected"], f"zero_pad, {case['label']}")


@test_case(points=0, hidden=False)
def test_uses_only_what_the_lab_allows(zero_pad):
    # the notebook's rules (lab.toml [[rules]]): breaking one costs the whole question
    from dllab_rules import assert_follows_rules
    assert_follows_rules(zero_pad, "zero_pad", "lab3_cnn_numpy")
