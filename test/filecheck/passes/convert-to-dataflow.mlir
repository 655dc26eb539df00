// RUN: qnn-opt %s -p convert-to-dataflow --split-input-file --verify-diagnostics | filecheck %s

// A two-layer MLP: the float edge (first multithreshold, final mul) stays outside; each
// matmul and the multithreshold after it become one mvau; strict thresholds become
// `>= t + 1`, clipped to the accumulator range [-3, 6 + 1] and sorted.
// CHECK-LABEL: func.func @mlp
// CHECK:       %q = streamline.multithreshold %x
// CHECK-NEXT:  %o = dataflow.partition(%q) : (tensor<2x4x!quant.uint<2>>) -> tensor<2x2x!quant.int<4>> {
// CHECK-NEXT:  ^bb0(%q_1: !dataflow.stream<4x!quant.uint<2>, lanes 1>):
// CHECK-NEXT:    %w = quant.constant
// CHECK-NEXT:    %t = quant.constant dense<{{\[\[}}-3, 5], [1, 1], [6, 7]]> : tensor<3x2xi8> -> tensor<3x2x!quant.int<4>>
// CHECK-NEXT:    %h = dataflow.mvau %q_1, %w, %t {simd = 1 : i64, pe = 1 : i64, acc_dtype = !quant.int<4>, out_bias = -1 : i64, mem_mode = "internal_embedded"} : (!dataflow.stream<4x!quant.uint<2>, lanes 1>, tensor<4x3x!quant.int<2>>, tensor<3x2x!quant.int<4>>) -> !dataflow.stream<3x!quant.int<2>, lanes 1>
// CHECK-NEXT:    %w2 = quant.constant
// CHECK-NEXT:    %o_1 = dataflow.mvau %h, %w2 {simd = 1 : i64, pe = 1 : i64, acc_dtype = !quant.int<4>, mem_mode = "internal_embedded"} : (!dataflow.stream<3x!quant.int<2>, lanes 1>, tensor<3x2x!quant.int<2>>) -> !dataflow.stream<2x!quant.int<4>, lanes 1>
// CHECK-NEXT:    dataflow.yield %o_1 : !dataflow.stream<2x!quant.int<4>, lanes 1>
// CHECK-NEXT:  }
// CHECK-NEXT:  %s = quant.constant
// CHECK-NEXT:  %y = streamline.mul %o, %s
// CHECK-NOT:   streamline.matmul
func.func @mlp(%x: tensor<2x4xf32>) -> tensor<2x2xf32> {
  %t0 = quant.constant dense<[[0.5, 1.5, 2.5]]> : tensor<1x3xf64>
  %q = streamline.multithreshold %x, %t0 {out_scale = 1 : i64, out_bias = 0 : i64} : (tensor<2x4xf32>, tensor<1x3xf64>) -> tensor<2x4x!quant.uint<2>>
  %w = quant.constant dense<[[1, -1, 0], [1, 0, 1], [0, 1, -1], [0, 0, 1]]> : tensor<4x3xi8> -> tensor<4x3x!quant.int<2>>
  %acc = streamline.matmul %q, %w : (tensor<2x4x!quant.uint<2>>, tensor<4x3x!quant.int<2>>) -> tensor<2x3x!quant.int<4>>
  %t = quant.constant dense<[[4, -7], [0, 1], [6, 6]]> : tensor<3x2xi8> -> tensor<3x2x!quant.int<4>>
  %h = streamline.multithreshold %acc, %t {out_scale = 1 : i64, out_bias = -1 : i64, strict = array<i64: 1, 0>} : (tensor<2x3x!quant.int<4>>, tensor<3x2x!quant.int<4>>) -> tensor<2x3x!quant.int<2>>
  %w2 = quant.constant dense<[[1, -1], [1, 1], [-1, 0]]> : tensor<3x2xi8> -> tensor<3x2x!quant.int<2>>
  %o = streamline.matmul %h, %w2 : (tensor<2x3x!quant.int<2>>, tensor<3x2x!quant.int<2>>) -> tensor<2x2x!quant.int<4>>
  %s = quant.constant dense<0.5> : tensor<f64>
  %y = streamline.mul %o, %s : (tensor<2x2x!quant.int<4>>, tensor<f64>) -> tensor<2x2xf32>
  func.return %y : tensor<2x2xf32>
}

// -----

