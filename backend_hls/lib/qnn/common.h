// qnn HLS template library -- common definitions.
//
// Everything in this library is header-only C++14, written to be synthesized by Vitis HLS
// (fixed loop bounds, pipelined II=1 streaming loops, no dynamic memory, no recursion, no std
// containers) and to be compiled by g++ for C simulation against the Xilinx simulation headers
// (ap_int.h, hls_stream.h).
//
// Stream conventions (see ../README.md for the full description):
//  * Tensors are NHWC, channels fastest. One frame = one image. Every kernel takes a runtime
//    `unsigned reps` argument = number of frames to process.
//  * A stream word carrying N lanes of an element type of B bits is ap_uint<N*B>; lane i occupies
//    bits [i*B, (i+1)*B) (lane 0 at the LSB). Signed elements are two's complement in their lane.
//  * Element types are template type parameters: ap_int<B>, ap_uint<B> or qnn::Bipolar (1 bit,
//    0 encodes -1 and 1 encodes +1).
#ifndef QNN_COMMON_H
#define QNN_COMMON_H

// Wide stream words (e.g. fully unfolded layers) need more than the default 1024 bits. The
// definition only takes effect if it precedes the first inclusion of ap_int.h.
#ifndef AP_INT_MAX_W
#define AP_INT_MAX_W 4096
#endif

// The simulation headers trigger -W(maybe-)uninitialized false positives once their inline
// functions are inlined into user code at -O1 and above (-isystem does not cover inlined code).
#if defined(__GNUC__) && !defined(__SYNTHESIS__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <ap_int.h>
#include <hls_stream.h>
#if defined(__GNUC__) && !defined(__SYNTHESIS__)
#pragma GCC diagnostic pop
#endif

// QNN_CSIM_FAST (C simulation only; default 1, `-DQNN_CSIM_FAST=0` turns it off): mvau and vvau
// simulate with their plain-integer forms (qnn/csim.h) instead of their synthesis bodies, which
// spend most of a C simulation slicing ap_int lanes. Both forms give the same words.
#ifdef __SYNTHESIS__
#undef QNN_CSIM_FAST
#define QNN_CSIM_FAST 0
#elif !defined(QNN_CSIM_FAST)
#define QNN_CSIM_FAST 1
#endif
// QNN_CSIM_PLAIN(csim::mvau_plain<...>): whether that plain form runs (it exists and is exact).
#if QNN_CSIM_FAST
#define QNN_CSIM_PLAIN(...) (__VA_ARGS__::exact)
#else
#define QNN_CSIM_PLAIN(...) false
#endif

// QNN_PRAGMA(HLS PIPELINE II=1) expands to `#pragma HLS PIPELINE II=1` under synthesis and to
// nothing otherwise, so that g++ -Wall (-Wunknown-pragmas) stays quiet in C simulation.
#ifdef __SYNTHESIS__
#define QNN_PRAGMA(...) _Pragma(#__VA_ARGS__)
#else
#define QNN_PRAGMA(...)
#endif

