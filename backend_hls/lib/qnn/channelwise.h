// qnn HLS template library -- channelwise (per-channel parameter) operations.
#ifndef QNN_CHANNELWISE_H
#define QNN_CHANNELWISE_H

#include "common.h"

namespace qnn {

/// Channelwise operation functors: apply(x, p) with exact (widening) ap_int arithmetic.
struct ChannelwiseAdd {
  template <typename A, typename B>
  static auto apply(const A &x, const B &p) -> decltype(x + p) {
    return x + p;
  }
};
struct ChannelwiseMul {
  template <typename A, typename B>
  static auto apply(const A &x, const B &p) -> decltype(x * p) {
    return x * p;
  }
};

/// out[c] = Op::apply(x[c], P[c]) (exact), converted to TO. Op is ChannelwiseAdd or
/// ChannelwiseMul (or any functor with that interface).
/// in/out: per frame num_pixels pixels, each C/PE words of PE lanes (TI in, TO out).
/// params[p][n] = P[n*PE+p], values of type TP (ap_int / ap_uint). One word per cycle.
template <unsigned C, unsigned PE, typename TI, typename TP, typename TO, typename Op>
void channelwise(hls::stream<word_t<TI, PE> > &in, hls::stream<word_t<TO, PE> > &out,
                 const TP params[PE][C / PE], unsigned num_pixels, unsigned reps) {
  static_assert(C % PE == 0, "PE must divide C");
  QNN_PRAGMA(HLS ARRAY_PARTITION variable=params complete dim=1)
  const unsigned CF = C / PE;
  unsigned cf = 0;
  const unsigned long long total = (unsigned long long)reps * num_pixels * CF;
  for (unsigned long long i = 0; i < total; i++) {
    QNN_PRAGMA(HLS PIPELINE II=1)
    const word_t<TI, PE> x = in.read();
    word_t<TO, PE> o = 0;
    for (unsigned p = 0; p < PE; p++) {
      QNN_PRAGMA(HLS UNROLL)
      set_lane<TO>(o, p, Op::apply(get_lane<TI>(x, p), params[p][cf]));
    }
    out.write(o);
    cf = (cf == CF - 1) ? 0 : cf + 1;
  }
}

}  // namespace qnn

#endif  // QNN_CHANNELWISE_H
