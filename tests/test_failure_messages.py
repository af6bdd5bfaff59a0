"""What a student reads when a check fails: the student's own line, the case, the parts that differ.

The function under test is compiled as IPython compiles a notebook cell (a file name of its own,
the cell's text in linecache), so `call` finds the student's line as it does in a kernel. The
whole path (a notebook's grader.check, `dllab grade`'s feedback, the zip's results.json) is in
tests/test_end_to_end.py and tests/test_gradescope.py.
"""

import linecache

import numpy as np
import pytest

from autograder.checks import dllab_checks as checks


def _cell(source, number=7):
    """The functions a notebook cell of `source` defines, compiled as ipykernel compiles it."""
    filename = f"/tmp/ipykernel_4242/{number}.py"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace = {"np": np}
    exec(compile(source, filename, "exec"), namespace)
    return namespace


def _message(fn, *args, **kwargs):
    with pytest.raises(AssertionError) as e:
        fn(*args, **kwargs)
    return str(e.value)


BACKWARD = '''\
def conv2d_backward(dZ, cache):
    X, pad = cache
    dX_pad = np.zeros((X.shape[0] + 2 * pad, X.shape[1] + 2 * pad))
    dX = np.zeros(X.shape)
    dX[:, :] = dX_pad[pad:-pad, pad:-pad]
    return dX
'''


def test_a_raising_function_names_itself_the_case_and_the_students_line():
    fn = _cell(BACKWARD)["conv2d_backward"]
    msg = _message(checks.call, fn, "conv2d_backward", np.ones((2, 2)), (np.ones((3, 3)), 0),
                   case="3x3 input, pad=0")
    assert msg.startswith("`conv2d_backward` raised ValueError: could not broadcast input array "
                          "from shape (0,0) into shape (3,3)"), msg
    assert "\n  case: 3x3 input, pad=0\n" in msg
    assert msg.endswith("at line 5 of conv2d_backward:\n      dX[:, :] = dX_pad[pad:-pad, pad:-pad]")
    assert "call(" not in msg and "test_failure_messages" not in msg  # no test code, no test file


def test_a_helper_that_raises_is_shown_with_the_line_that_called_it():
    source = ('def window_sum(window, W):\n'
              '    return np.sum(window * W)\n'
              '\n'
              'def conv(X, W):\n'
              '    return window_sum(X[:2, :2], W)\n')
    fn = _cell(source, number=8)["conv"]
    msg = _message(checks.call, fn, "conv", np.ones((3, 3)), np.ones((3, 3)), case="3x3 filter")
    assert "at line 2 of window_sum:\n      return np.sum(window * W)" in msg
    assert "called from line 2 of conv:\n      return window_sum(X[:2, :2], W)" in msg


def test_an_error_inside_a_library_points_at_the_students_call_of_it():
    fn = _cell("def pad(X, p):\n    return np.pad(X, -p)\n", number=9)["pad"]
    msg = _message(checks.call, fn, "zero_pad", np.ones((2, 2)), 1)
    assert msg.startswith("`zero_pad` raised ValueError"), msg
    assert msg.endswith("at line 2 of pad:\n      return np.pad(X, -p)"), msg
    assert "case:" not in msg  # no label given: the arguments by shape and type, never values
    assert "\n  called with: array (2, 2), int\n" in msg


def test_older_ipython_cells_and_comprehensions():
    # IPython 7 names a cell "<ipython-input-N-hash>"; a comprehension's line is its function's
    source = "def relu(Z):\n    rows = [r + undefined for r in Z]\n    return rows\n"
    filename = "<ipython-input-12-0123456789ab>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace = {}
    exec(compile(source, filename, "exec"), namespace)
    msg = _message(checks.call, namespace["relu"], "relu", np.ones((2, 2)), case="(2, 2)")
    assert msg.startswith("`relu` raised NameError: name 'undefined' is not defined")
    assert msg.endswith("at line 2 of relu:\n      rows = [r + undefined for r in Z]"), msg


def test_a_wrong_signature_is_reported_without_a_line():
    fn = _cell("def relu(Z, extra):\n    return Z\n", number=10)["relu"]
    msg = _message(checks.call, fn, "relu", np.ones(2), case="input of shape (2,)")
    assert msg.startswith("`relu` raised TypeError: relu() missing 1 required positional argument")
    assert " at " not in msg.split("\n")[-1]


