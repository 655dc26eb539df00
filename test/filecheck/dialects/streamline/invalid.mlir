// RUN: qnn-opt %s --split-input-file --verify-diagnostics | filecheck %s

// One case per verifier invariant of the streamline dialect. Each case is its own module;
// qnn-opt prints the verifier's message for it.

// multithreshold: the input must hold a QONNX datatype or floats
func.func @t0(%x: tensor<1x4xi32>, %t: tensor<1x3xf64>) {
  %m = streamline.multithreshold %x, %t {out_scale = 1 : i64, out_bias = 0 : i64} : (tensor<1x4xi32>, tensor<1x3xf64>) -> tensor<1x4x!quant.uint<2>>
  func.return
}
// CHECK: Operation does not verify: streamline.multithreshold: input must be a tensor of a QONNX datatype or of floats, got tensor<1x4xi32>

// -----

// multithreshold: a rank-0 input has no channel axis
func.func @t1(%x: tensor<f32>, %t: tensor<1x3xf64>) {
  %m = streamline.multithreshold %x, %t {out_scale = 1 : i64, out_bias = 0 : i64} : (tensor<f32>, tensor<1x3xf64>) -> tensor<!quant.uint<2>>
  func.return
}
// CHECK: Operation does not verify: streamline.multithreshold: input must have a channel axis

// -----

// multithreshold: thresholds must be 2-D
func.func @t2(%x: tensor<1x4xf32>, %t: tensor<3xf64>) {
  %m = streamline.multithreshold %x, %t {out_scale = 1 : i64, out_bias = 0 : i64} : (tensor<1x4xf32>, tensor<3xf64>) -> tensor<1x4x!quant.uint<2>>
  func.return
}
// CHECK: Operation does not verify: streamline.multithreshold: thresholds must be C x N

// -----

// multithreshold: one threshold row per channel, or one shared row
func.func @t3(%x: tensor<1x4xf32>, %t: tensor<2x3xf64>) {
  %m = streamline.multithreshold %x, %t {out_scale = 1 : i64, out_bias = 0 : i64} : (tensor<1x4xf32>, tensor<2x3xf64>) -> tensor<1x4x!quant.uint<2>>
  func.return
}
// CHECK: Operation does not verify: streamline.multithreshold: 2 threshold rows for 4 channels

// -----

// multithreshold: integer thresholds need an integer input
func.func @t4(%x: tensor<1x4xf32>, %t: tensor<1x3x!quant.int<4>>) {
  %m = streamline.multithreshold %x, %t {out_scale = 1 : i64, out_bias = 0 : i64} : (tensor<1x4xf32>, tensor<1x3x!quant.int<4>>) -> tensor<1x4x!quant.uint<2>>
  func.return
}
// CHECK: Operation does not verify: streamline.multithreshold: integer thresholds need an integer input

// -----

// multithreshold: one strictness flag (0 or 1) per threshold
func.func @t5(%x: tensor<1x4xf32>, %t: tensor<1x3xf64>) {
  %m = streamline.multithreshold %x, %t {out_scale = 1 : i64, out_bias = 0 : i64, strict = array<i64: 1, 0>} : (tensor<1x4xf32>, tensor<1x3xf64>) -> tensor<1x4x!quant.uint<2>>
  func.return
}
// CHECK: Operation does not verify: streamline.multithreshold: strict must be 3 values of 0 or 1

// -----

// multithreshold: the result has the input's shape
func.func @t6(%x: tensor<1x4xf32>, %t: tensor<1x3xf64>) {
  %m = streamline.multithreshold %x, %t {out_scale = 1 : i64, out_bias = 0 : i64} : (tensor<1x4xf32>, tensor<1x3xf64>) -> tensor<1x5x!quant.uint<2>>
  func.return
}
// CHECK: Operation does not verify: streamline.multithreshold: result shape (1, 5) does not match the expected (1, 4)

// -----

// multithreshold: the result is an integer tensor
func.func @t7(%x: tensor<1x4xf32>, %t: tensor<1x3xf64>) {
  %m = streamline.multithreshold %x, %t {out_scale = 1 : i64, out_bias = 0 : i64} : (tensor<1x4xf32>, tensor<1x3xf64>) -> tensor<1x4xf32>
  func.return
}
// CHECK: Operation does not verify: streamline.multithreshold: result must be an integer tensor (an integer one exactly when every operand is), got tensor<1x4xf32>

