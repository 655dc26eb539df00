// RUN: qnn-opt %s --split-input-file -p 'set-folding{target-fps=20000000 clock-ns=10}' | filecheck %s --check-prefix=FAST
// RUN: qnn-opt %s --split-input-file -p 'set-folding{target-fps=1000}' | filecheck %s --check-prefix=SLOW
// RUN: qnn-opt %s --split-input-file -p 'set-folding{target-fps=100000000 clock-ns=10 relax=false}' | filecheck %s --check-prefix=UNREACH
// RUN: qnn-opt %s --split-input-file -p 'set-folding{target-fps=500000 clock-ns=10}' | filecheck %s --check-prefix=DW

// An MLP 8 -> 4 -> 1 -> top-1, everything at PE = SIMD = 1.
// At 5 cycles per frame (fast), MVAU_0 (8x4, 32 MACs) needs PE*SIMD >= 7: the least parallel
// foldings meeting it have PE*SIMD = 8, and among them SIMD = 8 (one PE) costs the fewest
// LUTs; the input takes 8 lanes (no converter). MVAU_1 meets 5 cycles at SIMD 1, but the
// cheapest combination unfolds it (SIMD 4: its weights become logic instead of a BRAM18)
// behind a 1 -> 4 lane converter.
// At 1000 fps (slow), = 100000 cycles: MVAU_0 stays at PE = SIMD = 1, MVAU_1 is again
// cheapest unfolded.
// At 1 cycle (unreach), LabelSelect_0 needs 2 even fully unfolded; without relaxation every
// other layer meets 1 cycle (MVAU_0 fully unfolded, MVAU_1 SIMD = 4), with a note.

// FAST-LABEL: func.func @mlp
// FAST-NOT: folding_notes
// FAST: dataflow.partition(%x) {set_folding = {target_fps = 2.000000e+07 : f64, clock_ns = 1.000000e+01 : f64, target_cycles = 5 : i64, max_weight_width = 36 : i64, part = "xc7z020clg400-1", max_utilization = 8.500000e-01 : f64}} :
// FAST-NEXT: ^bb0(%s: !dataflow.stream<8x!quant.uint<2>, lanes 8>):
// FAST-NEXT: dataflow.mvau %s, %w, %t {simd = 8 : i64, pe = 1 : i64, {{.*}}} : (!dataflow.stream<8x!quant.uint<2>, lanes 8>, {{.*}}) -> !dataflow.stream<4x!quant.uint<2>, lanes 1>
// FAST-NEXT: dataflow.dwc %h : (!dataflow.stream<4x!quant.uint<2>, lanes 1>) -> !dataflow.stream<4x!quant.uint<2>, lanes 4>
// FAST-NEXT: dataflow.mvau %0, %w2 {simd = 4 : i64, pe = 1 : i64, {{.*}}} : (!dataflow.stream<4x!quant.uint<2>, lanes 4>, {{.*}}) -> !dataflow.stream<1x!quant.int<5>, lanes 1>
// FAST-NEXT: dataflow.label_select
// FAST: func.return

// SLOW-LABEL: func.func @mlp
// SLOW-NOT: folding_notes
// SLOW: ^bb0(%s: !dataflow.stream<8x!quant.uint<2>, lanes 1>):
// SLOW-NEXT: dataflow.mvau %s, %w, %t {simd = 1 : i64, pe = 1 : i64
// SLOW-NEXT: dataflow.dwc %h
// SLOW-NEXT: dataflow.mvau %0, %w2 {simd = 4 : i64, pe = 1 : i64
// SLOW: func.return

