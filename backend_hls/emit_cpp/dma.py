"""The data movers and control of an emitted accelerator (`hls/dma.cpp`), and the
register map the C simulation (`testbench`) and the board driver use.

* `hls/dma.cpp` — the DMA IP `qnn_dma`: per partition input a read DMA
  (`qnn::dma_read`, AXI4 master `gmem0` -> AXI4-Stream `m_axis_<i>` with TLAST at frame
  ends), per output a write DMA (`qnn::dma_write`, AXI4-Stream `s_axis_<j>` -> AXI4 master
  `gmem1`), all in one `DATAFLOW` region under one AXI4-Lite register block (`control`,
  `ap_ctrl_hs`): `register_map` gives the offsets, docs/deploy.md documents them. Each
  direction is its own function (`qnn_dma_read<i>`, `qnn_dma_write<j>`). In C simulation
  (no `__SYNTHESIS__`) the body also calls `qnn_csim_accelerator` between the reads and
  the writes: the testbench defines it as the accelerator behind the streams, so the C
  simulation runs the IP's top function itself, in the order C simulation runs a
  DATAFLOW region's processes (every read DMA, the accelerator, every write DMA).
* `csim/testbench.cpp` — the board in C++: `testbench REGS.bin MEM.bin` loads the
  register file and the memory image (the buffers at their addresses), and when the start
  bit is set decodes the registers exactly as the IP would (buffer addresses, number of
  frames), calls `qnn_dma` with them,
  sets done and idle and writes both files back. `qnn_csim_accelerator` there checks
  TLAST on every input word and runs `top()` once per frame. `backend_hls.runtime.emulator` writes
  and reads these files, so the C simulation and the emulated board driver use the
  register protocol of the real board.

File formats: REGS.bin is the register file, `REGISTER_BYTES` bytes, 32-bit words, least
significant byte first. MEM.bin is a sequence of regions, each a 64-bit little-endian
address, a 64-bit little-endian size and `size` bytes.
"""

from __future__ import annotations

from dataclasses import dataclass

from backend_hls.emit_cpp.cxx import MARKER
from backend_hls.emit_cpp.top import Node, TopPlan
from backend_hls.runtime.packing import BUS_BITS

DMA_TOP = "qnn_dma"
CSIM_ACCELERATOR = "qnn_csim_accelerator"
"""What `qnn_dma` calls between its DMAs in C simulation (the testbench defines it)."""
CTRL, GIE, IER, ISR = 0x00, 0x04, 0x08, 0x0C
"""The `ap_ctrl_hs` block: control (bit 0 ap_start, 1 ap_done, 2 ap_idle, 3 ap_ready,
7 auto_restart), global interrupt enable, interrupt enable, interrupt status."""
FIRST_ARGUMENT = 0x10
ADDRESS_STRIDE = 0x0C
"""A 64-bit buffer address: low word, high word, a reserved word (Vitis HLS's layout)."""


@dataclass(frozen=True)
class RegisterMap:
    """The AXI4-Lite offsets of the DMA IP: `inputs[i]`/`outputs[j]` hold the buffer
    addresses (low word at the offset, high word 4 bytes above), `frames` the number of
    frames of a run."""

    inputs: tuple[int, ...]
    outputs: tuple[int, ...]
    frames: int

    @property
    def size(self) -> int:
        """Bytes of the register file (the last register and its reserved word)."""
        return self.frames + 8

    def as_json(self) -> dict[str, object]:
        return {
            "ctrl": CTRL,
            "gie": GIE,
            "ier": IER,
            "isr": ISR,
            "inputs": list(self.inputs),
            "outputs": list(self.outputs),
            "frames": self.frames,
            "size": self.size,
        }


def register_map(n_inputs: int, n_outputs: int) -> RegisterMap:
    offsets = [FIRST_ARGUMENT + ADDRESS_STRIDE * k for k in range(n_inputs + n_outputs + 1)]
    return RegisterMap(
        tuple(offsets[:n_inputs]), tuple(offsets[n_inputs:-1]), offsets[n_inputs + n_outputs]
    )


def plan_map(plan: TopPlan) -> RegisterMap:
    return register_map(len(plan.inputs), len(plan.outputs))


def read_fn(node: Node) -> str:
    return f"{DMA_TOP}_read{node.index}"


def write_fn(node: Node) -> str:
    return f"{DMA_TOP}_write{node.index}"


def read_sig(node: Node) -> str:
    return (
        f"void {read_fn(node)}(const qnn_bus_t *src, "
        f"hls::stream<qnn::axis_word<{node.width}> > &out, unsigned frames)"
    )


