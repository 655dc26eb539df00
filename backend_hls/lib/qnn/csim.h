// qnn HLS template library -- plain-integer C-simulation forms of mvau and vvau.
//
// C simulation only (QNN_CSIM_FAST, see common.h): synthesis never includes this header. The
// synthesis bodies of mvau and vvau slice every lane of every word with ap_int range operations
// in every cycle, which is where a C simulation spends its time. The forms here decode each
// weight and threshold table once (per table, on first use) into plain integer arrays and each
// input word once per vector, and compute every dot product in plain integers.
//
// They give the synthesis form's words exactly, and are only used where that holds: every value
// and every lane code fits a long long (widths up to 62 bits) and every partial sum of a dot
// product fits its plain accumulator (|sum| <= N * max|x| * max|w|, checked at compile time).
// Then the plain sum wrapped to TA's width equals TA's running sum (wrapping modulo 2^W commutes
// with addition), thresholds compare the same values, and the output lanes are encoded as
// set_lane encodes them. Where it does not hold (`exact` is false), the synthesis body runs.
// test/unit/test_hls_lib.py runs every mvau/vvau case in both forms.
#ifndef QNN_CSIM_H
#define QNN_CSIM_H

#include <cstdint>
#include <map>
#include <type_traits>
#include <vector>

#include "common.h"

namespace qnn {
namespace csim {

/// Plain-integer view of a lane element type T:
///   magnitude  |value| <= 2^magnitude for every value of T
///   exact      values and lane codes fit a long long (lane widths up to 62 bits)
///   value(b)   lane code b -> value; code(v): value v -> lane code (as set_lane converts it)
///   wrap(v)    v converted to T (two's complement truncation), as a value
template <typename T>
struct plain;

template <int W>
struct plain<ap_int<W> > {
  static const int magnitude = W - 1;
  static const bool exact = W <= 62;
  static long long wrap(long long v) {
    const int shift = (64 - W) & 63;
    return (long long)((unsigned long long)v << shift) >> shift;
  }
  static long long value(unsigned long long bits) { return wrap((long long)bits); }
  static unsigned long long code(long long v) {
    return (unsigned long long)v & ((1ULL << (W & 63)) - 1);
  }
};

template <int W>
struct plain<ap_uint<W> > {
  static const int magnitude = W;
  static const bool exact = W <= 62;
  static long long wrap(long long v) { return (long long)code(v); }
  static long long value(unsigned long long bits) { return (long long)bits; }
  static unsigned long long code(long long v) {
    return (unsigned long long)v & ((1ULL << (W & 63)) - 1);
  }
};

template <>
struct plain<Bipolar> {
  static const int magnitude = 0;
  static const bool exact = true;
  static long long value(unsigned long long bits) { return bits ? 1 : -1; }
  static unsigned long long code(long long v) { return v > 0 ? 1 : 0; }
};

/// Plain types of a dot product of N values of TI by N values of TW: values are stored as
/// `elem` and summed in `acc` (int16/int32 when every partial sum fits 31 bits, else 64-bit);
/// `fits` when the sum fits a long long. `xnor`: both bipolar, the synthesis form counts equal
/// bits, which is (N + dot) / 2 of the -1/+1 values.
template <typename TI, typename TW, unsigned N>
struct plain_dot {
  static const int bits = plain<TI>::magnitude + plain<TW>::magnitude + (int)clog2<N>::value;
  static const bool narrow = plain<TI>::magnitude <= 15 && plain<TW>::magnitude <= 15 &&
                             bits <= 30;
  static const bool fits = plain<TI>::exact && plain<TW>::exact && bits <= 62;
  static const bool xnor = std::is_same<TI, Bipolar>::value && std::is_same<TW, Bipolar>::value;
  typedef typename std::conditional<narrow, std::int16_t, long long>::type elem;
  typedef typename std::conditional<narrow, std::int32_t, long long>::type acc;

