"""`qnn-opt`: the qnn modular optimizer driver (xDSL's `xdsl-opt`, with qnn's dialects,
passes and targets registered)."""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.xdsl_opt_main import xDSLOptMain

from passes.registry import QNN_PASSES
from qdialects import QNN_DIALECTS


class QnnOptMain(xDSLOptMain):
    def register_all_dialects(self) -> None:
        super().register_all_dialects()
        for name, load in QNN_DIALECTS.items():
            if name not in self.ctx.registered_dialect_names:
                self.ctx.register_dialect(name, load)

    def register_all_passes(self) -> None:
        super().register_all_passes()
        for name, load in QNN_PASSES.items():
            self.register_pass(name, load)


def main(args: Sequence[str] | None = None) -> None:
    QnnOptMain(description="qnn modular optimizer driver", args=args).run()


if __name__ == "__main__":
    main()
