"""Hidden inputs and reference outputs of lab 3, written into the autograder zip at build time.

`build_cases(ref)` returns {key: [case, ...]}; a case is a dict
    args      positional arguments for the student's function
    kwargs    keyword arguments (the names of the stub's signature)
    expected  the reference output (a tuple for functions that return several arrays)
    label     what the case exercises, in words; a failure message shows it, never the data

Why the numbers look the way they do:
- Array inputs are multiples of 1/4 in [-2, 2] (or integers). Products and sums of such
  numbers are exact in float32 as well as float64, so a correct implementation that works in
  float32, or sums in another order, gets the same answer bit for bit, and the course's
  tolerance (rtol=1e-6) never has to be loosened for it; every wrong answer we know of is off
  by at least 1/16.
- Shapes are non-square, N > 1, C_in != C_out, and strides are chosen where the floor in
  the output-size formula drops a row or a column: each of these catches a usual mistake
  (see tests/gallery/lab3_cnn_numpy.py).
- The bonus backward cases compare with gradients computed numerically from the reference
  forward pass (centred differences), as a student would check their own code.
"""

import numpy as np

SEED = 20240311


def _dyadic(rng, shape, lo=-2.0, hi=2.0):
    """Random multiples of 1/4 in [lo, hi]: exact in float32 and float64 (see above)."""
    return rng.integers(int(lo * 4), int(hi * 4) + 1, size=shape) / 4.0


