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

/// The shared line buffer of a window engine: B slots of one input row (ROW_WORDS words)
/// each, a reader storing the input rows of every frame in order into consecutive slots and
/// a writer producing the OH output rows of each frame from them.
///
/// Row credits (both checked at the start of a cycle, both may act in the same cycle):
///  * the reader may start an input row when fewer than B rows are stored and not yet
///    released (`may_read`); it then reads one word per cycle to the end of the row;
///  * the writer may start output row oy when the R = (KH-1)*DH+1 input rows from oy*SH on
///    are complete (`may_start_row`); finishing it releases the SH rows below the next
///    output row, or after the frame's last output row the rest of the frame (rows below
///    the last window included, which the reader may not even have read yet).
/// With B = R the two alternate (read the rows an output row needs, then write it); with
/// B = R + SH the reader fills the next output row's rows while the current one is written
/// and the next frame's first rows while the last ones are. The cycle count of this
/// schedule is `qdialects.dataflow.estimates.WindowSchedule`, row for row.
template <unsigned IFM_H, unsigned ROW_WORDS, unsigned R, unsigned SH, unsigned OH,
          unsigned OW, unsigned B>
struct LineCredits {
  unsigned long long reads;  // input words still to read
  int held;                  // rows the reader started that the writer has not released
  unsigned col;              // the reader's next word in its row
  unsigned wslot;            // the slot the reader fills
  unsigned base;             // the slot of input row oy*SH of the writer's output row
  unsigned oy;               // the writer's output row in its frame
  unsigned ox;               // the writer's output pixel in its row

  explicit LineCredits(unsigned reps)
      : reads((unsigned long long)reps * IFM_H * ROW_WORDS), held(0), col(0), wslot(0), base(0),
        oy(0), ox(0) {}

