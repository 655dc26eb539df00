// RUN: qnn-opt %s -p 'streamline{check=false}' --split-input-file | filecheck %s

// The per-column weight scale moves after the matmul, which becomes integer x integer
// typed with its exact accumulator range: [0,3] x columns [1,-1,1,-2], [-2,1,0,-2]
// -> [-12, 6].
// CHECK-LABEL: @weight_scale
// CHECK:       %[[W:.*]] = quant.constant {{.*}} -> tensor<4x2x!quant.int<2>>
// CHECK-NEXT:  %[[ACC:.*]] = streamline.matmul %x, %[[W]] : (tensor<1x4x!quant.uint<2>>, tensor<4x2x!quant.int<2>>) -> tensor<1x2x!quant.int<5>>
// CHECK-NEXT:  %[[S:.*]] = quant.constant dense<[5.000000e-01, 2.500000e-01]> : tensor<2xf64>
// CHECK-NEXT:  %{{.*}} = streamline.mul %[[ACC]], %[[S]]
func.func @weight_scale(%x: tensor<1x4x!quant.uint<2>>) -> tensor<1x2xf32> {
  %w = quant.constant dense<[[1, -2], [-1, 1], [1, 0], [-2, -2]]> : tensor<4x2xi8> -> tensor<4x2x!quant.int<2>>
  %s = quant.constant dense<[[0.5, 0.25]]> : tensor<1x2xf64>
  %wf = streamline.mul %w, %s : (tensor<4x2x!quant.int<2>>, tensor<1x2xf64>) -> tensor<4x2xf32>
  %y = streamline.matmul %x, %wf : (tensor<1x4x!quant.uint<2>>, tensor<4x2xf32>) -> tensor<1x2xf32>
  func.return %y : tensor<1x2xf32>
}

// -----

// A scale per weight row (per input) does not commute with the matmul.
// CHECK-LABEL: @weight_scale_per_row
// CHECK:       streamline.mul %w, %s
// CHECK-NEXT:  streamline.matmul %x, %{{.*}} : (tensor<1x2x!quant.uint<2>>, tensor<2x2xf32>) -> tensor<1x2xf32>
func.func @weight_scale_per_row(%x: tensor<1x2x!quant.uint<2>>) -> tensor<1x2xf32> {
  %w = quant.constant dense<[[1, -2], [-1, 1]]> : tensor<2x2xi8> -> tensor<2x2x!quant.int<2>>
  %s = quant.constant dense<[[0.5], [0.25]]> : tensor<2x1xf64>
  %wf = streamline.mul %w, %s : (tensor<2x2x!quant.int<2>>, tensor<2x1xf64>) -> tensor<2x2xf32>
  %y = streamline.matmul %x, %wf : (tensor<1x2x!quant.uint<2>>, tensor<2x2xf32>) -> tensor<1x2xf32>
  func.return %y : tensor<1x2xf32>
}

// -----

// A scalar activation scale moves past the matmul.
// CHECK-LABEL: @mul_past_matmul
// CHECK:       %[[ACC:.*]] = streamline.matmul %x, %w : (tensor<1x2x!quant.uint<2>>, tensor<2x2x!quant.int<3>>) -> tensor<1x2x!quant.int<5>>
// CHECK-NEXT:  %[[S:.*]] = quant.constant dense<1.250000e-01> : tensor<f64>
// CHECK-NEXT:  streamline.mul %[[ACC]], %[[S]]
func.func @mul_past_matmul(%x: tensor<1x2x!quant.uint<2>>) -> tensor<1x2xf32> {
  %s = quant.constant dense<0.125> : tensor<f64>
  %xs = streamline.mul %x, %s : (tensor<1x2x!quant.uint<2>>, tensor<f64>) -> tensor<1x2xf32>
  %w = quant.constant dense<[[3, -4], [-1, 2]]> : tensor<2x2xi8> -> tensor<2x2x!quant.int<3>>
  %y = streamline.matmul %xs, %w : (tensor<1x2xf32>, tensor<2x2x!quant.int<3>>) -> tensor<1x2xf32>
  func.return %y : tensor<1x2xf32>
}

// -----

