"""One contract: every JSON answer of the API is a model of `billfold.contract`, the
contract imports no framework and nothing of the service, and the SDK's namespaces
(sync and async alike) implement the contract's Protocols."""

from __future__ import annotations

import inspect
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import ValidationError

from billfold.api.main import create_app
from billfold.app import Billfold, render
from billfold.client import AsyncClient, Client
from billfold.contract import ContractModel
from billfold.contract.namespaces import NAMESPACES
from billfold.ledger.models import Hold
from tests.test_architecture import module_imports

CONTRACT = Path(__file__).resolve().parents[2] / "src" / "billfold" / "contract"
FRAMEWORKS = {"fastapi", "starlette", "httpx", "sqlalchemy", "alembic", "psycopg", "uvicorn",
              "jinja2", "typer", "click"}
VALUE_TYPES = {"billfold.errors", "billfold.money", "billfold.ids"}


def _api_routes(routes: list[Any]) -> list[APIRoute]:
    """Every APIRoute, including those of included routers (kept as branches)."""
    found: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif hasattr(route, "original_router"):
            found.extend(_api_routes(route.original_router.routes))
    return found


def _json_routes(billfold: Billfold) -> list[APIRoute]:
    routes = _api_routes(create_app(billfold).routes)
    return [r for r in routes if r.path not in ("/metrics",)
            and not r.path.startswith(("/dashboard", "/portal/"))]  # HTML pages


def _is_contract_model(model: object) -> bool:
    return (isinstance(model, type) and issubclass(model, ContractModel)
            and model.__module__.startswith("billfold.contract"))


def test_every_json_route_answers_a_contract_model(bf: Billfold) -> None:
    routes = _json_routes(bf)
    assert len(routes) >= 25
    for route in routes:
        name = f"{sorted(route.methods)} {route.path}"
        assert _is_contract_model(route.response_model), name
        # Checked and serialized on the event loop, not in a second thread-pool hop.
        assert inspect.iscoroutinefunction(route.endpoint), name
        assert route.response_class in (JSONResponse,) or "DefaultPlaceholder" in repr(
            route.response_class), name
        for status, extra in route.responses.items():
            if "model" in extra:
                assert _is_contract_model(extra["model"]), (name, status)


def test_what_the_library_answers_is_validated_as_it_is_built() -> None:
    """The API sends what the library returns, and FastAPI passes an instance of the
    response model through as it is: the check on the way out is the one the converter
    makes when it builds the model."""
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    hold = Hold(id="hold_1", store_id="sto_1", wallet_id="wal_1", customer_id="cus-1",
                program="main", unit="SAR", status="lost", amount=100, captured_amount=0,
                reference=None, metadata={}, expires_at=moment, created_at=moment,
                settled_at=None, transaction_id="txn_1", settled_transaction_id=None)
    with pytest.raises(ValidationError):
        render.hold(hold)
    assert render.hold(replace(hold, status="held")).status == "held"


@pytest.mark.parametrize("path", sorted(CONTRACT.glob("*.py")), ids=lambda p: p.name)
def test_the_contract_imports_no_framework_and_nothing_of_the_service(path: Path) -> None:
    imports = module_imports(path)
    assert not {name.split(".")[0] for name in imports} & FRAMEWORKS, imports
    service = {name for name in imports if name.startswith("billfold")
               and not name.startswith("billfold.contract") and name not in VALUE_TYPES}
    assert not service, service


def test_importing_the_contract_loads_no_framework() -> None:
    probe = ("import sys, billfold.contract, billfold.contract.namespaces; "
             "print(sorted({m.split('.')[0] for m in sys.modules} & set(sys.argv[1:])))")
    result = subprocess.run([sys.executable, "-c", probe, *sorted(FRAMEWORKS)],
                            capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def _public_methods(protocol: type) -> list[str]:
    return sorted(name for name, value in vars(protocol).items()
                  if not name.startswith("_") and inspect.isfunction(value))


@pytest.mark.parametrize("namespace", sorted(NAMESPACES))
def test_sdk_namespaces_implement_the_contract_protocols(namespace: str) -> None:
    protocol = NAMESPACES[namespace]
    sync, asynchronous = Client("bf_sk_x"), AsyncClient("bf_sk_x")
    implementation = getattr(sync, namespace)
    assert type(getattr(asynchronous, namespace)) is type(implementation)  # one definition
    methods = _public_methods(protocol)
    assert methods == _public_methods(type(implementation))
    for method in methods:
        expected = inspect.signature(getattr(protocol, method))
        actual = inspect.signature(getattr(type(implementation), method))
        assert list(actual.parameters.values()) == list(expected.parameters.values()), method
        assert actual.return_annotation == expected.return_annotation, method
    sync.close()
