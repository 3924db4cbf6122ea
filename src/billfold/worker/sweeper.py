"""The sweep loop: release timed-out holds and sweep expired lots, every few seconds.

`billfold serve` runs it on a thread in-process unless a separate
`billfold worker` is configured (BILLFOLD_WORKER=external). Several sweepers
may run at once: each hold release and lot sweep locks its wallet and skips
what another already settled.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from billfold.app import Billfold
from billfold.ledger.models import SweepResult

log = logging.getLogger("billfold.worker")

DEFAULT_SWEEP_INTERVAL_SECONDS = 15.0
MIN_SWEEP_INTERVAL_SECONDS = 0.05
SweepListener = Callable[[int, SweepResult], None]


def sweep_once(billfold: Billfold, on_sweep: SweepListener | None = None) -> bool:
    """One pass over every store; False (logged) if it failed — the next pass retries."""
    try:
        holds_released, lots = billfold.sweep()
    except Exception:
        log.exception("sweep failed")
        return False
    if holds_released or lots.lots:
        log.info("swept: %d holds released, %d lots expired (%d minor units)",
                 holds_released, lots.lots, lots.amount)
    if on_sweep is not None:
        on_sweep(holds_released, lots)
    return True


class Sweeper:
    """A daemon thread that sweeps every `interval_seconds` until stopped."""

    def __init__(self, billfold: Billfold, interval_seconds: float = DEFAULT_SWEEP_INTERVAL_SECONDS,
                 on_sweep: SweepListener | None = None,
                 on_failure: Callable[[], None] | None = None):
        assert interval_seconds >= MIN_SWEEP_INTERVAL_SECONDS
        self.billfold = billfold
        self.interval_seconds = interval_seconds
        self._on_sweep = on_sweep
        self._on_failure = on_failure
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="billfold-sweeper", daemon=True)

    def start(self) -> Sweeper:
        self._thread.start()
        return self

    def stop(self, timeout_seconds: float = 10.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout_seconds)

    def run_forever(self) -> None:
        """Sweep on the calling thread (the `billfold worker` command) until SIGINT or
        SIGTERM: the signal asks the loop to stop; a sweep under way finishes first."""
        import signal

        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda _signum, _frame: self._stop.set())
        self._loop()

    def _loop(self) -> None:
        while not self._stop.is_set():
            if not sweep_once(self.billfold, self._on_sweep) and self._on_failure:
                self._on_failure()
            self._stop.wait(self.interval_seconds)
