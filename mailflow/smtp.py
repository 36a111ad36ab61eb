"""The SMTP side of the shell: send rendered drafts over one reused connection (aiosmtplib).

Rules: every step has a timeout (settings.timeout); the envelope is explicit (Draft.sender,
Draft.recipients), never taken from headers. Each draft ends in exactly one `SendResult`:

    sent        2xx after the final dot (some recipients may have been refused: see detail)
    temporary   4xx, refused/failed connections, timeouts or drops before the final dot was sent
    permanent   5xx
    ambiguous   the connection was lost, or the reply timed out, after the final dot: the server
                may have accepted it — look in the Sent folder before sending again

Credentials that do not work are not a per-draft outcome: they raise `AuthFailure` (an
OurFault: fix the configuration); an untrusted certificate raises ConfigError. The shell is
synchronous: `send_drafts` and `check_smtp` run their own event loop.
"""

from __future__ import annotations

import asyncio
import re
import ssl
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, cast

import aiosmtplib
from aiosmtplib import (
    SMTPAuthenticationError,
    SMTPException,
    SMTPResponseException,
    SMTPServerDisconnected,
    SMTPTimeoutError,
)

from .config import SmtpSettings
from .errors import AuthFailure, ConfigError
from .model import Draft

Status = Literal["sent", "temporary", "permanent", "ambiguous"]


@dataclass(frozen=True, slots=True, kw_only=True)
class SendResult:
    dedupe_key: str
    message_id: str
    status: Status
    detail: str


# --- sync entry points ---------------------------------------------------------------------------


def send_drafts(drafts: Sequence[Draft], settings: SmtpSettings) -> list[SendResult]:
    """Send each draft; one result per draft, in order (see the module docstring)."""
    if not drafts:
        return []
    return asyncio.run(send_drafts_async(drafts, settings))


def check_smtp(settings: SmtpSettings, *, ehlo_name: str | None = None) -> dict[str, Any]:
    """Connect, EHLO, secure and log in without sending; what `mailflow check` shows.

    Returns {"server", "security", "banner", "tls" (version/cipher or None), "extensions",
    "auth_methods", "auth" ("ok" | "skipped")}. Raises AuthFailure, ConfigError or
    TemporaryFailure/PermanentFailure like sending would."""
    return asyncio.run(check_smtp_async(settings, ehlo_name=ehlo_name))


# --- async implementation -----------------------------------------------------------------------


class _Failed(Exception):
    """One draft's outcome when it is not 'sent' (internal)."""

    def __init__(self, status: Status, detail: str) -> None:
        super().__init__(detail)
        self.status: Status = status
        self.detail = detail


def _where(s: SmtpSettings) -> str:
    return f"{s.host}:{s.port}"


def _ehlo_name(address: str | None) -> str:
    domain = address.rsplit("@", 1)[-1].strip().lower() if address and "@" in address else ""
    return domain if re.fullmatch(r"[a-z0-9.\-]+\.[a-z0-9\-]+", domain) else "localhost"


def _cert_error(exc: BaseException) -> ssl.SSLCertVerificationError | None:
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        if isinstance(cur, ssl.SSLCertVerificationError):
            return cur
        seen.add(id(cur))
        cur = cur.__cause__ or cur.__context__
    return None


def _status_of(code: int) -> Status:
    return "permanent" if 500 <= code < 600 else "temporary"


def _response(exc: SMTPResponseException) -> str:
    return f"{exc.code} {exc.message}".strip()


