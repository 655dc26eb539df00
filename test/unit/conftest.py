"""Makes the benchmarks' modules importable by the tests: some tests run a benchmark's
measurement and assert on it (`test_rtl_models`), and all find the shared models through
`benchmarks/shared_models.py`, so that tests and benchmarks look in the same place."""

import sys
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parents[2] / "benchmarks"))
