"""What was submitted: the notebook, read leniently, and found where Gradescope or an export
zip puts it; how a student recognises one of its cells.

Part of the judge (shipped as dllab_submission.py): the standard library and nbformat.
"""

import re
import zipfile
from pathlib import Path


class NotebookError(Exception):
    """The file is not a notebook we can run (not JSON, not nbformat, not found)."""


def read_notebook(path):
    """The notebook at `path`, or NotebookError saying why it is not one.

    Deliberately lenient about schema details (a cell id in an older minor version, say):
    Jupyter opens such notebooks, so grading must too.
    """
    import nbformat

    name = Path(path).name  # never the grader's folders: a student may read this message
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise NotebookError(f"{name}: no such file")
    except (UnicodeDecodeError, IsADirectoryError) as e:
        raise NotebookError(f"{name}: not a notebook ({type(e).__name__})")
    try:
        nb = nbformat.reads(text, as_version=4)
    except Exception as e:
        raise NotebookError(f"{name}: not a valid notebook ({type(e).__name__}: {str(e)[:200]})")
    if not isinstance(nb.get("cells"), list):
        raise NotebookError(f"{name}: not a notebook (no list of cells)")
    return nb


def notebook_from(path: Path, workdir: Path) -> Path:
    """The notebook to grade: the file itself, or the one inside a grader.export() zip."""
    path = Path(path)
    if not path.exists():
        raise NotebookError(f"{path.name}: no such file")
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            names = [n for n in z.namelist() if n.endswith(".ipynb") and "checkpoint" not in n
                     and not n.startswith("__MACOSX")]
            if len(names) != 1:
                raise NotebookError(f"{path.name}: a zip should hold exactly one notebook, "
                                    f"found {len(names)}")
            target = Path(workdir) / Path(names[0]).name
            target.write_bytes(z.read(names[0]))
            path = target
    read_notebook(path)  # raises NotebookError with the reason
    return path


def submitted_notebook(folder: Path) -> Path:
    """The one notebook Gradescope put in `folder`: an .ipynb, or the one in an uploaded zip."""
    files = sorted(p for p in Path(folder).iterdir() if p.is_file() and not p.name.startswith("."))
    notebooks = [p for p in files if p.suffix == ".ipynb"]
    zips = [p for p in files if zipfile.is_zipfile(p)]
    if len(notebooks) == 1:
        read_notebook(notebooks[0])
        return notebooks[0]
    if len(notebooks) > 1:
        raise NotebookError(f"{len(notebooks)} notebooks were submitted "
                            f"({', '.join(p.name for p in notebooks)}): submit exactly one")
    if len(zips) == 1:
        path = notebook_from(zips[0], folder)
        zips[0].unlink()  # otter grades the one notebook beside it
        return path
    names = ", ".join(p.name for p in files) or "nothing"
    raise NotebookError(f"no notebook was submitted (found: {names}): submit your .ipynb file, "
                        f"or the zip that the notebook's Submit cell wrote")


# otter_config.json's "seed" makes otter put `np_<ID>.random.seed(42)` and `random_<ID>.seed(42)`
# on top of every code cell; the student never wrote them.
OTTER_SEED_LINE = re.compile(r"^(np|random)_[A-Za-z0-9]+(\.random)?\.seed\(\d+\)$")


def first_line(source: str, width: int = 80) -> str:
    """A cell's first line of code, as the student would recognise the cell."""
    lines = [line.strip() for line in source.splitlines()
             if line.strip() and not OTTER_SEED_LINE.match(line.strip())]
    code = [line for line in lines if not line.startswith("#")] or lines or [""]
    return code[0] if len(code[0]) <= width else code[0][:width - 3] + "..."
