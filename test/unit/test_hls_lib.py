"""Bit-exact tests of the HLS template library (backend_hls/lib/qnn) against numpy references.

Each case generates random data, a C++ driver that streams it through one kernel, and the
expected output words. Cases are grouped into a few translation units that are compiled in
parallel with the project's C-simulation flags (-std=c++14 -Wall -Wextra -Werror, -O1); the
mvau/vvau cases are built a second time with their synthesis bodies (-DQNN_CSIM_FAST=0).
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from backend_hls import toolchain
from qdialects.dataflow import estimates as est

# ----------------------------------------------------------------------------------------------
# element types and word packing
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DType:
    """A lane element type: signed/unsigned integer of `bits`, or bipolar (1 bit)."""

    bits: int
    signed: bool
    bipolar: bool = False

    @property
    def cpp(self) -> str:
        if self.bipolar:
            return "qnn::Bipolar"
        return f"ap_{'' if self.signed else 'u'}int<{self.bits}>"

    @property
    def lo(self) -> int:
        return -(1 << (self.bits - 1)) if self.signed else 0

    @property
    def hi(self) -> int:
        return (1 << (self.bits - 1)) - 1 if self.signed else (1 << self.bits) - 1

    def random(self, rng: np.random.Generator, shape: int | Sequence[int]) -> np.ndarray:
        if self.bipolar:
            return rng.choice(np.array([-1, 1], dtype=np.int64), size=shape)
        return rng.integers(self.lo, self.hi + 1, size=shape, dtype=np.int64)

    def encode(self, v: int) -> int:
        if self.bipolar:
            return 1 if v > 0 else 0
        return int(v) & ((1 << self.bits) - 1)


def I(bits: int) -> DType:  # noqa: E743 - short names keep the case tables readable
    return DType(bits, True)


def U(bits: int) -> DType:
    return DType(bits, False)


BIPOLAR = DType(1, True, bipolar=True)
DEFAULT_T = U(4)


def pack(vals: np.ndarray, dt: DType) -> list[int]:
    """Pack a (num_words, lanes) array into words, lane 0 at the LSB."""
    vals = np.asarray(vals).reshape(vals.shape[0], -1)
    words: list[int] = []
    for row in vals:
        w = 0
        for i, v in enumerate(row):
            w |= dt.encode(int(v)) << (i * dt.bits)
        words.append(w)
    return words


def wrap(vals: np.ndarray, dt: DType) -> np.ndarray:
    """Values reduced modulo 2^bits into dt's range (what assigning to an ap type does)."""
    m = 1 << dt.bits
    v = np.asarray(vals, dtype=np.int64) & (m - 1)
    if dt.signed:
        v = np.where(v > dt.hi, v - m, v)
    return v


def cpp_word(value: int, width: int) -> str:
    if width <= 64:
        return f"ap_uint<{width}>({value:#x}ULL)"
    return f'ap_uint<{width}>("{value:x}", 16)'


def cpp_init(nested: object, leaf: Callable[[int], str] = str) -> str:
    """C++ aggregate initializer of a nested list of ints."""
    if isinstance(nested, list | tuple | np.ndarray):
        return "{" + ", ".join(cpp_init(x, leaf) for x in nested) + "}"
    return leaf(int(nested))  # type: ignore[arg-type]


def cpp_array(name: str, ctype: str, arr: np.ndarray | list, leaf: Callable[[int], str] = str):
    a = np.asarray(arr)
    dims = "".join(f"[{d}]" for d in a.shape)
    return f"const {ctype} {name}{dims} = {cpp_init(a.tolist(), leaf)};\n"


