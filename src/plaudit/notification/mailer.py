"""One attempt at sending an email notification through the SMTP server of the settings.

The message has a plain-text part and an HTML alternative. Like the webhook sender, it never
raises for network or server trouble: every outcome is a `SendResult` whose error is one of a
few generic texts (the details go to the server log).
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import time
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

from plaudit.kit.tls import default_tls_context
from plaudit.notification.webhook import SendResult

logger = logging.getLogger(__name__)

NOT_CONFIGURED = "SMTP is not configured (PLAUDIT_SMTP_HOST)"
NO_RECIPIENTS = "no recipients"
CONNECTION_FAILED = "SMTP connection failed"
TIMED_OUT = "SMTP timed out"
LOGIN_FAILED = "SMTP login failed"


def refused(code: int) -> str:
    return f"SMTP {code} from the server"


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    username: str = ""
    password: str = ""
    sender: str = "plaudit@localhost"
    starttls: bool = True


def build_message(message: dict[str, Any], sender: str) -> EmailMessage:
    """The MIME message: text first, HTML as its alternative."""
    email = EmailMessage()
    email["From"] = sender
    email["To"] = ", ".join(message["to"])
    email["Subject"] = message["subject"]
    email["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    email.set_content(message["text"])
    email.add_alternative(message["html"], subtype="html")
    return email


@dataclass(frozen=True)
class EmailSender:
    """Send once: `sender(message, timeout)` with the message `channels.email_message` made."""

    smtp: SmtpSettings
    tls: ssl.SSLContext | None = None  # None: the process's own (`kit.tls`)

    def __call__(self, message: dict[str, Any], timeout: float) -> SendResult:
        started = time.perf_counter()
        if not self.smtp.host:
            return SendResult(False, None, NOT_CONFIGURED, _ms_since(started))
        if not message.get("to"):
            return SendResult(False, None, NO_RECIPIENTS, _ms_since(started))
        email = build_message(message, self.smtp.sender)
        try:
            with smtplib.SMTP(self.smtp.host, self.smtp.port, timeout=timeout) as client:
                if self.smtp.starttls:
                    client.starttls(context=self.tls or default_tls_context())
                if self.smtp.username:
                    client.login(self.smtp.username, self.smtp.password)
                client.send_message(email)
        except smtplib.SMTPAuthenticationError as exc:
            logger.info("email login to %s failed: %r", self.smtp.host, exc)
            return SendResult(False, exc.smtp_code, LOGIN_FAILED, _ms_since(started))
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            logger.info("email recipients refused by %s: %r", self.smtp.host, exc.recipients)
            code = codes[0] if codes else None
            return SendResult(False, code, refused(code or 550), _ms_since(started))
        except smtplib.SMTPResponseException as exc:
            logger.info("email refused by %s: %r", self.smtp.host, exc)
            return SendResult(False, exc.smtp_code, refused(exc.smtp_code), _ms_since(started))
        except TimeoutError:
            return SendResult(False, None, TIMED_OUT, _ms_since(started))
        except (OSError, smtplib.SMTPException) as exc:
            logger.debug("email through %s failed: %r", self.smtp.host, exc)
            return SendResult(False, None, CONNECTION_FAILED, _ms_since(started))
        return SendResult(True, 250, None, _ms_since(started))


def _ms_since(started: float) -> float:
    return (time.perf_counter() - started) * 1000
