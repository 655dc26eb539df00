"""Counting a synthesized netlist's cells as FPGA resources, per family.

Yosys's `stat -json` lists the cells of a module by type (`LUT4`, `FDRE`, `RAMB18E1`,
...); `resources(cells, family)` folds them into the family's resource kinds. For Xilinx
parts: `LUT` (LUT1-LUT6), `LUTRAM` (LUTs used as distributed RAM or shift registers, in
LUTs: a RAM64M is 4), `FF`, `CARRY4` (`CARRY8` on UltraScale+), `BRAM18` (a RAMB36 is 2),
`DSP48`. For ECP5: `LUT` (LUT4; a CCU2C carry cell holds 2 more), `LUTRAM` (a
TRELLIS_DPR16X4 is 2 LUT4s of a slice... counted as 1 cell), `FF`, `CARRY` (CCU2C),
`BRAM18` (DP16KD, 18 Kib), `DSP` (MULT18X18D). Cells of no kind (I/O and clock buffers,
MUXF7/8 that live inside slices) are not counted; unknown cells are listed under `other`.
"""

from __future__ import annotations

XILINX_CELLS: dict[str, tuple[str, int]] = {
    **{f"LUT{n}": ("LUT", 1) for n in range(1, 7)},
    "INV": ("LUT", 1),
    **{name: ("FF", 1) for name in ("FDRE", "FDSE", "FDCE", "FDPE", "LDCE", "LDPE")},
    "CARRY4": ("CARRY4", 1),
    "CARRY8": ("CARRY8", 1),
    "RAMB18E1": ("BRAM18", 1),
    "RAMB36E1": ("BRAM18", 2),
    "RAMB18E2": ("BRAM18", 1),
    "RAMB36E2": ("BRAM18", 2),
    "DSP48E1": ("DSP48", 1),
    "DSP48E2": ("DSP48", 1),
    **{name: ("LUTRAM", 1) for name in ("RAM32X1S", "RAM64X1S", "SRL16E", "SRLC16E", "SRLC32E")},
    **{name: ("LUTRAM", 2) for name in ("RAM32X1D", "RAM64X1D", "RAM128X1S")},
    **{name: ("LUTRAM", 4) for name in ("RAM128X1D", "RAM256X1S", "RAM32M", "RAM64M")},
    **{name: ("LUTRAM", 8) for name in ("RAM32M16", "RAM64M8", "RAM256X1D")},
}
"""Xilinx 7-series / UltraScale cell -> (resource, how many of it the cell is)."""

ECP5_CELLS: dict[str, tuple[str, int]] = {
    "LUT4": ("LUT", 1),
    "TRELLIS_FF": ("FF", 1),
    "CCU2C": ("CARRY", 1),
    "TRELLIS_DPR16X4": ("LUTRAM", 1),
    "DP16KD": ("BRAM18", 1),
    "PDPW16KD": ("BRAM18", 1),
    "MULT18X18D": ("DSP", 1),
    "ALU54B": ("DSP", 1),
}
"""Lattice ECP5 cell -> (resource, count)."""

IGNORED_CELLS = frozenset(
    {
        "MUXF7",
        "MUXF8",
        "MUXF9",
        "BUFG",
        "BUFGCTRL",
        "IBUF",
        "OBUF",
        "IOBUF",
        "GND",
        "VCC",
        "PFUMX",
        "L6MUX21",
        "TRELLIS_IO",
        "$scopeinfo",
    }
)
"""Cells that are not resources of their own (slice muxes, buffers, constants)."""

XILINX_KINDS = ("LUT", "LUTRAM", "FF", "CARRY4", "BRAM18", "DSP48")
ECP5_KINDS = ("LUT", "LUTRAM", "FF", "CARRY", "BRAM18", "DSP")


def kinds(family: str) -> tuple[str, ...]:
    """The resource kinds a report of `family` lists, in order."""
    return ECP5_KINDS if family == "ecp5" else XILINX_KINDS


def resources(cells: dict[str, int], family: str) -> dict[str, int]:
    """`cells` (type -> count) as the resources of `family` (module docstring); cell types
    of no known kind go to `other` (a dictionary) when there are any."""
    table = ECP5_CELLS if family == "ecp5" else XILINX_CELLS
    totals: dict[str, int] = dict.fromkeys(kinds(family), 0)
    other: dict[str, int] = {}
    for cell, count in sorted(cells.items()):
        if cell in IGNORED_CELLS:
            continue
        if cell not in table:
            other[cell] = other.get(cell, 0) + count
            continue
        kind, weight = table[cell]
        totals[kind] = totals.get(kind, 0) + weight * count
    result: dict[str, object] = dict(totals)
    if other:
        result["other"] = other
    return result  # type: ignore[return-value]


def add(a: dict[str, int], b: dict[str, int]) -> dict[str, int]:
    """The sum of two resource dictionaries (numeric kinds only)."""
    keys = list(dict.fromkeys([*a, *b]))
    return {
        k: a.get(k, 0) + b.get(k, 0)
        for k in keys
        if isinstance(a.get(k, 0), int) and isinstance(b.get(k, 0), int)
    }