def threshold_table(t: np.ndarray, pe: int) -> np.ndarray:
    """T[c][i] -> T_mem[p][n][i] with c = n*PE + p."""
    c, nt = t.shape
    return t.reshape(c // pe, pe, nt).transpose(1, 0, 2)


def multithreshold(acc: np.ndarray, t: np.ndarray, bias: int) -> np.ndarray:
    """acc (..., C), t (C, NT) -> sum_i [acc >= t[c, i]] + bias."""
    return (acc[..., None] >= t).sum(-1) + bias


def random_thresholds(rng: np.random.Generator, c: int, nt: int, lo: int, hi: int) -> np.ndarray:
    return np.sort(rng.integers(lo, hi + 1, size=(c, nt)), axis=1)


# ----------------------------------------------------------------------------------------------
# case description and driver generation
# ----------------------------------------------------------------------------------------------


@dataclass
class Case:
    name: str
    group: str
    call: str  # C++ statement using streams in0.., out0.. and the globals
    inputs: list[tuple[int, list[int]]]  # (word width, words)
    expected: list[tuple[int, list[int]]]
    globals: str = ""


def driver_source(cases: Sequence[Case]) -> str:
    src = [
        "#include <qnn/qnn.h>",
        "#include <cstdio>",
        "#include <fstream>",
        "#include <string>",
        "",
        "static int failures = 0;",
        "template <int W>",
        "static void load(hls::stream<ap_uint<W> > &s, const std::string &path) {",
        "  std::ifstream f(path.c_str());",
        "  std::string line;",
        "  while (std::getline(f, line)) {",
        "    if (!line.empty()) s.write(ap_uint<W>(line.c_str(), 16));",
        "  }",
        "}",
        "template <int W>",
        "static void dump(hls::stream<ap_uint<W> > &s, const std::string &path) {",
        "  std::ofstream f(path.c_str());",
        '  while (!s.empty()) f << s.read().to_string(16, false) << "\\n";',
        "}",
        "template <int W>",
        "static void drained(hls::stream<ap_uint<W> > &s, const char *what) {",
        "  if (!s.empty()) {",
        '    std::fprintf(stderr, "%s: input not fully consumed\\n", what);',
        "    failures++;",
        "  }",
        "}",
        "",
    ]
    for c in cases:
        src.append(f"namespace case_{c.name} {{")
        src.append(c.globals)
        src.append("static void run(const std::string &dir) {")
        for i, (w, _) in enumerate(c.inputs):
            src.append(f"  hls::stream<ap_uint<{w}> > in{i};")
            src.append(f'  load(in{i}, dir + "/{c.name}.in{i}");')
        for i, (w, _) in enumerate(c.expected):
            src.append(f"  hls::stream<ap_uint<{w}> > out{i};")
        src.append(f"  {c.call}")
        for i in range(len(c.inputs)):
            src.append(f'  drained(in{i}, "{c.name}.in{i}");')
        for i in range(len(c.expected)):
            src.append(f'  dump(out{i}, dir + "/{c.name}.out{i}");')
        src.append("}")
        src.append("}  // namespace")
        src.append("")
    src.append("int main(int argc, char **argv) {")
    src.append("  if (argc != 2) return 2;")
    src.append("  const std::string dir(argv[1]);")
    for c in cases:
        src.append(f"  case_{c.name}::run(dir);")
    src.append("  return failures ? 1 : 0;")
    src.append("}")
    return "\n".join(src) + "\n"


# ----------------------------------------------------------------------------------------------
# kernels: case builders with numpy references
# ----------------------------------------------------------------------------------------------

CASES: list[Case] = []


def add_case(case: Case) -> None:
    assert all(c.name != case.name for c in CASES), case.name
    CASES.append(case)


def mvau_case(
    name: str,
    *,
    mw: int,
    mh: int,
    simd: int,
    pe: int,
    ti: DType,
    tw: DType,
    ta: DType,
    to: DType | None,
    nt: int,
    bias: int = 0,
    tt: DType | None = None,
    vectors: int = 3,
    reps: int = 2,
    seed: int = 0,
) -> None:
    rng = np.random.default_rng(seed)
    x = ti.random(rng, (reps * vectors, mw))
    w = tw.random(rng, (mh, mw))
    xnor = ti.bipolar and tw.bipolar
    acc = (x[:, None, :] == w[None, :, :]).sum(-1) if xnor else x @ w.T
    assert acc.min() >= ta.lo and acc.max() <= ta.hi
    glob = ""
    sf, nf = mw // simd, mh // pe
    wmem = np.zeros((pe, nf * sf), dtype=object)
    for p in range(pe):
        for n in range(nf):
            for j in range(sf):
                wmem[p, n * sf + j] = pack(w[n * pe + p, j * simd : (j + 1) * simd][None], tw)[0]
    glob += cpp_array(
        "weights", f"ap_uint<{simd * tw.bits}>", wmem, lambda v: cpp_word(v, simd * tw.bits)
    )
    tparams = f"{mw}, {mh}, {simd}, {pe}, {ti.cpp}, {tw.cpp}, {ta.cpp}"
    if nt > 0:
        assert to is not None
        ttype = tt or ta
        t = random_thresholds(rng, mh, nt, int(acc.min()) - 1, int(acc.max()) + 1)
        glob += cpp_array("thresholds", ttype.cpp, threshold_table(t, pe))
        out = multithreshold(acc, t, bias)
        tparams += f", {to.cpp}, {nt}, {bias}" + (f", {tt.cpp}" if tt else "")
        call = f"qnn::mvau<{tparams}>(in0, out0, weights, thresholds, {vectors}, {reps});"
    else:
        to = ta
        out = acc
        call = f"qnn::mvau<{tparams}, {ta.cpp}, 0>(in0, out0, weights, {vectors}, {reps});"
    add_case(
        Case(
            name,
            "mvau",
            call,
            [(simd * ti.bits, pack(x.reshape(-1, simd), ti))],
            [(pe * to.bits, pack(wrap(out, to).reshape(-1, pe), to))],
            glob,
        )
    )


# fmt: off
mvau_case("mvau_simd1_pe1_thr", mw=6, mh=4, simd=1, pe=1, ti=U(2), tw=I(3), ta=I(10), to=U(2),
          nt=3)
mvau_case("mvau_folded_noact", mw=12, mh=8, simd=3, pe=2, ti=I(4), tw=I(4), ta=I(12), to=None,
          nt=0, seed=1)
mvau_case("mvau_unfolded_bias", mw=8, mh=6, simd=8, pe=6, ti=U(3), tw=U(2), ta=U(10), to=I(3),
          nt=3, bias=-1, seed=2)
mvau_case("mvau_signed_tt", mw=10, mh=6, simd=5, pe=3, ti=I(3), tw=I(2), ta=I(9), to=U(3), nt=7,
          tt=I(16), vectors=4, reps=1, seed=3)
mvau_case("mvau_xnor_thr", mw=16, mh=4, simd=4, pe=2, ti=BIPOLAR, tw=BIPOLAR, ta=U(6), to=U(1),
          nt=1, seed=4)
mvau_case("mvau_xnor_noact", mw=12, mh=6, simd=6, pe=3, ti=BIPOLAR, tw=BIPOLAR, ta=U(5),
          to=None, nt=0, seed=5)
mvau_case("mvau_bipolar_in_int_w", mw=8, mh=4, simd=2, pe=4, ti=BIPOLAR, tw=I(3), ta=I(8),
          to=None, nt=0, seed=6)
mvau_case("mvau_wide_word", mw=40, mh=2, simd=20, pe=1, ti=U(4), tw=I(4), ta=I(14), to=None,
          nt=0, vectors=2, seed=7)
# edges of the plain-integer C-simulation form (qnn/csim.h): 64-bit sums of 16-bit lanes, lanes
# straddling the 64-bit chunks of 90/96-bit words, and a 64-bit threshold type (too wide for
# the plain form: the synthesis form runs in both builds)
mvau_case("mvau_int64_sums", mw=40, mh=4, simd=4, pe=2, ti=U(16), tw=I(8), ta=I(32), to=None,
          nt=0, seed=8)
mvau_case("mvau_straddling_lanes", mw=60, mh=16, simd=30, pe=8, ti=I(3), tw=U(3), ta=I(12),
          to=None, nt=0, seed=9)
mvau_case("mvau_wide_thresholds", mw=8, mh=4, simd=4, pe=2, ti=U(2), tw=I(2), ta=I(8), to=U(2),
          nt=3, tt=I(64), seed=10)
# fmt: on


def vvau_case(
    name: str,
    *,
    c: int,
    k: int,
    pe: int,
    ti: DType,
    tw: DType,
    ta: DType,
    to: DType | None,
    nt: int,
    bias: int = 0,
    pixels: int = 4,
    reps: int = 2,
    seed: int = 0,
) -> None:
    rng = np.random.default_rng(100 + seed)
    cf = c // pe
    x = ti.random(rng, (reps * pixels, k, c))  # x[pixel][k][c]
    w = tw.random(rng, (c, k))
    acc = np.einsum("nkc,ck->nc", x, w)
    if ti.bipolar and tw.bipolar:  # XNOR mode counts the +1 products
        acc = (k + acc) // 2
    # input order: for cf: for k: PE channels
    xin = x.reshape(reps * pixels, k, cf, pe).transpose(0, 2, 1, 3).reshape(-1, pe)
    wmem = w.reshape(cf, pe, k).transpose(1, 0, 2).reshape(pe, cf * k)
    glob = cpp_array("weights", f"ap_uint<{tw.bits}>", wmem, lambda v: str(tw.encode(v)))
    tparams = f"{c}, {k}, {pe}, {ti.cpp}, {tw.cpp}, {ta.cpp}"
    if nt > 0:
        assert to is not None
        t = random_thresholds(rng, c, nt, int(acc.min()) - 1, int(acc.max()) + 1)
        glob += cpp_array("thresholds", ta.cpp, threshold_table(t, pe))
        out = multithreshold(acc, t, bias)
        call = (
            f"qnn::vvau<{tparams}, {to.cpp}, {nt}, {bias}>(in0, out0, weights, thresholds, "
            f"{pixels}, {reps});"
        )
    else:
        to = ta
        out = acc
        call = f"qnn::vvau<{tparams}, {ta.cpp}, 0>(in0, out0, weights, {pixels}, {reps});"
    add_case(
        Case(
            name,
            "mvau",
            call,
            [(pe * ti.bits, pack(xin, ti))],
            [(pe * to.bits, pack(wrap(out, to).reshape(-1, pe), to))],
            glob,
        )
    )


# fmt: off
vvau_case("vvau_noact", c=6, k=9, pe=3, ti=U(2), tw=I(3), ta=I(10), to=None, nt=0)
vvau_case("vvau_thr", c=4, k=4, pe=2, ti=I(4), tw=I(2), ta=I(9), to=U(2), nt=3, bias=0, seed=1)
vvau_case("vvau_pe1_bias", c=3, k=9, pe=1, ti=U(3), tw=U(2), ta=U(9), to=I(2), nt=2, bias=-1,
          seed=2)
vvau_case("vvau_straddling_lanes", c=48, k=9, pe=24, ti=I(3), tw=I(4), ta=I(12), to=None, nt=0,
          seed=3)
vvau_case("vvau_xnor_thr", c=8, k=9, pe=4, ti=BIPOLAR, tw=BIPOLAR, ta=U(5), to=U(2), nt=3,
          seed=4)
# fmt: on


def windows(h: int, w: int, kh: int, kw: int, sh: int, sw: int, dh: int = 1, dw: int = 1):
    oh = (h - ((kh - 1) * dh + 1)) // sh + 1
    ow = (w - ((kw - 1) * dw + 1)) // sw + 1
    return oh, ow


def swg_case(
    name: str,
    *,
    h: int,
    w: int,
    c: int,
    kh: int,
    kw: int,
    sh: int = 1,
    sw: int = 1,
    dh: int = 1,
    dw: int = 1,
    simd: int = 1,
    t: DType = DEFAULT_T,
    depthwise: bool = False,
    parallel: bool = False,
    reps: int = 2,
    seed: int = 0,
) -> None:
    """An `swg` (or, `parallel`, an `swg_parallel` with SIMD = C) case; the driver also
    checks the kernel's cycle count against `est.WindowSchedule`, for `reps` frames."""
    rng = np.random.default_rng(200 + seed)
    x = t.random(rng, (reps, h, w, c))
    oh, ow = windows(h, w, kh, kw, sh, sw, dh, dw)
    cf = c // simd
    words = []
    for r in range(reps):
        for oy in range(oh):
            for ox in range(ow):
                # patch[ky][kx][cf][simd]
                patch = np.array(
                    [
                        [
                            x[r, oy * sh + ky * dh, ox * sw + kx * dw].reshape(cf, simd)
                            for kx in range(kw)
                        ]
                        for ky in range(kh)
                    ]
                )
                if depthwise:
                    patch = patch.transpose(2, 0, 1, 3)
                words.append(patch.reshape(-1, simd))
    out = np.concatenate(words)
    if parallel:
        assert simd == c and not depthwise
        kernel = f"qnn::swg_parallel<{h}, {w}, {c}, {kh}, {kw}, {sh}, {sw}, {dh}, {dw}, {t.cpp}>"
        out = out.reshape(-1, kh * kw * c)
    else:
        dwflag = "true" if depthwise else "false"
        kernel = (
            f"qnn::swg<{h}, {w}, {c}, {kh}, {kw}, {sh}, {sw}, {dh}, {dw}, {simd}, {t.cpp}, "
            f"{dwflag}>"
        )
    rows = (kh - 1) * dh + 1
    row_cycles = ow if parallel else ow * kh * kw * cf
    schedule = est.WindowSchedule(h, w * cf, rows, sh, oh, row_cycles, rows + sh)
    cycles = schedule.cycles(reps)
    call = (
        f"const unsigned long long n = {kernel}(in0, out0, {reps});\n"
        f"  if (n != {cycles}ULL) {{\n"
        f'    std::fprintf(stderr, "{name}: %llu cycles, the model says {cycles}\\n", n);\n'
        f"    failures++;\n"
        f"  }}"
    )
    words_in = [(simd * t.bits, pack(x.reshape(-1, simd), t))]
    add_case(Case(name, "swg", call, words_in, [(out.shape[1] * t.bits, pack(out, t))]))


# fmt: off
swg_case("swg_square", h=5, w=5, c=2, kh=3, kw=3)
swg_case("swg_nonsquare_simd", h=6, w=7, c=4, kh=2, kw=3, sh=1, sw=2, simd=2, t=I(3), seed=1)
swg_case("swg_stride2", h=7, w=7, c=3, kh=3, kw=3, sh=2, sw=2, simd=3, seed=2)
swg_case("swg_dilation2", h=7, w=6, c=2, kh=2, kw=3, dh=2, dw=2, seed=3)
swg_case("swg_depthwise", h=6, w=5, c=4, kh=3, kw=3, simd=2, depthwise=True, seed=4)
swg_case("swg_k1_stride3", h=7, w=8, c=2, kh=1, kw=1, sh=3, sw=3, seed=5)
swg_case("swg_stride_gt_kernel", h=9, w=9, c=2, kh=2, kw=2, sh=3, sw=3, simd=2, seed=6)
swg_case("swg_read_bound_3frames", h=6, w=9, c=2, kh=2, kw=1, sh=2, sw=3, simd=2, reps=3,
         seed=7)
swg_case("swg_parallel_3x3", h=6, w=5, c=3, kh=3, kw=3, simd=3, parallel=True, reps=3, seed=8)
swg_case("swg_parallel_stride2_dilation", h=9, w=8, c=2, kh=2, kw=3, sh=2, sw=2, dh=2, dw=2,
         simd=2, t=I(3), parallel=True, seed=9)
swg_case("swg_parallel_drain_rows", h=8, w=7, c=1, kh=3, kw=2, sh=2, sw=1, simd=1, t=U(2),
         parallel=True, reps=3, seed=10)
# fmt: on


def fmpad_case(
    name: str,
    *,
    h: int,
    w: int,
    c: int,
    simd: int,
    t: DType,
    pads: tuple[int, int, int, int],
    reps: int = 2,
    seed: int = 0,
) -> None:
    rng = np.random.default_rng(300 + seed)
    x = t.random(rng, (reps, h, w, c))
    pt, pb, pl, pr = pads
    out = np.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)))
    call = (
        f"qnn::fm_padding<{h}, {w}, {c}, {simd}, {t.cpp}, {pt}, {pb}, {pl}, {pr}>(in0, out0, "
        f"{reps});"
    )
    wb = simd * t.bits
    add_case(
        Case(
            name,
            "swg",
            call,
            [(wb, pack(x.reshape(-1, simd), t))],
            [(wb, pack(out.reshape(-1, simd), t))],
        )
    )


