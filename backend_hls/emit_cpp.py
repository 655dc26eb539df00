"""HLS C++ emission: a module with one `dataflow.partition` -> a self-contained HLS
project tree plus its C simulation.

Files (relative to the output directory; layer and port names come from
`qdialects.dataflow.naming`, per-layer file names from `backend_hls.naming`, both shared
with the TCL emitter):

* `hls/<layer>.cpp` — one synthesizable kernel per HLS layer (`kernel_layers`):
  a top function `<layer>` whose `hls::stream<ap_uint<W> >` arguments are named
  `in0_V, ..., out0_V, ...` (`qdialects.dataflow.naming.port_names`) with `#pragma HLS INTERFACE axis` on
  each and `ap_ctrl_none`, calling the library template (`hls/lib/qnn/...`) with the
  layer's parameters for one frame per invocation (a free-running IP restarts per frame).
  `dataflow.concat` has no library kernel: its kernel is a generated copy loop.
* `hls/params/<layer>.h` — the layer's constant tables in namespace
  `qnn::params::<layer>`: MVAU `weights[PE][(MH/PE)*(MW/SIMD)]` of `ap_uint<SIMD*Bw>`
  words and VVAU `weights[PE][(C/PE)*K]` of `ap_uint<Bw>` as hex literals,
  `thresholds[PE][C/PE][NT]` and channelwise `params[PE][C/PE]` as decimal values of
  their datatype, PE-interleaved exactly as `backend_hls/lib/README.md` states (rows of a
  `1 x N` threshold table are repeated for every channel).
* `hls/top.h`, `hls/top.cpp` — the whole partition as one `#pragma HLS DATAFLOW` function
  `top(in0_V, ..., out0_V, ...)` over internal `hls::stream`s, calling every kernel in
  program order. A `dataflow.fifo` is the depth of the stream it sits on
  (`#pragma HLS STREAM depth=`, depths of consecutive FIFOs add up), a `dataflow.reshape`
  is the same stream under another name; where a FIFO or a view touches a port (a FIFO on
  a partition input/output, an input yielded unchanged) a pass-through
  `qnn::dwc<W, W, words>` copies the words.
* `hls/lib/qnn/*.h` (and `hls/lib/README.md`) — a copy of the project's template library,
  so the tree is self-contained.
* `csim/testbench.cpp` — reads N frames of input words from binary files, calls `top` N
  times, writes the output words (`backend_hls.csim` drives it); `csim/csim.cpp` — every
  kernel, `top.cpp` and the testbench in one translation unit (the ap_int headers take
  ~1.6 s to parse per unit, so one unit builds 1.5-2x faster than one per file);
  `csim/build.sh [HLS_INCLUDE_DIR]` — the exact g++ commands
  (`emit_cpp.CXXFLAGS`); `csim/host.mlir` — the host side of `@main`
  (`@pre`: everything before the partition, i.e. the float input quantization; `@post`:
  everything after it, the output affine), run with the reference semantics;
  `csim/io.json` — the partition's stream formats.

**Constant tables and compile time.** Under synthesis (`__SYNTHESIS__`) every table is a
`static const` array of `ap_uint`/`ap_int` initialized from literals (the ROM contents).
g++ compiles such arrays very slowly (an `ap_uint` has no constexpr constructor, so every
element is a dynamic initialization: 200 k elements did not finish in 6 minutes), so for C
simulation the same literals initialize a plain `unsigned long long` / `long long` /
`const char *` array and a small converter (`qnn::csim::table2/3`) builds the `ap_(u)int`
table once at program start. The literal list is written once and read by both.

**Fully unfolded MVAUs** (PE = MH and SIMD = MW) keep this form: the weight table is a
`static const` array of PE single-word rows, and the library reads `weights[p][nf*SF+sf]`
with `nf = sf = 0` constant (NF = SF = 1) inside the unrolled PE loop, so every read has a
constant index into constant data. HLS propagates the constants into the multiply-adds:
a zero weight lane contributes nothing and generates no logic, and no memory is inferred
(`BIND_STORAGE` is only emitted for folded layers). We chose this over generating an
unrolled sum of non-zero terms because the kernel stays the library's (one tested
implementation) and the table stays inspectable, while the hardware result is the same
constant-folded adder tree.

**What is rejected** (`EmitError`, one line): a module without exactly one partition;
`out_scale` other than 1 (except the bipolar `out_scale 2, out_bias -1`); VVAU `simd > 1`;
`duplicate_streams` with more than 3 outputs; stream or weight words wider than
`AP_INT_MAX_W` (4096, set in `common.h`); thresholds or parameters outside their
datatype; a stream read by more than one layer; depthwise-ordered partition ports; a
layer name that is a C++ name of the HLS headers (`ap_uint`, `size_t`, ...).
`mem_mode` is not distinguished: every kernel keeps its weights in its own ROM
(internal_embedded); `ram_style` becomes a `BIND_STORAGE` directive on folded weight tables.
"""

from __future__ import annotations

import json
import math
import os
import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np
from xdsl.context import Context
from xdsl.dialects.builtin import FunctionType, ModuleOp
from xdsl.dialects.func import FuncOp, ReturnOp
from xdsl.ir import Block, Operation, Region, SSAValue
from xdsl.utils.exceptions import DiagnosticException

from backend_hls import toolchain
from backend_hls.naming import kernel_layers, params_header
from backend_hls.packing import hex_literals, lane_codes, pack_words
from backend_hls.targets import TreeTarget
from qdialects import dataflow as df
from qdialects.dataflow import naming
from qdialects.dataflow.limits import AP_INT_MAX_W
from qdialects.dataflow.types import StreamType
from qdialects.quant import constant_value
from qdialects.types import (
    BinaryType,
    BipolarType,
    QDataType,
    TernaryType,
    element_datatype,
    smallest_datatype,
)
from qdialects.utils import ints

TOP = "top"
CXXFLAGS: tuple[str, ...] = ("-std=c++14", "-O1", "-ftree-vectorize", "-Wall", "-Wextra", "-Werror")
"""The C simulation's compiler flags (`csim/build.sh`): -O1 compiles the ap_int-heavy kernels
faster than -O2, and -ftree-vectorize keeps the plain dot products of `qnn/csim.h` as fast
as -O2 makes them (benchmarks/run.py measures both)."""
PCH_FLAGS: tuple[str, ...] = (
    "-Wno-uninitialized",
    "-Wno-maybe-uninitialized",
    "-Wno-aggressive-loop-optimizations",
)
"""Added to `CXXFLAGS` where a precompiled header is used: the warnings `qnn/common.h` and
`GCC_QUIRK` silence by pragma for the Xilinx headers (a precompiled header drops them)."""
MARKER = "// Generated by qnn (backend_hls.emit_cpp); do not edit."
GCC_QUIRK = """\
#if defined(__GNUC__) && !defined(__clang__) && !defined(__SYNTHESIS__)
// g++ -O2 reports -Waggressive-loop-optimizations inside ap_private.h's bit-range code once
// it is inlined into a kernel (a false positive of the Xilinx simulation headers; results
// are bit-exact), and -isystem does not cover inlined code.
#pragma GCC diagnostic ignored "-Waggressive-loop-optimizations"
#endif"""
"""Opens every generated C++ source (before the first include)."""


