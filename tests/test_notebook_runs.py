"""The built notebooks run as a student runs them in Jupyter (nbclient, a normal ipykernel, the
notebook file beside it), and what the student reads under each cell is theirs:

- the solution notebook, run from top to bottom with the Submit cell, shows no error, nothing on
  stderr and no warning: TensorFlow's start-up notices, its C++ log and its "retracing" warnings
  while the public checks run are left out by the setup cell (autograder/kernel/cells/setup.py);
- a graded function that raises breaks only the cells that call it (directly or through a
  function that calls it), with its own exception: never a NameError in the example of a
  question that does not use it;
- every stub has an example cell between it and its `grader.check`.

The student notebooks' runs (tests/test_end_to_end.py) check the same silence, stubs and all.
"""

import ast
import copy
import re
import shutil
import tempfile
from pathlib import Path

import nbformat
import pytest
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

from autograder.build import write_tests
from autograder.cases import write_facts
from autograder.check import check_notebook
from autograder.labs import STUB_DIRECTIVE, Lab, all_labs
from autograder.notebooks import budget_source, render
from harness import as_in_jupyter, first_line, noise_in

LABS = [lab.name for lab in all_labs()]
# Labs whose solution notebook trains for minutes: their whole runs are slow tests.
TRAINING_LABS = {"lab1_regression", "lab2_classification", "lab4_cnn_keras", "lab5_rnn"}
# The raising-function runs train one epoch of each training: cheap enough for lab 5 (4 runs
# of about 20 s); labs 1, 2 and 4 have more functions, 4 to 9 runs each.
SLOW_FAILURE_LABS = {"lab1_regression", "lab2_classification", "lab4_cnn_keras"}


def _errors(cells) -> list[tuple[object, dict]]:
    return [(cell, out) for cell in cells for out in cell.get("outputs", [])
            if out.get("output_type") == "error"]


def _execute(nb, timeout: float = 600):
    """Run `nb` in a fresh kernel, in a scratch folder with the notebook file beside it, errors
    allowed: each cell keeps its outputs, as in Jupyter."""
    folder = Path(tempfile.mkdtemp(prefix="dllab-run-"))  # short: the kernel's IPC sockets live here
    try:
        nbformat.write(nb, folder / "notebook.ipynb")
        km = KernelManager(kernel_name="python3", transport="ipc", ip=str(folder / "kernel"))
        client = NotebookClient(nb, km=km, timeout=timeout, allow_errors=True,
                                resources={"metadata": {"path": str(folder)}})
        with open(folder / "kernel.log", "wb") as log, as_in_jupyter():  # the kernel process's own streams
            client.execute(stdout=log, stderr=log)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return nb


def _rendered_student(lab: Lab):
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        write_tests(lab, tmp / "tests", tmp / "public_tests")
        return render(lab, tmp / "public_tests", write_facts(lab, tmp), solution=False)


# --- what the setup cell leaves out, cheaply ---------------------------------------------------

RETRACING = ("5 out of the last 5 calls to <function f> triggered tf.function retracing. "
             "Tracing is expensive")
QUIET_CHECK = f'''\
from otter.test_files import test_case

OK_FORMAT = False
name = "qnoise"
points = 1


@test_case(points=1, hidden=False)
def test_logs_a_retracing_warning():
    import logging
    logging.getLogger("tensorflow").warning({RETRACING!r})
'''


def test_a_keras_lab_loads_tensorflow_trains_and_checks_without_a_word_on_stderr(tmp_path):
    """Lab 1's setup cell and its own first cell (TF_DETERMINISTIC_OPS, `import keras`), then a
    training and a predict: TensorFlow printed its oneDNN and CPU notices at the import, and with
    op determinism an `E0000 ... NodeDef mentions attribute use_unbounded_threadpool` line at each
    predict. A retracing warning is left out inside grader.check and shown in the student's cells."""
    student = _rendered_student(Lab("lab1_regression"))
    code = [c for c in student.cells if c.cell_type == "code"]
    assert "PUBLIC_CHECKS" in code[0].source and "TF_DETERMINISTIC_OPS" in code[1].source
    cells = [nbformat.v4.new_code_cell(source) for source in (
        "import numpy as np\n"
        "import tensorflow as tf\n"
        "from tensorflow.python.framework import config\n"
        "keras.utils.set_random_seed(0)\n"
        "small = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])\n"
        "small.compile(optimizer='sgd', loss='mse')\n"
        "small.fit(np.zeros((32, 3)), np.zeros(32), epochs=1, verbose=0)\n"
        "small.predict(np.zeros((4, 3)), verbose=0)\n"
        "print('op determinism:', config.is_op_determinism_enabled())",
        f"from pathlib import Path\nPath('public_tests', 'qnoise.py').write_text({QUIET_CHECK!r})",
        'grader.check("qnoise")',
        f"import logging\nlogging.getLogger('tensorflow').warning({RETRACING!r})")]
    student.cells = [code[0], code[1], *cells]
    run = _execute(student)
    assert not _errors(run.cells), [out["evalue"] for _, out in _errors(run.cells)]
    texts = ["".join(o.get("text", "") for o in c.outputs) for c in run.cells]
    assert "op determinism: True" in texts[2]  # set after the setup cell imported TensorFlow: still read
    noise = noise_in(run.cells)
    assert len(noise) == 1 and "retracing" in noise[0] and noise[0].startswith("`import logging`"), noise


