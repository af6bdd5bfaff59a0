"""A mistake is charged once: a function graded on its own logic when an earlier one fails it.

Some graded functions call the notebook's functions of earlier questions (lab 3's
conv2d_forward calls zero_pad, conv_output_size and conv_single_step; lab 5's rnn_forward calls
rnn_cell_forward). A wrong helper would cost both questions. So when a case of such a function
(a composite) fails, the judge runs the case again with correct helpers: the student's function
still runs in the kernel, and each call it makes to a helper comes back to the judge, which
answers with the correct result. If the case then passes, it keeps its marks, and a note says
which helper failed it and what that helper returned.

The judge answers only the calls that a correct composite makes on the case's inputs (traced
by running the lab's composites.py with the reference's helpers): never a helper on inputs of
the student's choosing, which could be the inputs of the helper's own hidden cases.

Each lab says which functions are composites and how a correct one calls its helpers, in
`assignments/<lab>/composites.py` (HELPERS, and a function where the reference itself does not
call every helper); the zip ships it and the reference (`solutions/<lab>.py`) to the judge only.
"""

import hashlib
import importlib.util
import inspect
import json
from pathlib import Path

try:  # in the package
    from ..checks import dllab_calls, dllab_checks, dllab_wire
except ImportError:  # beside dllab_runner.py in the zip
    import dllab_calls
    import dllab_checks
    import dllab_wire

COMPOSITES = "dllab_composites_{lab}.py"
REFERENCE = "dllab_reference_{lab}.py"


