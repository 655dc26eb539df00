// The TorchScript export form (Flatten + MatMul) and the dynamo form (Reshape + Gemm) of
// the same network both import; ONNX node names become op locations.
// RUN: qnn-opt %S/../../models/tfc_like_ts.onnx | filecheck %s --check-prefix=TS
// RUN: qnn-opt %S/../../models/tfc_like_dynamo.onnx | filecheck %s --check-prefix=DYNAMO
// RUN: qnn-opt --print-debuginfo %S/../../models/tfc_like_ts.onnx | filecheck %s --check-prefix=LOC

// TS:     func.func @main(%global_in: tensor<1x1x8x8xf32>) -> tensor<1x10xf32>
// TS:       quant.flatten %{{.*}} {axis = 1 : i64} : (tensor<1x1x8x8xf32>) -> tensor<1x64xf32>
// TS:       quant.matmul %{{.*}}, %{{.*}} : (tensor<1x64xf32>, tensor<64x32xf32>) -> tensor<1x32xf32>
// TS-NOT:   quant.gemm

// DYNAMO:     func.func @main(%global_in: tensor<1x1x8x8xf32>) -> tensor<1x10xf32>
// DYNAMO:       quant.reshape %{{.*}} : (tensor<1x1x8x8xf32>) -> tensor<1x64xf32>
// DYNAMO:       quant.gemm %{{[A-Za-z0-9_]+}}, %{{[A-Za-z0-9_]+}} {
// DYNAMO-NOT:   quant.matmul

// LOC: quant.matmul {{.*}} loc("MatMul_0")
