"""The 1EdTech Open Badges validator (PyPI `openbadges`, in its own virtualenv made by
scripts/openbadges-validator-env) checks what a real Plaudit server publishes, offline:
a hosted assertion is valid, a baked PNG and SVG carry a valid one, a revoked one is
reported revoked.

The server listens on 127.0.0.1 at a port of its own choosing, and PLAUDIT_PUBLIC_URL is
that address, so every URL in the documents leads back to it.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from plaudit.config import Settings
from tests.conftest import ADMIN_TOKEN
from tests.loopback_http import loopback_client
from tests.web.public_server import public_live_server

ROOT = Path(__file__).resolve().parents[2]
RUNNER = Path(__file__).with_name("validator_runner.py")


def validator_python() -> Path:
    venv = Path(os.environ.get("PLAUDIT_OPENBADGES_VENV") or ROOT / ".venv-openbadges")
    python = venv / "bin" / "python"
    if not python.is_file():
        pytest.fail(
            f"{python} is missing: the Open Badges validator's virtualenv is made by "
            "scripts/openbadges-validator-env (scripts/setup runs it)."
        )
    return python


def validate(target: str | Path, recipient: str | None = None) -> dict[str, Any]:
    done = subprocess.run(
        [str(validator_python()), str(RUNNER), str(target), *([recipient] if recipient else [])],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report: dict[str, Any] = json.loads(done.stdout)
    return report


@pytest.fixture
def api(clean_db: object, settings: Settings) -> Iterator[httpx.Client]:
    quiet = settings.model_copy(update={"webhook_worker": False})
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    with (
        public_live_server(quiet) as base,
        loopback_client(base_url=base, headers=headers, timeout=30) as client,
    ):
        yield client


def ok(response: httpx.Response) -> Any:
    assert response.is_success, (response.request.url, response.status_code, response.text)
    return response.json()


def published(api: httpx.Client, period: str = "none") -> dict[str, Any]:
    ok(
        api.put(
            "/api/v1/issuer",
            json={
                "name": "Acme Partners",
                "url": "https://acme.example.com",
                "email": "badges@acme.example.com",
                "description": "Acme's partner programme.",
            },
        )
    )
    member = ok(api.post("/api/v1/members", json={"name": "Ann", "email": "Ann@Example.com"}))
    achievement = ok(
        api.post(
            "/api/v1/achievements",
            json={
                "key": "deal-closer",
                "name": "Deal closer",
                "description": "Closed a deal.",
                "category": "award",
                "period": period,
            },
        )
    )
    award = ok(
        api.post(
            f"/api/v1/members/{member['id']}/awards", json={"achievement_id": achievement["id"]}
        )
    )
    answer: dict[str, Any] = ok(api.post(f"/api/v1/awards/{award['id']}/publish"))
    return answer


def assert_valid(report: dict[str, Any]) -> None:
    summary = report["report"]
    assert summary["valid"] is True, summary["messages"]
    assert summary["errorCount"] == 0, summary["messages"]
    assert summary["warningCount"] == 0, summary["messages"]
    assert summary["openBadgesVersion"] == "2.0"


def test_hosted_assertion_is_valid(api: httpx.Client) -> None:
    award = published(api, period="month")
    report = validate(award["openbadges_v2_url"])
    assert_valid(report)
    assert report["report"]["validationSubject"] == award["openbadges_v2_url"]
    nodes = {node["id"]: node for node in report["graph"]}
    assertion = nodes[award["openbadges_v2_url"]]
    assert assertion["expires"] == award["period_end"]
    badge = nodes[assertion["badge"]]
    assert badge["name"] == "Deal closer"
    issuer = nodes[badge["issuer"]]
    assert issuer["name"] == "Acme Partners"


def test_recipient_is_the_members_email_and_no_other(api: httpx.Client) -> None:
    award = published(api)
    assert_valid(validate(award["openbadges_v2_url"], "ann@example.com"))
    other = validate(award["openbadges_v2_url"], "bob@example.com")["report"]
    assert other["valid"] is False
    assert any("recipient" in m.get("result", "").lower() for m in other["messages"]), other


@pytest.mark.parametrize("extension", ["png", "svg"])
def test_baked_images_are_valid(api: httpx.Client, tmp_path: Path, extension: str) -> None:
    award = published(api)
    baked = api.get(f"{award['openbadges_v2_url']}/badge.{extension}")
    assert baked.status_code == 200
    path = tmp_path / f"badge.{extension}"
    path.write_bytes(baked.content)
    report = validate(path)
    assert_valid(report)
    assert report["report"]["validationSubject"] == award["openbadges_v2_url"]


def test_revoked_assertion_is_refused(api: httpx.Client) -> None:
    """The validator (1.1.2) has no words for a hosted assertion's revocation: it reads the
    410 answer's body, `{"revoked": true, ...}`, as the assertion and refuses it for lacking
    what an assertion must have. Valid before, invalid after."""
    award = published(api)
    assert_valid(validate(award["openbadges_v2_url"]))
    ok(api.delete(f"/api/v1/awards/{award['id']}", params={"reason": "Given by mistake"}))
    gone = api.get(award["openbadges_v2_url"])
    assert gone.status_code == 410
    assert gone.json()["revoked"] is True
    summary = validate(award["openbadges_v2_url"])["report"]
    assert summary["valid"] is False
    assert summary["errorCount"] >= 1
    messages = " ".join(m.get("result", "") for m in summary["messages"])
    assert "Required property recipient not present" in messages, summary["messages"]