def _load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Helpers:
    """The lab's composites, the reference's helpers, and the calls a correct composite makes."""

    def __init__(self, composites, reference):
        """`reference`: the reference module, or a function that loads it (its imports, Keras
        in lab 5, take seconds: only a failed case of a composite needs it)."""
        self.composites = {name: tuple(helpers) for name, helpers in composites.HELPERS.items()}
        self.module, self._reference = composites, reference
        self._signatures = {}

    @property
    def reference(self):
        if callable(self._reference) and not hasattr(self._reference, "__file__"):
            self._reference = self._reference()
        return self._reference

    @classmethod
    def from_zip(cls, source: Path, lab: str) -> "Helpers | None":
        composites, reference = Path(source) / COMPOSITES.format(lab=lab), Path(source) / REFERENCE.format(lab=lab)
        if not composites.is_file() or not reference.is_file():
            return None
        return cls(_load(composites, f"dllab_composites_{lab}"),
                   lambda: _load(reference, f"dllab_reference_{lab}"))

    def key(self, helper: str, args, kwargs) -> str:
        """The call as the reference's signature binds it (positional or keyword alike)."""
        if helper not in self._signatures:  # read before trace() wraps the helpers
            self._signatures[helper] = inspect.signature(getattr(self.reference, helper))
        try:
            bound = self._signatures[helper].bind(*args, **kwargs)
            bound.apply_defaults()
            values = list(bound.arguments.items())
        except TypeError:
            values = [list(args), sorted(kwargs.items())]
        text = json.dumps(dllab_wire.encode([helper, values]), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()

    def trace(self, composite: str, args, kwargs) -> dict:
        """key -> (helper, args, kwargs, the correct output) of every call a correct `composite`
        makes to its helpers on these inputs."""
        module = self.module if hasattr(self.module, composite) else self.reference
        calls, saved = {}, {}
        for helper in self.composites[composite]:
            self.key(helper, (), {})  # its signature, from the reference's own function
            real = getattr(self.reference, helper)

            def traced(*a, _helper=helper, _real=real, **k):
                out = _real(*a, **k)
                calls.setdefault(self.key(_helper, a, k), (_helper, dllab_calls._copy(list(a)),
                                                           dllab_calls._copy(dict(k)), dllab_wire.encode(out)))
                return out

            saved[helper] = module.__dict__.get(helper)
            module.__dict__[helper] = traced
        try:
            getattr(module, composite)(*dllab_calls._copy(list(args)), **dllab_calls._copy(dict(kwargs)))
        except Exception:  # the inputs of a failing case may be ones a correct function refuses
            pass
        finally:
            for helper, value in saved.items():
                if value is None:
                    module.__dict__.pop(helper, None)
                else:
                    module.__dict__[helper] = value
        return calls


class Oracle:
    """Answers the helper calls of one composite call, from its trace; remembers which it answered."""

    def __init__(self, helpers: Helpers, composite: str, args, kwargs):
        self.helpers, self.composite = helpers, composite
        self.allowed = helpers.trace(composite, args, kwargs)
        self.used = []

    def answer(self, message: dict) -> dict:
        name = str(message.get("name"))
        try:
            args = [dllab_wire.decode(a) for a in message.get("args", [])]
            kwargs = {str(k): dllab_wire.decode(v) for k, v in dict(message.get("kwargs", {})).items()}
            key = self.helpers.key(name, args, kwargs)
        except (TypeError, ValueError, AttributeError):
            key = None
        if key not in self.allowed:
            return {"refused": f"the grader answers `{name}` only with the arguments a correct "
                               f"`{self.composite}` passes it"}
        if key not in [k for k, _ in self.used]:
            self.used.append((key, self.allowed[key]))
        return {"out": self.allowed[key][3]}


def _describe(value) -> str:
    """An input as case labels name them: shapes and settings, never a hidden number."""
    shape = getattr(value, "shape", None)
    if shape is not None and len(shape):
        return f"an array of shape {tuple(shape)}"
    value = value.item() if hasattr(value, "item") else value
    return repr(value) if type(value) in (int, bool, str) else f"a {type(value).__name__}"


def _compare(got, want, name):
    """AssertionError where the student's helper's answer differs from the correct one."""
    if isinstance(want, (tuple, list)):
        assert isinstance(got, (tuple, list)) and len(got) == len(want), (
            f"`{name}`: expected {len(want)} values, got {type(got).__name__}")
        for i, (g, w) in enumerate(zip(got, want), start=1):
            _compare(g, w, f"{name}, value {i}")
    elif isinstance(want, dict):  # a cache: what it holds is the other values, compared already
        return
    elif type(want) is int and type(got) is not int:  # a size used as one: 4.0 is not 4
        raise AssertionError(f"`{name}`: expected the int {want}, got {type(got).__name__} {got!r}")
    elif getattr(want, "shape", ()) != ():
        dllab_checks.assert_close(got, want, name)
    else:
        dllab_checks.assert_equal(got, want, name)


def explain(channel, oracle: Oracle, label: str) -> str:
    """The note of a case that passed with correct helpers: the first helper whose own answer,
    on the first call the composite made to it, differs from the correct one."""
    seen = set()
    for _, (helper, args, kwargs, correct) in oracle.used:
        if helper in seen:
            continue
        seen.add(helper)
        want = dllab_wire.decode(correct)
        try:
            _compare(channel.call(helper, helper, list(args), dict(kwargs), None), want, helper)
        except AssertionError as e:
            inputs = ", ".join([_describe(a) for a in args] + [f"{k}={_describe(v)}" for k, v in kwargs.items()])
            said = str(e).removeprefix(f"`{helper}`: ").removeprefix(f"{helper}: ")
            return (f"`{oracle.composite}` failed the case {label} with your `{helper}`, and passed it "
                    f"when the grader answered `{helper}` correctly: it keeps its marks. On the first "
                    f"call it made, `{helper}({inputs})`: {said[:600]} (from your `{helper}`)")
    return (f"`{oracle.composite}` failed the case {label} with your functions, and passed it when the "
            f"grader answered {', '.join(f'`{h}`' for h in oracle.helpers.composites[oracle.composite])} "
            f"correctly: it keeps its marks.")
