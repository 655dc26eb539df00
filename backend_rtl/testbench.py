"""The generated C++ testbench that drives the Verilator model of `qnn_top`.

`testbench(manifest)` returns the source of `tb.cpp`, a program run as

    tb FRAMES SEED GAP_PERCENT STALL_PERCENT STALL_LIMIT DIR

with the working directory `rtl/` (ROMs load their `.mem` files from there). It reads
`DIR/in<i>.bin` (every word of input stream i for all FRAMES frames, each word as
ceil(width/32) little-endian uint32 chunks, lowest bits first), streams them in with
random gaps (each cycle an idle input stays idle with probability GAP_PERCENT %; an
offered word stays offered until taken, as AXI-stream requires) while the outputs see
TREADY low with probability STALL_PERCENT %, and writes `DIR/out<j>.bin` (same format)
and `DIR/stats.txt`: `cycles C`, `first_input I` (cycle of the first input transfer) and
one `frame_end J K CYCLE` line per output stream J and frame K (cycle of its last word).

After STALL_LIMIT cycles without any transfer on any stream of the top module (inputs,
outputs and the streams between layers, read through Verilator's public signals), it
prints one line `deadlock after N idle cycles at cycle C: stalled <stream>, ...` naming
the streams whose TVALID is high and TREADY low, and exits with status 3.
"""

from __future__ import annotations

from typing import Any

CHUNK_BITS = 32


def chunks(width: int) -> int:
    """uint32 chunks of a word of `width` bits."""
    return (width + CHUNK_BITS - 1) // CHUNK_BITS


def _set_data(port: str, width: int) -> str:
    if width > 64:
        return "".join(f"  t->{port}_TDATA[{k}] = w[{k}];\n" for k in range(chunks(width)))
    if width > 32:
        return f"  t->{port}_TDATA = (uint64_t)w[0] | ((uint64_t)w[1] << 32);\n"
    return f"  t->{port}_TDATA = w[0];\n"


def _get_data(port: str, width: int) -> str:
    if width > 64:
        return "".join(f"  w[{k}] = t->{port}_TDATA[{k}];\n" for k in range(chunks(width)))
    if width > 32:
        return f"  w[0] = (uint32_t)t->{port}_TDATA;\n  w[1] = (uint32_t)(t->{port}_TDATA >> 32);\n"
    return f"  w[0] = t->{port}_TDATA;\n"


def _signal(where: list[str | None]) -> str:
    """A port of `qnn_top` (`[None, port]`) or of one of its instances (`[instance,
    port]`, Verilator's public flat name) as a C++ expression."""
    instance, port = where
    if instance is None:
        return f"t->{port}"
    return f"t->rootp->qnn_top__DOT__{instance}__DOT__{port}"


def testbench(manifest: dict[str, Any]) -> str:
    """The C++ source of the testbench for the design of `manifest` (module docstring)."""
    inputs, outputs = manifest["inputs"], manifest["outputs"]
    helpers = []
    for s in inputs:
        helpers.append(
            f"static void set_{s['port']}(Vqnn_top *t, const uint32_t *w) {{\n"
            f"{_set_data(s['port'], s['width'])}}}\n"
        )
    for s in outputs:
        helpers.append(
            f"static void get_{s['port']}(Vqnn_top *t, uint32_t *w) {{\n"
            f"{_get_data(s['port'], s['width'])}}}\n"
        )
    streams = "".join(
        f'  {{"{s["name"]}", {_signal(s["valid"])}, {_signal(s["ready"])}}},\n'
        for s in manifest["streams"]
    )
    n_in, n_out = len(inputs), len(outputs)
    in_chunks = ", ".join(str(chunks(s["width"])) for s in inputs)
    out_chunks = ", ".join(str(chunks(s["width"])) for s in outputs)
    in_words = ", ".join(str(s["words_per_frame"]) for s in inputs)
    out_words = ", ".join(str(s["words_per_frame"]) for s in outputs)
    in_io = "".join(
        f"    if (in_valid[{i}] && t->{s['port']}_TREADY) {{ in_pos[{i}]++; in_valid[{i}] = false; "
        f"progress = true; if (first_input < 0) first_input = (long long)cycle; }}\n"
        for i, s in enumerate(inputs)
    )
    in_offer = "".join(
        f"    if (!in_valid[{i}] && in_pos[{i}] < in_total[{i}] && (int)(rng() % 100) >= gap) "
        f"in_valid[{i}] = true;\n"
        f"    t->{s['port']}_TVALID = in_valid[{i}];\n"
        f"    if (in_valid[{i}]) set_{s['port']}(t, &in_data[{i}][in_pos[{i}] * IN_CHUNKS[{i}]]);\n"
        for i, s in enumerate(inputs)
    )
    out_ready = "".join(
        f"    out_ready[{j}] = (int)(rng() % 100) >= stall;\n"
        f"    t->{s['port']}_TREADY = out_ready[{j}];\n"
        for j, s in enumerate(outputs)
    )
    out_io = "".join(
        f"    if (t->{s['port']}_TVALID && out_ready[{j}]) {{\n"
        f"      get_{s['port']}(t, &out_data[{j}][out_pos[{j}] * OUT_CHUNKS[{j}]]);\n"
        f"      out_pos[{j}]++; progress = true;\n"
        f"      if (out_pos[{j}] % OUT_WORDS[{j}] == 0) ends.push_back({{{j}, out_pos[{j}] / "
        f"OUT_WORDS[{j}] - 1, cycle}});\n"
        "    }\n"
        for j, s in enumerate(outputs)
    )
    return _TEMPLATE.format(
        helpers="\n".join(helpers),
        streams=streams,
        n_in=n_in,
        n_out=n_out,
        in_chunks=in_chunks,
        out_chunks=out_chunks,
        in_words=in_words,
        out_words=out_words,
        in_io=in_io,
        in_offer=in_offer,
        out_ready=out_ready,
        out_io=out_io,
    )


