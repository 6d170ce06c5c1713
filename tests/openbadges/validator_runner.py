"""Run the 1EdTech Open Badges validator (PyPI `openbadges`) offline, in its own virtualenv.

Usage: <validator venv>/bin/python validator_runner.py <assertion URL or baked image path>
       [<recipient email>]

Prints the validator's report as JSON. Only loopback addresses are fetched over the network;
the Open Badges 2.0 JSON-LD context (https://w3id.org/openbadges/v2, which redirects to
openbadgespec.org) is answered from the copy the validator package itself ships, so the run
needs no Internet. Any other outside address fails the request, and so the validation.
Not imported by the test suite (its imports live only in the validator's virtualenv).

One fix of the validator itself: on Python 3 its SVG unbaking returns the `verify` URL as
bytes, which it then fails to recognise as a URL ("only URL, JSON, or JWS input"); the text
is decoded here, so a baked SVG is checked like a baked PNG.
"""

from __future__ import annotations

import json
import sys
from io import BytesIO
from typing import Any
from urllib.parse import urlsplit

import requests
from openbadges.verifier.openbadges_context import OPENBADGES_CONTEXT_V2_DICT
from requests.adapters import BaseAdapter, HTTPAdapter
from requests.models import PreparedRequest, Response

from openbadges import verify
from openbadges.verifier import verifier

CONTEXTS = {
    "https://w3id.org/openbadges/v2": OPENBADGES_CONTEXT_V2_DICT,
    "https://openbadgespec.org/v2/context.json": OPENBADGES_CONTEXT_V2_DICT,
}
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class LocalContexts(BaseAdapter):
    """Answers the known JSON-LD contexts from memory; refuses every other address."""

    def send(self, request: PreparedRequest, **kwargs: Any) -> Response:
        url = (request.url or "").split("#")[0].rstrip("/")
        response = Response()
        response.url = request.url or ""
        response.request = request
        if url in CONTEXTS:
            response.status_code = 200
            response.headers["Content-Type"] = "application/ld+json"
            response.raw = BytesIO(json.dumps(CONTEXTS[url]).encode())
            response.encoding = "utf-8"
            return response
        raise requests.ConnectionError(f"offline: {request.url} is not fetched in tests")

    def close(self) -> None:
        pass


_local = LocalContexts()
_network = HTTPAdapter()


def get_adapter(self: requests.Session, url: str) -> BaseAdapter:
    host = urlsplit(url).hostname or ""
    return _network if host in LOOPBACK else _local


_unbake = verifier.unbake


def unbake_text(image: Any) -> Any:
    found = _unbake(image)
    return found.decode("utf-8") if isinstance(found, bytes) else found


def main() -> None:
    requests.Session.get_adapter = get_adapter  # type: ignore[method-assign]
    verifier.unbake = unbake_text
    target = sys.argv[1]
    profile = {"email": sys.argv[2]} if len(sys.argv) > 2 else None
    if target.startswith(("http://", "https://")):
        report = verify(target, profile, use_cache=False)
    else:
        with open(target, "rb") as image:
            report = verify(image, profile, use_cache=False)
    json.dump(report, sys.stdout, default=str)


if __name__ == "__main__":
    main()
