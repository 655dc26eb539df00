// RUN: qnn-opt %s -p minimize-bit-width --split-input-file | filecheck %s

// An MLP written with generous types. Layer 1: x in [0, 3], per-column accumulator
// ranges [-3, 9], [-9, 6], [0, 15] -> int<5>; weights in [-3, 3] -> int<3>. Its output
// (the accumulator) narrows through the FIFO; the thresholding sees int<5> = [-16, 15]:
// -100 counts always (dropped, out_bias + 1), 100 never (dropped). Layer 2: uint<3> input,
// columns [-7, 14] and [0, 21] -> int<6>, which reaches the partition and function results.
// CHECK-LABEL: func.func @mlp
// CHECK-SAME:  -> tensor<2x2x!quant.int<6>>
// CHECK:       %w = quant.constant {{.*}} -> tensor<4x3x!quant.int<3>>
// CHECK:       %w2 = quant.constant {{.*}} -> tensor<3x2x!quant.int<3>>
// CHECK:       %t = quant.constant dense<{{\[\[}}0, 3]]> : tensor<1x2xi8> -> tensor<1x2x!quant.uint<2>>
// CHECK:       dataflow.partition(%x) : (tensor<2x4x!quant.uint<2>>) -> tensor<2x2x!quant.int<6>>
// CHECK:       dataflow.mvau %s, %w {simd = 1 : i64, pe = 1 : i64, acc_dtype = !quant.int<5>} : ({{.*}}, tensor<4x3x!quant.int<3>>) -> !dataflow.stream<3x!quant.int<5>, lanes 1>
// CHECK-NEXT:  dataflow.fifo {{.*}} -> !dataflow.stream<3x!quant.int<5>, lanes 1>
// CHECK-NEXT:  dataflow.thresholding {{.*}} {pe = 1 : i64, out_bias = 1 : i64} : (!dataflow.stream<3x!quant.int<5>, lanes 1>, tensor<1x2x!quant.uint<2>>) -> !dataflow.stream<3x!quant.uint<3>, lanes 1>
// CHECK-NEXT:  dataflow.mvau {{.*}} acc_dtype = !quant.int<6>} {{.*}} -> !dataflow.stream<2x!quant.int<6>, lanes 1>
// CHECK-NEXT:  dataflow.yield {{.*}} : !dataflow.stream<2x!quant.int<6>, lanes 1>
// CHECK:       func.return {{.*}} : tensor<2x2x!quant.int<6>>
func.func @mlp(%x : tensor<2x4x!quant.uint<2>>) -> tensor<2x2x!quant.int<20>> {
  %w = quant.constant dense<[[1, -3, 0], [2, 1, 3], [0, 0, 1], [-1, 1, 1]]> : tensor<4x3xi8> -> tensor<4x3x!quant.int<8>>
  %w2 = quant.constant dense<[[1, 0], [-1, 2], [1, 1]]> : tensor<3x2xi8> -> tensor<3x2x!quant.int<8>>
  %t = quant.constant dense<[[-100, 0, 3, 100]]> : tensor<1x4xi8> -> tensor<1x4x!quant.int<8>>
  %r = dataflow.partition(%x) : (tensor<2x4x!quant.uint<2>>) -> tensor<2x2x!quant.int<20>> {
  ^bb0(%s : !dataflow.stream<4x!quant.uint<2>, lanes 1>):
    %h = dataflow.mvau %s, %w {simd = 1 : i64, pe = 1 : i64, acc_dtype = !quant.int<20>} : (!dataflow.stream<4x!quant.uint<2>, lanes 1>, tensor<4x3x!quant.int<8>>) -> !dataflow.stream<3x!quant.int<20>, lanes 1>
    %f = dataflow.fifo %h {depth = 2 : i64} : (!dataflow.stream<3x!quant.int<20>, lanes 1>) -> !dataflow.stream<3x!quant.int<20>, lanes 1>
    %a = dataflow.thresholding %f, %t {pe = 1 : i64} : (!dataflow.stream<3x!quant.int<20>, lanes 1>, tensor<1x4x!quant.int<8>>) -> !dataflow.stream<3x!quant.uint<3>, lanes 1>
    %o = dataflow.mvau %a, %w2 {simd = 1 : i64, pe = 1 : i64, acc_dtype = !quant.int<20>} : (!dataflow.stream<3x!quant.uint<3>, lanes 1>, tensor<3x2x!quant.int<8>>) -> !dataflow.stream<2x!quant.int<20>, lanes 1>
    dataflow.yield %o : !dataflow.stream<2x!quant.int<20>, lanes 1>
  }
  func.return %r : tensor<2x2x!quant.int<20>>
}

