// RUN: qnn-opt %s --split-input-file -p convert-dataflow-to-hw | filecheck %s
// RUN: qnn-opt %s --split-input-file -t verilog | filecheck %s --check-prefix=SV

func.func @main(%x : tensor<1x4x!quant.int<2>>) -> tensor<1x2x!quant.int<5>> {
  %w = quant.constant dense<[[1, -1], [0, 1], [-2, 1], [1, 1]]> : tensor<4x2xi64> -> tensor<4x2x!quant.int<2>>
  %r = dataflow.partition(%x) : (tensor<1x4x!quant.int<2>>) -> tensor<1x2x!quant.int<5>> {
  ^bb0(%s : !dataflow.stream<4x!quant.int<2>, lanes 2>):
    %f = dataflow.fifo %s {depth = 2 : i64} : (!dataflow.stream<4x!quant.int<2>, lanes 2>) -> !dataflow.stream<4x!quant.int<2>, lanes 2>
    %m = dataflow.mvau %f, %w {simd = 2 : i64, pe = 1 : i64, acc_dtype = !quant.int<5>} : (!dataflow.stream<4x!quant.int<2>, lanes 2>, tensor<4x2x!quant.int<2>>) -> !dataflow.stream<2x!quant.int<5>, lanes 1>
    dataflow.yield %m : !dataflow.stream<2x!quant.int<5>, lanes 1>
  }
  func.return %r : tensor<1x2x!quant.int<5>>
}

// The partition stays (reference semantics); the hw modules are appended.
// CHECK: dataflow.partition
// CHECK: hw.module.extern @qnn_fifo_4_2(in %{{.*}} ap_clk: !seq.clock, in %{{.*}} ap_rst_n: i1, in %{{.*}} in0_V_TDATA: i4
// CHECK-SAME: qnn.primitive = "qnn_fifo", qnn.parameters = {WIDTH = 4 : i64, DEPTH = 2 : i64}
// Weight word sf of output m holds W[2*sf, m] | W[2*sf+1, m] << 2 (2-bit two's complement).
// CHECK: hw.module.extern @MVAU_0_weights(
// CHECK-SAME: qnn.rom = "1\0A6\0A7\0A5"
// CHECK: hw.module @MVAU_0(in %{{.*}} ap_clk: !seq.clock, in %{{.*}} ap_rst_n: i1, in %{{.*}} in0_V_TDATA: i4, in %{{.*}} in0_V_TVALID: i1, in %{{.*}} out0_V_TREADY: i1, out in0_V_TREADY: i1, out out0_V_TDATA: i5, out out0_V_TVALID: i1)
// CHECK: seq.compreg
// CHECK: hw.instance "weights" @MVAU_0_weights
// CHECK: hw.instance "skid" @qnn_skid_5
// CHECK: hw.module @qnn_top(in %{{.*}} ap_clk: !seq.clock, in %{{.*}} ap_rst_n: i1, in %{{.*}} in0_V_TDATA: i4, in %{{.*}} in0_V_TVALID: i1, in %{{.*}} out0_V_TREADY: i1, out in0_V_TREADY: i1, out out0_V_TDATA: i5, out out0_V_TVALID: i1)
// CHECK: hw.instance "FIFO_0" @qnn_fifo_4_2
// CHECK: hw.instance "MVAU_0" @MVAU_0

// SV: // verilog: {{[0-9]+}} files (write them with -o DIR)
// SV: //   MVAU_0_weights.mem
// SV: //   manifest.json
// SV: // ==== qnn_top.sv ====
// SV: module qnn_top(
// SV: qnn_fifo_4_2 FIFO_0 (
// SV: MVAU_0 MVAU_0 (

// -----

func.func @main(%x : tensor<1x3x3x2x!quant.uint<2>>) -> tensor<1x3x3x2x!quant.int<6>> {
  %w = quant.constant dense<[[1, -1], [0, 1], [-2, 1], [1, 1], [1, 0], [-1, -1], [0, 0], [1, -2], [-1, 1]]> : tensor<9x2xi64> -> tensor<9x2x!quant.int<2>>
  %r = dataflow.partition(%x) : (tensor<1x3x3x2x!quant.uint<2>>) -> tensor<1x3x3x2x!quant.int<6>> {
  ^bb0(%s : !dataflow.stream<3x3x2x!quant.uint<2>, lanes 2>):
    %p = dataflow.fm_padding %s {pads = array<i64: 1, 1, 1, 1>, simd = 2 : i64} : (!dataflow.stream<3x3x2x!quant.uint<2>, lanes 2>) -> !dataflow.stream<5x5x2x!quant.uint<2>, lanes 2>
    %win = dataflow.swg %p {kernel = array<i64: 3, 3>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, simd = 2 : i64, depthwise = true} : (!dataflow.stream<5x5x2x!quant.uint<2>, lanes 2>) -> !dataflow.stream<3x3x18x!quant.uint<2>, lanes 2, depthwise 9>
    %v = dataflow.vvau %win, %w {simd = 1 : i64, pe = 2 : i64, acc_dtype = !quant.int<6>} : (!dataflow.stream<3x3x18x!quant.uint<2>, lanes 2, depthwise 9>, tensor<9x2x!quant.int<2>>) -> !dataflow.stream<3x3x2x!quant.int<6>, lanes 2>
    dataflow.yield %v : !dataflow.stream<3x3x2x!quant.int<6>, lanes 2>
  }
  func.return %r : tensor<1x3x3x2x!quant.int<6>>
}

