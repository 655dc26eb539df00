// RUN: qnn-opt %s --split-input-file --verify-diagnostics | filecheck %s

// One case per verifier invariant of the dataflow dialect (stream type, partition, layers).
// Layers are verified outside a partition too, so most cases take streams as arguments.

// lanes must divide the innermost dimension
func.func private @t(!dataflow.stream<8x!quant.uint<2>, lanes 3>)
// CHECK: !dataflow.stream: lanes 3 must divide the innermost dimension 8

// -----

// the frame must have positive sizes
func.func private @t(!dataflow.stream<0x!quant.uint<2>, lanes 1>)
// CHECK: !dataflow.stream: frame shape must be non-empty with positive sizes, got [0]

// -----

// depthwise kernel must divide the innermost dimension
func.func private @t(!dataflow.stream<8x!quant.uint<2>, lanes 1, depthwise 3>)
// CHECK: !dataflow.stream: depthwise kernel 3 must divide the innermost dimension 8

// -----

// depthwise simd must divide the kernel and lanes
func.func private @t(!dataflow.stream<18x!quant.uint<2>, lanes 2, depthwise 9 simd 2>)
// CHECK: !dataflow.stream: depthwise order needs simd 2 | kernel 9, simd | lanes 2 and lanes/simd | channels 2

// -----

// simd needs a depthwise order
func.func private @t(!dataflow.stream<8x!quant.uint<2>, lanes 2, depthwise 0 simd 2>)
// CHECK: !dataflow.stream: simd needs a depthwise order

// -----

// block arguments must match the operands
func.func @f(%x : tensor<2x8x!quant.uint<2>>) {
  %r = dataflow.partition(%x) : (tensor<2x8x!quant.uint<2>>) -> tensor<2x8x!quant.uint<2>> {
  ^bb0(%s : !dataflow.stream<8x!quant.uint<2>, lanes 1>, %s2 : !dataflow.stream<8x!quant.uint<2>, lanes 1>):
    dataflow.yield %s : !dataflow.stream<8x!quant.uint<2>, lanes 1>
  }
  func.return
}
// CHECK: dataflow.partition: 1 operands but 2 block arguments

// -----

// a block argument's frame must match its tensor
func.func @f(%x : tensor<2x8x!quant.uint<2>>) {
  %r = dataflow.partition(%x) : (tensor<2x8x!quant.uint<2>>) -> tensor<2x4x!quant.uint<2>> {
  ^bb0(%s : !dataflow.stream<4x!quant.uint<2>, lanes 1>):
    dataflow.yield %s : !dataflow.stream<4x!quant.uint<2>, lanes 1>
  }
  func.return
}
// CHECK: dataflow.partition: input 0 stream frame [4] does not match the tensor shape [2, 8]

// -----

// a block argument's element type must match its tensor
func.func @f(%x : tensor<2x8x!quant.uint<3>>) {
  %r = dataflow.partition(%x) : (tensor<2x8x!quant.uint<3>>) -> tensor<2x8x!quant.uint<2>> {
  ^bb0(%s : !dataflow.stream<8x!quant.uint<2>, lanes 1>):
    dataflow.yield %s : !dataflow.stream<8x!quant.uint<2>, lanes 1>
  }
  func.return
}
// CHECK: dataflow.partition: input 0 stream element !quant.uint<2> does not match the tensor's tensor<2x8x!quant.uint<3>>

// -----

// block arguments must be streams
func.func @f(%x : tensor<2x8x!quant.uint<2>>) {
  %r = dataflow.partition(%x) : (tensor<2x8x!quant.uint<2>>) -> tensor<2x8x!quant.uint<2>> {
  ^bb0(%s : tensor<8x!quant.uint<2>>):
    dataflow.yield
  }
  func.return
}
// CHECK: dataflow.partition: input 0 must be a !dataflow.stream, got tensor<8x!quant.uint<2>>

// -----

// tensors must be N x frame
func.func @f(%x : tensor<8x!quant.uint<2>>) {
  %r = dataflow.partition(%x) : (tensor<8x!quant.uint<2>>) -> tensor<2x8x!quant.uint<2>> {
  ^bb0(%s : !dataflow.stream<8x!quant.uint<2>, lanes 1>):
    dataflow.yield %s : !dataflow.stream<8x!quant.uint<2>, lanes 1>
  }
  func.return
}
// CHECK: dataflow.partition: input 0 tensor must be N x frame, got [8]

// -----

// the body must end with dataflow.yield
func.func @f(%x : tensor<2x8x!quant.uint<2>>) {
  %r = dataflow.partition(%x) : (tensor<2x8x!quant.uint<2>>) -> tensor<2x8x!quant.uint<2>> {
  ^bb0(%s : !dataflow.stream<8x!quant.uint<2>, lanes 1>):
    %f = dataflow.fifo %s {depth = 2 : i64} : (!dataflow.stream<8x!quant.uint<2>, lanes 1>) -> !dataflow.stream<8x!quant.uint<2>, lanes 1>
  }
  func.return
}
// CHECK: Operation dataflow.fifo terminates block in single-block region but is not a terminator

// -----

// yielded streams must match the results
func.func @f(%x : tensor<2x8x!quant.uint<2>>) {
  %r, %r2 = dataflow.partition(%x) : (tensor<2x8x!quant.uint<2>>) -> (tensor<2x8x!quant.uint<2>>, tensor<2x8x!quant.uint<2>>) {
  ^bb0(%s : !dataflow.stream<8x!quant.uint<2>, lanes 1>):
    dataflow.yield %s : !dataflow.stream<8x!quant.uint<2>, lanes 1>
  }
  func.return
}
// CHECK: dataflow.partition: 2 results but 1 yielded streams

// -----

// operands and results share the batch size
func.func @f(%x : tensor<2x8x!quant.uint<2>>) {
  %r = dataflow.partition(%x) : (tensor<2x8x!quant.uint<2>>) -> tensor<3x8x!quant.uint<2>> {
  ^bb0(%s : !dataflow.stream<8x!quant.uint<2>, lanes 1>):
    dataflow.yield %s : !dataflow.stream<8x!quant.uint<2>, lanes 1>
  }
  func.return
}
// CHECK: dataflow.partition: operands and results disagree on the batch size [2, 3]

// -----

// a stream has exactly one reader: fan-out goes through dataflow.duplicate_streams
func.func @f(%x : tensor<2x8x!quant.uint<2>>) {
  %r, %q = dataflow.partition(%x) : (tensor<2x8x!quant.uint<2>>) -> (tensor<2x8x!quant.uint<2>>, tensor<2x8x!quant.uint<2>>) {
  ^bb0(%s : !dataflow.stream<8x!quant.uint<2>, lanes 1>):
    dataflow.yield %s, %s : !dataflow.stream<8x!quant.uint<2>, lanes 1>, !dataflow.stream<8x!quant.uint<2>, lanes 1>
  }
  func.return
}
// CHECK: dataflow.partition: the stream of input 0 has 2 readers; a stream needs exactly one (fan-out goes through dataflow.duplicate_streams)

// -----

// a layer's stream result must be read
func.func @f(%x : tensor<2x8x!quant.uint<2>>) {
  %r = dataflow.partition(%x) : (tensor<2x8x!quant.uint<2>>) -> tensor<2x8x!quant.uint<2>> {
  ^bb0(%s : !dataflow.stream<8x!quant.uint<2>, lanes 1>):
    %a, %b = dataflow.duplicate_streams %s {pe = 1 : i64} : (!dataflow.stream<8x!quant.uint<2>, lanes 1>) -> (!dataflow.stream<8x!quant.uint<2>, lanes 1>, !dataflow.stream<8x!quant.uint<2>, lanes 1>)
    dataflow.yield %a : !dataflow.stream<8x!quant.uint<2>, lanes 1>
  }
  func.return
}
// CHECK: dataflow.partition: the stream of dataflow.duplicate_streams result 1 has 0 readers; a stream needs exactly one (fan-out goes through dataflow.duplicate_streams)

// -----

