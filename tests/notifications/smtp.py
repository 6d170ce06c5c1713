"""A real SMTP server for email notifications: aiosmtpd on 127.0.0.1, port chosen by the
system, in a thread of its own. It can refuse the first N messages (451) and keeps every
message it accepted."""

from __future__ import annotations

import asyncio
import email
import email.policy
import threading
import time
from dataclasses import dataclass
from email.message import EmailMessage
from types import TracebackType
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session


@dataclass(frozen=True)
class Mail:
    sender: str
    recipients: list[str]
    message: EmailMessage

    def part(self, subtype: str) -> str:
        body = self.message.get_body(preferencelist=(subtype,))
        assert body is not None, f"no text/{subtype} part"
        content: str = body.get_content()
        return content


class SmtpServer:
    def __init__(self) -> None:
        self.mails: list[Mail] = []
        self.refused = 0
        self.fail_first = 0
        self._changed = threading.Condition()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.AbstractServer | None = None
        self.port = 0

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        with self._changed:
            if self.refused < self.fail_first:
                self.refused += 1
                self._changed.notify_all()
                return "451 Try again later"
            raw = envelope.original_content or b""
            parsed = email.message_from_bytes(raw, policy=email.policy.default)
            assert isinstance(parsed, EmailMessage)
            self.mails.append(
                Mail(str(envelope.mail_from), [str(r) for r in envelope.rcpt_tos], parsed)
            )
            self._changed.notify_all()
        return "250 OK"

    @property
    def stopped(self) -> bool:
        return self._loop.is_closed()

    def forget(self) -> None:
        """Back to a new server's state (no mail kept, none to refuse), same port."""
        with self._changed:
            self.mails.clear()
            self.refused = 0
            self.fail_first = 0

    def wait_for(self, count: int, timeout: float = 15.0) -> list[Mail]:
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self.mails) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"expected {count} emails, got {len(self.mails)}")
                self._changed.wait(left)
            return list(self.mails)

    def __enter__(self) -> SmtpServer:
        return self.start()

    def start(self) -> SmtpServer:
        """Listen on a free port of 127.0.0.1 (`port`), in a thread of its own."""
        self._thread.start()

        async def start() -> asyncio.AbstractServer:
            return await self._loop.create_server(
                lambda: SMTP(self, hostname="smtp.test"), "127.0.0.1", 0
            )

        self._server = asyncio.run_coroutine_threadsafe(start(), self._loop).result(10)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop listening (once; a test may stop it early to make the server unreachable)."""
        if self._loop.is_closed():
            return
        server = self._server

        async def stop() -> None:
            if server is not None:
                server.close()
                await server.wait_closed()

        asyncio.run_coroutine_threadsafe(stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()


_worker_server: list[SmtpServer] = []


def worker_smtp() -> SmtpServer:
    """This process's server, emptied for the next test: one port for every test, so their
    settings are equal and they share one application (tests/app_cache.py) instead of making
    one each. A test that stopped it gets a new one."""
    if not _worker_server or _worker_server[0].stopped:
        _worker_server[:] = [SmtpServer().start()]
    server = _worker_server[0]
    server.forget()
    return server


def smtp_settings(server: SmtpServer) -> dict[str, Any]:
    return {
        "smtp_host": "127.0.0.1",
        "smtp_port": server.port,
        "smtp_starttls": False,
        "smtp_from": "plaudit@example.com",
    }
