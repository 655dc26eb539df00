"""Fuzzing harness for the two text/byte inputs of qnn: ONNX models and printed IR.

Targets (each takes one input and checks the error discipline of `tools.errors`):

* `check_onnx(data)`: `frontend.import_qonnx_bytes`, then
  `lower-quant-to-streamline,streamline,convert-to-dataflow`, then printing.
* `check_ir(text, pipeline)`: `qdialects.ir.parse_module`, `verify()`, the rest of the
  flow from the seed's level (`IR_PIPELINES`), then printing.

The property: the call returns normally, or raises a documented user error whose
one-line description (`tools.errors.describe`) is non-empty; qnn's own errors
(`QonnxImportError`, `QnnPassError`, `PipelineError`) must have a one-line `str()`.
Anything else is a `FuzzFailure`: another exception (a bug: its traceback is kept), a
pass that turns a valid module into an invalid one, an example that runs longer than
`TIMEOUT` seconds or allocates more than `MEMORY_LIMIT` bytes, or output written to
stdout/stderr during the call (the CLI would print it next to its one error line).

Inputs are made by mutators driven by a `Chooser` (`HypothesisChooser` for the pytest
run, so failures shrink; `RandomChooser` for quick experiments). Each mutator edits its
input and returns a one-line description, so a failure reads as the seed plus the list
of applied mutations:

* ONNX, structured (protobuf level, `ONNX_MUTATORS`): attribute values and types,
  quantizer parameters (bitwidth 0/-1/huge/NaN, scale 0/negative/inf/NaN, ...), other
  initializer values, dtypes and shapes, node inputs/outputs (drop, duplicate, rename,
  dangling, cycles), graph inputs/outputs, op_type/domain, value-info shapes and element
  types, raw_data truncation, swapped/deleted/duplicated initializers, node
  deletion/duplication/reordering, opset and IR versions;
* ONNX, raw (`BYTE_MUTATORS`): bit flips, interesting bytes, truncation, deletion,
  duplication and insertion of byte ranges in the serialized model;
* IR text (`IR_MUTATORS`): lines and tokens deleted/duplicated/swapped/replaced,
  numbers, element types, tensor shapes, attribute values, SSA names, op names, hex
  constants, and inserted punctuation.

See `test/fuzz/README.md` for the seed corpus and how to run a long campaign.
"""

from __future__ import annotations

import contextlib
import math
import os
import random
import re
import resource
import signal
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

import numpy as np
import onnx
from onnx import helper, numpy_helper

ROOT = Path(__file__).resolve().parents[2]
FUZZ_DIR = Path(__file__).resolve().parent
CORPUS = FUZZ_DIR / "corpus"
MODELS = ROOT / "test" / "models"

TIMEOUT = 5.0
"""Seconds one example may take (import and pipeline, or parse and pipeline)."""

MEMORY_LIMIT = 4 << 30
"""Address-space limit while an example runs: a huge allocation is a `MemoryError`
(reported) instead of the machine's OOM killer."""

# quant-to-streamline and hardware are named pipelines (passes/pipelines.py)
ONNX_PIPELINE = "quant-to-streamline,convert-to-dataflow"

HARDWARE = "hardware"
IR_PIPELINES = {
    "quant": ONNX_PIPELINE,
    "lowered": "streamline,convert-to-dataflow",
    "streamlined": "convert-to-dataflow",
    "dataflow": f"set-folding{{target-fps=1000}},{HARDWARE}",
    "hardware": HARDWARE,
}
"""IR seed level (the suffix of `corpus/ir/<model>.<level>.mlir`) -> the rest of the flow."""

T = TypeVar("T")


# --------------------------------------------------------------------------- choices


class Chooser(Protocol):
    def integer(self, low: int, high: int) -> int:
        """An integer in [low, high]; shrinks towards `low`."""
        ...


def choice(chooser: Chooser, items: Sequence[T]) -> T:
    """One of `items` (shrinks towards the first)."""
    return items[chooser.integer(0, len(items) - 1)]


class RandomChooser:
    def __init__(self, rng: random.Random):
        self.rng = rng

    def integer(self, low: int, high: int) -> int:
        return self.rng.randint(low, high)


class HypothesisChooser:
    def __init__(self, data: Any):
        from hypothesis import strategies as st

        self.data = data
        self.st = st

    def integer(self, low: int, high: int) -> int:
        return self.data.draw(self.st.integers(low, high))


# --------------------------------------------------------------------------- seeds


def onnx_seeds() -> dict[str, bytes]:
    """Seed name -> serialized model: the fixtures listed in `corpus/fixtures.txt` and
    every `corpus/onnx/*.onnx`."""
    seeds: dict[str, bytes] = {}
    for line in (CORPUS / "fixtures.txt").read_text().splitlines():
        name = line.split("#", 1)[0].strip()
        if name:
            seeds[name] = (ROOT / name).read_bytes()
    for path in sorted((CORPUS / "onnx").glob("*.onnx")):
        seeds[path.relative_to(ROOT).as_posix()] = path.read_bytes()
    return seeds


def ir_seeds() -> dict[str, tuple[str, str]]:
    """Seed name -> (IR text, pipeline) for every `corpus/ir/<model>.<level>.mlir`."""
    seeds: dict[str, tuple[str, str]] = {}
    for path in sorted((CORPUS / "ir").glob("*.mlir")):
        level = path.stem.rsplit(".", 1)[-1]
        seeds[path.relative_to(ROOT).as_posix()] = (path.read_text(), IR_PIPELINES[level])
    return seeds


