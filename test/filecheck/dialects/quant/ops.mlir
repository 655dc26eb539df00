// RUN: qnn-opt %s | qnn-opt | filecheck %s

// Round trip of every quant op and of the QONNX datatypes: the custom form parses,
// prints as written, and reparses to the same text.

// CHECK: builtin.module {
func.func @quantizers(%x: tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32> {
  %s = quant.constant dense<5.000000e-01> : tensor<f32>
  %z = quant.constant dense<0.000000e+00> : tensor<f32>
  %b = quant.constant dense<4.000000e+00> : tensor<f32>
  %cs = quant.constant dense<[[[[1.0]], [[0.5]], [[0.25]], [[2.0]]]]> : tensor<1x4x1x1xf32>
  %q = quant.quant %x scale %s zeropt %z bitwidth %b {signed = true, narrow = false, rounding_mode = "ROUND"} : (tensor<1x4x6x6xf32>, tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<1x4x6x6xf32>
  %qc = quant.quant %q scale %cs zeropt %z bitwidth %b {signed = false, narrow = true, rounding_mode = "HALF_DOWN"} : (tensor<1x4x6x6xf32>, tensor<1x4x1x1xf32>, tensor<f32>, tensor<f32>) -> tensor<1x4x6x6xf32>
  %bq = quant.bipolar_quant %qc scale %s : (tensor<1x4x6x6xf32>, tensor<f32>) -> tensor<1x4x6x6xf32>
  %ib = quant.constant dense<8.000000e+00> : tensor<f32>
  %t1 = quant.trunc %bq scale %s zeropt %z in_bitwidth %ib out_bitwidth %b {rounding_mode = "FLOOR"} : (tensor<1x4x6x6xf32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<1x4x6x6xf32>
  %os = quant.constant dense<2.000000e+00> : tensor<f32>
  %t2 = quant.trunc %t1 scale %s zeropt %z in_bitwidth %ib out_bitwidth %b out_scale %os {rounding_mode = "ROUND", signed = false, narrow = true} : (tensor<1x4x6x6xf32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<1x4x6x6xf32>
  %thr = quant.constant dense<[[-1.0, 0.0, 1.0]]> : tensor<1x3xf32>
  %mt = quant.multithreshold %t2, %thr {out_scale = 2.000000e+00 : f32, out_bias = -1.000000e+00 : f32, out_dtype = "INT2", data_layout = "NCHW"} : (tensor<1x4x6x6xf32>, tensor<1x3xf32>) -> tensor<1x4x6x6xf32>
  func.return %mt : tensor<1x4x6x6xf32>
}

// CHECK: func.func @quantizers(%x: tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32> {
// CHECK-NEXT: %s = quant.constant dense<5.000000e-01> : tensor<f32>
// CHECK-NEXT: %z = quant.constant dense<0.000000e+00> : tensor<f32>
// CHECK-NEXT: %b = quant.constant dense<4.000000e+00> : tensor<f32>
// CHECK-NEXT: %cs = quant.constant dense<{{\[\[}}{{\[\[}}1.000000e+00]], {{\[\[}}5.000000e-01]], {{\[\[}}2.500000e-01]], {{\[\[}}2.000000e+00]]]]> : tensor<1x4x1x1xf32>
// CHECK-NEXT: %q = quant.quant %x scale %s zeropt %z bitwidth %b {signed = true, narrow = false, rounding_mode = "ROUND"} : (tensor<1x4x6x6xf32>, tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<1x4x6x6xf32>
// CHECK-NEXT: %qc = quant.quant %q scale %cs zeropt %z bitwidth %b {signed = false, narrow = true, rounding_mode = "HALF_DOWN"} : (tensor<1x4x6x6xf32>, tensor<1x4x1x1xf32>, tensor<f32>, tensor<f32>) -> tensor<1x4x6x6xf32>
// CHECK-NEXT: %bq = quant.bipolar_quant %qc scale %s : (tensor<1x4x6x6xf32>, tensor<f32>) -> tensor<1x4x6x6xf32>
// CHECK-NEXT: %ib = quant.constant dense<8.000000e+00> : tensor<f32>
// CHECK-NEXT: %t1 = quant.trunc %bq scale %s zeropt %z in_bitwidth %ib out_bitwidth %b {rounding_mode = "FLOOR"} : (tensor<1x4x6x6xf32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<1x4x6x6xf32>
// CHECK-NEXT: %os = quant.constant dense<2.000000e+00> : tensor<f32>
// CHECK-NEXT: %t2 = quant.trunc %t1 scale %s zeropt %z in_bitwidth %ib out_bitwidth %b out_scale %os {rounding_mode = "ROUND", signed = false, narrow = true} : (tensor<1x4x6x6xf32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<1x4x6x6xf32>
// CHECK-NEXT: %thr = quant.constant dense<{{\[\[}}-1.000000e+00, 0.000000e+00, 1.000000e+00]]> : tensor<1x3xf32>
// CHECK-NEXT: %mt = quant.multithreshold %t2, %thr {out_scale = 2.000000e+00 : f32, out_bias = -1.000000e+00 : f32, out_dtype = "INT2", data_layout = "NCHW"} : (tensor<1x4x6x6xf32>, tensor<1x3xf32>) -> tensor<1x4x6x6xf32>
// CHECK-NEXT: func.return %mt : tensor<1x4x6x6xf32>
// CHECK-NEXT: }

func.func @datatypes(%a: tensor<2x!quant.uint<2>>) -> tensor<2x!quant.uint<2>> {
  %i4 = quant.constant dense<[-8, 7]> : tensor<2xi8> -> tensor<2x!quant.int<4>>
  %u2 = quant.constant dense<[0, 3]> : tensor<2xi8> -> tensor<2x!quant.uint<2>>
  %bp = quant.constant dense<[-1, 1]> : tensor<2xi8> -> tensor<2x!quant.bipolar>
  %bn = quant.constant dense<[0, 1]> : tensor<2xi8> -> tensor<2x!quant.binary>
  %tn = quant.constant dense<[-1, 0]> : tensor<2xi8> -> tensor<2x!quant.ternary>
  %i = quant.constant dense<[1, 2]> : tensor<2xi64>
  %h = quant.constant dense<"0x01020307"> : tensor<4xi8> -> tensor<4x!quant.uint<3>>
  %big = quant.constant dense<"0x0001020304050607000102030405060700010203040506070001020304050607000102030405060700010203040506070001020304050607000102030405060700010203040506070001020304050607000102030405060700010203040506070001020304050607000102030405060700010203040506070001020304050607"> : tensor<8x16xi8> -> tensor<8x16x!quant.uint<3>>
  func.return %u2 : tensor<2x!quant.uint<2>>
}

// CHECK: func.func @datatypes(%a: tensor<2x!quant.uint<2>>) -> tensor<2x!quant.uint<2>> {
// CHECK-NEXT: %i4 = quant.constant dense<[-8, 7]> : tensor<2xi8> -> tensor<2x!quant.int<4>>
// CHECK-NEXT: %u2 = quant.constant dense<[0, 3]> : tensor<2xi8> -> tensor<2x!quant.uint<2>>
// CHECK-NEXT: %bp = quant.constant dense<[-1, 1]> : tensor<2xi8> -> tensor<2x!quant.bipolar>
// CHECK-NEXT: %bn = quant.constant dense<[0, 1]> : tensor<2xi8> -> tensor<2x!quant.binary>
// CHECK-NEXT: %tn = quant.constant dense<[-1, 0]> : tensor<2xi8> -> tensor<2x!quant.ternary>
// CHECK-NEXT: %i = quant.constant dense<[1, 2]> : tensor<2xi64>
// CHECK-NEXT: %h = quant.constant dense<[1, 2, 3, 7]> : tensor<4xi8> -> tensor<4x!quant.uint<3>>
// CHECK-NEXT: %big = quant.constant dense<"0x0001020304050607000102030405060700010203040506070001020304050607000102030405060700010203040506070001020304050607000102030405060700010203040506070001020304050607000102030405060700010203040506070001020304050607000102030405060700010203040506070001020304050607"> : tensor<8x16xi8> -> tensor<8x16x!quant.uint<3>>
// CHECK-NEXT: func.return %u2 : tensor<2x!quant.uint<2>>
// CHECK-NEXT: }

func.func @linear(%x: tensor<1x4x6x6xf32>, %a: tensor<2x8xf32>) -> tensor<1x4x6x6xf32> {
  %w = quant.constant dense<1.0> : tensor<4x2x3x3xf32>
  %wb = quant.constant dense<0.5> : tensor<4xf32>
  %c = quant.conv %x, %w, %wb {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 2 : i64} : (tensor<1x4x6x6xf32>, tensor<4x2x3x3xf32>, tensor<4xf32>) -> tensor<1x4x6x6xf32>
  %dw = quant.constant dense<1.0> : tensor<4x1x3x3xf32>
  %d = quant.conv %c, %dw {strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 2, 1>, group = 4 : i64} : (tensor<1x4x6x6xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x1x2xf32>
  %b = quant.constant dense<1.0> : tensor<3x8xf32>
  %bias = quant.constant dense<1.0> : tensor<3xf32>
  %g = quant.gemm %a, %b, %bias {alpha = 1.000000e+00 : f32, beta = 1.000000e+00 : f32, trans_a = false, trans_b = true} : (tensor<2x8xf32>, tensor<3x8xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %g2 = quant.gemm %a, %b {alpha = 5.000000e-01 : f32, beta = 0.000000e+00 : f32, trans_a = false, trans_b = true} : (tensor<2x8xf32>, tensor<3x8xf32>) -> tensor<2x3xf32>
  %m = quant.constant dense<1.0> : tensor<8x5xf32>
  %mm = quant.matmul %a, %m : (tensor<2x8xf32>, tensor<8x5xf32>) -> tensor<2x5xf32>
  %row = quant.constant dense<1.0> : tensor<1x5xf32>
  %add = quant.add %mm, %row : (tensor<2x5xf32>, tensor<1x5xf32>) -> tensor<2x5xf32>
  %sub = quant.sub %add, %row : (tensor<2x5xf32>, tensor<1x5xf32>) -> tensor<2x5xf32>
  %mul = quant.mul %sub, %row : (tensor<2x5xf32>, tensor<1x5xf32>) -> tensor<2x5xf32>
  %div = quant.div %mul, %row : (tensor<2x5xf32>, tensor<1x5xf32>) -> tensor<2x5xf32>
  %v = quant.constant dense<1.0> : tensor<4xf32>
  %bn = quant.batchnorm %x, %v, %v, %v, %v {epsilon = 9.99999974E-6 : f32} : (tensor<1x4x6x6xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x6x6xf32>
  %r = quant.relu %bn : (tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
  %id = quant.identity %r : (tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
  func.return %id : tensor<1x4x6x6xf32>
}

// CHECK: func.func @linear(%x: tensor<1x4x6x6xf32>, %a: tensor<2x8xf32>) -> tensor<1x4x6x6xf32> {
// CHECK-NEXT: %w = quant.constant dense<1.000000e+00> : tensor<4x2x3x3xf32>
// CHECK-NEXT: %wb = quant.constant dense<5.000000e-01> : tensor<4xf32>
// CHECK-NEXT: %c = quant.conv %x, %w, %wb {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 2 : i64} : (tensor<1x4x6x6xf32>, tensor<4x2x3x3xf32>, tensor<4xf32>) -> tensor<1x4x6x6xf32>
// CHECK-NEXT: %dw = quant.constant dense<1.000000e+00> : tensor<4x1x3x3xf32>
// CHECK-NEXT: %d = quant.conv %c, %dw {strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 2, 1>, group = 4 : i64} : (tensor<1x4x6x6xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x1x2xf32>
// CHECK-NEXT: %b = quant.constant dense<1.000000e+00> : tensor<3x8xf32>
// CHECK-NEXT: %bias = quant.constant dense<1.000000e+00> : tensor<3xf32>
// CHECK-NEXT: %g = quant.gemm %a, %b, %bias {alpha = 1.000000e+00 : f32, beta = 1.000000e+00 : f32, trans_a = false, trans_b = true} : (tensor<2x8xf32>, tensor<3x8xf32>, tensor<3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: %g2 = quant.gemm %a, %b {alpha = 5.000000e-01 : f32, beta = 0.000000e+00 : f32, trans_a = false, trans_b = true} : (tensor<2x8xf32>, tensor<3x8xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: %m = quant.constant dense<1.000000e+00> : tensor<8x5xf32>
// CHECK-NEXT: %mm = quant.matmul %a, %m : (tensor<2x8xf32>, tensor<8x5xf32>) -> tensor<2x5xf32>
// CHECK-NEXT: %row = quant.constant dense<1.000000e+00> : tensor<1x5xf32>
// CHECK-NEXT: %add = quant.add %mm, %row : (tensor<2x5xf32>, tensor<1x5xf32>) -> tensor<2x5xf32>
// CHECK-NEXT: %sub = quant.sub %add, %row : (tensor<2x5xf32>, tensor<1x5xf32>) -> tensor<2x5xf32>
// CHECK-NEXT: %mul = quant.mul %sub, %row : (tensor<2x5xf32>, tensor<1x5xf32>) -> tensor<2x5xf32>
// CHECK-NEXT: %div = quant.div %mul, %row : (tensor<2x5xf32>, tensor<1x5xf32>) -> tensor<2x5xf32>
// CHECK-NEXT: %v = quant.constant dense<1.000000e+00> : tensor<4xf32>
// CHECK-NEXT: %bn = quant.batchnorm %x, %v, %v, %v, %v {epsilon = 1.000000e-05 : f32} : (tensor<1x4x6x6xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x6x6xf32>
// CHECK-NEXT: %r = quant.relu %bn : (tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
// CHECK-NEXT: %id = quant.identity %r : (tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
// CHECK-NEXT: func.return %id : tensor<1x4x6x6xf32>
// CHECK-NEXT: }

func.func @pools(%x: tensor<1x4x6x6xf32>) -> tensor<1x4xf32> {
  %mp = quant.maxpool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x4x6x6xf32>) -> tensor<1x4x3x3xf32>
  %mc = quant.maxpool %mp {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = true} : (tensor<1x4x3x3xf32>) -> tensor<1x4x2x2xf32>
  %ap = quant.avgpool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, count_include_pad = true} : (tensor<1x4x6x6xf32>) -> tensor<1x4x3x3xf32>
  %ga = quant.global_avgpool %ap : (tensor<1x4x3x3xf32>) -> tensor<1x4x1x1xf32>
  %rm = quant.reduce_mean %x {axes = array<i64: 2, 3>, keepdims = false} : (tensor<1x4x6x6xf32>) -> tensor<1x4xf32>
  func.return %rm : tensor<1x4xf32>
}

// CHECK: func.func @pools(%x: tensor<1x4x6x6xf32>) -> tensor<1x4xf32> {
// CHECK-NEXT: %mp = quant.maxpool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x4x6x6xf32>) -> tensor<1x4x3x3xf32>
// CHECK-NEXT: %mc = quant.maxpool %mp {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = true} : (tensor<1x4x3x3xf32>) -> tensor<1x4x2x2xf32>
// CHECK-NEXT: %ap = quant.avgpool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, count_include_pad = true} : (tensor<1x4x6x6xf32>) -> tensor<1x4x3x3xf32>
// CHECK-NEXT: %ga = quant.global_avgpool %ap : (tensor<1x4x3x3xf32>) -> tensor<1x4x1x1xf32>
// CHECK-NEXT: %rm = quant.reduce_mean %x {axes = array<i64: 2, 3>, keepdims = false} : (tensor<1x4x6x6xf32>) -> tensor<1x4xf32>
// CHECK-NEXT: func.return %rm : tensor<1x4xf32>
// CHECK-NEXT: }

func.func @data_movement(%x: tensor<1x4x2x2xf32>) -> (tensor<1x3xf32>, tensor<1x3xi64>) {
  %rs = quant.reshape %x : (tensor<1x4x2x2xf32>) -> tensor<1x16xf32>
  %fl = quant.flatten %x {axis = 1 : i64} : (tensor<1x4x2x2xf32>) -> tensor<1x16xf32>
  %tr = quant.transpose %x {perm = array<i64: 0, 2, 3, 1>} : (tensor<1x4x2x2xf32>) -> tensor<1x2x2x4xf32>
  %cc = quant.concat %rs, %fl {axis = 1 : i64} : (tensor<1x16xf32>, tensor<1x16xf32>) -> tensor<1x32xf32>
  %pd = quant.pad %x {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>, value = 0.000000e+00 : f32} : (tensor<1x4x2x2xf32>) -> tensor<1x4x4x4xf32>
  %tv, %ti = quant.topk %cc {k = 3 : i64, axis = 1 : i64} : (tensor<1x32xf32>) -> (tensor<1x3xf32>, tensor<1x3xi64>)
  func.return %tv, %ti : tensor<1x3xf32>, tensor<1x3xi64>
}

// CHECK: func.func @data_movement(%x: tensor<1x4x2x2xf32>) -> (tensor<1x3xf32>, tensor<1x3xi64>) {
// CHECK-NEXT: %rs = quant.reshape %x : (tensor<1x4x2x2xf32>) -> tensor<1x16xf32>
// CHECK-NEXT: %fl = quant.flatten %x {axis = 1 : i64} : (tensor<1x4x2x2xf32>) -> tensor<1x16xf32>
// CHECK-NEXT: %tr = quant.transpose %x {perm = array<i64: 0, 2, 3, 1>} : (tensor<1x4x2x2xf32>) -> tensor<1x2x2x4xf32>
// CHECK-NEXT: %cc = quant.concat %rs, %fl {axis = 1 : i64} : (tensor<1x16xf32>, tensor<1x16xf32>) -> tensor<1x32xf32>
// CHECK-NEXT: %pd = quant.pad %x {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>, value = 0.000000e+00 : f32} : (tensor<1x4x2x2xf32>) -> tensor<1x4x4x4xf32>
// CHECK-NEXT: %tv, %ti = quant.topk %cc {k = 3 : i64, axis = 1 : i64} : (tensor<1x32xf32>) -> (tensor<1x3xf32>, tensor<1x3xi64>)
// CHECK-NEXT: func.return %tv, %ti : tensor<1x3xf32>, tensor<1x3xi64>
// CHECK-NEXT: }

// The float tails and layout ops of models from the wild round-trip.
// CHECK-LABEL: func.func @wild
func.func @wild(%x: tensor<1x8x2x2xf32>) -> (tensor<1x8x2x2xf32>, tensor<1x1x2x2xi64>, tensor<1x2x4x4xf32>, tensor<1x8x4x6xf32>, tensor<1x2x2x1xf32>, tensor<1x3x2x2xf32>) {
  // CHECK: quant.softmax %x {axis = 1 : i64}
  %s = quant.softmax %x {axis = 1 : i64} : (tensor<1x8x2x2xf32>) -> tensor<1x8x2x2xf32>
  // CHECK: quant.sigmoid
  %g = quant.sigmoid %s : (tensor<1x8x2x2xf32>) -> tensor<1x8x2x2xf32>
  // CHECK: quant.exp
  %e = quant.exp %g : (tensor<1x8x2x2xf32>) -> tensor<1x8x2x2xf32>
  // CHECK: quant.reduce_max %e {axes = array<i64: 1>, keepdims = true}
  %m = quant.reduce_max %e {axes = array<i64: 1>, keepdims = true} : (tensor<1x8x2x2xf32>) -> tensor<1x1x2x2xf32>
  // CHECK: quant.argmax %e {axis = 1 : i64, keepdims = true, select_last_index = false} : (tensor<1x8x2x2xf32>) -> tensor<1x1x2x2xi64>
  %a = quant.argmax %e {axis = 1 : i64, keepdims = true, select_last_index = false} : (tensor<1x8x2x2xf32>) -> tensor<1x1x2x2xi64>
  // CHECK: quant.depth_to_space %x {blocksize = 2 : i64, mode = "CRD"}
  %d = quant.depth_to_space %x {blocksize = 2 : i64, mode = "CRD"} : (tensor<1x8x2x2xf32>) -> tensor<1x2x4x4xf32>
  // CHECK: quant.resize %x {scales = array<i64: 1, 1, 2, 3>}
  %r = quant.resize %x {scales = array<i64: 1, 1, 2, 3>} : (tensor<1x8x2x2xf32>) -> tensor<1x8x4x6xf32>
  // CHECK: quant.slice %x {starts = array<i64: 0, 1, 0, 1>, ends = array<i64: 1, 5, 2, 2>, steps = array<i64: 1, 2, 1, 1>}
  %c = quant.slice %x {starts = array<i64: 0, 1, 0, 1>, ends = array<i64: 1, 5, 2, 2>, steps = array<i64: 1, 2, 1, 1>} : (tensor<1x8x2x2xf32>) -> tensor<1x2x2x1xf32>
  // CHECK: quant.split %x {axis = 1 : i64, sizes = array<i64: 3, 5>} : (tensor<1x8x2x2xf32>) -> (tensor<1x3x2x2xf32>, tensor<1x5x2x2xf32>)
  %p, %q = quant.split %x {axis = 1 : i64, sizes = array<i64: 3, 5>} : (tensor<1x8x2x2xf32>) -> (tensor<1x3x2x2xf32>, tensor<1x5x2x2xf32>)
  func.return %e, %a, %d, %r, %c, %p : tensor<1x8x2x2xf32>, tensor<1x1x2x2xi64>, tensor<1x2x4x4xf32>, tensor<1x8x4x6xf32>, tensor<1x2x2x1xf32>, tensor<1x3x2x2xf32>
}
