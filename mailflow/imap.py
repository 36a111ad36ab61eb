"""The IMAP side of the shell: one `Mailbox` over imapclient.

Rules: every socket has a timeout (settings.timeout); messages are read with BODY.PEEK, so
mailflow never marks anything \\Seen; UIDs are only meaningful together with `uidvalidity`;
errors leave here as mailflow errors: `AuthFailure` (wrong credentials: fix the config),
`ConfigError` (certificate problems, unusable folders), `TemporaryFailure` (connection trouble,
timeouts, server hiccups: retry later). Large attachments need not be downloaded at all:
`fetch_text_parts` rebuilds a message from its text and calendar parts only.

    with Mailbox(config.imap) as box:
        for uid in box.unhandled_uids():
            data = box.fetch([uid], max_bytes=limits.max_bytes)[uid]
            ...
            box.mark_handled(uid)
"""

from __future__ import annotations

import contextlib
import email.parser
import email.policy
import itertools
import re
import socket
import ssl
import time
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientAbortError, IMAPClientError, LoginError
from imapclient.response_types import BodyData

from .config import ImapSettings
from .errors import AuthFailure, ConfigError, TemporaryFailure

FETCH_CHUNK = 100  # UIDs per FETCH command
_HEADER_PARSER = email.parser.BytesHeaderParser(policy=email.policy.compat32)


