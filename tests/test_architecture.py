"""Imports point inward only (STYLE.md): shells → app → domains → ledger → store."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "billfold"
SHELLS = {"api", "web", "worker", "cli", "client", "benchmarks"}
DOMAINS = {"commerce", "loyalty", "funding"}
FRAMEWORKS = {"fastapi", "starlette", "jinja2", "typer", "uvicorn", "click"}


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _layer(module_path: Path) -> str:
    parts = module_path.relative_to(PACKAGE).with_suffix("").parts
    return parts[0]


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts)


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_inward(path: Path) -> None:
    layer = _layer(path)
    imports = _imports(path)
    billfold_layers = {name.split(".")[1] for name in imports
                       if name.startswith("billfold.") and name.count(".") >= 1}
    if layer in SHELLS or layer == "__init__":  # the package root re-exports Billfold
        return
    assert not billfold_layers & SHELLS, f"{path.name} imports a shell: {billfold_layers}"
    assert not {name.split(".")[0] for name in imports} & FRAMEWORKS, (
        f"{path.name} below the shells imports a web/CLI framework")
    if layer == "app.py" or layer == "app":
        return
    assert "app" not in billfold_layers, f"{path.name} imports app"
    if layer == "ledger":
        assert not billfold_layers & DOMAINS, f"ledger module {path.name} imports a domain"
