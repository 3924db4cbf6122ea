"""Customers and wallets over HTTP, through the SDK (API.md, "Customers and wallets")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from billfold.app import Billfold
from billfold.client import Client
from billfold.clock import FrozenClock
from billfold.errors import Conflict, InsufficientFunds, NotFound
from tests.helpers import assert_books_balance, snapshot

START = datetime(2026, 1, 1, tzinfo=UTC)


def test_health_needs_no_key(api: Client, tenant) -> None:
    response = httpx.get(api.base_url + "/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_openapi_document_lists_every_contract_path_with_examples(api: Client) -> None:
    document = httpx.get(api.base_url + "/openapi.json").json()
    paths = document["paths"]
    for path in ("/v1/customers", "/v1/customers/{customer_id}",
                 "/v1/customers/{customer_id}/wallets/{program}",
                 "/v1/customers/{customer_id}/wallets/{program}/credits",
                 "/v1/customers/{customer_id}/wallets/{program}/debits",
                 "/v1/customers/{customer_id}/wallets/{program}/transactions",
                 "/v1/customers/{customer_id}/wallets/{program}/lots",
                 "/v1/transactions/{transaction_id}/reverse", "/v1/holds",
                 "/v1/holds/{hold_id}/capture", "/v1/holds/{hold_id}/release", "/healthz"):
        assert path in paths, path
    credit = paths["/v1/customers/{customer_id}/wallets/{program}/credits"]["post"]
    assert set(credit["responses"]) >= {"201", "400", "401", "404"}
    schemas = document["components"]["schemas"]
    assert schemas["CreditCreate"]["examples"][0]["amount"] == 5000
    assert schemas["Transaction"]["examples"]


def test_create_customer_answers_201_then_200_for_the_same_details(api: Client) -> None:
    first = api.request("POST", "/v1/customers",
                        json={"id": "cus-1", "email": "amira@example.com", "name": "Amira",
                              "metadata": {"tier": "gold"}})
    assert first.status_code == 201
    assert first.json() == {"id": "cus-1", "email": "amira@example.com", "name": "Amira",
                            "metadata": {"tier": "gold"}, "created_at": "2026-01-01T00:00:00Z",
                            "wallets": [], "tier": None, "tier_points": 0}
    again = api.request("POST", "/v1/customers", json={"id": "cus-1",
                                                        "email": "amira@example.com"})
    assert (again.status_code, again.json()) == (200, first.json())


def test_create_customer_with_a_contradicting_email_is_409(api: Client) -> None:
    api.customers.create("cus-1", email="a@example.com")
    with pytest.raises(Conflict) as refused:
        api.customers.create("cus-1", email="b@example.com")
    assert (refused.value.code, refused.value.param) == ("customer_exists", "email")
    assert api.customers.get("cus-1").email == "a@example.com"


def test_customer_created_by_a_credit_gets_its_details_filled_in(api: Client) -> None:
    api.wallets.credit("cus-1", "main", 500, funding_type="cash")
    filled = api.request("POST", "/v1/customers", json={"id": "cus-1", "name": "Amira"})
    assert filled.status_code == 200
    assert filled.json()["name"] == "Amira"
    assert filled.json()["wallets"][0]["available"] == 500


def test_get_customer_has_a_summary_of_every_wallet(api: Client, bf: Billfold,
                                                    tenant) -> None:
    bf.store(tenant.store_id).programs.create("rewards", unit="SAR")
    api.wallets.credit("cus-1", "main", 5000, funding_type="cash")
    api.wallets.credit("cus-1", "rewards", 700, funding_type="cashback", expires_in="30d")
    customer = api.customers.get("cus-1")
    assert [(w.program, w.available, w.total) for w in customer.wallets] == [
        ("main", 5000, 5000), ("rewards", 700, 700)]
    assert customer.wallets[1].next_expiry.expires_at == START + timedelta(days=30)


def test_unknown_customer_is_404_everywhere(api: Client) -> None:
    for call in (lambda: api.customers.get("ghost"), lambda: api.wallets.get("ghost"),
                 lambda: api.wallets.list_transactions("ghost"),
                 lambda: api.wallets.list_lots("ghost"),
                 lambda: api.wallets.debit("ghost", "main", 100),
                 lambda: api.holds.create("ghost", "main", 100)):
        with pytest.raises(NotFound) as refused:
            call()
        assert refused.value.code == "customer_not_found"


def test_known_customer_without_activity_has_a_zero_wallet(api: Client) -> None:
    api.customers.create("cus-1")
    response = api.request("GET", "/v1/customers/cus-1/wallets/main")
    assert response.json() == {
        "id": None, "customer_id": "cus-1", "program": "main", "unit": "SAR", "available": 0,
        "held": 0, "pending": 0, "total": 0, "by_funding_type": {}, "next_expiry": None}


def test_unknown_program_is_404(api: Client) -> None:
    api.customers.create("cus-1")
    with pytest.raises(NotFound) as refused:
        api.wallets.get("cus-1", "nope")
    assert refused.value.code == "program_not_found"


def test_credit_answers_201_with_the_transaction_and_creates_the_customer(api: Client) -> None:
    response = api.request(
        "POST", "/v1/customers/new-cus/wallets/main/credits",
        json={"amount": 5000, "funding_type": "cash", "expires_in": "90d",
              "description": "Goodwill", "reference": "ticket-9", "metadata": {"agent": "sam"}})
    assert response.status_code == 201
    body = response.json()
    assert body["id"].startswith("txn_") and body["wallet_id"].startswith("wal_")
    assert {k: body[k] for k in ("customer_id", "program", "type", "amount", "balance_after",
                                 "description", "reference", "metadata", "created_at")} == {
        "customer_id": "new-cus", "program": "main", "type": "credit", "amount": 5000,
        "balance_after": 5000, "description": "Goodwill", "reference": "ticket-9",
        "metadata": {"agent": "sam"}, "created_at": "2026-01-01T00:00:00Z"}
    assert api.customers.get("new-cus").id == "new-cus"
    wallet = api.wallets.get("new-cus")
    assert (wallet.available, wallet.total, wallet.by_funding_type) == (5000, 5000,
                                                                        {"cash": 5000})
    assert wallet.next_expiry.amount == 5000
    assert wallet.next_expiry.expires_at == START + timedelta(days=90)


@pytest.mark.parametrize(("expires_in", "seconds"), [("1m", 60), ("12h", 43200), ("2w", 1209600),
                                                     (90, 90)])
def test_expires_in_counts_exactly_from_the_request(api: Client, expires_in: object,
                                                    seconds: int) -> None:
    api.wallets.credit("cus-1", "main", 100, funding_type="promotional", expires_in=expires_in)
    lot = api.wallets.list_lots("cus-1").data[0]
    assert lot.expires_at == START + timedelta(seconds=seconds)


def test_credit_with_an_absolute_expires_at(api: Client) -> None:
    moment = datetime(2026, 3, 1, 12, 30, tzinfo=UTC)
    api.wallets.credit("cus-1", "main", 100, funding_type="promotional", expires_at=moment)
    assert api.wallets.list_lots("cus-1").data[0].expires_at == moment
    assert api.wallets.get("cus-1").next_expiry.expires_at == moment


def test_debit_answers_201_and_draws_soonest_expiry_first(api: Client) -> None:
    api.wallets.credit("cus-1", "main", 5000, funding_type="cash")
    promo = api.wallets.credit("cus-1", "main", 1000, funding_type="promotional", expires_in="7d")
    response = api.request("POST", "/v1/customers/cus-1/wallets/main/debits",
                           json={"amount": 1200, "reference": "order-1001"})
    assert response.status_code == 201
    debit = response.json()
    assert (debit["type"], debit["amount"], debit["balance_after"]) == ("debit", 1200, 4800)
    assert debit["lots"][0] == {"lot_id": promo.lots[0].lot_id, "funding_type": "promotional",
                                "amount": -1000, "held": 0}
    assert api.wallets.get("cus-1").by_funding_type == {"cash": 4800}


def test_debit_beyond_available_is_402_and_moves_nothing(api: Client, bf: Billfold) -> None:
    api.wallets.credit("cus-1", "main", 300, funding_type="cash")
    before = snapshot(bf)
    response = api.request("POST", "/v1/customers/cus-1/wallets/main/debits",
                           json={"amount": 1200})
    assert response.status_code == 402
    assert response.json() == {"error": {
        "type": "insufficient_funds", "code": "insufficient_funds",
        "message": "The wallet has 300 SAR available, 1200 SAR needed.", "param": "amount"}}
    with pytest.raises(InsufficientFunds):
        api.wallets.debit("cus-1", "main", 1200)
    assert snapshot(bf) == before


def test_history_is_newest_first_and_pages_by_cursor(api: Client, bf: Billfold) -> None:
    ids = [api.wallets.credit("cus-1", "main", 100 + n, funding_type="cash").id for n in range(5)]
    ids.append(api.wallets.debit("cus-1", "main", 50).id)
    first = api.wallets.list_transactions("cus-1", limit=4)
    assert [t.id for t in first.data] == ids[::-1][:4]
    assert first.has_more and first.next_cursor
    second = api.wallets.list_transactions("cus-1", limit=4, starting_after=first.next_cursor)
    assert [t.id for t in second.data] == ids[::-1][4:]
    assert (second.has_more, second.next_cursor) == (False, None)
    assert [t.id for t in api.wallets.iter_transactions("cus-1", page_size=2)] == ids[::-1]
    top = api.wallets.list_transactions("cus-1").data[0]
    assert (top.type, top.amount, top.balance_after) == ("debit", 50, sum(range(100, 105)) - 50)
    assert_books_balance(bf)


def test_default_page_size_is_20(api: Client) -> None:
    for _ in range(21):
        api.wallets.credit("cus-1", "main", 1, funding_type="cash")
    page = api.request("GET", "/v1/customers/cus-1/wallets/main/transactions").json()
    assert (len(page["data"]), page["has_more"]) == (20, True)
    assert set(page) == {"data", "has_more", "next_cursor"}


def test_lots_filter_by_status(api: Client, clock: FrozenClock) -> None:
    spent = api.wallets.credit("cus-1", "main", 100, funding_type="promotional", expires_in="1d")
    expiring = api.wallets.credit("cus-1", "main", 200, funding_type="promotional", expires_in="2d")
    active = api.wallets.credit("cus-1", "main", 300, funding_type="cash")
    api.wallets.debit("cus-1", "main", 100)
    clock.advance(days=3)

    def ids(status: str) -> list[str]:
        return [lot.id for lot in api.wallets.list_lots("cus-1", status=status).data]

    assert ids("active") == [active.lots[0].lot_id]
    assert ids("spent") == [spent.lots[0].lot_id]
    assert ids("expired") == [expiring.lots[0].lot_id]
    body = api.request("GET", "/v1/customers/cus-1/wallets/main/lots?status=active").json()
    assert body["data"][0] == {
        "id": active.lots[0].lot_id, "status": "active", "amount": 300, "remaining": 300,
        "held": 0, "funding_type": "cash", "withdrawable": True, "expires_at": None,
        "description": None, "transaction_id": active.id,
        "created_at": "2026-01-01T00:00:00Z"}
    page = api.wallets.list_lots("cus-1", limit=2)
    assert page.has_more
    rest = api.wallets.list_lots("cus-1", limit=2, starting_after=page.next_cursor)
    assert len(page.data) + len(rest.data) == 3 and not rest.has_more
