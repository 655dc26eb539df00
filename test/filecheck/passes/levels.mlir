// A pass given a module at another level of the flow than its own (passes/levels.py) stops
// with one line naming the level the input is at, the op that shows it, and what to run
// first, instead of finding nothing to do and exiting 0.

// RUN: not qnn-opt %s -p streamline 2>&1 | filecheck %s --check-prefix=STREAMLINE
// STREAMLINE: qnn-opt: error: streamline: the input is at the quant level (it holds quant.quant); run lower-quant-to-streamline first
// STREAMLINE-NOT: Traceback

// RUN: not qnn-opt %s -p convert-to-dataflow 2>&1 | filecheck %s --check-prefix=CONVERT
// CONVERT: qnn-opt: error: convert-to-dataflow: the input is at the quant level (it holds quant.quant); run lower-quant-to-streamline,streamline first

// RUN: not qnn-opt %s -p set-folding 2>&1 | filecheck %s --check-prefix=FOLD-QUANT
// FOLD-QUANT: qnn-opt: error: set-folding: the input is at the quant level (it holds quant.quant); run lower-quant-to-streamline,streamline,convert-to-dataflow first

// At the streamline level: the dataflow passes need convert-to-dataflow first, and
// lower-quant-to-streamline has nothing left to lower.
// RUN: qnn-opt %s -p lower-quant-to-streamline,streamline -o %t.streamline.mlir
// RUN: not qnn-opt %t.streamline.mlir -p insert-fifos 2>&1 | filecheck %s --check-prefix=FIFOS
// FIFOS: qnn-opt: error: insert-fifos: the input is at the streamline level (it holds streamline.multithreshold); run convert-to-dataflow first
// RUN: not qnn-opt %t.streamline.mlir -p 'apply-folding{config="%S/inputs/mlp_folding.json"}' 2>&1 | filecheck %s --check-prefix=APPLY
// APPLY: qnn-opt: error: apply-folding: the input is at the streamline level (it holds streamline.multithreshold); run convert-to-dataflow first
// RUN: not qnn-opt %t.streamline.mlir -p split-host 2>&1 | filecheck %s --check-prefix=SPLIT
// SPLIT: qnn-opt: error: split-host: the input is at the streamline level (it holds streamline.multithreshold); run convert-to-dataflow first
// RUN: not qnn-opt %t.streamline.mlir -p lower-quant-to-streamline 2>&1 | filecheck %s --check-prefix=LOWER
// LOWER: qnn-opt: error: lower-quant-to-streamline: the input is at the streamline level (it holds streamline.multithreshold); lower-quant-to-streamline runs on quant-level modules and has nothing to do here

// At the dataflow level: the passes before convert-to-dataflow have nothing to do.
// RUN: qnn-opt %t.streamline.mlir -p convert-to-dataflow -o %t.dataflow.mlir
// RUN: not qnn-opt %t.dataflow.mlir -p streamline 2>&1 | filecheck %s --check-prefix=PAST
// PAST: qnn-opt: error: streamline: the input is at the dataflow level (it holds dataflow.partition); streamline runs on streamline-level modules and has nothing to do here
// RUN: not qnn-opt %t.dataflow.mlir -p convert-to-dataflow 2>&1 | filecheck %s --check-prefix=AGAIN
// AGAIN: qnn-opt: error: convert-to-dataflow: the input is at the dataflow level (it holds dataflow.partition); convert-to-dataflow runs on streamline-level modules and has nothing to do here

// Each pass at its own level.
// RUN: qnn-opt %t.dataflow.mlir -p set-folding,minimize-bit-width,insert-dwc,insert-fifos,size-fifos | filecheck %s --check-prefix=OK
// OK: dataflow.mvau
// OK: dataflow.fifo

func.func @main(%x: tensor<1x4xf32>) -> tensor<1x3xf32> {
  %s = quant.constant dense<0.5> : tensor<f32>
  %z = quant.constant dense<0.0> : tensor<f32>
  %b = quant.constant dense<2.0> : tensor<f32>
  %xq = quant.quant %x scale %s zeropt %z bitwidth %b {signed = false, narrow = false, rounding_mode = "ROUND"} : (tensor<1x4xf32>, tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<1x4xf32>
  %w = quant.constant dense<[[1.0, -1.0, 0.0], [1.0, 0.0, 1.0], [0.0, 1.0, -1.0], [0.0, 0.0, 1.0]]> : tensor<4x3xf32>
  %ws = quant.constant dense<1.0> : tensor<f32>
  %wq = quant.quant %w scale %ws zeropt %z bitwidth %b {signed = true, narrow = true, rounding_mode = "ROUND"} : (tensor<4x3xf32>, tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<4x3xf32>
  %y = quant.matmul %xq, %wq : (tensor<1x4xf32>, tensor<4x3xf32>) -> tensor<1x3xf32>
  func.return %y : tensor<1x3xf32>
}
