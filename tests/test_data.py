"""The shared data loader: Keras' arrays from the data folder, and one clear error otherwise.

The data folder is the one DLLAB_DATA_DIR names (CI sets it to the course's data, never
copied into the project); the tests that read real data skip, saying why, where it is unset.
None of them touches the network: where the Keras download path is exercised, Keras' loader
is replaced by one that fails.
"""

import csv
import os
from pathlib import Path

import numpy as np
import pytest

from autograder.kernel import dllab_data

DATASETS = Path(os.environ.get(dllab_data.DATA_DIR_ENV, "/nonexistent")).expanduser().resolve()
needs_data = pytest.mark.skipif(
    not (DATASETS / "boston_housing.npz").is_file(),
    reason=f"no course data: {dllab_data.DATA_DIR_ENV} does not name a folder with the data sets",
)


@pytest.fixture
def data_dir(monkeypatch):
    monkeypatch.setenv(dllab_data.DATA_DIR_ENV, str(DATASETS))
    return DATASETS


@pytest.fixture
def no_download(monkeypatch):
    """Every keras.datasets loader fails as it does offline."""
    keras = pytest.importorskip("keras")

    def offline():
        raise OSError("simulated: no network")

    for name in ("boston_housing", "mnist", "cifar10"):
        monkeypatch.setattr(getattr(keras.datasets, name), "load_data", offline)


@needs_data
def test_boston_is_keras_split(data_dir):
    (x_train, y_train), (x_test, y_test) = dllab_data.load_boston_housing()
    assert (x_train.shape, y_train.shape, x_test.shape, y_test.shape) == ((404, 13), (404,), (102, 13), (102,))
    assert {a.dtype for a in (x_train, y_train, x_test, y_test)} == {np.dtype("float64")}
    # the first targets of Keras' seed-113 split
    assert y_train[0] == 15.2 and y_test[0] == 7.2


@needs_data
def test_boston_from_keras_unsplit_file_gives_the_same_split(tmp_path, monkeypatch, data_dir):
    """A folder holding Keras' own file (keys x, y: the raw table) is split as Keras splits it."""
    with open(DATASETS / "boston_house_prices.csv") as f:
        rows = list(csv.reader(f))
    table = np.array(rows[1:], dtype=np.float64)
    np.savez(tmp_path / "boston_housing.npz", x=table[:, :13], y=table[:, 13])
    expected = dllab_data.load_boston_housing()
    monkeypatch.setenv(dllab_data.DATA_DIR_ENV, str(tmp_path))
    got = dllab_data.load_boston_housing()
    for g, e in zip([*got[0], *got[1]], [*expected[0], *expected[1]]):
        np.testing.assert_array_equal(g, e)


@needs_data
def test_mnist_shapes_and_dtypes(data_dir):
    (x_train, y_train), (x_test, y_test) = dllab_data.load_mnist()
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert y_train.shape == (60000,) and y_test.shape == (10000,)
    assert {a.dtype for a in (x_train, y_train, x_test, y_test)} == {np.dtype("uint8")}
    assert list(y_train[:5]) == [5, 0, 4, 1, 9] and list(y_test[:3]) == [7, 2, 1]


@needs_data
def test_cifar_subset_is_the_course_task(data_dir):
    (x_train, y_train), (x_eval, y_eval) = dllab_data.load_cifar10_subset()
    assert x_train.shape == (3000, 32, 32, 3) and x_eval.shape == (1000, 32, 32, 3)
    assert y_train.shape == (3000, 1) and y_eval.shape == (1000, 1)
    assert {a.dtype for a in (x_train, y_train, x_eval, y_eval)} == {np.dtype("uint8")}
    # Keras' training batch 1 starts with a frog, a truck, a truck; image 3000 is labelled 3
    assert list(y_train[:3, 0]) == [6, 9, 9]
    with np.load(DATASETS / "cifar10_subset.npz") as f:
        np.testing.assert_array_equal(x_eval, f["x_test"])
        assert list(f["test_index"][[0, -1]]) == [3000, 3999]


