"""The names of a partition's layers and stream ports, which every backend, report and
folding file shares (they meet in the stitched design, in reports and in FINN folding
configurations). Call the functions below; never re-derive a name elsewhere.

* `layer_names(partition) -> {op: name}`: every layer op of the partition (including
  `dataflow.fifo` and `dataflow.reshape`) in program order, FINN-style per-type counters:
  `MVAU_0, MVAU_1, SWG_0, FMPadding_0, DWC_0, FIFO_0, ...` (the prefix table is
  `PREFIXES`). A layer may carry a discardable `qnn.name` string attribute to choose its
  name; it is sanitized (below) and de-duplicated. Generated names skip names already
  taken.
* `port_names(layer) -> (inputs, outputs)`: `in0_V, in1_V, ...` for the layer's stream
  operands in operand order (weights/threshold tensors are not ports: they are compiled
  into the kernel), `out0_V, out1_V, ...` for its stream results (FINN's convention).
* `sanitize(text, fallback)`: any string -> a name that is safe everywhere it is used:
  a C/C++ identifier that is no C++/Verilog/VHDL keyword and no reserved name (`qnn`,
  `hls`, `std`, `main`, `top`), with no double underscore (Vitis HLS renames such tops),
  starting with a letter, ASCII `[A-Za-z0-9_]`, at most `MAX_NAME` characters. Names are
  de-duplicated case-insensitively (VHDL and some file systems ignore case).

Because every name passes `sanitize`, it is also a plain Vivado object name (no glob
characters for `get_bd_*` queries) and a plain file name.
"""

from __future__ import annotations

import re

from xdsl.dialects.builtin import StringAttr
from xdsl.ir import Operation

from qdialects.dataflow.ops import PartitionOp
from qdialects.dataflow.types import StreamType

NAME_ATTR = "qnn.name"
"""Discardable attribute a layer may carry to choose its name (sanitized)."""
MAX_NAME = 48

PREFIXES: dict[str, str] = {
    "dataflow.mvau": "MVAU",
    "dataflow.vvau": "VVAU",
    "dataflow.swg": "SWG",
    "dataflow.fm_padding": "FMPadding",
    "dataflow.thresholding": "Thresholding",
    "dataflow.maxpool": "MaxPool",
    "dataflow.pool": "Pool",
    "dataflow.global_acc_pool": "GlobalAccPool",
    "dataflow.add_streams": "AddStreams",
    "dataflow.duplicate_streams": "DuplicateStreams",
    "dataflow.channelwise": "Channelwise",
    "dataflow.label_select": "LabelSelect",
    "dataflow.concat": "Concat",
    "dataflow.upsample": "Upsample",
    "dataflow.depth_to_space": "DepthToSpace",
    "dataflow.slice": "Slice",
    "dataflow.dwc": "DWC",
    "dataflow.fifo": "FIFO",
    "dataflow.reshape": "Reshape",
}
"""Layer op name -> the name prefix of its layers (FINN's names, shortened)."""

