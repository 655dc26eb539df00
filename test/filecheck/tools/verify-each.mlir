// RUN: qnn-opt %s -p 'streamline{check=false},cse' --verify-each | filecheck %s
// RUN: qnn-opt %s -p 'streamline{check=false}' --verify-each --verify-samples 1 | filecheck %s
// RUN: not qnn-opt %s --verify-samples 2 2>&1 | filecheck %s --check-prefix=ERR

// --verify-each executes @main after every pass (on 4 random inputs by default, uniform
// in [0, 1) for f32 arguments) and compares with before the pass; the module is printed
// unchanged by the checking.
// CHECK-LABEL: func.func @main
// CHECK:       %[[S:.*]] = quant.constant dense<[1.000000e+00, 1.500000e+00]> : tensor<2xf64>
// CHECK-NEXT:  %[[M:.*]] = streamline.mul %x, %[[S]]
// CHECK-NEXT:  %[[B:.*]] = quant.constant dense<[5.000000e-01, -2.500000e-01]> : tensor<2xf64>
// CHECK-NEXT:  streamline.add %[[M]], %[[B]]
// CHECK-NEXT:  func.return

// ERR: qnn-opt: error: --verify-samples requires --verify-each (see --help)
func.func @main(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
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
