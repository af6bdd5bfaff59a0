"""The judge: the lab's tests, run in the grader's own process against the student's answers.

The student's notebook runs in its kernel, on the other side of the sandbox (isolation.py),
and ends with a cell that answers requests (kernel/dllab_kernel.py). The judge listens on a Unix
socket in the grading folder, and runs every test file of the zip with otter, as the
student's `grader.check` does, except that each of the notebook's functions is a stand-in
(dllab_calls.Remote): calling it sends the inputs to the kernel and returns what the
student's function returned there, as plain data (dllab_wire). The expected answers, the
hidden inputs not yet asked for and the test code never leave this process; the student's
side only ever sees the inputs of the calls it answers.

Shipped in the zip as dllab_verdicts.py, beside dllab_runner.py, with the copies of the tests'
helpers (autograder/checks/) the judge runs the tests with.
"""

import ast
import inspect
import os
import socket
import sys
import time
from pathlib import Path

try:  # in the package
    from ..checks import dllab_calls, dllab_checks, dllab_copies, dllab_wire
    from . import helpers as judge_helpers
except ImportError:  # beside dllab_runner.py in the zip
    import dllab_calls
    import dllab_checks
    import dllab_copies
    import dllab_helpers as judge_helpers
    import dllab_wire

SOCKET_NAME = "dllab.sock"
# What the notebook's last cell runs; the runner gives this cell the grading's deadline.
SERVE_CELL = "import dllab_kernel\ndllab_kernel.serve({path!r}, globals())\n"
SERVE_PREFIX = "import dllab_kernel"
STOPPED = ("the notebook stopped answering before this case ran (its kernel died or was "
           "stopped at the grading deadline)")


def _model_in(value):
    """A model the tests built, sent to the kernel as Keras' own JSON and its weights."""
    keras = sys.modules.get("keras")
    if keras is None or not isinstance(value, keras.Model):
        return None
    compiled = bool(getattr(value, "compiled", False))
    return {"json": value.to_json(), "weights": value.get_weights(),
            "compile": value.get_compile_config() if compiled else None}


class Channel:
    """The judge's end of the socket: one connection, from the notebook's last cell."""

    def __init__(self, deadline: float, sock: socket.socket | None = None):
        self.deadline = deadline
        self.sock = sock
        self.server = None
        self.closed = None  # why, once the kernel stopped answering
        self.stopped = False
        self.notebook_cells = []  # the submitted notebook's code (the lab's rules read it)
        self.helpers = None       # the lab's composites (helpers.py); None: no second try
        self.oracles = None       # while a failed case runs again: its composites' calls

    @classmethod
    def listening(cls, folder: Path, deadline: float) -> "Channel":
        channel = cls(deadline)
        path = str(Path(folder) / SOCKET_NAME)
        channel.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        channel.server.bind(path)
        os.chmod(path, 0o666)  # the student's user id connects; the folder stays the judge's
        channel.server.listen(1)
        return channel

    def accept(self) -> bool:
        """Wait for the notebook's last cell, until the deadline or until the notebook's run
        has ended without reaching it."""
        try:
            while not self.stopped and time.time() < self.deadline:
                self.server.settimeout(0.2)
                try:
                    self.sock, _ = self.server.accept()
                    return True
                except socket.timeout:
                    continue
            return False
        except OSError:
            return False
        finally:
            self.server.close()

    def stop(self):
        """The notebook's run has ended: stop waiting for it."""
        self.stopped = True

    def request(self, message: dict, on_helper=None) -> dict:
        """Send `message`, and return the answer; meanwhile the kernel's questions about
        helpers (a second try with correct helpers) are answered by `on_helper`."""
        if self.closed is not None:
            raise dllab_wire.ChannelClosed(self.closed)
        try:
            dllab_wire.send(self.sock, message)
            while True:
                answer = dllab_wire.receive(self.sock, self.deadline)
                if answer.get("op") != "helper":
                    return answer
                dllab_wire.send(self.sock, on_helper(answer) if on_helper else {"refused": "no helper here"})
        except (dllab_wire.ChannelClosed, OSError) as e:
            self.closed = str(e)
            raise dllab_wire.ChannelClosed(self.closed)

    def call(self, fn: str, name: str, args, kwargs: dict, case):
        """`fn(*args, **kwargs)` in the kernel, as dllab_calls.call makes it there."""
        request = {"op": "call", "fn": fn, "name": name, "case": case,
                   "args": [dllab_wire.encode(a, model=_model_in) for a in args],
                   "kwargs": {k: dllab_wire.encode(v, model=_model_in) for k, v in kwargs.items()}}
        oracle = None
        if self.oracles is not None and fn in self.helpers.composites:
            oracle = judge_helpers.Oracle(self.helpers, fn, args, kwargs)
            request["helpers"] = list(self.helpers.composites[fn])
            self.oracles.append(oracle)
        try:
            answer = self.request(request, oracle.answer if oracle else None)
        except dllab_wire.ChannelClosed:
            raise AssertionError(f"`{name}`: {STOPPED}") from None
        if "raised" in answer:
            raise AssertionError(str(answer["raised"]))
        if "out" not in answer:
            raise AssertionError(f"`{name}`: the notebook gave no answer ({str(answer.get('error'))[:300]})")
        label = dllab_calls.call_label(name, kwargs) if not args else name
        out = dllab_wire.decode(answer["out"], model=lambda spec: dllab_copies.model_from_spec(spec, label))
        if isinstance(out, dllab_copies.RefusedModel):
            raise AssertionError(out.why)
        _take_training(args, answer.get("trained"))
        return out