// -----

// Fused per-channel thresholds are clipped to each channel's [lo, hi + 1]: channel 0
// accumulates [0, 6] (9 never counts -> 7), channel 1 [-6, 0] (-9 always counts -> -6).
// Each column matters in one channel, so N stays 2. The accumulator type holds [-6, 6]
// and the thresholds [-6, 7]: int<4>.
// CHECK-LABEL: func.func @per_channel_thresholds
// CHECK:       %t = quant.constant dense<{{\[\[}}3, 7], [-6, -2]]> : tensor<2x2xi8> -> tensor<2x2x!quant.int<4>>
// CHECK:       dataflow.mvau %s, %w, %t {simd = 1 : i64, pe = 1 : i64, acc_dtype = !quant.int<4>}
func.func @per_channel_thresholds(%x : tensor<1x2x!quant.uint<2>>) -> tensor<1x2x!quant.uint<2>> {
  %w = quant.constant dense<[[1, -1], [1, -1]]> : tensor<2x2xi8> -> tensor<2x2x!quant.int<2>>
  %t = quant.constant dense<[[3, 9], [-9, -2]]> : tensor<2x2xi8> -> tensor<2x2x!quant.int<8>>
  %r = dataflow.partition(%x) : (tensor<1x2x!quant.uint<2>>) -> tensor<1x2x!quant.uint<2>> {
  ^bb0(%s : !dataflow.stream<2x!quant.uint<2>, lanes 1>):
    %o = dataflow.mvau %s, %w, %t {simd = 1 : i64, pe = 1 : i64, acc_dtype = !quant.int<8>} : (!dataflow.stream<2x!quant.uint<2>, lanes 1>, tensor<2x2x!quant.int<2>>, tensor<2x2x!quant.int<8>>) -> !dataflow.stream<2x!quant.uint<2>, lanes 1>
    dataflow.yield %o : !dataflow.stream<2x!quant.uint<2>, lanes 1>
  }
  func.return %r : tensor<1x2x!quant.uint<2>>
}

// -----

