// RUN: qnn-opt %s -p lower-quant-to-streamline --split-input-file --verify-diagnostics | filecheck %s

// Each rule of lower-quant-to-streamline on a small function, then the cases it must reject.

// An activation quantizer is a multithreshold (thresholds (k - 1/2) * scale; ROUND ties go
// to even, so odd levels are strict) times the scale.
func.func @act_round(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %s = quant.constant dense<0.5> : tensor<f32>
  %z = quant.constant dense<0.0> : tensor<f32>
  %b = quant.constant dense<2.0> : tensor<f32>
  %q = quant.quant %x scale %s zeropt %z bitwidth %b {signed = false, narrow = false, rounding_mode = "ROUND"} : (tensor<1x4xf32>, tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<1x4xf32>
  func.return %q : tensor<1x4xf32>
}

// CHECK-LABEL: func.func @act_round
// CHECK-NEXT:    %q_thr = quant.constant dense<{{\[\[}}2.500000e-01, 7.500000e-01, 1.250000e+00]]> : tensor<1x3xf64>
// CHECK-NEXT:    %q_int = streamline.multithreshold %x, %q_thr {out_scale = 1 : i64, out_bias = 0 : i64, strict = array<i64: 1, 0, 1>} : (tensor<1x4xf32>, tensor<1x3xf64>) -> tensor<1x4x!quant.uint<2>>
// CHECK-NEXT:    %q_scale = quant.constant dense<5.000000e-01> : tensor<f64>
// CHECK-NEXT:    %q = streamline.mul %q_int, %q_scale : (tensor<1x4x!quant.uint<2>>, tensor<f64>) -> tensor<1x4xf32>
// CHECK-NEXT:    func.return %q : tensor<1x4xf32>

// -----

// Float tails (Softmax, ArgMax, ...) and host-side layout ops stay as they are: they run
// on the host, after the integer part.
func.func @float_tail(%x: tensor<1x4xf32>) -> tensor<1x1xi64> {
  %s = quant.constant dense<0.5> : tensor<f32>
  %z = quant.constant dense<0.0> : tensor<f32>
  %b = quant.constant dense<2.0> : tensor<f32>
  %q = quant.quant %x scale %s zeropt %z bitwidth %b {signed = false, narrow = false, rounding_mode = "ROUND"} : (tensor<1x4xf32>, tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<1x4xf32>
  %p = quant.softmax %q {axis = 1 : i64} : (tensor<1x4xf32>) -> tensor<1x4xf32>
  %a = quant.argmax %p {axis = 1 : i64, keepdims = true, select_last_index = false} : (tensor<1x4xf32>) -> tensor<1x1xi64>
  func.return %a : tensor<1x1xi64>
}

// CHECK-LABEL: func.func @float_tail
// CHECK:         %q = streamline.mul %q_int, %q_scale
// CHECK-NEXT:    %p = quant.softmax %q {axis = 1 : i64}
// CHECK-NEXT:    %a = quant.argmax %p {axis = 1 : i64, keepdims = true, select_last_index = false}
// CHECK-NEXT:    func.return %a

// -----

// Relu before an unsigned quantizer is dropped; lower-case rounding modes are accepted
// (FLOOR: level k at x >= k * scale, never strict).
func.func @relu_floor(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %s = quant.constant dense<0.25> : tensor<f32>
  %z = quant.constant dense<0.0> : tensor<f32>
  %b = quant.constant dense<2.0> : tensor<f32>
  %r = quant.relu %x : (tensor<1x4xf32>) -> tensor<1x4xf32>
  %q = quant.quant %r scale %s zeropt %z bitwidth %b {signed = false, narrow = false, rounding_mode = "floor"} : (tensor<1x4xf32>, tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<1x4xf32>
  func.return %q : tensor<1x4xf32>
}

// CHECK-LABEL: func.func @relu_floor
// CHECK-NOT:     relu
// CHECK:         %q_thr = quant.constant dense<{{\[\[}}2.500000e-01, 5.000000e-01, 7.500000e-01]]> : tensor<1x3xf64>
// CHECK-NEXT:    %q_int = streamline.multithreshold %x, %q_thr {out_scale = 1 : i64, out_bias = 0 : i64} : (tensor<1x4xf32>, tensor<1x3xf64>) -> tensor<1x4x!quant.uint<2>>

// -----

// Signed narrow quantizer with a per-channel scale and an integer zero-point: C x N
// thresholds (b_k - z) * s_c, then add(-z) on the integers, then the per-channel scale.
func.func @act_per_channel_zeropt(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %s = quant.constant dense<[[1.0, 0.5]]> : tensor<1x2xf32>
  %z = quant.constant dense<1.0> : tensor<f32>
  %b = quant.constant dense<2.0> : tensor<f32>
  %q = quant.quant %x scale %s zeropt %z bitwidth %b {signed = true, narrow = true, rounding_mode = "HALF_UP"} : (tensor<1x2xf32>, tensor<1x2xf32>, tensor<f32>, tensor<f32>) -> tensor<1x2xf32>
  func.return %q : tensor<1x2xf32>
}

// CHECK-LABEL: func.func @act_per_channel_zeropt
// CHECK-NEXT:    %q_thr = quant.constant dense<{{\[\[}}-1.500000e+00, -5.000000e-01], [-7.500000e-01, -2.500000e-01]]> : tensor<2x2xf64>
// CHECK-NEXT:    %q_int = streamline.multithreshold %x, %q_thr {out_scale = 1 : i64, out_bias = -1 : i64, strict = array<i64: 1, 0>} : (tensor<1x2xf32>, tensor<2x2xf64>) -> tensor<1x2x!quant.int<2>>
// CHECK-NEXT:    %q_bias = quant.constant dense<-1> : tensor<i8> -> tensor<!quant.int<2>>
// CHECK-NEXT:    %q_add = streamline.add %q_int, %q_bias : (tensor<1x2x!quant.int<2>>, tensor<!quant.int<2>>) -> tensor<1x2x!quant.int<3>>
// CHECK-NEXT:    %q_scale = quant.constant dense<{{\[\[}}1.000000e+00, 5.000000e-01]]> : tensor<1x2xf64>
// CHECK-NEXT:    %q = streamline.mul %q_add, %q_scale : (tensor<1x2x!quant.int<3>>, tensor<1x2xf64>) -> tensor<1x2xf32>

// -----

// Bipolar activations: one threshold at 0 (x >= 0), out_scale 2, out_bias -1.
func.func @act_bipolar(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %s = quant.constant dense<0.5> : tensor<f32>
  %q = quant.bipolar_quant %x scale %s : (tensor<1x4xf32>, tensor<f32>) -> tensor<1x4xf32>
  func.return %q : tensor<1x4xf32>
}

// CHECK-LABEL: func.func @act_bipolar
// CHECK-NEXT:    %q_thr = quant.constant dense<0.000000e+00> : tensor<1x1xf64>
// CHECK-NEXT:    %q_int = streamline.multithreshold %x, %q_thr {out_scale = 2 : i64, out_bias = -1 : i64} : (tensor<1x4xf32>, tensor<1x1xf64>) -> tensor<1x4x!quant.bipolar>
// CHECK-NEXT:    %q_scale = quant.constant dense<5.000000e-01> : tensor<f64>
// CHECK-NEXT:    %q = streamline.mul %q_int, %q_scale : (tensor<1x4x!quant.bipolar>, tensor<f64>) -> tensor<1x4xf32>

// -----

// Weight quantizer + MatMul: integer weights (K x M, !quant.int<2> for narrow 2-bit), an
// integer matmul with the exact accumulator type, then one mul by activation scale times
// the per-column weight scale.
func.func @matmul(%x: tensor<1x3xf32>) -> tensor<1x2xf32> {
  %s = quant.constant dense<0.5> : tensor<f32>
  %z = quant.constant dense<0.0> : tensor<f32>
  %b = quant.constant dense<2.0> : tensor<f32>
  %xq = quant.quant %x scale %s zeropt %z bitwidth %b {signed = false, narrow = false, rounding_mode = "ROUND"} : (tensor<1x3xf32>, tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<1x3xf32>
  %w = quant.constant dense<[[0.9, -0.2], [-1.1, 0.1], [0.3, 0.8]]> : tensor<3x2xf32>
  %ws = quant.constant dense<[[1.0, 0.25]]> : tensor<1x2xf32>
  %wq = quant.quant %w scale %ws zeropt %z bitwidth %b {signed = true, narrow = true, rounding_mode = "ROUND"} : (tensor<3x2xf32>, tensor<1x2xf32>, tensor<f32>, tensor<f32>) -> tensor<3x2xf32>
  %y = quant.matmul %xq, %wq : (tensor<1x3xf32>, tensor<3x2xf32>) -> tensor<1x2xf32>
  func.return %y : tensor<1x2xf32>
}

// CHECK-LABEL: func.func @matmul
// CHECK:         %xq_int = streamline.multithreshold
// CHECK-NEXT:    %y_w = quant.constant dense<{{\[\[}}1, -1], [-1, 0], [0, 1]]> : tensor<3x2xi8> -> tensor<3x2x!quant.int<2>>
// CHECK-NEXT:    %y_acc = streamline.matmul %xq_int, %y_w : (tensor<1x3x!quant.uint<2>>, tensor<3x2x!quant.int<2>>) -> tensor<1x2x!quant.int<3>>
// CHECK-NEXT:    %y_scale = quant.constant dense<{{\[\[}}5.000000e-01, 1.250000e-01]]> : tensor<1x2xf64>
// CHECK-NEXT:    %y = streamline.mul %y_acc, %y_scale : (tensor<1x2x!quant.int<3>>, tensor<1x2xf64>) -> tensor<1x2xf32>
// CHECK-NEXT:    func.return %y

// -----

// Gemm with transB: the weights are transposed to K x M at compile time; alpha joins the
// column scale, beta * C is an add.
func.func @gemm(%x: tensor<1x3xf32>) -> tensor<1x2xf32> {
  %s = quant.constant dense<1.0> : tensor<f32>
  %z = quant.constant dense<0.0> : tensor<f32>
  %b = quant.constant dense<2.0> : tensor<f32>
  %xq = quant.quant %x scale %s zeropt %z bitwidth %b {signed = true, narrow = false, rounding_mode = "ROUND"} : (tensor<1x3xf32>, tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<1x3xf32>
  %w = quant.constant dense<[[1.0, -1.0, 0.0], [1.0, 1.0, -1.0]]> : tensor<2x3xf32>
  %wq = quant.quant %w scale %s zeropt %z bitwidth %b {signed = true, narrow = true, rounding_mode = "ROUND"} : (tensor<2x3xf32>, tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<2x3xf32>
  %c = quant.constant dense<[0.5, -0.5]> : tensor<2xf32>
  %y = quant.gemm %xq, %wq, %c {alpha = 2.0 : f32, beta = 1.0 : f32, trans_a = false, trans_b = true} : (tensor<1x3xf32>, tensor<2x3xf32>, tensor<2xf32>) -> tensor<1x2xf32>
  func.return %y : tensor<1x2xf32>
}

// CHECK-LABEL: func.func @gemm
// CHECK:         %y_w = quant.constant dense<{{\[\[}}1, 1], [-1, 1], [0, -1]]> : tensor<3x2xi8> -> tensor<3x2x!quant.int<2>>
// CHECK-NEXT:    %y_acc = streamline.matmul %xq_int, %y_w : (tensor<1x3x!quant.int<2>>, tensor<3x2x!quant.int<2>>) -> tensor<1x2x!quant.int<4>>
// CHECK-NEXT:    %y_scale = quant.constant dense<2.000000e+00> : tensor<f64>
// CHECK-NEXT:    %y_mul = streamline.mul %y_acc, %y_scale : (tensor<1x2x!quant.int<4>>, tensor<f64>) -> tensor<1x2xf32>
// CHECK-NEXT:    %y_bias = quant.constant dense<[5.000000e-01, -5.000000e-01]> : tensor<2xf64>
// CHECK-NEXT:    %y = streamline.add %y_mul, %y_bias : (tensor<1x2xf32>, tensor<2xf64>) -> tensor<1x2xf32>

// -----

// Conv in NHWC: the graph input is transposed (float, at the edge), im2col + integer
// matmul with (kh*kw*C) x M weights; the flattening gets the transpose back to NCHW.
func.func @conv(%x: tensor<1x2x3x3xf32>) -> tensor<1x18xf32> {
  %s = quant.constant dense<1.0> : tensor<f32>
  %z = quant.constant dense<0.0> : tensor<f32>
  %b = quant.constant dense<2.0> : tensor<f32>
  %xq = quant.quant %x scale %s zeropt %z bitwidth %b {signed = false, narrow = false, rounding_mode = "ROUND"} : (tensor<1x2x3x3xf32>, tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<1x2x3x3xf32>
  %w = quant.constant dense<1.0> : tensor<2x2x3x3xf32>
  %wq = quant.quant %w scale %s zeropt %z bitwidth %b {signed = true, narrow = true, rounding_mode = "ROUND"} : (tensor<2x2x3x3xf32>, tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<2x2x3x3xf32>
  %y = quant.conv %xq, %wq {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x2x3x3xf32>, tensor<2x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  %f = quant.flatten %y {axis = 1 : i64} : (tensor<1x2x3x3xf32>) -> tensor<1x18xf32>
  func.return %f : tensor<1x18xf32>
}

// CHECK-LABEL: func.func @conv
// CHECK-NEXT:    %xq_nhwc = streamline.transpose %x {perm = array<i64: 0, 2, 3, 1>} : (tensor<1x2x3x3xf32>) -> tensor<1x3x3x2xf32>
// CHECK:         %xq_int = streamline.multithreshold %xq_nhwc, %xq_thr {{.*}} -> tensor<1x3x3x2x!quant.uint<2>>
// CHECK-NEXT:    %y_cols = streamline.im2col %xq_int {kernel = array<i64: 3, 3>, stride = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x3x3x2x!quant.uint<2>>) -> tensor<1x3x3x18x!quant.uint<2>>
// CHECK-NEXT:    %y_w = quant.constant dense<1> : tensor<18x2xi8> -> tensor<18x2x!quant.int<2>>
// CHECK-NEXT:    %y_acc = streamline.matmul %y_cols, %y_w : (tensor<1x3x3x18x!quant.uint<2>>, tensor<18x2x!quant.int<2>>) -> tensor<1x3x3x2x!quant.uint<6>>
// CHECK:         %y_mul = streamline.mul %y_acc, %y_scale : (tensor<1x3x3x2x!quant.uint<6>>, tensor<f64>) -> tensor<1x3x3x2xf32>
// CHECK-NEXT:    %y = streamline.transpose %y_mul {perm = array<i64: 0, 3, 1, 2>} : (tensor<1x3x3x2xf32>) -> tensor<1x2x3x3xf32>
// CHECK-NEXT:    %f = streamline.reshape %y : (tensor<1x2x3x3xf32>) -> tensor<1x18xf32>

// -----

// Depthwise conv: im2col + dw_matmul with (kh*kw) x C weights; the bias is an add on the
// channel axis. A 1x1 conv needs no im2col.
func.func @depthwise(%x: tensor<1x2x3x3xf32>) -> tensor<1x3x3x3xf32> {
  %s = quant.constant dense<1.0> : tensor<f32>
  %z = quant.constant dense<0.0> : tensor<f32>
  %b = quant.constant dense<2.0> : tensor<f32>
  %xq = quant.quant %x scale %s zeropt %z bitwidth %b {signed = false, narrow = false, rounding_mode = "ROUND"} : (tensor<1x2x3x3xf32>, tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<1x2x3x3xf32>
  %w = quant.constant dense<-1.0> : tensor<2x1x3x3xf32>
  %wq = quant.quant %w scale %s zeropt %z bitwidth %b {signed = true, narrow = true, rounding_mode = "ROUND"} : (tensor<2x1x3x3xf32>, tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<2x1x3x3xf32>
  %bias = quant.constant dense<[0.5, 1.5]> : tensor<2xf32>
  %y = quant.conv %xq, %wq, %bias {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 2 : i64} : (tensor<1x2x3x3xf32>, tensor<2x1x3x3xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  %yq = quant.quant %y scale %s zeropt %z bitwidth %b {signed = true, narrow = false, rounding_mode = "ROUND"} : (tensor<1x2x3x3xf32>, tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<1x2x3x3xf32>
  %w1 = quant.constant dense<1.0> : tensor<3x2x1x1xf32>
  %w1q = quant.quant %w1 scale %s zeropt %z bitwidth %b {signed = true, narrow = true, rounding_mode = "ROUND"} : (tensor<3x2x1x1xf32>, tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<3x2x1x1xf32>
  %p = quant.conv %yq, %w1q {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x2x3x3xf32>, tensor<3x2x1x1xf32>) -> tensor<1x3x3x3xf32>
  func.return %p : tensor<1x3x3x3xf32>
}

// CHECK-LABEL: func.func @depthwise
// CHECK:         %y_cols = streamline.im2col %xq_int
// CHECK-NEXT:    %y_w = quant.constant dense<-1> : tensor<9x2xi8> -> tensor<9x2x!quant.int<2>>
// CHECK-NEXT:    %y_acc = streamline.dw_matmul %y_cols, %y_w : (tensor<1x3x3x18x!quant.uint<2>>, tensor<9x2x!quant.int<2>>) -> tensor<1x3x3x2x!quant.int<6>>
// CHECK:         %y_bias = quant.constant dense<{{\[\[}}{{\[\[}}5.000000e-01, 1.500000e+00]]]]> : tensor<1x1x1x2xf64>
// CHECK-NEXT:    %y_add = streamline.add %y_mul, %y_bias : (tensor<1x3x3x2xf32>, tensor<1x1x1x2xf64>) -> tensor<1x3x3x2xf32>
// CHECK-NOT:     im2col
// CHECK:         %p_acc = streamline.matmul %yq_int, %p_w : (tensor<1x3x3x2x!quant.int<2>>, tensor<2x3x!quant.int<2>>) -> tensor<1x3x3x3x!quant.int<3>>

// -----

// BatchNorm on a 4-D tensor: mul(a) + add(b) on the last (channel) axis of NHWC, with
// a = scale / sqrt(var + eps), b = bias - mean * a. Sub/Div by a constant: add(-c)/mul(1/c).
func.func @batchnorm_sub_div(%x: tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %c = quant.constant dense<[[[[2.0]], [[4.0]]]]> : tensor<1x2x1x1xf32>
  %d = quant.sub %x, %c : (tensor<1x2x2x2xf32>, tensor<1x2x1x1xf32>) -> tensor<1x2x2x2xf32>
  %e = quant.constant dense<4.0> : tensor<f32>
  %f = quant.div %d, %e : (tensor<1x2x2x2xf32>, tensor<f32>) -> tensor<1x2x2x2xf32>
  %g = quant.constant dense<[2.0, 1.0]> : tensor<2xf32>
  %h = quant.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %m = quant.constant dense<[0.0, 1.0]> : tensor<2xf32>
  %v = quant.constant dense<[4.0, 1.0]> : tensor<2xf32>
  %y = quant.batchnorm %f, %g, %h, %m, %v {epsilon = 0.0 : f32} : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  func.return %y : tensor<1x2x2x2xf32>
}

// CHECK-LABEL: func.func @batchnorm_sub_div
// CHECK-NEXT:    %d_nhwc = streamline.transpose %x {perm = array<i64: 0, 2, 3, 1>}
// CHECK-NEXT:    %d_bias = quant.constant dense<{{\[\[}}{{\[\[}}-2.000000e+00, -4.000000e+00]]]]> : tensor<1x1x1x2xf64>
// CHECK-NEXT:    %d_add = streamline.add %d_nhwc, %d_bias
// CHECK-NEXT:    %f_scale = quant.constant dense<2.500000e-01> : tensor<f64>
// CHECK-NEXT:    %f_mul = streamline.mul %d_add, %f_scale
// CHECK-NEXT:    %y_bias = quant.constant dense<{{\[\[}}{{\[\[}}1.000000e+00, -1.000000e+00]]]]> : tensor<1x1x1x2xf64>
// CHECK-NEXT:    %y_add = streamline.add %f_mul, %y_bias
// CHECK-NEXT:    %y = streamline.transpose %y_add {perm = array<i64: 0, 3, 1, 2>}

// -----

// Pools on integers: MaxPool is a streamline.maxpool of the quantized integers, AveragePool
// a sum_pool times scale / (kh*kw), GlobalAveragePool a global_sum times scale / (H*W).
func.func @pools(%x: tensor<1x2x4x4xf32>) -> (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x2x1x1xf32>) {
  %s = quant.constant dense<0.5> : tensor<f32>
  %z = quant.constant dense<0.0> : tensor<f32>
  %b = quant.constant dense<3.0> : tensor<f32>
  %xq = quant.quant %x scale %s zeropt %z bitwidth %b {signed = false, narrow = false, rounding_mode = "ROUND"} : (tensor<1x2x4x4xf32>, tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<1x2x4x4xf32>
  %mp = quant.maxpool %xq {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, ceil_mode = false, dilations = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32>
  %ap = quant.avgpool %xq {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, ceil_mode = false, count_include_pad = false} : (tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32>
  %gp = quant.global_avgpool %xq : (tensor<1x2x4x4xf32>) -> tensor<1x2x1x1xf32>
  func.return %mp, %ap, %gp : tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x2x1x1xf32>
}

// CHECK-LABEL: func.func @pools
// CHECK:         %mp_pool = streamline.maxpool %xq_int {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x4x4x2x!quant.uint<3>>) -> tensor<1x2x2x2x!quant.uint<3>>
// CHECK-NEXT:    %mp_scale = quant.constant dense<5.000000e-01> : tensor<f64>
// CHECK:         %ap_sum = streamline.sum_pool %xq_int {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x4x4x2x!quant.uint<3>>) -> tensor<1x2x2x2x!quant.uint<5>>
// CHECK-NEXT:    %ap_scale = quant.constant dense<1.250000e-01> : tensor<f64>
// CHECK:         %gp_sum = streamline.global_sum %xq_int : (tensor<1x4x4x2x!quant.uint<3>>) -> tensor<1x1x1x2x!quant.uint<7>>
// CHECK-NEXT:    %gp_scale = quant.constant dense<3.125000e-02> : tensor<f64>

// -----

// ReduceMean over the spatial axes without keepdims: global_sum, then the N x 1 x 1 x C
// result is reshaped to N x C directly (moving size-1 axes keeps the element order).
func.func @reduce_mean(%x: tensor<1x2x2x2xf32>) -> tensor<1x2xf32> {
  %y = quant.reduce_mean %x {axes = array<i64: 2, 3>, keepdims = false} : (tensor<1x2x2x2xf32>) -> tensor<1x2xf32>
  func.return %y : tensor<1x2xf32>
}

// CHECK-LABEL: func.func @reduce_mean
// CHECK:         %y_sum = streamline.global_sum %y_nhwc : (tensor<1x2x2x2xf32>) -> tensor<1x1x1x2xf32>
// CHECK-NEXT:    %y_scale = quant.constant dense<2.500000e-01> : tensor<f64>
// CHECK-NEXT:    %y_mul = streamline.mul %y_sum, %y_scale
// CHECK-NEXT:    %y = streamline.reshape %y_mul : (tensor<1x1x1x2xf32>) -> tensor<1x2xf32>

// -----

// Trunc v2 (out_scale / scale = 4, FLOOR): level k needs q = round(x / scale) >= 4k, i.e.
// x >= (4k - 1/2) * scale (non-strict: a tie at 4k - 1/2 rounds half-even up to 4k).
func.func @trunc_v2(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %s = quant.constant dense<0.25> : tensor<f32>
  %z = quant.constant dense<0.0> : tensor<f32>
  %ib = quant.constant dense<6.0> : tensor<f32>
  %ob = quant.constant dense<2.0> : tensor<f32>
  %os = quant.constant dense<1.0> : tensor<f32>
  %t = quant.trunc %x scale %s zeropt %z in_bitwidth %ib out_bitwidth %ob out_scale %os {rounding_mode = "FLOOR", signed = false, narrow = false} : (tensor<1x2xf32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<1x2xf32>
  func.return %t : tensor<1x2xf32>
}

// CHECK-LABEL: func.func @trunc_v2
// CHECK-NEXT:    %t_thr = quant.constant dense<{{\[\[}}8.750000e-01, 1.875000e+00, 2.875000e+00]]> : tensor<1x3xf64>
// CHECK-NEXT:    %t_int = streamline.multithreshold %x, %t_thr {out_scale = 1 : i64, out_bias = 0 : i64} : (tensor<1x2xf32>, tensor<1x3xf64>) -> tensor<1x2x!quant.uint<2>>

// -----

// Trunc v1 on an input that may be negative: the levels span the signed and unsigned
// ranges of in_bitwidth (here 3 bits, shifted by 1: levels -2 .. 3 with ROUND).
func.func @trunc_v1(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %s = quant.constant dense<1.0> : tensor<f32>
  %z = quant.constant dense<0.0> : tensor<f32>
  %ib = quant.constant dense<3.0> : tensor<f32>
  %ob = quant.constant dense<2.0> : tensor<f32>
  %t = quant.trunc %x scale %s zeropt %z in_bitwidth %ib out_bitwidth %ob {rounding_mode = "ROUND"} : (tensor<1x2xf32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<1x2xf32>
  func.return %t : tensor<1x2xf32>
}

// CHECK-LABEL: func.func @trunc_v1
// CHECK-NEXT:    %t_thr = quant.constant dense<{{\[\[}}-2.500000e+00, -1.500000e+00, 1.500000e+00, 2.500000e+00, 5.500000e+00, 6.500000e+00]]> : tensor<1x6xf64>
// CHECK-NEXT:    %t_int = streamline.multithreshold %x, %t_thr {out_scale = 1 : i64, out_bias = -2 : i64, strict = array<i64: 0, 1, 0, 1, 0, 1>} : (tensor<1x2xf32>, tensor<1x6xf64>) -> tensor<1x2x!quant.int<4>>

// -----

// QONNX MultiThreshold (NCHW, integer out_scale/out_bias): thresholded in NHWC, the
// affine stays on the streamline.multithreshold.
func.func @multithreshold(%x: tensor<1x2x1x1xf32>) -> tensor<1x2x1x1xf32> {
  %t = quant.constant dense<[[0.0, 1.0], [0.5, 1.5]]> : tensor<2x2xf32>
  %y = quant.multithreshold %x, %t {out_scale = 1.0 : f32, out_bias = -1.0 : f32, out_dtype = "INT2", data_layout = "NCHW"} : (tensor<1x2x1x1xf32>, tensor<2x2xf32>) -> tensor<1x2x1x1xf32>
  func.return %y : tensor<1x2x1x1xf32>
}

// CHECK-LABEL: func.func @multithreshold
// CHECK-NEXT:    %y_nhwc = streamline.transpose %x {perm = array<i64: 0, 2, 3, 1>}
// CHECK-NEXT:    %y_thr = quant.constant dense<{{\[\[}}0.000000e+00, 1.000000e+00], [5.000000e-01, 1.500000e+00]]> : tensor<2x2xf64>
// CHECK-NEXT:    %y_int = streamline.multithreshold %y_nhwc, %y_thr {out_scale = 1 : i64, out_bias = -1 : i64} : (tensor<1x1x1x2xf32>, tensor<2x2xf64>) -> tensor<1x1x1x2x!quant.int<2>>

// -----

// Residual Add of two tensors, Concat on the channel axis (axis 3 in NHWC), TopK on the
// last axis, Identity forwarded, Transpose composed with the layout.
func.func @data_movement(%x: tensor<1x2x2x2xf32>) -> (tensor<1x2x2x2xf32>, tensor<1x4x2x2xf32>, tensor<1x1xf32>, tensor<1x1xi64>) {
  %i = quant.identity %x : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %a = quant.add %x, %i : (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %t = quant.transpose %a {perm = array<i64: 0, 2, 3, 1>} : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %c = quant.concat %a, %x {axis = 1 : i64} : (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>) -> tensor<1x4x2x2xf32>
  %r = quant.reshape %x : (tensor<1x2x2x2xf32>) -> tensor<1x8xf32>
  %v, %k = quant.topk %r {k = 1 : i64, axis = 1 : i64} : (tensor<1x8xf32>) -> (tensor<1x1xf32>, tensor<1x1xi64>)
  func.return %t, %c, %v, %k : tensor<1x2x2x2xf32>, tensor<1x4x2x2xf32>, tensor<1x1xf32>, tensor<1x1xi64>
}

// CHECK-LABEL: func.func @data_movement
// CHECK-NEXT:    %a_nhwc = streamline.transpose %x {perm = array<i64: 0, 2, 3, 1>}
// CHECK-NEXT:    %a_add = streamline.add %a_nhwc, %a_nhwc : (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
// CHECK-NEXT:    %c_cat = streamline.concat %a_add, %a_nhwc {axis = 3 : i64} : (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>) -> tensor<1x2x2x4xf32>
// CHECK-NEXT:    %c = streamline.transpose %c_cat {perm = array<i64: 0, 3, 1, 2>}
// CHECK-NEXT:    %r = streamline.reshape %x : (tensor<1x2x2x2xf32>) -> tensor<1x8xf32>
// CHECK-NEXT:    %v, %k = streamline.topk %r {k = 1 : i64} : (tensor<1x8xf32>) -> (tensor<1x1xf32>, tensor<1x1xi64>)
// CHECK-NEXT:    func.return %a_add, %c, %v, %k

// -----

// The cases the pass rejects, each with a one-line error naming the op.

func.func @relu_alone(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %r = quant.relu %x : (tensor<1x4xf32>) -> tensor<1x4xf32>
  func.return %r : tensor<1x4xf32>
}

// CHECK: quant.relu %r: Relu not followed by an unsigned quantizer is not supported

// -----

// A Relu before a *signed* quantizer is not subsumed by its clamp.
func.func @relu_signed(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %s = quant.constant dense<0.5> : tensor<f32>
  %z = quant.constant dense<0.0> : tensor<f32>
  %b = quant.constant dense<2.0> : tensor<f32>
  %r = quant.relu %x : (tensor<1x4xf32>) -> tensor<1x4xf32>
  %q = quant.quant %r scale %s zeropt %z bitwidth %b {signed = true, narrow = false, rounding_mode = "ROUND"} : (tensor<1x4xf32>, tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<1x4xf32>
  func.return %q : tensor<1x4xf32>
}

// CHECK: quant.relu %r: Relu not followed by an unsigned quantizer is not supported

// -----

func.func @weight_zeropt(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %w = quant.constant dense<1.0> : tensor<2x2xf32>
  %s = quant.constant dense<0.5> : tensor<f32>
  %z = quant.constant dense<1.0> : tensor<f32>
  %b = quant.constant dense<4.0> : tensor<f32>
  %wq = quant.quant %w scale %s zeropt %z bitwidth %b {signed = true, narrow = false, rounding_mode = "ROUND"} : (tensor<2x2xf32>, tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<2x2xf32>
  %y = quant.matmul %x, %wq : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
  func.return %y : tensor<1x2xf32>
}

// CHECK: quant.quant %wq: weight quantizer with a non-zero zero-point is not supported

// -----

// A grouped (not depthwise) convolution is the dense one with block-diagonal weights.
func.func @grouped_conv(%x: tensor<1x4x3x3xf32>) -> tensor<1x4x3x3xf32> {
  %w = quant.constant dense<[[[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]], [[[5.0]], [[6.0]]], [[[7.0]], [[8.0]]]]> : tensor<4x2x1x1xf32>
  %y = quant.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 2 : i64} : (tensor<1x4x3x3xf32>, tensor<4x2x1x1xf32>) -> tensor<1x4x3x3xf32>
  func.return %y : tensor<1x4x3x3xf32>
}

// CHECK-LABEL: func.func @grouped_conv
// CHECK: quant.constant dense<{{\[\[}}1.000000e+00, 3.000000e+00, 0.000000e+00, 0.000000e+00], [2.000000e+00, 4.000000e+00, 0.000000e+00, 0.000000e+00], [0.000000e+00, 0.000000e+00, 5.000000e+00, 7.000000e+00], [0.000000e+00, 0.000000e+00, 6.000000e+00, 8.000000e+00]]> : tensor<4x4xf64>
// CHECK: streamline.matmul

// -----

func.func @maxpool_ceil(%x: tensor<1x1x3x3xf32>) -> tensor<1x1x2x2xf32> {
  %y = quant.maxpool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, ceil_mode = true, dilations = array<i64: 1, 1>} : (tensor<1x1x3x3xf32>) -> tensor<1x1x2x2xf32>
  func.return %y : tensor<1x1x2x2xf32>
}

// CHECK: quant.maxpool %y: ceil_mode is not supported

// -----

func.func @avgpool_pad(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32> {
  %y = quant.avgpool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 0, 0>, ceil_mode = false, count_include_pad = false} : (tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32>
  func.return %y : tensor<1x1x2x2xf32>
}

// CHECK: quant.avgpool %y: padding without count_include_pad is not supported

// -----

func.func @mul_two_tensors(%x: tensor<1x2xf32>, %y: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %m = quant.mul %x, %y : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x2xf32>
  func.return %m : tensor<1x2xf32>
}

// A product of two computed tensors has no streamline form: it stays, for the host.
// CHECK-LABEL: @mul_two_tensors
// CHECK-NEXT: %m = quant.mul %x, %y : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x2xf32>

// -----

func.func @pad(%x: tensor<1x2xf32>) -> tensor<1x4xf32> {
  %p = quant.pad %x {pads = array<i64: 0, 1, 0, 1>, value = 0.0 : f32} : (tensor<1x2xf32>) -> tensor<1x4xf32>
  func.return %p : tensor<1x4xf32>
}

// CHECK: quant.pad %p: Pad is not supported (only all-zero pads)

// -----

func.func @topk_axis(%x: tensor<3x2xf32>) -> (tensor<1x2xf32>, tensor<1x2xi64>) {
  %v, %k = quant.topk %x {k = 1 : i64, axis = 0 : i64} : (tensor<3x2xf32>) -> (tensor<1x2xf32>, tensor<1x2xi64>)
  func.return %v, %k : tensor<1x2xf32>, tensor<1x2xi64>
}

// CHECK: quant.topk %v: TopK along axis 0 (not the last axis) is not supported

// -----

func.func @gemm_trans_a(%x: tensor<3x1xf32>) -> tensor<1x2xf32> {
  %w = quant.constant dense<1.0> : tensor<3x2xf32>
  %y = quant.gemm %x, %w {alpha = 1.0 : f32, beta = 1.0 : f32, trans_a = true, trans_b = false} : (tensor<3x1xf32>, tensor<3x2xf32>) -> tensor<1x2xf32>
  func.return %y : tensor<1x2xf32>
}

// CHECK: quant.gemm %y: transA on a non-constant A is not supported

// -----

// Resize (nearest, integer scales), Slice and Split of a 4-D tensor are computed in NHWC:
// scales and ranges permuted; a Split is one slice per part.
// CHECK-LABEL: @resize_split
// CHECK:      %[[X:.*]] = streamline.transpose %x {perm = array<i64: 0, 2, 3, 1>}
// CHECK-NEXT: %[[U:.*]] = streamline.upsample %[[X]] {scales = array<i64: 1, 2, 3, 1>} : (tensor<1x2x2x4xf32>) -> tensor<1x4x6x4xf32>
// CHECK:      streamline.slice %[[U]] {starts = array<i64: 0, 0, 0, 0>, ends = array<i64: 1, 4, 6, 1>, steps = array<i64: 1, 1, 1, 1>}
// CHECK:      streamline.slice %[[U]] {starts = array<i64: 0, 0, 0, 1>, ends = array<i64: 1, 4, 6, 4>, steps = array<i64: 1, 1, 1, 1>}
// CHECK:      streamline.slice %{{.*}} {starts = array<i64: 0, 1, 0, 0>, ends = array<i64: 1, 4, 5, 3>, steps = array<i64: 1, 2, 2, 1>}
func.func @resize_split(%x: tensor<1x4x2x2xf32>) -> (tensor<1x1x4x6xf32>, tensor<1x3x2x3xf32>) {
  %u = quant.resize %x {scales = array<i64: 1, 1, 2, 3>} : (tensor<1x4x2x2xf32>) -> tensor<1x4x4x6xf32>
  %a, %b = quant.split %u {axis = 1 : i64, sizes = array<i64: 1, 3>} : (tensor<1x4x4x6xf32>) -> (tensor<1x1x4x6xf32>, tensor<1x3x4x6xf32>)
  %s = quant.slice %b {starts = array<i64: 0, 0, 1, 0>, ends = array<i64: 1, 3, 4, 5>, steps = array<i64: 1, 1, 2, 2>} : (tensor<1x3x4x6xf32>) -> tensor<1x3x2x3xf32>
  func.return %a, %s : tensor<1x1x4x6xf32>, tensor<1x3x2x3xf32>
}

// -----

// DepthToSpace in NHWC.
// CHECK-LABEL: @depth_to_space
// CHECK:      %[[X:.*]] = streamline.transpose %x {perm = array<i64: 0, 2, 3, 1>}
// CHECK-NEXT: %[[D:.*]] = streamline.depth_to_space %[[X]] {blocksize = 2 : i64, mode = "CRD"} : (tensor<1x2x3x8xf32>) -> tensor<1x4x6x2xf32>
// CHECK-NEXT: streamline.transpose %[[D]] {perm = array<i64: 0, 3, 1, 2>}
func.func @depth_to_space(%x: tensor<1x8x2x3xf32>) -> tensor<1x2x4x6xf32> {
  %y = quant.depth_to_space %x {blocksize = 2 : i64, mode = "CRD"} : (tensor<1x8x2x3xf32>) -> tensor<1x2x4x6xf32>
  func.return %y : tensor<1x2x4x6xf32>
}
