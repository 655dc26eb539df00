"""The constant tables of a layer (`hls/params/<layer>.h`): packed weight words and typed
thresholds/parameters, PE-interleaved, written once as literals that initialize an
`ap_(u)int` array under synthesis and a plain array converted at start-up in C simulation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from xdsl.ir import Operation, SSAValue

from backend_hls.emit_cpp.cxx import MARKER, EmitError, cpp_type, word_type
from backend_hls.runtime.packing import hex_literals, pack_words
from qdialects.dataflow.limits import AP_INT_MAX_W
from qdialects.quant import constant_value
from qdialects.types import (
    BipolarType,
    QDataType,
    element_datatype,
)


@dataclass
class Table:
    """A constant table of a layer (`hls/params/<layer>.h`)."""

    name: str
    element: str  # the C++ element type under synthesis
    raw: str  # the plain C++ element type C simulation compiles the literals as
    dims: tuple[int, ...]
    rows: list[str]  # the initializer of each innermost row, without braces
    comment: str


def _nest(rows: list[str], dims: tuple[int, ...], depth: int = 0) -> str:
    """The brace-nested initializer of an array with `dims` from its innermost rows."""
    if len(dims) == 1:
        assert len(rows) == 1
        return "{" + rows[0] + "}"
    pad = "  " * (depth + 1)
    if len(dims) == 2:
        items = ["{" + r.replace("\n", "\n" + pad + " ") + "}" for r in rows]
    else:
        per = len(rows) // dims[0]
        items = [_nest(rows[i * per : (i + 1) * per], dims[1:], depth + 1) for i in range(dims[0])]
    return "{\n" + ",\n".join(pad + item for item in items) + "\n" + "  " * depth + "}"


def word_table(
    name: str, codes: np.ndarray, bits: int, lanes_comment: str, what: str
) -> tuple[Table, int]:
    """A table of packed words from lane codes `(D0, D1, lanes)`; returns it and the word
    width."""
    d0, d1, lanes = codes.shape
    width = lanes * bits
    if width > AP_INT_MAX_W:
        raise EmitError(
            f"{what}: {width}-bit words exceed AP_INT_MAX_W = {AP_INT_MAX_W}; fold the layer"
        )
    packed = pack_words(codes, bits)  # (d0, d1, nbytes)
    rows = hex_literals(packed, width)
    raw = "unsigned long long" if width <= 64 else "const char *"
    return Table(name, word_type(width), raw, (d0, d1), rows, lanes_comment), width


def _int_literal(value: int) -> str:
    if value == -(1 << 63):
        return "(-9223372036854775807LL - 1)"
    if value >= 1 << 63:
        return f"{value}ULL"
    return str(value)


def value_table(
    name: str, values: np.ndarray, datatype: QDataType, what: str, comment: str
) -> Table:
    """A table of typed integers (decimal literals); checks every value fits `datatype`."""
    values = np.asarray(values, dtype=np.int64)
    if values.size and (
        int(values.min()) < datatype.min_value or int(values.max()) > datatype.max_value
    ):
        raise EmitError(
            f"{what}: values [{int(values.min())}, {int(values.max())}] do not fit their "
            f"datatype {datatype}"
        )
    if isinstance(datatype, BipolarType):
        raise EmitError(f"{what}: bipolar tables are not supported")
    flat = values.reshape(-1, values.shape[-1])
    if datatype.bitwidth >= 63:
        rows = [", ".join(_int_literal(int(v)) for v in row) for row in flat.tolist()]
    else:
        rows = [", ".join(map(str, row)) for row in flat.tolist()]
    raw = "unsigned long long" if not datatype.signed and datatype.bitwidth == 64 else "long long"
    return Table(name, cpp_type(datatype), raw, tuple(values.shape), rows, comment)


def pe_interleave(per_channel: np.ndarray, pe: int) -> np.ndarray:
    """`(C, ...)` -> `(PE, C/PE, ...)` with `[p][n] = [n*PE + p]`."""
    c = per_channel.shape[0]
    rest = per_channel.shape[1:]
    return np.ascontiguousarray(per_channel.reshape(c // pe, pe, *rest).swapaxes(0, 1))


def integer_constant(value: SSAValue, what: str) -> tuple[np.ndarray, QDataType]:
    array = constant_value(value)
    datatype = element_datatype(value.type)
    if array is None or datatype is None:
        raise EmitError(f"{what} must be an integer quant.constant")
    return np.asarray(array, dtype=np.int64), datatype


def channel_rows(table: np.ndarray, channels: int) -> np.ndarray:
    """A `C x N` or `1 x N` (or `C`/`1`) table with one row per channel."""
    if table.shape[0] == channels:
        return table
    return np.repeat(table, channels, axis=0)


_CSIM_TABLES = """\
#ifndef __SYNTHESIS__
#ifndef QNN_CSIM_TABLES
#define QNN_CSIM_TABLES
namespace qnn {
namespace csim {
// C simulation only: g++ compiles large initializer lists of ap_(u)int objects very slowly
// (each element is a dynamic initialization), so the literals below initialize plain
// integer (or, for words wider than 64 bits, string) arrays, converted once at start-up.
template <typename T, typename R, unsigned D0, unsigned D1>
struct table2 {
  T data[D0][D1];
  explicit table2(const R (&raw)[D0][D1]) {
    for (unsigned i = 0; i < D0; i++)
      for (unsigned j = 0; j < D1; j++) data[i][j] = T(raw[i][j]);
  }
};
template <typename T, typename R, unsigned D0, unsigned D1, unsigned D2>
struct table3 {
  T data[D0][D1][D2];
  explicit table3(const R (&raw)[D0][D1][D2]) {
    for (unsigned i = 0; i < D0; i++)
      for (unsigned j = 0; j < D1; j++)
        for (unsigned k = 0; k < D2; k++) data[i][j][k] = T(raw[i][j][k]);
  }
};
}  // namespace csim
}  // namespace qnn
#endif
#endif
"""


def params_source(op: Operation, name: str, tables: Sequence[Table]) -> str:
    guard = f"QNN_PARAMS_{name.upper()}_H"
    lines = [
        f"// {name} ({op.name}): constant tables, PE-interleaved (hls/lib/README.md).",
        MARKER,
        f"#ifndef {guard}",
        f"#define {guard}",
        "",
        "#include <qnn/common.h>",
        "",
        _CSIM_TABLES,
        f"namespace qnn {{\nnamespace params {{\nnamespace {name} {{",
    ]
    for t in tables:
        dims = "".join(f"[{d}]" for d in t.dims)
        init = _nest(t.rows, t.dims)
        lines += [
            "",
            f"// {t.comment}",
            "#ifdef __SYNTHESIS__",
            f"static const {t.element} {t.name}{dims} =",
            "#else",
            f"static {t.raw} const {t.name}_raw{dims} =",
            "#endif",
            f"{init};",
            "#ifndef __SYNTHESIS__",
            f"static const qnn::csim::table{len(t.dims)}<{t.element}, {t.raw}, "
            f"{', '.join(map(str, t.dims))}> {t.name}_table({t.name}_raw);",
            f"static const {t.element} (&{t.name}){dims} = {t.name}_table.data;",
            "#endif",
        ]
    lines += ["", f"}}  // namespace {name}\n}}  // namespace params\n}}  // namespace qnn", ""]
    lines.append(f"#endif  // {guard}")
    return "\n".join(lines) + "\n"
