"""Lab 3's reference solution: the lecture's worked examples, independent re-implementations,
numerical gradients; and the claims the gallery makes about which tests catch what.

The independent implementations here are deliberately naive (plain loops over every index,
or one einsum over all windows): if the reference and they agree on random inputs with
strides, padding, several images and channels, the reference is right.
"""

import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view

from autograder.labs import Lab, load_module
from harness import run_question

LAB = Lab("lab3_cnn_numpy")


@pytest.fixture(scope="module")
def ref():
    return LAB.solution_module()


IMAGE_6x6 = np.array([[3, 0, 1, 2, 7, 4], [1, 5, 8, 9, 3, 1], [2, 7, 2, 5, 1, 3],
                      [0, 1, 3, 1, 7, 8], [4, 2, 1, 6, 2, 8], [2, 4, 5, 2, 3, 9]], dtype=float)
IMAGE_7x7 = np.array([[3, 0, 1, 2, 7, 4, 2], [1, 5, 8, 9, 3, 1, 1], [2, 7, 2, 5, 1, 3, 5],
                      [0, 1, 3, 1, 7, 8, 4], [4, 2, 1, 6, 2, 8, 3], [2, 4, 5, 2, 3, 9, 8],
                      [2, 3, 6, 4, 2, 0, 1]], dtype=float)
VERTICAL = np.array([[-1, 0, 1]] * 3, dtype=float).reshape(3, 3, 1, 1)
POOL_4x4 = np.array([[1, 3, 2, 1], [3, 6, 8, 9], [8, 3, 3, 9], [4, 6, 8, 2]], dtype=float)


def _one(img):
    return img.reshape(1, *img.shape, 1)


# --- the lecture's worked examples ----------------------------------------------------------

def test_vertical_edge_example(ref):
    Z = ref.conv2d_forward(_one(IMAGE_6x6), VERTICAL, np.zeros(1))
    expected = [[5, 4, 0, -8], [10, 2, -2, -3], [0, 2, 4, 7], [3, 2, 3, 16]]
    np.testing.assert_array_equal(Z[0, :, :, 0], expected)


def test_the_slide_slip_is_a_slip():
    # The slide prints 2 at row 1, column 2; the window there, by hand:
    window = IMAGE_6x6[1:4, 2:5]
    assert window.tolist() == [[8, 9, 3], [2, 5, 1], [3, 1, 7]]
    assert -(8 + 2 + 3) + (3 + 1 + 7) == -2


def test_strided_example(ref):
    Z = ref.conv2d_forward(_one(IMAGE_7x7), VERTICAL, np.zeros(1), stride=2)
    np.testing.assert_array_equal(Z[0, :, :, 0], [[5, 0, -3], [0, 4, 2], [4, -5, 5]])


def test_tens_and_zeros_example(ref):
    img = np.array([[10, 10, 10, 0, 0, 0]] * 6, dtype=float)
    Z = ref.conv2d_forward(_one(img), -VERTICAL, np.zeros(1))
    np.testing.assert_array_equal(Z[0, :, :, 0], [[0, 30, 30, 0]] * 4)


def test_first_window_example(ref):
    assert ref.conv_single_step(IMAGE_6x6[:3, :3, None], VERTICAL[:, :, :, 0], 0.0) == 5.0


def test_pooling_examples(ref):
    np.testing.assert_array_equal(ref.maxpool(_one(POOL_4x4))[0, :, :, 0], [[6, 9], [8, 9]])
    np.testing.assert_array_equal(ref.avgpool(_one(POOL_4x4))[0, :, :, 0], [[3.25, 5], [5.25, 5.5]])


def test_output_size_examples(ref):
    assert ref.conv_output_size(6, 3, 0, 1) == 4
    assert ref.conv_output_size(6, 3, 1, 1) == 6
    assert ref.conv_output_size(6, 3, 2, 1) == 8
    assert ref.conv_output_size(7, 3, 0, 2) == 3
    assert ref.conv_output_size(7, 3, 1, 2) == 4
    out = ref.conv_output_size(227, 11, 0, 4)
    assert out == 55 and type(out) is int
    Z = ref.conv2d_forward(np.zeros((1, 227, 227, 3)), np.zeros((11, 11, 3, 96)), np.zeros(96), stride=4)
    assert Z.shape == (1, 55, 55, 96)


def test_parameter_count_examples(ref):
    assert ref.conv_params(5, 1, 6, bias=False) == 150 and ref.conv_params(5, 1, 6) == 156
    assert ref.conv_params(5, 6, 16, bias=False) == 2400 and ref.conv_params(5, 6, 16) == 2416
    assert ref.conv_params(11, 3, 96, bias=False) == 34848
    assert [ref.dense_params(400, 120), ref.dense_params(120, 84), ref.dense_params(84, 10)] == [48120, 10164, 850]
    # the lecture's FC-vs-conv comparison: 32x32x3 -> 28x28x6
    assert ref.dense_params(3072, 4704, bias=False) == 14_450_688


