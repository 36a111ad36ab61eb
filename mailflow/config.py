"""Configuration: a TOML file (stdlib tomllib), validated at start, secrets from the environment.

Every problem is reported as a ConfigError naming the bad key, e.g. ``imap.port: expected an
integer from 1 to 65535, got 'abc'``. Secrets are never required in the file: each password
may come from ``password_env`` (an environment variable's name), ``password_command`` (a command
whose first output line is the secret) or, for tests and throw-away setups, ``password``.
OAuth2 (Gmail, Microsoft 365) uses ``oauth2_token_command``: its output is the access token.

Where the file is looked for, first hit wins: ``--config``, ``$MAILFLOW_CONFIG``,
``./mailflow.toml``, ``$XDG_CONFIG_HOME/mailflow/config.toml`` (``~/.config/...``).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shlex
import ssl
import subprocess
import tomllib
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .model import Person

SECURITY = ("tls", "starttls", "plain")


@dataclass(frozen=True, slots=True, kw_only=True)
class Server:
    host: str
    port: int
    security: str  # tls | starttls | plain
    user: str
    password_env: str | None = None
    password_command: str | None = None
    password: str | None = field(default=None, repr=False)
    oauth2_token_command: str | None = None
    timeout: float = 30.0
    ca_file: str | None = None  # extra CA bundle (self-signed servers, tests)

    def tls_context(self) -> ssl.SSLContext:
        """Certificates and host names verified: the system's CAs plus ``ca_file``, if set."""
        ctx = ssl.create_default_context()
        if self.ca_file:
            try:
                ctx.load_verify_locations(cafile=self.ca_file)
            except (OSError, ssl.SSLError) as exc:
                raise ConfigError(f"ca_file: cannot load {self.ca_file!r}: {exc}") from exc
        return ctx

    def secret(self) -> str:
        """The password or OAuth2 token, fetched now (never cached in the config object)."""
        if self.oauth2_token_command:
            return _run_secret_command(self.oauth2_token_command, "oauth2_token_command")
        if self.password_env:
            value = os.environ.get(self.password_env)
            if value is None:
                raise ConfigError(f"password_env: environment variable {self.password_env} is not set")
            return value
        if self.password_command:
            return _run_secret_command(self.password_command, "password_command")
        if self.password is not None:
            return self.password
        raise ConfigError(f"{self.host}: no password_env, password_command or password is set")


@dataclass(frozen=True, slots=True, kw_only=True)
class ImapSettings(Server):
    folder: str = "INBOX"
    handled_folder: str | None = None  # None: mark handled with a flag and keep in place
    handled_flag: str = "$MailflowHandled"
    quarantine_folder: str = "Quarantine"
    sent_folder: str | None = "Sent"  # where to look for a Message-ID after an ambiguous send
    save_sent: bool = False  # APPEND what mailflow sends to sent_folder
    idle_timeout: float = 25 * 60  # re-IDLE before the 29-minute server limit
    full_poll_every: float = 10 * 60


@dataclass(frozen=True, slots=True, kw_only=True)
class SmtpSettings(Server):
    per_minute: int = 30
    per_day: int = 500
    retry_limit: int = 8


@dataclass(frozen=True, slots=True, kw_only=True)
class PolicySettings:
    authorised: tuple[str, ...]  # addresses, or "@domain" / "domain" for whole domains
    auth_serv_id: str | None = None  # require DKIM/DMARC pass from this Authentication-Results id
    max_recipients: int = 10
    max_per_day: int = 200
    max_thread_messages: int = 10
    max_attempts: int = 3


@dataclass(frozen=True, slots=True, kw_only=True)
class ScheduleSettings:
    agenda_request_before: dt.timedelta = dt.timedelta(days=2)
    reminder_before: dt.timedelta = dt.timedelta(hours=24)
    followups: bool = True
    default_duration: dt.timedelta = dt.timedelta(minutes=60)
    reschedule_days: int = 5


@dataclass(frozen=True, slots=True, kw_only=True)
class Limits:
    max_bytes: int = 25 * 1024 * 1024
    max_header_bytes: int = 256 * 1024
    max_headers: int = 1000
    max_depth: int = 20
    max_parts: int = 500
    max_text_chars: int = 1_000_000


