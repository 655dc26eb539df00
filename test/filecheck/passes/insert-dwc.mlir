// RUN: qnn-opt %s --split-input-file -p insert-dwc | filecheck %s

// One converter per edge whose lanes differ, none where they agree, chains merged.
// (A valid module's edges always agree on their type; converters go wrong when a pass
// changes a folding: `refold`/`set-folding` run these same rules.)

// A chain 2 -> 1 -> 4 becomes one converter 2 -> 4, a chain 4 -> 1 -> 2 one converter
// 4 -> 2, and a chain 4 -> 4 -> 2 one converter 4 -> 2 (the identity converter disappears).
// CHECK-LABEL: func.func @chains
// CHECK: %h = dataflow.mvau %s, %w {simd = 8 : i64, pe = 2 : i64
// CHECK-NEXT: %b = dataflow.dwc %h : (!dataflow.stream<4x!quant.int<7>, lanes 2>) -> !dataflow.stream<4x!quant.int<7>, lanes 4>
// CHECK-NEXT: %d, %d_1 = dataflow.duplicate_streams %b {pe = 4 : i64}
// CHECK-NEXT: %f = dataflow.dwc %d : (!dataflow.stream<4x!quant.int<7>, lanes 4>) -> !dataflow.stream<4x!quant.int<7>, lanes 2>
// CHECK-NEXT: %c = dataflow.dwc %d_1 : (!dataflow.stream<4x!quant.int<7>, lanes 4>) -> !dataflow.stream<4x!quant.int<7>, lanes 2>
// CHECK-NEXT: %y = dataflow.add_streams %f, %c {pe = 2 : i64}
// CHECK-NEXT: dataflow.yield %y
func.func @chains(%x : tensor<1x8x!quant.uint<2>>) -> tensor<1x4x!quant.int<8>> {
  %w = quant.constant dense<[[1, -1, 0, 1], [2, 1, 1, 0], [0, 0, 1, -2], [1, 1, 1, 1], [1, 0, 0, 0], [-1, 0, 1, 0], [0, 1, 0, 1], [1, 1, 0, 0]]> : tensor<8x4xi8> -> tensor<8x4x!quant.int<3>>
  %r = dataflow.partition(%x) : (tensor<1x8x!quant.uint<2>>) -> tensor<1x4x!quant.int<8>> {
  ^bb0(%s : !dataflow.stream<8x!quant.uint<2>, lanes 8>):
    %h = dataflow.mvau %s, %w {simd = 8 : i64, pe = 2 : i64, acc_dtype = !quant.int<7>} : (!dataflow.stream<8x!quant.uint<2>, lanes 8>, tensor<8x4x!quant.int<3>>) -> !dataflow.stream<4x!quant.int<7>, lanes 2>
    %a = dataflow.dwc %h : (!dataflow.stream<4x!quant.int<7>, lanes 2>) -> !dataflow.stream<4x!quant.int<7>, lanes 1>
    %b = dataflow.dwc %a : (!dataflow.stream<4x!quant.int<7>, lanes 1>) -> !dataflow.stream<4x!quant.int<7>, lanes 4>
    %d:2 = dataflow.duplicate_streams %b {pe = 4 : i64} : (!dataflow.stream<4x!quant.int<7>, lanes 4>) -> (!dataflow.stream<4x!quant.int<7>, lanes 4>, !dataflow.stream<4x!quant.int<7>, lanes 4>)
    %e = dataflow.dwc %d#0 : (!dataflow.stream<4x!quant.int<7>, lanes 4>) -> !dataflow.stream<4x!quant.int<7>, lanes 1>
    %f = dataflow.dwc %e : (!dataflow.stream<4x!quant.int<7>, lanes 1>) -> !dataflow.stream<4x!quant.int<7>, lanes 2>
    %g = dataflow.dwc %d#1 : (!dataflow.stream<4x!quant.int<7>, lanes 4>) -> !dataflow.stream<4x!quant.int<7>, lanes 4>
    %c = dataflow.dwc %g : (!dataflow.stream<4x!quant.int<7>, lanes 4>) -> !dataflow.stream<4x!quant.int<7>, lanes 2>
    %y = dataflow.add_streams %f, %c {pe = 2 : i64} : (!dataflow.stream<4x!quant.int<7>, lanes 2>, !dataflow.stream<4x!quant.int<7>, lanes 2>) -> !dataflow.stream<4x!quant.int<8>, lanes 2>
    dataflow.yield %y : !dataflow.stream<4x!quant.int<8>, lanes 2>
  }
  func.return %r : tensor<1x4x!quant.int<8>>
}

// -----

