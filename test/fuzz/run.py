"""A long fuzzing campaign (random mutations, not derandomized; see README.md).

    .venv/bin/python test/fuzz/run.py --minutes 10                # both targets
    .venv/bin/python test/fuzz/run.py --minutes 5 --target ir --seed 7
    .venv/bin/python test/fuzz/run.py --replay fuzz-failures/onnx-3.onnx

Each failure (see `qnn_fuzz` for the property) is printed once per distinct signature
and its input saved under --failures (default ./fuzz-failures) with a `.txt` holding the
seed, the mutations and the traceback; `--replay FILE` re-checks one saved input. The
pytest run (`test/unit/test_fuzz.py`) shrinks failures to a minimal mutation list.
"""

from __future__ import annotations

import argparse
import faulthandler
import random
import re
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import qnn_fuzz
from qnn_fuzz import FuzzFailure, RandomChooser


def _signature(message: str) -> str:
    """The failure kind without the example's details (numbers, names)."""
    lines = message.splitlines()
    text = lines[1] if len(lines) > 1 else lines[0]
    frames = re.findall(r'File "([^"]+)", line (\d+)', message)
    where = f" @ {Path(frames[-1][0]).name}:{frames[-1][1]}" if frames else ""
    text = re.sub(r"'[^']*'|\"[^\"]*\"|\d+", "_", text)
    return text[:160] + where


def replay(path: Path) -> int:
    if path.suffix == ".onnx":
        outcome = qnn_fuzz.check_onnx(path.read_bytes())
    else:
        text = path.read_text()
        level = path.stem.rsplit(".", 1)[-1]
        outcome = qnn_fuzz.check_ir(text, qnn_fuzz.IR_PIPELINES.get(level, qnn_fuzz.ONNX_PIPELINE))
    print("compiled" if outcome.ok else f"{outcome.stage}: error: {outcome.message}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--target", choices=["onnx", "ir", "both"], default="both")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: time)")
    parser.add_argument("--failures", type=Path, default=Path("fuzz-failures"))
    parser.add_argument("--replay", type=Path, default=None, help="re-check one saved input")
    args = parser.parse_args()
    if args.replay is not None:
        return replay(args.replay)

    seed = args.seed if args.seed is not None else int(time.time())
    rng = random.Random(seed)
    chooser = RandomChooser(rng)
    onnx_seeds = qnn_fuzz.onnx_seeds()
    ir_seeds = qnn_fuzz.ir_seeds()
    targets = ["onnx", "ir"] if args.target == "both" else [args.target]
    end = time.monotonic() + 60 * args.minutes
    runs: Counter[str] = Counter()
    outcomes: Counter[str] = Counter()
    seen: dict[str, int] = {}
    print(f"fuzz: seed {seed}, {args.minutes:g} min, targets {', '.join(targets)}", flush=True)
    while time.monotonic() < end:
        target = targets[runs.total() % len(targets)]
        runs[target] += 1
        # A backstop for a hang in C code, which the alarm cannot interrupt.
        faulthandler.dump_traceback_later(qnn_fuzz.TIMEOUT * 12, exit=True)
        try:
            if target == "onnx":
                _, outcome = qnn_fuzz.fuzz_onnx_once(chooser, onnx_seeds)
            else:
                _, outcome = qnn_fuzz.fuzz_ir_once(chooser, ir_seeds)
            outcomes[f"{target} {'compiled' if outcome.ok else outcome.stage + ' error'}"] += 1
        except FuzzFailure as failure:
            message = str(failure)
            signature = f"{target}: {_signature(message)}"
            seen[signature] = seen.get(signature, 0) + 1
            if seen[signature] > 1:
                continue
            args.failures.mkdir(parents=True, exist_ok=True)
            number = len(seen)
            example = failure.example
            assert example is not None
            if target == "onnx":
                path = args.failures / f"onnx-{number}.onnx"
                path.write_bytes(example.data)
            else:
                level = example.seed.rsplit(".", 2)[-2]
                path = args.failures / f"ir-{number}.{level}.mlir"
                path.write_text(example.data[0])
            path.with_suffix(path.suffix + ".txt").write_text(message)
            print(
                f"FAILURE {number}: {signature}\n  {message.splitlines()[0]}\n  saved {path}",
                flush=True,
            )
        finally:
            faulthandler.cancel_dump_traceback_later()
    faulthandler.cancel_dump_traceback_later()
    print(f"fuzz: {dict(runs)} examples; outcomes {dict(sorted(outcomes.items()))}")
    print(
        f"fuzz: {len(seen)} distinct failures" + "".join(f"\n  {n}x {s}" for s, n in seen.items())
    )
    return 1 if seen else 0


if __name__ == "__main__":
    sys.exit(main())
