"""`qnn-opt`: the qnn modular optimizer driver (xDSL's `xdsl-opt`, with qnn's dialects,
passes and targets registered).

    qnn-opt model.onnx                       # import a QONNX model, print the quant module
    qnn-opt in.mlir -p streamline -o out.mlir
    qnn-opt model.onnx -p lower-quant-to-streamline,streamline --verify-each
    qnn-opt df.mlir -t hls-cpp -o OUT        # a tree target: -o is a directory

A target that writes a directory tree (`backend_hls.targets.TreeTarget`, e.g. `hls-cpp`)
takes `-o DIR`: the tree is built beside DIR and renamed to it; DIR may be missing, empty,
or a previous tree (it holds `.qnn-tree`), which is replaced; any other existing DIR is
refused. Without `-o` such a target prints a listing.

`--verify-each` executes the module after every pass of `-p` and compares its results
with those before the pass (`passes.verify_each`): on `--verify-input X.npy` (one per
argument of @main, in order), or else on `--verify-samples N` (default 4) random inputs
with a fixed seed (float arguments uniform in [0, 1), integer-typed ones uniform over
their datatype). The first pass that changes a result stops qnn-opt with one line naming
the pass, the result and the first differing element.

An `.onnx` input is imported with `frontend.import_qonnx` (from its path, so external
weight data beside it is found); `.mlir` is parsed. User errors print one line,
`qnn-opt: error: ...`, and exit 1 without writing the output file; xDSL's
`--verify-diagnostics` and `--parsing-diagnostics` still print diagnostics for lit tests.
"""

from __future__ import annotations

import argparse
import inspect
import sys
from collections.abc import Callable, Sequence
from io import StringIO
from typing import IO, NoReturn, cast

from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import PassPipeline
from xdsl.utils.arg_spec import parse_spec
from xdsl.utils.exceptions import ArgSpecParseError
from xdsl.xdsl_opt_main import xDSLOptMain

from backend_hls.targets import QNN_TARGETS, TreeTarget, check_tree_output
from backend_rtl.targets import RTL_TARGETS
from passes.pipeline import pipeline_callback, pipeline_error
from passes.pipelines import expand_pipelines
from passes.registry import QNN_PASSES
from passes.verify_each import DEFAULT_SAMPLES, VerifyEach
from qdialects import QNN_DIALECTS
from qdialects.ir import parse_module
from tools.errors import AtomicFile, UserError, refuse_directory, run_cli
from tools.opt_help import (
    DESCRIPTION,
    RoutedArguments,
    help_all_action,
    names_list,
    passes_section,
    pipelines_section,
    targets_section,
)


