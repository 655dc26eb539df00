"""`set-folding{target-fps=F clock-ns=T part=P max-utilization=U max-weight-width=36
relax=true parallel-window=true}`: choose every layer's PE/SIMD (and a standard
sliding-window generator's parallel window) so the accelerator reaches F frames per second
at a T ns clock; without `target-fps`, as fast as the estimate fits U (default 85 %) of
every resource of part P (`qdialects.dataflow.parts`).

Target: `target_cycles = 1e9 / T / F` cycles per frame for every layer (the slowest layer
sets the pipeline's initiation interval). Fitting a part: the fastest target whose
cheapest folding fits, found by bisection (`passes.folding_network.fastest_fitting`),
checked on a copy made ready by the `hardware` pipeline (its sized FIFOs and converters
count; a folding whose copy overshoots is redone with that excess reserved); a
network that does not fit even at PE = SIMD = 1 everywhere gets that slowest folding and
`FoldingResult.fits` is False (`qnn-build` then warns, naming a bigger part).

Per layer (FINN's `SetFolding`, made exact):

* the candidates are every folding the layer can take (`passes.dataflow_folding.choices`:
  PE over the divisors of MH/C/N, SIMD over the divisors of MW/C/K). FINN walks them in a
  fixed order — SIMD up over its divisors, then PE — and stops at the first folding that
  meets the target. Here the result is the *least parallel* folding that meets the target
  (the most cycles still <= target) over all candidates, so no layer overshoots because of
  the walk order (e.g. MW = 576 = 2^6·9 offers SIMD 9, 18, 36 ... that FINN's walk may
  skip past). More exactly, each layer offers its frontier (for each SIMD the least PE
  meeting the target) and the network takes the cheapest *combination* of the layers'
  candidates, counting the width converters a combination needs between layers whose
  lanes differ (`passes.folding_network`); ties keep the least parallel, then FINN's
  order (more SIMD, less PE first);
* resources are compared as one number, LUT-equivalents of the part (xc7z020, the board
  of the FINN comparison, for a part the table does not know): `LUT + 190·BRAM18 +
  242·DSP + 3040·URAM` there — 53,200 LUT / 280 BRAM18 and 53,200 LUT / 220 DSP, so one
  unit of each is the same share of the device; a URAM (288 Kib) on a part without URAM
  counts as the 16 BRAM18 it replaces (`resource_cost`);
* MVAU weight-stream cap (FINN's `mvau_wwidth_max`, option `max-weight-width`, 36 bits):
  FINN limits the weight stream *per PE*, `SIMD · weight bits <= 36` (not PE·SIMD·bits), and
  lets SIMD pass the cap only when that SIMD alone meets the target. Here the cap is a
  preference in the same spirit: foldings within the cap are chosen whenever one meets the
  target; otherwise the least parallel folding above the cap that meets it (FINN would leave
  the layer at the cap, short of the target);
* a layer whose fully unfolded folding still misses the target is fully unfolded, and the
  partition records why in `folding_notes` ("target not reachable: layer X needs N cycles
  per frame even fully unfolded ..."), which `-t estimates` reports;
* relaxation (FINN's `two_pass_relaxation`, option `relax`, default true): when some layer
  cannot reach the target, the network runs at the slowest such layer's rate anyway, so
  every layer is then folded for those cycles instead (same fps, fewer resources; only the
  bottleneck stays fully unfolded). With `relax=false` every unreachable layer stays fully
  unfolded and the reachable ones meet the original target;
* a standard-order `swg` may also take `parallel_window` (SIMD = C, the whole window per
  word: one output pixel per cycle), its most parallel folding; an MVAU with SIMD = MW
  then reads it without a converter, so a conv layer can go past one pixel per
  `KH·KW` cycles (option `parallel-window`, default true; both backends build it);
* a depthwise `swg` is folded with the `vvau` it feeds (SIMD = the VVAU's PE); layers
  without PE/SIMD (dwc, fifo, reshape) keep theirs, and width converters are then placed
  by `passes.dataflow_folding.reconcile` (partition inputs take the first layer's width).

The partition keeps the request in a `set_folding` dictionary attribute (target_fps when
given, clock_ns, target_cycles, max_weight_width, part, max_utilization).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from xdsl.context import Context
from xdsl.dialects.builtin import (
    ArrayAttr,
    DictionaryAttr,
    FloatAttr,
    IntegerAttr,
    ModuleOp,
    StringAttr,
    f64,
    i64,
)
from xdsl.passes import ModulePass

from passes import dataflow_folding as fold
from passes.defaults import DEFAULT_CLOCK_NS, DEFAULT_MAX_UTILIZATION, DEFAULT_PART
from passes.errors import FoldingError
from passes.folding_network import Network, Weights, fastest_fitting
from passes.levels import Level, require_level
from passes.pipeline import run_pipeline
from passes.pipelines import HARDWARE
from qdialects import dataflow as df
from qdialects.dataflow.estimates import Resources
from qdialects.dataflow.limits import AP_INT_MAX_W
from qdialects.dataflow.parts import PARTS, Part, find_part, fits, known_devices

NOTES_ATTRIBUTE = "folding_notes"
TARGET_ATTRIBUTE = "set_folding"

REFERENCE_PART = PARTS[0]
"""The xc7z020, whose LUT-equivalents price foldings for a part the table does not know."""


def resource_cost(resources: Resources, part: Part = REFERENCE_PART) -> float:
    """Resources as one number of LUT-equivalents of `part` (`folding_network.Weights`)."""
    return Weights.of(part).cost(resources)


def target_cycles(target_fps: float, clock_ns: float) -> float:
    """Cycles per frame that give `target_fps` at a `clock_ns` clock."""
    if target_fps <= 0 or clock_ns <= 0:
        raise FoldingError(
            f"set-folding: target-fps ({target_fps}) and clock-ns ({clock_ns}) must be positive"
        )
    return 1e9 / clock_ns / target_fps


Setting = tuple[int | None, int | None]
"""A unit's SIMD and, for a standard-order swg, its parallel_window (else None)."""


