"""The comparison helpers every test uses: clear messages, and verdicts a notebook cannot bend."""

import builtins
import math

import numpy as np
import pytest

from autograder.support import dllab_checks as checks


def _message(fn, *args, **kwargs):
    with pytest.raises(AssertionError) as e:
        fn(*args, **kwargs)
    return str(e.value)


def test_messages_say_what_was_expected_and_what_was_got():
    assert _message(checks.assert_close, np.ones((2, 2)), np.ones((2, 3)), "f") == \
        "`f`: expected shape (2, 3), got (2, 2)"
    msg = _message(checks.assert_close, np.array([[1.0, 2.0], [3.0, 5.0]]), [[1, 2], [3, 4]], "f")
    assert "at index (1, 1)" in msg and "expected 4, got 5" in msg and "1 of 4 values" in msg
    assert "expected 3, got 2" in _message(checks.assert_close, 2.0, 3.0, "f")  # 0-d arrays
    assert "still a stub" in _message(checks.assert_close, None, [1.0], "f")
    assert "still a stub" in _message(checks.call, lambda: None, "f")
    assert "is not defined" in _message(checks.call, None, "f")
    assert "numeric array" in _message(checks.assert_close, "text", [1.0], "f")


def test_tolerances_nan_and_infinities():
    checks.assert_close([1.0 + 1e-9], [1.0], "f")
    checks.assert_close(np.float32([0.1, 0.2]), [0.1, 0.2], "f", rtol=1e-6)
    checks.assert_close([np.inf, -np.inf], [np.inf, -np.inf], "f")
    _message(checks.assert_close, [np.nan], [1.0], "f")
    _message(checks.assert_close, [np.inf], [-np.inf], "f")
    _message(checks.assert_close, [1.0 + 1e-5], [1.0], "f")


def test_an_object_that_equals_everything_does_not_pass():
    class Liar:
        def __eq__(self, other):
            return True

        def __array__(self, dtype=None, copy=None):
            return np.zeros(3)

    _message(checks.assert_equal, Liar(), 3, "f")
    _message(checks.assert_close, Liar(), [1.0, 2.0, 3.0], "f")


def test_a_subclass_with_doctored_methods_is_compared_as_a_plain_array():
    class Doctored(np.ndarray):
        def __sub__(self, other):
            return np.zeros(self.shape)

        def all(self, *a, **k):
            return True

    wrong = np.zeros(3).view(Doctored)
    _message(checks.assert_close, wrong, [1.0, 2.0, 3.0], "f")


def test_verdicts_survive_replaced_numpy_math_and_builtins(monkeypatch):
    for module, name, fake in [
        (np, "allclose", lambda *a, **k: True), (np, "isclose", lambda *a, **k: True),
        (np, "array_equal", lambda *a, **k: True), (np, "max", lambda *a, **k: 0.0),
        (np, "abs", lambda x: 0 * x), (np, "array", lambda *a, **k: np.zeros(3)),
        (np, "asarray", lambda *a, **k: np.zeros(3)), (np, "all", lambda *a, **k: True),
        (np.testing, "assert_allclose", lambda *a, **k: None),
        (math, "isclose", lambda *a, **k: True),
        (builtins, "abs", lambda x: 0), (builtins, "round", lambda *a: 0),
        (builtins, "all", lambda *a: True), (builtins, "max", lambda *a, **k: 0),
    ]:
        monkeypatch.setattr(module, name, fake)
    _message(checks.assert_close, [0.0, 0.0, 0.0], [1.0, 2.0, 3.0], "f")
    _message(checks.assert_equal, 4, 5, "f")
    checks.assert_close([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], "f")


def test_call_gives_the_student_private_copies_even_inside_tuples():
    x = np.ones(3)
    cache = (np.ones(2), {"w": np.ones(2)})

    def vandal(a, c):
        a[:] = 0
        c[0][:] = 0
        c[1]["w"][:] = 0
        return a

    checks.call(vandal, "vandal", x, cache)
    assert x.sum() == 3 and cache[0].sum() == 2 and cache[1]["w"].sum() == 2
