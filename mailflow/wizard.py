"""`mailflow init`: write a first configuration, from prompts on a terminal or from flags.

Rules: the file is validated by ``config.parse_config`` before it is written; it never holds a
password (``password_env`` or ``oauth2_token_command`` name where the secret comes from); it is
created with mode 0600 and never overwrites an existing file without ``--force``.
"""

from __future__ import annotations

import argparse
import os
import re
import tomllib
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config import parse_config
from .errors import ConfigError, OurFault

# Known providers: (imap host, port, security), (smtp host, port, security), how to log in.
PROVIDERS: dict[str, dict[str, Any]] = {
    "gmail": {"imap": ("imap.gmail.com", 993, "tls"), "smtp": ("smtp.gmail.com", 465, "tls"),
              "auth": "oauth2", "sent": "[Gmail]/Sent Mail"},
    "microsoft": {"imap": ("outlook.office365.com", 993, "tls"),
                  "smtp": ("smtp.office365.com", 587, "starttls"), "auth": "oauth2",
                  "sent": "Sent Items"},
    "fastmail": {"imap": ("imap.fastmail.com", 993, "tls"), "smtp": ("smtp.fastmail.com", 465, "tls"),
                 "auth": "app-password", "sent": "Sent"},
    "icloud": {"imap": ("imap.mail.me.com", 993, "tls"), "smtp": ("smtp.mail.me.com", 587, "starttls"),
               "auth": "app-password", "sent": "Sent Messages"},
}

_PERSON = re.compile(r"^\s*(?P<name>[^<>]*?)\s*<(?P<addr>[^<>\s]+@[^<>\s]+)>\s*(?P<zone>\S+)?\s*$")


def guess_zone(environ: dict[str, str] | None = None, root: Path = Path("/")) -> str | None:
    """The system's IANA zone: $TZ, /etc/timezone, or where /etc/localtime points; else None."""
    env = os.environ if environ is None else environ
    candidates: list[str] = []
    tz = env.get("TZ", "").lstrip(":")
    if tz:
        candidates.append(tz.split("zoneinfo/")[-1])
    try:
        candidates.append((root / "etc/timezone").read_text(encoding="utf-8").strip())
    except OSError:
        pass
    try:
        target = os.readlink(root / "etc/localtime")
        if "zoneinfo/" in target:
            candidates.append(target.split("zoneinfo/", 1)[1])
    except OSError:
        pass
    for name in candidates:
        if valid_zone(name):
            return name
    return None


def valid_zone(name: str) -> bool:
    if not name or name.startswith("/") or ".." in name:
        return False
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def parse_person(text: str, default_zone: str) -> dict[str, str]:
    """``"Ana Lima <ana@example.com> America/Sao_Paulo"`` -> a [[people.person]] table."""
    m = _PERSON.match(text)
    if not m:
        raise ConfigError(f"--person: expected 'Name <addr> Zone', got {text!r}")
    zone = m.group("zone") or default_zone
    if not valid_zone(zone):
        raise ConfigError(f"--person: {zone!r} is not an IANA time zone (e.g. Europe/London)")
    name = m.group("name").strip().strip('"') or m.group("addr").split("@")[0]
    return {"name": name, "addr": m.group("addr").lower(), "zone": zone}


def default_output() -> Path:
    xdg = os.environ.get("XDG_CONFIG_HOME") or os.path.expanduser("~/.config")
    return Path(xdg) / "mailflow" / "config.toml"


def default_store(output: Path) -> str:
    if output == default_output():
        state = os.environ.get("XDG_STATE_HOME") or os.path.expanduser("~/.local/state")
        return str(Path(state) / "mailflow" / "mailflow.sqlite3")
    return "mailflow.sqlite3"  # beside the configuration file


# --- answers -> TOML ---------------------------------------------------------------------------


@dataclass(slots=True)
class Answers:
    address: str = ""
    name: str = "mailflow"
    owner: str = ""
    zone: str = "UTC"
    provider: str = ""
    imap_host: str = ""
    imap_port: int = 993
    imap_security: str = "tls"
    imap_user: str = ""
    smtp_host: str = ""
    smtp_port: int = 465
    smtp_security: str = "tls"
    smtp_user: str = ""
    auth: str = "password"  # password | oauth2
    oauth2_command: str = ""
    folder: str = "INBOX"
    sent_folder: str = "Sent"
    authorised: tuple[str, ...] = ()
    people: tuple[dict[str, str], ...] = ()
    store: str = "mailflow.sqlite3"


