// qnn HLS template library -- layout stream kernels: nearest-neighbour upsampling, depth to
// space, slicing.
#ifndef QNN_LAYOUT_H
#define QNN_LAYOUT_H

#include "common.h"

namespace qnn {

/// Nearest-neighbour upsampling by integer factors. in: per frame an H x W x C feature map,
/// C/PE words of PE lanes of T per pixel; out: the (H*SH) x (W*SW) x C map with
/// out[y][x][c] = in[y/SH][x/SW][c]. One input row is kept: the first copy of each row is written
/// as its words arrive (each pixel then repeated SW - 1 times), the row is then written SH - 1
/// more times. One output word per cycle.
template <unsigned H, unsigned W, unsigned C, unsigned SH, unsigned SW, unsigned PE, typename T>
void upsample(hls::stream<word_t<T, PE> > &in, hls::stream<word_t<T, PE> > &out, unsigned reps) {
  static_assert(C % PE == 0, "PE must divide C");
  static_assert(SH >= 1 && SW >= 1, "the factors must be >= 1");
  const unsigned FOLDS = C / PE;
  word_t<T, PE> row[W * FOLDS];
  for (unsigned rep = 0; rep < reps; rep++) {
    for (unsigned y = 0; y < H; y++) {
      for (unsigned x = 0; x < W; x++) {
        for (unsigned f = 0; f < FOLDS; f++) {
          QNN_PRAGMA(HLS PIPELINE II=1)
          const word_t<T, PE> v = in.read();
          row[x * FOLDS + f] = v;
          out.write(v);
        }
        for (unsigned i = 0; i < (SW - 1) * FOLDS; i++) {
          QNN_PRAGMA(HLS PIPELINE II=1)
          out.write(row[x * FOLDS + i % FOLDS]);
        }
      }
      for (unsigned r = 1; r < SH; r++) {
        for (unsigned i = 0; i < W * SW * FOLDS; i++) {
          QNN_PRAGMA(HLS PIPELINE II=1)
          out.write(row[(i / (SW * FOLDS)) * FOLDS + i % FOLDS]);
        }
      }
    }
  }
}

/// Depth to space with block size B on an H x W x C frame (C/PE words of PE lanes of T per
/// pixel): out[y*B+i][x*B+j][c] = in[y][x][k] with D = C/(B*B) output channels and
/// k = (i*B+j)*D + c (CRD = 0: DCR mode) or k = c*B*B + i*B + j (CRD = 1). One input row is
/// buffered (as lane bits): its W*C/PE words are read, then the B output rows it makes are written,
/// one word per cycle.
template <unsigned H, unsigned W, unsigned C, unsigned B, unsigned CRD, unsigned PE, typename T>
void depth_to_space(hls::stream<word_t<T, PE> > &in, hls::stream<word_t<T, PE> > &out,
                    unsigned reps) {
  static_assert(C % (B * B) == 0, "B*B must divide C");
  const unsigned D = C / (B * B);
  static_assert(D % PE == 0, "PE must divide the output channels C/(B*B)");
  const int BITS = elem_traits<T>::width;
  ap_uint<BITS> row[W][C];
  for (unsigned rep = 0; rep < reps; rep++) {
    for (unsigned y = 0; y < H; y++) {
      for (unsigned x = 0; x < W; x++) {
        for (unsigned f = 0; f < C / PE; f++) {
          QNN_PRAGMA(HLS PIPELINE II=1)
          const word_t<T, PE> v = in.read();
          for (unsigned p = 0; p < PE; p++) {
            QNN_PRAGMA(HLS UNROLL)
            row[x][f * PE + p] = lane_bits<T>(v, p);
          }
        }
      }
      for (unsigned i = 0; i < B; i++) {
        for (unsigned x = 0; x < W; x++) {
          for (unsigned j = 0; j < B; j++) {
            for (unsigned f = 0; f < D / PE; f++) {
              QNN_PRAGMA(HLS PIPELINE II=1)
              word_t<T, PE> o = 0;
              for (unsigned p = 0; p < PE; p++) {
                QNN_PRAGMA(HLS UNROLL)
                const unsigned c = f * PE + p;
                const unsigned k = CRD ? c * B * B + i * B + j : (i * B + j) * D + c;
                o.range((p + 1) * BITS - 1, p * BITS) = row[x][k];
              }
              out.write(o);
            }
          }
        }
      }
    }
  }
}

/// The elements of one axis range start:end:step (end exclusive) contain index i.
inline bool in_range(unsigned i, unsigned start, unsigned end, unsigned step) {
  return i >= start && i < end && (i - start) % step == 0;
}

/// A constant-range slice of an H x W x C frame (C/PE words of PE lanes of T per pixel): the
/// words of rows H0:H1:HS, columns W0:W1:WS and channels C0:C1:CS pass in order, the others are
/// read and dropped. With PE > 1 the channel range is whole words (CS = 1, PE | C0, PE | C1).
/// One input word per cycle.
template <unsigned H, unsigned W, unsigned C, unsigned PE, typename T, unsigned H0, unsigned H1,
          unsigned HS, unsigned W0, unsigned W1, unsigned WS, unsigned C0, unsigned C1, unsigned CS>
void slice(hls::stream<word_t<T, PE> > &in, hls::stream<word_t<T, PE> > &out, unsigned reps) {
  static_assert(C % PE == 0, "PE must divide C");
  static_assert(PE == 1 || (CS == 1 && C0 % PE == 0 && C1 % PE == 0),
                "with PE > 1 the channel range must be whole words");
  const unsigned FOLDS = C / PE;
  for (unsigned rep = 0; rep < reps; rep++) {
    for (unsigned y = 0; y < H; y++) {
      for (unsigned x = 0; x < W; x++) {
        for (unsigned f = 0; f < FOLDS; f++) {
          QNN_PRAGMA(HLS PIPELINE II=1)
          const word_t<T, PE> v = in.read();
          if (in_range(y, H0, H1, HS) && in_range(x, W0, W1, WS) && in_range(f * PE, C0, C1, CS)) {
            out.write(v);
          }
        }
      }
    }
  }
}

}  // namespace qnn

#endif  // QNN_LAYOUT_H
