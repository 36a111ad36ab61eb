"""Real mail servers for the tests: a private Dovecot (IMAP), an aiosmtpd SMTP server that
delivers into Dovecot's Maildirs, and a TCP proxy that can cut connections on demand.

Rules: loopback only; every wait has a deadline; every socket has a timeout; each server owns a
temporary directory that is removed at teardown. Nothing here is mocked: the tests talk to the
same protocols a real deployment would.

    dovecot = Dovecot.start()              # one per test session (see conftest.py)
    user = dovecot.new_user()              # fresh login + empty INBOX, per test
    smtp = SmtpServers.start(dovecot)      # plain, STARTTLS and implicit-TLS listeners
    smtp.script(["451", "ok"])             # the next two DATA replies
    proxy = Proxy(dovecot.port)            # proxy.drop(), proxy.drop_after(n)
"""

from __future__ import annotations

import asyncio
import atexit
import base64
import contextlib
import email
import email.message
import email.policy
import grp
import itertools
import logging
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import trustme
from imapclient import IMAPClient

HOST = "127.0.0.1"
DOMAIN = "example.test"
# Dovecot refuses uid 0 for mail: as root, mail belongs to nobody:nogroup; as anyone else, to
# that user (Dovecot then runs every process as that user; untested in CI, which runs as root)
MAIL_OWNER = "nobody" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
MAIL_GROUP = "nogroup" if os.geteuid() == 0 else grp.getgrgid(os.getegid()).gr_name
START_DEADLINE = 15.0


class ServerStartError(RuntimeError):
    pass


def find_dovecot() -> str | None:
    """The dovecot binary: $MAILFLOW_DOVECOT if set, else PATH, else /usr/sbin (Debian)."""
    explicit = os.environ.get("MAILFLOW_DOVECOT")
    if explicit:
        return explicit if os.access(explicit, os.X_OK) else None
    return shutil.which("dovecot") or shutil.which("dovecot", path="/usr/sbin:/usr/local/sbin:/sbin")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def wait_for_greeting(port: int, prefix: bytes, deadline: float, *, tls_ca: str | None = None) -> None:
    """Connect until the server greets with `prefix` or the deadline (monotonic) passes."""
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            with contextlib.ExitStack() as stack:
                sock: socket.socket = stack.enter_context(socket.create_connection((HOST, port), timeout=1.0))
                sock.settimeout(2.0)
                if tls_ca:
                    ctx = ssl.create_default_context(cafile=tls_ca)
                    sock = stack.enter_context(ctx.wrap_socket(sock, server_hostname="localhost"))
                greeting = sock.recv(200)
                if greeting.startswith(prefix):
                    return
                last = ServerStartError(f"unexpected greeting {greeting!r}")
        except OSError as exc:
            last = exc
        time.sleep(0.05)
    raise ServerStartError(f"port {port} did not greet with {prefix!r} in time: {last}")


def _ids() -> tuple[int, int]:
    return pwd.getpwnam(MAIL_OWNER).pw_uid, grp.getgrnam(MAIL_GROUP).gr_gid


def _chown(path: Path) -> None:
    if os.geteuid() == 0:
        uid, gid = _ids()
        os.chown(path, uid, gid)


# --- TLS ---------------------------------------------------------------------------------------


@dataclass
class Certs:
    """A throw-away CA and a server certificate for localhost / 127.0.0.1."""

    ca: trustme.CA
    cert_file: Path  # server chain (PEM)
    key_file: Path
    ca_file: Path

    @classmethod
    def create(cls, directory: Path) -> Certs:
        ca = trustme.CA()
        server = ca.issue_cert("localhost", "127.0.0.1")
        cert_file, key_file, ca_file = directory / "cert.pem", directory / "key.pem", directory / "ca.pem"
        server.cert_chain_pems[0].write_to_path(str(cert_file))
        for blob in server.cert_chain_pems[1:]:
            with cert_file.open("ab") as f:
                f.write(blob.bytes())
        server.private_key_pem.write_to_path(str(key_file))
        ca.cert_pem.write_to_path(str(ca_file))
        for p in (cert_file, key_file, ca_file):
            p.chmod(0o644)
        return cls(ca=ca, cert_file=cert_file, key_file=key_file, ca_file=ca_file)

    def server_context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(str(self.cert_file), str(self.key_file))
        return ctx

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.ca_file))


# --- Dovecot -------------------------------------------------------------------------------------

