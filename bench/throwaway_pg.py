"""A throwaway PostgreSQL cluster for a benchmark: initdb in a temporary directory, started
with pg_ctl on a free port of 127.0.0.1, stopped and removed afterwards.

The benchmark owns every process of it, so it can count the database's CPU time: the
postmaster's own and its children's (`cpu_seconds`). The binaries are found as
`scripts/pg-ensure` finds them (the newest /usr/lib/postgresql/*/bin, else initdb on PATH);
as root, the cluster runs as the `postgres` system user (initdb refuses root).
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from proc_cpu import tree_cpu_seconds


def bindir() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    for initdb in reversed(found):
        if (initdb.parent / "pg_ctl").exists():
            return initdb.parent
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl"):
        return Path(on_path).parent
    raise SystemExit("no PostgreSQL server binaries (initdb, pg_ctl) found")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Cluster:
    def __init__(self, data: Path, port: int) -> None:
        self.data = data
        self.port = port
        self.url = f"postgresql://postgres@127.0.0.1:{port}/postgres"

    def postmaster_pid(self) -> int:
        return int((self.data / "postmaster.pid").read_text().split()[0])

    def cpu_seconds(self) -> float:
        """CPU time of the postmaster and every backend so far (exited ones included)."""
        return tree_cpu_seconds(self.postmaster_pid())


@contextmanager
def throwaway_cluster() -> Iterator[Cluster]:
    bins = bindir()
    as_root = os.geteuid() == 0
    # As root the `postgres` user runs the cluster: its directory must be reachable by it,
    # so it is made directly under /tmp rather than under $TMPDIR.
    reachable = "/tmp" if as_root else None  # noqa: S108 (a mkdtemp: private, unique name)
    base = Path(tempfile.mkdtemp(prefix="plaudit-bench-pg-", dir=reachable))
    data = base / "data"
    prefix: list[str] = []
    if as_root:
        owner = pwd.getpwnam("postgres")
        os.chown(base, owner.pw_uid, owner.pw_gid)
        prefix = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "cwd": "/"}
    try:
        initdb = [str(bins / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust"]
        subprocess.run(
            [*prefix, *initdb, "-E", "UTF8", "--locale=C", "-N"],
            check=True,
            **quiet,  # type: ignore[arg-type]
        )
        options = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c max_connections=200"
        pg_ctl = [str(bins / "pg_ctl"), "-D", str(data), "-l", str(base / "log")]
        subprocess.run(
            [*prefix, *pg_ctl, "-o", options, "-w", "-t", "60", "start"],
            check=True,
            **quiet,  # type: ignore[arg-type]
        )
        try:
            yield Cluster(data, port)
        finally:
            subprocess.run(
                [*prefix, str(bins / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
                check=False,
                **quiet,  # type: ignore[arg-type]
            )
    finally:
        shutil.rmtree(base, ignore_errors=True)
