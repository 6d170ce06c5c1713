"""Secrets at rest: the keyring (first key encrypts, all decrypt, rotation), the key file made
on first use with mode 0600, and clear errors for a missing or wrong key."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from pydantic import ValidationError

from plaudit.config import Settings
from plaudit.kit.encryption import Keyring, KeyUnavailable, generate_key, keyring


def test_the_first_key_encrypts_and_every_key_decrypts() -> None:
    old, new = generate_key(), generate_key()
    token = Keyring([old], origin="test").encrypt("whsec_abc")
    assert "whsec_abc" not in token
    both = Keyring([new, old], origin="test")
    assert both.decrypt(token) == "whsec_abc"
    rotated = both.rotate(token)
    assert Keyring([new], origin="test").decrypt(rotated) == "whsec_abc"
    with pytest.raises(KeyUnavailable, match="cannot be decrypted with the keys in test"):
        Keyring([new], origin="test").decrypt(token)
    with pytest.raises(KeyUnavailable, match="nothing was re-encrypted"):
        Keyring([generate_key()], origin="test").rotate(token)


def test_the_key_file_is_made_on_first_use_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "plaudit.key"
    token = keyring(None, path).encrypt("s3cret")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    [key] = path.read_text().split()
    assert Keyring([key], origin="file").decrypt(token) == "s3cret"
    assert keyring(None, path).decrypt(token) == "s3cret"
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind


def test_the_setting_wins_over_the_key_file(tmp_path: Path) -> None:
    key = generate_key()
    settings = Settings(encryption_keys=key, encryption_key_file=str(tmp_path / "unused.key"))
    assert Keyring([key], origin="x").decrypt(settings.keyring().encrypt("a")) == "a"
    assert not (tmp_path / "unused.key").exists()


def test_a_key_file_that_cannot_be_made_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(KeyUnavailable, match="Cannot read or create the key file") as caught:
        keyring(None, tmp_path / "missing-directory" / "plaudit.key")
    assert caught.value.status == 503
    assert "PLAUDIT_ENCRYPTION_KEYS" in caught.value.detail


def test_a_key_file_holding_no_fernet_key_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.key"
    path.write_text("not-a-key\n")
    with pytest.raises(KeyUnavailable, match="is not a Fernet key"):
        keyring(None, path)


def test_keys_that_are_not_fernet_keys_are_refused_by_the_settings() -> None:
    with pytest.raises(ValidationError, match="Encryption key 2 in PLAUDIT_ENCRYPTION_KEYS"):
        Settings(encryption_keys=f"{generate_key()},hunter2")


def test_the_allow_list_setting_is_checked() -> None:
    with pytest.raises(ValidationError, match="neither a host name nor"):
        Settings(webhook_allowed_hosts="10.0.0.0/8, not a host!")
    allowed = Settings(webhook_allowed_hosts="hooks.corp.example, 10.0.0.0/8").webhook_allow_list
    assert allowed.allows_host("HOOKS.corp.example") and not allowed.allows_host("corp.example")
