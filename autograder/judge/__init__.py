"""The judge: what grades a submission, on Gradescope and under `dllab grade` alike.

- runner.py: lays out the grading folder, starts the student's side in the sandbox, ends it,
  writes the result (results.json on Gradescope);
- isolation.py: the sandbox (bubblewrap, or an unprivileged user);
- verdicts.py: the lab's tests, run in the judge's process against the kernel's answers;
- run_autograder: Gradescope's entry point in the zip.

Each file runs on its own from the zip (as dllab_runner.py, dllab_isolation.py,
dllab_verdicts.py): the standard library, otter's stack, numpy and the tests' helpers
(autograder/checks/), nothing of the instructor's side.
"""
