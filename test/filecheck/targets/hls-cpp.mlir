// RUN: qnn-opt %s -t hls-cpp | filecheck %s

// Without -o, -t hls-cpp lists the files of the tree and prints hls/top.cpp: one
// DATAFLOW function, an internal stream per edge (a FIFO is its depth), the kernels
// called in program order, ports named in<i>_V / out<i>_V.

// CHECK:      // hls-cpp: {{[0-9]+}} files (write them with -o DIR)
// CHECK-NEXT: //   hls/MVAU_0.cpp
// CHECK-NEXT: //   hls/params/MVAU_0.h
// CHECK-NEXT: //   hls/DWC_0.cpp
// CHECK-NEXT: //   hls/MVAU_1.cpp
// CHECK-NEXT: //   hls/params/MVAU_1.h
// CHECK-NEXT: //   hls/top.h
// CHECK-NEXT: //   hls/top.cpp
// CHECK:      //   hls/lib/qnn/mvau.h
// CHECK:      //   csim/testbench.cpp
// CHECK-NEXT: //   csim/csim_a.cpp
// CHECK-NEXT: //   csim/csim_b.cpp
// CHECK-NEXT: //   csim/csim.cpp
// CHECK-NEXT: //   csim/build.sh
// CHECK-NEXT: //   csim/host.mlir
// CHECK-NEXT: //   csim/io.json
// CHECK-NEXT: // ==== hls/top.cpp ====
// CHECK:      #include "top.h"
// CHECK:      void MVAU_0(hls::stream<ap_uint<4> > &in0_V, hls::stream<ap_uint<4> > &out0_V);
// CHECK-NEXT: void DWC_0(hls::stream<ap_uint<4> > &in0_V, hls::stream<ap_uint<2> > &out0_V);
// CHECK-NEXT: void MVAU_1(hls::stream<ap_uint<2> > &in0_V, hls::stream<ap_uint<5> > &out0_V);
// CHECK:      void top(hls::stream<ap_uint<4> > &in0_V, hls::stream<ap_uint<5> > &out0_V) {
// CHECK-NEXT:   QNN_PRAGMA(HLS INTERFACE axis port=in0_V)
// CHECK-NEXT:   QNN_PRAGMA(HLS INTERFACE axis port=out0_V)
// CHECK-NEXT:   QNN_PRAGMA(HLS INTERFACE ap_ctrl_none port=return)
// CHECK-NEXT:   QNN_PRAGMA(HLS DATAFLOW)
// CHECK-NEXT:   hls::stream<ap_uint<4> > MVAU_0_out0("MVAU_0_out0");
// CHECK-NEXT:   QNN_PRAGMA(HLS STREAM variable=MVAU_0_out0 depth=16)
// CHECK-NEXT:   hls::stream<ap_uint<2> > DWC_0_out0("DWC_0_out0");
// CHECK-NEXT:   MVAU_0(in0_V, MVAU_0_out0);
// CHECK-NEXT:   DWC_0(MVAU_0_out0, DWC_0_out0);
// CHECK-NEXT:   MVAU_1(DWC_0_out0, out0_V);
// CHECK-NEXT: }

func.func @main(%x : tensor<1x8x!quant.uint<2>>) -> tensor<1x1x!quant.int<5>> {
  %w = quant.constant dense<[[1, -1, 0, 1], [2, 1, 1, 0], [0, 0, 1, -2], [1, 1, 1, 1], [1, 0, 0, 0], [-1, 0, 1, 0], [0, 1, 0, 1], [1, 1, 0, 0]]> : tensor<8x4xi8> -> tensor<8x4x!quant.int<3>>
  %t = quant.constant dense<[[-2, 1, 4]]> : tensor<1x3xi8> -> tensor<1x3x!quant.int<7>>
  %w2 = quant.constant dense<[[1], [-1], [1], [1]]> : tensor<4x1xi8> -> tensor<4x1x!quant.int<2>>
  %r = dataflow.partition(%x) : (tensor<1x8x!quant.uint<2>>) -> tensor<1x1x!quant.int<5>> {
  ^bb0(%s : !dataflow.stream<8x!quant.uint<2>, lanes 2>):
    %h = dataflow.mvau %s, %w, %t {simd = 2 : i64, pe = 2 : i64, acc_dtype = !quant.int<7>} : (!dataflow.stream<8x!quant.uint<2>, lanes 2>, tensor<8x4x!quant.int<3>>, tensor<1x3x!quant.int<7>>) -> !dataflow.stream<4x!quant.uint<2>, lanes 2>
    %f = dataflow.fifo %h {depth = 16 : i64} : (!dataflow.stream<4x!quant.uint<2>, lanes 2>) -> !dataflow.stream<4x!quant.uint<2>, lanes 2>
    %d = dataflow.dwc %f : (!dataflow.stream<4x!quant.uint<2>, lanes 2>) -> !dataflow.stream<4x!quant.uint<2>, lanes 1>
    %o = dataflow.mvau %d, %w2 {simd = 1 : i64, pe = 1 : i64, acc_dtype = !quant.int<5>} : (!dataflow.stream<4x!quant.uint<2>, lanes 1>, tensor<4x1x!quant.int<2>>) -> !dataflow.stream<1x!quant.int<5>, lanes 1>
    dataflow.yield %o : !dataflow.stream<1x!quant.int<5>, lanes 1>
  }
  func.return %r : tensor<1x1x!quant.int<5>>
}
