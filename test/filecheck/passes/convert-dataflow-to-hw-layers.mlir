// RUN: qnn-opt %s -p convert-dataflow-to-hw | filecheck %s
// RUN: qnn-opt %s -t verilog | filecheck %s --check-prefix=SV

// Thresholding into a fork whose outputs an add_streams joins again (a residual),
// a channelwise multiply, a label select and a global pool: the layers with their
// own RTL besides the MVAU, FIFO and DWC.
func.func @main(%x : tensor<1x2x4x!quant.int<3>>, %y : tensor<1x2x2x2x!quant.uint<2>>) -> (tensor<1x2x1x!quant.uint<2>>, tensor<1x1x1x2x!quant.uint<5>>) {
  %t = quant.constant dense<[[-1, 2], [0, 1], [1, 3], [-2, 0]]> : tensor<4x2xi64> -> tensor<4x2x!quant.int<3>>
  %p = quant.constant dense<[1, -1, 2, 1]> : tensor<4xi64> -> tensor<4x!quant.int<3>>
  %r:2 = dataflow.partition(%x, %y) : (tensor<1x2x4x!quant.int<3>>, tensor<1x2x2x2x!quant.uint<2>>) -> (tensor<1x2x1x!quant.uint<2>>, tensor<1x1x1x2x!quant.uint<5>>) {
  ^bb0(%s : !dataflow.stream<2x4x!quant.int<3>, lanes 2>, %g : !dataflow.stream<2x2x2x!quant.uint<2>, lanes 1>):
    %a = dataflow.thresholding %s, %t {pe = 2 : i64} : (!dataflow.stream<2x4x!quant.int<3>, lanes 2>, tensor<4x2x!quant.int<3>>) -> !dataflow.stream<2x4x!quant.uint<2>, lanes 2>
    %d:2 = dataflow.duplicate_streams %a {pe = 2 : i64} : (!dataflow.stream<2x4x!quant.uint<2>, lanes 2>) -> (!dataflow.stream<2x4x!quant.uint<2>, lanes 2>, !dataflow.stream<2x4x!quant.uint<2>, lanes 2>)
    %f = dataflow.fifo %d#1 {depth = 4 : i64} : (!dataflow.stream<2x4x!quant.uint<2>, lanes 2>) -> !dataflow.stream<2x4x!quant.uint<2>, lanes 2>
    %b = dataflow.add_streams %d#0, %f {pe = 2 : i64} : (!dataflow.stream<2x4x!quant.uint<2>, lanes 2>, !dataflow.stream<2x4x!quant.uint<2>, lanes 2>) -> !dataflow.stream<2x4x!quant.uint<3>, lanes 2>
    %c = dataflow.channelwise %b, %p {op = "mul", pe = 2 : i64} : (!dataflow.stream<2x4x!quant.uint<3>, lanes 2>, tensor<4x!quant.int<3>>) -> !dataflow.stream<2x4x!quant.int<5>, lanes 2>
    %l = dataflow.label_select %c {k = 1 : i64, pe = 2 : i64} : (!dataflow.stream<2x4x!quant.int<5>, lanes 2>) -> !dataflow.stream<2x1x!quant.uint<2>, lanes 1>
    %q = dataflow.global_acc_pool %g {pe = 1 : i64} : (!dataflow.stream<2x2x2x!quant.uint<2>, lanes 1>) -> !dataflow.stream<1x1x2x!quant.uint<5>, lanes 1>
    dataflow.yield %l, %q : !dataflow.stream<2x1x!quant.uint<2>, lanes 1>, !dataflow.stream<1x1x2x!quant.uint<5>, lanes 1>
  }
  func.return %r#0, %r#1 : tensor<1x2x1x!quant.uint<2>>, tensor<1x1x1x2x!quant.uint<5>>
}

// Threshold word n, lane p*2 + i = T[2n + p, i] in the 3-bit compare type:
// word 0 = -1 | 2 << 3 | 0 << 6 | 1 << 9 = 0x217, word 1 = 1 | 3 << 3 | -2 << 6 | 0 << 9 = 0x199.
// CHECK: hw.module.extern @Thresholding_0_thresholds(
// CHECK-SAME: qnn.rom = "217\0A199"
// CHECK: hw.module @Thresholding_0(
// CHECK: hw.instance "thresholds" @Thresholding_0_thresholds
// The fork: one input, two outputs, each through its own slice.
// CHECK: hw.module @DuplicateStreams_0(in %{{.*}} ap_clk: !seq.clock, in %{{.*}} ap_rst_n: i1, in %{{.*}} in0_V_TDATA: i4, in %{{.*}} in0_V_TVALID: i1, in %{{.*}} out0_V_TREADY: i1, in %{{.*}} out1_V_TREADY: i1, out in0_V_TREADY: i1, out out0_V_TDATA: i4, out out0_V_TVALID: i1, out out1_V_TDATA: i4, out out1_V_TVALID: i1)
// CHECK: hw.instance "skid0" @qnn_skid_4
// CHECK: hw.instance "skid1" @qnn_skid_4
// The join: two inputs, one output.
// CHECK: hw.module @AddStreams_0(in %{{.*}} ap_clk: !seq.clock, in %{{.*}} ap_rst_n: i1, in %{{.*}} in0_V_TDATA: i4, in %{{.*}} in0_V_TVALID: i1, in %{{.*}} in1_V_TDATA: i4, in %{{.*}} in1_V_TVALID: i1, in %{{.*}} out0_V_TREADY: i1, out in0_V_TREADY: i1, out in1_V_TREADY: i1, out out0_V_TDATA: i6, out out0_V_TVALID: i1)
// Parameters in the 5-bit output lanes: word 0 = 1 | -1 << 5 = 0x3e1, word 1 = 2 | 1 << 5 = 0x022.
// CHECK: hw.module.extern @Channelwise_0_params(
// CHECK-SAME: qnn.rom = "3e1\0A022"
// CHECK: hw.module @LabelSelect_0(
// CHECK: hw.module @GlobalAccPool_0(
// CHECK: hw.instance "accumulators" @qnn_ram_5_2
// CHECK: hw.module @qnn_top(
// CHECK: hw.instance "Thresholding_0" @Thresholding_0
// CHECK: hw.instance "DuplicateStreams_0" @DuplicateStreams_0
// CHECK: hw.instance "FIFO_0" @qnn_fifo_4_4
// CHECK: hw.instance "AddStreams_0" @AddStreams_0
// CHECK: hw.instance "Channelwise_0" @Channelwise_0
// CHECK: hw.instance "LabelSelect_0" @LabelSelect_0
// CHECK: hw.instance "GlobalAccPool_0" @GlobalAccPool_0

// SV: // verilog: {{[0-9]+}} files (write them with -o DIR)
// SV: //   Thresholding_0_thresholds.mem
// SV: //   Channelwise_0_params.mem
// SV: //   qnn_ram_5_2.sv
// SV: //   DuplicateStreams_0.sv
// SV: //   AddStreams_0.sv
// SV: //   LabelSelect_0.sv
// SV: //   GlobalAccPool_0.sv
// SV: // ==== qnn_top.sv ====
// SV: module qnn_top(
// SV: DuplicateStreams_0 DuplicateStreams_0 (
// SV: AddStreams_0 AddStreams_0 (