# fmt: off
fmpad_case("fmpad_asym", h=4, w=5, c=4, simd=2, t=I(4), pads=(1, 2, 0, 3))
fmpad_case("fmpad_same", h=3, w=3, c=1, simd=1, t=U(3), pads=(1, 1, 1, 1), seed=1)
# fmt: on


def pool_case(
    name: str,
    *,
    kind: str,
    h: int,
    w: int,
    c: int,
    pe: int,
    k: tuple[int, int],
    s: tuple[int, int],
    ti: DType,
    ta: DType | None = None,
    to: DType | None = None,
    shift: int = 0,
    reps: int = 2,
    seed: int = 0,
) -> None:
    rng = np.random.default_rng(400 + seed)
    x = ti.random(rng, (reps, h, w, c))
    kh, kw = k
    sh, sw = s
    oh, ow = windows(h, w, kh, kw, sh, sw)
    win = np.array(
        [
            [x[:, oy * sh : oy * sh + kh, ox * sw : ox * sw + kw, :] for ox in range(ow)]
            for oy in range(oh)
        ]
    )  # (oh, ow, reps, kh, kw, c)
    if kind == "max":
        out = win.max(axis=(3, 4)).transpose(2, 0, 1, 3)
        to = ti
        call = f"qnn::maxpool<{h}, {w}, {c}, {pe}, {kh}, {kw}, {sh}, {sw}, {ti.cpp}>(in0, out0, {reps});"
    else:
        assert ta is not None and to is not None
        out = (win.sum(axis=(3, 4)) >> shift).transpose(2, 0, 1, 3)
        call = (
            f"qnn::pool<{h}, {w}, {c}, {pe}, {kh}, {kw}, {sh}, {sw}, {ti.cpp}, {ta.cpp}, "
            f"{to.cpp}, {shift}>(in0, out0, {reps});"
        )
    add_case(
        Case(
            name,
            "pool",
            call,
            [(pe * ti.bits, pack(x.reshape(-1, pe), ti))],
            [(pe * to.bits, pack(wrap(out, to).reshape(-1, pe), to))],
        )
    )