@dataclass(frozen=True, slots=True, kw_only=True)
class Config:
    path: Path | None
    address: str  # mailflow's own address: the From of what it sends
    name: str
    owner: str | None  # the mailbox owner (not a participant)
    default_zone: str
    date_order: str  # DMY or MDY: how "03/12" is read when the writer's locale does not say
    people: tuple[Person, ...]
    imap: ImapSettings | None
    smtp: SmtpSettings | None
    store_path: Path
    lock_path: Path
    templates_dir: Path | None
    policy: PolicySettings
    schedule: ScheduleSettings
    limits: Limits = Limits()

    @property
    def self_addrs(self) -> tuple[str, ...]:
        return tuple(a for a in (self.address, self.owner) if a)


def _run_secret_command(command: str, key: str) -> str:
    try:
        out = subprocess.run(  # noqa: S603 - the user's own configured command
            shlex.split(command), capture_output=True, text=True, timeout=60, check=True
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise ConfigError(f"{key}: {command!r} failed: {exc}") from exc
    lines = out.stdout.strip().splitlines()
    if not lines:
        raise ConfigError(f"{key}: {command!r} printed nothing")
    return lines[0].strip()


# --- reading ---------------------------------------------------------------------------------

_DURATION = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+$")


class _Reader:
    """Typed access to a TOML table that names the full key in every error."""

    def __init__(self, table: dict[str, Any], prefix: str) -> None:
        self.table = table
        self.prefix = prefix
        self.used: set[str] = set()

    def key(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def get(self, name: str, kind: type | tuple[type, ...], default: Any = ..., ) -> Any:
        self.used.add(name)
        if name not in self.table:
            if default is ...:
                raise ConfigError(f"{self.key(name)}: missing (required)")
            return default
        value = self.table[name]
        if kind is int and isinstance(value, bool):
            raise ConfigError(f"{self.key(name)}: expected an integer, got {value!r}")
        if not isinstance(value, kind):
            want = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            raise ConfigError(f"{self.key(name)}: expected {want}, got {value!r}")
        return value

    def sub(self, name: str, required: bool = False) -> _Reader | None:
        self.used.add(name)
        if name not in self.table:
            if required:
                raise ConfigError(f"{self.key(name)}: missing section [{self.key(name)}]")
            return None
        value = self.table[name]
        if not isinstance(value, dict):
            raise ConfigError(f"{self.key(name)}: expected a table")
        return _Reader(value, f"{self.key(name)}.")

    def finish(self) -> None:
        unknown = sorted(set(self.table) - self.used)
        if unknown:
            raise ConfigError(f"{self.key(unknown[0])}: unknown key (check the spelling)")


def _zone(r: _Reader, name: str, default: Any = ...) -> str:
    value = r.get(name, str, default)
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(
            f"{r.key(name)}: {value!r} is not an IANA time zone (e.g. Europe/London)"
        ) from exc
    return str(value)


def _duration(r: _Reader, name: str, default: dt.timedelta) -> dt.timedelta:
    value = r.get(name, str, None)
    if value is None:
        return default
    m = _DURATION.match(value)
    if not m:
        raise ConfigError(f"{r.key(name)}: expected a duration like '45m', '24h' or '2d', got {value!r}")
    return dt.timedelta(**{_UNITS[m.group(2)]: int(m.group(1))})


def _clock(r: _Reader, name: str, default: str) -> tuple[dt.time, dt.time]:
    value = r.get(name, str, default)
    m = re.match(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$", value)
    if not m or int(m.group(1)) > 23 or int(m.group(3)) > 24:
        raise ConfigError(f"{r.key(name)}: expected working hours like '09:00-17:30', got {value!r}")
    end_h = int(m.group(3))
    end = dt.time(23, 59) if end_h == 24 else dt.time(end_h, int(m.group(4)))
    return dt.time(int(m.group(1)), int(m.group(2))), end


def _port(r: _Reader, default: int) -> int:
    port = r.get("port", int, default)
    if not 1 <= port <= 65535:
        raise ConfigError(f"{r.key('port')}: expected an integer from 1 to 65535, got {port!r}")
    return int(port)


def _server_fields(r: _Reader, default_ports: dict[str, int]) -> dict[str, Any]:
    security = r.get("security", str, "tls")
    if security not in SECURITY:
        raise ConfigError(f"{r.key('security')}: expected one of {', '.join(SECURITY)}, got {security!r}")
    fields: dict[str, Any] = {
        "host": r.get("host", str),
        "port": _port(r, default_ports[security]),
        "security": security,
        "user": r.get("user", str),
        "password_env": r.get("password_env", str, None),
        "password_command": r.get("password_command", str, None),
        "password": r.get("password", str, None),
        "oauth2_token_command": r.get("oauth2_token_command", str, None),
        "timeout": float(r.get("timeout", (int, float), 30.0)),
        "ca_file": r.get("ca_file", str, None),
    }
    if fields["timeout"] <= 0:
        raise ConfigError(f"{r.key('timeout')}: must be positive")
    if not any(fields[k] for k in ("password_env", "password_command", "password", "oauth2_token_command")):
        fields["password_env"] = f"MAILFLOW_{r.prefix.rstrip('.').upper()}_PASSWORD"
    return fields


def _people(r: _Reader | None, default_locale: str) -> tuple[Person, ...]:
    if r is None:
        return ()
    r.used.update(r.table)
    items = r.table.get("person", [])
    if not isinstance(items, list):
        raise ConfigError(f"{r.key('person')}: expected [[people.person]] entries")
    out = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise ConfigError(f"{r.key('person')}[{i}]: expected a table")
        p = _Reader(item, f"{r.key('person')}[{i}].")
        addrs = p.get("addrs", list, None)
        if addrs is None:
            addrs = [p.get("addr", str)]
        for a in addrs:
            if not isinstance(a, str) or not _EMAIL.match(a):
                raise ConfigError(f"{p.key('addrs')}: {a!r} is not an e-mail address")
        start, end = _clock(p, "work_hours", "09:00-18:00")
        country = p.get("country", str, None)
        out.append(
            Person(
                name=p.get("name", str),
                addrs=tuple(a.lower() for a in addrs),
                zone=_zone(p, "zone"),
                locale=p.get("locale", str, default_locale),
                country=country.upper() if country else None,
                work_start=start,
                work_end=end,
            )
        )
        p.finish()
    return tuple(out)


def parse_config(data: dict[str, Any], path: Path | None = None) -> Config:
    """Validate a decoded TOML document into a Config (pure apart from reading nothing)."""
    root = _Reader(data, "")
    base = path.parent if path else Path.cwd()

    def rel(value: str) -> Path:
        p = Path(os.path.expanduser(value))
        return p if p.is_absolute() else base / p

    account = root.sub("account", required=True)
    assert account is not None
    address = account.get("address", str).lower()
    if not _EMAIL.match(address):
        raise ConfigError(f"account.address: {address!r} is not an e-mail address")
    owner = account.get("owner", str, None)
    default_locale = account.get("locale", str, "en_GB")
    cfg_zone = _zone(account, "zone", "UTC")
    date_order = account.get("date_order", str, "DMY")
    if date_order not in ("DMY", "MDY"):
        raise ConfigError(f"account.date_order: expected DMY or MDY, got {date_order!r}")
    name = account.get("name", str, "mailflow")
    account.finish()

    imap = None
    ir = root.sub("imap")
    if ir is not None:
        fields = _server_fields(ir, {"tls": 993, "starttls": 143, "plain": 143})
        handled = ir.get("handled_folder", str, "") or None
        imap = ImapSettings(
            **fields,
            folder=ir.get("folder", str, "INBOX"),
            handled_folder=handled,
            handled_flag=ir.get("handled_flag", str, "$MailflowHandled"),
            quarantine_folder=ir.get("quarantine_folder", str, "Quarantine"),
            sent_folder=ir.get("sent_folder", str, "Sent") or None,
            save_sent=ir.get("save_sent", bool, False),
            idle_timeout=_duration(ir, "idle_timeout", dt.timedelta(minutes=25)).total_seconds(),
            full_poll_every=_duration(ir, "full_poll_every", dt.timedelta(minutes=10)).total_seconds(),
        )
        ir.finish()

    smtp = None
    sr = root.sub("smtp")
    if sr is not None:
        fields = _server_fields(sr, {"tls": 465, "starttls": 587, "plain": 25})
        smtp = SmtpSettings(
            **fields,
            per_minute=sr.get("per_minute", int, 30),
            per_day=sr.get("per_day", int, 500),
            retry_limit=sr.get("retry_limit", int, 8),
        )
        sr.finish()

    store = root.sub("store")
    store_path = rel(store.get("path", str, "mailflow.sqlite3")) if store else rel("mailflow.sqlite3")
    lock_path = rel(store.get("lock", str, str(store_path) + ".lock")) if store else Path(str(store_path) + ".lock")
    if store:
        store.finish()

    pr = root.sub("policy")
    policy_table = pr or _Reader({}, "policy.")
    authorised = policy_table.get("authorised", list, [])
    for a in authorised:
        if not isinstance(a, str) or not a.strip():
            raise ConfigError(f"policy.authorised: {a!r} is not an address or domain")
    policy = PolicySettings(
        authorised=tuple(a.strip().lower() for a in authorised),
        auth_serv_id=policy_table.get("auth_serv_id", str, "") or None,
        max_recipients=policy_table.get("max_recipients", int, 10),
        max_per_day=policy_table.get("max_per_day", int, 200),
        max_thread_messages=policy_table.get("max_thread_messages", int, 10),
        max_attempts=policy_table.get("max_attempts", int, 3),
    )
    policy_table.finish()

    sch = root.sub("schedule") or _Reader({}, "schedule.")
    schedule = ScheduleSettings(
        agenda_request_before=_duration(sch, "agenda_request_before", dt.timedelta(days=2)),
        reminder_before=_duration(sch, "reminder_before", dt.timedelta(hours=24)),
        followups=sch.get("followups", bool, True),
        default_duration=_duration(sch, "default_duration", dt.timedelta(minutes=60)),
        reschedule_days=sch.get("reschedule_days", int, 5),
    )
    sch.finish()

    tr = root.sub("templates")
    templates_dir = None
    if tr is not None:
        d = tr.get("dir", str, "")
        templates_dir = rel(d) if d else None
        tr.finish()

    lr = root.sub("limits") or _Reader({}, "limits.")
    limits = Limits(
        max_bytes=lr.get("max_bytes", int, Limits().max_bytes),
        max_header_bytes=lr.get("max_header_bytes", int, Limits().max_header_bytes),
        max_headers=lr.get("max_headers", int, Limits().max_headers),
        max_depth=lr.get("max_depth", int, Limits().max_depth),
        max_parts=lr.get("max_parts", int, Limits().max_parts),
        max_text_chars=lr.get("max_text_chars", int, Limits().max_text_chars),
    )
    lr.finish()

    people = _people(root.sub("people"), default_locale)
    root.finish()
    return Config(
        path=path,
        address=address,
        name=name,
        owner=owner.lower() if owner else None,
        default_zone=cfg_zone,
        date_order=date_order,
        people=people,
        imap=imap,
        smtp=smtp,
        store_path=store_path,
        lock_path=lock_path,
        templates_dir=templates_dir,
        policy=policy,
        schedule=schedule,
        limits=limits,
    )


def find_config_path(explicit: str | None) -> Path | None:
    if explicit:
        return Path(explicit)
    candidates = []
    if os.environ.get("MAILFLOW_CONFIG"):
        candidates.append(Path(os.environ["MAILFLOW_CONFIG"]))
    candidates.append(Path("mailflow.toml"))
    xdg = os.environ.get("XDG_CONFIG_HOME") or os.path.expanduser("~/.config")
    candidates.append(Path(xdg) / "mailflow" / "config.toml")
    return next((c for c in candidates if c.is_file()), None)


def load_config(explicit: str | None = None, *, required: bool = True) -> Config:
    path = find_config_path(explicit)
    if path is None:
        if required:
            raise ConfigError(
                "no configuration found: pass --config FILE, set MAILFLOW_CONFIG, or run "
                "'mailflow init' (looked for ./mailflow.toml and ~/.config/mailflow/config.toml)"
            )
        return parse_config({"account": {"address": "mailflow@localhost"}})
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: no such file") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    return parse_config(data, path.resolve())
