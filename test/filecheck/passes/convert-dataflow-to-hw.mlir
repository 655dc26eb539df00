// RUN: qnn-opt %s -p convert-dataflow-to-hw | filecheck %s
// RUN: qnn-opt %s -t verilog | filecheck %s --check-prefix=SV

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
