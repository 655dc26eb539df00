"""Run the accelerator on a board over its UART: send frames, read the results.

`qnn-build --bitstream` copies this script into OUT/bitstream beside `streams.json` (the
formats of the accelerator's input and output stream, and the baud rate) and `packing.py`
(the packing of the C simulation and the deployment: `backend_hls.runtime.packing`).

    pip install pyserial numpy
    python host_uart.py /dev/ttyUSB0 x.npy -o y.npy [--baud 115200] [--timeout 10]

`x.npy` holds `N x frame` integers of the accelerator's input stream (the partition's
input: what `qnn-build --rtlsim` feeds `qnn_top`); `y.npy` receives `N x frame` integers
of its output. Each frame goes out as its stream words, `ceil(width/8)` bytes per word,
least significant byte first; the script then reads the frame's output bytes before
sending the next frame (the wrapper holds one word: the host must not run ahead).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Protocol

import numpy as np

try:
    import packing  # pyright: ignore[reportMissingImports]  # beside this script
except ImportError:  # imported from the qnn tree
    from backend_hls.runtime import packing

HERE = Path(__file__).resolve().parent


class Port(Protocol):
    """What is needed of a serial port (pyserial's `Serial`)."""

    def write(self, data: bytes, /) -> int | None: ...

    def read(self, size: int = 1, /) -> bytes: ...


def load_spec(directory: Path = HERE) -> dict[str, Any]:
    """`streams.json` of `directory`."""
    return json.loads((directory / "streams.json").read_text())


def formats(spec: dict[str, Any]) -> tuple[Any, Any]:
    """The input and output `packing.StreamFormat`."""
    return (
        packing.StreamFormat.from_json(spec["input"]),
        packing.StreamFormat.from_json(spec["output"]),
    )


def frame_bytes(frames: np.ndarray, fmt: Any) -> bytes:
    """The UART bytes of `frames` (`N x frame` integers), frame after frame."""
    packed = packing.pack_stream(np.asarray(frames), fmt)
    return packed[: len(frames) * fmt.frame_bytes].tobytes()


def frames_of(data: bytes, fmt: Any, count: int) -> np.ndarray:
    """`count x frame` integers out of the bytes the accelerator sent."""
    return packing.unpack_stream(np.frombuffer(data, dtype=np.uint8), fmt, count)


def run(port: Port, frames: np.ndarray, spec: dict[str, Any]) -> np.ndarray:
    """Send each frame, read its results (a short read is a `TimeoutError`)."""
    source, sink = formats(spec)
    results = []
    for k in range(len(frames)):
        port.write(frame_bytes(frames[k : k + 1], source))
        data = port.read(sink.frame_bytes)
        if len(data) < sink.frame_bytes:
            raise TimeoutError(
                f"frame {k}: {len(data)} of {sink.frame_bytes} result bytes before the timeout"
            )
        results.append(frames_of(data, sink, 1))
    return np.concatenate(results) if results else np.zeros((0, *sink.frame), dtype=np.int64)


def main(argv: list[str] | None = None) -> int:
    spec = load_spec()
    parser = argparse.ArgumentParser(
        prog="host_uart.py", description="Send frames to the accelerator, read its results."
    )
    parser.add_argument("port", help="the serial device (e.g. /dev/ttyUSB0, COM3)")
    parser.add_argument("input", help="N x frame integers of the accelerator's input (.npy)")
    parser.add_argument("-o", "--output", required=True, help="where to save the results (.npy)")
    parser.add_argument("--baud", type=int, default=spec["baud"], help="default: the bitstream's")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per frame's results")
    args = parser.parse_args(argv)
    try:
        import serial  # pyright: ignore[reportMissingModuleSource]  # pyserial, only here
    except ImportError:
        print("host_uart.py: pyserial is not installed (pip install pyserial)", file=sys.stderr)
        return 1
    frames = np.load(args.input)
    with serial.Serial(args.port, args.baud, timeout=args.timeout) as port:
        try:
            results = run(port, frames, spec)
        except (TimeoutError, ValueError) as error:
            print(f"host_uart.py: {error}", file=sys.stderr)
            return 1
    np.save(args.output, results)
    print(f"host_uart.py: {len(results)} frames -> {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
