"""Run by the grader before a submission's first cell.

- `os._exit()` and `os.abort()` would kill the kernel, and every mark with it: they raise.
- Gigabytes of prints would exhaust the grader's memory: output past MAX_PRINTED characters
  is dropped, with one line that says so.
- OpenBLAS takes its work buffers on first use and ends the process when it cannot: a cell
  that holds all the memory the grading allows would kill the kernel at the next product of
  matrices (measured: "OpenBLAS error: Memory allocation still failed after 10 retries",
  every mark lost). One product here takes the buffers before any cell of the student's.
- The notebook's last cell answers the judge (dllab_kernel.serve): its modules (sockets,
  JSON, base64) are loaded here, while there is memory to load them; after a cell that held
  all of it, importing them failed and the judge got no answer (measured: every mark lost).
Names start with _dllab_: this runs in the student's namespace.
"""
# Added by the course's grader before the submission's first cell.
import os as _dllab_os
import sys as _dllab_sys

MAX_PRINTED = 2_000_000  # characters of stdout and stderr together


def _dllab_no_exit(*args, **kwargs):
    raise RuntimeError("os._exit() and os.abort() are disabled while grading")


_dllab_os._exit = _dllab_no_exit
_dllab_os.abort = _dllab_no_exit


class _DllabCappedStream:
    """Drops output past a shared budget of characters."""

    def __init__(self, stream, budget):
        self._stream, self._budget = stream, budget

    def write(self, text):
        if self._budget[0] > 0:
            self._budget[0] -= len(text)
            if self._budget[0] <= 0:
                text = text + "\n[output truncated by the grader]\n"
            return self._stream.write(text)
        return len(text)

    def __getattr__(self, name):
        return getattr(self._stream, name)


_dllab_budget = [MAX_PRINTED]
_dllab_sys.stdout = _DllabCappedStream(_dllab_sys.stdout, _dllab_budget)
_dllab_sys.stderr = _DllabCappedStream(_dllab_sys.stderr, _dllab_budget)
del MAX_PRINTED

try:
    import numpy as _dllab_np

    _dllab_np.ones((512, 512)) @ _dllab_np.ones((512, 512))
    del _dllab_np
except Exception:  # a notebook graded without numpy: nothing to prepare
    pass

try:
    import dllab_kernel as _dllab_kernel  # noqa: F401

    del _dllab_kernel
except ImportError:  # only the autograder puts it beside the notebook
    pass