def test_every_stub_has_an_example_before_its_check():
    """Between each `# STUB:` cell and the next `grader.check` cell, a code cell uses each function
    the stub cell defines (the solution notebook's runs below show that it runs)."""
    missing = []
    for lab in all_labs():
        cells = nbformat.read(lab.template, as_version=4).cells
        for i, cell in enumerate(cells):
            if cell.cell_type != "code" or not cell.source.startswith(STUB_DIRECTIVE):
                continue
            names = [n.strip() for n in first_line(cell)[len(STUB_DIRECTIVE):].split(",")]
            check = next(j for j in range(i + 1, len(cells))
                         if cells[j].cell_type == "code" and "grader.check(" in cells[j].source)
            between = [c.source for c in cells[i + 1:check] if c.cell_type == "code"]
            missing += [f"{lab.name}: {name}" for name in names
                        if not any(re.search(rf"\b{name}\b", source) for source in between)]
    assert not missing, f"no example between the stub and its check: {missing}"


# --- the solution notebooks, top to bottom ------------------------------------------------------

@pytest.mark.parametrize("name", [
    pytest.param(name, marks=[pytest.mark.slow] if name in TRAINING_LABS else []) for name in LABS])
def test_the_solution_notebook_runs_without_an_error_a_warning_or_stderr(name, built):
    """The whole notebook, Submit cell included, with every public check passing."""
    lab = built[name]
    with as_in_jupyter():
        report = check_notebook(lab.dist(lab.out_root) / "solution" / f"{name}.ipynb", with_export=True)
    assert not report.errors, report.errors
    assert not noise_in(report.cells), "\n".join(noise_in(report.cells))
    assert {q: r["score"] == r["possible"] for q, r in report.questions.items()} == \
        {q: True for q in lab.questions()}, report.questions


# --- one function raising -----------------------------------------------------------------------

def _calling(cells, name: str) -> set[str]:
    """`name` and the notebook's functions that use it, directly or through one another."""
    uses = {}
    for cell in cells:
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.FunctionDef):
                uses.setdefault(node.name, set()).update(
                    n.id for n in ast.walk(node) if isinstance(n, ast.Name))
    found, grew = {name}, True
    while grew:
        grown = {f for f, names in uses.items() if names & found}
        grew = not grown <= found
        found |= grown
    return found


def _names(source: str) -> set[str]:
    return {n.id for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Name)}


def _with_raising(source: str, name: str) -> str | None:
    """The cell's source with function `name` replaced by one that raises, or None without it."""
    lines = source.splitlines(keepends=True)
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            raising = f"def {name}(*args, **kwargs):\n    raise ValueError('{name} raised on purpose')\n"
            return "".join(lines[:node.lineno - 1]) + raising + "".join(lines[node.end_lineno:])
    return None


def _raising_variant(lab: Lab, name: str):
    """The solution notebook with only `name` raising, without the checks and the Submit cell (the
    examples are what is measured), each training cut to one epoch."""
    nb = nbformat.read(lab.dist(lab.out_root) / "solution" / f"{lab.name}.ipynb", as_version=4)
    budget = budget_source(lab).rstrip() if lab.training_budget else None
    cells, replaced = [], 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if "otter_ignore" in cell.metadata.get("tags", []) or cell.source.startswith("grader.check("):
            continue
        cell = copy.deepcopy(cell)
        raising = _with_raising(cell.source, name)
        if raising is not None:
            cell.source, replaced = raising, replaced + 1
        cells.append(cell)
        if cell.source == budget:
            epochs = [f"{constant} = 1" for constant in lab.training_budget if constant.endswith("EPOCHS")]
            cells.append(nbformat.v4.new_code_cell("\n".join(epochs)))
    assert replaced == 1, f"{lab.name}: {name} is defined in {replaced} cells"
    nb.cells = cells
    return nb


@pytest.mark.parametrize("name, function", [
    pytest.param(name, function, marks=[pytest.mark.slow] if name in SLOW_FAILURE_LABS else [],
                 id=f"{name}-{function}")
    for name in LABS for function in Lab(name).stub_names()])
def test_a_raising_function_breaks_only_the_cells_that_call_it(name, function, built):
    lab = built[name]
    run = _execute(_raising_variant(lab, function))
    callers = _calling(run.cells, function)
    wrong = [f"`{first_line(cell)}`: {out['ename']}: {out['evalue'][:200]}"
             for cell, out in _errors(run.cells)
             if not (_names(cell.source) & callers and out["ename"] == "ValueError"
                     and out["evalue"] == f"{function} raised on purpose")]
    assert not wrong, f"with only {function} raising, cells that do not call it failed:\n" + "\n".join(wrong)
    assert _errors(run.cells), f"no cell called {function}: its example is missing"
    assert not noise_in(run.cells), "\n".join(noise_in(run.cells))
