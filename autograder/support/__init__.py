"""What notebooks, tests and the build share: comparison helpers and the data loader.

Each file is also used on its own, outside this package: the build pastes dllab_data.py into
the notebooks and puts dllab_checks.py into the autograder zip beside the submission.
"""