// -----

// multithreshold: a bipolar result needs one threshold, out_scale 2, out_bias -1
func.func @t8(%x: tensor<1x4xf32>, %t: tensor<1x1xf64>) {
  %m = streamline.multithreshold %x, %t {out_scale = 1 : i64, out_bias = 0 : i64} : (tensor<1x4xf32>, tensor<1x1xf64>) -> tensor<1x4x!quant.bipolar>
  func.return
}
// CHECK: Operation does not verify: streamline.multithreshold: a bipolar result needs one threshold, out_scale 2 and out_bias -1

// -----

// multithreshold: the result datatype must hold out_bias + out_scale * N
func.func @t9(%x: tensor<1x4xf32>, %t: tensor<1x3xf64>) {
  %m = streamline.multithreshold %x, %t {out_scale = 2 : i64, out_bias = 0 : i64} : (tensor<1x4xf32>, tensor<1x3xf64>) -> tensor<1x4x!quant.uint<2>>
  func.return
}
// CHECK: Operation does not verify: streamline.multithreshold: result datatype !quant.uint<2> cannot hold the range [0, 6]

// -----

// matmul: weights must be K x M
func.func @t10(%x: tensor<1x4xf32>, %w: tensor<4xf32>) {
  %y = streamline.matmul %x, %w : (tensor<1x4xf32>, tensor<4xf32>) -> tensor<1xf32>
  func.return
}
// CHECK: Operation does not verify: streamline.matmul: weights must be K x M

// -----

// matmul: operands must hold a QONNX datatype or floats
func.func @t11(%x: tensor<1x4xf32>, %w: tensor<4x2xi8>) {
  %y = streamline.matmul %x, %w : (tensor<1x4xf32>, tensor<4x2xi8>) -> tensor<1x2xf32>
  func.return
}
// CHECK: Operation does not verify: streamline.matmul: weight must be a tensor of a QONNX datatype or of floats, got tensor<4x2xi8>

// -----

// matmul: inner dimensions agree
func.func @t12(%x: tensor<1x4xf32>, %w: tensor<3x2xf32>) {
  %y = streamline.matmul %x, %w : (tensor<1x4xf32>, tensor<3x2xf32>) -> tensor<1x2xf32>
  func.return
}
// CHECK: Operation does not verify: matmul inner dimensions 4 and 3 differ

// -----

// matmul: the result is integer exactly when both operands are
func.func @t13(%x: tensor<1x4xf32>, %w: tensor<4x2x!quant.int<2>>) {
  %y = streamline.matmul %x, %w : (tensor<1x4xf32>, tensor<4x2x!quant.int<2>>) -> tensor<1x2x!quant.int<8>>
  func.return
}
// CHECK: Operation does not verify: streamline.matmul: result must be a float tensor (an integer one exactly when every operand is), got tensor<1x2x!quant.int<8>>

// -----

// matmul: the result datatype holds every sum (exact for constant weights)
func.func @t14(%x: tensor<1x4x!quant.uint<2>>) {
  %w = quant.constant dense<1> : tensor<4x2xi8> -> tensor<4x2x!quant.int<2>>
  %y = streamline.matmul %x, %w : (tensor<1x4x!quant.uint<2>>, tensor<4x2x!quant.int<2>>) -> tensor<1x2x!quant.uint<3>>
  func.return
}
// CHECK: Operation does not verify: streamline.matmul: result datatype !quant.uint<3> cannot hold the range [0, 12]

// -----

// xnor_popcount: operands are bipolar
func.func @t15(%x: tensor<1x4x!quant.uint<1>>, %w: tensor<4x2x!quant.bipolar>) {
  %y = streamline.xnor_popcount %x, %w : (tensor<1x4x!quant.uint<1>>, tensor<4x2x!quant.bipolar>) -> tensor<1x2x!quant.uint<3>>
  func.return
}
// CHECK: Operation does not verify: streamline.xnor_popcount: input must be bipolar, got tensor<1x4x!quant.uint<1>>

// -----

