"""What `dllab similarity` compares: a notebook's code cells and graded functions, and their
copydetect fingerprints (the reasons for each choice are in similarity.py's docstring).

Its own module because both the comparison (similarity.py) and the HTML report
(similarity_html.py) use it.
"""

import ast
import io

import numpy as np
from copydetect import CodeFingerprint, compare_files
from copydetect.utils import filter_code

NOISE = 25          # copydetect's default noise threshold (characters of filtered code)
WINDOW = 1          # every k-gram is a fingerprint: deterministic across runs (see similarity.py)


def cell_code(source: str) -> str:
    """A code cell's source without IPython's `%magic` and `!shell` lines (not Python: they
    would end Pygments' and ast's reading of the cell) and with one newline at the end."""
    lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
    return "\n".join(lines).rstrip() + "\n"


def student_code(nb) -> list[str]:
    """The notebook's code cells as text: markdown, raw cells and outputs are not the code."""
    return [cell_code(c.source) for c in nb.cells if c.cell_type == "code" and c.source.strip()]


def graded_functions(cells: list[str], names: list[str]) -> dict[str, str]:
    """The source of each graded function as the notebook last defines it (what the kernel,
    and so the grader, would call); a function it never defines is absent."""
    found = {}
    for cell in cells:
        try:
            tree = ast.parse(cell)
        except SyntaxError:
            continue
        lines = cell.splitlines(keepends=True)
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name in names:
                start = (node.decorator_list[0].lineno if node.decorator_list else node.lineno) - 1
                found[node.name] = "".join(lines[start:node.end_lineno])
    return found


def code_tokens(code: str) -> str:
    """The code as copydetect compares it (names, strings, comments and spacing gone): a stub
    with its arguments renamed or a comment added is still the stub."""
    return filter_code(code, "code.py", "python")[0]


def fingerprint(code: str, name: str, boilerplate):
    return CodeFingerprint(f"{name}.py", NOISE, WINDOW, boilerplate=boilerplate,
                           language="python", fp=io.StringIO(code))


def boilerplate_hashes(cells: list[str]):
    """Every k-gram hash of the starter code, as copydetect computes boilerplate: the cells
    joined as `student_code` joins a student's, so k-grams across two cells count too."""
    return np.unique(np.array(list(fingerprint("\n".join(cells), "starter", None).hashes), dtype=np.int64))


def compare(fa, fb) -> tuple[float, float, float, tuple]:
    """(similarity, share of a, share of b, copydetect's slices) of two fingerprints."""
    if not fa.hashes & fb.hashes:
        return 0.0, 0.0, 0.0, None
    _, (share_a, share_b), slices = compare_files(fa, fb)
    matched = share_a * fa.token_coverage + share_b * fb.token_coverage
    total = fa.token_coverage + fb.token_coverage
    return (float(matched / total) if total else 0.0), float(share_a), float(share_b), slices
