"""The accelerator on a board: `qnn_top` behind a UART (`backend_rtl/primitives/qnn_uart.sv`),
the board's pin constraints and the host script that talks to it.

    files = uart_files(manifest, UartOptions(board=ULX3S, baud=115200))  # name -> text
    outputs = uart_rtlsim(rtl_dir, bitstream_dir, [ints], clks_per_bit=8)

`uart_files` gives the tree of `OUT/bitstream` (before place and route):
* `qnn_uart_top.sv`: the board's top module: ports `clk`, `uart_rx`, `uart_tx`; a
  power-on reset of 15 cycles; `qnn_uart` between the UART pins and `qnn_top`'s one input
  and one output stream (parameter `CLKS_PER_BIT`: the board clock / the baud rate);
* `qnn_uart.sv`: the primitive (word packing: `backend_hls.runtime.packing`, least
  significant byte first);
* `qnn_uart_top.lpf`: the pins of `board` (docs/fpga.md says how to change them);
* `host_uart.py` (+ `packing.py`, `streams.json`): the host side (`backend_fpga.host_uart`).

The accelerator runs on the board's oscillator directly (no PLL). A partition with more
than one input or output, or a depthwise-ordered stream at its boundary, has no UART
wrapper (one line).
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from backend_fpga import host_uart
from backend_fpga.yowasp import FpgaToolError
from backend_rtl.export import PRIMITIVES_DIR
from backend_rtl.rtlsim import RtlsimError, read_manifest, verilate
from passes.defaults import DEFAULT_UART_BAUD

UART_TOP = "qnn_uart_top"
PRIMITIVE = "qnn_uart"
HOST_SCRIPT = Path(__file__).with_name("host_uart.py")
PACKING = Path(__file__).parents[1] / "backend_hls" / "runtime" / "packing.py"
DEFAULT_BAUD = DEFAULT_UART_BAUD
POWER_ON_RESET_CYCLES = 15


@dataclass(frozen=True)
class Board:
    """A board's clock and UART pins (LPF site names)."""

    name: str
    clock_mhz: float
    clock_site: str
    rx_site: str
    """The FPGA pin that receives from the host (the USB-serial chip's TXD)."""
    tx_site: str
    """The FPGA pin that transmits to the host (the USB-serial chip's RXD)."""
    io_type: str = "LVCMOS33"


ULX3S = Board("ULX3S", 25.0, "G2", "M1", "L4")
"""Radiona ULX3S (ECP5 25F/45F/85F, CABGA381): 25 MHz oscillator `clk_25mhz` on G2;
the FT231X's `ftdi_txd` on M1 and `ftdi_rxd` on L4 (names of the board's
`ulx3s_v20.lpf`)."""


class UartError(FpgaToolError):
    """The partition cannot go behind the UART wrapper (one line)."""


@dataclass(frozen=True)
class UartOptions:
    """The board and the UART's baud rate."""

    board: Board = ULX3S
    baud: int = DEFAULT_BAUD

    @property
    def clks_per_bit(self) -> int:
        return max(2, round(self.board.clock_mhz * 1e6 / self.baud))


def stream_ports(manifest: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The one input and the one output stream of `manifest`; anything else is a
    `UartError`."""
    inputs, outputs = manifest["inputs"], manifest["outputs"]
    if len(inputs) != 1 or len(outputs) != 1:
        raise UartError(
            f"uart: the UART wrapper takes one input and one output stream, the partition "
            f"has {len(inputs)} inputs and {len(outputs)} outputs"
        )
    for stream in (inputs[0], outputs[0]):
        if stream.get("depthwise_kernel"):
            raise UartError(
                f"uart: stream {stream['port']} is depthwise-ordered; the UART host script "
                "sends row-major frames"
            )
    return inputs[0], outputs[0]


def top_module(manifest: dict[str, Any], options: UartOptions) -> str:
    """`qnn_uart_top.sv` (module docstring)."""
    source, sink = stream_ports(manifest)
    iw, ow = source["width"], sink["width"]
    i, o = source["port"], sink["port"]
    return f"""// {UART_TOP}: qnn_top on {options.board.name}: {options.baud} baud at
// {options.board.clock_mhz:g} MHz (CLKS_PER_BIT), {POWER_ON_RESET_CYCLES} cycles of reset after
// configuration; words of {iw} bits in, {ow} bits out, least significant byte first.
module {UART_TOP} #(
    parameter int CLKS_PER_BIT = {options.clks_per_bit}
) (
    input  logic clk,
    input  logic uart_rx,
    output logic uart_tx
);
  logic [3:0] reset_count = 4'd0;
  logic ap_rst_n;
  assign ap_rst_n = &reset_count;
  always_ff @(posedge clk) if (!ap_rst_n) reset_count <= reset_count + 1'b1;

  logic [{iw - 1}:0] in_data;
  logic [{ow - 1}:0] out_data;
  logic in_valid, in_ready, out_valid, out_ready;

  {PRIMITIVE} #(
      .IN_WIDTH({iw}),
      .OUT_WIDTH({ow}),
      .CLKS_PER_BIT(CLKS_PER_BIT)
  ) link (
      .ap_clk(clk),
      .ap_rst_n(ap_rst_n),
      .rx(uart_rx),
      .tx(uart_tx),
      .m_TDATA(in_data),
      .m_TVALID(in_valid),
      .m_TREADY(in_ready),
      .s_TDATA(out_data),
      .s_TVALID(out_valid),
      .s_TREADY(out_ready)
  );

  qnn_top accelerator (
      .ap_clk(clk),
      .ap_rst_n(ap_rst_n),
      .{i}_TDATA(in_data),
      .{i}_TVALID(in_valid),
      .{i}_TREADY(in_ready),
      .{o}_TDATA(out_data),
      .{o}_TVALID(out_valid),
      .{o}_TREADY(out_ready)
  );
