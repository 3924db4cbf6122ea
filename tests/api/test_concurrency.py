"""Every mutating endpoint under concurrency, over real HTTP, requests lined up on a
barrier (issue 10): identical requests with one Idempotency-Key answer the first
response and act once; identical requests with different keys get the contract's
answers as if they ran one after another; conflicting requests leave exactly one
winner. The books verify after every race."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest

from billfold.app import Billfold
from tests.api.conftest import ServerThread, Tenant
from tests.api.racing import Call, error_codes, race, statuses
from tests.helpers import assert_books_balance

N = 6
WALLET = "/v1/customers/cus-1/wallets/main"


@pytest.fixture
def run(tenant: Tenant, server: ServerThread, bf: Billfold) -> Iterator[Any]:
    """`run(calls)`: race them as the test's store; the books must balance after."""
    def send(calls: list[Call]) -> list[httpx.Response]:
        return race(server.base_url, tenant.api_key, calls)

    yield send
    assert_books_balance(bf)


def one_key(call: Call, n: int = N) -> list[Call]:
    return [Call(call.method, call.path, call.body, "the-one-key")] * n


def many_keys(call: Call, n: int = N) -> list[Call]:
    return [Call(call.method, call.path, call.body, f"key-{i}") for i in range(n)]


def assert_one_answer(responses: list[httpx.Response], status: int) -> dict[str, Any]:
    """Every response is the first one again: same status, same body."""
    first = responses[0]
    assert first.status_code == status, first.json()
    assert all((r.status_code, r.json()) == (status, first.json()) for r in responses)
    return first.json()  # type: ignore[no-any-return]


def winner(responses: list[httpx.Response], status: int = 200) -> httpx.Response:
    """The one response with `status`; the rest are 409s."""
    won = [r for r in responses if r.status_code == status]
    assert len(won) == 1, [(r.status_code, r.json()) for r in responses]
    assert all(r.status_code == 409 for r in responses if r is not won[0])
    return won[0]


def history(tenant: Tenant, program: str = "main") -> list[str]:
    return [t.type for t in tenant.client.wallets.list_transactions("cus-1", program).data]


# -- customers ---------------------------------------------------------------------------

CUSTOMER = Call("POST", "/v1/customers", {"id": "cus-9", "email": "amira@example.com"})


def test_create_customer_one_key(run: Any, tenant: Tenant) -> None:
    body = assert_one_answer(run(one_key(CUSTOMER)), 201)
    assert body["email"] == "amira@example.com"


def test_create_customer_many_keys_creates_once(run: Any) -> None:
    assert statuses(run(many_keys(CUSTOMER))) == Counter({201: 1, 200: N - 1})


def test_create_customer_with_contradicting_emails_keeps_one(run: Any,
                                                            tenant: Tenant) -> None:
    calls = [Call("POST", "/v1/customers",
                  {"id": "cus-9", "email": f"{'a' if i % 2 else 'b'}@example.com"}, f"k{i}")
             for i in range(N)]
    responses = run(calls)
    email = tenant.client.customers.get("cus-9").email
    for call, response in zip(calls, responses, strict=True):
        if call.body["email"] == email:
            assert response.status_code in (200, 201)
        else:
            assert response.status_code == 409
            assert response.json()["error"]["code"] == "customer_exists"
    assert statuses(responses)[201] == 1


# -- credits, debits, reversals ------------------------------------------------------------

CREDIT = Call("POST", WALLET + "/credits", {"amount": 100, "funding_type": "cash"})
DEBIT = Call("POST", WALLET + "/debits", {"amount": 300})


def test_credit_one_key_credits_once(run: Any, tenant: Tenant) -> None:
    assert_one_answer(run(one_key(CREDIT)), 201)
    assert tenant.client.wallets.get("cus-1").available == 100


def test_credit_many_keys_credits_each(run: Any, tenant: Tenant) -> None:
    responses = run(many_keys(CREDIT))
    assert statuses(responses) == Counter({201: N})
    assert len({r.json()["id"] for r in responses}) == N
    assert tenant.client.wallets.get("cus-1").available == 100 * N


