"""What crosses between the student's kernel and the judge: plain JSON, framed, size-capped.

The judge runs the tests; the student's functions run in the student's kernel. Each time a
test calls one, the judge sends the call (the function's name and its inputs) over a Unix
socket, and the kernel answers with what the function returned. Nothing that runs code when
it is read crosses (no pickle): arrays travel as dtype, shape and base64 bytes; tuples,
lists and dicts as themselves; a Keras model as the description of its layers and their
weights (the judge rebuilds it from Keras' own classes); anything else as its type's name.

Both sides ship this file (the zip puts it beside the notebook and beside the runner). It
uses the standard library and numpy; models are encoded and rebuilt by functions the caller
passes in (`dllab_copies.model_spec` in the kernel, `dllab_copies.model_from_spec` in the
judge), so that this file needs no Keras.
"""

import base64
import json
import re
import socket
import struct
import time

import numpy as np

# One message at most (a trained CIFAR-10 network's weights are ~5 MB in base64).
MAX_MESSAGE_BYTES = 64 * 2**20
_HEADER = struct.Struct(">Q")
_KINDS = "biufc"  # dtypes that are numbers (booleans included): the only arrays that cross


class ChannelClosed(Exception):
    """The other side went away (the kernel died or was stopped), or broke the protocol."""


def send(sock: socket.socket, message: dict):
    data = json.dumps(message).encode("utf-8")
    if len(data) > MAX_MESSAGE_BYTES:
        data = json.dumps({"error": f"the answer is too large ({len(data)} bytes)"}).encode()
    sock.sendall(_HEADER.pack(len(data)) + data)


def _read(sock: socket.socket, n: int, deadline: float | None) -> bytes:
    chunks, left = [], n
    while left:
        if deadline is not None:
            sock.settimeout(max(0.01, deadline - time.time()))
        try:
            chunk = sock.recv(min(left, 1 << 20))
        except socket.timeout:
            raise ChannelClosed("no answer before the grading deadline")
        except OSError as e:
            raise ChannelClosed(f"the channel broke ({type(e).__name__})")
        if not chunk:
            raise ChannelClosed("the kernel stopped answering")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def receive(sock: socket.socket, deadline: float | None = None) -> dict:
    """The next message: a dict, or ChannelClosed (closed, too late, too large, not JSON)."""
    (size,) = _HEADER.unpack(_read(sock, _HEADER.size, deadline))
    if size > MAX_MESSAGE_BYTES:
        raise ChannelClosed(f"a message of {size} bytes, over the {MAX_MESSAGE_BYTES} allowed")
    try:
        message = json.loads(_read(sock, size, deadline))
    except ValueError:
        raise ChannelClosed("a message that is not JSON")
    if not isinstance(message, dict):
        raise ChannelClosed("a message that is not an object")
    return message


# --- values --------------------------------------------------------------------------------

def _array(value) -> dict:
    value = np.array(value, order="C")  # (ascontiguousarray would make a scalar one-dimensional)
    return {"$array": value.dtype.str, "shape": list(value.shape),
            "data": base64.b64encode(value.tobytes()).decode("ascii")}


def encode(value, model=None, depth=0):
    """`value` as JSON-ready data. `model(value)` encodes a Keras model (or returns None for
    an object that is not one)."""
    if depth > 20:
        return {"$object": "deeply nested value"}
    if value is None or type(value) in (bool, int, float, str):
        return value
    if isinstance(value, (np.ndarray, np.generic)):
        if value.dtype.kind in _KINDS:
            return _array(value)
        return {"$object": f"array of {value.dtype}"}
    if type(value) is tuple:
        return {"$tuple": [encode(v, model, depth + 1) for v in value]}
    if type(value) is list:
        return [encode(v, model, depth + 1) for v in value]
    if type(value) is dict:
        if all(type(k) is str for k in value):
            return {"$dict": {k: encode(v, model, depth + 1) for k, v in value.items()}}
        return {"$pairs": [[encode(k, model, depth + 1), encode(v, model, depth + 1)] for k, v in value.items()]}
    if type(value).__name__ == "History" and isinstance(getattr(value, "history", None), dict):
        return {"$history": encode(dict(value.history), model, depth + 1)}
    spec = model(value) if model is not None else None
    if spec is not None:
        return {"$model": encode(spec, None, depth + 1)}
    if hasattr(value, "__array__") and not callable(value):  # a tensor of any backend
        try:
            converted = np.asarray(value)
            if converted.dtype.kind in _KINDS:
                return _array(converted)
        except Exception:
            pass
    return {"$object": type(value).__name__}


class History:
    """What keras' History carries that the tests read: `history`, the losses per epoch."""

    def __init__(self, history: dict):
        self.history = history


def _opaque(type_name: str):
    """An object standing for one that could not cross: of a class with the same name, so
    that messages say what the student's function returned."""
    name = re.sub(r"\W", "_", str(type_name))[:60] or "object"
    return type(name if name[0].isalpha() else f"_{name}", (), {"__repr__": lambda self: f"<{name}>"})()


def decode(data, model=None, depth=0):
    """The value `encode` wrote. Data from the student's side is never trusted: anything
    malformed becomes an opaque object. `model(spec)` rebuilds an encoded Keras model."""
    if depth > 20:
        return _opaque("deeply_nested_value")
    if data is None or type(data) in (bool, int, float, str):
        return data
    if type(data) is list:
        return [decode(v, model, depth + 1) for v in data]
    if type(data) is not dict:
        return _opaque(type(data).__name__)
    try:
        if "$array" in data:
            dtype = np.dtype(str(data["$array"]))
            if dtype.kind not in _KINDS:
                return _opaque("array")
            shape = tuple(int(d) for d in data["shape"])
            raw = base64.b64decode(str(data["data"]), validate=True)
            value = np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
            return value[()] if shape == () else value
        if "$tuple" in data:
            return tuple(decode(v, model, depth + 1) for v in data["$tuple"])
        if "$dict" in data:
            return {str(k): decode(v, model, depth + 1) for k, v in data["$dict"].items()}
        if "$pairs" in data:
            return {_key(decode(k, model, depth + 1)): decode(v, model, depth + 1) for k, v in data["$pairs"]}
        if "$history" in data:
            history = decode(data["$history"], model, depth + 1)
            return History(history if type(history) is dict else {})
        if "$model" in data:
            return model(decode(data["$model"], None, depth + 1)) if model else _opaque("Model")
        if "$object" in data:
            return _opaque(data["$object"])
    except (ValueError, TypeError, KeyError, AttributeError):
        pass
    return _opaque("malformed_value")


def _key(value):
    try:
        hash(value)
        return value
    except TypeError:
        return repr(value)
