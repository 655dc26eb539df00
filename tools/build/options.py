"""What a build is asked for (`BuildOptions`) and what it returns (`BuildResult`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
from xdsl.dialects.builtin import ModuleOp

from passes.defaults import (
    DEFAULT_CLOCK_NS,
    DEFAULT_MAX_UTILIZATION,
    DEFAULT_PART,
    DEFAULT_SYNTH_TIMEOUT,
    DEFAULT_UART_BAUD,
)
from tools.build.compare import RTLSIM_LABEL, disagreement


@dataclass(frozen=True)
class BuildOptions:
    """How to build; every field has the default `qnn-build` has (`passes.defaults`).

    * `target_fps`, `clock_ns`: what `set-folding` folds for; `clock_ns` also goes into
      the TCL scripts and the estimates. Without `target_fps` (None) the folding is the
      fastest whose estimate fits `DEFAULT_MAX_UTILIZATION` (85 %) of every resource of
      `part`;
    * `part`: the FPGA part the folding fits and the Vitis HLS and Vivado scripts target
      (its resources: `qdialects.dataflow.parts`);
    * `fit`: what a design over 85 % of a resource of `part` does: `"warn"` builds it
      and adds one line to `BuildResult.warnings`; `"strict"` fails the build
      (`BuildError`) before anything is emitted;
    * `folding`: a FINN folding configuration (`apply-folding`) instead of `set-folding`
      (`target_fps` is then unused);
    * `csim`: C-simulate these frames (a `.npy` file or an array: `N x` the model's input
      shape without its batch axis, or exactly the input shape) and compare each with
      qonnx;
    * `csim_out`: save what the C simulation computed there (`.npy`: the stacked model
      outputs of the frames, `N x` the output shape without its batch axis when it is 1;
      the one file the build writes outside `out`, renamed into place);
    * `hls_include`: the directory with `ap_int.h` and `hls_stream.h` (default:
      `$QNN_AP_TYPES_DIR`, else hls4ml's copy);
    * `name`: the design's name in the TCL scripts and the report (default: the model's
      file name without `.onnx`), made a C identifier;
    * `rtl`: also write the SystemVerilog tree `OUT/rtl` (`backend_rtl.emit`); a layer or
      folding the RTL backend cannot build stops the build after the hardware stage,
      before anything is emitted;
    * `rtlsim`: simulate these frames (as `csim`) on the RTL with Verilator (implies
      `rtl`), compare each with qonnx and measure cycles per frame and latency
      (`report/rtlsim.json`, `OUT/rtlsim/outputs.npy`); `rtlsim_seed` seeds its random
      input gaps and output backpressure;
    * `synth`: synthesize the RTL (`OUT/rtl`; implies `rtl`) with
      Yosys for `part`'s family, per layer (`report/synth.json`, `backend_fpga.synth`);
    * `jobs`: parallel Yosys processes; `synth_timeout`: seconds each may take;
    * `bitstream`: a bitstream of the accelerator behind a UART for `part` (a Lattice ECP5
      part; implies `rtl`): `synth_ecp5`, nextpnr-ecp5 at `1000 / clock_ns` MHz,
      ecppack (`OUT/bitstream`, `report/pnr.json`, `backend_fpga.pnr`); `uart_baud`: the
      UART's baud rate;
      `ray`: run the Yosys jobs on the Ray cluster at this address instead (`auto`, or
      `host:port`; `backend_fpga.executor`);
    * `shell`: `"zynq"` writes the Zynq system around the accelerator (`vivado/shell.tcl`:
      PS, DMA IP, interconnect, bitstream) and the deployment package `deploy/`;
    * `board`: a board of `backend_hls.boards.BOARDS` (its part and PS presets; implies
      `shell="zynq"`).
    """

    target_fps: float | None = None
    clock_ns: float = DEFAULT_CLOCK_NS
    part: str = DEFAULT_PART
    fit: Literal["warn", "strict"] = "warn"
    folding: Path | None = None
    csim: Path | np.ndarray | None = None
    csim_out: Path | None = None
    hls_include: Path | None = None
    name: str | None = None
    rtl: bool = False
    rtlsim: Path | np.ndarray | None = None
    rtlsim_seed: int = 1
    shell: str | None = None
    board: str | None = None

    synth: bool = False
    jobs: int = 1
    synth_timeout: float = DEFAULT_SYNTH_TIMEOUT
    ray: str | None = None

    bitstream: bool = False
    uart_baud: int = DEFAULT_UART_BAUD

    @property
    def wants_rtl(self) -> bool:
        """`rtl`, or implied by `rtlsim`, `synth` or `bitstream`."""
        return self.rtl or self.rtlsim is not None or self.synth or self.bitstream

    def design_name(self, model: Path) -> str:
        """`name` (else the model's stem) with every character outside `[A-Za-z0-9_]`
        replaced by `_`."""
        return re.sub(r"[^A-Za-z0-9_]", "_", self.name or model.stem) or "model"

    def folding_source(self) -> str:
        """How the folding is chosen, as the report's header shows it."""
        if self.folding is not None:
            return f"apply-folding {self.folding.name}"
        if self.target_fps is None:
            return f"set-folding fitting {DEFAULT_MAX_UTILIZATION * 100:g} % of {self.part}"
        return f"set-folding target-fps={self.target_fps:g}"


@dataclass
class BuildResult:
    """What a finished build produced (everything is also in the tree under `out`).

    * `module`: the dataflow module that was emitted (`OUT/ir/5-hardware.mlir`);
    * `estimates`: `report/estimates.json` (per-layer cycles and resources, totals);
    * `csim`: `report/csim.json` (with `BuildOptions.csim`), else None;
    * `warnings`: one line each, e.g. the estimate does not fit the part (`fit="warn"`);
    * `seconds`: each stage's wall time;
    * `csim_stats`: the C simulation's build and run times (`backend_hls.csim`);
    * `rtlsim`: `report/rtlsim.json` (with `BuildOptions.rtlsim`), else None;
    * `pnr`: `report/pnr.json` (with `BuildOptions.bitstream`), else None."""

    out: Path
    module: ModuleOp
    estimates: dict[str, Any]
    csim: dict[str, Any] | None = None
    warnings: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    csim_stats: dict[str, float] = field(default_factory=dict)
    rtlsim: dict[str, Any] | None = None
    pnr: dict[str, Any] | None = None

    @property
    def csim_disagreement(self) -> str | None:
        """One line if the C simulation ran and disagrees with qonnx, else None."""
        return None if self.csim is None else disagreement(self.csim)

    @property
    def rtlsim_disagreement(self) -> str | None:
        """One line if the RTL simulation ran and disagrees with qonnx, else None."""
        return None if self.rtlsim is None else disagreement(self.rtlsim, RTLSIM_LABEL)

    @property
    def reports(self) -> Path:
        """`OUT/report`: estimates.json, folding.json, index.html, csim.json,
        rtlsim.json, build-info.json."""
        return self.out / "report"
