"""The hardware the flow assumes unless told otherwise: the one place for these defaults.

`set-folding`, `-t estimates`, the TCL targets, the HTML report and `qnn-build` (and its
library, `tools.build`) all take their defaults from here, so the same model folds the same
way whichever of them runs it.

* No default frame rate: without a target `set-folding` folds for the highest frame rate
  whose estimate fits `DEFAULT_MAX_UTILIZATION` of the part, so a default build fits the
  default board.
* `DEFAULT_MAX_UTILIZATION`, 0.85: the share of each resource (LUT, BRAM18, URAM, DSP)
  a fitted design may take; the rest is headroom for routing and the shell around it.
* `DEFAULT_SYNTH_TIMEOUT`, 900 s: what one Yosys run of `qnn-build --synth` may take
  (ABC on large unsimplified logic can take many minutes).
* `DEFAULT_UART_BAUD`, 115,200: the UART of `qnn-build --bitstream`.
* `DEFAULT_CLOCK_NS`, 10 ns: 100 MHz, the clock FINN's estimates are quoted at.
* `DEFAULT_PART`, `xc7z020clg400-1`: the Pynq-Z1's Zynq-7020, the board of the FINN
  comparison (its resources: `qdialects.dataflow.parts`).
"""

from __future__ import annotations

DEFAULT_MAX_UTILIZATION = 0.85
DEFAULT_SYNTH_TIMEOUT = 900.0
DEFAULT_UART_BAUD = 115200
DEFAULT_CLOCK_NS = 10.0
DEFAULT_PART = "xc7z020clg400-1"