_CONFIG = """\
# written by tests/servers.py
base_dir = {root}/run
state_dir = {root}/state
instance_name = mailflow-test-{tag}
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
protocols = imap
listen = {host}
ssl = yes
ssl_cert = <{cert}
ssl_key = <{key}
{ssl_dh}
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = no
auth_mechanisms = plain login xoauth2 oauthbearer
auth_failure_delay = 0 secs
auth_cache_size = 0
default_login_user = {login_user}
default_internal_user = {internal_user}
first_valid_uid = 1
first_valid_gid = 1
mail_uid = {mail_uid}
mail_gid = {mail_gid}
mail_location = maildir:~/Maildir
mailbox_idle_check_interval = 1 secs
protocol imap {{
  mail_max_userip_connections = 200
}}
namespace inbox {{
  inbox = yes
  separator = /
}}
service anvil {{
  # no one may connect: disables the auth penalty (a 2-15 s delay after each failed login)
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = {host}
    port = {port}
  }}
  inet_listener imaps {{
    address = {host}
    port = {tls_port}
    ssl = yes
  }}
}}
passdb {{
  driver = passwd-file
  mechanisms = plain login
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
passdb {{
  driver = passwd-file
  mechanisms = xoauth2 oauthbearer
  args = scheme=PLAIN username_format=%u {root}/tokens
}}
userdb {{
  driver = static
  args = uid={mail_uid} gid={mail_gid} home={root}/mail/%u
}}
"""


@dataclass(frozen=True)
class StoredMessage:
    uid: int
    flags: tuple[str, ...]
    data: bytes

    @property
    def email(self) -> email.message.EmailMessage:
        msg = email.message_from_bytes(self.data, policy=email.policy.default)
        assert isinstance(msg, email.message.EmailMessage)
        return msg


@dataclass(frozen=True)
class MailUser:
    """A Dovecot login (its name is also its e-mail address) bound to the server it lives on."""

    address: str
    password: str
    token: str  # accepted by XOAUTH2 / OAUTHBEARER (IMAP) and XOAUTH2 (SMTP)
    server: Dovecot = field(repr=False, compare=False)

    @property
    def user(self) -> str:
        return self.address

    def client(self, *, tls: bool = False, timeout: float = 10.0) -> IMAPClient:
        return self.server.imap_client(self.address, self.password, tls=tls, timeout=timeout)

    def append(self, data: bytes, folder: str = "INBOX", flags: Sequence[str] = ()) -> int:
        return self.server.append(self.address, self.password, data, folder=folder, flags=flags)

    def messages(self, folder: str = "INBOX") -> list[StoredMessage]:
        return self.server.messages(self.address, self.password, folder)

    def wait_for_messages(self, count: int, folder: str = "INBOX", timeout: float = 10.0) -> list[StoredMessage]:
        return self.server.wait_for_messages(self.address, self.password, count, folder, timeout)

    def folders(self) -> list[str]:
        return self.server.folders(self.address, self.password)


