"""The whole flow as a library: a QONNX model to an HLS/Vivado project with reports.

    from tools.build import BuildOptions, build
    result = build("model.onnx", "out", BuildOptions(target_fps=3000, csim=Path("x.npy")))
    result.estimates["network"]["estimated_fps"], result.csim_disagreement

`qnn-build` is this plus argument parsing, progress lines and an atomic output directory.

| module | what |
|---|---|
| `options` | `BuildOptions` (defaults from `passes.defaults`), `BuildResult` |
| `stages` | one function per stage, `STAGES` in order (import, streamline, convert-to-dataflow, folding, hardware, emit, report, csim) |
| `driver` | `build`: the stages into a directory, `report/build-info.json`, `BuildError` |
| `compare` | the C simulation against qonnx, frame by frame (`report/csim.json`) |

The stages run the named pipelines of `passes.pipelines` (`quant-to-streamline`,
`hardware`), so `qnn-opt -p` reproduces any of them.
"""

from tools.build.driver import BuildError, BuildListener, build
from tools.build.options import BuildOptions, BuildResult
from tools.build.stages import STAGES, Stage

__all__ = [
    "STAGES",
    "BuildError",
    "BuildListener",
    "BuildOptions",
    "BuildResult",
    "Stage",
    "build",
]
