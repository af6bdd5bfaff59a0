"""Seconds per training epoch of lab 4's CIFAR network and lab 5's LSTM, on the backend Keras runs.

Where a whole grading (backends.py) says that a backend is slow, this says why: the model alone,
with or without lab 4's augmentation, and beside other busy processes.

    KERAS_BACKEND=jax   flock /tmp/dllab-bench.lock python benchmarks/epoch_times.py cifar --augment none lab4
    KERAS_BACKEND=torch flock /tmp/dllab-bench.lock python benchmarks/epoch_times.py lstm --busy 2
    KERAS_BACKEND=torch OMP_NUM_THREADS=1 flock /tmp/dllab-bench.lock python benchmarks/epoch_times.py lstm --busy 2

`--busy N` starts N processes that spin on the CPU for as long as the measurement runs (what
other gradings or other work do to a kernel). The first epoch includes compilation; the others
do not. Figures quoted in benchmarks/results/backends.md and the README come from this script.
"""

import argparse
import os
import subprocess
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
from train_thresholds_lab4_lab5 import augmented, budget, cifar, mnist  # noqa: E402

from autograder.labs import Lab  # noqa: E402

# "lab4": the notebook's training wrapper (random flips and shifts in front of the network)
AUGMENTATIONS = ("none", "lab4")


def cifar_trainer(augment):
    (x, y), _ = cifar()
    network = Lab("lab4_cnn_keras").solution_module().build_cifar_cnn()
    model = augmented(network) if augment == "lab4" else network
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model, x, y, budget("lab4_cnn_keras")["CIFAR_BATCH"]


def lstm_trainer(augment):
    (x, y), _, _ = mnist((28, 28))
    b = budget("lab5_rnn")
    model = Lab("lab5_rnn").solution_module().build_sequence_model(cell=b["SEQ_CELL"], units=b["SEQ_UNITS"])
    return model, x, y, b["SEQ_BATCH"]


def epoch_seconds(trainer, augment, epochs):
    keras.utils.set_random_seed(0)
    model, x, y, batch = trainer(augment)
    times = []
    for _ in range(epochs):
        start = time.perf_counter()
        model.fit(x, y, batch_size=batch, epochs=1, verbose=0)
        times.append(round(time.perf_counter() - start, 1))
    return times


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("model", choices=("cifar", "lstm"))
    p.add_argument("--augment", nargs="+", default=["none"], choices=AUGMENTATIONS,
                   help="cifar only: the layers in front of the network")
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--busy", type=int, default=0, help="spinning processes beside the measurement")
    a = p.parse_args()
    trainer = {"cifar": cifar_trainer, "lstm": lstm_trainer}[a.model]
    busy = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(a.busy)]
    try:
        for augment in a.augment if a.model == "cifar" else ["none"]:
            print(f"{a.model}, augmentation {augment}, backend {keras.backend.backend()}, "
                  f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}, {a.busy} busy: "
                  f"seconds per epoch {epoch_seconds(trainer, augment, a.epochs)}", flush=True)
    finally:
        for proc in busy:
            proc.kill()


if __name__ == "__main__":
    main()
