"""The README's REST API section runs as written: the curl session and the SDK
example, against the real server."""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from billfold.client import Client
from tests.api.conftest import ServerThread, Tenant

README = Path(__file__).resolve().parents[2] / "README.md"


def _section() -> str:
    text = README.read_text()
    start = text.index("## The REST API")
    return text[start:text.index("\n## ", start + 1)]


@pytest.mark.skipif(shutil.which("curl") is None, reason="needs curl")
def test_readme_curl_session_runs(server: ServerThread, tenant: Tenant, api: Client) -> None:
    blocks = re.findall(r"```sh\n(.*?)```", _section(), re.S)
    session = blocks[1]
    assert "curl" in session and "capture" in session
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", session], text=True,
                            capture_output=True, timeout=60,
                            env={**os.environ, "BF": server.base_url, "KEY": tenant.api_key})
    assert result.returncode == 0, result.stderr
    assert '"status":"captured"' in result.stdout
    wallet = api.wallets.get("cus-42")
    assert (wallet.available, wallet.held, wallet.total) == (3500, 0, 3500)
    assert [t.type for t in api.wallets.list_transactions("cus-42").data] == ["capture", "hold",
                                                                               "credit"]


def test_readme_sdk_example_runs(server: ServerThread, tenant: Tenant) -> None:
    code = re.search(r"```python\n(.*?)```", _section(), re.S)
    assert code is not None
    source = (code.group(1).replace('"bf_sk_…"', repr(tenant.api_key))
              .replace('"http://127.0.0.1:8000"', repr(server.base_url)))
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(source, "README.md", "exec"), {})
    assert printed.getvalue().strip() == "3500"
