"""Measure the graded accuracy thresholds of labs 4 and 5 instead of guessing them.

For each graded training (LeNet-5 on MNIST, the CIFAR-10 network on the course's split, the
row-by-row recurrent classifier on MNIST) this trains the reference exactly as the notebook
does, with the lab's training budget (lab.toml's [training]), for several seeds; it
records the graded accuracy (on the data the hidden test uses) and the seconds of training;
and it trains the weak answers a student could plausibly hand in. Results go to
benchmarks/results/lab4_lab5.json and benchmarks/results/thresholds_lab4_lab5.md.

    flock /tmp/dllab-bench.lock python benchmarks/train_thresholds_lab4_lab5.py
    flock /tmp/dllab-bench.lock python benchmarks/train_thresholds_lab4_lab5.py --only cifar --seeds 5
    python benchmarks/train_thresholds_lab4_lab5.py --render     # the markdown from the json

(The flock keeps measurements on the shared 2-core machine from overlapping.)

The rule that turns measurements into a threshold was fixed before measuring (proposed()):
    threshold = round_down_to_0.005(worst - max(MIN_MARGIN, median - worst))
so the margin below the worst seed is at least the seeds' own spread, and at least a floor that
allows for another machine or Keras backend. The thresholds the tests use live in each lab's
lab.toml ([thresholds.lenet], [thresholds.cifar], [thresholds.seq]); --render reports whether each reference seed clears
them and each weak answer fails them.
"""

import argparse
import json
import math
import os
import platform
import statistics
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from autograder.labs import Lab  # noqa: E402
from autograder.kernel import dllab_data  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
JSON = RESULTS / "lab4_lab5.json"
MARKDOWN = RESULTS / "thresholds_lab4_lab5.md"

import numpy as np  # noqa: E402

# Fixed before measuring: the smallest margin between the worst reference seed and the
# threshold. CIFAR-10 on 3,000 images swings by points between seeds and backends; MNIST by
# tenths of a point.
MIN_MARGIN = {"lenet": 0.003, "cifar": 0.03, "seq": 0.005}
# Which lab's lab.toml states each model's threshold and budget ([thresholds.<name>]).
LAB_OF = {"lenet": "lab4_cnn_keras", "cifar": "lab4_cnn_keras", "seq": "lab5_rnn"}


def _lab(name):
    return Lab(name)


def budget(lab_name):
    """The notebook's training budget, lab.toml's [training]."""
    return _lab(lab_name).training_budget


def threshold_of(model):
    """lab.toml's [thresholds.<model>]: question, min, budget_seconds."""
    return _lab(LAB_OF[model]).thresholds[model]


# --- data, prepared as the notebooks prepare it ---------------------------------------------

def mnist(images_shape):
    (x, y), (xt, yt) = dllab_data.load_mnist()
    x = x.reshape((-1,) + images_shape).astype("float32") / 255.0
    xt = xt.reshape((-1,) + images_shape).astype("float32") / 255.0
    y, yt = y.astype("int64"), yt.astype("int64")
    # the notebooks fit on the first 55,000 and watch the last 5,000
    return (x[:55000], y[:55000]), (x[55000:], y[55000:]), (xt, yt)


def cifar():
    (x, y), (xe, ye) = dllab_data.load_cifar10_subset()
    return ((x.astype("float32") / 255.0, y.reshape(-1).astype("int64")),
            (xe.astype("float32") / 255.0, ye.reshape(-1).astype("int64")))


def accuracy(model, x, y):
    probs = np.asarray(model.predict(x, batch_size=500, verbose=0))
    return float((probs.argmax(axis=1) == y).mean())


def fit(model, train, val, epochs, batch, seed, ref):
    """The notebook's call: train_model with the validation data it watches; seconds of fit."""
    start = time.perf_counter()
    if epochs:
        ref.train_model(model, train[0], train[1], epochs, batch, seed=seed, validation_data=val)
    return time.perf_counter() - start


def compile_with_cosine(model, learning_rate, epochs, n_train, batch):
    """Lab 4's recipe, as its training cells do it: Adam whose step decays along a cosine to 0."""
    import keras
    steps = epochs * math.ceil(n_train / batch)
    schedule = keras.optimizers.schedules.CosineDecay(learning_rate, decay_steps=max(steps, 1))
    model.compile(optimizer=keras.optimizers.Adam(schedule), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])


def augmented(model):
    """Lab 4's CIFAR training wrapper: random flips and shifts (training only) in front of `model`."""
    import keras
    from keras import layers
    augment = keras.Sequential([layers.RandomFlip("horizontal"),
                                layers.RandomTranslation(0.125, 0.125, fill_mode="reflect")], name="augment")
    return keras.Sequential([keras.Input(shape=model.input_shape[1:]), augment, model])


# --- the three graded trainings, each with its weak answers ---------------------------------

