"""Which pages does one keyed library debit write on SQLite? Counted from the WAL.

    uv run python -m bench.sqlite_wal_frames [--debits 300] [--op hold_capture]

Under WAL + synchronous=FULL a commit appends one frame per page it changed and
fsyncs the WAL, so its cost grows with those frames: the bare loop of
bench/refs.py writes 2, a debit ~33 (tables and indexes it inserts into or
updates). Prints frames per debit and their b-trees (from the dbstat table).
With `--op hold_capture` each counted operation is a keyed hold and its keyed
capture (two commits), as `billfold bench` runs them.
"""

from __future__ import annotations

import argparse
import collections
import sqlite3
import struct
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import event

from bench import seed
from bench.load import DEBIT_AMOUNT

WALLETS = 3_000
WAL_HEADER_BYTES = 32
FRAME_HEADER_BYTES = 24


def wal_page_numbers(wal_path: Path) -> list[int]:
    """The page number of every frame in a WAL file, in order."""
    data = wal_path.read_bytes()
    page_size = struct.unpack(">I", data[8:12])[0]
    pages, offset = [], WAL_HEADER_BYTES
    while offset + FRAME_HEADER_BYTES + page_size <= len(data):
        pages.append(struct.unpack(">I", data[offset:offset + 4])[0])
        offset += FRAME_HEADER_BYTES + page_size
    return pages


def _debit(shop: Any, customer_id: str, key: str) -> None:
    shop.wallets.debit(customer_id, "main", DEBIT_AMOUNT, idempotency_key=key)


def _hold_capture(shop: Any, customer_id: str, key: str) -> None:
    hold = shop.holds.create(customer_id, "main", DEBIT_AMOUNT, idempotency_key=key)
    shop.holds.capture(hold.id, idempotency_key=f"{key}-capture")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--debits", type=int, default=300)
    parser.add_argument("--op", choices=("debit", "hold_capture"), default="debit")
    args = parser.parse_args()
    assert 0 < args.debits <= WALLETS // 2
    from billfold.app import Billfold, Shop

    with tempfile.TemporaryDirectory(prefix="billfold-frames-") as workdir:
        path = Path(workdir) / "frames.db"
        bf = Billfold(f"sqlite:///{path}")
        store_id = bf.create_store("Frames", currency="SAR").id
        customers = [f"cus-{n:06d}" for n in range(WALLETS)]
        with bf.begin() as conn:
            seed.seed_wallets(conn, store_id, "SAR", bf.clock.now(), customers)
        shop = Shop(bf, store_id)
        spend = _hold_capture if args.op == "hold_capture" else _debit
        for n in range(args.debits):  # warm up: the same shape of b-trees as measured
            spend(shop, customers[n], f"warm-{n}")
        # No checkpoint while counting: every frame stays in the WAL.
        event.listen(bf.engine, "connect",
                     lambda db, _record: db.execute("PRAGMA wal_autocheckpoint = 0"))
        bf.engine.dispose()
        side = sqlite3.connect(path, isolation_level=None)
        side.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        for n in range(args.debits):
            spend(shop, customers[WALLETS // 2 + n], f"counted-{n}")
        pages = wal_page_numbers(Path(f"{path}-wal"))
        owners = dict(side.execute("SELECT pageno, name FROM dbstat").fetchall())
        side.close()
        bf.close()
    per_btree = collections.Counter(owners.get(page, "?") for page in pages)
    print(f"{len(pages) / args.debits:.1f} WAL frames per keyed {args.op}, by b-tree:")
    for name, count in per_btree.most_common():
        print(f"  {count / args.debits:5.2f}  {name}")


if __name__ == "__main__":
    main()
