"""The real service on a free loopback port, driven over HTTP.

`server` runs uvicorn on a thread of the test process over the `bf` fixture
(SQLite or PostgreSQL, with a FrozenClock), so tests can move the clock and
compare ledger snapshots while talking HTTP through the SDK.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
import uvicorn

from billfold.api.main import create_app
from billfold.app import Billfold
from billfold.client import Client

STARTUP_TIMEOUT_SECONDS = 10.0


class ServerThread:
    """uvicorn serving `app` on 127.0.0.1 and a port the OS picked."""

    def __init__(self, app: object):
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        self.port = self._socket.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")  # type: ignore[arg-type]
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run,
                                        kwargs={"sockets": [self._socket]}, daemon=True)

    def start(self) -> ServerThread:
        self._thread.start()
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        while not self._server.started:
            assert time.monotonic() < deadline, "the server did not start"
            assert self._thread.is_alive(), "the server thread died"
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(STARTUP_TIMEOUT_SECONDS)
        self._socket.close()


@dataclass(frozen=True)
class Tenant:
    store_id: str
    api_key: str
    client: Client


@pytest.fixture
def start_server(bf: Billfold) -> Iterator[Callable[..., ServerThread]]:
    started: list[ServerThread] = []

    def start(sweep_interval_seconds: float | None = None) -> ServerThread:
        server = ServerThread(create_app(bf, sweep_interval_seconds=sweep_interval_seconds))
        started.append(server.start())
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def server(start_server: Callable[..., ServerThread]) -> ServerThread:
    return start_server()


@pytest.fixture
def tenant_factory(bf: Billfold, server: ServerThread) -> Iterator[Callable[[], Tenant]]:
    clients: list[Client] = []

    def make(currency: str = "SAR") -> Tenant:
        store = bf.create_store("Shop", currency=currency)
        key = bf.create_api_key(store.id).secret
        client = Client(key, server.base_url, max_retries=0)
        clients.append(client)
        return Tenant(store.id, key, client)

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def tenant(tenant_factory: Callable[[], Tenant]) -> Tenant:
    return tenant_factory()


@pytest.fixture
def api(tenant: Tenant) -> Client:
    """The SDK, authenticated as the test's store."""
    return tenant.client
