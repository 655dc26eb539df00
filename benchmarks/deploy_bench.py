"""The deployment package's emulated driver on every shared model
(`python benchmarks/deploy_bench.py [--rtl] [MODEL ...]`).

For each shared model (../shared/models): `qnn-build M -o OUT --shell zynq` (with
`--rtl` also the RTL and its data movers), then `OUT/deploy/driver.py --emulate=csim`
(and `--emulate=rtl`) on the sample input (1 frame) and on 16 random frames in the
sample's range, as a user would run it (a subprocess per run). One row per model,
simulation and batch: the build's wall seconds, the driver's wall seconds (the first RTL
run includes the Verilator build of `rtl_axi/`, the first C simulation run the g++
build), whether every frame agrees with qonnx (rel. 1e-5, same argmax:
`tools.build.compare`) and the largest relative difference.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from shared_models import SHARED_MODELS

from tools.build import BuildOptions, build
from tools.build.compare import agreement_report, csim_frames, load_frames

ROOT = Path(__file__).resolve().parent.parent


def _drive(out: Path, model: Path, x: np.ndarray, simulation: str) -> tuple[float, str, str]:
    np.save(out / "x.npy", x)
    start = time.perf_counter()
    proc = subprocess.run(
        [
            *(sys.executable, str(out / "deploy" / "driver.py"), f"--emulate={simulation}"),
            *("--input", str(out / "x.npy"), "--output", str(out / "y.npy")),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        return seconds, "FAILED", proc.stderr.strip().splitlines()[-1]
    frames = load_frames(x, model)
    got = csim_frames(np.load(out / "y.npy"), len(frames))
    summary = agreement_report(model, frames, got, "x.npy")["summary"]
    return seconds, "yes" if summary["agree"] else "NO", f"{summary['max_rel_diff']:.1e}"


def bench(name: str, rtl: bool, tmp: Path) -> list[str]:
    model = SHARED_MODELS / f"{name}.onnx"
    sample = np.load(SHARED_MODELS / f"{name}.in.npy")
    rng = np.random.default_rng(1)
    batch = rng.uniform(sample.min(), sample.max(), size=(16, *sample.shape[1:]))
    out = tmp / name
    start = time.perf_counter()
    build(model, out, BuildOptions(shell="zynq", rtl=rtl))
    built = time.perf_counter() - start
    rows = []
    for simulation in ("csim", "rtl") if rtl else ("csim",):
        for x in (sample, batch.astype(np.float32)):
            seconds, agree, diff = _drive(out, model, x, simulation)
            rows.append(
                f"| {name} | {simulation} | {len(x)} | {built:.1f} | {seconds:.1f} | {agree} | {diff} |"
            )
    return rows


def main(argv: list[str]) -> int:
    rtl = "--rtl" in argv
    names = [a for a in argv if a != "--rtl"] or sorted(
        p.stem for p in SHARED_MODELS.glob("*.onnx")
    )
    print("| model | simulation | frames | build s | driver s | agrees | max rel diff |")
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="qnn-deploy-bench-") as tmp:
        for name in names:
            for row in bench(name, rtl, Path(tmp)):
                print(row, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
