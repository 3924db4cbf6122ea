"""A real `billfold serve` in a child process, and what of API.md it answers yet."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

SERVER_START_TIMEOUT_SECONDS = 60.0
SERVER_STOP_TIMEOUT_SECONDS = 15.0

# op -> the API.md paths it needs
OP_PATHS: dict[str, tuple[str, ...]] = {
    "credit": ("/v1/customers/{customer_id}/wallets/{program}/credits",),
    "debit": ("/v1/customers/{customer_id}/wallets/{program}/debits",),
    "hold_capture": ("/v1/holds", "/v1/holds/{hold_id}/capture"),
    "balance": ("/v1/customers/{customer_id}/wallets/{program}",),
    "history": ("/v1/customers/{customer_id}/wallets/{program}/transactions",),
}


def _cli() -> list[str]:
    return [sys.executable, "-m", "billfold.cli"]


def serve_supports_workers() -> bool:
    done = subprocess.run([*_cli(), "serve", "--help"], capture_output=True, text=True,
                          timeout=60, env={**os.environ, "COLUMNS": "200"})
    return "--workers" in done.stdout


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def billfold_serve(database_url: str, log_path: Path,
                   workers: int = 1) -> Iterator[tuple[str, int]]:
    """Run `billfold serve` on a free local port; yields its base URL and its pid (the
    processes under it are its workers)."""
    import httpx

    port = _free_port()
    command = [*_cli(), "serve", "--host", "127.0.0.1", "--port", str(port)]
    if workers > 1:
        command += ["--workers", str(workers)]
    env = {**os.environ, "BILLFOLD_DATABASE_URL": database_url}
    with open(log_path, "ab") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env,
                                   start_new_session=True)
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_SECONDS
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"billfold serve exited with {process.returncode}; "
                                   f"see {log_path}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base_url}/healthz", timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"billfold serve did not answer /healthz; see {log_path}")
            time.sleep(0.2)
        yield base_url, process.pid
    finally:
        _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)  # the group this module started
    try:
        process.wait(timeout=SERVER_STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=SERVER_STOP_TIMEOUT_SECONDS)


def available_ops(base_url: str) -> tuple[list[str], str | None]:
    """The ops whose API.md paths the server's OpenAPI document lists, and why not all."""
    import httpx

    try:
        paths = set(httpx.get(f"{base_url}/openapi.json", timeout=10).json().get("paths", {}))
    except (httpx.HTTPError, ValueError) as error:
        return [], f"no OpenAPI document ({error})"
    normalized = {_shape(path) for path in paths}
    ops = [op for op, needed in OP_PATHS.items()
           if all(_shape(path) in normalized for path in needed)]
    missing = [op for op in OP_PATHS if op not in ops]
    reason = None if not missing else (
        f"the API does not serve {', '.join(missing)} yet (API.md paths missing "
        "from /openapi.json)")
    return ops, reason


def _shape(path: str) -> str:
    """A path with its parameter names blanked: /v1/holds/{id} == /v1/holds/{hold_id}."""
    return "/".join("{}" if part.startswith("{") else part for part in path.split("/"))
