"""The delivery loop: events to webhook endpoints, signed, retried, recorded.

Each round fans the outbox out into attempts, leases a batch of due attempts
(`webhooks.deliveries`, SKIP LOCKED on PostgreSQL, so several workers share the
work and never send one attempt at once), POSTs them on a small thread pool — httpx,
15 s timeout, a bounded connection pool, no redirects followed — and records each
answer. An endpoint holds at most `MAX_PER_ENDPOINT` of a round's slots, so a slow
or dead one delays no other; no money movement waits on any of it (the outbox row
is written in the movement's transaction; delivery happens after, here).

Before each attempt the URL's host is resolved and checked again: unless
BILLFOLD_WEBHOOK_ALLOW_PRIVATE=1 an attempt to a loopback, private or link-local
address is recorded as failed and nothing is sent.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import httpx

from billfold.app import Billfold, render
from billfold.webhooks import deliveries, endpoints, signing
from billfold.webhooks.deliveries import Claimed

log = logging.getLogger("billfold.webhooks")

TIMEOUT_SECONDS = 15.0
POOL = httpx.Limits(max_connections=20, max_keepalive_connections=10)
THREADS = 16
DEFAULT_INTERVAL_SECONDS = 1.0


class Deliverer:
    """Sends leased attempts on `threads` threads without waiting for a round to end:
    each round claims only as many as there are free threads, and no more for an
    endpoint than MAX_PER_ENDPOINT minus its attempts still in flight."""

    def __init__(self, billfold: Billfold, *, threads: int = THREADS,
                 transport: httpx.BaseTransport | None = None):
        self.billfold = billfold
        self.threads = threads
        self._http = httpx.Client(timeout=TIMEOUT_SECONDS, limits=POOL,
                                  follow_redirects=False, transport=transport)
        self._pool = ThreadPoolExecutor(max_workers=threads,
                                        thread_name_prefix="billfold-webhook")
        self._lock = threading.Lock()
        self._in_flight: Counter[tuple[str, str]] = Counter()
        self._idle = threading.Condition(self._lock)

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        self._http.close()

    def fan_out(self) -> int:
        total = 0
        while True:
            done = self.billfold.run(lambda c: deliveries.fan_out(c, self.billfold.clock.now()))
            total += done
            if done < deliveries.FAN_OUT_BATCH:
                return total

    def deliver_once(self) -> int:
        """One round: fan out, lease what free threads can take, hand it to them; how
        many attempts were handed out (they may still be in flight)."""
        self.fan_out()
        with self._lock:
            free = self.threads - sum(self._in_flight.values())
            busy = dict(self._in_flight)
        if free <= 0:
            return 0
        claimed = self.billfold.run(lambda c: deliveries.claim(
            c, self.billfold.clock.now(), limit=free, busy=busy))
        for one in claimed:
            key = (one.attempt.store_id, one.attempt.endpoint_id)
            with self._lock:
                self._in_flight[key] += 1
            self._pool.submit(self._run, one, key)
        return len(claimed)

    def wait_idle(self, timeout_seconds: float = 60.0) -> None:
        """Until nothing this deliverer handed out is in flight."""
        with self._idle:
            self._idle.wait_for(lambda: not +self._in_flight, timeout_seconds)

    def free_threads(self) -> int:
        with self._lock:
            return self.threads - sum(self._in_flight.values())

    def wait_for_slot(self, timeout_seconds: float) -> None:
        """Until a thread is free or `timeout_seconds` pass."""
        with self._idle:
            self._idle.wait_for(lambda: sum(self._in_flight.values()) < self.threads,
                                timeout_seconds)

    def drain(self, max_rounds: int = 10_000) -> int:
        """Rounds until nothing is due or in flight (tests, benchmarks); how many
        attempts were made."""
        total = 0
        for _ in range(max_rounds):
            made = self.deliver_once()
            total += made
            if made == 0:
                self.wait_idle()
                made = self.deliver_once()  # what the finished ones made due now
                total += made
                if made == 0:
                    return total
        return total

    def _run(self, claimed: Claimed, key: tuple[str, str]) -> None:
        try:
            self._send(claimed)
        finally:
            with self._idle:
                self._in_flight[key] -= 1
                if self._in_flight[key] <= 0:
                    del self._in_flight[key]
                self._idle.notify_all()

    def _send(self, claimed: Claimed) -> None:
        endpoint, event = claimed.endpoint, claimed.event
        body = render.event(event).model_dump_json()
        started = time.perf_counter()
        status: int | None = None
        excerpt: str | None
        host = urlsplit(endpoint.url).hostname or ""
        if not endpoints.private_allowed() and not endpoints.is_public_host(host):
            excerpt = "not sent: the host is not a public address"
        else:
            try:
                response = self._http.post(endpoint.url, content=body, headers=signing.headers(
                    event.id, body, endpoint.signing_secrets(self.billfold.clock.now())))
                status, excerpt = response.status_code, response.text[:500]
            except httpx.HTTPError as error:
                excerpt = f"no answer: {type(error).__name__}"
        duration_ms = int((time.perf_counter() - started) * 1000)
        try:
            self.billfold.run(lambda c: deliveries.record(
                c, claimed, now=self.billfold.clock.now(), response_status=status,
                duration_ms=duration_ms, excerpt=excerpt))
        except Exception:  # the lease lapses and another round retries it
            log.exception("recording a webhook attempt failed")


class DeliveryLoop:
    """A daemon thread delivering every `interval_seconds` until stopped."""

    def __init__(self, billfold: Billfold,
                 interval_seconds: float = DEFAULT_INTERVAL_SECONDS):
        self.deliverer = Deliverer(billfold)
        self.interval_seconds = interval_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self.run, name="billfold-deliveries",
                                        daemon=True)

    def start(self) -> DeliveryLoop:
        self._thread.start()
        return self

    def stop(self, timeout_seconds: float = 20.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout_seconds)
        self.deliverer.close()

    def run(self) -> None:
        while not self._stop.is_set():
            try:
                made = self.deliverer.deliver_once()
            except Exception:
                log.exception("webhook delivery round failed")
                made = 0
            if made == 0 and self.deliverer.free_threads() == 0:
                self.deliverer.wait_for_slot(self.interval_seconds)  # every thread busy
            elif made == 0:
                self._stop.wait(self.interval_seconds)  # nothing due
