// RUN: qnn-opt %s -p 'apply-folding{config="%S/inputs/mlp_folding.json"}' | filecheck %s
// RUN: not qnn-opt %s -p 'apply-folding{config="%S/inputs/bad_pe.json"}' 2>&1 | filecheck %s --check-prefix=BAD-PE
// RUN: not qnn-opt %s -p 'apply-folding{config="%S/inputs/bad_name.json"}' 2>&1 | filecheck %s --check-prefix=BAD-NAME
// RUN: not qnn-opt %s -p 'apply-folding{config="%S/inputs/bad_key.json"}' 2>&1 | filecheck %s --check-prefix=BAD-KEY
// RUN: qnn-opt %s -p 'set-folding{target-fps=20000000}' -t folding-json | filecheck %s --check-prefix=JSON

// inputs/mlp_folding.json: Defaults put MVAU weights in LUTRAM, MVAU_0 gets PE 2, SIMD 4 and
// block RAM, MVAU_1 is named the FINN way (MVAU_hls_1) and gets SIMD 4; LabelSelect_0 is
// unchanged. The partition input takes 4 lanes, a converter 2 -> 4 joins the two MVAUs, and
// FINN's resType is accepted and ignored.
// CHECK: ^bb0(%s: !dataflow.stream<8x!quant.uint<2>, lanes 4>):
// CHECK-NEXT: %h = dataflow.mvau %s, %w, %t {simd = 4 : i64, pe = 2 : i64, acc_dtype = !quant.int<7>, ram_style = "block"} : (!dataflow.stream<8x!quant.uint<2>, lanes 4>, {{.*}}) -> !dataflow.stream<4x!quant.uint<2>, lanes 2>
// CHECK-NEXT: %[[D:.*]] = dataflow.dwc %h : (!dataflow.stream<4x!quant.uint<2>, lanes 2>) -> !dataflow.stream<4x!quant.uint<2>, lanes 4>
// CHECK-NEXT: %o = dataflow.mvau %[[D]], %w2 {simd = 4 : i64, pe = 1 : i64, acc_dtype = !quant.int<5>, ram_style = "distributed"}
// CHECK-NEXT: %l = dataflow.label_select %o {k = 1 : i64, pe = 1 : i64}

// Impossible foldings and unknown names are one-line errors naming the layer and the value.
// BAD-PE: qnn-opt: error: MVAU_0 (dataflow.mvau): PE = 3 is impossible: it must divide MH = 4
// BAD-NAME: qnn-opt: error: apply-folding: no layer named 'MVAU_7' (layers: MVAU_0, MVAU_1, LabelSelect_0)
// BAD-KEY: qnn-opt: error: LabelSelect_0 (dataflow.label_select) has no SIMD (cannot set it to 2)

// -t folding-json writes the folding apply-folding reads (FINN's format). MVAU_1 takes all
// 4 SIMD lanes: its weights become logic (no BRAM), cheaper than SIMD 1 plus its converter.
// JSON: "Defaults": {},
// JSON-NEXT: "MVAU_0": {
// JSON-NEXT:   "PE": 1,
// JSON-NEXT:   "SIMD": 8,
// JSON-NEXT:   "ram_style": "auto",
// JSON-NEXT:   "mem_mode": "internal_decoupled"
// JSON-NEXT: },
// JSON-NEXT: "MVAU_1": {
// JSON-NEXT:   "PE": 1,
// JSON-NEXT:   "SIMD": 4,
// JSON:      "LabelSelect_0": {
// JSON-NEXT:   "PE": 1
// JSON-NEXT: }

func.func @mlp(%x : tensor<2x8x!quant.uint<2>>) -> tensor<2x1x!quant.uint<2>> {
  %w = quant.constant dense<[[1, -1, 0, 1], [2, 1, 1, 0], [0, 0, 1, -2], [1, 1, 1, 1], [1, 0, 0, 0], [-1, 0, 1, 0], [0, 1, 0, 1], [1, 1, 0, 0]]> : tensor<8x4xi8> -> tensor<8x4x!quant.int<3>>
  %t = quant.constant dense<[[-2, 1, 4]]> : tensor<1x3xi8> -> tensor<1x3x!quant.int<7>>
  %w2 = quant.constant dense<[[1], [-1], [1], [1]]> : tensor<4x1xi8> -> tensor<4x1x!quant.int<2>>
  %r = dataflow.partition(%x) : (tensor<2x8x!quant.uint<2>>) -> tensor<2x1x!quant.uint<2>> {
  ^bb0(%s : !dataflow.stream<8x!quant.uint<2>, lanes 1>):
    %h = dataflow.mvau %s, %w, %t {simd = 1 : i64, pe = 1 : i64, acc_dtype = !quant.int<7>} : (!dataflow.stream<8x!quant.uint<2>, lanes 1>, tensor<8x4x!quant.int<3>>, tensor<1x3x!quant.int<7>>) -> !dataflow.stream<4x!quant.uint<2>, lanes 1>
    %o = dataflow.mvau %h, %w2 {simd = 1 : i64, pe = 1 : i64, acc_dtype = !quant.int<5>} : (!dataflow.stream<4x!quant.uint<2>, lanes 1>, tensor<4x1x!quant.int<2>>) -> !dataflow.stream<1x!quant.int<5>, lanes 1>
    %l = dataflow.label_select %o {k = 1 : i64, pe = 1 : i64} : (!dataflow.stream<1x!quant.int<5>, lanes 1>) -> !dataflow.stream<1x!quant.uint<2>, lanes 1>
    dataflow.yield %l : !dataflow.stream<1x!quant.uint<2>, lanes 1>
  }
  func.return %r : tensor<2x1x!quant.uint<2>>
}