_TEMPLATE = """\
// Generated by qnn (backend_rtl.testbench): drives qnn_top with random input gaps and
// output backpressure, records every output word and the cycle of every frame's end.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "Vqnn_top.h"
#include "Vqnn_top___024root.h"
#include "verilated.h"

{helpers}
struct Stream {{ const char *name; const unsigned char &valid; const unsigned char &ready; }};
struct FrameEnd {{ int stream; unsigned long long frame; unsigned long long cycle; }};

static const int N_IN = {n_in}, N_OUT = {n_out};
static const unsigned long long IN_CHUNKS[] = {{{in_chunks}}};
static const unsigned long long OUT_CHUNKS[] = {{{out_chunks}}};
static const unsigned long long IN_WORDS[] = {{{in_words}}};
static const unsigned long long OUT_WORDS[] = {{{out_words}}};

static std::vector<uint32_t> read_file(const std::string &path, size_t count) {{
  std::vector<uint32_t> data(count);
  FILE *f = std::fopen(path.c_str(), "rb");
  if (!f || std::fread(data.data(), 4, count, f) != count) {{
    std::fprintf(stderr, "testbench: cannot read %s\\n", path.c_str());
    std::exit(2);
  }}
  std::fclose(f);
  return data;
}}

static void write_file(const std::string &path, const std::vector<uint32_t> &data) {{
  FILE *f = std::fopen(path.c_str(), "wb");
  if (!f || std::fwrite(data.data(), 4, data.size(), f) != data.size()) {{
    std::fprintf(stderr, "testbench: cannot write %s\\n", path.c_str());
    std::exit(2);
  }}
  std::fclose(f);
}}

int main(int argc, char **argv) {{
  if (argc != 7) {{
    std::fprintf(stderr, "usage: tb FRAMES SEED GAP STALL STALL_LIMIT DIR\\n");
    return 2;
  }}
  const unsigned long long frames = std::strtoull(argv[1], nullptr, 10);
  std::mt19937 rng((unsigned)std::strtoul(argv[2], nullptr, 10));
  const int gap = std::atoi(argv[3]), stall = std::atoi(argv[4]);
  const unsigned long long limit = std::strtoull(argv[5], nullptr, 10);
  const std::string dir = argv[6];

  VerilatedContext context;
  Vqnn_top *t = new Vqnn_top(&context);
  const Stream streams[] = {{
{streams}  }};

  std::vector<std::vector<uint32_t>> in_data, out_data;
  unsigned long long in_total[N_IN + 1], in_pos[N_IN + 1], out_total[N_OUT], out_pos[N_OUT];
  bool in_valid[N_IN + 1], out_ready[N_OUT];
  for (int i = 0; i < N_IN; i++) {{
    in_total[i] = frames * IN_WORDS[i];
    in_pos[i] = 0;
    in_valid[i] = false;
    in_data.push_back(read_file(dir + "/in" + std::to_string(i) + ".bin", in_total[i] * IN_CHUNKS[i]));
  }}
  for (int j = 0; j < N_OUT; j++) {{
    out_total[j] = frames * OUT_WORDS[j];
    out_pos[j] = 0;
    out_data.emplace_back(out_total[j] * OUT_CHUNKS[j]);
  }}

  t->ap_rst_n = 0;
  for (int k = 0; k < 4; k++) {{
    t->ap_clk = 0; t->eval();
    t->ap_clk = 1; t->eval();
  }}
  t->ap_rst_n = 1;

  std::vector<FrameEnd> ends;
  unsigned long long cycle = 0, idle = 0;
  long long first_input = -1;
  for (;;) {{
    bool done = true;
    for (int j = 0; j < N_OUT; j++) done = done && out_pos[j] == out_total[j];
    if (done) break;
{in_offer}{out_ready}    t->ap_clk = 0;
    t->eval();
    bool progress = false;
    for (const Stream &s : streams) progress = progress || (s.valid && s.ready);
{in_io}{out_io}    t->ap_clk = 1;
    t->eval();
    cycle++;
    idle = progress ? 0 : idle + 1;
    if (idle > limit) {{
      std::string stalled;
      for (const Stream &s : streams)
        if (s.valid && !s.ready) stalled += std::string(stalled.empty() ? "" : ", ") + s.name;
      if (stalled.empty()) stalled = "none (no stream holds a word)";
      std::printf("deadlock after %llu idle cycles at cycle %llu: stalled %s\\n", idle, cycle,
                  stalled.c_str());
      return 3;
    }}
  }}

  for (int j = 0; j < N_OUT; j++) write_file(dir + "/out" + std::to_string(j) + ".bin", out_data[j]);
  FILE *f = std::fopen((dir + "/stats.txt").c_str(), "w");
  std::fprintf(f, "cycles %llu\\nfirst_input %lld\\n", cycle, first_input);
  for (const FrameEnd &e : ends) std::fprintf(f, "frame_end %d %llu %llu\\n", e.stream, e.frame, e.cycle);
  std::fclose(f);
  t->final();
  delete t;
  return 0;
}}
"""
