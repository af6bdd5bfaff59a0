"""How long lab 1 should train: where the validation curve stops improving, and what the final
training reaches at that many epochs, over seeds.

    flock /tmp/dllab-bench.lock python benchmarks/lab1_epochs.py [--seeds 5]

For each seed, the notebook's probe (the reference network, 20% of the training set held out)
trains PROBE_EPOCHS epochs; the epoch where the validation loss, smoothed over five epochs, is
lowest is where the curve stops teaching anything new. Then the notebook's final training (all
404 houses) runs for each candidate number of epochs, and the test MAE is recorded. Results go
to benchmarks/results/lab1_epochs.md; the threshold itself is then measured by
train_thresholds.py at the chosen EPOCHS (lab.toml), by its rule.
"""

import argparse
import os
import statistics
from pathlib import Path

os.environ.setdefault("TF_DETERMINISTIC_OPS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

from autograder.labs import Lab  # noqa: E402
from train_thresholds import lab1_data, lab1_reference  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "lab1_epochs.md"
LAB1 = Lab("lab1_regression")
PROBE_EPOCHS = 150  # longer than the notebook's probe: where the curve turns, with room to see it
CANDIDATES = (20, 30, 40, 60, 90, 130)


def probe_minimum(seed):
    """(epoch of the smoothed validation minimum, its smoothed loss) of the notebook's probe."""
    import keras
    ref = LAB1.solution_module()
    x_train, y_train, x_test, _ = lab1_data()
    x_train, _, _, _ = ref.standardize(x_train, x_test)
    keras.utils.set_random_seed(seed)
    probe = ref.build_regression_model(x_train.shape[1])
    history = probe.fit(x_train, y_train, epochs=PROBE_EPOCHS, batch_size=16, validation_split=0.2, verbose=0)
    smooth = np.convolve(history.history["val_loss"], np.ones(5) / 5, mode="valid")
    best = int(np.argmin(smooth))
    return best + 3, float(smooth[best])  # the window's centre, counting epochs from 1


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args(argv)
    seeds = range(args.seeds)
    minima = [probe_minimum(seed) for seed in seeds]
    maes = {epochs: [lab1_reference(seed, epochs=epochs)[0] for seed in seeds] for epochs in CANDIDATES}
    epochs_at_min = [m[0] for m in minima]
    lines = ["# Lab 1: how many epochs", "",
             f"`python benchmarks/lab1_epochs.py --seeds {args.seeds}` (2-core CPU).", "",
             f"Validation minimum of the notebook's probe ({PROBE_EPOCHS} epochs, 20% held out, "
             "loss smoothed over 5 epochs), per seed: " + ", ".join(map(str, epochs_at_min))
             + f"; median {statistics.median(epochs_at_min):g}.", "",
             "| final training, epochs | test MAE (k$) per seed | median | worst |", "|---|---|---|---|"]
    for epochs, values in maes.items():
        lines.append(f"| {epochs} | {', '.join(f'{v:.3f}' for v in values)} | "
                     f"{statistics.median(values):.3f} | {max(values):.3f} |")
    text = "\n".join(lines) + "\n"
    RESULTS.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
