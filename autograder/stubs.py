"""Cut the reference functions out of solutions/<lab>.py, whole or as stubs.

The stub is the function's signature and docstring followed by `...`: the student sees the
same contract the reference honours, and nothing of its body. Both come from the same
source text, so they cannot drift apart.
"""

import ast
from pathlib import Path

STUB_BODY = "    # YOUR CODE HERE\n    ...\n"


class MissingFunction(KeyError):
    pass


def _functions(source: str) -> dict[str, ast.FunctionDef]:
    tree = ast.parse(source)
    return {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}


def function_source(path: Path, name: str, stub: bool) -> str:
    """The text of top-level function `name` in `path`: whole, or cut after its docstring."""
    source = path.read_text()
    lines = source.splitlines(keepends=True)
    funcs = _functions(source)
    if name not in funcs:
        raise MissingFunction(f"{path.name} has no top-level function {name!r}")
    node = funcs[name]
    start = (node.decorator_list[0].lineno if node.decorator_list else node.lineno) - 1
    if not stub:
        return "".join(lines[start:node.end_lineno])
    first = node.body[0]
    has_doc = isinstance(first, ast.Expr) and isinstance(getattr(first, "value", None), ast.Constant) \
        and isinstance(first.value.value, str)
    head_end = first.end_lineno if has_doc else first.lineno - 1
    return "".join(lines[start:head_end]) + STUB_BODY


def body_lines(path: Path, name: str) -> list[str]:
    """The non-blank lines of a function's body after its docstring (for the leak test)."""
    whole = function_source(path, name, stub=False).splitlines()
    head = function_source(path, name, stub=True).splitlines()[:-2]
    return [line for line in whole[len(head):] if line.strip() and not line.strip().startswith("#")]
