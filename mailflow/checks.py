"""`mailflow check`: connect as configured and say, step by step, what works and what does not.

Each step is a ``Step`` (ok / warn / fail, what, detail); a failed step carries the exit code of
the error it stands for (errors.py), and the first failure decides the command's exit status.
The SMTP dry run stops before DATA (EHLO, AUTH, MAIL FROM, RCPT TO, RSET): nothing is sent unless
``--send-test ADDRESS`` asks for a real message.

``imap_connect`` (a logged-in IMAPClient, TLS verified) is also what ``mailflow quarantine``
uses to move a message back.
"""

from __future__ import annotations

import datetime as dt
import email.message
import email.utils
import re
import smtplib
import socket
import ssl
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from .config import Config, ImapSettings, Server, SmtpSettings
from .errors import (
    AuthFailure,
    ConfigError,
    MailflowError,
    OurFault,
    PermanentFailure,
    TemporaryFailure,
)

WANTED_CAPS = ("IDLE", "MOVE", "UIDPLUS", "CONDSTORE")
_CAP_WHY = {
    "IDLE": "'mailflow watch' falls back to a full poll every imap.full_poll_every",
    "MOVE": "moves use COPY + EXPUNGE",
    "UIDPLUS": "moves cannot expunge one message only",
    "CONDSTORE": "only an optimisation",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Step:
    status: str  # ok | warn | fail
    what: str
    detail: str
    exit_code: int = 0

    def line(self) -> str:
        return f"  {self.status:<4} {self.what}: {self.detail}"

    def record(self) -> dict[str, object]:
        return {"status": self.status, "what": self.what, "detail": self.detail}


def _fail(what: str, exc: MailflowError) -> Step:
    return Step(status="fail", what=what, detail=str(exc), exit_code=exc.exit_code)


def tls_context(server: Server) -> ssl.SSLContext:
    """Certificate and host name verified: the system's CAs plus ``ca_file`` (as imap.py does)."""
    return server.tls_context()


def _auth_failure(message: str) -> MailflowError:
    """Wrong credentials: AuthFailure (exit 77), the same error the runner would meet."""
    return AuthFailure(message)


def _where(s: Server) -> str:
    return f"{s.host}:{s.port}"


def _secret_source(s: Server) -> str:
    if s.oauth2_token_command:
        return "check oauth2_token_command (it must print a fresh access token)"
    if s.password_env:
        return f"check password_env: ${s.password_env} must hold the password (an app password for Gmail/iCloud/Fastmail)"
    if s.password_command:
        return "check password_command: its first output line must be the password"
    return "check the password in the configuration"


def tls_summary(sock: Any) -> str:
    if not isinstance(sock, ssl.SSLSocket):
        return "no TLS"
    cipher = sock.cipher()
    cert: dict[str, Any] = dict(sock.getpeercert() or {})
    subject = {k: v for rdn in cert.get("subject", ()) for k, v in rdn}
    expires = cert.get("notAfter", "?")
    name = subject.get("commonName") or next((v for k, v in cert.get("subjectAltName", ()) if k == "DNS"), "?")
    return f"{sock.version()} {cipher[0] if cipher else '?'}, certificate ok ({name}, expires {expires})"


def _connect_error(kind: str, s: Server, exc: BaseException) -> MailflowError:
    if isinstance(exc, ssl.SSLCertVerificationError):
        return ConfigError(
            f"{kind.lower()}.ca_file: TLS certificate of {_where(s)} not trusted: {exc.verify_message or exc}"
            " (a private CA needs ca_file; check the host name)"
        )
    if isinstance(exc, ssl.SSLError):
        return PermanentFailure(f"{kind} TLS handshake with {_where(s)} failed: {exc}"
                                " (check security = tls/starttls and the port)")
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return TemporaryFailure(f"{kind} {_where(s)}: no answer within {s.timeout:g}s")
    return TemporaryFailure(f"cannot connect to {kind} {_where(s)}: {exc}")


# --- IMAP ------------------------------------------------------------------------------------------


def imap_open(s: ImapSettings) -> IMAPClient:
    """Connected (TLS verified as configured), not logged in."""
    ctx = tls_context(s)
    try:
        client = IMAPClient(s.host, port=s.port, ssl=s.security == "tls", ssl_context=ctx,
                            timeout=s.timeout)
        if s.security == "starttls":
            client.starttls(ctx)
    except (OSError, IMAPClientError) as exc:
        raise _connect_error("IMAP", s, exc) from exc
    client.normalise_times = False
    return client


def imap_login(client: IMAPClient, s: ImapSettings) -> None:
    secret = s.secret()  # ConfigError when the variable / command is missing
    try:
        if s.oauth2_token_command:
            client.oauth2_login(s.user, secret)
        else:
            client.login(s.user, secret)
    except (LoginError, IMAPClientError) as exc:
        text = _server_text(exc.args[0] if exc.args else exc)
        raise _auth_failure(f"IMAP login failed for {s.user} at {_where(s)}: {text}; {_secret_source(s)}") from exc
    except OSError as exc:
        raise TemporaryFailure(f"IMAP {_where(s)}: connection lost during login: {exc}") from exc


def imap_connect(s: ImapSettings) -> IMAPClient:
    """A logged-in client; the caller logs out."""
    client = imap_open(s)
    try:
        imap_login(client, s)
    except BaseException:
        _close_imap(client)
        raise
    return client


def _close_imap(client: IMAPClient) -> None:
    try:
        client.logout()
    except Exception:  # noqa: BLE001 - best effort on a connection being discarded
        try:
            client.shutdown()
        except Exception:  # noqa: BLE001
            pass


def _server_text(value: object) -> str:
    """A server's reply as text (imapclient hands some over as bytes, or as "b'...'")."""
    text = _decode(value)
    m = re.fullmatch(r"""b(['"])(.*)\1""", text, re.S)
    return m.group(2) if m else text


def _decode(value: object) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def check_imap(s: ImapSettings) -> list[Step]:
    steps: list[Step] = []
    where = f"IMAP {_where(s)} ({s.security})"
    try:
        client = imap_open(s)
    except MailflowError as exc:
        return [_fail(where, exc)]
    try:
        sock = client.socket()
        detail = tls_summary(sock)
        plain = s.security == "plain"
        steps.append(Step(status="warn" if plain and s.host not in ("127.0.0.1", "localhost", "::1") else "ok",
                          what=where, detail="connected, " + (
                              "no TLS: the password crosses the network in clear" if plain else detail)))
        try:
            imap_login(client, s)
        except MailflowError as exc:
            steps.append(_fail("IMAP login", exc))
            return steps
        how = "OAuth2 (XOAUTH2)" if s.oauth2_token_command else "password"
        steps.append(Step(status="ok", what="IMAP login", detail=f"{s.user} by {how}"))
        caps = {_decode(c).upper() for c in client.capabilities()}
        for cap in WANTED_CAPS:
            if cap in caps:
                steps.append(Step(status="ok", what=f"capability {cap}", detail="yes"))
            else:
                steps.append(Step(status="warn", what=f"capability {cap}", detail=f"missing: {_CAP_WHY[cap]}"))
        steps.extend(_check_folders(client, s))
    except (OSError, IMAPClientError) as exc:
        steps.append(_fail("IMAP", TemporaryFailure(f"{_where(s)}: {exc}")))
    finally:
        _close_imap(client)
    return steps


def _check_folders(client: IMAPClient, s: ImapSettings) -> list[Step]:
    steps: list[Step] = []
    if not client.folder_exists(s.folder):
        steps.append(_fail(f"folder {s.folder}", ConfigError(
            f"imap.folder: {s.folder!r} does not exist on {s.host}")))
    else:
        # read-write SELECT shows PERMANENTFLAGS (EXAMINE reports none); UNSELECT leaves without
        # the expunge CLOSE would do, so without UNSELECT we only EXAMINE
        can_unselect = client.has_capability("UNSELECT")
        info = client.select_folder(s.folder, readonly=not can_unselect)
        total = int(info.get(b"EXISTS", 0))
        waiting = len(client.search(["NOT", "KEYWORD", s.handled_flag])) if total else 0
        steps.append(Step(status="ok", what=f"folder {s.folder}",
                          detail=f"{total} message(s), {waiting} without {s.handled_flag}"))
        if can_unselect and not s.handled_folder:
            flags = {_decode(f) for f in info.get(b"PERMANENTFLAGS", ())}
            if "\\*" in flags or s.handled_flag in flags:
                steps.append(Step(status="ok", what="handled flag", detail=f"{s.handled_flag} can be stored"))
            else:
                steps.append(_fail("handled flag", ConfigError(
                    f"imap.handled_flag: {s.folder} cannot store the keyword {s.handled_flag}; "
                    "set imap.handled_folder to move handled mail instead")))
        if can_unselect:
            client.unselect_folder()
        else:
            client.close_folder()  # after EXAMINE: read-only, nothing is expunged
    others = [("quarantine_folder", s.quarantine_folder, "will be created when first needed"),
              ("sent_folder", s.sent_folder, "interrupted sends cannot be confirmed there"),
              ("handled_folder", s.handled_folder, "will be created when first needed")]
    for key, name, why in others:
        if not name:
            continue
        if client.folder_exists(name):
            steps.append(Step(status="ok", what=f"folder {name}", detail=f"exists ({key})"))
        else:
            steps.append(Step(status="warn", what=f"folder {name}", detail=f"missing ({key}): {why}"))
    return steps


# --- SMTP ------------------------------------------------------------------------------------------


def smtp_open(s: SmtpSettings) -> smtplib.SMTP:
    ctx = tls_context(s)
    try:
        if s.security == "tls":
            conn: smtplib.SMTP = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=ctx)
        else:
            conn = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        conn.ehlo()
        if s.security == "starttls":
            if not conn.has_extn("starttls"):
                conn.close()
                raise PermanentFailure(f"SMTP {_where(s)} does not offer STARTTLS (security = starttls)")
            conn.starttls(context=ctx)
            conn.ehlo()
    except (OSError, smtplib.SMTPException) as exc:
        raise _connect_error("SMTP", s, exc) from exc
    return conn


