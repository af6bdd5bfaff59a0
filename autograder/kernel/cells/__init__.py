"""The code cells the build and the grader add to notebooks, kept as real modules.

Each module here is a cell's source: linted and tested like the rest of the package. The build
pastes it into a notebook with `cell_source`, which drops the module docstring (it is written
for maintainers) and fills in the values the module marks as filled by the build: top-level
assignments whose names are passed as keyword arguments.

    setup.py    the student notebook's first code cell (otter, public checks, `grader`)
    budget.py   the "Training budget" cell, from the lab's lab.toml
    export.py   the Submit cell at the end of the student notebook
    guard.py    run before a submission's first cell while grading
    collect.py  run after the last cell by `check`, to read every question's verdict
"""

import ast
from pathlib import Path

HERE = Path(__file__).resolve().parent


def cell_source(name: str, **values) -> str:
    """The source of cell module `name`, docstring dropped, the named assignments filled in."""
    text = (HERE / f"{name}.py").read_text()
    tree = ast.parse(text)
    lines = text.splitlines(keepends=True)
    replace = {}  # first line index -> (last line index, new text)
    body = tree.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        replace[body[0].lineno - 1] = (body[0].end_lineno, "")
        body = body[1:]
    filled = set()
    for node in body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 \
                and isinstance(node.targets[0], ast.Name) and node.targets[0].id in values:
            target = node.targets[0].id
            replace[node.lineno - 1] = (node.end_lineno, f"{target} = {values[target]!r}\n")
            filled.add(target)
    if set(values) - filled:
        raise KeyError(f"cells/{name}.py has no top-level assignment to {sorted(set(values) - filled)}")
    out, i = [], 0
    while i < len(lines):
        if i in replace:
            end, new = replace[i]
            out.append(new)
            i = end
        else:
            out.append(lines[i])
            i += 1
    return "".join(out).strip() + "\n"
