"""Errors raised by qnn passes.

Every pass failure is a `QnnPassError`: a one-line message naming the op (and its ONNX
node name when the importer kept one) and the reason. They derive from xDSL's
`PassFailedException` (a `DiagnosticException`), so `qnn-opt --verify-diagnostics`
prints them instead of a traceback, and lit tests can check them.
"""

from __future__ import annotations

from xdsl.utils.exceptions import PassFailedException


class QnnPassError(PassFailedException):
    """Base of every error a qnn pass raises on input it cannot handle. Control
    characters in the message (an op named `loc("a\\nb")`) are escaped as in repr, so
    it stays one line."""

    def __init__(self, message: str):
        super().__init__(
            "".join(repr(c)[1:-1] if not c.isprintable() and c != " " else c for c in message)
        )


class LoweringError(QnnPassError):
    """`lower-quant-to-streamline` met a quant op (or op pattern) it cannot lower."""


class StreamlineError(QnnPassError):
    """`streamline` could not make the body integer-only (or met unsupported IR)."""


class FoldingError(QnnPassError):
    """A folding (PE/SIMD, memory style) that a dataflow layer cannot take: the message
    names the layer, the attribute and the impossible value (`passes.dataflow_folding`)."""


class ConversionError(QnnPassError):
    """`convert-to-dataflow` met an op inside the integer region that has no dataflow
    layer (a transpose, a float op, a non-constant weight, ...)."""


class HostSplitError(QnnPassError):
    """`split-host` met a `dataflow.partition` nested deeper than a function body (a
    module without exactly one partition is a `dataflow.PartitionError`)."""


class LevelError(QnnPassError):
    """A pass was given a module at another level of the flow than the one it works on,
    where it would find nothing to do (`passes.levels.require_level`)."""
