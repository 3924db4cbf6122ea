"""schemathesis against the live service's /openapi.json: valid and invalid
requests on every operation get no 5xx and no answer that breaks the schema
(status, content type, body). Bounded: a few examples per operation and mode."""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from billfold.app import Billfold
from billfold.client import Client
from tests.api.conftest import ServerThread, Tenant
from tests.helpers import assert_books_balance

MAX_EXAMPLES_PER_OPERATION = 8
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


def test_the_openapi_document_holds_for_generated_requests(server: ServerThread,
                                                           tenant: Tenant, api: Client,
                                                           bf: Billfold) -> None:
    # Objects the schema's examples name, so generated requests also reach real data.
    api.customers.create("cus-42", email="amira@example.com", name="Amira")
    api.wallets.credit("cus-42", "main", 10**9, funding_type="cash")
    schema = schemathesis.openapi.from_url(server.base_url + "/openapi.json")
    headers = {"Authorization": f"Bearer {tenant.api_key}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            explore(operation, mode, server.base_url, headers)
    answered = sum(float(line.rsplit(" ", 1)[1])
                   for line in api.request("GET", "/metrics").text.splitlines()
                   if line.startswith("billfold_http_requests_total{"))
    assert answered > len(operations) * MAX_EXAMPLES_PER_OPERATION  # it really explored
    assert_books_balance(bf)


def explore(operation: Any, mode: GenerationMode, base_url: str,
            headers: dict[str, str]) -> None:
    checks = CHECKS + ([negative_data_rejection] if mode is GenerationMode.NEGATIVE else [])

    @settings(max_examples=MAX_EXAMPLES_PER_OPERATION, deadline=None, database=None,
              suppress_health_check=list(HealthCheck), derandomize=True)
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case: schemathesis.Case) -> None:
        case.call_and_validate(base_url=base_url, headers=headers, checks=checks)

    try:
        check()
    except Unsatisfiable:
        # Nothing to negate (no parameters, no body): only the positive mode applies.
        assert mode is GenerationMode.NEGATIVE, operation.label
