"""Entry to the benchmark suite in `bench/` (outside the package, beside `src/`).

`billfold bench` runs from a clone (`uv sync && uv run billfold bench`): the
suite is found next to the source tree, or in the current directory.
"""

from __future__ import annotations

import sys
from pathlib import Path


class BenchNotFound(Exception):
    """The `bench/` directory is not beside this source tree nor in the working directory."""


def _bench_root() -> Path:
    for root in (Path(__file__).resolve().parents[2], Path.cwd()):
        if (root / "bench" / "run.py").is_file():
            return root
    raise BenchNotFound("billfold bench needs the bench/ directory of a billfold clone; "
                        "run it from the clone (uv run billfold bench).")


def run_bench(*, quick: bool, backend: str, as_json: bool) -> int:
    """Run the suite; returns the exit code (1 if `verify` found the books broken)."""
    root = str(_bench_root())
    if root not in sys.path:
        sys.path.insert(0, root)
    from bench.run import main

    return main(quick=quick, backend=backend, as_json=as_json)
