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
