// RUN: qnn-opt %s -p 'set-folding{target-fps=2500000 clock-ns=10}' | filecheck %s --check-prefix=FAST
// RUN: qnn-opt %s -p 'set-folding{target-fps=500000 clock-ns=10}' | filecheck %s --check-prefix=SLOW
// RUN: qnn-opt %s -p 'set-folding{target-fps=2500000 clock-ns=10 parallel-window=false}' | filecheck %s --check-prefix=NOWINDOW

// A 3x3 conv over 6x6x2 (4x4 output pixels, im2col rows of 18).
// At 2.5M fps (40 cycles per frame) no SWG folding that emits one kernel position per
// word can keep up (16 pixels x 9 words); the parallel window (SIMD = C = 2, the whole
// window per word) is read-bound at the input's 36 words per frame, so set-folding takes
// it, and the MVAU reads the 18-lane words with SIMD = 18.
// At 500k fps (200 cycles) one position per word (SIMD = 2: 144 words) is enough.
// Without parallel windows (option parallel-window=false) the SWG stays the bottleneck.

// FAST: dataflow.swg %s {kernel = array<i64: 3, 3>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, simd = 2 : i64, parallel_window = true} : (!dataflow.stream<6x6x2x!quant.uint<2>, lanes 2>) -> !dataflow.stream<4x4x18x!quant.uint<2>, lanes 18>
// FAST-NEXT: dataflow.mvau %{{.*}}, %w {simd = 18 : i64
// FAST-NOT: dataflow.dwc

// SLOW: dataflow.swg %s {kernel = array<i64: 3, 3>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, simd = 2 : i64} : (!dataflow.stream<6x6x2x!quant.uint<2>, lanes 2>) -> !dataflow.stream<4x4x18x!quant.uint<2>, lanes 2>

// NOWINDOW: folding_notes = ["target not reachable: layer SWG_0 needs {{[0-9]+}} cycles per frame even fully unfolded (SIMD=2)
// NOWINDOW-NOT: parallel_window

func.func @conv(%x : tensor<1x6x6x2x!quant.uint<2>>) -> tensor<1x4x4x4x!quant.int<7>> {
  %w = quant.constant dense<1> : tensor<18x4xi8> -> tensor<18x4x!quant.int<2>>
  %r = dataflow.partition(%x) : (tensor<1x6x6x2x!quant.uint<2>>) -> tensor<1x4x4x4x!quant.int<7>> {
  ^bb0(%s : !dataflow.stream<6x6x2x!quant.uint<2>, lanes 1>):
    %win = dataflow.swg %s {kernel = array<i64: 3, 3>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, simd = 1 : i64} : (!dataflow.stream<6x6x2x!quant.uint<2>, lanes 1>) -> !dataflow.stream<4x4x18x!quant.uint<2>, lanes 1>
    %y = dataflow.mvau %win, %w {simd = 1 : i64, pe = 1 : i64, acc_dtype = !quant.int<7>} : (!dataflow.stream<4x4x18x!quant.uint<2>, lanes 1>, tensor<18x4x!quant.int<2>>) -> !dataflow.stream<4x4x4x!quant.int<7>, lanes 1>
    dataflow.yield %y : !dataflow.stream<4x4x4x!quant.int<7>, lanes 1>
  }
  func.return %r : tensor<1x4x4x4x!quant.int<7>>
}
