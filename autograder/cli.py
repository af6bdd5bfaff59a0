"""Argument parsing for `python -m autograder`; each command lives in its own module."""

import argparse
import os
import sys
from pathlib import Path

from .labs import DIST, ROOT, UnknownLab, all_labs, get_lab

# The course's shared data folder, when the project sits beside it (CI, the course's machines);
# anywhere else the loader uses DLLAB_DATA_DIR if set, or Keras' download.
SHARED_DATA = ROOT.parent / "shared" / "datasets"


def _cmd_build(args) -> int:
    from .build import build

    labs = [get_lab(name) for name in args.labs] if args.labs else all_labs()
    if not labs:
        print("no labs found under assignments/", file=sys.stderr)
        return 1
    for lab in labs:
        build(lab, Path(args.out))
    return 0


def _cmd_check(args) -> int:
    from .check import check_notebook, print_report

    report = check_notebook(Path(args.notebook), timeout=args.timeout)
    print_report(report)
    return 0 if report.ok else 1


def _cmd_grade(args) -> int:
    from .grade import grade_batch

    lab = get_lab(args.lab)
    summary = grade_batch(lab, [Path(p) for p in args.submissions], Path(args.out),
                          zip_path=Path(args.autograder) if args.autograder else None,
                          timeout=args.timeout, jobs=args.jobs, force=args.force,
                          cell_timeout=args.cell_timeout)
    return 0 if summary.graded or summary.skipped else 1


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m autograder", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="build student notebooks, solutions and autograder zips")
    b.add_argument("labs", nargs="*", help="lab names (default: every lab)")
    b.add_argument("--out", default=str(DIST), help="output folder (default: dist/)")
    b.set_defaults(func=_cmd_build)

    c = sub.add_parser("check", help="run a notebook and print its public checks")
    c.add_argument("notebook")
    c.add_argument("--timeout", type=float, default=None,
                   help="seconds for the whole notebook (default: otter_config.json's timeout)")
    c.set_defaults(func=_cmd_check)

    g = sub.add_parser("grade", help="grade submissions into DIR/gradebook.csv")
    g.add_argument("lab")
    g.add_argument("submissions", nargs="+", help="notebooks, grader.export() zips, or folders")
    g.add_argument("--out", required=True, help="output folder for gradebook.csv and feedback/")
    g.add_argument("--autograder", help="autograder zip (default: dist/<lab>/autograder/...)")
    g.add_argument("--timeout", type=float, default=None,
                   help="seconds per submission (default: otter_config.json's timeout)")
    g.add_argument("--cell-timeout", type=float, default=None,
                   help="seconds before one cell is interrupted and grading goes on "
                        "(default: otter_config.json's cell_timeout)")
    g.add_argument("-j", "--jobs", type=int, default=None, help="parallel gradings (default: cores)")
    g.add_argument("--force", action="store_true", help="grade again what is already graded")
    g.set_defaults(func=_cmd_grade)
    return p


def main(argv=None) -> int:
    from .check import NotebookError

    args = parser().parse_args(argv)
    if "DLLAB_DATA_DIR" not in os.environ and SHARED_DATA.is_dir():
        os.environ["DLLAB_DATA_DIR"] = str(SHARED_DATA)
    try:
        return args.func(args)
    except (UnknownLab, NotebookError, FileNotFoundError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except RuntimeError as e:
        if type(e).__name__ != "DataUnavailableError":
            raise
        print(f"error: {e}", file=sys.stderr)
        return 2
