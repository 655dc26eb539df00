"""RTL of the pooling layers.

`dataflow.pool` (modes max and sum) and `dataflow.maxpool`: as in the HLS library, a
sliding-window generator (`swg.window_module`, depthwise order with SIMD = PE: per output
pixel, per channel fold, the KH·KW window words) feeds a reducer, both inside the
layer's module; the window engine's schedule gives the op's estimate
(`IFMh·IFMw·C/PE + OFMh·OFMw·KH·KW·C/PE`). Reducer (`StallPipeline`, TREADY of the
window = `enable`):
  issue   a counter over the KH·KW words of one window  (fire = enable and word valid)
  stage 1 registered word, first/last flags; per lane the running reduction (a register
          of the accumulated lanes): max keeps the input lane bits of the larger value
          (compared as signed integers holding the input datatype, bipolar as ±1); sum
          adds the decoded lanes in a width holding K·[min, max] and the shifted result
  then the output slice gets max's lanes, or sum's `floor(sum / 2^shift)` truncated to
  the output lanes (bits [shift, shift + B) of the two's complement sum).

`dataflow.global_acc_pool`: per channel the sum over the frame's pixels. Word n of a
pixel holds channels n*PE ..; the running sums of the C/PE channel folds live in an
accumulator memory (`qnn_ram` of C/PE words of PE output lanes, or one register when
C/PE = 1), read asynchronously and written back in the same stage:
  issue   fold and pixel counters                     (fire = enable and input valid)
  stage 1 registered input word; sum = (first pixel ? 0 : acc[fold]) + x per lane,
          written back to acc[fold]; on the last pixel the sums are the output word
  then the output slice. The sums are taken modulo 2^B of the output lanes (exact: the
  verifier guarantees that the output datatype holds them). One input word per cycle,
  the output words leave while the last pixel streams in: H·W·C/PE cycles per frame.
"""

from __future__ import annotations

import math

from xdsl.ir import SSAValue

from passes.convert_dataflow_to_hw.datapath import decode, lanes, signed_type
from passes.convert_dataflow_to_hw.interface import (
    HwDesign,
    StreamModule,
    folded_memory,
    stream_instance,
)
from passes.convert_dataflow_to_hw.netlist import Netlist, width_of
from passes.convert_dataflow_to_hw.pipeline import StallPipeline
from passes.convert_dataflow_to_hw.swg import Geometry, window_module
from qdialects import dataflow as df
from qdialects.dataflow.ops import stream_type
from qdialects.types import QDataType
from qdialects.utils import ints


def lower_global_acc_pool(layer: df.GlobalAccPoolOp, name: str, design: HwDesign) -> str:
    x_stream, out_stream = stream_type(layer.x), stream_type(layer.result)
    h, w, channels = x_stream.shape
    pe, bits = layer.pe.value.data, out_stream.element.bitwidth
    folds = channels // pe
    m = StreamModule(name, [x_stream.word_width()], [out_stream.word_width()])
    net = m.netlist
    pipe = StallPipeline(design, m)
    fire = net.and_(pipe.enable, m.input_valid[0])
    fold, fold_last = net.counter(folds, fire)
    pixel, pixel_last = net.counter(h * w, net.and_(fire, fold_last))

    v1, x1 = pipe.valid(fire), pipe.stage(m.input_data[0])
    fold1 = pipe.stage(fold)
    first1, last1 = pipe.stage(net.eq_const(pixel, 0)), pipe.stage(pixel_last)
    sums_wire, sums_next = net.forward(pe * bits)
    write = net.and_(pipe.enable, v1)
    stored = folded_memory(design, net, "accumulators", folds, fold1, write, sums_wire)
    previous = net.mux(first1, net.const(0, pe * bits), stored)
    sums = [
        net.add(acc, decode(net, x, x_stream.element, bits))
        for acc, x in zip(lanes(net, previous, pe), lanes(net, x1, pe), strict=True)
    ]
    word = net.concat(sums)
    net.drive(sums_next, word)
    out = pipe.output(word, net.and_(v1, last1))
    return design.add(m.finish([pipe.enable], [out.data], [out.valid]))