// A threshold above every accumulator value (16 > 15, the uint<4> maximum) widens acc_dtype
// by a bit; one below every value (-3) is clipped to the minimum, 0.
// CHECK-LABEL: func.func @widen_acc
// CHECK:       %t = quant.constant dense<{{\[\[}}0, 7, 16]]> : tensor<1x3xi8> -> tensor<1x3x!quant.uint<5>>
// CHECK-NEXT:  dataflow.mvau %x_1, %w, %t {simd = 1 : i64, pe = 1 : i64, acc_dtype = !quant.uint<5>, mem_mode = "internal_embedded"}
func.func @widen_acc(%x: tensor<1x5x!quant.uint<2>>) -> tensor<1x1x!quant.uint<2>> {
  %w = quant.constant dense<1> : tensor<5x1xi8> -> tensor<5x1x!quant.uint<1>>
  %acc = streamline.matmul %x, %w : (tensor<1x5x!quant.uint<2>>, tensor<5x1x!quant.uint<1>>) -> tensor<1x1x!quant.uint<4>>
  %t = quant.constant dense<[[-3, 7, 15]]> : tensor<1x3xi8> -> tensor<1x3x!quant.int<5>>
  %h = streamline.multithreshold %acc, %t {out_scale = 1 : i64, out_bias = 0 : i64, strict = array<i64: 0, 0, 1>} : (tensor<1x1x!quant.uint<4>>, tensor<1x3x!quant.int<5>>) -> tensor<1x1x!quant.uint<2>>
  func.return %h : tensor<1x1x!quant.uint<2>>
}

// -----

// Bipolar x bipolar in XNOR-popcount form: binary_xnor, thresholds on the popcount.
// CHECK-LABEL: func.func @xnor
// CHECK:       dataflow.mvau %x_1, %w, %t {simd = 1 : i64, pe = 1 : i64, acc_dtype = !quant.uint<3>, binary_xnor = true, out_scale = 2 : i64, out_bias = -1 : i64, mem_mode = "internal_embedded"} : (!dataflow.stream<4x!quant.bipolar, lanes 1>, tensor<4x2x!quant.bipolar>, tensor<2x1x!quant.uint<3>>) -> !dataflow.stream<2x!quant.bipolar, lanes 1>
func.func @xnor(%x: tensor<1x4x!quant.bipolar>) -> tensor<1x2x!quant.bipolar> {
  %w = quant.constant dense<[[1, -1], [1, 1], [-1, 1], [-1, -1]]> : tensor<4x2xi8> -> tensor<4x2x!quant.bipolar>
  %acc = streamline.xnor_popcount %x, %w : (tensor<1x4x!quant.bipolar>, tensor<4x2x!quant.bipolar>) -> tensor<1x2x!quant.uint<3>>
  %t = quant.constant dense<[[2], [3]]> : tensor<2x1xi8> -> tensor<2x1x!quant.uint<3>>
  %y = streamline.multithreshold %acc, %t {out_scale = 2 : i64, out_bias = -1 : i64} : (tensor<1x2x!quant.uint<3>>, tensor<2x1x!quant.uint<3>>) -> tensor<1x2x!quant.bipolar>
  func.return %y : tensor<1x2x!quant.bipolar>
}

// -----

// A multithreshold with a second user is not fused: the accumulator forks into a
// standalone thresholding layer and the partition's second result.
// CHECK-LABEL: func.func @two_users
// CHECK:       %acc, %y = dataflow.partition(%x) : (tensor<1x2x!quant.uint<2>>) -> (tensor<1x2x!quant.int<4>>, tensor<1x2x!quant.uint<1>>) {
// CHECK:         %acc_1 = dataflow.mvau %x_1, %w {simd = 1 : i64, pe = 1 : i64, acc_dtype = !quant.int<4>, mem_mode = "internal_embedded"}
// CHECK-NEXT:    %[[A:.*]], %[[B:.*]] = dataflow.duplicate_streams %acc_1 {pe = 1 : i64} : (!dataflow.stream<2x!quant.int<4>, lanes 1>) -> (!dataflow.stream<2x!quant.int<4>, lanes 1>, !dataflow.stream<2x!quant.int<4>, lanes 1>)
// CHECK-NEXT:    %t = quant.constant dense<1> : tensor<1x1xi8> -> tensor<1x1x!quant.int<4>>
// CHECK-NEXT:    %y_1 = dataflow.thresholding %[[A]], %t {pe = 1 : i64}
// CHECK-NEXT:    dataflow.yield %[[B]], %y_1
// CHECK:       func.return %y, %acc
func.func @two_users(%x: tensor<1x2x!quant.uint<2>>) -> (tensor<1x2x!quant.uint<1>>, tensor<1x2x!quant.int<4>>) {
  %w = quant.constant dense<[[1, -1], [1, 1]]> : tensor<2x2xi8> -> tensor<2x2x!quant.int<2>>
  %acc = streamline.matmul %x, %w : (tensor<1x2x!quant.uint<2>>, tensor<2x2x!quant.int<2>>) -> tensor<1x2x!quant.int<4>>
  %t = quant.constant dense<[[1]]> : tensor<1x1xi8> -> tensor<1x1x!quant.int<2>>
  %y = streamline.multithreshold %acc, %t {out_scale = 1 : i64, out_bias = 0 : i64} : (tensor<1x2x!quant.int<4>>, tensor<1x1x!quant.int<2>>) -> tensor<1x2x!quant.uint<1>>
  func.return %y, %acc : tensor<1x2x!quant.uint<1>>, tensor<1x2x!quant.int<4>>
}

