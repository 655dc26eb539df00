// RUN: qnn-opt %s -p insert-fifos,size-fifos --split-input-file | filecheck %s
// RUN: qnn-opt %s -p insert-fifos,size-fifos,size-fifos --split-input-file | filecheck %s

// A residual block: the long branch pads and runs a 3x3 conv. Before its first output
// pixel the SWG must have read 3 padded rows, i.e. 2 input rows of 4x2 words = 16 words
// of the split stream, all of which the split also pushes into the shortcut while the
// join waits: the shortcut needs 16 words (15 ahead + the one being paired), 2 of which
// the duplicate's output slice holds: 14 in the FIFO (the deadlock part). The latency
// part: the long branch's pipeline (FIFO 1 + padding 3 + FIFO 1 + SWG 3 + FIFO 1 + MVAU
// 9 + FIFO 1 cycles) is 18 cycles longer than the shortcut's FIFO, 18 words at the
// input's word per cycle; and the split's words arriving at the partition's pace (32
// per 576 cycles, the MVAU's), the shortcut's k-th word waits at most 18.4 words for
// the long branch's (`_word_times`: the SWG's need, the padding's 28 words between
// frames, the SWG writing each output row at the pace over 144 cycles): 19 + 1 - 2 = 18
// words, 4 beyond the deadlock part. 14 + 22 is more than the frame: the shortcut
// holds the frame, 32 words. The
// FIFO before the padding holds what the split delivers, at the partition's pace,
// while the padding writes its 28 words paced by its consumers (28 * 288 / 72 cycles):
// 13 + 2 words.
// CHECK-LABEL: func.func @residual
// CHECK:       %[[IN:.*]] = dataflow.fifo %s {depth = 2 : i64}
// CHECK-NEXT:  %[[A:.*]], %[[B:.*]] = dataflow.duplicate_streams %[[IN]]
// CHECK-NEXT:  %[[LONG:.*]] = dataflow.fifo %[[A]] {depth = 15 : i64}
// CHECK-NEXT:  %[[SHORT:.*]] = dataflow.fifo %[[B]] {depth = 32 : i64}
// CHECK:       dataflow.add_streams %{{.*}}, %[[SHORT]]
// CHECK-NOT:   depth = 32
func.func @residual(%x : tensor<1x4x4x2x!quant.uint<2>>) -> tensor<1x4x4x2x!quant.uint<8>> {
  %w = quant.constant dense<1> : tensor<18x2xi8> -> tensor<18x2x!quant.int<2>>
  %r = dataflow.partition(%x) : (tensor<1x4x4x2x!quant.uint<2>>) -> tensor<1x4x4x2x!quant.uint<8>> {
  ^bb0(%s : !dataflow.stream<4x4x2x!quant.uint<2>, lanes 1>):
    %a, %b = dataflow.duplicate_streams %s {pe = 1 : i64} : (!dataflow.stream<4x4x2x!quant.uint<2>, lanes 1>) -> (!dataflow.stream<4x4x2x!quant.uint<2>, lanes 1>, !dataflow.stream<4x4x2x!quant.uint<2>, lanes 1>)
    %p = dataflow.fm_padding %a {pads = array<i64: 1, 1, 1, 1>, simd = 1 : i64} : (!dataflow.stream<4x4x2x!quant.uint<2>, lanes 1>) -> !dataflow.stream<6x6x2x!quant.uint<2>, lanes 1>
    %c = dataflow.swg %p {kernel = array<i64: 3, 3>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, simd = 1 : i64} : (!dataflow.stream<6x6x2x!quant.uint<2>, lanes 1>) -> !dataflow.stream<4x4x18x!quant.uint<2>, lanes 1>
    %m = dataflow.mvau %c, %w {simd = 1 : i64, pe = 1 : i64, acc_dtype = !quant.uint<6>} : (!dataflow.stream<4x4x18x!quant.uint<2>, lanes 1>, tensor<18x2x!quant.int<2>>) -> !dataflow.stream<4x4x2x!quant.uint<6>, lanes 1>
    %sum = dataflow.add_streams %m, %b {pe = 1 : i64} : (!dataflow.stream<4x4x2x!quant.uint<6>, lanes 1>, !dataflow.stream<4x4x2x!quant.uint<2>, lanes 1>) -> !dataflow.stream<4x4x2x!quant.uint<8>, lanes 1>
    dataflow.yield %sum : !dataflow.stream<4x4x2x!quant.uint<8>, lanes 1>
  }
  func.return %r : tensor<1x4x4x2x!quant.uint<8>>
}

