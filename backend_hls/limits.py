"""Limits of the generated hardware that the passes must respect, not only the emitter."""

AP_INT_MAX_W = 4096
"""Widest `ap_(u)int` word the generated code may use; `qnn/common.h` sets the same value,
so no stream or weight word of a folding may be wider."""
