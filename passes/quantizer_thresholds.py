"""Quantizers as step functions: the thresholds of `streamline.multithreshold`.

Every QONNX quantizer of a real input `x` is a monotone staircase: the integer it produces
reaches level `k` exactly when `x` passes a boundary, `x > t_k` (strict) or `x >= t_k`.
This module computes those boundaries exactly, for every rounding mode, so that
`multithreshold(x, T, strict) + out_bias` equals the quantizer's integer on every input —
ties included (that is what `strict` is for).

Rounding (`v` real, `mode(v) >= k` iff `v > b_k` when strict, else `v >= b_k`):

| mode               | b_k   | strict                 |
|--------------------|-------|------------------------|
| ROUND (half even)  | k-1/2 | k odd                  |
| HALF_UP            | k-1/2 | k <= 0                 |
| HALF_DOWN          | k-1/2 | k > 0                  |
| CEIL               | k-1   | always                 |
| FLOOR              | k     | never                  |
| UP (from zero)     | k-1 if k > 0 else k | k > 0    |
| DOWN (toward zero) | k if k > 0 else k-1 | k <= 0   |

`Quant` clamps to [min, max] before rounding; counting only levels `min+1 .. max` is that
clamp (every `b_k` lies in [min, max]). With `v = x / scale + zeropt` the boundary in x is
`(b_k - zeropt) * scale`.

`Trunc` first rounds `q = round_half_even(x / scale + zeropt)` (an integer), then rounds
`u = q / 2^d`: level k needs the integer `q >= Q_k` with `Q_k = ceil(b_k 2^d)`
(`floor(b_k 2^d) + 1` when strict), and `q >= Q_k` is, by the ROUND row, `x` beyond
`(Q_k - 1/2 - zeropt) * scale`, strict iff `Q_k` is odd.

The boundaries are computed in float64 from float32 parameters: `b_k * scale` is exact
there, so the thresholds are the real-number boundaries of the quantizer. (qonnx computes
`x / scale` in float32; within one float32 ulp of a tie the two can differ.)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

ROUNDING_ALIASES = {"HALF_EVEN": "ROUND"}
ROUNDING_MODES = ("ROUND", "HALF_UP", "HALF_DOWN", "CEIL", "FLOOR", "UP", "DOWN")


def normalize_rounding_mode(mode: str) -> str:
    """The canonical upper-case QONNX rounding mode (`round` -> `ROUND`, HALF_EVEN -> ROUND)."""
    name = mode.upper()
    name = ROUNDING_ALIASES.get(name, name)
    if name not in ROUNDING_MODES:
        raise ValueError(f"unknown rounding mode {mode!r}")
    return name


def int_range(signed: bool, narrow: bool, bitwidth: int) -> tuple[int, int]:
    """The clamp bounds (min, max) of a QONNX integer quantizer of `bitwidth` bits."""
    if bitwidth < 1:
        raise ValueError(f"bitwidth must be >= 1, got {bitwidth}")
    if signed:
        return -(1 << (bitwidth - 1)) + int(narrow), (1 << (bitwidth - 1)) - 1
    return 0, (1 << bitwidth) - 1 - int(narrow)


def level_boundaries(mode: str, levels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For integer levels k: `(b, strict)` with `mode(v) >= k` iff `v > b` (strict) or
    `v >= b` (not strict). Both arrays have the shape of `levels`."""
    k = np.asarray(levels, dtype=np.int64)
    mode = normalize_rounding_mode(mode)
    half = k - 0.5
    if mode == "ROUND":
        return half, (k % 2) == 1
    if mode == "HALF_UP":
        return half, k <= 0
    if mode == "HALF_DOWN":
        return half, k > 0
    if mode == "CEIL":
        return (k - 1).astype(np.float64), np.ones(k.shape, dtype=bool)
    if mode == "FLOOR":
        return k.astype(np.float64), np.zeros(k.shape, dtype=bool)
    if mode == "UP":
        return np.where(k > 0, k - 1, k).astype(np.float64), k > 0
    # DOWN
    return np.where(k > 0, k, k - 1).astype(np.float64), k <= 0


