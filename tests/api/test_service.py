"""`billfold serve` and `billfold stores create` as an operator runs them: a real
process, defaults, flags over environment, logs and metrics."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from billfold.client import Client

STARTUP_TIMEOUT_SECONDS = 30.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def billfold(*args: str, cwd: Path, env: dict[str, str] | None = None,
             **kwargs: object) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "billfold.cli", *args], cwd=cwd,
                            env={**os.environ, **(env or {})}, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)  # type: ignore[call-overload]


def wait_healthy(base_url: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while True:
        assert process.poll() is None, process.communicate()
        try:
            if httpx.get(base_url + "/healthz").status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "billfold serve did not come up"
        time.sleep(0.1)


def stop(process: subprocess.Popen[str]) -> tuple[str, str]:
    process.send_signal(signal.SIGINT)
    return process.communicate(timeout=30)


def test_serve_with_no_configuration(tmp_path: Path) -> None:
    port = free_port()
    env = {"BILLFOLD_PORT": "1", "BILLFOLD_HOST": "0.0.0.0"}  # the flags below win
    env.pop("BILLFOLD_DATABASE_URL", None)
    process = billfold("serve", "--host", "127.0.0.1", "--port", str(port), cwd=tmp_path,
                       env=env)
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base_url, process)
        assert (tmp_path / "billfold.db").exists()
    finally:
        out, _err = stop(process)
    secret = next(line.strip() for line in out.splitlines() if line.strip().startswith("bf_sk_"))
    process = billfold("serve", "--port", str(port), cwd=tmp_path, env=env)
    try:
        wait_healthy(base_url, process)
        with Client(secret, base_url) as api:
            api.customers.create("cus-1")
            api.wallets.credit("cus-1", "main", 5000, funding_type="cash")
            hold = api.holds.create("cus-1", "main", 2000)
            api.holds.capture(hold.id, amount=1500)
            assert api.wallets.get("cus-1").available == 3500
        metrics = httpx.get(base_url + "/metrics").text
        assert 'billfold_http_requests_total{method="POST",route="/v1/holds",status="201"} 1.0' \
            in metrics
    finally:
        _out_again, err_again = stop(process)
    assert "bf_sk_" not in _out_again  # the key is printed once, on the first start only
    request_lines = [json.loads(line) for line in err_again.splitlines()
                     if line.startswith('{"event":"request"')]
    credit_line = next(line for line in request_lines if line["route"].endswith("/credits"))
    assert credit_line["status"] == 201
    assert credit_line["store_id"].startswith("sto_")
    assert credit_line["request_id"].startswith("req_")
    random_part = secret.split("_", 3)[3]  # bf_sk_<store>_<random>; random may hold "_"
    assert secret not in err_again and random_part not in err_again


def test_stores_create_json_prints_one_object(tmp_path: Path) -> None:
    process = billfold("stores", "create", "Acme", "--currency", "SAR", "--json",
                       cwd=tmp_path, env={"BILLFOLD_DATABASE_URL": "sqlite:///shops.db"})
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    created = json.loads(out)
    assert set(created) == {"store_id", "api_key"}
    assert created["api_key"].startswith("bf_sk_")


def test_worker_releases_timed_out_holds(tmp_path: Path) -> None:
    from billfold.app import Billfold

    url = f"sqlite:///{tmp_path / 'shops.db'}"
    with Billfold(url) as bf:
        shop = bf.store(bf.create_store("Acme", currency="SAR").id)
        shop.wallets.credit("cus-1", "main", 5000, funding_type="cash")
        hold = shop.holds.create("cus-1", "main", 2000, expires_in=1)
        process = billfold("worker", cwd=tmp_path, env={
            "BILLFOLD_DATABASE_URL": url, "BILLFOLD_SWEEP_INTERVAL_SECONDS": "0.2"})
        try:
            deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
            while shop.holds.get(hold.id).status == "held":
                assert process.poll() is None, process.communicate()
                assert time.monotonic() < deadline, "the worker did not release the hold"
                time.sleep(0.1)
        finally:
            out, _err = stop(process)
        assert process.returncode == 0
        assert "Stopped." in out
        assert shop.holds.get(hold.id).status == "expired"
        assert shop.wallets.get("cus-1").available == 5000


def test_serve_with_several_workers_on_postgresql(tmp_path: Path, postgres_test_url: str) -> None:
    from tests.conftest import _empty_postgres_database

    url = _empty_postgres_database(postgres_test_url)
    created = billfold("stores", "create", "Multi", "--currency", "SAR", "--json",
                       cwd=tmp_path, env={"BILLFOLD_DATABASE_URL": url})
    out, err = created.communicate(timeout=60)
    assert created.returncode == 0, err
    secret = json.loads(out)["api_key"]
    port = free_port()
    process = billfold("serve", "--port", str(port), "--workers", "2", cwd=tmp_path,
                       env={"BILLFOLD_DATABASE_URL": url})
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base_url, process)
        with Client(secret, base_url) as api:
            api.wallets.credit("cus-1", "main", 5000, funding_type="cash")
            for _ in range(10):
                api.wallets.debit("cus-1", "main", 100)
            assert api.wallets.get("cus-1").available == 4000
    finally:
        _out, err = stop(process)
    worker_pids = {line.split("[")[1].split("]")[0] for line in err.splitlines()
                   if "Started server process" in line}
    assert len(worker_pids) == 2, err


def test_several_workers_need_postgresql(tmp_path: Path) -> None:
    process = billfold("serve", "--workers", "2", cwd=tmp_path,
                       env={"BILLFOLD_DATABASE_URL": "sqlite:///one.db"})
    _out, err = process.communicate(timeout=60)
    assert process.returncode == 2
    assert "needs PostgreSQL" in err