def write_sig(node: Node) -> str:
    return (
        f"void {write_fn(node)}(hls::stream<ap_uint<{node.width}> > &in, qnn_bus_t *dst, "
        "unsigned frames)"
    )


def accelerator_sig(plan: TopPlan) -> str:
    """`qnn_csim_accelerator`'s signature: the DMA side of every stream, then frames."""
    params = [f"hls::stream<qnn::axis_word<{n.width}> > &m_axis_{n.index}" for n in plan.inputs]
    params += [f"hls::stream<ap_uint<{n.width}> > &s_axis_{n.index}" for n in plan.outputs]
    return f"void {CSIM_ACCELERATOR}({', '.join([*params, 'unsigned frames'])})"


def dma_sig(plan: TopPlan) -> str:
    """`qnn_dma`'s signature: per input its bus pointer and stream, per output the same,
    then the frame count."""
    params = [
        p
        for n in plan.inputs
        for p in (
            f"const qnn_bus_t *in{n.index}",
            f"hls::stream<qnn::axis_word<{n.width}> > &m_axis_{n.index}",
        )
    ]
    params += [
        p
        for n in plan.outputs
        for p in (f"qnn_bus_t *out{n.index}", f"hls::stream<ap_uint<{n.width}> > &s_axis_{n.index}")
    ]
    return f"void {DMA_TOP}({', '.join([*params, 'unsigned frames'])})"


def dma_source(plan: TopPlan) -> str:
    """`hls/dma.cpp`."""
    regs = plan_map(plan)
    pragmas: list[str] = []
    reads: list[str] = []
    writes: list[str] = []
    directions = [
        ("in", "m_axis", "gmem0", plan.inputs, regs.inputs),
        ("out", "s_axis", "gmem1", plan.outputs, regs.outputs),
    ]
    for memory, stream, bundle, nodes, offsets in directions:
        for node, offset in zip(nodes, offsets, strict=True):
            mem, axis = f"{memory}{node.index}", f"{stream}_{node.index}"
            pragmas += [
                f"HLS INTERFACE m_axi port={mem} offset=slave bundle={bundle}",
                f"HLS INTERFACE s_axilite port={mem} offset={offset:#x} bundle=control",
                f"HLS INTERFACE axis port={axis}",
            ]
            if memory == "in":
                reads.append(f"  {read_fn(node)}({mem}, {axis}, frames);")
            else:
                writes.append(f"  {write_fn(node)}({axis}, {mem}, frames);")
    pragmas += [
        f"HLS INTERFACE s_axilite port=frames offset={regs.frames:#x} bundle=control",
        "HLS INTERFACE s_axilite port=return bundle=control",
        "HLS DATAFLOW",
    ]
    lines = [
        f"// {DMA_TOP}: the data movers and the control registers of the accelerator",
        "// (backend_hls.emit_cpp.dma; register map in docs/deploy.md).",
        MARKER,
        "#include <qnn/common.h>",
        "#include <qnn/dma.h>",
        "",
        f"typedef ap_uint<{BUS_BITS}> qnn_bus_t;",
        "",
        "#ifndef __SYNTHESIS__",
        "// C simulation: the accelerator between the DMAs (defined by csim/testbench.cpp).",
        f"{accelerator_sig(plan)};",
        "#endif",
        "",
    ]
    for node in plan.inputs:
        lines += [
            f"// input {node.index}: {node.words} words of {node.width} bits per frame",
            f"{read_sig(node)} {{",
            f"  qnn::dma_read<{BUS_BITS}, {node.width}, {node.words}>(src, out, frames);",
            "}",
            "",
        ]
    for node in plan.outputs:
        lines += [
            f"// output {node.index}: {node.words} words of {node.width} bits per frame",
            f"{write_sig(node)} {{",
            f"  qnn::dma_write<{BUS_BITS}, {node.width}, {node.words}>(in, dst, frames);",
            "}",
            "",
        ]
    lines.append(f"{dma_sig(plan)} {{")
    lines += [f"  QNN_PRAGMA({p})" for p in pragmas]
    lines += reads
    streams = [f"m_axis_{n.index}" for n in plan.inputs] + [
        f"s_axis_{n.index}" for n in plan.outputs
    ]
    lines += [
        "#ifndef __SYNTHESIS__",
        f"  {CSIM_ACCELERATOR}({', '.join([*streams, 'frames'])});",
        "#endif",
    ]
    lines += writes
    lines.append("}")
    return "\n".join(lines) + "\n"


def dma_json(plan: TopPlan) -> dict[str, object]:
    """The `dma` entry of `csim/io.json`: the bus width and the register map."""
    return {"top": DMA_TOP, "bus_bits": BUS_BITS, "registers": plan_map(plan).as_json()}
