// qnn HLS template library -- elementwise stream kernels: add, duplicate.
#ifndef QNN_STREAMS_H
#define QNN_STREAMS_H

#include "common.h"

namespace qnn {

/// Elementwise addition of two streams: out lane p = a lane p + b lane p, computed exactly and
/// converted to TO (truncating to its width). Each stream carries num_words words of PE lanes
/// per frame (TA, TB, TO lanes respectively); one word pair per cycle.
template <unsigned PE, typename TA, typename TB, typename TO>
void add_streams(hls::stream<word_t<TA, PE> > &in_a, hls::stream<word_t<TB, PE> > &in_b,
                 hls::stream<word_t<TO, PE> > &out, unsigned num_words, unsigned reps) {
  const unsigned long long total = (unsigned long long)reps * num_words;
  for (unsigned long long i = 0; i < total; i++) {
    QNN_PRAGMA(HLS PIPELINE II=1)
    const word_t<TA, PE> a = in_a.read();
    const word_t<TB, PE> b = in_b.read();
    word_t<TO, PE> o = 0;
    for (unsigned p = 0; p < PE; p++) {
      QNN_PRAGMA(HLS UNROLL)
      set_lane<TO>(o, p, get_lane<TA>(a, p) + get_lane<TB>(b, p));
    }
    out.write(o);
  }
}

/// Fan-out: every input word is written unchanged to each output (2 outputs). num_words words of
/// PE lanes of T per frame; one word per cycle.
template <unsigned PE, typename T>
void duplicate_streams(hls::stream<word_t<T, PE> > &in, hls::stream<word_t<T, PE> > &out0,
                       hls::stream<word_t<T, PE> > &out1, unsigned num_words, unsigned reps) {
  const unsigned long long total = (unsigned long long)reps * num_words;
  for (unsigned long long i = 0; i < total; i++) {
    QNN_PRAGMA(HLS PIPELINE II=1)
    const word_t<T, PE> w = in.read();
    out0.write(w);
    out1.write(w);
  }
}

/// Fan-out to 3 outputs (otherwise as above).
template <unsigned PE, typename T>
void duplicate_streams(hls::stream<word_t<T, PE> > &in, hls::stream<word_t<T, PE> > &out0,
                       hls::stream<word_t<T, PE> > &out1, hls::stream<word_t<T, PE> > &out2,
                       unsigned num_words, unsigned reps) {
  const unsigned long long total = (unsigned long long)reps * num_words;
  for (unsigned long long i = 0; i < total; i++) {
    QNN_PRAGMA(HLS PIPELINE II=1)
    const word_t<T, PE> w = in.read();
    out0.write(w);
    out1.write(w);
    out2.write(w);
  }
}

}  // namespace qnn

#endif  // QNN_STREAMS_H
