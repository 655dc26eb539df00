// RUN: qnn-opt %s --split-input-file --verify-diagnostics | filecheck %s

// One case per verifier invariant of the quant dialect and its datatypes. Each case
// is its own module; qnn-opt prints the verifier's message for it.

// quant.quant: bitwidth 0
%x = quant.constant dense<0.0> : tensor<1x4xf32>
%s = quant.constant dense<0.5> : tensor<f32>
%z = quant.constant dense<0.0> : tensor<f32>
%b = quant.constant dense<0.0> : tensor<f32>
%q = quant.quant %x scale %s zeropt %z bitwidth %b {signed = true, narrow = false, rounding_mode = "ROUND"} : (tensor<1x4xf32>, tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<1x4xf32>
// CHECK: Operation does not verify: quant.quant: bitwidth must be an integer >= 1, got [0.0]

// -----

// quant.quant: fractional bitwidth
%x = quant.constant dense<0.0> : tensor<1x4xf32>
%s = quant.constant dense<0.5> : tensor<f32>
%z = quant.constant dense<0.0> : tensor<f32>
%b = quant.constant dense<2.5> : tensor<f32>
%q = quant.quant %x scale %s zeropt %z bitwidth %b {signed = true, narrow = false, rounding_mode = "ROUND"} : (tensor<1x4xf32>, tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<1x4xf32>
// CHECK: Operation does not verify: quant.quant: bitwidth must be an integer >= 1, got [2.5]

// -----

// quant.quant: negative scale
%x = quant.constant dense<0.0> : tensor<1x4xf32>
%s = quant.constant dense<-0.5> : tensor<f32>
%z = quant.constant dense<0.0> : tensor<f32>
%b = quant.constant dense<4.0> : tensor<f32>
%q = quant.quant %x scale %s zeropt %z bitwidth %b {signed = true, narrow = false, rounding_mode = "ROUND"} : (tensor<1x4xf32>, tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<1x4xf32>
// CHECK: Operation does not verify: quant.quant: scale must be positive, got [-0.5]

// -----

// quant.quant: zero scale in one channel
%x = quant.constant dense<0.0> : tensor<1x4xf32>
%s = quant.constant dense<[[0.5, 0.0, 1.0, 2.0]]> : tensor<1x4xf32>
%z = quant.constant dense<0.0> : tensor<f32>
%b = quant.constant dense<4.0> : tensor<f32>
%q = quant.quant %x scale %s zeropt %z bitwidth %b {signed = true, narrow = false, rounding_mode = "ROUND"} : (tensor<1x4xf32>, tensor<1x4xf32>, tensor<f32>, tensor<f32>) -> tensor<1x4xf32>
// CHECK: Operation does not verify: quant.quant: scale must be positive, got [0.5, 0.0, 1.0, 2.0]

// -----

// quant.quant: non-finite zero point
%x = quant.constant dense<0.0> : tensor<1x4xf32>
%s = quant.constant dense<0.5> : tensor<f32>
%z = quant.constant dense<"0x0000807F"> : tensor<f32>
%b = quant.constant dense<4.0> : tensor<f32>
%q = quant.quant %x scale %s zeropt %z bitwidth %b {signed = true, narrow = false, rounding_mode = "ROUND"} : (tensor<1x4xf32>, tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<1x4xf32>
// CHECK: Operation does not verify: quant.quant: zeropt must be finite, got [inf]

// -----

// quant.quant: unknown rounding mode
%x = quant.constant dense<0.0> : tensor<1x4xf32>
%s = quant.constant dense<0.5> : tensor<f32>
%z = quant.constant dense<0.0> : tensor<f32>
%b = quant.constant dense<4.0> : tensor<f32>
%q = quant.quant %x scale %s zeropt %z bitwidth %b {signed = true, narrow = false, rounding_mode = "STOCHASTIC"} : (tensor<1x4xf32>, tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<1x4xf32>
// CHECK: Operation does not verify: quant.quant: unknown rounding mode 'STOCHASTIC' (expected one of ROUND, CEIL, FLOOR, UP, DOWN, HALF_UP, HALF_DOWN)

// -----

// quant.quant: scale does not broadcast to the input
%x = quant.constant dense<0.0> : tensor<1x4xf32>
%s = quant.constant dense<0.5> : tensor<3xf32>
%z = quant.constant dense<0.0> : tensor<f32>
%b = quant.constant dense<4.0> : tensor<f32>
%q = quant.quant %x scale %s zeropt %z bitwidth %b {signed = true, narrow = false, rounding_mode = "ROUND"} : (tensor<1x4xf32>, tensor<3xf32>, tensor<f32>, tensor<f32>) -> tensor<1x4xf32>
// CHECK: Operation does not verify: quant.quant: shapes (1, 4) and (3,) do not broadcast

// -----

// quant.quant: zeropt broadcasts, but widens the input shape
%x = quant.constant dense<0.0> : tensor<1x4xf32>
%s = quant.constant dense<0.5> : tensor<f32>
%z = quant.constant dense<0.0> : tensor<2x1xf32>
%b = quant.constant dense<4.0> : tensor<f32>
%q = quant.quant %x scale %s zeropt %z bitwidth %b {signed = true, narrow = false, rounding_mode = "ROUND"} : (tensor<1x4xf32>, tensor<f32>, tensor<2x1xf32>, tensor<f32>) -> tensor<1x4xf32>
// CHECK: Operation does not verify: quant.quant: zeropt of shape (2, 1) does not broadcast to the input (1, 4)

// -----

// quant.quant: result shaped unlike the input
%x = quant.constant dense<0.0> : tensor<1x4xf32>
%s = quant.constant dense<0.5> : tensor<f32>
%z = quant.constant dense<0.0> : tensor<f32>
%b = quant.constant dense<4.0> : tensor<f32>
%q = quant.quant %x scale %s zeropt %z bitwidth %b {signed = true, narrow = false, rounding_mode = "ROUND"} : (tensor<1x4xf32>, tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<4xf32>
// CHECK: Operation does not verify: quant.quant: result shape (4,) does not match the expected (1, 4)

// -----

// quant.bipolar_quant: zero scale
%x = quant.constant dense<0.0> : tensor<1x4xf32>
%s = quant.constant dense<0.0> : tensor<f32>
%q = quant.bipolar_quant %x scale %s : (tensor<1x4xf32>, tensor<f32>) -> tensor<1x4xf32>
// CHECK: Operation does not verify: quant.bipolar_quant: scale must be positive, got [0.0]

// -----

// quant.trunc: zero in_bitwidth
%x = quant.constant dense<0.0> : tensor<1x4xf32>
%s = quant.constant dense<0.5> : tensor<f32>
%z = quant.constant dense<0.0> : tensor<f32>
%ib = quant.constant dense<0.0> : tensor<f32>
%ob = quant.constant dense<4.0> : tensor<f32>
%t = quant.trunc %x scale %s zeropt %z in_bitwidth %ib out_bitwidth %ob {rounding_mode = "FLOOR"} : (tensor<1x4xf32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<1x4xf32>
// CHECK: Operation does not verify: quant.trunc: in_bitwidth must be an integer >= 1, got [0.0]

// -----

// quant.trunc: negative out_scale
%x = quant.constant dense<0.0> : tensor<1x4xf32>
%s = quant.constant dense<0.5> : tensor<f32>
%z = quant.constant dense<0.0> : tensor<f32>
%ib = quant.constant dense<8.0> : tensor<f32>
%ob = quant.constant dense<4.0> : tensor<f32>
%os = quant.constant dense<-2.0> : tensor<f32>
%t = quant.trunc %x scale %s zeropt %z in_bitwidth %ib out_bitwidth %ob out_scale %os {rounding_mode = "FLOOR"} : (tensor<1x4xf32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<1x4xf32>
// CHECK: Operation does not verify: quant.trunc: out_scale must be positive, got [-2.0]

// -----

// quant.trunc: unknown rounding mode
%x = quant.constant dense<0.0> : tensor<1x4xf32>
%s = quant.constant dense<0.5> : tensor<f32>
%z = quant.constant dense<0.0> : tensor<f32>
%ib = quant.constant dense<8.0> : tensor<f32>
%ob = quant.constant dense<4.0> : tensor<f32>
%t = quant.trunc %x scale %s zeropt %z in_bitwidth %ib out_bitwidth %ob {rounding_mode = "TRUNCATE"} : (tensor<1x4xf32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<1x4xf32>
// CHECK: Operation does not verify: quant.trunc: unknown rounding mode 'TRUNCATE' (expected one of ROUND, CEIL, FLOOR, UP, DOWN, HALF_UP, HALF_DOWN)

// -----

// quant.multithreshold: unknown data layout
%v = quant.constant dense<0.0> : tensor<1x4xf32>
%t = quant.constant dense<0.0> : tensor<4x3xf32>
%y = quant.multithreshold %v, %t {out_scale = 1.0 : f32, out_bias = 0.0 : f32, out_dtype = "UINT2", data_layout = "CHWN"} : (tensor<1x4xf32>, tensor<4x3xf32>) -> tensor<1x4xf32>
// CHECK: Operation does not verify: quant.multithreshold: unknown data_layout 'CHWN'

// -----

// quant.multithreshold: NHWC layout on a 2-D input
%v = quant.constant dense<0.0> : tensor<1x4xf32>
%t = quant.constant dense<0.0> : tensor<4x3xf32>
%y = quant.multithreshold %v, %t {out_scale = 1.0 : f32, out_bias = 0.0 : f32, out_dtype = "UINT2", data_layout = "NHWC"} : (tensor<1x4xf32>, tensor<4x3xf32>) -> tensor<1x4xf32>
// CHECK: Operation does not verify: quant.multithreshold: data_layout NHWC needs a 4-D input, got 2-D

// -----

// quant.multithreshold: threshold rows differ from the channel count
%v = quant.constant dense<0.0> : tensor<1x4x2x2xf32>
%t = quant.constant dense<0.0> : tensor<2x3xf32>
%y = quant.multithreshold %v, %t {out_scale = 1.0 : f32, out_bias = 0.0 : f32, out_dtype = "UINT2", data_layout = "NCHW"} : (tensor<1x4x2x2xf32>, tensor<2x3xf32>) -> tensor<1x4x2x2xf32>
// CHECK: Operation does not verify: quant.multithreshold: 2 threshold rows for 4 channels

// -----

// quant.multithreshold: thresholds not 2-D
%v = quant.constant dense<0.0> : tensor<1x4xf32>
%t = quant.constant dense<0.0> : tensor<3xf32>
%y = quant.multithreshold %v, %t {out_scale = 1.0 : f32, out_bias = 0.0 : f32, out_dtype = "UINT2", data_layout = "NC"} : (tensor<1x4xf32>, tensor<3xf32>) -> tensor<1x4xf32>
// CHECK: Operation does not verify: quant.multithreshold: thresholds must be 2-D (C x N)

// -----

// quant.conv: group does not divide the channels
%x = quant.constant dense<0.0> : tensor<1x4x5x5xf32>
%w = quant.constant dense<0.0> : tensor<6x1x3x3xf32>
%y = quant.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 3 : i64} : (tensor<1x4x5x5xf32>, tensor<6x1x3x3xf32>) -> tensor<1x6x3x3xf32>
// CHECK: Operation does not verify: quant.conv: group 3 does not divide channels 4 and 6

// -----

// quant.conv: weight input channels are not C / group
%x = quant.constant dense<0.0> : tensor<1x4x5x5xf32>
%w = quant.constant dense<0.0> : tensor<8x4x3x3xf32>
%y = quant.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 2 : i64} : (tensor<1x4x5x5xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x3x3xf32>
// CHECK: Operation does not verify: quant.conv: weight has 4 input channels, expected 2

// -----

// quant.conv: bias length differs from the output channels
%x = quant.constant dense<0.0> : tensor<1x4x5x5xf32>
%w = quant.constant dense<0.0> : tensor<8x4x3x3xf32>
%bias = quant.constant dense<0.0> : tensor<4xf32>
%y = quant.conv %x, %w, %bias {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x4x5x5xf32>, tensor<8x4x3x3xf32>, tensor<4xf32>) -> tensor<1x8x3x3xf32>
// CHECK: Operation does not verify: quant.conv: bias must have shape (8,)

// -----

// quant.conv: zero stride
%x = quant.constant dense<0.0> : tensor<1x4x5x5xf32>
%w = quant.constant dense<0.0> : tensor<8x4x3x3xf32>
%y = quant.conv %x, %w {strides = array<i64: 0, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x4x5x5xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x3x3xf32>
// CHECK: Operation does not verify: quant.conv: strides must be 2 integers >= 1

// -----

// quant.conv: pads need one begin and one end per spatial axis
%x = quant.constant dense<0.0> : tensor<1x4x5x5xf32>
%w = quant.constant dense<0.0> : tensor<8x4x3x3xf32>
%y = quant.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x4x5x5xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x5x5xf32>
// CHECK: Operation does not verify: quant.conv: pads must be 4 integers >= 0

// -----

// quant.conv: wrong result shape (padding ignored)
%x = quant.constant dense<0.0> : tensor<1x4x5x5xf32>
%w = quant.constant dense<0.0> : tensor<8x4x3x3xf32>
%y = quant.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x4x5x5xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x3x3xf32>
// CHECK: Operation does not verify: quant.conv: result shape (1, 8, 3, 3) does not match the expected (1, 8, 5, 5)

// -----

// quant.gemm: inner dimensions differ (transB not applied)
%a = quant.constant dense<0.0> : tensor<2x8xf32>
%b = quant.constant dense<0.0> : tensor<3x8xf32>
%y = quant.gemm %a, %b {alpha = 1.0 : f32, beta = 1.0 : f32, trans_a = false, trans_b = false} : (tensor<2x8xf32>, tensor<3x8xf32>) -> tensor<2x3xf32>
// CHECK: Operation does not verify: quant.gemm: inner dimensions 8 and 3 differ

// -----

// quant.gemm: C does not broadcast to the result
%a = quant.constant dense<0.0> : tensor<2x8xf32>
%b = quant.constant dense<0.0> : tensor<8x3xf32>
%c = quant.constant dense<0.0> : tensor<2xf32>
%y = quant.gemm %a, %b, %c {alpha = 1.0 : f32, beta = 1.0 : f32, trans_a = false, trans_b = false} : (tensor<2x8xf32>, tensor<8x3xf32>, tensor<2xf32>) -> tensor<2x3xf32>
// CHECK: Operation does not verify: quant.gemm: shapes (2, 3) and (2,) do not broadcast

// -----

// quant.matmul: inner dimensions differ
%a = quant.constant dense<0.0> : tensor<2x8xf32>
%b = quant.constant dense<0.0> : tensor<7x3xf32>
%y = quant.matmul %a, %b : (tensor<2x8xf32>, tensor<7x3xf32>) -> tensor<2x3xf32>
// CHECK: Operation does not verify: quant.matmul: matmul inner dimensions 8 and 7 differ

// -----

// quant.add: shapes do not broadcast
%a = quant.constant dense<0.0> : tensor<2x3xf32>
%b = quant.constant dense<0.0> : tensor<2xf32>
%y = quant.add %a, %b : (tensor<2x3xf32>, tensor<2xf32>) -> tensor<2x3xf32>
// CHECK: Operation does not verify: quant.add: shapes (2, 3) and (2,) do not broadcast

// -----

// quant.mul: result is not the broadcast shape
%a = quant.constant dense<0.0> : tensor<2x3xf32>
%b = quant.constant dense<0.0> : tensor<4x1x1xf32>
%y = quant.mul %a, %b : (tensor<2x3xf32>, tensor<4x1x1xf32>) -> tensor<2x3xf32>
// CHECK: Operation does not verify: quant.mul: result shape (2, 3) does not match the expected (4, 2, 3)

// -----

// quant.batchnorm: parameter length differs from the channels
%x = quant.constant dense<0.0> : tensor<1x4x2x2xf32>
%p = quant.constant dense<1.0> : tensor<4xf32>
%v = quant.constant dense<1.0> : tensor<3xf32>
%y = quant.batchnorm %x, %p, %p, %p, %v {epsilon = 1.0e-05 : f32} : (tensor<1x4x2x2xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<3xf32>) -> tensor<1x4x2x2xf32>
// CHECK: Operation does not verify: quant.batchnorm: var must have shape (4,)

// -----

// quant.batchnorm: negative epsilon
%x = quant.constant dense<0.0> : tensor<1x4x2x2xf32>
%p = quant.constant dense<1.0> : tensor<4xf32>
%y = quant.batchnorm %x, %p, %p, %p, %p {epsilon = -1.0e-05 : f32} : (tensor<1x4x2x2xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x2x2xf32>
// CHECK: Operation does not verify: quant.batchnorm: epsilon must be >= 0

// -----

// quant.relu: result shaped unlike the input
%x = quant.constant dense<0.0> : tensor<1x4xf32>
%y = quant.relu %x : (tensor<1x4xf32>) -> tensor<4x1xf32>
// CHECK: Operation does not verify: quant.relu: result shape (4, 1) does not match the expected (1, 4)

// -----

// quant.maxpool: ceil_mode result length (floor length given)
%x = quant.constant dense<0.0> : tensor<1x1x5x5xf32>
%y = quant.maxpool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = true} : (tensor<1x1x5x5xf32>) -> tensor<1x1x2x2xf32>
// CHECK: Operation does not verify: quant.maxpool: result shape (1, 1, 2, 2) does not match the expected (1, 1, 3, 3)

// -----

// quant.maxpool: ceil_mode drops a window that would start in the end padding
%x = quant.constant dense<0.0> : tensor<1x1x5x5xf32>
%y = quant.maxpool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 3, 3>, pads = array<i64: 0, 0, 1, 1>, dilations = array<i64: 1, 1>, ceil_mode = true} : (tensor<1x1x5x5xf32>) -> tensor<1x1x3x3xf32>
// CHECK: Operation does not verify: quant.maxpool: result shape (1, 1, 3, 3) does not match the expected (1, 1, 2, 2)

// -----

// quant.avgpool: kernel rank differs from the spatial rank
%x = quant.constant dense<0.0> : tensor<1x1x5x5xf32>
%y = quant.avgpool %x {kernel_shape = array<i64: 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x1x5x5xf32>) -> tensor<1x1x2x2xf32>
// CHECK: Operation does not verify: quant.avgpool: kernel rank 1 != spatial rank 2

// -----

// quant.avgpool: negative pad
%x = quant.constant dense<0.0> : tensor<1x1x5x5xf32>
%y = quant.avgpool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, -1, 0, 0>} : (tensor<1x1x5x5xf32>) -> tensor<1x1x2x2xf32>
// CHECK: Operation does not verify: quant.avgpool: pads must be 4 integers >= 0

// -----

// quant.global_avgpool: spatial axes not kept as size 1
%x = quant.constant dense<0.0> : tensor<1x3x5x5xf32>
%y = quant.global_avgpool %x : (tensor<1x3x5x5xf32>) -> tensor<1x3xf32>
// CHECK: Operation does not verify: quant.global_avgpool: result shape (1, 3) does not match the expected (1, 3, 1, 1)

// -----

// quant.reduce_mean: unsorted axes
%x = quant.constant dense<0.0> : tensor<1x3x5x5xf32>
%y = quant.reduce_mean %x {axes = array<i64: 3, 2>, keepdims = true} : (tensor<1x3x5x5xf32>) -> tensor<1x3x1x1xf32>
// CHECK: Operation does not verify: quant.reduce_mean: axes [3, 2] must be sorted, distinct and in range

// -----

// quant.reduce_mean: keepdims result shape
%x = quant.constant dense<0.0> : tensor<1x3x5x5xf32>
%y = quant.reduce_mean %x {axes = array<i64: 2, 3>, keepdims = true} : (tensor<1x3x5x5xf32>) -> tensor<1x3xf32>
// CHECK: Operation does not verify: quant.reduce_mean: result shape (1, 3) does not match the expected (1, 3, 1, 1)

// -----

// quant.reshape: element counts differ
%x = quant.constant dense<0.0> : tensor<1x3x2x2xf32>
%y = quant.reshape %x : (tensor<1x3x2x2xf32>) -> tensor<1x10xf32>
// CHECK: Operation does not verify: quant.reshape: cannot view (1, 3, 2, 2) as (1, 10)

// -----

// quant.flatten: axis out of range
%x = quant.constant dense<0.0> : tensor<1x3x2x2xf32>
%y = quant.flatten %x {axis = 5 : i64} : (tensor<1x3x2x2xf32>) -> tensor<12x1xf32>
// CHECK: Operation does not verify: quant.flatten: axis 5 out of range

// -----

// quant.transpose: perm is not a permutation
%x = quant.constant dense<0.0> : tensor<1x3x2x2xf32>
%y = quant.transpose %x {perm = array<i64: 0, 2, 2, 1>} : (tensor<1x3x2x2xf32>) -> tensor<1x2x2x3xf32>
// CHECK: Operation does not verify: quant.transpose: perm [0, 2, 2, 1] is not a permutation of the 4 axes

// -----

// quant.transpose: result is not the permuted shape
%x = quant.constant dense<0.0> : tensor<1x3x2x4xf32>
%y = quant.transpose %x {perm = array<i64: 0, 2, 3, 1>} : (tensor<1x3x2x4xf32>) -> tensor<1x4x2x3xf32>
// CHECK: Operation does not verify: quant.transpose: result shape (1, 4, 2, 3) does not match the expected (1, 2, 4, 3)

// -----

// quant.concat: inputs differ outside the axis
%a = quant.constant dense<0.0> : tensor<1x3xf32>
%b = quant.constant dense<0.0> : tensor<2x3xf32>
%y = quant.concat %a, %b {axis = 1 : i64} : (tensor<1x3xf32>, tensor<2x3xf32>) -> tensor<1x6xf32>
// CHECK: Operation does not verify: quant.concat: input shapes [(1, 3), (2, 3)] differ outside axis 1

// -----

// quant.concat: axis out of range
%a = quant.constant dense<0.0> : tensor<1x3xf32>
%y = quant.concat %a, %a {axis = 2 : i64} : (tensor<1x3xf32>, tensor<1x3xf32>) -> tensor<1x6xf32>
// CHECK: Operation does not verify: quant.concat: axis 2 out of range

// -----

// quant.pad: wrong number of pads
%x = quant.constant dense<0.0> : tensor<1x3xf32>
%y = quant.pad %x {pads = array<i64: 0, 1, 0>, value = 0.0 : f32} : (tensor<1x3xf32>) -> tensor<1x4xf32>
// CHECK: Operation does not verify: quant.pad: pads must be 4 integers >= 0

// -----

// quant.topk: k larger than the axis
%x = quant.constant dense<0.0> : tensor<1x10xf32>
%v, %i = quant.topk %x {k = 11 : i64, axis = 1 : i64} : (tensor<1x10xf32>) -> (tensor<1x11xf32>, tensor<1x11xi64>)
// CHECK: Operation does not verify: quant.topk: k=11 must be in [1, 10]

// -----

// quant.topk: k = 0
%x = quant.constant dense<0.0> : tensor<1x10xf32>
%v, %i = quant.topk %x {k = 0 : i64, axis = 1 : i64} : (tensor<1x10xf32>) -> (tensor<1x0xf32>, tensor<1x0xi64>)
// CHECK: Operation does not verify: quant.topk: k=0 must be in [1, 10]

// -----

// quant.topk: axis out of range
%x = quant.constant dense<0.0> : tensor<1x10xf32>
%v, %i = quant.topk %x {k = 1 : i64, axis = 2 : i64} : (tensor<1x10xf32>) -> (tensor<1x1xf32>, tensor<1x1xi64>)
// CHECK: Operation does not verify: quant.topk: axis 2 out of range

// -----

// quant.topk: indices must be i64
%x = quant.constant dense<0.0> : tensor<1x10xf32>
%v, %i = quant.topk %x {k = 3 : i64, axis = 1 : i64} : (tensor<1x10xf32>) -> (tensor<1x3xf32>, tensor<1x3xi32>)
// CHECK: Operation does not verify: quant.topk: indices must be i64

// -----

// quant.constant: a value outside its datatype
%w = quant.constant dense<[0, 4]> : tensor<2xi8> -> tensor<2x!quant.uint<2>>
// CHECK: Operation does not verify: quant.constant: values do not fit !quant.uint<2>

// -----

// quant.constant: 0 is not bipolar
%w = quant.constant dense<[1, 0, -1]> : tensor<3xi8> -> tensor<3x!quant.bipolar>
// CHECK: Operation does not verify: quant.constant: values do not fit !quant.bipolar

// -----

// quant.constant: -2 is not ternary
%w = quant.constant dense<[-2, 1]> : tensor<2xi8> -> tensor<2x!quant.ternary>
// CHECK: Operation does not verify: quant.constant: values do not fit !quant.ternary

// -----

// quant.constant: a QONNX datatype needs integer data
%w = quant.constant dense<[0.5, 1.0]> : tensor<2xf32> -> tensor<2x!quant.int<4>>
// CHECK: Operation does not verify: quant.constant: a QONNX-typed constant must hold integer data

// -----

// quant.constant: result shape differs from the value's
%w = quant.constant dense<[1, 2]> : tensor<2xi8> -> tensor<3x!quant.int<4>>
// CHECK: Operation does not verify: quant.constant: result shape (3,) differs from the value's (2,)

// -----

// quant.constant: result element type differs from the value's
%w = quant.constant dense<[1.0, 2.0]> : tensor<2xf32> -> tensor<2xf64>
// CHECK: Operation does not verify: quant.constant: result element type f64 differs from the value's f32

// -----

// !quant.int<0>: datatype widths start at 1
%w = quant.constant dense<[0, 0]> : tensor<2xi8> -> tensor<2x!quant.int<0>>
// CHECK: !quant.int width must be in [1, 64], got 0

// -----

// quant.softmax: axis out of range
%x = quant.constant dense<0.0> : tensor<1x4xf32>
%y = quant.softmax %x {axis = 2 : i64} : (tensor<1x4xf32>) -> tensor<1x4xf32>
// CHECK: Operation does not verify: quant.softmax: axis 2 out of range

// -----

// quant.argmax: indices must be i64
%x = quant.constant dense<0.0> : tensor<1x4xf32>
%y = quant.argmax %x {axis = 1 : i64, keepdims = true, select_last_index = false} : (tensor<1x4xf32>) -> tensor<1x1xf32>
// CHECK: Operation does not verify: quant.argmax: indices must be i64

// -----

// quant.argmax: keepdims keeps the axis
%x = quant.constant dense<0.0> : tensor<1x4xf32>
%y = quant.argmax %x {axis = 1 : i64, keepdims = true, select_last_index = false} : (tensor<1x4xf32>) -> tensor<1xi64>
// CHECK: Operation does not verify: quant.argmax: result shape (1,) does not match the expected (1, 1)

// -----

// quant.reduce_max: unsorted axes
%x = quant.constant dense<0.0> : tensor<1x4x2xf32>
%y = quant.reduce_max %x {axes = array<i64: 2, 1>, keepdims = true} : (tensor<1x4x2xf32>) -> tensor<1x1x1xf32>
// CHECK: Operation does not verify: quant.reduce_max: axes [2, 1] must be sorted, distinct and in range

// -----

// quant.depth_to_space: the block must divide the channels
%x = quant.constant dense<0.0> : tensor<1x6x2x2xf32>
%y = quant.depth_to_space %x {blocksize = 2 : i64, mode = "DCR"} : (tensor<1x6x2x2xf32>) -> tensor<1x1x4x4xf32>
// CHECK: Operation does not verify: quant.depth_to_space: blocksize 2 squared must divide the 6 channels

// -----

// quant.depth_to_space: unknown mode
%x = quant.constant dense<0.0> : tensor<1x4x2x2xf32>
%y = quant.depth_to_space %x {blocksize = 2 : i64, mode = "RDC"} : (tensor<1x4x2x2xf32>) -> tensor<1x1x4x4xf32>
// CHECK: Operation does not verify: quant.depth_to_space: mode must be DCR or CRD

// -----

// quant.resize: a scale per axis, each >= 1
%x = quant.constant dense<0.0> : tensor<1x4x2x2xf32>
%y = quant.resize %x {scales = array<i64: 1, 1, 0, 2>} : (tensor<1x4x2x2xf32>) -> tensor<1x4x0x4xf32>
// CHECK: Operation does not verify: quant.resize: scales [1, 1, 0, 2] must be 4 integers >= 1

// -----

// quant.slice: a range past the axis
%x = quant.constant dense<0.0> : tensor<1x4xf32>
%y = quant.slice %x {starts = array<i64: 0, 2>, ends = array<i64: 1, 5>, steps = array<i64: 1, 1>} : (tensor<1x4xf32>) -> tensor<1x3xf32>
// CHECK: Operation does not verify: quant.slice: ranges [0, 2]:[1, 5]:[1, 1] out of (1, 4)

// -----

// quant.split: sizes must add up to the axis
%x = quant.constant dense<0.0> : tensor<1x4xf32>
%a, %b = quant.split %x {axis = 1 : i64, sizes = array<i64: 1, 2>} : (tensor<1x4xf32>) -> (tensor<1x1xf32>, tensor<1x2xf32>)
// CHECK: Operation does not verify: quant.split: sizes [1, 2] do not add up to 4
