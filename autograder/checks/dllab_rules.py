"""The notebook's rules, checked: a graded function may not use what its lab forbids.

The rules are the lab's (lab.toml `[[rules]]`, in the facts file): module prefixes or
functions that a function, and every function of the notebook it calls, may not use, e.g.
`scipy` anywhere in lab 3 and `numpy.convolve` in its `conv1d`. They are found in the
notebook's own source, not by running it: each code cell is parsed, the imports give every
name its module (`np` is numpy, `cv` is numpy.convolve after `from numpy import convolve as
cv`), and every name or attribute a function reads is resolved through them, with
`getattr(np, "convolve")` and imports inside the function. The function's helpers (the
notebook's functions it calls, and theirs) are read too.

Where the source comes from: in the student's kernel, the cells it has run (IPython's `In`);
in grading, the judge's copy of the submitted notebook (dllab_calls.Remote's channel); for a
function defined in a module (the project's own galleries), that module's source.

What this cannot see, and the notebooks do not state as rules: code built at run time (`exec`,
`eval`, `importlib.import_module` of a computed name, `getattr` with a computed name).
"""

import ast as _ast
import inspect as _inspect
import sys as _sys

try:  # in the package
    from . import dllab_calls as _calls
    from . import dllab_checks as _checks
except ImportError:  # beside the tests
    import dllab_calls as _calls
    import dllab_checks as _checks


def _code(cell):
    """A cell's Python: IPython's magics and shell lines blanked (line numbers kept)."""
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in cell.splitlines())


def _first_line(cell):
    lines = [line.strip() for line in cell.splitlines() if line.strip() and not line.strip().startswith("#")]
    line = lines[0] if lines else ""
    return line if len(line) <= 60 else line[:57] + "..."


class _Notebook:
    """The notebook's imports (name -> what it stands for) and functions (name -> its def and
    its cell), as the cells define them in order: a later definition replaces an earlier one."""

    def __init__(self, cells):
        self.aliases = {}
        self.functions = {}
        for cell in cells:
            try:
                tree = _ast.parse(_code(cell))
            except SyntaxError:
                continue
            for node in tree.body:
                self._read_imports(node, self.aliases)
                if isinstance(node, (_ast.FunctionDef, _ast.AsyncFunctionDef)):
                    self.functions[node.name] = (node, cell)
                elif (isinstance(node, _ast.Assign) and len(node.targets) == 1
                      and isinstance(node.targets[0], _ast.Name)):
                    target = node.targets[0].id
                    if isinstance(node.value, _ast.Lambda):  # conv1d = lambda f, g: ...
                        self.functions[target] = (node.value, cell)
                    elif isinstance(node.value, _ast.Name) and node.value.id in self.functions:
                        self.functions[target] = self.functions[node.value.id]  # conv1d = mine

    @staticmethod
    def _read_imports(node, aliases):
        if isinstance(node, _ast.Import):
            for alias in node.names:
                if alias.asname:
                    aliases[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    aliases[top] = top
        elif isinstance(node, _ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"

    def qualified(self, node, aliases):
        """The dotted name `node` stands for (numpy.convolve), or None."""
        if isinstance(node, _ast.Name):
            return aliases.get(node.id)
        if isinstance(node, _ast.Attribute):
            base = self.qualified(node.value, aliases)
            return f"{base}.{node.attr}" if base else None
        if (isinstance(node, _ast.Call) and isinstance(node.func, _ast.Name) and node.func.id == "getattr"
                and len(node.args) >= 2 and isinstance(node.args[1], _ast.Constant)
                and isinstance(node.args[1].value, str)):
            base = self.qualified(node.args[0], aliases)
            return f"{base}.{node.args[1].value}" if base else None
        return None


def _forbidden(name, forbid):
    return next((f for f in forbid if name == f or name.startswith(f + ".")), None)


def _spelled(node):
    try:
        return _ast.unparse(node)
    except Exception:
        return "?"


def findings(cells, function, forbid):
    """[(the function where it is, what it reads, the forbidden name it resolves to, the line,
    the cell's first line)] for `function` and the notebook's functions it calls."""
    notebook = _Notebook(cells)
    found, seen, todo = [], set(), [function]
    while todo:
        name = todo.pop(0)
        if name in seen or name not in notebook.functions:
            continue
        seen.add(name)
        node, cell = notebook.functions[name]
        aliases = dict(notebook.aliases)
        for inner in _ast.walk(node):  # imports inside the function count for all of it
            notebook._read_imports(inner, aliases)
            if isinstance(inner, (_ast.Import, _ast.ImportFrom)):
                modules = [a.name for a in inner.names] if isinstance(inner, _ast.Import) else [inner.module or ""]
                for module in modules:
                    hit = _forbidden(module, forbid)
                    if hit:
                        found.append((name, f"import {module}", hit, inner.lineno, _first_line(cell)))
        reported = set()
        for inner in _ast.walk(node):
            if isinstance(inner, (_ast.Name, _ast.Attribute, _ast.Call)):
                qualified = notebook.qualified(inner, aliases)
                hit = _forbidden(qualified, forbid) if qualified else None
                if hit and inner.lineno not in reported:
                    reported.add(inner.lineno)
                    found.append((name, _spelled(inner), qualified, inner.lineno, _first_line(cell)))
            if isinstance(inner, _ast.Call) and isinstance(inner.func, _ast.Name):
                todo.append(inner.func.id)  # a helper of the notebook's: read it too
    return found


# --- where the source comes from -------------------------------------------------------------

def _kernel_cells():
    """The cells this kernel has run, in order (IPython's input history)."""
    ipython = getattr(_sys.modules.get("IPython"), "get_ipython", lambda: None)()
    history = getattr(ipython, "user_ns", {}).get("In") if ipython is not None else None
    return [cell for cell in history or [] if isinstance(cell, str)]


def _module_cells(fn):
    module = _inspect.getmodule(fn)
    try:
        return [_inspect.getsource(module)] if module is not None else []
    except (OSError, TypeError):
        return []


def source_cells(fn):
    """The source in which `fn` is defined, as a list of cells."""
    channel = getattr(fn, "channel", None) if isinstance(fn, _calls.Remote) else None
    if channel is not None:
        return list(getattr(channel, "notebook_cells", None) or [])
    cells = _kernel_cells()
    name = getattr(fn, "__name__", None)
    if name and any(f"def {name}(" in cell for cell in cells):
        return cells
    return _module_cells(fn)


def assert_follows_rules(fn, name, lab):
    """`fn` (the notebook's `name`) and the notebook's functions it calls use nothing the lab's
    rules forbid (lab.toml [[rules]]); an AssertionError naming each call and its line."""
    rules = [r for r in _checks.lab_facts(lab).get("rules", [])
             if r.get("functions") == "all" or name in r.get("functions", [])]
    if fn is None or not rules:
        return
    cells = source_cells(fn)
    # a function defined under another name (`conv1d = mine` in a notebook, or in a module)
    start = name
    own = getattr(fn, "__name__", "")
    if not isinstance(fn, _calls.Remote) and own.isidentifier() and own != name:
        cells = cells + [f"{name} = {own}"]
    problems = []
    for rule in rules:
        for where, spelled, resolved, line, cell in findings(cells, start, list(rule["forbid"])):
            inside = "" if where in (name, own) else f" (in `{where}`, which `{name}` calls)"
            problems.append(f"`{spelled}` ({resolved}){inside}, line {line} of the cell that begins "
                            f"`{cell}`. {rule['says']}")
    assert not problems, (f"`{name}` uses what this lab does not allow, so the question gets no marks "
                          f"until it does not: " + "; ".join(problems[:5]))