endmodule
"""


def constraints(board: Board) -> str:
    """`qnn_uart_top.lpf`: the top's three ports on `board`'s pins. The clock's timing
    target is nextpnr's `--freq` (from `--clock-ns`), not a FREQUENCY line."""
    io = board.io_type
    return (
        f"# {UART_TOP} on {board.name}: the board's {board.clock_mhz:g} MHz oscillator and "
        "its USB-serial UART.\n"
        "# Another board: change the SITE names (and IO_TYPE) to its pins; docs/fpga.md.\n"
        f'LOCATE COMP "clk" SITE "{board.clock_site}";\n'
        f'IOBUF PORT "clk" PULLMODE=NONE IO_TYPE={io};\n'
        f'LOCATE COMP "uart_rx" SITE "{board.rx_site}";  # FPGA receives from the host\n'
        f'IOBUF PORT "uart_rx" PULLMODE=UP IO_TYPE={io};\n'
        f'LOCATE COMP "uart_tx" SITE "{board.tx_site}";  # FPGA transmits to the host\n'
        f'IOBUF PORT "uart_tx" PULLMODE=UP IO_TYPE={io} DRIVE=4;\n'
    )


def host_streams(manifest: dict[str, Any], options: UartOptions) -> dict[str, Any]:
    """`streams.json`: what `host_uart.py` needs (the `StreamFormat` of each side, as
    the deployment's `accel.json` writes them) and the baud rate."""
    source, sink = stream_ports(manifest)

    def entry(stream: dict[str, Any]) -> dict[str, Any]:
        return {
            "frame": stream["shape"],
            "lanes": stream["lanes"],
            "datatype": _datatype_text(stream),
            "words_per_frame": stream["words_per_frame"],
        }

    return {"baud": options.baud, "input": entry(source), "output": entry(sink)}


def _datatype_text(stream: dict[str, Any]) -> str:
    """The manifest's datatype in the printed form `packing.LaneFormat.parse` reads."""
    if stream["bipolar"]:
        return "!quant.bipolar"
    kind = "int" if stream["signed"] else "uint"
    return f"!quant.{kind}<{stream['bits']}>"


def uart_files(manifest: dict[str, Any], options: UartOptions) -> dict[str, str]:
    """The files of `OUT/bitstream` before place and route (module docstring)."""
    return {
        f"{UART_TOP}.sv": top_module(manifest, options),
        f"{PRIMITIVE}.sv": (PRIMITIVES_DIR / f"{PRIMITIVE}.sv").read_text(encoding="utf-8"),
        f"{UART_TOP}.lpf": constraints(options.board),
        "host_uart.py": HOST_SCRIPT.read_text(encoding="utf-8"),
        "packing.py": PACKING.read_text(encoding="utf-8"),
        "streams.json": json.dumps(host_streams(manifest, options), indent=2) + "\n",
    }


# --------------------------------------------------------------------------- simulation


