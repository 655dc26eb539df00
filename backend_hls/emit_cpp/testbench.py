"""The C simulation sources: `csim/testbench.cpp` (frames from/to binary files through
`top`), `csim/csim.cpp` (the whole simulation as one translation unit) and `csim/build.sh`
(the exact g++ command)."""

from __future__ import annotations

import shlex
from collections.abc import Sequence

from backend_hls.emit_cpp.cxx import CXXFLAGS, GCC_QUIRK, MARKER, PCH_FLAGS, word_type
from backend_hls.emit_cpp.top import TopPlan

TESTBENCH = """\
// C simulation testbench: N frames through top(), words from/to binary files.
//   testbench N IN0.bin ... OUT0.bin ...
// A file holds the frames' words back to back, each word in ceil(W/8) bytes, least
// significant byte first (backend_hls.csim writes and reads them).
{marker}
{quirk}
#include "top.h"  // first: qnn/common.h must precede ap_int.h

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

template <int W>
static bool read_words(const char *path, hls::stream<ap_uint<W> > &s, unsigned long long n) {{
  const int B = (W + 7) / 8;
  FILE *f = std::fopen(path, "rb");
  if (!f) return false;
  std::vector<unsigned char> buf((size_t)B * n);
  const size_t got = n ? std::fread(&buf[0], 1, buf.size(), f) : 0;
  std::fclose(f);
  if (got != buf.size()) return false;
  for (unsigned long long i = 0; i < n; i++) {{
    const unsigned char *b = &buf[(size_t)i * B];
    ap_uint<W> w = 0;
    if (W <= 64) {{
      unsigned long long v = 0;
      for (int j = 0; j < B; j++) v |= (unsigned long long)b[j] << (8 * j);
      w = v;
    }} else {{
      for (int j = 0; j < B; j++) {{
        const int hi = (8 * j + 7 < W) ? 8 * j + 7 : W - 1;
        w.range(hi, 8 * j) = b[j];
      }}
    }}
    s.write(w);
  }}
  return true;
}}

template <int W>
static bool write_words(const char *path, hls::stream<ap_uint<W> > &s, unsigned long long n) {{
  const int B = (W + 7) / 8;
  if (s.size() != n) {{
    std::fprintf(stderr, "testbench: %s: %llu words produced, %llu expected\\n", path,
                 (unsigned long long)s.size(), n);
    return false;
  }}
  std::vector<unsigned char> buf((size_t)B * n);
  for (unsigned long long i = 0; i < n; i++) {{
    const ap_uint<W> w = s.read();
    for (int j = 0; j < B; j++) {{
      const int hi = (8 * j + 7 < W) ? 8 * j + 7 : W - 1;
      buf[(size_t)i * B + j] = (unsigned char)w.range(hi, 8 * j).to_uint();
    }}
  }}
  FILE *f = std::fopen(path, "wb");
  if (!f) return false;
  const size_t put = n ? std::fwrite(&buf[0], 1, buf.size(), f) : 0;
  return std::fclose(f) == 0 && put == buf.size();
}}

int main(int argc, char **argv) {{
  if (argc != {argc}) {{
    std::fprintf(stderr, "usage: testbench N{usage}\\n");
    return 2;
  }}
  const unsigned long long frames = std::strtoull(argv[1], 0, 10);
{declare}
{read}
  const auto start = std::chrono::steady_clock::now();
  for (unsigned long long n = 0; n < frames; n++) {{
    top({call_args});
  }}
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
{drain}
{write}
  std::printf("qnn-csim: %llu frames in %.6f s\\n", frames, seconds);
  return 0;
}}
"""


def testbench_source(plan: TopPlan) -> str:
    declare, read, drain, write = [], [], [], []
    usage = ""
    arg = 2
    for node in plan.inputs:
        declare.append(f'  hls::stream<{word_type(node.width)} > {node.name}("{node.name}");')
        read.append(
            f"  if (!read_words<{node.width}>(argv[{arg}], {node.name}, frames * {node.words}ULL)) {{\n"
            f'    std::fprintf(stderr, "testbench: cannot read %s\\n", argv[{arg}]);\n'
            "    return 1;\n  }"
        )
        drain.append(
            f"  if (!{node.name}.empty()) {{\n"
            f'    std::fprintf(stderr, "testbench: input {node.index} not fully consumed\\n");\n'
            "    return 1;\n  }"
        )
        usage += f" IN{node.index}.bin"
        arg += 1
    for node in plan.outputs:
        declare.append(f'  hls::stream<{word_type(node.width)} > {node.name}("{node.name}");')
        write.append(
            f"  if (!write_words<{node.width}>(argv[{arg}], {node.name}, frames * {node.words}ULL)) {{\n"
            f'    std::fprintf(stderr, "testbench: cannot write %s\\n", argv[{arg}]);\n'
            "    return 1;\n  }"
        )
        usage += f" OUT{node.index}.bin"
        arg += 1
    return TESTBENCH.format(
        marker=MARKER,
        quirk=GCC_QUIRK,
        argc=arg,
        usage=usage,
        declare="\n".join(declare),
        read="\n".join(read),
        call_args=", ".join(n.name for n in plan.inputs + plan.outputs),
        drain="\n".join(drain),
        write="\n".join(write),
    )


def unit_source(kernel_files: Sequence[str]) -> str:
    lines = [
        "// The C simulation as one translation unit: every kernel, top() and the testbench.",
        "// (Parsing the ap_int headers dominates the compile time of a unit, so one unit",
        "// builds faster than one per layer.) Synthesis uses hls/*.cpp directly.",
        MARKER,
        GCC_QUIRK,
        "#include <qnn/common.h>",
        *[f'#include "../hls/{f}"' for f in kernel_files],
        '#include "../hls/top.cpp"',
        '#include "testbench.cpp"',
    ]
    return "\n".join(lines) + "\n"


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
exec $CXX $CXXFLAGS ${{QNN_CSIM_PCH:+$PCH_FLAGS -include "$QNN_CSIM_PCH"}} -isystem "$INC" \\
  -I ../hls/lib -I ../hls csim.cpp -o testbench
"""
