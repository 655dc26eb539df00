// A parse error is one line with file:line:column, no traceback.
// RUN: not qnn-opt %s 2>&1 | filecheck %s
// CHECK: qnn-opt: error: {{.*}}malformed.mlir:[[# @LINE + 4]]:18: {{.+}}
// CHECK-NOT: Traceback

func.func @main(%x: tensor<2xf32>) -> tensor<2xf32> {
  func.return %x tensor<2xf32>
}
