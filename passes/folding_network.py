"""`set-folding`'s whole-network choice: the cheapest combination of the layers' foldings,
and the fastest folding that fits a part.

**The combination.** At a target of T cycles per frame every folding unit (a layer, or a
depthwise swg with its vvau) offers its *frontier*: for each SIMD the least PE meeting T
(`FoldingUnit.frontier`; more PE for the same SIMD only costs more). Choosing one
candidate per unit costs the candidates' own resources plus, on every stream between two
units whose lanes then differ, the `dataflow.dwc` that `reconcile` will insert there
(`estimates.dwc_luts` of the two widths). The FIFOs `insert-fifos` puts on every edge
(one more behind each converter) are costed at their minimum depth, i.e. nothing: their
real depths come from `size-fifos` after folding (about 1 % of CNV's LUTs), so when
fitting a part `set-folding` passes what the `hardware` pipeline added to a first folding
as a `reserve`.

All costs are one number, LUT-equivalents of the part (`resource_cost`). When the units
form a chain (each reads the previous one, the usual CNN/MLP) the cheapest combination is
found exactly by dynamic programming over the chain; otherwise (forks and joins) by
coordinate descent from each unit's own cheapest candidate until no unit's change lowers
the total. Ties keep the unit's preferred candidate (the least parallel, then FINN's
order).

**Fitting a part.** `fastest_fitting` bisects the target (on a log scale, to 0.1 %)
between the fastest the network can go (its slowest unit fully unfolded) and the slowest
folding (every unit at PE = SIMD = 1, the cheapest combination there), keeping the fastest
target whose combination's estimate fits the allowed share of the part. Resources are not
exactly monotone in the target, so this is the fastest fitting target bisection finds,
not necessarily the global one. Probed foldings are cached per unit, so each step costs a
few new probes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qdialects import dataflow as df
from qdialects.dataflow import estimates as est
from qdialects.dataflow.estimates import Resources
from qdialects.dataflow.parts import Part, fits
from qdialects.dataflow.types import StreamType

if TYPE_CHECKING:
    from passes.set_folding import Candidate, FoldingUnit

BISECTION_PRECISION = 1.001
"""`fastest_fitting` stops when the fitting and the failing target are this close."""
DESCENT_SWEEPS = 20
"""At most this many coordinate-descent sweeps over a non-chain network."""


@dataclass(frozen=True)
class Weights:
    """LUT-equivalents of one BRAM18, URAM and DSP on a part: the LUTs of the same share of
    the device (xc7z020: 53,200 LUT / 280 BRAM18 = 190; a URAM without URAMs on the part
    counts as the 16 BRAM18 it replaces)."""

    bram18: float
    uram: float
    dsp: float

    @staticmethod
    def of(part: Part) -> Weights:
        bram = part.lut6 / part.bram18
        uram = part.lut6 / part.uram if part.uram else 16 * bram
        return Weights(bram, uram, part.lut6 / part.dsp)

    def cost(self, resources: Resources) -> float:
        """`resources` as one number of LUT-equivalents."""
        return (
            resources.lut
            + self.bram18 * resources.bram18
            + self.uram * resources.uram
            + self.dsp * resources.dsp
        )


@dataclass(frozen=True)
class Edge:
    """A stream from result `result` of unit `producer` to operand `operand` of unit
    `consumer` (through converters, FIFOs and reshapes), of `bits`-bit elements."""

    producer: int
    result: int
    consumer: int
    operand: int
    bits: int

    def resources(self, made: Candidate, read: Candidate) -> Resources:
        """The converter this edge needs when `made` feeds `read` (none when the lanes
        agree)."""
        lanes_out, lanes_in = made.out_lanes[self.result], read.in_lanes[self.operand]
        if lanes_out == lanes_in:
            return Resources()
        return Resources(lut=est.dwc_luts(lanes_out * self.bits, lanes_in * self.bits))


_THROUGH = (df.DWCOp, df.FIFOOp, df.ReshapeOp)


def edges_between(units: Sequence[FoldingUnit]) -> list[Edge]:
    """Every stream from one unit to another (`Edge`)."""
    index: dict[df.Layer, int] = {}
    for k, unit in enumerate(units):
        for layer in unit.group:
            index[layer] = k
    found = []
    for k, unit in enumerate(units):
        head = unit.group[0]
        for operand, value in enumerate(head.operands):
            if not isinstance(value.type, StreamType):
                continue
            while isinstance(value.owner, _THROUGH):
                value = value.owner.operands[0]
            owner = value.owner
            producer = index.get(owner) if isinstance(owner, df.Layer) else None
            if not isinstance(owner, df.Layer) or producer is None or producer == k:
                continue
            result = owner.results.index(value)
            bits = value.type.element.bitwidth if isinstance(value.type, StreamType) else 0
            found.append(Edge(producer, result, k, operand, bits))
    return found


class Network:
    """The folding units of a partition, the streams between them, and the part whose
    LUT-equivalents price them."""

    def __init__(self, units: Sequence[FoldingUnit], weights: Weights):
        self.units = list(units)
        self.weights = weights
        self.edges = edges_between(self.units)
        self._into: dict[int, list[Edge]] = {k: [] for k in range(len(self.units))}
        self._out_of: dict[int, list[Edge]] = {k: [] for k in range(len(self.units))}
        for edge in self.edges:
            self._into[edge.consumer].append(edge)
            self._out_of[edge.producer].append(edge)

    def is_chain(self) -> bool:
        """Each unit (after the first) reads the one before it and nothing else does."""
        pairs = sorted((e.producer, e.consumer) for e in self.edges)
        return pairs == [(k, k + 1) for k in range(len(self.units) - 1)]

    def _own(self, k: int, candidate: Candidate) -> float:
        return self.weights.cost(self.units[k].resources(candidate))

    def _edge(self, edge: Edge, made: Candidate, read: Candidate) -> float:
        return self.weights.cost(edge.resources(made, read))

    def choose(self, options: Sequence[Sequence[Candidate]]) -> list[Candidate]:
        """The cheapest combination, one candidate per unit out of `options` (each
        non-empty, preferred candidates first)."""
        if self.is_chain():
            return self._chain(options)
        return self._descent(options)

    def _chain(self, options: Sequence[Sequence[Candidate]]) -> list[Candidate]:
        """Dynamic programming along the chain: `best[c]` is the cheapest prefix ending in
        candidate c of the current unit."""
        best = [self._own(0, c) for c in options[0]]
        back: list[list[int]] = []
        for k in range(1, len(options)):
            edge = self._into[k][0]
            row, links = [], []
            for c in options[k]:
                totals = [best[i] + self._edge(edge, p, c) for i, p in enumerate(options[k - 1])]
                i = min(range(len(totals)), key=totals.__getitem__)  # first = preferred
                row.append(totals[i] + self._own(k, c))
                links.append(i)
            best, back = row, [*back, links]
        pick = min(range(len(best)), key=best.__getitem__)
        chosen = [pick]
        for links in reversed(back):
            pick = links[pick]
            chosen.append(pick)
        chosen.reverse()
        return [options[k][i] for k, i in enumerate(chosen)]

    def _local(self, k: int, candidate: Candidate, current: list[Candidate]) -> float:
        """Unit k's own cost with `candidate` plus its edges to the current neighbours."""
        total = self._own(k, candidate)
        total += sum(self._edge(e, current[e.producer], candidate) for e in self._into[k])
        total += sum(self._edge(e, candidate, current[e.consumer]) for e in self._out_of[k])
        return total

    def _descent(self, options: Sequence[Sequence[Candidate]]) -> list[Candidate]:
        """Coordinate descent from each unit's own cheapest candidate."""
        current = [
            min(choices, key=lambda c, k=k: self._own(k, c)) for k, choices in enumerate(options)
        ]
        for _ in range(DESCENT_SWEEPS):
            changed = False
            for k, choices in enumerate(options):
                best = min(choices, key=lambda c, k=k: self._local(k, c, current))
                if self._local(k, best, current) < self._local(k, current[k], current):
                    current[k], changed = best, True
            if not changed:
                break
        return current

    def resources(self, chosen: Sequence[Candidate]) -> Resources:
        """The combination's estimate: the units' and the converters' resources."""
        total = Resources()
        for k, candidate in enumerate(chosen):
            total = total + self.units[k].resources(candidate)
        for edge in self.edges:
            total = total + edge.resources(chosen[edge.producer], chosen[edge.consumer])
        return total

    def at(self, target: float) -> list[Candidate] | None:
        """The cheapest combination meeting `target` cycles, None if some unit cannot."""
        options = [unit.frontier(target) for unit in self.units]
        if not all(options):
            return None
        return self.choose(options)


