"""The request's unit of work commits before the answer is sent.

A client that got a 201 must find its data saved; when the commit fails, the client gets the
error, not a success for data that was never written.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from tests.conftest import Api


def test_a_failed_commit_is_the_answer_and_nothing_is_saved(
    admin: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing_commit(self: Session) -> None:
        raise OperationalError("COMMIT", {}, Exception("disk I/O error"))

    with monkeypatch.context() as patch:
        patch.setattr(Session, "commit", failing_commit)
        answer = admin.post("/teams", json={"name": "Never saved"})
    assert answer.status_code == 503
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["status"] == 503
    assert admin.ok("GET", "/teams") == []


def test_a_created_row_is_readable_by_the_next_request(admin: Api) -> None:
    created: dict[str, Any] = admin.ok("POST", "/teams", 201, json={"name": "Acme"})
    assert admin.ok("GET", f"/teams/{created['id']}") == created
