"""The C simulation sources: `csim/testbench.cpp` (the board around the accelerator:
registers and memory in, the DMA IP's top `qnn_dma` with `top` behind its streams, see `dma`), `csim/csim.cpp` (the whole simulation as one translation unit) and `csim/build.sh`
(the exact g++ command)."""

from __future__ import annotations

import shlex
from collections.abc import Sequence

from backend_hls.emit_cpp.board_files import BOARD_FILES
from backend_hls.emit_cpp.cxx import CXXFLAGS, GCC_QUIRK, MARKER, PCH_FLAGS
from backend_hls.emit_cpp.dma import CTRL, DMA_TOP, accelerator_sig, dma_sig, plan_map
from backend_hls.emit_cpp.top import TopPlan
from backend_hls.runtime.packing import BUS_BITS

TESTBENCH = """\
// C simulation testbench: the board around the accelerator (backend_hls.emit_cpp.testbench).
//   testbench REGS.bin MEM.bin
// runs the DMA IP's top qnn_dma (with top() behind its streams) as the registers in REGS.bin ask, on the memory
// image MEM.bin, and writes both back (backend_hls.runtime.emulator writes and reads them).
{marker}
#include "top.h"  // first: qnn/common.h must precede ap_int.h
#include <qnn/dma.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

typedef ap_uint<{bus}> qnn_bus_t;
{prototype}

// A failed check: its message on stderr, exit status 1.
static void testbench_fail(const char *message) {{
  std::fprintf(stderr, "testbench: %s\\n", message);
  std::exit(1);
}}

// What qnn_dma calls between its DMAs in C simulation: the accelerator.
{accelerator}

{board_files}
namespace {{

const unsigned REG_BYTES = {reg_bytes};
const unsigned BUS_BYTES = {bus} / 8;

struct Board {{
  std::vector<unsigned char> regs;
  std::vector<Region> memory;

  unsigned reg(unsigned offset) const {{ return (unsigned)le(&regs[offset], 4); }}
  unsigned long long address(unsigned offset) const {{ return le(&regs[offset], 8); }}

  // The bus words of the buffer at `address` (`count` of them), or 0 with a message.
  unsigned char *buffer(unsigned long long address, unsigned long long count, const char *what) {{
    if (address % BUS_BYTES) {{
      std::fprintf(stderr, "testbench: %s buffer address 0x%llx is not %u-byte aligned\\n", what,
                   address, BUS_BYTES);
      return 0;
    }}
    for (size_t r = 0; r < memory.size(); r++) {{
      Region &region = memory[r];
      if (address >= region.address && address - region.address + count * BUS_BYTES <= region.bytes.size())
        return region.bytes.empty() ? 0 : &region.bytes[address - region.address];
    }}
    std::fprintf(stderr, "testbench: %s buffer 0x%llx (%llu bytes) is not inside an allocated buffer\\n",
                 what, address, count * BUS_BYTES);
    return 0;
  }}
}};

std::vector<qnn_bus_t> bus_words(const unsigned char *p, unsigned long long count) {{
  std::vector<qnn_bus_t> words(count);
  for (unsigned long long i = 0; i < count; i++) words[i] = le(p + i * BUS_BYTES, BUS_BYTES);
  return words;
}}

void store(unsigned char *p, const std::vector<qnn_bus_t> &words) {{
  for (size_t i = 0; i < words.size(); i++) put_le(p + i * BUS_BYTES, words[i].to_uint64(), BUS_BYTES);
}}

// One run of the accelerator as the registers describe it; false on a failure (reported).
bool run(Board &board, double &seconds) {{
  const unsigned frames = board.reg({frames_reg});
{run}
  return true;
}}

}}  // namespace

int main(int argc, char **argv) {{
  if (argc != 3) {{
    std::fprintf(stderr, "usage: testbench REGS.bin MEM.bin\\n");
    return 2;
  }}
  Board board;
  if (!read_board(argv[1], argv[2], REG_BYTES, board.regs, board.memory)) return 1;
  const unsigned ctrl = board.reg({ctrl});
  double seconds = 0;
  if (ctrl & 1) {{
    if (!run(board, seconds)) return 1;
    put_le(&board.regs[{ctrl}], (ctrl & ~1u) | 6u, 4);  // ap_start low, ap_done and ap_idle
  }}
  if (!write_board(argv[1], argv[2], board.regs, board.memory)) return 1;
  std::printf("qnn-csim: %u frames in %.6f s\\n", board.reg({frames_reg}), seconds);
  return 0;
}}
"""


