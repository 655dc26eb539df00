// qnn HLS template library -- matrix-vector-activation unit (MVAU).
#ifndef QNN_MVAU_H
#define QNN_MVAU_H

#include "common.h"
#if QNN_CSIM_FAST
#include "csim.h"
#endif

namespace qnn {

/// Product of one input lane and one weight lane, given their raw bits.
/// Generic case: decoded values multiplied exactly (Bipolar decodes to -1/+1).
/// XNOR case (TI = TW = Bipolar): 1 if the bits match (the product is +1), else 0, so that the
/// accumulator counts the +1 products (popcount of XNOR).
template <typename TI, typename TW>
struct mac_op {
  static const bool xnor = false;
  template <typename TA>
  static void mac(TA &acc, const ap_uint<elem_traits<TI>::width> &x,
                  const ap_uint<elem_traits<TW>::width> &w) {
    acc += elem_traits<TI>::decode(x) * elem_traits<TW>::decode(w);
  }
};

template <>
struct mac_op<Bipolar, Bipolar> {
  static const bool xnor = true;
  template <typename TA>
  static void mac(TA &acc, const ap_uint<1> &x, const ap_uint<1> &w) {
    acc += (x == w) ? 1 : 0;
  }
};

namespace detail {

/// Shared MVAU engine. With NT == 0 the accumulator is output and `thresholds` is never read
/// (callers pass a dummy table); NFT/NTD are the table's dimensions.
template <unsigned MW, unsigned MH, unsigned SIMD, unsigned PE, typename TI, typename TW,
          typename TA, typename TO, unsigned NT, int OUT_BIAS, typename TT, unsigned NFT,
          unsigned NTD>
void mvau_engine(hls::stream<word_t<TI, SIMD> > &in, hls::stream<word_t<TO, PE> > &out,
                 const word_t<TW, SIMD> weights[PE][(MH / PE) * (MW / SIMD)],
                 const TT thresholds[PE][NFT][NTD], unsigned num_vectors, unsigned reps) {
  static_assert(MW % SIMD == 0, "SIMD must divide MW");
  static_assert(MH % PE == 0, "PE must divide MH");
  const unsigned SF = MW / SIMD;  // synapse fold: input words per vector
  const unsigned NF = MH / PE;    // neuron fold: output words per vector

  // Input vector buffer, re-read for each of the NF neuron folds.
  word_t<TI, SIMD> inbuf[SF];
  TA acc[PE];
  QNN_PRAGMA(HLS ARRAY_PARTITION variable=acc complete dim=1)

  unsigned sf = 0;
  unsigned nf = 0;
  const unsigned long long total =
      (unsigned long long)reps * num_vectors * (unsigned long long)(NF * SF);
  for (unsigned long long it = 0; it < total; it++) {
    QNN_PRAGMA(HLS PIPELINE II=1)
    word_t<TI, SIMD> x;
    if (nf == 0) {
      x = in.read();
      inbuf[sf] = x;
    } else {
      x = inbuf[sf];
    }
    const unsigned widx = nf * SF + sf;
    for (unsigned p = 0; p < PE; p++) {
      QNN_PRAGMA(HLS UNROLL)
      const word_t<TW, SIMD> w = weights[p][widx];
      TA sum = (sf == 0) ? TA(0) : acc[p];
      for (unsigned s = 0; s < SIMD; s++) {
        QNN_PRAGMA(HLS UNROLL)
        mac_op<TI, TW>::mac(sum, lane_bits<TI>(x, s), lane_bits<TW>(w, s));
      }
      acc[p] = sum;
    }
    if (sf == SF - 1) {
      out.write(activation_word<TO, PE, NT, OUT_BIAS>(acc, thresholds, nf));
      sf = 0;
      nf = (nf == NF - 1) ? 0 : nf + 1;
    } else {
      sf++;
    }
  }
}

/// The MVAU that runs: mvau_engine, or in C simulation (QNN_CSIM_FAST) where it is exact its
/// plain-integer form csim::mvau_plain (only the one that runs is instantiated).
template <bool PLAIN>
struct mvau_form {
  template <unsigned MW, unsigned MH, unsigned SIMD, unsigned PE, typename TI, typename TW,
            typename TA, typename TO, unsigned NT, int OUT_BIAS, typename TT, unsigned NFT,
            unsigned NTD>
  static void run(hls::stream<word_t<TI, SIMD> > &in, hls::stream<word_t<TO, PE> > &out,
                  const word_t<TW, SIMD> weights[PE][(MH / PE) * (MW / SIMD)],
                  const TT thresholds[PE][NFT][NTD], unsigned num_vectors, unsigned reps) {
    mvau_engine<MW, MH, SIMD, PE, TI, TW, TA, TO, NT, OUT_BIAS, TT, NFT, NTD>(in, out, weights, thresholds, num_vectors, reps);
  }
};

#if QNN_CSIM_FAST
template <>
struct mvau_form<true> {
  template <unsigned MW, unsigned MH, unsigned SIMD, unsigned PE, typename TI, typename TW,
            typename TA, typename TO, unsigned NT, int OUT_BIAS, typename TT, unsigned NFT,
            unsigned NTD>
  static void run(hls::stream<word_t<TI, SIMD> > &in, hls::stream<word_t<TO, PE> > &out,
                  const word_t<TW, SIMD> weights[PE][(MH / PE) * (MW / SIMD)],
                  const TT thresholds[PE][NFT][NTD], unsigned num_vectors, unsigned reps) {
    csim::mvau_plain<MW, MH, SIMD, PE, TI, TW, TA, TO, NT, OUT_BIAS, TT, NFT, NTD>::run(in, out, weights, thresholds, num_vectors, reps);
  }
};
#endif

}  // namespace detail

/// Matrix-vector-activation unit: per input vector x (length MW) computes
///   acc[h] = sum_k W[h][k] * x[k]            (in accumulator type TA, h < MH)
/// and outputs acc[h] (NT = 0, TO should be TA) or, with NT > 0 thresholds per row,
///   out[h] = sum_{i<NT} [acc[h] >= T[h][i]] + OUT_BIAS     (converted to TO).
/// XNOR mode (TI = TW = qnn::Bipolar): acc[h] = number of k with w bit == x bit (the number of
/// +1 products); thresholds compare against this count. Bipolar inputs or weights combined with
/// integer types are multiplied as -1/+1 values.
///
/// Streams, per frame (reps frames), num_vectors vectors (e.g. OFM_H*OFM_W for a conv):
///   in : MW/SIMD words of SIMD lanes of TI; word j = x[j*SIMD .. j*SIMD+SIMD-1]
///   out: MH/PE words of PE lanes of TO;      word n = out[n*PE .. n*PE+PE-1]
/// Memories (PE-interleaved):
///   weights[p][n*(MW/SIMD)+j]: SIMD lanes of TW = W[n*PE+p][j*SIMD .. j*SIMD+SIMD-1]
///   thresholds[p][n][i]      : T[n*PE+p][i], ascending in i, type TT (default TA)
/// Throughput: one input word (or buffered re-read) per cycle, (MH/PE)*(MW/SIMD) cycles per
/// vector.
template <unsigned MW, unsigned MH, unsigned SIMD, unsigned PE, typename TI, typename TW,
          typename TA, typename TO, unsigned NT, int OUT_BIAS = 0, typename TT = TA>
void mvau(hls::stream<word_t<TI, SIMD> > &in, hls::stream<word_t<TO, PE> > &out,
          const word_t<TW, SIMD> weights[PE][(MH / PE) * (MW / SIMD)],
          const TT thresholds[PE][MH / PE][NT], unsigned num_vectors, unsigned reps) {
  static_assert(NT > 0, "use the overload without thresholds for NT = 0");
  QNN_PRAGMA(HLS ARRAY_PARTITION variable=weights complete dim=1)
  QNN_PRAGMA(HLS ARRAY_PARTITION variable=thresholds complete dim=1)
  QNN_PRAGMA(HLS ARRAY_PARTITION variable=thresholds complete dim=3)
  detail::mvau_form<QNN_CSIM_PLAIN(
      csim::mvau_plain<MW, MH, SIMD, PE, TI, TW, TA, TO, NT, OUT_BIAS, TT, MH / PE, NT>)>::
      template run<MW, MH, SIMD, PE, TI, TW, TA, TO, NT, OUT_BIAS, TT, MH / PE, NT>(
          in, out, weights, thresholds, num_vectors, reps);
}

/// MVAU without activation (NT must be 0): out[h] = acc[h], converted to TO (normally TO = TA).
template <unsigned MW, unsigned MH, unsigned SIMD, unsigned PE, typename TI, typename TW,
          typename TA, typename TO, unsigned NT, int OUT_BIAS = 0, typename TT = TA>
void mvau(hls::stream<word_t<TI, SIMD> > &in, hls::stream<word_t<TO, PE> > &out,
          const word_t<TW, SIMD> weights[PE][(MH / PE) * (MW / SIMD)], unsigned num_vectors,
          unsigned reps) {
  static_assert(NT == 0, "NT > 0 needs a threshold table");
  static_assert(OUT_BIAS == 0, "OUT_BIAS only applies with thresholds");
  QNN_PRAGMA(HLS ARRAY_PARTITION variable=weights complete dim=1)
  static const TT no_thresholds[PE][1][1] = {};
  detail::mvau_form<QNN_CSIM_PLAIN(
      csim::mvau_plain<MW, MH, SIMD, PE, TI, TW, TA, TO, 0, 0, TT, 1, 1>)>::
      template run<MW, MH, SIMD, PE, TI, TW, TA, TO, 0, 0, TT, 1, 1>(in, out, weights,
                                                                      no_thresholds, num_vectors,
                                                                      reps);
}

}  // namespace qnn

#endif  // QNN_MVAU_H
