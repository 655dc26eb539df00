"""Every qnn pass by its command-line name (kebab-case, matching the snake_case file)."""

from __future__ import annotations

from collections.abc import Callable

from xdsl.passes import ModulePass


def _streamline() -> type[ModulePass]:
    from passes.streamline import Streamline

    return Streamline


QNN_PASSES: dict[str, Callable[[], type[ModulePass]]] = {
    "streamline": _streamline,
}
"""Pass name -> a loader returning the pass class (lazy, as xDSL's universe expects)."""
