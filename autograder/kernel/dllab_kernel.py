"""The student's kernel answering the judge: the last cell of a grading runs `serve`.

When grading, the tests do not run here. The judge (the grading runner, another user in
another process) runs them, and asks this kernel, over the Unix socket it listens on, for
what the tests read: the notebook's variables, and what the notebook's functions return on
the tests' inputs. The answers are plain data (dllab_wire); the judge compares them with
answers this kernel never sees. Whatever this file, the notebook or a process it started
does to the answers, the judge only ever receives what a function of the student's could
have returned.
"""

import random
import socket
import sys

import numpy as np

try:  # in the package
    from ..checks import dllab_calls, dllab_copies, dllab_wire
except ImportError:  # beside the notebook, as the zip puts it
    import dllab_calls
    import dllab_copies
    import dllab_wire


def _decode_argument(data):
    """An input from the judge: its models arrive as Keras JSON and weights (built by the
    tests), and are rebuilt as they were, names and compile settings included."""
    return dllab_wire.decode(data, model=_model_in)


def _model_in(spec):
    import keras

    model = keras.models.model_from_json(spec["json"])
    model.set_weights([np.asarray(w, dtype="float32") for w in spec["weights"]])
    if spec.get("compile"):
        model.compile_from_config(spec["compile"])
    return model


def _answer_names(env, names):
    out = {}
    for name in names:
        value = env.get(name)
        if callable(value) and not hasattr(value, "layers"):
            out[name] = {"$function": True}
        else:
            out[name] = dllab_wire.encode(value, model=lambda v, n=name: dllab_copies.model_spec(v, n))
    return out


def _seed(index):
    """A fresh global state before each call, different for each: whatever came before a
    call (in the notebook or in an earlier case) must not matter, and the same grading twice
    gives the same answers."""
    random.seed(index)
    np.random.seed(index % 2**32)
    keras = sys.modules.get("keras")
    if keras is not None:
        keras.utils.set_random_seed(index)


def _ask_the_judge(sock, helper):
    """A stand-in for the notebook's `helper` while the judge tries a function again with
    correct helpers (judge/helpers.py): each call is answered by the judge, or refused."""
    def stand_in(*args, **kwargs):
        dllab_wire.send(sock, {"op": "helper", "name": helper, "args": [dllab_wire.encode(a) for a in args],
                               "kwargs": {k: dllab_wire.encode(v) for k, v in kwargs.items()}})
        answer = dllab_wire.receive(sock)
        if "out" not in answer:
            raise AssertionError(str(answer.get("refused", "the grader gave no answer")))
        return dllab_wire.decode(answer["out"])
    stand_in.__name__ = helper
    return stand_in


def _answer_call(sock, env, request, index):
    args = [_decode_argument(a) for a in request["args"]]
    kwargs = {k: _decode_argument(v) for k, v in request["kwargs"].items()}
    name, label = str(request["name"]), request.get("case")
    _seed(1000 + index)
    # the notebook's functions resolve their helpers in this namespace: swapped for the call
    helpers = [str(h) for h in request.get("helpers", [])]
    missing = object()
    saved = {h: env.get(h, missing) for h in helpers}
    env.update({h: _ask_the_judge(sock, h) for h in helpers})
    try:
        out = dllab_calls.call(env.get(request["fn"]), name, *args, case=label, **kwargs)
    except AssertionError as e:
        return {"raised": str(e)}
    finally:
        for helper, value in saved.items():
            if value is missing:
                env.pop(helper, None)
            else:
                env[helper] = value
    # a builder's model is named as the tests name the call
    model_name = dllab_calls.call_label(name, kwargs) if not args else name
    answer = {"out": dllab_wire.encode(out, model=lambda v: dllab_copies.model_spec(v, model_name))}
    # a model the tests handed in may have been trained: its weights go back
    trained = {}
    for i, arg in enumerate(args):
        if hasattr(arg, "get_weights") and hasattr(arg, "layers"):
            trained[str(i)] = [dllab_wire.encode(np.asarray(w)) for w in arg.get_weights()]
    if trained:
        answer["trained"] = trained
    return answer


def serve(path, env):
    """Connect to the judge listening at `path` and answer it (the notebook's last cell)."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(path)
    except OSError as e:
        print(f"dllab: the grader is not listening ({type(e).__name__})", file=sys.stderr)
        return
    answer(sock, env)


def answer(sock, env):
    """Answer the judge's requests on `sock` from the namespace `env` until it is done."""
    with sock:
        index = 0
        while True:
            try:
                request = dllab_wire.receive(sock)
            except dllab_wire.ChannelClosed:
                return
            op = request.get("op")
            if op == "done":
                return
            try:
                if op == "names":
                    reply = _answer_names(env, request["names"])
                elif op == "call":
                    index += 1
                    reply = _answer_call(sock, env, request, index)
                else:
                    reply = {"error": f"unknown request {op!r}"}
            except Exception as e:  # one answer lost, not the grading
                reply = {"error": f"{type(e).__name__}: {str(e)[:300]}"}
            dllab_wire.send(sock, reply)
