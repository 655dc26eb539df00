"""Every qnn emission target by its `-t` name (lazy loaders, as xDSL's universe expects).

A target that writes a tree of files (an HLS project) subclasses `TreeTarget`: `qnn-opt
-t NAME -o DIR` writes the tree into DIR (built in a temporary directory and renamed on
success), and without `-o` its `emit` prints a listing of what it would write.
"""

from __future__ import annotations

from collections.abc import Callable

from xdsl.utils.target import Target

QNN_TARGETS: dict[str, Callable[[], type[Target]]] = {}
"""Target name -> a loader returning the target class."""
