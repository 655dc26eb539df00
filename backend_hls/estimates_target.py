"""`-t estimates{clock-ns=T}` and `-t folding-json`: the accelerator's performance and
resource report, and its folding as a FINN folding configuration.

`estimates` prints one JSON object:

    {"clock_ns": 10.0,
     "layers": [{"name": "MVAU_0", "op": "dataflow.mvau", "PE": 16, "SIMD": 3,
                 "cycles": 6272, "LUT": 2437, "BRAM_18K": 1, "URAM": 0, "DSP": 0}, ...],
     "network": {"max_cycles": 6272, "bottleneck": "MVAU_0", "estimated_fps": 15943.9,
                 "latency_cycles": 21044, "latency_us": 210.44,
                 "totals": {"LUT": ..., "BRAM_18K": ..., "URAM": ..., "DSP": ...}},
     "part": {"name": "xc7z020clg400-1", "device": "xc7z020", "max_utilization": 0.85,
              "capacity": {"LUT": 53200, ...}, "utilization_percent": {"LUT": 24.5, ...},
              "fits": true, "over": []},
     "folding": {"target_fps": 10000.0, "target_cycles": 10000, "target_met": true,
                 "notes": ["target not reachable: layer SWG_0 needs ..."]}}

* every layer of the partition in program order (names: `qdialects.dataflow.naming.layer_names`),
  including width converters and FIFOs; `PE`/`SIMD` are null for layers without them;
  `cycles` is the layer's `cycles_per_frame()`, resources its `estimates()` (FINN-R
  models, `qdialects.dataflow.estimates`; keys as FINN's `LUT`, `BRAM_18K`, `URAM`, `DSP`);
* `estimated_fps = 1e9 / (clock_ns · max_cycles)`: the slowest layer sets the pipeline's
  initiation interval;
* `latency_cycles` is a first-order figure: the sum of the layers' cycles per frame, as if
  each layer finished a frame before the next started. Real streaming overlaps the layers
  (lower), and FIFO filling and pipeline depths add a little (higher);
* `part`: the totals against the part `set-folding` folded for (else the default part,
  `passes.defaults`) and the share of it a design may take: per resource the percentage
  used, whether every resource is within the share (`fits`; null for a part
  `qdialects.dataflow.parts` does not know), the resources over it, and when it does not
  fit the smallest known part of the same vendor that would (`suggested_part`);
* `folding` appears after `set-folding`: its request, whether the estimate meets it, and
  its notes on layers that cannot reach it (without a target: the part it fitted,
  `fit_part`). The clock is the `clock-ns` option, else the one `set-folding` used,
  else 10 ns.

`folding-json` prints `passes.dataflow_folding.write_folding_json(module)`, which
`apply-folding{config=...}` reads back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import IO, Any

from xdsl.context import Context
from xdsl.dialects.builtin import DictionaryAttr, FloatAttr, IntegerAttr, ModuleOp, StringAttr
from xdsl.utils.target import Target

from passes import dataflow_folding as fold
from passes.dataflow_folding import write_folding_json
from passes.defaults import DEFAULT_CLOCK_NS, DEFAULT_MAX_UTILIZATION, DEFAULT_PART
from passes.errors import FoldingError
from passes.set_folding import TARGET_ATTRIBUTE, folding_notes
from qdialects.dataflow import find_partition
from qdialects.dataflow.estimates import Resources
from qdialects.dataflow.parts import find_part, overshoots, smallest_fitting, utilization


def _folding_request(partition: Any) -> dict[str, float | str]:
    attr = partition.attributes.get(TARGET_ATTRIBUTE)
    request: dict[str, float | str] = {}
    if isinstance(attr, DictionaryAttr):
        for key, value in attr.data.items():
            if isinstance(value, FloatAttr | IntegerAttr):
                request[key] = float(value.value.data)
            elif isinstance(value, StringAttr):
                request[key] = value.data
    return request


def part_report(total: Resources, name: str, fraction: float) -> dict[str, Any]:
    """The `part` section: the estimate against `fraction` of the part's resources."""
    part = find_part(name)
    if part is None:
        return {"name": name, "device": None, "max_utilization": fraction, "fits": None}
    over = overshoots(total, part, fraction)
    report: dict[str, Any] = {
        "name": name,
        "device": part.device,
        "max_utilization": fraction,
        "capacity": part.capacity().as_dict(),
        "utilization_percent": utilization(total, part),
        "fits": not over,
        "over": [o.describe() for o in over],
    }
    if over:
        bigger = smallest_fitting(total, fraction, part)
        report["suggested_part"] = bigger.device if bigger else None
    return report


