"""FPGA parts and their resources: what `set-folding` fits a design into and what the
reports compare the estimates with.

| device | family | LUT | FF | BRAM18 | URAM | DSP |
|---|---|---|---|---|---|---|
| xc7z020 | Zynq-7000 | 53,200 | 106,400 | 280 | 0 | 220 |
| xc7z045 | Zynq-7000 | 218,600 | 437,200 | 1,090 | 0 | 900 |
| xczu3eg | Zynq UltraScale+ | 70,560 | 141,120 | 432 | 0 | 360 |
| xczu7ev | Zynq UltraScale+ | 230,400 | 460,800 | 624 | 96 | 1,728 |
| xcu280 | Alveo U280 | 1,304,000 | 2,607,360 | 4,032 | 960 | 9,024 |
| xcu250 | Alveo U250 | 1,728,000 | 3,456,000 | 5,376 | 1,280 | 12,288 |
| LFE5U-25F | ECP5 | 24,000 | 24,000 | 56 | 0 | 28 |
| LFE5U-45F | ECP5 | 44,000 | 44,000 | 108 | 0 | 72 |
| LFE5U-85F | ECP5 | 84,000 | 84,000 | 208 | 0 | 156 |

From the vendors' product tables: Xilinx lists block RAM as 36 Kib blocks (two BRAM18
each); an ECP5 EBR is an 18 Kib block, counted as a BRAM18, and its DSP column counts
18x18 multipliers. ECP5 LUTs have 4 inputs while the estimates
(`qdialects.dataflow.estimates`) count 6-input LUTs: `Part.lut6` converts the capacity at
`LUT4_PER_LUT6` LUT4s per LUT6 (a LUT6 function is two LUT4s and a multiplexer).

A full part name (`xc7z020clg400-1`, `xczu3eg-sbva484-1-e`, `LFE5U-85F-6BG381C`) is found
by its device prefix, ignoring case (`find_part`).
"""

from __future__ import annotations

from dataclasses import dataclass

from qdialects.dataflow.estimates import Resources

LUT4_PER_LUT6 = 2
"""4-input LUTs per 6-input LUT of the estimates (a LUT6 is two LUT4s and a mux)."""


@dataclass(frozen=True)
class Part:
    """An FPGA device's resources (`lut` in its own LUT size, `lut_inputs`)."""

    device: str
    family: str
    lut: int
    ff: int
    bram18: int
    uram: int
    dsp: int
    lut_inputs: int = 6

    @property
    def lut6(self) -> int:
        """The LUT capacity in the estimates' 6-input LUTs."""
        return self.lut if self.lut_inputs == 6 else self.lut // LUT4_PER_LUT6

    def capacity(self) -> Resources:
        """The part's resources in the units of `Resources`."""
        return Resources(lut=self.lut6, bram18=self.bram18, uram=self.uram, dsp=self.dsp)


PARTS: tuple[Part, ...] = (
    Part("xc7z020", "Zynq-7000", 53_200, 106_400, 280, 0, 220),
    Part("xc7z045", "Zynq-7000", 218_600, 437_200, 1_090, 0, 900),
    Part("xczu3eg", "Zynq UltraScale+", 70_560, 141_120, 432, 0, 360),
    Part("xczu7ev", "Zynq UltraScale+", 230_400, 460_800, 624, 96, 1_728),
    Part("xcu280", "Alveo U280", 1_304_000, 2_607_360, 4_032, 960, 9_024),
    Part("xcu250", "Alveo U250", 1_728_000, 3_456_000, 5_376, 1_280, 12_288),
    Part("LFE5U-25F", "ECP5", 24_000, 24_000, 56, 0, 28, lut_inputs=4),
    Part("LFE5U-45F", "ECP5", 44_000, 44_000, 108, 0, 72, lut_inputs=4),
    Part("LFE5U-85F", "ECP5", 84_000, 84_000, 208, 0, 156, lut_inputs=4),
)
"""Every known part, smallest first within each vendor."""

RESOURCE_NAMES = {"lut": "LUT", "bram18": "BRAM18", "uram": "URAM", "dsp": "DSP"}
"""`Resources` field -> the name messages and reports use."""


def find_part(name: str) -> Part | None:
    """The part whose device name starts `name` (case-insensitive; the longest match)."""
    lowered = name.lower()
    matches = [p for p in PARTS if lowered.startswith(p.device.lower())]
    return max(matches, key=lambda p: len(p.device), default=None)


def known_devices() -> str:
    """`xc7z020, xc7z045, ...` for messages."""
    return ", ".join(p.device for p in PARTS)


@dataclass(frozen=True)
class Overshoot:
    """One resource an estimate needs beyond the allowed share of a part."""

    resource: str
    """`LUT`, `BRAM18`, `URAM` or `DSP`."""
    used: int
    limit: int
    """The allowed amount (`fraction` of the part's capacity, rounded down)."""
    capacity: int

    @property
    def percent(self) -> float:
        """The estimate as a percentage of the part's capacity."""
        return 100.0 * self.used / self.capacity if self.capacity else float("inf")

    def describe(self) -> str:
        """`LUT 129,608 of 53,200 (244 %, limit 85 %)`."""
        return f"{self.resource} {self.used:,} of {self.capacity:,} ({self.percent:.0f} %)"


def overshoots(resources: Resources, part: Part, fraction: float) -> list[Overshoot]:
    """Each resource of `resources` above `fraction` of `part`'s capacity (empty: it fits)."""
    capacity = part.capacity()
    found = []
    for field, label in RESOURCE_NAMES.items():
        used, total = getattr(resources, field), getattr(capacity, field)
        limit = int(total * fraction)
        if used > limit:
            found.append(Overshoot(label, used, limit, total))
    return found


def fits(resources: Resources, part: Part, fraction: float) -> bool:
    """Every resource within `fraction` of `part`'s capacity."""
    return not overshoots(resources, part, fraction)


def smallest_fitting(resources: Resources, fraction: float, like: Part) -> Part | None:
    """The known part of `like`'s vendor (ECP5 or Xilinx) with the fewest LUTs that fits
    `resources`, else None."""
    vendor = like.lut_inputs
    candidates = [p for p in PARTS if p.lut_inputs == vendor and fits(resources, p, fraction)]
    return min(candidates, key=lambda p: p.lut6, default=None)


def utilization(resources: Resources, part: Part) -> dict[str, float]:
    """Per resource name, the estimate as a percentage of the part's capacity."""
    capacity = part.capacity()
    result = {}
    for field, label in RESOURCE_NAMES.items():
        total = getattr(capacity, field)
        if total:
            result[label] = round(100.0 * getattr(resources, field) / total, 1)
    return result