namespace qnn {

/// One step of a digit of a counter that counts modulo N: `i` goes to i + 1, or to 0 from
/// N - 1, and the result says whether it wrapped (the next digit steps). A mixed-radix
/// counter steps its digits innermost first with `&&`, so a digit steps only when all
/// inner ones wrapped.
template <unsigned N>
inline bool step_wraps(unsigned &i) {
  const bool wraps = i == N - 1;
  i = wraps ? 0 : i + 1;
  return wraps;
}

/// Bipolar element type {-1, +1}, stored in one bit: 0 -> -1, 1 -> +1.
struct Bipolar {};

/// Traits of a lane element type T:
///   width       number of bits of one lane
///   value_type  arithmetic type of the decoded value
///   decode(b)   bits -> value;   encode(v)  value -> bits (truncating to the lane width)
template <typename T>
struct elem_traits;

template <int W>
struct elem_traits<ap_int<W> > {
  static const int width = W;
  static const bool is_signed = true;
  typedef ap_int<W> value_type;
  static value_type decode(const ap_uint<W> &bits) {
    value_type v;
    v.range(W - 1, 0) = bits;
    return v;
  }
  template <typename V>
  static ap_uint<W> encode(const V &v) {
    const value_type t = v;
    return ap_uint<W>(t.range(W - 1, 0));
  }
};

template <int W>
struct elem_traits<ap_uint<W> > {
  static const int width = W;
  static const bool is_signed = false;
  typedef ap_uint<W> value_type;
  static value_type decode(const ap_uint<W> &bits) { return bits; }
  template <typename V>
  static ap_uint<W> encode(const V &v) {
    const value_type t = v;
    return t;
  }
};

template <>
struct elem_traits<Bipolar> {
  static const int width = 1;
  static const bool is_signed = true;
  typedef ap_int<2> value_type;
  static value_type decode(const ap_uint<1> &bits) { return bits ? value_type(1) : value_type(-1); }
  /// Any value > 0 encodes as +1, anything else as -1.
  template <typename V>
  static ap_uint<1> encode(const V &v) {
    return v > 0 ? ap_uint<1>(1) : ap_uint<1>(0);
  }
};

/// Number of bits of one lane of element type T.
template <typename T>
struct width_of {
  static const int value = elem_traits<T>::width;
};

/// Stream word holding N lanes of element type T.
template <typename T, unsigned N>
using word_t = ap_uint<N * elem_traits<T>::width>;

/// Raw bits of lane i of a word.
template <typename T, int WW>
inline ap_uint<elem_traits<T>::width> lane_bits(const ap_uint<WW> &word, unsigned i) {
  const int B = elem_traits<T>::width;
  return ap_uint<B>(word.range((i + 1) * B - 1, i * B));
}

/// Value of lane i of a word, reinterpreting its bits as element type T.
template <typename T, int WW>
inline typename elem_traits<T>::value_type get_lane(const ap_uint<WW> &word, unsigned i) {
  return elem_traits<T>::decode(lane_bits<T>(word, i));
}

/// Store value v (converted to element type T) into lane i of a word.
template <typename T, int WW, typename V>
inline void set_lane(ap_uint<WW> &word, unsigned i, const V &v) {
  const int B = elem_traits<T>::width;
  word.range((i + 1) * B - 1, i * B) = elem_traits<T>::template encode<V>(v);
}

/// ceil(log2(n)) for n >= 1, as a compile-time constant (clog2<1> = 0).
template <unsigned long long N>
struct clog2 {
  static const unsigned value = 1 + clog2<(N + 1) / 2>::value;
};
template <>
struct clog2<1> {
  static const unsigned value = 0;
};
template <>
struct clog2<0> {
  static const unsigned value = 0;
};

/// Threshold activation: out = sum_{i<NT} [acc >= thr[i]] + OUT_BIAS, thresholds ascending
/// (ascending order is not required for correctness of this count, only by convention).
template <unsigned NT, int OUT_BIAS, typename TA, typename TT>
inline ap_int<33> apply_thresholds(const TA &acc, const TT *thr) {
  ap_int<33> count = 0;
  for (unsigned i = 0; i < NT; i++) {
    QNN_PRAGMA(HLS UNROLL)
    count += (acc >= thr[i]) ? 1 : 0;
  }
  return count + OUT_BIAS;
}

/// The output word of PE accumulators (the activation step of mvau and vvau): lane p holds
/// acc[p] (NT = 0) or apply_thresholds<NT, OUT_BIAS>(acc[p], thresholds[p][fold]) (NT > 0),
/// converted to TO.
template <typename TO, unsigned PE, unsigned NT, int OUT_BIAS, typename TA, typename TT,
          unsigned NFT, unsigned NTD>
inline word_t<TO, PE> activation_word(const TA acc[PE], const TT thresholds[PE][NFT][NTD],
                                      unsigned fold) {
  word_t<TO, PE> o = 0;
  for (unsigned p = 0; p < PE; p++) {
    QNN_PRAGMA(HLS UNROLL)
    if (NT == 0) {
      set_lane<TO>(o, p, acc[p]);
    } else {
      set_lane<TO>(o, p, apply_thresholds<NT, OUT_BIAS>(acc[p], thresholds[p][fold]));
    }
  }
  return o;
}

/// Per-channel map of a stream with a table of per-channel parameters (the loop of thresholding
/// and channelwise): per frame num_pixels pixels, each C/PE words of PE lanes (TI in, TO out);
/// word n of a pixel holds channels n*PE .. n*PE+PE-1, and its output lane p is
/// Op::apply(input lane p as a TI value, params[p][n]), converted to TO. P is the parameter of
/// one channel (a value type, or an array type such as a channel's thresholds). One word per
/// cycle.
template <unsigned C, unsigned PE, typename TI, typename TO, typename Op, typename P>
void map_channels(hls::stream<word_t<TI, PE> > &in, hls::stream<word_t<TO, PE> > &out,
                  const P params[PE][C / PE], unsigned num_pixels, unsigned reps) {
  static_assert(C % PE == 0, "PE must divide C");
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

#endif  // QNN_COMMON_H
