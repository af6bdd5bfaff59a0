"""The student notebook's Submit cell (tagged otter_ignore: grading skips it)."""
import sys

from IPython.display import display

QUESTIONS = []  # filled in by the build: the lab's questions, in order

for question in QUESTIONS:
    display(grader.check(question))  # noqa: F821 (`grader` comes from the setup cell)
if "google.colab" in sys.modules:  # Colab imports it at start-up
    print("In Colab: File > Download > Download .ipynb, then upload that notebook.")
else:
    grader.export(pdf=False, run_tests=False)  # noqa: F821
