"""Every stubbed function's docstring, which students read as the contract, has one layout:

    One-line summary.

    Inputs:
    - name: shape or type, in signature order

    Returns:                      (or "Returns a tuple of:")
    - name: ...
"""

import ast
import re

import pytest

from autograder.labs import all_labs


def _stubbed(lab):
    funcs = {n.name: n for n in ast.parse(lab.solution_file.read_text()).body
             if isinstance(n, ast.FunctionDef)}
    return [(name, funcs[name]) for name in lab.stub_names()]


def _params(node):
    a = node.args
    return [p.arg for p in a.posonlyargs + a.args + a.kwonlyargs] + \
        [p.arg for p in (a.vararg, a.kwarg) if p is not None]


def _section(lines, header):
    """The lines after `header` up to the next blank line."""
    start = lines.index(header) + 1
    end = next((i for i in range(start, len(lines)) if not lines[i].strip()), len(lines))
    return lines[start:end]


@pytest.mark.parametrize("lab", all_labs(), ids=lambda lab: lab.name)
def test_stub_docstrings_follow_the_course_layout(lab):
    for name, node in _stubbed(lab):
        doc = ast.get_docstring(node)
        assert doc, f"{lab.name}.{name} has no docstring"
        lines = doc.splitlines()
        assert lines[0].strip().endswith(".") and (len(lines) == 1 or not lines[1].strip()), (
            f"{lab.name}.{name}: the docstring should open with a one-line summary and a blank line")
        params = _params(node)
        if params:
            assert "Inputs:" in lines, f"{lab.name}.{name}: no 'Inputs:' section"
            bullets = [re.match(r"- (\w+):", line) for line in _section(lines, "Inputs:")]
            assert [m.group(1) for m in bullets if m] == params, (
                f"{lab.name}.{name}: 'Inputs:' should list {params} as '- name:' bullets, in order")
        else:
            assert "Inputs:" not in lines, f"{lab.name}.{name} has no parameters but an 'Inputs:' section"
        headers = [h for h in ("Returns:", "Returns a tuple of:") if h in lines]
        assert len(headers) == 1, f"{lab.name}.{name}: expected one 'Returns:' or 'Returns a tuple of:' section"
        assert any(line.startswith("- ") for line in _section(lines, headers[0])), (
            f"{lab.name}.{name}: the returns section has no '- name: ...' bullet")
        assert "Arguments:" not in lines and not any(re.match(r"\w+ -- ", line) for line in lines), (
            f"{lab.name}.{name} still uses the 'Arguments:' / 'name -- ' layout")
