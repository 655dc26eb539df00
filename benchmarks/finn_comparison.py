"""qnn's folding against FINN's SetFolding at equal frame rates, both priced by FINN's own
MVAU estimate formulas (docs/comparison.md cites this script's output).

    python benchmarks/finn_comparison.py [--anchors DIR] [--models DIR]

For each network FINN was run on (`DIR/<model>/`: FINN's `auto_folding_config.json`,
`final_model_nodes.json`, `op_and_param_counts.json`, `estimate_layer_resources.json`,
`estimate_network_performance.json`; TFC at a 100,000 fps target, CNV at 3,000, 10 ns),
`set-folding` folds the same QONNX model for the same target, and both foldings of every
MVAU are priced by FINN's `MVAU_hls.lut_estimation` and `MVAU.bram_estimation` (FINN-R:
LUT = 300 + 1.1·PE·(mult + adder tree + accumulator), BRAM18 by the weight memory's width
band; FINN's defaults `mem_mode = internal_decoupled`, `ram_style = auto`, LUT products,
thresholds in "auto" memory, which FINN does not count). The two foldings differ only in
PE/SIMD: the datatypes of each layer are FINN's (its weight and input bits from qnn's
layer, the same network; the accumulator width from FINN's own parameter counts), so
"FINN formula on FINN's folding" reproduces FINN's report (the `check` column).

The MVAUs hold every BRAM18 and about 92 % of FINN's LUTs on these networks. The other
layers (sliding-window generators, thresholding, pools, label select, and qnn's width
converters and FIFOs) are implemented differently (FINN: RTL generators, decoupled weight
streamers; qnn: its own HLS library), so they are listed with each tool's own estimate,
not compared by one formula.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from shared_models import SHARED_MODELS  # noqa: E402

from frontend import import_qonnx  # noqa: E402
from passes.pipeline import run_pipeline  # noqa: E402
from qdialects import dataflow as df  # noqa: E402
from qdialects.dataflow import require_partition  # noqa: E402
from qdialects.dataflow.estimates import memory_bram18  # noqa: E402

ANCHORS = SHARED_MODELS.parent / "anchors" / "finn"
TARGETS = {"tfc_w1a1": 100_000, "tfc_w2a2": 100_000, "cnv_w1a1": 3_000, "cnv_w2a2": 3_000}
CLOCK_NS = 10.0
FINN_MEM_MODE = "internal_decoupled"
"""FINN's default, in every anchor's folding configuration."""


@dataclass(frozen=True)
class Mvau:
    """One MVAU as FINN's formulas see it."""

    mw: int
    mh: int
    weight_bits: int
    input_bits: int
    input_signed: bool
    acc_bits: int

    def wmem(self, pe: int, simd: int) -> int:
        return self.mw * self.mh // (pe * simd)

    def luts(self, pe: int, simd: int, mem_mode: str) -> int:
        """FINN's `MVAU_hls.lut_estimation` (LUT products, ram_style auto, thresholds in
        "auto" memory: no threshold LUTs; embedded weights of depth <= 128 in LUTs)."""
        w, a = self.weight_bits, self.input_bits
        weight_luts = 0
        if mem_mode == "internal_embedded" and self.wmem(pe, simd) <= 128:
            weight_luts = pe * simd * w * math.ceil(self.wmem(pe, simd) / 64)
        mult = simd * (2 * math.ceil((w + a) / 6) - 1) * (w + a)
        adder_tree = (w + a) * (2 * simd - 1)
        alpha = math.log2(self.mw) + w + a - 1 - int(self.input_signed)
        bound = math.ceil(alpha + math.log2(1 + 2**-alpha) + 1)
        acc = min(self.acc_bits, bound)
        return int(300 + 1.1 * pe * (mult + adder_tree + acc) + weight_luts)

    def bram18(self, pe: int, simd: int, mem_mode: str) -> int:
        """FINN's `MVAU.bram_estimation` (ram_style auto)."""
        if mem_mode == "internal_embedded" and self.wmem(pe, simd) <= 128:
            return 0
        # FINN-R's width bands, which qnn's estimates use as they are
        return memory_bram18(self.wmem(pe, simd), pe * simd * self.weight_bits)

    def cycles(self, pe: int, simd: int, vectors: int) -> int:
        return self.mh // pe * (self.mw // simd) * vectors


@dataclass
class Layer:
    name: str
    mvau: Mvau
    vectors: int
    qnn: tuple[int, int]
    """(PE, SIMD) set-folding chose."""
    qnn_mem_mode: str
    finn: tuple[int, int]
    """(PE, SIMD) FINN's SetFolding chose."""
    finn_reported: tuple[int, int]
    """FINN's own (LUT, BRAM18) for its folding."""


