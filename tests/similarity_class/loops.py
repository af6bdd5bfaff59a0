"""Lab 3 as a student who writes every loop out (an independent solution, synthetic class)."""
import math

import numpy as np


def conv_output_size(n, f, pad, stride):
    return int(math.floor((n + 2 * pad - f) / stride)) + 1


def zero_pad(X, pad):
    N, H, W, C = X.shape
    out = np.zeros((N, H + 2 * pad, W + 2 * pad, C), dtype=X.dtype)
    out[:, pad:pad + H, pad:pad + W, :] = X
    return out


def conv_single_step(a_slice, W, b):
    total = 0.0
    for i in range(a_slice.shape[0]):
        for j in range(a_slice.shape[1]):
            for c in range(a_slice.shape[2]):
                total += a_slice[i, j, c] * W[i, j, c]
    return float(total + b)


def conv2d_forward(X, W, b, stride=1, pad=0):
    N, H, Wd, C = X.shape
    f, _, _, K = W.shape
    Xp = zero_pad(X, pad)
    H_out = conv_output_size(H, f, pad, stride)
    W_out = conv_output_size(Wd, f, pad, stride)
    Z = np.zeros((N, H_out, W_out, K))
    for n in range(N):
        for i in range(H_out):
            for j in range(W_out):
                for k in range(K):
                    win = Xp[n, i * stride:i * stride + f, j * stride:j * stride + f, :]
                    Z[n, i, j, k] = conv_single_step(win, W[:, :, :, k], b[k])
    return Z


def relu(Z):
    return np.where(Z > 0, Z, 0)


def maxpool(X, f=2, stride=2):
    N, H, W, C = X.shape
    H_out, W_out = (H - f) // stride + 1, (W - f) // stride + 1
    out = np.zeros((N, H_out, W_out, C))
    for n in range(N):
        for i in range(H_out):
            for j in range(W_out):
                for c in range(C):
                    out[n, i, j, c] = np.max(X[n, i * stride:i * stride + f, j * stride:j * stride + f, c])
    return out


def avgpool(X, f=2, stride=2):
    N, H, W, C = X.shape
    H_out, W_out = (H - f) // stride + 1, (W - f) // stride + 1
    out = np.zeros((N, H_out, W_out, C))
    for n in range(N):
        for i in range(H_out):
            for j in range(W_out):
                for c in range(C):
                    out[n, i, j, c] = np.mean(X[n, i * stride:i * stride + f, j * stride:j * stride + f, c])
    return out


def nearest_upsample(X, scale=2):
    N, H, W, C = X.shape
    out = np.zeros((N, H * scale, W * scale, C), dtype=X.dtype)
    for i in range(H * scale):
        for j in range(W * scale):
            out[:, i, j, :] = X[:, i // scale, j // scale, :]
    return out


def conv1d(f, g):
    out = []
    for n in range(len(f) + len(g) - 1):
        out.append(sum(f[n - m] * g[m] for m in range(len(g)) if 0 <= n - m < len(f)))
    return np.array(out, dtype=float)


def sobel_edges(image):
    H, W = image.shape
    kx = [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]
    gx = np.zeros((H - 2, W - 2))
    gy = np.zeros((H - 2, W - 2))
    for i in range(H - 2):
        for j in range(W - 2):
            for a in range(3):
                for c in range(3):
                    gx[i, j] += kx[a][c] * image[i + a, j + c]
                    gy[i, j] += kx[c][a] * image[i + a, j + c]
    return gx, gy, np.hypot(gx, gy)


def conv_params(f, c_in, k, bias=True):
    return k * (f ** 2 * c_in + int(bias))


def dense_params(n_in, n_out, bias=True):
    return (n_in + int(bias)) * n_out


def conv2d_backward(dZ, cache):
    X, W, b, stride, pad = cache
    N, H, Wd, C = X.shape
    f, _, _, K = W.shape
    Xp = zero_pad(X, pad)
    dXp = np.zeros(Xp.shape)
    dW = np.zeros(W.shape)
    db = np.zeros(K)
    for n in range(N):
        for i in range(dZ.shape[1]):
            for j in range(dZ.shape[2]):
                for k in range(K):
                    r, s = i * stride, j * stride
                    dXp[n, r:r + f, s:s + f, :] += W[:, :, :, k] * dZ[n, i, j, k]
                    dW[:, :, :, k] += Xp[n, r:r + f, s:s + f, :] * dZ[n, i, j, k]
                    db[k] += dZ[n, i, j, k]
    return dXp[:, pad:pad + H, pad:pad + Wd, :], dW, db


def maxpool_backward(dout, cache):
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