def _distinct(rng, shape):
    """Random values, all different and at least 1/4 apart: no pooling window has a tie."""
    size = int(np.prod(shape))
    return (rng.permutation(size) - size // 2).reshape(shape) / 4.0


def _numerical_gradient(loss, x, h=1e-3):
    """Centred differences of the scalar `loss()` with respect to the array `x` (in place).

    The losses differentiated here are linear in x (piecewise linear for max pooling, with
    every window's maximum at least 1/4 above the runner-up, so x +- h never changes which
    entry is the max). Centred differences of a linear function have no truncation error;
    the only error is rounding, about eps * |loss| / h, so a step of 1e-3 is more accurate
    than the usual 1e-5 here.
    """
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


def _case(expected, label, *args, **kwargs):
    return {"args": args, "kwargs": kwargs, "expected": expected, "label": label}


def _conv_output_size(ref):
    # (n, f, pad, stride): the remainder of (n + 2*pad - f) / stride is 0, small, and more
    # than half the stride, so that "no floor", "ceil" and "round" each fail somewhere; the
    # lecture's examples all divide exactly.
    specs = [
        ((9, 4, 0, 3), "stride 3, remainder 2 (more than half the stride)"),
        ((10, 3, 1, 4), "stride 4 with padding, remainder 1"),
        ((32, 5, 2, 1), "'same' padding, stride 1"),
        ((28, 2, 0, 2), "2x2 pooling of 28"),
        ((13, 3, 0, 2), "stride 2, exact division"),
        ((15, 5, 1, 3), "stride 3 with padding, remainder 2"),
        ((224, 7, 3, 2), "ResNet's first layer: remainder 1"),
        ((1, 1, 0, 1), "1x1 input and filter"),
    ]
    return [_case(ref.conv_output_size(*args), label, *args) for args, label in specs]


def _zero_pad(ref, rng):
    specs = [((2, 3, 4, 3), 1), ((1, 5, 2, 2), 2), ((3, 4, 4, 1), 0), ((2, 2, 3, 5), 3)]
    out = []
    for shape, pad in specs:
        X = _dyadic(rng, shape)
        out.append(_case(ref.zero_pad(X, pad), f"X of shape {shape}, pad={pad}", X, pad))
    return out


def _conv_single_step(ref, rng):
    # asymmetric random filters catch a flipped kernel; a non-zero bias catches a forgotten one
    specs = [((3, 3, 3), -0.75), ((5, 5, 2), 1.25), ((2, 4, 1), 0.5), ((1, 1, 4), -1.5)]
    out = []
    for shape, b in specs:
        a, W = _dyadic(rng, shape), _dyadic(rng, shape)
        out.append(_case(ref.conv_single_step(a, W, b), f"window and filter of shape {shape}",
                         a, W, b))
    return out


def _conv2d_forward(ref, rng):
    groups = {
        # (N, H, W, C_in), f, C_out, stride, pad
        "batch_channels": [
            ((2, 5, 6, 3), 3, 4, 1, 0),
            ((3, 6, 4, 2), 2, 5, 1, 0),
        ],
        "padding": [
            ((2, 5, 7, 2), 3, 3, 1, 1),
            ((1, 6, 5, 3), 5, 2, 1, 2),
            ((2, 4, 4, 1), 3, 2, 1, 2),
        ],
        "stride_padding": [
            ((2, 7, 8, 3), 3, 2, 2, 1),
            ((1, 9, 6, 2), 2, 3, 3, 0),
            ((2, 8, 11, 2), 3, 4, 3, 1),
            ((1, 5, 7, 4), 1, 2, 2, 0),
        ],
    }
    out = {}
    for group, specs in groups.items():
        cases = []
        for (N, H, W, C_in), f, C_out, stride, pad in specs:
            X = _dyadic(rng, (N, H, W, C_in))
            Wt = _dyadic(rng, (f, f, C_in, C_out))
            # distinct non-zero biases: a missing bias, or biases summed or shuffled, show
            b = (rng.permutation(8)[:C_out] + 1) / 4.0 * np.where(rng.random(C_out) < 0.5, -1, 1)
            Z = ref.conv2d_forward(X, Wt, b, stride=stride, pad=pad)
            label = (f"N={N}, {H}x{W} input, C_in={C_in}, {f}x{f} filters, C_out={C_out}, "
                     f"stride={stride}, pad={pad}")
            cases.append(_case(Z, label, X, Wt, b, stride=stride, pad=pad))
        out[f"conv2d_forward/{group}"] = cases
    return out


def _relu(ref, rng):
    out = []
    for shape in [(2, 4, 5, 3), (3, 7), (11,)]:
        Z = _dyadic(rng, shape)
        out.append(_case(ref.relu(Z), f"input of shape {shape}", Z))
    return out


def _pooling(ref, rng, name):
    fn = getattr(ref, name)
    # (N, H, W, C), f, stride; None means "use the defaults f=2, stride=2"
    specs = [
        ((2, 5, 7, 3), None, None, "defaults f=2, stride=2 on an odd-sized input"),
        ((1, 7, 9, 2), 3, 2, "f=3, stride=2 (overlapping windows)"),
        ((2, 4, 5, 3), 2, 1, "f=2, stride=1"),
        ((1, 8, 10, 2), 3, 3, "f=3, stride=3 (the floor drops the last row and column)"),
    ]
    out = []
    for shape, f, stride, label in specs:
        X = _dyadic(rng, shape)
        if f is None:
            out.append(_case(fn(X), f"{shape} input, {label}", X))
        else:
            out.append(_case(fn(X, f=f, stride=stride), f"{shape} input, {label}",
                             X, f=f, stride=stride))
    return out


def _nearest_upsample(ref, rng):
    out = []
    for shape, scale in [((2, 3, 4, 3), 2), ((1, 2, 5, 2), 3), ((2, 3, 2, 1), 1)]:
        X = _dyadic(rng, shape)
        out.append(_case(ref.nearest_upsample(X, scale=scale),
                         f"{shape} input, scale={scale}", X, scale=scale))
    out.append(_case(ref.nearest_upsample(X), f"{X.shape} input, default scale", X))
    return out


def _conv1d(ref, rng):
    out = []
    for len_f, len_g in [(7, 3), (3, 7), (10, 4), (1, 5), (6, 6)]:
        f, g = _dyadic(rng, (len_f,)), _dyadic(rng, (len_g,))
        out.append(_case(ref.conv1d(f, g), f"signals of lengths {len_f} and {len_g}", f, g))
    return out


def _sobel_edges(ref, rng):
    out = []
    for shape in [(6, 9), (11, 7), (3, 3)]:
        image = rng.integers(0, 256, size=shape).astype(float)  # grey levels of a photograph
        out.append(_case(ref.sobel_edges(image), f"{shape[0]}x{shape[1]} image", image))
    return out


def _param_counts(ref):
    conv = [
        ((3, 64, 128), {}, "3x3 filters, 64 -> 128 channels, default bias"),
        ((1, 256, 64), {"bias": False}, "1x1 filters, no bias"),
        ((7, 3, 64), {"bias": True}, "7x7 filters on RGB, with bias"),
        ((5, 16, 6), {}, "more input channels than filters, default bias"),
    ]
    dense = [
        ((3136, 128), {}, "default bias"),
        ((128, 10), {"bias": False}, "no bias"),
        ((1, 1), {"bias": True}, "one input, one unit"),
    ]
    return {
        "conv_params": [_case(ref.conv_params(*a, **kw), label, *a, **kw) for a, kw, label in conv],
        "dense_params": [_case(ref.dense_params(*a, **kw), label, *a, **kw) for a, kw, label in dense],
    }


def _conv2d_backward(ref, rng):
    specs = [
        ((2, 5, 6, 3), 3, 2, 1, 1),
        ((1, 7, 8, 2), 3, 3, 2, 1),   # the floor drops the last padded column
        ((2, 6, 5, 1), 2, 2, 2, 0),   # the last input column is in no window: its dX is 0
    ]
    out = []
    for (N, H, W, C_in), f, C_out, stride, pad in specs:
        X = _dyadic(rng, (N, H, W, C_in))
        Wt = _dyadic(rng, (f, f, C_in, C_out))
        b = _dyadic(rng, (C_out,))
        Z = ref.conv2d_forward(X, Wt, b, stride=stride, pad=pad)
        dZ = _dyadic(rng, Z.shape)

        def loss():
            return float(np.sum(ref.conv2d_forward(X, Wt, b, stride=stride, pad=pad) * dZ))

        grads = (_numerical_gradient(loss, X), _numerical_gradient(loss, Wt),
                 _numerical_gradient(loss, b))
        label = (f"N={N}, {H}x{W} input, C_in={C_in}, {f}x{f} filters, C_out={C_out}, "
                 f"stride={stride}, pad={pad}")
        out.append(_case(grads, label, dZ, (X, Wt, b, stride, pad)))
    return out


def _maxpool_backward(ref, rng):
    specs = [
        ((2, 4, 6, 3), 2, 2),
        ((1, 7, 7, 2), 3, 2),   # overlapping windows can share a maximum
        ((2, 5, 7, 2), 2, 2),   # the floor drops the last row and column
    ]
    out = []
    for shape, f, stride in specs:
        X = _distinct(rng, shape)
        dout = _dyadic(rng, ref.maxpool(X, f=f, stride=stride).shape)

        def loss():
            return float(np.sum(ref.maxpool(X, f=f, stride=stride) * dout))

        label = f"{shape} input, f={f}, stride={stride}"
        out.append(_case(_numerical_gradient(loss, X), label, dout, (X, f, stride)))
    return out


def build_cases(ref):
    rng = np.random.default_rng(SEED)
    cases = {
        "conv_output_size": _conv_output_size(ref),
        "zero_pad": _zero_pad(ref, rng),
        "conv_single_step": _conv_single_step(ref, rng),
        **_conv2d_forward(ref, rng),
        "relu": _relu(ref, rng),
        "maxpool": _pooling(ref, rng, "maxpool"),
        "avgpool": _pooling(ref, rng, "avgpool"),
        "nearest_upsample": _nearest_upsample(ref, rng),
        "conv1d": _conv1d(ref, rng),
        "sobel_edges": _sobel_edges(ref, rng),
        **_param_counts(ref),
        "conv2d_backward": _conv2d_backward(ref, rng),
        "maxpool_backward": _maxpool_backward(ref, rng),
    }
    return cases