def estimates_report(
    module: ModuleOp, clock_ns: float | None = None, part: str | None = None
) -> dict[str, Any]:
    """The report `-t estimates` prints (module docstring); `part` overrides the part
    `set-folding` recorded."""
    partition = find_partition(module, "estimates")
    if partition is None:
        return {"clock_ns": clock_ns or DEFAULT_CLOCK_NS, "layers": [], "network": None}
    request = _folding_request(partition)
    clock = float(clock_ns or _number(request, "clock_ns") or DEFAULT_CLOCK_NS)
    notes = folding_notes(partition)
    layers: list[dict[str, Any]] = []
    total = Resources()
    max_cycles, bottleneck, latency = 0, None, 0
    bottleneck_params = False
    for layer, name in fold.layer_names(partition).items():
        params = fold.params(layer)
        cycles = layer.cycles_per_frame()
        resources = layer.estimates()
        total = total + resources
        latency += cycles
        # the bottleneck: the slowest layer; a converter only when no layer with a
        # folding is as slow (a converter is never slower than both its neighbours)
        if cycles > max_cycles or (cycles == max_cycles and params and not bottleneck_params):
            max_cycles, bottleneck, bottleneck_params = cycles, name, bool(params)
        entry: dict[str, Any] = {
            "name": name,
            "op": layer.name,
            "PE": params.get(fold.PE),
            "SIMD": params.get(fold.SIMD),
            "cycles": cycles,
            **resources.as_dict(),
        }
        mine = [n for n in notes if f"layer {name} " in n]
        if mine:
            entry["note"] = mine[0]
        layers.append(entry)
    fps = 1e9 / (clock * max_cycles) if max_cycles else None
    report: dict[str, Any] = {
        "clock_ns": clock,
        "layers": layers,
        "network": {
            "max_cycles": max_cycles,
            "bottleneck": bottleneck,
            "estimated_fps": round(fps, 1) if fps is not None else None,
            "latency_cycles": latency,
            "latency_us": round(latency * clock / 1000, 3),
            "totals": total.as_dict(),
        },
    }
    fitted = request.get("part")
    part = part or (fitted if isinstance(fitted, str) else DEFAULT_PART)
    fraction = _number(request, "max_utilization") or DEFAULT_MAX_UTILIZATION
    report["part"] = part_report(total, part, fraction)
    target_fps = _number(request, "target_fps")
    if target_fps is not None:
        report["folding"] = {
            "target_fps": target_fps,
            "target_cycles": int(_number(request, "target_cycles") or 0),
            "target_met": fps is not None and fps >= target_fps * (1 - 1e-9),
            "notes": notes,
        }
    elif "target_cycles" in request:
        report["folding"] = {"fit_part": fitted, "max_utilization": fraction, "notes": notes}
    return report


def _number(request: dict[str, float | str], key: str) -> float | None:
    value = request.get(key)
    return value if isinstance(value, float) else None


@dataclass(frozen=True)
class EstimatesTarget(Target):
    """`-t estimates{clock-ns=T}`: the performance and resource report as JSON."""

    name = "estimates"

    clock_ns: int | float | None = None

    def emit(self, ctx: Context, module: ModuleOp, output: IO[str]) -> None:
        clock = None if self.clock_ns is None else float(self.clock_ns)
        if clock is not None and clock <= 0:
            raise FoldingError(f"estimates: clock-ns must be positive, got {clock:g}")
        json.dump(estimates_report(module, clock), output, indent=2)
        output.write("\n")


@dataclass(frozen=True)
class FoldingJsonTarget(Target):
    """`-t folding-json`: the folding as a FINN folding configuration."""

    name = "folding-json"

    def emit(self, ctx: Context, module: ModuleOp, output: IO[str]) -> None:
        json.dump(write_folding_json(module), output, indent=2)
        output.write("\n")
