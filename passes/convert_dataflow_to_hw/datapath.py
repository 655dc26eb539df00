"""Datapath pieces shared by the compute layers: encoding constant tables into words,
decoding stream lanes into integers, and the threshold activation.

Encoding: an element of a QONNX datatype of B bits is stored as its B-bit two's
complement (unsigned types: the value itself); bipolar -1/+1 as 0/1. A table word holds
lanes least significant first: lane i at bits [i*B, (i+1)*B).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from xdsl.ir import SSAValue

from passes.convert_dataflow_to_hw.netlist import Netlist, width_of
from qdialects.types import BipolarType, IntType, QDataType, smallest_datatype


def encode(values: np.ndarray, datatype: QDataType) -> np.ndarray:
    """The lane codes (uint64) of integer `values` of `datatype` (module docstring)."""
    values = np.asarray(values, dtype=np.int64)
    if isinstance(datatype, BipolarType):
        return (values > 0).astype(np.uint64)
    mask = (1 << datatype.bitwidth) - 1
    return (values & mask).astype(np.uint64)


def pack_words(codes: np.ndarray, bits: int) -> list[int]:
    """Row r of the `words x lanes` code matrix as one integer, lane 0 lowest."""
    words, lanes = codes.shape
    shifts = np.arange(bits, dtype=np.uint64)
    bitmatrix = ((codes[:, :, None] >> shifts) & np.uint64(1)).astype(np.uint8)
    packed = np.packbits(bitmatrix.reshape(words, lanes * bits), axis=1, bitorder="little")
    return [int.from_bytes(row.tobytes(), "little") for row in packed]


def table_words(table: np.ndarray, datatype: QDataType) -> list[int]:
    """The words of a constant table whose last axis is the word's lanes (lane 0 first,
    the leading axes flattened in order), each lane encoded in `datatype`."""
    codes = encode(table.reshape(-1, table.shape[-1]), datatype)
    return pack_words(codes, datatype.bitwidth)


def signed_type(lo: int, hi: int) -> IntType:
    """The narrowest signed integer type holding [lo, hi]."""
    return IntType(smallest_datatype(min(lo, -1), hi).bitwidth)


def lanes(net: Netlist, word: SSAValue, count: int) -> list[SSAValue]:
    """The `count` equal lanes of a word, lane 0 first."""
    bits = width_of(word) // count
    return [net.extract(word, i * bits, bits) for i in range(count)]


def decode(net: Netlist, lane: SSAValue, datatype: QDataType, width: int) -> SSAValue:
    """A lane of `datatype` as a `width`-bit two's complement integer."""
    if isinstance(datatype, BipolarType):
        return net.mux(lane, net.const(1, width), net.const(-1, width))
    return net.resize(lane, width, datatype.signed)


def value_bits(datatype: QDataType) -> int:
    """Bits of the two's complement value of `datatype` (bipolar needs 2 for -1/+1)."""
    return 2 if isinstance(datatype, BipolarType) else datatype.bitwidth


def threshold_count(
    net: Netlist, acc: SSAValue, thresholds: Sequence[SSAValue], signed: bool
) -> SSAValue:
    """`Σ_i [acc >= T_i]` as an integer of enough bits for len(thresholds)."""
    predicate = "sge" if signed else "uge"
    bits = max(1, len(thresholds).bit_length())
    hits = [net.resize(net.icmp(predicate, acc, t), bits, False) for t in thresholds]
    return net.add(*hits)


def activation_output(
    net: Netlist, count: SSAValue, scale: int, bias: int, out: QDataType
) -> SSAValue:
    """`scale * count + bias` as a lane of the output datatype (a bipolar output is the
    count itself: one threshold, -1 -> 0, +1 -> 1)."""
    if isinstance(out, BipolarType):
        return net.extract(count, 0, 1)
    bits = out.bitwidth
    value = net.resize(count, bits, False)
    if scale != 1:
        value = net.mul(value, net.const(scale, bits))
    if bias != 0:
        value = net.add(value, net.const(bias, bits))
    return value


def threshold_words(
    thresholds: np.ndarray, channels: int, pe: int, datatype: QDataType
) -> list[int]:
    """The C/PE words of a `C x N` (or `1 x N`, shared) threshold table: word f holds
    PE·N lanes of `datatype`, T[f*PE + p, i] (sorted ascending in i) at lane p*N + i."""
    t = np.sort(np.asarray(thresholds, dtype=np.int64), axis=1)
    t = np.broadcast_to(t, (channels, t.shape[1]))
    codes = encode(t.reshape(channels // pe, pe * t.shape[1]), datatype)
    return pack_words(codes, datatype.bitwidth)
