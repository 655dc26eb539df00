// RUN: qnn-opt %s -p 'streamline{check=false}' --split-input-file | filecheck %s

// mt(x + a): thresholds T - a (shared thresholds become per channel).
// CHECK-LABEL: @absorb_add
// CHECK:       %[[T:.*]] = quant.constant dense<{{\[\[}}-1.500000e+00, 0.000000e+00], [-7.500000e-01, 7.500000e-01]]> : tensor<2x2xf64>
// CHECK-NEXT:  streamline.multithreshold %x, %[[T]] {out_scale = 1 : i64, out_bias = 0 : i64, strict = array<i64: 0, 1>}
func.func @absorb_add(%x: tensor<1x2xf32>) -> tensor<1x2x!quant.uint<2>> {
  %a = quant.constant dense<[1.0, 0.25]> : tensor<2xf64>
  %xa = streamline.add %x, %a : (tensor<1x2xf32>, tensor<2xf64>) -> tensor<1x2xf32>
  %t = quant.constant dense<[[-0.5, 1.0]]> : tensor<1x2xf64>
  %q = streamline.multithreshold %xa, %t {out_scale = 1 : i64, out_bias = 0 : i64, strict = array<i64: 0, 1>} : (tensor<1x2xf32>, tensor<1x2xf64>) -> tensor<1x2x!quant.uint<2>>
  func.return %q : tensor<1x2x!quant.uint<2>>
}

// -----

// mt(x * m), m > 0: thresholds T / m.
// CHECK-LABEL: @absorb_positive_mul
// CHECK:       %[[T:.*]] = quant.constant dense<{{\[\[}}-1.000000e+00, 2.000000e+00], [-2.000000e+00, 4.000000e+00]]> : tensor<2x2xf64>
// CHECK-NEXT:  streamline.multithreshold %x, %[[T]] {out_scale = 1 : i64, out_bias = 0 : i64}
func.func @absorb_positive_mul(%x: tensor<1x2xf32>) -> tensor<1x2x!quant.uint<2>> {
  %m = quant.constant dense<[0.5, 0.25]> : tensor<2xf64>
  %xm = streamline.mul %x, %m : (tensor<1x2xf32>, tensor<2xf64>) -> tensor<1x2xf32>
  %t = quant.constant dense<[[-0.5, 1.0]]> : tensor<1x2xf64>
  %q = streamline.multithreshold %xm, %t {out_scale = 1 : i64, out_bias = 0 : i64} : (tensor<1x2xf32>, tensor<1x2xf64>) -> tensor<1x2x!quant.uint<2>>
  func.return %q : tensor<1x2x!quant.uint<2>>
}

// -----

// mt(x * m), m < 0: [m x >= t] = 1 - [x > t/m]: thresholds T / m, strictness flipped per
// index, count N - count': out_scale 1 -> -1, out_bias 0 -> 2.
// CHECK-LABEL: @absorb_negative_mul
// CHECK:       %[[T:.*]] = quant.constant dense<{{\[\[}}2.500000e-01, -5.000000e-01]]> : tensor<1x2xf64>
// CHECK-NEXT:  streamline.multithreshold %x, %[[T]] {out_scale = -1 : i64, out_bias = 2 : i64, strict = array<i64: 1, 0>}
func.func @absorb_negative_mul(%x: tensor<1x2xf32>) -> tensor<1x2x!quant.uint<2>> {
  %m = quant.constant dense<-2.0> : tensor<f64>
  %xm = streamline.mul %x, %m : (tensor<1x2xf32>, tensor<f64>) -> tensor<1x2xf32>
  %t = quant.constant dense<[[-0.5, 1.0]]> : tensor<1x2xf64>
  %q = streamline.multithreshold %xm, %t {out_scale = 1 : i64, out_bias = 0 : i64, strict = array<i64: 0, 1>} : (tensor<1x2xf32>, tensor<1x2xf64>) -> tensor<1x2x!quant.uint<2>>
  func.return %q : tensor<1x2x!quant.uint<2>>
}

// -----

// m == 0 in channel 1: that channel counts [0 >= -0.5] + [0 >= 1] = 1 for any input:
// thresholds every finite input reaches (-1e300) or none does (+1e300).
// CHECK-LABEL: @absorb_zero_mul
// CHECK:       %[[T:.*]] = quant.constant dense<{{\[\[}}-2.500000e-01, 5.000000e-01], [-1.000000e+300, 1.000000e+300]]> : tensor<2x2xf64>
// CHECK-NEXT:  streamline.multithreshold %x, %[[T]]
func.func @absorb_zero_mul(%x: tensor<1x2xf32>) -> tensor<1x2x!quant.uint<2>> {
  %m = quant.constant dense<[2.0, 0.0]> : tensor<2xf64>
  %xm = streamline.mul %x, %m : (tensor<1x2xf32>, tensor<2xf64>) -> tensor<1x2xf32>
  %t = quant.constant dense<[[-0.5, 1.0]]> : tensor<1x2xf64>
  %q = streamline.multithreshold %xm, %t {out_scale = 1 : i64, out_bias = 0 : i64} : (tensor<1x2xf32>, tensor<1x2xf64>) -> tensor<1x2x!quant.uint<2>>
  func.return %q : tensor<1x2x!quant.uint<2>>
}

// -----

// Mixed signs cannot be absorbed (the strictness is per threshold index, the count
// flip per op): the mul stays.
// CHECK-LABEL: @mixed_sign_mul_stays
// CHECK:       %[[XM:.*]] = streamline.mul %x, %m
// CHECK:       streamline.multithreshold %[[XM]], %t
func.func @mixed_sign_mul_stays(%x: tensor<1x2xf32>) -> tensor<1x2x!quant.uint<2>> {
  %m = quant.constant dense<[2.0, -1.0]> : tensor<2xf64>
  %xm = streamline.mul %x, %m : (tensor<1x2xf32>, tensor<2xf64>) -> tensor<1x2xf32>
  %t = quant.constant dense<[[-0.5, 1.0]]> : tensor<1x2xf64>
  %q = streamline.multithreshold %xm, %t {out_scale = 1 : i64, out_bias = 0 : i64} : (tensor<1x2xf32>, tensor<1x2xf64>) -> tensor<1x2x!quant.uint<2>>
  func.return %q : tensor<1x2x!quant.uint<2>>
}

// -----

// An integer add into integer thresholds keeps them integer.
// CHECK-LABEL: @absorb_integer_add
// CHECK:       %[[T:.*]] = quant.constant dense<{{\[\[}}-5, -2]]> : tensor<1x2xi8> -> tensor<1x2x!quant.int<4>>
// CHECK-NEXT:  streamline.multithreshold %x, %[[T]]
func.func @absorb_integer_add(%x: tensor<1x2x!quant.int<4>>) -> tensor<1x2x!quant.uint<2>> {
  %a = quant.constant dense<3> : tensor<i8> -> tensor<!quant.uint<2>>
  %xa = streamline.add %x, %a : (tensor<1x2x!quant.int<4>>, tensor<!quant.uint<2>>) -> tensor<1x2x!quant.int<5>>
  %t = quant.constant dense<[[-2, 1]]> : tensor<1x2xi8> -> tensor<1x2x!quant.int<3>>
  %q = streamline.multithreshold %xa, %t {out_scale = 1 : i64, out_bias = 0 : i64} : (tensor<1x2x!quant.int<5>>, tensor<1x2x!quant.int<3>>) -> tensor<1x2x!quant.uint<2>>
  func.return %q : tensor<1x2x!quant.uint<2>>
}
