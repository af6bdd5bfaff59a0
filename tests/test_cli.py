"""The command line's conventions: fast help, documented exit codes, quiet output."""

import subprocess
import sys

from autograder.paths import ROOT

HEAVY = ("nbformat", "nbclient", "otter", "tensorflow", "keras")


def _run(*args, env=None):
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, env=env)


def test_help_needs_neither_the_notebook_stack_nor_tensorflow():
    code = ("import sys\nfrom autograder.cli import main\ntry:\n    main(['--help'])\n"
            "except SystemExit:\n    pass\n"
            f"print('LOADED', [m for m in {HEAVY!r} if m in sys.modules])")
    proc = _run("-c", code)
    assert "LOADED []" in proc.stdout, proc.stdout[-500:]
    assert "exit codes:" in proc.stdout and "python -m autograder" in proc.stdout


def test_the_console_command_and_the_module_are_the_same_program():
    import shutil

    dllab = shutil.which("dllab")
    assert dllab, "the package's console command is not installed: pip install -e ."
    a = subprocess.run([dllab, "--help"], capture_output=True, text=True, timeout=60).stdout
    b = _run("-m", "autograder", "--help").stdout
    assert a == b


def test_build_prints_one_line_per_lab_and_no_tensorflow_log(tmp_path):
    """lab5 imports Keras and TensorFlow while building; their start-up notices stay out."""
    proc = _run("-m", "autograder", "build", "lab5_rnn", "--out", str(tmp_path))
    if proc.returncode == 2 and "Could not load" in proc.stderr:
        import pytest
        pytest.skip("lab5_rnn's data set is not available here")
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = (proc.stdout + proc.stderr).splitlines()
    assert len(lines) == 1 and lines[0].startswith("built lab5_rnn in "), lines
    quiet = _run("-m", "autograder", "-q", "build", "lab5_rnn", "--out", str(tmp_path))
    assert quiet.returncode == 0 and quiet.stdout + quiet.stderr == ""


def test_an_unknown_lab_is_exit_code_2_with_one_line():
    proc = _run("-m", "autograder", "build", "no_such_lab")
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [proc.stderr.strip()]
    assert proc.stderr.startswith("error: unknown lab 'no_such_lab'")


def test_check_keeps_the_kernels_tensorflow_log_out_of_its_output(built):
    """The kernel imports Keras; its C++ start-up notices go to a log, not to the terminal."""
    lab = built["lab5_rnn"]
    student = lab.dist(lab.out_root) / "student" / "lab5_rnn.ipynb"
    proc = _run("-m", "autograder", "check", str(student))
    assert proc.returncode == 1  # the stubs fail their public checks
    assert "q1: FAILED" in proc.stdout
    for noise in ("absl", "oneDNN", "cuda", "IPKernelApp"):
        assert noise not in proc.stdout + proc.stderr, noise
