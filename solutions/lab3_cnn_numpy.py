"""Reference solution of lab 3: convolution and pooling from scratch in numpy.

Conventions (docs/course.md): feature maps are NHWC, (N, H, W, C); filters are
(f, f, C_in, C_out); biases are (C_out,). "Convolution" in a layer is cross-correlation (the
filter is not flipped); only `conv1d` is the true, flipped, convolution of signal processing.

Each graded function is cut out of this file by the build: its signature and docstring become
the student's stub, its whole text the solution cell. Keep every function self-contained
(numpy only, plus functions defined earlier in this file).
"""

import numpy as np


def conv_output_size(n, f, pad, stride):
    """Size of one spatial side of the output of a convolution or a pooling window.

    Inputs:
    - n: int, size of the input side (height or width)
    - f: int, size of the filter side
    - pad: int, zeros added on each end of that side
    - stride: int, step between two windows

    Returns:
    - n_out: a Python int, floor((n + 2*pad - f) / stride) + 1
    """
    # Integer division is the floor for the non-negative sizes met here, and stays exact
    # where float division could round (large n).
    return int((n + 2 * pad - f) // stride + 1)


def zero_pad(X, pad):
    """Add `pad` rows/columns of zeros around each image, along H and W only.

    Inputs:
    - X: batch of images, shape (N, H, W, C)
    - pad: int, zeros added on each side of H and W

    Returns:
    - X_pad: array of shape (N, H + 2*pad, W + 2*pad, C); the batch and channel axes are unchanged
    """
    return np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)), mode="constant", constant_values=0)


def conv_single_step(a_slice, W, b):
    """Apply one filter to one window of the input: one number of the output feature map.

    Inputs:
    - a_slice: a window of the input, shape (f, f, C_in)
    - W: one filter, shape (f, f, C_in)
    - b: a number, the filter's bias

    Returns:
    - z: float (one number, a Python or a numpy float, not an array), the sum over all
      f*f*C_in positions of a_slice * W, plus b
    """
    return float(np.sum(a_slice * W) + b)


def conv2d_forward(X, W, b, stride=1, pad=0):
    """Forward pass of a convolution layer (cross-correlation, as in every DL framework).

    Inputs:
    - X: input batch, shape (N, H, W, C_in)
    - W: filters, shape (f, f, C_in, C_out)
    - b: biases, shape (C_out,): one number per filter, added at every output position
    - stride: int, step of the window along H and W
    - pad: int, zeros added around H and W before sliding the window

    Returns:
    - Z: array of shape (N, H_out, W_out, C_out); H_out and W_out are the output sizes of
      conv_output_size for H and for W (with this f, pad and stride)
    """
    N, H, W_in, C_in = X.shape
    f, _, _, C_out = W.shape
    H_out = conv_output_size(H, f, pad, stride)
    W_out = conv_output_size(W_in, f, pad, stride)
    X_pad = zero_pad(X, pad)
    Z = np.zeros((N, H_out, W_out, C_out))
    for i in range(H_out):
        for j in range(W_out):
            top, left = i * stride, j * stride
            window = X_pad[:, top:top + f, left:left + f, :]          # (N, f, f, C_in)
            # contract the window's (f, f, C_in) with the filters' (f, f, C_in): (N, C_out)
            Z[:, i, j, :] = np.tensordot(window, W, axes=([1, 2, 3], [0, 1, 2])) + b
    return Z


def relu(Z):
    """Rectified linear unit, element by element: max(Z, 0).

    Inputs:
    - Z: array of any shape

    Returns:
    - A: array of the same shape as Z
    """
    return np.maximum(Z, 0)


def maxpool(X, f=2, stride=2):
    """Max pooling: the largest value of each f x f window, channel by channel.

    Inputs:
    - X: input batch, shape (N, H, W, C)
    - f: int, window size
    - stride: int, step of the window (no padding)

    Returns:
    - out: array of shape (N, H_out, W_out, C); H_out and W_out as for a convolution with
      this f and stride and no padding (conv_output_size)
    """
    N, H, W, C = X.shape
    H_out = conv_output_size(H, f, 0, stride)
    W_out = conv_output_size(W, f, 0, stride)
    out = np.zeros((N, H_out, W_out, C))
    for i in range(H_out):
        for j in range(W_out):
            top, left = i * stride, j * stride
            # reduce over the window's rows and columns only: each channel is pooled alone
            out[:, i, j, :] = X[:, top:top + f, left:left + f, :].max(axis=(1, 2))
    return out


def avgpool(X, f=2, stride=2):
    """Average pooling: the mean of each f x f window, channel by channel.

    Inputs:
    - X: input batch, shape (N, H, W, C)
    - f: int, window size
    - stride: int, step of the window (no padding)

    Returns:
    - out: array of shape (N, H_out, W_out, C); H_out and W_out as for a convolution with
      this f and stride and no padding (conv_output_size)
    """
    N, H, W, C = X.shape
    H_out = conv_output_size(H, f, 0, stride)
    W_out = conv_output_size(W, f, 0, stride)
    out = np.zeros((N, H_out, W_out, C))
    for i in range(H_out):
        for j in range(W_out):
            top, left = i * stride, j * stride
            out[:, i, j, :] = X[:, top:top + f, left:left + f, :].mean(axis=(1, 2))
    return out


def nearest_upsample(X, scale=2):
    """Nearest-neighbour up-sampling: every pixel becomes a scale x scale block of copies.

    Inputs:
    - X: input batch, shape (N, H, W, C)
    - scale: int, up-sampling factor along H and along W

    Returns:
    - out: array of shape (N, scale*H, scale*W, C),
      out[n, i, j, c] = X[n, i // scale, j // scale, c]
    """
    return np.repeat(np.repeat(X, scale, axis=1), scale, axis=2)


