from otter.test_files import test_case

OK_FORMAT = False
name = "q9"
points = 3


@test_case(points=1, hidden=False)
def test_lecture_example(sobel_edges):
    import numpy as np
    from dllab_checks import assert_close, call
    # the lecture's 4x4 image: a vertical edge between 100 and 200; the vertical mask gives
    # -100 - 200 - 100 + 200 + 400 + 200 = 400 at every position, the horizontal mask 0
    image = np.array([[100, 100, 200, 200]] * 4, dtype=float)
    gx, gy, magnitude = call(sobel_edges, "sobel_edges", image)
    assert_close(gx, np.full((2, 2), 400.0), "sobel_edges -> gx")
    assert_close(gy, np.zeros((2, 2)), "sobel_edges -> gy")
    assert_close(magnitude, np.full((2, 2), 400.0), "sobel_edges -> magnitude")


@test_case(points=2, hidden=True)
def test_random_images(sobel_edges):
    from dllab_checks import assert_close, call, load_cases
    for case in load_cases("lab3_cnn_numpy")["sobel_edges"]:
        gx, gy, magnitude = call(sobel_edges, "sobel_edges", *case["args"])
        gx_ref, gy_ref, magnitude_ref = case["expected"]
        assert_close(gx, gx_ref, f"sobel_edges -> gx, {case['label']}")
        assert_close(gy, gy_ref, f"sobel_edges -> gy, {case['label']}")
        assert_close(magnitude, magnitude_ref, f"sobel_edges -> magnitude, {case['label']}")
