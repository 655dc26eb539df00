// RUN: qnn-opt %s | qnn-opt | filecheck %s

// The stream type, every dataflow op, and a partition: printed, parsed again, printed.

// CHECK-LABEL: func.func @mlp
func.func @mlp(%x : tensor<2x8x!quant.uint<2>>) -> tensor<2x1x!quant.uint<2>> {
  %w = quant.constant dense<[[1, -1, 0, 1], [2, 1, 1, 0], [0, 0, 1, -2], [1, 1, 1, 1], [1, 0, 0, 0], [-1, 0, 1, 0], [0, 1, 0, 1], [1, 1, 0, 0]]> : tensor<8x4xi8> -> tensor<8x4x!quant.int<3>>
  %t = quant.constant dense<[[-2, 1, 4]]> : tensor<1x3xi8> -> tensor<1x3x!quant.int<7>>
  %w2 = quant.constant dense<[[1], [-1], [1], [1]]> : tensor<4x1xi8> -> tensor<4x1x!quant.int<2>>
  // CHECK: %{{.*}} = dataflow.partition(%x) : (tensor<2x8x!quant.uint<2>>) -> tensor<2x1x!quant.uint<2>> {
  // CHECK-NEXT: ^bb0(%s: !dataflow.stream<8x!quant.uint<2>, lanes 2>):
  %r = dataflow.partition(%x) : (tensor<2x8x!quant.uint<2>>) -> tensor<2x1x!quant.uint<2>> {
  ^bb0(%s : !dataflow.stream<8x!quant.uint<2>, lanes 2>):
    // CHECK-NEXT: %{{.*}} = dataflow.mvau %s, %w, %t {simd = 2 : i64, pe = 2 : i64, acc_dtype = !quant.int<7>, mem_mode = "internal_embedded", ram_style = "distributed"} : (!dataflow.stream<8x!quant.uint<2>, lanes 2>, tensor<8x4x!quant.int<3>>, tensor<1x3x!quant.int<7>>) -> !dataflow.stream<4x!quant.uint<2>, lanes 2>
    %h = dataflow.mvau %s, %w, %t {simd = 2 : i64, pe = 2 : i64, acc_dtype = !quant.int<7>, mem_mode = "internal_embedded", ram_style = "distributed"} : (!dataflow.stream<8x!quant.uint<2>, lanes 2>, tensor<8x4x!quant.int<3>>, tensor<1x3x!quant.int<7>>) -> !dataflow.stream<4x!quant.uint<2>, lanes 2>
    // CHECK-NEXT: %{{.*}} = dataflow.fifo %{{.*}} {depth = 16 : i64, ram_style = "block"} : (!dataflow.stream<4x!quant.uint<2>, lanes 2>) -> !dataflow.stream<4x!quant.uint<2>, lanes 2>
    %f = dataflow.fifo %h {depth = 16 : i64, ram_style = "block"} : (!dataflow.stream<4x!quant.uint<2>, lanes 2>) -> !dataflow.stream<4x!quant.uint<2>, lanes 2>
    // CHECK-NEXT: %{{.*}} = dataflow.dwc %{{.*}} : (!dataflow.stream<4x!quant.uint<2>, lanes 2>) -> !dataflow.stream<4x!quant.uint<2>, lanes 1>
    %d = dataflow.dwc %f : (!dataflow.stream<4x!quant.uint<2>, lanes 2>) -> !dataflow.stream<4x!quant.uint<2>, lanes 1>
    // CHECK-NEXT: %{{.*}} = dataflow.mvau %{{.*}}, %w2 {simd = 1 : i64, pe = 1 : i64, acc_dtype = !quant.int<5>} : (!dataflow.stream<4x!quant.uint<2>, lanes 1>, tensor<4x1x!quant.int<2>>) -> !dataflow.stream<1x!quant.int<5>, lanes 1>
    %o = dataflow.mvau %d, %w2 {simd = 1 : i64, pe = 1 : i64, acc_dtype = !quant.int<5>} : (!dataflow.stream<4x!quant.uint<2>, lanes 1>, tensor<4x1x!quant.int<2>>) -> !dataflow.stream<1x!quant.int<5>, lanes 1>
    // CHECK-NEXT: %{{.*}} = dataflow.label_select %{{.*}} {k = 1 : i64, pe = 1 : i64} : (!dataflow.stream<1x!quant.int<5>, lanes 1>) -> !dataflow.stream<1x!quant.uint<2>, lanes 1>
    %l = dataflow.label_select %o {k = 1 : i64, pe = 1 : i64} : (!dataflow.stream<1x!quant.int<5>, lanes 1>) -> !dataflow.stream<1x!quant.uint<2>, lanes 1>
    // CHECK-NEXT: dataflow.yield %{{.*}} : !dataflow.stream<1x!quant.uint<2>, lanes 1>
    dataflow.yield %l : !dataflow.stream<1x!quant.uint<2>, lanes 1>
  }
  func.return %r : tensor<2x1x!quant.uint<2>>
}