class Mailbox:
    """A logged-in IMAP connection with one working folder selected (settings.folder)."""

    def __init__(self, settings: ImapSettings, *, folder: str | None = None) -> None:
        self.settings = settings
        self.folder = folder or settings.folder
        self._client: IMAPClient | None = None
        self._select: dict[bytes, Any] = {}
        self._caps: tuple[str, ...] = ()

    # -- life cycle -----------------------------------------------------------------------------

    def __enter__(self) -> Mailbox:
        self.connect()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def where(self) -> str:
        return f"{self.settings.host}:{self.settings.port}"

    def connect(self) -> None:
        """Connect, secure, log in and select the working folder (again, after a drop)."""
        self.close()
        s = self.settings
        with self._guard("connect"):
            if s.security == "tls":
                client = IMAPClient(
                    s.host, port=s.port, ssl=True, ssl_context=s.tls_context(), timeout=s.timeout
                )
            else:
                client = IMAPClient(s.host, port=s.port, ssl=False, timeout=s.timeout)
            self._client = client
            client.normalise_times = False
            if s.security == "starttls":
                if not client.has_capability("STARTTLS"):
                    self._discard()
                    raise ConfigError(
                        f"imap.security: {self.where} does not offer STARTTLS; use 'tls' or 'plain'"
                    )
                client.starttls(s.tls_context())
        try:
            secret = s.secret()  # ConfigError if the secret cannot be had: not a transport problem
        except BaseException:
            self._discard()
            raise
        with self._guard("login"):
            try:
                if s.oauth2_token_command:
                    client.oauth2_login(s.user, secret)
                else:
                    client.login(s.user, secret)
            except LoginError as exc:
                self._discard()
                raise AuthFailure(
                    f"IMAP login failed for {s.user} at {self.where}: {_text(exc)}"
                ) from exc
            except IMAPClientError as exc:
                if isinstance(exc, IMAPClientAbortError):
                    raise
                # OAuth2 failures come back as a failed AUTHENTICATE, not as LoginError
                self._discard()
                raise AuthFailure(
                    f"IMAP login failed for {s.user} at {self.where}: {_text(exc)}"
                ) from exc
            self._caps = tuple(_text(c).upper() for c in client.capabilities())
        try:
            self.select(self.folder)
        except BaseException:
            self.close()
            raise

    def select(self, folder: str) -> None:
        client = self._c()
        with self._guard(f"select {folder}"):
            try:
                self._select = client.select_folder(folder)
            except IMAPClientAbortError:
                raise
            except IMAPClientError as exc:
                raise ConfigError(
                    f"imap.folder: cannot select {folder!r} at {self.where}: {_text(exc)}"
                ) from exc
        self.folder = folder

    def close(self) -> None:
        """Log out (best effort); safe to call twice."""
        client, self._client = self._client, None
        if client is None:
            return
        try:
            client.logout()
        except Exception:  # noqa: BLE001 - the connection is being thrown away anyway
            with contextlib.suppress(Exception):
                client.shutdown()

    def interrupt(self) -> None:
        """Cut the connection from another thread: a blocked idle_wait() (or any command) ends
        at once with TemporaryFailure. Used to stop a watcher promptly."""
        client = self._client
        if client is None:
            return
        with contextlib.suppress(OSError):  # already closed
            client.socket().shutdown(socket.SHUT_RDWR)

    def _discard(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(Exception):
                client.shutdown()

    def _c(self) -> IMAPClient:
        if self._client is None:
            raise TemporaryFailure(f"IMAP {self.where}: not connected")
        return self._client

    @contextlib.contextmanager
    def _guard(self, what: str) -> Iterator[None]:
        """Translate transport-level exceptions into mailflow's error tree."""
        try:
            yield
        except (AuthFailure, ConfigError, TemporaryFailure):
            raise
        except ssl.SSLCertVerificationError as exc:
            self._discard()
            raise ConfigError(
                f"imap.ca_file: TLS certificate of {self.where} not trusted ({exc.verify_message}); "
                "set imap.ca_file to the CA bundle that signed it"
            ) from exc
        except TimeoutError as exc:
            self._discard()
            raise TemporaryFailure(f"IMAP {self.where}: timed out during {what}") from exc
        except IMAPClientAbortError as exc:
            self._discard()
            raise TemporaryFailure(f"IMAP {self.where}: connection lost during {what}: {_text(exc)}") from exc
        except (OSError, ssl.SSLError) as exc:
            self._discard()
            raise TemporaryFailure(f"IMAP {self.where}: {what} failed: {exc}") from exc
        except IMAPClientError as exc:
            raise TemporaryFailure(f"IMAP {self.where}: {what} failed: {_text(exc)}") from exc

    # -- state ----------------------------------------------------------------------------------

    @property
    def capabilities(self) -> tuple[str, ...]:
        return self._caps

    def has(self, capability: str) -> bool:
        return capability.upper() in self._caps

    @property
    def uidvalidity(self) -> int:
        return int(self._select.get(b"UIDVALIDITY", 0))

    @property
    def exists(self) -> int:
        return int(self._select.get(b"EXISTS", 0))

    @property
    def highest_uid(self) -> int:
        """The highest UID in the working folder now (0 when it is empty)."""
        client = self._c()
        with self._guard("search"):
            uids = client.search(["UID", "*"])
        return max(uids, default=0)

    def noop(self) -> None:
        with self._guard("noop"):
            self._c().noop()

    # -- searching ------------------------------------------------------------------------------

    def uids_after(self, uid: int) -> list[int]:
        """UIDs greater than `uid`, ascending (UID n:* always matches the highest UID: filter)."""
        client = self._c()
        with self._guard("search"):
            found = client.search(["UID", f"{int(uid) + 1}:*"])
        return sorted(u for u in found if u > uid)

    def unhandled_uids(self) -> list[int]:
        """Messages not yet handled: without the handled flag (flag mode), or all (move mode)."""
        client = self._c()
        criteria: list[str] = ["NOT", "DELETED"]
        if not self.settings.handled_folder:
            criteria = ["UNKEYWORD", self.settings.handled_flag, *criteria]
        with self._guard("search"):
            return sorted(client.search(criteria))

    def find_message_id(self, folder: str, message_id: str) -> bool:
        """Is a message with this Message-ID in `folder`? (The working folder stays selected.)"""
        client = self._c()
        mid = message_id.strip()
        if not mid:
            return False
        with self._guard(f"search {folder}"):
            if not client.folder_exists(folder):
                return False
            try:
                client.select_folder(folder, readonly=True)
                found = client.search(["HEADER", "Message-ID", mid])
            finally:
                self._select = client.select_folder(self.folder)
        return bool(found)

    # -- fetching -------------------------------------------------------------------------------

    def _fetch(self, uids: Iterable[int], items: Sequence[str]) -> dict[int, dict[bytes, Any]]:
        client = self._c()
        wanted = sorted(set(uids))
        out: dict[int, dict[bytes, Any]] = {}
        with self._guard("fetch"):
            for i in range(0, len(wanted), FETCH_CHUNK):
                out.update(client.fetch(wanted[i : i + FETCH_CHUNK], list(items)))
        return {uid: data for uid, data in out.items() if uid in set(wanted)}

    def fetch(self, uids: Iterable[int], *, max_bytes: int | None = None) -> dict[int, bytes]:
        """Whole messages (BODY.PEEK[]: \\Seen is never set). UIDs that vanished are absent.

        With `max_bytes`, a larger message is cut to max_bytes + 1 bytes: the reader sees it is
        over the limit without the whole thing crossing the wire."""
        uids = list(uids)
        if max_bytes is None:
            got = self._fetch(uids, ["BODY.PEEK[]"])
            return {uid: _item(d, b"BODY[]") for uid, d in got.items()}
        sizes = self.fetch_sizes(uids)
        small = [u for u, n in sizes.items() if n <= max_bytes]
        large = [u for u, n in sizes.items() if n > max_bytes]
        out = {uid: _item(d, b"BODY[]") for uid, d in self._fetch(small, ["BODY.PEEK[]"]).items()}
        if large:
            got = self._fetch(large, [f"BODY.PEEK[]<0.{max_bytes + 1}>"])
            out.update({uid: _item(d, b"BODY[]") for uid, d in got.items()})
        return out

    def fetch_headers(self, uids: Iterable[int]) -> dict[int, bytes]:
        got = self._fetch(uids, ["BODY.PEEK[HEADER]"])
        return {uid: _item(d, b"BODY[HEADER]") for uid, d in got.items()}

    def fetch_sizes(self, uids: Iterable[int]) -> dict[int, int]:
        got = self._fetch(uids, ["RFC822.SIZE"])
        return {uid: int(d[b"RFC822.SIZE"]) for uid, d in got.items()}

    def message_ids(self, uids: Iterable[int]) -> dict[int, str]:
        """Message-ID header values (angle brackets kept); messages without one are absent."""
        got = self._fetch(uids, ["BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"])
        out: dict[int, str] = {}
        for uid, d in got.items():
            raw = _item(d, b"BODY[HEADER.FIELDS")
            value = _HEADER_PARSER.parsebytes(raw).get("Message-ID")
            if value and str(value).strip():
                out[uid] = " ".join(str(value).split())
        return out

    def fetch_structure(self, uids: Iterable[int]) -> dict[int, BodyData]:
        got = self._fetch(uids, ["BODYSTRUCTURE"])
        return {uid: d[b"BODYSTRUCTURE"] for uid, d in got.items()}

    def fetch_text_parts(self, uid: int, max_part_bytes: int = 1024 * 1024) -> bytes | None:
        """The message rebuilt from its header, text/*, calendar and message/rfc822 parts.

        Every other part keeps its MIME header but loses its body (an ``X-Mailflow-Omitted``
        header says how big it was), so a 25 MB attachment never crosses the wire. Text parts
        longer than `max_part_bytes` are cut at a line end. A message no bigger than
        `max_part_bytes`, or one whose structure is odd, is fetched whole. Returns None when the
        UID no longer exists."""
        got = self._fetch([uid], ["BODYSTRUCTURE", "RFC822.SIZE"])
        if uid not in got:
            return None
        size = int(got[uid][b"RFC822.SIZE"])
        structure = got[uid].get(b"BODYSTRUCTURE")
        if size > max_part_bytes and isinstance(structure, tuple):
            try:
                plan = _Plan(max_part_bytes)
                plan.walk(structure, "", root=True)
                if plan.worthwhile(size):
                    parts = self._fetch([uid], plan.items())
                    if uid in parts:
                        return plan.assemble(parts[uid])
            except _OddStructure:
                pass
        whole = self._fetch([uid], ["BODY.PEEK[]"])
        return _item(whole[uid], b"BODY[]") if uid in whole else None

    # -- changing ------------------------------------------------------------------------------

    def ensure_folder(self, name: str) -> None:
        client = self._c()
        with self._guard(f"create {name}"):
            if client.folder_exists(name):
                return
            try:
                client.create_folder(name)
            except IMAPClientAbortError:
                raise
            except IMAPClientError:
                if not client.folder_exists(name):  # lost a race with another client: fine
                    raise

    def mark_handled(self, uid: int) -> None:
        """Flag the message as handled, or move it to handled_folder when one is configured."""
        if self.settings.handled_folder:
            self.move(uid, self.settings.handled_folder)
        else:
            with self._guard("store"):
                self._c().add_flags([uid], [self.settings.handled_flag], silent=True)

    def quarantine(self, uid: int) -> None:
        self.move(uid, self.settings.quarantine_folder)

    def move(self, uid: int, folder: str) -> None:
        """MOVE when the server can; else COPY, \\Deleted and (with UIDPLUS) UID EXPUNGE."""
        self.ensure_folder(folder)
        client = self._c()
        with self._guard(f"move to {folder}"):
            if self.has("MOVE"):
                client.move([uid], folder)
                return
            client.copy([uid], folder)
            client.add_flags([uid], [b"\\Deleted"], silent=True)
            if self.has("UIDPLUS"):
                client.uid_expunge([uid])
            # without UIDPLUS the message stays, \Deleted: unhandled_uids() skips it and a plain
            # EXPUNGE would also remove other clients' deleted messages

    def append(self, folder: str, data: bytes, flags: Sequence[str] = ()) -> int | None:
        """APPEND to `folder` (created if missing); the new UID when the server says (UIDPLUS)."""
        self.ensure_folder(folder)
        with self._guard(f"append to {folder}"):
            response = self._c().append(folder, data, flags=tuple(flags))
        m = re.search(rb"APPENDUID \d+ (\d+)", response if isinstance(response, bytes) else b"")
        return int(m.group(1)) if m else None

    # -- waiting --------------------------------------------------------------------------------

    def _poll_wait(self, timeout: float, every: float = 30.0) -> bool:
        """For servers without IDLE: NOOP every `every` seconds until news or the deadline."""
        deadline = time.monotonic() + max(0.0, timeout)
        while True:
            with self._guard("noop"):
                _text_ok, responses = self._c().noop()
            if any(_is_news(r) for r in responses):
                return True
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            time.sleep(min(left, every))

    def idle_wait(self, timeout: float) -> bool:
        """IDLE for up to `timeout` seconds; True as soon as new mail (EXISTS/RECENT) arrives."""
        client = self._c()
        if not self.has("IDLE"):
            return self._poll_wait(timeout)
        deadline = time.monotonic() + max(0.0, timeout)
        news = False
        premature = 0
        with self._guard("idle"):
            client.idle()
            try:
                while not news:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    started = time.monotonic()
                    responses = client.idle_check(timeout=min(left, 60.0))
                    news = any(_is_news(r) for r in responses)
                    if not responses and time.monotonic() - started < min(left, 60.0) * 0.5:
                        premature += 1  # readable but nothing parsed: EOF, in imapclient's idiom
                        if premature >= 3:
                            raise TemporaryFailure(f"IMAP {self.where}: connection closed during IDLE")
                        time.sleep(0.05)
                    else:
                        premature = 0
            finally:
                if self._client is not None:
                    _text_done, more = client.idle_done()
                    news = news or any(_is_news(r) for r in more)
        return news


# --- fetch_text_parts --------------------------------------------------------------------------


class _OddStructure(Exception):
    pass


def _wanted(node: tuple[Any, ...]) -> bool:
    main, sub = _text(node[0]).lower(), _text(node[1]).lower()
    if main == "text" or (main, sub) in {("application", "ics"), ("application", "x-ics")}:
        return True
    names = [_param(node[2], "name")]
    if len(node) > 8 and isinstance(node[8], tuple) and len(node[8]) > 1:
        names.append(_param(node[8][1], "filename"))
    return any(n.lower().endswith((".ics", ".vcs")) for n in names if n)


def _param(params: Any, key: str) -> str:
    if not isinstance(params, tuple):
        return ""
    for k, v in zip(params[::2], params[1::2], strict=False):
        if _text(k).lower() == key:
            return _text(v)
    return ""


def _children(node: tuple[Any, ...]) -> list[Any] | None:
    """The parts of a multipart node, None for a single part. imapclient gives the parts as a
    list at the top level but as leading tuple elements inside message/rfc822."""
    if isinstance(node[0], list):
        return list(node[0])
    if isinstance(node[0], tuple):
        return list(itertools.takewhile(lambda x: isinstance(x, (tuple, list)), node))
    return None


def _size(node: tuple[Any, ...]) -> int:
    value = node[6] if len(node) > 6 else 0
    return value if isinstance(value, int) else 0


class _Plan:
    """Which body sections to fetch for one message, and how to put them back together."""

    def __init__(self, max_part_bytes: int) -> None:
        self.max_part_bytes = max_part_bytes
        self.sections: list[str] = []  # FETCH items
        self.tree: Any = None
        self.fetched_bytes = 0

    def items(self) -> list[str]:
        return self.sections

    def worthwhile(self, size: int) -> bool:
        return self.fetched_bytes < size // 2

    def _want(self, section: str, limit: int | None = None) -> str:
        item = f"BODY.PEEK[{section}]" + (f"<0.{limit}>" if limit is not None else "")
        self.sections.append(item)
        return section

    def walk(self, node: Any, number: str, *, root: bool = False) -> Any:
        """Record the sections needed for `node` (part `number`); returns an assembly tree."""
        if not isinstance(node, tuple) or not node:
            raise _OddStructure("not a body structure")
        header = self._want("HEADER") if root else self._want(f"{number}.MIME")
        tree: Any
        body: Any
        parts = _children(node)
        if parts is not None:
            children = [
                self.walk(child, f"{number}.{i}" if number else str(i))
                for i, child in enumerate(parts, start=1)
            ]
            if not children:
                raise _OddStructure("empty multipart")
            tree = ("multipart", header, children)
        elif root:
            size = _size(node)
            if _text(node[0]).lower() == "message" or not _wanted(node):
                if _text(node[0]).lower() == "message":
                    raise _OddStructure("a bare message/* body")  # just fetch it whole
                tree = ("omitted", header, size)
            else:
                limit = self.max_part_bytes if size > self.max_part_bytes else None
                self.fetched_bytes += min(size, self.max_part_bytes)
                tree = ("leaf", header, self._want("TEXT", limit), limit is not None)
        else:
            main, sub = _text(node[0]).lower(), _text(node[1]).lower()
            size = _size(node)
            if (main, sub) == ("message", "rfc822") and len(node) > 8 and isinstance(node[8], tuple):
                inner = node[8]
                inner_header = self._want(f"{number}.HEADER")
                inner_parts = _children(inner)
                if inner_parts is not None:
                    children = [self.walk(c, f"{number}.{i}") for i, c in enumerate(inner_parts, start=1)]
                    body = ("multipart-body", children)
                elif _wanted(inner):
                    limit = self.max_part_bytes if _size(inner) > self.max_part_bytes else None
                    self.fetched_bytes += min(_size(inner), self.max_part_bytes)
                    body = ("leaf", self._want(f"{number}.TEXT", limit), limit is not None)
                else:
                    body = ("omitted", _size(inner))
                tree = ("message", header, inner_header, body)
            elif _wanted(node):
                limit = self.max_part_bytes if size > self.max_part_bytes else None
                self.fetched_bytes += min(size, self.max_part_bytes)
                tree = ("leaf", header, self._want(number, limit), limit is not None)
            else:
                tree = ("omitted", header, size)
        if root:
            self.tree = tree
        return tree

    def assemble(self, data: dict[bytes, Any]) -> bytes:
        def section(name: str) -> bytes:
            for key, value in data.items():
                k = _text(key)
                if k.startswith(f"BODY[{name}]"):
                    if value is None:
                        return b""
                    return bytes(value)
            raise _OddStructure(f"server did not return BODY[{name}]")

        def header_block(raw: bytes) -> bytes:
            raw = raw.rstrip(b"\r\n")
            return raw + b"\r\n\r\n" if raw else b"\r\n"

        def boundary(raw: bytes) -> bytes:
            value = _HEADER_PARSER.parsebytes(raw).get_boundary()
            if not value:
                raise _OddStructure("multipart without a boundary")
            return value.encode("ascii", "replace")

        def body(content: bytes, truncated: bool) -> bytes:
            if truncated:
                cut = content.rfind(b"\n")
                content = content[: cut + 1] if cut > 0 else b""
            return content

        def join(raw_header: bytes, children: list[bytes]) -> bytes:
            b = boundary(raw_header)
            out = [header_block(raw_header)]
            for child in children:
                out.append(b"--" + b + b"\r\n" + child + b"\r\n")
            out.append(b"--" + b + b"--\r\n")
            return b"".join(out)

        def build(tree: Any) -> bytes:
            kind = tree[0]
            if kind == "multipart":
                return join(section(tree[1]), [build(c) for c in tree[2]])
            if kind == "leaf":
                return header_block(section(tree[1])) + body(section(tree[2]), tree[3])
            if kind == "omitted":
                note = f"X-Mailflow-Omitted: {tree[2]} bytes not downloaded\r\n".encode()
                return note + header_block(section(tree[1]))
            if kind == "message":
                outer = header_block(section(tree[1]))
                inner_header = section(tree[2])
                inner = tree[3]
                if inner[0] == "multipart-body":
                    return outer + join(inner_header, [build(c) for c in inner[1]])
                if inner[0] == "leaf":
                    return outer + header_block(inner_header) + body(section(inner[1]), inner[2])
                note = f"X-Mailflow-Omitted: {inner[1]} bytes not downloaded\r\n".encode()
                return outer + note + header_block(inner_header)
            raise _OddStructure(f"unknown node {kind}")

        return build(self.tree)


# --- helpers ------------------------------------------------------------------------------------


def _is_news(response: Any) -> bool:
    return (
        isinstance(response, tuple)
        and len(response) >= 2
        and isinstance(response[1], bytes)
        and response[1].upper() in (b"EXISTS", b"RECENT")
    )


def _item(data: dict[bytes, Any], prefix: bytes) -> bytes:
    """A FETCH item by key prefix (servers echo e.g. BODY[HEADER.FIELDS ("MESSAGE-ID")])."""
    if prefix in data:
        value = data[prefix]
    else:
        value = next((v for k, v in data.items() if isinstance(k, bytes) and k.startswith(prefix)), b"")
    return bytes(value) if value is not None else b""


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, BaseException):
        return " ".join(_text(a) for a in value.args) or type(value).__name__
    return str(value)