# fmt: off
pool_case("maxpool_k2s2_signed", kind="max", h=6, w=6, c=4, pe=2, k=(2, 2), s=(2, 2), ti=I(4))
pool_case("maxpool_k3s2_unsigned", kind="max", h=7, w=5, c=4, pe=4, k=(3, 3), s=(2, 2), ti=U(3),
          seed=1)
pool_case("maxpool_k3s1_nonsquare", kind="max", h=5, w=6, c=3, pe=1, k=(3, 2), s=(1, 1),
          ti=I(5), seed=2)
pool_case("avgpool_shift2", kind="sum", h=6, w=6, c=2, pe=1, k=(2, 2), s=(2, 2), ti=U(4),
          ta=U(8), to=U(4), shift=2, seed=3)
pool_case("avgpool_signed_shift3", kind="sum", h=5, w=5, c=4, pe=2, k=(3, 3), s=(1, 1), ti=I(4),
          ta=I(10), to=I(6), shift=3, seed=4)
pool_case("sumpool", kind="sum", h=4, w=6, c=2, pe=2, k=(2, 3), s=(2, 3), ti=I(3), ta=I(7),
          to=I(7), shift=0, seed=5)
# fmt: on


def global_pool_case(
    name: str, *, c: int, pe: int, pixels: int, ti: DType, to: DType, reps: int = 2, seed: int = 0
) -> None:
    rng = np.random.default_rng(500 + seed)
    x = ti.random(rng, (reps, pixels, c))
    out = x.sum(axis=1)
    call = f"qnn::global_acc_pool<{c}, {pe}, {ti.cpp}, {to.cpp}>(in0, out0, {pixels}, {reps});"
    add_case(
        Case(
            name,
            "pool",
            call,
            [(pe * ti.bits, pack(x.reshape(-1, pe), ti))],
            [(pe * to.bits, pack(out.reshape(-1, pe), to))],
        )
    )


