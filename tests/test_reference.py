"""Every lab's reference solution earns full marks, and every notebook trains with what its
thresholds were measured with. What only one lab has is in tests/labs/test_<lab>.py."""

import nbformat
import pytest

from autograder.labs import all_labs
from harness import run_question


def _trained_question(lab) -> set[str]:
    """Questions about a trained model: they need a training, in tests/labs/ (mostly slow)."""
    return {t["question"] for t in lab.thresholds.values()}


@pytest.mark.parametrize("lab,question", [
    pytest.param(lab, q, id=f"{lab.name}-{q}") for lab in all_labs()
    for q in lab.questions() if q not in _trained_question(lab)])
def test_reference_earns_full_marks(lab, question, cases_dir):
    result = run_question(lab.name, question, cases_dir)
    assert result.full_marks, result.failures


@pytest.mark.parametrize("name", [lab.name for lab in all_labs() if lab.thresholds])
def test_the_notebook_trains_with_the_measured_budget(name, built):
    """The built notebook's budget cell holds lab.toml's [training], and its names are the ones
    the notebook's training cells use."""
    lab = built[name]
    nb = nbformat.read(lab.dist(lab.out_root) / "solution" / f"{name}.ipynb", as_version=4)
    cells = [c.source for c in nb.cells if c.cell_type == "code"]
    budget = [s for s in cells if s.startswith("# Training budget")]
    assert len(budget) == 1, "the template needs exactly one '# TRAINING BUDGET' cell"
    env = {}
    exec(budget[0], env)
    assert {k: v for k, v in env.items() if k.isupper()} == lab.training_budget
    rest = "\n".join(cells)
    for constant in lab.training_budget:
        assert rest.count(constant) > 1, f"{constant} is set but no training cell uses it"


def test_every_lab_declares_what_its_tests_and_notebook_use():
    """lab.toml's questions are the test files and the template's checks, in the same order;
    every threshold names one of them and states its bar and budget."""
    import re

    for lab in all_labs():
        files = sorted(p.stem for p in lab.tests_dir.glob("q*.py"))
        assert sorted(lab.questions()) == files, lab.name
        template = lab.template.read_text()
        checked = re.findall(r'grader\.check\(\\"(q\d+)\\"\)', template)
        assert checked == lab.questions(), lab.name
        for name, t in lab.thresholds.items():
            assert t["question"] in lab.questions(), (lab.name, name)
            assert ("min" in t) != ("max" in t) and t["budget_seconds"] > 0, (lab.name, name)
        assert set(lab.grading) == {"timeout", "cell_timeout", "memory_limit_gb"}, lab.name
