// RUN: qnn-opt %s | qnn-opt | filecheck %s

// Round trip of every streamline op: the custom form parses, prints as written, and
// reparses to the same text.

func.func @arithmetic(%x: tensor<1x4xf32>, %i: tensor<1x4x!quant.uint<2>>, %b: tensor<1x6x!quant.bipolar>) -> (tensor<1x4xf32>, tensor<1x3x!quant.uint<3>>) {
  %t = quant.constant dense<[[0.25, 0.75, 1.25]]> : tensor<1x3xf64>
  %m = streamline.multithreshold %x, %t {out_scale = 1 : i64, out_bias = 0 : i64, strict = array<i64: 1, 0, 1>} : (tensor<1x4xf32>, tensor<1x3xf64>) -> tensor<1x4x!quant.uint<2>>
  %ti = quant.constant dense<[[0, 1], [1, 2], [0, 2], [1, 1]]> : tensor<4x2xi8> -> tensor<4x2x!quant.uint<2>>
  %mi = streamline.multithreshold %m, %ti {out_scale = 2 : i64, out_bias = -2 : i64} : (tensor<1x4x!quant.uint<2>>, tensor<4x2x!quant.uint<2>>) -> tensor<1x4x!quant.int<3>>
  %w = quant.constant dense<[[1, -1, 0], [0, 1, 1], [-1, 0, 1], [1, 1, -1]]> : tensor<4x3xi8> -> tensor<4x3x!quant.int<2>>
  %acc = streamline.matmul %i, %w : (tensor<1x4x!quant.uint<2>>, tensor<4x3x!quant.int<2>>) -> tensor<1x3x!quant.int<4>>
  %wf = quant.constant dense<5.000000e-01> : tensor<4x3xf32>
  %accf = streamline.matmul %x, %wf : (tensor<1x4xf32>, tensor<4x3xf32>) -> tensor<1x3xf32>
  %wb = quant.constant dense<1> : tensor<6x3xi8> -> tensor<6x3x!quant.bipolar>
  %pop = streamline.xnor_popcount %b, %wb : (tensor<1x6x!quant.bipolar>, tensor<6x3x!quant.bipolar>) -> tensor<1x3x!quant.uint<3>>
  %s = quant.constant dense<2.500000e-01> : tensor<f64>
  %sc = streamline.mul %acc, %s : (tensor<1x3x!quant.int<4>>, tensor<f64>) -> tensor<1x3xf32>
  %k = quant.constant dense<3> : tensor<i8> -> tensor<!quant.uint<2>>
  %sh = streamline.add %mi, %k : (tensor<1x4x!quant.int<3>>, tensor<!quant.uint<2>>) -> tensor<1x4x!quant.int<4>>
  %res = streamline.add %x, %x : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  func.return %res, %pop : tensor<1x4xf32>, tensor<1x3x!quant.uint<3>>
}

// CHECK:      func.func @arithmetic(%x: tensor<1x4xf32>, %i: tensor<1x4x!quant.uint<2>>, %b: tensor<1x6x!quant.bipolar>) -> (tensor<1x4xf32>, tensor<1x3x!quant.uint<3>>) {
// CHECK-NEXT:   %t = quant.constant dense<{{\[\[}}2.500000e-01, 7.500000e-01, 1.250000e+00]]> : tensor<1x3xf64>
// CHECK-NEXT:   %m = streamline.multithreshold %x, %t {out_scale = 1 : i64, out_bias = 0 : i64, strict = array<i64: 1, 0, 1>} : (tensor<1x4xf32>, tensor<1x3xf64>) -> tensor<1x4x!quant.uint<2>>
// CHECK-NEXT:   %ti = quant.constant dense<{{\[\[}}0, 1], [1, 2], [0, 2], [1, 1]]> : tensor<4x2xi8> -> tensor<4x2x!quant.uint<2>>
// CHECK-NEXT:   %mi = streamline.multithreshold %m, %ti {out_scale = 2 : i64, out_bias = -2 : i64} : (tensor<1x4x!quant.uint<2>>, tensor<4x2x!quant.uint<2>>) -> tensor<1x4x!quant.int<3>>
// CHECK-NEXT:   %w = quant.constant dense<{{\[\[}}1, -1, 0], [0, 1, 1], [-1, 0, 1], [1, 1, -1]]> : tensor<4x3xi8> -> tensor<4x3x!quant.int<2>>
// CHECK-NEXT:   %acc = streamline.matmul %i, %w : (tensor<1x4x!quant.uint<2>>, tensor<4x3x!quant.int<2>>) -> tensor<1x3x!quant.int<4>>
// CHECK-NEXT:   %wf = quant.constant dense<5.000000e-01> : tensor<4x3xf32>
// CHECK-NEXT:   %accf = streamline.matmul %x, %wf : (tensor<1x4xf32>, tensor<4x3xf32>) -> tensor<1x3xf32>
// CHECK-NEXT:   %wb = quant.constant dense<1> : tensor<6x3xi8> -> tensor<6x3x!quant.bipolar>
// CHECK-NEXT:   %pop = streamline.xnor_popcount %b, %wb : (tensor<1x6x!quant.bipolar>, tensor<6x3x!quant.bipolar>) -> tensor<1x3x!quant.uint<3>>
// CHECK-NEXT:   %s = quant.constant dense<2.500000e-01> : tensor<f64>
// CHECK-NEXT:   %sc = streamline.mul %acc, %s : (tensor<1x3x!quant.int<4>>, tensor<f64>) -> tensor<1x3xf32>
// CHECK-NEXT:   %k = quant.constant dense<3> : tensor<i8> -> tensor<!quant.uint<2>>
// CHECK-NEXT:   %sh = streamline.add %mi, %k : (tensor<1x4x!quant.int<3>>, tensor<!quant.uint<2>>) -> tensor<1x4x!quant.int<4>>
// CHECK-NEXT:   %res = streamline.add %x, %x : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
// CHECK-NEXT:   func.return %res, %pop : tensor<1x4xf32>, tensor<1x3x!quant.uint<3>>
// CHECK-NEXT: }

