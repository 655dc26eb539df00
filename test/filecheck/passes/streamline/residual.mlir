// RUN: qnn-opt %s -p 'streamline{check=false}' --split-input-file | filecheck %s

// Equal scales: add(x*s, y*s) -> add(x, y)*s, an integer add typed with its exact
// range; the bias of one branch moves after the join; then the next thresholds absorb
// scale and bias.
// CHECK-LABEL: @same_scale
// CHECK:       %[[J:.*]] = streamline.add %x, %y : (tensor<1x2x!quant.uint<2>>, tensor<1x2x!quant.int<3>>) -> tensor<1x2x!quant.int<4>>
// CHECK-NEXT:  %[[T:.*]] = quant.constant
// CHECK-NEXT:  streamline.multithreshold %[[J]], %[[T]]
func.func @same_scale(%x: tensor<1x2x!quant.uint<2>>, %y: tensor<1x2x!quant.int<3>>) -> tensor<1x2x!quant.uint<2>> {
  %s = quant.constant dense<0.5> : tensor<f64>
  %xs = streamline.mul %x, %s : (tensor<1x2x!quant.uint<2>>, tensor<f64>) -> tensor<1x2xf32>
  %b = quant.constant dense<[0.25, -0.5]> : tensor<2xf64>
  %xb = streamline.add %xs, %b : (tensor<1x2xf32>, tensor<2xf64>) -> tensor<1x2xf32>
  %s2 = quant.constant dense<[0.5, 0.5]> : tensor<2xf64>
  %ys = streamline.mul %y, %s2 : (tensor<1x2x!quant.int<3>>, tensor<2xf64>) -> tensor<1x2xf32>
  %sum = streamline.add %xb, %ys : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x2xf32>
  %t = quant.constant dense<[[-0.6, 0.1, 1.2]]> : tensor<1x3xf64>
  %q = streamline.multithreshold %sum, %t {out_scale = 1 : i64, out_bias = 0 : i64, strict = array<i64: 1, 0, 1>} : (tensor<1x2xf32>, tensor<1x3xf64>) -> tensor<1x2x!quant.uint<2>>
  func.return %q : tensor<1x2x!quant.uint<2>>
}

// -----

// Scales 0.5 and 0.125 (ratio 4): x is multiplied by the integer 4 first.
// CHECK-LABEL: @integer_ratio
// CHECK:       %[[R:.*]] = quant.constant dense<4> : tensor<i8> -> tensor<!quant.uint<3>>
// CHECK-NEXT:  %[[X4:.*]] = streamline.mul %x, %[[R]] : (tensor<1x2x!quant.uint<2>>, tensor<!quant.uint<3>>) -> tensor<1x2x!quant.uint<4>>
// CHECK-NEXT:  %[[J:.*]] = streamline.add %[[X4]], %y : (tensor<1x2x!quant.uint<4>>, tensor<1x2x!quant.int<3>>) -> tensor<1x2x!quant.int<6>>
// CHECK-NEXT:  %[[S:.*]] = quant.constant dense<1.250000e-01> : tensor<f64>
// CHECK-NEXT:  streamline.mul %[[J]], %[[S]]
func.func @integer_ratio(%x: tensor<1x2x!quant.uint<2>>, %y: tensor<1x2x!quant.int<3>>) -> tensor<1x2xf32> {
  %s = quant.constant dense<0.5> : tensor<f64>
  %xs = streamline.mul %x, %s : (tensor<1x2x!quant.uint<2>>, tensor<f64>) -> tensor<1x2xf32>
  %s2 = quant.constant dense<0.125> : tensor<f64>
  %ys = streamline.mul %y, %s2 : (tensor<1x2x!quant.int<3>>, tensor<f64>) -> tensor<1x2xf32>
  %sum = streamline.add %xs, %ys : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x2xf32>
  func.return %sum : tensor<1x2xf32>
}

// -----

// Scales 0.5 and 0.3 have no integer ratio: the join stays float.
// CHECK-LABEL: @incommensurate_scales
// CHECK:       %[[XS:.*]] = streamline.mul %x, %s
// CHECK:       %[[YS:.*]] = streamline.mul %y, %s2
// CHECK-NEXT:  streamline.add %[[XS]], %[[YS]] : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x2xf32>
func.func @incommensurate_scales(%x: tensor<1x2x!quant.uint<2>>, %y: tensor<1x2x!quant.int<3>>) -> tensor<1x2xf32> {
  %s = quant.constant dense<0.5> : tensor<f64>
  %xs = streamline.mul %x, %s : (tensor<1x2x!quant.uint<2>>, tensor<f64>) -> tensor<1x2xf32>
  %s2 = quant.constant dense<0.3> : tensor<f64>
  %ys = streamline.mul %y, %s2 : (tensor<1x2x!quant.int<3>>, tensor<f64>) -> tensor<1x2xf32>
  %sum = streamline.add %xs, %ys : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x2xf32>
  func.return %sum : tensor<1x2xf32>
}