def _q(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_q(v) for v in value) + "]"
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def render_toml(a: Answers) -> str:
    lines = [
        "# mailflow configuration, written by 'mailflow init'. Passwords are never stored here:",
        "# they come from the environment variable named by password_env (or a command).",
        "",
        "[account]",
        f"address = {_q(a.address)}",
        f"name = {_q(a.name)}",
    ]
    if a.owner:
        lines.append(f"owner = {_q(a.owner)}")
    lines += [f"zone = {_q(a.zone)}", ""]
    for section, host, port, security, user in (
        ("imap", a.imap_host, a.imap_port, a.imap_security, a.imap_user),
        ("smtp", a.smtp_host, a.smtp_port, a.smtp_security, a.smtp_user),
    ):
        lines += [
            f"[{section}]",
            f"host = {_q(host)}",
            f"port = {port}",
            f"security = {_q(security)}",
            f"user = {_q(user or a.address)}",
        ]
        if a.auth == "oauth2":
            lines.append(f"oauth2_token_command = {_q(a.oauth2_command)}")
        else:
            lines.append(f"password_env = {_q(f'MAILFLOW_{section.upper()}_PASSWORD')}")
        if section == "imap":
            lines += [f"folder = {_q(a.folder)}", 'quarantine_folder = "Quarantine"',
                      f"sent_folder = {_q(a.sent_folder)}"]
        lines.append("")
    lines += ["[store]", f"path = {_q(a.store)}", "", "[policy]",
              "# who may trigger mail: addresses, or \"@domain\" for a whole domain",
              f"authorised = {_q(list(a.authorised))}", ""]
    for p in a.people:
        lines += ["[[people.person]]", f"name = {_q(p['name'])}", f"addr = {_q(p['addr'])}",
                  f"zone = {_q(p['zone'])}", ""]
    return "\n".join(lines)


def validate(text: str, output: Path) -> None:
    try:
        parse_config(tomllib.loads(text), output.resolve())
    except tomllib.TOMLDecodeError as exc:  # a bug in render_toml, not the user's fault
        raise OurFault(f"init produced invalid TOML: {exc}") from exc