// UNREACH-LABEL: func.func @mlp
// UNREACH: folding_notes = ["target not reachable: layer LabelSelect_0 needs 2 cycles per frame even fully unfolded (PE=1), the target is 1 cycles (1e+08 fps at 10 ns)"]
// UNREACH: dataflow.mvau %s, %w, %t {simd = 8 : i64, pe = 4 : i64
// UNREACH-SAME: -> !dataflow.stream<4x!quant.uint<2>, lanes 4>
// UNREACH-NEXT: dataflow.mvau %h, %w2 {simd = 4 : i64, pe = 1 : i64
// UNREACH-NOT: dataflow.dwc
// UNREACH: func.return
func.func @mlp(%x : tensor<2x8x!quant.uint<2>>) -> tensor<2x1x!quant.uint<2>> {
  %w = quant.constant dense<[[1, -1, 0, 1], [2, 1, 1, 0], [0, 0, 1, -2], [1, 1, 1, 1], [1, 0, 0, 0], [-1, 0, 1, 0], [0, 1, 0, 1], [1, 1, 0, 0]]> : tensor<8x4xi8> -> tensor<8x4x!quant.int<3>>
  %t = quant.constant dense<[[-2, 1, 4]]> : tensor<1x3xi8> -> tensor<1x3x!quant.int<7>>
  %w2 = quant.constant dense<[[1], [-1], [1], [1]]> : tensor<4x1xi8> -> tensor<4x1x!quant.int<2>>
  %r = dataflow.partition(%x) : (tensor<2x8x!quant.uint<2>>) -> tensor<2x1x!quant.uint<2>> {
  ^bb0(%s : !dataflow.stream<8x!quant.uint<2>, lanes 1>):
    %h = dataflow.mvau %s, %w, %t {simd = 1 : i64, pe = 1 : i64, acc_dtype = !quant.int<7>} : (!dataflow.stream<8x!quant.uint<2>, lanes 1>, tensor<8x4x!quant.int<3>>, tensor<1x3x!quant.int<7>>) -> !dataflow.stream<4x!quant.uint<2>, lanes 1>
    %o = dataflow.mvau %h, %w2 {simd = 1 : i64, pe = 1 : i64, acc_dtype = !quant.int<5>} : (!dataflow.stream<4x!quant.uint<2>, lanes 1>, tensor<4x1x!quant.int<2>>) -> !dataflow.stream<1x!quant.int<5>, lanes 1>
    %l = dataflow.label_select %o {k = 1 : i64, pe = 1 : i64} : (!dataflow.stream<1x!quant.int<5>, lanes 1>) -> !dataflow.stream<1x!quant.uint<2>, lanes 1>
    dataflow.yield %l : !dataflow.stream<1x!quant.uint<2>, lanes 1>
  }
  func.return %r : tensor<2x1x!quant.uint<2>>
}

// -----

// A depthwise 3x3 conv: swg {depthwise} + vvau are folded together (SWG SIMD = VVAU PE).
// At 200 cycles (dw), the pair needs 720/P cycles (the SWG is the slower), so P = 4, and the
// thresholding after it (4x4x4 = 64/PE cycles) stays at PE = 1 behind a converter.

// DW-LABEL: func.func @depthwise
// DW: ^bb0(%s: !dataflow.stream<6x6x4x!quant.uint<2>, lanes 4>):
// DW-NEXT: dataflow.swg %s {{{.*}}simd = 4 : i64, depthwise = true} : (!dataflow.stream<6x6x4x!quant.uint<2>, lanes 4>) -> !dataflow.stream<4x4x36x!quant.uint<2>, lanes 4, depthwise 9>
// DW-NEXT: dataflow.vvau %{{.*}}, %wd, %td {simd = 1 : i64, pe = 4 : i64, {{.*}}} : (!dataflow.stream<4x4x36x!quant.uint<2>, lanes 4, depthwise 9>, {{.*}}) -> !dataflow.stream<4x4x4x!quant.uint<2>, lanes 4>
// DW-NEXT: %[[D:.*]] = dataflow.dwc %{{.*}} : (!dataflow.stream<4x4x4x!quant.uint<2>, lanes 4>) -> !dataflow.stream<4x4x4x!quant.uint<2>, lanes 1>
// DW-NEXT: dataflow.thresholding %[[D]], %t {pe = 1 : i64}
func.func @depthwise(%x : tensor<1x6x6x4x!quant.uint<2>>) -> tensor<1x4x4x4x!quant.uint<2>> {
  %wd = quant.constant dense<1> : tensor<9x4xi8> -> tensor<9x4x!quant.int<2>>
  %td = quant.constant dense<[[0, 2, 4]]> : tensor<1x3xi8> -> tensor<1x3x!quant.int<7>>
  %t = quant.constant dense<[[1, 2, 3]]> : tensor<1x3xi8> -> tensor<1x3x!quant.int<3>>
  %r = dataflow.partition(%x) : (tensor<1x6x6x4x!quant.uint<2>>) -> tensor<1x4x4x4x!quant.uint<2>> {
  ^bb0(%s : !dataflow.stream<6x6x4x!quant.uint<2>, lanes 1>):
    %win = dataflow.swg %s {kernel = array<i64: 3, 3>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, simd = 1 : i64, depthwise = true} : (!dataflow.stream<6x6x4x!quant.uint<2>, lanes 1>) -> !dataflow.stream<4x4x36x!quant.uint<2>, lanes 1, depthwise 9>
    %dw = dataflow.vvau %win, %wd, %td {simd = 1 : i64, pe = 1 : i64, acc_dtype = !quant.int<7>} : (!dataflow.stream<4x4x36x!quant.uint<2>, lanes 1, depthwise 9>, tensor<9x4x!quant.int<2>>, tensor<1x3x!quant.int<7>>) -> !dataflow.stream<4x4x4x!quant.uint<2>, lanes 1>
    %th = dataflow.thresholding %dw, %t {pe = 1 : i64} : (!dataflow.stream<4x4x4x!quant.uint<2>, lanes 1>, tensor<1x3x!quant.int<3>>) -> !dataflow.stream<4x4x4x!quant.uint<2>, lanes 1>
    dataflow.yield %th : !dataflow.stream<4x4x4x!quant.uint<2>, lanes 1>
  }
  func.return %r : tensor<1x4x4x4x!quant.uint<2>>
}
