"""Random dataflow partitions for the RTL backend's tests: chains of layers with random
foldings, datatypes, weights and thresholds, as MLIR text (a `func @main` around one
`dataflow.partition`), valid by construction (every range the verifiers check is
computed from the constants)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from qdialects.streamline import matmul_range
from qdialects.types import BipolarType, IntType, QDataType, UIntType, smallest_datatype


def divisors(n: int) -> list[int]:
    return [d for d in range(1, n + 1) if n % d == 0]


def dtype_text(datatype: QDataType) -> str:
    if isinstance(datatype, BipolarType):
        return "!quant.bipolar"
    kind = "int" if isinstance(datatype, IntType) else "uint"
    return f"!quant.{kind}<{datatype.bitwidth}>"


def values(rng: np.random.Generator, datatype: QDataType, shape: Sequence[int]) -> np.ndarray:
    if isinstance(datatype, BipolarType):
        return rng.choice(np.array([-1, 1], dtype=np.int64), size=tuple(shape))
    return rng.integers(datatype.min_value, datatype.max_value + 1, size=tuple(shape))


@dataclass
class Stream:
    name: str
    shape: tuple[int, ...]
    datatype: QDataType
    lanes: int

    def text(self) -> str:
        dims = "x".join(map(str, self.shape))
        return f"!dataflow.stream<{dims}x{dtype_text(self.datatype)}, lanes {self.lanes}>"

    def tensor(self, batch: int = 1) -> str:
        dims = "x".join(map(str, (batch, *self.shape)))
        return f"tensor<{dims}x{dtype_text(self.datatype)}>"


@dataclass
class Body:
    """The constants and layers of one partition being built, with fresh SSA names."""

    consts: list[str] = field(default_factory=list)
    ops: list[str] = field(default_factory=list)
    count: int = 0

    def fresh(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}{self.count}"

    def const(self, array: np.ndarray, datatype: QDataType) -> str:
        name = self.fresh("c")
        dims = "x".join(map(str, array.shape))
        self.consts.append(
            f"  %{name} = quant.constant dense<{array.tolist()}> : tensor<{dims}xi64> -> "
            f"tensor<{dims}x{dtype_text(datatype)}>"
        )
        return name

    def op(
        self,
        op: str,
        operands: Sequence[Stream],
        results: Sequence[Stream],
        attrs: str,
        constants: Sequence[tuple[str, str]] = (),
    ) -> None:
        """`results = op operands, constants {attrs}`; `constants` are (name, type)."""
        names = [f"%{s.name}" for s in operands] + [f"%{name}" for name, _ in constants]
        types = [s.text() for s in operands] + [type_ for _, type_ in constants]
        out_types = ", ".join(r.text() for r in results)
        if len(results) > 1:
            out_types = f"({out_types})"
        lhs = f"%{results[0].name.split('#')[0]}"
        if len(results) > 1:
            lhs += f":{len(results)}"
        self.ops.append(
            f"    {lhs} = {op} {', '.join(names)} {attrs} : ({', '.join(types)}) -> {out_types}"
        )


def partition_module(sources: Sequence[Stream], outputs: Sequence[Stream], body: Body) -> str:
    """A `func @main` around one `dataflow.partition` of `body` from `sources` to
    `outputs`."""
    args = ", ".join(f"%a{i} : {s.tensor()}" for i, s in enumerate(sources))
    arg_names = ", ".join(f"%a{i}" for i in range(len(sources)))
    in_types = ", ".join(s.tensor() for s in sources)
    out_types = ", ".join(s.tensor() for s in outputs)
    block_args = ", ".join(f"%{s.name} : {s.text()}" for s in sources)
    results = "%r" if len(outputs) == 1 else f"%r:{len(outputs)}"
    returned = "%r" if len(outputs) == 1 else ", ".join(f"%r#{j}" for j in range(len(outputs)))
    return "\n".join(
        [
            f"func.func @main({args}) -> ({out_types}) {{",
            *body.consts,
            f"  {results} = dataflow.partition({arg_names}) : ({in_types}) -> ({out_types}) {{",
            f"  ^bb0({block_args}):",
            *body.ops,
            f"    dataflow.yield {', '.join('%' + s.name for s in outputs)} : "
            f"{', '.join(s.text() for s in outputs)}",
            "  }",
            f"  func.return {returned} : {out_types}",
            "}",
        ]
    )


@dataclass
class Chain:
    """Layers appended one after another to a stream (the partition's `body` may be
    shared with other chains); `module()` is the MLIR text of a chain alone."""

    rng: np.random.Generator
    source: Stream
    body: Body = field(default_factory=Body)
    current: Stream = field(init=False)

    def __post_init__(self) -> None:
        self.current = self.source

    def _emit(
        self,
        op: str,
        out: Stream,
        attrs: str,
        constants: Sequence[tuple[str, str]] = (),
        operands: Sequence[Stream] = (),
    ) -> None:
        self.body.op(op, [self.current, *operands], [out], attrs, constants)
        self.current = out

    def _stream(self, prefix: str, datatype: QDataType | None = None, **changes: object) -> Stream:
        x = self.current
        fields = {"shape": x.shape, "lanes": x.lanes, **changes}
        return Stream(
            self.body.fresh(prefix),
            fields["shape"],  # type: ignore[arg-type]
            datatype or x.datatype,
            fields["lanes"],  # type: ignore[arg-type]
        )

    def to_lanes(self, lanes: int) -> None:
        """A `dataflow.dwc` to `lanes` lanes when the stream has another count."""
        if lanes == self.current.lanes:
            return
        self._emit("dataflow.dwc", self._stream("d", lanes=lanes), "{}")

    def fifo(self, depth: int) -> None:
        self._emit("dataflow.fifo", self._stream("f"), f"{{depth = {depth} : i64}}")

    def _random_pe(self, any_lanes: bool = False) -> int:
        """A random divisor of the channels as the next layer's PE, with a DWC to it.
        Unless `any_lanes`, one that divides or is a multiple of the current lanes (a
        DWC between other widths is slower than one word per cycle, which would hide
        the next layer's own cycles)."""
        lanes = self.current.lanes
        choices = [
            d for d in divisors(self.current.shape[-1])
            if any_lanes or d % lanes == 0 or lanes % d == 0
        ]  # fmt: skip
        pe = int(self.rng.choice(choices))
        self.to_lanes(pe)
        return pe

    def mvau(
        self,
        mh: int,
        weights: QDataType,
        *,
        thresholds: int = 0,
        bipolar_out: bool = False,
        out_bias: int = 0,
        folding: tuple[int, int] | None = None,
    ) -> None:
        """An MVAU of MH outputs with random SIMD/PE (or `folding` = (SIMD, PE); a DWC
        first when the input lanes must change), random weights of `weights`, and
        `thresholds` random thresholds per channel (0: no activation; `bipolar_out`: one
        threshold, bipolar output)."""
        x = self.current
        mw = x.shape[-1]
        if folding is None:
            simd = self._random_pe(any_lanes=True)
            pe = int(self.rng.choice(divisors(mh)))
        else:
            simd, pe = folding
            self.to_lanes(simd)
        x = self.current
        w = values(self.rng, weights, (mw, mh))
        xnor = isinstance(x.datatype, BipolarType) and isinstance(weights, BipolarType)
        if xnor:
            lo, hi = 0, mw
        else:
            lo, hi = matmul_range((x.datatype.min_value, x.datatype.max_value), w)
        acc = smallest_datatype(lo, hi + 1)
        attrs = [f"simd = {simd} : i64", f"pe = {pe} : i64", f"acc_dtype = {dtype_text(acc)}"]
        if xnor:
            attrs.append("binary_xnor = true")
        constants = [(self.body.const(w, weights), f"tensor<{mw}x{mh}x{dtype_text(weights)}>")]
        if bipolar_out:
            thresholds, out_dtype = 1, BipolarType()
            attrs += ["out_scale = 2 : i64", "out_bias = -1 : i64"]
        elif thresholds:
            out_dtype = smallest_datatype(min(0, out_bias), max(0, out_bias + thresholds))
            attrs.append(f"out_bias = {out_bias} : i64")
        else:
            out_dtype = acc
        if thresholds:
            constants.append(self._thresholds(mh, thresholds, lo, hi + 2, acc))
        out = self._stream("m", out_dtype, shape=(*x.shape[:-1], mh), lanes=pe)
        self._emit("dataflow.mvau", out, "{" + ", ".join(attrs) + "}", constants)

    def _thresholds(
        self, channels: int, count: int, lo: int, hi: int, datatype: QDataType
    ) -> tuple[str, str]:
        """A random sorted `C x count` or `1 x count` threshold constant in [lo, hi)."""
        rows = int(self.rng.choice([1, channels]))
        t = np.sort(self.rng.integers(lo, hi, size=(rows, count)), axis=1)
        return self.body.const(t, datatype), f"tensor<{rows}x{count}x{dtype_text(datatype)}>"

    def thresholding(self, count: int, *, scale: int = 1, bias: int = 0) -> None:
        """A thresholding layer of random PE with `count` random thresholds per channel
        (count 0: one threshold and a bipolar output)."""
        x = self.current
        pe = self._random_pe()
        lo, hi = x.datatype.min_value, x.datatype.max_value
        if count == 0:
            count, scale, bias, out_dtype = 1, 2, -1, BipolarType()
        else:
            ends = (bias, bias + scale * count)
            out_dtype = smallest_datatype(min(ends), max(ends))
        t_dtype = smallest_datatype(min(lo - 1, -1), hi + 2)
        constant = self._thresholds(x.shape[-1], count, lo - 1, hi + 3, t_dtype)
        attrs = f"{{pe = {pe} : i64, out_scale = {scale} : i64, out_bias = {bias} : i64}}"
        self._emit("dataflow.thresholding", self._stream("t", out_dtype), attrs, [constant])

    def channelwise(self, op: str, params: QDataType) -> None:
        """A channelwise `op` ("add"/"mul") of random PE with random parameters."""
        x = self.current
        pe = self._random_pe()
        channels = x.shape[-1]
        p = values(self.rng, params, (int(self.rng.choice([1, channels])),))
        lo, hi = x.datatype.min_value, x.datatype.max_value
        if op == "add":
            out_dtype = smallest_datatype(lo + int(p.min()), hi + int(p.max()))
        else:
            products = np.concatenate([p * lo, p * hi])
            out_dtype = smallest_datatype(int(products.min()), int(products.max()))
        constant = (self.body.const(p, params), f"tensor<{p.shape[0]}x{dtype_text(params)}>")
        attrs = f'{{op = "{op}", pe = {pe} : i64}}'
        self._emit("dataflow.channelwise", self._stream("w", out_dtype), attrs, [constant])

    def label_select(self, k: int) -> None:
        x = self.current
        pe = self._random_pe()
        n = x.shape[-1]
        out = self._stream("l", smallest_datatype(0, n - 1), shape=(*x.shape[:-1], k), lanes=1)
        self._emit("dataflow.label_select", out, f"{{k = {k} : i64, pe = {pe} : i64}}")

    def global_pool(self) -> None:
        x = self.current
        pe = self._random_pe()
        h, w, c = x.shape
        lo, hi = h * w * x.datatype.min_value, h * w * x.datatype.max_value
        out = self._stream("g", smallest_datatype(min(0, lo), max(0, hi)), shape=(1, 1, c))
        self._emit("dataflow.global_acc_pool", out, f"{{pe = {pe} : i64}}")

    def pool(
        self, kernel: tuple[int, int], stride: tuple[int, int], mode: str = "", shift: int = 0
    ) -> None:
        """A pool with PE = the stream's lanes: `dataflow.maxpool` without `mode`, else
        `dataflow.pool` of `mode` ("max"/"sum", `shift` for sum). (No DWC before it: a
        window layer reads whole rows at one word per cycle, which a DWC that gathers
        words cannot sustain, so the path would not measure the pool's own cycles.)"""
        x = self.current
        pe = x.lanes
        h, w, c = x.shape
        out_shape = ((h - kernel[0]) // stride[0] + 1, (w - kernel[1]) // stride[1] + 1, c)
        out_dtype = x.datatype
        if mode == "sum":
            size = kernel[0] * kernel[1]
            lo, hi = (size * x.datatype.min_value) >> shift, (size * x.datatype.max_value) >> shift
            out_dtype = smallest_datatype(lo, hi)
        attrs = [
            f"kernel = array<i64: {kernel[0]}, {kernel[1]}>",
            f"stride = array<i64: {stride[0]}, {stride[1]}>",
            f"pe = {pe} : i64",
        ]
        if mode:
            attrs += [f'mode = "{mode}"', f"shift = {shift} : i64"]
        op = "dataflow.pool" if mode else "dataflow.maxpool"
        out = self._stream("p", out_dtype, shape=out_shape)
        self._emit(op, out, "{" + ", ".join(attrs) + "}")

    def fork(self, count: int) -> list[Chain]:
        """A `dataflow.duplicate_streams` of `count` outputs: one chain per output."""
        x = self.current
        name = self.body.fresh("u")
        outs = [Stream(f"{name}#{j}", x.shape, x.datatype, x.lanes) for j in range(count)]
        self.body.op("dataflow.duplicate_streams", [x], outs, f"{{pe = {x.lanes} : i64}}")
        chains = [Chain(self.rng, self.source, self.body) for _ in outs]
        for chain, out in zip(chains, outs, strict=True):
            chain.current = out
        return chains

    def add(self, other: Chain) -> None:
        """`dataflow.add_streams` of this chain's and `other`'s streams (a DWC on
        `other` when the lanes differ)."""
        other.to_lanes(self.current.lanes)
        a, b = self.current, other.current
        lo = a.datatype.min_value + b.datatype.min_value
        hi = a.datatype.max_value + b.datatype.max_value
        out = self._stream("s", smallest_datatype(lo, hi))
        self._emit("dataflow.add_streams", out, f"{{pe = {a.lanes} : i64}}", operands=[b])

    def concat(self, others: Sequence[Chain]) -> None:
        """`dataflow.concat` of this chain's and `others`' streams (DWCs on `others`
        where the lanes differ)."""
        for other in others:
            other.to_lanes(self.current.lanes)
        streams = [self.current, *(o.current for o in others)]
        channels = sum(s.shape[-1] for s in streams)
        out = self._stream("k", shape=(*self.current.shape[:-1], channels))
        attrs = f"{{simd = {self.current.lanes} : i64}}"
        self._emit("dataflow.concat", out, attrs, operands=[o.current for o in others])

    def module(self) -> str:
        return partition_module([self.source], [self.current], self.body)


def mvau_chain(seed: int) -> str:
    """Four MVAUs with random foldings: signed input, thresholds with a negative bias,
    a bipolar activation into an XNOR layer, and a plain accumulator output; DWCs where
    the foldings disagree and a FIFO."""
    rng = np.random.default_rng(seed)
    vectors = int(rng.integers(1, 3))
    mw = int(rng.choice([6, 8, 12]))
    chain = Chain(rng, Stream("s", (vectors, mw), IntType(3), int(rng.choice(divisors(mw)))))
    chain.mvau(8, IntType(2), thresholds=3, out_bias=-1)
    chain.fifo(int(rng.integers(1, 5)))
    chain.mvau(6, UIntType(2), bipolar_out=True)
    chain.mvau(4, BipolarType(), thresholds=2)
    chain.mvau(3, IntType(4))
    return chain.module()


def _source(
    rng: np.random.Generator, name: str, shape: tuple[int, ...], datatype: QDataType
) -> Stream:
    """A partition input of random lanes."""
    return Stream(name, shape, datatype, int(rng.choice(divisors(shape[-1]))))


def layers_design(seed: int) -> str:
    """Independent paths from the partition's inputs to its outputs, one per layer kind
    (so that each output's cycles per frame measure its own layers), random foldings:
      out0: thresholding (several thresholds, scale and negative bias) into a bipolar
            thresholding;
      out1: channelwise add then mul;
      out2: a fork into thresholding and a FIFO, joined by add_streams (a residual);
      out3: a fork of three outputs concatenated again (through FIFOs);
      out4: the concatenation of two partition inputs of different channels;
      out5: label select (top-k);
      out6: global accumulation pooling;
      out7: max pooling (a random kernel and stride) of signed values;
      out8: sum pooling with a shift (an average pool) of signed values;
      out9: a pool of mode max of bipolar values;
      out10: an MVAU (SIMD 8: a two-stage adder tree) whose 1024-word weight ROM is
             cut into slices (`interface.rom_slice_width`)."""
    rng = np.random.default_rng(seed)
    body = Body()
    sources: list[Stream] = []
    outputs: list[Stream] = []

    def path(shape: tuple[int, ...], datatype: QDataType) -> Chain:
        source = _source(rng, f"x{len(sources)}", shape, datatype)
        sources.append(source)
        return Chain(rng, source, body)

    chain = path((2, int(rng.choice([4, 6, 8]))), IntType(4))
    chain.thresholding(3, scale=2, bias=-3)
    chain.thresholding(0)
    outputs.append(chain.current)

    chain = path((3, int(rng.choice([4, 6]))), UIntType(3))
    chain.channelwise("add", IntType(3))
    chain.channelwise("mul", IntType(2))
    outputs.append(chain.current)

    chain = path((2, 2, int(rng.choice([4, 6]))), IntType(3))
    left, right = chain.fork(2)
    left.thresholding(2)
    right.fifo(8)
    left.add(right)
    outputs.append(left.current)

    chain = path((3, 4), UIntType(2))
    first, second, third = chain.fork(3)
    second.fifo(8)  # the concat takes a pixel of `first` while the others wait
    third.fifo(12)
    first.concat([second, third])
    outputs.append(first.current)

    a = path((2, 2 * int(rng.integers(1, 4))), IntType(2))
    b = path((2, 2 * int(rng.integers(1, 4))), IntType(2))
    a.to_lanes(int(rng.choice([1, 2])))
    a.concat([b])
    outputs.append(a.current)

    chain = path((2, int(rng.choice([6, 8, 10]))), IntType(3))
    chain.label_select(int(rng.integers(1, 4)))
    outputs.append(chain.current)

    chain = path((3, 2, int(rng.choice([2, 4]))), IntType(3))
    chain.global_pool()
    outputs.append(chain.current)

    kernel = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
    stride = (int(rng.integers(1, 3)), int(rng.integers(1, 3)))
    chain = path((4, 5, int(rng.choice([2, 4]))), IntType(3))
    chain.pool(kernel, stride)
    outputs.append(chain.current)

    chain = path((4, 4, 2), IntType(3))
    chain.pool((2, 2), (2, 2), "sum", shift=2)
    outputs.append(chain.current)

    chain = path((3, 3, 2), BipolarType())
    chain.pool((2, 2), (1, 1), "max")
    outputs.append(chain.current)

    chain = path((1, 256), IntType(2))
    chain.mvau(64, IntType(2), thresholds=3, folding=(8, 2))
    outputs.append(chain.current)
    return partition_module(sources, outputs, body)