def conv1d(f, g):
    """True discrete convolution of two 1-D signals, 'full' mode (np.convolve semantics).

    (f * g)[n] = sum over m of f[n - m] * g[m], for n = 0 .. len(f) + len(g) - 2.

    Inputs:
    - f: signal, shape (L_f,)
    - g: kernel, shape (L_g,)

    Returns:
    - out: array of shape (L_f + L_g - 1,)
    """
    f = np.asarray(f, dtype=float)
    g = np.asarray(g, dtype=float)
    out = np.zeros(len(f) + len(g) - 1)
    # g[m] multiplies a copy of f shifted right by m: the flip is in the shift, f[n - m]
    for m in range(len(g)):
        out[m:m + len(f)] += g[m] * f
    return out


def sobel_edges(image):
    """Sobel gradients of a grayscale image, 'valid' mode (no padding), cross-correlation.

    The vertical-edge mask (gx) is [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]; the horizontal-edge
    mask (gy) is its transpose. Both are applied as they are, without flipping.

    Inputs:
    - image: 2-D array, shape (H, W)

    Returns a tuple of:
    - gx: response to the vertical-edge mask, shape (H - 2, W - 2)
    - gy: response to the horizontal-edge mask, shape (H - 2, W - 2)
    - magnitude: sqrt(gx**2 + gy**2), shape (H - 2, W - 2)
    """
    sobel_x = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=float)
    img = np.asarray(image, dtype=float)
    H, W = img.shape
    gx = np.zeros((H - 2, W - 2))
    gy = np.zeros((H - 2, W - 2))
    # one shifted copy of the image per mask entry: 9 array operations instead of H*W windows
    for di in range(3):
        for dj in range(3):
            shifted = img[di:di + H - 2, dj:dj + W - 2]
            gx += sobel_x[di, dj] * shifted
            gy += sobel_x[dj, di] * shifted
    return gx, gy, np.sqrt(gx ** 2 + gy ** 2)


def conv_params(f, c_in, k, bias=True):
    """Number of trainable parameters of a convolution layer.

    Inputs:
    - f: int, filter size (filters are f x f)
    - c_in: int, channels of the input (each filter is f x f x c_in)
    - k: int, number of filters (output channels)
    - bias: bool, whether each filter has a bias

    Returns:
    - count: a Python int, f*f*c_in*k weights, plus k biases when bias is True
    """
    return f * f * c_in * k + (k if bias else 0)


def dense_params(n_in, n_out, bias=True):
    """Number of trainable parameters of a fully connected (Dense) layer.

    Inputs:
    - n_in: int, number of inputs
    - n_out: int, number of units
    - bias: bool, whether each unit has a bias

    Returns:
    - count: a Python int, n_in*n_out weights, plus n_out biases when bias is True
    """
    return n_in * n_out + (n_out if bias else 0)


def conv2d_backward(dZ, cache):
    """Backward pass of conv2d_forward (bonus).

    Inputs:
    - dZ: gradient of the loss with respect to the output Z, shape (N, H_out, W_out, C_out)
    - cache: the tuple (X, W, b, stride, pad) of the forward call
      Z = conv2d_forward(X, W, b, stride, pad): X (N, H, W, C_in), W (f, f, C_in, C_out),
      b (C_out,), ints stride, pad

    Returns a tuple of:
    - dX: gradient with respect to X, shape (N, H, W, C_in) (the padding is cut off again)
    - dW: gradient with respect to W, shape (f, f, C_in, C_out)
    - db: gradient with respect to b, shape (C_out,)
    """
    X, W, b, stride, pad = cache
    N, H, W_in, C_in = X.shape
    f = W.shape[0]
    _, H_out, W_out, _ = dZ.shape
    X_pad = zero_pad(X, pad)
    dX_pad = np.zeros(X_pad.shape)
    dW = np.zeros(W.shape)
    for i in range(H_out):
        for j in range(W_out):
            top, left = i * stride, j * stride
            window = X_pad[:, top:top + f, left:left + f, :]          # (N, f, f, C_in)
            g = dZ[:, i, j, :]                                        # (N, C_out)
            # Z[:, i, j, :] = window . W + b, so each output gradient flows back to every
            # window entry through W, and to W through the window; windows overlap, hence +=
            dW += np.tensordot(window, g, axes=([0], [0]))
            dX_pad[:, top:top + f, left:left + f, :] += np.tensordot(g, W, axes=([1], [3]))
    db = dZ.sum(axis=(0, 1, 2))
    dX = dX_pad[:, pad:pad + H, pad:pad + W_in, :]
    return dX, dW, db


def maxpool_backward(dout, cache):
    """Backward pass of maxpool (bonus).

    Inputs:
    - dout: gradient of the loss with respect to the pooled output, shape (N, H_out, W_out, C)
    - cache: the tuple (X, f, stride) of the forward call out = maxpool(X, f, stride):
      X (N, H, W, C), ints f and stride

    Returns:
    - dX: gradient with respect to X, shape (N, H, W, C): each window's gradient goes to the
      position of that window's maximum (channel by channel); every other position gets 0.
      Windows are assumed to have a single maximum (at a tie the max has no derivative).
    """
    X, f, stride = cache
    _, H_out, W_out, _ = dout.shape
    dX = np.zeros(X.shape)
    for i in range(H_out):
        for j in range(W_out):
            top, left = i * stride, j * stride
            window = X[:, top:top + f, left:left + f, :]
            is_max = window == window.max(axis=(1, 2), keepdims=True)   # (N, f, f, C)
            # overlapping windows (stride < f) can share a maximum: add, do not overwrite
            dX[:, top:top + f, left:left + f, :] += is_max * dout[:, i:i + 1, j:j + 1, :]
    return dX
