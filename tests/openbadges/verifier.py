"""Run the independent verifier (npm @digitalbazaar/vc with the eddsa-rdfc-2022 cryptosuite,
tools/vc-verify, installed by scripts/setup) on a credential, offline."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

TOOL = Path(__file__).resolve().parents[2] / "tools" / "vc-verify"


def verify(credential: dict[str, Any], documents: dict[str, Any]) -> dict[str, Any]:
    """{verified, error, status} as tools/vc-verify/verify.mjs answers; `documents` maps the
    DID and status list URLs to the documents the test fetched from the server."""
    answer: dict[str, Any] = _run({"credential": credential, "documents": documents})
    return answer


def verify_all(
    credentials: list[dict[str, Any]], documents: dict[str, Any]
) -> list[dict[str, Any]]:
    """verify() of each credential, in one run of the verifier."""
    answers: list[dict[str, Any]] = _run({"credentials": credentials, "documents": documents})
    return answers


def _run(request: dict[str, Any]) -> Any:
    node = shutil.which("node")
    assert node, "node is missing: scripts/setup installs the verifier's packages with npm"
    assert (TOOL / "node_modules").is_dir(), "run scripts/setup (npm ci in tools/vc-verify)"
    done = subprocess.run(
        [node, str(TOOL / "verify.mjs")],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(done.stdout)
