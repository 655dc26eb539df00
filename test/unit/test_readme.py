"""The README's Python code runs as written: every ```python block, in order, in one
namespace, from a scratch working directory (as a reader pasting them would)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"
BLOCK = re.compile(r"^```python\n(.*?)^```$", re.S | re.M)


def python_blocks() -> list[tuple[int, str]]:
    """(line number of the block's first code line, code) for every ```python block."""
    text = README.read_text(encoding="utf-8")
    return [(text.count("\n", 0, m.start(1)) + 1, m.group(1)) for m in BLOCK.finditer(text)]


def test_the_python_api_is_documented():
    code = "\n".join(block for _, block in python_blocks())
    for call in (
        "import_qonnx(",
        "run_pipeline(",
        "execute(",
        "backend_hls.emit(",
        "backend_hls.csim(",
        "build(",
    ):
        assert call in code, f"the README's Python section lost {call}"


def test_the_readme_python_blocks_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys):
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "__readme__"}
    for line, code in python_blocks():
        exec(compile(code, f"README.md, block at line {line}", "exec"), namespace)
    printed = capsys.readouterr().out
    assert re.search(r"^195,312 fps, 1,784 LUT$", printed, re.M), printed  # the tour's figures
    assert "stages: import, streamline, convert-to-dataflow" in printed
    assert (tmp_path / "mlp_hls/hls/top.cpp").is_file()
    assert (tmp_path / "mlp_project/report/csim.json").is_file()