_CXX_KEYWORDS = """
alignas alignof and and_eq asm auto bitand bitor bool break case catch char char8_t char16_t
char32_t class compl concept const consteval constexpr constinit const_cast continue co_await
co_return co_yield decltype default delete do double dynamic_cast else enum explicit export
extern false float for friend goto if inline int long mutable namespace new noexcept not not_eq
nullptr operator or or_eq private protected public register reinterpret_cast requires return
short signed sizeof static static_assert static_cast struct switch template this thread_local
throw true try typedef typeid typename union unsigned using virtual void volatile wchar_t while
xor xor_eq final override import module restrict
"""
_HDL_KEYWORDS = """
always assign automatic begin buf case casex casez cell config deassign default defparam design
disable edge else end endcase endconfig endfunction endgenerate endmodule endprimitive
endspecify endtable endtask event for force forever fork function generate genvar highz0
highz1 if ifnone incdir include initial inout input instance integer join large liblist
library localparam macromodule medium module nand negedge nmos nor noshowcancelled not
notif0 notif1 or output parameter pmos posedge primitive pull0 pull1 pulldown pullup
pulsestyle_onevent pulsestyle_ondetect rcmos real realtime reg release repeat rnmos rpmos
rtran rtranif0 rtranif1 scalared showcancelled signed small specify specparam strong0
strong1 supply0 supply1 table task time tran tranif0 tranif1 tri tri0 tri1 triand trior
trireg unsigned use uwire vectored wait wand weak0 weak1 while wire wor xnor xor logic bit
byte abs access after alias all architecture array assert attribute block body buffer bus
component configuration constant disconnect downto elsif entity exit file group guarded impure
in inertial is label linkage literal loop map mod new next null of on open others out package
port postponed procedure process pure range record register reject rem report return rol ror
select severity shared signal sla sll sra srl subtype then to transport type unaffected units
until variable
"""
RESERVED: frozenset[str] = frozenset(
    [*(_CXX_KEYWORDS + _HDL_KEYWORDS).split(), "qnn", "hls", "std", "main", "top", "ap_clk"]
)
"""Lower-case names `sanitize` never returns (C++, Verilog and VHDL keywords, names of
the HLS library's namespaces and of the generated top)."""

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*(_[A-Za-z0-9]+)*")


def is_safe_name(name: str) -> bool:
    """True when `name` is what `sanitize` produces (and may be used unquoted anywhere)."""
    return (
        len(name) <= MAX_NAME
        and _NAME.fullmatch(name) is not None
        and name.lower() not in RESERVED
        and name.isascii()
    )


def sanitize(text: str, fallback: str = "L") -> str:
    """`text` made a safe name (see the module docstring); `fallback` (itself safe) when
    nothing of `text` survives. Deterministic: the same text gives the same name."""
    name = re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_")
    if not name:
        name = fallback
    if not name[0].isalpha():
        name = f"{fallback}_{name}"
    name = name[:MAX_NAME].rstrip("_")
    if name.lower() in RESERVED:
        name = f"{fallback}_{name}"[:MAX_NAME].rstrip("_")
    assert is_safe_name(name), name
    return name


def unique(name: str, taken: set[str]) -> str:
    """`name`, or `name_2`, `name_3`, ... : the first one not in `taken` (compared
    case-insensitively); the result is added to `taken` (lower-cased)."""
    candidate, n = name, 1
    while candidate.lower() in taken:
        n += 1
        suffix = f"_{n}"
        candidate = name[: MAX_NAME - len(suffix)].rstrip("_") + suffix
    taken.add(candidate.lower())
    return candidate


def layer_prefix(op: Operation) -> str:
    """The name prefix of a layer op (`PREFIXES`, else its op name in CamelCase)."""
    prefix = PREFIXES.get(op.name)
    if prefix is None:
        tail = op.name.split(".")[-1]
        prefix = sanitize("".join(part.capitalize() for part in tail.split("_")), "Layer")
    return prefix


def layer_names(partition: PartitionOp) -> dict[Operation, str]:
    """Every layer of `partition` -> its name, in program order (module docstring)."""
    names: dict[Operation, str] = {}
    taken: set[str] = set()
    counters: dict[str, int] = {}
    for op in partition.layers():
        chosen = op.attributes.get(NAME_ATTR)
        if isinstance(chosen, StringAttr):
            names[op] = unique(sanitize(chosen.data, layer_prefix(op)), taken)
            continue
        prefix = layer_prefix(op)
        while True:
            count = counters.get(prefix, 0)
            counters[prefix] = count + 1
            candidate = f"{prefix}_{count}"
            if candidate.lower() not in taken:
                break
        taken.add(candidate.lower())
        names[op] = candidate
    return names


def port_names(layer: Operation) -> tuple[list[str], list[str]]:
    """(`in0_V, ...` per stream operand, `out0_V, ...` per stream result) of a layer."""
    n_in = sum(isinstance(v.type, StreamType) for v in layer.operands)
    n_out = sum(isinstance(r.type, StreamType) for r in layer.results)
    return [f"in{i}_V" for i in range(n_in)], [f"out{i}_V" for i in range(n_out)]
