"""`billfold bench` end to end on a tiny plan: it runs, reports, and leaves the books whole.

Never a timing assertion here: the figures are printed, not judged.
"""

from __future__ import annotations

import json

from bench.run import Plan, render_table, run_backend, summarize

from bench import seed
from billfold.app import Billfold
from billfold.benchmarks import _bench_root

TINY = Plan(quick=True, duration_seconds=0.2, read_wallets=4, wallets_per_point={1: 2, 2: 4},
            grant_customers=10, expiry_wallets=4, growth_postings=(100, 300), growth_reads=5,
            http_workers=(), concurrencies=(1, 2), isolate_bulk=False)


def test_seeded_wallets_keep_every_ledger_invariant(bf: Billfold) -> None:
    store = bf.create_store("Seeded", currency="SAR")
    now = bf.clock.now()
    with bf.begin() as conn:
        lots = seed.seed_wallets(conn, store.id, "SAR", now, ["a", "b", "c"])
        seed.seed_history(conn, store.id, "SAR", now, "long", 50)
    shop = bf.store(store.id)
    shop.wallets.debit("a", "main", 1500)  # the library carries on from seeded rows
    assert lots == 3 * len(seed.LOT_SHAPES)
    assert shop.wallets.get("a").available == 5 * seed.LOT_AMOUNT - 1500
    assert shop.wallets.get("long").available == 5 * seed.LOT_AMOUNT
    pairs = (50 - len(seed.LOT_SHAPES)) // 2
    assert len(shop.wallets.list_transactions("long",
                                              limit=100).data) == 2 * pairs + len(seed.LOT_SHAPES)
    assert bf.verify().ok, bf.verify().render()


def test_histories_generated_by_postgresql_are_the_same_books(postgres_test_url: str) -> None:
    from tests.conftest import _empty_postgres_database

    with Billfold(_empty_postgres_database(postgres_test_url)) as bf:
        store = bf.create_store("Seeded", currency="SAR")
        now = bf.clock.now()
        with bf.begin() as conn:  # two long wallets and a plain one share store accounts
            seed.seed_wallets(conn, store.id, "SAR", now, ["a"])
            seed.seed_history_in_postgres(conn, store.id, "SAR", now, "long", 50)
            seed.seed_history_in_postgres(conn, store.id, "SAR", now, "longer", 71)
        shop = bf.store(store.id)
        for name, postings in (("long", 50), ("longer", 71)):
            pairs = (postings - len(seed.LOT_SHAPES)) // 2
            assert shop.wallets.get(name).available == 5 * seed.LOT_AMOUNT
            history = shop.wallets.list_transactions(name, limit=100).data
            assert len(history) == 2 * pairs + len(seed.LOT_SHAPES)
            assert [t.type for t in history[-2:]] == ["debit", "credit"]  # newest first
        shop.wallets.debit("longer", "main", 1500)  # the library carries on from generated rows
        assert bf.verify().ok, bf.verify().render()


def test_a_tiny_sqlite_run_reports_every_row_and_verifies() -> None:
    run = run_backend("sqlite", TINY, with_http=False)
    summary = summarize([run], TINY, 1.0)
    line = json.dumps(summary)
    assert run.extra["verify"]["ok"]
    assert summary["ratios"]["sqlite_library_debit"] is not None
    assert {"ratios", "p99_ms", "bulk_lots_per_s", "growth"} <= set(json.loads(line))
    assert "sqlite_library_hot_debit_c2" in render_table([run])
    assert summary["bulk_lots_per_s"]["grant"] is not None
    # CPU per operation by side: SQLite has no server, the clients are this process.
    # (/proc counts CPU in 10 ms ticks: the credit point works for its whole 0.2 s, while
    # the debit point ends when its few wallets run dry, after a tick or less.)
    assert summary["cpu_us_per_op"]["sqlite_library_credit_c1"]["client"] > 0
    assert set(summary["cpu_us_per_op"]["sqlite_library_debit_c1"]) == {"client"}


def test_the_cli_finds_the_bench_directory() -> None:
    assert (_bench_root() / "bench" / "run.py").is_file()
