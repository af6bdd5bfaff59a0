"""The command line: `dllab` (or `python -m autograder`) build | check | grade | k8s | similarity.

Each command lives in its own module, imported when the command runs: `--help` and argument
errors need neither the notebook stack nor TensorFlow.
"""

import argparse
import logging
import os
import sys
from pathlib import Path

from .errors import DataUnavailableError, NotebookError, UnknownLab, UsageError
from .labs import all_labs, get_lab
from .paths import DIST

EXIT_CODES = """\
exit codes:
  0  done: build built every lab; check saw every public check pass; grade wrote the
     gradebook and graded at least one submission (a row that could not be graded says why);
     k8s wrote its folder
  1  done, with a finding: check saw a failed public check or a cell error; grade could
     grade no submission normally; build found no lab
  2  not done: bad arguments, an unknown lab, a file that is not a notebook, data that
     cannot be loaded, a missing autograder zip, fewer than two notebooks to compare, a
     submission path that does not exist or a folder without notebooks, an output folder
     of another lab, k8s's --out not empty (one line on stderr says which)
"""

log = logging.getLogger("autograder")


def _cmd_build(args) -> int:
    from .build import build

    labs = [get_lab(name) for name in args.labs] if args.labs else all_labs()
    if not labs:
        log.error("no labs found under assignments/")
        return 1
    for lab in labs:
        build(lab, Path(args.out))
    return 0


def _cmd_check(args) -> int:
    from .check import check_notebook, print_report

    report = check_notebook(Path(args.notebook), timeout=args.timeout)
    print_report(report)
    return 0 if report.ok else 1


def _submissions(args) -> list[Path]:
    if not args.submissions:
        # `dllab grade subs/ --out g`: the lab's name forgotten, the folder taken for it
        hint = " (it names a file or folder: was the lab's name forgotten?)" if Path(args.lab).exists() else ""
        raise UsageError(f"no submissions named: dllab {args.command} LAB SUBMISSIONS... --out DIR; "
                         f"'{args.lab}' was read as the lab{hint}")
    return [Path(p) for p in args.submissions]


def _cmd_grade(args) -> int:
    from .grade import ClassOptions, grade_batch

    paths = _submissions(args)
    lab = get_lab(args.lab)
    summary = grade_batch(lab, paths, Path(args.out),
                          zip_path=Path(args.autograder) if args.autograder else None,
                          timeout=args.timeout, jobs=args.jobs, force=args.force,
                          cell_timeout=args.cell_timeout, progress=not args.quiet,
                          isolated=not args.no_isolation, scheduler=args.scheduler,
                          klass=ClassOptions(Path(args.roster) if args.roster else None, args.roster_key,
                                             {"deadline": args.deadline, "penalty": args.late_penalty,
                                              "cap": args.late_cap, "grace": args.grace}, args.assignment))
    return 0 if summary.graded or summary.skipped else 1


def _cmd_k8s(args) -> int:
    from .k8s import write_k8s

    paths = _submissions(args)
    write_k8s(get_lab(args.lab), paths, Path(args.out),
              zip_path=Path(args.autograder) if args.autograder else None, image=args.image,
              claim=args.volume_claim, namespace=args.namespace, parallelism=args.parallelism,
              retries=args.retries)
    return 0