TESTBENCH = r"""// The host side of a UART link in simulation: sends each frame's bytes to uart_rx
// (8N1, CLKS_PER_BIT cycles per bit, back to back), then decodes uart_tx until the
// frame's output bytes arrived. tb IN OUT FRAMES IN_BYTES OUT_BYTES CPB IDLE_LIMIT
#include "Vqnn_uart_top.h"
#include "verilated.h"
#include <cstdio>
#include <cstdlib>
#include <vector>

static Vqnn_uart_top *top;
static int CPB = 8;
static long cycle = 0;
static int rx_state = 0, rx_wait = 0, rx_bit = 0, rx_byte = 0;
static std::vector<unsigned char> received;

static void tick() {
  top->clk = 0; top->eval();
  top->clk = 1; top->eval();
  cycle++;
  // decode uart_tx: a start bit, then each bit sampled in its middle
  int line = top->uart_tx;
  if (rx_state == 0) {
    if (!line) { rx_state = 1; rx_wait = CPB + CPB / 2; rx_bit = 0; rx_byte = 0; }
  } else if (--rx_wait == 0) {
    if (rx_bit < 8) { rx_byte |= line << rx_bit; rx_bit++; rx_wait = CPB; }
    else { if (line) received.push_back((unsigned char)rx_byte); rx_state = 0; }
  }
}

static void send(int byte) {
  int bits[10] = {0};
  for (int k = 0; k < 8; k++) bits[k + 1] = (byte >> k) & 1;
  bits[9] = 1;
  for (int b = 0; b < 10; b++) {
    top->uart_rx = bits[b];
    for (int c = 0; c < CPB; c++) tick();
  }
}

int main(int argc, char **argv) {
  if (argc != 8) { fprintf(stderr, "usage: tb IN OUT FRAMES IN_BYTES OUT_BYTES CPB IDLE\n"); return 2; }
  long frames = atol(argv[3]), in_bytes = atol(argv[4]), out_bytes = atol(argv[5]);
  CPB = atoi(argv[6]);
  long idle_limit = atol(argv[7]);
  std::vector<unsigned char> in(frames * in_bytes);
  FILE *f = fopen(argv[1], "rb");
  if (!f || fread(in.data(), 1, in.size(), f) != in.size()) { fprintf(stderr, "cannot read input\n"); return 2; }
  fclose(f);
  top = new Vqnn_uart_top;
  top->uart_rx = 1;
  for (int c = 0; c < 4 * CPB; c++) tick();
  for (long k = 0; k < frames; k++) {
    for (long b = 0; b < in_bytes; b++) send(in[k * in_bytes + b]);
    long last = cycle;
    size_t have = received.size();
    while (received.size() < (size_t)((k + 1) * out_bytes)) {
      tick();
      if (received.size() != have) { have = received.size(); last = cycle; }
      if (cycle - last > idle_limit) {
        printf("no output byte for %ld cycles in frame %ld (%zu of %ld bytes)\n",
               idle_limit, k, received.size(), frames * out_bytes);
        return 3;
      }
    }
  }
  f = fopen(argv[2], "wb");
  fwrite(received.data(), 1, received.size(), f);
  fclose(f);
  printf("cycles %ld\n", cycle);
  delete top;
  return 0;
}
"""


def uart_rtlsim(
    rtl_dir: Path, bitstream_dir: Path, frames: np.ndarray, *, clks_per_bit: int = 8
) -> np.ndarray:
    """Simulate `qnn_uart_top` (`bitstream_dir`) around `qnn_top` (`rtl_dir`) with
    Verilator: `frames` (`N x frame` integers of the partition's input) go in as UART
    bits, packed by `host_uart.py` and one frame at a time as it sends them; the bits
    that come out are decoded by `host_uart.py` into `N x frame` integers.
    `clks_per_bit` overrides the baud rate (a short bit keeps the simulation fast)."""
    manifest = read_manifest(rtl_dir)
    spec = host_uart.load_spec(bitstream_dir)
    source, sink = host_uart.formats(spec)
    count = len(frames)
    with tempfile.TemporaryDirectory(prefix="qnn-uart-") as tmp:
        work = Path(tmp)
        (work / "tb.cpp").write_text(TESTBENCH)
        extra = [str(bitstream_dir / f"{name}.sv") for name in (PRIMITIVE, UART_TOP)]
        binary, _ = verilate(
            rtl_dir,
            work / "tb.cpp",
            work / "obj",
            top=UART_TOP,
            extra=extra,
            options=[f"-GCLKS_PER_BIT={clks_per_bit}"],
        )
        (work / "in.bin").write_bytes(host_uart.frame_bytes(frames, source))
        idle = 40 * clks_per_bit + 20 * int(manifest["estimated_latency_cycles"]) + 10_000
        arguments = [work / "in.bin", work / "out.bin", count, source.frame_bytes]
        arguments += [sink.frame_bytes, clks_per_bit, idle]
        run = subprocess.run(
            [str(binary), *(str(a) for a in arguments)],
            cwd=rtl_dir,
            capture_output=True,
            text=True,
            check=False,
        )
        if run.returncode != 0:
            raise RtlsimError(f"uart rtlsim: {(run.stdout + run.stderr).strip()}")
        return host_uart.frames_of((work / "out.bin").read_bytes(), sink, count)


def write_files(files: dict[str, str], directory: Path) -> None:
    """Write `files` (name -> text) into `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (directory / name).write_text(text, encoding="utf-8")
