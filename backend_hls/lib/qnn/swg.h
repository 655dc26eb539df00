// qnn HLS template library -- sliding-window generator (im2col) and the line-buffered window
// engine shared with the pooling kernels.
#ifndef QNN_SWG_H
#define QNN_SWG_H

#include "common.h"

namespace qnn {

namespace detail {

/// Reducer that forwards every window word unchanged (plain sliding-window generation).
template <typename Word>
struct ForwardReducer {
  static const bool REDUCE = false;
  typedef Word out_t;
  struct state_t {};
  static void visit(state_t &, const Word &, bool) {}
  static out_t result(const state_t &, const Word &w) { return w; }
};

/// Line-buffered window engine.
///
/// Input: per frame IFM_H x IFM_W pixels row-major, each pixel CF words (channel folds).
/// For each output pixel (oy, ox) row-major it visits the window words in the order
///   standard  (DEPTHWISE = false): ky, kx, cf   (cf fastest)
///   depthwise (DEPTHWISE = true) : cf, ky, kx   (kx fastest)
/// where the word visited is input[oy*SH + ky*DH][ox*SW + kx*DW] fold cf (valid windows only).
/// Red::REDUCE = false: every visited word is written to `out`. Red::REDUCE = true (requires
/// DEPTHWISE order): the words of one (pixel, cf) window are folded with Red::visit (first flag
/// on the first kernel position) and Red::result is written once per (pixel, cf).
///
/// Buffering: a circular buffer of R = (KH-1)*DH+1 input rows. For each output row the missing
/// input rows are read first (II=1), then the output row is produced from the buffer (II=1);
/// rows not needed by any window are read and overwritten. Reading and writing do not overlap,
/// so a frame takes about IFM_H*IFM_W*CF + OH*OW*KH*KW*CF cycles.
template <unsigned IFM_H, unsigned IFM_W, unsigned CF, unsigned KH, unsigned KW, unsigned SH,
          unsigned SW, unsigned DH, unsigned DW, bool DEPTHWISE, typename Word, typename Red>
void window_engine(hls::stream<Word> &in, hls::stream<typename Red::out_t> &out, unsigned reps) {
  const unsigned R = (KH - 1) * DH + 1;  // rows spanned by one window
  const unsigned CW = (KW - 1) * DW + 1;  // columns spanned by one window
  static_assert(R <= IFM_H && CW <= IFM_W, "window larger than the input");
  static_assert(KH >= 1 && KW >= 1 && SH >= 1 && SW >= 1 && DH >= 1 && DW >= 1,
                "kernel, stride and dilation must be positive");
  static_assert(DEPTHWISE || !Red::REDUCE, "reductions need the depthwise visiting order");
  const unsigned OH = (IFM_H - R) / SH + 1;
  const unsigned OW = (IFM_W - CW) / SW + 1;
  const unsigned ROW_WORDS = IFM_W * CF;
  const unsigned K = KH * KW;

  Word buf[R][ROW_WORDS];
  typename Red::state_t st;

  for (unsigned rep = 0; rep < reps; rep++) {
    unsigned next_row = 0;  // number of input rows read so far in this frame
    unsigned wslot = 0;     // buffer slot of input row next_row (= next_row % R)
    for (unsigned oy = 0; oy < OH; oy++) {
      // 1) read input rows up to oy*SH + R - 1
      const unsigned nread = (oy * SH + R - next_row) * ROW_WORDS;
      unsigned col = 0;
      for (unsigned i = 0; i < nread; i++) {
        QNN_PRAGMA(HLS PIPELINE II=1)
        buf[wslot][col] = in.read();
        if (col == ROW_WORDS - 1) {
          col = 0;
          wslot = (wslot == R - 1) ? 0 : wslot + 1;
        } else {
          col++;
        }
      }
      next_row = oy * SH + R;
      const unsigned base = wslot;  // slot of input row oy*SH

      // 2) produce the windows of output row oy
      unsigned ox = 0, ky = 0, kx = 0, cf = 0;
      for (unsigned i = 0; i < OW * K * CF; i++) {
        QNN_PRAGMA(HLS PIPELINE II=1)
        unsigned slot = base + ky * DH;
        if (slot >= R) slot -= R;
        const Word w = buf[slot][(ox * SW + kx * DW) * CF + cf];
        const bool first = (ky == 0) && (kx == 0);
        const bool last = (ky == KH - 1) && (kx == KW - 1);
        if (Red::REDUCE) {
          Red::visit(st, w, first);
          if (last) out.write(Red::result(st, w));
        } else {
          out.write(Red::result(st, w));
        }
        // advance the visiting counters
        if (DEPTHWISE) {  // ox, cf, ky, kx
          if (kx == KW - 1) {
            kx = 0;
            if (ky == KH - 1) {
              ky = 0;
              if (cf == CF - 1) {
                cf = 0;
                ox++;
              } else {
                cf++;
              }
            } else {
              ky++;
            }
          } else {
            kx++;
          }
        } else {  // ox, ky, kx, cf
          if (cf == CF - 1) {
            cf = 0;
            if (kx == KW - 1) {
              kx = 0;
              if (ky == KH - 1) {
                ky = 0;
                ox++;
              } else {
                ky++;
              }
            } else {
              kx++;
            }
          } else {
            cf++;
          }
        }
      }
    }
    // 3) drain input rows below the last window
    for (unsigned i = 0; i < (IFM_H - next_row) * ROW_WORDS; i++) {
      QNN_PRAGMA(HLS PIPELINE II=1)
      in.read();
    }
  }
}

}  // namespace detail

/// Sliding-window generator (im2col), valid padding (pad with fm_padding first).
/// Input : per frame IFM_H x IFM_W pixels, NHWC, each pixel C/SIMD words of SIMD lanes of T.
/// Output: OH = (IFM_H - ((KH-1)*DH+1))/SH + 1 rows, OW = (IFM_W - ((KW-1)*DW+1))/SW + 1 cols;
///   for each output pixel (oy, ox) row-major:
///     DEPTHWISE = false: for (ky, kx) row-major: for cf < C/SIMD: one word
///                        (im2col column index (ky*KW + kx)*C + c, the order mvau consumes)
///     DEPTHWISE = true : for cf < C/SIMD: for (ky, kx) row-major: one word
///                        (the order vvau consumes, with SIMD = its PE)
///   where the word is x[oy*SH + ky*DH][ox*SW + kx*DW][cf*SIMD .. cf*SIMD+SIMD-1].
/// Buffers (KH-1)*DH+1 input rows; see detail::window_engine for timing.
template <unsigned IFM_H, unsigned IFM_W, unsigned C, unsigned KH, unsigned KW, unsigned SH,
          unsigned SW, unsigned DH, unsigned DW, unsigned SIMD, typename T, bool DEPTHWISE = false>
void swg(hls::stream<word_t<T, SIMD> > &in, hls::stream<word_t<T, SIMD> > &out, unsigned reps) {
  static_assert(C % SIMD == 0, "SIMD must divide C");
  detail::window_engine<IFM_H, IFM_W, C / SIMD, KH, KW, SH, SW, DH, DW, DEPTHWISE,
                        word_t<T, SIMD>, detail::ForwardReducer<word_t<T, SIMD> > >(in, out,
                                                                                    reps);
}

}  // namespace qnn

#endif  // QNN_SWG_H