// A scale per input element does not commute with the matmul, nor go into its weights
// when its values are not a base times small integers (0.1 and 0.3 as floats are not).
// CHECK-LABEL: @mul_per_row_stays
// CHECK:       streamline.mul %x, %s
// CHECK:       streamline.matmul %{{.*}}, %w : (tensor<1x2xf32>, tensor<2x2x!quant.int<3>>) -> tensor<1x2xf32>
func.func @mul_per_row_stays(%x: tensor<1x2x!quant.uint<2>>) -> tensor<1x2xf32> {
  %s = quant.constant dense<[0.1, 0.3]> : tensor<2xf64>
  %xs = streamline.mul %x, %s : (tensor<1x2x!quant.uint<2>>, tensor<2xf64>) -> tensor<1x2xf32>
  %w = quant.constant dense<[[3, -4], [-1, 2]]> : tensor<2x2xi8> -> tensor<2x2x!quant.int<3>>
  %y = streamline.matmul %xs, %w : (tensor<1x2xf32>, tensor<2x2x!quant.int<3>>) -> tensor<1x2xf32>
  func.return %y : tensor<1x2xf32>
}

// -----

// An add before a matmul becomes the bias a @ W after it: [1, 0.5] @ W = [2.5, -3].
// CHECK-LABEL: @add_past_matmul
// CHECK:       %[[ACC:.*]] = streamline.matmul %x, %w : (tensor<1x2x!quant.uint<2>>, tensor<2x2x!quant.int<3>>) -> tensor<1x2x!quant.int<5>>
// CHECK-NEXT:  %[[B:.*]] = quant.constant dense<[2.500000e+00, -3.000000e+00]> : tensor<2xf64>
// CHECK-NEXT:  streamline.add %[[ACC]], %[[B]]
func.func @add_past_matmul(%x: tensor<1x2x!quant.uint<2>>) -> tensor<1x2xf32> {
  %a = quant.constant dense<[1.0, 0.5]> : tensor<2xf64>
  %xa = streamline.add %x, %a : (tensor<1x2x!quant.uint<2>>, tensor<2xf64>) -> tensor<1x2xf32>
  %w = quant.constant dense<[[3, -4], [-1, 2]]> : tensor<2x2xi8> -> tensor<2x2x!quant.int<3>>
  %y = streamline.matmul %xa, %w : (tensor<1x2xf32>, tensor<2x2x!quant.int<3>>) -> tensor<1x2xf32>
  func.return %y : tensor<1x2xf32>
}

// -----

// A per-channel mul moves past im2col, tiled over the 2x2 kernel positions; padding
// inserts zeros, which a mul keeps.
// CHECK-LABEL: @mul_past_im2col
// CHECK:       %[[COLS:.*]] = streamline.im2col %x {{.*}} -> tensor<1x3x3x8x!quant.uint<2>>
// CHECK-NEXT:  %[[S:.*]] = quant.constant dense<[5.000000e-01, 2.000000e+00, 5.000000e-01, 2.000000e+00, 5.000000e-01, 2.000000e+00, 5.000000e-01, 2.000000e+00]> : tensor<8xf64>
// CHECK-NEXT:  streamline.mul %[[COLS]], %[[S]]
func.func @mul_past_im2col(%x: tensor<1x2x2x2x!quant.uint<2>>) -> tensor<1x3x3x8xf32> {
  %s = quant.constant dense<[0.5, 2.0]> : tensor<2xf64>
  %xs = streamline.mul %x, %s : (tensor<1x2x2x2x!quant.uint<2>>, tensor<2xf64>) -> tensor<1x2x2x2xf32>
  %c = streamline.im2col %xs {kernel = array<i64: 2, 2>, stride = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x2x2x2xf32>) -> tensor<1x3x3x8xf32>
  func.return %c : tensor<1x3x3x8xf32>
}

// -----

// An add moves past an unpadded im2col.
// CHECK-LABEL: @add_past_im2col
// CHECK:       %[[COLS:.*]] = streamline.im2col %x {{.*}} -> tensor<1x1x1x8x!quant.uint<2>>
// CHECK:       streamline.add %[[COLS]]
func.func @add_past_im2col(%x: tensor<1x2x2x2x!quant.uint<2>>) -> tensor<1x1x1x8xf32> {
  %a = quant.constant dense<[0.5, -1.0]> : tensor<2xf64>
  %xa = streamline.add %x, %a : (tensor<1x2x2x2x!quant.uint<2>>, tensor<2xf64>) -> tensor<1x2x2x2xf32>
  %c = streamline.im2col %xa {kernel = array<i64: 2, 2>, stride = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilation = array<i64: 1, 1>} : (tensor<1x2x2x2xf32>) -> tensor<1x1x1x8xf32>
  func.return %c : tensor<1x1x1x8xf32>
}