// dataflow.yield belongs in a partition
func.func @f(%s : !dataflow.stream<8x!quant.uint<2>, lanes 1>) {
  dataflow.yield %s : !dataflow.stream<8x!quant.uint<2>, lanes 1>
}
// CHECK: 'dataflow.yield' expects parent op 'dataflow.partition'

// -----

// mvau: weights must be a constant
func.func @f(%s : !dataflow.stream<8x!quant.uint<2>, lanes 2>, %w : tensor<8x4x!quant.int<3>>) {
  %o = dataflow.mvau %s, %w {simd = 2 : i64, pe = 2 : i64, acc_dtype = !quant.int<7>} : (!dataflow.stream<8x!quant.uint<2>, lanes 2>, tensor<8x4x!quant.int<3>>) -> !dataflow.stream<4x!quant.int<7>, lanes 2>
  func.return
}
// CHECK: dataflow.mvau: weights must be a quant.constant

// -----

// mvau: weights must be of a QONNX datatype
func.func @f(%s : !dataflow.stream<8x!quant.uint<2>, lanes 2>) {
  %w = quant.constant dense<1> : tensor<8x4xi8>
  %o = dataflow.mvau %s, %w {simd = 2 : i64, pe = 2 : i64, acc_dtype = !quant.int<7>} : (!dataflow.stream<8x!quant.uint<2>, lanes 2>, tensor<8x4xi8>) -> !dataflow.stream<4x!quant.int<7>, lanes 2>
  func.return
}
// CHECK: dataflow.mvau: weights must be a tensor of a QONNX datatype, got tensor<8x4xi8>

// -----

// mvau: weights must be MW x MH
func.func @f(%s : !dataflow.stream<8x!quant.uint<2>, lanes 2>) {
  %w = quant.constant dense<1> : tensor<8xi8> -> tensor<8x!quant.int<3>>
  %o = dataflow.mvau %s, %w {simd = 2 : i64, pe = 2 : i64, acc_dtype = !quant.int<7>} : (!dataflow.stream<8x!quant.uint<2>, lanes 2>, tensor<8x!quant.int<3>>) -> !dataflow.stream<4x!quant.int<7>, lanes 2>
  func.return
}
// CHECK: dataflow.mvau: weights must have rank 2, got shape [8]

// -----

// mvau: the input must be in standard order
func.func @f(%s : !dataflow.stream<8x!quant.uint<2>, lanes 2, depthwise 2>) {
  %w = quant.constant dense<1> : tensor<8x4xi8> -> tensor<8x4x!quant.int<3>>
  %o = dataflow.mvau %s, %w {simd = 2 : i64, pe = 2 : i64, acc_dtype = !quant.int<7>} : (!dataflow.stream<8x!quant.uint<2>, lanes 2, depthwise 2>, tensor<8x4x!quant.int<3>>) -> !dataflow.stream<4x!quant.int<7>, lanes 2>
  func.return
}
// CHECK: dataflow.mvau: input stream must be in standard order

// -----

// mvau: the input has MW columns
func.func @f(%s : !dataflow.stream<6x!quant.uint<2>, lanes 2>) {
  %w = quant.constant dense<1> : tensor<8x4xi8> -> tensor<8x4x!quant.int<3>>
  %o = dataflow.mvau %s, %w {simd = 2 : i64, pe = 2 : i64, acc_dtype = !quant.int<7>} : (!dataflow.stream<6x!quant.uint<2>, lanes 2>, tensor<8x4x!quant.int<3>>) -> !dataflow.stream<4x!quant.int<7>, lanes 2>
  func.return
}
// CHECK: dataflow.mvau: input frame [6] has 6 columns, weights are 8 x 4

// -----

// mvau: input lanes are SIMD
func.func @f(%s : !dataflow.stream<8x!quant.uint<2>, lanes 4>) {
  %w = quant.constant dense<1> : tensor<8x4xi8> -> tensor<8x4x!quant.int<3>>
  %o = dataflow.mvau %s, %w {simd = 2 : i64, pe = 2 : i64, acc_dtype = !quant.int<7>} : (!dataflow.stream<8x!quant.uint<2>, lanes 4>, tensor<8x4x!quant.int<3>>) -> !dataflow.stream<4x!quant.int<7>, lanes 2>
  func.return
}
// CHECK: dataflow.mvau: input stream has 4 lanes, simd is 2

// -----

// mvau: mem_mode is one of the three modes
func.func @f(%s : !dataflow.stream<8x!quant.uint<2>, lanes 2>) {
  %w = quant.constant dense<1> : tensor<8x4xi8> -> tensor<8x4x!quant.int<3>>
  %o = dataflow.mvau %s, %w {simd = 2 : i64, pe = 2 : i64, acc_dtype = !quant.int<7>, mem_mode = "decoupled"} : (!dataflow.stream<8x!quant.uint<2>, lanes 2>, tensor<8x4x!quant.int<3>>) -> !dataflow.stream<4x!quant.int<7>, lanes 2>
  func.return
}
// CHECK: dataflow.mvau: mem_mode must be one of internal_embedded, internal_decoupled, external, got 'decoupled'

// -----

// mvau: ram_style is one of the four styles
func.func @f(%s : !dataflow.stream<8x!quant.uint<2>, lanes 2>) {
  %w = quant.constant dense<1> : tensor<8x4xi8> -> tensor<8x4x!quant.int<3>>
  %o = dataflow.mvau %s, %w {simd = 2 : i64, pe = 2 : i64, acc_dtype = !quant.int<7>, ram_style = "lut"} : (!dataflow.stream<8x!quant.uint<2>, lanes 2>, tensor<8x4x!quant.int<3>>) -> !dataflow.stream<4x!quant.int<7>, lanes 2>
  func.return
}
// CHECK: dataflow.mvau: ram_style must be one of auto, block, distributed, ultra, got 'lut'

// -----

// mvau: output lanes are PE
func.func @f(%s : !dataflow.stream<8x!quant.uint<2>, lanes 2>) {
  %w = quant.constant dense<1> : tensor<8x4xi8> -> tensor<8x4x!quant.int<3>>
  %o = dataflow.mvau %s, %w {simd = 2 : i64, pe = 2 : i64, acc_dtype = !quant.int<7>} : (!dataflow.stream<8x!quant.uint<2>, lanes 2>, tensor<8x4x!quant.int<3>>) -> !dataflow.stream<4x!quant.int<7>, lanes 4>
  func.return
}
// CHECK: dataflow.mvau: output stream has 4 lanes, pe is 2

// -----

// mvau: PE divides MH
func.func @f(%s : !dataflow.stream<8x!quant.uint<2>, lanes 2>) {
  %w = quant.constant dense<1> : tensor<8x3xi8> -> tensor<8x3x!quant.int<3>>
  %o = dataflow.mvau %s, %w {simd = 2 : i64, pe = 2 : i64, acc_dtype = !quant.int<7>} : (!dataflow.stream<8x!quant.uint<2>, lanes 2>, tensor<8x3x!quant.int<3>>) -> !dataflow.stream<3x!quant.int<7>, lanes 1>
  func.return
}
// CHECK: dataflow.mvau: output stream has 1 lanes, pe is 2

// -----

// mvau: out_scale and out_bias need thresholds
func.func @f(%s : !dataflow.stream<8x!quant.uint<2>, lanes 2>) {
  %w = quant.constant dense<1> : tensor<8x4xi8> -> tensor<8x4x!quant.int<3>>
  %o = dataflow.mvau %s, %w {simd = 2 : i64, pe = 2 : i64, acc_dtype = !quant.int<7>, out_bias = 1 : i64} : (!dataflow.stream<8x!quant.uint<2>, lanes 2>, tensor<8x4x!quant.int<3>>) -> !dataflow.stream<4x!quant.int<7>, lanes 2>
  func.return
}
// CHECK: dataflow.mvau: out_scale/out_bias need thresholds

// -----

