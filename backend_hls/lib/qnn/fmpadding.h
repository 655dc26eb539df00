// qnn HLS template library -- feature-map padding.
#ifndef QNN_FMPADDING_H
#define QNN_FMPADDING_H

#include "common.h"

namespace qnn {

/// Zero padding of an NHWC feature map.
/// in : IFM_H x IFM_W pixels, each C/SIMD words of SIMD lanes of T.
/// out: (PAD_T + IFM_H + PAD_B) x (PAD_L + IFM_W + PAD_R) pixels, same word layout; padded
///      pixels are all-zero words (value 0 for ap_int/ap_uint lanes; for Bipolar lanes the zero
///      bit pattern means -1). One output word per cycle.
template <unsigned IFM_H, unsigned IFM_W, unsigned C, unsigned SIMD, typename T, unsigned PAD_T,
          unsigned PAD_B, unsigned PAD_L, unsigned PAD_R>
void fm_padding(hls::stream<word_t<T, SIMD> > &in, hls::stream<word_t<T, SIMD> > &out,
                unsigned reps) {
  static_assert(C % SIMD == 0, "SIMD must divide C");
  const unsigned CF = C / SIMD;
  const unsigned OH = PAD_T + IFM_H + PAD_B;
  const unsigned OW = PAD_L + IFM_W + PAD_R;
  for (unsigned rep = 0; rep < reps; rep++) {
    unsigned y = 0, x = 0, cf = 0;
    for (unsigned i = 0; i < OH * OW * CF; i++) {
      QNN_PRAGMA(HLS PIPELINE II=1)
      const bool inside = (y >= PAD_T) && (y < PAD_T + IFM_H) && (x >= PAD_L) &&
                          (x < PAD_L + IFM_W);
      word_t<T, SIMD> w = 0;
      if (inside) w = in.read();
      out.write(w);
      if (cf == CF - 1) {
        cf = 0;
        if (x == OW - 1) {
          x = 0;
          y++;
        } else {
          x++;
        }
      } else {
        cf++;
      }
    }
  }
}

}  // namespace qnn

#endif  // QNN_FMPADDING_H