def smtp_login(conn: smtplib.SMTP, s: SmtpSettings) -> str:
    """Log in if the server offers AUTH; returns how."""
    if not conn.has_extn("auth"):
        return "server offers no AUTH: sending unauthenticated"
    secret = s.secret()
    try:
        if s.oauth2_token_command:
            conn.auth("XOAUTH2", lambda challenge=None: f"user={s.user}\1auth=Bearer {secret}\1\1")
            return f"{s.user} by OAuth2 (XOAUTH2)"
        conn.login(s.user, secret)
        return f"{s.user} by password"
    except smtplib.SMTPAuthenticationError as exc:
        text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else exc.smtp_error
        raise _auth_failure(f"SMTP login failed for {s.user} at {_where(s)}: {exc.smtp_code} {text}; "
                            f"{_secret_source(s)}") from exc
    except smtplib.SMTPException as exc:
        raise _auth_failure(f"SMTP login failed for {s.user} at {_where(s)}: {exc}; {_secret_source(s)}") from exc


def check_smtp(s: SmtpSettings, *, sender: str, rcpt: str) -> list[Step]:
    steps: list[Step] = []
    where = f"SMTP {_where(s)} ({s.security})"
    try:
        conn = smtp_open(s)
    except MailflowError as exc:
        return [_fail(where, exc)]
    try:
        plain = s.security == "plain"
        detail = "no TLS" if plain else tls_summary(conn.sock)
        steps.append(Step(status="ok", what=where, detail=f"connected, {detail}"))
        try:
            how = smtp_login(conn, s)
        except MailflowError as exc:
            steps.append(_fail("SMTP login", exc))
            return steps
        steps.append(Step(status="warn" if "no AUTH" in how else "ok", what="SMTP login", detail=how))
        size = conn.esmtp_features.get("size", "")
        feats = ", ".join(f for f in ("8bitmime", "smtputf8", "pipelining") if conn.has_extn(f))
        steps.append(Step(status="ok", what="SMTP extensions",
                          detail=(feats or "none") + (f", size limit {size}" if size else "")))
        code, reply = conn.mail(sender)
        if code >= 400:
            steps.append(_fail("SMTP dry run", PermanentFailure(
                f"MAIL FROM:<{sender}> refused: {code} {_decode(reply)}")))
            return steps
        code, reply = conn.rcpt(rcpt)
        conn.rset()
        if code >= 400:
            steps.append(_fail("SMTP dry run", PermanentFailure(
                f"RCPT TO:<{rcpt}> refused: {code} {_decode(reply)}")))
            return steps
        steps.append(Step(status="ok", what="SMTP dry run",
                          detail=f"MAIL FROM:<{sender}> and RCPT TO:<{rcpt}> accepted, then RSET (nothing sent)"))
    except (OSError, smtplib.SMTPException) as exc:
        steps.append(_fail("SMTP", TemporaryFailure(f"{_where(s)}: {exc}")))
    finally:
        try:
            conn.quit()
        except (OSError, smtplib.SMTPException):
            conn.close()
    return steps


