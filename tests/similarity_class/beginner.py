"""Lab 3 as a beginner writes it: while loops, lists, no bonus (an independent solution)."""
import numpy as np


def conv_output_size(n, f, pad, stride):
    result = 1
    position = 0
    while position + stride + f <= n + 2 * pad:
        position = position + stride
        result = result + 1
    return result


def zero_pad(X, pad):
    result = np.zeros((X.shape[0], X.shape[1] + pad * 2, X.shape[2] + pad * 2, X.shape[3]))
    for row in range(X.shape[1]):
        for col in range(X.shape[2]):
            result[:, row + pad, col + pad, :] = X[:, row, col, :]
    return result


def conv_single_step(a_slice, W, b):
    products = a_slice * W
    answer = products.sum()
    answer = answer + b
    return float(answer)


def conv2d_forward(X, W, b, stride=1, pad=0):
    padded = zero_pad(X, pad)
    height = conv_output_size(X.shape[1], W.shape[0], pad, stride)
    width = conv_output_size(X.shape[2], W.shape[0], pad, stride)
    result = np.zeros((X.shape[0], height, width, W.shape[3]))
    for image in range(X.shape[0]):
        for filt in range(W.shape[3]):
            row = 0
            while row < height:
                col = 0
                while col < width:
                    top, left = row * stride, col * stride
                    piece = padded[image, top:top + W.shape[0], left:left + W.shape[0]]
                    result[image, row, col, filt] = conv_single_step(piece, W[..., filt], b[filt])
                    col += 1
                row += 1
    return result


def relu(Z):
    return np.maximum(0, Z)


def maxpool(X, f=2, stride=2):
    height = conv_output_size(X.shape[1], f, 0, stride)
    width = conv_output_size(X.shape[2], f, 0, stride)
    result = []
    for image in X:
        rows = []
        for row in range(height):
            cols = []
            for col in range(width):
                piece = image[row * stride:row * stride + f, col * stride:col * stride + f]
                cols.append(piece.max(axis=0).max(axis=0))
            rows.append(cols)
        result.append(rows)
    return np.array(result)


def avgpool(X, f=2, stride=2):
    height = conv_output_size(X.shape[1], f, 0, stride)
    width = conv_output_size(X.shape[2], f, 0, stride)
    result = []
    for image in X:
        rows = []
        for row in range(height):
            cols = []
            for col in range(width):
                piece = image[row * stride:row * stride + f, col * stride:col * stride + f]
                cols.append(piece.sum(axis=0).sum(axis=0) / (f * f))
            rows.append(cols)
        result.append(rows)
    return np.array(result)


def nearest_upsample(X, scale=2):
    bigger = X.repeat(scale, axis=1)
    bigger = bigger.repeat(scale, axis=2)
    return bigger


def conv1d(f, g):
    answer = [0.0] * (len(f) + len(g) - 1)
    for i in range(len(f)):
        for j in range(len(g)):
            answer[i + j] = answer[i + j] + f[i] * g[j]
    return np.array(answer)


def sobel_edges(image):
    horizontal = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    vertical = np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]])
    height = image.shape[0] - 2
    width = image.shape[1] - 2
    gx = np.zeros((height, width))
    gy = np.zeros((height, width))
    for row in range(height):
        for col in range(width):
            piece = image[row:row + 3, col:col + 3]
            gx[row, col] = (piece * horizontal).sum()
            gy[row, col] = (piece * vertical).sum()
    size = np.sqrt(gx ** 2 + gy ** 2)
    return gx, gy, size


def conv_params(f, c_in, k, bias=True):
    count = f * f
    count = count * c_in
    count = count * k
    if bias:
        count = count + k
    return count


def dense_params(n_in, n_out, bias=True):
    count = n_in * n_out
    if bias:
        count = count + n_out
    return count
