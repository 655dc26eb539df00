"""Regenerate the printed-IR seeds of the fuzz corpus: `corpus/ir/<model>.<level>.mlir`.

    .venv/bin/python test/fuzz/make_corpus.py

For each model of `IR_MODELS` (fixtures in test/models) the module is printed at every
level of the flow (`qnn_fuzz.IR_PIPELINES` gives the passes the fuzzer runs from each):

    quant        after import
    lowered      after lower-quant-to-streamline
    streamlined  after streamline
    dataflow     after convert-to-dataflow
    hardware     after set-folding{target-fps=1000} and the hardware passes

The ONNX seeds are listed in `corpus/fixtures.txt` (fixtures by reference) and the
`corpus/onnx/*.onnx` files (small hand-made or regression models), not generated here.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from qnn_fuzz import CORPUS, HARDWARE, MODELS

IR_MODELS = ["signed_input", "conv_pad_stride", "residual"]
STEPS = [
    ("quant", None),
    ("lowered", "lower-quant-to-streamline"),
    ("streamlined", "streamline"),
    ("dataflow", "convert-to-dataflow"),
    ("hardware", f"set-folding{{target-fps=1000}},{HARDWARE}"),
]


def main() -> None:
    from frontend import import_qonnx
    from passes.pipeline import run_pipeline
    from qdialects.ir import print_module

    out = CORPUS / "ir"
    out.mkdir(parents=True, exist_ok=True)
    for name in IR_MODELS:
        module = import_qonnx(MODELS / f"{name}.onnx")
        for level, passes in STEPS:
            if passes is not None:
                run_pipeline(module, passes)
            path = out / f"{name}.{level}.mlir"
            path.write_text(print_module(module))
            print(f"{path.relative_to(CORPUS.parents[2])}: {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
