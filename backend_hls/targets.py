"""Every qnn emission target by its `-t` name (lazy loaders, as xDSL's universe expects).

A target that writes a tree of files (an HLS project) subclasses `TreeTarget`: `qnn-opt
-t NAME -o DIR` writes the tree into DIR (built in a temporary directory and renamed on
success), and without `-o` its `emit` prints a listing of what it would write.

`-o DIR` rules (`write_tree`): DIR's parent must exist; DIR may be missing, an empty
directory, or a directory a previous tree target wrote (it holds the marker file
`.qnn-tree`), which is then replaced as a whole (stale files of the previous tree do not
survive). Any other existing DIR is refused with a one-line error, so `-o .` or a
mistyped `-o ~/src` never deletes anything. On failure DIR is left as it was.
"""

from __future__ import annotations

import os
import shutil
import uuid
from abc import abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.utils.exceptions import DiagnosticException
from xdsl.utils.target import Target

TREE_MARKER = ".qnn-tree"
"""The file a tree target writes at the top of its output directory (content: its name)."""


class TreeOutputError(DiagnosticException):
    """The output directory of a tree target cannot be written (one-line message)."""


@dataclass(frozen=True)
class TreeTarget(Target):
    """A target whose output is a directory tree (see the module docstring)."""

    name: ClassVar[str]

    @abstractmethod
    def emit_tree(self, ctx: Context, module: ModuleOp, out_dir: Path) -> None:
        """Write the tree into the (existing, empty) directory `out_dir`."""

    def write_tree(self, ctx: Context, module: ModuleOp, out_dir: str | os.PathLike[str]) -> None:
        """`emit_tree` into a temporary directory beside `out_dir`, renamed to `out_dir`
        when it succeeded (replacing a previous tree; module docstring)."""
        write_tree(out_dir, lambda tmp: self.emit_tree(ctx, module, tmp), self.name)


def check_tree_output(out_dir: str | os.PathLike[str]) -> Path:
    """`out_dir` as a Path if a tree may be written there, else a TreeOutputError."""
    out = Path(out_dir)
    parent = out.absolute().parent
    if not parent.is_dir():
        raise TreeOutputError(f"{out}: directory {parent} does not exist")
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise TreeOutputError(f"{out}: exists and is not a directory")
    if out.is_dir() and any(out.iterdir()) and not (out / TREE_MARKER).is_file():
        raise TreeOutputError(
            f"{out}: exists, is not empty and was not written by qnn (no {TREE_MARKER}); "
            f"remove it or choose another directory"
        )
    return out


def sibling_directory(path: str | os.PathLike[str], kind: str = "tmp") -> Path:
    """A new empty directory `.<name>.<random>.<kind>` beside `path`, created with the
    permissions the user's umask gives any new directory (`tempfile.mkdtemp` makes it
    0700, which the finished tree would keep when it is renamed to `path`)."""
    path = Path(path)
    directory = path.absolute().parent / f".{path.name}.{uuid.uuid4().hex[:12]}.{kind}"
    directory.mkdir()
    return directory


def write_tree(
    out_dir: str | os.PathLike[str], fill: Callable[[Path], None], owner: str = "qnn"
) -> None:
    """Run `fill(tmp)` on a fresh directory beside `out_dir`, add the marker, and rename
    it to `out_dir` (replacing an empty directory or a previous tree)."""
    out = check_tree_output(out_dir)
    parent = out.absolute().parent
    tmp = sibling_directory(out)
    try:
        fill(tmp)
        (tmp / TREE_MARKER).write_text(f"{owner}\n", encoding="utf-8")
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old: Path | None = None
    if out.exists():
        old = parent / f".{out.name}.{uuid.uuid4().hex[:8]}.old"
        os.rename(out, old)
    try:
        os.rename(tmp, out)
    except BaseException:
        if old is not None:
            os.rename(old, out)
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _hls_cpp() -> type[Target]:
    from backend_hls.emit_cpp import HlsCppTarget

    return HlsCppTarget


def _vitis_tcl() -> type[Target]:
    from backend_hls.emit_tcl import VitisTclTarget

    return VitisTclTarget


def _vivado_tcl() -> type[Target]:
    from backend_hls.emit_tcl import VivadoTclTarget

    return VivadoTclTarget


def _estimates() -> type[Target]:
    from backend_hls.estimates_target import EstimatesTarget

    return EstimatesTarget


def _folding_json() -> type[Target]:
    from backend_hls.estimates_target import FoldingJsonTarget

    return FoldingJsonTarget


QNN_TARGETS: dict[str, Callable[[], type[Target]]] = {
    "hls-cpp": _hls_cpp,
    "vitis-tcl": _vitis_tcl,
    "vivado-tcl": _vivado_tcl,
    "estimates": _estimates,
    "folding-json": _folding_json,
}
"""Target name -> a loader returning the target class."""