@dataclass
class Fit:
    """What `fastest_fitting` found: the target and its combination; `fits` is False when
    even the slowest folding exceeds the part (then `chosen` is that slowest folding)."""

    target: float
    chosen: list[Candidate]
    resources: Resources
    fits: bool


def fastest_fitting(
    network: Network, part: Part, fraction: float, reserve: Resources | None = None
) -> Fit:
    """The fastest target whose cheapest combination, plus `reserve` (what the network's
    costs leave out), fits `fraction` of `part` (module docstring)."""
    held = reserve or Resources()
    fastest = float(max(unit.fully_unfolded().cycles for unit in network.units))
    slowest = float(max(unit.slowest().cycles for unit in network.units))

    def attempt(target: float) -> Fit | None:
        chosen = network.at(target)
        if chosen is None:
            return None
        resources = network.resources(chosen)
        return Fit(target, chosen, resources, fits(resources + held, part, fraction))

    quick = attempt(fastest)
    if quick is not None and quick.fits:
        return quick
    best = attempt(slowest)
    assert best is not None, "every unit meets the cycles of its slowest folding"
    if not best.fits:
        return best
    low, high = fastest, slowest
    while high / low > BISECTION_PRECISION:
        middle = math.sqrt(low * high)
        found = attempt(middle)
        if found is not None and found.fits:
            high, best = middle, found
        else:
            low = middle
    return best
