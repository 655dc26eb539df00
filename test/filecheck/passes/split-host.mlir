// RUN: qnn-opt %s -p split-host --split-input-file --verify-diagnostics | filecheck %s

// The host side of a model: @pre runs the ops before the partition (the input
// quantization) and returns the partition's operands, then the values the ops after it
// use (%zs, made before, and the argument %z); the constant %s is re-created in @post
// instead of passed. @post runs the ops after the partition on its results. The
// partition and its weights are gone.
// CHECK:       builtin.module {
// CHECK-NEXT:    func.func @pre(%0: tensor<1x4xf32>, %1: tensor<1x2xf32>) -> (tensor<1x4x!quant.uint<2>>, tensor<1x2xf32>, tensor<1x2xf32>) {
// CHECK-NEXT:      %t = quant.constant
// CHECK-NEXT:      %q = streamline.multithreshold %0, %t
// CHECK-NEXT:      %s = quant.constant dense<2.500000e-01> : tensor<f64>
// CHECK-NEXT:      %zs = streamline.mul %1, %s
// CHECK-NEXT:      func.return %q, %zs, %1 : tensor<1x4x!quant.uint<2>>, tensor<1x2xf32>, tensor<1x2xf32>
// CHECK-NEXT:    }
// CHECK-NEXT:    func.func @post(%0: tensor<1x2x!quant.int<5>>, %1: tensor<1x2xf32>, %2: tensor<1x2xf32>) -> (tensor<1x2xf32>, tensor<1x2xf32>) {
// CHECK-NEXT:      %s = quant.constant dense<2.500000e-01> : tensor<f64>
// CHECK-NEXT:      %f = streamline.mul %0, %s
// CHECK-NEXT:      %y = streamline.add %f, %1
// CHECK-NEXT:      func.return %y, %2 : tensor<1x2xf32>, tensor<1x2xf32>
// CHECK-NEXT:    }
// CHECK-NEXT:  }
func.func @main(%x : tensor<1x4xf32>, %z : tensor<1x2xf32>) -> (tensor<1x2xf32>, tensor<1x2xf32>) {
  %t = quant.constant dense<[[0.5, 1.5, 2.5]]> : tensor<1x3xf64>
  %q = streamline.multithreshold %x, %t {out_scale = 1 : i64, out_bias = 0 : i64} : (tensor<1x4xf32>, tensor<1x3xf64>) -> tensor<1x4x!quant.uint<2>>
  %s = quant.constant dense<0.25> : tensor<f64>
  %zs = streamline.mul %z, %s : (tensor<1x2xf32>, tensor<f64>) -> tensor<1x2xf32>
  %r = dataflow.partition(%q) : (tensor<1x4x!quant.uint<2>>) -> tensor<1x2x!quant.int<5>> {
  ^bb0(%in : !dataflow.stream<4x!quant.uint<2>, lanes 1>):
    %w = quant.constant dense<1> : tensor<4x2xi8> -> tensor<4x2x!quant.int<2>>
    %m = dataflow.mvau %in, %w {simd = 1 : i64, pe = 1 : i64, acc_dtype = !quant.int<5>} : (!dataflow.stream<4x!quant.uint<2>, lanes 1>, tensor<4x2x!quant.int<2>>) -> !dataflow.stream<2x!quant.int<5>, lanes 1>
    dataflow.yield %m : !dataflow.stream<2x!quant.int<5>, lanes 1>
  }
  %f = streamline.mul %r, %s : (tensor<1x2x!quant.int<5>>, tensor<f64>) -> tensor<1x2xf32>
  %y = streamline.add %f, %zs : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x2xf32>
  func.return %y, %z : tensor<1x2xf32>, tensor<1x2xf32>
}

// -----

// Without a partition there is no host side to separate.
// CHECK: no dataflow.partition in the module (split-host needs one; run convert-to-dataflow first)
func.func @main(%x : tensor<1x4xf32>) -> tensor<1x4xf32> {
  func.return %x : tensor<1x4xf32>
}
