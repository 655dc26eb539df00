// Data movers between memory and the accelerator's streams.
//
// A DMA buffer holds the stream words of `frames` frames back to back, each word in
// ceil(W/8) bytes, least significant byte first, zero-padded to whole bus words of BUS_W
// bits (backend_hls/runtime/packing.py packs and unpacks exactly this layout). Bus word j
// holds buffer bytes [j*BUS_W/8, (j+1)*BUS_W/8), byte 0 at its LSB (AXI is little endian).
//
//   dma_read<BUS_W, W, WPF>(src, out, frames)   memory -> AXI4-Stream, TLAST on the last
//                                               word of every frame, TKEEP all ones
//   dma_write<BUS_W, W, WPF>(in, dst, frames)   stream -> memory, counting WPF words per
//                                               frame (no TLAST needed from the producer)
//   axis_words<W, WPF>(in, out, frames)         AXI4-Stream -> plain words; false when
//                                               TLAST is not exactly at the frame ends
//
// WPF is the number of stream words per frame. Each loop moves at most one bus word and
// one stream word per iteration (II=1), holding the bits in between in a shift buffer of
// BUS_W + 8*ceil(W/8) bits, so any width pair works without division in the loop.
#ifndef QNN_DMA_H
#define QNN_DMA_H

#include "common.h"

#ifdef __SYNTHESIS__
#include <ap_axi_sdata.h>
#endif

namespace qnn {

// The stream word of a DMA port: W data bits padded to whole bytes, TKEEP, TLAST.
#ifdef __SYNTHESIS__
template <int W>
using axis_word = ap_axiu<8 * ((W + 7) / 8), 0, 0, 0>;
#else
template <int W>
struct axis_word {
  ap_uint<8 * ((W + 7) / 8)> data;
  ap_uint<(W + 7) / 8> keep;
  ap_uint<(W + 7) / 8> strb;
  ap_uint<1> last;
};
#endif

// Bus words a buffer of `words` stream words of W bits occupies.
template <unsigned BUS_W, unsigned W>
inline unsigned long long dma_bus_words(unsigned long long words) {
  const unsigned long long bytes = words * ((W + 7) / 8);
  return (bytes + BUS_W / 8 - 1) / (BUS_W / 8);
}

template <unsigned BUS_W, unsigned W, unsigned WPF>
void dma_read(const ap_uint<BUS_W> *src, hls::stream<axis_word<W> > &out, unsigned frames) {
  const unsigned WB = 8 * ((W + 7) / 8);
  const unsigned long long words = (unsigned long long)frames * WPF;
  const unsigned long long steps = words + dma_bus_words<BUS_W, W>(words);
  ap_uint<BUS_W + WB> buffer = 0;
  unsigned have = 0;  // valid bits in buffer
  unsigned long long next = 0;  // next bus word
  unsigned in_frame = 0;  // words of the current frame sent
  for (unsigned long long step = 0; step < steps; step++) {
    QNN_PRAGMA(HLS PIPELINE II=1)
    if (have >= WB) {
      axis_word<W> word;
      word.data = buffer(WB - 1, 0);
      word.keep = -1;
      word.strb = -1;
      word.last = in_frame == WPF - 1;
      out.write(word);
      buffer >>= WB;
      have -= WB;
      in_frame = in_frame == WPF - 1 ? 0 : in_frame + 1;
    } else {
      ap_uint<BUS_W + WB> bus = src[next++];
      buffer |= bus << have;
      have += BUS_W;
    }
  }
}

template <unsigned BUS_W, unsigned W, unsigned WPF>
void dma_write(hls::stream<ap_uint<W> > &in, ap_uint<BUS_W> *dst, unsigned frames) {
  const unsigned WB = 8 * ((W + 7) / 8);
  const unsigned long long words = (unsigned long long)frames * WPF;
  const unsigned long long bus_words = dma_bus_words<BUS_W, W>(words);
  const unsigned long long steps = words + bus_words;
  ap_uint<BUS_W + WB> buffer = 0;
  unsigned have = 0;
  unsigned long long taken = 0;  // stream words read
  unsigned long long next = 0;  // next bus word
  for (unsigned long long step = 0; step < steps; step++) {
    QNN_PRAGMA(HLS PIPELINE II=1)
    if (have >= BUS_W || (taken == words && next < bus_words)) {
      dst[next++] = buffer(BUS_W - 1, 0);  // the last one zero-padded
      buffer >>= BUS_W;
      have = have >= BUS_W ? have - BUS_W : 0;
    } else {
      ap_uint<BUS_W + WB> word = in.read();
      buffer |= word << have;
      have += WB;
      taken++;
    }
  }
}

template <unsigned W, unsigned WPF>
bool axis_words(hls::stream<axis_word<W> > &in, hls::stream<ap_uint<W> > &out, unsigned frames) {
  bool framed = true;
  unsigned in_frame = 0;
  for (unsigned long long i = 0; i < (unsigned long long)frames * WPF; i++) {
    QNN_PRAGMA(HLS PIPELINE II=1)
    const axis_word<W> word = in.read();
    framed = framed && (word.last == 1) == (in_frame == WPF - 1);
    out.write(word.data(W - 1, 0));
    in_frame = in_frame == WPF - 1 ? 0 : in_frame + 1;
  }
  return framed;
}

}  // namespace qnn

#endif  // QNN_DMA_H
