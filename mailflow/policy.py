"""Who may make mailflow write, and to whom: the screening rules and the recipient filter.

Rules of this module: pure (no I/O, no clock, no logging). Each screening rule is a small
function named for the single check it makes, with a one-line docstring; it returns ``None``
when the letter passes, or a short reason when it does not. ``screen`` runs them in order and
returns the first refusal as a ``Verdict`` -- "not for us" is a value, never an exception.

Order of the rules (the first that objects wins):

    several_from      more than one From header, or a From naming several addresses
    loop              mail from mailflow itself (own address, X-Mailflow-Key, our Auto-Submitted)
    auto_submitted    RFC 3834 Auto-Submitted other than "no"
    precedence        Precedence: bulk / junk / list / auto_reply
    mailing_list      List-Id / List-Unsubscribe / List-Post present
    bounce_sender     null or empty Return-Path, MAILER-DAEMON or postmaster as sender
    delivery_report   multipart/report (DSN, MDN, feedback) or a bare delivery-status body
    auto_reply        X-Autoreply / X-Autorespond ... headers, or an out-of-office subject
    no_from           no From address at all
    invalid_from      a From that does not read as one plain, valid address
    unauthorised      the sender is not in the authorised list
    unauthenticated   our own server's Authentication-Results shows no aligned DMARC/DKIM pass
    thread_limit      mailflow already took part in enough messages of this thread

Authorised entries: "user@example.com" (that address), "@example.com" or "example.com" (that
domain exactly), ".example.com" or "@.example.com" (any subdomain of it, not the domain itself).
Matching is exact and case-insensitive; subdomains are never implied.

Authentication: only ``Authentication-Results`` fields whose authserv-id equals the configured
one count, and of those only the topmost (the one our server added last, RFC 8601 section 5);
any others -- forged by the sender or added by hops before ours -- are ignored.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from email.headerregistry import HeaderRegistry

from .model import Address, Letter, Meeting

__all__ = [
    "RULES",
    "Screening",
    "Verdict",
    "recipients",
    "safe_header_value",
    "screen",
    "valid_address",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class Verdict:
    """The outcome of screening a letter: ok, or the rule that refused it and why."""

    ok: bool
    rule: str | None
    reason: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Screening:
    """What the rules look at: the letter, the settings, and the From header read once."""

    letter: Letter
    authorised: tuple[str, ...]
    self_addrs: tuple[str, ...]
    auth_serv_id: str | None
    thread_count: int
    max_thread_messages: int
    from_fields: int  # how many From header fields the letter has
    senders: tuple[str, ...]  # lower-cased addr-specs the From field(s) name
    from_problem: str | None  # why the From does not read cleanly, if it does not


# --- addresses and header values ------------------------------------------------------------

_LINE_BREAKS = re.compile("[\r\n\0\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
# dot-atom text, minus the characters a template or a shell might read ({ } | `)
_ATOM = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_~-]+\Z")
_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)\Z")


def _atom_ok(atom: str, smtputf8: bool) -> bool:
    if _ATOM.match(atom):
        return True
    if not smtputf8 or not atom:
        return False
    return all(
        (ord(c) < 128 and _ATOM.match(c) is not None)
        or (ord(c) >= 128 and unicodedata.category(c)[0] in "LMN")
        for c in atom
    )


def _domain_ok(domain: str) -> bool:
    if not domain or domain.startswith("[") or len(domain) > 253:
        return False
    if not domain.isascii():
        try:
            domain = domain.encode("idna").decode("ascii")
        except UnicodeError:
            return False
    labels = domain.lower().split(".")
    if not all(_LABEL.match(label) for label in labels):
        return False
    if len(labels) == 1:
        return labels[0] == "localhost"
    return not labels[-1].isdigit()


def valid_address(addr: str, *, smtputf8: bool = False) -> bool:
    """True when addr is one plain addr-spec mailflow will write to (strict on purpose).

    Refused: empty, longer than 254 octets, any control or space character, not exactly one
    '@', quoted or commented local parts, commas, angle brackets, template characters, empty
    or leading/trailing/double dots, domain literals, dotless domains other than localhost,
    and a non-ASCII local part unless ``smtputf8``.
    """
    if not isinstance(addr, str) or not addr:
        return False
    try:
        if len(addr.encode("utf-8")) > 254:
            return False
    except UnicodeError:  # lone surrogates (undecodable bytes smuggled in)
        return False
    if addr.count("@") != 1:
        return False
    local, domain = addr.split("@")
    if not local or len(local.encode("utf-8")) > 64:
        return False
    if not all(_atom_ok(atom, smtputf8) for atom in local.split(".")):
        return False
    return _domain_ok(domain)


def safe_header_value(value: str) -> str:
    """Return value unchanged if it cannot break out of a header line; raise ValueError if not."""
    m = _LINE_BREAKS.search(value)
    if m:
        raise ValueError(f"header value contains {m.group(0)!r} at {m.start()}")
    return value


# --- reading the letter ---------------------------------------------------------------------

_REGISTRY = HeaderRegistry()
_MAX_FROM_CHARS = 2000  # a From longer than this is not a person writing
_MAX_SCAN = 4096  # characters of any header value the rules look at


def _values(letter: Letter, name: str) -> list[str]:
    return [v for n, v in letter.header_fields if n.lower() == name]


def _has(letter: Letter, name: str) -> bool:
    return any(n.lower() == name for n, _ in letter.header_fields)


def _first_token(value: str) -> str:
    """The first word of a structured value, comments and parameters dropped, lower-cased."""
    m = re.match(r"\s*(?:\([^)]*\)\s*)*([^\s;(]*)", value[:_MAX_SCAN])
    return m.group(1).lower() if m else ""


def _read_from(value: str) -> tuple[tuple[str, ...], str | None]:
    """The addr-specs one From value names, and what is wrong with it (None if nothing)."""
    if len(value) > _MAX_FROM_CHARS:
        return (), f"From is {len(value)} characters long"
    if _LINE_BREAKS.search(value):
        return (), "From contains a line break or NUL"
    try:
        header = _REGISTRY("from", value)
        addrs = tuple(a.addr_spec.lower() for a in header.addresses)  # type: ignore[attr-defined]
        defects = list(header.defects)
    except Exception as exc:  # noqa: BLE001 - the stdlib parser has failed oddly on junk before
        return (), f"From cannot be read ({type(exc).__name__})"
    for d in defects:
        kind = type(d).__name__
        if kind in ("InvalidHeaderDefect", "NonPrintableDefect", "HeaderMissingRequiredValue"):
            return addrs, f"From is malformed ({d})"
        if kind == "ObsoleteHeaderDefect" and "route" in str(d):
            return addrs, "From uses an obsolete source route"
    return addrs, None


def _screening(
    letter: Letter,
    *,
    authorised: tuple[str, ...],
    self_addrs: tuple[str, ...],
    auth_serv_id: str | None,
    thread_count: int,
    max_thread_messages: int,
) -> Screening:
    raw = _values(letter, "from")
    parsed = tuple(a.addr.lower() for a in letter.headers.from_)
    senders: list[str] = []
    problem: str | None = None
    for value in raw[:5]:
        addrs, why = _read_from(value)
        senders.extend(addrs)
        problem = problem or why
    if not raw:
        senders = list(parsed)
    elif not problem and len(senders) == 1 and set(parsed) != set(senders):
        problem = f"From reads as {senders[0]!r} here but as {', '.join(parsed)!r} to the parser"
    return Screening(
        letter=letter,
        authorised=tuple(a.strip().lower() for a in authorised if a.strip()),
        self_addrs=tuple(a.strip().lower() for a in self_addrs if a.strip()),
        auth_serv_id=auth_serv_id.strip().lower() if auth_serv_id else None,
        thread_count=thread_count,
        max_thread_messages=max_thread_messages,
        from_fields=max(len(raw), 1 if parsed else 0),
        senders=tuple(dict.fromkeys(s for s in senders if s and s != "<>")),
        from_problem=problem,
    )


def _domain(addr: str) -> str:
    return addr.rpartition("@")[2].lower().rstrip(".")


def _local(addr: str) -> str:
    return addr.rpartition("@")[0].lower() if "@" in addr else addr.lower()


# --- the rules ------------------------------------------------------------------------------


def several_from(s: Screening) -> str | None:
    """Refuse a letter with more than one From field or a From naming several addresses."""
    if s.from_fields > 1:
        return f"{s.from_fields} From header fields"
    if len(s.senders) > 1:
        return "From names several addresses"
    return None


_OWN_AUTO = re.compile(r"mailflow", re.I)


def loop(s: Screening) -> str | None:
    """Refuse our own mail coming back: own address as sender, X-Mailflow-Key or our Auto-Submitted."""
    # An own address listed by itself in `authorised` (the mailbox owner, who forwards notes)
    # may write; mailflow's own mail is still caught by the markers it always sets.
    own = set(s.self_addrs) - set(s.authorised)
    for addr in s.senders:
        if addr in own:
            return f"own mail: From is mailflow's own address {addr}"
    for value in _values(s.letter, "return-path") + _values(s.letter, "sender"):
        addrs, _ = _read_from(value)
        if any(a in own for a in addrs):
            return "own mail: Return-Path/Sender is mailflow's own address"
    if _has(s.letter, "x-mailflow-key"):
        return "own mail: carries X-Mailflow-Key"
    for value in _values(s.letter, "auto-submitted"):
        if _OWN_AUTO.search(value[:_MAX_SCAN]):
            return "own mail: Auto-Submitted set by mailflow"
    return None


def auto_submitted(s: Screening) -> str | None:
    """Refuse automatically submitted mail (RFC 3834: Auto-Submitted other than "no")."""
    for value in _values(s.letter, "auto-submitted"):
        token = _first_token(value)
        if token != "no":
            return f"Auto-Submitted: {token or '(empty)'}"
    return None


_BULK = frozenset({"bulk", "junk", "list", "auto_reply"})


def precedence(s: Screening) -> str | None:
    """Refuse bulk, junk, list and auto-reply mail by its Precedence field."""
    for value in _values(s.letter, "precedence") + _values(s.letter, "x-precedence"):
        token = _first_token(value)
        if token in _BULK:
            return f"Precedence: {token}"
    return None


_LIST_FIELDS = ("list-id", "list-unsubscribe", "list-post")


def mailing_list(s: Screening) -> str | None:
    """Refuse mail that came through a mailing list (List-Id, List-Unsubscribe, List-Post)."""
    for name in _LIST_FIELDS:
        if _has(s.letter, name):
            return f"mailing-list mail ({name})"
    return None


_DAEMONS = frozenset({"mailer-daemon", "postmaster", "mailer_daemon", "mail-daemon"})
_ADDR_TOKEN = re.compile(r"<\s*([^<>\s]*)\s*>|([^\s<>,;]+@[^\s<>,;]+)")


def _daemon_in(value: str) -> bool:
    text = value[:_MAX_SCAN]
    candidates = [a or b for a, b in _ADDR_TOKEN.findall(text)] or [text.strip()]
    return any(_local(c.strip('"')) in _DAEMONS for c in candidates if c)


def bounce_sender(s: Screening) -> str | None:
    """Refuse bounces by sender: null or empty Return-Path, MAILER-DAEMON or postmaster."""
    for value in _values(s.letter, "return-path"):
        inner = value.strip()
        if inner in ("", "<>") or re.fullmatch(r"<\s*>", inner):
            return "null Return-Path (<>)"
    for name in ("from", "sender", "return-path"):
        for value in _values(s.letter, name):
            if _daemon_in(value):
                return f"{name.title()} is a mailer daemon or postmaster"
    if any(_local(a) in _DAEMONS for a in s.senders):
        return "From is a mailer daemon or postmaster"
    return None


_REPORT = re.compile(
    r"^\s*(multipart/report|message/delivery-status|message/global-delivery-status|"
    r"message/disposition-notification|message/feedback-report)\b",
    re.I,
)


def delivery_report(s: Screening) -> str | None:
    """Refuse delivery-status, disposition-notification and other report bodies (bounces)."""
    for value in _values(s.letter, "content-type"):
        m = _REPORT.match(value[:_MAX_SCAN])
        if m:
            kind = re.search(r"report-type\s*=\s*\"?([\w-]+)", value[:_MAX_SCAN], re.I)
            return f"{m.group(1).lower()}" + (f" ({kind.group(1).lower()})" if kind else "")
    return None


_AUTO_FIELDS = (
    "x-autoreply",
    "x-autorespond",
    "x-autoresponder",
    "x-autogenerated",
    "x-autoreply-from",
    "x-mail-autoreply",
    "x-auto-reply",
)
_AUTO_SUBJECT = re.compile(
    r"^\s*(?:"
    r"out of (?:the )?office(?:\s+(?:auto-?\s?reply|reply|notice))?\s*(?::|$)"
    r"|automatic reply\s*:|auto(?:matic)?[- ]?(?:reply|response)\s*:|autoreply\s*:|auto\s*:"
    r"|abwesenheitsnotiz|automatische antwort\s*:|r[ée]ponse automatique\s*:"
    r"|respuesta autom[áa]tica\s*:|risposta automatica\s*:|automatisch antwoord\s*:"
    r")",
    re.I,
)


def auto_reply(s: Screening) -> str | None:
    """Refuse auto-replies: X-Autoreply-style fields or an out-of-office / automatic-reply subject."""
    for name in _AUTO_FIELDS:
        for value in _values(s.letter, name):
            if _first_token(value) not in ("no", "false", "0"):
                return f"auto-reply ({name})"
    if _AUTO_SUBJECT.match(s.letter.headers.subject[:200]):
        return "auto-reply subject"
    return None


def no_from(s: Screening) -> str | None:
    """Refuse a letter whose From names nobody."""
    if not s.senders and not s.from_problem:
        return "no From address"
    return None


def invalid_from(s: Screening) -> str | None:
    """Refuse a From that does not read as one plain, valid address."""
    if s.from_problem or not s.senders:
        return s.from_problem or "From names no address"
    if not valid_address(s.senders[0]):
        return f"From address {s.senders[0][:80]!r} is not a plain valid address"
    return None


def _authorised(addr: str, entries: tuple[str, ...]) -> bool:
    domain = _domain(addr)
    for entry in entries:
        if entry.startswith("@"):
            entry = entry[1:]
        elif "@" in entry:
            if addr == entry:
                return True
            continue
        if entry.startswith("."):
            if len(entry) > 1 and domain.endswith(entry):
                return True
        elif entry and domain == entry:
            return True
    return False


def unauthorised(s: Screening) -> str | None:
    """Refuse a sender who is not in the authorised list."""
    if not _authorised(s.senders[0], s.authorised):
        return f"{s.senders[0]} is not an authorised sender"
    return None


def _ar_split(value: str) -> list[list[str]]:
    """Authentication-Results -> [[authserv-id, version?], [method=result, ptype.prop=value, ...]...].

    Comments (nested) are dropped, quoted strings kept as one token without the quotes.
    """
    segments: list[list[str]] = [[]]
    token: list[str] = []
    depth = 0
    quoted = False
    escaped = False

    def end_token() -> None:
        if token:
            segments[-1].append("".join(token))
            token.clear()

    for c in value[:_MAX_SCAN]:
        if escaped:
            token.append(c)
            escaped = False
        elif c == "\\" and (quoted or depth):
            escaped = True
        elif quoted:
            if c == '"':
                quoted = False
            else:
                token.append(c)
        elif depth:
            depth += {"(": 1, ")": -1}.get(c, 0)
        elif c == "(":
            depth = 1
            end_token()
        elif c == '"':
            quoted = True
        elif c == ";":
            end_token()
            segments.append([])
        elif c.isspace():
            end_token()
        else:
            token.append(c)
    end_token()
    return segments


def _aligned(signer: str, domain: str) -> bool:
    signer = signer.lower().strip().rstrip(".")
    if not signer or "." not in signer or not domain:
        return False
    return signer == domain or domain.endswith("." + signer) or signer.endswith("." + domain)


def _authentic(resinfos: list[list[str]], from_domain: str) -> bool:
    for tokens in resinfos:
        if not tokens or "=" not in tokens[0]:
            continue
        method, _, result = tokens[0].partition("=")
        method = method.split("/")[0].lower()
        if result.lower() != "pass":
            continue
        props: dict[str, str] = {}
        for tok in tokens[1:]:
            key, eq, val = tok.partition("=")
            if eq:
                props.setdefault(key.lower(), val)
        if method == "dmarc":
            stated = props.get("header.from")
            if stated is None or stated.lower().rstrip(".") == from_domain:
                return True
        elif method == "dkim":
            d = props.get("header.d")
            i = props.get("header.i")
            if d is not None and _aligned(d, from_domain):
                return True
            if i is not None and _aligned(i.rpartition("@")[2], from_domain):
                return True
    return False


def unauthenticated(s: Screening) -> str | None:
    """Refuse mail our own server did not see pass DMARC, or DKIM aligned with the From domain."""
    if not s.auth_serv_id:
        return None
    for value in _values(s.letter, "authentication-results")[:100]:
        segments = _ar_split(value)
        head = segments[0]
        if not head or head[0].lower().rstrip(".") != s.auth_serv_id.rstrip("."):
            continue  # another server's (or the sender's own, forged) results
        if _authentic(segments[1:], _domain(s.senders[0])):
            return None
        return f"{s.auth_serv_id} reports no DMARC pass or aligned DKIM pass"
    return f"no Authentication-Results from {s.auth_serv_id}"


def thread_limit(s: Screening) -> str | None:
    """Refuse to take part in a thread once it holds enough messages."""
    if s.thread_count >= s.max_thread_messages:
        return f"thread already has {s.thread_count} messages (limit {s.max_thread_messages})"
    return None


Rule = Callable[[Screening], str | None]

RULES: tuple[Rule, ...] = (
    several_from,
    loop,
    auto_submitted,
    precedence,
    mailing_list,
    bounce_sender,
    delivery_report,
    auto_reply,
    no_from,
    invalid_from,
    unauthorised,
    unauthenticated,
    thread_limit,
)


def screen(
    letter: Letter,
    *,
    authorised: tuple[str, ...],
    self_addrs: tuple[str, ...],
    auth_serv_id: str | None,
    thread_count: int,
    max_thread_messages: int,
) -> Verdict:
    """Run the rules in order; the first that objects decides. Ok when none does."""
    s = _screening(
        letter,
        authorised=authorised,
        self_addrs=self_addrs,
        auth_serv_id=auth_serv_id,
        thread_count=thread_count,
        max_thread_messages=max_thread_messages,
    )
    for rule in RULES:
        reason = rule(s)
        if reason is not None:
            return Verdict(ok=False, rule=rule.__name__, reason=reason)
    return Verdict(ok=True, rule=None, reason=None)


# --- recipients -----------------------------------------------------------------------------

_NAME_JUNK = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def _clean_name(name: str) -> str:
    """A display name with control and bidi characters turned into spaces, at most 128 chars."""
    return " ".join(_NAME_JUNK.sub(" ", name[:512]).split())[:128]


def _named_in(meeting: Meeting) -> set[str]:
    """Every address the message's headers (outer, forwarded, attached) or invites name."""
    found: set[str] = set()
    note = meeting.note
    heads = [note.letter.headers] + ([note.original] if note.original else [])
    pending = list(note.letter.attached)
    while pending and len(heads) < 50:
        inner = pending.pop()
        heads.append(inner.headers)
        pending.extend(inner.attached)
    for h in heads:
        found.update(a.addr.lower() for a in h.from_ + h.to + h.cc + h.reply_to)
    events = note.letter.calendars + ((meeting.invite,) if meeting.invite else ())
    for ev in events:
        found.update(a.addr.lower() for a in ev.attendees)
        if ev.organizer:
            found.add(ev.organizer.addr.lower())
    return found