class EmitError(DiagnosticException):
    """The module cannot be emitted as HLS C++ (one-line message)."""


# --------------------------------------------------------------------------- identifiers

_CXX_GLOBALS = frozenset(
    [
        "ap_int",
        "ap_uint",
        "ap_fixed",
        "ap_ufixed",
        "ap_int_base",
        "ap_fixed_base",
        "ap_private",
        "ap_range_ref",
        "ap_bit_ref",
        "ap_concat_ref",
        "ap_shift_reg",
        "ssdm_int",
        "file",
        "tm",
        "timespec",
        "timeval",
        "std",
        "hls",
        "qnn",
        "stream",
        "assert",
        "errno",
        "offsetof",
        "null",
        "nullptr",
        "div",
        "ldiv",
        "lldiv",
    ]
)
_CXX_GLOBAL_PATTERN = re.compile(r"(ap_|ssdm|hls_|qnn_|int\d|uint\d).*|.*_t", re.IGNORECASE)


def clashes_with_cxx(name: str) -> bool:
    """Whether `name` may collide with a global name of the C++/HLS headers the generated
    code includes (a type such as `ap_uint` or `size_t`, a macro such as `AP_INT_MAX_W`)."""
    return name.lower() in _CXX_GLOBALS or _CXX_GLOBAL_PATTERN.fullmatch(name) is not None


def cpp_identifier(name: str, taken: set[str]) -> str:
    """A C++ identifier derived from `name` that is not in `taken` (compared
    case-insensitively; the result is added, lower-cased).

    `naming.sanitize` makes it `[A-Za-z0-9_]`, starting with a letter, no C++/HDL keyword,
    no double underscore; names that could collide with a header's global name
    (`clashes_with_cxx`) get an `s_` prefix; duplicates get `_2`, `_3`, ..."""
    base = naming.sanitize(name, "s")
    if clashes_with_cxx(base):
        base = naming.sanitize(f"s_{base}", "s")
    return naming.unique(base, taken)


# --------------------------------------------------------------------------- datatypes


def cpp_type(datatype: QDataType) -> str:
    """The library's element type of a QONNX datatype."""
    if isinstance(datatype, BipolarType):
        return "qnn::Bipolar"
    if isinstance(datatype, BinaryType):
        return "ap_uint<1>"
    if isinstance(datatype, TernaryType):
        return "ap_int<2>"
    return f"ap_{'' if datatype.signed else 'u'}int<{datatype.bitwidth}>"


def word_type(width: int) -> str:
    return f"ap_uint<{width}>"


def stream_arg(width: int, name: str) -> str:
    return f"hls::stream<{word_type(width)} > &{name}"


# --------------------------------------------------------------------------- tables


@dataclass
class Table:
    """A constant table of a layer (`hls/params/<layer>.h`)."""

    name: str
    element: str  # the C++ element type under synthesis
    raw: str  # the plain C++ element type C simulation compiles the literals as
    dims: tuple[int, ...]
    rows: list[str]  # the initializer of each innermost row, without braces
    comment: str


def _nest(rows: list[str], dims: tuple[int, ...], depth: int = 0) -> str:
    """The brace-nested initializer of an array with `dims` from its innermost rows."""
    if len(dims) == 1:
        assert len(rows) == 1
        return "{" + rows[0] + "}"
    pad = "  " * (depth + 1)
    if len(dims) == 2:
        items = ["{" + r.replace("\n", "\n" + pad + " ") + "}" for r in rows]
    else:
        per = len(rows) // dims[0]
        items = [_nest(rows[i * per : (i + 1) * per], dims[1:], depth + 1) for i in range(dims[0])]
    return "{\n" + ",\n".join(pad + item for item in items) + "\n" + "  " * depth + "}"


def word_table(
    name: str, codes: np.ndarray, bits: int, lanes_comment: str, what: str
) -> tuple[Table, int]:
    """A table of packed words from lane codes `(D0, D1, lanes)`; returns it and the word
    width."""
    d0, d1, lanes = codes.shape
    width = lanes * bits
    if width > AP_INT_MAX_W:
        raise EmitError(
            f"{what}: {width}-bit words exceed AP_INT_MAX_W = {AP_INT_MAX_W}; fold the layer"
        )
    packed = pack_words(codes, bits)  # (d0, d1, nbytes)
    rows = hex_literals(packed, width)
    raw = "unsigned long long" if width <= 64 else "const char *"
    return Table(name, word_type(width), raw, (d0, d1), rows, lanes_comment), width


def _int_literal(value: int) -> str:
    if value == -(1 << 63):
        return "(-9223372036854775807LL - 1)"
    if value >= 1 << 63:
        return f"{value}ULL"
    return str(value)


def value_table(
    name: str, values: np.ndarray, datatype: QDataType, what: str, comment: str
) -> Table:
    """A table of typed integers (decimal literals); checks every value fits `datatype`."""
    values = np.asarray(values, dtype=np.int64)
    if values.size and (
        int(values.min()) < datatype.min_value or int(values.max()) > datatype.max_value
    ):
        raise EmitError(
            f"{what}: values [{int(values.min())}, {int(values.max())}] do not fit their "
            f"datatype {datatype}"
        )
    if isinstance(datatype, BipolarType):
        raise EmitError(f"{what}: bipolar tables are not supported")
    flat = values.reshape(-1, values.shape[-1])
    if datatype.bitwidth >= 63:
        rows = [", ".join(_int_literal(int(v)) for v in row) for row in flat.tolist()]
    else:
        rows = [", ".join(map(str, row)) for row in flat.tolist()]
    raw = "unsigned long long" if not datatype.signed and datatype.bitwidth == 64 else "long long"
    return Table(name, cpp_type(datatype), raw, tuple(values.shape), rows, comment)


