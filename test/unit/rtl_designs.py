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
class Chain:
    """Layers appended one after another to a stream; `module()` is the MLIR text."""

    rng: np.random.Generator
    source: Stream
    current: Stream = field(init=False)
    consts: list[str] = field(default_factory=list)
    body: list[str] = field(default_factory=list)
    count: int = 0

    def __post_init__(self) -> None:
        self.current = self.source

    def _fresh(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}{self.count}"

    def _const(self, array: np.ndarray, datatype: QDataType) -> str:
        name = self._fresh("c")
        dims = "x".join(map(str, array.shape))
        self.consts.append(
            f"  %{name} = quant.constant dense<{array.tolist()}> : tensor<{dims}xi64> -> "
            f"tensor<{dims}x{dtype_text(datatype)}>"
        )
        return name

    def _emit(self, op: str, out: Stream, operands: str, attrs: str) -> None:
        self.body.append(
            f"    %{out.name} = {op} %{self.current.name}{operands} {attrs} : "
            f"({self.current.text()}{self._operand_types}) -> {out.text()}"
        )
        self.current = out

    _operand_types = ""

    def to_lanes(self, lanes: int) -> None:
        """A `dataflow.dwc` to `lanes` lanes when the stream has another count."""
        if lanes == self.current.lanes:
            return
        out = Stream(self._fresh("d"), self.current.shape, self.current.datatype, lanes)
        self._operand_types = ""
        self._emit("dataflow.dwc", out, "", "{}")

    def fifo(self, depth: int) -> None:
        out = Stream(
            self._fresh("f"), self.current.shape, self.current.datatype, self.current.lanes
        )
        self._operand_types = ""
        self._emit("dataflow.fifo", out, "", f"{{depth = {depth} : i64}}")

    def mvau(
        self,
        mh: int,
        weights: QDataType,
        *,
        thresholds: int = 0,
        bipolar_out: bool = False,
        out_bias: int = 0,
    ) -> None:
        """An MVAU of MH outputs with random SIMD/PE (a DWC first when the input lanes
        must change), random weights of `weights`, and `thresholds` random thresholds
        per channel (0: no activation; `bipolar_out`: one threshold, bipolar output)."""
        x = self.current
        mw = x.shape[-1]
        simd = int(self.rng.choice(divisors(mw)))
        pe = int(self.rng.choice(divisors(mh)))
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
        operands = f", %{self._const(w, weights)}"
        types = f", tensor<{mw}x{mh}x{dtype_text(weights)}>"
        if bipolar_out:
            thresholds, out_dtype = 1, BipolarType()
            attrs += ["out_scale = 2 : i64", "out_bias = -1 : i64"]
        elif thresholds:
            out_dtype = smallest_datatype(min(0, out_bias), max(0, out_bias + thresholds))
            attrs.append(f"out_bias = {out_bias} : i64")
        else:
            out_dtype = acc
        if thresholds:
            rows = int(self.rng.choice([1, mh]))
            t = np.sort(self.rng.integers(lo, hi + 2, size=(rows, thresholds)), axis=1)
            operands += f", %{self._const(t, acc)}"
            types += f", tensor<{rows}x{thresholds}x{dtype_text(acc)}>"
        out = Stream(self._fresh("m"), (*x.shape[:-1], mh), out_dtype, pe)
        self._operand_types = types
        self._emit("dataflow.mvau", out, operands, "{" + ", ".join(attrs) + "}")

    def module(self) -> str:
        src, out = self.source, self.current
        return "\n".join(
            [
                f"func.func @main(%x : {src.tensor()}) -> {out.tensor()} {{",
                *self.consts,
                f"  %r = dataflow.partition(%x) : ({src.tensor()}) -> {out.tensor()} {{",
                f"  ^bb0(%{src.name} : {src.text()}):",
                *self.body,
                f"    dataflow.yield %{out.name} : {out.text()}",
                "  }",
                f"  func.return %r : {out.tensor()}",
                "}",
            ]
        )


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
