// qnn HLS template library -- standalone multi-threshold activation.
#ifndef QNN_THRESHOLDING_H
#define QNN_THRESHOLDING_H

#include "common.h"

namespace qnn {

/// Multi-threshold activation (QONNX MultiThreshold with integer out_scale 1):
///   out[c] = sum_{i<NT} [x[c] >= T[c][i]] + OUT_BIAS, converted to TO.
/// in/out: per frame num_pixels pixels, each C/PE words of PE lanes (TI in, TO out); word n
///         holds channels n*PE .. n*PE+PE-1.
/// thresholds[p][n][i] = T[n*PE+p][i] (ascending in i), values of type TT.
/// One word per cycle.
template <unsigned C, unsigned PE, unsigned NT, typename TI, typename TT, typename TO,
          int OUT_BIAS = 0>
void thresholding(hls::stream<word_t<TI, PE> > &in, hls::stream<word_t<TO, PE> > &out,
                  const TT thresholds[PE][C / PE][NT], unsigned num_pixels, unsigned reps) {
  static_assert(C % PE == 0, "PE must divide C");
  static_assert(NT > 0, "at least one threshold per channel");
  QNN_PRAGMA(HLS ARRAY_PARTITION variable=thresholds complete dim=1)
  QNN_PRAGMA(HLS ARRAY_PARTITION variable=thresholds complete dim=3)
  const unsigned CF = C / PE;
  unsigned cf = 0;
  const unsigned long long total = (unsigned long long)reps * num_pixels * CF;
  for (unsigned long long i = 0; i < total; i++) {
    QNN_PRAGMA(HLS PIPELINE II=1)
    const word_t<TI, PE> x = in.read();
    word_t<TO, PE> o = 0;
    for (unsigned p = 0; p < PE; p++) {
      QNN_PRAGMA(HLS UNROLL)
      set_lane<TO>(o, p, apply_thresholds<NT, OUT_BIAS>(get_lane<TI>(x, p), thresholds[p][cf]));
    }
    out.write(o);
    cf = (cf == CF - 1) ? 0 : cf + 1;
  }
}

}  // namespace qnn

#endif  // QNN_THRESHOLDING_H
