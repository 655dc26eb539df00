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
  QNN_PRAGMA(HLS ARRAY_PARTITION variable=params complete dim=1)
  map_channels<C, PE, TI, TO, Op, TP>(in, out, params, num_pixels, reps);
}

}  // namespace qnn

#endif  // QNN_CHANNELWISE_H
