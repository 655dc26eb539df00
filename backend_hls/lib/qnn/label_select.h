// qnn HLS template library -- top-K label selection.
#ifndef QNN_LABEL_SELECT_H
#define QNN_LABEL_SELECT_H

#include "common.h"

namespace qnn {

/// Top-K label selection. in: per frame N values as N/PE words of PE lanes of TI (value i in
/// word i/PE, lane i%PE). out: per frame K words, each one lane of TO holding an index: the
/// indices of the K largest values in descending value order; equal values are ordered by the
/// lower index first. K <= N. One input word per cycle, then K output cycles.
///
/// Implementation: a sorted register list of K (value, index) entries; each value is inserted by
/// comparing against all entries in parallel (PE insertions are chained within a cycle).
template <unsigned N, unsigned PE, unsigned K, typename TI, typename TO>
void label_select(hls::stream<word_t<TI, PE> > &in, hls::stream<word_t<TO, 1> > &out,
                  unsigned reps) {
  static_assert(N % PE == 0, "PE must divide N");
  static_assert(K >= 1 && K <= N, "need 1 <= K <= N");
  static_assert(elem_traits<TO>::width >= 32 || (1ULL << elem_traits<TO>::width) >= N,
                "index type too narrow");
  typedef typename elem_traits<TI>::value_type value_t;
  const unsigned NW = N / PE;

  value_t val[K];
  ap_uint<32> idx[K];
  bool valid[K];
  QNN_PRAGMA(HLS ARRAY_PARTITION variable=val complete dim=1)
  QNN_PRAGMA(HLS ARRAY_PARTITION variable=idx complete dim=1)
  QNN_PRAGMA(HLS ARRAY_PARTITION variable=valid complete dim=1)

  for (unsigned rep = 0; rep < reps; rep++) {
    for (unsigned k = 0; k < K; k++) {
      QNN_PRAGMA(HLS UNROLL)
      valid[k] = false;
      val[k] = 0;
      idx[k] = 0;
    }
    for (unsigned w = 0; w < NW; w++) {
      QNN_PRAGMA(HLS PIPELINE II=1)
      const word_t<TI, PE> x = in.read();
      for (unsigned p = 0; p < PE; p++) {
        QNN_PRAGMA(HLS UNROLL)
        const value_t v = get_lane<TI>(x, p);
        const ap_uint<32> vi = w * PE + p;
        // Walk from the tail so that entry j-1 is still unmodified when entry j looks at it.
        // A new value goes in front of an entry only if strictly larger: earlier indices win ties.
        for (int j = K - 1; j >= 0; j--) {
          QNN_PRAGMA(HLS UNROLL)
          const bool beats_j = !valid[j] || v > val[j];
          if (beats_j) {
            const bool beats_prev = (j > 0) && (!valid[j - 1] || v > val[j - 1]);
            if (beats_prev) {
              val[j] = val[j - 1];
              idx[j] = idx[j - 1];
              valid[j] = valid[j - 1];
            } else {
              val[j] = v;
              idx[j] = vi;
              valid[j] = true;
            }
          }
        }
      }
    }
    for (unsigned k = 0; k < K; k++) {
      QNN_PRAGMA(HLS PIPELINE II=1)
      word_t<TO, 1> o = 0;
      set_lane<TO>(o, 0, idx[k]);
      out.write(o);
    }
  }
}

}  // namespace qnn

#endif  // QNN_LABEL_SELECT_H
