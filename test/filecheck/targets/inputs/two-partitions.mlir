func.func @main(%x : tensor<1x4x!quant.int<2>>) -> tensor<1x4x!quant.int<2>> {
  %a = dataflow.partition(%x) : (tensor<1x4x!quant.int<2>>) -> tensor<1x4x!quant.int<2>> {
  ^bb0(%s : !dataflow.stream<4x!quant.int<2>, lanes 2>):
    %f = dataflow.fifo %s {depth = 2 : i64} : (!dataflow.stream<4x!quant.int<2>, lanes 2>) -> !dataflow.stream<4x!quant.int<2>, lanes 2>
    dataflow.yield %f : !dataflow.stream<4x!quant.int<2>, lanes 2>
  }
  %b = dataflow.partition(%a) : (tensor<1x4x!quant.int<2>>) -> tensor<1x4x!quant.int<2>> {
  ^bb0(%s : !dataflow.stream<4x!quant.int<2>, lanes 2>):
    %f = dataflow.fifo %s {depth = 2 : i64} : (!dataflow.stream<4x!quant.int<2>, lanes 2>) -> !dataflow.stream<4x!quant.int<2>, lanes 2>
    dataflow.yield %f : !dataflow.stream<4x!quant.int<2>, lanes 2>
  }
  func.return %b : tensor<1x4x!quant.int<2>>
}