// -----

// An add does not commute with zero padding (the padded zeros would need to be -a).
// CHECK-LABEL: @add_before_padded_im2col
// CHECK:       streamline.add %x, %a
// CHECK-NEXT:  streamline.im2col %{{.*}} : (tensor<1x2x2x2xf32>) -> tensor<1x3x3x8xf32>
func.func @add_before_padded_im2col(%x: tensor<1x2x2x2x!quant.uint<2>>) -> tensor<1x3x3x8xf32> {
  %a = quant.constant dense<[0.5, -1.0]> : tensor<2xf64>
  %xa = streamline.add %x, %a : (tensor<1x2x2x2x!quant.uint<2>>, tensor<2xf64>) -> tensor<1x2x2x2xf32>
  %c = streamline.im2col %xa {kernel = array<i64: 2, 2>, stride = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x2x2x2xf32>) -> tensor<1x3x3x8xf32>
  func.return %c : tensor<1x3x3x8xf32>
}

// -----

// A positive per-channel mul and an add move past a maxpool.
// CHECK-LABEL: @affine_past_maxpool
// CHECK:       %[[P:.*]] = streamline.maxpool %x {{.*}} -> tensor<1x1x1x2x!quant.int<3>>
// CHECK-NEXT:  quant.constant dense<[5.000000e-01, 3.000000e+00]> : tensor<2xf64>
// CHECK-NEXT:  streamline.mul %[[P]]
// CHECK:       streamline.add
func.func @affine_past_maxpool(%x: tensor<1x2x2x2x!quant.int<3>>) -> tensor<1x1x1x2xf32> {
  %s = quant.constant dense<[0.5, 3.0]> : tensor<2xf64>
  %xs = streamline.mul %x, %s : (tensor<1x2x2x2x!quant.int<3>>, tensor<2xf64>) -> tensor<1x2x2x2xf32>
  %a = quant.constant dense<-0.75> : tensor<f64>
  %xa = streamline.add %xs, %a : (tensor<1x2x2x2xf32>, tensor<f64>) -> tensor<1x2x2x2xf32>
  %p = streamline.maxpool %xa {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x2x2x2xf32>) -> tensor<1x1x1x2xf32>
  func.return %p : tensor<1x1x1x2xf32>
}

// -----

// max(-x) = -min(x): a negative mul stays before the maxpool.
// CHECK-LABEL: @negative_mul_before_maxpool
// CHECK:       streamline.mul %x, %s
// CHECK-NEXT:  streamline.maxpool %{{.*}} : (tensor<1x2x2x2xf32>) -> tensor<1x1x1x2xf32>
func.func @negative_mul_before_maxpool(%x: tensor<1x2x2x2x!quant.int<3>>) -> tensor<1x1x1x2xf32> {
  %s = quant.constant dense<[0.5, -3.0]> : tensor<2xf64>
  %xs = streamline.mul %x, %s : (tensor<1x2x2x2x!quant.int<3>>, tensor<2xf64>) -> tensor<1x2x2x2xf32>
  %p = streamline.maxpool %xs {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x2x2x2xf32>) -> tensor<1x1x1x2xf32>
  func.return %p : tensor<1x1x1x2xf32>
}

// -----

// Sums: a mul commutes; an add is added once per summed element (2x2 window: 4a,
// global sum over 3x3 pixels: 9a).
// CHECK-LABEL: @affine_past_sums
// CHECK:       %[[SP:.*]] = streamline.sum_pool %x {{.*}} -> tensor<1x2x2x1x!quant.uint<4>>
// CHECK:       quant.constant dense<-2.000000e+00> : tensor<f64>
// CHECK:       %[[GS:.*]] = streamline.global_sum %x : (tensor<1x3x3x1x!quant.uint<2>>) -> tensor<1x1x1x1x!quant.uint<5>>
// CHECK:       quant.constant dense<-4.500000e+00> : tensor<f64>
func.func @affine_past_sums(%x: tensor<1x3x3x1x!quant.uint<2>>) -> (tensor<1x2x2x1xf32>, tensor<1x1x1x1xf32>) {
  %s = quant.constant dense<0.25> : tensor<f64>
  %xs = streamline.mul %x, %s : (tensor<1x3x3x1x!quant.uint<2>>, tensor<f64>) -> tensor<1x3x3x1xf32>
  %a = quant.constant dense<-0.5> : tensor<f64>
  %xa = streamline.add %xs, %a : (tensor<1x3x3x1xf32>, tensor<f64>) -> tensor<1x3x3x1xf32>
  %p = streamline.sum_pool %xa {kernel = array<i64: 2, 2>, stride = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x3x3x1xf32>) -> tensor<1x2x2x1xf32>
  %g = streamline.global_sum %xa : (tensor<1x3x3x1xf32>) -> tensor<1x1x1x1xf32>
  func.return %p, %g : tensor<1x2x2x1xf32>, tensor<1x1x1x1xf32>
}

