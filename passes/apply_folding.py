"""`apply-folding{config=path.json}`: apply a FINN folding configuration by layer name.

The file is FINN's format (`ApplyConfig`):

    {"Defaults": {"ram_style": ["block", ["MVAU"]], "mem_mode": ["internal_decoupled", "all"]},
     "MVAU_0": {"PE": 4, "SIMD": 8, "ram_style": "block", "mem_mode": "internal_decoupled"},
     "SWG_0": {"SIMD": 3}}

Layer names are `passes.dataflow_folding.layer_names` (`MVAU_0`, `SWG_1`, ...: per-type
counters in program order); FINN's node names for the same layers (`MVAU_hls_0`,
`ConvolutionInputGenerator_hls_1`, `MatrixVectorActivation_0`, ...) are accepted too
(`finn_alias`). `Defaults` maps a key to `[value, "all"]` or `[value, [node types]]` (ours
or FINN's) and is applied first; then each layer's entry. Keys: `PE`, `SIMD`, `ram_style`,
`mem_mode` (MVAU/VVAU), `ram_style` (SWG, FIFO), `depth` (FIFO). FINN keys with no
counterpart here (`resType`, `runtime_writeable_weights`, `impl_style`, ...) are ignored;
any other key, a value a layer cannot take, or a layer name the partition does not have is
a one-line `FoldingError` (with `allow-unknown=true`, unknown layer names are skipped).
After the settings, the partition's width converters are made canonical
(`passes.dataflow_folding.reconcile`, inputs adapted to the first layer).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xdsl.context import Context
from xdsl.dialects.builtin import IntegerAttr, ModuleOp, i64
from xdsl.passes import ModulePass

from passes import dataflow_folding as fold
from passes.errors import FoldingError
from passes.levels import Level, require_level
from qdialects import dataflow as df
from qdialects.dataflow import naming
from qdialects.dataflow.limits import MEM_MODES, RAM_STYLES


def load_config(path: str | Path) -> dict[str, Any]:
    try:
        with open(path) as f:
            config = json.load(f)
    except OSError as error:
        raise FoldingError(f"apply-folding: cannot read {path}: {error.strerror}") from None
    except json.JSONDecodeError as error:
        raise FoldingError(f"apply-folding: {path} is not valid JSON: {error}") from None
    if not isinstance(config, dict):
        raise FoldingError(f"apply-folding: {path} must hold a JSON object")
    return config


def _apply_entry(
    layer: df.Layer, entry: Mapping[str, Any], names: dict[df.Layer, str], strict: bool
) -> None:
    pe = simd = None
    for key, value in entry.items():
        if key in (fold.PE, fold.SIMD):
            if isinstance(value, bool) or not isinstance(value, int):
                raise FoldingError(
                    f"{fold.describe(layer, names)}: {key} must be an integer, got {value!r}"
                )
            if not fold.has_param(layer, key):
                if not strict:
                    continue
                fold.check(layer, key, value, names)  # raises: the layer has no such key
            if key == fold.PE:
                pe = value
            else:
                simd = value
        elif key in ("ram_style", "mem_mode") and not strict and not fold.has_property(layer, key):
            continue
        elif key == "ram_style":
            fold.set_string(layer, key, value, RAM_STYLES, names)
        elif key == "mem_mode":
            fold.set_string(layer, key, value, MEM_MODES, names)
        elif key == "depth":
            if not isinstance(layer, df.FIFOOp):
                if not strict:
                    continue
                raise FoldingError(f"{fold.describe(layer, names)} has no depth")
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise FoldingError(
                    f"{fold.describe(layer, names)}: depth = {value!r} is impossible: expected "
                    f"an integer >= 1"
                )
            layer.properties["depth"] = IntegerAttr(value, i64)
        elif key in fold.IGNORED_FINN_KEYS:
            continue
        else:
            raise FoldingError(f"{fold.describe(layer, names)}: unknown folding key {key!r}")
    if pe is not None or simd is not None:
        fold.set_params(layer, pe=pe, simd=simd, names=names)


def _defaults(config: Mapping[str, Any], layer: df.Layer) -> dict[str, Any]:
    """The `Defaults` that apply to `layer`'s node type."""
    result: dict[str, Any] = {}
    prefix = naming.layer_prefix(layer)
    kinds = {prefix, *fold.FINN_TYPES.get(prefix, ())}
    for key, spec in dict(config.get("Defaults") or {}).items():
        if not (isinstance(spec, list) and len(spec) == 2):
            raise FoldingError(
                f'apply-folding: Defaults[{key!r}] must be [value, "all" | [node types]]'
            )
        value, types = spec
        if types == "all" or (isinstance(types, list) and kinds & set(types)):
            result[key] = value
    return result


