"""Requests that really start together: one thread and one HTTP connection per
request, lined up on a barrier, so the server sees them at the same instant."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass
from typing import Any

import httpx

RACE_TIMEOUT_SECONDS = 60.0


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    body: Any = None
    idempotency_key: str | None = None


def race(base_url: str, api_key: str, calls: list[Call]) -> list[httpx.Response]:
    """Send `calls` at once; their responses, in the order of `calls`."""
    barrier = threading.Barrier(len(calls))
    responses: list[httpx.Response | None] = [None] * len(calls)
    failures: list[BaseException] = []

    def send(index: int, call: Call) -> None:
        headers = {"Authorization": f"Bearer {api_key}"}
        if call.idempotency_key is not None:
            headers["Idempotency-Key"] = call.idempotency_key
        try:
            with httpx.Client(base_url=base_url, timeout=RACE_TIMEOUT_SECONDS) as http:
                http.get("/healthz")  # connect before the barrier, not after it
                barrier.wait()
                responses[index] = http.request(call.method, call.path, json=call.body,
                                                headers=headers)
        except BaseException as error:  # reported to the test below
            failures.append(error)
            barrier.abort()

    threads = [threading.Thread(target=send, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(RACE_TIMEOUT_SECONDS * 2)
    assert not failures, failures
    assert all(r is not None for r in responses), "a request never answered"
    return [r for r in responses if r is not None]


def statuses(responses: list[httpx.Response]) -> Counter[int]:
    return Counter(r.status_code for r in responses)


def error_codes(responses: list[httpx.Response]) -> Counter[str]:
    return Counter(r.json()["error"]["code"] for r in responses if r.status_code >= 400)