// -----

// A padded sum pool counts fewer real elements at the border: the add stays.
// CHECK-LABEL: @add_before_padded_sum_pool
// CHECK:       streamline.add %x, %a
// CHECK-NEXT:  streamline.sum_pool
func.func @add_before_padded_sum_pool(%x: tensor<1x2x2x1x!quant.uint<2>>) -> tensor<1x3x3x1xf32> {
  %a = quant.constant dense<-0.5> : tensor<f64>
  %xa = streamline.add %x, %a : (tensor<1x2x2x1x!quant.uint<2>>, tensor<f64>) -> tensor<1x2x2x1xf32>
  %p = streamline.sum_pool %xa {kernel = array<i64: 2, 2>, stride = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x2x2x1xf32>) -> tensor<1x3x3x1xf32>
  func.return %p : tensor<1x3x3x1xf32>
}

// -----

// Data movement: a per-channel mul passes a transpose that keeps the channel axis last
// and a flatten of 1x1 pixels; it stays before a transpose that moves the channel axis.
// CHECK-LABEL: @affine_past_data_movement
// CHECK:       %[[XS:.*]] = streamline.mul %x, %s
// CHECK-NEXT:  %[[T:.*]] = streamline.transpose %x {perm = array<i64: 0, 2, 1, 3>} : (tensor<1x1x1x2x!quant.uint<2>>) -> tensor<1x1x1x2x!quant.uint<2>>
// CHECK-NEXT:  %[[R:.*]] = streamline.reshape %[[T]] : (tensor<1x1x1x2x!quant.uint<2>>) -> tensor<1x2x!quant.uint<2>>
// CHECK-NEXT:  quant.constant dense<[5.000000e-01, 2.500000e-01]> : tensor<2xf64>
// CHECK-NEXT:  streamline.mul %[[R]]
// CHECK-NEXT:  streamline.transpose %[[XS]] {perm = array<i64: 0, 3, 1, 2>} : (tensor<1x1x1x2xf32>) -> tensor<1x2x1x1xf32>
func.func @affine_past_data_movement(%x: tensor<1x1x1x2x!quant.uint<2>>) -> (tensor<1x2xf32>, tensor<1x2x1x1xf32>) {
  %s = quant.constant dense<[0.5, 0.25]> : tensor<2xf64>
  %xs = streamline.mul %x, %s : (tensor<1x1x1x2x!quant.uint<2>>, tensor<2xf64>) -> tensor<1x1x1x2xf32>
  %t = streamline.transpose %xs {perm = array<i64: 0, 2, 1, 3>} : (tensor<1x1x1x2xf32>) -> tensor<1x1x1x2xf32>
  %r = streamline.reshape %t : (tensor<1x1x1x2xf32>) -> tensor<1x2xf32>
  %u = streamline.transpose %xs {perm = array<i64: 0, 3, 1, 2>} : (tensor<1x1x1x2xf32>) -> tensor<1x2x1x1xf32>
  func.return %r, %u : tensor<1x2xf32>, tensor<1x2x1x1xf32>
}

// -----

// Depthwise: a scale repeating one per-channel pattern over the im2col columns commutes.
// CHECK-LABEL: @mul_past_dw_matmul
// CHECK:       %[[D:.*]] = streamline.dw_matmul %x, %w : (tensor<1x4x!quant.uint<2>>, tensor<2x2x!quant.int<2>>) -> tensor<1x2x!quant.int<4>>
// CHECK-NEXT:  quant.constant dense<[5.000000e-01, 2.500000e-01]> : tensor<2xf64>
// CHECK-NEXT:  streamline.mul %[[D]]
func.func @mul_past_dw_matmul(%x: tensor<1x4x!quant.uint<2>>) -> tensor<1x2xf32> {
  %s = quant.constant dense<[0.5, 0.25, 0.5, 0.25]> : tensor<4xf64>
  %xs = streamline.mul %x, %s : (tensor<1x4x!quant.uint<2>>, tensor<4xf64>) -> tensor<1x4xf32>
  %w = quant.constant dense<[[1, -2], [-1, 1]]> : tensor<2x2xi8> -> tensor<2x2x!quant.int<2>>
  %y = streamline.dw_matmul %xs, %w : (tensor<1x4xf32>, tensor<2x2x!quant.int<2>>) -> tensor<1x2xf32>
  func.return %y : tensor<1x2xf32>
}