def recipients(
    meeting: Meeting,
    *,
    authorised: tuple[str, ...],
    self_addrs: tuple[str, ...],
    max_recipients: int,
    sent_today: int,
    max_per_day: int,
) -> tuple[tuple[Address, ...], tuple[str, ...]]:
    """The parties mailflow may write to about this meeting, and why any others were dropped.

    Only the meeting's participants that the message itself names (outer or forwarded
    headers, attached originals, invites) -- never anyone else, never mailflow's own
    addresses, never an address ``valid_address`` refuses. Authorised parties come first when
    the list must be cut: at ``max_recipients`` per message, and at what is left of the daily
    budget (``max_per_day`` recipients, ``sent_today`` already used).
    """
    own = {a.strip().lower() for a in self_addrs}
    entries = tuple(a.strip().lower() for a in authorised if a.strip())
    named = _named_in(meeting)
    kept: list[Address] = []
    dropped: list[str] = []
    seen: set[str] = set()
    for p in meeting.participants:
        addr = p.addr.lower()
        shown = repr(p.addr[:80])
        if addr in seen:
            continue
        seen.add(addr)
        if not valid_address(addr):
            dropped.append(f"{shown}: not a valid address")
        elif addr in own:
            dropped.append(f"{shown}: mailflow's own address")
        elif addr not in named:
            dropped.append(f"{shown}: not named in the message's headers")
        else:
            kept.append(Address(name=_clean_name(p.name), addr=addr))
    kept.sort(key=lambda a: not _authorised(a.addr, entries))  # stable: authorised first
    left_today = max(0, max_per_day - sent_today)
    room = max(0, min(max_recipients, left_today))
    for i, a in enumerate(kept[room:], start=room):
        if i >= max_recipients:
            dropped.append(f"{a.addr!r}: over the limit of {max_recipients} recipients per message")
        else:
            dropped.append(f"{a.addr!r}: daily limit of {max_per_day} recipients reached")
    return tuple(kept[:room]), tuple(dropped)
