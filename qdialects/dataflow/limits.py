"""Limits and vocabularies of the generated hardware that the IR, the passes and every
backend must respect alike (not only an emitter)."""

AP_INT_MAX_W = 4096
"""Widest `ap_(u)int` word the generated code may use; `qnn/common.h` sets the same value,
so no stream or weight word of a folding may be wider."""

MEM_MODES = ("internal_embedded", "internal_decoupled", "external")
"""Where an MVAU/VVAU keeps its weights (FINN's `mem_mode`): compiled into the kernel,
in a separate streaming memory next to it, or streamed in from outside."""

RAM_STYLES = ("auto", "block", "distributed", "ultra")
"""What a memory is built from (FINN's `ram_style`): the tool's choice, BRAM, LUTRAM or
URAM."""

RES_TYPES = ("lut", "dsp")
"""What an MVAU/VVAU builds its products from (FINN's `resType`): LUTs (shift-and-add
logic, the default) or DSP slices (a `*` the synthesis tool maps to DSP48s)."""

POOL_MODES = ("max", "sum")
"""How `dataflow.pool` reduces a window."""
