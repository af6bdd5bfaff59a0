"""Lab 5's functions that call the notebook's functions of earlier questions (see
assignments/lab3_cnn_numpy/composites.py): rnn_forward steps with rnn_cell_forward, as the
reference does, so the reference's calls are the ones the judge answers."""

HELPERS = {"rnn_forward": ("rnn_cell_forward",)}
