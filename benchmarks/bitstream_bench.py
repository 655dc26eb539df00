"""ECP5 bitstream benchmarks (`python benchmarks/bitstream_bench.py [--part P] [NAME ...]`).

For the shipped example digits_mlp_w2a2 (default folding) and the shared MLPs at 10,000
fps (../shared/models), `tools.build.build` with `bitstream=True` for `--part` (default
LFE5U-85F-6BG381C, the ULX3S's), in process. One row each: the whole build's wall
time, the three tools' wall times (Yosys synth_ecp5, nextpnr-ecp5, ecppack), the
achieved Fmax against the 100 MHz target, and the utilisation (LUT4, FF, DP16KD,
MULT18X18D). A model that does not fit, or a tool that fails, is a row with its one-line
reason. YoWASP's WebAssembly must be compiled already (`.ci/install` does).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from shared_models import SHARED_MODELS

DEFAULT_MODELS = ("digits_mlp_w2a2", "tfc_w2a2", "tfc_w1a1", "sfc_w2a2")
FPS = 10000.0
COLUMNS = ("model", "fps", "build s", "synth s", "pnr s", "pack s", "Fmax MHz", "LUT4", "FF")
COLUMNS += ("DP16KD", "MULT18", "note")


def model_path(name: str) -> tuple[Path, str | None]:
    """The model file of a shipped example or a shared model, and the example's name."""
    from tools.qnn_build import list_examples

    examples = list_examples()
    if name in examples:
        return examples[name], name
    return SHARED_MODELS / f"{name}.onnx", None


def row(name: str, part: str) -> dict[str, Any]:
    """One build with a bitstream; the table row."""
    from tools.build import BuildError, BuildOptions, build

    model, example = model_path(name)
    fps = int(FPS) if example is None else BuildOptions().target_fps
    options = BuildOptions(target_fps=fps, part=part, bitstream=True, name=example)
    begin = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="qnn-bitstream-bench-") as tmp:
        try:
            result = build(model, Path(tmp) / "out", options)
        except BuildError as error:
            return {"model": name, "fps": fps, "note": str(error)}
    report = result.pnr or {}
    used = {k: v["used"] for k, v in (report.get("utilisation") or {}).items()}
    clock = (report.get("clocks") or [{}])[0]
    seconds = report.get("seconds") or {}
    note = "" if report.get("timing_met") else f"< target {report.get('target_mhz')} MHz"
    return {
        "model": name,
        "fps": fps,
        "build s": time.perf_counter() - begin,
        "synth s": seconds.get("synth"),
        "pnr s": seconds.get("pnr"),
        "pack s": seconds.get("pack"),
        "Fmax MHz": clock.get("fmax_mhz"),
        "LUT4": used.get("TRELLIS_COMB"),
        "FF": used.get("TRELLIS_FF"),
        "DP16KD": used.get("DP16KD"),
        "MULT18": used.get("MULT18X18D"),
        "note": note,
    }


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.1f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("models", nargs="*", default=list(DEFAULT_MODELS))
    parser.add_argument("--part", default="LFE5U-85F-6BG381C")
    args = parser.parse_args()
    print(f"bitstreams for {args.part} (wall times; one build at a time)")
    print("| " + " | ".join(COLUMNS) + " |")
    print("|" + "---|" * len(COLUMNS))
    for name in args.models:
        values = row(name, args.part)
        print("| " + " | ".join(cell(values.get(c)) for c in COLUMNS) + " |", flush=True)


if __name__ == "__main__":
    main()