# fmt: off
global_pool_case("global_pool", c=6, pe=2, pixels=9, ti=I(4), to=I(9))
global_pool_case("global_pool_pe1", c=3, pe=1, pixels=1, ti=U(3), to=U(4), seed=1)
global_pool_case("global_pool_full_pe", c=4, pe=4, pixels=5, ti=U(2), to=U(5), seed=2)
# fmt: on


def thresholding_case(
    name: str,
    *,
    c: int,
    pe: int,
    nt: int,
    ti: DType,
    tt: DType,
    to: DType,
    bias: int = 0,
    pixels: int = 5,
    reps: int = 2,
    seed: int = 0,
) -> None:
    rng = np.random.default_rng(600 + seed)
    x = ti.random(rng, (reps * pixels, c))
    t = random_thresholds(rng, c, nt, ti.lo - 1, ti.hi + 1)
    out = multithreshold(x, t, bias)
    glob = cpp_array("thresholds", tt.cpp, threshold_table(t, pe))
    call = (
        f"qnn::thresholding<{c}, {pe}, {nt}, {ti.cpp}, {tt.cpp}, {to.cpp}, {bias}>(in0, out0, "
        f"thresholds, {pixels}, {reps});"
    )
    add_case(
        Case(
            name,
            "misc",
            call,
            [(pe * ti.bits, pack(x.reshape(-1, pe), ti))],
            [(pe * to.bits, pack(wrap(out, to).reshape(-1, pe), to))],
            glob,
        )
    )


