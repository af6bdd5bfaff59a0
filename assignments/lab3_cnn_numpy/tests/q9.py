from otter.test_files import test_case

OK_FORMAT = False
name = "q9"
points = 3


@test_case(points=1, hidden=False)
def test_lecture_example(sobel_edges):
    import numpy as np
    from dllab_checks import assert_outputs_close, call
    # the lecture's 4x4 image: a vertical edge between 100 and 200; the vertical mask gives
    # -100 - 200 - 100 + 200 + 400 + 200 = 400 at every position, the horizontal mask 0
    image = np.array([[100, 100, 200, 200]] * 4, dtype=float)
    got = call(sobel_edges, "sobel_edges", image, case="the lecture's 4x4 image with a vertical edge")
    assert_outputs_close(got, (np.full((2, 2), 400.0), np.zeros((2, 2)), np.full((2, 2), 400.0)),
                         ("gx", "gy", "magnitude"), "sobel_edges (the lecture's 4x4 example)")


@test_case(points=2, hidden=True)
def test_random_images(sobel_edges):
    from dllab_checks import assert_outputs_close, call, load_cases
    for case in load_cases("lab3_cnn_numpy")["sobel_edges"]:
        got = call(sobel_edges, "sobel_edges", *case["args"], case=case["label"])
        assert_outputs_close(got, case["expected"], ("gx", "gy", "magnitude"),
                             f"sobel_edges, {case['label']}")


@test_case(points=0, hidden=False)
def test_uses_only_what_the_lab_allows(sobel_edges):
    # the notebook's rules (lab.toml [[rules]]): breaking one costs the whole question
    from dllab_rules import assert_follows_rules
    assert_follows_rules(sobel_edges, "sobel_edges", "lab3_cnn_numpy")