// -----

// A standalone integer multithreshold: thresholding (strict 2 -> >= 3, 9 clipped to 4).
// CHECK-LABEL: func.func @thresholding
// CHECK:       %t = quant.constant dense<{{\[\[}}0, 3, 4]]> : tensor<1x3xi8> -> tensor<1x3x!quant.uint<3>>
// CHECK-NEXT:  %y_1 = dataflow.thresholding %x_1, %t {pe = 1 : i64} : (!dataflow.stream<2x2x3x!quant.uint<2>, lanes 1>, tensor<1x3x!quant.uint<3>>) -> !dataflow.stream<2x2x3x!quant.uint<2>, lanes 1>
func.func @thresholding(%x: tensor<1x2x2x3x!quant.uint<2>>) -> tensor<1x2x2x3x!quant.uint<2>> {
  %t = quant.constant dense<[[0, 2, 9]]> : tensor<1x3xi8> -> tensor<1x3x!quant.uint<4>>
  %y = streamline.multithreshold %x, %t {out_scale = 1 : i64, out_bias = 0 : i64, strict = array<i64: 0, 1, 0>} : (tensor<1x2x2x3x!quant.uint<2>>, tensor<1x3x!quant.uint<4>>) -> tensor<1x2x2x3x!quant.uint<2>>
  func.return %y : tensor<1x2x2x3x!quant.uint<2>>
}

// -----

// A padded conv: fm_padding, then a standard-order swg, then the mvau.
// CHECK-LABEL: func.func @conv
// CHECK:       %[[P:.*]] = dataflow.fm_padding %x_1 {pads = array<i64: 1, 1, 0, 0>, simd = 1 : i64} : (!dataflow.stream<4x4x2x!quant.uint<2>, lanes 1>) -> !dataflow.stream<5x5x2x!quant.uint<2>, lanes 1>
// CHECK-NEXT:  %cols = dataflow.swg %[[P]] {kernel = array<i64: 3, 3>, stride = array<i64: 2, 2>, dilation = array<i64: 1, 1>, simd = 1 : i64} : (!dataflow.stream<5x5x2x!quant.uint<2>, lanes 1>) -> !dataflow.stream<2x2x18x!quant.uint<2>, lanes 1>
// CHECK-NEXT:  %w = quant.constant
// CHECK-NEXT:  %y_1 = dataflow.mvau %cols, %w {simd = 1 : i64, pe = 1 : i64, acc_dtype = !quant.int<7>, mem_mode = "internal_embedded"} : (!dataflow.stream<2x2x18x!quant.uint<2>, lanes 1>, tensor<18x3x!quant.int<2>>) -> !dataflow.stream<2x2x3x!quant.int<7>, lanes 1>
func.func @conv(%x: tensor<1x4x4x2x!quant.uint<2>>) -> tensor<1x2x2x3x!quant.int<7>> {
  %cols = streamline.im2col %x {kernel = array<i64: 3, 3>, stride = array<i64: 2, 2>, pads = array<i64: 1, 1, 0, 0>, dilation = array<i64: 1, 1>} : (tensor<1x4x4x2x!quant.uint<2>>) -> tensor<1x2x2x18x!quant.uint<2>>
  %w = quant.constant dense<1> : tensor<18x3xi8> -> tensor<18x3x!quant.int<2>>
  %y = streamline.matmul %cols, %w : (tensor<1x2x2x18x!quant.uint<2>>, tensor<18x3x!quant.int<2>>) -> tensor<1x2x2x3x!quant.int<7>>
  func.return %y : tensor<1x2x2x3x!quant.int<7>>
}

