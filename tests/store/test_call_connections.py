"""store.calls.CallConnections: PostgreSQL's one-call movements on a few connections
kept in autocommit mode — the same backend call after call, a broken one dropped and
replaced, more calls than kept ones served by the engine's pool, and the kept ones
handed back on close."""

from __future__ import annotations

import threading
import time

import psycopg
import pytest
from sqlalchemy import text

from billfold.app import Billfold
from billfold.store.calls import CallConnections

pytestmark = pytest.mark.usefixtures("postgres_only")

PID = "SELECT pg_backend_pid()"


@pytest.fixture
def postgres_only(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("one-call movements are PostgreSQL's")


def test_calls_reuse_one_kept_connection_outside_any_transaction(bf: Billfold) -> None:
    pids = {bf.calls.call(PID, ()) for _ in range(20)}
    assert len(pids) == 1
    status = bf.calls.call("SELECT current_setting('transaction_isolation')", ())
    assert status == "read committed"
    # autocommit: a call's statement is its transaction, nothing left open after it
    pid = bf.calls.call("SELECT pg_backend_pid() FROM (SELECT txid_current()) AS t", ())
    with bf.engine.connect() as conn:
        state = conn.execute(text("SELECT state, backend_xid FROM pg_stat_activity "
                                  "WHERE pid = :pid"), {"pid": pid}).one()
    assert (state.state, state.backend_xid) == ("idle", None)
    assert bf.calls.call("SHOW lock_timeout", ()) != "0"  # the engine's connect options


def test_a_connection_killed_under_it_is_dropped_and_the_next_call_gets_a_new_one(
        bf: Billfold) -> None:
    first = bf.calls.call(PID, ())
    with bf.engine.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
    with pytest.raises(psycopg.OperationalError):
        bf.calls.call(PID, ())
    second = bf.calls.call(PID, ())
    assert second != first
    assert bf.calls.call(PID, ()) == second


def test_a_failed_statement_leaves_the_connection_usable(bf: Billfold) -> None:
    first = bf.calls.call(PID, ())
    with pytest.raises(psycopg.errors.DivisionByZero):
        bf.calls.call("SELECT 1 / 0", ())
    assert bf.calls.call(PID, ()) == first


def test_calls_beyond_the_kept_ones_borrow_from_the_pool_and_close_hands_them_back(
        bf: Billfold) -> None:
    calls = CallConnections(bf.engine, keep=2)
    barrier = threading.Barrier(4)
    pids: list[int] = []

    def call() -> None:
        barrier.wait()
        pids.append(calls.call("SELECT pg_backend_pid() FROM pg_sleep(0.3)", ()))

    threads = [threading.Thread(target=call) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(pids)) == 4  # all four at once: two kept, two borrowed
    kept = {calls.call(PID, ()) for _ in range(10)}
    assert len(kept) == 1 and kept <= set(pids)
    checked_out = bf.engine.pool.checkedout()  # type: ignore[attr-defined]
    calls.close()
    assert bf.engine.pool.checkedout() == checked_out - 2  # type: ignore[attr-defined]


def test_a_connection_in_use_when_closing_goes_back_to_the_pool_when_its_call_ends(
        bf: Billfold) -> None:
    calls = CallConnections(bf.engine, keep=1)
    before = bf.engine.pool.checkedout()  # type: ignore[attr-defined]
    started = threading.Event()
    done: list[int] = []

    def call() -> None:
        started.set()
        done.append(calls.call("SELECT 1 FROM pg_sleep(0.5)", ()))

    thread = threading.Thread(target=call)
    thread.start()
    started.wait()
    time.sleep(0.2)  # the call is inside pg_sleep
    calls.close()
    thread.join()
    assert done == [1]
    assert bf.engine.pool.checkedout() == before  # type: ignore[attr-defined]
    assert calls.call("SELECT 2", ()) == 2  # after close: a connection borrowed per call
    assert bf.engine.pool.checkedout() == before  # type: ignore[attr-defined]