@dataclass
class Candidate:
    pe: int | None
    simd: int | None
    cycles: int
    within_cap: bool
    fits: bool
    """Every stream and weight word is at most AP_INT_MAX_W bits wide."""
    in_lanes: tuple[int, ...] = ()
    """Lanes of each operand the unit reads (0 for a tensor operand)."""
    out_lanes: tuple[int, ...] = ()
    """Lanes of each stream the unit writes."""
    resources: Resources | None = None
    window: int | None = None
    """A standard-order swg's parallel_window (None for other layers)."""

    def order(self) -> tuple[int, int, int]:
        """FINN's preference among equals: SIMD is raised before PE (and before the
        parallel window)."""
        return (self.pe or 1, -(self.simd or 1), self.window or 0)

    def preference(self) -> tuple[int, int, int, int]:
        """The least parallel first (most cycles), then FINN's order."""
        return (-self.cycles, *self.order())


def _lanes(types: list[object]) -> tuple[int, ...]:
    return tuple(t.lanes if isinstance(t, df.StreamType) else 0 for t in types)


def _settings(options: dict[str, list[int]], parallel_window: bool) -> list[Setting]:
    """The SIMD axis of a unit, least parallel first: every SIMD, and for a standard-order
    swg (with `parallel_window`) also its parallel window at SIMD = C (its most parallel
    setting)."""
    simds: list[int | None] = list(options.get(fold.SIMD, [None]))
    if fold.WINDOW not in options:
        return [(simd, None) for simd in simds]
    settings: list[Setting] = [(simd, 0) for simd in simds]
    return [*settings, (simds[-1], 1)] if parallel_window else settings