class _Session:
    """One SMTP connection: connect (and secure, and log in) lazily; reconnect after a drop."""

    def __init__(self, settings: SmtpSettings, ehlo_name: str) -> None:
        self.s = settings
        self.ehlo_name = ehlo_name
        self.client: aiosmtplib.SMTP | None = None
        self.banner = ""
        self.auth = "skipped"
        self.connect_failed = False  # the last open() failed: the server is unreachable
        self._closing: list[asyncio.WriteTransport] = []
        self.transactions = 0  # transactions started on the current connection

    async def open(self) -> aiosmtplib.SMTP:
        if self.client is not None and self.client.is_connected:
            return self.client
        await self.close()
        self.connect_failed = True
        s = self.s
        ctx = s.tls_context() if s.security in ("tls", "starttls") else None
        client = aiosmtplib.SMTP(
            hostname=s.host,
            port=s.port,
            local_hostname=self.ehlo_name,
            timeout=s.timeout,
            use_tls=s.security == "tls",
            start_tls=False,
            tls_context=ctx,
        )
        try:
            greeting = await client.connect()
            self._track(client)
            self.banner = greeting.message
            await client.ehlo()
            if s.security == "starttls":
                if not client.supports_extension("starttls"):
                    raise ConfigError(
                        f"smtp.security: {_where(s)} does not offer STARTTLS; use 'tls' or 'plain'"
                    )
                await client.starttls(tls_context=ctx)
                self._track(client)
                await client.ehlo()
            await self._login(client)
        except (ConfigError, AuthFailure, _Failed):
            client.close()
            raise
        except (TimeoutError, SMTPException, OSError) as exc:
            client.close()
            cert = _cert_error(exc)
            if cert is not None:
                raise ConfigError(
                    f"smtp.ca_file: TLS certificate of {_where(s)} not trusted "
                    f"({cert.verify_message}); set smtp.ca_file to the CA bundle that signed it"
                ) from exc
            if isinstance(exc, SMTPResponseException):
                raise _Failed(_status_of(exc.code), f"{_where(s)}: {_response(exc)}") from exc
            raise _Failed("temporary", f"{_where(s)}: cannot connect: {exc}") from exc
        self.client = client
        self.connect_failed = False
        self.transactions = 0
        return client

    async def _login(self, client: aiosmtplib.SMTP) -> None:
        s = self.s
        if not s.user:
            return
        secret = s.secret()
        try:
            if s.oauth2_token_command:
                await client.auth_xoauth2(s.user, secret)
            else:
                if not client.supports_extension("auth"):
                    raise AuthFailure(
                        f"SMTP login failed for {s.user} at {_where(s)}: the server offers no AUTH "
                        "(over this connection); check smtp.security or leave smtp.user empty"
                    )
                await client.login(s.user, secret)
            self.auth = "ok"
        except SMTPAuthenticationError as exc:
            if 400 <= exc.code < 500 and exc.code != 432:  # 432: a password change is needed
                raise _Failed("temporary", f"{_where(s)}: AUTH: {_response(exc)}") from exc
            raise AuthFailure(f"SMTP login failed for {s.user} at {_where(s)}: {_response(exc)}") from exc
        except SMTPException as exc:
            if isinstance(exc, (SMTPServerDisconnected, SMTPTimeoutError)):
                raise
            raise AuthFailure(f"SMTP login failed for {s.user} at {_where(s)}: {exc}") from exc

    async def close(self) -> None:
        """QUIT politely (bounded), then make sure every socket we opened is really closed."""
        client, self.client = self.client, None
        if client is not None:
            transport = cast(asyncio.WriteTransport | None, client.transport)  # quit() forgets it
            if client.is_connected:
                try:
                    await asyncio.wait_for(client.quit(), timeout=min(self.s.timeout, 5.0))
                except (TimeoutError, SMTPException, OSError):
                    pass
            self._dispose(client)
            if transport is not None and transport not in self._closing:
                self._closing.append(transport)
        closing, self._closing = self._closing, []
        for transport in closing:
            transport.abort()
        for _ in range(3):  # let the loop run the connection_lost callbacks before it ends
            await asyncio.sleep(0)

    def _track(self, client: aiosmtplib.SMTP) -> None:
        """Remember each transport: aiosmtplib forgets them when it closes a connection itself,
        and a TLS transport still shutting down when the loop ends would leak its socket."""
        transport = cast(asyncio.WriteTransport | None, client.transport)
        if transport is not None and transport not in self._closing:
            self._closing.append(transport)

    def _dispose(self, client: aiosmtplib.SMTP) -> None:
        self._track(client)
        client.close()

    def drop(self) -> None:
        client, self.client = self.client, None
        if client is not None:
            self._dispose(client)

    async def _begin(self, draft: Draft) -> tuple[aiosmtplib.SMTP, str]:
        """Connect if needed and send MAIL FROM; returns the client and the address encoding.

        A reused connection that turns out to be dead (the server dropped it while we were
        idle, or says 421) is replaced once: nothing of this draft has been sent yet."""
        s = self.s
        for attempt in (1, 2):
            client = await self.open()
            fresh = self.transactions == 0
            mail_options: list[str] = []
            if not draft.data.isascii() and client.supports_extension("8bitmime"):
                mail_options.append("BODY=8BITMIME")
            if not all(a.isascii() for a in (draft.sender, *draft.recipients)):
                if not client.supports_extension("smtputf8"):
                    raise _Failed("permanent", f"{_where(s)}: non-ASCII address and no SMTPUTF8")
                mail_options.append("SMTPUTF8")
            encoding = "utf-8" if "SMTPUTF8" in mail_options else "ascii"
            self.transactions += 1
            try:
                await client.mail(draft.sender, options=mail_options, encoding=encoding)
                return client, encoding
            except SMTPServerDisconnected as exc:
                self.drop()
                if fresh or attempt == 2:
                    raise _Failed("temporary", f"{_where(s)}: connection lost at MAIL FROM (before DATA)") from exc
            except SMTPResponseException as exc:
                if exc.code == 421 and not fresh and attempt == 1:
                    self.drop()
                    continue
                await self._reset()
                raise _Failed(_status_of(exc.code), _response(exc)) from exc
            except (SMTPTimeoutError, OSError) as exc:
                self.drop()
                raise _Failed("temporary", f"{_where(s)}: {type(exc).__name__}: {exc} (before DATA)") from exc
        raise _Failed("temporary", f"{_where(s)}: could not start a transaction")

    async def send(self, draft: Draft) -> str:
        """One transaction; returns the detail of a 'sent' result, raises _Failed otherwise."""
        client, encoding = await self._begin(draft)
        s = self.s
        try:
            refused: dict[str, str] = {}
            temp_refusal = False
            for rcpt in draft.recipients:
                try:
                    await client.rcpt(rcpt, encoding=encoding)
                except aiosmtplib.SMTPRecipientRefused as exc:
                    refused[rcpt] = _response(exc)
                    temp_refusal = temp_refusal or 400 <= exc.code < 500
            if len(refused) == len(draft.recipients):
                await self._reset()
                detail = "; ".join(f"{r}: {why}" for r, why in refused.items()) or "no recipients"
                raise _Failed("temporary" if temp_refusal else "permanent", f"all recipients refused: {detail}")
            start = await client.execute_command(b"DATA")
            if start.code != 354:
                await self._reset()
                raise _Failed(_status_of(start.code), f"DATA: {start.code} {start.message}")
        except SMTPResponseException as exc:
            await self._reset()
            raise _Failed(_status_of(exc.code), _response(exc)) from exc
        except (SMTPServerDisconnected, SMTPTimeoutError, OSError) as exc:
            self.drop()
            raise _Failed("temporary", f"{_where(s)}: {type(exc).__name__}: {exc} (before DATA)") from exc
        # the body and the final dot: from here a lost reply leaves the outcome unknown
        protocol = client.protocol
        if protocol is None:
            self.drop()
            raise _Failed("temporary", f"{_where(s)}: connection lost before the message was sent")
        try:
            protocol.write(_dot_stuffed(draft.data))
            await self._flushed(client)
        except (SMTPServerDisconnected, SMTPTimeoutError, OSError) as exc:
            self.drop()
            raise _Failed("temporary", f"{_where(s)}: message not fully sent: {exc}") from exc
        try:
            reply = await protocol.read_response(timeout=s.timeout)
        except (SMTPServerDisconnected, SMTPTimeoutError, OSError) as exc:
            self.drop()
            raise _Failed(
                "ambiguous", f"{_where(s)}: no reply after the final dot ({type(exc).__name__}: {exc})"
            ) from exc
        except SMTPResponseException as exc:  # malformed reply
            self.drop()
            raise _Failed("ambiguous", f"{_where(s)}: unreadable reply after the final dot: {exc}") from exc
        if 200 <= reply.code < 300:
            if refused:
                return "sent, but refused for " + "; ".join(f"{r}: {why}" for r, why in refused.items())
            return f"{reply.code} {reply.message}".strip()
        if reply.code == 421:
            self.drop()
        raise _Failed(_status_of(reply.code), f"{reply.code} {reply.message}".strip())

    async def _flushed(self, client: aiosmtplib.SMTP) -> None:
        """Wait until the transport has handed everything to the kernel (the final dot is out).

        The deadline moves while bytes keep draining, so big messages on slow links are fine."""
        transport = cast(asyncio.WriteTransport | None, client.transport)
        if transport is None:
            raise SMTPServerDisconnected("connection lost while sending")
        last = transport.get_write_buffer_size()
        deadline = time.monotonic() + self.s.timeout
        while last:
            if transport.is_closing():
                raise SMTPServerDisconnected("connection lost while sending")
            if time.monotonic() > deadline:
                raise SMTPTimeoutError("timed out sending the message")
            await asyncio.sleep(0.01)
            size = transport.get_write_buffer_size()
            if size < last:
                deadline = time.monotonic() + self.s.timeout
            last = size

    async def _reset(self) -> None:
        client = self.client
        if client is None or not client.is_connected:
            self.drop()
            return
        try:
            await client.rset()
        except (SMTPException, OSError):
            self.drop()


