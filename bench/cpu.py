"""CPU time of the processes behind a row, so that every run shows what bounds it.

A row's figures are taken over its timed window: the database server (the postmaster
and every backend under it), billfold's own server where HTTP is measured, and the
clients (the benchmark's worker processes, or this process for thread workers; the
pgbench binary for the references). Divided by the operations done, each is the CPU a
single operation costs on that side: when `db` times the ops per second approaches
the cores the database has, the database is what bounds the row; when `client` or
`app` does, Python is. Read from /proc (Linux); elsewhere the figures are absent.
"""

from __future__ import annotations

import os
import resource
from collections.abc import Callable, Iterable
from pathlib import Path

CpuGroups = dict[str, Callable[[], float]]  # group name -> CPU seconds used so far
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def process_cpu_seconds(pid: int, *, reaped: bool = False) -> float:
    """User + system CPU seconds of one process (all its threads), 0 if it is gone;
    with `reaped`, plus that of its children that exited and were waited for."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    ticks = int(fields[11]) + int(fields[12])  # utime, stime
    if reaped:
        ticks += int(fields[13]) + int(fields[14])  # cutime, cstime
    return ticks / _TICKS


def descendants(pid: int) -> list[int]:
    """`pid` and every process under it, now."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, ()))
    return found


def tree_cpu_seconds(pid: int) -> float:
    """CPU seconds of `pid` and every process under it, those that exited too: a live
    process counts its own, a reaped one is in its parent's children's time (a
    PostgreSQL backend that ends within the window, as pgbench's do, still counts)."""
    return sum(process_cpu_seconds(each, reaped=True) for each in descendants(pid))


def pids_cpu_seconds(pids: Iterable[int]) -> float:
    return sum(process_cpu_seconds(pid) for pid in pids)


def children_cpu_seconds() -> float:
    """CPU seconds of this process's children that have been waited for (pgbench)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def postmaster_pid(data_dir: Path) -> int:
    """The PostgreSQL server's pid, from its data directory's postmaster.pid."""
    return int((data_dir / "postmaster.pid").read_text().split()[0])


def snapshot(groups: CpuGroups) -> dict[str, float]:
    return {name: read() for name, read in groups.items()}


def used(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {name: max(0.0, after[name] - before[name]) for name in before}


def per_op_us(cpu_seconds: dict[str, float], ops: int) -> dict[str, float]:
    """CPU microseconds per operation, per group."""
    return {name: round(seconds * 1e6 / ops, 1) for name, seconds in cpu_seconds.items()
            if ops > 0}