class FoldingUnit:
    """One layer (with its depthwise swg) and the foldings it can take, probed lazily.

    Cycles never grow when PE or SIMD grows (every layer's model), so for each SIMD the
    least parallel PE meeting a target is found by bisection over the divisors, and only
    those foldings are probed (a few dozen per layer instead of every pair)."""

    def __init__(
        self, layer: df.Layer, name: str, max_weight_width: int, parallel_window: bool = True
    ):
        self.layer = layer
        self.name = name
        options = fold.choices(layer)
        self.pes: list[int | None] = list(options.get(fold.PE, [None]))
        self.simds: list[Setting] = _settings(options, parallel_window)
        self.weight_bits = layer.weight_dtype().bitwidth if isinstance(layer, df.MVAUOp) else 0
        self.max_weight_width = max_weight_width
        self.probe = fold.Probe.of(layer)
        swg = fold.depthwise_producer(layer) if isinstance(layer, df.VVAUOp) else None
        self.group: list[df.Layer] = [layer] if swg is None else [swg, layer]
        """The original layers the unit folds, stream order (the probe copies them)."""
        self._seen: dict[tuple[int | None, Setting], Candidate] = {}
        self.chosen: Candidate | None = None
        self.note: str | None = None

    def candidate(self, pe: int | None, setting: Setting) -> Candidate:
        key = (pe, setting)
        if key not in self._seen:
            simd, window = setting
            self.probe.set(pe, simd, window)
            head, tail = self.probe.layers[0], self.probe.layers[-1]
            within = not self.weight_bits or (simd or 1) * self.weight_bits <= self.max_weight_width
            self._seen[key] = Candidate(
                pe,
                simd,
                self.probe.cycles(),
                within,
                self.probe.widest_word() <= AP_INT_MAX_W,
                _lanes([fold.input_type(head, i) for i in range(len(head.operands))]),
                _lanes([fold.output_type(tail, i) for i in range(len(tail.results))]),
                window=window,
            )
        return self._seen[key]

    def resources(self, candidate: Candidate) -> Resources:
        if candidate.resources is None:
            self.probe.set(candidate.pe, candidate.simd, candidate.window)
            candidate.resources = self.probe.estimates()
        return candidate.resources

    def widest(self) -> Candidate:
        return self.candidate(self.pes[-1], self.simds[-1])

    def slowest(self) -> Candidate:
        """PE = SIMD = 1 (the fewest resources a layer's folding gives)."""
        return self.candidate(self.pes[0], self.simds[0])

    def fully_unfolded(self) -> Candidate:
        """The most parallel folding whose words fit AP_INT_MAX_W."""
        fitting = [
            c
            for c in (self.candidate(pe, simd) for simd in self.simds for pe in self.pes)
            if c.fits
        ]
        return min(fitting or [self.slowest()], key=lambda c: c.cycles)

    def _least_pe_meeting(self, simd: Setting, target: float) -> Candidate | None:
        lo, hi = 0, len(self.pes)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.candidate(self.pes[mid], simd).cycles <= target:
                hi = mid
            else:
                lo = mid + 1
        return self.candidate(self.pes[lo], simd) if lo < len(self.pes) else None

    def frontier(self, target: float) -> list[Candidate]:
        """For each SIMD the least PE meeting `target` (within the weight-width cap when
        one is), preferred first (`Candidate.preference`); empty when even full
        unfolding misses it."""
        meeting = [
            c for c in (self._least_pe_meeting(simd, target) for simd in self.simds) if c and c.fits
        ]
        pool = [c for c in meeting if c.within_cap] or meeting
        return sorted(pool, key=Candidate.preference)


@dataclass
class FoldingResult:
    """What `fold_partition` decided; `fit` is set when it folded to fit a part."""

    target_cycles: float
    effective_cycles: float
    units: list[FoldingUnit] = field(default_factory=list)
    resources: Resources = field(default_factory=Resources)
    """The estimate the choice was made on (the units and their converters)."""
    part: Part | None = None
    fits: bool | None = None
    """Whether `resources` fits the part's allowed share (None: the part is unknown)."""

    @property
    def notes(self) -> list[str]:
        return [u.note for u in self.units if u.note]


def _is_folding_unit(layer: df.Layer) -> bool:
    if not fold.choices(layer):
        return False
    # a depthwise swg feeding a vvau is folded with it
    return not (
        isinstance(layer, df.SWGOp) and layer.is_depthwise and bool(fold.depthwise_consumers(layer))
    )


def _describe(candidate: Candidate) -> str:
    parts = []
    if candidate.pe is not None:
        parts.append(f"PE={candidate.pe}")
    if candidate.simd is not None:
        parts.append(f"SIMD={candidate.simd}")
    if candidate.window:
        parts.append("parallel_window=1")
    return ", ".join(parts)


def _unreachable_note(unit: FoldingUnit, target: float, target_fps: float, clock_ns: float):
    full = unit.fully_unfolded()
    limit = (
        "fully unfolded"
        if full == unit.widest()
        else f"at its widest folding within {AP_INT_MAX_W}-bit words"
    )
    return (
        f"target not reachable: layer {unit.name} needs {full.cycles} cycles per "
        f"frame even {limit} ({_describe(full)}), the target is "
        f"{target:g} cycles ({target_fps:g} fps at {clock_ns:g} ns)"
    )


