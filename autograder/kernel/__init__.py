"""What runs in the student's kernel, and nothing of the grader's: the notebook's own cells
(cells/: the setup, the Submit cell, the training budget, the guard the grader adds), the
data loader the notebooks embed (dllab_data), and the kernel's side of grading
(dllab_kernel: the notebook's last cell, which answers the judge's calls).
"""
