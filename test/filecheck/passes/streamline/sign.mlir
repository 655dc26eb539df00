// RUN: qnn-opt %s -p 'streamline{check=false}' --split-input-file | filecheck %s

// A mixed-sign per-channel scale after an integer matmul: column 1 of the weights is
// negated (its -2 needs int<3>), the accumulator re-typed, and the now positive scale is
// absorbed into the thresholds.
// CHECK-LABEL: @push_sign
// CHECK:       %[[W:.*]] = quant.constant dense<{{\[\[}}1, 2], [-1, -1]]> : tensor<2x2xi8> -> tensor<2x2x!quant.int<3>>
// CHECK-NEXT:  %[[ACC:.*]] = streamline.matmul %x, %[[W]] : (tensor<1x2x!quant.uint<2>>, tensor<2x2x!quant.int<3>>) -> tensor<1x2x!quant.int<4>>
// CHECK-NEXT:  %[[T:.*]] = quant.constant dense<{{\[\[}}1], [2]]> : tensor<2x1xi8> -> tensor<2x1x!quant.uint<2>>
// CHECK-NEXT:  streamline.multithreshold %[[ACC]], %[[T]] {out_scale = 1 : i64, out_bias = 0 : i64}
func.func @push_sign(%x: tensor<1x2x!quant.uint<2>>) -> tensor<1x2x!quant.uint<1>> {
  %w = quant.constant dense<[[1, -2], [-1, 1]]> : tensor<2x2xi8> -> tensor<2x2x!quant.int<2>>
  %acc = streamline.matmul %x, %w : (tensor<1x2x!quant.uint<2>>, tensor<2x2x!quant.int<2>>) -> tensor<1x2x!quant.int<4>>
  %m = quant.constant dense<[0.5, -0.25]> : tensor<2xf64>
  %y = streamline.mul %acc, %m : (tensor<1x2x!quant.int<4>>, tensor<2xf64>) -> tensor<1x2xf32>
  %t = quant.constant dense<[[0.3]]> : tensor<1x1xf64>
  %q = streamline.multithreshold %y, %t {out_scale = 1 : i64, out_bias = 0 : i64} : (tensor<1x2xf32>, tensor<1x1xf64>) -> tensor<1x2x!quant.uint<1>>
  func.return %q : tensor<1x2x!quant.uint<1>>
}

// -----

// Bipolar weights stay bipolar when negated; the positive scale then passes the maxpool.
// CHECK-LABEL: @push_sign_bipolar
// CHECK:       quant.constant dense<{{\[\[}}1, 1], [-1, -1]]> : tensor<2x2xi8> -> tensor<2x2x!quant.bipolar>
// CHECK:       streamline.maxpool %{{.*}} : (tensor<1x2x2x2x!quant.int<3>>) -> tensor<1x1x1x2x!quant.int<3>>
// CHECK-NEXT:  quant.constant dense<[5.000000e-01, 2.500000e-01]> : tensor<2xf64>
func.func @push_sign_bipolar(%x: tensor<1x2x2x2x!quant.bipolar>) -> tensor<1x1x1x2xf32> {
  %w = quant.constant dense<[[1, -1], [-1, 1]]> : tensor<2x2xi8> -> tensor<2x2x!quant.bipolar>
  %acc = streamline.matmul %x, %w : (tensor<1x2x2x2x!quant.bipolar>, tensor<2x2x!quant.bipolar>) -> tensor<1x2x2x2x!quant.int<3>>
  %m = quant.constant dense<[0.5, -0.25]> : tensor<2xf64>
  %y = streamline.mul %acc, %m : (tensor<1x2x2x2x!quant.int<3>>, tensor<2xf64>) -> tensor<1x2x2x2xf32>
  %p = streamline.maxpool %y {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x2x2x2xf32>) -> tensor<1x1x1x2xf32>
  func.return %p : tensor<1x1x1x2xf32>
}

// -----

// The accumulator has another user: the weights cannot change, the sign stays.
// CHECK-LABEL: @shared_accumulator_keeps_sign
// CHECK:       %[[ACC:.*]] = streamline.matmul %x, %w
// CHECK-NEXT:  %[[M:.*]] = quant.constant dense<[5.000000e-01, -2.500000e-01]>
// CHECK-NEXT:  streamline.mul %[[ACC]], %[[M]]
func.func @shared_accumulator_keeps_sign(%x: tensor<1x2x!quant.uint<2>>) -> (tensor<1x2x!quant.uint<1>>, tensor<1x2x!quant.int<4>>) {
  %w = quant.constant dense<[[1, -2], [-1, 1]]> : tensor<2x2xi8> -> tensor<2x2x!quant.int<2>>
  %acc = streamline.matmul %x, %w : (tensor<1x2x!quant.uint<2>>, tensor<2x2x!quant.int<2>>) -> tensor<1x2x!quant.int<4>>
  %m = quant.constant dense<[0.5, -0.25]> : tensor<2xf64>
  %y = streamline.mul %acc, %m : (tensor<1x2x!quant.int<4>>, tensor<2xf64>) -> tensor<1x2xf32>
  %t = quant.constant dense<[[0.3]]> : tensor<1x1xf64>
  %q = streamline.multithreshold %y, %t {out_scale = 1 : i64, out_bias = 0 : i64} : (tensor<1x2xf32>, tensor<1x1xf64>) -> tensor<1x2x!quant.uint<1>>
  func.return %q, %acc : tensor<1x2x!quant.uint<1>>, tensor<1x2x!quant.int<4>>
}