  bool may_read() const { return reads != 0 && (col != 0 || held < (int)B); }
  bool may_start_row() const { return held - (col != 0 ? 1 : 0) >= (int)R; }
  /// The slot of input row oy*SH + rows (rows < B).
  unsigned slot(unsigned rows) const {
    const unsigned s = base + rows;
    return s >= B ? s - B : s;
  }
  /// Read one input word into its slot.
  template <typename Word>
  void read(hls::stream<Word> &in, Word buf[B][ROW_WORDS]) {
    buf[wslot][col] = in.read();
    reads--;
    if (col == 0) held++;
    if (col == ROW_WORDS - 1) {
      col = 0;
      wslot = (wslot == B - 1) ? 0 : wslot + 1;
    } else {
      col++;
    }
  }
  /// Book the end of the writer's output pixel; true at the end of its output row.
  bool pixel_written() {
    if (ox != OW - 1) {
      ox++;
      return false;
    }
    ox = 0;
    row_written();
    return true;
  }
  /// Book the end of the writer's output row: release its rows.
  void row_written() {
    const bool last = oy == OH - 1;
    held -= last ? (int)(IFM_H - (OH - 1) * SH) : (int)SH;
    const unsigned step = last ? (IFM_H - (OH - 1) * SH) % B : SH % B;  // constants
    base = (base + step >= B) ? base + step - B : base + step;
    oy = (oy == OH - 1) ? 0 : oy + 1;
  }
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
/// Buffering and timing: a line buffer of B >= (KH-1)*DH+1 rows run by `LineCredits`; one
/// loop iteration per cycle (II=1) in which the reader may read a word and the writer may
/// visit one. Returns the number of iterations (cycles) for the `reps` frames.
template <unsigned IFM_H, unsigned IFM_W, unsigned CF, unsigned KH, unsigned KW, unsigned SH,
          unsigned SW, unsigned DH, unsigned DW, unsigned B, bool DEPTHWISE, typename Word,
          typename Red>
unsigned long long window_engine(hls::stream<Word> &in, hls::stream<typename Red::out_t> &out,
                                 unsigned reps) {
  const unsigned R = (KH - 1) * DH + 1;  // rows spanned by one window
  const unsigned CW = (KW - 1) * DW + 1;  // columns spanned by one window
  static_assert(R <= IFM_H && CW <= IFM_W, "window larger than the input");
  static_assert(KH >= 1 && KW >= 1 && SH >= 1 && SW >= 1 && DH >= 1 && DW >= 1,
                "kernel, stride and dilation must be positive");
  static_assert(B >= R, "the line buffer must hold a window's rows");
  static_assert(DEPTHWISE || !Red::REDUCE, "reductions need the depthwise visiting order");
  const unsigned OH = (IFM_H - R) / SH + 1;
  const unsigned OW = (IFM_W - CW) / SW + 1;
  const unsigned ROW_WORDS = IFM_W * CF;

  Word buf[B][ROW_WORDS];
  QNN_PRAGMA(HLS DEPENDENCE variable=buf inter false)
  typename Red::state_t st;
  LineCredits<IFM_H, ROW_WORDS, R, SH, OH, OW, B> lc(reps);

  unsigned long long visits = (unsigned long long)reps * OH * OW * KH * KW * CF;
  unsigned long long cycles = 0;
  bool busy = false;  // the writer is inside an output row
  unsigned ky = 0, kx = 0, cf = 0;
  while (lc.reads != 0 || visits != 0) {
    QNN_PRAGMA(HLS PIPELINE II=1)
    const bool read = lc.may_read();
    const bool visit = visits != 0 && (busy || lc.may_start_row());
    if (visit) {
      const Word w = buf[lc.slot(ky * DH)][(lc.ox * SW + kx * DW) * CF + cf];
      const bool first = (ky == 0) && (kx == 0);
      const bool last = (ky == KH - 1) && (kx == KW - 1);
      if (Red::REDUCE) {
        Red::visit(st, w, first);
        if (last) out.write(Red::result(st, w));
      } else {
        out.write(Red::result(st, w));
      }
      visits--;
      busy = true;
      // advance the visiting counters, innermost digit first: depthwise ox, cf, ky, kx;
      // standard ox, ky, kx, cf
      const bool pixel_done =
          DEPTHWISE ? step_wraps<KW>(kx) && step_wraps<KH>(ky) && step_wraps<CF>(cf)
                    : step_wraps<CF>(cf) && step_wraps<KW>(kx) && step_wraps<KH>(ky);
      if (pixel_done && lc.pixel_written()) busy = false;
    }
    if (read) lc.read(in, buf);
    cycles++;
  }
  return cycles;
}

/// The engine's writer for a whole window per word (`swg` with PARALLEL = true, CF = 1): the
/// schedule of `window_engine` with one output word (KH*KW input words, standard order) per
/// output pixel and cycle. Returns the number of cycles.
template <unsigned IFM_H, unsigned IFM_W, unsigned KH, unsigned KW, unsigned SH, unsigned SW,
          unsigned DH, unsigned DW, unsigned B, unsigned WB>
unsigned long long parallel_window_engine(hls::stream<ap_uint<WB> > &in,
                                          hls::stream<ap_uint<WB * KH * KW> > &out,
                                          unsigned reps) {
  const unsigned R = (KH - 1) * DH + 1;
  const unsigned CW = (KW - 1) * DW + 1;
  static_assert(R <= IFM_H && CW <= IFM_W, "window larger than the input");
  static_assert(B >= R, "the line buffer must hold a window's rows");
  const unsigned OH = (IFM_H - R) / SH + 1;
  const unsigned OW = (IFM_W - CW) / SW + 1;

  ap_uint<WB> buf[B][IFM_W];
  QNN_PRAGMA(HLS ARRAY_PARTITION variable=buf complete dim=1)
  QNN_PRAGMA(HLS ARRAY_PARTITION variable=buf cyclic factor=CW dim=2)
  QNN_PRAGMA(HLS DEPENDENCE variable=buf inter false)
  LineCredits<IFM_H, IFM_W, R, SH, OH, OW, B> lc(reps);

  unsigned long long pixels = (unsigned long long)reps * OH * OW;
  unsigned long long cycles = 0;
  while (lc.reads != 0 || pixels != 0) {
    QNN_PRAGMA(HLS PIPELINE II=1)
    const bool read = lc.may_read();
    const bool write = pixels != 0 && (lc.ox != 0 || lc.may_start_row());
    if (write) {
      ap_uint<WB * KH * KW> word;
      for (unsigned ky = 0; ky < KH; ky++) {
        QNN_PRAGMA(HLS UNROLL)
        for (unsigned kx = 0; kx < KW; kx++) {
          QNN_PRAGMA(HLS UNROLL)
          const unsigned k = ky * KW + kx;
          word.range((k + 1) * WB - 1, k * WB) = buf[lc.slot(ky * DH)][lc.ox * SW + kx * DW];
        }
      }
      out.write(word);
      pixels--;
      lc.pixel_written();
    }
    if (read) lc.read(in, buf);
    cycles++;
  }
  return cycles;
}

}  // namespace detail