def _bits(counts: dict, prefix: str) -> list[int]:
    """The bit widths in FINN's parameter-count key starting `prefix` (`op_mac_2bx8b`:
    [2, 8]), empty when there is none."""
    for key in counts:
        if key.startswith(prefix):
            return [int(b.removesuffix("b")) for b in key.removeprefix(prefix).split("x")]
    return []


def finn_datatypes(counts: dict, op: df.MVAUOp) -> tuple[int, int, int]:
    """(weight, input, accumulator) bits as FINN typed the layer (its parameter counts;
    the accumulator of a layer without thresholds from qnn's exact range)."""
    (weight,) = _bits(counts, "param_weight_")
    mac = _bits(counts, "op_mac_")
    inputs = mac[1] if mac[0] == weight else mac[0]
    acc = _bits(counts, "param_threshold_") or [op.accumulator.bitwidth]
    return weight, inputs, acc[0]


def qnn_folding(model: Path, target_fps: float) -> tuple[list[df.MVAUOp], dict[str, int]]:
    """set-folding's MVAUs (program order) for `target_fps`, and the other layers' own
    estimates summed by kind."""
    module = import_qonnx(model)
    pipeline = f"quant-to-hardware{{target-fps={target_fps:g} clock-ns={CLOCK_NS:g}}}"
    run_pipeline(module, pipeline)
    partition = require_partition(module, "finn_comparison")
    mvaus = [layer for layer in partition.layers() if isinstance(layer, df.MVAUOp)]
    others = {"LUT": 0, "BRAM18": 0, "cycles": partition.cycles_per_frame()}
    for layer in partition.layers():
        if not isinstance(layer, df.MVAUOp):
            estimate = layer.estimates()
            others["LUT"] += estimate.lut
            others["BRAM18"] += estimate.bram18
    return mvaus, others


def finn_fps(name: str, anchors: Path) -> float:
    performance = json.loads((anchors / name / "estimate_network_performance.json").read_text())
    return float(performance["estimated_throughput_fps"])


def layers_of(
    name: str, anchors: Path, models: Path, target_fps: float
) -> tuple[list[Layer], dict, dict]:
    """The MVAUs of both foldings (qnn's for `target_fps`) and each tool's other layers."""
    root = anchors / name
    folding = json.loads((root / "auto_folding_config.json").read_text())
    counts = json.loads((root / "op_and_param_counts.json").read_text())
    reported = json.loads((root / "estimate_layer_resources.json").read_text())
    nodes = [n for n in json.loads((root / "final_model_nodes.json").read_text())]
    finn_mvaus = [n for n in nodes if n["op_type"].startswith("MVAU")]
    mvaus, qnn_others = qnn_folding(models / f"{name}.onnx", target_fps)
    assert len(mvaus) == len(finn_mvaus), (name, len(mvaus), len(finn_mvaus))
    layers = []
    for op, node in zip(mvaus, finn_mvaus, strict=True):
        mw, mh = op.matrix_shape()
        assert (mw, mh) == (node["MW"], node["MH"]), (name, node["name"])
        in_dtype = df.stream_type(op.x).element
        weight, inputs, acc = finn_datatypes(counts[node["name"]], op)
        mvau = Mvau(mw, mh, weight, inputs, in_dtype.signed, acc)
        own = reported[node["name"]]
        layers.append(
            Layer(
                node["name"].replace("_hls", ""),
                mvau,
                op.vectors(),
                (op.pe_value, op.simd_value),
                op.mem_mode.data,
                (folding[node["name"]]["PE"], folding[node["name"]]["SIMD"]),
                (int(own["LUT"]), int(own["BRAM_18K"])),
            )
        )
    finn_others = {"LUT": 0, "BRAM18": 0}
    for key, own in reported.items():
        if key != "total" and not key.startswith("MVAU"):
            finn_others["LUT"] += int(own["LUT"])
            finn_others["BRAM18"] += int(own["BRAM_18K"])
    performance = json.loads((root / "estimate_network_performance.json").read_text())
    finn_others["cycles"] = int(performance["max_cycles"])
    return layers, qnn_others, finn_others


def fps(cycles: int) -> str:
    return f"{1e9 / CLOCK_NS / cycles:,.0f}"


