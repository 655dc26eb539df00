// Import errors: one line naming the problem (and the ONNX node), exit status 1.
// RUN: python %S/inputs/make_model.py unsupported %t.unsupported.onnx
// RUN: not qnn-opt %t.unsupported.onnx 2>&1 | filecheck %s --check-prefix=UNKNOWN-OP
// UNKNOWN-OP: qnn-opt: error: unsupported op Erf: Erf node '/head/Erf'
// UNKNOWN-OP-NOT: Traceback

// RUN: python %S/inputs/make_model.py bitwidth0 %t.bits.onnx
// RUN: not qnn-opt %t.bits.onnx 2>&1 | filecheck %s --check-prefix=BITWIDTH
// BITWIDTH: qnn-opt: error: Quant node '/input_quant/Quant': quant.quant: bitwidth must be an integer >= 1, got [0.0]

// RUN: python %S/inputs/make_model.py dynamic %t.dynamic.onnx
// RUN: not qnn-opt %t.dynamic.onnx 2>&1 | filecheck %s --check-prefix=DYNAMIC
// DYNAMIC: qnn-opt: error: {{.*}}.dynamic.onnx: graph input 'x' has a dynamic shape [N, 2, 4, 4]; export the model with static shapes (batch size 1)

// RUN: not qnn-opt %S/inputs/missing.onnx 2>&1 | filecheck %s --check-prefix=MISSING
// MISSING: qnn-opt: error: {{.*}}missing.onnx: no such file or directory

// RUN: not qnn-opt %t.dynamic.onnx -p no-such-pass 2>&1 | filecheck %s --check-prefix=PASS
// PASS: qnn-opt: error: unknown pass 'no-such-pass' in pipeline 'no-such-pass'
