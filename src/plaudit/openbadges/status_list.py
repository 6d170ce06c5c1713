"""Bitstring status lists (pure): https://www.w3.org/TR/vc-bitstring-status-list/

A list is a bitstring of LIST_SIZE bits (16 KiB, the specification's minimum, so that one
credential's status hides among many), bit i the status of the credential with
statusListIndex i (the first index is the most significant bit of the first byte), GZIP
compressed and written as multibase base64url without padding (`u` prefix).
"""

from __future__ import annotations

import base64
import gzip
from collections.abc import Iterable
from typing import Any

LIST_SIZE = 131_072  # bits: 16 KiB
CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"


def encode_list(set_bits: Iterable[int], size: int = LIST_SIZE) -> str:
    """The encodedList with the given indexes set to 1 (ValueError for one out of range)."""
    bits = bytearray(size // 8)
    for index in set_bits:
        if not 0 <= index < size:
            raise ValueError(f"status list index {index} is outside 0..{size - 1}")
        bits[index // 8] |= 0x80 >> (index % 8)
    compressed = gzip.compress(bytes(bits), mtime=0)  # mtime 0: the same list, the same bytes
    return "u" + base64.urlsafe_b64encode(compressed).decode().rstrip("=")


def decode_list(encoded: str) -> bytes:
    """The uncompressed bitstring of an encodedList."""
    if not encoded.startswith("u"):
        raise ValueError("encodedList is not multibase base64url (no leading 'u')")
    body = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def bit(bitstring: bytes, index: int) -> bool:
    return bool(bitstring[index // 8] & (0x80 >> (index % 8)))


def position(sequence: int) -> tuple[int, int]:
    """(list number, index in it) of the sequence-th status entry (from 0): lists are
    numbered from 1, each LIST_SIZE entries long."""
    return sequence // LIST_SIZE + 1, sequence % LIST_SIZE


def status_entry(list_url: str, index: int) -> dict[str, Any]:
    """A credential's credentialStatus: its bit in the revocation list at `list_url`."""
    return {
        "id": f"{list_url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }


def status_list_credential(
    *, list_url: str, issuer: str, valid_from: str, revoked: Iterable[int]
) -> dict[str, Any]:
    """The unsigned BitstringStatusListCredential of one revocation list."""
    return {
        "@context": [CREDENTIALS_V2],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": valid_from,
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encode_list(revoked),
        },
    }
