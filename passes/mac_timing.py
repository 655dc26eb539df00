"""The depth of the RTL's multiply-accumulate pipeline (`convert_dataflow_to_hw.mac`),
in a module of its own: `size-fifos` counts it for every MVAU/VVAU without loading the
RTL lowering (the `hw`/`comb`/`seq` dialects and the lowering modules, ~5 % of a small
build's time)."""

from __future__ import annotations

from qdialects import dataflow as df

TREE_SPLIT_ABOVE = 4
"""A dot product of more terms (SIMD) than this takes two pipeline stages."""


def tree_split(simd: int) -> int:
    """The adder-tree levels of the first of two dot stages for SIMD terms (half of the
    ceil(log2(SIMD)) levels, rounded down), or 0: one dot stage."""
    if simd <= TREE_SPLIT_ABOVE:
        return 0
    return (simd - 1).bit_length() // 2


def pipeline_cycles(layer: df.MVAUOp | df.VVAUOp) -> int:
    """Cycles from a layer's last needed input word to its output word: the issue, the
    five or six stages (`convert_dataflow_to_hw.mac`'s docstring) and the output slice."""
    return 9 + (1 if tree_split(layer.simd_value) else 0)