// xnor_popcount: weights are K x M
func.func @t16(%x: tensor<1x4x!quant.bipolar>, %w: tensor<4x!quant.bipolar>) {
  %y = streamline.xnor_popcount %x, %w : (tensor<1x4x!quant.bipolar>, tensor<4x!quant.bipolar>) -> tensor<1x!quant.uint<3>>
  func.return
}
// CHECK: Operation does not verify: streamline.xnor_popcount: weights must be K x M

// -----

// xnor_popcount: the result holds counts 0..K
func.func @t17(%x: tensor<1x4x!quant.bipolar>, %w: tensor<4x2x!quant.bipolar>) {
  %y = streamline.xnor_popcount %x, %w : (tensor<1x4x!quant.bipolar>, tensor<4x2x!quant.bipolar>) -> tensor<1x2x!quant.uint<2>>
  func.return
}
// CHECK: Operation does not verify: streamline.xnor_popcount: result datatype !quant.uint<2> cannot hold the range [0, 4]

// -----

// dw_matmul: weights are K x C
func.func @t18(%x: tensor<1x18xf32>, %w: tensor<18xf32>) {
  %y = streamline.dw_matmul %x, %w : (tensor<1x18xf32>, tensor<18xf32>) -> tensor<1x2xf32>
  func.return
}
// CHECK: Operation does not verify: streamline.dw_matmul: weights must be K x C

// -----

// dw_matmul: the input has K * C columns
func.func @t19(%x: tensor<1x16xf32>, %w: tensor<9x2xf32>) {
  %y = streamline.dw_matmul %x, %w : (tensor<1x16xf32>, tensor<9x2xf32>) -> tensor<1x2xf32>
  func.return
}
// CHECK: Operation does not verify: streamline.dw_matmul: input has 16 columns, weights need 9 x 2

// -----

// dw_matmul: the result datatype holds every sum
func.func @t20(%x: tensor<1x18x!quant.uint<2>>) {
  %w = quant.constant dense<1> : tensor<9x2xi8> -> tensor<9x2x!quant.int<2>>
  %y = streamline.dw_matmul %x, %w : (tensor<1x18x!quant.uint<2>>, tensor<9x2x!quant.int<2>>) -> tensor<1x2x!quant.uint<4>>
  func.return
}
// CHECK: Operation does not verify: streamline.dw_matmul: result datatype !quant.uint<4> cannot hold the range [0, 27]

// -----

// mul: operands broadcast
func.func @t21(%x: tensor<1x4xf32>, %s: tensor<3xf64>) {
  %y = streamline.mul %x, %s : (tensor<1x4xf32>, tensor<3xf64>) -> tensor<1x4xf32>
  func.return
}
// CHECK: Operation does not verify: shapes (1, 4) and (3,) do not broadcast

// -----

// mul: the result has the broadcast shape
func.func @t22(%x: tensor<1x4xf32>, %s: tensor<f64>) {
  %y = streamline.mul %x, %s : (tensor<1x4xf32>, tensor<f64>) -> tensor<4xf32>
  func.return
}
// CHECK: Operation does not verify: streamline.mul: result shape (4,) does not match the expected (1, 4)

// -----

// mul: an integer times a float is a float
func.func @t23(%x: tensor<1x4x!quant.int<4>>, %s: tensor<f64>) {
  %y = streamline.mul %x, %s : (tensor<1x4x!quant.int<4>>, tensor<f64>) -> tensor<1x4x!quant.int<8>>
  func.return
}
// CHECK: Operation does not verify: streamline.mul: result must be a float tensor (an integer one exactly when every operand is), got tensor<1x4x!quant.int<8>>

// -----

// mul: the integer product fits the result datatype
func.func @t24(%x: tensor<1x4x!quant.int<4>>, %s: tensor<!quant.int<4>>) {
  %y = streamline.mul %x, %s : (tensor<1x4x!quant.int<4>>, tensor<!quant.int<4>>) -> tensor<1x4x!quant.int<7>>
  func.return
}
// CHECK: Operation does not verify: streamline.mul: result datatype !quant.int<7> cannot hold the range [-56, 64]

// -----

