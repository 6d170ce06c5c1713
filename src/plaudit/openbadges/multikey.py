"""Ed25519 keys as Multikey strings (pure): `z` + base58btc of a multicodec prefix and the key.

https://www.w3.org/TR/controller-document/#multikey
"""

from __future__ import annotations

import base58
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ED25519_PUB = b"\xed\x01"  # multicodec ed25519-pub (0xed) as a varint
ED25519_PRIV = b"\x80\x26"  # multicodec ed25519-priv (0x1300) as a varint


def encode_base58btc(data: bytes) -> str:
    """Multibase base58btc: the `z` prefix and the base58 (Bitcoin alphabet) text."""
    return "z" + base58.b58encode(data).decode()


def decode_base58btc(text: str) -> bytes:
    if not text.startswith("z"):
        raise ValueError("not a base58btc multibase string (no leading 'z')")
    return base58.b58decode(text[1:])


def public_multibase(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return encode_base58btc(ED25519_PUB + raw)


def public_key_from_multibase(text: str) -> Ed25519PublicKey:
    data = decode_base58btc(text)
    if not data.startswith(ED25519_PUB) or len(data) != 34:
        raise ValueError("not an Ed25519 Multikey public key")
    return Ed25519PublicKey.from_public_bytes(data[2:])


def private_key_from_multibase(text: str) -> Ed25519PrivateKey:
    data = decode_base58btc(text)
    if not data.startswith(ED25519_PRIV) or len(data) != 34:
        raise ValueError("not an Ed25519 Multikey secret key")
    return Ed25519PrivateKey.from_private_bytes(data[2:])