// mvau: the output frame is (..., MH)
func.func @f(%s : !dataflow.stream<8x!quant.uint<2>, lanes 2>) {
  %w = quant.constant dense<1> : tensor<8x4xi8> -> tensor<8x4x!quant.int<3>>
  %o = dataflow.mvau %s, %w {simd = 2 : i64, pe = 2 : i64, acc_dtype = !quant.int<7>} : (!dataflow.stream<8x!quant.uint<2>, lanes 2>, tensor<8x4x!quant.int<3>>) -> !dataflow.stream<6x!quant.int<7>, lanes 2>
  func.return
}
// CHECK: dataflow.mvau: output frame [6] does not match the expected [4]

// -----

// mvau: binary_xnor exactly for bipolar input and weights
func.func @f(%s : !dataflow.stream<8x!quant.bipolar, lanes 2>) {
  %w = quant.constant dense<1> : tensor<8x4xi8> -> tensor<8x4x!quant.bipolar>
  %o = dataflow.mvau %s, %w {simd = 2 : i64, pe = 2 : i64, acc_dtype = !quant.int<7>} : (!dataflow.stream<8x!quant.bipolar, lanes 2>, tensor<8x4x!quant.bipolar>) -> !dataflow.stream<4x!quant.int<7>, lanes 2>
  func.return
}
// CHECK: dataflow.mvau: binary_xnor must be set exactly when input and weights are bipolar

// -----

// mvau: acc_dtype holds the exact accumulator range
func.func @f(%s : !dataflow.stream<8x!quant.uint<2>, lanes 2>) {
  %w = quant.constant dense<1> : tensor<8x4xi8> -> tensor<8x4x!quant.int<3>>
  %o = dataflow.mvau %s, %w {simd = 2 : i64, pe = 2 : i64, acc_dtype = !quant.int<4>} : (!dataflow.stream<8x!quant.uint<2>, lanes 2>, tensor<8x4x!quant.int<3>>) -> !dataflow.stream<4x!quant.int<7>, lanes 2>
  func.return
}
// CHECK: dataflow.mvau: acc_dtype !quant.int<4> cannot hold the range [0, 24]

// -----

// mvau: without thresholds the output holds the accumulator
func.func @f(%s : !dataflow.stream<8x!quant.uint<2>, lanes 2>) {
  %w = quant.constant dense<1> : tensor<8x4xi8> -> tensor<8x4x!quant.int<3>>
  %o = dataflow.mvau %s, %w {simd = 2 : i64, pe = 2 : i64, acc_dtype = !quant.int<7>} : (!dataflow.stream<8x!quant.uint<2>, lanes 2>, tensor<8x4x!quant.int<3>>) -> !dataflow.stream<4x!quant.int<4>, lanes 2>
  func.return
}
// CHECK: dataflow.mvau: output datatype !quant.int<4> cannot hold the range [0, 24]

// -----

// mvau: thresholds are MH x N or 1 x N
func.func @f(%s : !dataflow.stream<8x!quant.uint<2>, lanes 2>) {
  %w = quant.constant dense<1> : tensor<8x4xi8> -> tensor<8x4x!quant.int<3>>
  %t = quant.constant dense<1> : tensor<2x3xi8> -> tensor<2x3x!quant.int<5>>
  %o = dataflow.mvau %s, %w, %t {simd = 2 : i64, pe = 2 : i64, acc_dtype = !quant.int<7>} : (!dataflow.stream<8x!quant.uint<2>, lanes 2>, tensor<8x4x!quant.int<3>>, tensor<2x3x!quant.int<5>>) -> !dataflow.stream<4x!quant.uint<2>, lanes 2>
  func.return
}
// CHECK: dataflow.mvau: 2 threshold rows for 4 channels (expected 4 or 1)

// -----

// mvau: thresholds need at least one column
func.func @f(%s : !dataflow.stream<8x!quant.uint<2>, lanes 2>) {
  %w = quant.constant dense<1> : tensor<8x4xi8> -> tensor<8x4x!quant.int<3>>
  %t = quant.constant dense<> : tensor<4x0xi8> -> tensor<4x0x!quant.int<5>>
  %o = dataflow.mvau %s, %w, %t {simd = 2 : i64, pe = 2 : i64, acc_dtype = !quant.int<7>} : (!dataflow.stream<8x!quant.uint<2>, lanes 2>, tensor<8x4x!quant.int<3>>, tensor<4x0x!quant.int<5>>) -> !dataflow.stream<4x!quant.uint<2>, lanes 2>
  func.return
}
// CHECK: dataflow.mvau: thresholds must have at least one column

// -----

// mvau: thresholds lie in acc_dtype
func.func @f(%s : !dataflow.stream<8x!quant.uint<2>, lanes 2>) {
  %w = quant.constant dense<1> : tensor<8x4xi8> -> tensor<8x4x!quant.int<3>>
  %t = quant.constant dense<[[0, 4, 100]]> : tensor<1x3xi8> -> tensor<1x3x!quant.int<8>>
  %o = dataflow.mvau %s, %w, %t {simd = 2 : i64, pe = 2 : i64, acc_dtype = !quant.int<7>} : (!dataflow.stream<8x!quant.uint<2>, lanes 2>, tensor<8x4x!quant.int<3>>, tensor<1x3x!quant.int<8>>) -> !dataflow.stream<4x!quant.uint<2>, lanes 2>
  func.return
}
// CHECK: dataflow.mvau: threshold datatype (acc_dtype) !quant.int<7> cannot hold the range [0, 100]

// -----

// mvau: a bipolar output needs one threshold, out_scale 2, out_bias -1
func.func @f(%s : !dataflow.stream<8x!quant.uint<2>, lanes 2>) {
  %w = quant.constant dense<1> : tensor<8x4xi8> -> tensor<8x4x!quant.int<3>>
  %t = quant.constant dense<[[0, 4, 8]]> : tensor<1x3xi8> -> tensor<1x3x!quant.int<5>>
  %o = dataflow.mvau %s, %w, %t {simd = 2 : i64, pe = 2 : i64, acc_dtype = !quant.int<7>} : (!dataflow.stream<8x!quant.uint<2>, lanes 2>, tensor<8x4x!quant.int<3>>, tensor<1x3x!quant.int<5>>) -> !dataflow.stream<4x!quant.bipolar, lanes 2>
  func.return
}
// CHECK: dataflow.mvau: a bipolar output needs one threshold, out_scale 2 and out_bias -1

// -----

// mvau: the output holds the threshold count
func.func @f(%s : !dataflow.stream<8x!quant.uint<2>, lanes 2>) {
  %w = quant.constant dense<1> : tensor<8x4xi8> -> tensor<8x4x!quant.int<3>>
  %t = quant.constant dense<[[0, 4, 8]]> : tensor<1x3xi8> -> tensor<1x3x!quant.int<5>>
  %o = dataflow.mvau %s, %w, %t {simd = 2 : i64, pe = 2 : i64, acc_dtype = !quant.int<7>} : (!dataflow.stream<8x!quant.uint<2>, lanes 2>, tensor<8x4x!quant.int<3>>, tensor<1x3x!quant.int<5>>) -> !dataflow.stream<4x!quant.uint<1>, lanes 2>
  func.return
}
// CHECK: dataflow.mvau: output datatype !quant.uint<1> cannot hold the range [0, 3]

// -----

// vvau: the input has K*C columns
func.func @f(%s : !dataflow.stream<2x2x32x!quant.uint<2>, lanes 2>) {
  %w = quant.constant dense<1> : tensor<9x4xi8> -> tensor<9x4x!quant.int<2>>
  %o = dataflow.vvau %s, %w {pe = 2 : i64, simd = 1 : i64, acc_dtype = !quant.int<6>} : (!dataflow.stream<2x2x32x!quant.uint<2>, lanes 2>, tensor<9x4x!quant.int<2>>) -> !dataflow.stream<2x2x4x!quant.int<6>, lanes 2>
  func.return
}
// CHECK: dataflow.vvau: input frame [2, 2, 32] has 32 columns, weights need 9 x 4

// -----