def _run_body(plan: TopPlan) -> list[str]:
    """The statements of `run`: the buffers the registers point at, one `qnn_dma` call,
    the checks, the output buffers stored."""
    regs = plan_map(plan)
    lines: list[str] = []
    ports = [
        ("in", "input", plan.inputs, regs.inputs),
        ("out", "output", plan.outputs, regs.outputs),
    ]
    for prefix, what, nodes, offsets in ports:
        for node, offset in zip(nodes, offsets, strict=True):
            p = f"{prefix}{node.index}"
            lines += [
                f"  const unsigned long long {p}_words = qnn::dma_bus_words<{BUS_BITS}, "
                f"{node.width}>((unsigned long long)frames * {node.words});",
                f"  unsigned char *{p}_mem = board.buffer(board.address({offset:#x}), {p}_words, "
                f'"{what} {node.index}");',
                f"  if (!{p}_mem && {p}_words) return false;",
            ]
            if prefix == "in":
                lines += [
                    f"  const std::vector<qnn_bus_t> {p}_bus = bus_words({p}_mem, {p}_words);",
                    f"  hls::stream<qnn::axis_word<{node.width}> > m_axis_{node.index}"
                    f'("m_axis_{node.index}");',
                ]
            else:
                lines += [
                    f"  std::vector<qnn_bus_t> {p}_bus({p}_words);",
                    f'  hls::stream<ap_uint<{node.width}> > s_axis_{node.index}("s_axis_{node.index}");',
                ]
    args = [
        a
        for prefix, stream, nodes in (
            ("in", "m_axis", plan.inputs),
            ("out", "s_axis", plan.outputs),
        )
        for n in nodes
        for a in (f"{prefix}{n.index}_words ? &{prefix}{n.index}_bus[0] : 0", f"{stream}_{n.index}")
    ]
    lines += [
        "  const auto start = std::chrono::steady_clock::now();",
        f"  {DMA_TOP}({', '.join([*args, 'frames'])});",
        "  seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();",
    ]
    for stream, what, nodes in (
        ("m_axis", "input", plan.inputs),
        ("s_axis", "output", plan.outputs),
    ):
        lines += [
            f"  if (!{stream}_{n.index}.empty())\n"
            f'    testbench_fail("{what} {n.index}: qnn_dma left words in {stream}_{n.index}");'
            for n in nodes
        ]
    for node in plan.outputs:
        lines.append(
            f"  if (out{node.index}_words) store(out{node.index}_mem, out{node.index}_bus);"
        )
    return lines


def _accelerator_body(plan: TopPlan) -> list[str]:
    """`qnn_csim_accelerator`: TLAST checked on every input word, `top()` per frame, the
    word counts checked; a failure ends the testbench with a one-line message."""
    lines = [f"{accelerator_sig(plan)} {{"]
    for node in plan.inputs:
        i = node.index
        lines += [
            f'  hls::stream<ap_uint<{node.width}> > {node.name}("{node.name}");',
            f"  if (!qnn::axis_words<{node.width}, {node.words}>(m_axis_{i}, {node.name}, frames))",
            f'    testbench_fail("input {i}: TLAST is not at the frame ends");',
        ]
    ports = ", ".join([n.name for n in plan.inputs] + [f"s_axis_{n.index}" for n in plan.outputs])
    lines.append(f"  for (unsigned n = 0; n < frames; n++) top({ports});")
    for node in plan.inputs:
        lines += [
            f"  if (!{node.name}.empty())",
            f'    testbench_fail("input {node.index}: not fully consumed");',
        ]
    for node in plan.outputs:
        lines += [
            f"  if (s_axis_{node.index}.size() != (size_t)frames * {node.words})",
            f'    testbench_fail("output {node.index}: not {node.words} words per frame");',
        ]
    return [*lines, "}"]