// CHECK-LABEL: func.func @xnor
func.func @xnor(%x : tensor<1x4x!quant.bipolar>) -> tensor<1x2x!quant.bipolar> {
  %w = quant.constant dense<[[1, -1], [1, 1], [-1, 1], [-1, -1]]> : tensor<4x2xi8> -> tensor<4x2x!quant.bipolar>
  %t = quant.constant dense<[[2], [3]]> : tensor<2x1xi8> -> tensor<2x1x!quant.uint<3>>
  %r = dataflow.partition(%x) : (tensor<1x4x!quant.bipolar>) -> tensor<1x2x!quant.bipolar> {
  ^bb0(%s : !dataflow.stream<4x!quant.bipolar, lanes 4>):
    // CHECK: dataflow.mvau %s, %w, %t {simd = 4 : i64, pe = 2 : i64, acc_dtype = !quant.uint<3>, binary_xnor = true, out_scale = 2 : i64, out_bias = -1 : i64}
    %o = dataflow.mvau %s, %w, %t {simd = 4 : i64, pe = 2 : i64, acc_dtype = !quant.uint<3>, binary_xnor = true, out_scale = 2 : i64, out_bias = -1 : i64} : (!dataflow.stream<4x!quant.bipolar, lanes 4>, tensor<4x2x!quant.bipolar>, tensor<2x1x!quant.uint<3>>) -> !dataflow.stream<2x!quant.bipolar, lanes 2>
    dataflow.yield %o : !dataflow.stream<2x!quant.bipolar, lanes 2>
  }
  func.return %r : tensor<1x2x!quant.bipolar>
}