// A VVAU accumulator [0, 9*3] = uint<5> narrows through the duplicate and both of its
// users; the residual sum of two uint<5> streams is [0, 54]: uint<6>; the global sum of
// 4 pixels of uint<6> is [0, 252]: uint<8>, the 2x2 window sum of a sum pool too; both
// results leave the function with these types. The all-ones weights become uint<1>.
// CHECK-LABEL: func.func @computed_streams
// CHECK-SAME:  -> (tensor<1x1x1x4x!quant.uint<8>>, tensor<1x1x1x4x!quant.uint<8>>)
// CHECK:       %w = quant.constant {{.*}} -> tensor<9x4x!quant.uint<1>>
// CHECK:       dataflow.vvau {{.*}} acc_dtype = !quant.uint<5>} {{.*}} -> !dataflow.stream<2x2x4x!quant.uint<5>, lanes 1>
// CHECK-NEXT:  dataflow.duplicate_streams {{.*}} -> (!dataflow.stream<2x2x4x!quant.uint<5>, lanes 1>, !dataflow.stream<2x2x4x!quant.uint<5>, lanes 1>)
// CHECK-NEXT:  dataflow.add_streams {{.*}} -> !dataflow.stream<2x2x4x!quant.uint<6>, lanes 1>
// CHECK-NEXT:  dataflow.duplicate_streams {{.*}} -> (!dataflow.stream<2x2x4x!quant.uint<6>, lanes 1>, !dataflow.stream<2x2x4x!quant.uint<6>, lanes 1>)
// CHECK-NEXT:  dataflow.pool {{.*}} -> !dataflow.stream<1x1x4x!quant.uint<8>, lanes 1>
// CHECK-NEXT:  dataflow.global_acc_pool {{.*}} -> !dataflow.stream<1x1x4x!quant.uint<8>, lanes 1>
func.func @computed_streams(%x : tensor<1x2x2x36x!quant.uint<2>>) -> (tensor<1x1x1x4x!quant.int<30>>, tensor<1x1x1x4x!quant.int<30>>) {
  %w = quant.constant dense<1> : tensor<9x4xi8> -> tensor<9x4x!quant.int<8>>
  %r:2 = dataflow.partition(%x) : (tensor<1x2x2x36x!quant.uint<2>>) -> (tensor<1x1x1x4x!quant.int<30>>, tensor<1x1x1x4x!quant.int<30>>) {
  ^bb0(%s : !dataflow.stream<2x2x36x!quant.uint<2>, lanes 1, depthwise 9>):
    %v = dataflow.vvau %s, %w {simd = 1 : i64, pe = 1 : i64, acc_dtype = !quant.int<20>} : (!dataflow.stream<2x2x36x!quant.uint<2>, lanes 1, depthwise 9>, tensor<9x4x!quant.int<8>>) -> !dataflow.stream<2x2x4x!quant.int<20>, lanes 1>
    %a, %b = dataflow.duplicate_streams %v {pe = 1 : i64} : (!dataflow.stream<2x2x4x!quant.int<20>, lanes 1>) -> (!dataflow.stream<2x2x4x!quant.int<20>, lanes 1>, !dataflow.stream<2x2x4x!quant.int<20>, lanes 1>)
    %sum = dataflow.add_streams %a, %b {pe = 1 : i64} : (!dataflow.stream<2x2x4x!quant.int<20>, lanes 1>, !dataflow.stream<2x2x4x!quant.int<20>, lanes 1>) -> !dataflow.stream<2x2x4x!quant.int<24>, lanes 1>
    %c, %d = dataflow.duplicate_streams %sum {pe = 1 : i64} : (!dataflow.stream<2x2x4x!quant.int<24>, lanes 1>) -> (!dataflow.stream<2x2x4x!quant.int<24>, lanes 1>, !dataflow.stream<2x2x4x!quant.int<24>, lanes 1>)
    %p = dataflow.pool %c {kernel = array<i64: 2, 2>, stride = array<i64: 1, 1>, pe = 1 : i64, mode = "sum"} : (!dataflow.stream<2x2x4x!quant.int<24>, lanes 1>) -> !dataflow.stream<1x1x4x!quant.int<30>, lanes 1>
    %g = dataflow.global_acc_pool %d {pe = 1 : i64} : (!dataflow.stream<2x2x4x!quant.int<24>, lanes 1>) -> !dataflow.stream<1x1x4x!quant.int<30>, lanes 1>
    dataflow.yield %p, %g : !dataflow.stream<1x1x4x!quant.int<30>, lanes 1>, !dataflow.stream<1x1x4x!quant.int<30>, lanes 1>
  }
  func.return %r#0, %r#1 : tensor<1x1x1x4x!quant.int<30>>, tensor<1x1x1x4x!quant.int<30>>
}

// -----