def testbench_source(plan: TopPlan) -> str:
    """`csim/testbench.cpp` (module docstring)."""
    regs = plan_map(plan)
    return TESTBENCH.format(
        marker=MARKER,
        board_files=BOARD_FILES,
        bus=BUS_BITS,
        prototype=f"{dma_sig(plan)};",
        accelerator="\n".join(_accelerator_body(plan)),
        reg_bytes=regs.size,
        frames_reg=f"{regs.frames:#x}",
        ctrl=f"{CTRL:#x}",
        run="\n".join(_run_body(plan)),
    )


UNITS = ("csim_a.cpp", "csim_b.cpp")
"""The C simulation's two halves, compiled in parallel where there are two cores."""
OBJECTS = tuple(unit.removesuffix(".cpp") + ".o" for unit in UNITS)
"""Their object files (build products in `csim/`, with the testbench)."""


def unit_sources(kernel_files: Sequence[str]) -> dict[str, str]:
    """`csim/csim_a.cpp` (every other kernel), `csim/csim_b.cpp` (the other kernels, the
    DMA movers, top() and the testbench) and `csim/csim.cpp`, both halves as one unit.
    With the ap_int headers precompiled, generating code for the kernels' template
    instances is most of a build, so two units on two cores take ~0.7 of one unit's
    time (CNV-w2a2); on one core, one unit is cheaper (the halves instantiate the shared
    templates twice)."""

    def unit(comment: str, includes: list[str]) -> str:
        lines = [comment, MARKER, GCC_QUIRK, "#include <qnn/common.h>", *includes]
        return "\n".join(lines) + "\n"

    kernels = [f'#include "../hls/{f}"' for f in kernel_files]
    half_a, half_b = kernels[0::2], kernels[1::2]
    rest = [*half_b, '#include "../hls/top.cpp"', '#include "testbench.cpp"']
    return {
        UNITS[0]: unit("// Half of the C simulation: every other kernel (build.sh).", half_a),
        UNITS[1]: unit(
            "// Half of the C simulation: the other kernels, top(), the testbench.", rest
        ),
        "csim.cpp": unit(
            "// The C simulation as one translation unit (build.sh on one core): both halves.",
            [f'#include "{name}"' for name in UNITS],
        ),
    }


def build_script(hls_include: str | None) -> str:
    default = shlex.quote(hls_include) if hls_include else '""'
    flags = " ".join(CXXFLAGS)
    return f"""#!/bin/sh
# Build the C simulation of this qnn HLS project.
{MARKER.replace("//", "#")}
#   sh csim/build.sh [HLS_INCLUDE_DIR]
# HLS_INCLUDE_DIR holds the Xilinx simulation headers ap_int.h and hls_stream.h (a Vitis
# HLS installation's include/ directory, or hls4ml's templates/vivado/ap_types: the default
# below was found when this tree was emitted). $CXX overrides the compiler (g++).
# $QNN_CSIM_PCH (optional, set by backend_hls.csim) is a header to include first, precompiled
# with these flags (plus PCH_FLAGS: its pragmas do not carry the headers' warning settings).
set -u
cd "$(dirname "$0")" || exit 1
INC=${{1:-{default}}}
CXX=${{CXX:-g++}}
CXXFLAGS="{flags}"
PCH_FLAGS="{" ".join(PCH_FLAGS)}"
if [ ! -f "$INC/ap_int.h" ]; then
  echo "csim/build.sh: no ap_int.h in '$INC' (pass the HLS include directory)" >&2
  exit 1
fi
cxx() {{
  $CXX $CXXFLAGS ${{QNN_CSIM_PCH:+$PCH_FLAGS -include "$QNN_CSIM_PCH"}} -isystem "$INC" \\
    -I ../hls/lib -I ../hls "$@"
}}
if [ "$(nproc 2>/dev/null || echo 1)" -lt 2 ]; then
  cxx csim.cpp -o testbench
  exit $?
fi
# two cores or more: the halves in parallel, then linked
cxx -c {UNITS[0]} -o {OBJECTS[0]} &
first=$!
cxx -c {UNITS[1]} -o {OBJECTS[1]} || {{ wait "$first"; exit 1; }}
wait "$first" || exit 1
exec $CXX {OBJECTS[0]} {OBJECTS[1]} -o testbench
"""
