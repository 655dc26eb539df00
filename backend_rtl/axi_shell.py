"""The RTL accelerator behind the deployment register map: `OUT/rtl_axi/`.

`axi_files(manifest, rtl_dir)` (the RTL tree's `manifest.json`) gives:

* `qnn_axi_regs.sv`, `qnn_axi_read.sv`, `qnn_axi_write.sv` (from `backend_rtl/axi/`): the
  AXI4-Lite register block with the HLS DMA IP's register map (docs/deploy.md), the read
  DMA (AXI4 master -> AXI4-Stream, TLAST at frame ends) and the write DMA;
* `qnn_axi_top.sv`: `qnn_top` between one read DMA per input (AXI4 read master
  `m_axi_in<i>`) and one write DMA per output (AXI4 write master `m_axi_out<j>`), under
  the register block `s_axi_control`; the run is done when every DMA is idle again;
* `tb.cpp`: the board as a C++ program around the Verilator model, `testbench REGS.bin
  MEM.bin` with the files of the C simulation's testbench (`backend_hls.emit_cpp.dma`):
  it writes every register of REGS.bin through AXI4-Lite transactions, sets ap_start,
  serves the masters' reads and writes from the memory image (an access outside every
  buffer fails with one line), polls ctrl until done, reads the registers back through
  AXI4-Lite and writes both files back. `qnn_runtime.emulator.EmulatedDevice` drives it
  exactly as it drives the C simulation;
* `build.sh`: Verilator (the absolute path found when the tree was written) on the RTL
  tree and these files, into `rtl_axi/testbench`; run it from `rtl/` (ROMs read their
  `.mem` files relative to it).

The DMAs issue single-beat transactions, one in flight per DMA: the protocol is AXI4
and any slave serves it, but a run moves about one bus word per memory round trip (no
bursts, no outstanding transactions).
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

from backend_hls.emit_cpp.board_files import BOARD_FILES
from backend_hls.emit_cpp.dma import DMA_TOP, register_map
from backend_hls.shell import AcceleratorCells, Cell

AXI_DIR = Path(__file__).parent / "axi"
PRIMITIVES = ("qnn_axi_regs.sv", "qnn_axi_read.sv", "qnn_axi_write.sv")
TOP = "qnn_axi_top"
BUS_BITS = 64
READ_PORTS = [
    ("ARADDR", 64, "out"),
    ("ARLEN", 8, "out"),
    ("ARSIZE", 3, "out"),
    ("ARBURST", 2, "out"),
    ("ARVALID", 1, "out"),
    ("ARREADY", 1, "in"),
    ("RDATA", BUS_BITS, "in"),
    ("RRESP", 2, "in"),
    ("RLAST", 1, "in"),
    ("RVALID", 1, "in"),
    ("RREADY", 1, "out"),
]
WRITE_PORTS = [
    ("AWADDR", 64, "out"),
    ("AWLEN", 8, "out"),
    ("AWSIZE", 3, "out"),
    ("AWBURST", 2, "out"),
    ("AWVALID", 1, "out"),
    ("AWREADY", 1, "in"),
    ("WDATA", BUS_BITS, "out"),
    ("WSTRB", BUS_BITS // 8, "out"),
    ("WLAST", 1, "out"),
    ("WVALID", 1, "out"),
    ("WREADY", 1, "in"),
    ("BRESP", 2, "in"),
    ("BVALID", 1, "in"),
    ("BREADY", 1, "out"),
]
LITE_PORTS = [
    ("AWADDR", 0, "in"),
    ("AWVALID", 1, "in"),
    ("AWREADY", 1, "out"),
    ("WDATA", 32, "in"),
    ("WSTRB", 4, "in"),
    ("WVALID", 1, "in"),
    ("WREADY", 1, "out"),
    ("BRESP", 2, "out"),
    ("BVALID", 1, "out"),
    ("BREADY", 1, "in"),
    ("ARADDR", 0, "in"),
    ("ARVALID", 1, "in"),
    ("ARREADY", 1, "out"),
    ("RDATA", 32, "out"),
    ("RRESP", 2, "out"),
    ("RVALID", 1, "out"),
    ("RREADY", 1, "in"),
]
"""(signal, width (0: the address width), direction seen from `qnn_axi_top`)."""


def address_bits(n_streams: int) -> int:
    """AXI4-Lite address bits: enough for the register file, at least 8."""
    return max(8, (register_map(n_streams, 0).size - 1).bit_length())


def _declare(prefix: str, ports: list[tuple[str, int, str]], address: int) -> list[str]:
    lines = []
    for signal, width, direction in ports:
        bits = width or address
        kind = "output" if direction == "out" else "input "
        vector = f"[{bits - 1}:0] " if bits > 1 else ""
        lines.append(f"    {kind} logic {vector}{prefix}_{signal}")
    return lines


def _bind(prefix: str, ports: list[tuple[str, int, str]], local: str) -> list[str]:
    return [f"      .{local}_{signal}({prefix}_{signal})" for signal, _, _ in ports]


def top_source(manifest: dict[str, Any]) -> str:
    """`qnn_axi_top.sv` (module docstring)."""
    inputs, outputs = manifest["inputs"], manifest["outputs"]
    n = len(inputs) + len(outputs)
    address = address_bits(n)
    busif = ":".join(
        ["s_axi_control"]
        + [f"m_axi_in{i}" for i in range(len(inputs))]
        + [f"m_axi_out{j}" for j in range(len(outputs))]
    )
    ports = [
        f'    (* X_INTERFACE_PARAMETER = "ASSOCIATED_BUSIF {busif}, ASSOCIATED_RESET ap_rst_n" *)\n'
        "    input  logic ap_clk",
        '    (* X_INTERFACE_PARAMETER = "POLARITY ACTIVE_LOW" *)\n    input  logic ap_rst_n',
    ]
    ports += _declare("s_axi_control", LITE_PORTS, address)
    for i in range(len(inputs)):
        ports += _declare(f"m_axi_in{i}", READ_PORTS, address)
    for j in range(len(outputs)):
        ports += _declare(f"m_axi_out{j}", WRITE_PORTS, address)
    body = [
        "  logic start, done, running;",
        f"  logic [{64 * n - 1}:0] addresses;",
        "  logic [31:0] frames;",
        f"  logic [{n - 1}:0] busy;",
        f"  qnn_axi_regs #(.N_STREAMS({n}), .ADDR_W({address})) regs (",
        "      .ap_clk, .ap_rst_n, .start, .done, .addresses, .frames,",
        ",\n".join(_bind("s_axi_control", LITE_PORTS, "s_axi_control")),
        "  );",
    ]
    accel = ["      .ap_clk, .ap_rst_n"]
    movers = [
        ("read", "in", READ_PORTS, "m_axis", inputs),
        ("write", "out", WRITE_PORTS, "s_axis", outputs),
    ]
    k = 0
    for kind, prefix, bus, side, streams in movers:
        for i, stream in enumerate(streams):
            name, width, port = f"{prefix}{i}", stream["width"], stream["port"]
            body += [
                f"  logic [{width - 1}:0] {name}_TDATA;",
                f"  logic {name}_TVALID, {name}_TREADY, {name}_TLAST;",
                f"  qnn_axi_{kind} #(.BUS_W({BUS_BITS}), .W({width}), "
                f".WPF({stream['words_per_frame']})) {kind}{i} (",
                f"      .ap_clk, .ap_rst_n, .start, .frames, .base(addresses[{64 * k}+:64]), "
                f".busy(busy[{k}]),",
                *[line + "," for line in _bind(f"m_axi_{name}", bus, "m_axi")],
                f"      .{side}_TDATA({name}_TDATA), .{side}_TVALID({name}_TVALID), "
                f".{side}_TREADY({name}_TREADY)"
                + (f", .{side}_TLAST({name}_TLAST)" if kind == "read" else ""),
                "  );",
            ]
            if kind == "write":
                body.append(f"  assign {name}_TLAST = 1'b0;")
            accel.append(
                f"      .{port}_TDATA({name}_TDATA), .{port}_TVALID({name}_TVALID), "
                f".{port}_TREADY({name}_TREADY)"
            )
            k += 1
    body += [
        f"  {manifest['top']} accel (",
        ",\n".join(accel),
        "  );",
        "  // done: the cycle every DMA is idle again after a start",
        "  assign done = running && busy == 0;",
        "  always_ff @(posedge ap_clk) begin",
        "    if (!ap_rst_n) running <= 1'b0;",
        "    else if (start) running <= 1'b1;",
        "    else if (done) running <= 1'b0;",
        "  end",
    ]
    return (
        "// qnn_axi_top: the accelerator behind its DMAs and registers (backend_rtl.axi_shell;\n"
        "// register map in docs/deploy.md).\n"
        f"module {TOP} (\n" + ",\n".join(ports) + "\n);\n" + "\n".join(body) + "\nendmodule\n"
    )


def _cxx_master(prefix: str, ports: list[tuple[str, int, str]]) -> str:
    """A memory port of the testbench bound to the model's signals of `prefix`."""
    return ", ".join(f"&t->{prefix}_{s}" for s, _, _ in ports)