def write_config(text: str, output: Path, *, force: bool) -> None:
    """Write with mode 0600; refuse to replace an existing file unless ``force``."""
    if output.exists() and not force:
        raise ConfigError(f"{output} exists; pass --force to replace it")
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(output.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(tmp, 0o600)
    os.replace(tmp, output)


# --- flags and prompts ---------------------------------------------------------------------------


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--address", help="mailflow's own address (the From of what it sends)")
    p.add_argument("--name", help="display name for that address (default: mailflow)")
    p.add_argument("--owner", help="the mailbox owner's own address (not a participant)")
    p.add_argument("--zone", help="your IANA time zone (default: guessed from the system)")
    p.add_argument("--provider", choices=sorted(PROVIDERS), help="fill in a known provider's servers")
    p.add_argument("--imap-host")
    p.add_argument("--imap-port", type=int)
    p.add_argument("--imap-security", choices=["tls", "starttls", "plain"])
    p.add_argument("--imap-user", help="IMAP login (default: the address)")
    p.add_argument("--smtp-host")
    p.add_argument("--smtp-port", type=int)
    p.add_argument("--smtp-security", choices=["tls", "starttls", "plain"])
    p.add_argument("--smtp-user", help="SMTP login (default: the IMAP login)")
    p.add_argument("--oauth2-command", help="command printing an OAuth2 access token (Gmail, Microsoft 365)")
    p.add_argument("--folder", help="the folder mailflow reads (default: INBOX)")
    p.add_argument("--authorised", action="append", default=[], metavar="ADDR|@DOMAIN",
                   help="who may trigger mail (repeatable; default: the owner or the address's domain)")
    p.add_argument("--person", action="append", default=[], metavar='"Name <addr> Zone"',
                   help="a regular participant and their zone (repeatable)")
    p.add_argument("--output", help="where to write (default: ~/.config/mailflow/config.toml)")
    p.add_argument("--force", action="store_true", help="replace an existing file")
    p.add_argument("--non-interactive", action="store_true", help="never prompt, even on a terminal")


Ask = Callable[[str, str], str]


def _ask_stdin(question: str, default: str) -> str:
    suffix = f" [{default}]" if default else ""
    try:
        answer = input(f"{question}{suffix}: ").strip()
    except EOFError:
        answer = ""
    return answer or default


def _port(text: str, key: str) -> int:
    try:
        port = int(text)
    except ValueError as exc:
        raise ConfigError(f"{key}: expected a port number, got {text!r}") from exc
    if not 1 <= port <= 65535:
        raise ConfigError(f"{key}: expected a port number, got {text!r}")
    return port


def collect(args: argparse.Namespace, ask: Ask | None, guessed_zone: str | None) -> Answers:
    """Merge flags, provider presets and (when ``ask`` is given) the user's answers."""
    a = Answers()

    def pick(flag: Any, question: str, default: str, required: str | None = None) -> str:
        """The flag's value, else the answer (when asking), else the default."""
        if flag not in (None, ""):
            return str(flag)
        if ask is not None:
            while True:
                value = ask(question, default)
                if value or not required:
                    return value
        if required and not default:
            raise ConfigError(f"{required}: required (or run 'mailflow init' on a terminal to be asked)")
        return default

    a.address = pick(args.address, "Address", "", "--address").lower()
    if "@" not in a.address:
        raise ConfigError(f"--address: {a.address!r} is not an e-mail address")
    a.name = pick(args.name, "Display name", "mailflow")
    a.owner = pick(args.owner, "Owner address (optional)", "").lower()
    a.zone = pick(args.zone, "Your time zone", guessed_zone or "UTC")
    if not valid_zone(a.zone):
        raise ConfigError(f"--zone: {a.zone!r} is not an IANA time zone (e.g. Europe/London)")
    provider = args.provider or ""
    if not provider and ask is not None and not args.imap_host:
        domain = a.address.rsplit("@", 1)[1]
        hint = {"gmail.com": "gmail", "googlemail.com": "gmail", "outlook.com": "microsoft",
                "hotmail.com": "microsoft", "fastmail.com": "fastmail", "icloud.com": "icloud",
                "me.com": "icloud"}.get(domain, "")
        provider = ask(f"Provider ({', '.join(sorted(PROVIDERS))}, or empty for other)", hint)
        if provider and provider not in PROVIDERS:
            raise ConfigError(f"--provider: unknown provider {provider!r}")
    preset = PROVIDERS.get(provider, {})
    imap_p = preset.get("imap", ("", 993, "tls"))
    smtp_p = preset.get("smtp", ("", 465, "tls"))
    a.provider = provider
    a.imap_host = pick(args.imap_host, "IMAP host", imap_p[0], "--imap-host")
    a.imap_security = pick(args.imap_security, "IMAP security (tls, starttls, plain)", imap_p[2])
    a.imap_port = _port(pick(args.imap_port, "IMAP port",
                             str(imap_p[1] if a.imap_security == imap_p[2] else
                                 {"tls": 993}.get(a.imap_security, 143))), "--imap-port")
    a.imap_user = pick(args.imap_user, "IMAP login", a.address)
    a.smtp_host = pick(args.smtp_host, "SMTP host", smtp_p[0], "--smtp-host")
    a.smtp_security = pick(args.smtp_security, "SMTP security (tls, starttls, plain)", smtp_p[2])
    a.smtp_port = _port(pick(args.smtp_port, "SMTP port",
                             str(smtp_p[1] if a.smtp_security == smtp_p[2] else
                                 {"tls": 465, "starttls": 587}.get(a.smtp_security, 25))), "--smtp-port")
    a.smtp_user = pick(args.smtp_user, "SMTP login", a.imap_user)
    for key in ("imap_security", "smtp_security"):
        if getattr(a, key) not in ("tls", "starttls", "plain"):
            raise ConfigError(f"--{key.replace('_', '-')}: expected tls, starttls or plain")
    if args.oauth2_command or preset.get("auth") == "oauth2":
        a.auth = "oauth2"
        a.oauth2_command = pick(args.oauth2_command, "Command that prints an OAuth2 access token",
                                "oama access " + a.imap_user, "--oauth2-command")
    a.folder = pick(args.folder, "Folder to read", "INBOX")
    a.sent_folder = str(preset.get("sent", "Sent"))
    authorised = tuple(args.authorised)
    if not authorised:
        default_auth = a.owner or "@" + a.address.rsplit("@", 1)[1]
        answer = pick(None, "Who may trigger mail (addresses or @domains, comma-separated)", default_auth)
        authorised = tuple(x.strip().lower() for x in answer.split(",") if x.strip())
    a.authorised = authorised
    people = [parse_person(p, a.zone) for p in args.person]
    if ask is not None and not args.person:
        while True:
            line = ask("Add a participant as 'Name <addr> Zone' (empty to finish)", "")
            if not line:
                break
            try:
                people.append(parse_person(line, a.zone))
            except ConfigError as exc:
                print(f"  {exc}")
    a.people = tuple(people)
    return a


def run_init(args: argparse.Namespace, *, interactive: bool, ask: Ask | None = None) -> tuple[Path, Answers]:
    """Collect answers, validate, write. Returns the path written and the answers."""
    output = Path(os.path.expanduser(args.output)) if args.output else default_output()
    if output.exists() and not args.force:
        raise ConfigError(f"{output} exists; pass --force to replace it")
    guessed = guess_zone()
    answers = collect(args, (ask or _ask_stdin) if interactive else None, guessed)
    answers.store = default_store(output)
    text = render_toml(answers)
    validate(text, output)
    write_config(text, output, force=args.force)
    return output, answers


def next_steps(output: Path, a: Answers) -> str:
    lines = [f"wrote {output} (mode 0600)"]
    if a.auth == "oauth2":
        lines.append(f"  OAuth2: '{a.oauth2_command}' must print a fresh access token")
    else:
        lines.append("  set the passwords in the environment: MAILFLOW_IMAP_PASSWORD, MAILFLOW_SMTP_PASSWORD")
        if a.provider in ("fastmail", "icloud"):
            lines.append(f"  ({a.provider} needs an app-specific password, not your account password)")
    lines.append(f"  then: mailflow --config {output} check")
    return "\n".join(lines)
