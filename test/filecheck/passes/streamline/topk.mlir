// RUN: qnn-opt %s -p 'streamline{check=false}' --split-input-file | filecheck %s

// Only the indices are used: a positive scalar scale and a scalar offset do not change
// the order, so the TopK takes the integer accumulator.
// CHECK-LABEL: @absorb_into_topk
// CHECK-NEXT:  %{{.*}}, %[[I:.*]] = streamline.topk %x {k = 1 : i64} : (tensor<1x4x!quant.int<5>>) -> (tensor<1x1x!quant.int<5>>, tensor<1x1xi64>)
// CHECK-NEXT:  func.return %[[I]]
func.func @absorb_into_topk(%x: tensor<1x4x!quant.int<5>>) -> tensor<1x1xi64> {
  %s = quant.constant dense<0.5> : tensor<f64>
  %xs = streamline.mul %x, %s : (tensor<1x4x!quant.int<5>>, tensor<f64>) -> tensor<1x4xf32>
  %b = quant.constant dense<-3.0> : tensor<f64>
  %xb = streamline.add %xs, %b : (tensor<1x4xf32>, tensor<f64>) -> tensor<1x4xf32>
  %v, %i = streamline.topk %xb {k = 1 : i64} : (tensor<1x4xf32>) -> (tensor<1x1xf32>, tensor<1x1xi64>)
  func.return %i : tensor<1x1xi64>
}

// -----

// A negative scale reverses the order, a per-class offset changes it, and used values
// need the float: all three stay.
// CHECK-LABEL: @topk_keeps
// CHECK:       streamline.topk %{{.*}} : (tensor<1x4xf32>)
// CHECK:       streamline.topk %{{.*}} : (tensor<1x4xf32>)
// CHECK:       streamline.topk %{{.*}} : (tensor<1x4xf32>)
func.func @topk_keeps(%x: tensor<1x4x!quant.int<5>>) -> (tensor<1x1xi64>, tensor<1x1xi64>, tensor<1x1xf32>) {
  %n = quant.constant dense<-0.5> : tensor<f64>
  %xn = streamline.mul %x, %n : (tensor<1x4x!quant.int<5>>, tensor<f64>) -> tensor<1x4xf32>
  %v1, %i1 = streamline.topk %xn {k = 1 : i64} : (tensor<1x4xf32>) -> (tensor<1x1xf32>, tensor<1x1xi64>)
  %b = quant.constant dense<[0.0, 1.0, 2.0, 3.0]> : tensor<4xf64>
  %xb = streamline.add %x, %b : (tensor<1x4x!quant.int<5>>, tensor<4xf64>) -> tensor<1x4xf32>
  %v2, %i2 = streamline.topk %xb {k = 1 : i64} : (tensor<1x4xf32>) -> (tensor<1x1xf32>, tensor<1x1xi64>)
  %p = quant.constant dense<0.5> : tensor<f64>
  %xp = streamline.mul %x, %p : (tensor<1x4x!quant.int<5>>, tensor<f64>) -> tensor<1x4xf32>
  %v3, %i3 = streamline.topk %xp {k = 1 : i64} : (tensor<1x4xf32>) -> (tensor<1x1xf32>, tensor<1x1xi64>)
  func.return %i1, %i2, %v3 : tensor<1x1xi64>, tensor<1x1xi64>, tensor<1x1xf32>
}
