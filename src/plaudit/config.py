"""Settings: every PLAUDIT_* environment variable, read in this one place."""

from __future__ import annotations

import re
from ipaddress import IPv4Network, IPv6Network, ip_network
from typing import Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from plaudit.kit import encryption
from plaudit.kit.frame_origins import parse_origins
from plaudit.kit.url_policy import AllowList
from plaudit.periods import parse_zone

DEFAULT_DATABASE_URL = "sqlite:///plaudit.db"
HEX_COLOR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")


def proxy_networks(value: str) -> list[IPv4Network | IPv6Network]:
    """`10.0.0.1, 192.168.0.0/16, ::1` as networks; anything else is refused by name."""
    networks = []
    for item in (part.strip() for part in value.split(",")):
        if not item:
            continue
        try:
            networks.append(ip_network(item, strict=False))
        except ValueError:
            raise ValueError(f"{item!r} is not an IP address or a CIDR network") from None
    return networks


class Settings(BaseSettings):
    """Configuration of one Plaudit process. Tests build it directly with keyword arguments."""

    model_config = SettingsConfigDict(env_prefix="PLAUDIT_", extra="ignore")

    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        description="SQLAlchemy or libpq URL; by default a SQLite file in the working directory.",
    )
    timezone: str = Field(default="UTC", description="The organisation's time zone (IANA name).")
    admin_token: SecretStr | None = Field(
        default=None, description="When set, this value is accepted as an admin bearer token."
    )
    primary_color: str = Field(default="#3056d3", description="Default tile background colour.")
    secondary_color: str = Field(default="#ffffff", description="Default tile text colour.")
    max_body_bytes: int = Field(
        default=5 * 1024 * 1024, description="Largest JSON request body accepted (413 beyond)."
    )
    max_batch_records: int = Field(
        default=5000, description="Largest number of records in one ingestion batch (413 beyond)."
    )
    secret_key: SecretStr = Field(
        default=SecretStr("change-me-in-production"),
        description="Signs web session cookies. Left at this default, a random key is made per "
        "process instead (web sign-ins then end when the process restarts).",
    )
    secure_cookies: bool = Field(
        default=False,
        description="Send the web session cookie over HTTPS only (set it when served behind TLS).",
    )
    trusted_proxies: str = Field(
        default="",
        description="Reverse proxies whose X-Forwarded-For header is believed: IP addresses or "
        "CIDR networks, comma-separated. Empty: the socket's peer is the client.",
    )
    sign_in_max_failures_per_account: int = Field(
        default=5, ge=1, le=1000, description="Failed web sign-ins per account name per window."
    )
    sign_in_max_failures_per_address: int = Field(
        default=20,
        ge=1,
        le=100000,
        description="Failed web sign-ins per client address per window.",
    )
    sign_in_window_seconds: int = Field(
        default=900, ge=1, le=86400, description="The sign-in throttle's window, in seconds."
    )
    webhook_worker: bool = Field(
        default=True,
        description="Run the webhook delivery worker (a background thread) in this process.",
    )
    webhook_poll_seconds: float = Field(
        default=2.0, gt=0, le=3600, description="How often the worker looks for due deliveries."
    )
    webhook_timeout_seconds: float = Field(
        default=10.0, gt=0, le=300, description="How long one webhook request may take."
    )
    webhook_max_attempts: int = Field(
        default=8, ge=1, le=100, description="Attempts at a delivery before it is marked failed."
    )
    webhook_retry_base_seconds: float = Field(
        default=30.0,
        ge=0,
        le=86400,
        description="Delay before the first retry; doubled for each further one, with jitter.",
    )
    webhook_retry_max_seconds: float = Field(
        default=3600.0, ge=0, le=604800, description="Longest delay between two attempts."
    )
    webhook_allowed_hosts: str = Field(
        default="",
        description="Comma-separated host names, IP addresses and networks (CIDR) webhooks may "
        "reach although they are loopback, private, link-local or otherwise internal (for "
        "on-premises receivers). Empty: only public addresses.",
    )
    smtp_host: str = Field(
        default="", description="The SMTP server email notifications go through. Empty: none."
    )
    smtp_port: int = Field(default=587, ge=1, le=65535, description="The SMTP server's port.")
    smtp_username: str = Field(
        default="", description="The SMTP user name. Empty: the server is not logged in to."
    )
    smtp_password: SecretStr | None = Field(default=None, description="The SMTP password.")
    smtp_from: str = Field(
        default="plaudit@localhost", description="The From address of email notifications."
    )
    smtp_starttls: bool = Field(
        default=True,
        description="Upgrade the SMTP connection with STARTTLS before logging in and sending.",
    )
    encryption_keys: SecretStr | None = Field(
        default=None,
        description="Comma-separated Fernet keys encrypting secrets at rest (webhook secrets): "
        "the first encrypts, every one decrypts. Unset: the key file is used.",
    )
    encryption_key_file: str = Field(
        default="plaudit.key",
        description="The key file used when PLAUDIT_ENCRYPTION_KEYS is unset; created with one "
        "new key, readable by its owner only (0600), the first time a key is needed.",
    )

    max_concurrent_requests: int = Field(
        default=16,
        ge=1,
        le=1000,
        description="Requests served at once (the admission limit); the worker threads and the "
        "database connection pool are sized from it, so every admitted request gets both.",
    )
    max_queued_requests: int = Field(
        default=1000,
        ge=0,
        le=100_000,
        description="Requests that may wait for admission; more are answered 503 at once.",
    )
    admission_timeout: float = Field(
        default=10.0,
        gt=0,
        le=300,
        description="Seconds a request may wait for admission before it is answered 503.",
    )

    embed_allowed_origins: str = Field(
        default="",
        description="Comma-separated web origins (https://portal.example.com) whose pages may "
        "frame the embed pages. Empty: embedding is off, no embed link is issued.",
    )
    embed_max_seconds: int = Field(
        default=30 * 86400,
        ge=60,
        le=366 * 86400,
        description="The longest life an embed link may be given, in seconds.",
    )
    embed_primary_color: str = Field(
        default="",
        description="Accent and default tile background of embed pages; empty: "
        "PLAUDIT_PRIMARY_COLOR.",
    )
    embed_secondary_color: str = Field(
        default="",
        description="Text colour on the accent in embed pages; empty: PLAUDIT_SECONDARY_COLOR.",
    )
    embed_background_color: str = Field(
        default="#ffffff", description="Page background of embed pages."
    )
    embed_text_color: str = Field(default="#1d2330", description="Text colour of embed pages.")

    period_closer: bool = Field(
        default=True,
        description="Run the period closer (a background thread) in this process: it decides "
        "rules with an upper bound (at most, less than, exactly) when their period ends.",
    )
    period_close_seconds: float = Field(
        default=60.0,
        gt=0,
        le=86400,
        description="How often the period closer looks for periods that have ended.",
    )

    public_url: str = Field(
        default="http://127.0.0.1:8000",
        description="The address people reach this server at (scheme, host, optional port and "
        "path, no trailing slash needed): the base of published badges' public URLs (Open "
        "Badges documents, public badge pages) and of the links in Slack, Teams and email "
        "messages.",
    )

    log_format: Literal["json", "text"] = Field(
        default="json",
        description="`plaudit serve`'s log lines: one JSON object per line (with the request "
        "id of the request being served), or plain text.",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", description="The lowest level of log line written."
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        parse_zone(value)
        return value

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str) -> str:
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"{value!r} is not an http(s) URL such as https://badges.example.com")
        if parts.query or parts.fragment:
            raise ValueError(f"{value!r} may not have a query or a fragment")
        return value.strip().rstrip("/")

    @field_validator("embed_allowed_origins")
    @classmethod
    def _origins(cls, value: str) -> str:
        parse_origins(value)
        return value

    @field_validator(
        "embed_primary_color",
        "embed_secondary_color",
        "embed_background_color",
        "embed_text_color",
    )
    @classmethod
    def _hex_color(cls, value: str) -> str:
        value = value.strip()
        if value and not HEX_COLOR.match(value):
            raise ValueError(f"{value!r} is not a colour: write it as #rrggbb or #rgb")
        return value

    @property
    def embed_origins(self) -> tuple[str, ...]:
        """The origins allowed to frame embed pages (none: embedding is off)."""
        return parse_origins(self.embed_allowed_origins)

    @field_validator("webhook_allowed_hosts")
    @classmethod
    def _allow_list(cls, value: str) -> str:
        AllowList.parse(value)
        return value

    @field_validator("encryption_keys")
    @classmethod
    def _fernet_keys(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and value.get_secret_value().strip():
            encryption.check_keys(value.get_secret_value())
            return value
        return None

    def keyring(self) -> encryption.Keyring:
        """The keys encrypting secrets at rest (the key file is read, or made, on first use)."""
        keys = self.encryption_keys.get_secret_value() if self.encryption_keys else None
        return encryption.keyring(keys, self.encryption_key_file)

    @property
    def webhook_allow_list(self) -> AllowList:
        return AllowList.parse(self.webhook_allowed_hosts)

    @field_validator("trusted_proxies")
    @classmethod
    def _proxy_networks(cls, value: str) -> str:
        proxy_networks(value)
        return value

    @property
    def trusted_proxy_list(self) -> list[str]:
        return [str(network) for network in proxy_networks(self.trusted_proxies)]

    @property
    def zone(self) -> ZoneInfo:
        return parse_zone(self.timezone)

    @property
    def sqlalchemy_url(self) -> str:
        """The database URL with the driver SQLAlchemy should use (psycopg 3 for PostgreSQL)."""
        url = self.database_url
        for prefix in ("postgresql://", "postgres://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix) :]
        return url
