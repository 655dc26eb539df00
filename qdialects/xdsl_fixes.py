"""Work-arounds for xDSL 0.74 bugs that qnn's inputs can reach (found by test/fuzz).

Applied once, when `qdialects` is imported (so `qnn-opt`, `parse_module` and `xdsl-opt`
with the qnn plugin all get them).

* The MLIR lexer's string-literal regex nests a `+` (a run of plain characters) in a `*`:
  on an unterminated string literal it backtracks exponentially in the length of the rest
  of the line (25 characters take seconds; a `"` typed into a printed `strict =
  array<...>` line hangs forever). Without the inner `+` the regex matches the same
  strings in linear time.
"""

from __future__ import annotations

import re

from xdsl.utils.mlir_lexer import MLIRLexer

_STRING_LITERAL = re.compile(r'"(?:[^"\\\n\v\f]|\\(?:["nt\\]|[0-9A-Fa-f]{2}))*"')


def apply() -> None:
    MLIRLexer._unescaped_characters_regex = _STRING_LITERAL  # pyright: ignore[reportAttributeAccessIssue]
