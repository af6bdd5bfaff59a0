"""The cells the build and the grader paste into notebooks, tested as the code they are."""

import base64
import io
import subprocess
import sys
import zipfile

import pytest

from autograder.kernel.cells import cell_source


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


def _setup_output(tmp_path, versions) -> str:
    blob = base64.b64encode(_empty_zip()).decode()
    setup = cell_source("setup", OTTER_REQUIREMENT="otter-grader==7.0.0", GRADER_VERSIONS=versions,
                        PUBLIC_CHECKS=blob)
    proc = _run(setup, tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def _empty_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("support/dllab_public_checks.py", "")
    return buf.getvalue()


def test_setup_says_nothing_when_the_versions_are_the_graders(tmp_path):
    from importlib import metadata

    import numpy
    import otter

    same = {"numpy": numpy.__version__, "keras": metadata.version("keras"), "otter": otter.__version__}
    assert _setup_output(tmp_path, same) == ""


def test_setup_names_each_version_that_differs_and_what_it_may_change(tmp_path):
    import numpy
    import otter

    out = _setup_output(tmp_path, {"numpy": "99.0.0", "tensorflow": "1.0.0", "otter": otter.__version__})
    lines = out.splitlines()
    assert lines[0] == "Your versions differ from the grader's, which grades your notebook with its own:"
    assert lines[1] == (f"  numpy {numpy.__version__} here, 99.0.0 in the grader: newer numpy refuses some "
                        f"things older numpy only warns about; the checks below run your functions as the "
                        f"grader's numpy would")
    assert lines[2].startswith("  tensorflow ") and ", 1.0.0 in the grader: the grader trains your model" in lines[2]
    assert len(lines) == 3  # otter is the grader's: not a word about it
    out = _setup_output(tmp_path, {"numpy": "2.0.2", "otter": "6.0.0"})
    assert "2.0.2 in the grader: the grader's older numpy may accept or warn about what yours refuses" in out
    assert "6.0.0 in the grader: the checks may behave differently (`pip install otter-grader==7.0.0`" in out


def test_setup_of_a_keras_lab_imports_it_leaving_out_only_the_libraries_notices(tmp_path, monkeypatch):
    """TensorFlow's C++ libraries write notices to file descriptor 2 while they load, which
    Jupyter shows in red under the cell: the setup cell imports what QUIET_IMPORTS names with
    those left out, and shows whatever else was written meanwhile."""
    (tmp_path / "noisy.py").write_text(
        "import os, sys\n"
        "os.write(2, b'WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\\n')\n"
        "os.write(2, b'I0000 00:00:1796620006.530082   15997 port.cc:153] oneDNN custom operations are on.\\n')\n"
        "os.write(2, b'I0000 00:00:1796620006.563708   15997 cpu_feature_guard.cc:227] This TensorFlow binary"
        " is optimized\\n')\n"
        "os.write(2, b'To enable the following instructions: AVX2 FMA, in other operations, rebuild TensorFlow"
        " with the appropriate compiler flags.\\n')\n"
        "os.write(2, b'E0000 00:00:1796620007.000001   15997 op_kernel.cc:1] an error of the library\\n')\n"
        "print('a line of Python', file=sys.stderr)\n")
    blob = base64.b64encode(_empty_zip()).decode()
    monkeypatch.delenv("TF_CPP_MIN_LOG_LEVEL", raising=False)  # as in a student's Jupyter

    def setup(modules):
        return cell_source("setup", OTTER_REQUIREMENT="otter-grader==7.0.0", PUBLIC_CHECKS=blob,
                           QUIET_IMPORTS=modules)

    env_check = "import os, sys\nprint('noisy' in sys.modules, os.environ.get('TF_CPP_MIN_LOG_LEVEL'))"
    proc = _run(setup(["noisy"]), tmp_path, env_check)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split() == ["True", "3"]  # set before the import: TensorFlow reads it then
    assert proc.stderr == ("E0000 00:00:1796620007.000001   15997 op_kernel.cc:1] an error of the library\n"
                           "a line of Python\n")
    proc = _run(setup(["no_such_module"]), tmp_path, "print('ran on')")  # the lab's own import says so
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "ran on\n", "")
    proc = _run(setup([]), tmp_path, env_check)  # a numpy lab imports nothing and sets nothing
    assert proc.stdout.split() == ["False", "None"]


def test_budget_cell_holds_the_lab_toml_constants():
    from autograder.labs import Lab
    from autograder.notebooks import budget_source

    lab = Lab("lab4_cnn_keras")
    env = {}
    exec(budget_source(lab), env)
    assert {k: v for k, v in env.items() if k.isupper()} == lab.training_budget
