"""One synthesizable kernel per HLS layer (`hls/<layer>.cpp`): `kernel_of` maps each
`dataflow` layer to the library template call with its parameters and tables."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from xdsl.ir import Operation, SSAValue

from backend_hls.emit_cpp.cxx import GCC_QUIRK, MARKER, EmitError, cpp_type, stream_arg
from backend_hls.emit_cpp.tables import (
    Table,
    channel_rows,
    integer_constant,
    pe_interleave,
    value_table,
    word_table,
)
from backend_hls.naming import params_header
from backend_hls.runtime.packing import lane_codes
from qdialects import dataflow as df
from qdialects.dataflow import naming
from qdialects.dataflow.types import StreamType
from qdialects.types import (
    BipolarType,
    QDataType,
    smallest_datatype,
)
from qdialects.utils import ints


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
    t, t_dtype = integer_constant(thresholds, f"{name}: thresholds")
    t = channel_rows(t, channels)
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
    w, w_dtype = integer_constant(op.weights, f"{name}: weights")
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
    w, w_dtype = integer_constant(op.weights, f"{name}: weights")
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
    if op.is_parallel_window:
        call = (
            f"qnn::swg_parallel<{h}, {w}, {c}, {kh}, {kw}, {sh}, {sw}, {dh}, {dw}, {t}>"
            f"(in0_V, out0_V, 1);"
        )
    else:
        depthwise = "true" if op.is_depthwise else "false"
        call = (
            f"qnn::swg<{h}, {w}, {c}, {kh}, {kw}, {sh}, {sw}, {dh}, {dw}, {simd}, {t}, "
            f"{depthwise}>(in0_V, out0_V, 1);"
        )
    mode = " depthwise" if op.is_depthwise else " parallel_window" if op.is_parallel_window else ""
    summary = (
        f"dataflow.swg {h}x{w}x{c} kernel {kh}x{kw} stride {sh}x{sw} dilation {dh}x{dw} "
        f"SIMD={simd}{mode}"
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
    p, p_dtype = integer_constant(op.params, f"{name}: params")
    p = channel_rows(p.reshape(-1), c)
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


def _upsample(op: df.UpsampleOp, name: str) -> Kernel:
    x = df.stream_type(op.x)
    h, w, c = x.shape
    sh, sw = op.scales()
    pe = op.pe.value.data
    call = (
        f"qnn::upsample<{h}, {w}, {c}, {sh}, {sw}, {pe}, {cpp_type(x.element)}>(in0_V, out0_V, 1);"
    )
    return Kernel("qnn/layout.h", [call], summary=f"dataflow.upsample x{sh}x{sw} PE={pe}")


def _depth_to_space(op: df.DepthToSpaceOp, name: str) -> Kernel:
    x = df.stream_type(op.x)
    h, w, c = x.shape
    pe, crd = op.pe.value.data, int(op.mode.data == "CRD")
    call = (
        f"qnn::depth_to_space<{h}, {w}, {c}, {op.block}, {crd}, {pe}, {cpp_type(x.element)}>"
        "(in0_V, out0_V, 1);"
    )
    summary = f"dataflow.depth_to_space b={op.block} {op.mode.data} PE={pe}"
    return Kernel("qnn/layout.h", [call], summary=summary)


def _slice(op: df.SliceOp, name: str) -> Kernel:
    x = df.stream_type(op.x)
    if len(x.shape) > 3:
        raise EmitError(f"{name} (dataflow.slice): a {len(x.shape)}-D frame; the kernel has 3")
    missing = 3 - len(x.shape)
    h, w, c = (1,) * missing + x.shape
    ranges = [(0, 1, 1)] * missing + op.ranges()
    bounds = ", ".join(str(v) for r in ranges for v in r)
    pe = op.pe.value.data
    call = f"qnn::slice<{h}, {w}, {c}, {pe}, {cpp_type(x.element)}, {bounds}>(in0_V, out0_V, 1);"
    return Kernel("qnn/layout.h", [call], summary=f"dataflow.slice PE={pe}")


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
    df.UpsampleOp: _upsample,
    df.DepthToSpaceOp: _depth_to_space,
    df.SliceOp: _slice,
}


def kernel_of(op: Operation, name: str) -> Kernel:
    generator = _KERNELS.get(type(op))
    if generator is None:
        raise EmitError(f"{name}: no HLS kernel for {op.name}")
    return generator(op, name)


def kernel_signature(op: Operation, name: str) -> str:
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
    lines += ["", f"{kernel_signature(op, name)} {{"]
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