// Must not change: an XNOR layer's bipolar weights (its thresholds 2, 3 still narrow to
// uint<2>, its accumulator [0, 4] stays uint<3>); bipolar weights on an integer input
// (its accumulator is [-6, 12]: int<5>, already tight); a stream that meets a partition
// input in a concat (the partition's input type is fixed); a result an outside op keeps
// as an integer tensor (topk's values).
// CHECK-LABEL: func.func @keeps
// CHECK:       %wb = quant.constant {{.*}} -> tensor<4x2x!quant.bipolar>
// CHECK:       %wi = quant.constant {{.*}} -> tensor<4x4x!quant.bipolar>
// CHECK:       %t = quant.constant {{.*}} -> tensor<2x1x!quant.uint<2>>
// CHECK:       dataflow.mvau %s, %wb, %t {{.*}}acc_dtype = !quant.uint<3>, binary_xnor = true
// CHECK:       dataflow.mvau %{{.*}}, %wi {simd = 1 : i64, pe = 1 : i64, acc_dtype = !quant.int<5>} {{.*}} -> !dataflow.stream<4x!quant.int<8>, lanes 1>
// CHECK:       dataflow.concat {{.*}} -> !dataflow.stream<12x!quant.int<8>, lanes 1>
// CHECK:       dataflow.mvau %{{.*}}, %wi {simd = 1 : i64, pe = 1 : i64, acc_dtype = !quant.int<5>} {{.*}} -> !dataflow.stream<4x!quant.int<8>, lanes 1>
// CHECK:       streamline.topk %{{.*}} : (tensor<1x4x!quant.int<8>>)
func.func @keeps(%x : tensor<1x4x!quant.bipolar>, %y : tensor<1x4x!quant.uint<2>>, %z : tensor<1x8x!quant.int<8>>) -> (tensor<1x2x!quant.bipolar>, tensor<1x12x!quant.int<8>>, tensor<1x1xi64>) {
  %wb = quant.constant dense<[[1, -1], [1, 1], [-1, 1], [-1, -1]]> : tensor<4x2xi8> -> tensor<4x2x!quant.bipolar>
  %wi = quant.constant dense<[[1, -1, 1, 1], [1, 1, 1, 1], [-1, 1, 1, 1], [-1, -1, 1, 1]]> : tensor<4x4xi8> -> tensor<4x4x!quant.bipolar>
  %t = quant.constant dense<[[2], [3]]> : tensor<2x1xi8> -> tensor<2x1x!quant.uint<3>>
  %r:3 = dataflow.partition(%x, %y, %z) : (tensor<1x4x!quant.bipolar>, tensor<1x4x!quant.uint<2>>, tensor<1x8x!quant.int<8>>) -> (tensor<1x2x!quant.bipolar>, tensor<1x12x!quant.int<8>>, tensor<1x4x!quant.int<8>>) {
  ^bb0(%s : !dataflow.stream<4x!quant.bipolar, lanes 1>, %u : !dataflow.stream<4x!quant.uint<2>, lanes 1>, %v : !dataflow.stream<8x!quant.int<8>, lanes 1>):
    %o = dataflow.mvau %s, %wb, %t {simd = 1 : i64, pe = 1 : i64, acc_dtype = !quant.uint<3>, binary_xnor = true, out_scale = 2 : i64, out_bias = -1 : i64} : (!dataflow.stream<4x!quant.bipolar, lanes 1>, tensor<4x2x!quant.bipolar>, tensor<2x1x!quant.uint<3>>) -> !dataflow.stream<2x!quant.bipolar, lanes 1>
    %u1, %u2 = dataflow.duplicate_streams %u {pe = 1 : i64} : (!dataflow.stream<4x!quant.uint<2>, lanes 1>) -> (!dataflow.stream<4x!quant.uint<2>, lanes 1>, !dataflow.stream<4x!quant.uint<2>, lanes 1>)
    %m = dataflow.mvau %u1, %wi {simd = 1 : i64, pe = 1 : i64, acc_dtype = !quant.int<5>} : (!dataflow.stream<4x!quant.uint<2>, lanes 1>, tensor<4x4x!quant.bipolar>) -> !dataflow.stream<4x!quant.int<8>, lanes 1>
    %cat = dataflow.concat %m, %v {simd = 1 : i64} : (!dataflow.stream<4x!quant.int<8>, lanes 1>, !dataflow.stream<8x!quant.int<8>, lanes 1>) -> !dataflow.stream<12x!quant.int<8>, lanes 1>
    %m2 = dataflow.mvau %u2, %wi {simd = 1 : i64, pe = 1 : i64, acc_dtype = !quant.int<5>} : (!dataflow.stream<4x!quant.uint<2>, lanes 1>, tensor<4x4x!quant.bipolar>) -> !dataflow.stream<4x!quant.int<8>, lanes 1>
    dataflow.yield %o, %cat, %m2 : !dataflow.stream<2x!quant.bipolar, lanes 1>, !dataflow.stream<12x!quant.int<8>, lanes 1>, !dataflow.stream<4x!quant.int<8>, lanes 1>
  }
  %val, %i = streamline.topk %r#2 {k = 1 : i64} : (tensor<1x4x!quant.int<8>>) -> (tensor<1x1x!quant.int<8>>, tensor<1x1xi64>)
  func.return %r#0, %r#1, %i : tensor<1x2x!quant.bipolar>, tensor<1x12x!quant.int<8>>, tensor<1x1xi64>
}
