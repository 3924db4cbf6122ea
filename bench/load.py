"""Load generation: a fleet of workers (processes or threads) driven point by point.

Each worker holds its own client (a `Shop` on its own engine, or an
HTTP client) for the whole run, so connection set-up and statement caches are
warm before any clock starts. A point is run in two steps: every worker
prepares (builds its op and does one untimed call), then all start at the same
instant and stop at the same deadline, or earlier if their wallets run dry.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import queue
import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from bench import cpu

DEBIT_AMOUNT = 1_500  # 1.5 seeded lots: every debit draws two lots or more
DRAWS_PER_WALLET = 3  # 5 lots of 1,000 cover three debits of 1,500
HOT_DEBIT_AMOUNT = 100
CREDIT_AMOUNT = 1_000
HISTORY_PAGE_SIZE = 20
START_DELAY_SECONDS = 0.05
REPLY_TIMEOUT_SECONDS = 120.0
MAX_LATENCIES_PER_WORKER = 200_000


class Client(Protocol):
    """What a worker calls; the library and the HTTP API both implement it."""

    def credit(self, customer_id: str, amount: int, key: str) -> None: ...
    def debit(self, customer_id: str, amount: int, key: str) -> None: ...
    def hold_capture(self, customer_id: str, amount: int, key: str) -> None: ...
    def balance(self, customer_id: str) -> None: ...
    def history(self, customer_id: str) -> None: ...


class Exhausted(Exception):
    """The worker's wallets are spent: the point ends early for it."""


@dataclass
class PointResult:
    name: str
    ops: int
    seconds: float
    latencies_ms: list[float] = field(repr=False)
    errors: int = 0
    exhausted: bool = False
    first_error: str | None = None
    cpu_seconds: dict[str, float] = field(default_factory=dict)  # per side (bench/cpu.py)

    @property
    def ops_per_s(self) -> float:
        return self.ops / self.seconds if self.seconds > 0 else 0.0

    @property
    def cpu_us_per_op(self) -> dict[str, float]:
        return cpu.per_op_us(self.cpu_seconds, self.ops)

    def percentile_ms(self, fraction: float) -> float:
        return percentile(self.latencies_ms, fraction)


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile; 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[index]


def _steps(op: str, client: Client, customers: list[str], tag: str) -> Iterator[Callable[[], None]]:
    """The calls one worker makes for `op`, in order; ends when its wallets are spent."""
    keys = (f"bench-{tag}-{n}" for n in itertools.count())
    rng = random.Random(tag)
    if op in ("debit", "hold_capture"):
        call = client.debit if op == "debit" else client.hold_capture
        for _round in range(DRAWS_PER_WALLET):
            for customer in customers:
                yield lambda c=customer, k=next(keys): call(c, DEBIT_AMOUNT, k)
        return
    for n in itertools.count():
        if op == "credit":
            customer = customers[n % len(customers)]
            yield lambda c=customer, k=next(keys): client.credit(c, CREDIT_AMOUNT, k)
        elif op == "hot_debit":
            yield lambda k=next(keys): client.debit(customers[0], HOT_DEBIT_AMOUNT, k)
        elif op == "balance":
            yield lambda c=rng.choice(customers): client.balance(c)
        elif op == "history":
            yield lambda c=rng.choice(customers): client.history(c)
        else:
            raise ValueError(f"unknown op {op!r}")


def _run_point(client: Client, inbox: Any, outbox: Any, op: str, customers: list[str],
               tag: str) -> None:
    steps = _steps(op, client, customers, tag)
    warm = client.balance  # warm the connection and the read path, spend nothing
    warm(customers[0])
    outbox.put(("ready",))
    message = inbox.get()
    assert message[0] == "go", message
    start_at, stop_at = message[1], message[2]
    time.sleep(max(0.0, start_at - time.monotonic()))
    latencies: list[float] = []
    calls = errors = 0
    exhausted, first_error = False, None
    now = time.monotonic()
    while now < stop_at:
        step = next(steps, None)
        if step is None:
            exhausted = True
            break
        try:
            step()
        except Exception as error:  # counted and reported, never hidden
            errors += 1
            first_error = first_error or f"{type(error).__name__}: {error}"[:300]
        after = time.monotonic()
        calls += 1
        if len(latencies) < MAX_LATENCIES_PER_WORKER:
            latencies.append((after - now) * 1000)
        now = after
    outbox.put(("done", calls, now - start_at, latencies, errors, exhausted,
                first_error))