// -----

// A depthwise conv: the swg emits the depthwise order the vvau reads; thresholds fused.
// CHECK-LABEL: func.func @depthwise
// CHECK:       %cols = dataflow.swg %x_1 {kernel = array<i64: 3, 3>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, simd = 1 : i64, depthwise = true} : (!dataflow.stream<3x3x2x!quant.uint<2>, lanes 1>) -> !dataflow.stream<1x1x18x!quant.uint<2>, lanes 1, depthwise 9>
// CHECK:       %y_1 = dataflow.vvau %cols, %w, %t {simd = 1 : i64, pe = 1 : i64, acc_dtype = !quant.uint<5>, mem_mode = "internal_embedded"} : (!dataflow.stream<1x1x18x!quant.uint<2>, lanes 1, depthwise 9>, tensor<9x2x!quant.int<2>>, tensor<1x1x!quant.uint<5>>) -> !dataflow.stream<1x1x2x!quant.uint<1>, lanes 1>
func.func @depthwise(%x: tensor<1x3x3x2x!quant.uint<2>>) -> tensor<1x1x1x2x!quant.uint<1>> {
  %cols = streamline.im2col %x {kernel = array<i64: 3, 3>, stride = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilation = array<i64: 1, 1>} : (tensor<1x3x3x2x!quant.uint<2>>) -> tensor<1x1x1x18x!quant.uint<2>>
  %w = quant.constant dense<1> : tensor<9x2xi8> -> tensor<9x2x!quant.int<2>>
  %acc = streamline.dw_matmul %cols, %w : (tensor<1x1x1x18x!quant.uint<2>>, tensor<9x2x!quant.int<2>>) -> tensor<1x1x1x2x!quant.uint<5>>
  %t = quant.constant dense<[[10]]> : tensor<1x1xi8> -> tensor<1x1x!quant.uint<4>>
  %y = streamline.multithreshold %acc, %t {out_scale = 1 : i64, out_bias = 0 : i64} : (tensor<1x1x1x2x!quant.uint<5>>, tensor<1x1x!quant.uint<4>>) -> tensor<1x1x1x2x!quant.uint<1>>
  func.return %y : tensor<1x1x1x2x!quant.uint<1>>
}

// -----

// Max pools: kernel == stride without pads is dataflow.maxpool; overlapping windows are a
// max pool; padding an unsigned input with 0 (its minimum) is exact.
// CHECK-LABEL: func.func @maxpools
// CHECK:       %[[A:.*]], %[[B:.*]] = dataflow.duplicate_streams %x_1
// CHECK-NEXT:  %a_1 = dataflow.maxpool %[[A]] {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, pe = 1 : i64}
// CHECK-NEXT:  %[[P:.*]] = dataflow.fm_padding %[[B]] {pads = array<i64: 1, 1, 0, 0>, simd = 1 : i64}
// CHECK-NEXT:  %b_1 = dataflow.pool %[[P]] {kernel = array<i64: 3, 3>, stride = array<i64: 2, 2>, pe = 1 : i64, mode = "max"} : (!dataflow.stream<5x5x2x!quant.uint<2>, lanes 1>) -> !dataflow.stream<2x2x2x!quant.uint<2>, lanes 1>
func.func @maxpools(%x: tensor<1x4x4x2x!quant.uint<2>>) -> (tensor<1x2x2x2x!quant.uint<2>>, tensor<1x2x2x2x!quant.uint<2>>) {
  %a = streamline.maxpool %x {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x4x4x2x!quant.uint<2>>) -> tensor<1x2x2x2x!quant.uint<2>>
  %b = streamline.maxpool %x {kernel = array<i64: 3, 3>, stride = array<i64: 2, 2>, pads = array<i64: 1, 1, 0, 0>} : (tensor<1x4x4x2x!quant.uint<2>>) -> tensor<1x2x2x2x!quant.uint<2>>
  func.return %a, %b : tensor<1x2x2x2x!quant.uint<2>>, tensor<1x2x2x2x!quant.uint<2>>
}

// -----