def totals(layers: list[Layer], side: str) -> tuple[int, int, int]:
    """(LUT, BRAM18, MVAU-limited cycles) of one side's folding (`finn` or `qnn`)."""
    lut = bram = cycles = 0
    for layer in layers:
        pe, simd = layer.finn if side == "finn" else layer.qnn
        mem_mode = FINN_MEM_MODE if side == "finn" else layer.qnn_mem_mode
        lut += layer.mvau.luts(pe, simd, mem_mode)
        bram += layer.mvau.bram18(pe, simd, mem_mode)
        cycles = max(cycles, layer.mvau.cycles(pe, simd, layer.vectors))
    return lut, bram, cycles


def summary(anchors: Path, models: Path) -> list[str]:
    """One row per network: FINN's folding, qnn's for the same target and qnn's for the
    rate FINN's folding reaches."""
    lines = [
        "| network, target | FINN SetFolding | qnn, same target | qnn, FINN's rate |",
        "|---|---|---|---|",
    ]
    for name, target in TARGETS.items():
        at_target, _, _ = layers_of(name, anchors, models, target)
        at_rate, _, _ = layers_of(name, anchors, models, finn_fps(name, anchors))
        cells = [
            "{2} fps, {0:,} LUT, {1} BRAM18".format(
                *totals(layers, side)[:2], fps(totals(layers, side)[2])
            )
            for layers, side in ((at_target, "finn"), (at_target, "qnn"), (at_rate, "qnn"))
        ]
        lines.append(f"| {name}, {target:,} fps | " + " | ".join(cells) + " |")
    return lines


def report(name: str, anchors: Path, models: Path) -> list[str]:
    layers, qnn_others, finn_others = layers_of(name, anchors, models, TARGETS[name])
    lines = [
        f"### {name} at {TARGETS[name]:,} fps target, {CLOCK_NS:g} ns",
        "",
        "| MVAU | MW x MH | FINN PE x SIMD | LUT | BRAM18 | check (FINN's report) "
        "| qnn PE x SIMD | LUT | BRAM18 |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    totals = {"finn_lut": 0, "finn_bram": 0, "qnn_lut": 0, "qnn_bram": 0}
    finn_cycles = qnn_cycles = 0
    for layer in layers:
        m = layer.mvau
        f_lut, f_bram = m.luts(*layer.finn, FINN_MEM_MODE), m.bram18(*layer.finn, FINN_MEM_MODE)
        q_lut = m.luts(*layer.qnn, layer.qnn_mem_mode)
        q_bram = m.bram18(*layer.qnn, layer.qnn_mem_mode)
        totals["finn_lut"] += f_lut
        totals["finn_bram"] += f_bram
        totals["qnn_lut"] += q_lut
        totals["qnn_bram"] += q_bram
        finn_cycles = max(finn_cycles, m.cycles(*layer.finn, layer.vectors))
        qnn_cycles = max(qnn_cycles, m.cycles(*layer.qnn, layer.vectors))
        check = "=" if (f_lut, f_bram) == layer.finn_reported else f"{layer.finn_reported}"
        lines.append(
            f"| {layer.name} | {m.mw} x {m.mh} | {layer.finn[0]} x {layer.finn[1]} "
            f"| {f_lut:,} | {f_bram} | {check} | {layer.qnn[0]} x {layer.qnn[1]} "
            f"| {q_lut:,} | {q_bram} |"
        )
    lines.append(
        f"| **MVAUs** | | | **{totals['finn_lut']:,}** | **{totals['finn_bram']}** | "
        f"| | **{totals['qnn_lut']:,}** | **{totals['qnn_bram']}** |"
    )
    lines += [
        "",
        f"MVAU-limited rate: FINN {fps(finn_cycles)} fps, qnn {fps(qnn_cycles)} fps; "
        f"whole network (each tool's own cycle model): FINN {fps(finn_others['cycles'])} fps, "
        f"qnn {fps(qnn_others['cycles'])} fps.",
        f"Other layers, each tool's own estimate: FINN {finn_others['LUT']:,} LUT, "
        f"{finn_others['BRAM18']} BRAM18; qnn (incl. width converters and FIFOs) "
        f"{qnn_others['LUT']:,} LUT, {qnn_others['BRAM18']} BRAM18.",
        "",
    ]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="qnn's folding against FINN's, priced by FINN's MVAU formulas"
    )
    parser.add_argument("--anchors", type=Path, default=ANCHORS)
    parser.add_argument("--models", type=Path, default=SHARED_MODELS)
    ns = parser.parse_args(argv)
    print("## MVAUs priced by FINN's formulas (all BRAM18, ~92 % of FINN's LUT)\n")
    print("\n".join(summary(ns.anchors, ns.models)))
    print()
    for name in TARGETS:
        print("\n".join(report(name, ns.anchors, ns.models)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
