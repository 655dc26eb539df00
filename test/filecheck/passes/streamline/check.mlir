// RUN: qnn-opt %s -p streamline --verify-diagnostics --split-input-file | filecheck %s

// Float ops at the edges stay: the input's scaling before the first multithreshold and
// the output's scale after the last integer tensor.
// CHECK-LABEL: @edges_stay_float
// CHECK:       streamline.mul %x
// CHECK:       streamline.multithreshold
// CHECK:       streamline.matmul {{.*}} -> tensor<1x2x!quant.int<5>>
// CHECK:       streamline.mul {{.*}} -> tensor<1x2xf32>
func.func @edges_stay_float(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %m = quant.constant dense<[0.5, -2.0]> : tensor<2xf64>
  %xm = streamline.mul %x, %m : (tensor<1x2xf32>, tensor<2xf64>) -> tensor<1x2xf32>
  %t = quant.constant dense<[[0.0, 1.0, 2.0]]> : tensor<1x3xf64>
  %q = streamline.multithreshold %xm, %t {out_scale = 1 : i64, out_bias = 0 : i64} : (tensor<1x2xf32>, tensor<1x3xf64>) -> tensor<1x2x!quant.uint<2>>
  %s = quant.constant dense<0.5> : tensor<f64>
  %qs = streamline.mul %q, %s : (tensor<1x2x!quant.uint<2>>, tensor<f64>) -> tensor<1x2xf32>
  %w = quant.constant dense<[[3, -4], [-1, 2]]> : tensor<2x2xi8> -> tensor<2x2x!quant.int<3>>
  %y = streamline.matmul %qs, %w : (tensor<1x2xf32>, tensor<2x2x!quant.int<3>>) -> tensor<1x2xf32>
  func.return %y : tensor<1x2xf32>
}

// -----

// CHECK: streamline: float streamline.add on %xs, %ys remains between integer tensors: residual add of operands on scales 0.5 and 0.3, whose ratio is not an integer
func.func @incommensurate_residual(%x: tensor<1x2x!quant.uint<2>>, %y: tensor<1x2x!quant.int<3>>) -> tensor<1x2x!quant.uint<1>> {
  %s = quant.constant dense<0.5> : tensor<f64>
  %xs = streamline.mul %x, %s : (tensor<1x2x!quant.uint<2>>, tensor<f64>) -> tensor<1x2xf32>
  %s2 = quant.constant dense<0.3> : tensor<f64>
  %ys = streamline.mul %y, %s2 : (tensor<1x2x!quant.int<3>>, tensor<f64>) -> tensor<1x2xf32>
  %sum = streamline.add %xs, %ys : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x2xf32>
  %t = quant.constant dense<[[0.25]]> : tensor<1x1xf64>
  %q = streamline.multithreshold %sum, %t {out_scale = 1 : i64, out_bias = 0 : i64} : (tensor<1x2xf32>, tensor<1x1xf64>) -> tensor<1x2x!quant.uint<1>>
  func.return %q : tensor<1x2x!quant.uint<1>>
}

// -----

// CHECK: streamline: float streamline.add on %x remains between integer tensors: an add does not commute with zero-padded streamline.im2col
func.func @add_before_padded_conv(%x: tensor<1x2x2x1x!quant.uint<2>>) -> tensor<1x3x3x1x!quant.uint<1>> {
  %a = quant.constant dense<-0.5> : tensor<f64>
  %xa = streamline.add %x, %a : (tensor<1x2x2x1x!quant.uint<2>>, tensor<f64>) -> tensor<1x2x2x1xf32>
  %c = streamline.im2col %xa {kernel = array<i64: 2, 2>, stride = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x2x2x1xf32>) -> tensor<1x3x3x4xf32>
  %w = quant.constant dense<[[1], [-1], [1], [1]]> : tensor<4x1xi8> -> tensor<4x1x!quant.int<2>>
  %y = streamline.matmul %c, %w : (tensor<1x3x3x4xf32>, tensor<4x1x!quant.int<2>>) -> tensor<1x3x3x1xf32>
  %t = quant.constant dense<[[0.25]]> : tensor<1x1xf64>
  %q = streamline.multithreshold %y, %t {out_scale = 1 : i64, out_bias = 0 : i64} : (tensor<1x3x3x1xf32>, tensor<1x1xf64>) -> tensor<1x3x3x1x!quant.uint<1>>
  func.return %q : tensor<1x3x3x1x!quant.uint<1>>
}

// -----

// CHECK: streamline: float streamline.mul on %x remains between integer tensors: a negative per-channel scale [0.5, -3] could not be absorbed (before streamline.maxpool)
func.func @negative_scale_before_maxpool(%x: tensor<1x2x2x2x!quant.int<3>>) -> tensor<1x1x1x2x!quant.uint<1>> {
  %s = quant.constant dense<[0.5, -3.0]> : tensor<2xf64>
  %xs = streamline.mul %x, %s : (tensor<1x2x2x2x!quant.int<3>>, tensor<2xf64>) -> tensor<1x2x2x2xf32>
  %p = streamline.maxpool %xs {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x2x2x2xf32>) -> tensor<1x1x1x2xf32>
  %t = quant.constant dense<[[0.5]]> : tensor<1x1xf64>
  %q = streamline.multithreshold %p, %t {out_scale = 1 : i64, out_bias = 0 : i64} : (tensor<1x1x1x2xf32>, tensor<1x1xf64>) -> tensor<1x1x1x2x!quant.uint<1>>
  func.return %q : tensor<1x1x1x2x!quant.uint<1>>
}

// -----

// CHECK: streamline: float streamline.mul on %cols remains between integer tensors: a scale varying over the reduction axis of streamline.matmul cannot move past it (a per-channel activation scale into a conv/matmul)
func.func @per_channel_activation_scale(%x: tensor<1x1x1x2x!quant.uint<2>>) -> tensor<1x1x1x1x!quant.uint<1>> {
  %cols = streamline.im2col %x {kernel = array<i64: 1, 1>, stride = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilation = array<i64: 1, 1>} : (tensor<1x1x1x2x!quant.uint<2>>) -> tensor<1x1x1x2x!quant.uint<2>>
  %s = quant.constant dense<[0.5, 0.3]> : tensor<2xf64>
  %xs = streamline.mul %cols, %s : (tensor<1x1x1x2x!quant.uint<2>>, tensor<2xf64>) -> tensor<1x1x1x2xf32>
  %w = quant.constant dense<[[1], [-1]]> : tensor<2x1xi8> -> tensor<2x1x!quant.int<2>>
  %y = streamline.matmul %xs, %w : (tensor<1x1x1x2xf32>, tensor<2x1x!quant.int<2>>) -> tensor<1x1x1x1xf32>
  %t = quant.constant dense<[[0.25]]> : tensor<1x1xf64>
  %q = streamline.multithreshold %y, %t {out_scale = 1 : i64, out_bias = 0 : i64} : (tensor<1x1x1x1xf32>, tensor<1x1xf64>) -> tensor<1x1x1x1x!quant.uint<1>>
  func.return %q : tensor<1x1x1x1x!quant.uint<1>>
}