def test_credits_and_debits_at_once_never_go_below_zero(run: Any, tenant: Tenant) -> None:
    tenant.client.customers.create("cus-1")
    calls = [CREDIT if i % 2 else Call("POST", WALLET + "/debits", {"amount": 100})
             for i in range(N)]
    responses = run([Call(c.method, c.path, c.body, f"k{i}") for i, c in enumerate(calls)])
    credits = sum(1 for c, r in zip(calls, responses, strict=True)
                  if c is CREDIT and r.status_code == 201)
    debits = sum(1 for c, r in zip(calls, responses, strict=True)
                 if c is not CREDIT and r.status_code == 201)
    assert credits == N // 2
    assert error_codes(responses) == Counter({"insufficient_funds": N // 2 - debits})
    assert tenant.client.wallets.get("cus-1").available == 100 * (credits - debits)


def test_debit_one_key_debits_once(run: Any, tenant: Tenant) -> None:
    tenant.client.wallets.credit("cus-1", "main", 1000, funding_type="cash")
    assert_one_answer(run(one_key(DEBIT)), 201)
    assert tenant.client.wallets.get("cus-1").available == 700


def test_debit_many_keys_spend_what_there_is(run: Any, tenant: Tenant) -> None:
    tenant.client.wallets.credit("cus-1", "main", 1000, funding_type="cash")
    responses = run(many_keys(DEBIT))
    assert statuses(responses) == Counter({201: 3, 402: N - 3})
    assert error_codes(responses) == Counter({"insufficient_funds": N - 3})
    assert tenant.client.wallets.get("cus-1").available == 100


def test_debit_racing_the_reversal_of_its_credit_one_wins(run: Any, tenant: Tenant) -> None:
    credit = tenant.client.wallets.credit("cus-1", "main", 1000, funding_type="cash")
    reverse = Call("POST", f"/v1/transactions/{credit.id}/reverse",
                   {"description": "sent by mistake"})
    debit = Call("POST", WALLET + "/debits", {"amount": 600})
    responses = run([Call(c.method, c.path, c.body, f"k{i}")
                     for i, c in enumerate([reverse, debit] * (N // 2))])
    assert statuses(responses)[201] == 1, [r.json() for r in responses]
    assert set(error_codes(responses)) <= {"insufficient_funds", "credit_already_spent",
                                           "already_reversed"}
    won = next(r.json() for r in responses if r.status_code == 201)
    assert tenant.client.wallets.get("cus-1").available == (0 if won["type"] == "reversal"
                                                            else 400)


def _reverse(transaction_id: str, amount: int | None) -> Call:
    body: dict[str, Any] = {"description": "correction"}
    if amount is not None:
        body["amount"] = amount
    return Call("POST", f"/v1/transactions/{transaction_id}/reverse", body)


def test_reverse_one_key_reverses_once(run: Any, tenant: Tenant) -> None:
    credit = tenant.client.wallets.credit("cus-1", "main", 1000, funding_type="cash")
    assert_one_answer(run(one_key(_reverse(credit.id, 400))), 201)
    assert tenant.client.wallets.get("cus-1").available == 600


def test_reverse_many_keys_never_reverse_more_than_there_was(run: Any,
                                                            tenant: Tenant) -> None:
    tenant.client.wallets.credit("cus-1", "main", 1000, funding_type="cash")
    debit = tenant.client.wallets.debit("cus-1", "main", 1000)
    responses = run(many_keys(_reverse(debit.id, 400)))
    assert statuses(responses) == Counter({201: 2, 400: N - 2})
    assert error_codes(responses) == Counter({"amount_too_large": N - 2})
    assert tenant.client.wallets.get("cus-1").available == 800


def test_whole_and_partial_reversals_at_once_add_up(run: Any, tenant: Tenant) -> None:
    tenant.client.wallets.credit("cus-1", "main", 1000, funding_type="cash")
    debit = tenant.client.wallets.debit("cus-1", "main", 1000)
    calls = [_reverse(debit.id, None if i % 2 else 300) for i in range(N)]
    responses = run([Call(c.method, c.path, c.body, f"k{i}") for i, c in enumerate(calls)])
    reversed_total = sum(r.json()["amount"] for r in responses if r.status_code == 201)
    assert reversed_total == 1000
    assert set(error_codes(responses)) <= {"already_reversed", "amount_too_large"}
    assert tenant.client.wallets.get("cus-1").available == 1000


# -- holds -------------------------------------------------------------------------------

def _hold(amount: int) -> Call:
    return Call("POST", "/v1/holds", {"customer_id": "cus-1", "program": "main",
                                      "amount": amount})


def test_hold_one_key_holds_once(run: Any, tenant: Tenant) -> None:
    tenant.client.wallets.credit("cus-1", "main", 1000, funding_type="cash")
    assert_one_answer(run(one_key(_hold(600))), 201)
    assert tenant.client.wallets.get("cus-1").held == 600


def test_hold_many_keys_hold_what_there_is(run: Any, tenant: Tenant) -> None:
    tenant.client.wallets.credit("cus-1", "main", 1000, funding_type="cash")
    responses = run(many_keys(_hold(300)))
    assert statuses(responses) == Counter({201: 3, 402: N - 3})
    wallet = tenant.client.wallets.get("cus-1")
    assert (wallet.available, wallet.held) == (100, 900)


def test_hold_racing_a_debit_one_wins(run: Any, tenant: Tenant) -> None:
    tenant.client.wallets.credit("cus-1", "main", 1000, funding_type="cash")
    calls = [_hold(600), Call("POST", WALLET + "/debits", {"amount": 600})] * (N // 2)
    responses = run([Call(c.method, c.path, c.body, f"k{i}") for i, c in enumerate(calls)])
    assert statuses(responses) == Counter({201: 1, 402: N - 1})
    wallet = tenant.client.wallets.get("cus-1")
    assert wallet.available == 400
    assert wallet.held + (1000 - wallet.total) == 600


def _settle(hold_id: str, verb: str) -> Call:
    return Call("POST", f"/v1/holds/{hold_id}/{verb}", {})


@pytest.mark.parametrize("verb", ["capture", "release"])
def test_settle_hold_one_key_settles_once(run: Any, tenant: Tenant, verb: str) -> None:
    tenant.client.wallets.credit("cus-1", "main", 1000, funding_type="cash")
    hold = tenant.client.holds.create("cus-1", "main", 600)
    body = assert_one_answer(run(one_key(_settle(hold.id, verb))), 200)
    assert body["status"] == {"capture": "captured", "release": "released"}[verb]
    assert history(tenant)[0] == verb


@pytest.mark.parametrize("verb", ["capture", "release"])
def test_settle_hold_many_keys_one_wins(run: Any, tenant: Tenant, verb: str) -> None:
    tenant.client.wallets.credit("cus-1", "main", 1000, funding_type="cash")
    hold = tenant.client.holds.create("cus-1", "main", 600)
    responses = run(many_keys(_settle(hold.id, verb)))
    winner(responses)
    assert error_codes(responses) == Counter({"hold_not_open": N - 1})
    assert history(tenant) == [verb, "hold", "credit"]


def test_capture_racing_release_one_wins(run: Any, tenant: Tenant) -> None:
    tenant.client.wallets.credit("cus-1", "main", 1000, funding_type="cash")
    hold = tenant.client.holds.create("cus-1", "main", 600)
    calls = [_settle(hold.id, "capture"), _settle(hold.id, "release")] * (N // 2)
    responses = run([Call(c.method, c.path, c.body, f"k{i}") for i, c in enumerate(calls)])
    won = winner(responses).json()
    wallet = tenant.client.wallets.get("cus-1")
    assert wallet.held == 0
    assert wallet.available == (400 if won["status"] == "captured" else 1000)


# -- checkouts ---------------------------------------------------------------------------

def _checkout(order_id: str = "order-1", amount: int = 3000) -> Call:
    return Call("POST", "/v1/checkouts", {"customer_id": "cus-1", "order_id": order_id,
                                          "currency": "SAR", "amount": amount})


def test_checkout_one_key_holds_once(run: Any, tenant: Tenant) -> None:
    tenant.client.wallets.credit("cus-1", "main", 10_000, funding_type="cash")
    body = assert_one_answer(run(one_key(_checkout())), 201)
    assert body["wallet_amount"] == 3000
    assert tenant.client.wallets.get("cus-1").held == 3000


def test_checkout_racing_debits_is_never_refused(run: Any, tenant: Tenant) -> None:
    tenant.client.wallets.credit("cus-1", "main", 5000, funding_type="cash")
    calls = [_checkout(f"o{i}") if i % 2 else Call("POST", WALLET + "/debits",
                                                  {"amount": 2000}) for i in range(N)]
    responses = run([Call(c.method, c.path, c.body, f"k{i}") for i, c in enumerate(calls)])
    checkouts = [r.json() for c, r in zip(calls, responses, strict=True)
                 if c.path == "/v1/checkouts"]
    assert len(checkouts) == N // 2
    assert all(r.status_code == 201 for c, r in zip(calls, responses, strict=True)
               if c.path == "/v1/checkouts")
    debited = sum(2000 for c, r in zip(calls, responses, strict=True)
                  if c.path != "/v1/checkouts" and r.status_code == 201)
    held = sum(b["wallet_amount"] for b in checkouts)
    wallet = tenant.client.wallets.get("cus-1")
    assert (wallet.held, wallet.available) == (held, 5000 - debited - held)
    assert wallet.available < 2000 or all(b["remaining_amount"] == 0 for b in checkouts)


def _open_checkout(tenant: Tenant) -> str:
    tenant.client.wallets.credit("cus-1", "main", 10_000, funding_type="cash")
    return tenant.client.checkouts.create("cus-1", "order-1", 3000, currency="SAR").id


@pytest.mark.parametrize("verb", ["complete", "cancel"])
def test_settle_checkout_one_key_settles_once(run: Any, tenant: Tenant, verb: str) -> None:
    checkout_id = _open_checkout(tenant)
    body = assert_one_answer(run(one_key(Call("POST", f"/v1/checkouts/{checkout_id}/{verb}",
                                               {}))), 200)
    assert body["status"] == {"complete": "completed", "cancel": "cancelled"}[verb]
    assert history(tenant)[0] == {"complete": "capture", "cancel": "release"}[verb]


@pytest.mark.parametrize("verb", ["complete", "cancel"])
def test_settle_checkout_many_keys_one_wins(run: Any, tenant: Tenant, verb: str) -> None:
    checkout_id = _open_checkout(tenant)
    responses = run(many_keys(Call("POST", f"/v1/checkouts/{checkout_id}/{verb}", {})))
    winner(responses)
    assert error_codes(responses) == Counter({"checkout_not_open": N - 1})
    assert history(tenant) == [{"complete": "capture", "cancel": "release"}[verb], "hold",
                               "credit"]


def test_complete_racing_cancel_one_wins(run: Any, tenant: Tenant) -> None:
    checkout_id = _open_checkout(tenant)
    calls = [Call("POST", f"/v1/checkouts/{checkout_id}/{verb}", {}, f"k{i}")
             for i, verb in enumerate(["complete", "cancel"] * (N // 2))]
    won = winner(run(calls)).json()
    wallet = tenant.client.wallets.get("cus-1")
    assert wallet.held == 0
    assert wallet.available == (7000 if won["status"] == "completed" else 10_000)


# -- cashback offers ---------------------------------------------------------------------

OFFER = Call("POST", "/v1/cashback_offers", {"name": "Ten", "percent": 10, "program": "main"})


def test_create_offer_one_key_creates_once(run: Any, tenant: Tenant) -> None:
    body = assert_one_answer(run(one_key(OFFER)), 201)
    assert tenant.client.offers.get(body["id"]).status == "active"


def test_create_offer_many_keys_creates_each(run: Any) -> None:
    responses = run(many_keys(OFFER))
    assert statuses(responses) == Counter({201: N})
    assert len({r.json()["id"] for r in responses}) == N


def test_close_offer_one_key_closes_once(run: Any, tenant: Tenant) -> None:
    offer_id = tenant.client.offers.create("A", percent=10).id
    body = assert_one_answer(run(one_key(Call("POST", f"/v1/cashback_offers/{offer_id}/close",
                                               {}))), 200)
    assert body["status"] == "closed"


@pytest.mark.parametrize("round_", range(3))
def test_close_offer_many_keys_one_wins(run: Any, tenant: Tenant, round_: int) -> None:
    offer_id = tenant.client.offers.create("B", percent=10).id
    responses = run(many_keys(Call("POST", f"/v1/cashback_offers/{offer_id}/close", {})))
    closed_at = winner(responses).json()["closed_at"]
    assert error_codes(responses) == Counter({"offer_closed": N - 1})
    assert tenant.client.offers.get(offer_id).closed_at == datetime.fromisoformat(closed_at)


def test_closing_an_offer_while_orders_are_placed_grants_nothing_after(
        run: Any, tenant: Tenant) -> None:
    offer_id = tenant.client.offers.create("Ten", percent=10).id
    calls = [Call("POST", f"/v1/cashback_offers/{offer_id}/close", {}, "close")]
    calls += [Call("POST", "/v1/orders", _order_body(f"o{i}", f"cus-{i}"), f"k{i}")
              for i in range(N - 1)]
    responses = run(calls)
    assert statuses(responses) == Counter({200: 1, 201: N - 1})
    for i in range(N - 1):
        order = tenant.client.orders.set_status(f"o{i}", "shipped")
        assert order.cashback.granted == 0


# -- orders ------------------------------------------------------------------------------

def _order_body(order_id: str, customer_id: str = "cus-1") -> dict[str, Any]:
    return {"id": order_id, "customer_id": customer_id, "currency": "SAR", "amount": 10_000,
            "lines": [{"product_id": "p1", "quantity": 1, "unit_amount": 10_000}]}


def test_place_order_one_key_places_once(run: Any, tenant: Tenant) -> None:
    tenant.client.offers.create("Ten", percent=10)
    body = assert_one_answer(run(one_key(Call("POST", "/v1/orders", _order_body("o1")))), 201)
    assert body["cashback"]["pending"] == 1000
    assert tenant.client.wallets.get("cus-1").pending == 1000


def test_place_order_many_keys_places_once(run: Any, tenant: Tenant) -> None:
    tenant.client.offers.create("Ten", percent=10)
    responses = run(many_keys(Call("POST", "/v1/orders", _order_body("o1"))))
    assert statuses(responses) == Counter({201: 1, 409: N - 1})
    assert error_codes(responses) == Counter({"order_exists": N - 1})
    assert tenant.client.wallets.get("cus-1").pending == 1000


def test_first_orders_of_one_customer_at_once_earn_first_order_cashback_once(
        run: Any, tenant: Tenant) -> None:
    tenant.client.customers.create("cus-1")
    tenant.client.offers.create("Welcome", amount=500, first_order_only=True)
    responses = run([Call("POST", "/v1/orders", _order_body(f"o{i}"), f"k{i}")
                     for i in range(N)])
    assert statuses(responses) == Counter({201: N})
    firsts = [r.json() for r in responses if r.json()["first_order"]]
    assert len(firsts) == 1
    assert [r.json()["cashback"]["pending"] for r in responses].count(500) == 1
    assert tenant.client.wallets.get("cus-1").pending == 500


def test_one_checkout_paying_an_order_placed_twice_at_once_pays_once(
        run: Any, tenant: Tenant) -> None:
    tenant.client.wallets.credit("cus-1", "main", 10_000, funding_type="cash")
    checkout_id = tenant.client.checkouts.create("cus-1", "o1", 10_000, currency="SAR").id
    body = {**_order_body("o1"), "checkout_id": checkout_id}
    responses = run(many_keys(Call("POST", "/v1/orders", body)))
    assert statuses(responses) == Counter({201: 1, 409: N - 1})
    wallet = tenant.client.wallets.get("cus-1")
    assert (wallet.available, wallet.held) == (0, 0)
    assert history(tenant) == ["capture", "hold", "credit"]


def _status(order_id: str, status: str) -> Call:
    return Call("POST", f"/v1/orders/{order_id}/status", {"status": status})


def test_order_status_one_key_moves_once(run: Any, tenant: Tenant) -> None:
    tenant.client.offers.create("Ten", percent=10)
    tenant.client.orders.create("o1", "cus-1", 10_000, currency="SAR",
                                lines=_order_body("o1")["lines"])
    body = assert_one_answer(run(one_key(_status("o1", "shipped"))), 200)
    assert body["cashback"]["granted"] == 1000
    assert tenant.client.wallets.get("cus-1").available == 1000


def test_order_status_many_keys_moves_once_and_grants_once(run: Any, tenant: Tenant) -> None:
    tenant.client.offers.create("Ten", percent=10)
    tenant.client.orders.create("o1", "cus-1", 10_000, currency="SAR",
                                lines=_order_body("o1")["lines"])
    responses = run(many_keys(_status("o1", "shipped")))
    winner(responses)
    assert error_codes(responses) == Counter({"illegal_status_change": N - 1})
    assert tenant.client.wallets.get("cus-1").available == 1000


def test_cancel_racing_shipping_one_wins(run: Any, tenant: Tenant) -> None:
    tenant.client.offers.create("Ten", percent=10)
    tenant.client.orders.create("o1", "cus-1", 10_000, currency="SAR",
                                lines=_order_body("o1")["lines"])
    calls = [Call("POST", "/v1/orders/o1/status", {"status": s}, f"k{i}")
             for i, s in enumerate(["cancelled", "shipped"] * (N // 2))]
    won = winner(run(calls)).json()
    order = tenant.client.orders.get("o1")
    assert order.status == won["status"]
    expected = (0, 1000) if won["status"] == "cancelled" else (1000, 0)
    assert (order.cashback.granted, order.cashback.voided) == expected
    assert tenant.client.wallets.get("cus-1").available == expected[0]


# -- refunds -----------------------------------------------------------------------------

def _paid_order(tenant: Tenant) -> None:
    tenant.client.orders.create("o1", "cus-1", 1000, currency="SAR",
                                lines=[{"product_id": "p1", "quantity": 1, "unit_amount": 1000}])
    tenant.client.orders.set_status("o1", "paid")


def _refund(amount: int) -> Call:
    return Call("POST", "/v1/orders/o1/refunds", {"amount": amount, "to": "wallet"})


def test_refund_one_key_refunds_once(run: Any, tenant: Tenant) -> None:
    _paid_order(tenant)
    assert_one_answer(run(one_key(_refund(600))), 201)
    assert tenant.client.wallets.get("cus-1").available == 600


def test_refund_many_keys_never_refund_more_than_was_paid(run: Any, tenant: Tenant) -> None:
    _paid_order(tenant)
    responses = run(many_keys(_refund(400)))
    assert statuses(responses) == Counter({201: 2, 400: N - 2})
    assert error_codes(responses) == Counter({"amount_exceeds_refundable": N - 2})
    assert tenant.client.wallets.get("cus-1").available == 800
    assert tenant.client.orders.get("o1").refunded_amount == 800


def test_refund_racing_cancellation_refunds_what_was_paid_once(run: Any,
                                                              tenant: Tenant) -> None:
    _paid_order(tenant)
    calls = [_refund(600), _status("o1", "cancelled")] * (N // 2)
    run([Call(c.method, c.path, c.body, f"k{i}") for i, c in enumerate(calls)])
    order = tenant.client.orders.get("o1")
    assert (order.status, order.refunded_amount) == ("cancelled", 1000)
    assert tenant.client.wallets.get("cus-1").available == 1000


# -- settings ----------------------------------------------------------------------------

def test_patch_settings_one_key_and_many_keys(run: Any, tenant: Tenant) -> None:
    patch = Call("PATCH", "/v1/settings", {"low_balance_threshold": 700})
    assert_one_answer(run(one_key(patch)), 200)
    responses = run(many_keys(Call("PATCH", "/v1/settings", {"topup_amounts": [1000]})))
    assert statuses(responses) == Counter({200: N})
    settings = tenant.client.settings.get()
    assert (settings.low_balance_threshold, settings.topup_amounts) == (700, [1000])


def test_patches_adding_programs_and_store_keys_at_once_all_survive(run: Any,
                                                                   tenant: Tenant) -> None:
    calls = [Call("PATCH", "/v1/settings",
                  {"programs": {f"reward{i}": {"unit": "SAR", "max_per_order_amount": 100}}}
                  if i % 2 else {"low_balance_threshold": i} if i == 2 else
                  {"auto_apply": False} if i == 4 else {"allow_topup": True}, f"k{i}")
             for i in range(N)]
    assert statuses(run(calls)) == Counter({200: N})
    settings = tenant.client.settings.get()
    assert {f"reward{i}" for i in range(1, N, 2)} <= set(settings.programs)
    assert (settings.low_balance_threshold, settings.auto_apply,
            settings.allow_topup) == (2, False, True)


def test_patches_creating_one_program_at_once_create_it_once(run: Any,
                                                            tenant: Tenant) -> None:
    responses = run(many_keys(Call("PATCH", "/v1/settings", {"programs": {
        "rewards": {"unit": "SAR", "max_per_order_amount": 100}}})))
    assert statuses(responses) == Counter({200: N})
    assert tenant.client.settings.get().programs["rewards"].max_per_order_amount == 100
