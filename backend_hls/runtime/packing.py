"""Packing integer values into stream / memory words, and words into C++ literals.

Numpy only (no xDSL, no qnn import): this module is copied into every deployment package
(`OUT/deploy/qnn_runtime/`), so the board driver packs frames exactly as the C
simulation (`backend_hls.csim`) and the emitter's weight tables do. Every conversion is
vectorized numpy (no Python loop per element): CNV's 1.5 M weights pack in tens of
milliseconds.

Conventions (`backend_hls/lib/README.md`): a word of `lanes` elements of `bits` bits is
the little-endian bit string of its lanes, lane 0 at the least significant bits; a lane
holds its element's two's complement code (`bits` wide); a bipolar lane holds 1 for +1
and 0 for -1. A word is stored in `word_bytes(width)` bytes, least significant byte
first (the C simulation's files and the DMA buffers), and written to C++ as a
hexadecimal literal.

A DMA buffer (`pack_stream` / `unpack_stream`) holds the stream words of all frames back
to back, `word_bytes(width)` bytes each, zero-padded to a whole number of bus words
(`BUS_BYTES`): what the read DMA turns into the stream and the write DMA writes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

import numpy as np

BUS_BITS = 64
"""The DMAs' memory word (their AXI4 master data width): every Zynq HP port takes it."""
BUS_BYTES = BUS_BITS // 8


class LaneType(Protocol):
    """What packing needs of an element type: a QONNX datatype (`qdialects.types`) or a
    `LaneFormat`. A 1-bit type whose minimum is -1 is bipolar."""

    @property
    def bitwidth(self) -> int: ...

    @property
    def min_value(self) -> int: ...

    @property
    def max_value(self) -> int: ...


_TYPE_TEXT = re.compile(r"!quant\.(?:(u?int)<(\d+)>|(bipolar|binary|ternary))")
_FIXED = {"bipolar": (-1, 1, 1), "binary": (0, 1, 1), "ternary": (-1, 1, 2)}


@dataclass(frozen=True)
class LaneFormat:
    """A datatype as `LaneType`, from its printed form (`!quant.int<8>`)."""

    min_value: int
    max_value: int
    bitwidth: int

    @staticmethod
    def parse(text: str) -> LaneFormat:
        match = _TYPE_TEXT.fullmatch(text.strip())
        if match is None:
            raise ValueError(f"not a QONNX datatype: {text!r}")
        kind, bits, fixed = match.groups()
        if fixed:
            return LaneFormat(*_FIXED[fixed])
        n = int(bits)
        if kind == "int":
            return LaneFormat(-(1 << (n - 1)), (1 << (n - 1)) - 1, n)
        return LaneFormat(0, (1 << n) - 1, n)


def is_bipolar(datatype: LaneType) -> bool:
    return datatype.bitwidth == 1 and datatype.min_value == -1


_HEX_DIGITS = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def word_bytes(width: int) -> int:
    """Bytes per word of `width` bits in the C simulation's files."""
    return (width + 7) // 8


def lane_codes(values: np.ndarray, datatype: LaneType) -> np.ndarray:
    """The lane bit patterns (uint64) of integer `values` of `datatype`."""
    v = np.asarray(values, dtype=np.int64)
    if is_bipolar(datatype):
        return (v > 0).astype(np.uint64)
    bits = datatype.bitwidth
    mask = np.uint64((1 << bits) - 1) if bits < 64 else np.uint64(0xFFFFFFFFFFFFFFFF)
    return v.astype(np.uint64) & mask


def lane_values(codes: np.ndarray, datatype: LaneType) -> np.ndarray:
    """The inverse of `lane_codes`: int64 values of lane bit patterns."""
    c = np.asarray(codes, dtype=np.uint64)
    if is_bipolar(datatype):
        return np.where(c & np.uint64(1), 1, -1).astype(np.int64)
    bits = datatype.bitwidth
    values = c.astype(np.int64)  # two's complement reinterpretation for 64-bit lanes
    if datatype.min_value < 0 and bits < 64:
        sign = np.int64(1 << (bits - 1))
        values = np.where(values >= sign, values - (np.int64(1) << np.int64(bits)), values)
    return values


