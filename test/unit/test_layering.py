"""The import-linter contracts of pyproject.toml (`[tool.importlinter]`): the tree keeps
them, and they catch a lower layer importing a higher one (shown on a copy of the tree,
never by editing the real one), and no module grows past ~800 lines unless it is one
cohesive thing that says so."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = (
    "qdialects",
    "passes",
    "frontend",
    "backend_hls",
    "backend_rtl",
    "backend_fpga",
    "tools",
)
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """`lint-imports` on the packages under `root` with `root`'s pyproject.toml."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", "--config", str(root / "pyproject.toml")],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def _copy_tree(dest: Path) -> None:
    """The Python sources of every package and pyproject.toml, copied to `dest`."""
    shutil.copy(ROOT / "pyproject.toml", dest / "pyproject.toml")
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, dest / package, ignore=shutil.ignore_patterns("*.pyc", "lib")
        )


def test_the_tree_keeps_the_layering_contracts() -> None:
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_dialect_importing_a_pass_breaks_the_layers_contract(tmp_path: Path) -> None:
    _copy_tree(tmp_path)
    estimates = tmp_path / "qdialects" / "dataflow" / "estimates.py"
    estimates.write_text(
        estimates.read_text(encoding="utf-8") + "\nfrom passes import errors  # noqa\n",
        encoding="utf-8",
    )
    result = _lint_imports(tmp_path)
    assert result.returncode != 0
    assert "Dependencies point down" in result.stdout
    assert "qdialects.dataflow.estimates -> passes.errors" in result.stdout


def test_the_frontend_importing_a_pass_breaks_its_contract(tmp_path: Path) -> None:
    _copy_tree(tmp_path)
    frontend = tmp_path / "frontend" / "__init__.py"
    frontend.write_text(
        frontend.read_text(encoding="utf-8") + "\nimport passes.registry  # noqa\n",
        encoding="utf-8",
    )
    result = _lint_imports(tmp_path)
    assert result.returncode != 0
    assert "The frontend imports only the dialects BROKEN" in result.stdout
    assert "frontend -> passes.registry" in result.stdout


MAX_LINES = 800
"""A module longer than this holds several things, unless its docstring says why it is
one cohesive thing (the word 'cohesive' and the reason)."""


def _docstring(path: Path) -> str:
    return ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""


def test_no_module_is_over_800_lines_unless_its_docstring_says_it_is_cohesive() -> None:
    long = {
        str(path.relative_to(ROOT)): len(path.read_text(encoding="utf-8").splitlines())
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if len(path.read_text(encoding="utf-8").splitlines()) > MAX_LINES
    }
    unexplained = {
        name: lines for name, lines in long.items() if "cohesive" not in _docstring(ROOT / name)
    }
    assert not unexplained, f"modules over {MAX_LINES} lines without a cohesion note: {unexplained}"
