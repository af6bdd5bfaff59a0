"""`dllab similarity` on a synthetic class of lab 3 (tests/similarity_class/).

The class: five independent solutions written in different styles, three planted copies of
three of them with every usual disguise, two untouched starter notebooks. What an instructor
needs from the report: each copy's most similar submission is its original, every planted
pair ranks above every pair of independent authors, the starters share nothing.
"""

import csv
import itertools
import json
import re
import subprocess
import sys
import zipfile

import nbformat
import pytest

import similarity_class as sc
from autograder import similarity as S
from autograder.labs import Lab, all_labs
from autograder.paths import ROOT

PLANTED = {"copy_of_loops": "loops", "copy_of_vectorised": "vectorised", "copy_of_reference": "reference"}
STARTERS = ("starter_1", "starter_2")


@pytest.fixture(scope="module")
def klass(tmp_path_factory):
    folder = tmp_path_factory.mktemp("class")
    notebooks = {name: sc.student_notebook(name) for name in sc.INDEPENDENT}
    for seed, (copy, original) in enumerate(PLANTED.items()):
        notebooks[copy] = sc.disguise(notebooks[original], seed=seed)
    for name in STARTERS:
        notebooks[name] = sc.starter_notebook()
    for name, nb in notebooks.items():
        nbformat.write(nb, folder / f"{name}.ipynb")
    return folder, notebooks


