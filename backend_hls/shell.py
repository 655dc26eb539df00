"""The Zynq shell: `vivado/shell.tcl`, the Vivado script that puts the accelerator on a
Zynq board and makes the bitstream PYNQ loads.

The script creates a project for the board's part (and its Vivado board part, whose
preset configures the processing system's DDR, clocks and MIO), and a block design
`<design>_shell`:

* the processing system (`processing_system7` on Zynq-7000, `zynq_ultra_ps_e` on Zynq
  UltraScale+; `boards.PROCESSING_SYSTEMS`) with the board preset applied, one general
  purpose AXI master (the control port) and one high-performance AXI slave (the memory
  port) enabled, and its fabric clock 0 at the build's clock;
* the accelerator's cells (an `AcceleratorCells`): for the HLS backend the DMA IP
  `qnn_dma` (`emit_cpp.dma`, exported by `hls/qnn_dma_hls.tcl`) and the stitched
  accelerator IP (`vivado/stitch.tcl`), their AXI-streams joined (`vivado/shell.tcl`);
  for the RTL backend one module reference `qnn_dma` to `qnn_axi_top`, the RTL top behind
  its RTL data movers, from the `.sv` files of `rtl/` and `rtl_axi/` added to the project:
  no Vitis HLS step (`backend_rtl.axi_shell`, `vivado/shell_rtl.tcl`);
* a SmartConnect from the PS master to every AXI4-Lite slave (control), a SmartConnect
  from every AXI4 master to the PS memory port (memory), a `proc_sys_reset` on the PS's
  fabric reset; the fabric clock reaches every clock pin, the synchronized active-low
  reset every reset pin;
* the address map: every AXI4-Lite slave at its own window in the PS's general purpose
  address range, every AXI4 master's address space onto the PS's DDR segment;

then validates and saves it, makes the HDL wrapper top, runs synthesis and
implementation to `write_bitstream`, and copies the bitstream and the block design's
hardware handoff (`.hwh`) into `deploy/bitfile/<name>.bit` / `<name>.hwh`, the pair
PYNQ's `Overlay` loads. The PS cell's name is `ps`, the DMA cell's is the register
block's name in `accel.json` (`qnn_dma`), which the driver asks the overlay for.

No pin leaves the programmable logic (all I/O is the PS's fixed I/O), so the design
needs no XDC: the board part (or, with a bare `--part`, the PS's defaults) fixes the
rest. `backend_hls.shell_check` dry-runs the script under the stand-ins and checks it
against the partition.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from backend_hls.boards import Board, ProcessingSystem
from backend_hls.emit_cpp.dma import DMA_TOP
from backend_hls.emit_tcl import SOLUTION, TclOptions, tcl_list, tcl_word

PS_CELL = "ps"
RESET_CELL = "reset"
CONTROL_BUS = "control_bus"
MEMORY_BUS = "memory_bus"
SMARTCONNECT_VLNV = "xilinx.com:ip:smartconnect:1.0"
RESET_VLNV = "xilinx.com:ip:proc_sys_reset:5.0"
CONTROL_WINDOW = 0x10000
"""Bytes of the PS address range each AXI4-Lite slave gets (64 KiB, Vivado's default)."""


@dataclass(frozen=True)
class Cell:
    """A cell of the accelerator: made from an IP (`vlnv`) or an RTL module (`module`)."""

    name: str
    vlnv: str | None = None
    module: str | None = None
    clock: str = "ap_clk"
    reset: str = "ap_rst_n"

    def create(self) -> str:
        if self.module is not None:
            kind = f"-type module -reference {tcl_word(self.module)}"
        else:
            assert self.vlnv is not None
            kind = f"-type ip -vlnv {tcl_word(self.vlnv)}"
        return f"create_bd_cell {kind} {tcl_word(self.name)}"


@dataclass(frozen=True)
class AcceleratorCells:
    """What the shell connects: the cells, the AXI-stream nets between them (`CELL/PIN`
    pairs, master first), the AXI4-Lite slaves (`CELL/PIN`, each with its address
    segment `CELL/PIN/SEGMENT` and its register bytes) and the AXI4 masters (`CELL/PIN`,
    each with its address space `CELL/SPACE`)."""

    cells: list[Cell]
    streams: list[tuple[str, str]]
    slaves: list[tuple[str, str, int]]
    masters: list[tuple[str, str]]
    repo_paths: list[str] = field(default_factory=list)
    """Tcl expressions of IP repository directories (relative to $qnn_root)."""
    sources: list[list[str]] = field(default_factory=list)
    """RTL sources to add (path parts under $qnn_root)."""
    project: str = "shell_project"
    """The Vivado project's directory under `vivado/`."""


def _pin(path: str) -> str:
    return f"[get_bd_pins {tcl_word(path)}]"


def _intf(path: str) -> str:
    return f"[get_bd_intf_pins {tcl_word(path)}]"


def _net(source: str, sink: str) -> str:
    return f"connect_bd_net {_pin(source)} {_pin(sink)}"


def _intf_net(source: str, sink: str) -> str:
    return f"connect_bd_intf_net {_intf(source)} {_intf(sink)}"


def _path(parts: list[str]) -> str:
    return "[file join $qnn_root " + " ".join(tcl_word(p) for p in parts) + "]"


def _header(design: str, board: Board, options: TclOptions, accel: AcceleratorCells) -> list[str]:
    lines = [
        f"# Vivado: the Zynq system around the qnn accelerator {options.name} on {board.name}",
        "# (backend_hls.shell): block design, synthesis, implementation, bitstream and .hwh",
        "# into deploy/bitfile/. Run from anywhere: vivado -mode batch -source <this script>",
        "set qnn_vivado_dir [file dirname [file normalize [info script]]]",
        "set qnn_root [file dirname $qnn_vivado_dir]",
        f"create_project -force {tcl_word(design)} [file join $qnn_vivado_dir {tcl_word(accel.project)}] "
        f"-part {tcl_word(board.part)}",
    ]
    if board.board_part is not None:
        lines.append(f"set_property board_part {tcl_word(board.board_part)} [current_project]")
    else:
        lines.append(f"# no board part for {board.name}: the PS keeps its default presets")
    if accel.repo_paths:
        paths = " ".join(accel.repo_paths)
        lines += [f"set_property ip_repo_paths [list {paths}] [current_project]"]
    lines.append("update_ip_catalog -rebuild")
    if accel.sources:
        files = " ".join(_path(parts) for parts in accel.sources)
        lines += [f"add_files -norecurse [list {files}]", "update_compile_order -fileset sources_1"]
    lines.append(f"create_bd_design {tcl_word(design)}")
    return lines


def _processing_system(ps: ProcessingSystem, board: Board, options: TclOptions) -> list[str]:
    preset = "1" if board.board_part is not None else "0"
    config = f'make_external "FIXED_IO, DDR" apply_board_preset "{preset}"'
    settings = [*ps.enable, ps.clock_property, f"{1000 / options.clock_ns:g}"]
    cell = f"[get_bd_cells {PS_CELL}]"
    return [
        "",
        f"# the processing system ({ps.name}), its DDR and fixed I/O external",
        f"create_bd_cell -type ip -vlnv {tcl_word(ps.vlnv)} {PS_CELL}",
        f"apply_bd_automation -rule {tcl_word(ps.rule)} -config {{{config}}} {cell}",
        f"set_property -dict {tcl_list(settings)} {cell}",
    ]


def _buses(ps: ProcessingSystem, accel: AcceleratorCells) -> list[str]:
    lines = ["", "# control: PS master -> every AXI4-Lite slave; memory: every AXI4 master -> PS"]
    for bus, si, mi in (
        (CONTROL_BUS, 1, len(accel.slaves)),
        (MEMORY_BUS, len(accel.masters), 1),
    ):
        lines += [
            f"create_bd_cell -type ip -vlnv {SMARTCONNECT_VLNV} {bus}",
            f"set_property -dict {tcl_list(['CONFIG.NUM_SI', str(si), 'CONFIG.NUM_MI', str(mi)])} "
            f"[get_bd_cells {bus}]",
        ]
    lines.append(_intf_net(f"{PS_CELL}/{ps.master}", f"{CONTROL_BUS}/S00_AXI"))
    lines += [
        _intf_net(f"{CONTROL_BUS}/M{k:02d}_AXI", pin) for k, (pin, _, _) in enumerate(accel.slaves)
    ]
    lines += [
        _intf_net(pin, f"{MEMORY_BUS}/S{k:02d}_AXI") for k, (pin, _) in enumerate(accel.masters)
    ]
    lines.append(_intf_net(f"{MEMORY_BUS}/M00_AXI", f"{PS_CELL}/{ps.slave}"))
    return lines


def _clocks(ps: ProcessingSystem, accel: AcceleratorCells) -> list[str]:
    clock, reset = f"{PS_CELL}/{ps.clock}", f"{RESET_CELL}/peripheral_aresetn"
    clock_pins = [f"{PS_CELL}/{pin}" for pin in ps.bus_clocks]
    clock_pins += [f"{RESET_CELL}/slowest_sync_clk", f"{CONTROL_BUS}/aclk", f"{MEMORY_BUS}/aclk"]
    clock_pins += [f"{cell.name}/{cell.clock}" for cell in accel.cells]
    reset_pins = [f"{CONTROL_BUS}/aresetn", f"{MEMORY_BUS}/aresetn"]
    reset_pins += [f"{cell.name}/{cell.reset}" for cell in accel.cells]
    return [
        "",
        "# the fabric clock to every clock pin; its reset, synchronized, to every reset pin",
        f"create_bd_cell -type ip -vlnv {RESET_VLNV} {RESET_CELL}",
        _net(f"{PS_CELL}/{ps.reset}", f"{RESET_CELL}/ext_reset_in"),
        *(_net(clock, pin) for pin in clock_pins),
        *(_net(reset, pin) for pin in reset_pins),
    ]


def _addresses(ps: ProcessingSystem, accel: AcceleratorCells) -> list[str]:
    lines = ["", "# the address map"]
    data = f"[get_bd_addr_spaces {PS_CELL}/{ps.data_space}]"
    for k, (_, segment, size) in enumerate(accel.slaves):
        window = max(CONTROL_WINDOW, 1 << (size - 1).bit_length())
        offset = ps.control_base + k * window
        lines.append(
            f"assign_bd_address -offset {offset:#010x} -range {window:#x} "
            f"-target_address_space {data} [get_bd_addr_segs {tcl_word(segment)}]"
        )
    ddr = f"[get_bd_addr_segs {tcl_word(f'{PS_CELL}/{ps.ddr_segment}')}]"
    lines += [
        f"assign_bd_address -target_address_space [get_bd_addr_spaces {tcl_word(space)}] {ddr}"
        for _, space in accel.masters
    ]
    return lines


def _build(design: str, name: str) -> list[str]:
    wrapper = f"{design}_wrapper"
    bd = f"[get_files {tcl_word(design + '.bd')}]"
    return [
        "",
        "validate_bd_design",
        "save_bd_design",
        f"make_wrapper -files {bd} -top -import",
        f"set_property top {tcl_word(wrapper)} [current_fileset]",
        "update_compile_order -fileset sources_1",
        "",
        "# synthesis, implementation, bitstream",
        "launch_runs synth_1 -jobs 2",
        "wait_on_run synth_1",
        "launch_runs impl_1 -to_step write_bitstream -jobs 2",
        "wait_on_run impl_1",
        'if {[get_property PROGRESS [get_runs impl_1]] ne "100%"} {',
        '    error "qnn: implementation did not finish; see the impl_1 run\'s log"',
        "}",
        "",
        "# the bitstream and its hardware handoff, side by side as PYNQ's Overlay wants them",
        "set qnn_bitfile_dir [file join $qnn_root deploy bitfile]",
        "file mkdir $qnn_bitfile_dir",
        "file copy -force [file join [get_property DIRECTORY [get_runs impl_1]] "
        f"{tcl_word(wrapper + '.bit')}] [file join $qnn_bitfile_dir {tcl_word(name + '.bit')}]",
        f"file copy -force [get_files -all -of_objects {bd} {tcl_word(design + '.hwh')}] "
        f"[file join $qnn_bitfile_dir {tcl_word(name + '.hwh')}]",
        "close_project",
    ]


def shell_script(accel: AcceleratorCells, board: Board, options: TclOptions, name: str) -> str:
    """`vivado/shell.tcl` (module docstring); `name` names the bitfile pair."""
    options.check()
    ps = board.processing_system
    design = f"{options.design}_shell"
    lines = _header(design, board, options, accel)
    lines += _processing_system(ps, board, options)
    lines += ["", "# the accelerator"]
    lines += [cell.create() for cell in accel.cells]
    lines += [_intf_net(source, sink) for source, sink in accel.streams]
    lines += _buses(ps, accel)
    lines += _clocks(ps, accel)
    lines += _addresses(ps, accel)
    lines += _build(design, name)
    return "\n".join(lines) + "\n"


def hls_accelerator(
    n_inputs: int, n_outputs: int, register_bytes: int, options: TclOptions
) -> AcceleratorCells:
    """The HLS backend's accelerator: the DMA IP `qnn_dma` (`emit_cpp.dma`: streams
    `m_axis_<i>`/`s_axis_<j>`, control `s_axi_control`, masters `m_axi_gmem0` for the
    inputs and `m_axi_gmem1` for the outputs) joined to the stitched IP (`emit_tcl`:
    `s_axis_<i>`/`m_axis_<j>`)."""
    dma, accel = DMA_TOP, "accel"
    streams = [(f"{dma}/m_axis_{i}", f"{accel}/s_axis_{i}") for i in range(n_inputs)]
    streams += [(f"{accel}/m_axis_{j}", f"{dma}/s_axis_{j}") for j in range(n_outputs)]
    bundles = [b for b, n in (("gmem0", n_inputs), ("gmem1", n_outputs)) if n]
    return AcceleratorCells(
        cells=[
            Cell(dma, vlnv=options.vlnv(dma)),
            Cell(accel, vlnv=options.vlnv(options.design)),
        ],
        streams=streams,
        slaves=[(f"{dma}/s_axi_control", f"{dma}/s_axi_control/Reg", register_bytes)],
        masters=[(f"{dma}/m_axi_{b}", f"{dma}/Data_m_axi_{b}") for b in bundles],
        repo_paths=[
            _path(["vivado", "ip"]),
            _path(["hls", f"project_{dma}", SOLUTION, "impl", "ip"]),
        ],
    )