def pack_words(codes: np.ndarray, bits: int) -> np.ndarray:
    """Lane codes `(..., lanes)` -> word bytes `(..., word_bytes(lanes*bits))`, uint8,
    least significant byte first."""
    codes = np.asarray(codes, dtype=np.uint64)
    lanes = codes.shape[-1]
    lead = codes.shape[:-1]
    width = lanes * bits
    nbytes = word_bytes(width)
    flat = codes.reshape(-1, lanes)
    if width <= 64:
        shifts = (np.arange(lanes, dtype=np.uint64) * np.uint64(bits)).astype(np.uint64)
        words = np.bitwise_or.reduce(flat << shifts, axis=1) if lanes > 1 else flat[:, 0]
        as_bytes = words.astype("<u8").view(np.uint8).reshape(-1, 8)[:, :nbytes]
        return np.ascontiguousarray(as_bytes).reshape(*lead, nbytes)
    bit_index = np.arange(bits, dtype=np.uint64)
    bit_array = ((flat[:, :, None] >> bit_index) & np.uint64(1)).astype(np.uint8)
    bit_array = bit_array.reshape(flat.shape[0], width)
    padded = np.zeros((flat.shape[0], nbytes * 8), dtype=np.uint8)
    padded[:, :width] = bit_array
    return np.packbits(padded, axis=1, bitorder="little").reshape(*lead, nbytes)


def unpack_words(data: np.ndarray, lanes: int, bits: int) -> np.ndarray:
    """Word bytes `(..., word_bytes(lanes*bits))` -> lane codes `(..., lanes)`, uint64."""
    data = np.asarray(data, dtype=np.uint8)
    lead = data.shape[:-1]
    nbytes = data.shape[-1]
    width = lanes * bits
    flat = data.reshape(-1, nbytes)
    if width <= 64:
        padded = np.zeros((flat.shape[0], 8), dtype=np.uint8)
        padded[:, :nbytes] = flat
        words = padded.view("<u8").reshape(-1).astype(np.uint64)
        shifts = (np.arange(lanes, dtype=np.uint64) * np.uint64(bits)).astype(np.uint64)
        mask = np.uint64((1 << bits) - 1) if bits < 64 else np.uint64(0xFFFFFFFFFFFFFFFF)
        codes = (words[:, None] >> shifts) & mask
        return codes.reshape(*lead, lanes)
    bit_array = np.unpackbits(flat, axis=1, bitorder="little")[:, :width]
    bit_array = bit_array.reshape(flat.shape[0], lanes, bits).astype(np.uint64)
    weights = np.uint64(1) << np.arange(bits, dtype=np.uint64)
    codes = (bit_array * weights).sum(axis=2, dtype=np.uint64)
    return codes.reshape(*lead, lanes)


