"""`vivado/shell.tcl` (`backend_hls.shell`): run under tclsh with the Vivado stand-ins
and checked against the accelerator's IPs (`backend_hls.shell_check`: interfaces read
from `hls/dma.cpp` and the stitched design) and against the partition."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from backend_hls.boards import BOARDS, Board, shell_board
from backend_hls.shell_check import check_shell, hls_interfaces, rtl_interfaces
from backend_hls.shell_check import main as shell_check_main
from backend_hls.tcl_check import DryRunError
from frontend.examples import example
from qdialects.dataflow import require_partition
from tools.build import BuildOptions, build

pytestmark = pytest.mark.skipif(shutil.which("tclsh") is None, reason="tclsh not installed")


@pytest.fixture(scope="module", params=["pynq-z1", "zcu104", "xc7z020clg400-1"])
def tree(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    target: str = request.param
    board = BOARDS.get(target) or shell_board(target, None)
    out = tmp_path_factory.mktemp("shell") / "out"
    options = BuildOptions(
        board=target if target in BOARDS else None, part=board.part, shell="zynq", name="mlp"
    )
    result = build(example("digits_mlp_w2a2"), out, options)
    return out, board, result


def test_the_shell_is_the_partition_on_the_board(tree: tuple[Path, Board, object]):
    out, board, result = tree
    expected = hls_interfaces(out)
    design, problems = check_shell(out, board, "mlp", expected)
    assert problems == []
    # the interfaces the check demanded are the partition's, not a fixed list
    partition = require_partition(result.module, "test")  # type: ignore[attr-defined]
    streams = len(partition.block.args) + len(partition.outputs)
    assert len(expected.stream_masters) == len(expected.stream_slaves) == streams
    assert set(expected.masters) == {"qnn_dma/m_axi_gmem0", "qnn_dma/m_axi_gmem1"}
    assert design.cells["qnn_dma"] == "qnn:hls:qnn_dma:1.0"
    assert design.board_part == board.board_part


def _broken(out: Path, tmp_path: Path, old: str, new: str, script_name: str = "shell.tcl") -> Path:
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    script = copy / "vivado" / script_name
    text = script.read_text()
    assert old in text, old
    script.write_text(text.replace(old, new, 1))
    return copy


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        (
            "assign_bd_address -offset",
            "# assign_bd_address -offset",
            "qnn_dma/s_axi_control: segment qnn_dma/s_axi_control/Reg is not mapped once",
        ),
        (
            "assign_bd_address -target_address_space [get_bd_addr_spaces qnn_dma/Data_m_axi_gmem1]",
            "# ",
            "qnn_dma/m_axi_gmem1: address space qnn_dma/Data_m_axi_gmem1 does not reach",
        ),
        (
            "connect_bd_intf_net [get_bd_intf_pins accel/m_axis_0]",
            "# ",
            "qnn_dma/s_axis_0 is not connected",
        ),
        ("CONFIG.NUM_SI 2", "CONFIG.NUM_SI 1", "memory_bus has (1, 1) SI/MI ports but uses (2, 1)"),
        (
            "[get_bd_pins qnn_dma/ap_clk]",
            "[get_bd_pins reset/slowest_sync_clk]",
            "qnn_dma/ap_clk gets",
        ),
        ("-range 0x10000", "-range 0x20", "window 0x43c00000+0x20 cannot hold 48 register bytes"),
        ("file copy -force [get_files", "# ", "no mlp.hwh copied"),
    ],
)
def test_the_check_finds_what_is_broken(
    tree: tuple[Path, Board, object], tmp_path: Path, old: str, new: str, problem: str
):
    out, board, _ = tree
    if board.name != "pynq-z1":
        pytest.skip("one board is enough")
    copy = _broken(out, tmp_path, old, new)
    _, problems = check_shell(copy, board, "mlp", hls_interfaces(copy))
    assert any(problem in p for p in problems), problems


def test_the_standins_know_the_ps_pins(tree: tuple[Path, Board, object], tmp_path: Path):
    out, board, _ = tree
    ps = board.processing_system
    copy = _broken(out, tmp_path, f"ps/{ps.slave}]", f"ps/{ps.slave}X]")
    with pytest.raises(DryRunError, match=f"has no intf pin {ps.slave}X"):
        check_shell(copy, board, "mlp", hls_interfaces(copy))


def test_a_part_without_a_ps_is_one_line(tmp_path: Path):
    from tools.errors import UserError

    with pytest.raises(UserError, match="--shell zynq needs a Zynq part"):
        build(
            example("digits_mlp_w2a2"),
            tmp_path / "out",
            BuildOptions(part="xcu250-figd2104-2L-e", shell="zynq"),
        )
    assert not any((tmp_path / "out").iterdir())


@pytest.fixture(scope="module")
def rtl_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("shell_rtl") / "out"
    options = BuildOptions(board="pynq-z2", shell="zynq", rtl=True, name="mlp")
    build(example("digits_mlp_w2a2"), out, options)
    return out


def test_the_rtl_shell_needs_no_hls(rtl_tree: Path):
    """`vivado/shell_rtl.tcl` builds the bitstream from the RTL: the `.sv` files of rtl/
    and rtl_axi/ added, qnn_axi_top referenced as a module, no HLS IP anywhere."""
    board = BOARDS["pynq-z2"]
    expected = rtl_interfaces(rtl_tree)
    design, problems = check_shell(rtl_tree, board, "mlp", expected, "shell_rtl.tcl")
    assert problems == []
    manifest = json.loads((rtl_tree / "rtl" / "manifest.json").read_text())
    assert len(expected.masters) == len(manifest["inputs"]) + len(manifest["outputs"])
    assert design.cells["qnn_dma"] == "module:qnn_axi_top"
    assert not [v for v in design.cells.values() if v.startswith("qnn:")]
    rtl = [
        rtl_tree.resolve() / "rtl" / f for f in (rtl_tree / "rtl/filelist.f").read_text().split()
    ]
    assert [str(p) for p in rtl] == design.sources[: len(rtl)]
    assert design.sources[-1] == str(rtl_tree.resolve() / "rtl_axi" / "qnn_axi_top.sv")


def test_a_module_reference_needs_its_source(rtl_tree: Path, tmp_path: Path):
    copy = _broken(
        rtl_tree, tmp_path, " [file join $qnn_root rtl_axi qnn_axi_top.sv]", "", "shell_rtl.tcl"
    )
    board = BOARDS["pynq-z2"]
    with pytest.raises(DryRunError, match="module qnn_axi_top is in no file added"):
        check_shell(copy, board, "mlp", rtl_interfaces(copy), "shell_rtl.tcl")


def test_the_check_command(rtl_tree: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    assert shell_check_main([str(rtl_tree)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "shell.tcl: 6 cells, 3 address assignments: ok",
        "shell_rtl.tcl: 5 cells, 3 address assignments: ok",
    ]
    copy = _broken(rtl_tree, tmp_path, "-range 0x10000", "-range 0x20", "shell_rtl.tcl")
    assert shell_check_main([str(copy)]) == 1
    assert capsys.readouterr().out.splitlines()[1:] == [
        "shell_rtl.tcl: qnn_dma/s_axi_control: window 0x43c00000+0x20 cannot hold 48 register "
        "bytes",
        "shell_rtl.tcl: 5 cells, 3 address assignments: 1 problems",
    ]
