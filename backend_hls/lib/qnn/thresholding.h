// qnn HLS template library -- standalone multi-threshold activation.
#ifndef QNN_THRESHOLDING_H
#define QNN_THRESHOLDING_H

#include "common.h"

namespace qnn {

/// One channel's multi-threshold activation as a map_channels operation.
template <unsigned NT, int OUT_BIAS>
struct ThresholdOp {
  template <typename V, typename TT>
  static ap_int<33> apply(const V &x, const TT (&thresholds)[NT]) {
    return apply_thresholds<NT, OUT_BIAS>(x, thresholds);
  }
};

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
  static_assert(NT > 0, "at least one threshold per channel");
  QNN_PRAGMA(HLS ARRAY_PARTITION variable=thresholds complete dim=1)
  QNN_PRAGMA(HLS ARRAY_PARTITION variable=thresholds complete dim=3)
  map_channels<C, PE, TI, TO, ThresholdOp<NT, OUT_BIAS>, TT[NT]>(in, out, thresholds, num_pixels,
                                                                  reps);
}

}  // namespace qnn

#endif  // QNN_THRESHOLDING_H
