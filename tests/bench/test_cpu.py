"""The bench's CPU figures read /proc: a process tree's CPU grows with the work done in
it, children included, and a row's figures divide it by the operations."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from bench import cpu


def test_a_busy_child_counts_in_its_parents_tree() -> None:
    child = subprocess.Popen([sys.executable, "-c",
                              "import time\nend = time.process_time() + 0.3\n"
                              "while time.process_time() < end: pass\ntime.sleep(5)"])
    try:
        before = cpu.tree_cpu_seconds(os.getpid())
        time.sleep(1.0)
        assert child.pid in cpu.descendants(os.getpid())
        spent = cpu.tree_cpu_seconds(os.getpid()) - before
        assert spent >= 0.2, spent  # the child's busy loop, seen through the tree
        assert cpu.process_cpu_seconds(child.pid) >= 0.2
    finally:
        child.kill()
        child.wait()
    assert cpu.process_cpu_seconds(child.pid) == 0.0  # gone: counts nothing
    after = cpu.tree_cpu_seconds(os.getpid())
    assert after - before >= 0.2, "a reaped child's time is in its parent's"


def test_per_operation_figures() -> None:
    groups = {"db": lambda: 2.5, "client": lambda: 1.0}
    spent = cpu.used({"db": 1.5, "client": 0.5}, cpu.snapshot(groups))
    assert spent == {"db": 1.0, "client": 0.5}
    assert cpu.per_op_us(spent, 1000) == {"db": 1000.0, "client": 500.0}
    assert cpu.per_op_us(spent, 0) == {}
