"""The build's own pieces: public tests lose their hidden cases, stubs lose their bodies."""

import textwrap

from autograder.build import public_test_source
from autograder.stubs import body_lines, function_source

TEST_FILE = textwrap.dedent('''\
    from otter.test_files import test_case

    OK_FORMAT = False
    name = "q1"
    points = 5

    @test_case(points=1, hidden=False)
    def test_public(f):
        assert f(1) == 2

    @test_case(
        points=4,
        hidden=True,
    )
    def test_secret(f):
        # the hidden inputs
        assert f(12345) == 24690
    ''')


def test_public_tests_keep_public_cases_and_drop_hidden_ones_whole():
    public = public_test_source(TEST_FILE)
    assert "def test_public" in public and "f(1) == 2" in public
    for secret in ("test_secret", "12345", "hidden inputs", "hidden=True", "points=4", "points = 5"):
        assert secret not in public
    compile(public, "q1.py", "exec")


SOLUTION = textwrap.dedent('''\
    import numpy as np


    def area(h, w,
             scale=1.0):
        """Area of a rectangle.

        Inputs: h, w: floats
        """
        product = h * w
        return scale * product


    def nodoc(x):
        return x + 1
    ''')


def test_stub_keeps_signature_and_docstring_only(tmp_path):
    path = tmp_path / "sol.py"
    path.write_text(SOLUTION)
    stub = function_source(path, "area", stub=True)
    assert stub.startswith("def area(h, w,\n         scale=1.0):")
    assert "Area of a rectangle." in stub and stub.rstrip().endswith("...")
    assert "product" not in stub
    assert "return x + 1" not in function_source(path, "nodoc", stub=True)
    assert "return x + 1" in function_source(path, "nodoc", stub=False)
    assert body_lines(path, "area") == ["    product = h * w", "    return scale * product"]
