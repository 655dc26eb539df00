"""Folding: `refold` keeps the function, `set-folding` meets its targets, `apply-folding`
round-trips with `write_folding_json`, impossible foldings are one-line errors, and the
estimates of a folded layer are FINN's formulas (computed here independently)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from backend_hls.estimates_target import estimates_report
from frontend import import_qonnx
from passes import dataflow_folding as fold
from passes.apply_folding import apply_folding
from passes.errors import FoldingError
from passes.pipeline import run_pipeline
from passes.set_folding import fold_partition, folding_notes, target_cycles
from qdialects import dataflow as df
from qdialects.ir import parse_module, print_module
from qdialects.semantics import execute

MODELS = Path(__file__).resolve().parents[1] / "models"
TO_DATAFLOW = "lower-quant-to-streamline,streamline,convert-to-dataflow"
RNG = np.random.default_rng(7)
_CONVERTED: dict[str, str] = {}


def converted(name: str):
    """A fixture model after convert-to-dataflow (PE = SIMD = 1), parsed afresh."""
    if name not in _CONVERTED:
        module = import_qonnx(MODELS / f"{name}.onnx")
        run_pipeline(module, TO_DATAFLOW)
        _CONVERTED[name] = print_module(module)
    return parse_module(_CONVERTED[name])


def partition_of(module) -> df.PartitionOp:
    return df.require_partition(module, "test")


def sample_inputs(name: str, n: int = 3) -> list[np.ndarray]:
    x = np.load(MODELS / f"{name}.in.npy")
    images = [x] + [RNG.integers(0, 256, size=x.shape).astype(np.float32) / 255 for _ in range(n)]
    return images


def outputs(module, inputs: list[np.ndarray]) -> list[np.ndarray]:
    return [execute(module, [x])[0] for x in inputs]


def assert_same(a: list[np.ndarray], b: list[np.ndarray]) -> None:
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)


# --------------------------------------------------------------------------- refold


MLP = """
func.func @main(%x : tensor<3x8x!quant.uint<2>>) -> tensor<3x1x!quant.uint<2>> {
  %w = quant.constant dense<[[1, -1, 0, 1], [2, 1, 1, 0], [0, 0, 1, -2], [1, 1, 1, 1], [1, 0, 0, 0], [-1, 0, 1, 0], [0, 1, 0, 1], [1, 1, 0, 0]]> : tensor<8x4xi8> -> tensor<8x4x!quant.int<3>>
  %t = quant.constant dense<[[-2, 1, 4]]> : tensor<1x3xi8> -> tensor<1x3x!quant.int<7>>
  %w2 = quant.constant dense<[[1], [-1], [1], [1]]> : tensor<4x1xi8> -> tensor<4x1x!quant.int<2>>
  %r = dataflow.partition(%x) : (tensor<3x8x!quant.uint<2>>) -> tensor<3x1x!quant.uint<2>> {
  ^bb0(%s : !dataflow.stream<8x!quant.uint<2>, lanes 1>):
    %h = dataflow.mvau %s, %w, %t {simd = 1 : i64, pe = 1 : i64, acc_dtype = !quant.int<7>} : (!dataflow.stream<8x!quant.uint<2>, lanes 1>, tensor<8x4x!quant.int<3>>, tensor<1x3x!quant.int<7>>) -> !dataflow.stream<4x!quant.uint<2>, lanes 1>
    %o = dataflow.mvau %h, %w2 {simd = 1 : i64, pe = 1 : i64, acc_dtype = !quant.int<5>} : (!dataflow.stream<4x!quant.uint<2>, lanes 1>, tensor<4x1x!quant.int<2>>) -> !dataflow.stream<1x!quant.int<5>, lanes 1>
    %l = dataflow.label_select %o {k = 1 : i64, pe = 1 : i64} : (!dataflow.stream<1x!quant.int<5>, lanes 1>) -> !dataflow.stream<1x!quant.uint<2>, lanes 1>
    dataflow.yield %l : !dataflow.stream<1x!quant.uint<2>, lanes 1>
  }
  func.return %r : tensor<3x1x!quant.uint<2>>
}
"""


def test_refold_mlp_on_random_integers_and_converters() -> None:
    module = parse_module(MLP)
    x = RNG.integers(0, 4, size=(3, 8))
    before = execute(module, [x])[0]
    mvau0, mvau1, _ = partition_of(module).layers()
    fold.refold(mvau0, pe=2, simd=4)
    fold.refold(mvau1, simd=4)
    module.verify()
    dwcs = [op for op in partition_of(module).layers() if isinstance(op, df.DWCOp)]
    assert [(d.input_widths(), d.output_widths()) for d in dwcs] == [((4,), (8,))]
    assert isinstance(mvau0, df.MVAUOp)
    assert df.stream_type(partition_of(module).block.args[0]).lanes == 4
    np.testing.assert_array_equal(execute(module, [x])[0], before)
    # back to agreeing lanes: the converter goes away
    fold.refold(mvau1, simd=2)
    module.verify()
    assert not any(isinstance(op, df.DWCOp) for op in partition_of(module).layers())
    np.testing.assert_array_equal(execute(parse_module(print_module(module)), [x])[0], before)


@pytest.mark.parametrize("name", ["cnv_like", "tfc_like_ts", "depthwise_sep", "residual"])
def test_random_refolds_keep_execute_results(name: str) -> None:
    module = converted(name)
    inputs = sample_inputs(name)
    before = outputs(module, inputs)
    rng = np.random.default_rng(11)
    for _ in range(2):
        for layer in partition_of(module).layers():
            options = fold.choices(layer)
            if not options or (isinstance(layer, df.SWGOp) and layer.is_depthwise):
                continue  # converters come and go; a depthwise swg follows its vvau
            pe = int(rng.choice(options[fold.PE])) if fold.PE in options else None
            simd = int(rng.choice(options[fold.SIMD])) if fold.SIMD in options else None
            fold.refold(layer, pe=pe, simd=simd)
        module.verify()
        assert_same(outputs(parse_module(print_module(module)), inputs), before)


def test_depthwise_pair_folds_together() -> None:
    module = converted("depthwise_sep")
    partition = partition_of(module)
    vvau = next(op for op in partition.layers() if isinstance(op, df.VVAUOp))
    swg = fold.depthwise_producer(vvau)
    assert swg is not None
    fold.refold(vvau, pe=2)
    assert fold.params(swg) == {fold.SIMD: 2}
    fold.refold(swg, simd=1)
    assert fold.params(vvau)[fold.PE] == 1
    module.verify()
    with pytest.raises(FoldingError, match=r"VVAU_0 \(dataflow.vvau\): SIMD = 3 is impossible"):
        fold.refold(vvau, simd=3)


def test_parallel_window_refolds_keep_execute_results() -> None:
    module = converted("cnv_like")
    partition = partition_of(module)
    inputs = sample_inputs("cnv_like", n=1)
    before = outputs(module, inputs)
    swg = next(op for op in partition.layers() if isinstance(op, df.SWGOp))
    mvau = next(op for op in partition.layers() if isinstance(op, df.MVAUOp))
    _, _, c = swg.ifm_dims()
    mw, _ = mvau.matrix_shape()
    assert fold.choices(swg)[fold.WINDOW] == [0, 1]
    with pytest.raises(
        FoldingError,
        match=rf"SWG_0 \(dataflow.swg\): parallel_window = 1 is impossible at SIMD = 1: it "
        rf"needs SIMD = C = {c}$",
    ):
        fold.refold(swg, window=1)
    fold.refold(swg, simd=c, window=1)
    fold.refold(mvau, simd=mw)
    assert fold.params(swg) == {fold.SIMD: c, fold.WINDOW: 1}
    assert df.stream_type(swg.result).lanes == mw  # the whole window: no converter
    assert mvau.x is swg.result or isinstance(mvau.x.owner, df.FIFOOp)
    module.verify()
    assert_same(outputs(parse_module(print_module(module)), inputs), before)
    fold.refold(swg, simd=1)  # a SIMD below C drops the window
    assert fold.params(swg) == {fold.SIMD: 1, fold.WINDOW: 0}
    apply_folding(partition, {"SWG_0": {"SIMD": c, "parallel_window": 1}})
    assert swg.is_parallel_window
    with pytest.raises(FoldingError, match=r"SWG_0 \(dataflow.swg\): parallel_window = 2 must"):
        apply_folding(partition, {"SWG_0": {"parallel_window": 2}})
    module.verify()
    assert_same(outputs(parse_module(print_module(module)), inputs), before)


def test_impossible_folding_is_one_line_naming_layer_and_value() -> None:
    module = converted("tfc_like_ts")
    mvau = partition_of(module).layers()[0]
    assert isinstance(mvau, df.MVAUOp)
    _, mh = mvau.matrix_shape()
    bad = next(v for v in range(2, mh) if mh % v)
    with pytest.raises(FoldingError) as error:
        fold.refold(mvau, pe=bad)
    message = str(error.value)
    assert "\n" not in message.strip()
    assert message == f"MVAU_0 (dataflow.mvau): PE = {bad} is impossible: it must divide MH = {mh}"
    with pytest.raises(FoldingError, match="SIMD = 0 is impossible: it must divide MW"):
        fold.refold(mvau, simd=0)
    label = partition_of(parse_module(MLP)).layers()[-1]
    with pytest.raises(FoldingError, match=r"LabelSelect_0 \(dataflow.label_select\) has no SIMD"):
        fold.refold(label, simd=2)


# --------------------------------------------------------------------------- set-folding


@pytest.mark.parametrize(
    ("name", "targets"),
    [("cnv_like", [100, 3000, 30000, 1e6]), ("tfc_like_ts", [1000, 1e5, 1e6, 1e8])],
)
def test_set_folding_meets_reachable_targets(name: str, targets: list[float]) -> None:
    inputs = sample_inputs(name, n=1)
    reference = outputs(converted(name), inputs)
    for fps in targets:
        module = converted(name)
        partition = partition_of(module)
        result = fold_partition(partition, fps, 10.0)
        module.verify()
        cycles = partition.cycles_per_frame()
        target = target_cycles(fps, 10.0)
        notes = folding_notes(partition)
        if not notes:
            assert cycles <= target, (fps, cycles)
        else:
            # unreachable: the network runs at its slowest fully unfolded layer
            assert cycles > target
            assert all(n.startswith("target not reachable: layer ") for n in notes)
            slowest = max(u.fully_unfolded().cycles for u in result.units if u.note)
            assert cycles == slowest
        # every layer meets the effective target; folding is not wasted: one step less
        # parallel on each layer's choice would miss it (least parallel folding)
        effective = max(target, cycles)
        for unit in result.units:
            assert unit.chosen is not None and unit.chosen.cycles <= effective
        report = estimates_report(module)
        assert [entry["name"] for entry in report["layers"]] == list(
            fold.layer_names(partition).values()
        )
        assert report["network"]["max_cycles"] == cycles
        assert report["folding"]["target_met"] == (not notes)
        assert_same(outputs(module, inputs), reference)


def test_set_folding_prefers_least_parallel_then_cheapest() -> None:
    module = parse_module(MLP)
    partition = partition_of(module)
    fold_partition(partition, 2e7, 10.0)  # 5 cycles: MVAU_0 needs PE*SIMD >= 7
    mvau0 = partition.layers()[0]
    assert fold.params(mvau0) == {fold.PE: 1, fold.SIMD: 8}  # PE*SIMD = 8, one PE
    # unreachable without relaxation: the label select needs 2 cycles
    module = parse_module(MLP)
    partition = partition_of(module)
    fold_partition(partition, 1e8, 10.0, relax=False)
    assert folding_notes(partition) == [
        "target not reachable: layer LabelSelect_0 needs 2 cycles per frame even fully "
        "unfolded (PE=1), the target is 1 cycles (1e+08 fps at 10 ns)"
    ]
    assert fold.params(partition.layers()[0]) == {fold.PE: 4, fold.SIMD: 8}


def test_weight_width_cap() -> None:
    module = converted("tfc_like_ts")
    partition = partition_of(module)
    result = fold_partition(partition, 2e5, 10.0, max_weight_width=4)
    for unit in result.units:
        if isinstance(unit.layer, df.MVAUOp) and unit.chosen and unit.chosen.within_cap:
            assert (unit.chosen.simd or 1) * unit.layer.weight_dtype().bitwidth <= 4


# --------------------------------------------------------------------------- apply-folding


@pytest.mark.parametrize("name", ["cnv_like", "depthwise_sep", "tfc_like_ts"])
def test_apply_folding_round_trips_write_folding_json(name: str, tmp_path: Path) -> None:
    folded = converted(name)
    fold_partition(partition_of(folded), 50000, 10.0)
    config = fold.write_folding_json(folded)
    assert config["Defaults"] == {}
    path = tmp_path / "folding.json"
    path.write_text(json.dumps(config))
    fresh = converted(name)
    run_pipeline(fresh, f'apply-folding{{config="{path}"}}')
    assert fold.write_folding_json(fresh) == config
    for attr in ("set_folding", "folding_notes"):
        partition_of(folded).attributes.pop(attr, None)
    assert print_module(fresh) == print_module(folded)


def test_apply_folding_defaults_aliases_and_errors() -> None:
    module = converted("tfc_like_ts")
    partition = partition_of(module)
    config = {
        "Defaults": {"ram_style": ["distributed", ["MVAU_hls"]], "mem_mode": ["external", "all"]},
        "MVAU_hls_0": {"PE": 2, "SIMD": 4, "resType": "lut"},
    }
    apply_folding(partition, config)
    mvau0 = partition.layers()[0]
    assert fold.layer_config(mvau0) == {
        "PE": 2,
        "SIMD": 4,
        "ram_style": "distributed",
        "mem_mode": "external",
    }
    with pytest.raises(FoldingError, match="no layer named 'MVAU_99'"):
        apply_folding(partition, {"MVAU_99": {"PE": 1}})
    apply_folding(partition, {"MVAU_99": {"PE": 1}}, allow_unknown=True)
    with pytest.raises(FoldingError, match="unknown folding key 'PEE'"):
        apply_folding(partition, {"MVAU_0": {"PEE": 1}})
    with pytest.raises(FoldingError, match="ram_style = 'huge' is impossible"):
        apply_folding(partition, {"MVAU_0": {"ram_style": "huge"}})


# --------------------------------------------------------------------------- estimates


def finn_bram18(depth: int, width: int) -> int:
    """FINN-R's BRAM18 bands (`qdialects.dataflow.estimates.memory_bram18`), written out
    again here."""
    if width == 1:
        return math.ceil(depth / 16384)
    if width == 2:
        return math.ceil(depth / 8192)
    if width <= 4:
        return math.ceil(depth / 4096) * math.ceil(width / 4)
    if width <= 9:
        return math.ceil(depth / 2048) * math.ceil(width / 9)
    if width <= 18 or depth > 512:
        return math.ceil(depth / 1024) * math.ceil(width / 18)
    return math.ceil(depth / 512) * math.ceil(width / 36)


def finn_mvau_luts(pe, simd, w, a, acc, n, mh) -> int:
    """FINN-R's LUT formula, `300 + 1.1·PE·(SIMD·(2⌈(W+A)/6⌉-1)·(W+A) + (W+A)(2·SIMD-1)
    + acc + thresholds)`, thresholds as documented in qdialects.dataflow.estimates: N comparators
    of acc bits plus N·acc·⌈(MH/PE)/64⌉ LUTRAM."""
    wa = w + a
    thresholds = n * acc + n * acc * math.ceil(mh / pe / 64) if n else 0
    per_pe = simd * (2 * math.ceil(wa / 6) - 1) * wa + wa * (2 * simd - 1) + acc + thresholds
    return int(300 + 1.1 * pe * per_pe)


@pytest.mark.parametrize("fps", [2000, 20000])
def test_folded_mvau_estimates_are_finns_formulas(fps: int) -> None:
    module = converted("cnv_like")
    partition = partition_of(module)
    apply_folding(partition, {"Defaults": {"mem_mode": ["internal_decoupled", ["MVAU"]]}})
    fold_partition(partition, fps, 10.0)
    checked = 0
    for layer in partition.layers():
        if not isinstance(layer, df.MVAUOp) or layer.is_fully_unfolded():
            continue
        mw, mh = layer.matrix_shape()
        pe, simd = layer.pe_value, layer.simd_value
        w = layer.weight_dtype().bitwidth
        a = df.stream_type(layer.x).element.bitwidth
        acc = layer.acc_dtype.bitwidth
        n = layer.num_thresholds()
        depth, width = mw * mh // (pe * simd), pe * simd * w
        resources = layer.estimates()
        assert resources.bram18 == finn_bram18(depth, width)
        assert resources.lut == finn_mvau_luts(pe, simd, w, a, acc, n, mh)
        assert layer.cycles_per_frame() == (mh // pe) * (mw // simd) * layer.vectors()
        checked += 1
    assert checked >= 3


def test_estimates_report_totals_and_fps() -> None:
    module = converted("cnv_like")
    partition = partition_of(module)
    fold_partition(partition, 20000, 5.0)
    report = estimates_report(module)
    assert report["clock_ns"] == 5.0  # set-folding's clock unless the target says otherwise
    network = report["network"]
    assert network["estimated_fps"] == pytest.approx(1e9 / (5.0 * network["max_cycles"]), 0.1)
    assert network["latency_cycles"] == sum(entry["cycles"] for entry in report["layers"])
    for key in ("LUT", "BRAM_18K", "URAM", "DSP"):
        assert network["totals"][key] == sum(entry[key] for entry in report["layers"])
    assert estimates_report(module, 10.0)["network"]["estimated_fps"] == pytest.approx(
        network["estimated_fps"] / 2, 0.1
    )