// CHECK-LABEL: func.func @conv
func.func @conv(%x : tensor<1x4x4x4x!quant.uint<2>>) -> tensor<1x1x1x4x!quant.uint<9>> {
  %wd = quant.constant dense<1> : tensor<9x4xi8> -> tensor<9x4x!quant.int<2>>
  %td = quant.constant dense<[[0, 2, 4]]> : tensor<1x3xi8> -> tensor<1x3x!quant.int<7>>
  %t = quant.constant dense<[[1, 2, 3], [1, 2, 3], [0, 1, 2], [0, 1, 2]]> : tensor<4x3xi8> -> tensor<4x3x!quant.int<3>>
  %p = quant.constant dense<[1, 2, 3, 4]> : tensor<4xi8> -> tensor<4x!quant.uint<3>>
  %r = dataflow.partition(%x) : (tensor<1x4x4x4x!quant.uint<2>>) -> tensor<1x1x1x4x!quant.uint<9>> {
  ^bb0(%s : !dataflow.stream<4x4x4x!quant.uint<2>, lanes 2>):
    // CHECK: dataflow.fm_padding %s {pads = array<i64: 1, 1, 1, 1>, simd = 2 : i64} : (!dataflow.stream<4x4x4x!quant.uint<2>, lanes 2>) -> !dataflow.stream<6x6x4x!quant.uint<2>, lanes 2>
    %pad = dataflow.fm_padding %s {pads = array<i64: 1, 1, 1, 1>, simd = 2 : i64} : (!dataflow.stream<4x4x4x!quant.uint<2>, lanes 2>) -> !dataflow.stream<6x6x4x!quant.uint<2>, lanes 2>
    // CHECK-NEXT: dataflow.swg %{{.*}} {kernel = array<i64: 3, 3>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, simd = 2 : i64, depthwise = true} : (!dataflow.stream<6x6x4x!quant.uint<2>, lanes 2>) -> !dataflow.stream<4x4x36x!quant.uint<2>, lanes 2, depthwise 9>
    %win = dataflow.swg %pad {kernel = array<i64: 3, 3>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, simd = 2 : i64, depthwise = true} : (!dataflow.stream<6x6x4x!quant.uint<2>, lanes 2>) -> !dataflow.stream<4x4x36x!quant.uint<2>, lanes 2, depthwise 9>
    // CHECK-NEXT: dataflow.vvau %{{.*}}, %wd, %td {simd = 1 : i64, pe = 2 : i64, acc_dtype = !quant.int<7>} : (!dataflow.stream<4x4x36x!quant.uint<2>, lanes 2, depthwise 9>, tensor<9x4x!quant.int<2>>, tensor<1x3x!quant.int<7>>) -> !dataflow.stream<4x4x4x!quant.uint<2>, lanes 2>
    %dw = dataflow.vvau %win, %wd, %td {simd = 1 : i64, pe = 2 : i64, acc_dtype = !quant.int<7>} : (!dataflow.stream<4x4x36x!quant.uint<2>, lanes 2, depthwise 9>, tensor<9x4x!quant.int<2>>, tensor<1x3x!quant.int<7>>) -> !dataflow.stream<4x4x4x!quant.uint<2>, lanes 2>
    // CHECK-NEXT: %{{.*}}, %{{.*}} = dataflow.duplicate_streams %{{.*}} {pe = 2 : i64} : (!dataflow.stream<4x4x4x!quant.uint<2>, lanes 2>) -> (!dataflow.stream<4x4x4x!quant.uint<2>, lanes 2>, !dataflow.stream<4x4x4x!quant.uint<2>, lanes 2>)
    %a, %b = dataflow.duplicate_streams %dw {pe = 2 : i64} : (!dataflow.stream<4x4x4x!quant.uint<2>, lanes 2>) -> (!dataflow.stream<4x4x4x!quant.uint<2>, lanes 2>, !dataflow.stream<4x4x4x!quant.uint<2>, lanes 2>)
    // CHECK-NEXT: dataflow.add_streams %{{.*}}, %{{.*}} {pe = 2 : i64} : (!dataflow.stream<4x4x4x!quant.uint<2>, lanes 2>, !dataflow.stream<4x4x4x!quant.uint<2>, lanes 2>) -> !dataflow.stream<4x4x4x!quant.uint<3>, lanes 2>
    %sum = dataflow.add_streams %a, %b {pe = 2 : i64} : (!dataflow.stream<4x4x4x!quant.uint<2>, lanes 2>, !dataflow.stream<4x4x4x!quant.uint<2>, lanes 2>) -> !dataflow.stream<4x4x4x!quant.uint<3>, lanes 2>
    // CHECK-NEXT: dataflow.thresholding %{{.*}}, %t {pe = 2 : i64} : (!dataflow.stream<4x4x4x!quant.uint<3>, lanes 2>, tensor<4x3x!quant.int<3>>) -> !dataflow.stream<4x4x4x!quant.uint<2>, lanes 2>
    %th = dataflow.thresholding %sum, %t {pe = 2 : i64} : (!dataflow.stream<4x4x4x!quant.uint<3>, lanes 2>, tensor<4x3x!quant.int<3>>) -> !dataflow.stream<4x4x4x!quant.uint<2>, lanes 2>
    // CHECK-NEXT: dataflow.maxpool %{{.*}} {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, pe = 2 : i64} : (!dataflow.stream<4x4x4x!quant.uint<2>, lanes 2>) -> !dataflow.stream<2x2x4x!quant.uint<2>, lanes 2>
    %mp = dataflow.maxpool %th {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, pe = 2 : i64} : (!dataflow.stream<4x4x4x!quant.uint<2>, lanes 2>) -> !dataflow.stream<2x2x4x!quant.uint<2>, lanes 2>
    // CHECK-NEXT: dataflow.pool %{{.*}} {kernel = array<i64: 1, 1>, stride = array<i64: 1, 1>, pe = 2 : i64, mode = "max"} : (!dataflow.stream<2x2x4x!quant.uint<2>, lanes 2>) -> !dataflow.stream<2x2x4x!quant.uint<2>, lanes 2>
    %pm = dataflow.pool %mp {kernel = array<i64: 1, 1>, stride = array<i64: 1, 1>, pe = 2 : i64, mode = "max"} : (!dataflow.stream<2x2x4x!quant.uint<2>, lanes 2>) -> !dataflow.stream<2x2x4x!quant.uint<2>, lanes 2>
    // CHECK-NEXT: dataflow.pool %{{.*}} {kernel = array<i64: 2, 2>, stride = array<i64: 1, 1>, pe = 2 : i64, mode = "sum", shift = 2 : i64} : (!dataflow.stream<2x2x4x!quant.uint<2>, lanes 2>) -> !dataflow.stream<1x1x4x!quant.uint<2>, lanes 2>
    %ps = dataflow.pool %pm {kernel = array<i64: 2, 2>, stride = array<i64: 1, 1>, pe = 2 : i64, mode = "sum", shift = 2 : i64} : (!dataflow.stream<2x2x4x!quant.uint<2>, lanes 2>) -> !dataflow.stream<1x1x4x!quant.uint<2>, lanes 2>
    // CHECK-NEXT: dataflow.channelwise %{{.*}}, %p {op = "mul", pe = 2 : i64} : (!dataflow.stream<1x1x4x!quant.uint<2>, lanes 2>, tensor<4x!quant.uint<3>>) -> !dataflow.stream<1x1x4x!quant.uint<5>, lanes 2>
    %cw = dataflow.channelwise %ps, %p {op = "mul", pe = 2 : i64} : (!dataflow.stream<1x1x4x!quant.uint<2>, lanes 2>, tensor<4x!quant.uint<3>>) -> !dataflow.stream<1x1x4x!quant.uint<5>, lanes 2>
    // CHECK-NEXT: dataflow.reshape %{{.*}} : (!dataflow.stream<1x1x4x!quant.uint<5>, lanes 2>) -> !dataflow.stream<4x!quant.uint<5>, lanes 2>
    %flat = dataflow.reshape %cw : (!dataflow.stream<1x1x4x!quant.uint<5>, lanes 2>) -> !dataflow.stream<4x!quant.uint<5>, lanes 2>
    // CHECK-NEXT: dataflow.duplicate_streams %{{.*}} {pe = 2 : i64} : (!dataflow.stream<4x!quant.uint<5>, lanes 2>) -> (!dataflow.stream<4x!quant.uint<5>, lanes 2>, !dataflow.stream<4x!quant.uint<5>, lanes 2>)
    %f1, %f2 = dataflow.duplicate_streams %flat {pe = 2 : i64} : (!dataflow.stream<4x!quant.uint<5>, lanes 2>) -> (!dataflow.stream<4x!quant.uint<5>, lanes 2>, !dataflow.stream<4x!quant.uint<5>, lanes 2>)
    // CHECK-NEXT: dataflow.concat %{{.*}}, %{{.*}} {simd = 2 : i64} : (!dataflow.stream<4x!quant.uint<5>, lanes 2>, !dataflow.stream<4x!quant.uint<5>, lanes 2>) -> !dataflow.stream<8x!quant.uint<5>, lanes 2>
    %cat = dataflow.concat %f1, %f2 {simd = 2 : i64} : (!dataflow.stream<4x!quant.uint<5>, lanes 2>, !dataflow.stream<4x!quant.uint<5>, lanes 2>) -> !dataflow.stream<8x!quant.uint<5>, lanes 2>
    %back = dataflow.reshape %cat : (!dataflow.stream<8x!quant.uint<5>, lanes 2>) -> !dataflow.stream<1x2x4x!quant.uint<5>, lanes 2>
    // CHECK: dataflow.global_acc_pool %{{.*}} {pe = 2 : i64} : (!dataflow.stream<1x2x4x!quant.uint<5>, lanes 2>) -> !dataflow.stream<1x1x4x!quant.uint<9>, lanes 2>
    %g = dataflow.global_acc_pool %back {pe = 2 : i64} : (!dataflow.stream<1x2x4x!quant.uint<5>, lanes 2>) -> !dataflow.stream<1x1x4x!quant.uint<9>, lanes 2>
    dataflow.yield %g : !dataflow.stream<1x1x4x!quant.uint<9>, lanes 2>
  }
  func.return %r : tensor<1x1x1x4x!quant.uint<9>>
}