// Sum pools: padded windows sum zeros (fm_padding + pool sum, shift 0); the global sum is
// a global_acc_pool.
// CHECK-LABEL: func.func @sum_pools
// CHECK:       %[[P:.*]] = dataflow.fm_padding %{{.*}} {pads = array<i64: 1, 1, 1, 1>, simd = 1 : i64}
// CHECK-NEXT:  %a_1 = dataflow.pool %[[P]] {kernel = array<i64: 3, 3>, stride = array<i64: 2, 2>, pe = 1 : i64, mode = "sum"} : (!dataflow.stream<6x6x2x!quant.int<3>, lanes 1>) -> !dataflow.stream<2x2x2x!quant.int<7>, lanes 1>
// CHECK-NEXT:  %b_1 = dataflow.global_acc_pool %{{.*}} {pe = 1 : i64} : (!dataflow.stream<4x4x2x!quant.int<3>, lanes 1>) -> !dataflow.stream<1x1x2x!quant.int<8>, lanes 1>
func.func @sum_pools(%x: tensor<1x4x4x2x!quant.int<3>>) -> (tensor<1x2x2x2x!quant.int<7>>, tensor<1x1x1x2x!quant.int<8>>) {
  %a = streamline.sum_pool %x {kernel = array<i64: 3, 3>, stride = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x4x4x2x!quant.int<3>>) -> tensor<1x2x2x2x!quant.int<7>>
  %b = streamline.global_sum %x : (tensor<1x4x4x2x!quant.int<3>>) -> tensor<1x1x1x2x!quant.int<8>>
  func.return %a, %b : tensor<1x2x2x2x!quant.int<7>>, tensor<1x1x1x2x!quant.int<8>>
}

// -----

// A residual block: the fork is a duplicate_streams, the join an add_streams; integer
// per-channel mul and add by constants are channelwise layers.
// CHECK-LABEL: func.func @residual
// CHECK:       %[[A:.*]], %[[B:.*]] = dataflow.duplicate_streams %x_1 {pe = 1 : i64}
// CHECK-NEXT:  %m = quant.constant dense<[2, -1]> : tensor<2xi8> -> tensor<2x!quant.int<3>>
// CHECK-NEXT:  %xm = dataflow.channelwise %[[A]], %m {op = "mul", pe = 1 : i64} : (!dataflow.stream<2x2x2x!quant.int<3>, lanes 1>, tensor<2x!quant.int<3>>) -> !dataflow.stream<2x2x2x!quant.int<5>, lanes 1>
// CHECK-NEXT:  %a = quant.constant dense<3> : tensor<1xi8> -> tensor<1x!quant.uint<2>>
// CHECK-NEXT:  %xa = dataflow.channelwise %xm, %a {op = "add", pe = 1 : i64}
// CHECK-NEXT:  %y_1 = dataflow.add_streams %xa, %[[B]] {pe = 1 : i64} : (!dataflow.stream<2x2x2x!quant.int<6>, lanes 1>, !dataflow.stream<2x2x2x!quant.int<3>, lanes 1>) -> !dataflow.stream<2x2x2x!quant.int<7>, lanes 1>
func.func @residual(%x: tensor<1x2x2x2x!quant.int<3>>) -> tensor<1x2x2x2x!quant.int<7>> {
  %m = quant.constant dense<[2, -1]> : tensor<2xi8> -> tensor<2x!quant.int<3>>
  %xm = streamline.mul %x, %m : (tensor<1x2x2x2x!quant.int<3>>, tensor<2x!quant.int<3>>) -> tensor<1x2x2x2x!quant.int<5>>
  %a = quant.constant dense<3> : tensor<i8> -> tensor<!quant.uint<2>>
  %xa = streamline.add %a, %xm : (tensor<!quant.uint<2>>, tensor<1x2x2x2x!quant.int<5>>) -> tensor<1x2x2x2x!quant.int<6>>
  %y = streamline.add %xa, %x : (tensor<1x2x2x2x!quant.int<6>>, tensor<1x2x2x2x!quant.int<3>>) -> tensor<1x2x2x2x!quant.int<7>>
  func.return %y : tensor<1x2x2x2x!quant.int<7>>
}

// -----

