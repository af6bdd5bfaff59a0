"""Lab 3 as a student who avoids loops with sliding windows and einsum (independent solution)."""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def conv_output_size(n, f, pad, stride):
    size = n + 2 * pad - f
    return size // stride + 1


def zero_pad(X, pad):
    widths = [(0, 0), (pad, pad), (pad, pad), (0, 0)]
    return np.pad(X, widths)


def conv_single_step(a_slice, W, b):
    return np.tensordot(a_slice, W, axes=3) + b


def conv2d_forward(X, W, b, stride=1, pad=0):
    size = W.shape[0]
    patches = sliding_window_view(zero_pad(X, pad), (size, size), axis=(1, 2))
    patches = patches[:, ::stride, ::stride]
    return np.einsum("nhwcpq,pqck->nhwk", patches, W) + b


def relu(Z):
    return Z * (Z > 0)


def _windows(X, f, stride):
    return sliding_window_view(X, (f, f), axis=(1, 2))[:, ::stride, ::stride]


def maxpool(X, f=2, stride=2):
    return _windows(X, f, stride).max(axis=(-2, -1))


def avgpool(X, f=2, stride=2):
    return _windows(X, f, stride).mean(axis=(-2, -1))


def nearest_upsample(X, scale=2):
    return np.kron(X, np.ones((1, scale, scale, 1)))


def conv1d(f, g):
    return np.convolve(f, g)


def sobel_edges(image):
    mask = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=float)
    views = sliding_window_view(np.asarray(image, dtype=float), (3, 3))
    gx = np.einsum("ijab,ab->ij", views, mask)
    gy = np.einsum("ijab,ba->ij", views, mask)
    return gx, gy, np.sqrt(gx * gx + gy * gy)


def conv_params(f, c_in, k, bias=True):
    weights = f * f * c_in * k
    return weights + k if bias else weights


def dense_params(n_in, n_out, bias=True):
    weights = n_in * n_out
    return weights + n_out if bias else weights


def conv2d_backward(dZ, cache):
    X, W, b, stride, pad = cache
    size = W.shape[0]
    Xp = zero_pad(X, pad)
    _, rows, cols, _ = dZ.shape
    patches = _windows(Xp, size, stride)[:, :rows, :cols]
    dW = np.einsum("nhwcpq,nhwk->pqck", patches, dZ)
    dXp = np.zeros(Xp.shape)
    for p in range(size):
        for q in range(size):
            dXp[:, p:p + stride * rows:stride, q:q + stride * cols:stride, :] += np.einsum("nhwk,ck->nhwc", dZ, W[p, q])
    return dXp[:, pad:pad + X.shape[1], pad:pad + X.shape[2], :], dW, np.einsum("nhwk->k", dZ)


def maxpool_backward(dout, cache):
    X, f, stride = cache
    dX = np.zeros(X.shape)
    rows, cols = dout.shape[1], dout.shape[2]
    for p in range(rows):
        for q in range(cols):
            block = X[:, p * stride:p * stride + f, q * stride:q * stride + f, :]
            hit = block == block.max(axis=(1, 2), keepdims=True)
            dX[:, p * stride:p * stride + f, q * stride:q * stride + f, :] += hit * dout[:, p:p + 1, q:q + 1, :]
    return dX
