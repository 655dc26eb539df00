"""The data movers and control of an emitted accelerator (`hls/dma.cpp`), and the
register map the C simulation (`testbench`) and the board driver use.

* `hls/dma.cpp` — the DMA IP `qnn_dma`: per partition input a read DMA
  (`qnn::dma_read`, AXI4 master `gmem0` -> AXI4-Stream `m_axis_<i>` with TLAST at frame
  ends), per output a write DMA (`qnn::dma_write`, AXI4-Stream `s_axis_<j>` -> AXI4 master
  `gmem1`), all in one `DATAFLOW` region under one AXI4-Lite register block (`control`,
  `ap_ctrl_hs`): `register_map` gives the offsets, docs/deploy.md documents them. Each
  direction is its own function (`qnn_dma_read<i>`, `qnn_dma_write<j>`) so that the C
  simulation calls exactly the functions the IP is made of.
* `csim/testbench.cpp` — the board in C++: `testbench REGS.bin MEM.bin` loads the
  register file and the memory image (the buffers at their addresses), and when the start
  bit is set decodes the registers exactly as the IP would (buffer addresses, number of
  frames), runs the read DMAs, the accelerator `top()` once per frame and the write DMAs
  (the order in which C simulation runs a DATAFLOW region's processes), checks TLAST,
  sets done and idle and writes both files back. `backend_hls.runtime.emulator` writes
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


def dma_source(plan: TopPlan) -> str:
    """`hls/dma.cpp`."""
    regs = plan_map(plan)
    params: list[str] = []
    pragmas: list[str] = []
    calls: list[str] = []
    directions = [
        ("in", "m_axis", "const qnn_bus_t", "qnn::axis_word", "gmem0", plan.inputs, regs.inputs),
        ("out", "s_axis", "qnn_bus_t", "ap_uint", "gmem1", plan.outputs, regs.outputs),
    ]
    for memory, stream, bus_type, word, bundle, nodes, offsets in directions:
        for node, offset in zip(nodes, offsets, strict=True):
            mem, axis = f"{memory}{node.index}", f"{stream}_{node.index}"
            params += [f"{bus_type} *{mem}", f"hls::stream<{word}<{node.width}> > &{axis}"]
            pragmas += [
                f"HLS INTERFACE m_axi port={mem} offset=slave bundle={bundle}",
                f"HLS INTERFACE s_axilite port={mem} offset={offset:#x} bundle=control",
                f"HLS INTERFACE axis port={axis}",
            ]
            if memory == "in":
                calls.append(f"  {read_fn(node)}({mem}, {axis}, frames);")
            else:
                calls.append(f"  {write_fn(node)}({axis}, {mem}, frames);")
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
    lines.append(f"void {DMA_TOP}({', '.join([*params, 'unsigned frames'])}) {{")
    lines += [f"  QNN_PRAGMA({p})" for p in pragmas]
    lines += calls
    lines.append("}")
    return "\n".join(lines) + "\n"


def dma_json(plan: TopPlan) -> dict[str, object]:
    """The `dma` entry of `csim/io.json`: the bus width and the register map."""
    return {"top": DMA_TOP, "bus_bits": BUS_BITS, "registers": plan_map(plan).as_json()}