// vvau: SIMD divides K
func.func @f(%s : !dataflow.stream<2x2x36x!quant.uint<2>, lanes 2, depthwise 9>) {
  %w = quant.constant dense<1> : tensor<9x4xi8> -> tensor<9x4x!quant.int<2>>
  %o = dataflow.vvau %s, %w {pe = 2 : i64, simd = 2 : i64, acc_dtype = !quant.int<6>} : (!dataflow.stream<2x2x36x!quant.uint<2>, lanes 2, depthwise 9>, tensor<9x4x!quant.int<2>>) -> !dataflow.stream<2x2x4x!quant.int<6>, lanes 2>
  func.return
}
// CHECK: dataflow.vvau: simd (2) must divide the kernel size K (9)

// -----

// vvau: PE divides C
func.func @f(%s : !dataflow.stream<2x2x36x!quant.uint<2>, lanes 2, depthwise 9>) {
  %w = quant.constant dense<1> : tensor<9x4xi8> -> tensor<9x4x!quant.int<2>>
  %o = dataflow.vvau %s, %w {pe = 3 : i64, simd = 1 : i64, acc_dtype = !quant.int<6>} : (!dataflow.stream<2x2x36x!quant.uint<2>, lanes 2, depthwise 9>, tensor<9x4x!quant.int<2>>) -> !dataflow.stream<2x2x4x!quant.int<6>, lanes 1>
  func.return
}
// CHECK: dataflow.vvau: output stream has 1 lanes, pe is 3

// -----

// vvau: the input is in depthwise order
func.func @f(%s : !dataflow.stream<2x2x36x!quant.uint<2>, lanes 2>) {
  %w = quant.constant dense<1> : tensor<9x4xi8> -> tensor<9x4x!quant.int<2>>
  %o = dataflow.vvau %s, %w {pe = 2 : i64, simd = 1 : i64, acc_dtype = !quant.int<6>} : (!dataflow.stream<2x2x36x!quant.uint<2>, lanes 2>, tensor<9x4x!quant.int<2>>) -> !dataflow.stream<2x2x4x!quant.int<6>, lanes 2>
  func.return
}
// CHECK: dataflow.vvau: the input stream must be in depthwise order with kernel 9 and simd 1

// -----

// vvau: input lanes are PE*SIMD
func.func @f(%s : !dataflow.stream<2x2x36x!quant.uint<2>, lanes 4, depthwise 9>) {
  %w = quant.constant dense<1> : tensor<9x4xi8> -> tensor<9x4x!quant.int<2>>
  %o = dataflow.vvau %s, %w {pe = 2 : i64, simd = 1 : i64, acc_dtype = !quant.int<6>} : (!dataflow.stream<2x2x36x!quant.uint<2>, lanes 4, depthwise 9>, tensor<9x4x!quant.int<2>>) -> !dataflow.stream<2x2x4x!quant.int<6>, lanes 2>
  func.return
}
// CHECK: dataflow.vvau: input stream has 4 lanes, pe*simd is 2

// -----

// vvau: not bipolar input with bipolar weights
func.func @f(%s : !dataflow.stream<2x2x36x!quant.bipolar, lanes 2, depthwise 9>) {
  %w = quant.constant dense<1> : tensor<9x4xi8> -> tensor<9x4x!quant.bipolar>
  %o = dataflow.vvau %s, %w {pe = 2 : i64, simd = 1 : i64, acc_dtype = !quant.int<6>} : (!dataflow.stream<2x2x36x!quant.bipolar, lanes 2, depthwise 9>, tensor<9x4x!quant.bipolar>) -> !dataflow.stream<2x2x4x!quant.int<6>, lanes 2>
  func.return
}
// CHECK: dataflow.vvau: bipolar inputs with bipolar weights are not supported

// -----

// vvau: acc_dtype holds the accumulator
func.func @f(%s : !dataflow.stream<2x2x36x!quant.uint<2>, lanes 2, depthwise 9>) {
  %w = quant.constant dense<1> : tensor<9x4xi8> -> tensor<9x4x!quant.int<2>>
  %o = dataflow.vvau %s, %w {pe = 2 : i64, simd = 1 : i64, acc_dtype = !quant.int<4>} : (!dataflow.stream<2x2x36x!quant.uint<2>, lanes 2, depthwise 9>, tensor<9x4x!quant.int<2>>) -> !dataflow.stream<2x2x4x!quant.int<6>, lanes 2>
  func.return
}
// CHECK: dataflow.vvau: acc_dtype !quant.int<4> cannot hold the range [0, 27]

// -----

// swg: the input is H x W x C
func.func @f(%s : !dataflow.stream<16x4x!quant.uint<2>, lanes 2>) {
  %o = dataflow.swg %s {kernel = array<i64: 3, 3>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, simd = 2 : i64} : (!dataflow.stream<16x4x!quant.uint<2>, lanes 2>) -> !dataflow.stream<2x2x36x!quant.uint<2>, lanes 2>
  func.return
}
// CHECK: dataflow.swg: input frame must be H x W x C

// -----

// swg: kernel is two sizes >= 1
func.func @f(%s : !dataflow.stream<4x4x4x!quant.uint<2>, lanes 2>) {
  %o = dataflow.swg %s {kernel = array<i64: 3>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, simd = 2 : i64} : (!dataflow.stream<4x4x4x!quant.uint<2>, lanes 2>) -> !dataflow.stream<2x2x36x!quant.uint<2>, lanes 2>
  func.return
}
// CHECK: dataflow.swg: kernel must be 2 values >= 1, got [3]

// -----

// swg: stride is two values >= 1
func.func @f(%s : !dataflow.stream<4x4x4x!quant.uint<2>, lanes 2>) {
  %o = dataflow.swg %s {kernel = array<i64: 3, 3>, stride = array<i64: 0, 1>, dilation = array<i64: 1, 1>, simd = 2 : i64} : (!dataflow.stream<4x4x4x!quant.uint<2>, lanes 2>) -> !dataflow.stream<2x2x36x!quant.uint<2>, lanes 2>
  func.return
}
// CHECK: dataflow.swg: stride must be 2 values >= 1, got [0, 1]

// -----

// swg: SIMD divides C
func.func @f(%s : !dataflow.stream<4x4x3x!quant.uint<2>, lanes 1>) {
  %o = dataflow.swg %s {kernel = array<i64: 3, 3>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, simd = 2 : i64} : (!dataflow.stream<4x4x3x!quant.uint<2>, lanes 1>) -> !dataflow.stream<2x2x36x!quant.uint<2>, lanes 2>
  func.return
}
// CHECK: dataflow.swg: simd (2) must divide the channels (3)

// -----

// swg: input lanes are SIMD
func.func @f(%s : !dataflow.stream<4x4x4x!quant.uint<2>, lanes 4>) {
  %o = dataflow.swg %s {kernel = array<i64: 3, 3>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, simd = 2 : i64} : (!dataflow.stream<4x4x4x!quant.uint<2>, lanes 4>) -> !dataflow.stream<2x2x36x!quant.uint<2>, lanes 2>
  func.return
}
// CHECK: dataflow.swg: input stream has 4 lanes, simd is 2

// -----

// swg: the window fits the input
func.func @f(%s : !dataflow.stream<4x4x4x!quant.uint<2>, lanes 2>) {
  %o = dataflow.swg %s {kernel = array<i64: 3, 3>, stride = array<i64: 1, 1>, dilation = array<i64: 2, 2>, simd = 2 : i64} : (!dataflow.stream<4x4x4x!quant.uint<2>, lanes 2>) -> !dataflow.stream<2x2x36x!quant.uint<2>, lanes 2>
  func.return
}
// CHECK: dataflow.swg: the window does not fit the 4x4 input

// -----

// swg: parallel_window needs SIMD = C
func.func @f(%s : !dataflow.stream<4x4x4x!quant.uint<2>, lanes 2>) {
  %o = dataflow.swg %s {kernel = array<i64: 3, 3>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, simd = 2 : i64, parallel_window = true} : (!dataflow.stream<4x4x4x!quant.uint<2>, lanes 2>) -> !dataflow.stream<2x2x36x!quant.uint<2>, lanes 36>
  func.return
}
// CHECK: dataflow.swg: parallel_window needs simd = C = 4, got 2

