from otter.test_files import test_case

OK_FORMAT = False
name = "q4"
points = 2


@test_case(points=1, hidden=False)
def test_small_example(cross_entropy):
    import math
    import numpy as np
    from dllab_checks import assert_close, assert_float, call
    probs = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1]])
    y = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    expected = -(math.log(0.7) + math.log(0.8)) / 2
    got = call(cross_entropy, "cross_entropy", probs, y)
    assert_float(got, "cross_entropy")  # one number for the batch, as the docstring says
    assert_close([got], [expected], "cross_entropy")


@test_case(points=1, hidden=True)
def test_hidden_batches(cross_entropy):
    from dllab_checks import assert_close, assert_float, call, load_cases
    for i, case in enumerate(load_cases("lab2_classification")["cross_entropy"]):
        got = call(cross_entropy, "cross_entropy", *case["args"])
        assert_float(got, f"cross_entropy (hidden case {i})")
        assert_close([got], [case["expected"]],
                     f"cross_entropy (hidden case {i}, batch of {len(case['args'][0])})", rtol=1e-6)
