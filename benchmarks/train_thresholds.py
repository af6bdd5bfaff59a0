"""Measure the graded training thresholds instead of guessing them.

For a lab, train the reference as its notebook does for several seeds, record the graded
metric and the training time of each, and evaluate the weak answers a student could plausibly
hand in. A threshold is sound when every reference seed clears it with a margin and every
weak answer fails it.

    flock /tmp/dllab-bench.lock python benchmarks/train_thresholds.py lab1_regression
    flock /tmp/dllab-bench.lock python benchmarks/train_thresholds.py lab2_classification --seeds 5

(The flock keeps measurements on the shared 2-core machine from overlapping.) Results go to
benchmarks/results/<lab>.json; render_markdown() writes the table in
benchmarks/results/thresholds_lab1_lab2.md. Each lab is a pair of functions,
`<lab>_reference(seed)` and `<lab>_weak()`, registered in LABS: add a lab by adding a pair.
"""

import argparse
import json
import math
import os
import platform
import statistics
import time
from pathlib import Path

os.environ.setdefault("TF_DETERMINISTIC_OPS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

from autograder.labs import Lab  # noqa: E402
from autograder.kernel import dllab_data  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"

# The notebooks' training budgets and the graded bars, from each lab's lab.toml (the built
# notebook's budget cell holds the same numbers: tests/test_reference.py).
LAB1, LAB2 = Lab("lab1_regression"), Lab("lab2_classification")
LAB1_EPOCHS = LAB1.training_budget["EPOCHS"]
LAB1_PROBE_EPOCHS = LAB1.training_budget["PROBE_EPOCHS"]
LAB2_EPOCHS = LAB2.training_budget["EPOCHS"]
LAB2_BATCH = LAB2.training_budget["BATCH_SIZE"]
LAB1_MAX_TEST_MAE = LAB1.thresholds["model"]["max"]
LAB2_MIN_TEST_ACCURACY = LAB2.thresholds["mlp"]["min"]


# The rule that turns measurements into a threshold, the same as labs 4 and 5's
# (train_thresholds_lab4_lab5.py), fixed before measuring: the threshold sits beyond the worst
# seed by the seeds' own spread (worst against median), and at least by a floor that allows for
# another machine or Keras backend; then it is rounded away from the seeds to a round figure.
MIN_MARGIN = {"lab1_regression": 0.15, "lab2_classification": 0.003}   # k$ of MAE; accuracy
ROUND_TO = {"lab1_regression": 0.05, "lab2_classification": 0.005}


def proposed(lab, values, lower):
    """The threshold the rule gives for the reference's per-seed `values`."""
    worst, median = (max(values) if lower else min(values)), statistics.median(values)
    margin = max(MIN_MARGIN[lab], abs(worst - median))
    step = ROUND_TO[lab]
    if lower:
        return math.ceil((worst + margin) / step - 1e-9) * step
    return math.floor((worst - margin) / step + 1e-9) * step


def _solution(lab):
    return Lab(lab).solution_module()


# --- lab1_regression: test MAE (k$), lower is better ----------------------------------------

def lab1_data():
    (x_train, y_train), (x_test, y_test) = dllab_data.load_boston_housing()
    return x_train, y_train, x_test, y_test


def lab1_mae(predict, x, y):
    return float(np.mean(np.abs(np.asarray(predict(x), dtype=np.float64).reshape(-1) - y)))


def lab1_reference(seed, epochs=LAB1_EPOCHS, standardize=True):
    """What the notebook does: standardize, seed, build, train; test MAE and seconds of fit."""
    import keras
    ref = _solution("lab1_regression")
    x_train, y_train, x_test, y_test = lab1_data()
    if standardize:
        x_train, x_test, _, _ = ref.standardize(x_train, x_test)
    keras.utils.set_random_seed(seed)
    model = ref.build_regression_model(x_train.shape[1])
    start = time.perf_counter()
    ref.train_regression_model(model, x_train, y_train, epochs, seed)
    seconds = time.perf_counter() - start
    return lab1_mae(lambda x: model.predict(x, verbose=0), x_test, y_test), seconds


def lab1_probe_seconds(seed=0):
    """The notebook's second training run: the same network with 20% held out, for the curves."""
    import keras
    ref = _solution("lab1_regression")
    x_train, y_train, x_test, _ = lab1_data()
    x_train, _, _, _ = ref.standardize(x_train, x_test)
    keras.utils.set_random_seed(seed)
    probe = ref.build_regression_model(x_train.shape[1])
    start = time.perf_counter()
    probe.fit(x_train, y_train, epochs=LAB1_PROBE_EPOCHS, batch_size=16, validation_split=0.2, verbose=0)
    return {"validation-curve run (notebook's second training), seconds": time.perf_counter() - start}


def lab1_weak():
    ref = _solution("lab1_regression")
    x_train, y_train, x_test, y_test = lab1_data()
    w, b = ref.fit_linear_regression(x_train, y_train)
    return {
        "predict the training mean": lab1_mae(lambda x: np.full(len(x), y_train.mean()), x_test, y_test),
        "linear model (least squares)": lab1_mae(lambda x: x @ w + b, x_test, y_test),
        "reference network, 1 epoch": lab1_reference(0, epochs=1)[0],
        "reference network, 10 epochs": lab1_reference(0, epochs=10)[0],
        "reference network, no standardization": lab1_reference(0, standardize=False)[0],
    }


# --- lab2_classification: MNIST test accuracy, higher is better ------------------------------

def lab2_data():
    (x_train, y_train), (x_test, y_test) = dllab_data.load_mnist()
    # the notebook's preprocessing, which the grader repeats: flatten, scale to [0, 1]
    flat = lambda x: x.reshape(len(x), -1).astype("float32") / 255.0  # noqa: E731
    return flat(x_train), y_train, flat(x_test), y_test


def lab2_accuracy(model, x, y):
    return float(np.mean(np.argmax(model.predict(x, verbose=0, batch_size=1000), axis=1) == y))


def lab2_train(model, x, y, seed, epochs=LAB2_EPOCHS):
    """The notebook's training cell."""
    import keras
    keras.utils.set_random_seed(seed)
    start = time.perf_counter()
    model.fit(x, keras.utils.to_categorical(y, 10), epochs=epochs, batch_size=LAB2_BATCH,
              validation_split=0.1, verbose=0)
    return time.perf_counter() - start


def lab2_reference(seed, epochs=LAB2_EPOCHS, scale=True):
    import keras
    ref = _solution("lab2_classification")
    x_train, y_train, x_test, y_test = lab2_data()
    keras.utils.set_random_seed(seed)
    model = ref.build_mlp(784, 10)
    seconds = lab2_train(model, x_train if scale else x_train * 255.0, y_train, seed, epochs)
    return lab2_accuracy(model, x_test, y_test), seconds


def lab2_weak():
    import keras
    x_train, y_train, x_test, y_test = lab2_data()
    keras.utils.set_random_seed(0)
    linear = keras.Sequential([keras.Input(shape=(784,)), keras.layers.Dense(10, activation="softmax")])
    linear.compile(optimizer="adam", loss="categorical_crossentropy")
    lab2_train(linear, x_train, y_train, 0)
    # the unscaled-pixel run is graded as the grader grades: on test pixels divided by 255
    majority = int(np.bincount(y_train).argmax())
    return {
        "predict the most frequent class": float(np.mean(y_test == majority)),
        f"softmax regression (no hidden layer), {LAB2_EPOCHS} epochs": lab2_accuracy(linear, x_test, y_test),
        "reference MLP, 1 epoch": lab2_reference(0, epochs=1)[0],
        "reference MLP trained on unscaled pixels (0-255)": lab2_reference(0, scale=False)[0],
    }


LABS = {
    "lab1_regression": dict(reference=lab1_reference, weak=lab1_weak, metric="test MAE (k$)",
                            better="lower", threshold=LAB1_MAX_TEST_MAE,
                            budget_s=LAB1.thresholds["model"]["budget_seconds"],
                            extra=lab1_probe_seconds,
                            note="lab.toml's 2.8 is the rule applied to every run of the reference, the other "
                                 "Keras backends' included (benchmarks/results/backends.md: seed 0 gives 2.45 on "
                                 "JAX and 2.61 on PyTorch): 2.61 + 0.15, rounded up. Every weak answer still "
                                 "fails it; the least-squares baseline (3.46) is 0.66 above it."),
    "lab2_classification": dict(reference=lab2_reference, weak=lab2_weak,
                                metric="MNIST test accuracy", better="higher",
                                threshold=LAB2_MIN_TEST_ACCURACY,
                                budget_s=LAB2.thresholds["mlp"]["budget_seconds"],
                                note="The rule gives 0.970, the threshold in use: the worst seed (0.9771) less "
                                     "the 0.003 floor is 0.974, which rounds down to 0.970, so these runs support "
                                     "no tighter bar. It matches the course's \"about 97%\"."),
}


def measure(lab, seeds):
    spec = LABS[lab]
    runs = []
    for seed in seeds:
        value, seconds = spec["reference"](seed)
        runs.append({"seed": seed, "value": value, "train_seconds": seconds})
        print(f"{lab} seed {seed}: {spec['metric']} {value:.4f}, {seconds:.1f} s", flush=True)
    values = [r["value"] for r in runs]
    lower = spec["better"] == "lower"
    worst = max(values) if lower else min(values)
    weak = spec["weak"]()
    for label, value in weak.items():
        print(f"{lab} weak: {label}: {value:.4f}", flush=True)
    threshold = spec["threshold"]
    passes = (lambda v: v < threshold) if lower else (lambda v: v > threshold)
    return {
        "lab": lab, "metric": spec["metric"], "better": spec["better"], "threshold": threshold,
        "budget_s": spec["budget_s"], "runs": runs, "median": statistics.median(values),
        "worst": worst, "margin": abs(threshold - worst),
        "proposed": round(proposed(lab, values, lower), 4),
        "max_train_seconds": max(r["train_seconds"] for r in runs),
        "every_seed_passes": all(passes(v) for v in values),
        "weak": {k: {"value": v, "passes": passes(v)} for k, v in weak.items()},
        "extra": spec["extra"]() if "extra" in spec else {},
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.python_version()}",
    }