// -----

// Bursts. The second MVAU (MW 16, MH 4) reads a vector, then computes 3 more neuron
// folds without reading: 48 cycles. Its producer (MW 4, MH 16) emits 16 words per 64
// cycles, 1/4 word per cycle, no faster than the consumer reads on average (16 words per
// 64 cycles), so it keeps going during the pause: 48/4 = 12 words. The first MVAU is
// slower than the partition input feeding it (1/16 word per cycle on average against
// 1): its pauses stall the input whatever the depth, so that FIFO stays at 2.
// CHECK-LABEL: func.func @burst
// CHECK:       dataflow.fifo %s {depth = 2 : i64}
// CHECK:       dataflow.fifo %{{.*}} {depth = 12 : i64}
// CHECK:       dataflow.fifo %{{.*}} {depth = 2 : i64}
func.func @burst(%x : tensor<1x2x4x!quant.uint<2>>) -> tensor<1x2x4x!quant.uint<12>> {
  %w1 = quant.constant dense<1> : tensor<4x16xi8> -> tensor<4x16x!quant.int<2>>
  %w2 = quant.constant dense<1> : tensor<16x4xi8> -> tensor<16x4x!quant.int<2>>
  %r = dataflow.partition(%x) : (tensor<1x2x4x!quant.uint<2>>) -> tensor<1x2x4x!quant.uint<12>> {
  ^bb0(%s : !dataflow.stream<2x4x!quant.uint<2>, lanes 1>):
    %h = dataflow.mvau %s, %w1 {simd = 1 : i64, pe = 1 : i64, acc_dtype = !quant.uint<4>} : (!dataflow.stream<2x4x!quant.uint<2>, lanes 1>, tensor<4x16x!quant.int<2>>) -> !dataflow.stream<2x16x!quant.uint<4>, lanes 1>
    %o = dataflow.mvau %h, %w2 {simd = 1 : i64, pe = 1 : i64, acc_dtype = !quant.uint<12>} : (!dataflow.stream<2x16x!quant.uint<4>, lanes 1>, tensor<16x4x!quant.int<2>>) -> !dataflow.stream<2x4x!quant.uint<12>, lanes 1>
    dataflow.yield %o : !dataflow.stream<2x4x!quant.uint<12>, lanes 1>
  }
  func.return %r : tensor<1x2x4x!quant.uint<12>>
}

// -----