// CHECK-LABEL: func.func private @types
// CHECK-SAME: !dataflow.stream<4x4x72x!quant.int<4>, lanes 12, depthwise 9 simd 3>
// CHECK-SAME: !dataflow.stream<10x!quant.ternary, lanes 5>
func.func private @types(!dataflow.stream<4x4x72x!quant.int<4>, lanes 12, depthwise 9 simd 3>, !dataflow.stream<10x!quant.ternary, lanes 5>)

// CHECK-LABEL: func.func @upsample_slice
// CHECK-NEXT:    %u = dataflow.upsample %x {pe = 2 : i64} : (!dataflow.stream<2x3x4x!quant.uint<2>, lanes 2>) -> !dataflow.stream<4x9x4x!quant.uint<2>, lanes 2>
// CHECK-NEXT:    %s = dataflow.slice %u {starts = array<i64: 1, 0, 2>, ends = array<i64: 4, 9, 4>, steps = array<i64: 2, 3, 1>, pe = 2 : i64} : (!dataflow.stream<4x9x4x!quant.uint<2>, lanes 2>) -> !dataflow.stream<2x3x2x!quant.uint<2>, lanes 2>
func.func @upsample_slice(%x : !dataflow.stream<2x3x4x!quant.uint<2>, lanes 2>) {
  %u = dataflow.upsample %x {pe = 2 : i64} : (!dataflow.stream<2x3x4x!quant.uint<2>, lanes 2>) -> !dataflow.stream<4x9x4x!quant.uint<2>, lanes 2>
  %s = dataflow.slice %u {starts = array<i64: 1, 0, 2>, ends = array<i64: 4, 9, 4>, steps = array<i64: 2, 3, 1>, pe = 2 : i64} : (!dataflow.stream<4x9x4x!quant.uint<2>, lanes 2>) -> !dataflow.stream<2x3x2x!quant.uint<2>, lanes 2>
  func.return
}