// Flatten (batch kept), concat of channels, and a top-1 whose indices leave the
// accelerator: a label_select, and the function result takes the label datatype.
// CHECK-LABEL: func.func @head
// CHECK-SAME:  -> tensor<1x1x!quant.uint<3>>
// CHECK:       %f = dataflow.reshape %x_1 : (!dataflow.stream<1x1x3x!quant.int<4>, lanes 1>) -> !dataflow.stream<3x!quant.int<4>, lanes 1>
// CHECK-NEXT:  %c = dataflow.concat %f, %y_1 {simd = 1 : i64} : (!dataflow.stream<3x!quant.int<4>, lanes 1>, !dataflow.stream<2x!quant.int<4>, lanes 1>) -> !dataflow.stream<5x!quant.int<4>, lanes 1>
// CHECK-NEXT:  %i_1 = dataflow.label_select %c {k = 1 : i64, pe = 1 : i64} : (!dataflow.stream<5x!quant.int<4>, lanes 1>) -> !dataflow.stream<1x!quant.uint<3>, lanes 1>
// CHECK:       func.return %i : tensor<1x1x!quant.uint<3>>
func.func @head(%x: tensor<1x1x1x3x!quant.int<4>>, %y: tensor<1x2x!quant.int<4>>) -> tensor<1x1xi64> {
  %f = streamline.reshape %x : (tensor<1x1x1x3x!quant.int<4>>) -> tensor<1x3x!quant.int<4>>
  %c = streamline.concat %f, %y {axis = 1 : i64} : (tensor<1x3x!quant.int<4>>, tensor<1x2x!quant.int<4>>) -> tensor<1x5x!quant.int<4>>
  %v, %i = streamline.topk %c {k = 1 : i64} : (tensor<1x5x!quant.int<4>>) -> (tensor<1x1x!quant.int<4>>, tensor<1x1xi64>)
  func.return %i : tensor<1x1xi64>
}

// -----

// A function without integer tensors has nothing to convert.
// CHECK-LABEL: func.func @float_only
// CHECK-NOT:   dataflow.partition
// CHECK:       streamline.mul
func.func @float_only(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %s = quant.constant dense<0.5> : tensor<f64>
  %y = streamline.mul %x, %s : (tensor<1x2xf32>, tensor<f64>) -> tensor<1x2xf32>
  func.return %y : tensor<1x2xf32>
}

// -----

// Layout ops after the last integer layer (the NHWC to NCHW transpose of a feature-map
// output, a reshape) run on the host: the partition ends before them.
// CHECK-LABEL: func.func @trailing_layout
// CHECK:       %y = dataflow.partition(%x)
// CHECK:       dataflow.yield
// CHECK-NEXT:  }
// CHECK-NEXT:  %t = streamline.transpose %y {perm = array<i64: 0, 2, 1>}
// CHECK-NEXT:  %r = streamline.reshape %t
// CHECK-NEXT:  func.return %r
func.func @trailing_layout(%x: tensor<1x2x3x!quant.uint<2>>) -> tensor<1x6x!quant.uint<3>> {
  %one = quant.constant dense<1> : tensor<i8> -> tensor<!quant.uint<1>>
  %y = streamline.add %x, %one : (tensor<1x2x3x!quant.uint<2>>, tensor<!quant.uint<1>>) -> tensor<1x2x3x!quant.uint<3>>
  %t = streamline.transpose %y {perm = array<i64: 0, 2, 1>} : (tensor<1x2x3x!quant.uint<3>>) -> tensor<1x3x2x!quant.uint<3>>
  %r = streamline.reshape %t : (tensor<1x3x2x!quant.uint<3>>) -> tensor<1x6x!quant.uint<3>>
  func.return %r : tensor<1x6x!quant.uint<3>>
}

// -----

// Errors: an op with no layer between integer tensors names itself and the reason.
// CHECK: convert-to-dataflow: streamline.transpose (%y): no dataflow layer implements it, and it lies between integer tensors
func.func @transpose(%x: tensor<1x2x3x!quant.uint<2>>) -> tensor<1x3x2x!quant.uint<3>> {
  %y = streamline.transpose %x {perm = array<i64: 0, 2, 1>} : (tensor<1x2x3x!quant.uint<2>>) -> tensor<1x3x2x!quant.uint<2>>
  %one = quant.constant dense<1> : tensor<i8> -> tensor<!quant.uint<1>>
  %z = streamline.add %y, %one : (tensor<1x3x2x!quant.uint<2>>, tensor<!quant.uint<1>>) -> tensor<1x3x2x!quant.uint<3>>
  func.return %z : tensor<1x3x2x!quant.uint<3>>
}

// -----