// -----

// swg: parallel_window is not a depthwise order
func.func @f(%s : !dataflow.stream<4x4x4x!quant.uint<2>, lanes 4>) {
  %o = dataflow.swg %s {kernel = array<i64: 3, 3>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, simd = 4 : i64, depthwise = true, parallel_window = true} : (!dataflow.stream<4x4x4x!quant.uint<2>, lanes 4>) -> !dataflow.stream<2x2x36x!quant.uint<2>, lanes 36, depthwise 9 simd 9>
  func.return
}
// CHECK: dataflow.swg: parallel_window needs the standard order, not depthwise

// -----

// swg: a parallel window's output word is the whole window
func.func @f(%s : !dataflow.stream<4x4x4x!quant.uint<2>, lanes 4>) {
  %o = dataflow.swg %s {kernel = array<i64: 3, 3>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, simd = 4 : i64, parallel_window = true} : (!dataflow.stream<4x4x4x!quant.uint<2>, lanes 4>) -> !dataflow.stream<2x2x36x!quant.uint<2>, lanes 4>
  func.return
}
// CHECK: dataflow.swg: output stream has 4 lanes, KH*KW*C (parallel_window) is 36

// -----

// swg: the output frame is the im2col frame
func.func @f(%s : !dataflow.stream<4x4x4x!quant.uint<2>, lanes 2>) {
  %o = dataflow.swg %s {kernel = array<i64: 3, 3>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, simd = 2 : i64} : (!dataflow.stream<4x4x4x!quant.uint<2>, lanes 2>) -> !dataflow.stream<2x2x32x!quant.uint<2>, lanes 2>
  func.return
}
// CHECK: dataflow.swg: output frame [2, 2, 32] does not match the expected [2, 2, 36]

// -----

// swg: the element type is unchanged
func.func @f(%s : !dataflow.stream<4x4x4x!quant.uint<2>, lanes 2>) {
  %o = dataflow.swg %s {kernel = array<i64: 3, 3>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, simd = 2 : i64} : (!dataflow.stream<4x4x4x!quant.uint<2>, lanes 2>) -> !dataflow.stream<2x2x36x!quant.uint<3>, lanes 2>
  func.return
}
// CHECK: dataflow.swg: element type changes from !quant.uint<2> to !quant.uint<3>

// -----

// swg: a depthwise SWG produces a depthwise stream
func.func @f(%s : !dataflow.stream<4x4x4x!quant.uint<2>, lanes 2>) {
  %o = dataflow.swg %s {kernel = array<i64: 3, 3>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, simd = 2 : i64, depthwise = true} : (!dataflow.stream<4x4x4x!quant.uint<2>, lanes 2>) -> !dataflow.stream<2x2x36x!quant.uint<2>, lanes 2>
  func.return
}
// CHECK: dataflow.swg: a depthwise SWG's output stream must be `depthwise 9`

// -----

// swg: a standard SWG produces a standard stream
func.func @f(%s : !dataflow.stream<4x4x4x!quant.uint<2>, lanes 2>) {
  %o = dataflow.swg %s {kernel = array<i64: 3, 3>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, simd = 2 : i64} : (!dataflow.stream<4x4x4x!quant.uint<2>, lanes 2>) -> !dataflow.stream<2x2x36x!quant.uint<2>, lanes 2, depthwise 9>
  func.return
}
// CHECK: dataflow.swg: output stream must be in standard order

// -----

// fm_padding: pads are four values >= 0
func.func @f(%s : !dataflow.stream<4x4x4x!quant.uint<2>, lanes 2>) {
  %o = dataflow.fm_padding %s {pads = array<i64: 1, 1>, simd = 2 : i64} : (!dataflow.stream<4x4x4x!quant.uint<2>, lanes 2>) -> !dataflow.stream<6x6x4x!quant.uint<2>, lanes 2>
  func.return
}
// CHECK: dataflow.fm_padding: pads must be 4 values >= 0 (top, left, bottom, right)

// -----

// fm_padding: the output frame is the padded frame
func.func @f(%s : !dataflow.stream<4x4x4x!quant.uint<2>, lanes 2>) {
  %o = dataflow.fm_padding %s {pads = array<i64: 1, 1, 1, 1>, simd = 2 : i64} : (!dataflow.stream<4x4x4x!quant.uint<2>, lanes 2>) -> !dataflow.stream<6x5x4x!quant.uint<2>, lanes 2>
  func.return
}
// CHECK: dataflow.fm_padding: output frame [6, 5, 4] does not match the expected [6, 6, 4]

// -----

// fm_padding: a bipolar stream cannot be zero-padded
func.func @f(%s : !dataflow.stream<4x4x4x!quant.bipolar, lanes 2>) {
  %o = dataflow.fm_padding %s {pads = array<i64: 1, 1, 1, 1>, simd = 2 : i64} : (!dataflow.stream<4x4x4x!quant.bipolar, lanes 2>) -> !dataflow.stream<6x6x4x!quant.bipolar, lanes 2>
  func.return
}
// CHECK: dataflow.fm_padding: a bipolar stream cannot be zero-padded

// -----

// fm_padding: lanes are SIMD
func.func @f(%s : !dataflow.stream<4x4x4x!quant.uint<2>, lanes 2>) {
  %o = dataflow.fm_padding %s {pads = array<i64: 1, 1, 1, 1>, simd = 2 : i64} : (!dataflow.stream<4x4x4x!quant.uint<2>, lanes 2>) -> !dataflow.stream<6x6x4x!quant.uint<2>, lanes 4>
  func.return
}
// CHECK: dataflow.fm_padding: output stream has 4 lanes, simd is 2

// -----

// thresholding: PE divides C
func.func @f(%s : !dataflow.stream<2x2x3x!quant.uint<2>, lanes 1>) {
  %t = quant.constant dense<[[0, 1, 2]]> : tensor<1x3xi8> -> tensor<1x3x!quant.uint<2>>
  %o = dataflow.thresholding %s, %t {pe = 2 : i64} : (!dataflow.stream<2x2x3x!quant.uint<2>, lanes 1>, tensor<1x3x!quant.uint<2>>) -> !dataflow.stream<2x2x3x!quant.uint<2>, lanes 1>
  func.return
}
// CHECK: dataflow.thresholding: pe (2) must divide the channels (3)

// -----

// thresholding: the frame is unchanged
func.func @f(%s : !dataflow.stream<2x2x4x!quant.uint<2>, lanes 2>) {
  %t = quant.constant dense<[[0, 1, 2]]> : tensor<1x3xi8> -> tensor<1x3x!quant.uint<2>>
  %o = dataflow.thresholding %s, %t {pe = 2 : i64} : (!dataflow.stream<2x2x4x!quant.uint<2>, lanes 2>, tensor<1x3x!quant.uint<2>>) -> !dataflow.stream<2x4x2x!quant.uint<2>, lanes 2>
  func.return
}
// CHECK: dataflow.thresholding: output frame [2, 4, 2] does not match the expected [2, 2, 4]

// -----

// thresholding: the output holds the threshold count
func.func @f(%s : !dataflow.stream<2x2x4x!quant.uint<2>, lanes 2>) {
  %t = quant.constant dense<[[0, 1, 2]]> : tensor<1x3xi8> -> tensor<1x3x!quant.uint<2>>
  %o = dataflow.thresholding %s, %t {pe = 2 : i64} : (!dataflow.stream<2x2x4x!quant.uint<2>, lanes 2>, tensor<1x3x!quant.uint<2>>) -> !dataflow.stream<2x2x4x!quant.uint<1>, lanes 2>
  func.return
}
// CHECK: dataflow.thresholding: output datatype !quant.uint<1> cannot hold the range [0, 3]

// -----

