// RUN: qnn-opt %s -p 'streamline{check=false}' --split-input-file | filecheck %s

// Repeated muls and adds collapse into one.
// CHECK-LABEL: @repeated
// CHECK:       %[[S:.*]] = quant.constant dense<[1.000000e+00, 1.500000e+00]> : tensor<2xf64>
// CHECK-NEXT:  %[[M:.*]] = streamline.mul %x, %[[S]]
// CHECK-NEXT:  %[[B:.*]] = quant.constant dense<[5.000000e-01, -2.500000e-01]> : tensor<2xf64>
// CHECK-NEXT:  streamline.add %[[M]], %[[B]]
// CHECK-NEXT:  func.return
func.func @repeated(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %two = quant.constant dense<2.0> : tensor<f64>
  %a = streamline.mul %x, %two : (tensor<1x2xf32>, tensor<f64>) -> tensor<1x2xf32>
  %m = quant.constant dense<[0.5, 0.75]> : tensor<2xf64>
  %b = streamline.mul %m, %a : (tensor<2xf64>, tensor<1x2xf32>) -> tensor<1x2xf32>
  %c1 = quant.constant dense<1.0> : tensor<f64>
  %c = streamline.add %b, %c1 : (tensor<1x2xf32>, tensor<f64>) -> tensor<1x2xf32>
  %c2 = quant.constant dense<[-0.5, -1.25]> : tensor<2xf64>
  %d = streamline.add %c, %c2 : (tensor<1x2xf32>, tensor<2xf64>) -> tensor<1x2xf32>
  func.return %d : tensor<1x2xf32>
}

// -----

// mul by 1 and add of 0 vanish when the type stays; a mul by 1.0 that turns an
// integer tensor into a float one stays.
// CHECK-LABEL: @identities
// CHECK-NEXT:  %[[ONE:.*]] = quant.constant dense<1.000000e+00> : tensor<f64>
// CHECK-NEXT:  %[[F:.*]] = streamline.mul %i, %[[ONE]] : (tensor<1x2x!quant.int<4>>, tensor<f64>) -> tensor<1x2xf32>
// CHECK-NEXT:  func.return %x, %[[F]]
func.func @identities(%x: tensor<1x2xf32>, %i: tensor<1x2x!quant.int<4>>) -> (tensor<1x2xf32>, tensor<1x2xf32>) {
  %one = quant.constant dense<1.0> : tensor<f64>
  %zero = quant.constant dense<[0.0, 0.0]> : tensor<2xf64>
  %a = streamline.mul %x, %one : (tensor<1x2xf32>, tensor<f64>) -> tensor<1x2xf32>
  %b = streamline.add %a, %zero : (tensor<1x2xf32>, tensor<2xf64>) -> tensor<1x2xf32>
  %f = streamline.mul %i, %one : (tensor<1x2x!quant.int<4>>, tensor<f64>) -> tensor<1x2xf32>
  func.return %b, %f : tensor<1x2xf32>, tensor<1x2xf32>
}

// -----

// Affine ops and data movement on constants fold to the constant their semantics
// compute (float results as f32, integer results in the op's datatype).
// CHECK-LABEL: @fold_constants
// CHECK:       %[[C:.*]] = quant.constant dense<{{\[\[}}1.500000e+00, 3.000000e+00]]> : tensor<1x2xf32>
// CHECK-NEXT:  %[[I:.*]] = quant.constant dense<{{\[\[}}4], [-1]]> : tensor<2x1xi8> -> tensor<2x1x!quant.int<4>>
// CHECK-NEXT:  %{{.*}} = streamline.add %x, %[[C]]
// CHECK-NEXT:  func.return %{{.*}}, %[[I]]
func.func @fold_constants(%x: tensor<1x2xf32>) -> (tensor<1x2xf32>, tensor<2x1x!quant.int<4>>) {
  %a = quant.constant dense<[[0.5, 1.0]]> : tensor<1x2xf64>
  %three = quant.constant dense<3.0> : tensor<f64>
  %c = streamline.mul %a, %three : (tensor<1x2xf64>, tensor<f64>) -> tensor<1x2xf32>
  %i = quant.constant dense<[[1, -4]]> : tensor<1x2xi8> -> tensor<1x2x!quant.int<3>>
  %j = quant.constant dense<3> : tensor<i8> -> tensor<!quant.uint<2>>
  %k = streamline.add %i, %j : (tensor<1x2x!quant.int<3>>, tensor<!quant.uint<2>>) -> tensor<1x2x!quant.int<4>>
  %t = streamline.transpose %k {perm = array<i64: 1, 0>} : (tensor<1x2x!quant.int<4>>) -> tensor<2x1x!quant.int<4>>
  %y = streamline.add %x, %c : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x2xf32>
  func.return %y, %t : tensor<1x2xf32>, tensor<2x1x!quant.int<4>>
}