class QnnOptMain(xDSLOptMain):
    _pending_output: AtomicFile | None = None
    _tree_written = False

    def register_all_dialects(self) -> None:
        super().register_all_dialects()
        for name, load in QNN_DIALECTS.items():
            if name not in self.ctx.registered_dialect_names:
                self.ctx.register_dialect(name, load)

    def register_all_passes(self) -> None:
        super().register_all_passes()
        for name, load in QNN_PASSES.items():
            self.register_pass(name, load)

    def register_all_targets(self) -> None:
        super().register_all_targets()
        self.available_targets.update(QNN_TARGETS)
        self.available_targets.update(RTL_TARGETS)

    def register_all_frontends(self) -> None:
        super().register_all_frontends()
        self.available_frontends["mlir"] = self._parse_mlir
        self.available_frontends["onnx"] = self._import_onnx

    def _parse_mlir(self, stream: IO[bytes]) -> ModuleOp:
        # qdialects.ir.parse_module: xDSL's parser, with ParseErrors for what it would
        # otherwise crash on (invalid UTF-8, out-of-range attribute values).
        return parse_module(
            stream.read(),
            self.ctx,
            self.get_input_name(),
            implicit_module=not self.args.no_implicit_module,
        )

    def _import_onnx(self, stream: IO[bytes]) -> ModuleOp:
        from frontend import import_qonnx, import_qonnx_bytes

        if self.args.input_file is None:
            return import_qonnx_bytes(stream.read())
        return import_qonnx(self.args.input_file)

    def register_all_arguments(self, arg_parser: argparse.ArgumentParser) -> None:
        # --help: qnn's passes, targets and options first, xDSL's after (tools.opt_help).
        arg_parser.usage = "qnn-opt [FILE] [-p PIPELINE] [-t TARGET] [-o OUT] [options]"
        arg_parser.formatter_class = argparse.RawDescriptionHelpFormatter
        arg_parser.add_argument_group(
            "qnn passes (-p NAME{option=value ...}, in the order of the flow)",
            passes_section(QNN_PASSES),
        )
        arg_parser.add_argument_group(
            "named pipelines (-p NAME{option=value ...}, anywhere a pass may stand)",
            pipelines_section(),
        )
        arg_parser.add_argument_group(
            "targets (-t NAME{option=value ...})",
            targets_section({**QNN_TARGETS, **RTL_TARGETS}),
        )
        own = arg_parser.add_argument_group("qnn-opt options")
        xdsl = arg_parser.add_argument_group("xDSL options")
        super().register_all_arguments(cast(argparse.ArgumentParser, RoutedArguments(own, xdsl)))
        xdsl_passes = [n for n in self.available_passes if n not in QNN_PASSES]
        xdsl_targets = [
            n for n in self.available_targets if n not in (*QNN_TARGETS, *RTL_TARGETS, "mlir")
        ]
        own.add_argument(
            "--help-all",
            action=help_all_action(
                names_list(f"xDSL passes ({len(xdsl_passes)}):", xdsl_passes)
                + "\n\n"
                + names_list(f"xDSL targets ({len(xdsl_targets)}):", xdsl_targets)
            ),
            help=f"this help, then xDSL's own {len(xdsl_passes)} passes and "
            f"{len(xdsl_targets)} targets (all usable with -p and -t)",
        )

        def usage_error(message: str) -> NoReturn:
            raise UserError(f"{message} (see --help)")

        arg_parser.error = usage_error  # one line and exit 1, like every other error
        own.add_argument(
            "--verify-each",
            action="store_true",
            help="execute the module after every pass and stop at the first pass that "
            "changes its results",
        )
        own.add_argument(
            "--verify-input",
            action="append",
            default=[],
            metavar="X.npy",
            help="an input for --verify-each, one per argument of @main, in order "
            "(default: random inputs, see --verify-samples)",
        )
        own.add_argument(
            "--verify-samples",
            type=int,
            default=None,
            metavar="N",
            help=f"how many random inputs --verify-each runs (default {DEFAULT_SAMPLES})",
        )

    def setup_pipeline(self) -> None:
        spec = self.args.passes
        try:
            self.args.passes = expand_pipelines(spec)  # named pipelines: passes.pipelines
            super().setup_pipeline()
        except (ArgSpecParseError, ValueError) as error:
            raise pipeline_error(error, spec) from None
        finally:
            self.args.passes = spec
        verify_each = self._verify_each()
        if verify_each is not None:
            # After xDSL's own callback (verification, --print-between-passes, ...).
            callback = pipeline_callback(
                verify=False, verify_each=verify_each, first=self.pipeline.callback
            )
            self.pipeline = PassPipeline(self.pipeline.passes, callback)

    def _verify_each(self) -> VerifyEach | None:
        args = self.args
        if not args.verify_each:
            for flag, given in (
                ("--verify-input", args.verify_input),
                ("--verify-samples", args.verify_samples is not None),
            ):
                if given:
                    raise UserError(f"{flag} requires --verify-each (see --help)")
            return None
        if args.verify_input and args.verify_samples is not None:
            raise UserError("--verify-samples and --verify-input exclude each other (see --help)")
        if args.verify_samples is not None and args.verify_samples < 1:
            raise UserError(f"--verify-samples must be at least 1, got {args.verify_samples}")
        if not args.verify_input:
            return VerifyEach(samples=args.verify_samples or DEFAULT_SAMPLES)
        from tools.qnn_run import load_input

        inputs = [load_input(path) for path in args.verify_input]
        return VerifyEach(inputs=inputs, names=args.verify_input)

    def prepare_input(self):
        if self.args.input_file is not None:
            refuse_directory(self.args.input_file)
        try:
            return super().prepare_input()
        except ValueError as error:  # unknown file extension
            raise UserError(f"{self.get_input_name()}: {error} (expected .mlir or .onnx)") from None

    def _tree_target(self) -> type[TreeTarget] | None:
        """The selected target's class if it writes a directory tree (`-o` is then a
        directory, see `backend_hls.targets`)."""
        loader = self.available_targets.get(parse_spec(self.args.target).name)
        if loader is None or inspect.signature(loader).parameters:
            return None
        target = cast(Callable[[], object], loader)()
        return target if isinstance(target, type) and issubclass(target, TreeTarget) else None

    def prepare_output(self) -> IO[str]:
        if self.args.output_file is None:
            return sys.stdout
        if self._tree_target() is not None:
            # `-o DIR`: the tree is written (atomically) by output_resulting_program.
            check_tree_output(self.args.output_file)
            self._tree_written = False
            return StringIO()
        # Renamed into place by `run` only when everything succeeded.
        self._pending_output = AtomicFile(self.args.output_file)
        return self._pending_output.stream

    def output_resulting_program(self, prog: ModuleOp) -> str:
        out_dir = self.args.output_file
        tree = self._tree_target() if out_dir is not None else None
        if tree is None or out_dir is None:
            return super().output_resulting_program(prog)
        if self._tree_written:
            raise UserError(f"-t {tree.name} -o DIR writes one module; the input has several")
        target = tree.from_spec(parse_spec(self.args.target))
        assert isinstance(target, TreeTarget)
        target.write_tree(self.ctx, prog, out_dir)
        self._tree_written = True
        return ""

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
    run_cli("qnn-opt", lambda: QnnOptMain(description=DESCRIPTION, args=args).run())


if __name__ == "__main__":
    main()
