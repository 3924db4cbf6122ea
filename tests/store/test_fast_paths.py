"""`Billfold(fast_paths=False)` is the one switch between the dialect fast paths and the
plain SQLAlchemy path: every connection it opens says which (no module-level flag)."""

from __future__ import annotations

import pytest

from billfold.app import Billfold
from billfold.store.engine import fast_path


@pytest.mark.parametrize("fast_paths", [True, False])
def test_every_connection_of_a_billfold_says_whether_it_takes_the_fast_path(
        database_url: str, fast_paths: bool) -> None:
    with Billfold(database_url, fast_paths=fast_paths) as bf:
        dialect = bf.engine.dialect.name
        with bf.begin() as conn:
            assert fast_path(conn) == (dialect if fast_paths else None)
        assert bf.read(fast_path) == (dialect if fast_paths else None)
        assert bf.uses_database_functions == (fast_paths and dialect == "postgresql")