# --------------------------------------------------------------------------- the property


class FuzzFailure(AssertionError):
    """An input broke the error discipline; the message says how. `example` is the
    mutated input (set by the `fuzz_*_once` drivers)."""

    example: Mutated | None = None


class _Timeout(BaseException):
    """Raised by the alarm; a BaseException so that `except Exception` does not eat it."""


@dataclass
class Outcome:
    ok: bool
    message: str = ""
    """The one-line error (empty when the input compiled)."""
    stage: str = ""


@contextlib.contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    def alarm(_signum: int, _frame: object) -> None:
        raise _Timeout

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def _memory_limit(limit: int) -> Iterator[None]:
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    wanted = limit if hard == resource.RLIM_INFINITY else min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


@contextlib.contextmanager
def _captured_output() -> Iterator[list[str]]:
    """Capture what is written on file descriptors 1 and 2 (Python and C level);
    the list receives the text after the block."""
    text: list[str] = []
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    with tempfile.TemporaryFile("w+b") as sink:
        os.dup2(sink.fileno(), 1)
        os.dup2(sink.fileno(), 2)
        try:
            yield text
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in saved:
                os.close(fd)
            sink.seek(0)
            text.append(sink.read().decode(errors="replace"))


def _user_error_line(error: BaseException, own: tuple[type[BaseException], ...]) -> str | None:
    """The one-line description of a documented user error, or None if `error` is not
    one; raises FuzzFailure if it is one but its message breaks the rules."""
    from tools.errors import _user_errors, describe

    if not isinstance(error, _user_errors()):
        return None
    line = describe(error)
    if not line.strip() or "\n" in line:
        raise FuzzFailure(
            f"{type(error).__name__} with an empty or multi-line description {line!r}"
        )
    if isinstance(error, own):
        text = str(error)
        if not text.strip() or "\n" in text or "\r" in text:
            raise FuzzFailure(f"{type(error).__name__} message is not one line: {text!r}")
    return line


def _run_checked(stages: Sequence[tuple[str, Callable[[], object]]]) -> Outcome:
    """Run `stages` in order under the time, memory and output rules."""
    from xdsl.utils.exceptions import VerifyException

    from frontend import QonnxImportError
    from passes.errors import QnnPassError
    from passes.pipeline import PipelineError

    own = (QonnxImportError, QnnPassError, PipelineError)
    outcome = Outcome(ok=True)
    stage = ""
    with _captured_output() as printed:
        try:
            with _time_limit(TIMEOUT), _memory_limit(MEMORY_LIMIT):
                for name, run in stages:
                    stage = name
                    run()
        except _Timeout:
            raise FuzzFailure(f"{stage}: no result after {TIMEOUT:g} s (hang?)") from None
        except MemoryError:
            raise FuzzFailure(
                f"{stage}: MemoryError (more than {MEMORY_LIMIT >> 30} GiB)"
            ) from None
        except Exception as error:
            if stage == "pipeline" and isinstance(error, VerifyException):
                # The module verified before the pipeline: a pass made it invalid.
                raise FuzzFailure(
                    f"pipeline: a pass produced invalid IR: {_first_line(error)}\n"
                    + "".join(traceback.format_exception(error, limit=-12))[-6000:]
                ) from error
            line = _user_error_line(error, own)
            if line is None:
                raise FuzzFailure(
                    f"{stage}: {type(error).__name__}: {_first_line(error)}\n"
                    + "".join(traceback.format_exception(error))
                ) from error
            outcome = Outcome(ok=False, message=line, stage=stage)
    if printed and printed[0].strip():
        raise FuzzFailure(f"{stage}: wrote to stdout/stderr: {printed[0][:500]!r}")
    return outcome


def _first_line(error: BaseException) -> str:
    for line in str(error).splitlines():
        if line.strip():
            return line.strip()
    return ""


def check_onnx(data: bytes) -> Outcome:
    """Import `data`, run `ONNX_PIPELINE`, print; check the error discipline."""
    from frontend import import_qonnx_bytes
    from passes.pipeline import run_pipeline
    from qdialects.ir import print_module

    state: dict[str, Any] = {}

    def do_import() -> None:
        state["module"] = import_qonnx_bytes(data)

    return _run_checked(
        [
            ("import", do_import),
            ("pipeline", lambda: run_pipeline(state["module"], ONNX_PIPELINE)),
            ("print", lambda: print_module(state["module"])),
        ]
    )


def check_ir(text: str, pipeline: str) -> Outcome:
    """Parse and verify `text`, run `pipeline`, print; check the error discipline."""
    from passes.pipeline import run_pipeline
    from qdialects.ir import parse_module, print_module

    state: dict[str, Any] = {}

    def do_parse() -> None:
        state["module"] = parse_module(text)

    return _run_checked(
        [
            ("parse", do_parse),
            ("verify", lambda: state["module"].verify()),
            ("pipeline", lambda: run_pipeline(state["module"], pipeline)),
            ("print", lambda: print_module(state["module"])),
        ]
    )


# --------------------------------------------------------------------------- ONNX values