# fmt: off
thresholding_case("thresholding_pe3", c=6, pe=3, nt=3, ti=I(6), tt=I(7), to=U(2))
thresholding_case("thresholding_bias", c=4, pe=1, nt=7, ti=U(5), tt=I(7), to=I(4), bias=-4,
                  seed=1)
# fmt: on


def add_streams_case(
    name: str,
    *,
    pe: int,
    ta: DType,
    tb: DType,
    to: DType,
    words: int = 7,
    reps: int = 2,
    seed: int = 0,
) -> None:
    rng = np.random.default_rng(700 + seed)
    a = ta.random(rng, (reps * words, pe))
    b = tb.random(rng, (reps * words, pe))
    call = f"qnn::add_streams<{pe}, {ta.cpp}, {tb.cpp}, {to.cpp}>(in0, in1, out0, {words}, {reps});"
    add_case(
        Case(
            name,
            "misc",
            call,
            [(pe * ta.bits, pack(a, ta)), (pe * tb.bits, pack(b, tb))],
            [(pe * to.bits, pack(wrap(a + b, to), to))],
        )
    )


# fmt: off
add_streams_case("add_mixed", pe=3, ta=I(4), tb=U(3), to=I(6))
add_streams_case("add_wrap", pe=2, ta=U(4), tb=U(4), to=U(4), seed=1)
# fmt: on


