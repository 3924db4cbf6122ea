from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from billfold.app import Billfold


def _billfold(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "billfold.cli", *args], capture_output=True,
                          text=True, cwd=cwd, check=False)


def test_stores_create_json_prints_one_object_whose_key_works(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    result = _billfold("stores", "create", "Corner Shop", "--currency", "KWD", "--json",
                       "--database-url", url, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    created = json.loads(result.stdout)
    assert set(created) == {"store_id", "api_key"}
    with Billfold(url) as bf:
        assert bf.authenticate(created["api_key"]) == created["store_id"]
        assert bf.store(created["store_id"]).store_id == created["store_id"]


def test_stores_create_refuses_an_unknown_currency(tmp_path: Path) -> None:
    result = _billfold("stores", "create", "Shop", "--currency", "XXZ", "--database-url",
                       f"sqlite:///{tmp_path / 'cli.db'}", cwd=tmp_path)
    assert result.returncode == 2
    assert "Unknown unit" in result.stderr


def test_migrate_creates_the_default_sqlite_file(tmp_path: Path) -> None:
    result = _billfold("migrate", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "billfold.db").exists()