func.func @windows(%x: tensor<1x4x4x2x!quant.uint<2>>) -> (tensor<1x2x2x2x!quant.int<5>>, tensor<1x1x1x2x!quant.uint<6>>) {
  %c = streamline.im2col %x {kernel = array<i64: 3, 3>, stride = array<i64: 2, 2>, pads = array<i64: 1, 1, 0, 0>, dilation = array<i64: 1, 1>} : (tensor<1x4x4x2x!quant.uint<2>>) -> tensor<1x2x2x18x!quant.uint<2>>
  %w = quant.constant dense<-1> : tensor<9x2xi8> -> tensor<9x2x!quant.int<2>>
  %d = streamline.dw_matmul %c, %w : (tensor<1x2x2x18x!quant.uint<2>>, tensor<9x2x!quant.int<2>>) -> tensor<1x2x2x2x!quant.int<6>>
  %mp = streamline.maxpool %x {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x4x4x2x!quant.uint<2>>) -> tensor<1x2x2x2x!quant.uint<2>>
  %sp = streamline.sum_pool %x {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x4x4x2x!quant.uint<2>>) -> tensor<1x2x2x2x!quant.int<5>>
  %gs = streamline.global_sum %x : (tensor<1x4x4x2x!quant.uint<2>>) -> tensor<1x1x1x2x!quant.uint<6>>
  func.return %sp, %gs : tensor<1x2x2x2x!quant.int<5>>, tensor<1x1x1x2x!quant.uint<6>>
}

// CHECK:      func.func @windows(%x: tensor<1x4x4x2x!quant.uint<2>>) -> (tensor<1x2x2x2x!quant.int<5>>, tensor<1x1x1x2x!quant.uint<6>>) {
// CHECK-NEXT:   %c = streamline.im2col %x {kernel = array<i64: 3, 3>, stride = array<i64: 2, 2>, pads = array<i64: 1, 1, 0, 0>, dilation = array<i64: 1, 1>} : (tensor<1x4x4x2x!quant.uint<2>>) -> tensor<1x2x2x18x!quant.uint<2>>
// CHECK-NEXT:   %w = quant.constant dense<-1> : tensor<9x2xi8> -> tensor<9x2x!quant.int<2>>
// CHECK-NEXT:   %d = streamline.dw_matmul %c, %w : (tensor<1x2x2x18x!quant.uint<2>>, tensor<9x2x!quant.int<2>>) -> tensor<1x2x2x2x!quant.int<6>>
// CHECK-NEXT:   %mp = streamline.maxpool %x {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x4x4x2x!quant.uint<2>>) -> tensor<1x2x2x2x!quant.uint<2>>
// CHECK-NEXT:   %sp = streamline.sum_pool %x {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x4x4x2x!quant.uint<2>>) -> tensor<1x2x2x2x!quant.int<5>>
// CHECK-NEXT:   %gs = streamline.global_sum %x : (tensor<1x4x4x2x!quant.uint<2>>) -> tensor<1x1x1x2x!quant.uint<6>>
// CHECK-NEXT:   func.return %sp, %gs : tensor<1x2x2x2x!quant.int<5>>, tensor<1x1x1x2x!quant.uint<6>>
// CHECK-NEXT: }