// A float op between integer tensors (`streamline` would have reported it too).
// CHECK: convert-to-dataflow: streamline.mul (%xs): a float op between integer tensors (result tensor<1x2xf32>) has no dataflow form
func.func @float_between(%x: tensor<1x2x!quant.uint<2>>) -> tensor<1x2x!quant.uint<1>> {
  %s = quant.constant dense<0.5> : tensor<f64>
  %xs = streamline.mul %x, %s : (tensor<1x2x!quant.uint<2>>, tensor<f64>) -> tensor<1x2xf32>
  %t = quant.constant dense<[[0.7]]> : tensor<1x1xf64>
  %y = streamline.multithreshold %xs, %t {out_scale = 1 : i64, out_bias = 0 : i64} : (tensor<1x2xf32>, tensor<1x1xf64>) -> tensor<1x2x!quant.uint<1>>
  func.return %y : tensor<1x2x!quant.uint<1>>
}

// -----

// Weights must be constants (they live in the layer).
// CHECK: convert-to-dataflow: streamline.matmul (%y): its weights %w: not a constant
func.func @dynamic_weights(%x: tensor<1x2x!quant.uint<2>>, %w: tensor<2x2x!quant.int<2>>) -> tensor<1x2x!quant.int<5>> {
  %y = streamline.matmul %x, %w : (tensor<1x2x!quant.uint<2>>, tensor<2x2x!quant.int<2>>) -> tensor<1x2x!quant.int<5>>
  func.return %y : tensor<1x2x!quant.int<5>>
}

// -----

// A reshape that moves elements across the batch axis has no stream form.
// CHECK: convert-to-dataflow: streamline.reshape (%y): a reshape from [1, 4] to [2, 2] does not keep the batch axis first
func.func @batch_reshape(%x: tensor<1x4x!quant.uint<2>>) -> tensor<2x2x!quant.uint<3>> {
  %y = streamline.reshape %x : (tensor<1x4x!quant.uint<2>>) -> tensor<2x2x!quant.uint<2>>
  %one = quant.constant dense<1> : tensor<i8> -> tensor<!quant.uint<1>>
  %z = streamline.add %y, %one : (tensor<2x2x!quant.uint<2>>, tensor<!quant.uint<1>>) -> tensor<2x2x!quant.uint<3>>
  func.return %z : tensor<2x2x!quant.uint<3>>
}

// -----

// Zero padding is not "never wins" when the input can be negative.
// CHECK: convert-to-dataflow: streamline.maxpool (%y): a padded max pool over !quant.int<2> needs padding with its minimum, but the padding layer inserts 0
func.func @padded_signed_maxpool(%x: tensor<1x4x4x2x!quant.int<2>>) -> tensor<1x2x2x2x!quant.int<2>> {
  %y = streamline.maxpool %x {kernel = array<i64: 3, 3>, stride = array<i64: 2, 2>, pads = array<i64: 1, 1, 0, 0>} : (tensor<1x4x4x2x!quant.int<2>>) -> tensor<1x2x2x2x!quant.int<2>>
  func.return %y : tensor<1x2x2x2x!quant.int<2>>
}

// -----

// CHECK: convert-to-dataflow: streamline.concat (%y): a concat along axis 1 (dataflow.concat joins channels, the last axis)
func.func @concat_rows(%x: tensor<1x2x3x!quant.uint<2>>) -> tensor<1x4x3x!quant.uint<2>> {
  %y = streamline.concat %x, %x {axis = 1 : i64} : (tensor<1x2x3x!quant.uint<2>>, tensor<1x2x3x!quant.uint<2>>) -> tensor<1x4x3x!quant.uint<2>>
  func.return %y : tensor<1x4x3x!quant.uint<2>>
}

// -----

// CHECK: convert-to-dataflow: streamline.topk (%v): its values are used (label_select gives only the indices)
func.func @topk_values(%x: tensor<1x5x!quant.int<4>>) -> tensor<1x1x!quant.int<4>> {
  %v, %i = streamline.topk %x {k = 1 : i64} : (tensor<1x5x!quant.int<4>>) -> (tensor<1x1x!quant.int<4>>, tensor<1x1xi64>)
  func.return %v : tensor<1x1x!quant.int<4>>
}

// -----

// CHECK: convert-to-dataflow: streamline.mul (%z): a product of two streams has no dataflow layer
func.func @stream_product(%x: tensor<1x2x!quant.uint<2>>, %y: tensor<1x2x!quant.uint<2>>) -> tensor<1x2x!quant.uint<4>> {
  %z = streamline.mul %x, %y : (tensor<1x2x!quant.uint<2>>, tensor<1x2x!quant.uint<2>>) -> tensor<1x2x!quant.uint<4>>
  func.return %z : tensor<1x2x!quant.uint<4>>
}