INTS = [0, 1, -1, 2, 3, 4, 7, 8, 16, 100, 2**31 - 1, 2**31, -(2**31), 2**62, 2**63 - 1, -(2**63)]
FLOATS = [0.0, 1.0, -1.0, 0.5, -0.0, math.nan, math.inf, -math.inf, 1e-45, 3.4e38, 1e30, 2.0]
STRINGS = [
    "",
    "ROUND",
    "round",
    "FLOOR",
    "CEIL",
    "HALF_EVEN",
    "garbage",
    "NOTSET",
    "SAME_UPPER",
    "SAME_LOWER",
    "VALID",
    "NC",
    "NCHW",
    "NHWC",
    "constant",
    "reflect",
    "UINT4",
    "INT2",
    "BIPOLAR",
    "a\nb",
    "\u00e9\u4e2d",
    "x" * 300,
]
INT_LISTS = [
    [],
    [0],
    [1],
    [-1],
    [2, 2],
    [0, 0],
    [1, 1],
    [-1, -1],
    [3, 3],
    [0, 0, 0, 0],
    [1, 1, 1, 1],
    [-1, 0, 0, 0],
    [5, 5, 5, 5],
    [100, 100],
    [2**31, 2**31],
    [2**62],
    [1, 2, 3],
    [0, 1, 2, 3],
    [3, 2, 1, 0],
    [-(2**63), 1],
]
FLOAT_LISTS = [[], [0.0], [math.nan], [1.0, 2.0], [math.inf, -math.inf]]

KNOWN_ATTRIBUTES = [
    "signed",
    "narrow",
    "rounding_mode",
    "kernel_shape",
    "pads",
    "strides",
    "dilations",
    "group",
    "auto_pad",
    "axis",
    "axes",
    "perm",
    "transA",
    "transB",
    "alpha",
    "beta",
    "epsilon",
    "ceil_mode",
    "count_include_pad",
    "keepdims",
    "data_layout",
    "out_scale",
    "out_bias",
    "out_dtype",
    "k",
    "largest",
    "sorted",
    "mode",
    "value",
    "storage_order",
    "training_mode",
    "noop_with_empty_axes",
    "allowzero",
]

PARAMETER_VALUES = [
    0.0,
    1.0,
    -1.0,
    0.5,
    2.0,
    3.0,
    8.0,
    9.0,
    16.0,
    32.0,
    33.0,
    64.0,
    65.0,
    1e9,
    2.0**40,
    math.nan,
    math.inf,
    -math.inf,
    -0.0,
    1e-45,
    1e38,
    -8.0,
    0.3,
]
DTYPES = [None, np.float64, np.int64, np.int32, np.int8, np.float16, np.bool_, np.uint8]

OP_TYPES = [
    "Quant",
    "BipolarQuant",
    "Trunc",
    "MultiThreshold",
    "Conv",
    "Gemm",
    "MatMul",
    "Add",
    "Sub",
    "Mul",
    "Div",
    "BatchNormalization",
    "Relu",
    "Identity",
    "MaxPool",
    "AveragePool",
    "GlobalAveragePool",
    "ReduceMean",
    "Reshape",
    "Flatten",
    "Transpose",
    "Concat",
    "Pad",
    "TopK",
    "Constant",
    "Sigmoid",
    "Foo",
    "",
]
DOMAINS = [
    "",
    "ai.onnx",
    "qonnx.custom_op.general",
    "finn.custom_op.general",
    "onnx.brevitas",
    "qonnx",
    "finn",
    "com.example",
    "ai.onnx.ml",
]
ELEM_TYPES = [
    onnx.TensorProto.FLOAT,
    onnx.TensorProto.DOUBLE,
    onnx.TensorProto.INT64,
    onnx.TensorProto.INT8,
    onnx.TensorProto.UINT8,
    onnx.TensorProto.FLOAT16,
    onnx.TensorProto.BOOL,
    onnx.TensorProto.STRING,
    onnx.TensorProto.UNDEFINED,
    onnx.TensorProto.BFLOAT16,
]
DIMS = [1, 0, -1, 2, 3, 7, 2**31, 2**40, 2**62, 1000]


# --------------------------------------------------------------------------- ONNX mutators


def _tensor_names(model: onnx.ModelProto) -> list[str]:
    graph = model.graph
    names: list[str] = []
    for source in (
        [i.name for i in graph.input],
        [t.name for t in graph.initializer],
        *([*n.input, *n.output] for n in graph.node),
        [o.name for o in graph.output],
    ):
        for name in source:
            if name and name not in names:
                names.append(name)
    return names


def _node_label(model: onnx.ModelProto, index: int) -> str:
    node = model.graph.node[index]
    return f"{node.op_type} node #{index} '{node.name}'"


def _pick_node(c: Chooser, model: onnx.ModelProto) -> int | None:
    count = len(model.graph.node)
    return c.integer(0, count - 1) if count else None


def _attribute_value(c: Chooser) -> object:
    kind = c.integer(0, 5)
    if kind == 0:
        return choice(c, INTS)
    if kind == 1:
        return choice(c, FLOATS)
    if kind == 2:
        return choice(c, STRINGS)
    if kind == 3:
        return list(choice(c, INT_LISTS))
    if kind == 4:
        return list(choice(c, FLOAT_LISTS))
    return numpy_helper.from_array(np.array(choice(c, PARAMETER_VALUES), np.float32))


def mutate_attribute(c: Chooser, model: onnx.ModelProto) -> str:
    """Set (or delete) an attribute of a node to an interesting value of any type."""
    index = _pick_node(c, model)
    if index is None:
        return "no node"
    node = model.graph.node[index]
    existing = [a.name for a in node.attribute]
    name = choice(c, existing + KNOWN_ATTRIBUTES)
    kept = [a for a in node.attribute if a.name != name]
    if c.integer(0, 7) == 0:
        del node.attribute[:]
        node.attribute.extend(kept)
        return f"{_node_label(model, index)}: delete attribute '{name}'"
    value = _attribute_value(c)
    try:
        attribute = helper.make_attribute(name, value)
    except (ValueError, TypeError):
        return f"{_node_label(model, index)}: (cannot make attribute {name}={value!r})"
    del node.attribute[:]
    node.attribute.extend([*kept, attribute])
    shown = "a tensor" if isinstance(value, onnx.TensorProto) else repr(value)
    return f"{_node_label(model, index)}: attribute '{name}' = {shown}"