func.func @data_movement(%x: tensor<1x2x2x3xf32>, %y: tensor<1x2x2x1xf32>) -> (tensor<1x3xf32>, tensor<1x3xi64>) {
  %t = streamline.transpose %x {perm = array<i64: 0, 3, 1, 2>} : (tensor<1x2x2x3xf32>) -> tensor<1x3x2x2xf32>
  %r = streamline.reshape %t : (tensor<1x3x2x2xf32>) -> tensor<1x12xf32>
  %c = streamline.concat %x, %y {axis = 3 : i64} : (tensor<1x2x2x3xf32>, tensor<1x2x2x1xf32>) -> tensor<1x2x2x4xf32>
  %v, %i = streamline.topk %r {k = 3 : i64} : (tensor<1x12xf32>) -> (tensor<1x3xf32>, tensor<1x3xi64>)
  func.return %v, %i : tensor<1x3xf32>, tensor<1x3xi64>
}

// CHECK:      func.func @data_movement(%x: tensor<1x2x2x3xf32>, %y: tensor<1x2x2x1xf32>) -> (tensor<1x3xf32>, tensor<1x3xi64>) {
// CHECK-NEXT:   %t = streamline.transpose %x {perm = array<i64: 0, 3, 1, 2>} : (tensor<1x2x2x3xf32>) -> tensor<1x3x2x2xf32>
// CHECK-NEXT:   %r = streamline.reshape %t : (tensor<1x3x2x2xf32>) -> tensor<1x12xf32>
// CHECK-NEXT:   %c = streamline.concat %x, %y {axis = 3 : i64} : (tensor<1x2x2x3xf32>, tensor<1x2x2x1xf32>) -> tensor<1x2x2x4xf32>
// CHECK-NEXT:   %v, %i = streamline.topk %r {k = 3 : i64} : (tensor<1x12xf32>) -> (tensor<1x3xf32>, tensor<1x3xi64>)
// CHECK-NEXT:   func.return %v, %i : tensor<1x3xf32>, tensor<1x3xi64>
// CHECK-NEXT: }

// CHECK-LABEL: func.func @upsample_slice
// CHECK-NEXT:    %u = streamline.upsample %x {scales = array<i64: 1, 2, 3, 1>} : (tensor<1x2x2x3x!quant.uint<2>>) -> tensor<1x4x6x3x!quant.uint<2>>
// CHECK-NEXT:    %s = streamline.slice %u {starts = array<i64: 0, 1, 0, 1>, ends = array<i64: 1, 4, 6, 3>, steps = array<i64: 1, 2, 4, 1>} : (tensor<1x4x6x3x!quant.uint<2>>) -> tensor<1x2x2x2x!quant.uint<2>>
func.func @upsample_slice(%x: tensor<1x2x2x3x!quant.uint<2>>) -> tensor<1x2x2x2x!quant.uint<2>> {
  %u = streamline.upsample %x {scales = array<i64: 1, 2, 3, 1>} : (tensor<1x2x2x3x!quant.uint<2>>) -> tensor<1x4x6x3x!quant.uint<2>>
  %s = streamline.slice %u {starts = array<i64: 0, 1, 0, 1>, ends = array<i64: 1, 4, 6, 3>, steps = array<i64: 1, 2, 4, 1>} : (tensor<1x4x6x3x!quant.uint<2>>) -> tensor<1x2x2x2x!quant.uint<2>>
  func.return %s : tensor<1x2x2x2x!quant.uint<2>>
}

// CHECK-LABEL: func.func @depth_to_space
// CHECK-NEXT:    %y = streamline.depth_to_space %x {blocksize = 2 : i64, mode = "CRD"} : (tensor<1x2x3x8x!quant.uint<2>>) -> tensor<1x4x6x2x!quant.uint<2>>
func.func @depth_to_space(%x: tensor<1x2x3x8x!quant.uint<2>>) -> tensor<1x4x6x2x!quant.uint<2>> {
  %y = streamline.depth_to_space %x {blocksize = 2 : i64, mode = "CRD"} : (tensor<1x2x3x8x!quant.uint<2>>) -> tensor<1x4x6x2x!quant.uint<2>>
  func.return %y : tensor<1x4x6x2x!quant.uint<2>>
}
