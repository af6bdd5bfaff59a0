"""Wrong and alternative-correct answers for lab 3 (see tests/test_galleries.py).

Each WRONG entry is a mistake students make; it must lose marks on its question. Each RIGHT
entry is a different correct way to write the function (loops, einsum, stride tricks,
im2col, float32); it must keep full marks.

HIDDEN_ONLY names the wrong answers that pass every public (lecture) check and are caught by
the hidden tests alone: the lecture examples have one image, one channel, no padding, no bias
and f == stride. The public checks do hold each function to its docstring's types and to the
floor of the output size (a size the stride does not divide in q1, q4 and q6).
tests/labs/test_lab3_cnn_numpy.py checks that this list stays true, so it documents what the
hidden tests add.
"""

import math

import numpy as np
from numpy import convolve as _np_convolve
from numpy.lib.stride_tricks import sliding_window_view

from gallery.entry import Entry

LAB = "lab3_cnn_numpy"


def _size(n, f, pad, stride):
    return (n + 2 * pad - f) // stride + 1


def _pad_hw(X, pad):
    return np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)))


def _pad_end(X, extra):
    """`extra` rows and columns of zeros after the last ones (sizes rounded up, not floored)."""
    return np.pad(X, ((0, 0), (0, extra), (0, extra), (0, 0)))


# --- correct building blocks, for the wrong answers to differ from in one place only -------

def _conv(X, W, b, stride=1, pad=0, flip=False, pad_all=False, size_pad=None, bias_mode="add",
          channel_mode="ok", transpose_filter=False):
    """Loop convolution with one mistake switched on by a keyword."""
    if flip:
        W = W[::-1, ::-1]
    if transpose_filter:
        W = W.transpose(1, 0, 2, 3)
    Xp = np.pad(X, pad) if pad_all else _pad_hw(X, pad)
    N, H, Wd, _ = X.shape
    f, C_out = W.shape[0], W.shape[3]
    sp = pad if size_pad is None else size_pad
    H_out, W_out = _size(H, f, sp, stride), _size(Wd, f, sp, stride)
    Z = np.zeros((N, H_out, W_out, C_out))
    for i in range(H_out):
        for j in range(W_out):
            win = Xp[:N, i * stride:i * stride + f, j * stride:j * stride + f, :W.shape[2]]
            if channel_mode == "sum_filters":
                # every output channel gets the sum over all filters
                Z[:, i, j, :] = np.einsum("nabc,abck->n", win, W)[:, None]
            elif channel_mode == "first_channel_only":
                Z[:, i, j, :] = np.einsum("nab,abk->nk", win[..., 0], W[:, :, 0, :])
            else:
                Z[:, i, j, :] = np.einsum("nabc,abck->nk", win, W)
            if bias_mode == "add":
                Z[:, i, j, :] += b
            elif bias_mode == "per_product":
                Z[:, i, j, :] += b * f * f * W.shape[2]
    return Z


def _pool(X, f=2, stride=2, reduce=np.max, across_channels=False):
    N, H, W, C = X.shape
    H_out, W_out = _size(H, f, 0, stride), _size(W, f, 0, stride)
    out = np.zeros((N, H_out, W_out, C))
    for i in range(H_out):
        for j in range(W_out):
            win = X[:, i * stride:i * stride + f, j * stride:j * stride + f, :]
            if across_channels:
                out[:, i, j, :] = reduce(win, axis=(1, 2, 3))[:, None]
            else:
                out[:, i, j, :] = reduce(win, axis=(1, 2))
    return out


def _sobel(image, kx, ky, magnitude=lambda gx, gy: np.sqrt(gx ** 2 + gy ** 2), mode="valid"):
    img = np.asarray(image, dtype=float)
    if mode == "same":
        img = np.pad(img, 1)
    win = sliding_window_view(img, (3, 3))
    gx = np.einsum("ijab,ab->ij", win, kx)
    gy = np.einsum("ijab,ab->ij", win, ky)
    return gx, gy, magnitude(gx, gy)


SOBEL_X = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=float)


