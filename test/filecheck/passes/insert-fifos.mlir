// RUN: qnn-opt %s -p insert-fifos --split-input-file | filecheck %s
// RUN: qnn-opt %s -p 'insert-fifos{depth=8}' --split-input-file | filecheck %s --check-prefix=DEPTH
// RUN: qnn-opt %s -p insert-fifos,insert-fifos --split-input-file | filecheck %s

// A FIFO after the partition input, between every two layers (both outputs of the
// duplicate), and before the output; none after the reshape (a view: the FIFO before
// it serves the edge).
// CHECK-LABEL: func.func @chain
// CHECK:       ^bb0(%s: !dataflow.stream<4x4x2x!quant.uint<2>, lanes 1>):
// CHECK-NEXT:    %[[F0:.*]] = dataflow.fifo %s {depth = 2 : i64} : (!dataflow.stream<4x4x2x!quant.uint<2>, lanes 1>)
// CHECK-NEXT:    %[[A:.*]], %[[B:.*]] = dataflow.duplicate_streams %[[F0]]
// CHECK-NEXT:    %[[FA:.*]] = dataflow.fifo %[[A]] {depth = 2 : i64}
// CHECK-NEXT:    %[[FB:.*]] = dataflow.fifo %[[B]] {depth = 2 : i64}
// CHECK-NEXT:    %[[SUM:.*]] = dataflow.add_streams %[[FA]], %[[FB]]
// CHECK-NEXT:    %[[FS:.*]] = dataflow.fifo %[[SUM]] {depth = 2 : i64}
// CHECK-NEXT:    %[[R:.*]] = dataflow.reshape %[[FS]]
// CHECK-NEXT:    %[[M:.*]] = dataflow.mvau %[[R]], %w
// CHECK-NEXT:    %[[FM:.*]] = dataflow.fifo %[[M]] {depth = 2 : i64}
// CHECK-NEXT:    dataflow.yield %[[FM]]
// CHECK-NOT:     dataflow.fifo
// DEPTH-LABEL: func.func @chain
// DEPTH-COUNT-5: dataflow.fifo {{.*}} {depth = 8 : i64}
func.func @chain(%x : tensor<1x4x4x2x!quant.uint<2>>) -> tensor<1x3x!quant.int<9>> {
  %w = quant.constant dense<1> : tensor<32x3xi8> -> tensor<32x3x!quant.int<2>>
  %r = dataflow.partition(%x) : (tensor<1x4x4x2x!quant.uint<2>>) -> tensor<1x3x!quant.int<9>> {
  ^bb0(%s : !dataflow.stream<4x4x2x!quant.uint<2>, lanes 1>):
    %a, %b = dataflow.duplicate_streams %s {pe = 1 : i64} : (!dataflow.stream<4x4x2x!quant.uint<2>, lanes 1>) -> (!dataflow.stream<4x4x2x!quant.uint<2>, lanes 1>, !dataflow.stream<4x4x2x!quant.uint<2>, lanes 1>)
    %sum = dataflow.add_streams %a, %b {pe = 1 : i64} : (!dataflow.stream<4x4x2x!quant.uint<2>, lanes 1>, !dataflow.stream<4x4x2x!quant.uint<2>, lanes 1>) -> !dataflow.stream<4x4x2x!quant.uint<3>, lanes 1>
    %flat = dataflow.reshape %sum : (!dataflow.stream<4x4x2x!quant.uint<3>, lanes 1>) -> !dataflow.stream<32x!quant.uint<3>, lanes 1>
    %o = dataflow.mvau %flat, %w {simd = 1 : i64, pe = 1 : i64, acc_dtype = !quant.int<9>} : (!dataflow.stream<32x!quant.uint<3>, lanes 1>, tensor<32x3x!quant.int<2>>) -> !dataflow.stream<3x!quant.int<9>, lanes 1>
    dataflow.yield %o : !dataflow.stream<3x!quant.int<9>, lanes 1>
  }
  func.return %r : tensor<1x3x!quant.int<9>>
}

// -----

// Existing FIFOs are kept as they are and get no neighbour: only the edge without one
// (into the thresholding) gets a FIFO.
// CHECK-LABEL: func.func @existing
// CHECK:       ^bb0(%s: !dataflow.stream<4x!quant.uint<2>, lanes 1>):
// CHECK-NEXT:    %[[F:.*]] = dataflow.fifo %s {depth = 64 : i64, ram_style = "block"}
// CHECK-NEXT:    %[[T:.*]] = dataflow.thresholding %[[F]]
// CHECK-NEXT:    %[[G:.*]] = dataflow.fifo %[[T]] {depth = 2 : i64}
// CHECK-NEXT:    %[[U:.*]] = dataflow.thresholding %[[G]]
// CHECK-NEXT:    %[[H:.*]] = dataflow.fifo %[[U]] {depth = 5 : i64}
// CHECK-NEXT:    dataflow.yield %[[H]]
func.func @existing(%x : tensor<1x4x!quant.uint<2>>) -> tensor<1x4x!quant.uint<1>> {
  %t = quant.constant dense<[[1]]> : tensor<1x1xi8> -> tensor<1x1x!quant.uint<1>>
  %r = dataflow.partition(%x) : (tensor<1x4x!quant.uint<2>>) -> tensor<1x4x!quant.uint<1>> {
  ^bb0(%s : !dataflow.stream<4x!quant.uint<2>, lanes 1>):
    %f = dataflow.fifo %s {depth = 64 : i64, ram_style = "block"} : (!dataflow.stream<4x!quant.uint<2>, lanes 1>) -> !dataflow.stream<4x!quant.uint<2>, lanes 1>
    %a = dataflow.thresholding %f, %t {pe = 1 : i64} : (!dataflow.stream<4x!quant.uint<2>, lanes 1>, tensor<1x1x!quant.uint<1>>) -> !dataflow.stream<4x!quant.uint<1>, lanes 1>
    %b = dataflow.thresholding %a, %t {pe = 1 : i64} : (!dataflow.stream<4x!quant.uint<1>, lanes 1>, tensor<1x1x!quant.uint<1>>) -> !dataflow.stream<4x!quant.uint<1>, lanes 1>
    %g = dataflow.fifo %b {depth = 5 : i64} : (!dataflow.stream<4x!quant.uint<1>, lanes 1>) -> !dataflow.stream<4x!quant.uint<1>, lanes 1>
    dataflow.yield %g : !dataflow.stream<4x!quant.uint<1>, lanes 1>
  }
  func.return %r : tensor<1x4x!quant.uint<1>>
}
