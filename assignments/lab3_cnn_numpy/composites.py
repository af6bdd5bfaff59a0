"""Lab 3's functions that call the notebook's functions of earlier questions, and how a correct
one calls them (autograder/judge/helpers.py: a mistake is charged once).

When a case of one of these fails, the judge tries it again, answering each helper call with
the correct result if it is one that the function below (or the reference, for those not
written here) makes on the case's inputs.
"""

import numpy as np

HELPERS = {
    "conv2d_forward": ("conv_output_size", "zero_pad", "conv_single_step"),
    "maxpool": ("conv_output_size",),
    "avgpool": ("conv_output_size",),
    "conv2d_backward": ("zero_pad",),
}


def conv2d_forward(X, W, b, stride=1, pad=0):
    """As the notebook builds it: the sizes, the padded input, one conv_single_step per output
    number (the reference contracts whole windows at once and never calls conv_single_step)."""
    N, H, W_in, C_in = X.shape
    f, _, _, C_out = W.shape
    H_out = conv_output_size(H, f, pad, stride)  # noqa: F821 (the judge puts the helpers here)
    W_out = conv_output_size(W_in, f, pad, stride)  # noqa: F821
    X_pad = zero_pad(X, pad)  # noqa: F821
    Z = np.zeros((N, H_out, W_out, C_out))
    for n in range(N):
        for i in range(H_out):
            for j in range(W_out):
                top, left = i * stride, j * stride
                for k in range(C_out):
                    Z[n, i, j, k] = conv_single_step(  # noqa: F821
                        X_pad[n, top:top + f, left:left + f, :], W[:, :, :, k], b[k])
    return Z