// maxpool: the window fits the input
func.func @f(%s : !dataflow.stream<4x4x4x!quant.uint<2>, lanes 2>) {
  %o = dataflow.maxpool %s {kernel = array<i64: 5, 5>, stride = array<i64: 1, 1>, pe = 2 : i64} : (!dataflow.stream<4x4x4x!quant.uint<2>, lanes 2>) -> !dataflow.stream<2x2x4x!quant.uint<2>, lanes 2>
  func.return
}
// CHECK: dataflow.maxpool: the window does not fit the input

// -----

// maxpool: the output frame
func.func @f(%s : !dataflow.stream<4x4x4x!quant.uint<2>, lanes 2>) {
  %o = dataflow.maxpool %s {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, pe = 2 : i64} : (!dataflow.stream<4x4x4x!quant.uint<2>, lanes 2>) -> !dataflow.stream<3x3x4x!quant.uint<2>, lanes 2>
  func.return
}
// CHECK: dataflow.maxpool: output frame [3, 3, 4] does not match the expected [2, 2, 4]

// -----

// maxpool: the element type is unchanged
func.func @f(%s : !dataflow.stream<4x4x4x!quant.uint<2>, lanes 2>) {
  %o = dataflow.maxpool %s {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, pe = 2 : i64} : (!dataflow.stream<4x4x4x!quant.uint<2>, lanes 2>) -> !dataflow.stream<2x2x4x!quant.uint<3>, lanes 2>
  func.return
}
// CHECK: dataflow.maxpool: element type changes from !quant.uint<2> to !quant.uint<3>

// -----

// maxpool: PE divides C
func.func @f(%s : !dataflow.stream<4x4x4x!quant.uint<2>, lanes 2>) {
  %o = dataflow.maxpool %s {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, pe = 3 : i64} : (!dataflow.stream<4x4x4x!quant.uint<2>, lanes 2>) -> !dataflow.stream<2x2x4x!quant.uint<2>, lanes 2>
  func.return
}
// CHECK: dataflow.maxpool: pe (3) must divide the channels (4)

// -----

// pool: mode is max or sum
func.func @f(%s : !dataflow.stream<4x4x4x!quant.uint<2>, lanes 2>) {
  %o = dataflow.pool %s {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, pe = 2 : i64, mode = "avg"} : (!dataflow.stream<4x4x4x!quant.uint<2>, lanes 2>) -> !dataflow.stream<2x2x4x!quant.uint<2>, lanes 2>
  func.return
}
// CHECK: dataflow.pool: mode must be one of max, sum, got 'avg'

// -----

// pool: shift applies to sum only
func.func @f(%s : !dataflow.stream<4x4x4x!quant.uint<2>, lanes 2>) {
  %o = dataflow.pool %s {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, pe = 2 : i64, mode = "max", shift = 1 : i64} : (!dataflow.stream<4x4x4x!quant.uint<2>, lanes 2>) -> !dataflow.stream<2x2x4x!quant.uint<2>, lanes 2>
  func.return
}
// CHECK: dataflow.pool: shift applies to mode sum only

// -----

// pool: shift is in [0, 63]
func.func @f(%s : !dataflow.stream<4x4x4x!quant.uint<2>, lanes 2>) {
  %o = dataflow.pool %s {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, pe = 2 : i64, mode = "sum", shift = -1 : i64} : (!dataflow.stream<4x4x4x!quant.uint<2>, lanes 2>) -> !dataflow.stream<2x2x4x!quant.uint<2>, lanes 2>
  func.return
}
// CHECK: dataflow.pool: shift must be in [0, 63], got -1

// -----

// pool: a sum's output holds the shifted window sum
func.func @f(%s : !dataflow.stream<4x4x4x!quant.uint<2>, lanes 2>) {
  %o = dataflow.pool %s {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, pe = 2 : i64, mode = "sum", shift = 1 : i64} : (!dataflow.stream<4x4x4x!quant.uint<2>, lanes 2>) -> !dataflow.stream<2x2x4x!quant.uint<2>, lanes 2>
  func.return
}
// CHECK: dataflow.pool: output datatype !quant.uint<2> cannot hold the range [0, 6]

// -----

// global_acc_pool: the output frame is 1 x 1 x C
func.func @f(%s : !dataflow.stream<2x2x4x!quant.uint<2>, lanes 2>) {
  %o = dataflow.global_acc_pool %s {pe = 2 : i64} : (!dataflow.stream<2x2x4x!quant.uint<2>, lanes 2>) -> !dataflow.stream<4x!quant.uint<4>, lanes 2>
  func.return
}
// CHECK: dataflow.global_acc_pool: output frame [4] does not match the expected [1, 1, 4]

// -----

// global_acc_pool: the output holds the sum
func.func @f(%s : !dataflow.stream<2x2x4x!quant.uint<2>, lanes 2>) {
  %o = dataflow.global_acc_pool %s {pe = 2 : i64} : (!dataflow.stream<2x2x4x!quant.uint<2>, lanes 2>) -> !dataflow.stream<1x1x4x!quant.uint<3>, lanes 2>
  func.return
}
// CHECK: dataflow.global_acc_pool: output datatype !quant.uint<3> cannot hold the range [0, 12]

// -----

// global_acc_pool: the input is H x W x C
func.func @f(%s : !dataflow.stream<4x!quant.uint<2>, lanes 2>) {
  %o = dataflow.global_acc_pool %s {pe = 2 : i64} : (!dataflow.stream<4x!quant.uint<2>, lanes 2>) -> !dataflow.stream<1x1x4x!quant.uint<4>, lanes 2>
  func.return
}
// CHECK: dataflow.global_acc_pool: input frame must be H x W x C

// -----

// add_streams: equal frames
func.func @f(%a : !dataflow.stream<2x4x!quant.uint<2>, lanes 2>, %b : !dataflow.stream<4x2x!quant.uint<2>, lanes 2>) {
  %o = dataflow.add_streams %a, %b {pe = 2 : i64} : (!dataflow.stream<2x4x!quant.uint<2>, lanes 2>, !dataflow.stream<4x2x!quant.uint<2>, lanes 2>) -> !dataflow.stream<2x4x!quant.uint<3>, lanes 2>
  func.return
}
// CHECK: dataflow.add_streams: rhs frame [4, 2] does not match the expected [2, 4]

// -----

// add_streams: the output holds the sum
func.func @f(%a : !dataflow.stream<2x4x!quant.uint<2>, lanes 2>, %b : !dataflow.stream<2x4x!quant.uint<2>, lanes 2>) {
  %o = dataflow.add_streams %a, %b {pe = 2 : i64} : (!dataflow.stream<2x4x!quant.uint<2>, lanes 2>, !dataflow.stream<2x4x!quant.uint<2>, lanes 2>) -> !dataflow.stream<2x4x!quant.uint<2>, lanes 2>
  func.return
}
// CHECK: dataflow.add_streams: output datatype !quant.uint<2> cannot hold the range [0, 6]

// -----

// add_streams: lanes are PE
func.func @f(%a : !dataflow.stream<2x4x!quant.uint<2>, lanes 4>, %b : !dataflow.stream<2x4x!quant.uint<2>, lanes 2>) {
  %o = dataflow.add_streams %a, %b {pe = 2 : i64} : (!dataflow.stream<2x4x!quant.uint<2>, lanes 4>, !dataflow.stream<2x4x!quant.uint<2>, lanes 2>) -> !dataflow.stream<2x4x!quant.uint<3>, lanes 2>
  func.return
}
// CHECK: dataflow.add_streams: lhs stream has 4 lanes, pe is 2

// -----

// duplicate_streams: at least two outputs
func.func @f(%s : !dataflow.stream<4x!quant.uint<2>, lanes 2>) {
  %o = dataflow.duplicate_streams %s {pe = 2 : i64} : (!dataflow.stream<4x!quant.uint<2>, lanes 2>) -> !dataflow.stream<4x!quant.uint<2>, lanes 2>
  func.return
}
// CHECK: dataflow.duplicate_streams: needs at least 2 outputs

// -----

