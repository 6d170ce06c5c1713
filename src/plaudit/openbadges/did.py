"""The issuer's DID (pure): `did:web` from the public base URL, and its DID document.

did:web (https://w3c-ccg.github.io/did-method-web/) resolves `did:web:<host>[%3A<port>]` to
`https://<host>[:<port>]/.well-known/did.json`: production needs https on the public host.
Every issuer key, active or retired, stays in the document as a verification method, so that
credentials signed before a rotation still verify.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

DID_V1 = "https://www.w3.org/ns/did/v1"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"


@dataclass(frozen=True)
class PublicKey:
    """One issuer key as the DID document lists it."""

    number: int
    public_key_multibase: str


def did_web(public_url: str) -> str:
    """`did:web:` + host (and `%3A` + port when one is given) of the public base URL, plus
    the URL's path segments, `:`-separated, when Plaudit is served under a path."""
    parts = urlsplit(public_url)
    if not parts.hostname:
        raise ValueError(f"public URL {public_url!r} has no host")
    host = parts.hostname
    if parts.port is not None:
        host += "%3A" + str(parts.port)
    segments = [quote(s, safe="") for s in parts.path.split("/") if s]
    return ":".join(["did:web", host, *segments])


def did_document_url(public_url: str) -> str:
    """Where the document is served: /.well-known/did.json at the root of the public URL
    (or did.json under its path, as did:web resolves a DID with path segments)."""
    parts = urlsplit(public_url)
    base = f"{parts.scheme}://{parts.netloc}"
    path = parts.path.rstrip("/")
    return f"{base}{path}/did.json" if path else f"{base}/.well-known/did.json"


def verification_method_id(did: str, key: PublicKey) -> str:
    return f"{did}#key-{key.number}"


def did_document(did: str, keys: Sequence[PublicKey]) -> dict[str, Any]:
    """The DID document: every key a Multikey verification method allowed to assert."""
    methods = [
        {
            "id": verification_method_id(did, key),
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": key.public_key_multibase,
        }
        for key in keys
    ]
    ids = [method["id"] for method in methods]
    return {
        "@context": [DID_V1, MULTIKEY_V1],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": ids,
        "authentication": ids,
    }