def _conv_backward(dZ, cache, db_sum=True, keep_pad=False, ignore_stride=False):
    X, W, b, stride, pad = cache
    if ignore_stride:
        stride = 1
    f = W.shape[0]
    Xp = _pad_hw(X, pad)
    dXp, dW = np.zeros(Xp.shape), np.zeros(W.shape)
    _, H_out, W_out, _ = dZ.shape
    for i in range(H_out):
        for j in range(W_out):
            t, l = i * stride, j * stride
            g = dZ[:, i, j, :]
            win = Xp[:, t:t + f, l:l + f, :]
            if win.shape[1:3] != (f, f):
                continue
            dW += np.einsum("nabc,nk->abck", win, g)
            dXp[:, t:t + f, l:l + f, :] += np.einsum("nk,abck->nabc", g, W)
    db = dZ.sum(axis=(0, 1, 2)) if db_sum else dZ
    if keep_pad:
        return dXp, dW, db
    return dXp[:, pad:pad + X.shape[1], pad:pad + X.shape[2], :], dW, db


def _maxpool_backward(dout, cache, route="max", accumulate=True):
    X, f, stride = cache
    dX = np.zeros(X.shape)
    _, H_out, W_out, _ = dout.shape
    for i in range(H_out):
        for j in range(W_out):
            t, l = i * stride, j * stride
            win = X[:, t:t + f, l:l + f, :]
            if route == "all":
                mask = np.ones(win.shape)
            else:
                mask = win == win.max(axis=(1, 2), keepdims=True)
            contrib = mask * dout[:, i:i + 1, j:j + 1, :]
            if accumulate:
                dX[:, t:t + f, l:l + f, :] += contrib
            else:
                dX[:, t:t + f, l:l + f, :] = np.where(mask, contrib, dX[:, t:t + f, l:l + f, :])
    return dX


def _conv_backward_pad_slice(dZ, cache):
    """The commonest backward pass in public implementations: dX cut out of the padded gradient
    with [pad:-pad], which is empty when pad == 0 (numpy then cannot broadcast)."""
    X, W, b, stride, pad = cache
    m = X.shape[0]
    f, _, _, n_C = W.shape
    _, n_H, n_W, _ = dZ.shape
    dX, dW, db = np.zeros(X.shape), np.zeros(W.shape), np.zeros(n_C)
    X_pad, dX_pad = _pad_hw(X, pad), _pad_hw(dX, pad)
    for i in range(m):
        x_pad, dx_pad = X_pad[i], dX_pad[i]
        for h in range(n_H):
            for w in range(n_W):
                for c in range(n_C):
                    vs, hs = h * stride, w * stride
                    dx_pad[vs:vs + f, hs:hs + f, :] += W[:, :, :, c] * dZ[i, h, w, c]
                    dW[:, :, :, c] += x_pad[vs:vs + f, hs:hs + f, :] * dZ[i, h, w, c]
                    db[c] += dZ[i, h, w, c]
        dX[i, :, :, :] = dx_pad[pad:-pad, pad:-pad, :]
    return dX, dW, db


def _window_times_filter(window, W_c, b_c):
    return np.sum(window * W_c) + b_c


def _conv_window_from_unpadded(X, W, b, stride=1, pad=0):
    """Sizes the output with the padding but takes each window from X, not from the padded X:
    near the far edges a window is smaller than the filter, and numpy cannot broadcast."""
    N, H, Wd, _ = X.shape
    f, _, _, C_out = W.shape
    H_out, W_out = _size(H, f, pad, stride), _size(Wd, f, pad, stride)
    Z = np.zeros((N, H_out, W_out, C_out))
    for n in range(N):
        for i in range(H_out):
            for j in range(W_out):
                for c in range(C_out):
                    window = X[n, i * stride:i * stride + f, j * stride:j * stride + f, :]
                    Z[n, i, j, c] = _window_times_filter(window, W[:, :, :, c], b[c])
    return Z