def _replace_initializer(model: onnx.ModelProto, name: str, array: np.ndarray) -> None:
    for i, tensor in enumerate(model.graph.initializer):
        if tensor.name == name:
            model.graph.initializer[i].CopyFrom(numpy_helper.from_array(array, name))
            return


def _new_array(c: Chooser, old: np.ndarray) -> tuple[np.ndarray, str]:
    """A replacement for `old`: interesting values, shape or dtype."""
    shape = tuple(old.shape)
    shape_kind = c.integer(0, 4)
    if shape_kind == 1:
        shape = ()
    elif shape_kind == 2:
        shape = (2,)
    elif shape_kind == 3 and shape:
        axis = c.integer(0, len(shape) - 1)
        shape = (
            *shape[:axis],
            choice(c, [0, shape[axis] + 1, max(shape[axis] - 1, 0), 1]),
            *shape[axis + 1 :],
        )
    elif shape_kind == 4:
        shape = (*shape, 1)
    value_kind = c.integer(0, 2)
    if value_kind == 0:
        value = choice(c, PARAMETER_VALUES)
        array = np.full(shape, value, dtype=np.float64)
        what = f"{value!r}"
    elif value_kind == 1 and old.size and old.dtype.kind in "fiub":
        flat = np.resize(old.astype(np.float64).flatten(), int(np.prod(shape, dtype=np.int64)))
        factor = choice(c, [-1.0, 0.0, 2.0, 0.5, 1e20, math.nan])
        array = (flat * factor).reshape(shape)
        what = f"old values x {factor!r}"
    else:
        array = np.arange(int(np.prod(shape, dtype=np.int64)), dtype=np.float64).reshape(shape) - 1
        what = "arange - 1"
    dtype = choice(c, DTYPES) or (old.dtype if old.dtype.kind in "fiub" else np.float32)
    with np.errstate(all="ignore"), contextlib.suppress(Exception):
        array = array.astype(dtype)
    return array, f"{what}, shape {list(shape)}, dtype {np.dtype(array.dtype).name}"


QUANT_PARAMETERS = {
    "Quant": ["scale", "zeropt", "bitwidth"],
    "BipolarQuant": ["scale"],
    "Trunc": ["scale", "zeropt", "in_bitwidth", "out_scale|out_bitwidth", "out_bitwidth"],
    "MultiThreshold": ["thresholds"],
}


def mutate_parameter(c: Chooser, model: onnx.ModelProto) -> str:
    """Replace an initializer (preferably a quantizer's scale/zeropt/bitwidth) with an
    interesting value, shape or dtype."""
    initializers = {t.name for t in model.graph.initializer}
    if not initializers:
        return "no initializer"
    parameters = [
        (n.op_type, i, name)
        for n in model.graph.node
        if n.op_type in QUANT_PARAMETERS
        for i, name in enumerate(n.input)
        if i >= 1 and name in initializers
    ]
    if parameters and c.integer(0, 2) != 0:
        op_type, position, name = choice(c, parameters)
        names = QUANT_PARAMETERS[op_type]
        what = f"{op_type} {names[min(position - 1, len(names) - 1)]} '{name}'"
    else:
        name = choice(c, sorted(initializers))
        what = f"initializer '{name}'"
    try:
        old = next(numpy_helper.to_array(t) for t in model.graph.initializer if t.name == name)
    except Exception:  # corrupted by an earlier mutation
        old = np.zeros((), np.float32)
    array, description = _new_array(c, np.asarray(old))
    try:
        _replace_initializer(model, name, array)
    except Exception:
        return f"{what}: (cannot store {description})"
    return f"{what} := {description}"


def mutate_node_io(c: Chooser, model: onnx.ModelProto) -> str:
    """Drop, duplicate, add or rename an input or output of a node (dangling names,
    empty names, cycles, names of other tensors)."""
    index = _pick_node(c, model)
    if index is None:
        return "no node"
    node = model.graph.node[index]
    outputs = c.integer(0, 2) == 0
    names = node.output if outputs else node.input
    kind = c.integer(0, 3)
    label = f"{_node_label(model, index)} {'output' if outputs else 'input'}"
    if kind == 0 and names:
        i = c.integer(0, len(names) - 1)
        dropped = names[i]
        del names[i]
        return f"{label} {i} '{dropped}' dropped"
    if kind == 1 and names:
        i = c.integer(0, len(names) - 1)
        names.append(names[i])
        return f"{label} {i} '{names[i]}' duplicated"
    candidates = [*_tensor_names(model), "", "dangling"]
    later = [o for n in model.graph.node[index:] for o in n.output if o]
    if later:
        candidates.append(choice(c, later))  # an input from downstream: a cycle
    new = choice(c, candidates)
    if kind == 2 or not names:
        names.append(new)
        return f"{label} '{new}' appended"
    i = c.integer(0, len(names) - 1)
    old = names[i]
    names[i] = new
    return f"{label} {i} '{old}' -> '{new}'"


