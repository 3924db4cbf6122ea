"""Withdrawals and transfers over HTTP, on both databases: every path and every refusal,
each refusal answering the contract's error body and moving nothing."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from billfold.app import Billfold
from billfold.client import Client
from billfold.clock import FrozenClock
from billfold.store.tables import outbox_events
from tests.api.conftest import Tenant
from tests.helpers import assert_books_balance, race_calls, snapshot

WITHDRAWALS = "/v1/customers/cus-1/wallets/main/withdrawals"


@pytest.fixture
def funded(api: Client) -> Client:
    """cus-1 holds 3000 withdrawable (cash) and 2000 not (promotional); withdrawals on."""
    api.settings.update({"withdrawals_enabled": True})
    api.wallets.credit("cus-1", "main", 3000, funding_type="cash")
    api.wallets.credit("cus-1", "main", 2000, funding_type="promotional")
    return api


def _error(response: Any) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"error"}
    return body["error"]  # type: ignore[no-any-return]


def _refused(bf: Billfold, send: Callable[[], Any], status: int,
             error: dict[str, Any]) -> None:
    """`send` answers `status` with exactly `error` as its body, and nothing moved."""
    before = snapshot(bf)
    response = send()
    assert response.status_code == status, response.text
    assert _error(response) == error
    assert snapshot(bf) == before


def _events(bf: Billfold, prefix: str) -> list[tuple[str, dict[str, Any]]]:
    with bf.begin(read_only=True) as conn:
        rows = conn.execute(select(outbox_events.c.type, outbox_events.c.payload)
                            .order_by(outbox_events.c.event_id)).all()
    return [(row.type, row.payload) for row in rows if row.type.startswith(prefix)]


def _figures(api: Client, customer_id: str = "cus-1") -> tuple[int, int, int]:
    wallet = api.wallets.get(customer_id)
    return wallet.available, wallet.held, wallet.total


# -- withdrawals ---------------------------------------------------------------------------


def test_a_withdrawal_holds_then_approval_pays_it_out(funded: Client, bf: Billfold) -> None:
    response = funded.request("POST", WITHDRAWALS, json={"amount": 2500})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["id"].startswith("wd_")
    assert (body["status"], body["amount"], body["customer_id"], body["program"],
            body["unit"], body["transaction_id"]) == ("pending", 2500, "cus-1", "main", "SAR",
                                                      None)
    assert _figures(funded) == (2500, 2500, 5000)  # held, not spendable
    assert funded.withdrawals.get(body["id"]).status == "pending"
    assert_books_balance(bf)

    approved = funded.request("POST", f"/v1/withdrawals/{body['id']}/approve")
    assert approved.status_code == 200, approved.text
    paid = approved.json()
    assert paid["status"] == "approved" and paid["settled_at"] is not None
    assert _figures(funded) == (2500, 0, 2500)
    txn = funded.transactions.get(paid["transaction_id"])
    assert (txn.type, txn.amount, txn.balance_after, txn.funding_type) == (
        "withdrawal", 2500, 2500, "cash")
    assert funded.wallets.list_transactions("cus-1").data[0].type == "withdrawal"
    assert funded.wallets.get("cus-1").by_funding_type == {"cash": 500, "promotional": 2000}
    [requested, done] = _events(bf, "withdrawal.")
    hold_txn = funded.wallets.list_transactions("cus-1").data[1]
    assert requested == ("withdrawal.requested", {
        "withdrawal_id": body["id"], "customer_id": "cus-1", "program": "main", "unit": "SAR",
        "amount": 2500, "transaction_id": hold_txn.id})
    assert hold_txn.type == "hold"
    assert done == ("withdrawal.approved", {**requested[1], "transaction_id": txn.id})
    assert_books_balance(bf)


def test_a_rejected_withdrawal_gives_the_amount_back(funded: Client, bf: Billfold) -> None:
    pending = funded.withdrawals.create("cus-1", "main", 1000)
    response = funded.request("POST", f"/v1/withdrawals/{pending.id}/reject", json={})
    assert response.status_code == 200, response.text
    rejected = response.json()
    assert rejected["status"] == "rejected"
    assert _figures(funded) == (5000, 0, 5000)
    assert funded.transactions.get(rejected["transaction_id"]).type == "release"
    assert [kind for kind, _ in _events(bf, "withdrawal.")] == [
        "withdrawal.requested", "withdrawal.rejected"]
    assert_books_balance(bf)


def test_more_than_the_withdrawable_part_is_402(funded: Client, bf: Billfold) -> None:
    # 5000 available, but only the 3000 of cash may leave.
    _refused(bf, lambda: funded.request("POST", WITHDRAWALS, json={"amount": 3001}), 402, {
        "type": "insufficient_funds", "code": "insufficient_funds",
        "message": "The wallet has 3000 SAR withdrawable, 3001 SAR needed.",
        "param": "amount"})
    funded.withdrawals.create("cus-1", "main", 2000)
    _refused(bf, lambda: funded.request("POST", WITHDRAWALS, json={"amount": 1001}), 402, {
        "type": "insufficient_funds", "code": "insufficient_funds",
        "message": "The wallet has 1000 SAR withdrawable, 1001 SAR needed.",
        "param": "amount"})
    assert_books_balance(bf)


def test_withdrawals_while_disabled_are_403(funded: Client, bf: Billfold) -> None:
    pending = funded.withdrawals.create("cus-1", "main", 500)
    funded.settings.update({"withdrawals_enabled": False})
    refusal = {"type": "permission", "code": "withdrawals_disabled",
               "message": "This store does not allow withdrawals (settings: "
                          "withdrawals_enabled).", "param": None}
    _refused(bf, lambda: funded.request("POST", WITHDRAWALS, json={"amount": 100}), 403,
             refusal)
    _refused(bf, lambda: funded.request("POST", f"/v1/withdrawals/{pending.id}/approve"), 403,
             refusal)
    # Rejecting only gives credit back: allowed whatever the setting.
    assert funded.withdrawals.reject(pending.id).status == "rejected"
    assert _figures(funded) == (5000, 0, 5000)


def test_withdrawals_are_off_by_default(api: Client, bf: Billfold) -> None:
    api.wallets.credit("cus-1", "main", 3000, funding_type="cash")
    assert api.settings.get().withdrawals_enabled is False
    _refused(bf, lambda: api.request("POST", WITHDRAWALS, json={"amount": 100}), 403, {
        "type": "permission", "code": "withdrawals_disabled",
        "message": "This store does not allow withdrawals (settings: withdrawals_enabled).",
        "param": None})


def test_a_withdrawal_is_settled_once(funded: Client, bf: Billfold) -> None:
    first = funded.withdrawals.create("cus-1", "main", 700)
    funded.withdrawals.approve(first.id)
    for action in ("approve", "reject"):  # approve twice, reject after approve
        _refused(bf, lambda a=action: funded.request("POST", f"/v1/withdrawals/{first.id}/{a}"),
                 409, {"type": "conflict", "code": "withdrawal_not_pending",
                       "message": "The withdrawal is already approved.", "param": None})
    second = funded.withdrawals.create("cus-1", "main", 300)
    funded.withdrawals.reject(second.id)
    for action in ("approve", "reject"):
        _refused(bf, lambda a=action: funded.request("POST",
                                                     f"/v1/withdrawals/{second.id}/{a}"),
                 409, {"type": "conflict", "code": "withdrawal_not_pending",
                       "message": "The withdrawal is already rejected.", "param": None})
    assert _figures(funded) == (4300, 0, 4300)
    assert_books_balance(bf)


def test_approvals_and_rejections_racing_settle_a_withdrawal_once(funded: Client,
                                                                  bf: Billfold) -> None:
    pending = funded.withdrawals.create("cus-1", "main", 1200)
    calls: list[Callable[[], object]] = [
        (lambda: funded.withdrawals.approve(pending.id)) if index % 2
        else (lambda: funded.withdrawals.reject(pending.id)) for index in range(6)]
    assert race_calls(calls) == Counter({"ok": 1, "withdrawal_not_pending": 5})
    settled = funded.withdrawals.get(pending.id)
    assert _figures(funded) == ((3800, 0, 3800) if settled.status == "approved"
                                else (5000, 0, 5000))
    assert_books_balance(bf)


def test_an_approval_replayed_with_its_key_answers_the_same(funded: Client,
                                                            bf: Billfold) -> None:
    pending = funded.withdrawals.create("cus-1", "main", 400)
    first = funded.withdrawals.approve(pending.id, idempotency_key="pay-1")
    before = snapshot(bf)
    assert funded.withdrawals.approve(pending.id, idempotency_key="pay-1") == first
    assert snapshot(bf) == before


def test_unknown_withdrawals_customers_and_bad_amounts(funded: Client, bf: Billfold) -> None:
    missing = {"type": "not_found", "code": "withdrawal_not_found",
               "message": "No withdrawal 'wd_nope' in this store.", "param": "withdrawal_id"}
    _refused(bf, lambda: funded.request("GET", "/v1/withdrawals/wd_nope"), 404, missing)
    for action in ("approve", "reject"):
        _refused(bf, lambda a=action: funded.request("POST", f"/v1/withdrawals/wd_nope/{a}"),
                 404, missing)
    _refused(bf, lambda: funded.request(
        "POST", "/v1/customers/nobody/wallets/main/withdrawals", json={"amount": 1}), 404, {
        "type": "not_found", "code": "customer_not_found",
        "message": "No customer 'nobody' in this store.", "param": "customer_id"})
    for amount in (0, -5, 1.5, "100", True, 10**16):
        before = snapshot(bf)
        response = funded.request("POST", WITHDRAWALS, json={"amount": amount})
        assert response.status_code == 400, amount
        assert _error(response)["type"] == "invalid_request"
        assert _error(response)["param"] == "amount"
        assert snapshot(bf) == before


def test_the_withdrawal_hold_is_out_of_reach_of_the_holds_api(funded: Client,
                                                              bf: Billfold) -> None:
    funded.withdrawals.create("cus-1", "main", 900)
    hold_txn = funded.wallets.list_transactions("cus-1").data[0]
    assert hold_txn.type == "hold" and hold_txn.hold_id is not None
    for method, path in (("GET", ""), ("POST", "/capture"), ("POST", "/release")):
        _refused(bf, lambda m=method, p=path: funded.request(
                     m, f"/v1/holds/{hold_txn.hold_id}{p}"),
                 404, {"type": "not_found", "code": "hold_not_found",
                       "message": f"No hold {hold_txn.hold_id!r} in this store.",
                       "param": "hold_id"})


def test_a_pending_withdrawal_never_times_out(funded: Client, bf: Billfold,
                                             clock: FrozenClock) -> None:
    funded.wallets.credit("cus-1", "main", 1000, funding_type="refund", expires_in="1d")
    pending = funded.withdrawals.create("cus-1", "main", 4000)  # the refund lot comes first
    clock.advance(days=400)
    bf.sweep()
    assert funded.withdrawals.get(pending.id).status == "pending"
    assert funded.wallets.get("cus-1").held == 4000  # the held expiring lot is kept
    assert_books_balance(bf)
    approved = funded.withdrawals.approve(pending.id)
    assert approved.status == "approved"
    assert _figures(funded) == (2000, 0, 2000)  # the promotional credit, never withdrawable
    assert_books_balance(bf)


def test_withdrawals_list_newest_first_with_filters(funded: Client) -> None:
    first = funded.withdrawals.create("cus-1", "main", 100)
    second = funded.withdrawals.create("cus-1", "main", 200)
    third = funded.withdrawals.create("cus-1", "main", 300)
    funded.withdrawals.approve(second.id)
    page = funded.withdrawals.list(limit=2)
    assert [w.id for w in page.data] == [third.id, second.id] and page.has_more
    rest = funded.withdrawals.list(limit=2, starting_after=page.next_cursor)
    assert [w.id for w in rest.data] == [first.id] and not rest.has_more
    assert [w.id for w in funded.withdrawals.list(status="pending").data] == [third.id,
                                                                              first.id]
    assert funded.withdrawals.list(customer_id="cus-2").data == []
    response = funded.request("GET", "/v1/withdrawals", params={"status": "lost"})
    assert response.status_code == 400


# -- transfers ------------------------------------------------------------------------------


@pytest.fixture
def two_customers(api: Client) -> Client:
    api.settings.update({"allow_transfers": True})
    api.wallets.credit("cus-1", "main", 3000, funding_type="cash")
    api.wallets.credit("cus-1", "main", 1000, funding_type="promotional", expires_in="5d")
    api.customers.create("cus-2")
    return api


def test_a_transfer_moves_lots_with_their_nature(two_customers: Client, bf: Billfold) -> None:
    response = two_customers.request("POST", "/v1/transfers", json={
        "from_customer_id": "cus-1", "to_customer_id": "cus-2", "program": "main",
        "amount": 1500, "reference": "gift"})
    assert response.status_code == 201, response.text
    txn = response.json()
    assert (txn["type"], txn["amount"], txn["customer_id"], txn["balance_after"]) == (
        "transfer", 1500, "cus-1", 2500)
    assert two_customers.wallets.get("cus-2").by_funding_type == {"promotional": 1000,
                                                                  "cash": 500}
    lots = {lot.funding_type: lot for lot in two_customers.wallets.list_lots("cus-2").data}
    assert lots["cash"].withdrawable and not lots["promotional"].withdrawable
    assert lots["promotional"].expires_at is not None
    assert _figures(two_customers) == (2500, 0, 2500)
    assert_books_balance(bf)


def test_transfers_are_off_by_default(api: Client, bf: Billfold) -> None:
    api.wallets.credit("cus-1", "main", 3000, funding_type="cash")
    api.customers.create("cus-2")
    assert api.settings.get().allow_transfers is False
    _refused(bf, lambda: api.request("POST", "/v1/transfers", json={
        "from_customer_id": "cus-1", "to_customer_id": "cus-2", "program": "main",
        "amount": 100}), 403, {
        "type": "permission", "code": "transfers_disabled",
        "message": "This store does not allow transfers between customers (settings: "
                   "allow_transfers).", "param": None})


def test_transfer_refusals_move_nothing(two_customers: Client, bf: Billfold) -> None:
    def transfer(**changes: Any) -> Callable[[], Any]:
        sent = {"from_customer_id": "cus-1", "to_customer_id": "cus-2", "program": "main",
                "amount": 100, **changes}
        return lambda: two_customers.request("POST", "/v1/transfers", json=sent)

    _refused(bf, transfer(to_customer_id="cus-1"), 400, {
        "type": "invalid_request", "code": "invalid_request",
        "message": "A transfer needs two different customers.", "param": "to_customer_id"})
    _refused(bf, transfer(amount=4001), 402, {
        "type": "insufficient_funds", "code": "insufficient_funds",
        "message": "The wallet has 4000 SAR available, 4001 SAR needed.", "param": "amount"})
    _refused(bf, transfer(to_customer_id="stranger"), 404, {
        "type": "not_found", "code": "customer_not_found",
        "message": "No customer 'stranger' in this store.", "param": "to_customer_id"})
    _refused(bf, transfer(from_customer_id="stranger"), 404, {
        "type": "not_found", "code": "customer_not_found",
        "message": "No customer 'stranger' in this store.", "param": "from_customer_id"})
    _refused(bf, transfer(program="gold"), 404, {
        "type": "not_found", "code": "program_not_found",
        "message": "No program named 'gold' in this store.", "param": "program"})
    for amount in (0, 1.5, "1", None):
        before = snapshot(bf)
        response = transfer(amount=amount)()
        assert response.status_code == 400
        assert _error(response)["param"] == "amount"
        assert snapshot(bf) == before
    # What is held is not available to transfer either.
    two_customers.holds.create("cus-1", "main", 3500)
    _refused(bf, transfer(amount=501), 402, {
        "type": "insufficient_funds", "code": "insufficient_funds",
        "message": "The wallet has 500 SAR available, 501 SAR needed.", "param": "amount"})
    assert_books_balance(bf)


def test_transfers_and_withdrawals_through_the_sdk(tenant: Tenant, bf: Billfold) -> None:
    api = tenant.client
    api.settings.update({"allow_transfers": True, "withdrawals_enabled": True})
    api.wallets.credit("cus-1", "main", 2000, funding_type="cash")
    api.customers.create("cus-2")
    txn = api.transfers.create("cus-1", "cus-2", "main", 800, description="Split the bill")
    assert (txn.type, txn.description) == ("transfer", "Split the bill")
    withdrawal = api.withdrawals.create("cus-2", "main", 800)  # cash stays withdrawable
    assert api.withdrawals.approve(withdrawal.id).status == "approved"
    assert _figures(api, "cus-2") == (0, 0, 0)
    assert_books_balance(bf)