// duplicate_streams: outputs have the input's type
func.func @f(%s : !dataflow.stream<4x!quant.uint<2>, lanes 2>) {
  %o, %p = dataflow.duplicate_streams %s {pe = 2 : i64} : (!dataflow.stream<4x!quant.uint<2>, lanes 2>) -> (!dataflow.stream<4x!quant.uint<2>, lanes 2>, !dataflow.stream<4x!quant.uint<2>, lanes 1>)
  func.return
}
// CHECK: dataflow.duplicate_streams: every output must have the input's type !dataflow.stream<4x!quant.uint<2>, lanes 2>, got !dataflow.stream<4x!quant.uint<2>, lanes 1>

// -----

// duplicate_streams: lanes are PE
func.func @f(%s : !dataflow.stream<4x!quant.uint<2>, lanes 2>) {
  %o, %p = dataflow.duplicate_streams %s {pe = 1 : i64} : (!dataflow.stream<4x!quant.uint<2>, lanes 2>) -> (!dataflow.stream<4x!quant.uint<2>, lanes 2>, !dataflow.stream<4x!quant.uint<2>, lanes 2>)
  func.return
}
// CHECK: dataflow.duplicate_streams: input stream has 2 lanes, pe is 1

// -----

// channelwise: op is add or mul
func.func @f(%s : !dataflow.stream<2x4x!quant.uint<2>, lanes 2>) {
  %p = quant.constant dense<[1, 2, 3, 4]> : tensor<4xi8> -> tensor<4x!quant.uint<3>>
  %o = dataflow.channelwise %s, %p {op = "sub", pe = 2 : i64} : (!dataflow.stream<2x4x!quant.uint<2>, lanes 2>, tensor<4x!quant.uint<3>>) -> !dataflow.stream<2x4x!quant.uint<3>, lanes 2>
  func.return
}
// CHECK: dataflow.channelwise: op must be one of add, mul, got 'sub'

// -----

// channelwise: params are C or 1
func.func @f(%s : !dataflow.stream<2x4x!quant.uint<2>, lanes 2>) {
  %p = quant.constant dense<1> : tensor<2xi8> -> tensor<2x!quant.uint<3>>
  %o = dataflow.channelwise %s, %p {op = "add", pe = 2 : i64} : (!dataflow.stream<2x4x!quant.uint<2>, lanes 2>, tensor<2x!quant.uint<3>>) -> !dataflow.stream<2x4x!quant.uint<3>, lanes 2>
  func.return
}
// CHECK: dataflow.channelwise: 2 params for 4 channels

// -----

// channelwise: the output holds the exact range
func.func @f(%s : !dataflow.stream<2x4x!quant.uint<2>, lanes 2>) {
  %p = quant.constant dense<[1, 2, 3, 4]> : tensor<4xi8> -> tensor<4x!quant.uint<3>>
  %o = dataflow.channelwise %s, %p {op = "add", pe = 2 : i64} : (!dataflow.stream<2x4x!quant.uint<2>, lanes 2>, tensor<4x!quant.uint<3>>) -> !dataflow.stream<2x4x!quant.uint<2>, lanes 2>
  func.return
}
// CHECK: dataflow.channelwise: output datatype !quant.uint<2> cannot hold the range [1, 7]

// -----

// label_select: 1 <= k <= N
func.func @f(%s : !dataflow.stream<8x!quant.int<4>, lanes 2>) {
  %o = dataflow.label_select %s {k = 9 : i64, pe = 2 : i64} : (!dataflow.stream<8x!quant.int<4>, lanes 2>) -> !dataflow.stream<9x!quant.uint<3>, lanes 1>
  func.return
}
// CHECK: dataflow.label_select: k=9 must be in [1, 8]

// -----

// label_select: the output has one lane
func.func @f(%s : !dataflow.stream<8x!quant.int<4>, lanes 2>) {
  %o = dataflow.label_select %s {k = 2 : i64, pe = 2 : i64} : (!dataflow.stream<8x!quant.int<4>, lanes 2>) -> !dataflow.stream<2x!quant.uint<3>, lanes 2>
  func.return
}
// CHECK: dataflow.label_select: output stream has 2 lanes, 1 is 1

// -----

// label_select: the output holds the indices
func.func @f(%s : !dataflow.stream<8x!quant.int<4>, lanes 2>) {
  %o = dataflow.label_select %s {k = 2 : i64, pe = 2 : i64} : (!dataflow.stream<8x!quant.int<4>, lanes 2>) -> !dataflow.stream<2x!quant.uint<2>, lanes 1>
  func.return
}
// CHECK: dataflow.label_select: output datatype !quant.uint<2> cannot hold the range [0, 7]

// -----

// label_select: the output frame is (..., k)
func.func @f(%s : !dataflow.stream<8x!quant.int<4>, lanes 2>) {
  %o = dataflow.label_select %s {k = 2 : i64, pe = 2 : i64} : (!dataflow.stream<8x!quant.int<4>, lanes 2>) -> !dataflow.stream<3x!quant.uint<3>, lanes 1>
  func.return
}
// CHECK: dataflow.label_select: output frame [3] does not match the expected [2]

// -----

// concat: frames agree outside the channels
func.func @f(%a : !dataflow.stream<2x4x!quant.uint<2>, lanes 2>, %b : !dataflow.stream<3x2x!quant.uint<2>, lanes 2>) {
  %o = dataflow.concat %a, %b {simd = 2 : i64} : (!dataflow.stream<2x4x!quant.uint<2>, lanes 2>, !dataflow.stream<3x2x!quant.uint<2>, lanes 2>) -> !dataflow.stream<2x6x!quant.uint<2>, lanes 2>
  func.return
}
// CHECK: dataflow.concat: input 1 frame [3, 2] does not match the output [2, 6] outside the channels

// -----

// concat: output channels are the sum
func.func @f(%a : !dataflow.stream<2x4x!quant.uint<2>, lanes 2>, %b : !dataflow.stream<2x2x!quant.uint<2>, lanes 2>) {
  %o = dataflow.concat %a, %b {simd = 2 : i64} : (!dataflow.stream<2x4x!quant.uint<2>, lanes 2>, !dataflow.stream<2x2x!quant.uint<2>, lanes 2>) -> !dataflow.stream<2x8x!quant.uint<2>, lanes 2>
  func.return
}
// CHECK: dataflow.concat: output frame [2, 8] does not match the expected [2, 6]

// -----

// concat: one element type
func.func @f(%a : !dataflow.stream<2x4x!quant.uint<2>, lanes 2>, %b : !dataflow.stream<2x2x!quant.uint<3>, lanes 2>) {
  %o = dataflow.concat %a, %b {simd = 2 : i64} : (!dataflow.stream<2x4x!quant.uint<2>, lanes 2>, !dataflow.stream<2x2x!quant.uint<3>, lanes 2>) -> !dataflow.stream<2x6x!quant.uint<2>, lanes 2>
  func.return
}
// CHECK: dataflow.concat: element type changes from !quant.uint<3> to !quant.uint<2>

// -----

// concat: lanes are SIMD
func.func @f(%a : !dataflow.stream<2x4x!quant.uint<2>, lanes 2>, %b : !dataflow.stream<2x2x!quant.uint<2>, lanes 1>) {
  %o = dataflow.concat %a, %b {simd = 2 : i64} : (!dataflow.stream<2x4x!quant.uint<2>, lanes 2>, !dataflow.stream<2x2x!quant.uint<2>, lanes 1>) -> !dataflow.stream<2x6x!quant.uint<2>, lanes 2>
  func.return
}
// CHECK: dataflow.concat: input 1 stream has 1 lanes, simd is 2

// -----

// dwc: the frame is unchanged
func.func @f(%s : !dataflow.stream<8x!quant.uint<2>, lanes 2>) {
  %o = dataflow.dwc %s : (!dataflow.stream<8x!quant.uint<2>, lanes 2>) -> !dataflow.stream<4x!quant.uint<2>, lanes 4>
  func.return
}
// CHECK: dataflow.dwc: output frame [4] does not match the expected [8]

// -----