def _cmd_similarity(args) -> int:
    from .similarity import SimilarityError, similarity_report

    if args.top < 0:
        log.error("--top must be 0 or more, not %d", args.top)
        return 2
    lab = get_lab(args.lab)
    try:
        similarity_report(lab, [Path(p) for p in args.submissions], Path(args.out),
                          gradebook=Path(args.gradebook) if args.gradebook else None,
                          detailed=args.top, sources=[Path(x) for x in args.source],
                          base=[Path(x) for x in args.base], common=args.common)
    except SimilarityError as e:
        log.error("%s", e)
        return 2
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="dllab", description="Build, check and grade the Deep Learning Lab notebooks "
        "(also: python -m autograder).", epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    verbosity = p.add_mutually_exclusive_group()
    verbosity.add_argument("-q", "--quiet", action="store_true",
                           help="print only warnings and errors (no progress bar)")
    verbosity.add_argument("-v", "--verbose", action="store_true", help="print debugging details")
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="build student notebooks, solutions and autograder zips",
                       epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter)
    b.add_argument("labs", nargs="*", help="lab names (default: every lab)")
    b.add_argument("--out", default=str(DIST), help="output folder (default: dist/)")
    b.set_defaults(func=_cmd_build)

    c = sub.add_parser("check", help="run a notebook and print its public checks",
                       epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter)
    c.add_argument("notebook")
    c.add_argument("--timeout", type=float, default=None,
                   help="seconds for the whole notebook (default: its lab's grading timeout)")
    c.set_defaults(func=_cmd_check)

    g = sub.add_parser("grade", help="grade submissions into DIR/gradebook.csv",
                       epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter)
    g.add_argument("lab")
    g.add_argument("submissions", nargs="*", help="notebooks, grader.export() zips, or folders")
    g.add_argument("--out", required=True, help="output folder for gradebook.csv and feedback/")
    g.add_argument("--autograder", help="autograder zip (default: dist/<lab>/autograder/...)")
    g.add_argument("--timeout", type=float, default=None,
                   help="seconds per submission (default: the lab's grading timeout, lab.toml)")
    g.add_argument("--cell-timeout", type=float, default=None,
                   help="seconds before one cell is interrupted and grading goes on "
                        "(default: the lab's cell_timeout, lab.toml)")
    g.add_argument("-j", "--jobs", type=int, default=None, help="parallel gradings (default: cores)")
    g.add_argument("--force", action="store_true", help="grade again what is already graded")
    klass = g.add_argument_group("the class (README, \"A semester's gradebook\")")
    klass.add_argument("--roster", help="CSV of the class: id, name, email[, extension, canvas_id, sis_user_id, "
                   "sis_login_id, section]; adds students.csv rows for everyone, canvas.csv and moodle.csv")
    klass.add_argument("--roster-key", metavar="COLUMN", help="match a file to the student whose COLUMN value "
                   "its name contains (default: LMS download names, then id, email, name)")
    klass.add_argument("--deadline", help="ISO 8601, e.g. 2026-12-10T23:59:00+01:00 (default: lab.toml's [late])")
    klass.add_argument("--late-penalty", metavar="RATE", help="share of the score per started day or hour "
                   "late, e.g. 10%%/day or 2%%/hour")
    klass.add_argument("--late-cap", metavar="PERCENT", help="the most a late submission loses, e.g. 50%%")
    klass.add_argument("--grace", metavar="DURATION", help="late by at most this counts as on time, e.g. 15m")
    klass.add_argument("--assignment", help="the grade column's name in canvas.csv and moodle.csv "
                   "(default: the lab's name and title)")
    g.add_argument("--scheduler", metavar="tcp://HOST:8786",
                   help="grade on a Dask cluster: each grading is a task its workers run in their own "
                        "sandbox (README, 'Grading on a cluster')")
    g.add_argument("--no-isolation", action="store_true",
                   help="grade without a sandbox where none can be made (no bubblewrap, not root): "
                        "the notebooks run as you, with your files and network; every row says so")
    g.set_defaults(func=_cmd_grade)

    k = sub.add_parser("k8s", help="write what a Kubernetes cluster needs to grade a class: an Indexed Job, "
                       "its image's recipe, the volume's files (README, 'Grading on Kubernetes')",
                       epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter)
    k.add_argument("lab")
    k.add_argument("submissions", nargs="*", help="notebooks, grader.export() zips, or folders (as grade)")
    k.add_argument("--out", required=True, help="a new folder for job.yaml, volume-pod.yaml, image/ and volume/")
    k.add_argument("--autograder", help="autograder zip (default: dist/<lab>/autograder/...)")
    k.add_argument("--image", help="the image the pods run, as you will push it (default: "
                   "dllab-<lab>:<the zip's digest>)")
    k.add_argument("--volume-claim", default="dllab-grading", metavar="NAME",
                   help="the PersistentVolumeClaim that carries the submissions and the results "
                        "(ReadWriteMany for pods on several nodes; default: dllab-grading)")
    k.add_argument("--namespace", help="the namespace of the Job (default: kubectl's current one)")
    k.add_argument("--parallelism", type=int, default=None,
                   help="pods at once (default: every submission; the cluster runs what fits)")
    k.add_argument("--retries", type=int, default=1,
                   help="times a killed pod (out of memory, past its deadline) runs again (default: 1)")
    k.set_defaults(func=_cmd_k8s)

    s = sub.add_parser("similarity", help="compare a class's code pair by pair into DIR/similarity.csv "
                       "and DIR/similarity.html", epilog=EXIT_CODES,
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       description="Compare the code each student wrote (the lab's starter notebook is "
                       "left out) with every other submission's; a file that is not a notebook of the "
                       "lab is skipped with a warning.")
    s.add_argument("lab")
    s.add_argument("submissions", nargs="+", help="notebooks, grader.export() zips, or folders (as grade)")
    s.add_argument("--out", required=True, help="output folder for similarity.csv and similarity.html")
    s.add_argument("--gradebook", help="the same class's grade output folder, or its gradebook.csv: "
                   "marks pairs that fail the same hidden cases with the same messages")
    s.add_argument("--top", type=int, default=10, metavar="N",
                   help="pairs shown side by side in the HTML report (default: 10)")
    s.add_argument("--source", action="append", default=[], metavar="FILE",
                   help="a known source (a notebook or a .py file: the reference, last year's work, a public "
                        "solution), compared with every student and reported as such; repeatable")
    s.add_argument("--base", action="append", default=[], metavar="FILE",
                   help="code that counts for nothing, like the starter notebook (a scaffold handed out); repeatable")
    s.add_argument("--common", type=int, default=None, metavar="N",
                   help="code found in more than N submissions counts for nothing (default: a fifth of the "
                        "class, at least 2; MOSS's -m)")
    s.set_defaults(func=_cmd_similarity)
    return p


class _Formatter(logging.Formatter):
    """Progress as plain lines; warnings and errors say which they are."""

    def format(self, record):
        message = super().format(record)
        return message if record.levelno < logging.WARNING else f"{record.levelname.lower()}: {message}"


def _configure_logging(args):
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Formatter("%(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    level = logging.WARNING if args.quiet else logging.DEBUG if args.verbose else logging.INFO
    # our own messages at the chosen level; other libraries' (TensorFlow's retracing notes,
    # say) only when they are errors, or when asked for with -v
    root.setLevel(logging.DEBUG if args.verbose else logging.ERROR)
    log.setLevel(level)


def _quiet_tensorflow():
    """TensorFlow's C++ start-up log (oneDNN, CUDA, cpu features) is noise in every command;
    set before TensorFlow is imported, here or in the processes we start."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    _configure_logging(args)
    _quiet_tensorflow()
    try:
        return args.func(args)
    except (UnknownLab, NotebookError, FileNotFoundError, DataUnavailableError, UsageError) as e:
        log.error("%s", e)
        return 2
