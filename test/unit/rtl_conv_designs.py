"""Random convolution-path partitions for the RTL backend's tests: `rtl_designs.Chain`
with FM padding, sliding-window generators (standard and depthwise order) and VVAUs,
random foldings, strides, dilations, datatypes, weights and thresholds, valid by
construction."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rtl_designs import Body, Chain, Stream, divisors, dtype_text, partition_module, values
from xdsl.dialects.builtin import IntegerAttr, ModuleOp, i64

from qdialects import dataflow as df
from qdialects.streamline import matmul_range
from qdialects.types import IntType, QDataType, UIntType, smallest_datatype


@dataclass
class DepthwiseStream(Stream):
    """A stream in depthwise order with kernel `kernel`, `simd` kernel positions a word."""

    kernel: int = 1
    simd: int = 1

    def text(self) -> str:
        simd = f" simd {self.simd}" if self.simd > 1 else ""
        return super().text()[:-1] + f", depthwise {self.kernel}{simd}>"


def _array(values_: tuple[int, ...]) -> str:
    return f"array<i64: {', '.join(map(str, values_))}>"


class ConvChain(Chain):
    """`Chain` plus the convolution-path layers; the stream is `H x W x C` throughout."""

    def fm_padding(self, pads: tuple[int, int, int, int]) -> None:
        """Zero padding (top, left, bottom, right) at the stream's current SIMD."""
        h, w, c = self.current.shape
        top, left, bottom, right = pads
        shape = (h + top + bottom, w + left + right, c)
        out = Stream(self.body.fresh("p"), shape, self.current.datatype, self.current.lanes)
        attrs = f"{{pads = {_array(pads)}, simd = {self.current.lanes} : i64}}"
        self._emit("dataflow.fm_padding", out, attrs)

    def swg(
        self,
        kernel: tuple[int, int],
        stride: tuple[int, int],
        dilation: tuple[int, int],
        simd: int,
        *,
        depthwise: bool = False,
        parallel_window: bool = False,
    ) -> None:
        """A sliding-window generator at `simd` lanes (a DWC first when needed); with
        `parallel_window` (SIMD = C) one word of the whole window per output pixel."""
        self.to_lanes(simd)
        h, w, c = self.current.shape
        (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
        oh = (h - ((kh - 1) * dh + 1)) // sh + 1
        ow = (w - ((kw - 1) * dw + 1)) // sw + 1
        shape = (oh, ow, kh * kw * c)
        name, dtype = self.body.fresh("w"), self.current.datatype
        lanes = kh * kw * c if parallel_window else simd
        out = (
            DepthwiseStream(name, shape, dtype, simd, kh * kw)
            if depthwise
            else Stream(name, shape, dtype, lanes)
        )
        attrs = [
            f"kernel = {_array(kernel)}",
            f"stride = {_array(stride)}",
            f"dilation = {_array(dilation)}",
            f"simd = {simd} : i64",
        ]
        if depthwise:
            attrs.append("depthwise = true")
        if parallel_window:
            attrs.append("parallel_window = true")
        self._emit("dataflow.swg", out, "{" + ", ".join(attrs) + "}")

    def vvau(self, weights: QDataType, *, thresholds: int = 0, out_bias: int = 0) -> None:
        """A VVAU on the current depthwise stream (its SIMD, PE = lanes/SIMD), random weights and
        `thresholds` random thresholds per channel (0: the accumulator is the output)."""
        x = self.current
        assert isinstance(x, DepthwiseStream)
        k = x.kernel
        c = x.shape[-1] // k
        w = values(self.rng, weights, (k, c))
        lo, hi = matmul_range((x.datatype.min_value, x.datatype.max_value), w)
        acc = smallest_datatype(lo, hi + 1)
        pe = x.lanes // x.simd
        attrs = [f"simd = {x.simd} : i64", f"pe = {pe} : i64", f"acc_dtype = {dtype_text(acc)}"]
        constants = [(self.body.const(w, weights), f"tensor<{k}x{c}x{dtype_text(weights)}>")]
        out_dtype: QDataType = acc
        if thresholds:
            out_dtype = smallest_datatype(min(0, out_bias), max(0, out_bias + thresholds))
            attrs.append(f"out_bias = {out_bias} : i64")
            constants.append(self._thresholds(c, thresholds, lo, hi + 2, acc))
        out = Stream(self.body.fresh("v"), (*x.shape[:-1], c), out_dtype, pe)
        self._emit("dataflow.vvau", out, "{" + ", ".join(attrs) + "}", constants)


def with_frame_fifos(module: ModuleOp) -> None:
    """Give every `dataflow.fifo` (e.g. from `insert-fifos`) a whole frame of depth, so
    no layer waits for another's phase: the partition then runs at its slowest layer's
    `cycles_per_frame`."""
    for op in module.walk():
        if isinstance(op, df.FIFOOp):
            words = df.stream_type(op.x).words_per_frame()
            op.properties["depth"] = IntegerAttr(max(2, words), i64)


def _pick(rng: np.random.Generator, options: list[int]) -> int:
    return int(rng.choice(options))


def conv_chain(seed: int) -> str:
    """A VVAU with random SIMD/PE on a depthwise-ordered input -> padding -> SWG (random
    kernel/stride/dilation/SIMD) -> MVAU with thresholds -> padding -> depthwise SWG ->
    VVAU with thresholds -> SWG (stride, no activation on the VVAU that follows) ->
    VVAU: every conv-path layer, random foldings."""
    rng = np.random.default_rng(seed)
    c = _pick(rng, [2, 4])
    size = _pick(rng, [5, 6])
    simd, pe = _pick(rng, [1, 2, 4]), _pick(rng, divisors(c))
    source = DepthwiseStream("s", (size, size, 4 * c), IntType(3), simd * pe, 4, simd)
    chain = ConvChain(rng, source)
    chain.vvau(IntType(2), thresholds=3, out_bias=-2)
    chain.to_lanes(_pick(rng, divisors(c)))
    chain.fm_padding(tuple(_pick(rng, [0, 1, 2]) for _ in range(4)))  # type: ignore[arg-type]
    kernel = (_pick(rng, [2, 3]), _pick(rng, [1, 3]))
    stride = (_pick(rng, [1, 2]), _pick(rng, [1, 2]))
    dilation = (_pick(rng, [1, 2]) if kernel[0] == 2 else 1, 1)
    chain.swg(kernel, stride, dilation, _pick(rng, divisors(c)))
    chain.mvau(4, IntType(2), thresholds=3, out_bias=-1)
    chain.fm_padding((1, 1, 1, 1))
    pe = _pick(rng, divisors(4))
    chain.swg((3, 3), (1, 1), (1, 1), pe, depthwise=True)
    chain.vvau(IntType(3), thresholds=2)
    chain.swg((_pick(rng, [1, 2]), 2), (1, 2), (1, 1), chain.current.lanes, depthwise=True)
    chain.vvau(UIntType(2))
    return chain.module()


def parallel_window_chain(seed: int) -> str:
    """Padding -> a parallel-window SWG (random kernel, stride, dilation) -> MVAU with
    thresholds at a random SIMD (a DWC first when it is below the window's KH·KW·C lanes)
    and PE -> a 2x2 parallel window -> MVAU with SIMD = MW: parallel windows between the
    layers that feed and read them, random foldings."""
    rng = np.random.default_rng(seed)
    c = _pick(rng, [2, 3, 4])
    size = _pick(rng, [5, 6])
    chain = ConvChain(rng, Stream("s", (size, size, c), IntType(3), c))
    chain.fm_padding(tuple(_pick(rng, [0, 1]) for _ in range(4)))  # type: ignore[arg-type]
    kernel = (_pick(rng, [2, 3]), _pick(rng, [1, 2, 3]))
    stride = (_pick(rng, [1, 2]), _pick(rng, [1, 2]))
    dilation = (1, _pick(rng, [1, 2]) if kernel[1] > 1 else 1)
    chain.swg(kernel, stride, dilation, c, parallel_window=True)
    mw = chain.current.shape[-1]
    chain.mvau(
        4,
        IntType(2),
        thresholds=3,
        out_bias=-1,
        folding=(_pick(rng, divisors(mw)), _pick(rng, [1, 2, 4])),
    )
    chain.to_lanes(4)
    chain.swg((2, 2), (1, 1), (1, 1), 4, parallel_window=True)
    chain.mvau(3, IntType(2), folding=(16, _pick(rng, [1, 3])))
    return chain.module()


def swg_design(seed: int) -> str:
    """Sliding-window generators alone, each on its own path from a partition input to a
    partition output (the input at the SWG's SIMD, so each output's cycles per frame are
    its SWG's own): a 3x3 window at stride 1 (reading overlaps writing), stride 2 with a
    2x1 window (writing waits on reading), a dilated 2x2 window at SIMD < C, and a
    depthwise 3x3 window; random channels, sizes and SIMD."""
    rng = np.random.default_rng(seed)
    body = Body()
    sources: list[Stream] = []
    outputs: list[Stream] = []
    shapes = [
        ((3, 3), (1, 1), (1, 1), False),
        ((2, 1), (2, 2), (1, 1), False),
        ((2, 2), (1, 1), (2, 1), False),
        ((3, 3), (1, 1), (1, 1), True),
    ]
    for kernel, stride, dilation, depthwise in shapes:
        c = _pick(rng, [2, 4])
        size = _pick(rng, [5, 6, 7])
        simd = _pick(rng, divisors(c)) if dilation != (1, 1) else c
        source = Stream(f"x{len(sources)}", (size, size, c), IntType(3), simd)
        sources.append(source)
        chain = ConvChain(rng, source, body)
        chain.swg(kernel, stride, dilation, simd, depthwise=depthwise)
        outputs.append(chain.current)
    return partition_module(sources, outputs, body)


def parallel_window_design(seed: int) -> str:
    """Parallel-window SWGs alone, each on its own path as in `swg_design`: a 3x3 window
    at stride 1 (the window's first column turns through the CW = 3 column banks), a
    dilated 2x3 window at stride 2 (CW = 5), a 2x2 window at stride 2 (SW a multiple of
    CW: no turning), a 3x3 window on a 3x3 input (banks one pixel deep, one output
    pixel), a 1x3 window (one window row: a ring of 2 rows), a 3x1 window at stride 2
    (one column: one bank per row) and a 5x5 window at stride 2 (7 rows of 5 banks);
    random channels, sizes and datatypes."""
    rng = np.random.default_rng(seed)
    body = Body()
    sources: list[Stream] = []
    outputs: list[Stream] = []
    shapes = [
        ((3, 3), (1, 1), (1, 1), [5, 6, 7]),
        ((2, 3), (2, 2), (2, 2), [8, 9, 11]),
        ((2, 2), (2, 2), (1, 1), [4, 5, 6]),
        ((3, 3), (1, 1), (1, 1), [3]),
        ((1, 3), (1, 1), (1, 1), [3, 4, 5]),
        ((3, 1), (2, 1), (1, 1), [4, 5, 6]),
        ((5, 5), (2, 2), (1, 1), [6, 7, 9]),
    ]
    for kernel, stride, dilation, sizes in shapes:
        c = _pick(rng, [1, 2, 3])
        height, width = _pick(rng, sizes), _pick(rng, sizes)
        datatype = IntType(3) if rng.random() < 0.5 else UIntType(2)
        source = Stream(f"x{len(sources)}", (height, width, c), datatype, c)
        sources.append(source)
        chain = ConvChain(rng, source, body)
        chain.swg(kernel, stride, dilation, c, parallel_window=True)
        outputs.append(chain.current)
    return partition_module(sources, outputs, body)
