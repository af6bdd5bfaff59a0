"""The tests' helpers: they run wherever the tests run.

- In the student's kernel, when a student runs `grader.check` (the notebook's setup cell
  unpacks them beside the public tests), and when grading, where the kernel runs the
  student's functions for the judge (dllab_calls.call) and describes its models
  (dllab_copies.model_spec).
- In the judge, when grading: the tests call the student's functions through stand-ins
  (dllab_calls.Remote), what comes back crosses as plain data (dllab_wire), and the tests
  compare it there (dllab_checks).

Each file is used on its own, outside this package, under its own name: the build puts them
beside the submission and beside the runner in the autograder zip. dllab_keras is for the labs
whose tests read Keras models; lab 3's students never receive it.
"""
