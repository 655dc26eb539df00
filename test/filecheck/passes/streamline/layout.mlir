// RUN: qnn-opt %s -p 'streamline{check=false}' --split-input-file | filecheck %s

// NHWC -> NCHW -> flatten -> matmul: the rows of W are permuted to NHWC-flat order
// (row (h*W + w)*C + c takes NCHW row c*H*W + h*W + w) and the transpose disappears.
// CHECK-LABEL: @absorb_transpose
// CHECK:       %[[W:.*]] = quant.constant dense<{{\[\[}}0], [4], [1], [5], [2], [6], [3], [7]]> : tensor<8x1xi8> -> tensor<8x1x!quant.uint<3>>
// CHECK-NEXT:  %[[F:.*]] = streamline.reshape %x : (tensor<1x2x2x2x!quant.uint<2>>) -> tensor<1x8x!quant.uint<2>>
// CHECK-NEXT:  streamline.matmul %[[F]], %[[W]]
// CHECK-NOT:   streamline.transpose
func.func @absorb_transpose(%x: tensor<1x2x2x2x!quant.uint<2>>) -> tensor<1x1x!quant.uint<7>> {
  %t = streamline.transpose %x {perm = array<i64: 0, 3, 1, 2>} : (tensor<1x2x2x2x!quant.uint<2>>) -> tensor<1x2x2x2x!quant.uint<2>>
  %f = streamline.reshape %t : (tensor<1x2x2x2x!quant.uint<2>>) -> tensor<1x8x!quant.uint<2>>
  %w = quant.constant dense<[[0], [1], [2], [3], [4], [5], [6], [7]]> : tensor<8x1xi8> -> tensor<8x1x!quant.uint<3>>
  %y = streamline.matmul %f, %w : (tensor<1x8x!quant.uint<2>>, tensor<8x1x!quant.uint<3>>) -> tensor<1x1x!quant.uint<7>>
  func.return %y : tensor<1x1x!quant.uint<7>>
}

// -----

// Any other transpose stays.
// CHECK-LABEL: @other_transpose_stays
// CHECK:       streamline.transpose %x {perm = array<i64: 0, 2, 1, 3>}
func.func @other_transpose_stays(%x: tensor<1x2x2x2x!quant.uint<2>>) -> tensor<1x1x!quant.uint<7>> {
  %t = streamline.transpose %x {perm = array<i64: 0, 2, 1, 3>} : (tensor<1x2x2x2x!quant.uint<2>>) -> tensor<1x2x2x2x!quant.uint<2>>
  %f = streamline.reshape %t : (tensor<1x2x2x2x!quant.uint<2>>) -> tensor<1x8x!quant.uint<2>>
  %w = quant.constant dense<[[0], [1], [2], [3], [4], [5], [6], [7]]> : tensor<8x1xi8> -> tensor<8x1x!quant.uint<3>>
  %y = streamline.matmul %f, %w : (tensor<1x8x!quant.uint<2>>, tensor<8x1x!quant.uint<3>>) -> tensor<1x1x!quant.uint<7>>
  func.return %y : tensor<1x1x!quant.uint<7>>
}

// -----

// An Unsqueeze/Squeeze pair (reshape to 1x4x1 and back) is the identity; a chain of
// reshapes is one reshape.
func.func @reshapes(%x: tensor<1x4x!quant.int<3>>) -> (tensor<1x4x!quant.int<3>>, tensor<2x2x!quant.int<3>>) {
  %u = streamline.reshape %x : (tensor<1x4x!quant.int<3>>) -> tensor<1x4x1x!quant.int<3>>
  %s = streamline.reshape %u : (tensor<1x4x1x!quant.int<3>>) -> tensor<1x4x!quant.int<3>>
  %t = streamline.reshape %u : (tensor<1x4x1x!quant.int<3>>) -> tensor<2x2x!quant.int<3>>
  func.return %s, %t : tensor<1x4x!quant.int<3>>, tensor<2x2x!quant.int<3>>
}

// CHECK-LABEL: func.func @reshapes
// CHECK-NEXT:    %t = streamline.reshape %x : (tensor<1x4x!quant.int<3>>) -> tensor<2x2x!quant.int<3>>
// CHECK-NEXT:    func.return %x, %t

// -----

// A shared multithreshold after a depth-to-space moves before it, where the per-channel
// scale (per position after the depth-to-space) is absorbed into its thresholds.
// CHECK-LABEL: @thresholds_before_depth_to_space
// CHECK:       %[[T:.*]] = streamline.multithreshold %x, %{{.*}} : (tensor<1x1x1x4x!quant.int<4>>, tensor<4x1x{{.*}}>) -> tensor<1x1x1x4x!quant.uint<1>>
// CHECK-NEXT:  streamline.depth_to_space %[[T]] {blocksize = 2 : i64, mode = "DCR"} : (tensor<1x1x1x4x!quant.uint<1>>) -> tensor<1x2x2x1x!quant.uint<1>>
func.func @thresholds_before_depth_to_space(%x: tensor<1x1x1x4x!quant.int<4>>) -> tensor<1x2x2x1x!quant.uint<1>> {
  %s = quant.constant dense<[0.5, 1.0, 2.0, 4.0]> : tensor<4xf64>
  %xs = streamline.mul %x, %s : (tensor<1x1x1x4x!quant.int<4>>, tensor<4xf64>) -> tensor<1x1x1x4xf32>
  %d = streamline.depth_to_space %xs {blocksize = 2 : i64, mode = "DCR"} : (tensor<1x1x1x4xf32>) -> tensor<1x2x2x1xf32>
  %t = quant.constant dense<[[1.0]]> : tensor<1x1xf64>
  %q = streamline.multithreshold %d, %t {out_scale = 1 : i64, out_bias = 0 : i64} : (tensor<1x2x2x1xf32>, tensor<1x1xf64>) -> tensor<1x2x2x1x!quant.uint<1>>
  func.return %q : tensor<1x2x2x1x!quant.uint<1>>
}