// -----

// (x + a) * m -> x * m + a * m.
// CHECK-LABEL: @add_past_mul
// CHECK:       %[[M:.*]] = streamline.mul %x, %m
// CHECK-NEXT:  %[[B:.*]] = quant.constant dense<-1.500000e+00> : tensor<f64>
// CHECK-NEXT:  streamline.add %[[M]], %[[B]]
func.func @add_past_mul(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %a = quant.constant dense<-0.5> : tensor<f64>
  %xa = streamline.add %x, %a : (tensor<1x2xf32>, tensor<f64>) -> tensor<1x2xf32>
  %m = quant.constant dense<3.0> : tensor<f64>
  %y = streamline.mul %xa, %m : (tensor<1x2xf32>, tensor<f64>) -> tensor<1x2xf32>
  func.return %y : tensor<1x2xf32>
}

// -----

// Upsample and slice only move elements: a per-channel mul passes both (sliced with the
// channels), and the scales of a concat's operands are joined after it.
// CHECK-LABEL: @affine_past_upsample_slice_concat
// CHECK:       %[[U:.*]] = streamline.upsample %x {scales = array<i64: 1, 2, 2, 1>} : (tensor<1x1x1x3x!quant.uint<2>>) -> tensor<1x2x2x3x!quant.uint<2>>
// CHECK-NEXT:  %[[S:.*]] = streamline.slice %[[U]] {{.*}} -> tensor<1x2x2x2x!quant.uint<2>>
// CHECK-NEXT:  %[[C:.*]] = streamline.concat %[[S]], %y {axis = 3 : i64} : (tensor<1x2x2x2x!quant.uint<2>>, tensor<1x2x2x1x!quant.uint<2>>) -> tensor<1x2x2x3x!quant.uint<2>>
// CHECK-NEXT:  quant.constant dense<[2.500000e-01, 1.250000e-01, 2.000000e+00]> : tensor<3xf64>
// CHECK-NEXT:  streamline.mul %[[C]]
func.func @affine_past_upsample_slice_concat(%x: tensor<1x1x1x3x!quant.uint<2>>, %y: tensor<1x2x2x1x!quant.uint<2>>) -> tensor<1x2x2x3xf32> {
  %s = quant.constant dense<[0.5, 0.25, 0.125]> : tensor<3xf64>
  %xs = streamline.mul %x, %s : (tensor<1x1x1x3x!quant.uint<2>>, tensor<3xf64>) -> tensor<1x1x1x3xf32>
  %u = streamline.upsample %xs {scales = array<i64: 1, 2, 2, 1>} : (tensor<1x1x1x3xf32>) -> tensor<1x2x2x3xf32>
  %c = streamline.slice %u {starts = array<i64: 0, 0, 0, 1>, ends = array<i64: 1, 2, 2, 3>, steps = array<i64: 1, 1, 1, 1>} : (tensor<1x2x2x3xf32>) -> tensor<1x2x2x2xf32>
  %two = quant.constant dense<2.0> : tensor<f64>
  %ys = streamline.mul %y, %two : (tensor<1x2x2x1x!quant.uint<2>>, tensor<f64>) -> tensor<1x2x2x1xf32>
  %j = streamline.concat %c, %ys {axis = 3 : i64} : (tensor<1x2x2x2xf32>, tensor<1x2x2x1xf32>) -> tensor<1x2x2x3xf32>
  func.return %j : tensor<1x2x2x3xf32>
}

// -----

