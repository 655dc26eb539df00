"""The generated reference docs (docs/generate.py) match the code: regenerate into a
temporary directory and compare with the committed files."""

from __future__ import annotations

import importlib.util
import shutil
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@cache
def _generator():
    spec = importlib.util.spec_from_file_location("docs_generate", ROOT / "docs" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@cache
def _generated() -> dict[str, str]:
    return _generator().generate(ROOT / "docs")


def test_committed_docs_are_up_to_date(tmp_path: Path) -> None:
    gen = _generator()
    # Hand-written parts of pass files come from the committed docs: copy them in first.
    shutil.copytree(ROOT / "docs" / "passes", tmp_path / "passes")
    files = gen.generate(tmp_path)
    assert files == _generated()
    gen.write(tmp_path, files)
    outdated = [
        rel
        for rel in files
        if not (ROOT / "docs" / rel).is_file()
        or (ROOT / "docs" / rel).read_text(encoding="utf-8")
        != (tmp_path / rel).read_text(encoding="utf-8")
    ]
    stale = gen.stale(ROOT / "docs", files)
    assert not outdated and not stale, (
        f"docs out of date: {outdated}, stale: {stale}; run: python docs/generate.py"
    )


def test_every_pass_dialect_and_target_is_documented() -> None:
    from backend_hls.targets import QNN_TARGETS
    from passes.registry import QNN_PASSES
    from qdialects import QNN_DIALECTS

    files = _generated()
    for name, load in QNN_DIALECTS.items():
        page = files[f"dialects/{name}.md"]
        for op in load().operations:
            assert f"### `{op.name}`" in page
            assert "*(no docstring)*" not in page, f"{name}: an op or type has no docstring"
    for name in QNN_PASSES:
        assert f"passes/{name}.md" in files
    for name in QNN_TARGETS:
        assert f"## `{name}`" in files["targets.md"]
    # The hand-written part of lower-quant-to-streamline.md survives regeneration.
    assert files["passes/lower-quant-to-streamline.md"].startswith("# `lower-quant-to-streamline`")


def test_generation_is_deterministic() -> None:
    assert _generator().generate(ROOT / "docs") == _generated()
