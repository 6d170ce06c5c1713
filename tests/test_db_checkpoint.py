"""SQLite write-ahead-log checkpoints in a background thread, not in the request that commits."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from plaudit.app import create_app
from plaudit.config import Settings
from plaudit.db.checkpoint import CheckpointResult, WalCheckpointer, start_checkpointer
from plaudit.db.engine import build_engine
from plaudit.db.migrate import upgrade
from tests.one_hop_client import TestClient


def _autocheckpoint(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one())


def _write(engine: Engine, rows: int) -> None:
    for _ in range(rows):
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO t VALUES (:x)"), {"x": "x" * 3000})


def test_server_connections_leave_checkpoints_to_the_checkpointer(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'p.db'}"
    server = build_engine(url, background_checkpoints=True)
    cli = build_engine(url)
    try:
        assert _autocheckpoint(server) == 0
        assert _autocheckpoint(cli) == 1000  # SQLite's own default, in every other process
        with server.begin() as conn:
            conn.execute(text("CREATE TABLE t (x TEXT)"))
        _write(server, 400)  # about 1,200 pages: SQLite alone would have checkpointed
        checkpointer = WalCheckpointer(server)
        first = checkpointer.run_once()
        assert first.busy == 0
        assert first.log_frames > 1000
        assert first.checkpointed_frames == first.log_frames
        _write(server, 1)
        # Everything was copied, so the next commit started the log again from its start.
        again = checkpointer.run_once()
        assert again.log_frames < 10
        with cli.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM t")).scalar_one() == 401
    finally:
        server.dispose()
        cli.dispose()


def test_the_thread_runs_checkpoints_and_a_last_one_when_stopped(tmp_path: Path) -> None:
    engine = build_engine(f"sqlite:///{tmp_path / 'p.db'}", background_checkpoints=True)
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (x TEXT)"))
        checkpointer = WalCheckpointer(engine, every_seconds=0.05)
        checkpointer.start()
        _write(engine, 50)
        checkpointer.stop()
        assert not checkpointer.running
        result = checkpointer.run_once()
        assert result.log_frames == result.checkpointed_frames
    finally:
        engine.dispose()


def test_only_sqlite_gets_a_checkpointer() -> None:
    postgres = build_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert start_checkpointer(postgres) is None  # decided without connecting


def test_the_server_checkpoints_in_the_background(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'p.db'}"
    upgrade(url)
    results: list[CheckpointResult] = []
    checkpoint = WalCheckpointer.run_once

    def recorded(self: WalCheckpointer) -> CheckpointResult:
        result = checkpoint(self)
        results.append(result)
        return result

    monkeypatch.setattr(WalCheckpointer, "run_once", recorded)
    monkeypatch.setattr("plaudit.db.checkpoint.CHECKPOINT_SECONDS", 3600.0)  # only the last
    app = create_app(Settings(database_url=url, admin_token="t0ken-for-tests"))
    with TestClient(app) as client:
        assert _autocheckpoint(app.state.engine) == 0
        headers = {"Authorization": "Bearer t0ken-for-tests"}
        for i in range(30):
            answer = client.post("/api/v1/teams", headers=headers, json={"name": f"Team {i}"})
            assert answer.status_code == 201
    # Stopping the server ran a last checkpoint, which copied the whole log.
    assert len(results) == 1, "the server ran no checkpoint when it stopped"
    last = results[0]
    assert last.busy == 0
    assert last.log_frames > 0
    assert last.checkpointed_frames == last.log_frames


def test_the_log_file_is_cut_back_after_a_burst(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    limit = 64 * 1024
    monkeypatch.setattr("plaudit.db.engine.WAL_SIZE_LIMIT_BYTES", limit)
    path = tmp_path / "p.db"
    engine = build_engine(f"sqlite:///{path}", background_checkpoints=True)
    wal = Path(f"{path}-wal")
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (x TEXT)"))
        _write(engine, 400)  # a burst: well over a megabyte of log
        assert wal.stat().st_size > 20 * limit
        WalCheckpointer(engine).run_once()
        _write(engine, 1)  # the log starts again, and its file is cut back
        assert wal.stat().st_size <= limit
    finally:
        engine.dispose()