/// Rows of the line buffer of `swg`: the window's rows plus a stride, so the reader fills
/// the next output row's rows while the current one is written.
template <unsigned KH, unsigned SH, unsigned DH>
struct swg_buffer_rows {
  static const unsigned value = (KH - 1) * DH + 1 + SH;
};

/// Sliding-window generator (im2col), valid padding (pad with fm_padding first).
/// Input : per frame IFM_H x IFM_W pixels, NHWC, each pixel C/SIMD words of SIMD lanes of T.
/// Output: OH = (IFM_H - ((KH-1)*DH+1))/SH + 1 rows, OW = (IFM_W - ((KW-1)*DW+1))/SW + 1 cols;
///   for each output pixel (oy, ox) row-major:
///     DEPTHWISE = false: for (ky, kx) row-major: for cf < C/SIMD: one word
///                        (im2col column index (ky*KW + kx)*C + c, the order mvau consumes)
///     DEPTHWISE = true : for cf < C/SIMD: for (ky, kx) row-major: one word
///                        (the order vvau consumes, with SIMD = its PE)
///   where the word is x[oy*SH + ky*DH][ox*SW + kx*DW][cf*SIMD .. cf*SIMD+SIMD-1].
/// Buffers (KH-1)*DH+1+SH input rows and reads while it writes (detail::LineCredits):
/// per output row max(its OW*KH*KW*C/SIMD output words, the SH*IFM_W*C/SIMD input words of
/// the next) cycles. Returns the cycles taken (detail::window_engine).
template <unsigned IFM_H, unsigned IFM_W, unsigned C, unsigned KH, unsigned KW, unsigned SH,
          unsigned SW, unsigned DH, unsigned DW, unsigned SIMD, typename T, bool DEPTHWISE = false>
unsigned long long swg(hls::stream<word_t<T, SIMD> > &in, hls::stream<word_t<T, SIMD> > &out,
                       unsigned reps) {
  static_assert(C % SIMD == 0, "SIMD must divide C");
  return detail::window_engine<IFM_H, IFM_W, C / SIMD, KH, KW, SH, SW, DH, DW,
                               swg_buffer_rows<KH, SH, DH>::value, DEPTHWISE, word_t<T, SIMD>,
                               detail::ForwardReducer<word_t<T, SIMD> > >(in, out, reps);
}

/// Sliding-window generator with a whole window per word (FINN's parallel window): the
/// output of `swg<..., SIMD = C>` (standard order), KH*KW of its words concatenated into one
/// word of KH*KW*C lanes per output pixel (lane (ky*KW + kx)*C + c, i.e. the im2col row
/// of the pixel, the word an mvau with SIMD = MW reads). Same line buffer and credits as
/// `swg`: per output row max(OW, SH*IFM_W) cycles. Returns the cycles taken.
template <unsigned IFM_H, unsigned IFM_W, unsigned C, unsigned KH, unsigned KW, unsigned SH,
          unsigned SW, unsigned DH, unsigned DW, typename T>
unsigned long long swg_parallel(hls::stream<word_t<T, C> > &in,
                                hls::stream<word_t<T, KH * KW * C> > &out, unsigned reps) {
  return detail::parallel_window_engine<IFM_H, IFM_W, KH, KW, SH, SW, DH, DW,
                                        swg_buffer_rows<KH, SH, DH>::value,
                                        elem_traits<T>::width * C>(in, out, reps);
}

}  // namespace qnn

#endif  // QNN_SWG_H
