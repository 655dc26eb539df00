"""`qnn-opt`: the qnn modular optimizer driver (xDSL's `xdsl-opt`, with qnn's dialects,
passes and targets registered).

    qnn-opt model.onnx                       # import a QONNX model, print the quant module
    qnn-opt in.mlir -p streamline -o out.mlir

An `.onnx` input is imported with `frontend.import_qonnx` (from its path, so external
weight data beside it is found); `.mlir` is parsed. User errors print one line,
`qnn-opt: error: ...`, and exit 1 without writing the output file; xDSL's
`--verify-diagnostics` and `--parsing-diagnostics` still print diagnostics for lit tests.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import IO, NoReturn

from xdsl.dialects.builtin import ModuleOp
from xdsl.utils.exceptions import ArgSpecParseError
from xdsl.xdsl_opt_main import xDSLOptMain

from passes.pipeline import pipeline_error
from passes.registry import QNN_PASSES
from qdialects import QNN_DIALECTS
from tools.errors import AtomicFile, UserError, run_cli


class QnnOptMain(xDSLOptMain):
    _pending_output: AtomicFile | None = None

    def register_all_dialects(self) -> None:
        super().register_all_dialects()
        for name, load in QNN_DIALECTS.items():
            if name not in self.ctx.registered_dialect_names:
                self.ctx.register_dialect(name, load)

    def register_all_passes(self) -> None:
        super().register_all_passes()
        for name, load in QNN_PASSES.items():
            self.register_pass(name, load)

    def register_all_frontends(self) -> None:
        super().register_all_frontends()
        self.available_frontends["onnx"] = self._import_onnx

    def _import_onnx(self, stream: IO[bytes]) -> ModuleOp:
        from frontend import import_qonnx, import_qonnx_bytes

        if self.args.input_file is None:
            return import_qonnx_bytes(stream.read())
        return import_qonnx(self.args.input_file)

    def register_all_arguments(self, arg_parser: argparse.ArgumentParser) -> None:
        super().register_all_arguments(arg_parser)

        def usage_error(message: str) -> NoReturn:
            raise UserError(f"{message} (see --help)")

        arg_parser.error = usage_error  # one line and exit 1, like every other error

    def setup_pipeline(self) -> None:
        try:
            super().setup_pipeline()
        except (ArgSpecParseError, ValueError) as error:
            raise pipeline_error(error, self.args.passes) from None

    def prepare_input(self):
        try:
            return super().prepare_input()
        except ValueError as error:  # unknown file extension
            raise UserError(f"{self.get_input_name()}: {error} (expected .mlir or .onnx)") from None

    def prepare_output(self) -> IO[str]:
        if self.args.output_file is None:
            return sys.stdout
        # Renamed into place by `run` only when everything succeeded.
        self._pending_output = AtomicFile(self.args.output_file)
        return self._pending_output.stream

    def run(self) -> None:
        try:
            super().run()
        except BaseException:
            if self._pending_output is not None:
                self._pending_output.discard()
            raise
        if self._pending_output is not None:
            self._pending_output.commit()


def main(args: Sequence[str] | None = None) -> None:
    run_cli(
        "qnn-opt", lambda: QnnOptMain(description="qnn modular optimizer driver", args=args).run()
    )


if __name__ == "__main__":
    main()
