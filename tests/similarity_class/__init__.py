"""A synthetic class of lab 3 for `dllab similarity` (tests/test_similarity.py, benchmarks/).

Independent solutions: the reference (solutions/lab3_cnn_numpy.py) and the modules beside this
file, each written in its own style (loops, sliding windows and einsum, im2col, a beginner's
while loops); some leave the bonus as the stub. Each goes into the starter notebook as a
student would write it: under the stub's signature and docstring, in place of
`# YOUR CODE HERE` and `...`, with its helper functions and imports in the same cell.

`disguise` makes a planted copy with the usual disguises, each done the way a student would do
it by hand or with an editor, not tuned to the detector: every local variable and argument
renamed, the functions of a cell in another order, comments removed and others written,
every line re-spaced, blank lines added.
"""

import ast
import copy
import functools
import io
import random
import tempfile
import tokenize
from pathlib import Path

import nbformat

from autograder.labs import Lab
from autograder.stubs import STUB_BODY, function_source

LAB = Lab("lab3_cnn_numpy")
HERE = Path(__file__).resolve().parent
INDEPENDENT = ["reference", "loops", "vectorised", "im2col", "beginner"]


def starter_notebook(lab: Lab = LAB) -> nbformat.NotebookNode:
    """The student notebook exactly as `dllab build` writes it (a fresh copy each call)."""
    return copy.deepcopy(_starter(lab))


@functools.lru_cache(maxsize=None)
def _starter(lab: Lab) -> nbformat.NotebookNode:
    from autograder.build import write_tests
    from autograder.cases import write_facts
    from autograder.notebooks import render

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        write_tests(lab, tmp / "tests", tmp / "public_tests")
        return render(lab, tmp / "public_tests", write_facts(lab, tmp), solution=False)


def _source_of(name: str) -> str:
    return (LAB.solution_file if name == "reference" else HERE / f"{name}.py").read_text()


def _pieces(source: str):
    """(imports, [(function name, whole def text)]) of a module, in file order."""
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    imports = [ast.get_source_segment(source, n) + "\n" for n in tree.body
               if isinstance(n, (ast.Import, ast.ImportFrom))]
    defs = [(n.name, "".join(lines[n.lineno - 1:n.end_lineno])) for n in tree.body
            if isinstance(n, ast.FunctionDef)]
    return imports, defs


def _body(def_text: str) -> str:
    """A function's body after its docstring, as lines of text."""
    node = ast.parse(def_text).body[0]
    first = node.body[0]
    has_doc = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) \
        and isinstance(first.value.value, str)
    start = node.body[1].lineno if has_doc else first.lineno
    return "".join(def_text.splitlines(keepends=True)[start - 1:])


def student_notebook(sources, lab: Lab = LAB) -> nbformat.NotebookNode:
    """The starter notebook with the functions of independent solution `sources` filled in, or,
    with a dict {function: solution}, each function from the solution named (the benchmark's
    class of 300); a function no solution defines stays the stub."""
    nb = starter_notebook(lab)
    graded = set(lab.stub_names())
    names = {sources} if isinstance(sources, str) else set(sources.values())
    chosen = {f: sources for f in graded} if isinstance(sources, str) else sources
    imports, done = [], {}
    for name in sorted(names):
        module_imports, defs = _pieces(_source_of(name))
        imports += [i for i in module_imports if i not in imports]
        pending = []                          # helpers go in the cell of the next graded function
        for fname, text in defs:
            if fname not in graded:
                pending.append(text)
            elif chosen.get(fname) == name:
                stub = function_source(lab.solution_file, fname, stub=True)
                done[fname] = (stub, stub.replace(STUB_BODY, _body(text)), pending)
                pending = []
            else:
                pending = []
    first_stub_cell = True
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        stubs_here = [f for f, (stub, _, _) in done.items() if stub.rstrip() in cell.source]
        for f in stubs_here:
            stub, filled, helpers = done[f]
            cell.source = cell.source.replace(stub.rstrip(), "".join(h + "\n\n" for h in helpers) + filled.rstrip())
        if stubs_here and first_stub_cell and imports:
            cell.source = "".join(i for i in imports if "import numpy as np" not in i) + "\n\n" + cell.source
            first_stub_cell = False
    return nb


# --- the disguises ------------------------------------------------------------------------

WORDS = ["val", "tmp", "arr", "res", "acc", "buf", "data", "item", "num", "cur", "part", "blk"]


def _local_names(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
    return names


def _rewrite(source: str, rename: dict, rng: random.Random) -> str:
    """The cell re-typed: names renamed, comments dropped and new ones written, each line's
    spacing changed (tokenize's compatible mode spaces every token), blank lines added."""
    tokens = []
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.COMMENT:
            continue
        if tok.type == tokenize.NAME and tok.string in rename:
            tokens.append((tok.type, rename[tok.string]))
        else:
            tokens.append((tok.type, tok.string))
    text = tokenize.untokenize(tokens)
    # only after a statement's last line: never inside a docstring or a bracket
    ends = {tok.end[0] for tok in tokenize.generate_tokens(io.StringIO(text).readline)
            if tok.type == tokenize.NEWLINE}
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        out.append(line)
        if number not in ends:
            continue
        stripped = line.strip()
        if not stripped.startswith(("def ", "@", '"')) and rng.random() < 0.3:
            indent = line[:len(line) - len(line.lstrip())]
            out.append(f"{indent}# {rng.choice(['done here', 'next step', 'works now', 'see lecture'])}")
        elif rng.random() < 0.3:
            out.append("")
    return "\n".join(out) + "\n"


def _reorder(source: str) -> str:
    """The cell's top-level functions in reverse order (what comes before them stays first)."""
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    defs = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
    if len(defs) < 2:
        return source
    head = "".join(lines[:defs[0].lineno - 1])
    texts = ["".join(lines[n.lineno - 1:n.end_lineno]).rstrip() + "\n" for n in defs]
    return head + "\n\n".join(reversed(texts))


def disguise(nb: nbformat.NotebookNode, seed: int, lab: Lab = LAB) -> nbformat.NotebookNode:
    """A copy of `nb` with every disguise, in every cell that defines a graded function."""
    rng = random.Random(seed)
    nb = copy.deepcopy(nb)
    graded = set(lab.stub_names())
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        if not any(isinstance(n, ast.FunctionDef) and n.name in graded for n in tree.body):
            continue
        locals_ = sorted(_local_names(tree) - {n.name for n in tree.body if isinstance(n, ast.FunctionDef)})
        rename = {name: f"{rng.choice(WORDS)}_{i}" for i, name in enumerate(locals_)}
        cell.source = _rewrite(_reorder(cell.source), rename, rng)
    return nb
