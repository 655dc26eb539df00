// RUN: qnn-opt %s -p 'convert-to-dataflow,set-folding,hardware' --verify-each > %t.named
// RUN: qnn-opt %s -p 'convert-to-dataflow,set-folding{clock-ns=10 part=xc7z020clg400-1 max-utilization=0.85},minimize-bit-width,insert-dwc,insert-fifos,size-fifos' > %t.passes
// RUN: diff %t.named %t.passes
// RUN: filecheck %s < %t.named
// RUN: qnn-opt %s -p 'convert-to-dataflow,hardware' | filecheck %s --check-prefix=UNFOLDED
// RUN: not qnn-opt %s -p quant-to-hardwar 2>&1 | filecheck %s --check-prefix=TYPO
// RUN: not qnn-opt %s -p 'hardware{depth=3}' 2>&1 | filecheck %s --check-prefix=OPTION
// RUN: not qnn-opt %s -p 'quant-to-hardware{target-fps=fast}' 2>&1 | filecheck %s --check-prefix=VALUE

// `hardware` (passes.pipelines) is minimize-bit-width,insert-dwc,insert-fifos,size-fifos;
// `set-folding` without options folds for qnn-build's defaults (passes.defaults): the
// fastest folding whose estimate fits 85 % of the xc7z020 at 10 ns (this MLP: fully
// unfolded, 1 cycle per frame). --verify-each sees every pass of the named pipeline.
// CHECK:       dataflow.partition(%q) {set_folding = {clock_ns = 1.000000e+01 : f64, target_cycles = 1 : i64, max_weight_width = 36 : i64, part = "xc7z020clg400-1", max_utilization = 8.500000e-01 : f64}}
// CHECK:       dataflow.fifo %q_1 {depth = 2 : i64}
// CHECK:       dataflow.mvau
// CHECK-COUNT-2: dataflow.fifo

// A named pipeline mixes with passes (here without folding: PE = SIMD = 1, no record).
// UNFOLDED:     dataflow.partition(%q) : (tensor<2x4x!quant.uint<2>>)
// UNFOLDED-NOT: set_folding
// UNFOLDED:     dataflow.fifo

// TYPO: qnn-opt: error: unknown pass 'quant-to-hardwar' in pipeline 'quant-to-hardwar' (did you mean 'quant-to-hardware'?)
// OPTION: qnn-opt: error: invalid pass pipeline 'hardware{depth=3}': Provided arguments ["depth"] not found in expected arguments []
// VALUE: qnn-opt: error: invalid pass pipeline 'quant-to-hardware{target-fps=fast}':
func.func @main(%x: tensor<2x4xf32>) -> tensor<2x2xf32> {
  %t0 = quant.constant dense<[[0.5, 1.5, 2.5]]> : tensor<1x3xf64>
  %q = streamline.multithreshold %x, %t0 {out_scale = 1 : i64, out_bias = 0 : i64} : (tensor<2x4xf32>, tensor<1x3xf64>) -> tensor<2x4x!quant.uint<2>>
  %w = quant.constant dense<[[1, -1, 0], [1, 0, 1], [0, 1, -1], [0, 0, 1]]> : tensor<4x3xi8> -> tensor<4x3x!quant.int<2>>
  %acc = streamline.matmul %q, %w : (tensor<2x4x!quant.uint<2>>, tensor<4x3x!quant.int<2>>) -> tensor<2x3x!quant.int<4>>
  %t = quant.constant dense<[[4, -7], [0, 1], [6, 6]]> : tensor<3x2xi8> -> tensor<3x2x!quant.int<4>>
  %h = streamline.multithreshold %acc, %t {out_scale = 1 : i64, out_bias = -1 : i64, strict = array<i64: 1, 0>} : (tensor<2x3x!quant.int<4>>, tensor<3x2x!quant.int<4>>) -> tensor<2x3x!quant.int<2>>
  %w2 = quant.constant dense<[[1, -1], [1, 1], [-1, 0]]> : tensor<3x2xi8> -> tensor<3x2x!quant.int<2>>
  %o = streamline.matmul %h, %w2 : (tensor<2x3x!quant.int<2>>, tensor<3x2x!quant.int<2>>) -> tensor<2x2x!quant.int<4>>
  %s = quant.constant dense<0.5> : tensor<f64>
  %y = streamline.mul %o, %s : (tensor<2x2x!quant.int<4>>, tensor<f64>) -> tensor<2x2xf32>
  func.return %y : tensor<2x2xf32>
}