// dwc: streams in standard order
func.func @f(%s : !dataflow.stream<18x!quant.uint<2>, lanes 2, depthwise 9>) {
  %o = dataflow.dwc %s : (!dataflow.stream<18x!quant.uint<2>, lanes 2, depthwise 9>) -> !dataflow.stream<18x!quant.uint<2>, lanes 1>
  func.return
}
// CHECK: dataflow.dwc: input stream must be in standard order

// -----

// dwc: the element type is unchanged
func.func @f(%s : !dataflow.stream<8x!quant.uint<2>, lanes 2>) {
  %o = dataflow.dwc %s : (!dataflow.stream<8x!quant.uint<2>, lanes 2>) -> !dataflow.stream<8x!quant.uint<3>, lanes 1>
  func.return
}
// CHECK: dataflow.dwc: element type changes from !quant.uint<2> to !quant.uint<3>

// -----

// fifo: depth >= 1
func.func @f(%s : !dataflow.stream<8x!quant.uint<2>, lanes 2>) {
  %o = dataflow.fifo %s {depth = 0 : i64} : (!dataflow.stream<8x!quant.uint<2>, lanes 2>) -> !dataflow.stream<8x!quant.uint<2>, lanes 2>
  func.return
}
// CHECK: dataflow.fifo: depth must be >= 1, got 0

// -----

// fifo: the type is unchanged
func.func @f(%s : !dataflow.stream<8x!quant.uint<2>, lanes 2>) {
  %o = dataflow.fifo %s {depth = 4 : i64} : (!dataflow.stream<8x!quant.uint<2>, lanes 2>) -> !dataflow.stream<8x!quant.uint<2>, lanes 1>
  func.return
}
// CHECK: dataflow.fifo: input type !dataflow.stream<8x!quant.uint<2>, lanes 2> differs from the output's !dataflow.stream<8x!quant.uint<2>, lanes 1>

// -----

// fifo: ram_style is one of the four styles
func.func @f(%s : !dataflow.stream<8x!quant.uint<2>, lanes 2>) {
  %o = dataflow.fifo %s {depth = 4 : i64, ram_style = "bram"} : (!dataflow.stream<8x!quant.uint<2>, lanes 2>) -> !dataflow.stream<8x!quant.uint<2>, lanes 2>
  func.return
}
// CHECK: dataflow.fifo: ram_style must be one of auto, block, distributed, ultra, got 'bram'

// -----

// reshape: the element count is unchanged
func.func @f(%s : !dataflow.stream<2x4x!quant.uint<2>, lanes 2>) {
  %o = dataflow.reshape %s : (!dataflow.stream<2x4x!quant.uint<2>, lanes 2>) -> !dataflow.stream<2x2x!quant.uint<2>, lanes 2>
  func.return
}
// CHECK: dataflow.reshape: cannot view frame [2, 4] as [2, 2]

// -----

// reshape: the lanes are unchanged
func.func @f(%s : !dataflow.stream<2x4x!quant.uint<2>, lanes 2>) {
  %o = dataflow.reshape %s : (!dataflow.stream<2x4x!quant.uint<2>, lanes 2>) -> !dataflow.stream<8x!quant.uint<2>, lanes 4>
  func.return
}
// CHECK: dataflow.reshape: output stream has 4 lanes, the input's lanes is 2

// -----

// reshape: the element type is unchanged
func.func @f(%s : !dataflow.stream<2x4x!quant.uint<2>, lanes 2>) {
  %o = dataflow.reshape %s : (!dataflow.stream<2x4x!quant.uint<2>, lanes 2>) -> !dataflow.stream<8x!quant.int<2>, lanes 2>
  func.return
}
// CHECK: dataflow.reshape: element type changes from !quant.uint<2> to !quant.int<2>

// -----

// upsample: the output size is a multiple of the input's
func.func @f(%x : !dataflow.stream<2x3x4x!quant.uint<2>, lanes 1>) {
  %o = dataflow.upsample %x {pe = 1 : i64} : (!dataflow.stream<2x3x4x!quant.uint<2>, lanes 1>) -> !dataflow.stream<4x7x4x!quant.uint<2>, lanes 1>
  func.return
}
// CHECK: dataflow.upsample: the input width (3) must divide the output width (7)

// -----

// upsample: the channels stay
func.func @f(%x : !dataflow.stream<2x3x4x!quant.uint<2>, lanes 1>) {
  %o = dataflow.upsample %x {pe = 1 : i64} : (!dataflow.stream<2x3x4x!quant.uint<2>, lanes 1>) -> !dataflow.stream<4x6x2x!quant.uint<2>, lanes 1>
  func.return
}
// CHECK: dataflow.upsample: output frame [4, 6, 2] does not match the expected [4, 6, 4]

// -----

// upsample: feature maps only
func.func @f(%x : !dataflow.stream<4x!quant.uint<2>, lanes 1>) {
  %o = dataflow.upsample %x {pe = 1 : i64} : (!dataflow.stream<4x!quant.uint<2>, lanes 1>) -> !dataflow.stream<8x!quant.uint<2>, lanes 1>
  func.return
}
// CHECK: dataflow.upsample: frames must be H x W x C, got [4] -> [8]

// -----

// slice: the output frame is the slice's
func.func @f(%x : !dataflow.stream<4x6x!quant.uint<2>, lanes 1>) {
  %o = dataflow.slice %x {starts = array<i64: 0, 1>, ends = array<i64: 4, 6>, steps = array<i64: 2, 2>, pe = 1 : i64} : (!dataflow.stream<4x6x!quant.uint<2>, lanes 1>) -> !dataflow.stream<2x2x!quant.uint<2>, lanes 1>
  func.return
}
// CHECK: dataflow.slice: output frame [2, 2] does not match the expected [2, 3]

// -----

// slice: ranges inside the frame
func.func @f(%x : !dataflow.stream<4x6x!quant.uint<2>, lanes 1>) {
  %o = dataflow.slice %x {starts = array<i64: 0, 1>, ends = array<i64: 4, 7>, steps = array<i64: 1, 1>, pe = 1 : i64} : (!dataflow.stream<4x6x!quant.uint<2>, lanes 1>) -> !dataflow.stream<4x6x!quant.uint<2>, lanes 1>
  func.return
}
// CHECK: dataflow.slice: ranges [0, 1]:[4, 7]:[1, 1] out of (4, 6)

// -----

// slice: with PE > 1 the channel range is whole words
func.func @f(%x : !dataflow.stream<4x6x!quant.uint<2>, lanes 2>) {
  %o = dataflow.slice %x {starts = array<i64: 0, 1>, ends = array<i64: 4, 5>, steps = array<i64: 1, 1>, pe = 2 : i64} : (!dataflow.stream<4x6x!quant.uint<2>, lanes 2>) -> !dataflow.stream<4x4x!quant.uint<2>, lanes 2>
  func.return
}
// CHECK: dataflow.slice: pe (2) must divide the channel range's granularity (1)

// -----

// depth_to_space: the output is the input's frame with b x b pixels per channel group
func.func @f(%x : !dataflow.stream<2x3x8x!quant.uint<2>, lanes 1>) {
  %o = dataflow.depth_to_space %x {mode = "CRD", pe = 1 : i64} : (!dataflow.stream<2x3x8x!quant.uint<2>, lanes 1>) -> !dataflow.stream<4x6x4x!quant.uint<2>, lanes 1>
  func.return
}
// CHECK: dataflow.depth_to_space: output frame [4, 6, 4] does not match the expected [4, 6, 2]

// -----

// depth_to_space: DCR or CRD
func.func @f(%x : !dataflow.stream<2x3x8x!quant.uint<2>, lanes 1>) {
  %o = dataflow.depth_to_space %x {mode = "RDC", pe = 1 : i64} : (!dataflow.stream<2x3x8x!quant.uint<2>, lanes 1>) -> !dataflow.stream<4x6x2x!quant.uint<2>, lanes 1>
  func.return
}
// CHECK: dataflow.depth_to_space: mode must be one of DCR, CRD, got 'RDC'