// Must not fire: a needed converter stays as it is, equal edges get none, a FIFO keeps its
// type, and the partition input keeps its lanes.
// CHECK-LABEL: func.func @needed
// CHECK: ^bb0(%s: !dataflow.stream<8x!quant.uint<2>, lanes 1>):
// CHECK-NEXT: %i = dataflow.dwc %s : (!dataflow.stream<8x!quant.uint<2>, lanes 1>) -> !dataflow.stream<8x!quant.uint<2>, lanes 8>
// CHECK-NEXT: %h = dataflow.mvau %i, %w {simd = 8 : i64, pe = 2 : i64
// CHECK-NEXT: %q = dataflow.fifo %h {depth = 4 : i64} : (!dataflow.stream<4x!quant.int<7>, lanes 2>) -> !dataflow.stream<4x!quant.int<7>, lanes 2>
// CHECK-NEXT: %a = dataflow.dwc %q : (!dataflow.stream<4x!quant.int<7>, lanes 2>) -> !dataflow.stream<4x!quant.int<7>, lanes 4>
// CHECK-NEXT: %d, %d_1 = dataflow.duplicate_streams %a {pe = 4 : i64}
// CHECK-NEXT: %y = dataflow.add_streams %d, %d_1 {pe = 4 : i64}
// CHECK-NEXT: dataflow.yield %y
func.func @needed(%x : tensor<1x8x!quant.uint<2>>) -> tensor<1x4x!quant.int<8>> {
  %w = quant.constant dense<[[1, -1, 0, 1], [2, 1, 1, 0], [0, 0, 1, -2], [1, 1, 1, 1], [1, 0, 0, 0], [-1, 0, 1, 0], [0, 1, 0, 1], [1, 1, 0, 0]]> : tensor<8x4xi8> -> tensor<8x4x!quant.int<3>>
  %r = dataflow.partition(%x) : (tensor<1x8x!quant.uint<2>>) -> tensor<1x4x!quant.int<8>> {
  ^bb0(%s : !dataflow.stream<8x!quant.uint<2>, lanes 1>):
    %i = dataflow.dwc %s : (!dataflow.stream<8x!quant.uint<2>, lanes 1>) -> !dataflow.stream<8x!quant.uint<2>, lanes 8>
    %h = dataflow.mvau %i, %w {simd = 8 : i64, pe = 2 : i64, acc_dtype = !quant.int<7>} : (!dataflow.stream<8x!quant.uint<2>, lanes 8>, tensor<8x4x!quant.int<3>>) -> !dataflow.stream<4x!quant.int<7>, lanes 2>
    %q = dataflow.fifo %h {depth = 4 : i64} : (!dataflow.stream<4x!quant.int<7>, lanes 2>) -> !dataflow.stream<4x!quant.int<7>, lanes 2>
    %a = dataflow.dwc %q : (!dataflow.stream<4x!quant.int<7>, lanes 2>) -> !dataflow.stream<4x!quant.int<7>, lanes 4>
    %d:2 = dataflow.duplicate_streams %a {pe = 4 : i64} : (!dataflow.stream<4x!quant.int<7>, lanes 4>) -> (!dataflow.stream<4x!quant.int<7>, lanes 4>, !dataflow.stream<4x!quant.int<7>, lanes 4>)
    %y = dataflow.add_streams %d#0, %d#1 {pe = 4 : i64} : (!dataflow.stream<4x!quant.int<7>, lanes 4>, !dataflow.stream<4x!quant.int<7>, lanes 4>) -> !dataflow.stream<4x!quant.int<8>, lanes 4>
    dataflow.yield %y : !dataflow.stream<4x!quant.int<8>, lanes 4>
  }
  func.return %r : tensor<1x4x!quant.int<8>>
}

// -----

// A reshape follows its producer's lanes, so the converters around it (2 -> 1, reshape at
// 1 lane, 1 -> 2) disappear.
// CHECK-LABEL: func.func @reshape
// CHECK: %p = dataflow.maxpool %s {{{.*}}pe = 2 : i64}
// CHECK-NEXT: %v = dataflow.reshape %p : (!dataflow.stream<1x2x4x!quant.uint<2>, lanes 2>) -> !dataflow.stream<8x!quant.uint<2>, lanes 2>
// CHECK-NEXT: %h = dataflow.mvau %v, %w {simd = 2 : i64
// CHECK-NOT: dataflow.dwc
// CHECK: func.return
func.func @reshape(%x : tensor<1x2x4x4x!quant.uint<2>>) -> tensor<1x4x!quant.int<7>> {
  %w = quant.constant dense<[[1, -1, 0, 1], [2, 1, 1, 0], [0, 0, 1, -2], [1, 1, 1, 1], [1, 0, 0, 0], [-1, 0, 1, 0], [0, 1, 0, 1], [1, 1, 0, 0]]> : tensor<8x4xi8> -> tensor<8x4x!quant.int<3>>
  %r = dataflow.partition(%x) : (tensor<1x2x4x4x!quant.uint<2>>) -> tensor<1x4x!quant.int<7>> {
  ^bb0(%s : !dataflow.stream<2x4x4x!quant.uint<2>, lanes 2>):
    %p = dataflow.maxpool %s {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, pe = 2 : i64} : (!dataflow.stream<2x4x4x!quant.uint<2>, lanes 2>) -> !dataflow.stream<1x2x4x!quant.uint<2>, lanes 2>
    %a = dataflow.dwc %p : (!dataflow.stream<1x2x4x!quant.uint<2>, lanes 2>) -> !dataflow.stream<1x2x4x!quant.uint<2>, lanes 1>
    %v = dataflow.reshape %a : (!dataflow.stream<1x2x4x!quant.uint<2>, lanes 1>) -> !dataflow.stream<8x!quant.uint<2>, lanes 1>
    %b = dataflow.dwc %v : (!dataflow.stream<8x!quant.uint<2>, lanes 1>) -> !dataflow.stream<8x!quant.uint<2>, lanes 2>
    %h = dataflow.mvau %b, %w {simd = 2 : i64, pe = 1 : i64, acc_dtype = !quant.int<7>} : (!dataflow.stream<8x!quant.uint<2>, lanes 2>, tensor<8x4x!quant.int<3>>) -> !dataflow.stream<4x!quant.int<7>, lanes 1>
    dataflow.yield %h : !dataflow.stream<4x!quant.int<7>, lanes 1>
  }
  func.return %r : tensor<1x4x!quant.int<7>>
}
