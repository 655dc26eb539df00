"""Estimates against Yosys, per layer kind, and synthesis wall time (issue 11).

    python benchmarks/synth_calibration.py table OUT [OUT ...]
    python benchmarks/synth_calibration.py build WORK [MODEL[:FPS] ...] [--jobs N]
    python benchmarks/synth_calibration.py walltime WORK [MODEL[:FPS] ...]
    python benchmarks/synth_calibration.py sweep WORK MODEL FPS,FPS,... [--ray]

`table` reads finished `qnn-build --synth` trees (`report/synth.json`, and the folded IR
`ir/5-hardware.mlir`, from which it recomputes the RTL estimate, so a changed model needs
no new synthesis) and prints, per layer kind, the summed LUT (Yosys: LUT + LUTRAM) and
BRAM18 of Yosys beside the FINN-like estimate (`est`) and the RTL estimate (`rtl`) with
their errors `(estimate - Yosys) / Yosys`, then one row per layer with `--layers`.

`build` runs `qnn-build M -o WORK/<name> --target-fps FPS --synth --jobs N` for each model
(default: the eight shared models, CNV at 3,000 fps, the MLPs at 10,000) and then `table`.
`walltime` builds each model twice, `--jobs 1` and `--jobs 2`, and prints both wall times
of the synth stage. `sweep` times `qnn-build --sweep-fps` with local processes (`--jobs
2`) and, with `--ray`, on a local Ray instance started for it (`ray start --head
--num-cpus 2`, stopped after).

Yosys's counts are not Vivado's; times measured on a loaded machine say so.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from shared_models import SHARED_MODELS  # noqa: E402

from backend_fpga.rtl_estimates import rtl_estimates  # noqa: E402
from qdialects.dataflow import require_partition  # noqa: E402
from qdialects.ir import parse_module  # noqa: E402

DEFAULT_MODELS = (
    "tfc_w1a1:10000",
    "tfc_w1a2:10000",
    "tfc_w2a2:10000",
    "sfc_w2a2:10000",
    "lfc_w1a1:10000",
    "cnv_w1a1:3000",
    "cnv_w1a2:3000",
    "cnv_w2a2:3000",
)
QNN_BUILD = str(Path(sys.executable).parent / "qnn-build")


def synthesized(row: dict[str, Any]) -> tuple[int, int]:
    s = row["synthesized"]
    return s.get("LUT", 0) + s.get("LUTRAM", 0), s.get("BRAM18", 0)


def kind_of(row: dict[str, Any]) -> str:
    return str(row.get("op") or "?").removeprefix("dataflow.")


def rows_of(out: Path) -> list[dict[str, Any]]:
    """The layers of a synthesized tree, each with its RTL estimate recomputed."""
    report = json.loads((out / "report/synth.json").read_text())
    module = parse_module((out / "ir/5-hardware.mlir").read_text())
    rtl = rtl_estimates(require_partition(module, "calibration"))
    rows = []
    for row in report["layers"]:
        estimate = rtl.get(row["name"], {})
        rows.append({**row, "model": out.name, "rtl": estimate})
    return rows


def error(estimate: float, got: float) -> str:
    if got == 0:
        return "   -  " if estimate == 0 else "  inf "
    return f"{100 * (estimate - got) / got:+5.0f}%"


def print_table(outs: Sequence[Path], layers: bool) -> None:
    rows = [row for out in outs for row in rows_of(out)]
    sums: dict[str, list[float]] = defaultdict(lambda: [0.0] * 7)
    for row in rows:
        lut, bram = synthesized(row)
        acc = sums[kind_of(row)]
        est, rtl = row["estimated"], row["rtl"]
        for i, v in enumerate(
            (1, lut, est.get("LUT", 0), rtl.get("LUT", 0), bram, est.get("BRAM18", 0))
        ):
            acc[i] += v
        acc[6] += rtl.get("BRAM_18K", 0)
    models = ", ".join(out.name for out in outs)
    print(f"Yosys synth_xilinx vs estimates, per layer kind ({models})")
    print(
        f"{'kind':<18}{'n':>4} | {'LUT yosys':>10}{'est':>8}{'err':>7}{'rtl':>8}{'err':>7} | "
        f"{'BRAM yosys':>10}{'est':>6}{'err':>7}{'rtl':>6}{'err':>7}"
    )
    for kind, (n, lut, est_lut, rtl_lut, bram, est_bram, rtl_bram) in sorted(sums.items()):
        print(
            f"{kind:<18}{n:>4.0f} | {lut:>10.0f}{est_lut:>8.0f}{error(est_lut, lut):>7}"
            f"{rtl_lut:>8.0f}{error(rtl_lut, lut):>7} | {bram:>10.0f}{est_bram:>6.0f}"
            f"{error(est_bram, bram):>7}{rtl_bram:>6.0f}{error(rtl_bram, bram):>7}"
        )
    if not layers:
        return
    print()
    print(
        f"{'model':<10}{'layer':<12}{'module':<22}{'LUT':>7}{'est':>7}{'rtl':>7}{'BRAM':>6}"
        f"{'est':>5}{'rtl':>5}"
    )
    for row in rows:
        lut, bram = synthesized(row)
        est, rtl = row["estimated"], row["rtl"]
        print(
            f"{row['model']:<10}{row['name']:<12}{row['module']:<22}{lut:>7}"
            f"{est.get('LUT', 0):>7}{rtl.get('LUT', 0):>7}{bram:>6}{est.get('BRAM18', 0):>5}"
            f"{rtl.get('BRAM_18K', 0):>5}"
        )


def parse_spec(spec: str) -> tuple[Path, str]:
    name, _, fps = spec.partition(":")
    path = Path(name) if name.endswith(".onnx") else SHARED_MODELS / f"{name}.onnx"
    return path, fps or "10000"


def run_build(model: Path, out: Path, fps: str, *flags: str) -> float:
    begin = time.perf_counter()
    result = subprocess.run(
        [QNN_BUILD, str(model), "-o", str(out), "--target-fps", fps, "--force", *flags],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - begin
    if result.returncode != 0:
        print(f"{model.stem}: {result.stderr.strip().splitlines()[-1]}", file=sys.stderr)
    return seconds


def synth_seconds(out: Path) -> float | None:
    info = out / "report/build-info.json"
    if not info.is_file():
        return None
    return json.loads(info.read_text())["seconds"].get("synth")


def walltime(work: Path, specs: Sequence[str]) -> None:
    print(f"{'model':<10}{'fps':>7}{'layers':>7}{'jobs 1 s':>10}{'jobs 2 s':>10}{'speed-up':>9}")
    for spec in specs:
        model, fps = parse_spec(spec)
        times = []
        for jobs in (1, 2):
            out = work / f"{model.stem}-j{jobs}"
            run_build(model, out, fps, "--synth", "--jobs", str(jobs))
            times.append(synth_seconds(out))
        serial, parallel = times
        report = work / f"{model.stem}-j2" / "report/synth.json"
        n = len(json.loads(report.read_text())["layers"]) if report.is_file() else 0
        ratio = f"{serial / parallel:.2f}" if serial and parallel else "-"
        print(f"{model.stem:<10}{fps:>7}{n:>7}{serial or 0:>10.1f}{parallel or 0:>10.1f}{ratio:>9}")


def sweep(work: Path, spec: str, targets: str, ray: bool) -> None:
    model, _ = parse_spec(spec)
    rows = [("local, --jobs 2", ["--jobs", "2"])]
    if ray:
        rows.append(("Ray (local, 2 CPUs)", ["--ray", "auto"]))
        subprocess.run(
            [str(Path(sys.executable).parent / "ray"), "start", "--head", "--num-cpus", "2"],
            capture_output=True,
            check=True,
        )
    try:
        print(f"{'executor':<22}{'points':>7}{'wall s':>9}")
        for label, flags in rows:
            out = work / f"sweep-{flags[-1]}"
            begin = time.perf_counter()
            subprocess.run(
                [QNN_BUILD, str(model), "-o", str(out), "--sweep-fps", targets, "--force", *flags],
                check=True,
                capture_output=True,
            )
            print(f"{label:<22}{len(targets.split(',')):>7}{time.perf_counter() - begin:>9.1f}")
    finally:
        if ray:
            subprocess.run(
                [str(Path(sys.executable).parent / "ray"), "stop"], capture_output=True, check=False
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    table = sub.add_parser("table")
    table.add_argument("outs", nargs="+", type=Path)
    table.add_argument("--layers", action="store_true")
    build = sub.add_parser("build")
    build.add_argument("work", type=Path)
    build.add_argument("models", nargs="*", default=list(DEFAULT_MODELS))
    build.add_argument("--jobs", default="2")
    wall = sub.add_parser("walltime")
    wall.add_argument("work", type=Path)
    wall.add_argument("models", nargs="*", default=["tfc_w1a1:10000", "sfc_w2a2:10000"])
    sw = sub.add_parser("sweep")
    sw.add_argument("work", type=Path)
    sw.add_argument("model")
    sw.add_argument("targets")
    sw.add_argument("--ray", action="store_true")
    args = parser.parse_args()
    if args.command == "table":
        print_table(args.outs, args.layers)
    elif args.command == "build":
        args.work.mkdir(parents=True, exist_ok=True)
        outs = []
        for spec in args.models:
            model, fps = parse_spec(spec)
            out = args.work / model.stem
            run_build(model, out, fps, "--synth", "--jobs", args.jobs)
            if (out / "report/synth.json").is_file():
                outs.append(out)
        print_table(outs, layers=False)
    elif args.command == "walltime":
        args.work.mkdir(parents=True, exist_ok=True)
        walltime(args.work, args.models)
    else:
        args.work.mkdir(parents=True, exist_ok=True)
        sweep(args.work, args.model, args.targets, args.ray)


if __name__ == "__main__":
    main()
