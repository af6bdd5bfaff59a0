"""The cells the build and the grader paste into notebooks, tested as the code they are."""

import base64
import io
import subprocess
import sys
import zipfile

import pytest

from autograder.cells import cell_source


def _run(source: str, cwd, extra: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", source + "\n" + extra], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def test_values_are_filled_in_and_the_docstring_dropped():
    source = cell_source("export", QUESTIONS=["q1", "q2"])
    assert "QUESTIONS = ['q1', 'q2']" in source
    assert "Submit cell" not in source  # the module docstring is for maintainers
    with pytest.raises(KeyError):
        cell_source("export", NO_SUCH_NAME=1)


def test_guard_turns_os_exit_into_an_error_and_caps_output(tmp_path):
    guard = cell_source("guard")
    proc = _run(guard, tmp_path,
                "import os\ntry:\n    os._exit(3)\nexcept RuntimeError as e:\n    print('refused:', e)")
    assert proc.returncode == 0 and "refused: os._exit() and os.abort() are disabled" in proc.stdout
    proc = _run(guard, tmp_path, "import sys\nfor _ in range(30_000):\n    sys.stdout.write('x' * 100)")
    assert 2_000_000 <= len(proc.stdout) < 2_000_200
    assert proc.stdout.rstrip().endswith("[output truncated by the grader]")
    assert "MAX_PRINTED" not in _run(guard, tmp_path, "print(sorted(globals()))").stdout


def test_setup_writes_the_public_checks_and_creates_grader(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("q1.py", "from otter.test_files import test_case\nOK_FORMAT = False\nname = 'q1'\n")
        z.writestr("support/dllab_public_checks.py", "VALUE = 42\n")
    blob = base64.b64encode(buf.getvalue()).decode()
    setup = cell_source("setup", OTTER_REQUIREMENT="otter-grader==7.0.0", PUBLIC_CHECKS=blob)
    proc = _run(setup, tmp_path, "import dllab_public_checks\n"
                "print(type(grader).__name__, dllab_public_checks.VALUE, ready(1, 2), ready(1, None))")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split() == ["Notebook", "42", "True", "False"]
    assert (tmp_path / "public_tests" / "q1.py").is_file()


def test_budget_cell_holds_the_lab_toml_constants():
    from autograder.labs import Lab
    from autograder.notebooks import budget_source

    lab = Lab("lab4_cnn_keras")
    env = {}
    exec(budget_source(lab), env)
    assert {k: v for k, v in env.items() if k.isupper()} == lab.training_budget