def hex_digits(words: np.ndarray, width: int) -> np.ndarray:
    """Word bytes `(M, nbytes)` -> ASCII hex digits `(M, ceil(width/4))`, uint8, most
    significant digit first (fixed width, leading zeros kept)."""
    words = np.asarray(words, dtype=np.uint8)
    big_endian = words[:, ::-1]
    nibbles = np.empty((words.shape[0], words.shape[1] * 2), dtype=np.uint8)
    nibbles[:, 0::2] = big_endian >> 4
    nibbles[:, 1::2] = big_endian & 0x0F
    digits = max(1, (width + 3) // 4)
    return _HEX_DIGITS[nibbles[:, nibbles.shape[1] - digits :]]


def hex_literals(words: np.ndarray, width: int, per_line: int = 8) -> list[str]:
    """C++ initializer rows of hex words: `words` `(R, M, nbytes)` -> R strings, each the
    M literals of one row separated by `, ` (a newline every `per_line` literals).
    Words of up to 64 bits are integer literals `0x...`; wider ones are strings
    `"0x..."`, which `ap_uint<W>`'s `const char *` constructor parses."""
    words = np.asarray(words, dtype=np.uint8)
    rows, count, nbytes = words.shape
    digits = hex_digits(words.reshape(rows * count, nbytes), width)
    quote = width > 64
    prefix = b'"0x' if quote else b"0x"
    suffix = b'",' if quote else b","
    n = digits.shape[1]
    cells = np.empty((rows * count, len(prefix) + n + len(suffix) + 1), dtype=np.uint8)
    cells[:, : len(prefix)] = np.frombuffer(prefix, dtype=np.uint8)
    cells[:, len(prefix) : len(prefix) + n] = digits
    cells[:, len(prefix) + n : -1] = np.frombuffer(suffix, dtype=np.uint8)
    cells = cells.reshape(rows, count, -1)
    separator = np.full((count,), ord(" "), dtype=np.uint8)
    separator[per_line - 1 :: per_line] = ord("\n")
    separator[-1] = ord("\n")
    cells[:, :, -1] = separator
    out = []
    for row in cells:
        text = row.tobytes().decode("ascii")
        text = text.rstrip()
        out.append(text[:-1] if text.endswith(",") else text)
    return out


# --------------------------------------------------------------------------- DMA buffers


@dataclass(frozen=True)
class StreamFormat:
    """One accelerator port: each frame (`frame`, the tensor without the batch axis,
    NHWC) is `words_per_frame` words of `lanes` lanes of `datatype`. Read from the
    port's entry of `accel.json` (`csim/io.json`) by `from_json`."""

    frame: tuple[int, ...]
    lanes: int
    datatype: LaneFormat
    datatype_text: str
    words_per_frame: int

    @staticmethod
    def from_json(entry: dict) -> StreamFormat:
        return StreamFormat(
            frame=tuple(entry["frame"]),
            lanes=int(entry["lanes"]),
            datatype=LaneFormat.parse(entry["datatype"]),
            datatype_text=entry["datatype"],
            words_per_frame=int(entry["words_per_frame"]),
        )

    @property
    def word_bits(self) -> int:
        return self.lanes * self.datatype.bitwidth

    @property
    def frame_bytes(self) -> int:
        return self.words_per_frame * word_bytes(self.word_bits)

    def buffer_bytes(self, frames: int) -> int:
        """The DMA buffer of `frames` frames: whole bus words."""
        return -(-frames * self.frame_bytes // BUS_BYTES) * BUS_BYTES


def pack_stream(values: np.ndarray, fmt: StreamFormat) -> np.ndarray:
    """Integer frames `N x fmt.frame` -> the DMA buffer (uint8, `fmt.buffer_bytes(N)`).
    A value outside the datatype raises ValueError."""
    values = np.asarray(values)
    if values.shape[1:] != fmt.frame:
        raise ValueError(f"expected N x {list(fmt.frame)}, got {list(values.shape)}")
    lo, hi = fmt.datatype.min_value, fmt.datatype.max_value
    ints = values.astype(np.int64)
    if values.size and (ints != values).any():
        raise ValueError(f"values are not integers of {fmt.datatype_text}")
    if values.size and (ints.min() < lo or ints.max() > hi):
        raise ValueError(f"values outside [{lo}, {hi}] of {fmt.datatype_text}")
    if is_bipolar(fmt.datatype) and values.size and (ints == 0).any():
        raise ValueError(f"0 is not a value of {fmt.datatype_text}")
    words = pack_words(lane_codes(ints.reshape(-1, fmt.lanes), fmt.datatype), fmt.datatype.bitwidth)
    frames = values.shape[0]
    buffer = np.zeros(fmt.buffer_bytes(frames), dtype=np.uint8)
    buffer[: words.size] = words.reshape(-1)
    return buffer


def unpack_stream(buffer: np.ndarray, fmt: StreamFormat, frames: int) -> np.ndarray:
    """The inverse of `pack_stream`: a DMA buffer of `frames` frames -> int64 values
    `frames x fmt.frame`."""
    data = np.asarray(buffer, dtype=np.uint8).reshape(-1)
    nbytes = frames * fmt.frame_bytes
    if data.size < nbytes:
        raise ValueError(f"a buffer of {data.size} bytes holds fewer than {frames} frames")
    words = data[:nbytes].reshape(-1, word_bytes(fmt.word_bits))
    codes = unpack_words(words, fmt.lanes, fmt.datatype.bitwidth)
    return lane_values(codes, fmt.datatype).reshape(frames, *fmt.frame)