def rejudge(result):
    """A stored measurement judged against the threshold lab.toml states today."""
    spec = LABS[result["lab"]]
    threshold, lower = spec["threshold"], spec["better"] == "lower"
    passes = (lambda v: v < threshold) if lower else (lambda v: v > threshold)
    values = [r["value"] for r in result["runs"]]
    result.update(threshold=threshold, margin=abs(threshold - result["worst"]),
                  proposed=round(proposed(result["lab"], values, lower), 4),
                  every_seed_passes=all(passes(v) for v in values),
                  weak={k: {"value": v["value"], "passes": passes(v["value"])} for k, v in result["weak"].items()})
    return result


def render_markdown(results):
    lines = ["# Training thresholds, lab1_regression and lab2_classification", "",
             "Measured by `benchmarks/train_thresholds.py` (each run under "
             "`flock /tmp/dllab-bench.lock`, so no two measurements overlapped).", ""]
    for r in results:
        op = "<" if r["better"] == "lower" else ">"
        lines += [f"## {r['lab']}: {r['metric']} {op} {r['threshold']}", "",
                  f"Machine: {r['machine']}. Training budget {r['budget_s']} s.", "",
                  "| seed | " + r["metric"] + " | training seconds |", "|---|---|---|"]
        lines += [f"| {x['seed']} | {x['value']:.4f} | {x['train_seconds']:.1f} |" for x in r["runs"]]
        lines += ["", f"Median {r['median']:.4f}, worst {r['worst']:.4f}, margin to the threshold "
                  f"{r['margin']:.4f}; slowest training {r['max_train_seconds']:.1f} s; every seed "
                  f"passes: {r['every_seed_passes']}.", "",
                  f"The rule (beyond the worst seed by max({MIN_MARGIN[r['lab']]}, |worst - median|), "
                  f"rounded to {ROUND_TO[r['lab']]}) gives {r.get('proposed', float('nan')):.3f}; "
                  f"`lab.toml` uses {r['threshold']}.", "",
                  "| weak answer | " + r["metric"] + " | passes? |", "|---|---|---|"]
        lines += [f"| {k} | {v['value']:.4f} | {'yes' if v['passes'] else 'no'} |"
                  for k, v in r["weak"].items()]
        lines += [""] + [f"- {k}: {v:.1f}" for k, v in r.get("extra", {}).items()]
        if LABS[r["lab"]].get("note"):
            lines += ["", LABS[r["lab"]]["note"]]
        lines.append("")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lab", choices=sorted(LABS))
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--render", action="store_true",
                        help="measure nothing: judge the stored runs against lab.toml's threshold now")
    args = parser.parse_args(argv)
    if args.render:
        result = rejudge(json.loads((RESULTS / f"{args.lab}.json").read_text()))
    else:
        result = measure(args.lab, range(args.seeds))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{args.lab}.json").write_text(json.dumps(result, indent=2) + "\n")
    done = [json.loads((RESULTS / f"{lab}.json").read_text())
            for lab in ("lab1_regression", "lab2_classification") if (RESULTS / f"{lab}.json").exists()]
    (RESULTS / "thresholds_lab1_lab2.md").write_text(render_markdown(done))


if __name__ == "__main__":
    main()
