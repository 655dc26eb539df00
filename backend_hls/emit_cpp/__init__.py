"""HLS C++ emission: a module with one `dataflow.partition` -> a self-contained HLS
project tree plus its C simulation.

Files (relative to the output directory; layer and port names come from
`qdialects.dataflow.naming`, per-layer file names from `backend_hls.naming`, both shared
with the TCL emitter):

* `hls/<layer>.cpp` — one synthesizable kernel per HLS layer (`kernel_layers`):
  a top function `<layer>` whose `hls::stream<ap_uint<W> >` arguments are named
  `in0_V, ..., out0_V, ...` (`qdialects.dataflow.naming.port_names`) with `#pragma HLS INTERFACE axis` on
  each and `ap_ctrl_none`, calling the library template (`hls/lib/qnn/...`) with the
  layer's parameters for one frame per invocation (a free-running IP restarts per frame).
  `dataflow.concat` has no library kernel: its kernel is a generated copy loop.
* `hls/params/<layer>.h` — the layer's constant tables in namespace
  `qnn::params::<layer>`: MVAU `weights[PE][(MH/PE)*(MW/SIMD)]` of `ap_uint<SIMD*Bw>`
  words and VVAU `weights[PE][(C/PE)*K]` of `ap_uint<Bw>` as hex literals,
  `thresholds[PE][C/PE][NT]` and channelwise `params[PE][C/PE]` as decimal values of
  their datatype, PE-interleaved exactly as `backend_hls/lib/README.md` states (rows of a
  `1 x N` threshold table are repeated for every channel).
* `hls/top.h`, `hls/top.cpp` — the whole partition as one `#pragma HLS DATAFLOW` function
  `top(in0_V, ..., out0_V, ...)` over internal `hls::stream`s, calling every kernel in
  program order. A `dataflow.fifo` is the depth of the stream it sits on
  (`#pragma HLS STREAM depth=`, depths of consecutive FIFOs add up), a `dataflow.reshape`
  is the same stream under another name; where a FIFO or a view touches a port (a FIFO on
  a partition input/output, an input yielded unchanged) a pass-through
  `qnn::dwc<W, W, words>` copies the words.
* `hls/lib/qnn/*.h` (and `hls/lib/README.md`) — a copy of the project's template library,
  so the tree is self-contained.
* `hls/dma.cpp` — the data movers and control registers (`dma`);
  `csim/testbench.cpp` — the board around them: registers and memory in, `top` once per
  frame between the DMAs (`backend_hls.csim` drives it); `csim/csim_a.cpp`,
  `csim/csim_b.cpp` — the kernels, `top.cpp` and the testbench in two translation units
  that `build.sh` compiles in parallel on two cores or more (`csim/csim.cpp`, both as one
  unit, on one core; the ap_int headers are precompiled by `backend_hls.csim`, or take
  ~1.6 s to parse per unit);
  `csim/build.sh [HLS_INCLUDE_DIR]` — the exact g++ commands
  (`emit_cpp.CXXFLAGS`); `csim/host.mlir` — the host side of `@main`
  as the `split-host` pass makes it (`@pre`: everything before the partition, i.e. the
  float input quantization; `@post`: everything after it, the output affine), run with
  the reference semantics;
  `csim/io.json` — the partition's stream formats.

**Constant tables and compile time.** Under synthesis (`__SYNTHESIS__`) every table is a
`static const` array of `ap_uint`/`ap_int` initialized from literals (the ROM contents).
g++ compiles such arrays very slowly (an `ap_uint` has no constexpr constructor, so every
element is a dynamic initialization: 200 k elements did not finish in 6 minutes), so for C
simulation the same literals initialize a plain `unsigned long long` / `long long` /
`const char *` array and a small converter (`qnn::csim::table2/3`) builds the `ap_(u)int`
table once at program start. The literal list is written once and read by both.

**Fully unfolded MVAUs** (PE = MH and SIMD = MW) keep this form: the weight table is a
`static const` array of PE single-word rows, and the library reads `weights[p][nf*SF+sf]`
with `nf = sf = 0` constant (NF = SF = 1) inside the unrolled PE loop, so every read has a
constant index into constant data. HLS propagates the constants into the multiply-adds:
a zero weight lane contributes nothing and generates no logic, and no memory is inferred
(`BIND_STORAGE` is only emitted for folded layers). We chose this over generating an
unrolled sum of non-zero terms because the kernel stays the library's (one tested
implementation) and the table stays inspectable, while the hardware result is the same
constant-folded adder tree.

**What is rejected** (`EmitError`, one line): a module without exactly one partition;
`out_scale` other than 1 (except the bipolar `out_scale 2, out_bias -1`); VVAU `simd > 1`;
`duplicate_streams` with more than 3 outputs; stream or weight words wider than
`AP_INT_MAX_W` (4096, set in `common.h`); thresholds or parameters outside their
datatype; a stream read by more than one layer; depthwise-ordered partition ports; a
layer name that is a C++ name of the HLS headers (`ap_uint`, `size_t`, ...).
`mem_mode` is not distinguished: every kernel keeps its weights in its own ROM
(internal_embedded); `ram_style` becomes a `BIND_STORAGE` directive on folded weight tables.

Modules: `cxx` (names, types, `EmitError`), `tables` (constant tables), `kernels` (one per
layer), `top` (the dataflow top function), `dma` (the DMA IP and its register map),
`testbench` (the C simulation sources); this package puts the tree together (`emit_files`, `emit`, `HlsCppTarget`). The host side
(`csim/host.mlir`) is the `split-host` pass (`passes.split_host`).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp

from backend_hls import toolchain
from backend_hls.emit_cpp.cxx import (
    CXXFLAGS,
    PCH_FLAGS,
    TOP,
    EmitError,
    clashes_with_cxx,
    cpp_identifier,
)
from backend_hls.emit_cpp.dma import dma_json, dma_source
from backend_hls.emit_cpp.kernels import kernel_of, kernel_source
from backend_hls.emit_cpp.tables import params_source
from backend_hls.emit_cpp.testbench import build_script, testbench_source, unit_sources
from backend_hls.emit_cpp.top import top_sources
from backend_hls.naming import kernel_layers, params_header
from backend_hls.targets import TreeTarget
from passes.split_host import SplitHostPass
from qdialects import dataflow as df
from qdialects.dataflow import naming
from qdialects.dataflow.types import StreamType

__all__ = [
    "CXXFLAGS",
    "PCH_FLAGS",
    "EmitError",
    "HlsCppTarget",
    "cpp_identifier",
    "emit",
    "emit_files",
]

# --------------------------------------------------------------------------- host side


def host_module(module: ModuleOp) -> ModuleOp:
    """`csim/host.mlir`: the `split-host` pass applied to a copy of `module`."""
    host = module.clone()
    SplitHostPass().apply(Context(), host)
    return host


def _stream_format(stream: StreamType) -> dict[str, Any]:
    element = stream.element
    return {
        "frame": list(stream.shape),
        "lanes": stream.lanes,
        "bits": element.bitwidth,
        "datatype": str(element),
        "word_bits": stream.word_width(),
        "words_per_frame": stream.words_per_frame(),
    }


# --------------------------------------------------------------------------- the tree


def emit_files(module: ModuleOp, hls_include: str | None = None) -> dict[str, str]:
    """Every file of the tree: relative path -> text (see the module docstring)."""
    from qdialects.ir import print_module

    partition = df.require_partition(module, "hls-cpp")
    names = naming.layer_names(partition)
    for op, name in names.items():
        if clashes_with_cxx(name):
            raise EmitError(
                f"layer name {name!r} ({op.name}) collides with a name of the C++/HLS headers; "
                f"choose another with a qnn.name attribute"
            )
    files: dict[str, str] = {}
    kernel_files: list[str] = []
    for op in kernel_layers(partition):
        name = names[op]
        kernel = kernel_of(op, name)
        files[f"hls/{name}.cpp"] = kernel_source(op, name, kernel)
        kernel_files.append(f"{name}.cpp")
        if kernel.tables:
            files[f"hls/{params_header(name)}"] = params_source(op, name, kernel.tables)
    header, top, plan = top_sources(partition, names)
    files["hls/top.h"] = header
    files["hls/top.cpp"] = top
    for path in sorted((toolchain.LIB_DIR / "qnn").glob("*.h")):
        files[f"hls/lib/qnn/{path.name}"] = path.read_text(encoding="utf-8")
    readme = toolchain.LIB_DIR / "README.md"
    if readme.is_file():
        files["hls/lib/README.md"] = readme.read_text(encoding="utf-8")
    files["hls/dma.cpp"] = dma_source(plan)
    files["csim/testbench.cpp"] = testbench_source(plan)
    for name, source in unit_sources([*kernel_files, "dma.cpp"]).items():
        files[f"csim/{name}"] = source
    files["csim/build.sh"] = build_script(hls_include)
    files["csim/host.mlir"] = print_module(host_module(module))
    terminator = partition.block.last_op
    assert isinstance(terminator, df.YieldOp)
    io = {
        "top": TOP,
        "inputs": [
            {**_stream_format(df.stream_type(a)), "port": n.name}
            for a, n in zip(partition.block.args, plan.inputs, strict=True)
        ],
        "outputs": [
            {**_stream_format(df.stream_type(v)), "port": n.name}
            for v, n in zip(terminator.values, plan.outputs, strict=True)
        ],
        "layers": {names[op]: op.name for op in partition.layers()},
        "dma": dma_json(plan),
    }
    files["csim/io.json"] = json.dumps(io, indent=2) + "\n"
    return files


def _default_include() -> str | None:
    try:
        return str(toolchain.find_ap_types_dir())
    except toolchain.ToolchainError:
        return None


def emit(
    module: ModuleOp,
    out_dir: str | os.PathLike[str],
    hls_include: str | os.PathLike[str] | None = None,
) -> list[str]:
    """Write the HLS C++ tree of `module` into `out_dir` (created if needed; files of the
    same paths are overwritten, other files are left alone, a previous C simulation build
    is removed). Returns the written paths, relative to `out_dir`.

    `hls_include` is the default include directory `csim/build.sh` records (default: the
    ap_types headers `backend_hls.toolchain` finds)."""
    include = str(hls_include) if hls_include is not None else _default_include()
    files = emit_files(module, include)
    out = Path(out_dir)
    for stale in ("csim/testbench", "csim/build.stamp"):
        (out / stale).unlink(missing_ok=True)
    for relative, text in files.items():
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (out / "csim/build.sh").chmod(0o755)
    return list(files)


# --------------------------------------------------------------------------- target


@dataclass(frozen=True)
class HlsCppTarget(TreeTarget):
    """`-t hls-cpp`: with `-o DIR` the HLS C++ tree (`emit`); without, the list of files
    and `hls/top.cpp`."""

    name = "hls-cpp"

    def emit_tree(self, ctx: Context, module: ModuleOp, out_dir: Path) -> None:
        emit(module, out_dir)

    def emit(self, ctx: Context, module: ModuleOp, output: IO[str]) -> None:
        files = emit_files(module, None)
        output.write(f"// hls-cpp: {len(files)} files (write them with -o DIR)\n")
        for path in files:
            output.write(f"//   {path}\n")
        output.write("// ==== hls/top.cpp ====\n")
        output.write(files["hls/top.cpp"])
