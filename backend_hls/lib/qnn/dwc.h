// qnn HLS template library -- streaming data width converter.
#ifndef QNN_DWC_H
#define QNN_DWC_H

#include "common.h"

namespace qnn {

namespace detail {

/// 0: IN_W multiple of OUT_W (split), 1: OUT_W multiple of IN_W (gather), 2: general.
template <unsigned IN_W, unsigned OUT_W>
struct dwc_mode {
  static const int value = (IN_W % OUT_W == 0) ? 0 : ((OUT_W % IN_W == 0) ? 1 : 2);
};

template <unsigned IN_W, unsigned OUT_W, unsigned NUM_IN_WORDS, int MODE>
struct dwc_impl;

// Split: each input word becomes IN_W/OUT_W output words, least significant part first.
template <unsigned IN_W, unsigned OUT_W, unsigned NUM_IN_WORDS>
struct dwc_impl<IN_W, OUT_W, NUM_IN_WORDS, 0> {
  static void run(hls::stream<ap_uint<IN_W> > &in, hls::stream<ap_uint<OUT_W> > &out,
                  unsigned reps) {
    const unsigned RATIO = IN_W / OUT_W;
    ap_uint<IN_W> buf = 0;
    unsigned sub = 0;
    const unsigned long long total = (unsigned long long)reps * NUM_IN_WORDS * RATIO;
    for (unsigned long long i = 0; i < total; i++) {
      QNN_PRAGMA(HLS PIPELINE II=1)
      if (sub == 0) buf = in.read();
      out.write(ap_uint<OUT_W>(buf.range(OUT_W - 1, 0)));
      if (RATIO > 1) buf = buf >> OUT_W;
      sub = (sub == RATIO - 1) ? 0 : sub + 1;
    }
  }
};

// Gather: OUT_W/IN_W input words form one output word, the first in the least significant bits.
template <unsigned IN_W, unsigned OUT_W, unsigned NUM_IN_WORDS>
struct dwc_impl<IN_W, OUT_W, NUM_IN_WORDS, 1> {
  static void run(hls::stream<ap_uint<IN_W> > &in, hls::stream<ap_uint<OUT_W> > &out,
                  unsigned reps) {
    const unsigned RATIO = OUT_W / IN_W;
    static_assert(NUM_IN_WORDS % RATIO == 0, "frame size must be a whole number of out words");
    ap_uint<OUT_W> buf = 0;
    unsigned sub = 0;
    const unsigned long long total = (unsigned long long)reps * NUM_IN_WORDS;
    for (unsigned long long i = 0; i < total; i++) {
      QNN_PRAGMA(HLS PIPELINE II=1)
      const ap_uint<IN_W> x = in.read();
      buf.range((sub + 1) * IN_W - 1, sub * IN_W) = x;
      if (sub == RATIO - 1) {
        out.write(buf);
        sub = 0;
      } else {
        sub++;
      }
    }
  }
};

// General case: a bit buffer of IN_W + OUT_W bits holding `bits` valid bits at its LSB end.
// Each cycle either emits an output word (if OUT_W bits are available) or reads an input word
// (one stream operation per cycle: NUM_IN_WORDS + NUM_OUT_WORDS cycles per frame).
template <unsigned IN_W, unsigned OUT_W, unsigned NUM_IN_WORDS>
struct dwc_impl<IN_W, OUT_W, NUM_IN_WORDS, 2> {
  static void run(hls::stream<ap_uint<IN_W> > &in, hls::stream<ap_uint<OUT_W> > &out,
                  unsigned reps) {
    static_assert((NUM_IN_WORDS * IN_W) % OUT_W == 0,
                  "frame size must be a whole number of out words");
    const unsigned NUM_OUT_WORDS = NUM_IN_WORDS * IN_W / OUT_W;
    const unsigned BW = IN_W + OUT_W;
    for (unsigned rep = 0; rep < reps; rep++) {
      ap_uint<BW> buf = 0;
      unsigned bits = 0;
      for (unsigned i = 0; i < NUM_IN_WORDS + NUM_OUT_WORDS; i++) {
        QNN_PRAGMA(HLS PIPELINE II=1)
        if (bits >= OUT_W) {
          out.write(ap_uint<OUT_W>(buf.range(OUT_W - 1, 0)));
          buf = buf >> OUT_W;
          bits -= OUT_W;
        } else {
          ap_uint<BW> x = in.read();
          buf |= x << bits;
          bits += IN_W;
        }
      }
    }
  }
};

}  // namespace detail

/// Streaming data width converter: re-slices a stream of IN_W-bit words into OUT_W-bit words,
/// preserving bit order (the frame's bits are concatenated LSB first: input word 0 bits
/// [0, IN_W), word 1 bits [IN_W, 2*IN_W), ...; output word j holds bits [j*OUT_W, (j+1)*OUT_W)).
/// Lanes therefore keep their order. Per frame NUM_IN_WORDS input words; IN_W*NUM_IN_WORDS must
/// be a multiple of OUT_W. Cases: IN_W multiple of OUT_W (one output word per cycle), OUT_W
/// multiple of IN_W (one input word per cycle), general (bit buffer, one stream op per cycle).
template <unsigned IN_W, unsigned OUT_W, unsigned NUM_IN_WORDS>
void dwc(hls::stream<ap_uint<IN_W> > &in, hls::stream<ap_uint<OUT_W> > &out, unsigned reps) {
  detail::dwc_impl<IN_W, OUT_W, NUM_IN_WORDS, detail::dwc_mode<IN_W, OUT_W>::value>::run(in, out,
                                                                                      reps);
}

}  // namespace qnn

#endif  // QNN_DWC_H