  static long long sum(const elem *a, const elem *b) {
    acc s = 0;
    for (unsigned i = 0; i < N; i++) s += (acc)a[i] * (acc)b[i];
    return xnor ? ((long long)N + s) / 2 : (long long)s;
  }
};

/// Whether the plain forms reproduce an activation with accumulator TA, thresholds TT and
/// output lanes TO exactly (all values fit a long long).
template <typename TA, typename TT, typename TO, unsigned NT>
struct plain_activation {
  static const bool fits = plain<TA>::exact && (NT == 0 || plain<TT>::exact) && plain<TO>::exact;
};

/// activation_word's lane for one plain dot-product sum, as a value before the conversion to
/// the output type: the sum wrapped to TA, then (NT > 0) thresholded with thr[0 .. NT-1].
template <typename TA, unsigned NT, int OUT_BIAS>
inline long long activate(long long sum, const long long *thr) {
  const long long acc = plain<TA>::wrap(sum);
  if (NT == 0) return acc;
  long long count = OUT_BIAS;
  for (unsigned i = 0; i < NT; i++) count += acc >= thr[i] ? 1 : 0;
  return count;
}

/// A word as 64-bit chunks, chunk c = bits [64c, 64c+64).
template <int W>
inline void word_chunks(const ap_uint<W> &word, unsigned long long *chunk) {
  if (W <= 64) {
    chunk[0] = word.to_uint64();
    return;
  }
  for (int c = 0; c * 64 < W; c++) {
    const int hi = c * 64 + 63 < W ? c * 64 + 63 : W - 1;
    chunk[c] = word.range(hi, c * 64).to_uint64();
  }
}

/// The N lanes of a word of element type T as plain values.
template <typename T, unsigned N, typename V>
inline void unpack(const word_t<T, N> &word, V *values) {
  const int B = elem_traits<T>::width;
  const unsigned long long mask = (1ULL << B) - 1;
  unsigned long long chunk[(N * B + 63) / 64];
  word_chunks(word, chunk);
  for (unsigned i = 0; i < N; i++) {
    const unsigned lo = i * B, c = lo / 64, s = lo % 64;
    unsigned long long bits = chunk[c] >> s;
    if (s + B > 64) bits |= chunk[c + 1] << (64 - s);
    values[i] = (V)plain<T>::value(bits & mask);
  }
}

/// The word of N lanes of element type T holding the plain values (converted as set_lane does).
template <typename T, unsigned N>
inline word_t<T, N> pack(const long long *values) {
  const int B = elem_traits<T>::width;
  const int W = N * B;
  unsigned long long chunk[(W + 63) / 64] = {};
  for (unsigned i = 0; i < N; i++) {
    const unsigned lo = i * B, c = lo / 64, s = lo % 64;
    const unsigned long long code = plain<T>::code(values[i]);
    chunk[c] |= code << s;
    if (s + B > 64) chunk[c + 1] |= code >> (64 - s);
  }
  word_t<T, N> word = 0;
  if (W <= 64) {
    word = chunk[0];
    return word;
  }
  for (int c = 0; c * 64 < W; c++) {
    const int hi = c * 64 + 63 < W ? c * 64 + 63 : W - 1;
    word.range(hi, c * 64) = ap_uint<64>(chunk[c]);
  }
  return word;
}

/// thresholds[p][f][i] as plain values, row c = f*PE + p at [c*NT, c*NT + NT) (decoded on the
/// first call for a table).
template <unsigned PE, unsigned NT, typename TT, unsigned NFT, unsigned NTD>
const std::vector<long long> &threshold_rows(const TT thresholds[PE][NFT][NTD]) {
  static std::map<const void *, std::vector<long long> > cache;
  std::vector<long long> &rows = cache[thresholds];
  if (NT == 0 || !rows.empty()) return rows;
  rows.resize(PE * NFT * NT);
  for (unsigned p = 0; p < PE; p++)
    for (unsigned f = 0; f < NFT; f++)
      for (unsigned i = 0; i < NT; i++)
        rows[(f * PE + p) * NT + i] = (long long)thresholds[p][f][i].to_int64();
  return rows;
}

/// mvau's plain form (the parameters of detail::mvau_engine); `exact` says where it may run.
template <unsigned MW, unsigned MH, unsigned SIMD, unsigned PE, typename TI, typename TW,
          typename TA, typename TO, unsigned NT, int OUT_BIAS, typename TT, unsigned NFT,
          unsigned NTD>
struct mvau_plain {
  static const bool exact =
      plain_dot<TI, TW, MW>::fits && plain_activation<TA, TT, TO, NT>::fits;
  typedef plain_dot<TI, TW, MW> dot;
  typedef typename dot::elem elem;
  static const unsigned SF = MW / SIMD;
  static const unsigned NF = MH / PE;

