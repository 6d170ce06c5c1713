"""Secrets encrypted at rest (webhook secrets; later, signing keys): Fernet keys, rotatable.

The keys come from PLAUDIT_ENCRYPTION_KEYS (comma-separated Fernet keys: the first encrypts,
every one decrypts), or, when that is unset, from a key file (PLAUDIT_ENCRYPTION_KEY_FILE,
one key a line, same order) that is created with mode 0600 the first time a key is needed.
To rotate: put a new key first, run `plaudit keys rotate` (everything re-encrypted under it),
then drop the old key.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from plaudit.errors import PlauditError


@dataclass
class KeyUnavailable(PlauditError):
    """The encryption keys cannot be read, or do not open a stored secret: a server setting
    to fix, so answered as a clear 503 rather than a crash."""

    status: int = 503
    code: str = "encryption_key_unavailable"
    title: str = "Encryption key unavailable"


class Keyring:
    """Fernet keys in order: the first encrypts, any decrypts."""

    def __init__(self, keys: Sequence[str], *, origin: str) -> None:
        if not keys:
            raise KeyUnavailable(detail=f"No encryption key in {origin}.")
        fernets = []
        for number, key in enumerate(keys, start=1):
            try:
                fernets.append(Fernet(key.strip().encode()))
            except ValueError as exc:
                raise KeyUnavailable(
                    detail=f"Encryption key {number} in {origin} is not a Fernet key (32 "
                    "url-safe base64-encoded bytes; `plaudit keys generate` makes one)."
                ) from exc
        self.origin = origin
        self._multi = MultiFernet(fernets)

    def encrypt(self, plaintext: str) -> str:
        return self._multi.encrypt(plaintext.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._multi.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise KeyUnavailable(
                detail=f"A stored secret cannot be decrypted with the keys in {self.origin}: "
                "was a key removed before `plaudit keys rotate` re-encrypted everything?"
            ) from exc

    def rotate(self, token: str) -> str:
        """The same secret encrypted under the first key (KeyUnavailable if no key opens it)."""
        try:
            return self._multi.rotate(token.encode()).decode()
        except InvalidToken as exc:
            raise KeyUnavailable(
                detail=f"A stored secret cannot be decrypted with the keys in {self.origin}; "
                "nothing was re-encrypted."
            ) from exc


def generate_key() -> str:
    return Fernet.generate_key().decode()


def split_keys(text: str) -> list[str]:
    return [k.strip() for k in text.replace("\n", ",").split(",") if k.strip()]


def check_keys(text: str) -> None:
    """ValueError unless `text` is one or more comma-separated Fernet keys (for Settings)."""
    keys = split_keys(text)
    if not keys:
        raise ValueError("must hold at least one Fernet key")
    try:
        Keyring(keys, origin="PLAUDIT_ENCRYPTION_KEYS")
    except KeyUnavailable as exc:
        raise ValueError(exc.detail) from exc


def keyring(keys: str | None, key_file: str | Path) -> Keyring:
    """The keys from the setting when given, else from the key file (made on first use)."""
    if keys:
        return _from_setting(keys)
    return _from_file(str(Path(key_file).absolute()))


@lru_cache(maxsize=16)
def _from_setting(keys: str) -> Keyring:
    return Keyring(split_keys(keys), origin="PLAUDIT_ENCRYPTION_KEYS")


@lru_cache(maxsize=16)
def _from_file(path: str) -> Keyring:
    origin = f"the key file {path}"
    try:
        text = _read_or_create(Path(path))
    except OSError as exc:
        raise KeyUnavailable(
            detail=f"Cannot read or create {origin} ({exc.strerror or exc}): set "
            "PLAUDIT_ENCRYPTION_KEYS, or PLAUDIT_ENCRYPTION_KEY_FILE to a writable place."
        ) from exc
    return Keyring(split_keys(text), origin=origin)


def _read_or_create(path: Path) -> str:
    """The file's text; when it is missing, a new key written there first, readable by this
    user only. Made under a temporary name and linked into place, so that processes starting
    together all end up with the one key that won, never a half-written file."""
    try:
        return path.read_text()
    except FileNotFoundError:
        pass
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w") as out:
            out.write(generate_key() + "\n")
        with contextlib.suppress(FileExistsError):  # another process made it first: use theirs
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return path.read_text()