def run_lenet(seeds):
    import keras
    from keras import layers
    ref, b = _lab("lab4_cnn_keras").solution_module(), budget("lab4_cnn_keras")
    train, val, test = mnist((28, 28, 1))
    epochs, batch, rate = b["LENET_EPOCHS"], b["LENET_BATCH"], b["LENET_LEARNING_RATE"]

    def one(seed, build=ref.build_lenet5, n_epochs=epochs, scale=1.0, schedule=True):
        keras.utils.set_random_seed(seed)
        model = build()
        if schedule:
            compile_with_cosine(model, rate, n_epochs, len(train[0]), batch)
        seconds = fit(model, (train[0] * scale, train[1]), (val[0] * scale, val[1]),
                      n_epochs, batch, seed, ref)
        row = {"seed": seed, "accuracy": accuracy(model, *test), "seconds": round(seconds, 1)}
        if build is not ref.build_lenet5:
            # what q6 measures: the trained weights in LeNet-5 as its docstring gives it
            required = ref.build_lenet5()
            try:
                required.set_weights(model.get_weights())
                row["as LeNet-5"] = accuracy(required, *test)
            except ValueError:
                row["as LeNet-5"] = None
        return row

    def no_relu():
        model = keras.Sequential([
            keras.Input((28, 28, 1)), layers.Conv2D(6, 5, padding="same"), layers.MaxPooling2D(2),
            layers.Conv2D(16, 5), layers.MaxPooling2D(2), layers.Flatten(), layers.Dense(120),
            layers.Dense(84), layers.Dense(10, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        return model

    reference = [one(s) for s in seeds]
    weak = {
        "untrained": one(0, n_epochs=0),
        "one epoch": one(0, n_epochs=1),
        "no ReLU anywhere (a linear classifier in disguise)": one(0, build=no_relu),
        "pixels not scaled to [0, 1] when training": one(0, scale=255.0),
        "Adam's constant step, no schedule (the recipe before; shown for comparison)": one(0, schedule=False),
    }
    return {"settings": {"epochs": epochs, "batch_size": batch,
                         "optimizer": f"Adam, step {rate} decayed along a cosine to 0",
                         "train": "MNIST train 0-54,999",
                         "evaluated_on": "MNIST test (10,000)"},
            "reference": reference, "weak": weak}


def run_cifar(seeds):
    import keras
    from keras import layers
    ref, b = _lab("lab4_cnn_keras").solution_module(), budget("lab4_cnn_keras")
    train, evaluation = cifar()
    epochs, batch, rate = b["CIFAR_EPOCHS"], b["CIFAR_BATCH"], b["CIFAR_LEARNING_RATE"]

    def one(seed, build=ref.build_cifar_cnn, n_epochs=epochs, scale=1.0, augment=True):
        keras.utils.set_random_seed(seed)
        model = build()
        trainer = augmented(model) if augment else model
        compile_with_cosine(trainer, rate, n_epochs, len(train[0]), batch)
        seconds = fit(trainer, (train[0] * scale, train[1]), (evaluation[0] * scale, evaluation[1]),
                      n_epochs, batch, seed, ref)
        return {"seed": seed, "accuracy": accuracy(model, *evaluation), "seconds": round(seconds, 1)}

    def one_block():
        model = keras.Sequential([
            keras.Input((32, 32, 3)), layers.Conv2D(32, 3, padding="same", activation="relu"),
            layers.MaxPooling2D(2), layers.Flatten(), layers.Dense(128, activation="relu"),
            layers.Dense(10, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        return model

    reference = [one(s) for s in seeds]
    weak = {
        "untrained": one(0, n_epochs=0),
        "one epoch": one(0, n_epochs=1),
        "three convolutions missing (conv, pool, dense)": one(0, build=one_block),
        "pixels not scaled to [0, 1] when training": one(0, scale=255.0),
        "no augmentation, the same schedule (shown for comparison)": one(0, augment=False),
    }
    return {"settings": {"epochs": epochs, "batch_size": batch,
                         "optimizer": f"Adam, step {rate} decayed along a cosine to 0",
                         "augmentation": "random left-right flips, shifts up to 4 pixels (training only)",
                         "train": "CIFAR-10 training images 0-2,999",
                         "evaluated_on": "CIFAR-10 training images 3,000-3,999"},
            "reference": reference, "weak": weak}


def run_seq(seeds):
    import keras
    ref4 = _lab("lab4_cnn_keras").solution_module()   # the same train_model as lab 5's notebook
    ref, b = _lab("lab5_rnn").solution_module(), budget("lab5_rnn")
    train, val, test = mnist((28, 28))
    epochs, batch, cell, units = b["SEQ_EPOCHS"], b["SEQ_BATCH"], b["SEQ_CELL"], b["SEQ_UNITS"]

    def one(seed, cell=cell, n_epochs=epochs, scale=1.0):
        keras.utils.set_random_seed(seed)
        model = ref.build_sequence_model(cell=cell, units=units)
        seconds = fit(model, (train[0] * scale, train[1]), (val[0] * scale, val[1]),
                      n_epochs, batch, seed, ref4)
        return {"seed": seed, "accuracy": accuracy(model, *test), "seconds": round(seconds, 1)}

    reference = [one(s) for s in seeds]
    weak = {
        "untrained": one(0, n_epochs=0),
        "one epoch": one(0, n_epochs=1),
        f"SimpleRNN({units}) in the same budget (allowed, shown for comparison)": one(0, cell="simple_rnn"),
        "pixels not scaled to [0, 1] when training": one(0, scale=255.0),
    }
    return {"settings": {"cell": cell, "units": units, "epochs": epochs, "batch_size": batch,
                         "train": "MNIST train 0-54,999", "evaluated_on": "MNIST test (10,000)"},
            "reference": reference, "weak": weak}


RUNS = {"lenet": run_lenet, "cifar": run_cifar, "seq": run_seq}
TITLES = {"lenet": "Lab 4 q6: LeNet-5 on MNIST", "cifar": "Lab 4 q7: CIFAR-10 network on the course's split",
          "seq": "Lab 5 q4: recurrent classifier reading MNIST rows"}


# --- turning measurements into thresholds ---------------------------------------------------

def proposed(name, accuracies):
    worst, median = min(accuracies), statistics.median(accuracies)
    margin = max(MIN_MARGIN[name], median - worst)
    return math.floor((worst - margin) * 200 + 1e-9) / 200


def render(results):
    lines = [
        "# Accuracy thresholds of labs 4 and 5, measured",
        "",
        "Written by `benchmarks/train_thresholds_lab4_lab5.py` (run under "
        "`flock /tmp/dllab-bench.lock`, so that no other measurement shares the CPU; where one did, the "
        "timing note below says so). Each reference "
        "run is the notebook's own recipe: the settings of the lab's training budget "
        "(lab.toml), `keras.utils.set_random_seed(seed)` before building, the reference `train_model`, "
        "and the validation data the notebook watches (its time is included). Accuracy is measured "
        "on the data the hidden test uses.",
        "",
        "Rule, fixed before measuring: threshold = round down to 0.005 of "
        "`worst - max(min_margin, median - worst)`; min_margin is "
        + ", ".join(f"{k} {v}" for k, v in MIN_MARGIN.items()) + ".",
        "",
        f"Machine: {results.get('machine', '?')}",
        "",
    ]
    if results.get("timing_note"):
        lines += [results["timing_note"], ""]
    for name in ("lenet", "cifar", "seq"):
        if name not in results:
            continue
        r = results[name]
        accs = [x["accuracy"] for x in r["reference"]]
        secs = [x["seconds"] for x in r["reference"]]
        t = threshold_of(name)
        lab, q, used = LAB_OF[name], t["question"], t["min"]
        lines += [f"## {TITLES[name]}", "",
                  "Settings: " + ", ".join(f"{k} {v}" for k, v in r["settings"].items()) + ".", "",
                  "| seed | accuracy | training seconds |", "|---|---|---|"]
        lines += [f"| {x['seed']} | {x['accuracy']:.4f} | {x['seconds']:.1f} |" for x in r["reference"]]
        lines += ["",
                  f"- median {statistics.median(accs):.4f}, worst {min(accs):.4f}, best {max(accs):.4f}",
                  f"- training time: median {statistics.median(secs):.1f} s, longest {max(secs):.1f} s "
                  f"(budget {t['budget_seconds']} s)",
                  f"- proposed by the rule: {proposed(name, accs):.3f}; used by {q} (`{lab}/lab.toml`): {used}",
                  f"- margin of the worst seed over the threshold used: {min(accs) - used:+.4f}",
                  "", "Weak answers (seed 0):", "", "| answer | accuracy | training seconds | fails the threshold |",
                  "|---|---|---|---|"]
        for label, x in r["weak"].items():
            fails = "yes" if x["accuracy"] < used else "**no**"
            if x.get("as LeNet-5") is not None:
                # q6 measures the trained weights in LeNet-5 as the docstring gives it
                fails += (f"; with its weights in LeNet-5, what q6 measures: {x['as LeNet-5']:.4f}, "
                          + ("fails" if x["as LeNet-5"] < used else "**passes**"))
            lines.append(f"| {label} | {x['accuracy']:.4f} | {x['seconds']:.1f} | {fails} |")
        lines.append("")
    if results.get("notes"):
        lines += ["## Notes", ""] + [f"- {note}" for note in results["notes"]] + [""]
    return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seeds", type=int, default=5)
    p.add_argument("--only", default="lenet,cifar,seq", help="comma-separated: lenet, cifar, seq")
    p.add_argument("--render", action="store_true", help="only rewrite the markdown from the json")
    args = p.parse_args(argv)
    results = json.loads(JSON.read_text()) if JSON.exists() else {}
    if not args.render:
        import keras
        results["machine"] = (f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
                              f"Python {platform.python_version()}, Keras {keras.__version__} "
                              f"({keras.backend.backend()} backend)")
        for name in args.only.split(","):
            start = time.perf_counter()
            results[name] = RUNS[name](list(range(args.seeds)))
            print(f"{name}: {[x['accuracy'] for x in results[name]['reference']]} "
                  f"in {time.perf_counter() - start:.0f} s", flush=True)
            RESULTS.mkdir(parents=True, exist_ok=True)
            JSON.write_text(json.dumps(results, indent=2))
    MARKDOWN.write_text(render(results))
    print(MARKDOWN.read_text())


if __name__ == "__main__":
    main()
