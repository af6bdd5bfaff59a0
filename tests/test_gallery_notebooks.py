"""The galleries' wrong answers through the whole path: a notebook graded by `otter run`.

tests/test_galleries.py runs every entry against the test files directly (fast). Here one
wrong entry per question goes into the solution notebook, right after the cell that defines
the function, and the notebook is graded as a submission: it must lose marks on that question.
Lab 3 runs in CI; the training labs retrain their models in every notebook, so they are
marked slow.
"""

import csv
import json
from pathlib import Path

import nbformat
import pytest

import gallery
from autograder.grade import grade_batch

TRAINING_LABS = {"lab1_regression", "lab2_classification", "lab4_cnn_keras", "lab5_rnn"}

INJECT = '''\
# a wrong answer from the project's gallery, in place of the solution's: the gallery's modules
# travel in this cell (the grading sandbox shows the notebook nothing of the repository)
import importlib as _il, sys as _sys, types as _types
for _name, _source in {modules!r}:
    _sys.modules[_name] = _types.ModuleType(_name)
    if _name == "gallery":
        _sys.modules[_name].__path__ = []
    exec(compile(_source, _name, "exec"), _sys.modules[_name].__dict__)
_entry = next(e for e in _il.import_module("gallery.{lab}").WRONG
              if e.question == {question!r} and e.label == {label!r})
globals().update(_entry.overrides)
'''


def _entries(lab):
    """The first wrong entry of each question that replaces only functions the notebook defines."""
    import importlib

    from autograder.labs import Lab

    module = importlib.import_module(f"gallery.{lab}")
    stubs = set(Lab(lab).stub_names())
    chosen = {}
    for entry in module.WRONG:
        if entry.question not in chosen and entry.overrides and set(entry.overrides) <= stubs \
                and all(callable(v) for v in entry.overrides.values()):
            chosen[entry.question] = entry
    return chosen


def _variant(solution, lab, entry):
    nb = nbformat.from_dict(json.loads(json.dumps(solution)))
    names = set(entry.overrides)
    last = max(i for i, c in enumerate(nb.cells) if c.cell_type == "code"
               and any(f"def {n}(" in c.source for n in names))
    folder = Path(gallery.__file__).parent
    modules = [(name, (folder / f"{file}.py").read_text())
               for name, file in (("gallery", "__init__"), ("gallery.entry", "entry"), (f"gallery.{lab}", lab))]
    cell = nbformat.v4.new_code_cell(INJECT.format(modules=modules, lab=lab, question=entry.question,
                                                   label=entry.label))
    nb.cells.insert(last + 1, cell)
    return nb


LABS = ["lab1_regression", "lab2_classification", "lab3_cnn_numpy", "lab4_cnn_keras", "lab5_rnn"]


@pytest.mark.parametrize("name", [
    pytest.param(n, marks=[pytest.mark.slow] if n in TRAINING_LABS else []) for n in LABS])
def test_one_wrong_answer_per_question_loses_marks_through_otter_run(name, built, tmp_path):
    if name not in built:
        pytest.skip(f"{name} is not in assignments/")
    lab = built[name]
    entries = _entries(name)
    assert entries, "no gallery entry replaces a notebook function"
    solution = nbformat.read(lab.dist(lab.out_root) / "solution" / f"{name}.ipynb", as_version=4)
    subs = tmp_path / "subs"
    subs.mkdir()
    for q, entry in entries.items():
        nbformat.write(_variant(solution, name, entry), subs / f"{q}.ipynb")
    out = tmp_path / "out"
    grade_batch(lab, [subs], out, zip_path=lab.zip_path(lab.out_root), jobs=2)
    rows = {r["submission"]: r for r in csv.DictReader(open(out / "gradebook.csv"))}
    questions = lab.questions()
    for q, entry in entries.items():
        row = rows[q]
        assert row["status"] == "graded", (q, row["reason"])
        lost = [other for other in questions
                if float(row[other]) < float(json.loads((out / "results" / f"{q}.json").read_text())
                                             ["questions"][other]["possible"])]
        # other questions may lose marks too: later functions call earlier ones (conv2d_forward
        # calls conv_output_size), and a wrong builder spoils the model trained with it
        assert q in lost, f"{entry.label!r} kept the marks of {q} (lost: {lost})"
