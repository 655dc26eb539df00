"""Packing integer values into stream / memory words, and words into C++ literals.

Every conversion is vectorized numpy (no Python loop per element): CNV's 1.5 M weights
pack in tens of milliseconds.

Conventions (`backend_hls/lib/README.md`): a word of `lanes` elements of `bits` bits is
the little-endian bit string of its lanes, lane 0 at the least significant bits; a lane
holds its element's two's complement code (`bits` wide); a bipolar lane holds 1 for +1
and 0 for -1. A word is stored in `word_bytes(width)` bytes, least significant byte
first (the C simulation's binary files), and written to C++ as a hexadecimal literal.
"""

from __future__ import annotations

import numpy as np

from qdialects.types import BipolarType, QDataType

_HEX_DIGITS = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def word_bytes(width: int) -> int:
    """Bytes per word of `width` bits in the C simulation's files."""
    return (width + 7) // 8


def lane_codes(values: np.ndarray, datatype: QDataType) -> np.ndarray:
    """The lane bit patterns (uint64) of integer `values` of `datatype`."""
    v = np.asarray(values, dtype=np.int64)
    if isinstance(datatype, BipolarType):
        return (v > 0).astype(np.uint64)
    bits = datatype.bitwidth
    mask = np.uint64((1 << bits) - 1) if bits < 64 else np.uint64(0xFFFFFFFFFFFFFFFF)
    return v.astype(np.uint64) & mask


def lane_values(codes: np.ndarray, datatype: QDataType) -> np.ndarray:
    """The inverse of `lane_codes`: int64 values of lane bit patterns."""
    c = np.asarray(codes, dtype=np.uint64)
    if isinstance(datatype, BipolarType):
        return np.where(c & np.uint64(1), 1, -1).astype(np.int64)
    bits = datatype.bitwidth
    values = c.astype(np.int64)  # two's complement reinterpretation for 64-bit lanes
    if datatype.signed and bits < 64:
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
