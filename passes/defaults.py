"""The hardware the flow assumes unless told otherwise: the one place for these defaults.

`set-folding`, `-t estimates`, the TCL targets, the HTML report and `qnn-build` (and its
library, `tools.build`) all take their defaults from here, so the same model folds the same
way whichever of them runs it.

* `DEFAULT_TARGET_FPS`, 10,000 frames per second: FINN's CNV-class targets are 1k-10k fps;
  an MLP reaches far more cheaply, so 10k keeps small networks small and asks large ones
  for a real folding.
* `DEFAULT_CLOCK_NS`, 10 ns: 100 MHz, the clock FINN's estimates are quoted at.
* `DEFAULT_PART`, `xc7z020clg400-1`: the Pynq-Z1's Zynq-7020, the board of the FINN
  comparison.
"""

from __future__ import annotations

DEFAULT_TARGET_FPS = 10000.0
DEFAULT_CLOCK_NS = 10.0
DEFAULT_PART = "xc7z020clg400-1"
