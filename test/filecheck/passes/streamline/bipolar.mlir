// RUN: qnn-opt %s -p 'streamline{check=false}' --split-input-file | filecheck %s

// A bipolar x bipolar matmul before a multithreshold: x @ W = 2 * popcount - K is
// absorbed into the thresholds: [x @ W >= 0.5] = [popcount >= (0.5 + 4) / 2] -> 3.
// CHECK-LABEL: @xnor_popcount
// CHECK:       %[[P:.*]] = streamline.xnor_popcount %x, %w : (tensor<1x4x!quant.bipolar>, tensor<4x2x!quant.bipolar>) -> tensor<1x2x!quant.uint<3>>
// CHECK-NEXT:  %[[T:.*]] = quant.constant dense<3> : tensor<1x1xi8> -> tensor<1x1x!quant.uint<2>>
// CHECK-NEXT:  streamline.multithreshold %[[P]], %[[T]] {out_scale = 2 : i64, out_bias = -1 : i64}
func.func @xnor_popcount(%x: tensor<1x4x!quant.bipolar>) -> tensor<1x2x!quant.bipolar> {
  %w = quant.constant dense<[[1, -1], [-1, 1], [1, 1], [-1, -1]]> : tensor<4x2xi8> -> tensor<4x2x!quant.bipolar>
  %acc = streamline.matmul %x, %w : (tensor<1x4x!quant.bipolar>, tensor<4x2x!quant.bipolar>) -> tensor<1x2x!quant.int<4>>
  %t = quant.constant dense<[[0.5]]> : tensor<1x1xf64>
  %q = streamline.multithreshold %acc, %t {out_scale = 2 : i64, out_bias = -1 : i64} : (tensor<1x2x!quant.int<4>>, tensor<1x1xf64>) -> tensor<1x2x!quant.bipolar>
  func.return %q : tensor<1x2x!quant.bipolar>
}

// -----

// A final bipolar layer: the scale s and the offset -K*s stay at the output.
// CHECK-LABEL: @xnor_popcount_output
// CHECK:       %[[P:.*]] = streamline.xnor_popcount %x, %w
// CHECK-NEXT:  %[[S:.*]] = quant.constant dense<5.000000e-01> : tensor<f64>
// CHECK-NEXT:  %[[M:.*]] = streamline.mul %[[P]], %[[S]] : (tensor<1x2x!quant.uint<3>>, tensor<f64>) -> tensor<1x2xf32>
// CHECK-NEXT:  %[[B:.*]] = quant.constant dense<-1.000000e+00> : tensor<f64>
// CHECK-NEXT:  streamline.add %[[M]], %[[B]]
func.func @xnor_popcount_output(%x: tensor<1x4x!quant.bipolar>) -> tensor<1x2xf32> {
  %w = quant.constant dense<[[1, -1], [-1, 1], [1, 1], [-1, -1]]> : tensor<4x2xi8> -> tensor<4x2x!quant.bipolar>
  %acc = streamline.matmul %x, %w : (tensor<1x4x!quant.bipolar>, tensor<4x2x!quant.bipolar>) -> tensor<1x2x!quant.int<4>>
  %s = quant.constant dense<0.25> : tensor<f64>
  %y = streamline.mul %acc, %s : (tensor<1x2x!quant.int<4>>, tensor<f64>) -> tensor<1x2xf32>
  func.return %y : tensor<1x2xf32>
}

// -----

// Bipolar activations with integer weights are an ordinary integer matmul.
// CHECK-LABEL: @not_bipolar_weights
// CHECK:       streamline.matmul %x, %w
// CHECK-NOT:   xnor_popcount
func.func @not_bipolar_weights(%x: tensor<1x4x!quant.bipolar>) -> tensor<1x2x!quant.int<4>> {
  %w = quant.constant dense<[[1, -1], [-1, 1], [1, 0], [-1, -1]]> : tensor<4x2xi8> -> tensor<4x2x!quant.int<2>>
  %acc = streamline.matmul %x, %w : (tensor<1x4x!quant.bipolar>, tensor<4x2x!quant.int<2>>) -> tensor<1x2x!quant.int<4>>
  func.return %acc : tensor<1x2x!quant.int<4>>
}
