// qnn HLS template library -- pooling kernels (max, sum/average, global accumulation).
#ifndef QNN_POOL_H
#define QNN_POOL_H

#include "common.h"
#include "swg.h"

namespace qnn {

namespace detail {

/// Lane-wise maximum over the window.
template <unsigned PE, typename T>
struct MaxReducer {
  static const bool REDUCE = true;
  typedef word_t<T, PE> out_t;
  typedef typename elem_traits<T>::value_type value_t;
  struct state_t {
    value_t m[PE];
  };
  static void visit(state_t &st, const word_t<T, PE> &w, bool first) {
    for (unsigned p = 0; p < PE; p++) {
      QNN_PRAGMA(HLS UNROLL)
      const value_t v = get_lane<T>(w, p);
      if (first || v > st.m[p]) st.m[p] = v;
    }
  }
  static out_t result(const state_t &st, const word_t<T, PE> &) {
    out_t o = 0;
    for (unsigned p = 0; p < PE; p++) {
      QNN_PRAGMA(HLS UNROLL)
      set_lane<T>(o, p, st.m[p]);
    }
    return o;
  }
};

/// Lane-wise sum over the window, arithmetically shifted right by SHIFT, converted to TO.
template <unsigned PE, typename TI, typename TA, typename TO, unsigned SHIFT>
struct SumReducer {
  static const bool REDUCE = true;
  typedef word_t<TO, PE> out_t;
  struct state_t {
    TA s[PE];
  };
  static void visit(state_t &st, const word_t<TI, PE> &w, bool first) {
    for (unsigned p = 0; p < PE; p++) {
      QNN_PRAGMA(HLS UNROLL)
      const TA prev = first ? TA(0) : st.s[p];
      st.s[p] = prev + get_lane<TI>(w, p);
    }
  }
  static out_t result(const state_t &st, const word_t<TI, PE> &) {
    out_t o = 0;
    for (unsigned p = 0; p < PE; p++) {
      QNN_PRAGMA(HLS UNROLL)
      const TA shifted = st.s[p] >> SHIFT;
      set_lane<TO>(o, p, shifted);
    }
    return o;
  }
};

}  // namespace detail

/// Max pooling, valid padding, general kernel KH x KW and stride SH x SW.
/// in : IFM_H x IFM_W pixels NHWC, C/PE words of PE lanes of T (signed or unsigned) per pixel.
/// out: OH = (IFM_H-KH)/SH+1 by OW = (IFM_W-KW)/SW+1 pixels NHWC, C/PE words of PE lanes of T;
///      out[oy][ox][c] = max_{ky,kx} x[oy*SH+ky][ox*SW+kx][c].
/// Buffers KH input rows, reading and writing in turn (detail::window_engine with B = KH).
template <unsigned IFM_H, unsigned IFM_W, unsigned C, unsigned PE, unsigned KH, unsigned KW,
          unsigned SH, unsigned SW, typename T>
void maxpool(hls::stream<word_t<T, PE> > &in, hls::stream<word_t<T, PE> > &out, unsigned reps) {
  static_assert(C % PE == 0, "PE must divide C");
  detail::window_engine<IFM_H, IFM_W, C / PE, KH, KW, SH, SW, 1, 1, KH, true, word_t<T, PE>,
                        detail::MaxReducer<PE, T> >(in, out, reps);
}

/// Sum / average pooling, valid padding, general kernel and stride:
///   out[oy][ox][c] = floor( (sum_{ky,kx} x[oy*SH+ky][ox*SW+kx][c]) / 2^SHIFT )
/// computed as an arithmetic shift right of the sum in accumulator type TA, then converted to
/// TO (truncating to TO's width). SHIFT = 0 is plain sum pooling. Layouts as in maxpool
/// (input lanes TI, output lanes TO).
template <unsigned IFM_H, unsigned IFM_W, unsigned C, unsigned PE, unsigned KH, unsigned KW,
          unsigned SH, unsigned SW, typename TI, typename TA, typename TO, unsigned SHIFT = 0>
void pool(hls::stream<word_t<TI, PE> > &in, hls::stream<word_t<TO, PE> > &out, unsigned reps) {
  static_assert(C % PE == 0, "PE must divide C");
  detail::window_engine<IFM_H, IFM_W, C / PE, KH, KW, SH, SW, 1, 1, KH, true, word_t<TI, PE>,
                        detail::SumReducer<PE, TI, TA, TO, SHIFT> >(in, out, reps);
}

/// Global accumulation pooling: out[c] = sum over the num_pixels pixels of a frame of x[p][c],
/// in type TO. in: num_pixels pixels, each C/PE words of PE lanes of TI; out: C/PE words of PE
/// lanes of TO per frame.
template <unsigned C, unsigned PE, typename TI, typename TO>
void global_acc_pool(hls::stream<word_t<TI, PE> > &in, hls::stream<word_t<TO, PE> > &out,
                     unsigned num_pixels, unsigned reps) {
  static_assert(C % PE == 0, "PE must divide C");
  const unsigned CF = C / PE;
  TO acc[PE][CF];
  QNN_PRAGMA(HLS ARRAY_PARTITION variable=acc complete dim=1)
  for (unsigned rep = 0; rep < reps; rep++) {
    unsigned px = 0;
    unsigned cf = 0;
    for (unsigned long long i = 0; i < (unsigned long long)num_pixels * CF; i++) {
      QNN_PRAGMA(HLS PIPELINE II=1)
      const word_t<TI, PE> x = in.read();
      word_t<TO, PE> o = 0;
      for (unsigned p = 0; p < PE; p++) {
        QNN_PRAGMA(HLS UNROLL)
        const TO prev = (px == 0) ? TO(0) : acc[p][cf];
        const TO sum = prev + get_lane<TI>(x, p);
        acc[p][cf] = sum;
        set_lane<TO>(o, p, sum);
      }
      if (px == num_pixels - 1) out.write(o);
      if (cf == CF - 1) {
        cf = 0;
        px++;
      } else {
        cf++;
      }
    }
  }
}

}  // namespace qnn

#endif  // QNN_POOL_H