def mutate_graph_io(c: Chooser, model: onnx.ModelProto) -> str:
    """Drop, duplicate or rename a graph input or output, or add an output naming an
    intermediate tensor, an initializer or a dangling name."""
    graph = model.graph
    outputs = c.integer(0, 1) == 0
    infos = graph.output if outputs else graph.input
    what = "graph output" if outputs else "graph input"
    kind = c.integer(0, 3)
    if kind == 0 and infos:
        i = c.integer(0, len(infos) - 1)
        name = infos[i].name
        del infos[i]
        return f"{what} '{name}' dropped"
    if kind == 1 and infos:
        i = c.integer(0, len(infos) - 1)
        infos.add().CopyFrom(infos[i])
        return f"{what} '{infos[i].name}' duplicated"
    new = choice(c, [*_tensor_names(model), "dangling", ""])
    if kind == 2 and infos:
        i = c.integer(0, len(infos) - 1)
        old = infos[i].name
        infos[i].name = new
        return f"{what} '{old}' renamed to '{new}'"
    info = infos.add()
    info.CopyFrom(helper.make_tensor_value_info(new, onnx.TensorProto.FLOAT, [1, 4]))
    return f"{what} '{new}' added (1x4 float)"


def mutate_op(c: Chooser, model: onnx.ModelProto) -> str:
    """Change a node's op_type or domain."""
    index = _pick_node(c, model)
    if index is None:
        return "no node"
    node = model.graph.node[index]
    label = _node_label(model, index)
    if c.integer(0, 1) == 0:
        node.op_type = choice(c, OP_TYPES)
        return f"{label}: op_type -> '{node.op_type}'"
    node.domain = choice(c, DOMAINS)
    return f"{label}: domain -> '{node.domain}'"


def mutate_shape(c: Chooser, model: onnx.ModelProto) -> str:
    """Change a dim, the rank or the element type of a graph input/output or value_info."""
    graph = model.graph
    infos = [*graph.input, *graph.output, *graph.value_info]
    if not infos:
        return "no value info"
    info = choice(c, infos)
    tensor_type = info.type.tensor_type
    dims = tensor_type.shape.dim
    kind = c.integer(0, 4)
    if kind == 0 and len(dims):
        i = c.integer(0, len(dims) - 1)
        value = choice(c, DIMS)
        dims[i].Clear()
        dims[i].dim_value = value
        return f"'{info.name}' dim {i} = {value}"
    if kind == 1 and len(dims):
        i = c.integer(0, len(dims) - 1)
        dims[i].Clear()
        dims[i].dim_param = "N"
        return f"'{info.name}' dim {i} = 'N'"
    if kind == 2 and len(dims):
        i = c.integer(0, len(dims) - 1)
        del dims[i]
        return f"'{info.name}' dim {i} dropped"
    if kind == 3:
        dims.add().dim_value = choice(c, DIMS)
        return f"'{info.name}' extra dim {dims[len(dims) - 1].dim_value}"
    tensor_type.elem_type = choice(c, ELEM_TYPES)
    return f"'{info.name}' elem_type = {onnx.TensorProto.DataType.Name(tensor_type.elem_type)}"