def test_cifar_from_keras_slices_the_training_set(monkeypatch, tmp_path):
    """Without a data folder the task is cut from Keras' training set, not its test set."""
    keras = pytest.importorskip("keras")
    monkeypatch.setenv(dllab_data.DATA_DIR_ENV, str(tmp_path))
    n = 5000
    x = (np.arange(n, dtype=np.uint32) % 256).astype(np.uint8)[:, None, None, None] * np.ones((1, 32, 32, 3), np.uint8)
    y = (np.arange(n) % 10).astype(np.uint8).reshape(-1, 1)
    fake_test = (np.zeros((10, 32, 32, 3), np.uint8), np.full((10, 1), 99, np.uint8))
    monkeypatch.setattr(keras.datasets.cifar10, "load_data", lambda: ((x, y), fake_test))
    (xt, yt), (xe, ye) = dllab_data.load_cifar10_subset()
    assert xt.shape == (3000, 32, 32, 3) and xe.shape == (1000, 32, 32, 3)
    assert yt.shape == (3000, 1) and ye.shape == (1000, 1) and ye.dtype == np.uint8
    np.testing.assert_array_equal(ye[:, 0], np.arange(3000, 4000) % 10)
    np.testing.assert_array_equal(xe[:, 0, 0, 0], np.arange(3000, 4000) % 256)


@pytest.mark.parametrize("loader,filename", [
    ("load_boston_housing", "boston_housing.npz"),
    ("load_mnist", "mnist.npz"),
    ("load_cifar10_subset", "cifar10_subset.npz"),
])
def test_clear_error_when_neither_source_works(loader, filename, tmp_path, monkeypatch, no_download):
    monkeypatch.setenv(dllab_data.DATA_DIR_ENV, str(tmp_path))  # an empty folder
    with pytest.raises(dllab_data.DataUnavailableError) as info:
        getattr(dllab_data, loader)()
    message = str(info.value)
    assert isinstance(info.value, RuntimeError)
    # both remedies, and which file the folder lacks
    assert dllab_data.DATA_DIR_ENV in message and filename in message
    assert "internet" in message and str(tmp_path) in message
    assert "simulated: no network" in message


def test_clear_error_when_no_folder_is_set(monkeypatch, no_download):
    monkeypatch.delenv(dllab_data.DATA_DIR_ENV, raising=False)
    with pytest.raises(dllab_data.DataUnavailableError, match="is not set"):
        dllab_data.load_boston_housing()


def test_folder_without_the_file_falls_back_to_keras(monkeypatch, tmp_path):
    keras = pytest.importorskip("keras")
    monkeypatch.setenv(dllab_data.DATA_DIR_ENV, str(tmp_path))
    sentinel = ((np.zeros((1, 28, 28), np.uint8), np.zeros(1, np.uint8)),) * 2
    monkeypatch.setattr(keras.datasets.mnist, "load_data", lambda: sentinel)
    assert dllab_data.load_mnist() is sentinel


@needs_data
def test_a_datasets_folder_beside_the_notebook_is_used_and_round_trips(data_dir, tmp_path, monkeypatch,
                                                                       no_download):
    """What the autograder zip carries: files written by write_course_file, read from ./datasets."""
    for filename, loader in (("boston_housing.npz", dllab_data.load_boston_housing),
                             ("cifar10_subset.npz", dllab_data.load_cifar10_subset)):
        dllab_data.write_course_file(filename, tmp_path / "datasets")
        expected = loader()
        monkeypatch.delenv(dllab_data.DATA_DIR_ENV)
        monkeypatch.chdir(tmp_path)
        got = loader()
        for (xe, ye), (xg, yg) in zip(expected, got):
            assert xe.dtype == xg.dtype and ye.dtype == yg.dtype
            assert xe.shape == xg.shape and ye.shape == yg.shape
            assert np.array_equal(xe, xg) and np.array_equal(ye, yg)
        monkeypatch.setenv(dllab_data.DATA_DIR_ENV, str(data_dir))
