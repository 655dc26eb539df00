"""Where the shared reference models (`shared/models`: QONNX files with sample inputs and
golden outputs) are, for the benchmarks and the tests alike.

`$QNN_SHARED_MODELS` if set; else the first `shared/models` beside the checkout or one of its
parents (`../shared/models` of a checkout, `../../shared/models` of a worktree); else the
workplace's `/work/shared/models`, so that a clone made anywhere else (a clean-clone CI run in
a temporary directory) still finds them. Tests that need them skip where none of these
exists, as on a fresh machine.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORKPLACE = Path("/work/shared/models")


def shared_models_dir() -> Path:
    """The directory of the shared models (which need not exist)."""
    if configured := os.environ.get("QNN_SHARED_MODELS"):
        return Path(configured)
    beside = (p / "shared" / "models" for p in ROOT.parents)
    return next((d for d in beside if d.is_dir()), WORKPLACE)


SHARED_MODELS = shared_models_dir()
