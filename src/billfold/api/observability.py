"""Request ids, one JSON log line per request, and Prometheus metrics.

The log line carries the request id, method, route, status, duration and the
store id (set by authentication) — never a key, an Authorization header or a
body. A caller's `X-Request-Id` is kept if it is short and printable; the id
is echoed in the `Request-Id` response header.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("billfold.requests")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,100}$")


class Metrics:
    """The service's metrics, in a registry of its own (one per app)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter("billfold_http_requests_total", "HTTP requests answered.",
                                ["method", "route", "status"], registry=self.registry)
        self.latency = Histogram("billfold_http_request_duration_seconds",
                                 "Time to answer an HTTP request.", ["method", "route"],
                                 registry=self.registry)
        self.holds_expired = Counter("billfold_holds_expired_total",
                                     "Holds released by the timeout sweep.",
                                     registry=self.registry)
        self.lots_expired = Counter("billfold_lots_expired_total",
                                    "Lots swept into breakage.", registry=self.registry)
        self.sweep_failures = Counter("billfold_sweep_failures_total",
                                      "Sweeps that failed (retried next interval).",
                                      registry=self.registry)


class RequestLogMiddleware:
    """Pure ASGI middleware: request id, metrics, one log line per request."""

    def __init__(self, app: ASGIApp, metrics: Metrics):
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"],
                                      (b"request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            self._record(scope, state, request_id, status, time.perf_counter() - started)

    def _record(self, scope: Scope, state: dict[str, Any], request_id: str, status: int,
                seconds: float) -> None:
        route = getattr(scope.get("route"), "path", None) or "unmatched"
        method = scope["method"]
        self.metrics.requests.labels(method, route, str(status)).inc()
        self.metrics.latency.labels(method, route).observe(seconds)
        log.info(json.dumps({
            "event": "request", "request_id": request_id, "method": method,
            "route": route, "path": scope["path"], "status": status,
            "duration_ms": round(seconds * 1000, 2), "store_id": state.get("store_id"),
        }, separators=(",", ":")))


def _request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            text = value.decode("latin-1")
            if _REQUEST_ID.match(text):
                return text
    return f"req_{uuid.uuid4().hex}"


def configure_logging(level: int = logging.INFO) -> None:
    """Request log lines are already JSON: print them as they are, one per line."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(message)s"))
    for name in ("billfold.requests",):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(level)
        logger.propagate = False