def test_message(sender: str, name: str, to: str, now: dt.datetime) -> tuple[str, bytes]:
    msg = email.message.EmailMessage()
    msg["From"] = email.utils.formataddr((name, sender))
    msg["To"] = to
    msg["Subject"] = "mailflow check: test message"
    msg["Date"] = email.utils.format_datetime(now)
    mid = email.utils.make_msgid("check", domain=sender.rsplit("@", 1)[-1])
    msg["Message-ID"] = mid
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content("This is a test message sent by 'mailflow check --send-test'.\n"
                    "If you can read it, mailflow can send mail.\n")
    return mid, msg.as_bytes()


def send_test(config: Config, to: str, now: dt.datetime) -> Step:
    """A real message through the same sending code the runner uses."""
    assert config.smtp is not None
    from . import smtp as smtp_mod
    from .model import Draft

    mid, data = test_message(config.address, config.name, to, now)
    draft = Draft(dedupe_key=f"check:{uuid.uuid4()}", message_id=mid, sender=config.address,
                  recipients=(to,), subject="mailflow check: test message", data=data)
    try:
        results = smtp_mod.send_drafts([draft], config.smtp)
    except MailflowError as exc:
        return _fail("SMTP test message", exc)
    res = results[0] if results else None
    if res is not None and res.status == "sent":
        return Step(status="ok", what="SMTP test message", detail=f"sent {mid} to {to}")
    detail = f"{res.status}: {res.detail}" if res is not None else "not attempted"
    return _fail("SMTP test message", PermanentFailure(f"test message to {to} not sent: {detail}"))


# --- the whole check -------------------------------------------------------------------------------


def run_check(config: Config, *, send_to: str | None = None,
              clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)) -> dict[str, list[Step]]:
    sections: dict[str, list[Step]] = {}
    if config.imap is None and config.smtp is None:
        raise OurFault("nothing to check: the configuration has no [imap] or [smtp] section")
    if config.imap is not None:
        sections["imap"] = check_imap(config.imap)
    else:
        sections["imap"] = [Step(status="warn", what="IMAP", detail="no [imap] section: nothing will be read")]
    if config.smtp is not None:
        rcpt = send_to or config.owner or config.address
        steps = check_smtp(config.smtp, sender=config.address, rcpt=rcpt)
        if send_to and not any(st.status == "fail" for st in steps):
            steps.append(send_test(config, send_to, clock()))
        sections["smtp"] = steps
    else:
        sections["smtp"] = [Step(status="warn", what="SMTP", detail="no [smtp] section: nothing will be sent")]
    return sections


def exit_code(sections: dict[str, list[Step]]) -> int:
    for steps in sections.values():
        for st in steps:
            if st.status == "fail":
                return st.exit_code or 1
    return 0
