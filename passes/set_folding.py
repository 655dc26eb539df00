"""`set-folding{target-fps=F clock-ns=T max-weight-width=36 relax=true}`: choose every
layer's PE/SIMD so the accelerator reaches F frames per second at a T ns clock.

Target: `target_cycles = 1e9 / T / F` cycles per frame for every layer (the slowest layer
sets the pipeline's initiation interval).

Per layer (FINN's `SetFolding`, made exact):

* the candidates are every folding the layer can take (`passes.dataflow_folding.choices`:
  PE over the divisors of MH/C/N, SIMD over the divisors of MW/C/K). FINN walks them in a
  fixed order — SIMD up over its divisors, then PE — and stops at the first folding that
  meets the target. Here the result is the *least parallel* folding that meets the target
  (the most cycles still <= target) over all candidates, so no layer overshoots because of
  the walk order (e.g. MW = 576 = 2^6·9 offers SIMD 9, 18, 36 ... that FINN's walk may
  skip past). Among foldings with equal cycles the one with the least estimated resources
  wins, then FINN's order (more SIMD, less PE first);
* resources are compared as one number, LUT-equivalents on an xc7z020 (the board of the
  FINN comparison): `LUT + 190·BRAM18 + 242·DSP + 3040·URAM` — 53,200 LUT / 280 BRAM18 and
  53,200 LUT / 220 DSP, so one unit of each is the same share of the device; a URAM
  (288 Kib) counts as the 16 BRAM18 it replaces (`resource_cost`);
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
  `KH·KW` cycles (option `parallel-window`, default true; `qnn-build` turns it off for
  the RTL backend, which has no parallel window);
* a depthwise `swg` is folded with the `vvau` it feeds (SIMD = the VVAU's PE); layers
  without PE/SIMD (dwc, fifo, reshape) keep theirs, and width converters are then placed
  by `passes.dataflow_folding.reconcile` (partition inputs take the first layer's width).

The partition keeps the request in a `set_folding` dictionary attribute (target_fps,
clock_ns, target_cycles, max_weight_width).
"""

from __future__ import annotations

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
from passes.defaults import DEFAULT_CLOCK_NS, DEFAULT_TARGET_FPS
from passes.errors import FoldingError
from passes.levels import Level, require_level
from qdialects import dataflow as df
from qdialects.dataflow.estimates import Resources
from qdialects.dataflow.limits import AP_INT_MAX_W

LUT_PER_BRAM18 = 190
LUT_PER_DSP = 242
LUT_PER_URAM = 16 * LUT_PER_BRAM18

NOTES_ATTRIBUTE = "folding_notes"
TARGET_ATTRIBUTE = "set_folding"


def resource_cost(resources: Resources) -> int:
    """Resources as one number of LUT-equivalents (see the module docstring)."""
    return (
        resources.lut
        + LUT_PER_BRAM18 * resources.bram18
        + LUT_PER_DSP * resources.dsp
        + LUT_PER_URAM * resources.uram
    )


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
    cost: int | None = None
    window: int | None = None

    def order(self) -> tuple[int, int, int]:
        """FINN's preference among equals: SIMD is raised before PE (and before the
        parallel window)."""
        return (self.pe or 1, -(self.simd or 1), self.window or 0)


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
        self._seen: dict[tuple[int | None, Setting], Candidate] = {}
        self.chosen: Candidate | None = None
        self.note: str | None = None

    def candidate(self, pe: int | None, setting: Setting) -> Candidate:
        key = (pe, setting)
        if key not in self._seen:
            simd, window = setting
            self.probe.set(pe, simd, window)
            within = not self.weight_bits or (simd or 1) * self.weight_bits <= self.max_weight_width
            fits = self.probe.widest_word() <= AP_INT_MAX_W
            self._seen[key] = Candidate(pe, simd, self.probe.cycles(), within, fits, None, window)
        return self._seen[key]

    def cost(self, candidate: Candidate) -> int:
        if candidate.cost is None:
            self.probe.set(candidate.pe, candidate.simd, candidate.window)
            candidate.cost = resource_cost(self.probe.estimates())
        return candidate.cost

    def widest(self) -> Candidate:
        return self.candidate(self.pes[-1], self.simds[-1])

    def fully_unfolded(self) -> Candidate:
        """The most parallel folding whose words fit AP_INT_MAX_W."""
        fitting = [
            c
            for c in (self.candidate(pe, simd) for simd in self.simds for pe in self.pes)
            if c.fits
        ]
        return min(fitting or [self.candidate(self.pes[0], self.simds[0])], key=lambda c: c.cycles)

    def _least_pe_meeting(self, simd: Setting, target: float) -> Candidate | None:
        lo, hi = 0, len(self.pes)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.candidate(self.pes[mid], simd).cycles <= target:
                hi = mid
            else:
                lo = mid + 1
        return self.candidate(self.pes[lo], simd) if lo < len(self.pes) else None

    def select(self, target: float) -> Candidate | None:
        """The least parallel folding meeting `target` (within the weight-width cap when
        one is), cheapest among equal cycles; None when even full unfolding misses it."""
        meeting = [
            c for c in (self._least_pe_meeting(simd, target) for simd in self.simds) if c and c.fits
        ]
        pool = [c for c in meeting if c.within_cap] or meeting
        if not pool:
            return None
        slowest = max(c.cycles for c in pool)
        ties = [c for c in pool if c.cycles == slowest]
        return min(ties, key=lambda c: (self.cost(c), c.order()))