def test_sobel_example(ref):
    gx, gy, mag = ref.sobel_edges(np.array([[100, 100, 200, 200]] * 4, dtype=float))
    np.testing.assert_array_equal(gx, np.full((2, 2), 400.0))
    np.testing.assert_array_equal(gy, np.zeros((2, 2)))
    np.testing.assert_array_equal(mag, np.full((2, 2), 400.0))


# --- against independent implementations ------------------------------------------------------

def _conv_plain_loops(X, W, b, stride, pad):
    N, H, Wd, C = X.shape
    f, _, _, K = W.shape
    Xp = np.zeros((N, H + 2 * pad, Wd + 2 * pad, C))
    Xp[:, pad:pad + H, pad:pad + Wd] = X
    H_out, W_out = (H + 2 * pad - f) // stride + 1, (Wd + 2 * pad - f) // stride + 1
    Z = np.zeros((N, H_out, W_out, K))
    for n in range(N):
        for i in range(H_out):
            for j in range(W_out):
                for k in range(K):
                    total = b[k]
                    for a in range(f):
                        for d in range(f):
                            for c in range(C):
                                total += Xp[n, i * stride + a, j * stride + d, c] * W[a, d, c, k]
                    Z[n, i, j, k] = total
    return Z


def _conv_einsum(X, W, b, stride, pad):
    f = W.shape[0]
    Xp = np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    windows = sliding_window_view(Xp, (f, f), axis=(1, 2))[:, ::stride, ::stride]
    return np.einsum("nijcab,abck->nijk", windows, W) + b


CONV_SPECS = [((2, 7, 9, 3), 3, 4, 2, 1), ((1, 6, 5, 2), 2, 3, 1, 0), ((3, 8, 8, 1), 5, 2, 3, 2),
              ((2, 5, 6, 4), 1, 2, 2, 0), ((1, 4, 4, 2), 3, 1, 1, 2)]


@pytest.mark.parametrize("shape,f,k,stride,pad", CONV_SPECS)
def test_conv2d_matches_loops_and_einsum(ref, shape, f, k, stride, pad):
    rng = np.random.default_rng(7)
    X, W, b = rng.standard_normal(shape), rng.standard_normal((f, f, shape[3], k)), rng.standard_normal(k)
    Z = ref.conv2d_forward(X, W, b, stride=stride, pad=pad)
    np.testing.assert_allclose(Z, _conv_plain_loops(X, W, b, stride, pad), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(Z, _conv_einsum(X, W, b, stride, pad), rtol=1e-12, atol=1e-12)


def test_conv_single_step_is_one_output_of_conv2d(ref):
    rng = np.random.default_rng(8)
    X, W, b = rng.standard_normal((1, 5, 5, 3)), rng.standard_normal((3, 3, 3, 2)), rng.standard_normal(2)
    Z = ref.conv2d_forward(X, W, b)
    assert ref.conv_single_step(X[0, 1:4, 2:5], W[..., 1], b[1]) == pytest.approx(Z[0, 1, 2, 1], rel=1e-12)


@pytest.mark.parametrize("f,stride", [(2, 2), (3, 2), (2, 1), (3, 3)])
def test_pooling_matches_loops(ref, f, stride):
    rng = np.random.default_rng(9)
    X = rng.standard_normal((2, 7, 8, 3))
    mx, av = ref.maxpool(X, f=f, stride=stride), ref.avgpool(X, f=f, stride=stride)
    H_out, W_out = (7 - f) // stride + 1, (8 - f) // stride + 1
    assert mx.shape == av.shape == (2, H_out, W_out, 3)
    for n, i, j, c in np.ndindex(mx.shape):
        window = X[n, i * stride:i * stride + f, j * stride:j * stride + f, c]
        assert mx[n, i, j, c] == window.max()
        assert av[n, i, j, c] == pytest.approx(window.mean(), rel=1e-12)


def test_zero_pad_relu_upsample(ref):
    rng = np.random.default_rng(10)
    X = rng.standard_normal((2, 3, 4, 5))
    P = ref.zero_pad(X, 2)
    assert P.shape == (2, 7, 8, 5)
    np.testing.assert_array_equal(P[:, 2:5, 2:6], X)
    assert np.count_nonzero(P) == np.count_nonzero(X)
    np.testing.assert_array_equal(ref.relu(X), np.where(X > 0, X, 0))
    U = ref.nearest_upsample(X, scale=3)
    assert U.shape == (2, 9, 12, 5)
    for n, i, j, c in np.ndindex(U.shape):
        assert U[n, i, j, c] == X[n, i // 3, j // 3, c]


@pytest.mark.parametrize("lengths", [(5, 3), (3, 5), (1, 1), (4, 4)])
def test_conv1d_is_np_convolve(ref, lengths):
    rng = np.random.default_rng(11)
    f, g = rng.standard_normal(lengths[0]), rng.standard_normal(lengths[1])
    np.testing.assert_allclose(ref.conv1d(f, g), np.convolve(f, g), rtol=1e-12, atol=1e-12)


def test_sobel_matches_the_conv_layer(ref):
    # Sobel is a conv layer with two fixed 3x3 filters, no padding, stride 1
    rng = np.random.default_rng(12)
    img = rng.standard_normal((9, 13))
    sx = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=float)
    W = np.stack([sx, sx.T], axis=-1)[:, :, None, :]
    Z = ref.conv2d_forward(_one(img), W, np.zeros(2))
    gx, gy, mag = ref.sobel_edges(img)
    np.testing.assert_allclose(gx, Z[0, :, :, 0], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(gy, Z[0, :, :, 1], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(mag, np.hypot(gx, gy), rtol=1e-12)


# --- numerical gradients ------------------------------------------------------------------------

def _numerical(loss, x, h):
    grad = np.zeros(x.shape)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + h
        plus = loss()
        x[idx] = old - h
        minus = loss()
        x[idx] = old
        grad[idx] = (plus - minus) / (2 * h)
    return grad


def _rel_error(a, b):
    return np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b)))