class Dovecot:
    """A private Dovecot instance in a temporary directory; `stop()` removes everything."""

    host = HOST

    def __init__(self, root: Path, certs: Certs) -> None:
        self.root = root
        self.certs = certs
        self.port = 0
        self.tls_port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self.users: dict[str, MailUser] = {}
        self._lock = threading.Lock()
        self._counter = itertools.count(1)
        self._pool: list[MailUser] = []

    # -- paths --------------------------------------------------------------------------------
    @property
    def ca_file(self) -> str:
        return str(self.certs.ca_file)

    @property
    def maildir_root(self) -> Path:
        return self.root / "mail"

    @property
    def log_path(self) -> Path:
        return self.root / "dovecot.log"

    @property
    def config_path(self) -> Path:
        return self.root / "dovecot.conf"

    def maildir(self, user: str) -> Path:
        return self.maildir_root / user.lower() / "Maildir"

    # -- life cycle -----------------------------------------------------------------------------
    @classmethod
    def start(cls, binary: str | None = None, *, attempts: int = 3) -> Dovecot:
        binary = binary or find_dovecot()
        if not binary:
            raise ServerStartError("dovecot is not installed (apt-get install dovecot-imapd)")
        root = Path(tempfile.mkdtemp(prefix="mailflow-dovecot-"))
        root.chmod(0o755)  # the mail user (nobody) must traverse it
        server = cls(root, Certs.create(root))
        error: Exception | None = None
        for _ in range(attempts):  # a free port may be taken between probe and bind: retry
            try:
                server._fill_pool(300)  # before the first login: Dovecot reads them at once
                server._launch(binary)
                atexit.register(server.stop)  # even if the test session dies uncleanly
                return server
            except ServerStartError as exc:
                error = exc
                server._kill()
        tail = server.log_tail()
        server.stop()
        raise ServerStartError(f"{error}\n--- dovecot.log ---\n{tail}")

    def _launch(self, binary: str) -> None:
        self.port, self.tls_port = free_port(), free_port()
        for sub in ("run", "state"):
            (self.root / sub).mkdir(exist_ok=True)
        self.maildir_root.mkdir(exist_ok=True)
        _chown(self.maildir_root)
        for name in ("passwd", "tokens"):
            path = self.root / name
            if not path.exists():
                path.write_text("")
            path.chmod(0o644)

        def account(name: str, fallback: str) -> str:
            if os.geteuid() != 0:
                return MAIL_OWNER
            try:
                pwd.getpwnam(name)
                return name
            except KeyError:
                return fallback

        dh = Path("/usr/share/dovecot/dh.pem")
        self.config_path.write_text(
            _CONFIG.format(
                root=self.root,
                tag=self.root.name,
                host=HOST,
                port=self.port,
                tls_port=self.tls_port,
                cert=self.certs.cert_file,
                key=self.certs.key_file,
                ssl_dh=f"ssl_dh = <{dh}" if dh.exists() else "",
                login_user=account("dovenull", MAIL_OWNER),
                internal_user=account("dovecot", MAIL_OWNER),
                mail_uid=MAIL_OWNER,
                mail_gid=MAIL_GROUP,
            )
        )
        with (self.root / "dovecot.out").open("ab") as out:
            self.process = subprocess.Popen(  # noqa: S603 - our own binary and config
                [binary, "-c", str(self.config_path), "-F"],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + START_DEADLINE
        try:
            wait_for_greeting(self.port, b"* OK", deadline)
            wait_for_greeting(self.tls_port, b"* OK", deadline, tls_ca=self.ca_file)
        except ServerStartError as exc:
            if self.process.poll() is not None:
                raise ServerStartError(f"dovecot exited with {self.process.returncode}: {exc}") from exc
            raise

    def _kill(self) -> None:
        proc, self.process = self.process, None
        if proc is None:
            return
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait(timeout=10)

    def stop(self) -> None:
        self._kill()
        shutil.rmtree(self.root, ignore_errors=True)

    def log_tail(self, lines: int = 40) -> str:
        parts = []
        for name in ("dovecot.log", "dovecot.out"):
            path = self.root / name
            if path.exists():
                text = path.read_text(errors="replace").splitlines()[-lines:]
                parts.append("\n".join(text))
        return "\n".join(parts)

    # -- users ------------------------------------------------------------------------------------
    def add_user(self, name: str, password: str, token: str | None = None) -> MailUser:
        """Create (or replace) a login and wait (bounded) until Dovecot accepts it.

        Dovecot re-reads the passwd-file when it changes, but looks at it at most once a second,
        so a brand-new name can take up to a second to become valid."""
        user = self._register([(name, password, token)])[0]
        self._wait_until_valid(user)
        return user

    def new_user(self, prefix: str = "user") -> MailUser:
        """A fresh user with a unique address, its own password and an empty INBOX.

        Users come from a pool written in advance, so this is instant."""
        with self._lock:
            if self._pool:
                user = self._pool.pop()
                if prefix == "user":
                    return user
                self._pool.append(user)
        if prefix != "user":
            return self.add_user(self._fresh_name(prefix), f"pw-{secrets.token_hex(6)}")
        batch = self._register([(self._fresh_name("user"), f"pw-{secrets.token_hex(6)}", None) for _ in range(200)])
        self._wait_until_valid(batch[-1])
        with self._lock:
            self._pool.extend(batch[:-1])
        return batch[-1]

    def _fresh_name(self, prefix: str) -> str:
        return f"{prefix}{next(self._counter)}-{secrets.token_hex(3)}@{DOMAIN}"

    def _fill_pool(self, count: int) -> None:
        batch = self._register([(self._fresh_name("user"), f"pw-{secrets.token_hex(6)}", None) for _ in range(count)])
        with self._lock:
            self._pool.extend(reversed(batch))

    def _register(self, entries: Sequence[tuple[str, str, str | None]]) -> list[MailUser]:
        made = []
        with self._lock:
            for name, password, token in entries:
                name = name.lower()
                if not re.fullmatch(r"[a-z0-9._+\-]+(@[a-z0-9.\-]+)?", name) or ":" in password:
                    raise ValueError(f"unsupported test user name or password: {name!r}")
                user = MailUser(address=name, password=password, token=token or f"tok-{secrets.token_hex(8)}", server=self)
                self.users[name] = user
                made.append(user)
            self._write_table("passwd", {u.address: u.password for u in self.users.values()})
            self._write_table("tokens", {u.address: u.token for u in self.users.values()})
        return made

    def _wait_until_valid(self, user: MailUser, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                _safe_logout(self.imap_client(user.address, user.password, timeout=5))
                return
            except Exception as exc:  # noqa: BLE001 - LoginError until the file is re-read
                if time.monotonic() > deadline:
                    raise ServerStartError(f"Dovecot did not pick up user {user.address}: {exc}") from exc
            time.sleep(0.1)

    def _write_table(self, name: str, entries: dict[str, str]) -> None:
        path = self.root / name
        tmp = path.with_suffix(".tmp")
        tmp.write_text("".join(f"{u}:{{PLAIN}}{p}::::::\n" for u, p in entries.items()))
        tmp.chmod(0o644)
        os.replace(tmp, path)

    def password_ok(self, user: str, password: str) -> bool:
        u = self.users.get(user.lower())
        return u is not None and secrets.compare_digest(u.password, password)

    def token_ok(self, user: str, token: str) -> bool:
        u = self.users.get(user.lower())
        return u is not None and secrets.compare_digest(u.token, token)

    # -- delivery (what an MTA's local delivery agent would do) -----------------------------------
    def deliver(self, user: str, data: bytes, folder: str = "INBOX") -> Path:
        """Drop a message into one of the user's folders (Maildir++, atomic rename from tmp/).

        INBOX gets it as new mail; any other folder (e.g. "Sent") gets it as already seen."""
        home = self.maildir_root / user.lower()
        maildir = home / "Maildir"
        box = maildir if folder == "INBOX" else maildir / f".{folder}"
        for path in (home, maildir, box, box / "tmp", box / "new", box / "cur"):
            if not path.exists():
                path.mkdir(mode=0o700)
                _chown(path)
        unique = f"{time.time_ns()}.M{secrets.token_hex(4)}P{os.getpid()}.mailflow-test"
        tmp = box / "tmp" / unique
        tmp.write_bytes(data)
        _chown(tmp)
        if folder == "INBOX":
            final = box / "new" / f"{unique},S={len(data)}"
        else:
            final = box / "cur" / f"{unique},S={len(data)}:2,S"
        os.replace(tmp, final)
        return final

    # -- IMAP helpers -------------------------------------------------------------------------------
    def imap_client(self, user: str, password: str, *, tls: bool = False, timeout: float = 10.0) -> IMAPClient:
        """A logged-in IMAPClient (plain port, or the TLS port verified against `ca_file`)."""
        if tls:
            client = IMAPClient(
                HOST, port=self.tls_port, ssl=True, ssl_context=self.certs.client_context(),
                timeout=timeout,
            )
        else:
            client = IMAPClient(HOST, port=self.port, ssl=False, timeout=timeout)
        client.normalise_times = False
        try:
            client.login(user, password)
        except Exception:
            _safe_logout(client)
            raise
        return client

    def append(
        self, user: str, password: str, data: bytes, *, folder: str = "INBOX", flags: Sequence[str] = ()
    ) -> int:
        """APPEND a message (creating the folder if needed); returns its UID."""
        client = self.imap_client(user, password)
        try:
            if not client.folder_exists(folder):
                client.create_folder(folder)
            response = client.append(folder, data, flags=tuple(flags))
            m = re.search(rb"APPENDUID \d+ (\d+)", response if isinstance(response, bytes) else b"")
            if m:
                return int(m.group(1))
            client.select_folder(folder, readonly=True)
            return max(client.search("ALL"))
        finally:
            _safe_logout(client)

    def messages(self, user: str, password: str, folder: str = "INBOX") -> list[StoredMessage]:
        """Every message in a folder, read with BODY.PEEK[] (flags are left as they are)."""
        client = self.imap_client(user, password)
        try:
            if not client.folder_exists(folder):
                return []
            client.select_folder(folder, readonly=True)
            uids = client.search("ALL")
            if not uids:
                return []
            fetched = client.fetch(uids, ["BODY.PEEK[]", "FLAGS"])
            return [
                StoredMessage(
                    uid=uid,
                    flags=tuple(_s(f) for f in fetched[uid][b"FLAGS"]),
                    data=fetched[uid][b"BODY[]"],
                )
                for uid in sorted(fetched)
            ]
        finally:
            _safe_logout(client)

    def wait_for_messages(
        self, user: str, password: str, count: int, folder: str = "INBOX", timeout: float = 10.0
    ) -> list[StoredMessage]:
        deadline = time.monotonic() + timeout
        while True:
            found = self.messages(user, password, folder)
            if len(found) >= count or time.monotonic() > deadline:
                return found
            time.sleep(0.1)

    def folders(self, user: str, password: str) -> list[str]:
        client = self.imap_client(user, password)
        try:
            return sorted(_s(name) for _flags, _sep, name in client.list_folders())
        finally:
            _safe_logout(client)


def _s(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _safe_logout(client: IMAPClient) -> None:
    try:
        client.logout()
    except Exception:  # noqa: BLE001 - best effort on a connection we are discarding
        try:
            client.shutdown()
        except Exception:  # noqa: BLE001
            pass


# --- SMTP --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    """One accepted SMTP transaction, as the server saw it."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    data: bytes
    security: str  # plain | starttls | tls
    login: str | None

    @property
    def email(self) -> email.message.EmailMessage:
        msg = email.message_from_bytes(self.data, policy=email.policy.default)
        assert isinstance(msg, email.message.EmailMessage)
        return msg


_FAULT = re.compile(r"\[fault:([a-z0-9:=.\-]+)\]", re.I)
_STAGES = ("mail", "rcpt", "data")


def _parse_action(action: str) -> tuple[str, str]:
    """'451' -> ('data', '451'); 'mail:421' -> ('mail', '421'); 'slow=3' -> ('data', 'slow=3')."""
    stage, _, verb = action.partition(":")
    if not verb:
        stage, verb = "data", stage
    if stage not in _STAGES:
        raise ValueError(f"unknown SMTP fault stage {stage!r} in {action!r}")
    if not re.fullmatch(r"ok|bye|drop|lose|[245]\d\d|slow=\d+(\.\d+)?", verb):
        raise ValueError(f"unknown SMTP fault {verb!r} in {action!r}")
    return stage, verb


class SmtpHandler:
    """aiosmtpd handler: accepts, delivers into Dovecot, or misbehaves as scripted.

    Faults, for the next transactions in order (`SmtpServers.script`), or for one message by a
    marker in its Subject such as ``[fault:550]`` (DATA stage only). A fault is
    ``[STAGE:]VERB`` where STAGE is mail, rcpt or data (default) and VERB is:
      ok       accept normally
      bye      accept normally, then close the connection (a server's idle timeout)
      421      reply 421 and close the connection
      4xx/5xx  reply with that code
      drop     (data) deliver, then close the connection without replying: the ambiguous case
      lose     (data) close the connection without replying and without delivering
      slow=N   wait N seconds, then go on normally (at data: deliver, wait, then reply 250)
    Each transaction consumes one scripted item, at its MAIL command; items that name another
    stage are applied when that stage comes. Recipients whose local part starts with
    ``reject`` are refused at RCPT with 550.
    """

    def __init__(self, dovecot: Dovecot | None) -> None:
        self.dovecot = dovecot
        self.messages: list[Received] = []
        self.undelivered: list[Received] = []  # accepted for addresses Dovecot does not know
        self.transactions = 0
        self.security_by_port: dict[int, str] = {}
        self._script: list[str] = []
        self._lock = threading.Lock()
        self.sent_copies = False  # file a copy of what a local user submits in their Sent folder

    def reset(self) -> None:
        with self._lock:
            self.messages.clear()
            self.undelivered.clear()
            self._script.clear()
            self.transactions = 0
            self.sent_copies = False

    def script(self, actions: Iterable[str]) -> None:
        items = list(actions)
        for a in items:
            _parse_action(a)
        with self._lock:
            self._script.extend(items)

    def _pending(self, session: Any) -> dict[str, str]:
        return getattr(session, "mailflow_faults", {})

    async def _apply(self, server: Any, verb: str, on_ok: str) -> str | None:
        if verb == "ok":
            return on_ok
        if verb == "bye":
            asyncio.get_running_loop().call_soon(server.transport.close)
            return on_ok
        if verb.startswith("slow="):
            await asyncio.sleep(float(verb[5:]))
            return on_ok
        if verb == "421":
            asyncio.get_running_loop().call_soon(server.transport.close)
            return "421 4.3.2 Service shutting down (scripted)"
        if verb in ("drop", "lose"):
            server.transport.abort()
            return None
        text = "Temporary failure (scripted)" if verb.startswith("4") else "Rejected (scripted)"
        return f"{verb} {verb[0]}.0.0 {text}"

    async def handle_MAIL(self, server: Any, session: Any, envelope: Any, address: str, options: list[str]) -> str:
        with self._lock:
            self.transactions += 1
            action = self._script.pop(0) if self._script else "ok"
        stage, verb = _parse_action(action)
        session.mailflow_faults = {stage: verb}
        if stage == "mail" and verb != "ok":
            status = await self._apply(server, verb, "250 OK")
            if status is None or not status.startswith("250"):
                return status or "421 4.3.0 gone"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: list[str]) -> str:
        if address.lower().startswith("reject"):
            return "550 5.1.1 No such user (scripted)"
        verb = self._pending(session).get("rcpt")
        if verb and verb != "ok":
            status = await self._apply(server, verb, "250 OK")
            if status is None or not status.startswith("250"):
                return status or "421 4.3.0 gone"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str | None:
        data: bytes = envelope.original_content or b""
        verb = self._pending(session).get("data", "ok")
        head = data.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
        marker = _FAULT.search(head.decode("utf-8", "replace"))
        if marker and verb == "ok":
            verb = _parse_action(marker.group(1))[1]
        if verb in ("ok", "bye", "drop") or verb.startswith("slow="):
            self._deliver(server, session, envelope, data)
        return await self._apply(server, verb, "250 2.0.0 OK: queued")

    def _deliver(self, server: Any, session: Any, envelope: Any, data: bytes) -> None:
        port = (server.transport.get_extra_info("sockname") or ("", 0))[1]
        security = self.security_by_port.get(port, "plain")
        login = getattr(session, "auth_data", None)
        if isinstance(login, bytes):
            login = login.decode()
        record = Received(
            mail_from=envelope.mail_from,
            rcpt_tos=tuple(envelope.rcpt_tos),
            data=data,
            security=security,
            login=login if isinstance(login, str) else None,
        )
        trace = f"Return-Path: <{envelope.mail_from}>\r\nDelivered-To: ".encode()
        unknown = False
        with self._lock:
            self.messages.append(record)
        for rcpt in envelope.rcpt_tos:
            if self.dovecot is not None and rcpt.lower() in self.dovecot.users:
                self.dovecot.deliver(rcpt, trace + rcpt.encode() + b"\r\n" + data)
            else:
                unknown = True
        if unknown:
            with self._lock:
                self.undelivered.append(record)
        sender = (envelope.mail_from or "").lower()
        if self.sent_copies and self.dovecot is not None and sender in self.dovecot.users:
            # like Gmail, Microsoft 365 and Fastmail: submitted mail is filed in the sender's Sent
            self.dovecot.deliver(sender, data, folder="Sent")

    async def auth_XOAUTH2(self, server: Any, args: list[str]) -> Any:
        from aiosmtpd.smtp import AuthResult

        blob = args[1] if len(args) > 1 else ""
        if not blob:
            raw = await server.challenge_auth("")
            if not isinstance(raw, bytes):
                return AuthResult(success=False, handled=True)
        else:
            try:
                raw = base64.b64decode(blob, validate=True)
            except ValueError:
                return AuthResult(success=False, handled=False)
        fields = dict(
            part.split("=", 1) for part in raw.decode("utf-8", "replace").split("\x01") if "=" in part
        )
        user, token = fields.get("user", ""), fields.get("auth", "").removeprefix("Bearer ")
        ok = self.dovecot is not None and self.dovecot.token_ok(user, token)
        return AuthResult(success=ok, handled=False, auth_data=user if ok else None)


class SmtpServers:
    """Three aiosmtpd listeners sharing one handler: plain, STARTTLS and implicit TLS.

    All accept AUTH PLAIN/LOGIN with the Dovecot users' passwords (and XOAUTH2 with their
    tokens), without requiring TLS first (loopback tests); AUTH is optional.
    """

    host = HOST

    def __init__(self, dovecot: Dovecot | None, certs: Certs) -> None:
        self.dovecot = dovecot
        self.certs = certs
        self.handler = SmtpHandler(dovecot)
        self.controllers: dict[str, Any] = {}
        self.ports: dict[str, int] = {}

    @classmethod
    def start(cls, dovecot: Dovecot | None, certs: Certs | None = None) -> SmtpServers:
        if certs is None:
            if dovecot is None:
                raise ValueError("give certs when there is no Dovecot")
            certs = dovecot.certs
        servers = cls(dovecot, certs)
        # aiosmtpd warns "Session.login_data is deprecated" on every AUTH, from its own code
        logging.getLogger("mail.log").setLevel(logging.ERROR)
        try:
            for security in ("plain", "starttls", "tls"):
                servers._start_one(security)
        except Exception:
            servers.stop()
            raise
        return servers

    def _authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> Any:
        from aiosmtpd.smtp import AuthResult, LoginPassword

        if isinstance(auth_data, LoginPassword) and self.dovecot is not None:
            login = auth_data.login.decode("utf-8", "replace")
            if self.dovecot.password_ok(login, auth_data.password.decode("utf-8", "replace")):
                return AuthResult(success=True, auth_data=login)
        return AuthResult(success=False, handled=False)

    def _start_one(self, security: str) -> None:
        from aiosmtpd.controller import Controller

        kwargs: dict[str, Any] = {
            "authenticator": self._authenticate,
            "auth_require_tls": False,
            "ready_timeout": START_DEADLINE,
            "server_hostname": "mx.example.test",
        }
        if security == "starttls":
            kwargs["tls_context"] = self.certs.server_context()
            kwargs["require_starttls"] = False
        elif security == "tls":
            kwargs["ssl_context"] = self.certs.server_context()
        last: Exception | None = None
        for _ in range(3):
            port = free_port()
            controller = Controller(self.handler, hostname=HOST, port=port, **kwargs)
            try:
                controller.start()
            except Exception as exc:  # noqa: BLE001 - port raced away: try another
                last = exc
                try:
                    controller.stop()
                except Exception:  # noqa: BLE001
                    pass
                continue
            self.controllers[security] = controller
            self.ports[security] = port
            self.handler.security_by_port[port] = security
            return
        raise ServerStartError(f"SMTP ({security}) did not start: {last}")

    def stop(self) -> None:
        for controller in self.controllers.values():
            try:
                controller.stop()
            except Exception:  # noqa: BLE001 - teardown is best effort
                pass
        self.controllers.clear()

    # -- the API the tests use --------------------------------------------------------------------
    @property
    def port(self) -> int:
        return self.ports["plain"]

    @property
    def starttls_port(self) -> int:
        return self.ports["starttls"]

    @property
    def tls_port(self) -> int:
        return self.ports["tls"]

    @property
    def ca_file(self) -> str:
        return str(self.certs.ca_file)

    def port_for(self, security: str) -> int:
        return self.ports[security]

    @property
    def messages(self) -> list[Received]:
        return self.handler.messages

    @property
    def undelivered(self) -> list[Received]:
        return self.handler.undelivered

    @property
    def transactions(self) -> int:
        return self.handler.transactions

    def script(self, actions: Iterable[str]) -> None:
        self.handler.script(actions)

    def reset(self) -> None:
        self.handler.reset()

    def file_sent_copies(self, on: bool = True) -> None:
        """Behave like Gmail/Microsoft 365: file each submitted message in the sender's Sent."""
        self.handler.sent_copies = on


# --- a TCP proxy that can cut connections -----------------------------------------------------


class Proxy:
    """Forwards 127.0.0.1:`port` to 127.0.0.1:`target_port`; can cut every connection at will.

    `drop()` closes every open connection now (new ones are still accepted);
    `drop_after(n)` closes a connection once it has carried n bytes from the server to the client;
    `refuse(True)` closes new connections at once. `bytes_up`/`bytes_down` count what crossed;
    `tap`, if given, is called once per connection and returns a function that sees every chunk
    the client sends (the benchmarks count IMAP commands with it).
    """

    def __init__(self, target_port: int, target_host: str = HOST, *,
                 tap: Callable[[], Callable[[bytes], None]] | None = None) -> None:
        self.tap = tap
        self.bytes_up = 0  # client-to-server bytes forwarded so far, all connections
        self.target = (target_host, target_port)
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind((HOST, 0))
        self.listener.listen(16)
        self.listener.settimeout(0.2)
        self.host = HOST
        self.port = int(self.listener.getsockname()[1])
        self.connections = 0
        self.bytes_down = 0  # server-to-client bytes forwarded so far, all connections
        self._limit: int | None = None
        self._refuse = False
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self._threads: list[threading.Thread] = []
        self._acceptor = threading.Thread(target=self._accept_loop, name="proxy-accept", daemon=True)
        self._acceptor.start()

    def __enter__(self) -> Proxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def drop(self) -> None:
        with self._lock:
            pairs, self._pairs = self._pairs, []
        for a, b in pairs:
            _close(a)
            _close(b)

    def drop_after(self, nbytes: int | None) -> None:
        """Cut each connection after `nbytes` server-to-client bytes (None: never)."""
        self._limit = nbytes

    def refuse(self, value: bool = True) -> None:
        self._refuse = value

    def close(self) -> None:
        self._stop.set()
        _close(self.listener)
        self.drop()
        self._acceptor.join(timeout=5)
        for t in self._threads:
            t.join(timeout=5)

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if self._refuse:
                _close(client)
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                _close(client)
                continue
            with self._lock:
                self.connections += 1
                self._pairs.append((client, upstream))
            budget = {"down": self._limit}
            seen = self.tap() if self.tap is not None else None
            for src, dst, direction in ((client, upstream, "up"), (upstream, client, "down")):
                t = threading.Thread(
                    target=self._pump, args=(src, dst, direction, budget, client, upstream, seen),
                    daemon=True,
                )
                t.start()
                self._threads.append(t)

    def _pump(
        self, src: socket.socket, dst: socket.socket, direction: str, budget: dict[str, int | None],
        client: socket.socket, upstream: socket.socket, seen: Callable[[bytes], None] | None = None,
    ) -> None:
        src.settimeout(0.2)
        try:
            while not self._stop.is_set():
                try:
                    chunk = src.recv(65536)
                except TimeoutError:
                    continue
                if not chunk:
                    break
                if direction == "down" and budget["down"] is not None:
                    allowed = budget["down"]
                    if len(chunk) >= allowed:
                        if allowed:
                            dst.sendall(chunk[:allowed])
                        break
                    budget["down"] = allowed - len(chunk)
                dst.sendall(chunk)
                with self._lock:
                    if direction == "down":
                        self.bytes_down += len(chunk)
                    else:
                        self.bytes_up += len(chunk)
                if direction == "up" and seen is not None:
                    seen(chunk)
        except OSError:
            pass
        finally:
            _close(client)
            _close(upstream)


def _close(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass


# --- mailflow configuration for end-to-end tests ------------------------------------------------


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r} as TOML")


def write_config(
    tmp_path: Path,
    *,
    dovecot: Dovecot,
    smtp: SmtpServers | None,
    user: str,
    password: str,
    imap_security: str = "plain",
    smtp_security: str = "plain",
    smtp_user: str | None = None,
    smtp_password: str | None = None,
    people: Sequence[dict[str, Any]] = (),
    **overrides: Any,
) -> Path:
    """Write a mailflow TOML config for these servers; returns its path (tmp_path/mailflow.toml).

    `overrides` are "section.key" style keyword arguments with dots replaced by double
    underscores, e.g. ``imap__handled_folder="Done"``, ``account__zone="Europe/Berlin"``,
    ``policy__authorised=["@example.test"]``, ``store__path="x.sqlite3"``; a value of None
    removes a key.
    """
    sections: dict[str, dict[str, Any]] = {
        "account": {"address": user, "name": "mailflow", "zone": "UTC"},
        "imap": {
            "host": HOST,
            "port": dovecot.tls_port if imap_security == "tls" else dovecot.port,
            "security": imap_security,
            "user": user,
            "password": password,
            "folder": "INBOX",
            "quarantine_folder": "Quarantine",
            "sent_folder": "Sent",
            "ca_file": dovecot.ca_file,
            "timeout": 10,
        },
        "store": {"path": str(tmp_path / "mailflow.sqlite3")},
        "policy": {"authorised": [f"@{DOMAIN}"]},
    }
    if smtp is not None:
        sections["smtp"] = {
            "host": HOST,
            "port": smtp.port_for(smtp_security),
            "security": smtp_security,
            "user": smtp_user or user,
            "password": smtp_password or password,
            "ca_file": smtp.ca_file,
            "timeout": 10,
        }
    for key, value in overrides.items():
        section, sep, name = key.partition("__")
        if not sep:
            raise TypeError(f"write_config override {key!r}: use section__key=value")
        table = sections.setdefault(section, {})
        if value is None:
            table.pop(name, None)
        else:
            table[name] = value
    lines: list[str] = []
    for section, table in sections.items():
        lines.append(f"[{section}]")
        lines.extend(f"{k} = {_toml(v)}" for k, v in table.items())
        lines.append("")
    for person in people:
        lines.append("[[people.person]]")
        lines.extend(f"{k} = {_toml(v)}" for k, v in person.items())
        lines.append("")
    path = tmp_path / "mailflow.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