def testbench_source(manifest: dict[str, Any]) -> str:
    """`tb.cpp` (module docstring)."""
    n_in, n_out = len(manifest["inputs"]), len(manifest["outputs"])
    regs = register_map(n_in, n_out)
    reads = ",\n    ".join(
        f'ReadPort{{"input {i}", {_cxx_master(f"m_axi_in{i}", READ_PORTS)}}}' for i in range(n_in)
    )
    writes = ",\n    ".join(
        f'WritePort{{"output {j}", {_cxx_master(f"m_axi_out{j}", WRITE_PORTS)}}}'
        for j in range(n_out)
    )
    return (
        _TESTBENCH.replace("@READS@", reads)
        .replace("@WRITES@", writes)
        .replace("@REG_BYTES@", str(regs.size))
        .replace("@BUS_BYTES@", str(BUS_BITS // 8))
        .replace("@BOARD_FILES@", BOARD_FILES)
    )


def build_script(rtl_dir: Path, verilator: str) -> str:
    """`build.sh` (module docstring); `rtl_dir` is the RTL tree it compiles."""
    sources = [f"../{rtl_dir.name}/{line}" for line in (rtl_dir / "filelist.f").read_text().split()]
    sources += [*PRIMITIVES, f"{TOP}.sv"]
    return f"""#!/bin/sh
# Build the Verilator model of the accelerator behind its DMAs (backend_rtl.axi_shell):
#   sh rtl_axi/build.sh      -> rtl_axi/testbench REGS.bin MEM.bin (run it from rtl/)
set -eu
cd "$(dirname "$0")"
rm -rf obj
{shlex.quote(verilator)} --cc --exe --build -j 2 --top-module {TOP} -Wno-fatal -Wno-lint \\
  -Wno-style --Mdir obj -CFLAGS -O1 -MAKEFLAGS VK_PCH_I_FAST= -MAKEFLAGS VK_PCH_I_SLOW= \\
  {" ".join(shlex.quote(s) for s in sources)} tb.cpp > obj.log 2>&1 || {{ grep -m1 -i error obj.log >&2; exit 1; }}
mv obj/V{TOP} testbench
rm -rf obj obj.log
"""


def rtl_accelerator(manifest: dict[str, Any], rtl_files: list[str]) -> AcceleratorCells:
    """The shell's view of `qnn_axi_top` (`backend_hls.shell`): one module-reference cell
    named `qnn_dma` (the driver's name for the register block), its AXI4-Lite slave
    `s_axi_control` (memory map segment `reg0`, as Vivado names an inferred one), one
    AXI4 master per DMA (its address space named after it), the sources of `rtl/`
    (`rtl_files`, the tree's filelist) and of `rtl_axi/`."""
    n_in, n_out = len(manifest["inputs"]), len(manifest["outputs"])
    masters = [f"in{i}" for i in range(n_in)] + [f"out{j}" for j in range(n_out)]
    return AcceleratorCells(
        cells=[Cell(DMA_TOP, module=TOP)],
        streams=[],
        slaves=[
            (
                f"{DMA_TOP}/s_axi_control",
                f"{DMA_TOP}/s_axi_control/reg0",
                register_map(n_in, n_out).size,
            )
        ],
        masters=[(f"{DMA_TOP}/m_axi_{m}", f"{DMA_TOP}/m_axi_{m}") for m in masters],
        sources=[["rtl", f] for f in rtl_files]
        + [["rtl_axi", f] for f in (*PRIMITIVES, f"{TOP}.sv")],
        project="shell_rtl_project",
    )


def axi_files(manifest: dict[str, Any], rtl_dir: Path, verilator: str) -> dict[str, str]:
    """Every file of `rtl_axi/` (module docstring): name -> text."""
    files = {name: (AXI_DIR / name).read_text() for name in PRIMITIVES}
    files[f"{TOP}.sv"] = top_source(manifest)
    files["tb.cpp"] = testbench_source(manifest)
    files["build.sh"] = build_script(rtl_dir, verilator)
    return files


_TESTBENCH = r"""// The board around qnn_axi_top (backend_rtl.axi_shell): registers through AXI4-Lite,
// memory behind the AXI4 masters.   testbench REGS.bin MEM.bin   (run from rtl/)
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "Vqnn_axi_top.h"
#include "verilated.h"

static const unsigned REG_BYTES = @REG_BYTES@, BUS_BYTES = @BUS_BYTES@;
static const unsigned long long MAX_CYCLES = 4000000000ull;

@BOARD_FILES@
static std::vector<Region> memory;
static Vqnn_axi_top *t;
static unsigned long long cycle = 0;

static unsigned char *at(unsigned long long address, const char *what) {
  for (Region &r : memory)
    if (address >= r.address && address - r.address + BUS_BYTES <= r.bytes.size())
      return &r.bytes[address - r.address];
  std::fprintf(stderr, "testbench: %s buffer access 0x%llx is not inside an allocated buffer\n",
               what, address);
  std::exit(1);
}

struct ReadPort {
  const char *what;
  QData *araddr; CData *arlen, *arsize, *arburst, *arvalid, *arready;
  QData *rdata; CData *rresp, *rlast, *rvalid, *rready;
  bool ar = false, r = false;  // handshakes of this cycle
  bool holding = false; unsigned long long address = 0;
  void drive() {
    *arready = !holding;
    *rvalid = holding; *rlast = 1; *rresp = 0;
    if (holding) {
      unsigned long long v = 0;
      const unsigned char *p = at(address, what);
      for (unsigned b = 0; b < BUS_BYTES; b++) v |= (unsigned long long)p[b] << (8 * b);
      *rdata = v;
    }
  }
  void sample() { ar = *arvalid && *arready; r = *rvalid && *rready; }
  void update() {
    if (r) holding = false;
    if (ar) { holding = true; address = *araddr; }
  }
};

struct WritePort {
  const char *what;
  QData *awaddr; CData *awlen, *awsize, *awburst, *awvalid, *awready;
  QData *wdata; CData *wstrb, *wlast, *wvalid, *wready;
  CData *bresp, *bvalid, *bready;
  bool aw = false, w = false, b = false;
  bool has_address = false, has_data = false, responding = false;
  unsigned long long address = 0, data = 0; unsigned strobe = 0;
  void drive() {
    *awready = !has_address && !responding; *wready = !has_data && !responding;
    *bvalid = responding; *bresp = 0;
  }
  void sample() { aw = *awvalid && *awready; w = *wvalid && *wready; b = *bvalid && *bready; }
  void update() {
    if (b) responding = false;
    if (aw) { has_address = true; address = *awaddr; }
    if (w) { has_data = true; data = *wdata; strobe = *wstrb; }
    if (has_address && has_data) {
      unsigned char *p = at(address, what);
      for (unsigned k = 0; k < BUS_BYTES; k++) if (strobe >> k & 1) p[k] = (unsigned char)(data >> (8 * k));
      has_address = has_data = false; responding = true;
    }
  }
};

static std::vector<ReadPort> reads;
static std::vector<WritePort> writes;
static bool lite_aw, lite_w, lite_b, lite_ar, lite_r;
static unsigned lite_rdata;

static void tick() {
  t->ap_clk = 0; t->eval();
  for (ReadPort &p : reads) p.drive();
  for (WritePort &p : writes) p.drive();
  t->eval();
  for (ReadPort &p : reads) p.sample();
  for (WritePort &p : writes) p.sample();
  lite_aw = t->s_axi_control_AWVALID && t->s_axi_control_AWREADY;
  lite_w = t->s_axi_control_WVALID && t->s_axi_control_WREADY;
  lite_b = t->s_axi_control_BVALID && t->s_axi_control_BREADY;
  lite_ar = t->s_axi_control_ARVALID && t->s_axi_control_ARREADY;
  lite_r = t->s_axi_control_RVALID && t->s_axi_control_RREADY;
  lite_rdata = t->s_axi_control_RDATA;
  t->ap_clk = 1; t->eval();
  for (ReadPort &p : reads) p.update();
  for (WritePort &p : writes) p.update();
  if (++cycle > MAX_CYCLES) { std::fprintf(stderr, "testbench: no done after %llu cycles\n", cycle); std::exit(1); }
}

static void lite_write(unsigned offset, unsigned value) {
  t->s_axi_control_AWADDR = offset; t->s_axi_control_AWVALID = 1;
  t->s_axi_control_WDATA = value; t->s_axi_control_WSTRB = 0xF; t->s_axi_control_WVALID = 1;
  t->s_axi_control_BREADY = 1;
  for (bool done = false; !done;) {
    tick();
    if (lite_aw) t->s_axi_control_AWVALID = 0;
    if (lite_w) t->s_axi_control_WVALID = 0;
    done = lite_b;
  }
  t->s_axi_control_BREADY = 0;
}

static unsigned lite_read(unsigned offset) {
  t->s_axi_control_ARADDR = offset; t->s_axi_control_ARVALID = 1; t->s_axi_control_RREADY = 1;
  for (;;) {
    tick();
    if (lite_ar) t->s_axi_control_ARVALID = 0;
    if (lite_r) break;
  }
  t->s_axi_control_RREADY = 0;
  return lite_rdata;
}

int main(int argc, char **argv) {
  if (argc != 3) { std::fprintf(stderr, "usage: testbench REGS.bin MEM.bin\n"); return 2; }
  std::vector<unsigned char> regs;
  if (!read_board(argv[1], argv[2], REG_BYTES, regs, memory)) return 1;
  VerilatedContext context;
  t = new Vqnn_axi_top(&context);
  reads = {
    @READS@
  };
  writes = {
    @WRITES@
  };
  t->ap_rst_n = 0;
  for (int k = 0; k < 4; k++) tick();
  t->ap_rst_n = 1;
  const unsigned ctrl = (unsigned)le(&regs[0], 4);
  unsigned long long run_cycles = 0;
  if (ctrl & 1) {
    for (unsigned offset = 16; offset < REG_BYTES; offset += 4) lite_write(offset, (unsigned)le(&regs[offset], 4));
    const unsigned long long start = cycle;
    lite_write(0, 1);
    unsigned status;
    while (!((status = lite_read(0)) & 2)) for (int k = 0; k < 16; k++) tick();
    run_cycles = cycle - start;
    put_le(&regs[0], status, 4);
    for (unsigned offset = 16; offset < REG_BYTES; offset += 4) put_le(&regs[offset], lite_read(offset), 4);
  }
  if (!write_board(argv[1], argv[2], regs, memory)) return 1;
  std::printf("qnn-rtlsim: %u frames in %llu cycles\n", (unsigned)le(&regs[REG_BYTES - 8], 4), run_cycles);
  t->final();
  delete t;
  return 0;
}
"""
