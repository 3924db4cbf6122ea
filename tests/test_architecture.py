"""Imports point inward only (STYLE.md): shells → app → domains → ledger → store → value
types. Every module of the package is checked against its layer, with `ast`."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "billfold"
VALUE_TYPES = {"money", "ids", "clock", "errors", "durations", "codec", "settings"}
DOMAINS = {"commerce", "loyalty", "funding", "webhooks", "access"}
SHELLS = {"api", "web", "worker", "cli", "client", "benchmarks", "demo"}
FRAMEWORKS = {"fastapi", "starlette", "jinja2", "typer", "uvicorn", "click"}
# What each layer may import of billfold, besides itself and the value types.
ALLOWED: dict[str, set[str]] = {
    "value types": set(),
    "contract": set(),
    "store": set(),
    "ledger": {"store"},
    "domain": {"store", "ledger"},
    "app": {"store", "ledger", "contract"} | DOMAINS,
    "client": {"contract"},
    "shell": {"store", "ledger", "contract", "app"} | DOMAINS | SHELLS,
}


def _layer(path: Path) -> tuple[str, str]:
    """(layer, the module's own top-level name under billfold)."""
    top = path.relative_to(PACKAGE).with_suffix("").parts[0]
    if top in VALUE_TYPES:
        return "value types", top
    if top in DOMAINS:
        return "domain", top
    if top == "client":
        return "client", top
    if top in SHELLS or top == "__init__":
        return "shell", top
    assert top in {"contract", "store", "ledger", "app"}, f"{top} is in no layer"
    return top, top


def module_imports(path: Path) -> set[str]:
    """Every module `path` imports by absolute name (`from billfold import x` names x)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            if node.module == "billfold":  # `from billfold import ledger`: a submodule
                found.update(f"billfold.{alias.name}" for alias in node.names
                             if (PACKAGE / alias.name).is_dir()
                             or (PACKAGE / f"{alias.name}.py").is_file())
    return found


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts)


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_every_module_imports_only_inward(path: Path) -> None:
    layer, own = _layer(path)
    imports = module_imports(path)
    used = {name.split(".")[1] for name in imports if name.startswith("billfold.")}
    allowed = ALLOWED[layer] | VALUE_TYPES | {own}
    assert used <= allowed, f"{layer} module imports {sorted(used - allowed)}"
    if layer not in ("shell", "client"):
        frameworks = {name.split(".")[0] for name in imports} & FRAMEWORKS
        assert not frameworks, f"{layer} module imports {frameworks}"


def test_the_package_root_holds_only_value_types_and_shells() -> None:
    root = {p.stem for p in PACKAGE.glob("*.py")} - {"__init__"}
    assert root <= VALUE_TYPES | SHELLS, sorted(root - VALUE_TYPES - SHELLS)