def duplicate_case(name: str, *, n: int, pe: int, t: DType, words: int = 6, reps: int = 2) -> None:
    rng = np.random.default_rng(800 + n)
    x = pack(t.random(rng, (reps * words, pe)), t)
    wb = pe * t.bits
    outs = ", ".join(f"out{i}" for i in range(n))
    call = f"qnn::duplicate_streams<{pe}, {t.cpp}>(in0, {outs}, {words}, {reps});"
    add_case(Case(name, "misc", call, [(wb, x)], [(wb, x)] * n))


# fmt: off
duplicate_case("duplicate2", n=2, pe=2, t=I(3))
duplicate_case("duplicate3", n=3, pe=1, t=U(5))
# fmt: on


def channelwise_case(
    name: str,
    *,
    op: str,
    c: int,
    pe: int,
    ti: DType,
    tp: DType,
    to: DType,
    pixels: int = 4,
    reps: int = 2,
    seed: int = 0,
) -> None:
    rng = np.random.default_rng(900 + seed)
    x = ti.random(rng, (reps * pixels, c))
    prm = tp.random(rng, c)
    out = x + prm if op == "add" else x * prm
    functor = "qnn::ChannelwiseAdd" if op == "add" else "qnn::ChannelwiseMul"
    glob = cpp_array("params", tp.cpp, prm.reshape(c // pe, pe).T)
    call = (
        f"qnn::channelwise<{c}, {pe}, {ti.cpp}, {tp.cpp}, {to.cpp}, {functor}>(in0, out0, params, "
        f"{pixels}, {reps});"
    )
    add_case(
        Case(
            name,
            "misc",
            call,
            [(pe * ti.bits, pack(x.reshape(-1, pe), ti))],
            [(pe * to.bits, pack(wrap(out, to).reshape(-1, pe), to))],
            glob,
        )
    )


# fmt: off
channelwise_case("channelwise_add", op="add", c=6, pe=2, ti=I(4), tp=I(5), to=I(6))
channelwise_case("channelwise_mul", op="mul", c=4, pe=4, ti=U(3), tp=I(4), to=I(8), seed=1)
# fmt: on


def label_select_case(
    name: str, *, n: int, pe: int, k: int, ti: DType, to: DType, reps: int = 3, seed: int = 0
) -> None:
    rng = np.random.default_rng(1000 + seed)
    x = ti.random(rng, (reps, n))
    # stable sort on -x: descending value, lower index first among equals
    top = np.argsort(-x, axis=1, kind="stable")[:, :k]
    call = f"qnn::label_select<{n}, {pe}, {k}, {ti.cpp}, {to.cpp}>(in0, out0, {reps});"
    add_case(
        Case(
            name,
            "misc",
            call,
            [(pe * ti.bits, pack(x.reshape(-1, pe), ti))],
            [(to.bits, pack(top.reshape(-1, 1), to))],
        )
    )


# fmt: off
label_select_case("label_select_ties", n=12, pe=3, k=4, ti=I(3), to=U(4))
label_select_case("label_select_full_sort", n=10, pe=1, k=10, ti=U(2), to=U(8), seed=1)
label_select_case("label_select_top1", n=8, pe=8, k=1, ti=I(2), to=U(3), seed=2)
# fmt: on


def dwc_case(name: str, *, in_w: int, out_w: int, num_in: int, reps: int = 2, seed: int = 0):
    rng = np.random.default_rng(1100 + seed)
    words = [
        int.from_bytes(rng.bytes((in_w + 7) // 8), "little") & ((1 << in_w) - 1)
        for _ in range(reps * num_in)
    ]
    out: list[int] = []
    for r in range(reps):
        bits = 0
        for i, wd in enumerate(words[r * num_in : (r + 1) * num_in]):
            bits |= wd << (i * in_w)
        total = num_in * in_w
        out += [(bits >> (j * out_w)) & ((1 << out_w) - 1) for j in range(total // out_w)]
    call = f"qnn::dwc<{in_w}, {out_w}, {num_in}>(in0, out0, {reps});"
    add_case(Case(name, "misc", call, [(in_w, words)], [(out_w, out)]))


# fmt: off
dwc_case("dwc_split", in_w=8, out_w=2, num_in=6)
dwc_case("dwc_equal", in_w=6, out_w=6, num_in=3, seed=1)
dwc_case("dwc_gather", in_w=2, out_w=8, num_in=8, seed=2)
dwc_case("dwc_general_down", in_w=6, out_w=4, num_in=4, seed=3)
dwc_case("dwc_general_up", in_w=4, out_w=6, num_in=6, seed=4)
dwc_case("dwc_general_wide", in_w=96, out_w=64, num_in=2, seed=5)
dwc_case("dwc_split_wide", in_w=128, out_w=32, num_in=3, seed=6)
# fmt: on


# ----------------------------------------------------------------------------------------------
# build, run, compare
# ----------------------------------------------------------------------------------------------


SYNTHESIS_FORM = ("-DQNN_CSIM_FAST=0",)
"""Compiles mvau/vvau with their synthesis bodies instead of the plain C-simulation forms."""
Outputs = dict[str, list[list[int]]]


def _build_and_run(
    group: str, cases: list[Case], workdir: Path, flags: Sequence[str] = ()
) -> Outputs:
    """Every case's output words (per output stream), from one driver built with `flags`."""
    tag = f"{group}{'_synthesis' if flags else ''}"
    src = workdir / f"drv_{tag}.cpp"
    src.write_text(driver_source(cases))
    exe = toolchain.compile_cpp([src], workdir / f"drv_{tag}", extra_flags=flags)
    data = workdir / tag
    data.mkdir()
    for c in cases:
        for i, (_, words) in enumerate(c.inputs):
            (data / f"{c.name}.in{i}").write_text("".join(f"{w:x}\n" for w in words))
    proc = subprocess.run([str(exe), str(data)], capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        raise AssertionError(f"driver {tag} failed ({proc.returncode}):\n{proc.stderr}")
    return {
        c.name: [
            [int(t, 16) for t in (data / f"{c.name}.out{i}").read_text().split()]
            for i in range(len(c.expected))
        ]
        for c in cases
    }


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Outputs]:
    """Outputs of every case as built for C simulation ("csim") and, for the mvau/vvau cases,
    with their synthesis bodies ("synthesis")."""
    try:
        toolchain.find_ap_types_dir()
        toolchain.find_cxx()
    except toolchain.ToolchainError as exc:
        pytest.skip(f"HLS C simulation unavailable: {exc}")
    workdir = tmp_path_factory.mktemp("hls_lib")
    groups: dict[str, list[Case]] = {}
    for c in CASES:
        groups.setdefault(c.group, []).append(c)
    builds: list[tuple[str, str, list[Case], tuple[str, ...]]] = [
        ("csim", g, cs, ()) for g, cs in groups.items()
    ]
    builds.append(("synthesis", "mvau", groups["mvau"], SYNTHESIS_FORM))
    outputs: dict[str, Outputs] = {"csim": {}, "synthesis": {}}
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [
            (form, pool.submit(_build_and_run, group, cases, workdir, flags))
            for form, group, cases, flags in builds
        ]
        for form, future in futures:
            outputs[form].update(future.result())
    return outputs


def _check(case: Case, outputs: list[list[int]]) -> None:
    name = case.name
    assert len(outputs) == len(case.expected)
    for i, ((_, want), got) in enumerate(zip(case.expected, outputs, strict=True)):
        assert len(got) == len(want), f"{name} out{i}: {len(got)} words, expected {len(want)}"
        bad = [j for j, (g, w) in enumerate(zip(got, want, strict=True)) if g != w]
        assert not bad, (
            f"{name} out{i}: {len(bad)} mismatching words, first at {bad[0]}: "
            f"got {got[bad[0]]:#x}, expected {want[bad[0]]:#x}"
        )


CASE_BY_NAME = {c.name: c for c in CASES}


@pytest.mark.parametrize("name", [c.name for c in CASES])
def test_kernel(results: dict[str, Outputs], name: str) -> None:
    _check(CASE_BY_NAME[name], results["csim"][name])


@pytest.mark.parametrize("name", [c.name for c in CASES if c.group == "mvau"])
def test_kernel_synthesis_form(results: dict[str, Outputs], name: str) -> None:
    """The synthesis bodies of mvau/vvau compiled with g++ give the same words as the plain
    C-simulation forms (both equal the numpy reference)."""
    _check(CASE_BY_NAME[name], results["synthesis"][name])


def test_find_ap_types_dir() -> None:
    try:
        d = toolchain.find_ap_types_dir()
    except toolchain.ToolchainError as exc:
        pytest.skip(str(exc))
    assert (d / "ap_int.h").is_file()
    assert (d / "hls_stream.h").is_file()


def test_compile_error_is_reported(tmp_path: Path) -> None:
    try:
        toolchain.find_ap_types_dir()
        toolchain.find_cxx()
    except toolchain.ToolchainError as exc:
        pytest.skip(str(exc))
    src = tmp_path / "bad.cpp"
    src.write_text("#include <qnn/qnn.h>\nint main() { return undefined_symbol; }\n")
    with pytest.raises(toolchain.CompileError, match="undefined_symbol"):
        toolchain.compile_cpp([src], tmp_path / "bad")
