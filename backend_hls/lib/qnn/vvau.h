// qnn HLS template library -- vector-vector-activation unit (VVAU, depthwise convolution).
#ifndef QNN_VVAU_H
#define QNN_VVAU_H

#include "common.h"
#include "mvau.h"
#if QNN_CSIM_FAST
#include "csim.h"
#endif

namespace qnn {

namespace detail {

template <unsigned C, unsigned K, unsigned PE, typename TI, typename TW, typename TA, typename TO,
          unsigned NT, int OUT_BIAS, typename TT, unsigned CFT, unsigned NTD>
void vvau_engine(hls::stream<word_t<TI, PE> > &in, hls::stream<word_t<TO, PE> > &out,
                 const ap_uint<elem_traits<TW>::width> weights[PE][(C / PE) * K],
                 const TT thresholds[PE][CFT][NTD], unsigned num_pixels, unsigned reps) {
  static_assert(C % PE == 0, "PE must divide C");
  const unsigned CF = C / PE;
  TA acc[PE];
  QNN_PRAGMA(HLS ARRAY_PARTITION variable=acc complete dim=1)

  unsigned k = 0;
  unsigned cf = 0;
  const unsigned long long total =
      (unsigned long long)reps * num_pixels * (unsigned long long)(CF * K);
  for (unsigned long long it = 0; it < total; it++) {
    QNN_PRAGMA(HLS PIPELINE II=1)
    const word_t<TI, PE> x = in.read();
    const unsigned widx = cf * K + k;
    for (unsigned p = 0; p < PE; p++) {
      QNN_PRAGMA(HLS UNROLL)
      TA sum = (k == 0) ? TA(0) : acc[p];
      mac_op<TI, TW>::mac(sum, lane_bits<TI>(x, p), weights[p][widx]);
      acc[p] = sum;
    }
    if (k == K - 1) {
      out.write(activation_word<TO, PE, NT, OUT_BIAS>(acc, thresholds, cf));
      k = 0;
      cf = (cf == CF - 1) ? 0 : cf + 1;
    } else {
      k++;
    }
  }
}

/// The VVAU that runs: vvau_engine, or in C simulation (QNN_CSIM_FAST) where it is exact its
/// plain-integer form csim::vvau_plain (only the one that runs is instantiated).
template <bool PLAIN>
struct vvau_form {
  template <unsigned C, unsigned K, unsigned PE, typename TI, typename TW, typename TA,
            typename TO, unsigned NT, int OUT_BIAS, typename TT, unsigned CFT, unsigned NTD>
  static void run(hls::stream<word_t<TI, PE> > &in, hls::stream<word_t<TO, PE> > &out,
                  const ap_uint<elem_traits<TW>::width> weights[PE][(C / PE) * K],
                  const TT thresholds[PE][CFT][NTD], unsigned num_pixels, unsigned reps) {
    vvau_engine<C, K, PE, TI, TW, TA, TO, NT, OUT_BIAS, TT, CFT, NTD>(in, out, weights, thresholds, num_pixels, reps);
  }
};

#if QNN_CSIM_FAST
template <>
struct vvau_form<true> {
  template <unsigned C, unsigned K, unsigned PE, typename TI, typename TW, typename TA,
            typename TO, unsigned NT, int OUT_BIAS, typename TT, unsigned CFT, unsigned NTD>
  static void run(hls::stream<word_t<TI, PE> > &in, hls::stream<word_t<TO, PE> > &out,
                  const ap_uint<elem_traits<TW>::width> weights[PE][(C / PE) * K],
                  const TT thresholds[PE][CFT][NTD], unsigned num_pixels, unsigned reps) {
    csim::vvau_plain<C, K, PE, TI, TW, TA, TO, NT, OUT_BIAS, TT, CFT, NTD>::run(in, out, weights, thresholds, num_pixels, reps);
  }
};
#endif

}  // namespace detail

/// Vector-vector-activation unit (depthwise convolution): per output pixel and channel c < C,
///   acc[c] = sum_{k<K} W[c][k] * x[k][c]     (K = KH*KW kernel positions, type TA)
/// then out[c] = acc[c] (NT = 0) or sum_{i<NT} [acc[c] >= T[c][i]] + OUT_BIAS (NT > 0).
/// XNOR mode as in mvau (TI = TW = Bipolar counts matching bits).
///
/// Streams, per frame (reps frames), num_pixels output pixels:
///   in : for cf < C/PE: for k < K: one word of PE lanes of TI = x[k][cf*PE .. cf*PE+PE-1]
///        (the order of swg<..., DEPTHWISE = true> with SIMD = PE)
///   out: C/PE words of PE lanes of TO, word cf = out[cf*PE .. cf*PE+PE-1]
/// Memories:
///   weights[p][cf*K + k]: raw bits of one TW element = W[cf*PE+p][k]
///   thresholds[p][cf][i]: T[cf*PE+p][i], type TT (default TA)
template <unsigned C, unsigned K, unsigned PE, typename TI, typename TW, typename TA, typename TO,
          unsigned NT, int OUT_BIAS = 0, typename TT = TA>
void vvau(hls::stream<word_t<TI, PE> > &in, hls::stream<word_t<TO, PE> > &out,
          const ap_uint<elem_traits<TW>::width> weights[PE][(C / PE) * K],
          const TT thresholds[PE][C / PE][NT], unsigned num_pixels, unsigned reps) {
  static_assert(NT > 0, "use the overload without thresholds for NT = 0");
  QNN_PRAGMA(HLS ARRAY_PARTITION variable=weights complete dim=1)
  QNN_PRAGMA(HLS ARRAY_PARTITION variable=thresholds complete dim=1)
  QNN_PRAGMA(HLS ARRAY_PARTITION variable=thresholds complete dim=3)
  detail::vvau_form<QNN_CSIM_PLAIN(
      csim::vvau_plain<C, K, PE, TI, TW, TA, TO, NT, OUT_BIAS, TT, C / PE, NT>)>::
      template run<C, K, PE, TI, TW, TA, TO, NT, OUT_BIAS, TT, C / PE, NT>(
          in, out, weights, thresholds, num_pixels, reps);
}

/// VVAU without activation (NT must be 0): out[c] = acc[c] converted to TO (normally TA).
template <unsigned C, unsigned K, unsigned PE, typename TI, typename TW, typename TA, typename TO,
          unsigned NT, int OUT_BIAS = 0, typename TT = TA>
void vvau(hls::stream<word_t<TI, PE> > &in, hls::stream<word_t<TO, PE> > &out,
          const ap_uint<elem_traits<TW>::width> weights[PE][(C / PE) * K], unsigned num_pixels,
          unsigned reps) {
  static_assert(NT == 0, "NT > 0 needs a threshold table");
  static_assert(OUT_BIAS == 0, "OUT_BIAS only applies with thresholds");
  QNN_PRAGMA(HLS ARRAY_PARTITION variable=weights complete dim=1)
  static const TT no_thresholds[PE][1][1] = {};
  detail::vvau_form<QNN_CSIM_PLAIN(csim::vvau_plain<C, K, PE, TI, TW, TA, TO, 0, 0, TT, 1, 1>)>::
      template run<C, K, PE, TI, TW, TA, TO, 0, 0, TT, 1, 1>(in, out, weights, no_thresholds,
                                                             num_pixels, reps);
}

}  // namespace qnn

#endif  // QNN_VVAU_H