def test_a_message_that_cannot_be_read_still_fails_the_case():
    class Unprintable(Exception):
        def __str__(self):
            raise RuntimeError("no")

    def fn():
        raise Unprintable()

    assert _message(checks.call, fn, "f").startswith("`f` raised ")


def test_parts_along_an_axis_are_counted_from_one_and_named():
    expected = np.zeros((3, 2, 6))          # (n_a, m, T_x)
    got = expected.copy()
    got[0, 1, 1:] = 1.0                      # wrong from the second time step on
    msg = _message(checks.assert_close, got, expected, "a", parts=(2, "time step"))
    assert "at index (0, 1, 1), time step 2 of 6" in msg
    assert msg.endswith("time step 1 matches; time steps 2-6 differ"), msg
    got = expected.copy()
    got[:, :, [0, 3]] = 1.0
    assert _message(checks.assert_close, got, expected, "a", parts=(2, "time step")).endswith(
        "time steps 2-3, 5-6 match; time steps 1, 4 differ")
    assert "6 time steps along axis 2, got 5" in _message(
        checks.assert_close, expected[:, :, :5], expected, "a", parts=(2, "time step"))


def test_several_outputs_say_which_differ_and_which_match():
    dX, dW, db = np.ones((1, 3, 3, 1)), np.ones((2, 2, 1, 1)), np.ones(1)
    msg = _message(checks.assert_outputs_close, (dX, dW * 2, db), (dX, dW, db), ("dX", "dW", "db"),
                   "conv2d_backward, pad=0")
    assert msg.startswith("conv2d_backward, pad=0: dW differs; dX and db match\n`dW`: values differ")
    msg = _message(checks.assert_outputs_close, [dX * 0, dW, db * 0], (dX, dW, db),
                   ("dX", "dW", "db"), "f")
    assert msg.startswith("f: dX and db differ; dW matches\n`dX`:") and "\n`db`:" in msg
    assert "should return a tuple of 3 (dX, dW, db), got 2 values" in _message(
        checks.assert_outputs_close, (dX, dW), (dX, dW, db), ("dX", "dW", "db"), "f")
    # None: compared elsewhere (a list of caches), neither matching nor differing here
    assert checks.assert_outputs_close((dX, dW, ["cache"]), (dX, dW, None), ("a", "y", "caches"), "f")


def test_otter_shows_an_assertion_without_the_tests_source():
    from otter.test_files.exception_test import ExceptionTestFile

    test = ExceptionTestFile.from_string(
        "from otter.test_files import test_case\n"
        "OK_FORMAT = False\nname = 'q1'\npoints = 2\n\n"
        "@test_case(points=1)\n"
        "def test_assertion(f):\n"
        "    assert f() == 1, 'f: expected 1'\n\n"
        "@test_case(points=1)\n"
        "def test_own_code(f):\n"
        "    secret = [][0]\n")
    test.run({"f": lambda: 2})
    assertion, other = (r.message for r in test.test_case_results)
    assert assertion == "❌ Test case failed\nAssertionError: f: expected 1"
    # a test's own code failing keeps otter's wording; the runner strips it from hidden cases
    assert "Error at line 12 in test q1" in other and "IndexError" in other


def test_every_assert_in_a_lab_test_has_a_message():
    """otter shows a failed assert as its message alone (see above): a bare assert says nothing."""
    import ast
    from pathlib import Path

    bare = []
    for path in sorted(Path(__file__).parents[1].glob("assignments/*/tests/q*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Assert) and node.msg is None:
                bare.append(f"{path.parent.parent.name}/{path.name}:{node.lineno}")
    assert not bare, bare


def test_similarity_shares_a_failure_however_each_student_spelled_the_line():
    from autograder.similarity import failure_key

    def raised(line):
        return ("`conv2d_backward` raised ValueError: could not broadcast\n"
                "  case: N=2, 6x5 input, pad=0\n"
                f"  at line 22 of conv2d_backward:\n      {line}\n"
                "  called from line 3 of helper:\n      x = 1")
    a, b = failure_key(raised("dX[i] = dx_pad[pad:-pad, pad:-pad]")), failure_key(raised("out[n] = g[pad:-pad]"))
    assert a == b == "`conv2d_backward` raised ValueError: could not broadcast\n  case: N=2, 6x5 input, pad=0"
    assert failure_key("`a`: values differ at index (0, 1)") == "`a`: values differ at index (0, 1)"