def _dot_stuffed(data: bytes) -> bytes:
    """CRLF line ends, leading dots doubled, the terminating dot line appended (RFC 5321 4.5.2)."""
    data = re.sub(rb"\r\n|\r|\n", b"\r\n", data)
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    return re.sub(rb"(?m)^\.", b"..", data) + b".\r\n"


async def send_drafts_async(drafts: Sequence[Draft], settings: SmtpSettings) -> list[SendResult]:
    session = _Session(settings, _ehlo_name(drafts[0].sender if drafts else settings.user))
    results: list[SendResult] = []
    connect_failure: _Failed | None = None
    try:
        for draft in drafts:
            if connect_failure is not None:  # the server is unreachable: do not hammer it
                results.append(_result(draft, connect_failure.status, connect_failure.detail))
                continue
            try:
                detail = await session.send(draft)
                results.append(_result(draft, "sent", detail))
            except _Failed as failure:
                results.append(_result(draft, failure.status, failure.detail))
                if session.connect_failed:
                    connect_failure = failure
    finally:
        await session.close()
    return results


def _result(draft: Draft, status: Status, detail: str) -> SendResult:
    return SendResult(dedupe_key=draft.dedupe_key, message_id=draft.message_id, status=status, detail=detail)


async def check_smtp_async(settings: SmtpSettings, *, ehlo_name: str | None = None) -> dict[str, Any]:
    from .errors import PermanentFailure, TemporaryFailure

    session = _Session(settings, ehlo_name or _ehlo_name(settings.user))
    try:
        try:
            client = await session.open()
        except _Failed as failure:
            cls = PermanentFailure if failure.status == "permanent" else TemporaryFailure
            raise cls(f"SMTP {failure.detail}") from failure
        cipher = client.get_transport_info("cipher")
        ssl_object = client.get_transport_info("ssl_object")
        extensions = sorted(client.esmtp_extensions)
        return {
            "server": _where(settings),
            "security": settings.security,
            "banner": session.banner,
            "tls": {
                "version": ssl_object.version() if ssl_object is not None else None,
                "cipher": cipher[0] if cipher else None,
            }
            if ssl_object is not None
            else None,
            "extensions": extensions,
            "auth_methods": sorted(m.upper() for m in client.server_auth_methods),
            "auth": session.auth,
        }
    finally:
        await session.close()
