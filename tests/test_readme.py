"""The README's library example runs and prints what it says it prints."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_library_example_runs(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    text = README.read_text()
    section = text[text.index("## The library in ten lines"):]
    code = re.search(r"```python\n(.*?)```", section, re.S)
    assert code is not None
    lines = code.group(1).strip().splitlines()
    assert len(lines) <= 12
    monkeypatch.chdir(tmp_path)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code.group(1), "README.md", "exec"), {})
    assert "available=3300" in printed.getvalue()
    assert "held=0" in printed.getvalue()
    assert (tmp_path / "wallets.db").exists()


def test_readme_webhook_receiver_verifies_a_signed_delivery() -> None:
    from billfold.webhooks import endpoints, signing

    text = README.read_text()
    section = text[text.index("## Events and webhooks"):]
    code = re.search(r"```python\n(.*?)```", section, re.S)
    assert code is not None and len(code.group(1).strip().splitlines()) <= 5
    namespace: dict[str, object] = {}
    exec(compile(code.group(1), "README.md", "exec"), namespace)
    secret = endpoints.new_secret()
    body = '{"id": "evt_1", "type": "wallet.debited"}'
    headers = signing.headers("evt_1", body, (secret,))
    receive = namespace["receive"]
    assert receive(body.encode(), headers, secret) == {"id": "evt_1",  # type: ignore[operator]
                                                       "type": "wallet.debited"}
    forged = {**headers, "webhook-signature": signing.headers("evt_1", body, (
        endpoints.new_secret(),))["webhook-signature"]}
    try:
        receive(body.encode(), forged, secret)  # type: ignore[operator]
    except Exception as error:
        assert type(error).__name__ == "WebhookVerificationError"
    else:
        raise AssertionError("a forged delivery was accepted")


def test_readme_loyalty_example_prints_its_comments(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    text = README.read_text()
    section = text[text.index("## Loyalty points"):]
    code = re.search(r"```python\n(.*?)```", section, re.S)
    assert code is not None
    monkeypatch.chdir(tmp_path)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code.group(1), "README.md", "exec"), {})
    promised = [re.search(r"#\s*(\w+)", line).group(1)  # type: ignore[union-attr]
                for line in code.group(1).splitlines() if line.startswith("print(")]
    assert printed.getvalue().split() == promised == ["1050", "VIP", "545"]