def _for_target(
    network: Network, target: float, target_fps: float, clock_ns: float, relax: bool
) -> tuple[list[Candidate], float]:
    """The cheapest combination meeting `target` (relaxed to the slowest unreachable
    layer, or with those layers fully unfolded) and the effective target."""
    achievable = target
    options = []
    for unit in network.units:
        frontier = unit.frontier(target)
        if not frontier:
            full = unit.fully_unfolded()
            unit.note = _unreachable_note(unit, target, target_fps, clock_ns)
            achievable = max(achievable, full.cycles)
            frontier = [full]
        options.append(frontier)
    if relax and achievable > target:
        # FINN's second pass: fold everything for the rate the network can reach
        options = [unit.frontier(achievable) for unit in network.units]
        return network.choose(options), achievable
    return network.choose(options), target


def resolve_part(name: str) -> Part:
    """The table's part for `name`, else a `FoldingError` naming the known devices."""
    part = find_part(name)
    if part is None:
        raise FoldingError(
            f"set-folding: the resources of part {name!r} are unknown (known: "
            f"{known_devices()}); give target-fps to fold without fitting a part"
        )
    return part


def fold_partition(
    partition: df.PartitionOp,
    target_fps: float | None,
    clock_ns: float = DEFAULT_CLOCK_NS,
    max_weight_width: int = 36,
    relax: bool = True,
    part: str = DEFAULT_PART,
    max_utilization: float = DEFAULT_MAX_UTILIZATION,
    parallel_window: bool = True,
    reserve: Resources | None = None,
) -> FoldingResult:
    """Choose and apply the folding of every layer of `partition` (module docstring):
    for `target_fps`, or (None) the fastest whose estimate plus `reserve` fits
    `max_utilization` of `part`; a standard swg takes a parallel window only with
    `parallel_window`."""
    held = reserve or Resources()
    if target_fps is None:
        known = resolve_part(part)
    else:
        target_cycles(target_fps, clock_ns)  # checks the numbers
        known = find_part(part)
    if not 0 < max_utilization <= 1:
        raise FoldingError(
            f"set-folding: max-utilization must be in (0, 1], got {max_utilization:g}"
        )
    names = fold.layer_names(partition)
    units = [
        FoldingUnit(layer, names[layer], max_weight_width, parallel_window)
        for layer in partition.layers()
        if _is_folding_unit(layer)
    ]
    network = Network(units, Weights.of(known or REFERENCE_PART))
    try:
        if target_fps is None:
            assert known is not None
            fit = fastest_fitting(network, known, max_utilization, held) if units else None
            chosen = fit.chosen if fit else []
            target = effective = fit.target if fit else 1.0
        else:
            target = target_cycles(target_fps, clock_ns)
            chosen, effective = _for_target(network, target, target_fps, clock_ns, relax)
        resources = network.resources(chosen)
    finally:
        for unit in units:
            unit.probe.release()
    for unit, candidate in zip(units, chosen, strict=True):
        unit.chosen = candidate
        fold.set_params(
            unit.layer,
            pe=candidate.pe,
            simd=candidate.simd,
            window=candidate.window,
            names=names,
        )
    fold.reconcile(partition, adapt_inputs=True)
    fitting = None if known is None else fits(resources + held, known, max_utilization)
    result = FoldingResult(target, effective, units, resources, known, fitting)
    _record(partition, result, target_fps, clock_ns, max_weight_width, part, max_utilization)
    return result


def _record(
    partition: df.PartitionOp,
    result: FoldingResult,
    target_fps: float | None,
    clock_ns: float,
    max_weight_width: int,
    part: str,
    max_utilization: float,
) -> None:
    """The request on the partition (`set_folding`), and the notes (`folding_notes`)."""
    request: dict[str, FloatAttr | IntegerAttr | StringAttr] = {}
    if target_fps is not None:
        request["target_fps"] = FloatAttr(float(target_fps), f64)
    request["clock_ns"] = FloatAttr(float(clock_ns), f64)
    request["target_cycles"] = IntegerAttr(int(result.target_cycles), i64)
    request["max_weight_width"] = IntegerAttr(max_weight_width, i64)
    request["part"] = StringAttr(part)
    request["max_utilization"] = FloatAttr(float(max_utilization), f64)
    partition.attributes[TARGET_ATTRIBUTE] = DictionaryAttr(request)
    if result.notes:
        partition.attributes[NOTES_ATTRIBUTE] = ArrayAttr([StringAttr(n) for n in result.notes])
    else:
        partition.attributes.pop(NOTES_ATTRIBUTE, None)