@pytest.mark.parametrize("shape,f,k,stride,pad", CONV_SPECS[:4])
def test_conv2d_backward_numerically(ref, shape, f, k, stride, pad):
    rng = np.random.default_rng(13)
    X, W, b = rng.standard_normal(shape), rng.standard_normal((f, f, shape[3], k)), rng.standard_normal(k)
    dZ = rng.standard_normal(ref.conv2d_forward(X, W, b, stride=stride, pad=pad).shape)
    dX, dW, db = ref.conv2d_backward(dZ, (X, W, b, stride, pad))
    assert dX.shape == X.shape and dW.shape == W.shape and db.shape == b.shape

    def loss():
        return np.sum(ref.conv2d_forward(X, W, b, stride=stride, pad=pad) * dZ)

    # the loss is linear in X, W and b: centred differences have no truncation error at any
    # step, and a large step keeps the rounding error (about eps * |loss| / h) small
    for analytic, x in [(dX, X), (dW, W), (db, b)]:
        assert _rel_error(analytic, _numerical(loss, x, h=1e-3)) < 1e-7


@pytest.mark.parametrize("f,stride", [(2, 2), (3, 2), (3, 3)])
def test_maxpool_backward_numerically(ref, f, stride):
    rng = np.random.default_rng(14)
    X = rng.standard_normal((2, 7, 8, 3))   # continuous values: no ties in a window
    dout = rng.standard_normal(ref.maxpool(X, f=f, stride=stride).shape)
    dX = ref.maxpool_backward(dout, (X, f, stride))
    # a small step, so that no window's maximum changes place
    numerical = _numerical(lambda: np.sum(ref.maxpool(X, f=f, stride=stride) * dout), X, h=1e-6)
    assert _rel_error(dX, numerical) < 1e-7


@pytest.fixture(scope="module")
def hidden_cases(ref):
    """What the build writes into the autograder zip."""
    return load_module(LAB.cases_file, "cases_lab3_cnn_numpy_check").build_cases(ref)


def test_hidden_backward_cases_match_the_reference(ref, hidden_cases):
    """The build's numerical gradients agree with the reference to the hidden tests' tolerance."""
    for case in hidden_cases["conv2d_backward"]:
        for got, expected in zip(ref.conv2d_backward(*case["args"]), case["expected"]):
            np.testing.assert_allclose(got, expected, rtol=1e-7, atol=1e-8)
    for case in hidden_cases["maxpool_backward"]:
        np.testing.assert_allclose(ref.maxpool_backward(*case["args"]), case["expected"],
                                   rtol=1e-7, atol=1e-8)


def test_hidden_inputs_are_exact_in_float32(hidden_cases):
    """cases.py's promise: float32 and float64 give the same convolution, bit for bit."""
    for key in ("conv2d_forward/batch_channels", "conv2d_forward/padding", "conv2d_forward/stride_padding"):
        for case in hidden_cases[key]:
            X, W, b = (a.astype(np.float32) for a in case["args"])
            Z32 = _conv_einsum(X, W, b, case["kwargs"]["stride"], case["kwargs"]["pad"])
            assert Z32.dtype == np.float32
            np.testing.assert_array_equal(Z32, case["expected"])


# --- what the gallery claims about the tests ---------------------------------------------------

def test_hidden_only_wrong_answers_pass_the_public_checks(cases_dir):
    """The wrong answers listed in HIDDEN_ONLY pass every lecture example and fail a hidden test:
    evidence that the hidden tests catch what the public ones cannot."""
    from gallery import lab3_cnn_numpy as gallery

    labels = {e.label for e in gallery.WRONG}
    assert gallery.HIDDEN_ONLY <= labels, gallery.HIDDEN_ONLY - labels
    for entry in gallery.WRONG:
        result = run_question(gallery.LAB, entry.question, cases_dir, entry.overrides)
        hidden_only = result.public_failed == 0 and result.hidden_failed > 0
        assert hidden_only == (entry.label in gallery.HIDDEN_ONLY), (entry.label, result.failures)