def mutate_initializer(c: Chooser, model: onnx.ModelProto) -> str:
    """Truncate raw_data, change dims or data_type, swap, delete or duplicate an
    initializer."""
    inits = model.graph.initializer
    if not inits:
        return "no initializer"
    i = c.integer(0, len(inits) - 1)
    tensor = inits[i]
    name = tensor.name
    kind = c.integer(0, 6)
    if kind == 0:
        if tensor.raw_data:
            cut = c.integer(0, len(tensor.raw_data) - 1)
            tensor.raw_data = tensor.raw_data[:cut]
            return f"initializer '{name}' raw_data truncated to {cut} bytes"
        del tensor.float_data[len(tensor.float_data) // 2 :]
        return f"initializer '{name}' float_data halved"
    if kind == 1:
        if tensor.dims:
            d = c.integer(0, len(tensor.dims) - 1)
            tensor.dims[d] = choice(c, DIMS)
            return f"initializer '{name}' dim {d} = {tensor.dims[d]}"
        tensor.dims.append(choice(c, DIMS))
        return f"initializer '{name}' extra dim {tensor.dims[-1]}"
    if kind == 2:
        tensor.data_type = choice(c, ELEM_TYPES)
        return (
            f"initializer '{name}' data_type = {onnx.TensorProto.DataType.Name(tensor.data_type)}"
        )
    if kind == 3 and len(inits) > 1:
        j = c.integer(0, len(inits) - 1)
        other = inits[j].name
        inits[j].name, tensor.name = name, other
        return f"initializers '{name}' and '{other}' swapped"
    if kind == 4:
        del inits[i]
        return f"initializer '{name}' deleted"
    if kind == 5:
        inits.add().CopyFrom(tensor)
        return f"initializer '{name}' duplicated"
    tensor.data_location = onnx.TensorProto.EXTERNAL
    entry = tensor.external_data.add()
    entry.key, entry.value = "location", "missing.data"
    return f"initializer '{name}' moved to external data 'missing.data'"


def mutate_nodes(c: Chooser, model: onnx.ModelProto) -> str:
    """Delete, duplicate, move or reverse nodes."""
    nodes = model.graph.node
    index = _pick_node(c, model)
    if index is None:
        return "no node"
    label = _node_label(model, index)
    kind = c.integer(0, 3)
    if kind == 0:
        del nodes[index]
        return f"{label} deleted"
    if kind == 1:
        nodes.add().CopyFrom(nodes[index])
        return f"{label} duplicated"
    if kind == 2:
        node = onnx.NodeProto()
        node.CopyFrom(nodes[index])
        del nodes[index]
        target = c.integer(0, len(nodes))
        nodes.insert(target, node)
        return f"{label} moved to position {target}"
    reversed_nodes = list(
        reversed([onnx.NodeProto().__class__.FromString(n.SerializeToString()) for n in nodes])
    )
    del nodes[:]
    nodes.extend(reversed_nodes)
    return "nodes reversed"


def mutate_meta(c: Chooser, model: onnx.ModelProto) -> str:
    """Change the IR version or an opset version, or drop an opset import."""
    kind = c.integer(0, 2)
    if kind == 0:
        model.ir_version = choice(c, [3, 0, 1, 7, 10, 99, 2**40])
        return f"ir_version = {model.ir_version}"
    if not model.opset_import:
        return "no opset import"
    i = c.integer(0, len(model.opset_import) - 1)
    opset = model.opset_import[i]
    if kind == 1:
        opset.version = choice(c, [1, 7, 11, 13, 18, 99, 10**9])
        return f"opset '{opset.domain}' version = {opset.version}"
    domain = opset.domain
    del model.opset_import[i]
    return f"opset '{domain}' dropped"


ONNX_MUTATORS: list[Callable[[Chooser, onnx.ModelProto], str]] = [
    mutate_attribute,
    mutate_parameter,
    mutate_node_io,
    mutate_graph_io,
    mutate_op,
    mutate_shape,
    mutate_initializer,
    mutate_nodes,
    mutate_meta,
]


# --------------------------------------------------------------------------- raw bytes


def _flip(c: Chooser, data: bytearray) -> str:
    i = c.integer(0, len(data) - 1)
    bit = c.integer(0, 7)
    data[i] ^= 1 << bit
    return f"bit {bit} of byte {i} flipped"


def _interesting_byte(c: Chooser, data: bytearray) -> str:
    i = c.integer(0, len(data) - 1)
    data[i] = choice(c, [0x00, 0xFF, 0x7F, 0x80, 0x01, 0x08, 0x0A, 0x12, 0x1A, 0x22])
    return f"byte {i} = {data[i]:#04x}"


def _truncate(c: Chooser, data: bytearray) -> str:
    i = c.integer(0, len(data) - 1)
    del data[i:]
    return f"truncated to {i} bytes"


def _delete_range(c: Chooser, data: bytearray) -> str:
    i = c.integer(0, len(data) - 1)
    n = c.integer(1, 64)
    del data[i : i + n]
    return f"{n} bytes deleted at {i}"


def _duplicate_range(c: Chooser, data: bytearray) -> str:
    i = c.integer(0, len(data) - 1)
    n = c.integer(1, 256)
    data[i:i] = data[i : i + n]
    return f"{n} bytes duplicated at {i}"


def _insert(c: Chooser, data: bytearray) -> str:
    i = c.integer(0, len(data))
    chunk = bytes(c.integer(0, 255) for _ in range(c.integer(1, 8)))
    data[i:i] = chunk
    return f"{chunk.hex()} inserted at {i}"


BYTE_MUTATORS: list[Callable[[Chooser, bytearray], str]] = [
    _flip,
    _interesting_byte,
    _truncate,
    _delete_range,
    _duplicate_range,
    _insert,
]


@dataclass
class Mutated:
    seed: str
    data: Any
    log: list[str] = field(default_factory=list)

    def describe(self) -> str:
        return f"seed {self.seed}: " + "; ".join(self.log or ["unchanged"])


def mutate_onnx(c: Chooser, seeds: dict[str, bytes]) -> Mutated:
    """A seed with 1-3 structured mutations, or 1-3 byte mutations, or both."""
    names = list(seeds)
    seed = choice(c, names)
    result = Mutated(seed, seeds[seed])
    mode = c.integer(0, 3)  # 0, 1: structured; 2: bytes; 3: both
    if mode != 2:
        model = onnx.load_from_string(seeds[seed])
        for _ in range(c.integer(1, 3)):
            mutator = choice(c, ONNX_MUTATORS)
            result.log.append(mutator(c, model))
        try:
            result.data = model.SerializeToString()
        except Exception as error:  # e.g. a string the protobuf runtime refuses
            result.log.append(f"(not serializable: {type(error).__name__}; seed kept)")
    if mode >= 2:
        data = bytearray(result.data)
        for _ in range(c.integer(1, 3)):
            if not data:
                break
            mutator = choice(c, BYTE_MUTATORS)
            result.log.append(mutator(c, data))
        result.data = bytes(data)
    return result


# --------------------------------------------------------------------------- IR text

_TOKEN = re.compile(
    r'"(?:[^"\\\n]|\\.)*"|[%^@#!][\w$.-]*|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|[A-Za-z_][\w.$]*|->|\S'
)
_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|(?<=[<x])\d+")
_ELEMENT_TYPE = re.compile(
    r"\b(?:f16|f32|f64|i1|i8|i16|i32|i64|index)\b|!quant\.(?:u?int<\d+>|bipolar)"
)
_SHAPE = re.compile(r"(?<=tensor<)(?:\d+x)*")
_ATTRIBUTE = re.compile(r"(?<=[{,] )(\w+) = ((?:array<[^>]*>|\"[^\"]*\"|[^,}])+?)(?=, |})")
_SSA = re.compile(r"%[\w$.-]+")
_OP_NAME = re.compile(r"\b(?:quant|streamline|dataflow|func|builtin)\.\w+")
_HEX = re.compile(r'"0x[0-9A-Fa-f]+"')

NUMBERS = [
    "0",
    "-1",
    "1",
    "2",
    "3",
    "7",
    "8",
    "9",
    "16",
    "17",
    "31",
    "32",
    "33",
    "63",
    "64",
    "65",
    "128",
    "255",
    "256",
    "4294967296",
    "2147483648",
    "9223372036854775807",
    "9223372036854775808",
    "18446744073709551616",
    "1" + "0" * 40,
    "1.5",
    "-0.0",
    "1e309",
    "0x7FC00000",
    "0x7F800000",
    "nan",
    "inf",
]
ELEMENT_TYPES = [
    "f32",
    "f64",
    "i8",
    "i64",
    "i1",
    "index",
    "!quant.int<4>",
    "!quant.uint<1>",
    "!quant.int<0>",
    "!quant.uint<0>",
    "!quant.int<64>",
    "!quant.uint<65>",
    "!quant.int<99999999999>",
    "!quant.bipolar",
    "none",
    "tensor<2xf32>",
    "!dataflow.stream<4x!quant.int<2>, lanes 1>",
]
SHAPES = ["", "1x", "0x", "2x", "1x1x", "16x", "65536x65536x", "4294967296x", "?x", "1x0x"]
ATTRIBUTE_VALUES = [
    "0 : i64",
    "1 : i64",
    "-1 : i64",
    "2 : i64",
    "3 : i64",
    "1000000007 : i64",
    "9223372036854775807 : i64",
    "true",
    "false",
    "unit",
    '"garbage"',
    '"ROUND"',
    '"FLOOR"',
    '"internal_decoupled"',
    '"external"',
    '"distributed"',
    '"auto"',
    "1.000000e+00 : f32",
    "0.000000e+00 : f32",
    "-1.000000e+00 : f32",
    "0x7FC00000 : f32",
    "0x7F800000 : f32",
    "array<i64>",
    "array<i64: 0>",
    "array<i64: 1, 1>",
    "array<i64: -1, 2>",
    "array<i64: 0, 0, 0, 0>",
    "array<i64: 1, 0, 1>",
    "!quant.int<4>",
    "!quant.uint<0>",
    "i32",
    "dense<1> : tensor<2xi64>",
]
SNIPPETS = [
    "}",
    "{",
    ")",
    "(",
    ",",
    ":",
    "->",
    '"',
    "%",
    "<",
    ">",
    "x",
    "\n",
    "^bb1:\n",
    'loc("x")',
    "\u00e9",
    "\x00",
    "dense<",
    "tensor<",
    "!quant.int<",
    "#",
    "@main",
    "func.return\n",
    "-",
]


def _spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [m.span() for m in pattern.finditer(text)]


def _replace_span(
    c: Chooser, text: str, spans: list[tuple[int, int]], pool: Sequence[str]
) -> tuple[str, str]:
    start, end = choice(c, spans)
    new = choice(c, pool)
    return text[:start] + new + text[end:], f"{text[start:end][:40]!r} at {start} -> {new[:40]!r}"


def _lines(text: str) -> list[str]:
    return text.split("\n")


def ir_lines(c: Chooser, text: str) -> tuple[str, str]:
    """Delete, duplicate, swap or move a line."""
    lines = _lines(text)
    i = c.integer(0, len(lines) - 1)
    kind = c.integer(0, 3)
    if kind == 0:
        del lines[i]
        return "\n".join(lines), f"line {i + 1} deleted"
    if kind == 1:
        lines.insert(i, lines[i])
        return "\n".join(lines), f"line {i + 1} duplicated"
    j = c.integer(0, len(lines) - 1)
    if kind == 2:
        lines[i], lines[j] = lines[j], lines[i]
        return "\n".join(lines), f"lines {i + 1} and {j + 1} swapped"
    line = lines.pop(i)
    lines.insert(j, line)
    return "\n".join(lines), f"line {i + 1} moved to {j + 1}"


def ir_tokens(c: Chooser, text: str) -> tuple[str, str]:
    """Delete, duplicate or swap a token, or replace it by another token of the text."""
    spans = _spans(_TOKEN, text)
    if not spans:
        return text, "no token"
    start, end = choice(c, spans)
    token = text[start:end]
    kind = c.integer(0, 3)
    if kind == 0:
        return text[:start] + text[end:], f"token {token[:40]!r} at {start} deleted"
    if kind == 1:
        return text[:end] + " " + token + text[end:], f"token {token[:40]!r} at {start} duplicated"
    other_start, other_end = choice(c, spans)
    other = text[other_start:other_end]
    if kind == 2 and other_start > end:
        swapped = text[:start] + other + text[end:other_start] + token + text[other_end:]
        return swapped, f"tokens {token[:40]!r} at {start} and {other[:40]!r} swapped"
    return text[:start] + other + text[end:], f"token {token[:40]!r} at {start} -> {other[:40]!r}"


def ir_number(c: Chooser, text: str) -> tuple[str, str]:
    """Replace a number (in a value, a shape, a type width or a name)."""
    spans = _spans(_NUMBER, text)
    if not spans:
        return text, "no number"
    return _replace_span(c, text, spans, NUMBERS)


def ir_element_type(c: Chooser, text: str) -> tuple[str, str]:
    spans = _spans(_ELEMENT_TYPE, text)
    if not spans:
        return text, "no element type"
    return _replace_span(c, text, spans, ELEMENT_TYPES)


def ir_shape(c: Chooser, text: str) -> tuple[str, str]:
    spans = _spans(_SHAPE, text)
    if not spans:
        return text, "no tensor shape"
    return _replace_span(c, text, spans, SHAPES)


def ir_attribute(c: Chooser, text: str) -> tuple[str, str]:
    """Replace, delete or duplicate an attribute/property entry `name = value`."""
    matches = list(_ATTRIBUTE.finditer(text))
    if not matches:
        return text, "no attribute"
    match = choice(c, matches)
    kind = c.integer(0, 3)
    start, end = match.span()
    if kind == 0:
        # delete "name = value" and the separator after it
        tail = 2 if text[end : end + 2] == ", " else 0
        return text[:start] + text[end + tail :], f"attribute {match.group(1)!r} at {start} deleted"
    if kind == 1:
        return (
            text[:end] + ", " + match.group(0) + text[end:],
            f"attribute {match.group(1)!r} at {start} duplicated",
        )
    value_start, value_end = match.span(2)
    new = choice(c, ATTRIBUTE_VALUES)
    return (
        text[:value_start] + new + text[value_end:],
        f"attribute {match.group(1)!r} at {start} = {new!r}",
    )


def ir_ssa(c: Chooser, text: str) -> tuple[str, str]:
    """Replace an SSA name by another one of the text or an undefined one."""
    spans = _spans(_SSA, text)
    if not spans:
        return text, "no SSA name"
    names = sorted({text[s:e] for s, e in spans})
    return _replace_span(c, text, spans, [*names, "%undefined", "%0"])


def ir_op_name(c: Chooser, text: str) -> tuple[str, str]:
    spans = _spans(_OP_NAME, text)
    if not spans:
        return text, "no op name"
    return _replace_span(c, text, spans, _op_names())


def ir_hex(c: Chooser, text: str) -> tuple[str, str]:
    """Shorten, lengthen or corrupt a hex constant."""
    spans = _spans(_HEX, text)
    if not spans:
        return text, "no hex constant"
    start, end = choice(c, spans)
    body = text[start + 3 : end - 1]
    kind = c.integer(0, 2)
    if kind == 0:
        cut = c.integer(0, len(body))
        new = body[:cut]
    elif kind == 1:
        new = body + body[: c.integer(1, 16)]
    else:
        i = c.integer(0, len(body) - 1)
        new = body[:i] + choice(c, ["G", "F", "0", "8", "7", ""]) + body[i + 1 :]
    return text[: start + 3] + new + text[
        end - 1 :
    ], f"hex constant at {start}: {len(body)} -> {len(new)} digits"


def ir_insert(c: Chooser, text: str) -> tuple[str, str]:
    """Insert punctuation or a fragment at a token boundary."""
    spans = _spans(_TOKEN, text)
    position = choice(c, spans)[c.integer(0, 1)] if spans else 0
    snippet = choice(c, SNIPPETS)
    return text[:position] + snippet + text[position:], f"{snippet!r} inserted at {position}"


IR_MUTATORS: list[Callable[[Chooser, str], tuple[str, str]]] = [
    ir_number,
    ir_attribute,
    ir_element_type,
    ir_shape,
    ir_number,
    ir_attribute,
    ir_element_type,
    ir_shape,
    ir_number,
    ir_attribute,
    ir_ssa,
    ir_lines,
    ir_tokens,
    ir_op_name,
    ir_hex,
    ir_insert,
]

_OP_NAMES: list[str] = []


def _op_names() -> list[str]:
    """Every op name of the qnn dialects (and func/builtin's few)."""
    if not _OP_NAMES:
        from qdialects import QNN_DIALECTS

        names = {op.name for load in QNN_DIALECTS.values() for op in load().operations}
        _OP_NAMES.extend(
            [*sorted(names), "func.return", "func.func", "func.call", "builtin.module"]
        )
    return _OP_NAMES


def mutate_ir(c: Chooser, seeds: dict[str, tuple[str, str]]) -> Mutated:
    """An IR seed with 1-3 text mutations (mostly one); `data` is (text, pipeline).
    `IR_MUTATORS` lists the mutators that keep the text parseable more often (numbers,
    attributes, types, shapes) several times, so more inputs reach the passes."""
    seed = choice(c, list(seeds))
    text, pipeline = seeds[seed]
    result = Mutated(seed, (text, pipeline))
    for _ in range(choice(c, [1, 1, 1, 2, 2, 3])):
        mutator = choice(c, IR_MUTATORS)
        text, description = mutator(c, text)
        result.log.append(f"{mutator.__name__}: {description}")
    result.data = (text, pipeline)
    return result


# --------------------------------------------------------------------------- drivers


def fuzz_onnx_once(c: Chooser, seeds: dict[str, bytes]) -> tuple[Mutated, Outcome]:
    mutated = mutate_onnx(c, seeds)
    try:
        return mutated, check_onnx(mutated.data)
    except FuzzFailure as failure:
        raise _with_example(failure, mutated) from None


def fuzz_ir_once(c: Chooser, seeds: dict[str, tuple[str, str]]) -> tuple[Mutated, Outcome]:
    mutated = mutate_ir(c, seeds)
    text, pipeline = mutated.data
    try:
        return mutated, check_ir(text, pipeline)
    except FuzzFailure as failure:
        raise _with_example(failure, mutated) from None


def _with_example(failure: FuzzFailure, mutated: Mutated) -> FuzzFailure:
    error = FuzzFailure(f"{mutated.describe()}\n{failure}")
    error.example = mutated
    return error
