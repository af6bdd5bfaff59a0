"""The errors a command reports as one line (exit code 2), without a traceback.

Kept apart from the modules that raise them so that the command line can catch them without
importing the notebook stack (nbformat, nbclient, otter) or TensorFlow.
"""

from .judge.submission import NotebookError
from .kernel.dllab_data import DataUnavailableError


class UnknownLab(ValueError):
    """A lab name that is not a folder of assignments/ with a lab.toml."""


class UsageError(ValueError):
    """Arguments the instructor can correct (a path that does not exist, an output folder of
    another lab): reported before anything is graded, never turned into a student's row."""


__all__ = ["DataUnavailableError", "NotebookError", "UnknownLab", "UsageError"]