def _max(
    net: Netlist, word: SSAValue, acc: SSAValue, first: SSAValue, pe: int, x_type: QDataType
) -> tuple[SSAValue, SSAValue]:
    """The running maximum per lane (input lane bits): (next accumulator, output word)."""
    bits = signed_type(x_type.min_value, x_type.max_value).bitwidth
    kept = []
    for x, a in zip(lanes(net, word, pe), lanes(net, acc, pe), strict=True):
        larger = net.icmp("sgt", decode(net, x, x_type, bits), decode(net, a, x_type, bits))
        kept.append(net.mux(net.or_(first, larger), x, a))
    result = net.concat(kept)
    return result, result


def _sum(
    net: Netlist, word: SSAValue, acc: SSAValue, first: SSAValue, layer: df.PoolOp
) -> tuple[SSAValue, SSAValue]:
    """The running sum per lane: (next accumulator, output word of the shifted sums)."""
    pe, x_type = layer.pe.value.data, stream_type(layer.x).element
    out_bits, shift = stream_type(layer.result).element.bitwidth, layer.shift.value.data
    bits = width_of(acc) // pe
    sums = [
        net.add(net.mux(first, net.const(0, bits), a), decode(net, x, x_type, bits))
        for x, a in zip(lanes(net, word, pe), lanes(net, acc, pe), strict=True)
    ]
    return net.concat(sums), net.concat([net.extract(v, shift, out_bits) for v in sums])


def _accumulator_bits(layer: df.PoolOp | df.MaxPoolOp) -> int:
    """Bits per lane of the running reduction."""
    x_type = stream_type(layer.x).element
    if isinstance(layer, df.MaxPoolOp) or layer.mode.data == "max":
        return x_type.bitwidth
    size = math.prod(ints(layer.kernel))
    sum_bits = signed_type(size * x_type.min_value, size * x_type.max_value).bitwidth
    return max(sum_bits, layer.shift.value.data + stream_type(layer.result).element.bitwidth)


def lower_pool(layer: df.PoolOp | df.MaxPoolOp, name: str, design: HwDesign) -> str:
    x_stream, out_stream = stream_type(layer.x), stream_type(layer.result)
    h, w, channels = x_stream.shape
    pe = layer.pe.value.data
    (kh, kw), stride = ints(layer.kernel), ints(layer.stride)
    folds = channels // pe
    geometry = Geometry(h, folds, w * folds, kh, (kh, kw), (stride[0], stride[1]), (1, 1),
                        layer.out_dims())  # fmt: skip
    width = x_stream.word_width()
    window = window_module(design, f"{name}_window", geometry, True, width)

    m = StreamModule(name, [width], [out_stream.word_width()])
    net = m.netlist
    pipe = StallPipeline(design, m)
    (in_ready,), ((word, valid),) = stream_instance(
        net, "window", window, m.reset_n, [(m.input_data[0], m.input_valid[0])],
        [pipe.enable], [width],
    )  # fmt: skip
    fire = net.and_(pipe.enable, valid)
    position, position_last = net.counter(kh * kw, fire)
    v1, x1 = pipe.valid(fire), pipe.stage(word)
    first1, last1 = pipe.stage(net.eq_const(position, 0)), pipe.stage(position_last)

    acc, acc_next = net.register(pe * _accumulator_bits(layer))
    if isinstance(layer, df.PoolOp) and layer.mode.data == "sum":
        following, result = _sum(net, x1, acc, first1, layer)
    else:
        following, result = _max(net, x1, acc, first1, pe, x_stream.element)
    net.drive(acc_next, net.mux(net.and_(pipe.enable, v1), following, acc))
    out = pipe.output(result, net.and_(v1, last1))
    return design.add(m.finish([in_ready], [out.data], [out.valid]))