def folding_notes(partition: df.PartitionOp) -> list[str]:
    """The notes `set-folding` left on `partition` (unreachable targets)."""
    attr = partition.attributes.get(NOTES_ATTRIBUTE)
    if not isinstance(attr, ArrayAttr):
        return []
    return [a.data for a in attr.data if isinstance(a, StringAttr)]


@dataclass(frozen=True)
class SetFoldingPass(ModulePass):
    """Fold every layer to meet `target_fps` at `clock_ns`, or without `target_fps` as
    fast as fits `max_utilization` of `part` (see the module docstring).

    The defaults are `passes.defaults`' (those of `qnn-build`)."""

    name = "set-folding"

    target_fps: int | float | None = None
    clock_ns: int | float = DEFAULT_CLOCK_NS
    max_weight_width: int = 36
    relax: bool = True
    part: str = DEFAULT_PART
    max_utilization: float = DEFAULT_MAX_UTILIZATION
    parallel_window: bool = True
    """Whether a standard SWG may take `parallel_window`."""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        self.fold(ctx, op)

    def fold(self, ctx: Context, op: ModuleOp) -> ModuleOp | None:
        """`apply`; without `target_fps`, also the copy of the folded `op` the `hardware`
        pipeline made ready (and verified) to check that the folding fits: what that
        pipeline makes of `op`, so `qnn-build` takes it instead of running it again."""
        require_level(op, self.name, Level.DATAFLOW)
        if self.target_fps is None:
            return self._fit(ctx, op)
        self._fold(op, [None] * len(_partitions(op)))
        return None

    def _fold(self, op: ModuleOp, reserves: Sequence[Resources | None]) -> list[Resources]:
        """Fold every partition of `op` (each with its reserve); the folding's estimate of
        each."""
        return [
            fold_partition(
                partition,
                self.target_fps,
                self.clock_ns,
                self.max_weight_width,
                self.relax,
                self.part,
                self.max_utilization,
                self.parallel_window,
                reserve,
            ).resources
            for partition, reserve in zip(_partitions(op), reserves, strict=True)
        ]

    def _fit(self, ctx: Context, op: ModuleOp) -> ModuleOp:
        """Fold as fast as fits the part once the `hardware` pipeline has made the
        partitions ready to emit: that pipeline adds what the folding's estimate leaves out
        (FIFOs at their sized depths, converters) and narrows accumulators, so a folding
        whose ready copy overshoots is redone, reserving what the hardware added to it.
        Returns the ready copy of the folding that stands."""
        part = resolve_part(self.part)
        pristine = op.clone()
        reserves: list[Resources | None] = [None] * len(_partitions(op))
        for round_ in range(FIT_ROUNDS):
            folded = self._fold(op, reserves)
            ready = op.clone()
            run_pipeline(ready, HARDWARE, ctx, verify_between=False)
            built = [partition.estimates() for partition in _partitions(ready)]
            if round_ == FIT_ROUNDS - 1 or all(fits(b, part, self.max_utilization) for b in built):
                return ready
            reserves = [b.beyond(f) for b, f in zip(built, folded, strict=True)]
            _restore(op, pristine)
        raise AssertionError("the last round returns")


FIT_ROUNDS = 3
"""Foldings `set-folding` tries to fit a part with the hardware added (`_fit`); the last
one stands even if it overshoots (`qnn-build` then warns)."""


def _partitions(op: ModuleOp) -> list[df.PartitionOp]:
    return [p for p in op.walk() if isinstance(p, df.PartitionOp)]


def _restore(op: ModuleOp, pristine: ModuleOp) -> None:
    """Give `op` a copy of `pristine`'s body (the module before folding)."""
    op.body.detach_block(0).erase()
    op.body.add_block(pristine.clone().body.detach_block(0))