def _take_training(args, trained):
    """The weights a model the tests handed in had after the student's function trained it."""
    if type(trained) is not dict:
        return
    for index, weights in trained.items():
        model = args[int(index)] if str(index).isdigit() and int(index) < len(args) else None
        if model is None or not hasattr(model, "set_weights") or type(weights) is not list:
            continue
        values = [dllab_wire.decode(w) for w in weights]
        if [getattr(v, "shape", None) for v in values] == [tuple(w.shape) for w in model.get_weights()]:
            model.set_weights(values)


def names_the_tests_take(tests_dir: Path) -> list[str]:
    """What the lab's test cases take from the notebook (its graded functions and variables)."""
    names = set()
    for path in Path(tests_dir).glob("*.py"):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                names.update(a.arg for a in node.args.args)
    return sorted(names)


def _environment(channel: Channel, names: list[str]) -> dict:
    """The notebook's values the tests take: its functions as stand-ins, the rest as data."""
    try:
        answer = channel.request({"op": "names", "names": names})
    except dllab_wire.ChannelClosed:
        return {}
    env = {}
    for name in names:
        data = answer.get(name)
        if type(data) is dict and data.get("$function") is True:
            env[name] = dllab_calls.Remote(name, channel)
        else:
            env[name] = dllab_wire.decode(data, model=lambda spec, n=name: dllab_copies.model_from_spec(spec, n))
    return env


def load_test_file(path: Path):
    from otter.nbmeta_config import NBMetadataConfig
    from otter.test_files import create_test_file

    return create_test_file(str(path), NBMetadataConfig())


def run_tests(tests_dir: Path, channel: Channel, only: str | None = None) -> dict:
    """Every test file of `tests_dir` (or the one named `only`) against the notebook behind
    `channel`: each case's verdict, as the runner reads them."""
    for module in (dllab_checks, dllab_copies):  # the test files' helpers: these modules
        sys.modules.setdefault(module.__name__.rsplit(".", 1)[-1], module)
    env = _environment(channel, names_the_tests_take(tests_dir))
    cases = {}
    for path in sorted(Path(tests_dir).glob("*.py")):
        if only is not None and path.stem != only:
            continue
        test_file = load_test_file(path)
        cases[path.stem] = [_run_case(test_file, tc, env, channel) for tc in test_file.test_cases]
    return cases


def _run_once(test_file, tc, env) -> tuple[bool, str]:
    """One case, as otter's ExceptionTestFile.run runs each (the same frames, so the same words)."""
    try:
        tc.body.call_func(env)
        return True, "✅ Test case passed"
    except Exception as e:
        return False, "❌ Test case failed\n" + test_file._generate_error_message(e)


def _run_case(test_file, tc, env, channel) -> dict:
    """A case's verdict; a failed case of a composite runs again with correct helpers
    (helpers.py), and passes with a note when its own logic was right."""
    passed, message = _run_once(test_file, tc, env)
    row = {"name": tc.name, "hidden": bool(tc.hidden), "passed": passed,
           "points": float(tc.points or 0), "message": message}
    takes = set(inspect.signature(tc.body.test_func).parameters)
    if passed or channel.helpers is None or not takes & set(channel.helpers.composites):
        return row
    channel.oracles = []
    try:
        again, _ = _run_once(test_file, tc, env)
    finally:
        oracles, channel.oracles = channel.oracles, None
    helped = [o for o in oracles if o.used]
    if again and helped:
        label = tc.body.test_func.__name__.removeprefix("test_").replace("_", " ")
        row.update(passed=True, message="✅ Test case passed with correct helpers",
                   note=judge_helpers.explain(channel, helped[0], f"'{label}'"))
    return row


def judge(tests_dir: Path, channel: Channel) -> dict | None:
    """The verdicts, or None when the notebook's last cell never asked to be judged."""
    if any("keras" in path.read_text() for path in Path(tests_dir).glob("*.py")):
        # Keras takes seconds to import: here, while the notebook runs, not while it waits
        import keras  # noqa: F401
    if not channel.accept():
        return None
    try:
        return run_tests(tests_dir, channel)
    finally:
        try:
            if channel.closed is None:
                dllab_wire.send(channel.sock, {"op": "done"})
        except OSError:
            pass
        channel.sock.close()
