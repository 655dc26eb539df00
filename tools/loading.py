"""Loading the compiler into a command's process, cheaply.

    with compiler_loading():
        from tools.build import build

Importing the compiler (xDSL, numpy, the dialects, the passes, the backends) makes some
90,000 long-lived container objects and no garbage, and Python's cyclic garbage collector
would walk them again and again while they are made, during the build and at the
process's exit. And numpy's OpenBLAS starts a thread per core when it loads, whose
spinning costs ~0.1 s of CPU in a process whose matrix products are all small.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def compiler_loading() -> Iterator[None]:
    """Around the first import of the compiler (`tools.build`: xDSL, numpy, the dialects,
    the passes, the backends): the cyclic garbage collector is paused, since imports make
    long-lived objects and no garbage, and what they made is then frozen (`gc.freeze`), so
    that the build's collections and the interpreter's exit do not walk it again (~5 % of
    the instructions of a TFC build). OpenBLAS gets one thread unless
    `OPENBLAS_NUM_THREADS` says otherwise (numpy must not be loaded yet). Nothing in a
    process that loaded the compiler already."""
    if "tools.build" in sys.modules:
        yield
        return
    if "numpy" not in sys.modules:
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