// Branches quantized to different integer types (uint<2> counts, and counts shifted by
// out_bias -2 into int<2>) are widened to the narrowest type holding both, int<3>: each
// multithreshold is retyped, and the scales move past the concat as for one type.
// CHECK-LABEL: @concat_of_mixed_widths
// CHECK:       %[[A:.*]] = streamline.multithreshold %x, %t {{.*}} -> tensor<1x2x!quant.int<3>>
// CHECK:       %[[B:.*]] = streamline.multithreshold %x, %t {{.*}} -> tensor<1x2x!quant.int<3>>
// CHECK:       %[[C:.*]] = streamline.concat %[[A]], %[[B]] {axis = 1 : i64} : (tensor<1x2x!quant.int<3>>, tensor<1x2x!quant.int<3>>) -> tensor<1x4x!quant.int<3>>
// CHECK-NEXT:  quant.constant dense<[2.500000e-01, 2.500000e-01, 5.000000e-01, 5.000000e-01]> : tensor<4xf64>
// CHECK-NEXT:  streamline.mul %[[C]]
func.func @concat_of_mixed_widths(%x: tensor<1x2x!quant.int<4>>) -> tensor<1x4xf32> {
  %t = quant.constant dense<[[-2, 0, 2]]> : tensor<1x3xi8> -> tensor<1x3x!quant.int<3>>
  %a = streamline.multithreshold %x, %t {out_scale = 1 : i64, out_bias = 0 : i64} : (tensor<1x2x!quant.int<4>>, tensor<1x3x!quant.int<3>>) -> tensor<1x2x!quant.uint<2>>
  %b = streamline.multithreshold %x, %t {out_scale = 1 : i64, out_bias = -2 : i64} : (tensor<1x2x!quant.int<4>>, tensor<1x3x!quant.int<3>>) -> tensor<1x2x!quant.int<2>>
  %sa = quant.constant dense<0.25> : tensor<f64>
  %sb = quant.constant dense<0.5> : tensor<f64>
  %as = streamline.mul %a, %sa : (tensor<1x2x!quant.uint<2>>, tensor<f64>) -> tensor<1x2xf32>
  %bs = streamline.mul %b, %sb : (tensor<1x2x!quant.int<2>>, tensor<f64>) -> tensor<1x2xf32>
  %j = streamline.concat %as, %bs {axis = 1 : i64} : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x4xf32>
  func.return %j : tensor<1x4xf32>
}

// -----

// An operand of another type that is not a multithreshold's count (here an argument)
// cannot be widened: the concat stays on the float values.
// CHECK-LABEL: @concat_of_mixed_widths_not_widened
// CHECK:       streamline.concat %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x4xf32>
func.func @concat_of_mixed_widths_not_widened(%a: tensor<1x2x!quant.uint<2>>, %b: tensor<1x2x!quant.int<2>>) -> tensor<1x4xf32> {
  %s = quant.constant dense<0.25> : tensor<f64>
  %as = streamline.mul %a, %s : (tensor<1x2x!quant.uint<2>>, tensor<f64>) -> tensor<1x2xf32>
  %bs = streamline.mul %b, %s : (tensor<1x2x!quant.int<2>>, tensor<f64>) -> tensor<1x2xf32>
  %j = streamline.concat %as, %bs {axis = 1 : i64} : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x4xf32>
  func.return %j : tensor<1x4xf32>
}

// -----

// A per-channel activation scale over the matmul's rows that is a base times small
// integers (here 0.25 * [1, 2, -4]) moves into the weight rows: exact, integer product.
// CHECK-LABEL: @channel_scale_into_weights
// CHECK:       quant.constant dense<{{\[\[}}1, -1], [2, 4], [-4, 0]]> : tensor<3x2xi8> -> tensor<3x2x!quant.int<4>>
// CHECK-NEXT:  %[[P:.*]] = streamline.matmul %x, %{{.*}} : (tensor<1x3x!quant.uint<2>>, tensor<3x2x!quant.int<4>>) -> tensor<1x2x!quant.int<5>>
// CHECK-NEXT:  quant.constant dense<2.500000e-01> : tensor<f64>
// CHECK-NEXT:  streamline.mul %[[P]]
func.func @channel_scale_into_weights(%x: tensor<1x3x!quant.uint<2>>) -> tensor<1x2xf32> {
  %s = quant.constant dense<[0.25, 0.5, -1.0]> : tensor<3xf64>
  %w = quant.constant dense<[[1, -1], [1, 2], [1, 0]]> : tensor<3x2xi8> -> tensor<3x2x!quant.int<3>>
  %xs = streamline.mul %x, %s : (tensor<1x3x!quant.uint<2>>, tensor<3xf64>) -> tensor<1x3xf32>
  %y = streamline.matmul %xs, %w : (tensor<1x3xf32>, tensor<3x2x!quant.int<3>>) -> tensor<1x2xf32>
  func.return %y : tensor<1x2xf32>
}