def round_value(mode: str, value: float) -> int:
    """`mode` applied to one real value (used for range ends)."""
    mode = normalize_rounding_mode(mode)
    if mode == "ROUND":
        return int(np.round(value))
    if mode == "CEIL":
        return math.ceil(value)
    if mode == "FLOOR":
        return math.floor(value)
    if mode == "UP":
        return int(math.copysign(math.ceil(abs(value)), value))
    if mode == "DOWN":
        return int(math.copysign(math.floor(abs(value)), value))
    if mode == "HALF_UP":
        return int(math.copysign(math.floor(abs(value) + 0.5), value))
    return int(math.copysign(math.ceil(abs(value) - 0.5), value))  # HALF_DOWN


@dataclass(frozen=True)
class Staircase:
    """`level(x) = out_bias + Σ_i cmp_i(x, thresholds[c, i])`, `cmp_i` strict when
    `strict[i]`: what `streamline.multithreshold` computes. `thresholds` is C x N
    (C = 1 when shared by every channel), float64."""

    thresholds: np.ndarray
    strict: tuple[int, ...]
    out_bias: int
    lo: int
    hi: int

    def evaluate(self, x: np.ndarray) -> np.ndarray:
        """The levels of `x` (channels on the last axis), for tests."""
        t = self.thresholds
        xe = np.asarray(x, dtype=np.float64)[..., np.newaxis]
        mask = np.asarray(self.strict, dtype=bool)
        return self.out_bias + np.where(mask, xe > t, xe >= t).sum(axis=-1)


def _channel_vectors(*params: np.ndarray) -> list[np.ndarray]:
    """Per-channel parameter vectors (length 1 or C), broadcast against each other."""
    arrays = [np.asarray(p, dtype=np.float64).reshape(-1) for p in params]
    size = max(a.size for a in arrays)
    return [a if a.size == size else np.broadcast_to(a, (size,)) for a in arrays]


def quant_staircase(
    scale: np.ndarray, zeropt: np.ndarray, lo: int, hi: int, mode: str
) -> Staircase:
    """The staircase of `Quant`: levels `lo+1 .. hi` of `mode(clip(x/scale + zeropt))`.
    `scale` and `zeropt` are per-channel vectors (length 1 or C)."""
    scale, zeropt = _channel_vectors(scale, zeropt)
    levels = np.arange(lo + 1, hi + 1, dtype=np.int64)
    b, strict = level_boundaries(mode, levels)
    thresholds = (b[np.newaxis, :] - zeropt[:, np.newaxis]) * scale[:, np.newaxis]
    return Staircase(thresholds, tuple(int(s) for s in strict), lo, lo, hi)


def bipolar_staircase(scale: np.ndarray, zeropt: np.ndarray) -> Staircase:
    """A 1-bit signed `Quant` (bipolar): `x/scale + zeropt >= 0 ? 1 : -1`, as the count of
    one threshold at `-zeropt * scale` scaled by 2 and shifted by -1 (lo=-1, hi=1)."""
    scale, zeropt = _channel_vectors(scale, zeropt)
    thresholds = (-zeropt * scale)[:, np.newaxis] + 0.0  # no -0.0
    return Staircase(thresholds, (0,), -1, -1, 1)


class TieParityError(ValueError):
    """Per-channel truncation shifts give ties of different strictness per channel."""


def trunc_staircase(
    scale: np.ndarray, zeropt: np.ndarray, shift: np.ndarray, lo: int, hi: int, mode: str
) -> Staircase:
    """The staircase of `Trunc`: levels `lo+1 .. hi` of `mode(q / 2^shift)` with
    `q = round_half_even(x / scale + zeropt)` (v2's clamp to [lo, hi] is the level range).
    `scale`, `zeropt`, `shift` are per-channel vectors (length 1 or C); `shift` integer."""
    scale, zeropt, shift = _channel_vectors(scale, zeropt, shift)
    levels = np.arange(lo + 1, hi + 1, dtype=np.int64)
    b, strict = level_boundaries(mode, levels)
    scaled = b[np.newaxis, :] * np.exp2(shift)[:, np.newaxis]  # exact: b is a half-integer
    q_min = np.where(strict[np.newaxis, :], np.floor(scaled) + 1, np.ceil(scaled))
    odd = (q_min % 2) == 1
    if odd.shape[0] > 1 and not np.all(odd == odd[:1]):
        raise TieParityError("per-channel truncation shifts need per-channel tie strictness")
    thresholds = (q_min - 0.5 - zeropt[:, np.newaxis]) * scale[:, np.newaxis]
    return Staircase(thresholds, tuple(int(s) for s in odd[0]), lo, lo, hi)
