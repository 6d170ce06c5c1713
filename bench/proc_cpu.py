"""CPU time of a process tree from /proc (Linux): what a benchmark's servers and its database
cost, whoever runs them."""

from __future__ import annotations

import os
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    # The command name is in parentheses and may hold spaces: split after it.
    return raw[raw.rindex(")") + 2 :].split()


def _children() -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields is not None:
                out.setdefault(int(fields[1]), []).append(int(entry.name))
    return out


def tree_cpu_seconds(root: int) -> float:
    """utime + stime of `root` and of every live descendant, plus the CPU of the children
    each of them has reaped (cutime + cstime): a process that ended during a measurement
    still counts, in its parent."""
    children = _children()
    total = 0
    stack = [root]
    while stack:
        pid = stack.pop()
        fields = _stat(pid)
        if fields is None:
            continue
        # Counted from the state field (0): ppid is 1, utime 11, stime 12, cutime 13, cstime 14.
        total += sum(int(fields[i]) for i in (11, 12, 13, 14))
        stack.extend(children.get(pid, []))
    return total / TICKS