@pytest.fixture(scope="module")
def report(klass, tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    pairs = S.similarity_report(sc.LAB, [klass[0]], out)
    return out, {frozenset((p.a, p.b)): p.similarity for p in pairs}


def _sim(scores, a, b):
    return scores[frozenset((a, b))]


def test_the_copies_are_disguised(klass):
    """Not a test of the detector: the planted copies share almost no line of the originals'
    code as text (renamed, re-spaced, comments changed), so the detector has work to do."""
    _, notebooks = klass
    for copy, original in PLANTED.items():
        names = sc.LAB.stub_names()
        a = S.graded_functions(S.student_code(notebooks[original]), names)
        b = S.graded_functions(S.student_code(notebooks[copy]), names)
        lines_a = {line.strip() for src in a.values() for line in sc._body(src).splitlines()
                   if line.strip() and not line.strip().startswith("#")}
        lines_b = {line.strip() for src in b.values() for line in sc._body(src).splitlines()}
        assert len(lines_a & lines_b) / len(lines_a) < 0.1, (copy, sorted(lines_a & lines_b)[:10])


def test_each_planted_copy_is_most_similar_to_its_original(report):
    _, scores = report
    everyone = {x for pair in scores for x in pair}
    for copy, original in PLANTED.items():
        best = max(everyone - {copy}, key=lambda other: _sim(scores, copy, other))
        assert best == original, (copy, best, _sim(scores, copy, best), _sim(scores, copy, original))


def test_every_planted_pair_scores_above_every_pair_of_independent_authors(report):
    """Independent authors: any two submissions that are neither a copy and its original nor a
    starter (two copies of different originals, a copy and someone else's original included)."""
    _, scores = report
    planted = [_sim(scores, c, o) for c, o in PLANTED.items()]
    authors = [*sc.INDEPENDENT, *PLANTED]
    independent = {pair: s for pair, s in scores.items() if pair <= set(authors)
                   and not any(pair == {c, o} for c, o in PLANTED.items())}
    assert len(independent) == len(list(itertools.combinations(authors, 2))) - len(PLANTED)
    worst = max(independent, key=independent.get)
    assert min(planted) > independent[worst], (min(planted), sorted(worst), independent[worst])


def test_untouched_starters_share_nothing_because_the_starter_is_boilerplate(klass, report):
    _, scores = report
    assert _sim(scores, *STARTERS) <= 0.10
    for other in sc.INDEPENDENT:
        assert _sim(scores, STARTERS[0], other) <= 0.10
    # without the boilerplate the same two notebooks are as good as identical: the figure
    # above is the starter being left out, not the comparison failing to see anything
    empty = S.boilerplate_hashes([])
    cells = S.student_code(klass[1][STARTERS[0]])
    a, b = (S.fingerprint("\n".join(cells), name, empty) for name in STARTERS)
    assert S.compare(a, b)[0] > 0.9


@pytest.fixture(scope="module")
def scaffold_class(tmp_path_factory):
    """Four independent authors, two planted copies, and six students who each followed one
    widely copied scaffold (the im2col solution, found on the web) in their own words."""
    folder = tmp_path_factory.mktemp("scaffold-class")
    notebooks = {name: sc.student_notebook(name) for name in ("reference", "loops", "vectorised", "beginner")}
    notebooks["copy_of_loops"] = sc.disguise(notebooks["loops"], seed=0)
    notebooks["copy_of_beginner"] = sc.disguise(notebooks["beginner"], seed=1)
    scaffold = sc.student_notebook("im2col")
    followers = [f"follower_{i}" for i in range(6)]
    for i, name in enumerate(followers):
        notebooks[name] = sc.disguise(scaffold, seed=10 + i)
    for name, nb in notebooks.items():
        nbformat.write(nb, folder / f"{name}.ipynb")
    return folder, followers


def test_code_the_class_shares_counts_for_little_and_a_copy_of_two_still_counts(scaffold_class, tmp_path):
    folder, followers = scaffold_class
    planted = [("copy_of_loops", "loops"), ("copy_of_beginner", "beginner")]

    def scores(common):
        pairs = S.similarity_report(sc.LAB, [folder], tmp_path / f"out{common}", common=common)
        return {frozenset((p.a, p.b)): p.similarity for p in pairs}

    def among_followers(s):
        return max(_sim(s, a, b) for a, b in itertools.combinations(followers, 2))

    # without the discount (every hash counts, however many share it) the scaffold's followers
    # look like copies of each other, at the planted copies' level: the problem MOSS's -m solves
    plain = scores(10**6)
    assert among_followers(plain) > 0.9 and min(_sim(plain, c, o) for c, o in planted) > 0.9
    discounted = scores(None)
    assert min(_sim(discounted, c, o) for c, o in planted) > among_followers(discounted) + 0.2, \
        (among_followers(discounted), [_sim(discounted, c, o) for c, o in planted])


def test_known_sources_are_compared_with_everyone_and_reported_as_such(scaffold_class, tmp_path):
    folder, followers = scaffold_class
    scaffold = tmp_path / "public_im2col.ipynb"
    nbformat.write(sc.student_notebook("im2col"), scaffold)
    out = tmp_path / "out"
    pairs = S.similarity_report(sc.LAB, [folder], out, sources=[scaffold])
    known = {p.a: p.similarity for p in pairs if p.kind == "known source"}
    assert set(known) == {p.stem for p in folder.glob("*.ipynb")}  # every student, no source pair
    assert all(p.b == "source:public_im2col" for p in pairs if p.kind == "known source")
    # the followers match the public scaffold even though the class shares it
    assert min(known[f] for f in followers) > 0.5 > max(known[x] for x in ("loops", "reference"))
    rows = list(csv.reader(open(out / "similarity.csv", newline="")))
    assert ["follower_0", "source:public_im2col"] == [r for r in rows if r[0] == "follower_0"
                                                     and r[3] == "known source"][0][:2]
    assert "(known source)" in (out / "similarity.html").read_text()


@pytest.mark.parametrize("lab", [lab.name for lab in all_labs()])
def test_every_lab_starter_is_boilerplate_and_a_disguised_solution_is_caught(lab, tmp_path):
    """The method is the lab's, not lab 3's: in every lab the starters share nothing, and the
    solution notebook and a disguised copy of it are more similar than either is to a starter."""
    from autograder.build import write_tests
    from autograder.cases import write_facts
    from autograder.notebooks import render

    lab = Lab(lab)
    write_tests(lab, tmp_path / "tests", tmp_path / "public")
    facts = write_facts(lab, tmp_path)
    solution = render(lab, tmp_path / "public", facts, solution=True)
    notebooks = {"starter_a": render(lab, tmp_path / "public", facts, solution=False),
                 "starter_b": render(lab, tmp_path / "public", facts, solution=False),
                 "solution": solution, "copy": sc.disguise(solution, seed=1, lab=lab)}
    for name, nb in notebooks.items():
        nbformat.write(nb, tmp_path / f"{name}.ipynb")
    pairs = S.similarity_report(lab, [tmp_path / f"{n}.ipynb" for n in notebooks], tmp_path / "out")
    scores = {frozenset((p.a, p.b)): p.similarity for p in pairs}
    assert _sim(scores, "starter_a", "starter_b") <= 0.10
    assert _sim(scores, "solution", "copy") > 0.8
    assert (pairs[0].a, pairs[0].b) in {("copy", "solution"), ("solution", "copy")}


def test_the_csv_has_every_pair_once_sorted_from_the_most_similar(klass, report):
    out, _ = report
    with open(out / "similarity.csv", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["submission_a", "submission_b", "similarity", "kind"]
    assert {r[3] for r in rows[1:]} == {"students"}
    ids = {p.stem for p in klass[0].glob("*.ipynb")}
    pairs = [frozenset(r[:2]) for r in rows[1:]]
    assert len(pairs) == len(set(pairs)) == len(ids) * (len(ids) - 1) // 2
    assert set().union(*pairs) == ids
    values = [float(r[2]) for r in rows[1:]]
    assert all(0 <= v <= 1 for v in values)
    assert values == sorted(values, reverse=True)


def test_the_html_report_shows_the_top_pairs_function_by_function(report):
    out, _ = report
    text = (out / "similarity.html").read_text()
    assert "<table class='pairs'>" in text
    first = text.index("id='pair-1'")
    section = text[first:text.index("id='pair-2'")]
    assert "copy_of_reference" in section and "reference" in section
    for name in ("conv2d_forward", "maxpool", "sobel_edges"):
        assert f"<h3>{name} " in section
    assert section.count("<mark>") > 10  # the matching regions, marked on both sides
    # the header's figures are of the class's own pairs: no percentile above the highest
    p95, highest = map(float, re.search(r"95th percentile (\d\.\d+), highest (\d\.\d+)", text).groups())
    assert p95 <= highest


def test_zips_folders_and_duplicate_names_as_grade_takes_them(klass, tmp_path):
    """The ids are the gradebook's: the file's stem, a duplicate name reported and numbered."""
    folder, notebooks = klass
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    nbformat.write(notebooks["loops"], tmp_path / "a" / "alice.ipynb")
    nbformat.write(notebooks["copy_of_loops"], tmp_path / "b" / "alice.ipynb")
    with zipfile.ZipFile(tmp_path / "bob.zip", "w") as z:  # what grader.export() writes
        z.writestr("lab3_cnn_numpy.ipynb", nbformat.writes(notebooks["beginner"]))
        z.writestr("lab3_cnn_numpy.pdf", b"%PDF")
    students, warnings = S.read_class(sc.LAB, [tmp_path / "a", tmp_path / "b", tmp_path / "bob.zip"])
    assert sorted(s.id for s in students) == ["alice", "alice__2", "bob"]
    assert len(warnings) == 1 and "same name" in warnings[0] and "alice__2" in warnings[0]


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "autograder", "similarity", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


def _one_line_error(proc, *words):
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, proc.stderr
    for word in words:
        assert word in errors[0], errors[0]


def test_fewer_than_two_notebooks_is_exit_code_2_with_one_line(klass, tmp_path):
    folder, notebooks = klass
    nbformat.write(notebooks["loops"], tmp_path / "only.ipynb")
    _one_line_error(_cli("lab3_cnn_numpy", tmp_path, "--out", tmp_path / "out"), "at least two")
    (tmp_path / "empty").mkdir()
    # a folder without notebooks is the instructor's typo, as in grade
    _one_line_error(_cli("lab3_cnn_numpy", tmp_path / "empty", "--out", tmp_path / "out"),
                    "no notebook (.ipynb) or grader.export() zip in this folder")


def test_a_file_that_is_not_a_notebook_is_skipped_with_a_warning(klass, tmp_path):
    """In a class folder a stray file costs a warning, not the report; named alone with one
    notebook it leaves nothing to compare: exit code 2."""
    folder, notebooks = klass
    for name in ("loops", "vectorised"):
        nbformat.write(notebooks[name], tmp_path / f"{name}.ipynb")
    (tmp_path / "notes.txt").write_text("not a notebook")
    (tmp_path / "broken.ipynb").write_text("{ not json")
    other = Lab("lab5_rnn")
    nb = nbformat.v4.new_notebook(metadata={"otter": {"assignment_name": other.name}})
    nbformat.write(nb, tmp_path / "lab5.ipynb")
    proc = _cli("lab3_cnn_numpy", tmp_path, "--out", tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    for name, why in (("notes.txt", "not a"), ("broken.ipynb", "not a valid notebook"),
                      ("lab5.ipynb", "a notebook of lab5_rnn, not lab3_cnn_numpy")):
        assert any(name in line and why in line and line.startswith("warning:")
                   for line in proc.stderr.splitlines()), (name, proc.stderr)
    rows = list(csv.reader(open(tmp_path / "out" / "similarity.csv")))
    assert rows[1:] and {rows[1][0], rows[1][1]} == {"loops", "vectorised"} and len(rows) == 2
    _one_line_error(_cli("lab3_cnn_numpy", tmp_path / "notes.txt", tmp_path / "loops.ipynb",
                         "--out", tmp_path / "out2"), "at least two")


def test_an_unknown_lab_or_a_missing_path_is_exit_code_2_with_one_line(klass, tmp_path):
    folder, _ = klass
    _one_line_error(_cli("no_such_lab", folder, "--out", tmp_path), "unknown lab 'no_such_lab'")
    _one_line_error(_cli("lab3_cnn_numpy", tmp_path / "nowhere", "--out", tmp_path), "no such file")


# --- the gradebook: the same unusual bug -----------------------------------------------------

def _result(sid, failed):
    """A results/<id>.json as `dllab grade` writes it (autograder/grade.py): per question, per case."""
    from autograder.judge.results import finish

    questions = {}
    for q, case, message in failed:
        questions.setdefault(q, {"score": 0.0, "possible": 4.0, "cases": [
            {"name": "test_lecture_example", "hidden": False, "passed": True, "points": 1.0, "message": ""}]})
        questions[q]["cases"].append({"name": case, "hidden": True, "passed": False, "points": 3.0,
                                      "message": message})
    result = {"id": sid, "status": "graded", "reason": "", "file": f"{sid}.ipynb", "questions": questions}
    return finish(result, Lab("lab3_cnn_numpy").public_facts())


RARE = ("q4", "test_stride_and_padding", "conv2d_forward: expected shape (2, 3, 3, 4), got (2, 3, 3, 1)")
COMMON = ("q9", "test_random_images", "sobel_edges: values differ from the expected ones (max error 2)")
STUB = ("q11", "test_maxpool_backward_numerical", "`maxpool_backward` returned None: the function is still a stub")


@pytest.fixture(scope="module")
def graded(klass, tmp_path_factory):
    """A grade output folder for the class: loops and its copy share a rare bug, four share a
    common one, vectorised fails the rare case with another message; the starters, beginner and
    im2col fail the bonus they left as the stub."""
    out = tmp_path_factory.mktemp("graded")
    (out / "results").mkdir()
    failures = {"loops": [RARE, COMMON], "copy_of_loops": [RARE, COMMON], "beginner": [COMMON, STUB],
                "im2col": [COMMON, STUB], "vectorised": [(RARE[0], RARE[1], "conv2d_forward: shape (2, 4, 4, 4)")],
                "starter_1": [STUB], "starter_2": [STUB]}
    ids = [p.stem for p in klass[0].glob("*.ipynb")]
    for sid in ids:
        (out / "results" / f"{sid}.json").write_text(json.dumps(_result(sid, failures.get(sid, []))))
    (out / "gradebook.csv").write_text("submission,total\n" + "".join(f"{i},0\n" for i in ids))
    return out


def test_pairs_failing_the_same_hidden_cases_the_same_way_are_marked(klass, graded, tmp_path):
    pairs = S.similarity_report(sc.LAB, [klass[0]], tmp_path, gradebook=graded)
    shared = {frozenset((p.a, p.b)): p.shared_failures for p in pairs}
    n = len(list(klass[0].glob("*.ipynb")))
    assert shared[frozenset(("loops", "copy_of_loops"))] == [(*RARE, 2), (*COMMON, 4)]  # rarest first
    assert shared[frozenset(("loops", "vectorised"))] == []        # same case, another message
    # a case of a function left as the stub is no shared bug: every stub fails it
    assert shared[frozenset(("beginner", "im2col"))] == [(*COMMON, 4)]
    assert shared[frozenset(("starter_1", "starter_2"))] == []
    html = (tmp_path / "similarity.html").read_text()
    assert "shared hidden failures" in html and f"failed by 2 of {n} submissions" in html
    # the gradebook.csv names the same folder
    again = S.similarity_report(sc.LAB, [klass[0]], tmp_path / "b", gradebook=graded / "gradebook.csv")
    assert {frozenset((p.a, p.b)): p.shared_failures for p in again} == shared


def test_a_gradebook_without_results_is_exit_code_2_with_one_line(klass, tmp_path):
    (tmp_path / "gradebook.csv").write_text("submission,total\n")
    proc = _cli("lab3_cnn_numpy", klass[0], "--out", tmp_path / "out", "--gradebook", tmp_path / "gradebook.csv")
    _one_line_error(proc, "no results/ folder")