def conv_bias_as_one_element_array(X, W, b, stride=1, pad=0):
    """Right in value, but each output element is given `np.sum(...) + b[k:k+1]`, an array of one
    value: numpy 2.0 (Colab's) only warns, the grader's numpy refuses it (ValueError). Written
    without the module's helpers: tests/test_numpy_versions.py pastes it into a notebook."""
    N, H, Wd, C = X.shape
    f, _, _, K = W.shape
    Xp = np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    Z = np.zeros((N, (H + 2 * pad - f) // stride + 1, (Wd + 2 * pad - f) // stride + 1, K))
    for n in range(N):
        for i in range(Z.shape[1]):
            for j in range(Z.shape[2]):
                for k in range(K):
                    window = Xp[n, i * stride:i * stride + f, j * stride:j * stride + f, :]
                    Z[n, i, j, k] = np.sum(window * W[:, :, :, k]) + b[k:k+1]
    return Z


WRONG = [
    # q1 conv_output_size
    Entry("q1", "output size without the floor", {"conv_output_size": lambda n, f, pad, stride: (n + 2 * pad - f) / stride + 1}, public=True,
          message=("`conv_output_size(7, 2, 0, 2)` should return a Python int, got float 3.5",)),
    Entry("q1", "output size floored with np.floor, a numpy float", {"conv_output_size": lambda n, f, pad, stride: np.floor((n + 2 * pad - f) / stride) + 1}, public=True,
          message=("`conv_output_size(7, 2, 0, 2)` should return a Python int, got numpy.float64 3.0",)),
    Entry("q1", "output size as a numpy int", {"conv_output_size": lambda n, f, pad, stride: np.int64((n + 2 * pad - f) // stride + 1)}, public=True,
          message=("should return a Python int, got numpy.int64 3 (int(...) makes it a Python int)",)),
    Entry("q1", "output size with ceil", {"conv_output_size": lambda n, f, pad, stride: math.ceil((n + 2 * pad - f) / stride) + 1}, public=True),
    Entry("q1", "output size rounded", {"conv_output_size": lambda n, f, pad, stride: round((n + 2 * pad - f) / stride) + 1}, public=True),
    Entry("q1", "padding counted once", {"conv_output_size": lambda n, f, pad, stride: (n + pad - f) // stride + 1}),
    Entry("q1", "output size off by one", {"conv_output_size": lambda n, f, pad, stride: (n + 2 * pad - f) // stride}),
    # q2 zero_pad
    Entry("q2", "zero_pad pads all four axes", {"zero_pad": lambda X, pad: np.pad(X, pad)}),
    Entry("q2", "zero_pad pads H only", {"zero_pad": lambda X, pad: np.pad(X, ((0, 0), (pad, pad), (0, 0), (0, 0)))}),
    Entry("q2", "zero_pad repeats the edge", {"zero_pad": lambda X, pad: np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)), mode="edge")}),
    Entry("q2", "zero_pad treats X as (N, C, H, W)", {"zero_pad": lambda X, pad: np.pad(X, ((0, 0), (0, 0), (pad, pad), (pad, pad)))}),
    # q3 conv_single_step
    Entry("q3", "single step with the kernel flipped", {"conv_single_step": lambda a, W, b: float(np.sum(a * W[::-1, ::-1]) + b)}),
    Entry("q3", "single step without the bias", {"conv_single_step": lambda a, W, b: float(np.sum(a * W))}),
    Entry("q3", "single step sums the first channel only", {"conv_single_step": lambda a, W, b: float(np.sum(a[..., 0] * W[..., 0]) + b)}),
    Entry("q3", "single step returns an array of one value", {"conv_single_step": lambda a, W, b: np.sum(a * W, keepdims=True) + b}, public=True,
          message=("`conv_single_step (first window of the lecture)` should return a float, got an array of shape (1, 1, 1)",)),
    # q4 conv2d_forward
    Entry("q4", "conv with the kernel flipped (true convolution)", {"conv2d_forward": lambda X, W, b, stride=1, pad=0: _conv(X, W, b, stride, pad, flip=True)}),
    Entry("q4", "conv with the filter's rows and columns swapped", {"conv2d_forward": lambda X, W, b, stride=1, pad=0: _conv(X, W, b, stride, pad, transpose_filter=True)}),
    Entry("q4", "conv ignores the stride", {"conv2d_forward": lambda X, W, b, stride=1, pad=0: _conv(X, W, b, 1, pad)}),
    Entry("q4", "conv ignores the padding", {"conv2d_forward": lambda X, W, b, stride=1, pad=0: _conv(X, W, b, stride, 0)}),
    Entry("q4", "conv pads N and C too", {"conv2d_forward": lambda X, W, b, stride=1, pad=0: _conv(X, W, b, stride, pad, pad_all=True)}),
    Entry("q4", "conv pads but sizes the output without padding", {"conv2d_forward": lambda X, W, b, stride=1, pad=0: _conv(X, W, b, stride, pad, size_pad=0)}),
    Entry("q4", "conv without the bias", {"conv2d_forward": lambda X, W, b, stride=1, pad=0: _conv(X, W, b, stride, pad, bias_mode="none")}),
    Entry("q4", "conv adds the bias to every product of the window", {"conv2d_forward": lambda X, W, b, stride=1, pad=0: _conv(X, W, b, stride, pad, bias_mode="per_product")}),
    Entry("q4", "conv sums over the filters instead of per filter", {"conv2d_forward": lambda X, W, b, stride=1, pad=0: _conv(X, W, b, stride, pad, channel_mode="sum_filters")}),
    Entry("q4", "conv uses the first input channel only", {"conv2d_forward": lambda X, W, b, stride=1, pad=0: _conv(X, W, b, stride, pad, channel_mode="first_channel_only")}),
    Entry("q4", "conv takes its windows from X, not the padded X", {"conv2d_forward": _conv_window_from_unpadded},
          message=("`conv2d_forward` raised ValueError: operands could not be broadcast",
                   "case: N=2, 5x7 input, C_in=2, 3x3 filters, C_out=3, stride=1, pad=1",
                   "at line 2 of _window_times_filter:\n      return np.sum(window * W_c) + b_c",
                   "called from line 13 of _conv_window_from_unpadded:\n      Z[n, i, j, c] = ")),
    Entry("q4", "conv stores the bias as b[k:k+1], an array of one value, into one element", {"conv2d_forward": conv_bias_as_one_element_array},
          message=("`conv2d_forward` raised ValueError: setting an array element with a sequence",
                   "Take the number out first: `b[k]`, not `b[k:k+1]`",
                   "Z[n, i, j, k] = np.sum(window * W[:, :, :, k]) + b[k:k+1]")),
    Entry("q4", "conv sizes the output with ceil (zeros added at the end so a last window fits)",
          {"conv2d_forward": lambda X, W, b, stride=1, pad=0: _conv(_pad_end(X, stride - 1), W, b, stride, pad)}, public=True,
          message=("stride 2: the output size is floored)`: expected shape (1, 2, 2, 1), got (1, 3, 3, 1)",)),
    # q5 relu
    Entry("q5", "relu as abs", {"relu": lambda Z: np.abs(Z)}),
    Entry("q5", "relu as leaky relu", {"relu": lambda Z: np.where(Z > 0, Z, 0.01 * Z)}),
    Entry("q5", "relu clipped at 1", {"relu": lambda Z: np.clip(Z, 0, 1)}),
    # q6 maxpool, avgpool
    Entry("q6", "maxpool averages (max and avg mixed up)", {"maxpool": lambda X, f=2, stride=2: _pool(X, f, stride, np.mean)}),
    Entry("q6", "avgpool takes the max (max and avg mixed up)", {"avgpool": lambda X, f=2, stride=2: _pool(X, f, stride, np.max)}),
    Entry("q6", "maxpool across channels", {"maxpool": lambda X, f=2, stride=2: _pool(X, f, stride, np.max, across_channels=True)}),
    Entry("q6", "avgpool across channels", {"avgpool": lambda X, f=2, stride=2: _pool(X, f, stride, np.mean, across_channels=True)}),
    Entry("q6", "maxpool with stride = f always", {"maxpool": lambda X, f=2, stride=2: _pool(X, f, f, np.max)}),
    Entry("q6", "avgpool divides by f, not f*f", {"avgpool": lambda X, f=2, stride=2: _pool(X, f, stride, np.sum) / f}),
    Entry("q6", "maxpool with ceil sizes (zeros added at the end so a last window fits)",
          {"maxpool": lambda X, f=2, stride=2: _pool(_pad_end(X, stride - 1), f, stride, np.max)}, public=True,
          message=("`maxpool (lecture example with a fifth row and column no window reaches)`: expected shape (1, 2, 2, 1), got (1, 3, 3, 1)",)),
    # q7 nearest_upsample
    Entry("q7", "upsampling along H only", {"nearest_upsample": lambda X, scale=2: np.repeat(X, scale, axis=1)}),
    Entry("q7", "upsampling with tile (a b a b) instead of repeat", {"nearest_upsample": lambda X, scale=2: np.tile(X, (1, scale, scale, 1))}),
    Entry("q7", "upsampling always by 2", {"nearest_upsample": lambda X, scale=2: X.repeat(2, axis=1).repeat(2, axis=2)}),
    # q8 conv1d
    Entry("q8", "conv1d without the flip (cross-correlation)", {"conv1d": lambda f, g: np.correlate(f, g, "full")}),
    Entry("q8", "conv1d in 'same' mode", {"conv1d": lambda f, g: np.convolve(f, g, "same")}),
    Entry("q8", "conv1d in 'valid' mode", {"conv1d": lambda f, g: np.convolve(f, g, "valid")}),
    # q9 sobel_edges
    Entry("q9", "sobel with the masks swapped (transposed)", {"sobel_edges": lambda image: _sobel(image, SOBEL_X.T, SOBEL_X)}),
    Entry("q9", "sobel in 'same' mode", {"sobel_edges": lambda image: _sobel(image, SOBEL_X, SOBEL_X.T, mode="same")}),
    Entry("q9", "sobel as a true convolution (flipped masks)", {"sobel_edges": lambda image: _sobel(image, SOBEL_X[::-1, ::-1], SOBEL_X.T[::-1, ::-1])}),
    Entry("q9", "sobel magnitude |gx| + |gy|", {"sobel_edges": lambda image: _sobel(image, SOBEL_X, SOBEL_X.T, magnitude=lambda gx, gy: np.abs(gx) + np.abs(gy))}),
    Entry("q9", "sobel gy mask transposed the wrong way round ([[1,2,1],...,[-1,-2,-1]])", {"sobel_edges": lambda image: _sobel(image, SOBEL_X, -SOBEL_X.T)}),
    # q10 conv_params, dense_params
    Entry("q10", "conv_params without the c_in factor", {"conv_params": lambda f, c_in, k, bias=True: f * f * k + (k if bias else 0)}),
    Entry("q10", "conv_params with one bias per weight", {"conv_params": lambda f, c_in, k, bias=True: 2 * f * f * c_in * k if bias else f * f * c_in * k}),
    Entry("q10", "conv_params with no bias by default", {"conv_params": lambda f, c_in, k, bias=False: f * f * c_in * k + (k if bias else 0)}),
    Entry("q10", "dense_params without the bias", {"dense_params": lambda n_in, n_out, bias=True: n_in * n_out}),
    Entry("q10", "dense_params with a bias per input", {"dense_params": lambda n_in, n_out, bias=True: n_in * n_out + (n_in if bias else 0)}),
    Entry("q10", "conv_params with np.prod, a numpy int", {"conv_params": lambda f, c_in, k, bias=True: np.prod([f, f, c_in, k]) + (k if bias else 0)}, public=True,
          message=("`conv_params(5, 1, 6, bias=False)` should return a Python int, got numpy.int64 150",)),
    # q11 bonus: conv2d_backward, maxpool_backward
    Entry("q11", "conv2d_backward returns dZ as db (no sum)", {"conv2d_backward": lambda dZ, cache: _conv_backward(dZ, cache, db_sum=False)}),
    Entry("q11", "conv2d_backward keeps the padding in dX", {"conv2d_backward": lambda dZ, cache: _conv_backward(dZ, cache, keep_pad=True)}),
    Entry("q11", "conv2d_backward ignores the stride", {"conv2d_backward": lambda dZ, cache: _conv_backward(dZ, cache, ignore_stride=True)}),
    Entry("q11", "conv2d_backward cuts dX out with [pad:-pad] (empty when pad == 0)", {"conv2d_backward": _conv_backward_pad_slice},
          message=("`conv2d_backward` raised ValueError: could not broadcast input array from shape (0,0,1) into shape (3,3,1)",
                   "case: N=1, 3x3 input, C_in=1, one 2x2 filter, dZ all ones, stride=1, pad=0",
                   "case: N=2, 6x5 input, C_in=1, 2x2 filters, C_out=2, stride=2, pad=0",
                   "at line 19 of _conv_backward_pad_slice:\n      dX[i, :, :, :] = dx_pad[pad:-pad, pad:-pad, :]")),
    Entry("q11", "conv2d_backward averages db over positions instead of summing", {"conv2d_backward": lambda dZ, cache: _conv_backward(dZ, cache)[:2] + (dZ.mean(axis=(0, 1, 2)),)},
          message=("db differs; dX and dW match",)),
    Entry("q11", "maxpool_backward routes to every cell of the window", {"maxpool_backward": lambda dout, cache: _maxpool_backward(dout, cache, route="all")}),
    Entry("q11", "maxpool_backward overwrites where windows overlap", {"maxpool_backward": lambda dout, cache: _maxpool_backward(dout, cache, accumulate=False)}),
]

HIDDEN_ONLY = {
    "single step without the bias",
    "single step sums the first channel only",
    "conv ignores the padding",
    "conv pads N and C too",
    "conv pads but sizes the output without padding",
    "conv without the bias",
    "conv adds the bias to every product of the window",
    "conv sums over the filters instead of per filter",
    "conv uses the first input channel only",
    "conv takes its windows from X, not the padded X",
    "maxpool across channels",
    "avgpool across channels",
    "maxpool with stride = f always",
    "upsampling always by 2",
    "sobel magnitude |gx| + |gy|",
    "sobel gy mask transposed the wrong way round ([[1,2,1],...,[-1,-2,-1]])",
    "conv_params with no bias by default",
    "conv2d_backward keeps the padding in dX",
    "conv2d_backward ignores the stride",
    "maxpool_backward overwrites where windows overlap",
}


# --- alternative correct answers ------------------------------------------------------------

def _conv_loops(X, W, b, stride=1, pad=0):
    """Four nested loops over images, rows, columns, filters, as in a first attempt."""
    N, H, Wd, C = X.shape
    f, _, _, K = W.shape
    Xp = np.zeros((N, H + 2 * pad, Wd + 2 * pad, C))
    Xp[:, pad:pad + H, pad:pad + Wd, :] = X
    H_out = int(math.floor((H + 2 * pad - f) / stride)) + 1
    W_out = int(math.floor((Wd + 2 * pad - f) / stride)) + 1
    Z = np.zeros((N, H_out, W_out, K))
    for n in range(N):
        for i in range(H_out):
            for j in range(W_out):
                for k in range(K):
                    win = Xp[n, i * stride:i * stride + f, j * stride:j * stride + f, :]
                    Z[n, i, j, k] = np.sum(win * W[:, :, :, k]) + b[k]
    return Z


def _conv_sliding_einsum(X, W, b, stride=1, pad=0):
    """All windows at once with sliding_window_view, the stride as a slice, one einsum."""
    f = W.shape[0]
    win = sliding_window_view(_pad_hw(X, pad), (f, f), axis=(1, 2))[:, ::stride, ::stride]
    return np.einsum("nijcab,abck->nijk", win, W) + b


def _conv_im2col(X, W, b, stride=1, pad=0):
    """im2col: every window as a row of a matrix, then one matrix product, in float32."""
    N, H, Wd, C = X.shape
    f, _, _, K = W.shape
    Xp = _pad_hw(X, pad).astype(np.float32)
    H_out, W_out = _size(H, f, pad, stride), _size(Wd, f, pad, stride)
    cols = np.empty((N, H_out, W_out, f * f * C), dtype=np.float32)
    for i in range(H_out):
        for j in range(W_out):
            cols[:, i, j, :] = Xp[:, i * stride:i * stride + f, j * stride:j * stride + f, :].reshape(N, -1)
    return cols @ W.reshape(-1, K).astype(np.float32) + b.astype(np.float32)


def _pool_windows(X, f=2, stride=2, reduce="max"):
    win = sliding_window_view(X, (f, f), axis=(1, 2))[:, ::stride, ::stride]
    return win.max(axis=(4, 5)) if reduce == "max" else win.mean(axis=(4, 5))


def _avgpool_float32_loops(X, f=2, stride=2):
    N, H, W, C = X.shape
    out = np.zeros((N, (H - f) // stride + 1, (W - f) // stride + 1, C), dtype=np.float32)
    for n in range(N):
        for i in range(out.shape[1]):
            for j in range(out.shape[2]):
                for c in range(C):
                    out[n, i, j, c] = X[n, i * stride:i * stride + f, j * stride:j * stride + f, c].sum() / (f * f)
    return out


def _zero_pad_slices(X, pad):
    N, H, W, C = X.shape
    out = np.zeros((N, H + 2 * pad, W + 2 * pad, C), dtype=X.dtype)
    out[:, pad:pad + H, pad:pad + W, :] = X
    return out


def _conv1d_direct(f, g):
    """The formula as written: out[n] = sum over valid m of f[n - m] g[m]."""
    out = []
    for n in range(len(f) + len(g) - 1):
        out.append(sum(f[n - m] * g[m] for m in range(len(g)) if 0 <= n - m < len(f)))
    return out  # a list: the checks accept any array-like of numbers


def _sobel_loops(image):
    H, W = image.shape
    kx = [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]
    gx, gy = np.zeros((H - 2, W - 2), np.float32), np.zeros((H - 2, W - 2), np.float32)
    for i in range(H - 2):
        for j in range(W - 2):
            for a in range(3):
                for c in range(3):
                    gx[i, j] += kx[a][c] * image[i + a, j + c]
                    gy[i, j] += kx[c][a] * image[i + a, j + c]
    return gx, gy, np.hypot(gx, gy)


def _conv_backward_einsum(dZ, cache):
    X, W, b, stride, pad = cache
    f = W.shape[0]
    Xp = _pad_hw(X, pad)
    _, H_out, W_out, _ = dZ.shape
    win = sliding_window_view(Xp, (f, f), axis=(1, 2))[:, ::stride, ::stride][:, :H_out, :W_out]
    dW = np.einsum("nijcab,nijk->abck", win, dZ)
    # scatter back: dilate dZ by the stride, then a full correlation with the flipped filter
    dXp = np.zeros(Xp.shape)
    for a in range(f):
        for c in range(f):
            dXp[:, a:a + stride * H_out:stride, c:c + stride * W_out:stride, :] += np.einsum("nijk,dk->nijd", dZ, W[a, c])
    return dXp[:, pad:pad + X.shape[1], pad:pad + X.shape[2], :], dW, np.einsum("nijk->k", dZ)


def _maxpool_backward_argmax(dout, cache):
    X, f, stride = cache
    N, H, W, C = X.shape
    dX = np.zeros_like(X, dtype=float)
    for n in range(N):
        for c in range(C):
            for i in range(dout.shape[1]):
                for j in range(dout.shape[2]):
                    win = X[n, i * stride:i * stride + f, j * stride:j * stride + f, c]
                    a, d = np.unravel_index(np.argmax(win), win.shape)
                    dX[n, i * stride + a, j * stride + d, c] += dout[n, i, j, c]
    return dX


RIGHT = [
    Entry("q1", "output size with math.floor of a float division", {"conv_output_size": lambda n, f, pad, stride: int(math.floor((n + 2 * pad - f) / stride)) + 1}),
    Entry("q1", "output size with int() of np.floor", {"conv_output_size": lambda n, f, pad, stride: int(np.floor((n + 2 * pad - f) / stride) + 1)}),
    Entry("q1", "output size with int() of a float division (truncation: the floor of sizes >= 0)", {"conv_output_size": lambda n, f, pad, stride: int((n + 2 * pad - f) / stride + 1)}),
    Entry("q2", "zero_pad by slicing into a zeros array", {"zero_pad": _zero_pad_slices}),
    Entry("q3", "single step with tensordot, returning a numpy float", {"conv_single_step": lambda a, W, b: np.tensordot(a, W, axes=3) + b}),
    Entry("q4", "conv with four nested loops", {"conv2d_forward": _conv_loops}),
    Entry("q4", "conv with sliding_window_view and einsum", {"conv2d_forward": _conv_sliding_einsum}),
    Entry("q4", "conv with im2col in float32", {"conv2d_forward": _conv_im2col}),
    Entry("q5", "relu as Z * (Z > 0)", {"relu": lambda Z: Z * (Z > 0)}),
    Entry("q6", "pooling with sliding_window_view", {"maxpool": lambda X, f=2, stride=2: _pool_windows(X, f, stride, "max"),
                                                     "avgpool": lambda X, f=2, stride=2: _pool_windows(X, f, stride, "mean")}),
    Entry("q6", "avgpool with loops in float32", {"avgpool": _avgpool_float32_loops}),
    Entry("q7", "upsampling with np.kron", {"nearest_upsample": lambda X, scale=2: np.kron(X, np.ones((1, scale, scale, 1)))}),
    Entry("q7", "upsampling by index arithmetic", {"nearest_upsample": lambda X, scale=2: X[:, np.arange(X.shape[1] * scale) // scale][:, :, np.arange(X.shape[2] * scale) // scale]}),
    Entry("q8", "conv1d straight from the formula, returning a list", {"conv1d": _conv1d_direct}),
    Entry("q9", "sobel with loops in float32 and np.hypot", {"sobel_edges": _sobel_loops}),
    Entry("q10", "parameter counts written differently", {"conv_params": lambda f, c_in, k, bias=True: k * (f ** 2 * c_in + int(bias)),
                                                          "dense_params": lambda n_in, n_out, bias=True: (n_in + int(bias)) * n_out}),
    Entry("q10", "parameter counts with int(np.prod(...)) and bias * k", {"conv_params": lambda f, c_in, k, bias=True: int(np.prod([f, f, c_in, k])) + bias * k,
                                                                       "dense_params": lambda n_in, n_out, bias=True: int(np.prod([n_in, n_out])) + bias * n_out}),
    Entry("q11", "backward with sliding windows and einsum, argmax routing", {"conv2d_backward": _conv_backward_einsum,
                                                                             "maxpool_backward": _maxpool_backward_argmax}),
]


# --- the lab's rules (lab.toml [[rules]]): found in the source, through aliases and helpers ----

def _conv1d_np(f, g):
    return np.convolve(f, g)  # right numbers, but q8 asks for the sum written out


def _conv1d_alias(f, g):
    return _np_convolve(f, g)


def _flip_and_sum(f, g):
    return np.convolve(f, g)


def _conv1d_helper(f, g):
    return _flip_and_sum(f, g)


def _sobel_scipy(image):
    from scipy import signal
    img = np.asarray(image, dtype=float)
    gx = signal.correlate2d(img, SOBEL_X, mode="valid")
    gy = signal.correlate2d(img, SOBEL_X.T, mode="valid")
    return gx, gy, np.sqrt(gx ** 2 + gy ** 2)


def _conv1d_loops_checked_against_np(f, g):
    """The sum written out; np.convolve is named here and in the notebook's example only."""
    f, g = np.asarray(f, dtype=float), np.asarray(g, dtype=float)
    out = np.zeros(len(f) + len(g) - 1)
    for n in range(len(out)):
        for m in range(len(g)):
            if 0 <= n - m < len(f):
                out[n] += f[n - m] * g[m]
    return out


_RULE = "does not allow"
WRONG += [
    Entry("q8", "conv1d with np.convolve", {"conv1d": _conv1d_np}, message=("np.convolve", _RULE)),
    Entry("q8", "conv1d with np.convolve under another name", {"conv1d": _conv1d_alias},
          message=("numpy.convolve", _RULE)),
    Entry("q8", "conv1d with np.convolve in a helper", {"conv1d": _conv1d_helper},
          message=("_flip_and_sum", "numpy.convolve")),
    Entry("q9", "sobel with scipy.signal.correlate2d", {"sobel_edges": _sobel_scipy},
          message=("scipy.signal.correlate2d", _RULE)),
]
RIGHT += [
    Entry("q8", "conv1d written out, np.convolve only named in its docstring",
          {"conv1d": _conv1d_loops_checked_against_np}),
]


# --- a mistake is charged once (autograder/judge/helpers.py) -----------------------------------
# A wrong helper under a correct function: q4 (or q6) keeps its marks in grading, with a note
# that names the helper; the helper's own question loses them (the WRONG entries above).

def _size_true_division(n, f, pad, stride):
    return (n + 2 * pad - f) / stride + 1


def _pad_every_axis(X, pad):
    return np.pad(X, pad)  # pads N and C too


def _step_without_bias(a_slice, W, b):
    return float(np.sum(a_slice * W))


# conv2d_forward as the notebook builds it, one conv_single_step per output number: a cell of
# the notebook's, so that it finds the helpers in the notebook's namespace
CONV_WITH_STEPS = """
def conv2d_forward(X, W, b, stride=1, pad=0):
    N, H, W_in, C_in = X.shape
    f, _, _, C_out = W.shape
    H_out = conv_output_size(H, f, pad, stride)
    W_out = conv_output_size(W_in, f, pad, stride)
    X_pad = zero_pad(X, pad)
    Z = np.zeros((N, H_out, W_out, C_out))
    for n in range(N):
        for i in range(H_out):
            for j in range(W_out):
                for k in range(C_out):
                    window = X_pad[n, i * stride:i * stride + f, j * stride:j * stride + f, :]
                    Z[n, i, j, k] = conv_single_step(window, W[:, :, :, k], b[k])
    return Z
"""

CASCADE = [
    Entry("q4", "a float output size under a correct conv2d_forward", {"conv_output_size": _size_true_division},
          message=("`conv_output_size`", "keeps its marks")),
    Entry("q6", "a float output size under a correct maxpool", {"conv_output_size": _size_true_division},
          message=("`conv_output_size`",)),
    Entry("q4", "np.pad(X, pad) under a correct conv2d_forward", {"zero_pad": _pad_every_axis},
          message=("`zero_pad`", "expected shape")),
    Entry("q4", "a conv_single_step without the bias under a correct conv2d_forward",
          {"conv_single_step": _step_without_bias, "conv2d_forward": CONV_WITH_STEPS},
          message=("`conv_single_step`",)),
]
