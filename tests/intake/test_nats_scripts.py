"""scripts/nats-ensure starts a throwaway JetStream server when asked to (or when none
answers), prints its URL, and scripts/nats-stop stops it again."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import nats

from tests.loop_free import run_coroutine

ROOT = Path(__file__).resolve().parents[2]


async def jetstream_answers(url: str) -> bool:
    nc = await nats.connect(url, allow_reconnect=False, max_reconnect_attempts=1)
    try:
        info = await nc.jetstream().account_info()
        return info is not None
    finally:
        await nc.close()


def test_a_throwaway_server_is_started_used_and_stopped(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PLAUDIT_NATS_FORCE_THROWAWAY": "1",
        "PLAUDIT_NATS_TMP": str(tmp_path / "nats"),
    }
    started = subprocess.run(
        [ROOT / "scripts" / "nats-ensure"], env=env, capture_output=True, text=True, check=False
    )
    try:
        assert started.returncode == 0, started.stderr
        url = started.stdout.strip()
        assert url.startswith("nats://127.0.0.1:") and url != "nats://127.0.0.1:4222", url
        assert run_coroutine(jetstream_answers(url))
        again = subprocess.run(
            [ROOT / "scripts" / "nats-ensure"], env=env, capture_output=True, text=True, check=True
        )
        assert again.stdout.strip() == url  # the running one is reused
    finally:
        subprocess.run([ROOT / "scripts" / "nats-stop"], env=env, check=True)
    pid_file = tmp_path / "nats" / "PID"
    assert not pid_file.exists()
    port = (tmp_path / "nats" / "PORT").read_text().strip()
    assert port == url.rsplit(":", 1)[1]