// An overlapped SWG (3x3 on 6x6x2, a buffer of 4 rows of 12 words) after an MVAU that
// emits a quarter word per cycle (2 words per 8 cycles), before one that takes 576
// cycles per frame (the pace). The SWG reads its next rows while it writes, so no row
// is written without reading (the alternating SWG's fill: an output row of 72 words
// over 144 cycles at the pace, its input at 1/8 word per cycle: 18 + 2); beside a frame's last output row it reads one row, so it
// reads the next frame's first window but that row back to back: 3·12 - 12 = 24 words
// with no output word (its 312 cycles per frame are 4 rows of 72 and these 24). The
// producer, faster than the SWG reads on average (1/4 against 72/312), delivers a
// quarter of them meanwhile: the FIFO before holds 18 + 2 (R·RW = 36 words: 29 with
// the alternating model). The FIFO after it feeds the MVAU (1/2 word per cycle at the
// pace) during those 24 cycles: 12, + its 18-word vector + 2 (38 with 36 rows' words).
// CHECK-LABEL: func.func @overlapped
// CHECK:       dataflow.fifo %s {depth = 2 : i64}
// CHECK:       dataflow.fifo %h {depth = 20 : i64}
// CHECK:       dataflow.fifo %c {depth = 32 : i64}
// CHECK:       dataflow.fifo %o {depth = 2 : i64}
func.func @overlapped(%x : tensor<1x6x6x4x!quant.uint<2>>) -> tensor<1x4x4x2x!quant.uint<12>> {
  %w1 = quant.constant dense<1> : tensor<4x2xi8> -> tensor<4x2x!quant.int<2>>
  %w2 = quant.constant dense<1> : tensor<18x2xi8> -> tensor<18x2x!quant.int<2>>
  %r = dataflow.partition(%x) : (tensor<1x6x6x4x!quant.uint<2>>) -> tensor<1x4x4x2x!quant.uint<12>> {
  ^bb0(%s : !dataflow.stream<6x6x4x!quant.uint<2>, lanes 1>):
    %h = dataflow.mvau %s, %w1 {simd = 1 : i64, pe = 1 : i64, acc_dtype = !quant.uint<5>} : (!dataflow.stream<6x6x4x!quant.uint<2>, lanes 1>, tensor<4x2x!quant.int<2>>) -> !dataflow.stream<6x6x2x!quant.uint<5>, lanes 1>
    %c = dataflow.swg %h {kernel = array<i64: 3, 3>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, simd = 1 : i64} : (!dataflow.stream<6x6x2x!quant.uint<5>, lanes 1>) -> !dataflow.stream<4x4x18x!quant.uint<5>, lanes 1>
    %o = dataflow.mvau %c, %w2 {simd = 1 : i64, pe = 1 : i64, acc_dtype = !quant.uint<12>} : (!dataflow.stream<4x4x18x!quant.uint<5>, lanes 1>, tensor<18x2x!quant.int<2>>) -> !dataflow.stream<4x4x2x!quant.uint<12>, lanes 1>
    dataflow.yield %o : !dataflow.stream<4x4x2x!quant.uint<12>, lanes 1>
  }
  func.return %r : tensor<1x4x4x2x!quant.uint<12>>
}

// -----

// Must not deepen: a join of two partition inputs (nothing is split, each side is fed
// on its own), and a FIFO given by hand on a plain edge is re-sized to the model's 2.
// CHECK-LABEL: func.func @keeps
// CHECK-NOT:   depth = {{[013-9]}}
// CHECK-NOT:   depth = {{[0-9][0-9]+}}
func.func @keeps(%x : tensor<1x4x!quant.uint<2>>, %y : tensor<1x4x!quant.uint<2>>) -> tensor<1x4x!quant.uint<3>> {
  %r = dataflow.partition(%x, %y) : (tensor<1x4x!quant.uint<2>>, tensor<1x4x!quant.uint<2>>) -> tensor<1x4x!quant.uint<3>> {
  ^bb0(%s : !dataflow.stream<4x!quant.uint<2>, lanes 1>, %t : !dataflow.stream<4x!quant.uint<2>, lanes 1>):
    %f = dataflow.fifo %s {depth = 100 : i64} : (!dataflow.stream<4x!quant.uint<2>, lanes 1>) -> !dataflow.stream<4x!quant.uint<2>, lanes 1>
    %sum = dataflow.add_streams %f, %t {pe = 1 : i64} : (!dataflow.stream<4x!quant.uint<2>, lanes 1>, !dataflow.stream<4x!quant.uint<2>, lanes 1>) -> !dataflow.stream<4x!quant.uint<3>, lanes 1>
    dataflow.yield %sum : !dataflow.stream<4x!quant.uint<3>, lanes 1>
  }
  func.return %r : tensor<1x4x!quant.uint<3>>
}
