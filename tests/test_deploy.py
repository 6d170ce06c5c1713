"""The deployment examples of deploy/ work: the systemd unit passes `systemd-analyze verify`
and its ExecStart, run as systemd would (the unit's environment file read), serves on
PostgreSQL with its workers; the Procfile's release and web commands, run by a shell as a
platform runs them, migrate and serve. Paths of /srv/plaudit are replaced by this checkout's."""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.concurrency.test_workers import free_port, plaudit_env, wait_ready
from tests.conftest import postgres_url, private_postgres_database

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
VENV_BIN = Path(sys.executable).parent
pytestmark = pytest.mark.serial


def unit_settings(unit: str) -> dict[str, str]:
    """`Key=value` lines of a unit file, the last one of each key."""
    out = {}
    for line in unit.splitlines():
        if "=" in line and not line.lstrip().startswith(("#", ";", "[")):
            key, value = line.split("=", 1)
            out[key.strip()] = value.strip()
    return out


def local_unit(tmp_path: Path) -> str:
    """The unit with this machine's paths and user, which systemd-analyze can check."""
    unit = (DEPLOY / "plaudit.service").read_text()
    env_file = tmp_path / "plaudit.env"
    env_file.write_text("PLAUDIT_LOG_FORMAT=json\n")
    return (
        unit.replace("/srv/plaudit/.venv/bin/", f"{VENV_BIN}/")
        .replace("/srv/plaudit", str(tmp_path))
        .replace("/etc/plaudit/plaudit.env", str(env_file))
        .replace("User=plaudit", "User=root")
        .replace("Group=plaudit", "Group=root")
    )


@pytest.fixture
def database() -> Iterator[str]:
    with private_postgres_database(postgres_url()) as url:
        yield url


def serve_until_ready(command: str, env: dict[str, str], port: int, cwd: Path) -> None:
    """Run `command` through a shell in its own process group, wait for readiness, stop it."""
    process = subprocess.Popen(
        ["bash", "-c", command],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        wait_ready(f"http://127.0.0.1:{port}", process)
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # the group of the shell this test started
        try:
            process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()


def test_the_systemd_unit_verifies_and_its_command_serves(tmp_path: Path, database: str) -> None:
    analyze = shutil.which("systemd-analyze")
    assert analyze, "systemd-analyze (Debian's systemd package) is needed to check the unit"
    unit = local_unit(tmp_path)
    path = tmp_path / "plaudit.service"
    path.write_text(unit)
    checked = subprocess.run(
        [analyze, "verify", str(path)], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stderr

    settings = unit_settings(unit)
    port = free_port()
    command = settings["ExecStart"].replace("--port 8000", f"--port {port}")
    env = plaudit_env(database)
    for line in Path(settings["EnvironmentFile"]).read_text().splitlines():
        key, value = line.split("=", 1)
        env[key] = value
    serve_until_ready(command, env, port, Path(settings["WorkingDirectory"]))


def test_the_procfile_release_migrates_and_web_serves(tmp_path: Path, database: str) -> None:
    processes = dict(
        line.split(":", 1) for line in (DEPLOY / "Procfile").read_text().splitlines() if line
    )
    assert set(processes) == {"release", "web"}
    port = free_port()
    env = plaudit_env(database, PORT=str(port), WEB_CONCURRENCY="2")
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    release = subprocess.run(
        ["bash", "-c", processes["release"]], env=env, capture_output=True, text=True, check=False
    )
    assert release.returncode == 0, release.stdout + release.stderr
    assert "--no-migrate" in shlex.split(processes["web"])  # the release phase migrated
    serve_until_ready(processes["web"], env, port, tmp_path)
