// -t verilog -o DIR: the SystemVerilog tree (backend_rtl.export), linted by Verilator.
// RUN: rm -rf %t && qnn-opt %s -t verilog -o %t
// RUN: cat %t/filelist.f | filecheck %s --check-prefix=LIST
// RUN: cat %t/qnn_fifo_4_1.sv | filecheck %s --check-prefix=WRAP
// RUN: cat %t/MVAU_0_weights.mem | filecheck %s --check-prefix=ROM
// RUN: cat %t/MVAU_0.sv | filecheck %s --check-prefix=LAYER
// RUN: cat %t/manifest.json | filecheck %s --check-prefix=MANIFEST
// RUN: cd %t && verilator-cli --lint-only -Wall --top-module qnn_top -f filelist.f 2>&1 | filecheck %s --check-prefix=LINT
// RUN: not qnn-opt %S/inputs/two-partitions.mlir -t verilog -o %t.two 2>&1 | filecheck %s --check-prefix=TWO
// RUN: test ! -e %t.two

func.func @main(%x : tensor<1x4x!quant.int<2>>) -> tensor<1x2x!quant.int<5>> {
  %w = quant.constant dense<[[1, -1], [0, 1], [-2, 1], [1, 1]]> : tensor<4x2xi64> -> tensor<4x2x!quant.int<2>>
  %r = dataflow.partition(%x) : (tensor<1x4x!quant.int<2>>) -> tensor<1x2x!quant.int<5>> {
  ^bb0(%s : !dataflow.stream<4x!quant.int<2>, lanes 2>):
    %f = dataflow.fifo %s {depth = 1 : i64} : (!dataflow.stream<4x!quant.int<2>, lanes 2>) -> !dataflow.stream<4x!quant.int<2>, lanes 2>
    %m = dataflow.mvau %f, %w {simd = 2 : i64, pe = 1 : i64, acc_dtype = !quant.int<5>} : (!dataflow.stream<4x!quant.int<2>, lanes 2>, tensor<4x2x!quant.int<2>>) -> !dataflow.stream<2x!quant.int<5>, lanes 1>
    dataflow.yield %m : !dataflow.stream<2x!quant.int<5>, lanes 1>
  }
  func.return %r : tensor<1x2x!quant.int<5>>
}

// Primitives first, the top module last.
// LIST: qnn_fifo.sv
// LIST: qnn_fifo_4_1.sv
// LIST: MVAU_0.sv
// LIST-NEXT: qnn_top.sv

// A primitive parameterization is a wrapper module passing its parameters.
// WRAP: module qnn_fifo_4_1 (
// WRAP: qnn_fifo #(
// WRAP-NEXT: .WIDTH(4), .DEPTH(1)

// Weight word sf of output m holds W[2*sf, m] | W[2*sf+1, m] << 2, PE-interleaved.
// ROM: 1
// ROM-NEXT: 6
// ROM-NEXT: 7
// ROM-NEXT: 5

// LAYER: module MVAU_0(
// LAYER: input  [3:0] in0_V_TDATA,
// LAYER: output [4:0] out0_V_TDATA,
// LAYER: always_ff @(posedge ap_clk)
// LAYER: MVAU_0_weights weights (
// LAYER: qnn_skid_5 skid (
// LAYER: endmodule

// MANIFEST: "top": "qnn_top"
// MANIFEST: "datatype": "INT2"
// MANIFEST: "words_per_frame": 2
// MANIFEST: "layers": [
// MANIFEST-NEXT: "FIFO_0",
// MANIFEST-NEXT: "MVAU_0"
// MANIFEST: "estimated_cycles_per_frame": 4

// LINT-NOT: %Warning
// LINT-NOT: %Error

// TWO: qnn-opt: error: the module has 2 dataflow.partitions; verilog handles one
