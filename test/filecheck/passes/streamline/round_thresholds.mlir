// RUN: qnn-opt %s -p 'streamline{check=false}' --split-input-file | filecheck %s

// On an integer input x in [0, 3]: x >= 0.5 <=> x >= 1; 0.9999999999999999 and
// 3.0000000000000004 are float noise around 1 and 3 (snapped first): x > 1 <=> x >= 2,
// x >= 3; 7.5 and -5 are clipped to max + 1 = 4 and min - 1 = -1. Every comparison
// becomes non-strict.
// CHECK-LABEL: @round
// CHECK:       %[[T:.*]] = quant.constant dense<{{\[\[}}1, 2, 3, 4, -1]]> : tensor<1x5xi8> -> tensor<1x5x!quant.int<4>>
// CHECK-NEXT:  streamline.multithreshold %x, %[[T]] {out_scale = 1 : i64, out_bias = 0 : i64} : (tensor<1x2x!quant.uint<2>>, tensor<1x5x!quant.int<4>>) -> tensor<1x2x!quant.uint<3>>
func.func @round(%x: tensor<1x2x!quant.uint<2>>) -> tensor<1x2x!quant.uint<3>> {
  %t = quant.constant dense<[[0.5, 0.9999999999999999, 3.0000000000000004, 7.5, -5.0]]> : tensor<1x5xf64>
  %q = streamline.multithreshold %x, %t {out_scale = 1 : i64, out_bias = 0 : i64, strict = array<i64: 0, 1, 0, 0, 1>} : (tensor<1x2x!quant.uint<2>>, tensor<1x5xf64>) -> tensor<1x2x!quant.uint<3>>
  func.return %q : tensor<1x2x!quant.uint<3>>
}

// -----

// A float input keeps its float thresholds and their strictness.
// CHECK-LABEL: @float_input_not_rounded
// CHECK:       streamline.multithreshold %x, %t {out_scale = 1 : i64, out_bias = 0 : i64, strict = array<i64: 0, 1>} : (tensor<1x2xf32>, tensor<1x2xf64>)
func.func @float_input_not_rounded(%x: tensor<1x2xf32>) -> tensor<1x2x!quant.uint<2>> {
  %t = quant.constant dense<[[0.5, 1.0]]> : tensor<1x2xf64>
  %q = streamline.multithreshold %x, %t {out_scale = 1 : i64, out_bias = 0 : i64, strict = array<i64: 0, 1>} : (tensor<1x2xf32>, tensor<1x2xf64>) -> tensor<1x2x!quant.uint<2>>
  func.return %q : tensor<1x2x!quant.uint<2>>
}
