"""The `xdsl.universe` plugin: makes the qnn dialects, passes and targets available to
plain `xdsl-opt` (see `[project.entry-points.'xdsl.universe']` in pyproject.toml)."""

from xdsl.universe import Universe

from backend_hls.targets import QNN_TARGETS
from backend_rtl.targets import RTL_TARGETS
from passes.registry import QNN_PASSES
from qdialects import QNN_DIALECTS

QNN_UNIVERSE = Universe(
    all_dialects=QNN_DIALECTS, all_passes=QNN_PASSES, all_targets={**QNN_TARGETS, **RTL_TARGETS}
)