def _worker_loop(make_client: Callable[[], Client], inbox: Any, outbox: Any) -> None:
    try:
        client = make_client()
    except Exception as error:
        outbox.put(("failed", f"{type(error).__name__}: {error}"))
        return
    outbox.put(("up",))
    while True:
        message = inbox.get()
        if message[0] == "stop":
            close = getattr(client, "close", None)
            if close is not None:
                close()
            return
        _, op, customers, tag = message
        try:
            _run_point(client, inbox, outbox, op, customers, tag)
        except Exception as error:
            outbox.put(("failed", f"{type(error).__name__}: {error}"))


class Fleet:
    """`size` workers, each with a client made by `make_client` in the worker itself.

    kind "process": separate processes (fork), so the GIL caps nothing;
    kind "thread": threads of this process sharing what `make_client` shares.
    """

    def __init__(self, kind: str, size: int, make_client: Callable[[], Client]):
        assert kind in ("process", "thread") and size > 0
        self.kind, self.size = kind, size
        self._lanes: list[tuple[Any, Any]] = []
        self._workers: list[Any] = []
        context = multiprocessing.get_context("fork")
        for _ in range(size):
            if kind == "process":
                inbox, outbox = context.Queue(), context.Queue()
                worker: Any = context.Process(target=_worker_loop,
                                              args=(make_client, inbox, outbox), daemon=True)
            else:
                inbox, outbox = queue.Queue(), queue.Queue()
                worker = threading.Thread(target=_worker_loop,
                                          args=(make_client, inbox, outbox), daemon=True)
            worker.start()
            self._lanes.append((inbox, outbox))
            self._workers.append(worker)
        for _inbox, outbox in self._lanes:
            reply = outbox.get(timeout=REPLY_TIMEOUT_SECONDS)
            if reply[0] != "up":
                self.close()
                raise RuntimeError(f"a benchmark worker failed to start: {reply[1]}")

    def run(self, name: str, op: str, slices: list[list[str]], duration_seconds: float,
            cpu_groups: cpu.CpuGroups | None = None) -> PointResult:
        """Run `op` on len(slices) workers at once (one slice of customers each); the CPU
        of the `cpu_groups` and of the clients over the timed window goes with it."""
        assert 0 < len(slices) <= self.size and all(slices)
        lanes = self._lanes[:len(slices)]
        for index, ((inbox, _outbox), customers) in enumerate(zip(lanes, slices, strict=True)):
            inbox.put(("point", op, customers, f"{name}-{os.getpid()}-{index}"))
        for _inbox, outbox in lanes:
            reply = outbox.get(timeout=REPLY_TIMEOUT_SECONDS)
            if reply[0] != "ready":
                raise RuntimeError(f"benchmark worker failed preparing {name}: {reply[1]}")
        groups = {**(cpu_groups or {}), "client": self._client_cpu(len(slices))}
        before = cpu.snapshot(groups)
        start_at = time.monotonic() + START_DELAY_SECONDS
        for inbox, _outbox in lanes:
            inbox.put(("go", start_at, start_at + duration_seconds))
        latencies: list[float] = []
        ops = errors = 0
        seconds = 0.0
        exhausted, first_error = False, None
        for _inbox, outbox in lanes:
            reply = outbox.get(timeout=duration_seconds + REPLY_TIMEOUT_SECONDS)
            if reply[0] != "done":
                raise RuntimeError(f"benchmark worker failed during {name}: {reply[1]}")
            _, worker_ops, worker_seconds, worker_latencies, worker_errors, dry, error = reply
            ops += worker_ops
            seconds = max(seconds, worker_seconds)
            latencies.extend(worker_latencies)
            errors += worker_errors
            exhausted = exhausted or dry
            first_error = first_error or error
        spent = cpu.used(before, cpu.snapshot(groups))
        return PointResult(name, ops - errors, seconds, latencies, errors, exhausted,
                           first_error, spent)

    def _client_cpu(self, workers: int) -> Callable[[], float]:
        """The clients' CPU so far: the first `workers` processes, or this process (its
        threads are the workers)."""
        if self.kind == "process":
            pids = [worker.pid for worker in self._workers[:workers]]
            return lambda: cpu.pids_cpu_seconds(pids)
        return lambda: cpu.process_cpu_seconds(os.getpid())

    def close(self) -> None:
        for (inbox, _outbox), worker in zip(self._lanes, self._workers, strict=True):
            if worker.is_alive():
                inbox.put(("stop",))
        for worker in self._workers:
            worker.join(timeout=10)
            if self.kind == "process" and worker.is_alive():
                worker.terminate()
        self._lanes.clear()
        self._workers.clear()

    def __enter__(self) -> Fleet:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def split(customers: list[str], parts: int) -> list[list[str]]:
    """`parts` disjoint, non-empty slices of `customers` (round robin)."""
    assert len(customers) >= parts > 0
    return [customers[index::parts] for index in range(parts)]