@dataclass
class FoldingResult:
    """What `fold_partition` decided."""

    target_cycles: float
    effective_cycles: float
    units: list[FoldingUnit] = field(default_factory=list)

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


def fold_partition(
    partition: df.PartitionOp,
    target_fps: float,
    clock_ns: float = DEFAULT_CLOCK_NS,
    max_weight_width: int = 36,
    relax: bool = True,
    parallel_window: bool = True,
) -> FoldingResult:
    """Choose and apply the folding of every layer of `partition` (module docstring)."""
    target = target_cycles(target_fps, clock_ns)
    names = fold.layer_names(partition)
    units = [
        FoldingUnit(layer, names[layer], max_weight_width, parallel_window)
        for layer in partition.layers()
        if _is_folding_unit(layer)
    ]
    try:
        achievable = target
        for unit in units:
            unit.chosen = unit.select(target)
            if unit.chosen is None:
                full = unit.fully_unfolded()
                unit.chosen = full
                achievable = max(achievable, full.cycles)
                limit = (
                    "fully unfolded"
                    if full == unit.widest()
                    else (f"at its widest folding within {AP_INT_MAX_W}-bit words")
                )
                unit.note = (
                    f"target not reachable: layer {unit.name} needs {full.cycles} cycles per "
                    f"frame even {limit} ({_describe(full)}), the target is "
                    f"{target:g} cycles ({target_fps:g} fps at {clock_ns:g} ns)"
                )
        if relax and achievable > target:
            # FINN's second pass: fold everything for the rate the network can reach
            for unit in units:
                unit.chosen = unit.select(achievable)
    finally:
        for unit in units:
            unit.probe.release()
    for unit in units:
        assert unit.chosen is not None
        fold.set_params(
            unit.layer,
            pe=unit.chosen.pe,
            simd=unit.chosen.simd,
            window=unit.chosen.window,
            names=names,
        )
    fold.reconcile(partition, adapt_inputs=True)
    result = FoldingResult(target, achievable if relax else target, units)
    partition.attributes[TARGET_ATTRIBUTE] = DictionaryAttr(
        {
            "target_fps": FloatAttr(float(target_fps), f64),
            "clock_ns": FloatAttr(float(clock_ns), f64),
            "target_cycles": IntegerAttr(int(target), i64),
            "max_weight_width": IntegerAttr(max_weight_width, i64),
        }
    )
    if result.notes:
        partition.attributes[NOTES_ATTRIBUTE] = ArrayAttr([StringAttr(n) for n in result.notes])
    else:
        partition.attributes.pop(NOTES_ATTRIBUTE, None)
    return result


def folding_notes(partition: df.PartitionOp) -> list[str]:
    """The notes `set-folding` left on `partition` (unreachable targets)."""
    attr = partition.attributes.get(NOTES_ATTRIBUTE)
    if not isinstance(attr, ArrayAttr):
        return []
    return [a.data for a in attr.data if isinstance(a, StringAttr)]


@dataclass(frozen=True)
class SetFoldingPass(ModulePass):
    """Fold every layer to meet `target_fps` at `clock_ns` (see the module docstring).

    The defaults are `passes.defaults`' (those of `qnn-build`)."""

    name = "set-folding"

    target_fps: int | float = DEFAULT_TARGET_FPS
    clock_ns: int | float = DEFAULT_CLOCK_NS
    max_weight_width: int = 36
    relax: bool = True
    parallel_window: bool = True
    """Whether a standard SWG may take `parallel_window` (the RTL backend has none)."""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        require_level(op, self.name, Level.DATAFLOW)
        for partition in [p for p in op.walk() if isinstance(p, df.PartitionOp)]:
            fold_partition(
                partition,
                self.target_fps,
                self.clock_ns,
                self.max_weight_width,
                self.relax,
                self.parallel_window,
            )
