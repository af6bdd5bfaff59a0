from otter.test_files import test_case

OK_FORMAT = False
name = "q5"
points = 3


def _check_dropout(dropout_forward, x, p, seed, label):
    """Every entry is 0 or x / (1 - p); about a fraction p is 0; the mean is kept."""
    from dllab_checks import as_float_array, assert_close, call
    out = as_float_array(call(dropout_forward, "dropout_forward", x, p, True, seed), "dropout_forward")
    assert out.shape == x.shape, f"`dropout_forward` ({label}): expected shape {x.shape}, got {out.shape}"
    kept = out != 0
    assert_close(out, x * kept / (1.0 - p),
                 f"dropout_forward ({label}): kept entries should be x / (1 - p), dropped ones 0")
    n = x.size
    dropped = 1.0 - kept.mean()
    # six standard deviations of the sampling noise of a correct answer: no correct answer fails
    # by chance, and a keep/drop mix-up (1 - p) or an unscaled output lands far outside
    tol = 6.0 * (p * (1.0 - p) / n) ** 0.5 + 1e-3
    assert (dropped - p).__abs__() <= tol, (
        f"`dropout_forward` ({label}): dropped {dropped:.3f} of the entries, expected about p = {p}")
    ratio = out.mean() / x.mean()
    se = (((x * x).mean() / (1.0 - p) - x.mean() ** 2) / n) ** 0.5 / x.mean()
    assert (ratio - 1.0).__abs__() <= 6.0 * se + 1e-3, (
        f"`dropout_forward` ({label}): the mean changed by a factor {ratio:.3f}; inverted dropout keeps it")
    return out


@test_case(points=1, hidden=False)
def test_half_dropped_and_identity_at_test_time(dropout_forward):
    import numpy as np
    from dllab_checks import assert_close, call
    # data drawn from another stream than any mask: default_rng(0) again would correlate them
    x = np.random.default_rng(2024).uniform(0.5, 1.5, size=(500, 200))
    _check_dropout(dropout_forward, x, 0.5, 0, "p=0.5")
    assert_close(call(dropout_forward, "dropout_forward", x, 0.5, False, 0), x,
                 "dropout_forward with training=False (should return x unchanged)")


@test_case(points=2, hidden=True)
def test_other_rates_shapes_and_seeds(dropout_forward):
    import numpy as np
    from dllab_checks import assert_close, call
    rng = np.random.default_rng(1)
    x = rng.uniform(1.0, 3.0, size=(40, 50, 50))
    for p in (0.1, 0.3, 0.8):
        _check_dropout(dropout_forward, x, p, 7, f"p={p}, shape (40, 50, 50)")
        assert_close(call(dropout_forward, "dropout_forward", x, p, False, 7), x,
                     f"dropout_forward with training=False, p={p} (should return x unchanged)")
    a = _check_dropout(dropout_forward, x, 0.3, 11, "p=0.3, seed 11")
    b = _check_dropout(dropout_forward, x, 0.3, 11, "p=0.3, seed 11 again")
    assert_close(b, a, "dropout_forward: two calls with the same seed should drop the same entries")
    c = _check_dropout(dropout_forward, x, 0.3, 12, "p=0.3, seed 12")
    assert (c != a).any(), "`dropout_forward`: seeds 11 and 12 dropped exactly the same entries"
    assert_close(call(dropout_forward, "dropout_forward", x, 0.0, True, 3), x,
                 "dropout_forward with p=0 (nothing to drop)")