  /// W[h][k] at [h*MW + k], decoded on the first call for a table.
  static const std::vector<elem> &matrix(const word_t<TW, SIMD> weights[PE][NF * SF]) {
    static std::map<const void *, std::vector<elem> > cache;
    std::vector<elem> &w = cache[weights];
    if (!w.empty()) return w;
    w.resize(MH * MW);
    for (unsigned p = 0; p < PE; p++)
      for (unsigned nf = 0; nf < NF; nf++)
        for (unsigned sf = 0; sf < SF; sf++)
          unpack<TW, SIMD>(weights[p][nf * SF + sf], &w[(nf * PE + p) * MW + sf * SIMD]);
    return w;
  }

  static void run(hls::stream<word_t<TI, SIMD> > &in, hls::stream<word_t<TO, PE> > &out,
                  const word_t<TW, SIMD> weights[PE][NF * SF], const TT thresholds[PE][NFT][NTD],
                  unsigned num_vectors, unsigned reps) {
    static_assert(exact, "the plain form would not be exact");
    const std::vector<elem> &w = matrix(weights);
    const std::vector<long long> &thr = threshold_rows<PE, NT>(thresholds);
    std::vector<elem> x(MW);
    long long lanes[PE];
    const unsigned long long vectors = (unsigned long long)reps * num_vectors;
    for (unsigned long long v = 0; v < vectors; v++) {
      for (unsigned sf = 0; sf < SF; sf++) unpack<TI, SIMD>(in.read(), &x[sf * SIMD]);
      for (unsigned nf = 0; nf < NF; nf++) {
        for (unsigned p = 0; p < PE; p++) {
          const unsigned h = nf * PE + p;
          lanes[p] = activate<TA, NT, OUT_BIAS>(dot::sum(&w[h * MW], &x[0]), thr.data() + h * NT);
        }
        out.write(pack<TO, PE>(lanes));
      }
    }
  }
};

/// vvau's plain form (the parameters of detail::vvau_engine); `exact` says where it may run.
template <unsigned C, unsigned K, unsigned PE, typename TI, typename TW, typename TA, typename TO,
          unsigned NT, int OUT_BIAS, typename TT, unsigned CFT, unsigned NTD>
struct vvau_plain {
  static const bool exact = plain_dot<TI, TW, K>::fits && plain_activation<TA, TT, TO, NT>::fits;
  typedef plain_dot<TI, TW, K> dot;
  typedef typename dot::elem elem;
  static const unsigned CF = C / PE;

  /// W[c][k] at [c*K + k], decoded on the first call for a table.
  static const std::vector<elem> &kernels(
      const ap_uint<elem_traits<TW>::width> weights[PE][CF * K]) {
    static std::map<const void *, std::vector<elem> > cache;
    std::vector<elem> &w = cache[weights];
    if (!w.empty()) return w;
    w.resize(C * K);
    for (unsigned p = 0; p < PE; p++)
      for (unsigned cf = 0; cf < CF; cf++)
        for (unsigned k = 0; k < K; k++)
          w[(cf * PE + p) * K + k] = (elem)plain<TW>::value(weights[p][cf * K + k].to_uint64());
    return w;
  }

  static void run(hls::stream<word_t<TI, PE> > &in, hls::stream<word_t<TO, PE> > &out,
                  const ap_uint<elem_traits<TW>::width> weights[PE][CF * K],
                  const TT thresholds[PE][CFT][NTD], unsigned num_pixels, unsigned reps) {
    static_assert(exact, "the plain form would not be exact");
    const std::vector<elem> &w = kernels(weights);
    const std::vector<long long> &thr = threshold_rows<PE, NT>(thresholds);
    std::vector<elem> x(PE * K);  // x[p*K + k]: lane p of the k-th word of a channel fold
    elem word[PE];
    long long lanes[PE];
    const unsigned long long folds = (unsigned long long)reps * num_pixels * CF;
    unsigned cf = 0;
    for (unsigned long long f = 0; f < folds; f++) {
      for (unsigned k = 0; k < K; k++) {
        unpack<TI, PE>(in.read(), word);
        for (unsigned p = 0; p < PE; p++) x[p * K + k] = word[p];
      }
      for (unsigned p = 0; p < PE; p++) {
        const unsigned c = cf * PE + p;
        lanes[p] = activate<TA, NT, OUT_BIAS>(dot::sum(&w[c * K], &x[p * K]), thr.data() + c * NT);
      }
      out.write(pack<TO, PE>(lanes));
      cf = (cf == CF - 1) ? 0 : cf + 1;
    }
  }
};

}  // namespace csim
}  // namespace qnn

#endif  // QNN_CSIM_H