// CHECK-LABEL: func.func @depth_to_space
// CHECK-NEXT:    %y = dataflow.depth_to_space %x {mode = "DCR", pe = 2 : i64} : (!dataflow.stream<2x3x8x!quant.uint<2>, lanes 2>) -> !dataflow.stream<4x6x2x!quant.uint<2>, lanes 2>
func.func @depth_to_space(%x : !dataflow.stream<2x3x8x!quant.uint<2>, lanes 2>) {
  %y = dataflow.depth_to_space %x {mode = "DCR", pe = 2 : i64} : (!dataflow.stream<2x3x8x!quant.uint<2>, lanes 2>) -> !dataflow.stream<4x6x2x!quant.uint<2>, lanes 2>
  func.return
}

// A parallel-window SWG writes the whole window (KH*KW*C lanes) per output pixel.
// CHECK-LABEL: func.func @parallel_window
// CHECK-NEXT:    %y = dataflow.swg %x {kernel = array<i64: 3, 3>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, simd = 3 : i64, parallel_window = true} : (!dataflow.stream<5x5x3x!quant.uint<2>, lanes 3>) -> !dataflow.stream<3x3x27x!quant.uint<2>, lanes 27>
func.func @parallel_window(%x : !dataflow.stream<5x5x3x!quant.uint<2>, lanes 3>) {
  %y = dataflow.swg %x {kernel = array<i64: 3, 3>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, simd = 3 : i64, parallel_window = true} : (!dataflow.stream<5x5x3x!quant.uint<2>, lanes 3>) -> !dataflow.stream<3x3x27x!quant.uint<2>, lanes 27>
  func.return
}
