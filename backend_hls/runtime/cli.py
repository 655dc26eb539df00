"""The command lines of the deployment package: `driver.py` and `validate.py`.

    python driver.py --input X.npy --output Y.npy [--emulate[=csim|rtl]] [--batch-size B]
    python validate.py --dataset X.npy --labels L.npy [--emulate[=csim|rtl]] [--batch-size B]

On the board they load `bitfile/<name>.bit` (and its `.hwh`) with PYNQ; with
`--emulate` the same code runs against a simulation of the build directory the package
sits in: the C simulation (`../csim`, built with g++ when needed) or, for a build with
`--rtl`, the Verilator model of the RTL behind its DMAs (`../rtl_axi`, built with
Verilator when needed). Errors are one line and exit 1.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from .accelerator import Accelerator, Device, DeviceError
from .model import InputError, batched_inputs, run_model


class Deployment:
    """The model of a deployment directory on a device: float frames in, outputs out."""

    def __init__(self, deploy_dir: Path, device: Device):
        self.spec: dict[str, Any] = json.loads((deploy_dir / "accel.json").read_text())
        self.accelerator = Accelerator(device, self.spec)
        self.host = _load_host(deploy_dir / "host.py")
        self.accelerator_seconds = 0.0

    @property
    def input_shapes(self) -> list[list[int]]:
        return self.spec["model"]["inputs"]

    def _partition(self, ints: list[np.ndarray]) -> list[np.ndarray]:
        start = time.perf_counter()
        outputs = self.accelerator.run(ints)
        self.accelerator_seconds += time.perf_counter() - start
        return outputs

    def run(self, inputs: list[np.ndarray]) -> list[np.ndarray]:
        """Every model input `N x shape` (or `N x shape[1:]`), floats -> every output
        stacked along the batch axis."""
        for i, array in enumerate(inputs):
            if np.asarray(array).dtype.kind != "f":
                raise InputError(f"input {i}: dtype {np.asarray(array).dtype}, expected float32")
        batched = batched_inputs(inputs, self.input_shapes)
        return run_model(
            self.host.pre, self.host.post, self._partition, batched, len(self.spec["inputs"])
        )


def _load_host(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("qnn_deploy_host", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SIMULATIONS = {"csim": "C simulation", "rtl": "RTL simulation"}


def simulation(deploy_dir: Path, emulate: str | None) -> str | None:
    """What `--emulate` runs on: None (the board), "csim" (`../csim`) or "rtl" (the
    Verilator model of `../rtl_axi`, the RTL behind its DMAs); "auto" is "rtl" when the
    build has it, else "csim"."""
    if emulate != "auto":
        return emulate
    return "rtl" if (deploy_dir.parent / "rtl_axi" / "build.sh").is_file() else "csim"


def open_device(deploy_dir: Path, spec: dict[str, Any], emulate: str | None) -> Device:
    """The board's accelerator, or the simulation `emulate` names (`simulation`)."""
    registers = spec["dma"]["registers"]
    if emulate is not None:
        from .emulator import EmulatedDevice, ensure_testbench

        build = deploy_dir.parent
        if emulate == "rtl" and not (build / "rtl_axi").is_dir():
            raise DeviceError(f"{build}: no rtl_axi/ (build with --rtl --shell zynq)")
        testbench = ensure_testbench(build / ("csim" if emulate == "csim" else "rtl_axi"))
        cwd = build / "rtl" if emulate == "rtl" else None
        return EmulatedDevice(testbench, registers["size"], registers["ctrl"], cwd=cwd)
    from .board import PynqDevice

    name = spec["model"]["name"]
    return PynqDevice(deploy_dir / "bitfile" / f"{name}.bit", spec["dma"]["top"])


def _load(path: str, what: str) -> np.ndarray:
    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError) as error:
        raise InputError(f"{path}: cannot read the {what} ({error})") from None


def _deployment(deploy_dir: Path, emulate: str | None) -> Deployment:
    spec = json.loads((deploy_dir / "accel.json").read_text())
    return Deployment(deploy_dir, open_device(deploy_dir, spec, emulate))


def _run_batches(model: Deployment, x: np.ndarray, batch_size: int | None) -> np.ndarray:
    size = batch_size or max(1, x.shape[0])
    outputs = [model.run([x[k : k + size]])[0] for k in range(0, x.shape[0], size)]
    return np.concatenate(outputs, axis=0)


def _common_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--emulate",
        nargs="?",
        const="auto",
        choices=["csim", "rtl", "auto"],
        help="run on a simulation of the build directory instead of the board: csim (../csim), "
        "rtl (the Verilator model of ../rtl_axi); alone: rtl when the build has it, else csim",
    )
    parser.add_argument(
        "--batch-size", type=int, default=None, help="frames per accelerator run (default: all)"
    )


def _fail(prog: str, message: str) -> int:
    print(f"{prog}: error: {message}", file=sys.stderr)
    return 1


def driver_main(deploy_dir: Path, argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="driver.py", description="Run the accelerator on a batch of inputs."
    )
    parser.add_argument("--input", required=True, help="N x the model's input shape (.npy)")
    parser.add_argument("--output", help="where to save the outputs (.npy)")
    _common_options(parser)
    args = parser.parse_args(argv)
    try:
        x = _load(args.input, "input")
        emulate = simulation(deploy_dir, args.emulate)
        model = _deployment(deploy_dir, emulate)
        start = time.perf_counter()
        y = _run_batches(model, x, args.batch_size)
        seconds = time.perf_counter() - start
        if args.output:
            np.save(args.output, y)
    except (InputError, DeviceError, OSError) as error:
        return _fail("driver.py", str(error))
    where = f"emulated ({SIMULATIONS[emulate]})" if emulate else "board"
    print(
        f"driver.py: {x.shape[0]} frames on the {where}: {seconds:.3f} s "
        f"({x.shape[0] / seconds:,.1f} fps end to end, accelerator runs "
        f"{model.accelerator_seconds:.3f} s)"
    )
    return 0


def validate_main(deploy_dir: Path, argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="validate.py", description="Accuracy and throughput on a labelled dataset."
    )
    parser.add_argument("--dataset", required=True, help="N x the model's input shape (.npy)")
    parser.add_argument("--labels", required=True, help="N class indices (.npy)")
    _common_options(parser)
    args = parser.parse_args(argv)
    try:
        x = _load(args.dataset, "dataset")
        labels = _load(args.labels, "labels").reshape(-1)
        if labels.shape[0] != x.shape[0]:
            raise InputError(f"{labels.shape[0]} labels for {x.shape[0]} frames")
        emulate = simulation(deploy_dir, args.emulate)
        model = _deployment(deploy_dir, emulate)
        start = time.perf_counter()
        y = _run_batches(model, x, args.batch_size)
        seconds = time.perf_counter() - start
    except (InputError, DeviceError, OSError) as error:
        return _fail("validate.py", str(error))
    predicted = y.reshape(y.shape[0], -1).argmax(axis=1)
    correct = int((predicted == labels).sum())
    where = f"emulated ({SIMULATIONS[emulate]})" if emulate else "board"
    print(f"validate.py: accuracy {correct}/{len(labels)} = {100 * correct / len(labels):.2f} %")
    print(
        f"validate.py: throughput on the {where}: {len(labels) / seconds:,.1f} fps end to end, "
        f"{len(labels) / max(model.accelerator_seconds, 1e-9):,.1f} fps in accelerator runs"
    )
    return 0