// The convolution path: padding, a depthwise sliding window over a line buffer of
// 3 + 1 rows x 5 words (a window and a stride; qnn_bram, synchronous read), a VVAU with
// PE = 2.
// CHECK: hw.module @FMPadding_0(
// CHECK: hw.instance "skid" @qnn_skid_4
// CHECK: hw.module.extern @qnn_bram_4_20(
// CHECK-SAME: qnn.primitive = "qnn_bram", qnn.parameters = {WIDTH = 4 : i64, DEPTH = 20 : i64}
// CHECK: hw.module @SWG_0(
// CHECK: hw.instance "buffer" @qnn_bram_4_20
// VVAU weight word k holds W[k, 0] | W[k, 1] << 2 (lane p = channel p): 1|3<<2, 0|1<<2, 2|1<<2, ...
// CHECK: hw.module.extern @VVAU_0_weights(
// CHECK-SAME: qnn.rom = "d\0A4\0A6\0A5\0A1\0Af\0A0\0A9\0A7"
// CHECK: hw.module @VVAU_0(
// CHECK: hw.module @qnn_top(
// CHECK: hw.instance "FMPadding_0" @FMPadding_0
// CHECK: hw.instance "SWG_0" @SWG_0
// CHECK: hw.instance "VVAU_0" @VVAU_0

// SV: //   qnn_bram.sv
// SV: // ==== qnn_top.sv ====
// SV: FMPadding_0 FMPadding_0 (
// SV: SWG_0 SWG_0 (
// SV: VVAU_0 VVAU_0 (

// -----

func.func @main(%x : tensor<1x5x5x2x!quant.uint<2>>) -> tensor<1x3x3x18x!quant.uint<2>> {
  %r = dataflow.partition(%x) : (tensor<1x5x5x2x!quant.uint<2>>) -> tensor<1x3x3x18x!quant.uint<2>> {
  ^bb0(%s : !dataflow.stream<5x5x2x!quant.uint<2>, lanes 2>):
    %win = dataflow.swg %s {kernel = array<i64: 3, 3>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, simd = 2 : i64, parallel_window = true} : (!dataflow.stream<5x5x2x!quant.uint<2>, lanes 2>) -> !dataflow.stream<3x3x18x!quant.uint<2>, lanes 18>
    dataflow.yield %win : !dataflow.stream<3x3x18x!quant.uint<2>, lanes 18>
  }
  func.return %r : tensor<1x3x3x18x!quant.uint<2>>
}

// A parallel window: the ring of 3 + 1 rows split into 4 x 3 memories (rows x window
// columns) of ceil(5/3) = 2 pixels of 4 bits, all read in the same cycle; the 9 pixels
// of a window leave as one 36-bit word through the slice.
// CHECK: hw.module.extern @qnn_bram_4_2(
// CHECK-SAME: qnn.primitive = "qnn_bram", qnn.parameters = {WIDTH = 4 : i64, DEPTH = 2 : i64}
// CHECK: hw.module @SWG_0(in %{{.*}} ap_clk: !seq.clock, in %{{.*}} ap_rst_n: i1, in %{{.*}} in0_V_TDATA: i4, in %{{.*}} in0_V_TVALID: i1, in %{{.*}} out0_V_TREADY: i1, out in0_V_TREADY: i1, out out0_V_TDATA: i36, out out0_V_TVALID: i1)
// CHECK-COUNT-12: hw.instance "buffer_{{[0-3]}}_{{[0-2]}}" @qnn_bram_4_2
// CHECK-NOT: hw.instance "buffer
// CHECK: hw.instance "skid" @qnn_skid_36
// CHECK: hw.module @qnn_top(
// CHECK: hw.instance "SWG_0" @SWG_0

// SV: // ==== qnn_top.sv ====
// SV: SWG_0 SWG_0 (
