"""The SDK: typed errors, the async client, and retries that reuse one
Idempotency-Key so a lost response never moves money twice."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import httpx
import pytest

from billfold import contract
from billfold.app import Billfold
from billfold.client import AsyncClient, Client
from billfold.errors import InsufficientFunds, InternalError, InvalidAmount, NotFound
from tests.api.conftest import ServerThread, Tenant
from tests.helpers import assert_books_balance


class LoseFirstResponses(httpx.HTTPTransport):
    """Delivers each request to the real server but loses the first `n` answers,
    as a dropped connection after the server committed would."""

    def __init__(self, lose: int):
        super().__init__()
        self.lose = lose
        self.keys: list[str | None] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.keys.append(request.headers.get("Idempotency-Key"))
        response = super().handle_request(request)
        if self.lose > 0:
            self.lose -= 1
            response.read()
            raise httpx.ReadTimeout("response lost", request=request)
        return response


def test_a_lost_response_is_retried_with_the_same_key_and_moves_money_once(
        server: ServerThread, tenant: Tenant, bf: Billfold) -> None:
    transport = LoseFirstResponses(lose=2)
    with Client(tenant.api_key, server.base_url, max_retries=3,
                http_client=httpx.Client(transport=transport)) as api:
        txn = api.wallets.credit("cus-1", "main", 5000, funding_type="cash")
        assert len(transport.keys) == 3 and len(set(transport.keys)) == 1
        assert transport.keys[0].startswith("sdk-")
        debit = api.wallets.debit("cus-1", "main", 1200, idempotency_key="order-1")
    assert transport.keys[3:] == ["order-1"]
    assert (txn.amount, debit.balance_after) == (5000, 3800)
    with Client(tenant.api_key, server.base_url) as plain:
        assert plain.wallets.get("cus-1").total == 3800
        assert len(plain.wallets.list_transactions("cus-1").data) == 2
    assert_books_balance(bf)


def test_retries_give_up_after_max_retries(server: ServerThread, tenant: Tenant) -> None:
    transport = LoseFirstResponses(lose=5)
    with Client(tenant.api_key, server.base_url, max_retries=1,
                http_client=httpx.Client(transport=transport)) as api, \
            pytest.raises(httpx.ReadTimeout):
        api.wallets.get("cus-1")
    assert len(transport.keys) == 2


def test_5xx_is_retried_and_4xx_is_not() -> None:
    calls: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        calls.append(request.headers["Idempotency-Key"])
        if len(calls) == 1:
            return httpx.Response(503, json={"error": {"type": "internal", "code": "busy",
                                                       "message": "busy", "param": None}})
        return httpx.Response(402, json={"error": {
            "type": "insufficient_funds", "code": "insufficient_funds",
            "message": "The wallet has 0 SAR available, 5 SAR needed.", "param": "amount"}})

    with Client("bf_sk_x", "http://billfold.test", max_retries=3,
                http_client=httpx.Client(transport=httpx.MockTransport(answer))) as api, \
            pytest.raises(InsufficientFunds) as refused:
        api.wallets.debit("cus-1", "main", 5)
    assert len(calls) == 2 and calls[0] == calls[1]
    assert (refused.value.param, refused.value.http_status) == ("amount", 402)  # type: ignore[attr-defined]


def test_a_non_contract_error_body_is_an_internal_error() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(502, text="bad gateway"))
    with Client("bf_sk_x", "http://billfold.test", max_retries=0,
                http_client=httpx.Client(transport=transport)) as api, \
            pytest.raises(InternalError) as failed:
        api.customers.get("cus-1")
    assert failed.value.code == "http_502"


def test_errors_are_typed_with_code_and_param(api: Client) -> None:
    with pytest.raises(InvalidAmount) as refused:
        api.wallets.credit("cus-1", "main", 0, funding_type="cash")
    assert (refused.value.code, refused.value.param) == ("invalid_amount", "amount")
    assert refused.value.request_id  # type: ignore[attr-defined]
    with pytest.raises(NotFound):
        api.holds.get("hold_missing")


def test_customer_ids_with_reserved_url_characters_round_trip(api: Client) -> None:
    for customer_id in ("a@b.example", "x?y#z", "100%", "ü-ñ"):
        api.wallets.credit(customer_id, "main", 10, funding_type="cash")
        assert api.customers.get(customer_id).id == customer_id
        assert api.wallets.get(customer_id).available == 10


def test_async_client_covers_the_flow(server: ServerThread, tenant: Tenant) -> None:
    async def flow() -> None:
        async with AsyncClient(tenant.api_key, server.base_url) as api:
            assert await api.health() == {"status": "ok"}
            await api.customers.create("cus-1", name="Amira")
            credit = await api.wallets.credit("cus-1", "main", 5000, funding_type="cash")
            await api.wallets.debit("cus-1", "main", 1000)
            hold = await api.holds.create("cus-1", "main", 2000)
            assert (await api.holds.capture(hold.id, amount=1500)).status == "captured"
            other = await api.holds.create("cus-1", "main", 100)
            assert (await api.holds.release(other.id)).status == "released"
            assert (await api.holds.get(other.id)).status == "released"
            reversal = await api.transactions.reverse(credit.id, amount=100, description="adjust")
            assert (await api.transactions.get(reversal.id)).type == "reversal"
            wallet = await api.wallets.get("cus-1")
            assert (wallet.available, wallet.held) == (2400, 0)
            assert (await api.customers.get("cus-1")).wallets[0].available == 2400
            types = [t.type async for t in api.wallets.iter_transactions("cus-1", page_size=2)]
            assert types == ["reversal", "release", "hold", "capture", "hold", "debit",
                             "credit"]
            lots = await api.wallets.list_lots("cus-1", status="active")
            assert [lot.remaining for lot in lots.data] == [2400]
            with pytest.raises(InsufficientFunds):
                await api.wallets.debit("cus-1", "main", 999_999)

    asyncio.run(flow())


def test_commerce_calls_answer_contract_models(api: Client) -> None:
    settings = api.settings.update({"programs": {"rewards": {"unit": "SAR"}}})
    assert isinstance(settings, contract.Settings) and "rewards" in settings.programs
    offer = api.offers.create("Ten", percent="12.5")
    assert isinstance(offer, contract.CashbackOffer) and offer.percent == "12.50"
    order = api.orders.create("o-1", "cus-1", 10_000, currency="SAR",
                              lines=[{"product_id": "p", "quantity": 1, "unit_amount": 10_000}])
    assert isinstance(order, contract.Order) and order.cashback.pending == 1250
    api.orders.set_status("o-1", "paid")
    refund = api.orders.refund("o-1", 4000)
    assert isinstance(refund, contract.Refund) and refund.amount == 4000
    assert api.orders.list_refunds("o-1").data == [refund]
    stats = api.stats.get(start=datetime(2025, 12, 1, tzinfo=UTC),
                          end=datetime(2026, 1, 2, tzinfo=UTC))
    assert isinstance(stats, contract.Stats)
    assert (stats.start, stats.end) == (datetime(2025, 12, 1, tzinfo=UTC),
                                        datetime(2026, 1, 2, tzinfo=UTC))
    assert stats.model_dump(mode="json")["from"] == "2025-12-01T00:00:00Z"