// -----

// Upsample, slice and depth-to-space become layers of their own (the batch axis drops
// from the slice's ranges).
// CHECK-LABEL: func.func @upsample_slice
// CHECK:       dataflow.upsample %{{.*}} {pe = 1 : i64} : (!dataflow.stream<2x2x4x!quant.uint<2>, lanes 1>) -> !dataflow.stream<4x4x4x!quant.uint<2>, lanes 1>
// CHECK-NEXT:  dataflow.slice %{{.*}} {starts = array<i64: 1, 0, 0>, ends = array<i64: 4, 4, 4>, steps = array<i64: 2, 1, 1>, pe = 1 : i64} : (!dataflow.stream<4x4x4x!quant.uint<2>, lanes 1>) -> !dataflow.stream<2x4x4x!quant.uint<2>, lanes 1>
// CHECK-NEXT:  dataflow.depth_to_space %{{.*}} {mode = "CRD", pe = 1 : i64} : (!dataflow.stream<2x4x4x!quant.uint<2>, lanes 1>) -> !dataflow.stream<4x8x1x!quant.uint<2>, lanes 1>
func.func @upsample_slice(%x: tensor<1x2x2x4x!quant.uint<2>>) -> tensor<1x4x8x1x!quant.uint<3>> {
  %u = streamline.upsample %x {scales = array<i64: 1, 2, 2, 1>} : (tensor<1x2x2x4x!quant.uint<2>>) -> tensor<1x4x4x4x!quant.uint<2>>
  %s = streamline.slice %u {starts = array<i64: 0, 1, 0, 0>, ends = array<i64: 1, 4, 4, 4>, steps = array<i64: 1, 2, 1, 1>} : (tensor<1x4x4x4x!quant.uint<2>>) -> tensor<1x2x4x4x!quant.uint<2>>
  %d = streamline.depth_to_space %s {blocksize = 2 : i64, mode = "CRD"} : (tensor<1x2x4x4x!quant.uint<2>>) -> tensor<1x4x8x1x!quant.uint<2>>
  %one = quant.constant dense<1> : tensor<i8> -> tensor<!quant.uint<1>>
  %z = streamline.add %d, %one : (tensor<1x4x8x1x!quant.uint<2>>, tensor<!quant.uint<1>>) -> tensor<1x4x8x1x!quant.uint<3>>
  func.return %z : tensor<1x4x8x1x!quant.uint<3>>
}

// -----

// CHECK: convert-to-dataflow: streamline.slice (%s): a slice of the batch axis has no stream form
func.func @batch_slice(%x: tensor<2x3x!quant.uint<2>>) -> tensor<1x3x!quant.uint<3>> {
  %s = streamline.slice %x {starts = array<i64: 1, 0>, ends = array<i64: 2, 3>, steps = array<i64: 1, 1>} : (tensor<2x3x!quant.uint<2>>) -> tensor<1x3x!quant.uint<2>>
  %one = quant.constant dense<1> : tensor<i8> -> tensor<!quant.uint<1>>
  %z = streamline.add %s, %one : (tensor<1x3x!quant.uint<2>>, tensor<!quant.uint<1>>) -> tensor<1x3x!quant.uint<3>>
  func.return %z : tensor<1x3x!quant.uint<3>>
}

// -----

// CHECK: convert-to-dataflow: streamline.upsample (%u): upsampling by [1, 2, 2] (dataflow.upsample repeats the rows and columns of an N x H x W x C feature map)
func.func @upsample_3d(%x: tensor<1x2x3x!quant.uint<2>>) -> tensor<1x4x6x!quant.uint<3>> {
  %u = streamline.upsample %x {scales = array<i64: 1, 2, 2>} : (tensor<1x2x3x!quant.uint<2>>) -> tensor<1x4x6x!quant.uint<2>>
  %one = quant.constant dense<1> : tensor<i8> -> tensor<!quant.uint<1>>
  %z = streamline.add %u, %one : (tensor<1x4x6x!quant.uint<2>>, tensor<!quant.uint<1>>) -> tensor<1x4x6x!quant.uint<3>>
  func.return %z : tensor<1x4x6x!quant.uint<3>>
}