// add: the integer sum fits the result datatype
func.func @t25(%x: tensor<1x4x!quant.uint<4>>, %y: tensor<1x4x!quant.uint<4>>) {
  %z = streamline.add %x, %y : (tensor<1x4x!quant.uint<4>>, tensor<1x4x!quant.uint<4>>) -> tensor<1x4x!quant.uint<4>>
  func.return
}
// CHECK: Operation does not verify: streamline.add: result datatype !quant.uint<4> cannot hold the range [0, 30]

// -----

// window ops: the input is N x H x W x C
func.func @t26(%x: tensor<4x4x2xf32>) {
  %y = streamline.maxpool %x {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : (tensor<4x4x2xf32>) -> tensor<2x2x2xf32>
  func.return
}
// CHECK: Operation does not verify: streamline.maxpool: input must be N x H x W x C

// -----

// window ops: two kernel sizes >= 1
func.func @t27(%x: tensor<1x4x4x2xf32>) {
  %y = streamline.maxpool %x {kernel = array<i64: 0, 2>, stride = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x4x4x2xf32>) -> tensor<1x2x2x2xf32>
  func.return
}
// CHECK: Operation does not verify: streamline.maxpool: kernel must be 2 sizes >= 1

// -----

// window ops: two strides >= 1
func.func @t28(%x: tensor<1x4x4x2xf32>) {
  %y = streamline.maxpool %x {kernel = array<i64: 2, 2>, stride = array<i64: 2>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x4x4x2xf32>) -> tensor<1x2x2x2xf32>
  func.return
}
// CHECK: Operation does not verify: streamline.maxpool: stride must be 2 values >= 1

// -----

// window ops: four pads >= 0
func.func @t29(%x: tensor<1x4x4x2xf32>) {
  %y = streamline.maxpool %x {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, pads = array<i64: 0, 0, -1, 0>} : (tensor<1x4x4x2xf32>) -> tensor<1x2x2x2xf32>
  func.return
}
// CHECK: Operation does not verify: streamline.maxpool: pads must be 4 values >= 0

// -----

// window ops: two dilations >= 1
func.func @t30(%x: tensor<1x4x4x2xf32>) {
  %y = streamline.im2col %x {kernel = array<i64: 2, 2>, stride = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilation = array<i64: 0, 1>} : (tensor<1x4x4x2xf32>) -> tensor<1x3x3x8xf32>
  func.return
}
// CHECK: Operation does not verify: streamline.im2col: dilation must be 2 values >= 1

// -----

// window ops: the window fits the (padded) input
func.func @t31(%x: tensor<1x2x2x2xf32>) {
  %y = streamline.maxpool %x {kernel = array<i64: 3, 3>, stride = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x2x2x2xf32>) -> tensor<1x0x0x2xf32>
  func.return
}
// CHECK: Operation does not verify: streamline.maxpool: the window does not fit the input

// -----

// im2col: a bipolar input cannot be zero-padded
func.func @t32(%x: tensor<1x4x4x2x!quant.bipolar>) {
  %y = streamline.im2col %x {kernel = array<i64: 3, 3>, stride = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x4x4x2x!quant.bipolar>) -> tensor<1x4x4x18x!quant.bipolar>
  func.return
}
// CHECK: Operation does not verify: streamline.im2col: a bipolar input cannot be zero-padded

// -----

// im2col: result shape N x OH x OW x (KH*KW*C)
func.func @t33(%x: tensor<1x4x4x2xf32>) {
  %y = streamline.im2col %x {kernel = array<i64: 3, 3>, stride = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilation = array<i64: 1, 1>} : (tensor<1x4x4x2xf32>) -> tensor<1x2x2x9xf32>
  func.return
}
// CHECK: Operation does not verify: streamline.im2col: result shape (1, 2, 2, 9) does not match the expected (1, 2, 2, 18)

// -----

// im2col: the element type is kept
func.func @t34(%x: tensor<1x4x4x2x!quant.uint<2>>) {
  %y = streamline.im2col %x {kernel = array<i64: 3, 3>, stride = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilation = array<i64: 1, 1>} : (tensor<1x4x4x2x!quant.uint<2>>) -> tensor<1x2x2x18x!quant.uint<3>>
  func.return
}
// CHECK: Operation does not verify: streamline.im2col: element type changes from !quant.uint<2> to !quant.uint<3>

// -----

// maxpool: result shape N x OH x OW x C
func.func @t35(%x: tensor<1x4x4x2xf32>) {
  %y = streamline.maxpool %x {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x4x4x2xf32>) -> tensor<1x2x2x4xf32>
  func.return
}
// CHECK: Operation does not verify: streamline.maxpool: result shape (1, 2, 2, 4) does not match the expected (1, 2, 2, 2)

// -----

// maxpool: the element type is kept
func.func @t36(%x: tensor<1x4x4x2x!quant.uint<2>>) {
  %y = streamline.maxpool %x {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x4x4x2x!quant.uint<2>>) -> tensor<1x2x2x2x!quant.uint<4>>
  func.return
}
// CHECK: Operation does not verify: streamline.maxpool: element type changes from !quant.uint<2> to !quant.uint<4>

// -----

// sum_pool: the window sum fits the result datatype
func.func @t37(%x: tensor<1x4x4x2x!quant.uint<2>>) {
  %y = streamline.sum_pool %x {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x4x4x2x!quant.uint<2>>) -> tensor<1x2x2x2x!quant.uint<3>>
  func.return
}
// CHECK: Operation does not verify: streamline.sum_pool: result datatype !quant.uint<3> cannot hold the range [0, 12]

// -----

// sum_pool: integer input, integer result
func.func @t38(%x: tensor<1x4x4x2x!quant.uint<2>>) {
  %y = streamline.sum_pool %x {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x4x4x2x!quant.uint<2>>) -> tensor<1x2x2x2xf32>
  func.return
}
// CHECK: Operation does not verify: streamline.sum_pool: result must be an integer tensor (an integer one exactly when every operand is), got tensor<1x2x2x2xf32>

// -----

// global_sum: the input is N x H x W x C
func.func @t39(%x: tensor<1x4x2xf32>) {
  %y = streamline.global_sum %x : (tensor<1x4x2xf32>) -> tensor<1x1x2xf32>
  func.return
}
// CHECK: Operation does not verify: streamline.global_sum: input must be N x H x W x C

// -----

// global_sum: result N x 1 x 1 x C
func.func @t40(%x: tensor<1x4x4x2xf32>) {
  %y = streamline.global_sum %x : (tensor<1x4x4x2xf32>) -> tensor<1x2xf32>
  func.return
}
// CHECK: Operation does not verify: streamline.global_sum: result shape (1, 2) does not match the expected (1, 1, 1, 2)

// -----

// global_sum: the sum fits the result datatype
func.func @t41(%x: tensor<1x4x4x2x!quant.uint<2>>) {
  %y = streamline.global_sum %x : (tensor<1x4x4x2x!quant.uint<2>>) -> tensor<1x1x1x2x!quant.uint<5>>
  func.return
}
// CHECK: Operation does not verify: streamline.global_sum: result datatype !quant.uint<5> cannot hold the range [0, 48]

// -----

// reshape: same number of elements
func.func @t42(%x: tensor<1x4xf32>) {
  %y = streamline.reshape %x : (tensor<1x4xf32>) -> tensor<1x5xf32>
  func.return
}
// CHECK: Operation does not verify: streamline.reshape: cannot view (1, 4) as (1, 5)

// -----

// reshape: the element type is kept
func.func @t43(%x: tensor<1x4xf32>) {
  %y = streamline.reshape %x : (tensor<1x4xf32>) -> tensor<4xf64>
  func.return
}
// CHECK: Operation does not verify: streamline.reshape: element type changes from f32 to f64

// -----

// transpose: perm is a permutation of the axes
func.func @t44(%x: tensor<1x2x3xf32>) {
  %y = streamline.transpose %x {perm = array<i64: 0, 1, 1>} : (tensor<1x2x3xf32>) -> tensor<1x2x2xf32>
  func.return
}
// CHECK: Operation does not verify: streamline.transpose: perm [0, 1, 1] is not a permutation

// -----

// transpose: result shape x.shape[perm]
func.func @t45(%x: tensor<1x2x3xf32>) {
  %y = streamline.transpose %x {perm = array<i64: 0, 2, 1>} : (tensor<1x2x3xf32>) -> tensor<1x2x3xf32>
  func.return
}
// CHECK: Operation does not verify: streamline.transpose: result shape (1, 2, 3) does not match the expected (1, 3, 2)

// -----

// concat: at least one input
func.func @t46() {
  %y = streamline.concat {axis = 0 : i64} : () -> tensor<1xf32>
  func.return
}
// CHECK: Operation does not verify: streamline.concat: needs at least one input

// -----

// concat: axis in range
func.func @t47(%x: tensor<1x2xf32>) {
  %y = streamline.concat %x, %x {axis = 2 : i64} : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x4xf32>
  func.return
}
// CHECK: Operation does not verify: streamline.concat: axis 2 out of range

// -----

// concat: result shape
func.func @t48(%x: tensor<1x2xf32>) {
  %y = streamline.concat %x, %x {axis = 1 : i64} : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x3xf32>
  func.return
}
// CHECK: Operation does not verify: streamline.concat: result shape (1, 3) does not match the expected (1, 4)

// -----

// concat: inputs share the result's element type
func.func @t49(%x: tensor<1x2xf32>, %i: tensor<1x2x!quant.uint<2>>) {
  %y = streamline.concat %x, %i {axis = 1 : i64} : (tensor<1x2xf32>, tensor<1x2x!quant.uint<2>>) -> tensor<1x4xf32>
  func.return
}
// CHECK: Operation does not verify: streamline.concat: element type changes from !quant.uint<2> to f32

// -----

// topk: 1 <= k <= size of the last axis
func.func @t50(%x: tensor<1x4xf32>) {
  %v, %i = streamline.topk %x {k = 5 : i64} : (tensor<1x4xf32>) -> (tensor<1x5xf32>, tensor<1x5xi64>)
  func.return
}
// CHECK: Operation does not verify: streamline.topk: k=5 must be in [1, 4]

// -----

// topk: values have k on the last axis
func.func @t51(%x: tensor<1x4xf32>) {
  %v, %i = streamline.topk %x {k = 2 : i64} : (tensor<1x4xf32>) -> (tensor<1x3xf32>, tensor<1x2xi64>)
  func.return
}
// CHECK: Operation does not verify: streamline.topk: result shape

// -----

// topk: indices have k on the last axis
func.func @t52(%x: tensor<1x4xf32>) {
  %v, %i = streamline.topk %x {k = 2 : i64} : (tensor<1x4xf32>) -> (tensor<1x2xf32>, tensor<1x3xi64>)
  func.return
}
// CHECK: Operation does not verify: streamline.topk: result shape

// -----

// topk: indices are i64
func.func @t53(%x: tensor<1x4xf32>) {
  %v, %i = streamline.topk %x {k = 2 : i64} : (tensor<1x4xf32>) -> (tensor<1x2xf32>, tensor<1x2xi32>)
  func.return
}
// CHECK: Operation does not verify: streamline.topk: indices must be i64

// -----

func.func @upsample_scales(%x: tensor<1x2x2x3xf32>) -> tensor<1x4x4x3xf32> {
  %u = streamline.upsample %x {scales = array<i64: 1, 2, 2>} : (tensor<1x2x2x3xf32>) -> tensor<1x4x4x3xf32>
  func.return %u : tensor<1x4x4x3xf32>
}
// CHECK: streamline.upsample: scales [1, 2, 2] must be 4 integers >= 1

// -----

func.func @slice_element(%x: tensor<1x4x!quant.uint<2>>) -> tensor<1x2x!quant.uint<3>> {
  %s = streamline.slice %x {starts = array<i64: 0, 0>, ends = array<i64: 1, 2>, steps = array<i64: 1, 1>} : (tensor<1x4x!quant.uint<2>>) -> tensor<1x2x!quant.uint<3>>
  func.return %s : tensor<1x2x!quant.uint<3>>
}
// CHECK: streamline.slice: element type changes from !quant.uint<2> to !quant.uint<3>

// -----

func.func @depth_to_space_channels(%x: tensor<1x2x2x6xf32>) -> tensor<1x4x4x1xf32> {
  %y = streamline.depth_to_space %x {blocksize = 2 : i64, mode = "DCR"} : (tensor<1x2x2x6xf32>) -> tensor<1x4x4x1xf32>
  func.return %y : tensor<1x4x4x1xf32>
}
// CHECK: streamline.depth_to_space: blocksize 2 squared must divide the 6 channels