def pe_interleave(per_channel: np.ndarray, pe: int) -> np.ndarray:
    """`(C, ...)` -> `(PE, C/PE, ...)` with `[p][n] = [n*PE + p]`."""
    c = per_channel.shape[0]
    rest = per_channel.shape[1:]
    return np.ascontiguousarray(per_channel.reshape(c // pe, pe, *rest).swapaxes(0, 1))


def _constant(value: SSAValue, what: str) -> tuple[np.ndarray, QDataType]:
    array = constant_value(value)
    datatype = element_datatype(value.type)
    if array is None or datatype is None:
        raise EmitError(f"{what} must be an integer quant.constant")
    return np.asarray(array, dtype=np.int64), datatype


def _channel_rows(table: np.ndarray, channels: int) -> np.ndarray:
    """A `C x N` or `1 x N` (or `C`/`1`) table with one row per channel."""
    if table.shape[0] == channels:
        return table
    return np.repeat(table, channels, axis=0)


# --------------------------------------------------------------------------- kernels


@dataclass
class Kernel:
    """What one layer's `hls/<layer>.cpp` needs."""

    header: str  # the library header to include (`qnn/mvau.h`)
    body: list[str]  # statements of the top function
    tables: list[Table] = field(default_factory=list)
    summary: str = ""
    storage: str | None = None  # BIND_STORAGE impl for the weight table (folded layers)


def _frame_vectors(stream: StreamType) -> int:
    return math.prod(stream.shape[:-1])


def _bias(op: Operation, out: StreamType, scale: int, bias: int, name: str) -> int:
    """The library's OUT_BIAS for `out = scale * count + bias`."""
    if isinstance(out.element, BipolarType):
        if (scale, bias) != (2, -1):
            raise EmitError(f"{name} ({op.name}): a bipolar output needs out_scale 2, out_bias -1")
        return 0  # the count (0 or 1) is stored as the bipolar bit
    if scale != 1:
        raise EmitError(
            f"{name} ({op.name}): out_scale {scale} is not supported by the HLS library "
            f"(only 1, or 2 with out_bias -1 for bipolar outputs)"
        )
    return bias


_RAM_IMPL = {"block": "bram", "distributed": "lutram", "ultra": "uram"}


def _threshold_table(
    op: Operation, thresholds: SSAValue, channels: int, pe: int, name: str
) -> tuple[Table, int, QDataType]:
    t, t_dtype = _constant(thresholds, f"{name}: thresholds")
    t = _channel_rows(t, channels)
    nt = t.shape[1]
    table = value_table(
        "thresholds",
        pe_interleave(t, pe),
        t_dtype,
        f"{name}: thresholds",
        f"thresholds[p][n][i] = T[n*{pe}+p][i] (ascending in i), {cpp_type(t_dtype)}",
    )
    return table, nt, t_dtype


def _mvau(op: df.MVAUOp, name: str) -> Kernel:
    x, out = df.stream_type(op.x), df.stream_type(op.result)
    mw, mh = op.matrix_shape()
    simd, pe = op.simd_value, op.pe_value
    w, w_dtype = _constant(op.weights, f"{name}: weights")
    nf, sf = mh // pe, mw // simd
    # library W[h][k] = dataflow W[k][h]; weights[p][n*SF + j] lane s = W[n*PE+p][j*SIMD+s]
    lib = w.T.reshape(nf, pe, sf, simd).transpose(1, 0, 2, 3).reshape(pe, nf * sf, simd)
    weights, _ = word_table(
        "weights",
        lane_codes(lib, w_dtype),
        w_dtype.bitwidth,
        f"weights[p][n*{sf}+j]: {simd} lanes of {cpp_type(w_dtype)} = "
        f"W[n*{pe}+p][j*{simd} + lane] (lane 0 at the LSB)",
        f"{name}: weights",
    )
    ti, tw, ta, to = (cpp_type(d) for d in (x.element, w_dtype, op.acc_dtype, out.element))
    args = f"in0_V, out0_V, qnn::params::{name}::weights"
    tables = [weights]
    if op.thresholds is None:
        template = f"{mw}, {mh}, {simd}, {pe}, {ti}, {tw}, {ta}, {to}, 0"
        call = f"qnn::mvau<{template}>({args}, {_frame_vectors(x)}, 1);"
    else:
        scale, bias = op.activation()
        out_bias = _bias(op, out, scale, bias, name)
        table, nt, t_dtype = _threshold_table(op, op.thresholds, mh, pe, name)
        tables.append(table)
        template = (
            f"{mw}, {mh}, {simd}, {pe}, {ti}, {tw}, {ta}, {to}, {nt}, {out_bias}, "
            f"{cpp_type(t_dtype)}"
        )
        call = (
            f"qnn::mvau<{template}>({args}, qnn::params::{name}::thresholds, "
            f"{_frame_vectors(x)}, 1);"
        )
    storage = None
    if not op.is_fully_unfolded():
        storage = _RAM_IMPL.get(op.ram_style.data)
    summary = (
        f"dataflow.mvau MW={mw} MH={mh} SIMD={simd} PE={pe}"
        f"{' (xnor)' if op.is_xnor else ''}, {_frame_vectors(x)} vectors per frame"
        f"{', fully unfolded: constant weights' if op.is_fully_unfolded() else ''}"
    )
    return Kernel("qnn/mvau.h", [call], tables, summary, storage)


def _vvau(op: df.VVAUOp, name: str) -> Kernel:
    x, out = df.stream_type(op.x), df.stream_type(op.result)
    k, c = op.kernel_channels()
    pe = op.pe_value
    if op.simd_value != 1:
        raise EmitError(
            f"{name} (dataflow.vvau): simd {op.simd_value} is not supported by the HLS library "
            f"(simd must be 1)"
        )
    w, w_dtype = _constant(op.weights, f"{name}: weights")
    cf = c // pe
    # weights[p][cf*K + k] = W[k][cf*PE + p]
    lib = w.T.reshape(cf, pe, k).transpose(1, 0, 2).reshape(pe, cf * k, 1)
    weights, _ = word_table(
        "weights",
        lane_codes(lib, w_dtype),
        w_dtype.bitwidth,
        f"weights[p][cf*{k}+k] = W[k][cf*{pe}+p], raw bits of {cpp_type(w_dtype)}",
        f"{name}: weights",
    )
    ti, tw, ta, to = (cpp_type(d) for d in (x.element, w_dtype, op.acc_dtype, out.element))
    args = f"in0_V, out0_V, qnn::params::{name}::weights"
    tables = [weights]
    pixels = _frame_vectors(x)
    if op.thresholds is None:
        call = f"qnn::vvau<{c}, {k}, {pe}, {ti}, {tw}, {ta}, {to}, 0>({args}, {pixels}, 1);"
    else:
        scale, bias = op.activation()
        out_bias = _bias(op, out, scale, bias, name)
        table, nt, t_dtype = _threshold_table(op, op.thresholds, c, pe, name)
        tables.append(table)
        call = (
            f"qnn::vvau<{c}, {k}, {pe}, {ti}, {tw}, {ta}, {to}, {nt}, {out_bias}, "
            f"{cpp_type(t_dtype)}>({args}, qnn::params::{name}::thresholds, {pixels}, 1);"
        )
    summary = f"dataflow.vvau C={c} K={k} PE={pe}, {pixels} pixels per frame"
    return Kernel("qnn/vvau.h", [call], tables, summary, _RAM_IMPL.get(op.ram_style.data))


def _swg(op: df.SWGOp, name: str) -> Kernel:
    h, w, c = op.ifm_dims()
    kh, kw = ints(op.kernel)
    sh, sw = ints(op.stride)
    dh, dw = ints(op.dilation)
    simd = op.simd.value.data
    t = cpp_type(df.stream_type(op.x).element)
    depthwise = "true" if op.is_depthwise else "false"
    call = (
        f"qnn::swg<{h}, {w}, {c}, {kh}, {kw}, {sh}, {sw}, {dh}, {dw}, {simd}, {t}, "
        f"{depthwise}>(in0_V, out0_V, 1);"
    )
    summary = (
        f"dataflow.swg {h}x{w}x{c} kernel {kh}x{kw} stride {sh}x{sw} dilation {dh}x{dw} "
        f"SIMD={simd}{' depthwise' if op.is_depthwise else ''}"
    )
    return Kernel("qnn/swg.h", [call], summary=summary)


def _fm_padding(op: df.FMPaddingOp, name: str) -> Kernel:
    h, w, c = df.stream_type(op.x).shape
    top, left, bottom, right = ints(op.pads)
    simd = op.simd.value.data
    t = cpp_type(df.stream_type(op.x).element)
    call = (
        f"qnn::fm_padding<{h}, {w}, {c}, {simd}, {t}, {top}, {bottom}, {left}, {right}>"
        f"(in0_V, out0_V, 1);"
    )
    summary = f"dataflow.fm_padding {h}x{w}x{c} pads t{top} l{left} b{bottom} r{right} SIMD={simd}"
    return Kernel("qnn/fmpadding.h", [call], summary=summary)


def _thresholding(op: df.ThresholdingOp, name: str) -> Kernel:
    x, out = df.stream_type(op.x), df.stream_type(op.result)
    c = x.shape[-1]
    pe = op.pe.value.data
    out_bias = _bias(op, out, op.out_scale.value.data, op.out_bias.value.data, name)
    table, nt, t_dtype = _threshold_table(op, op.thresholds, c, pe, name)
    call = (
        f"qnn::thresholding<{c}, {pe}, {nt}, {cpp_type(x.element)}, {cpp_type(t_dtype)}, "
        f"{cpp_type(out.element)}, {out_bias}>(in0_V, out0_V, "
        f"qnn::params::{name}::thresholds, {_frame_vectors(x)}, 1);"
    )
    summary = f"dataflow.thresholding C={c} PE={pe} NT={nt}"
    return Kernel("qnn/thresholding.h", [call], [table], summary)


def _window(op: df.MaxPoolOp | df.PoolOp) -> tuple[int, int, int, int, int, int, int, int]:
    h, w, c = df.stream_type(op.x).shape
    kh, kw = ints(op.kernel)
    sh, sw = ints(op.stride)
    return h, w, c, op.pe.value.data, kh, kw, sh, sw


def _maxpool(op: df.MaxPoolOp | df.PoolOp, name: str) -> Kernel:
    dims = ", ".join(map(str, _window(op)))
    t = cpp_type(df.stream_type(op.x).element)
    call = f"qnn::maxpool<{dims}, {t}>(in0_V, out0_V, 1);"
    return Kernel("qnn/pool.h", [call], summary=f"{op.name} (max) <{dims}>")


def _pool(op: df.PoolOp, name: str) -> Kernel:
    if op.mode.data == "max":
        return _maxpool(op, name)
    x, out = df.stream_type(op.x), df.stream_type(op.result)
    h, w, c, pe, kh, kw, sh, sw = _window(op)
    size = kh * kw
    acc = smallest_datatype(size * x.element.min_value, size * x.element.max_value)
    shift = op.shift.value.data
    call = (
        f"qnn::pool<{h}, {w}, {c}, {pe}, {kh}, {kw}, {sh}, {sw}, {cpp_type(x.element)}, "
        f"{cpp_type(acc)}, {cpp_type(out.element)}, {shift}>(in0_V, out0_V, 1);"
    )
    summary = f"dataflow.pool (sum >> {shift}) {h}x{w}x{c} kernel {kh}x{kw} stride {sh}x{sw}"
    return Kernel("qnn/pool.h", [call], summary=summary)


def _global_acc_pool(op: df.GlobalAccPoolOp, name: str) -> Kernel:
    x, out = df.stream_type(op.x), df.stream_type(op.result)
    h, w, c = x.shape
    pe = op.pe.value.data
    call = (
        f"qnn::global_acc_pool<{c}, {pe}, {cpp_type(x.element)}, {cpp_type(out.element)}>"
        f"(in0_V, out0_V, {h * w}, 1);"
    )
    return Kernel("qnn/pool.h", [call], summary=f"dataflow.global_acc_pool {h}x{w}x{c} PE={pe}")


def _add_streams(op: df.AddStreamsOp, name: str) -> Kernel:
    a, b, out = (df.stream_type(v) for v in (op.a, op.b, op.result))
    pe = op.pe.value.data
    call = (
        f"qnn::add_streams<{pe}, {cpp_type(a.element)}, {cpp_type(b.element)}, "
        f"{cpp_type(out.element)}>(in0_V, in1_V, out0_V, {a.words_per_frame()}, 1);"
    )
    return Kernel("qnn/streams.h", [call], summary=f"dataflow.add_streams PE={pe}")


def _duplicate_streams(op: df.DuplicateStreamsOp, name: str) -> Kernel:
    x = df.stream_type(op.x)
    n = len(op.outputs)
    if n > 3:
        raise EmitError(
            f"{name} (dataflow.duplicate_streams): {n} outputs; the HLS library has 2 or 3"
        )
    pe = op.pe.value.data
    outs = ", ".join(f"out{i}_V" for i in range(n))
    call = (
        f"qnn::duplicate_streams<{pe}, {cpp_type(x.element)}>(in0_V, {outs}, "
        f"{x.words_per_frame()}, 1);"
    )
    return Kernel("qnn/streams.h", [call], summary=f"dataflow.duplicate_streams x{n} PE={pe}")


def _channelwise(op: df.ChannelwiseOp, name: str) -> Kernel:
    x, out = df.stream_type(op.x), df.stream_type(op.result)
    c = x.shape[-1]
    pe = op.pe.value.data
    p, p_dtype = _constant(op.params, f"{name}: params")
    p = _channel_rows(p.reshape(-1), c)
    table = value_table(
        "params",
        pe_interleave(p, pe),
        p_dtype,
        f"{name}: params",
        f"params[p][n] = P[n*{pe}+p], {cpp_type(p_dtype)}",
    )
    functor = "qnn::ChannelwiseAdd" if op.op.data == "add" else "qnn::ChannelwiseMul"
    call = (
        f"qnn::channelwise<{c}, {pe}, {cpp_type(x.element)}, {cpp_type(p_dtype)}, "
        f"{cpp_type(out.element)}, {functor}>(in0_V, out0_V, qnn::params::{name}::params, "
        f"{_frame_vectors(x)}, 1);"
    )
    return Kernel(
        "qnn/channelwise.h", [call], [table], f"dataflow.channelwise {op.op.data} C={c} PE={pe}"
    )


def _label_select(op: df.LabelSelectOp, name: str) -> Kernel:
    x, out = df.stream_type(op.x), df.stream_type(op.result)
    n = x.shape[-1]
    pe, k = op.pe.value.data, op.k.value.data
    call = (
        f"qnn::label_select<{n}, {pe}, {k}, {cpp_type(x.element)}, {cpp_type(out.element)}>"
        f"(in0_V, out0_V, {_frame_vectors(x)});"
    )
    return Kernel("qnn/label_select.h", [call], summary=f"dataflow.label_select N={n} K={k}")


def _dwc(op: df.DWCOp, name: str) -> Kernel:
    x, out = df.stream_type(op.x), df.stream_type(op.result)
    call = (
        f"qnn::dwc<{x.word_width()}, {out.word_width()}, {x.words_per_frame()}>(in0_V, out0_V, 1);"
    )
    return Kernel(
        "qnn/dwc.h", [call], summary=f"dataflow.dwc {x.word_width()} -> {out.word_width()} bits"
    )


def _concat(op: df.ConcatOp, name: str) -> Kernel:
    """No library kernel: per pixel, the words of input 0, then input 1, ..."""
    out = df.stream_type(op.result)
    pixels = _frame_vectors(out)
    lines = [f"for (unsigned px = 0; px < {pixels}; px++) {{"]
    for i, value in enumerate(op.inputs):
        s = df.stream_type(value)
        words = s.shape[-1] // s.lanes
        lines += [
            f"  for (unsigned i = 0; i < {words}; i++) {{",
            "    QNN_PRAGMA(HLS PIPELINE II=1)",
            f"    out0_V.write(in{i}_V.read());",
            "  }",
        ]
    lines.append("}")
    return Kernel(
        "qnn/common.h", lines, summary=f"dataflow.concat of {len(op.inputs)} streams (generated)"
    )


_KERNELS: dict[type[Operation], Any] = {
    df.MVAUOp: _mvau,
    df.VVAUOp: _vvau,
    df.SWGOp: _swg,
    df.FMPaddingOp: _fm_padding,
    df.ThresholdingOp: _thresholding,
    df.MaxPoolOp: _maxpool,
    df.PoolOp: _pool,
    df.GlobalAccPoolOp: _global_acc_pool,
    df.AddStreamsOp: _add_streams,
    df.DuplicateStreamsOp: _duplicate_streams,
    df.ChannelwiseOp: _channelwise,
    df.LabelSelectOp: _label_select,
    df.DWCOp: _dwc,
    df.ConcatOp: _concat,
}


def kernel_of(op: Operation, name: str) -> Kernel:
    generator = _KERNELS.get(type(op))
    if generator is None:
        raise EmitError(f"{name}: no HLS kernel for {op.name}")
    return generator(op, name)


# --------------------------------------------------------------------------- files


def _signature(op: Operation, name: str) -> str:
    ins, outs = naming.port_names(op)
    in_widths = [
        df.stream_type(v).word_width() for v in op.operands if isinstance(v.type, StreamType)
    ]
    out_widths = [df.stream_type(r).word_width() for r in op.results]
    params = [stream_arg(w, n) for w, n in zip(in_widths, ins, strict=True)]
    params += [stream_arg(w, n) for w, n in zip(out_widths, outs, strict=True)]
    return f"void {name}({', '.join(params)})"


def kernel_source(op: Operation, name: str, kernel: Kernel) -> str:
    ins, outs = naming.port_names(op)
    lines = [
        f"// {name}: {kernel.summary}",
        MARKER,
        GCC_QUIRK,
        f"#include <{kernel.header}>  // first: qnn/common.h must precede ap_int.h",
    ]
    if kernel.tables:
        lines.append(f'#include "{params_header(name)}"')
    lines += ["", f"{_signature(op, name)} {{"]
    for port in ins + outs:
        lines.append(f"  QNN_PRAGMA(HLS INTERFACE axis port={port})")
    lines.append("  QNN_PRAGMA(HLS INTERFACE ap_ctrl_none port=return)")
    if kernel.storage is not None:
        lines.append(
            f"  QNN_PRAGMA(HLS BIND_STORAGE variable=qnn::params::{name}::weights "
            f"type=rom_2p impl={kernel.storage})"
        )
    lines += [f"  {line}" for line in kernel.body]
    lines.append("}")
    return "\n".join(lines) + "\n"


_CSIM_TABLES = """\
#ifndef __SYNTHESIS__
#ifndef QNN_CSIM_TABLES
#define QNN_CSIM_TABLES
namespace qnn {
namespace csim {
// C simulation only: g++ compiles large initializer lists of ap_(u)int objects very slowly
// (each element is a dynamic initialization), so the literals below initialize plain
// integer (or, for words wider than 64 bits, string) arrays, converted once at start-up.
template <typename T, typename R, unsigned D0, unsigned D1>
struct table2 {
  T data[D0][D1];
  explicit table2(const R (&raw)[D0][D1]) {
    for (unsigned i = 0; i < D0; i++)
      for (unsigned j = 0; j < D1; j++) data[i][j] = T(raw[i][j]);
  }
};
template <typename T, typename R, unsigned D0, unsigned D1, unsigned D2>
struct table3 {
  T data[D0][D1][D2];
  explicit table3(const R (&raw)[D0][D1][D2]) {
    for (unsigned i = 0; i < D0; i++)
      for (unsigned j = 0; j < D1; j++)
        for (unsigned k = 0; k < D2; k++) data[i][j][k] = T(raw[i][j][k]);
  }
};
}  // namespace csim
}  // namespace qnn
#endif
#endif
"""


def params_source(op: Operation, name: str, tables: Sequence[Table]) -> str:
    guard = f"QNN_PARAMS_{name.upper()}_H"
    lines = [
        f"// {name} ({op.name}): constant tables, PE-interleaved (hls/lib/README.md).",
        MARKER,
        f"#ifndef {guard}",
        f"#define {guard}",
        "",
        "#include <qnn/common.h>",
        "",
        _CSIM_TABLES,
        f"namespace qnn {{\nnamespace params {{\nnamespace {name} {{",
    ]
    for t in tables:
        dims = "".join(f"[{d}]" for d in t.dims)
        init = _nest(t.rows, t.dims)
        lines += [
            "",
            f"// {t.comment}",
            "#ifdef __SYNTHESIS__",
            f"static const {t.element} {t.name}{dims} =",
            "#else",
            f"static {t.raw} const {t.name}_raw{dims} =",
            "#endif",
            f"{init};",
            "#ifndef __SYNTHESIS__",
            f"static const qnn::csim::table{len(t.dims)}<{t.element}, {t.raw}, "
            f"{', '.join(map(str, t.dims))}> {t.name}_table({t.name}_raw);",
            f"static const {t.element} (&{t.name}){dims} = {t.name}_table.data;",
            "#endif",
        ]
    lines += ["", f"}}  // namespace {name}\n}}  // namespace params\n}}  // namespace qnn", ""]
    lines.append(f"#endif  // {guard}")
    return "\n".join(lines) + "\n"


@dataclass
class Node:
    """A stream of `top.cpp`: an input port, an output port, or an internal stream."""

    width: int
    words: int
    kind: str  # "in", "out", "internal"
    index: int = -1  # port index
    depth: int = 0
    name: str = ""
    label: str = ""


@dataclass
class TopPlan:
    inputs: list[Node]
    outputs: list[Node]
    internal: list[Node]
    calls: list[tuple[str, list[Node]]]  # (callee expression, argument nodes) in order
    prototypes: list[str]


def plan_top(partition: df.PartitionOp, names: dict[Operation, str]) -> TopPlan:
    """Resolve FIFOs and reshapes onto streams and place the pass-through copies."""
    node_of: dict[SSAValue, Node] = {}
    inputs: list[Node] = []
    internal: list[Node] = []
    calls: list[tuple[str, list[Node]]] = []
    prototypes: list[str] = []

    def new_internal(stream: StreamType, label: str) -> Node:
        node = Node(stream.word_width(), stream.words_per_frame(), "internal", label=label)
        internal.append(node)
        return node

    def copy(src: Node, dst: Node) -> None:
        calls.append((f"qnn::dwc<{src.width}, {src.width}, {src.words}>", [src, dst]))

    for i, arg in enumerate(partition.block.args):
        stream = df.stream_type(arg)
        if stream.is_depthwise:
            raise EmitError(f"partition input {i} is in depthwise order; ports must be standard")
        node = Node(stream.word_width(), stream.words_per_frame(), "in", i)
        inputs.append(node)
        node_of[arg] = node

    for op in partition.block.ops:
        if not isinstance(op, df.Layer):
            continue  # the constants (weights, thresholds) and the yield
        name = names[op]
        if isinstance(op, df.ReshapeOp):
            node_of[op.result] = node_of[op.x]
            continue
        if isinstance(op, df.FIFOOp):
            src = node_of[op.x]
            if src.kind == "internal":
                node_of[op.result] = src
            else:
                dst = new_internal(df.stream_type(op.result), f"{name}_out0")
                copy(src, dst)
                node_of[op.result] = dst
                src = dst
            src.depth += op.depth.value.data
            continue
        args = [node_of[v] for v in op.operands if isinstance(v.type, StreamType)]
        for i, result in enumerate(op.results):
            node = new_internal(df.stream_type(result), f"{name}_out{i}")
            node_of[result] = node
            args.append(node)
        calls.append((name, args))
        prototypes.append(_signature(op, name) + ";")

    terminator = partition.block.last_op
    assert isinstance(terminator, df.YieldOp)
    outputs: list[Node] = []
    for i, value in enumerate(terminator.values):
        stream = df.stream_type(value)
        if stream.is_depthwise:
            raise EmitError(f"partition output {i} is in depthwise order; ports must be standard")
        src = node_of[value]
        port = Node(stream.word_width(), stream.words_per_frame(), "out", i)
        outputs.append(port)
        if src.kind == "internal" and src.depth == 0:
            src.kind, src.index = "out", i  # the producer writes the port directly
            internal.remove(src)
            outputs[-1] = src
        else:
            copy(src, port)
    for node in internal + inputs + outputs:
        if node.width > AP_INT_MAX_W:
            raise EmitError(
                f"{node.width}-bit stream words exceed AP_INT_MAX_W = {AP_INT_MAX_W}; "
                f"fold the layer ({node.label or node.kind})"
            )
    return TopPlan(inputs, outputs, internal, calls, prototypes)


def _name_nodes(plan: TopPlan, names: dict[Operation, str]) -> None:
    """Port and stream names of `top`: distinct from every layer (function) name."""
    taken = {n.lower() for n in names.values()} | {TOP}
    for node in plan.inputs:
        node.name = cpp_identifier(f"in{node.index}_V", taken)
    for node in plan.outputs:
        node.name = cpp_identifier(f"out{node.index}_V", taken)
    for node in plan.internal:
        node.name = cpp_identifier(node.label, taken)


def top_signature(plan: TopPlan) -> str:
    params = [stream_arg(n.width, n.name) for n in plan.inputs + plan.outputs]
    return f"void {TOP}({', '.join(params)})"


def top_sources(partition: df.PartitionOp, names: dict[Operation, str]) -> tuple[str, str, TopPlan]:
    """(`top.h`, `top.cpp`, the plan)."""
    plan = plan_top(partition, names)
    _name_nodes(plan, names)
    sig = top_signature(plan)
    header = "\n".join(
        [
            "// The accelerator: the dataflow partition as one function (hls/top.cpp).",
            MARKER,
            "#ifndef QNN_TOP_H",
            "#define QNN_TOP_H",
            "",
            "#include <qnn/common.h>",
            "",
            "// One frame per call; ports carry stream words (lane 0 at the LSB).",
            f"{sig};",
            "",
            "#endif  // QNN_TOP_H",
            "",
        ]
    )
    lines = [
        f"// top: the whole dataflow partition ({len(plan.calls)} processes) as one",
        "// #pragma HLS DATAFLOW function over hls::streams; one frame per call.",
        MARKER,
        GCC_QUIRK,
        '#include "top.h"  // first: qnn/common.h must precede ap_int.h',
        "#include <qnn/dwc.h>",
        "",
        "// The layer kernels (hls/<layer>.cpp).",
        *plan.prototypes,
        "",
        f"{sig} {{",
    ]
    for node in plan.inputs + plan.outputs:
        lines.append(f"  QNN_PRAGMA(HLS INTERFACE axis port={node.name})")
    lines += ["  QNN_PRAGMA(HLS INTERFACE ap_ctrl_none port=return)", "  QNN_PRAGMA(HLS DATAFLOW)"]
    for node in plan.internal:
        lines.append(f'  hls::stream<{word_type(node.width)} > {node.name}("{node.name}");')
        if node.depth:
            lines.append(f"  QNN_PRAGMA(HLS STREAM variable={node.name} depth={node.depth})")
    for callee, args in plan.calls:
        if callee.startswith("qnn::dwc"):
            lines.append(f"  {callee}({', '.join(a.name for a in args)}, 1);")
        else:
            lines.append(f"  {callee}({', '.join(a.name for a in args)});")
    lines.append("}")
    return header, "\n".join(lines) + "\n", plan


TESTBENCH = """\
// C simulation testbench: N frames through top(), words from/to binary files.
//   testbench N IN0.bin ... OUT0.bin ...
// A file holds the frames' words back to back, each word in ceil(W/8) bytes, least
// significant byte first (backend_hls.csim writes and reads them).
{marker}
{quirk}
#include "top.h"  // first: qnn/common.h must precede ap_int.h

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

template <int W>
static bool read_words(const char *path, hls::stream<ap_uint<W> > &s, unsigned long long n) {{
  const int B = (W + 7) / 8;
  FILE *f = std::fopen(path, "rb");
  if (!f) return false;
  std::vector<unsigned char> buf((size_t)B * n);
  const size_t got = n ? std::fread(&buf[0], 1, buf.size(), f) : 0;
  std::fclose(f);
  if (got != buf.size()) return false;
  for (unsigned long long i = 0; i < n; i++) {{
    const unsigned char *b = &buf[(size_t)i * B];
    ap_uint<W> w = 0;
    if (W <= 64) {{
      unsigned long long v = 0;
      for (int j = 0; j < B; j++) v |= (unsigned long long)b[j] << (8 * j);
      w = v;
    }} else {{
      for (int j = 0; j < B; j++) {{
        const int hi = (8 * j + 7 < W) ? 8 * j + 7 : W - 1;
        w.range(hi, 8 * j) = b[j];
      }}
    }}
    s.write(w);
  }}
  return true;
}}

template <int W>
static bool write_words(const char *path, hls::stream<ap_uint<W> > &s, unsigned long long n) {{
  const int B = (W + 7) / 8;
  if (s.size() != n) {{
    std::fprintf(stderr, "testbench: %s: %llu words produced, %llu expected\\n", path,
                 (unsigned long long)s.size(), n);
    return false;
  }}
  std::vector<unsigned char> buf((size_t)B * n);
  for (unsigned long long i = 0; i < n; i++) {{
    const ap_uint<W> w = s.read();
    for (int j = 0; j < B; j++) {{
      const int hi = (8 * j + 7 < W) ? 8 * j + 7 : W - 1;
      buf[(size_t)i * B + j] = (unsigned char)w.range(hi, 8 * j).to_uint();
    }}
  }}
  FILE *f = std::fopen(path, "wb");
  if (!f) return false;
  const size_t put = n ? std::fwrite(&buf[0], 1, buf.size(), f) : 0;
  return std::fclose(f) == 0 && put == buf.size();
}}

int main(int argc, char **argv) {{
  if (argc != {argc}) {{
    std::fprintf(stderr, "usage: testbench N{usage}\\n");
    return 2;
  }}
  const unsigned long long frames = std::strtoull(argv[1], 0, 10);
{declare}
{read}
  const auto start = std::chrono::steady_clock::now();
  for (unsigned long long n = 0; n < frames; n++) {{
    top({call_args});
  }}
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
{drain}
{write}
  std::printf("qnn-csim: %llu frames in %.6f s\\n", frames, seconds);
  return 0;
}}
"""


def testbench_source(plan: TopPlan) -> str:
    declare, read, drain, write = [], [], [], []
    usage = ""
    arg = 2
    for node in plan.inputs:
        declare.append(f'  hls::stream<{word_type(node.width)} > {node.name}("{node.name}");')
        read.append(
            f"  if (!read_words<{node.width}>(argv[{arg}], {node.name}, frames * {node.words}ULL)) {{\n"
            f'    std::fprintf(stderr, "testbench: cannot read %s\\n", argv[{arg}]);\n'
            "    return 1;\n  }"
        )
        drain.append(
            f"  if (!{node.name}.empty()) {{\n"
            f'    std::fprintf(stderr, "testbench: input {node.index} not fully consumed\\n");\n'
            "    return 1;\n  }"
        )
        usage += f" IN{node.index}.bin"
        arg += 1
    for node in plan.outputs:
        declare.append(f'  hls::stream<{word_type(node.width)} > {node.name}("{node.name}");')
        write.append(
            f"  if (!write_words<{node.width}>(argv[{arg}], {node.name}, frames * {node.words}ULL)) {{\n"
            f'    std::fprintf(stderr, "testbench: cannot write %s\\n", argv[{arg}]);\n'
            "    return 1;\n  }"
        )
        usage += f" OUT{node.index}.bin"
        arg += 1
    return TESTBENCH.format(
        marker=MARKER,
        quirk=GCC_QUIRK,
        argc=arg,
        usage=usage,
        declare="\n".join(declare),
        read="\n".join(read),
        call_args=", ".join(n.name for n in plan.inputs + plan.outputs),
        drain="\n".join(drain),
        write="\n".join(write),
    )


def unit_source(kernel_files: Sequence[str]) -> str:
    lines = [
        "// The C simulation as one translation unit: every kernel, top() and the testbench.",
        "// (Parsing the ap_int headers dominates the compile time of a unit, so one unit",
        "// builds faster than one per layer.) Synthesis uses hls/*.cpp directly.",
        MARKER,
        GCC_QUIRK,
        "#include <qnn/common.h>",
        *[f'#include "../hls/{f}"' for f in kernel_files],
        '#include "../hls/top.cpp"',
        '#include "testbench.cpp"',
    ]
    return "\n".join(lines) + "\n"


def build_script(hls_include: str | None) -> str:
    default = shlex.quote(hls_include) if hls_include else '""'
    flags = " ".join(CXXFLAGS)
    return f"""#!/bin/sh
# Build the C simulation of this qnn HLS project.
{MARKER.replace("//", "#")}
#   sh csim/build.sh [HLS_INCLUDE_DIR]
# HLS_INCLUDE_DIR holds the Xilinx simulation headers ap_int.h and hls_stream.h (a Vitis
# HLS installation's include/ directory, or hls4ml's templates/vivado/ap_types: the default
# below was found when this tree was emitted). $CXX overrides the compiler (g++).
# $QNN_CSIM_PCH (optional, set by backend_hls.csim) is a header to include first, precompiled
# with these flags (plus PCH_FLAGS: its pragmas do not carry the headers' warning settings).
set -u
cd "$(dirname "$0")" || exit 1
INC=${{1:-{default}}}
CXX=${{CXX:-g++}}
CXXFLAGS="{flags}"
PCH_FLAGS="{" ".join(PCH_FLAGS)}"
if [ ! -f "$INC/ap_int.h" ]; then
  echo "csim/build.sh: no ap_int.h in '$INC' (pass the HLS include directory)" >&2
  exit 1
fi
exec $CXX $CXXFLAGS ${{QNN_CSIM_PCH:+$PCH_FLAGS -include "$QNN_CSIM_PCH"}} -isystem "$INC" \\
  -I ../hls/lib -I ../hls csim.cpp -o testbench
"""


# --------------------------------------------------------------------------- host side


def split_host(partition: df.PartitionOp) -> ModuleOp:
    """`@pre` (the function's ops before the partition: arguments -> the partition's
    operands and the values used after it) and `@post` (the partition's results and those
    values -> the function's results), cloned from the partition's function."""
    func = partition.parent_op()
    if not isinstance(func, FuncOp) or partition.parent_block() is not func.body.block:
        raise EmitError("the dataflow.partition must sit directly in a func.func")
    ops = list(func.body.block.ops)
    k = ops.index(partition)
    pre_ops, post_ops = ops[:k], ops[k + 1 :]
    defined_before = set(func.args) | {r for op in pre_ops for r in op.results}
    crossing: list[SSAValue] = []
    cloned_into_post: list[Operation] = []
    for op in post_ops:
        for operand in op.operands:
            if operand not in defined_before or operand in crossing:
                continue
            owner = operand.owner
            if isinstance(owner, Operation) and not owner.operands and not owner.regions:
                if owner not in cloned_into_post:
                    cloned_into_post.append(owner)  # constants are re-created, not passed
                continue
            crossing.append(operand)

    pre_block = Block(arg_types=[a.type for a in func.args])
    mapping: dict[SSAValue, SSAValue] = dict(zip(func.args, pre_block.args, strict=True))
    for op in pre_ops:
        pre_block.add_op(op.clone(value_mapper=mapping))
    pre_results = [mapping[v] for v in [*partition.inputs, *crossing]]
    pre_block.add_op(ReturnOp(*pre_results))
    pre = FuncOp(
        "pre",
        FunctionType.from_lists([a.type for a in func.args], [v.type for v in pre_results]),
        Region(pre_block),
    )

    post_inputs = [*partition.outputs, *crossing]
    post_block = Block(arg_types=[v.type for v in post_inputs])
    mapping = dict(zip(post_inputs, post_block.args, strict=True))
    for op in cloned_into_post:
        post_block.add_op(op.clone(value_mapper=mapping))
    for op in post_ops:
        post_block.add_op(op.clone(value_mapper=mapping))
    returned = post_block.last_op
    assert isinstance(returned, ReturnOp)
    post = FuncOp(
        "post",
        FunctionType.from_lists([v.type for v in post_inputs], [v.type for v in returned.operands]),
        Region(post_block),
    )
    return ModuleOp([pre, post])


def _stream_format(stream: StreamType) -> dict[str, Any]:
    element = stream.element
    return {
        "frame": list(stream.shape),
        "lanes": stream.lanes,
        "bits": element.bitwidth,
        "datatype": str(element),
        "word_bits": stream.word_width(),
        "words_per_frame": stream.words_per_frame(),
    }


# --------------------------------------------------------------------------- the tree


def emit_files(module: ModuleOp, hls_include: str | None = None) -> dict[str, str]:
    """Every file of the tree: relative path -> text (see the module docstring)."""
    from qdialects.ir import print_module

    partition = df.require_partition(module, "hls-cpp")
    names = naming.layer_names(partition)
    for op, name in names.items():
        if clashes_with_cxx(name):
            raise EmitError(
                f"layer name {name!r} ({op.name}) collides with a name of the C++/HLS headers; "
                f"choose another with a qnn.name attribute"
            )
    files: dict[str, str] = {}
    kernel_files: list[str] = []
    for op in kernel_layers(partition):
        name = names[op]
        kernel = kernel_of(op, name)
        files[f"hls/{name}.cpp"] = kernel_source(op, name, kernel)
        kernel_files.append(f"{name}.cpp")
        if kernel.tables:
            files[f"hls/{params_header(name)}"] = params_source(op, name, kernel.tables)
    header, top, plan = top_sources(partition, names)
    files["hls/top.h"] = header
    files["hls/top.cpp"] = top
    for path in sorted((toolchain.LIB_DIR / "qnn").glob("*.h")):
        files[f"hls/lib/qnn/{path.name}"] = path.read_text(encoding="utf-8")
    readme = toolchain.LIB_DIR / "README.md"
    if readme.is_file():
        files["hls/lib/README.md"] = readme.read_text(encoding="utf-8")
    files["csim/testbench.cpp"] = testbench_source(plan)
    files["csim/csim.cpp"] = unit_source(kernel_files)
    files["csim/build.sh"] = build_script(hls_include)
    files["csim/host.mlir"] = print_module(split_host(partition))
    terminator = partition.block.last_op
    assert isinstance(terminator, df.YieldOp)
    io = {
        "top": TOP,
        "inputs": [
            {**_stream_format(df.stream_type(a)), "port": n.name}
            for a, n in zip(partition.block.args, plan.inputs, strict=True)
        ],
        "outputs": [
            {**_stream_format(df.stream_type(v)), "port": n.name}
            for v, n in zip(terminator.values, plan.outputs, strict=True)
        ],
        "layers": {names[op]: op.name for op in partition.layers()},
    }
    files["csim/io.json"] = json.dumps(io, indent=2) + "\n"
    return files


def _default_include() -> str | None:
    try:
        return str(toolchain.find_ap_types_dir())
    except toolchain.ToolchainError:
        return None


def emit(
    module: ModuleOp,
    out_dir: str | os.PathLike[str],
    hls_include: str | os.PathLike[str] | None = None,
) -> list[str]:
    """Write the HLS C++ tree of `module` into `out_dir` (created if needed; files of the
    same paths are overwritten, other files are left alone, a previous C simulation build
    is removed). Returns the written paths, relative to `out_dir`.

    `hls_include` is the default include directory `csim/build.sh` records (default: the
    ap_types headers `backend_hls.toolchain` finds)."""
    include = str(hls_include) if hls_include is not None else _default_include()
    files = emit_files(module, include)
    out = Path(out_dir)
    for stale in ("csim/testbench", "csim/build.stamp"):
        (out / stale).unlink(missing_ok=True)
    for relative, text in files.items():
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (out / "csim/build.sh").chmod(0o755)
    return list(files)


# --------------------------------------------------------------------------- target


@dataclass(frozen=True)
class HlsCppTarget(TreeTarget):
    """`-t hls-cpp`: with `-o DIR` the HLS C++ tree (`emit`); without, the list of files
    and `hls/top.cpp`."""

    name = "hls-cpp"

    def emit_tree(self, ctx: Context, module: ModuleOp, out_dir: Path) -> None:
        emit(module, out_dir)

    def emit(self, ctx: Context, module: ModuleOp, output: IO[str]) -> None:
        files = emit_files(module, None)
        output.write(f"// hls-cpp: {len(files)} files (write them with -o DIR)\n")
        for path in files:
            output.write(f"//   {path}\n")
        output.write("// ==== hls/top.cpp ====\n")
        output.write(files["hls/top.cpp"])
