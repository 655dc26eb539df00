"""One error discipline for every qnn command-line tool.

A user error (missing file, malformed input, unsupported model, unknown pass, wrong
input shape, ...) prints exactly one line, `<tool>: error: <message>`, on stderr and
exits with status 1: no traceback, and no output file (tools write to a temporary file
and rename it on success, see `atomic_output`). Anything else is a bug in qnn and keeps
its traceback.

    def main() -> None:
        run_cli("qnn-build", _main)
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, NoReturn

from xdsl.utils.exceptions import (
    ArgSpecParseError,
    DiagnosticException,
    ParseError,
)


class UserError(Exception):
    """A problem with what the user asked for; the message is one line."""


def _user_errors() -> tuple[type[BaseException], ...]:
    from frontend import QonnxImportError
    from passes.pipeline import PipelineError
    from passes.verify_each import VerificationError
    from qdialects.semantics import ExecutionError

    return (
        UserError,
        QonnxImportError,
        PipelineError,
        VerificationError,
        ExecutionError,
        ParseError,
        ArgSpecParseError,
        DiagnosticException,
        OSError,
    )


def one_line(text: str) -> str:
    """The first non-empty line of `text`, stripped."""
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return ""


def describe(error: BaseException) -> str:
    """A one-line description of a user error."""
    if isinstance(error, ParseError):
        return f"{error.span.get_location()}: {one_line(error.msg)}"
    if isinstance(error, ArgSpecParseError):
        return f"invalid pass pipeline: {_last_line(str(error))}"
    if isinstance(error, OSError) and error.filename is not None:
        reason = (error.strerror or type(error).__name__).lower()
        return f"{error.filename}: {reason}"
    if isinstance(error, DiagnosticException):
        return _diagnostic_line(error)
    return one_line(str(error)) or type(error).__name__


def _last_line(text: str) -> str:
    lines = [line.strip().lstrip("^").strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    return lines[-1] if lines else text


def _diagnostic_line(error: DiagnosticException) -> str:
    # xDSL's verifier wraps an op's message as "Operation does not verify: <message>"
    # followed by the printed IR; keep the message, and name the op when it is there.
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    if not lines:
        return type(error).__name__
    message = lines[0]
    for line in lines[1:]:
        if line.startswith("^") and "^" in line and line.strip("^ ").strip():
            message = f"{message} ({line.strip('^ ').strip()})"
            break
    return message


def refuse_directory(model: str | os.PathLike[str]) -> None:
    """The one message every tool gives for a directory where a model file belongs."""
    if Path(model).is_dir():
        raise UserError(f"{model}: is a directory, not a model file")


def fail(tool: str, message: str) -> NoReturn:
    print(f"{tool}: error: {message}", file=sys.stderr)
    sys.exit(1)


def run_cli(tool: str, main: Callable[[], object]) -> None:
    """Run `main`, turning user errors into `<tool>: error: <line>` and exit status 1."""
    try:
        main()
    except KeyboardInterrupt:
        print(f"{tool}: interrupted", file=sys.stderr)
        sys.exit(130)
    except SystemExit:
        raise  # --help, argparse's usage errors: nothing to load for them
    except UserError as error:
        fail(tool, describe(error))
    except _user_errors() as error:  # loads the frontend and the dialects
        fail(tool, describe(error))


class AtomicFile:
    """A file written under a temporary name beside `path` and renamed to `path` by
    `commit()`; `discard()` removes it. A failing tool thus leaves no (partial) output."""

    def __init__(self, path: str | os.PathLike[str], mode: str = "w"):
        self.path = Path(path)
        if not self.path.parent.is_dir():
            raise UserError(f"{self.path}: directory {self.path.parent} does not exist")
        # Created by open() (not tempfile, which makes it 0600), so the renamed file gets
        # the permissions the user's umask gives any new file.
        temporary = self.path.parent / f".{self.path.name}.{uuid.uuid4().hex[:12]}.tmp"
        self.stream: IO = open(temporary, mode.replace("w", "x"))  # noqa: SIM115 (kept open until commit)

    def commit(self) -> None:
        self.stream.close()
        os.replace(self.stream.name, self.path)

    def discard(self) -> None:
        self.stream.close()
        Path(self.stream.name).unlink(missing_ok=True)


@contextmanager
def atomic_output(path: str | os.PathLike[str], mode: str = "w") -> Iterator[IO]:
    """`with atomic_output(path) as f:` writes `path` only if the block succeeds."""
    file = AtomicFile(path, mode)
    try:
        yield file.stream
    except BaseException:
        file.discard()
        raise
    file.commit()
