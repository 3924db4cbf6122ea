"""Webhook endpoints over HTTP and deliveries by the worker to a real HTTP receiver on
loopback, every delivery verified with the `standardwebhooks` library, on both
databases: retries, order per customer, filters, rotation, replay, disabling, the
private-address refusal, and two workers sharing the work."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from billfold.app import Billfold
from billfold.client import Client
from billfold.clock import FrozenClock
from billfold.worker.deliver import Deliverer
from tests.api.conftest import Tenant

ENDPOINTS = "/v1/webhook_endpoints"


class Receiver:
    """An HTTP server on 127.0.0.1 that records every request and answers the next
    status of `answers` (200 once they run out)."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.answers: list[int] = []
        self.delay_seconds = 0.0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                time.sleep(receiver.delay_seconds)
                with receiver.lock:
                    receiver.requests.append(({k.lower(): v for k, v in self.headers.items()},
                                              body))
                    status = receiver.answers.pop(0) if receiver.answers else 200
                self.send_response(status)
                self.send_header("content-length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *_args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(body) for _headers, body in self.requests]


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    monkeypatch.setenv("BILLFOLD_WEBHOOK_ALLOW_PRIVATE", "1")
    monkeypatch.setenv("BILLFOLD_WEBHOOK_RETRY_SECONDS", "10,20,30")
    made = Receiver()
    yield made
    made.server.shutdown()
    made.server.server_close()


@pytest.fixture
def deliverer(bf: Billfold) -> Iterator[Deliverer]:
    made = Deliverer(bf)
    yield made
    made.close()


def _endpoint(api: Client, url: str, **fields: Any) -> dict[str, Any]:
    response = api.request("POST", ENDPOINTS, json={"url": url, **fields})
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def _verified(secret: str, headers: dict[str, str], body: bytes) -> dict[str, Any]:
    return Webhook(secret).verify(body, headers)  # type: ignore[no-any-return]


def test_an_endpoint_gets_every_event_signed_once(api: Client, receiver: Receiver,
                                                  deliverer: Deliverer) -> None:
    made = _endpoint(api, receiver.url)
    assert made["id"].startswith("whe_") and made["secret"].startswith("whsec_")
    assert (made["status"], made["events"]) == ("enabled", None)
    assert "secret" not in api.request("GET", f"{ENDPOINTS}/{made['id']}").json()
    api.wallets.credit("cus-1", "main", 5000, funding_type="cash")
    api.wallets.debit("cus-1", "main", 1200)
    assert deliverer.drain() == 2
    assert deliverer.drain() == 0  # nothing twice
    events = api.events.list().data
    assert [b["id"] for b in receiver.bodies()] == [e.id for e in reversed(events)]
    for (headers, body), event in zip(receiver.requests, reversed(events), strict=True):
        assert _verified(made["secret"], headers, body) == json.loads(
            event.model_dump_json())
        assert headers["webhook-id"] == event.id
    with pytest.raises(WebhookVerificationError):
        _verified("whsec_" + "A" * 32, *receiver.requests[0])
    attempts = api.request("GET", f"{ENDPOINTS}/{made['id']}/deliveries").json()["data"]
    assert [(a["attempt"], a["status"], a["response_status"]) for a in attempts] == [
        (1, "succeeded", 200)] * 2
    assert all(a["duration_ms"] >= 0 for a in attempts)


def test_a_receiver_failing_twice_gets_the_event_once_successfully(
        api: Client, receiver: Receiver, deliverer: Deliverer, clock: FrozenClock) -> None:
    made = _endpoint(api, receiver.url)
    receiver.answers = [500, 503]
    api.wallets.credit("cus-1", "main", 5000, funding_type="cash")
    deliverer.drain()
    clock.advance(8)  # the first retry is due after 10 s ± 10 %
    assert deliverer.drain() == 0
    clock.advance(4)
    deliverer.drain()
    clock.advance(23)
    deliverer.drain()
    clock.advance(3600)
    assert deliverer.drain() == 0
    ids = {headers["webhook-id"] for headers, _ in receiver.requests}
    assert len(receiver.requests) == 3 and len(ids) == 1  # one event, the same id
    attempts = api.webhooks.list_deliveries(made["id"]).data
    assert [(a.attempt, a.status, a.response_status) for a in attempts] == [
        (3, "succeeded", 200), (2, "failed", 503), (1, "failed", 500)]


def test_events_of_one_customer_arrive_in_order(api: Client, receiver: Receiver,
                                                deliverer: Deliverer,
                                                clock: FrozenClock) -> None:
    _endpoint(api, receiver.url, events=["wallet.credited"])
    receiver.answers = [500]  # the first request: ann's first credit
    api.wallets.credit("ann", "main", 100, funding_type="cash")
    api.wallets.credit("ann", "main", 200, funding_type="cash")
    deliverer.drain()
    api.wallets.credit("bob", "main", 300, funding_type="cash")
    deliverer.drain()
    amounts = [b["data"]["amount"] for b in receiver.bodies()]
    assert amounts == [100, 300]  # ann's second waits for her first; bob's does not
    clock.advance(12)
    deliverer.drain()
    assert [b["data"]["amount"] for b in receiver.bodies()][2:] == [100, 200]


def test_filters_rotation_and_replay(api: Client, receiver: Receiver, deliverer: Deliverer,
                                     clock: FrozenClock) -> None:
    made = _endpoint(api, receiver.url, events=["wallet.debited"])
    assert made["events"] == ["wallet.debited"]
    api.wallets.credit("cus-1", "main", 5000, funding_type="cash")
    api.wallets.debit("cus-1", "main", 100)
    deliverer.drain()
    assert [b["type"] for b in receiver.bodies()] == ["wallet.debited"]
    rotated = api.request("POST", f"{ENDPOINTS}/{made['id']}/rotate_secret")
    assert rotated.status_code == 200
    new_secret = rotated.json()["secret"]
    assert new_secret != made["secret"]
    attempt = api.webhooks.list_deliveries(made["id"]).data[0]
    replay = api.request("POST", f"{ENDPOINTS}/{made['id']}/deliveries/{attempt.id}/replay")
    assert replay.status_code == 201, replay.text
    assert (replay.json()["status"], replay.json()["attempt"]) == ("pending", 2)
    deliverer.drain()
    headers, body = receiver.requests[-1]
    assert headers["webhook-id"] == attempt.event_id
    assert headers["webhook-signature"].count("v1,") == 2  # both secrets sign for 24 h
    assert _verified(new_secret, headers, body) == _verified(made["secret"], headers, body)
    clock.advance(hours=25)
    api.wallets.debit("cus-1", "main", 100)
    deliverer.drain()
    headers, body = receiver.requests[-1]
    assert headers["webhook-signature"].count("v1,") == 1
    _verified(new_secret, headers, body)
    with pytest.raises(WebhookVerificationError):
        _verified(made["secret"], headers, body)
    patched = api.request("PATCH", f"{ENDPOINTS}/{made['id']}", json={"events": None})
    assert patched.status_code == 200 and patched.json()["events"] is None


def test_a_410_disables_at_once_and_five_days_of_failures_disable(
        api: Client, receiver: Receiver, deliverer: Deliverer, clock: FrozenClock,
        monkeypatch: pytest.MonkeyPatch) -> None:
    gone = _endpoint(api, receiver.url)
    receiver.answers = [410]
    api.wallets.credit("cus-1", "main", 100, funding_type="cash")
    deliverer.drain()
    got = api.webhooks.get(gone["id"])
    assert (got.status, got.disabled_reason) == ("disabled", "gone")
    api.wallets.credit("cus-1", "main", 100, funding_type="cash")
    deliverer.drain()
    assert len(receiver.requests) == 1  # a disabled endpoint gets nothing
    api.webhooks.update(gone["id"], status="disabled")
    monkeypatch.setenv("BILLFOLD_WEBHOOK_RETRY_SECONDS", ",".join(["86400"] * 9))
    failing = _endpoint(api, receiver.url)
    receiver.answers = [500] * 20
    api.wallets.credit("cus-1", "main", 100, funding_type="cash")
    for _ in range(7):
        deliverer.drain()
        clock.advance(days=1, hours=3)
    got = api.webhooks.get(failing["id"])
    assert (got.status, got.disabled_reason) == ("disabled", "failing")
    attempts = api.webhooks.list_deliveries(failing["id"]).data
    assert 5 <= len(attempts) <= 6 and all(a.status == "failed" for a in attempts)
    enabled = api.request("PATCH", f"{ENDPOINTS}/{failing['id']}", json={"status": "enabled"})
    assert enabled.json()["status"] == "enabled" and enabled.json()["disabled_reason"] is None


def test_bad_endpoints_are_refused_and_private_hosts_never_reached(
        api: Client, receiver: Receiver, deliverer: Deliverer, bf: Billfold,
        monkeypatch: pytest.MonkeyPatch, tenant_factory: Callable[[], Tenant]) -> None:
    for body, param in (({"url": "ftp://example.com/x"}, "url"),
                        ({"url": "not a url"}, "url"),
                        ({"url": "https://example.com/h", "events": ["wallet.exploded"]},
                         "events"),
                        ({"url": "https://example.com/h", "events": []}, "events")):
        response = api.request("POST", ENDPOINTS, json=body)
        assert response.status_code == 400, response.text
        assert response.json()["error"]["param"] == param
    made = _endpoint(api, receiver.url)
    monkeypatch.delenv("BILLFOLD_WEBHOOK_ALLOW_PRIVATE")
    for url in ("http://127.0.0.1:9/x", "http://10.1.2.3/x", "http://169.254.169.254/x",
                "http://localhost/x", "http://[::1]/x"):
        response = api.request("POST", ENDPOINTS, json={"url": url})
        assert response.status_code == 400, url
        assert response.json()["error"]["code"] == "invalid_webhook_url"
    api.wallets.credit("cus-1", "main", 100, funding_type="cash")
    deliverer.drain()
    assert receiver.requests == []
    retry, attempt = api.webhooks.list_deliveries(made["id"]).data
    assert (attempt.status, attempt.response_status, retry.status) == ("failed", None,
                                                                       "pending")
    assert attempt.response_excerpt == "not sent: the host is not a public address"
    other = tenant_factory().client
    assert other.request("GET", f"{ENDPOINTS}/{made['id']}").status_code == 404
    assert other.request("GET", f"{ENDPOINTS}/{made['id']}/deliveries").status_code == 404
    assert other.webhooks.list().data == []


def test_low_balance_is_delivered_once_per_crossing(api: Client, receiver: Receiver,
                                                    deliverer: Deliverer) -> None:
    api.settings.update({"low_balance_threshold": 1000})
    _endpoint(api, receiver.url, events=["wallet.low_balance"])
    api.wallets.credit("cus-1", "main", 3000, funding_type="cash")
    for amount in (1500, 800, 200):  # 3000 -> 1500 -> 700 (crosses) -> 500
        api.wallets.debit("cus-1", "main", amount)
    deliverer.drain()
    [body] = receiver.bodies()
    assert (body["type"], body["data"]["available"], body["data"]["customer_id"]) == (
        "wallet.low_balance", 700, "cus-1")


def test_two_workers_never_send_one_attempt_twice(api: Client, receiver: Receiver,
                                                  bf: Billfold, database_url: str,
                                                  clock: FrozenClock) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("several workers share PostgreSQL (SQLite is one process's)")
    _endpoint(api, receiver.url)
    for n in range(40):
        api.wallets.credit(f"cus-{n % 7}", "main", 100 + n, funding_type="cash")
    others = [Billfold(database_url, clock=clock, migrate=False) for _ in range(2)]
    workers = [Deliverer(other) for other in others]
    barrier = threading.Barrier(len(workers))

    def run(worker: Deliverer) -> None:
        barrier.wait()
        worker.drain()

    threads = [threading.Thread(target=run, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for worker, other in zip(workers, others, strict=True):
        worker.close()
        other.close()
    ids = [headers["webhook-id"] for headers, _ in receiver.requests]
    assert len(ids) == len(set(ids)) == 40


def test_lots_about_to_expire_are_noticed_once_each(api: Client, receiver: Receiver,
                                                    deliverer: Deliverer, bf: Billfold,
                                                    clock: FrozenClock) -> None:
    api.settings.update({"expiry_notice_before": "2d"})
    made = _endpoint(api, receiver.url, events=["lot.expiring_soon"])
    soon = api.wallets.credit("cus-1", "main", 300, funding_type="cashback", expires_in="1d")
    api.wallets.credit("cus-1", "main", 500, funding_type="cashback", expires_in="5d")
    api.wallets.credit("cus-1", "main", 700, funding_type="cash")  # never expires
    spent = api.wallets.credit("cus-2", "main", 100, funding_type="cashback", expires_in="1d")
    api.wallets.debit("cus-2", "main", 100)  # nothing left in it: no notice
    bf.sweep()
    bf.sweep()
    deliverer.drain()
    [first] = receiver.bodies()
    assert (first["data"]["lot_id"], first["data"]["amount"]) == (soon.lots[0].lot_id, 300)
    assert first["data"]["customer_id"] == "cus-1" and spent.lots[0].lot_id != soon.lots[0].lot_id
    clock.advance(days=3, hours=1)  # the 5-day lot is now within 2 days; the first expired
    bf.sweep()
    deliverer.drain()
    assert [b["data"]["amount"] for b in receiver.bodies()] == [300, 500]
    assert len(api.events.list(type="lot.expiring_soon").data) == 2
    assert all(a.status == "succeeded" for a in api.webhooks.list_deliveries(made["id"]).data)


def test_an_order_refund_is_an_event(api: Client) -> None:
    lines = [{"product_id": "p1", "quantity": 1, "unit_amount": 3000}]
    api.orders.create("o-1", "cus-1", 3000, currency="SAR", lines=lines)
    api.orders.set_status("o-1", "paid")
    refund = api.orders.refund("o-1", 1000)
    [event] = api.events.list(type="order.refunded", customer_id="cus-1").data
    assert (event.data["refund_id"], event.data["order_id"], event.data["amount"]) == (
        refund.id, "o-1", 1000)
