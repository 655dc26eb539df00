// The dynamo export form (opset 18): Conv without kernel_shape gets explicit defaults,
// Reshape's constant shape becomes the result type, Gemm has no C operand.
// RUN: python %S/inputs/make_model.py dynamo %t.onnx
// RUN: qnn-opt %t.onnx | filecheck %s
// Round trip: the printed module parses and prints identically.
// RUN: qnn-opt %t.onnx > %t.mlir
// RUN: qnn-opt %t.mlir | diff %t.mlir -

// CHECK:      func.func @main(%global_in: tensor<1x2x4x4xf32>) -> tensor<1x3xf32> {
// CHECK-NEXT:   %[[S:.*]] = quant.constant dense<7.812500e-03> : tensor<f32>
// CHECK-NEXT:   %[[Z:.*]] = quant.constant dense<0.000000e+00> : tensor<f32>
// CHECK-NEXT:   %[[B:.*]] = quant.constant dense<8.000000e+00> : tensor<f32>
// CHECK-NEXT:   %[[XQ:.*]] = quant.quant %global_in scale %[[S]] zeropt %[[Z]] bitwidth %[[B]] {signed = true, narrow = false, rounding_mode = "ROUND"} : (tensor<1x2x4x4xf32>, tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<1x2x4x4xf32>
// CHECK:        %[[WQ:.*]] = quant.quant %{{.*}} {signed = true, narrow = false, rounding_mode = "ROUND"} : (tensor<4x2x3x3xf32>, tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<4x2x3x3xf32>
// CHECK:        %[[FCW:.*]] = quant.constant dense<"0x{{[0-9A-F]+}}"> : tensor<3x64xf32>
// CHECK:        %[[FCWQ:.*]] = quant.bipolar_quant %[[FCW]] scale %{{.*}} : (tensor<3x64xf32>, tensor<f32>) -> tensor<3x64xf32>
// CHECK:        %[[C:.*]] = quant.conv %[[XQ]], %[[WQ]] {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x4x4xf32>
// CHECK-NEXT:   %[[R:.*]] = quant.relu %[[C]] : (tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
// CHECK:        %[[A:.*]] = quant.quant %[[R]] {{.*}} {signed = false, narrow = false, rounding_mode = "ROUND"}
// CHECK-NEXT:   %[[F:.*]] = quant.reshape %[[A]] : (tensor<1x4x4x4xf32>) -> tensor<1x64xf32>
// CHECK-NEXT:   %global_out = quant.gemm %[[F]], %[[FCWQ]] {alpha = 1.000000e+00 : f32, beta = 1.000000e+00 : f32, trans_a = false, trans_b = true} : (tensor<1x64xf32>, tensor<3x64xf32>) -> tensor<1x3xf32>
// CHECK-NEXT:   func.return %global_out : tensor<1x3xf32>