def apply_folding(partition: df.PartitionOp, config: Mapping[str, Any], allow_unknown=False):
    """Apply a FINN folding configuration to `partition` (module docstring)."""
    names = fold.layer_names(partition)
    by_name = {name: layer for layer, name in names.items()}
    config = _resolve_aliases(config, by_name)
    unknown = [n for n in config if n != "Defaults" and n not in by_name]
    if unknown and not allow_unknown:
        raise FoldingError(
            f"apply-folding: no layer named {', '.join(map(repr, unknown))} (layers: "
            f"{', '.join(names.values())})"
        )
    for layer, name in names.items():
        defaults = _defaults(config, layer)
        if defaults:
            _apply_entry(layer, defaults, names, strict=False)
        entry = config.get(name)
        if entry is not None:
            if not isinstance(entry, dict):
                raise FoldingError(f"apply-folding: the entry of {name} must be an object")
            _apply_entry(layer, entry, names, strict=True)
    _check_depthwise_pairs(partition, config, names)
    fold.reconcile(partition, adapt_inputs=True)


def _resolve_aliases(config: Mapping[str, Any], by_name: Mapping[str, object]) -> dict[str, Any]:
    """`config` with FINN node names (`MVAU_hls_0`) renamed to ours (`MVAU_0`)."""
    resolved: dict[str, Any] = {}
    for name, entry in config.items():
        alias = fold.finn_alias(name) if name not in by_name else None
        key = alias if alias is not None and alias in by_name else name
        if key in resolved:
            raise FoldingError(f"apply-folding: {name!r} names the layer {key} twice")
        resolved[key] = entry
    return resolved


def _check_depthwise_pairs(
    partition: df.PartitionOp, config: Mapping[str, Any], names: dict[df.Layer, str]
) -> None:
    """A config that gives a depthwise SWG's SIMD and its VVAU's PE must agree."""
    for layer in partition.layers():
        if not isinstance(layer, df.VVAUOp):
            continue
        swg = fold.depthwise_producer(layer)
        if swg is None:
            continue
        swg_simd = dict(config.get(names[swg]) or {}).get(fold.SIMD)
        vvau_pe = dict(config.get(names[layer]) or {}).get(fold.PE)
        if swg_simd is not None and vvau_pe is not None and swg_simd != vvau_pe:
            raise FoldingError(
                f"{fold.describe(swg, names)}: SIMD = {swg_simd} is impossible: it must equal "
                f"the PE ({vvau_pe}) of the depthwise {fold.describe(layer, names)} it feeds"
            )


@dataclass(frozen=True)
class ApplyFoldingPass(ModulePass):
    """Apply the FINN folding JSON at `config` (see the module docstring)."""

    name = "apply-folding"

    config: str = ""
    allow_unknown: bool = False

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        if not self.config:
            raise FoldingError("apply-folding: give the folding JSON as config=PATH")
        config = load_config(self.config)
        require_level(op, self.name, Level.DATAFLOW)
        partition = df.find_partition(op, self.name)
        if partition is not None:
            apply_folding(partition, config, self.allow_unknown)
