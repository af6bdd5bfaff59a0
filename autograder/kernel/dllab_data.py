"""The labs' data sets, exactly as Keras returns them, with or without a network.

Every lab notebook carries a copy of this cell, so it depends on numpy and the standard
library only; Keras is imported when a download is the way.

Where the data comes from, in this order:
1. the folder named by the environment variable DLLAB_DATA_DIR, when it holds the file
   (`boston_housing.npz`, `mnist.npz`, `cifar10_subset.npz`): for machines without a network;
2. a folder `datasets/` beside the notebook, when it holds the file: the autograder brings
   one, so grading needs no network;
3. Keras' download (`keras.datasets.<name>.load_data()`, cached in ~/.keras/datasets).
All give the same arrays: the same split, order, shapes and dtypes.
"""

import os
import pathlib

import numpy as np

DATA_DIR_ENV = "DLLAB_DATA_DIR"
LOCAL_DIR = "datasets"

# The labs' CIFAR-10 task: a CPU trains on 3,000 images within a lab session. Both halves come
# from Keras' training set (in the order of training batch 1), so a local copy of that batch's
# first 4,000 images and the full download define the same task.
CIFAR_TRAIN = slice(0, 3000)
CIFAR_EVAL = slice(3000, 4000)


class DataUnavailableError(RuntimeError):
    """Neither the data folder nor Keras' download could provide a data set."""


def _local_file(filename):
    for folder in (os.environ.get(DATA_DIR_ENV), LOCAL_DIR):
        if folder and (pathlib.Path(folder).expanduser() / filename).is_file():
            return pathlib.Path(folder).expanduser() / filename
    return None


def _keras_load(name):
    """`keras.datasets.<name>.load_data()`, or the exception that stopped it."""
    try:
        import keras  # imported here: a notebook that reads local files needs no Keras for data

        return getattr(keras.datasets, name).load_data(), None
    except Exception as e:  # no Keras, no network, a truncated download: all end the same way
        return None, e


def _unavailable(dataset, filename, error):
    folder = os.environ.get(DATA_DIR_ENV)
    where = (f"{DATA_DIR_ENV} is {folder!r}, which has no {filename}" if folder
             else f"{DATA_DIR_ENV} is not set, there is no {LOCAL_DIR}/{filename} here")
    return DataUnavailableError(
        f"Could not load {dataset}: {where}, and Keras' download failed "
        f"({type(error).__name__}: {error}). Either set {DATA_DIR_ENV} to a folder that holds "
        f"{filename}, or connect to the internet so that Keras can download {dataset}."
    )


def _read_npz(path, keys):
    with np.load(path, allow_pickle=False) as f:
        missing = [k for k in keys if k not in f.files]
        if missing:
            raise DataUnavailableError(f"{path} lacks the arrays {missing}; it holds {f.files}")
        return {k: f[k] for k in keys}


def load_boston_housing():
    """Boston housing in Keras' split: ((x_train, y_train), (x_test, y_test)).

    x: float64 (404, 13) and (102, 13); y: float64 median value in k$ (404,) and (102,).
    """
    path = _local_file("boston_housing.npz")
    if path is not None:
        with np.load(path, allow_pickle=False) as f:
            files = set(f.files)
        if {"x", "y"} <= files and "x_train" not in files:
            # Keras' own unsplit file: split it the way load_data() does
            d = _read_npz(path, ["x", "y"])
            return _keras_boston_split(d["x"], d["y"])
        d = _read_npz(path, ["x_train", "y_train", "x_test", "y_test"])
        return ((d["x_train"].astype(np.float64), d["y_train"].astype(np.float64)),
                (d["x_test"].astype(np.float64), d["y_test"].astype(np.float64)))
    data, error = _keras_load("boston_housing")
    if data is None:
        raise _unavailable("the Boston housing data", "boston_housing.npz", error) from error
    return data


def _keras_boston_split(x, y, test_split=0.2, seed=113):
    # what keras.datasets.boston_housing.load_data() does with its file
    indices = np.random.RandomState(seed).permutation(len(x))
    x, y = np.asarray(x)[indices], np.asarray(y)[indices]
    n_train = int(len(x) * (1 - test_split))
    return (x[:n_train], y[:n_train]), (x[n_train:], y[n_train:])


def load_mnist():
    """MNIST: ((x_train, y_train), (x_test, y_test)); x uint8 (n, 28, 28), y uint8 (n,)."""
    path = _local_file("mnist.npz")
    if path is not None:
        d = _read_npz(path, ["x_train", "y_train", "x_test", "y_test"])
        return ((d["x_train"].astype(np.uint8), d["y_train"].astype(np.uint8)),
                (d["x_test"].astype(np.uint8), d["y_test"].astype(np.uint8)))
    data, error = _keras_load("mnist")
    if data is None:
        raise _unavailable("MNIST", "mnist.npz", error) from error
    return data


def load_cifar10_subset():
    """The labs' CIFAR-10 task: ((x_train, y_train), (x_eval, y_eval)).

    Training images 0-2,999 to train and 3,000-3,999 to evaluate (both from Keras' training
    set, not its test set). x uint8 (n, 32, 32, 3); y uint8 (n, 1), as keras' cifar10 gives.
    """
    path = _local_file("cifar10_subset.npz")
    if path is not None:
        d = _read_npz(path, ["x_train", "y_train", "x_test", "y_test"])
        x = np.concatenate([d["x_train"], d["x_test"]]).astype(np.uint8)
        y = np.concatenate([d["y_train"], d["y_test"]]).astype(np.uint8).reshape(-1, 1)
    else:
        data, error = _keras_load("cifar10")
        if data is None:
            raise _unavailable("CIFAR-10", "cifar10_subset.npz", error) from error
        (x, y), _ = data
        y = np.asarray(y, dtype=np.uint8).reshape(-1, 1)
    if len(x) < CIFAR_EVAL.stop:
        raise DataUnavailableError(
            f"CIFAR-10 gave {len(x)} training images; the lab's task needs the first "
            f"{CIFAR_EVAL.stop}")
    return (x[CIFAR_TRAIN], y[CIFAR_TRAIN]), (x[CIFAR_EVAL], y[CIFAR_EVAL])


def write_course_file(filename, folder):
    """Save data set `filename` in the format DLLAB_DATA_DIR holds, into `folder`.

    The autograder brings these files along, so that grading, which runs the notebook's
    training again, needs no network.
    """
    loaders = {"boston_housing.npz": load_boston_housing, "mnist.npz": load_mnist,
               "cifar10_subset.npz": load_cifar10_subset}
    (x_train, y_train), (x_test, y_test) = loaders[filename]()
    path = pathlib.Path(folder) / filename
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    return path
