"""Raw bytes -> Letter: the MIME walk.

Rules: the size, header and nesting caps are checked on the raw bytes before any parsing, so a
hostile message costs milliseconds, and going over one raises ``BadMessage`` with the reason.
Everything odd but survivable (unknown charset, bad base64, broken boundary, raw 8-bit headers,
an unusable Date) becomes a line in ``Letter.defects``. Parsing uses the lenient ``compat32``
policy; headers are decoded here (RFC 2047, raw UTF-8/Latin-1 bytes). Addresses are checked so
that one token never turns into several mailboxes. Pure: no I/O, no clock.
"""

from __future__ import annotations

import codecs
import datetime as dt
import email.errors
import email.header
import email.message
import email.parser
import email.policy
import email.utils
import html as html_lib
import inspect
import re
from collections.abc import Iterator
from dataclasses import dataclass

from .calendars import read_calendar
from .errors import BadMessage
from .model import Address, CalendarEvent, Headers, Letter

__all__ = [
    "read_letter", "read_addresses", "decode_header_value", "html_to_text", "parse_date", "unflow",
    "dedent",
]

# Defaults mirror config.Limits (the shell's settings object); any object with these attributes
# may be passed as ``limits``.
_DEFAULT_CAPS = {
    "max_bytes": 25 * 1024 * 1024,
    "max_header_bytes": 256 * 1024,
    "max_headers": 1000,
    "max_depth": 20,
    "max_parts": 500,
    "max_text_chars": 1_000_000,
}
_MAX_HEADER_VALUE = 16 * 1024  # one header value longer than this is truncated (defect)
_MAX_HTML_CHARS = 2_000_000  # HTML longer than this is converted by the plain fallback
_MAX_HTML_CELLS = 5_000  # tables bigger than this are converted by the plain fallback


@dataclass(frozen=True, slots=True)
class _Caps:
    max_bytes: int
    max_header_bytes: int
    max_headers: int
    max_depth: int
    max_parts: int
    max_text_chars: int

    @classmethod
    def of(cls, limits: object | None) -> _Caps:
        return cls(**{k: int(getattr(limits, k, v)) for k, v in _DEFAULT_CAPS.items()})


# --- caps on the raw bytes -------------------------------------------------------------------

_HEADER_END = re.compile(rb"\r?\n\r?\n")
_HEADER_LINE = re.compile(rb"^[^ \t\r\n:]+[ \t]*:", re.M)
_STRUCTURE = re.compile(
    rb"""boundary\s*=\s*(?:"([^"\r\n]{1,200})"|([^\s;"]{1,200}))"""
    rb"""|^(content-type[ \t]*:[ \t]*message/rfc822)"""
    rb"""|^--([^\r\n]{1,200}?)[ \t]*\r?$""",
    re.I | re.M,
)


def _check_caps(data: bytes, caps: _Caps) -> None:
    if len(data) > caps.max_bytes:
        raise BadMessage(f"message too large: {len(data)} bytes (limit {caps.max_bytes})")
    end = _HEADER_END.search(data, 0, caps.max_header_bytes + 4)
    head_len = end.start() if end else len(data)
    if head_len > caps.max_header_bytes:
        raise BadMessage(
            f"header block too large: over {caps.max_header_bytes} bytes before the first blank line"
        )
    count = len(_HEADER_LINE.findall(data, 0, head_len))
    if count > caps.max_headers:
        raise BadMessage(f"too many header fields: {count} (limit {caps.max_headers})")
    depth, parts = _structure(data)
    if depth > caps.max_depth:
        raise BadMessage(f"MIME nesting too deep: {depth} levels (limit {caps.max_depth})")
    if parts > caps.max_parts:
        raise BadMessage(f"too many MIME parts: {parts} (limit {caps.max_parts})")


# Where a _STRUCTURE match can start: at "boundary" (any case) or at a line start followed by
# "--" or "content-type" (any case). These literals are found by fast searches of the lowered
# bytes (ASCII lowering, as re.I does for bytes), each with the offset back to the match start
# in "\n" + data; _STRUCTURE.finditer alone tries its "^" branches at every position.
_STRUCTURE_HINTS = ((b"boundary", 1), (b"\n--", 0), (b"\ncontent-type", 0))


def _structure_matches(data: bytes) -> Iterator[re.Match[bytes]]:
    """The matches _STRUCTURE.finditer(data) yields, trying _STRUCTURE only where one can start."""
    low = b"\n" + data.lower()  # the "\n" stands for the start of the first line
    starts: list[int] = []
    for literal, back in _STRUCTURE_HINTS:
        at = low.find(literal)
        while at >= 0:
            starts.append(at - back)
            at = low.find(literal, at + 1)
    end = 0
    for at in sorted(starts):
        m = _STRUCTURE.match(data, at) if at >= end else None
        if m is not None:
            end = m.end()
            yield m


def _structure(data: bytes) -> tuple[int, int]:
    """Nesting depth and part count, estimated by one regex pass over the raw bytes.

    Each boundary declaration and each message/rfc822 part opens a level; a delimiter line of an
    open boundary closes every level opened after it (and the closing delimiter its own).
    """
    stack: list[bytes] = []  # boundaries, b"" for an attached message
    depth = parts = 0
    for m in _structure_matches(data):
        declared = m.group(1) or m.group(2)
        if declared is not None:
            stack.append(declared.strip())
        elif m.group(3) is not None:
            stack.append(b"")
        else:
            token = m.group(4)
            closing = token.endswith(b"--")
            name = token[:-2] if closing else token
            if name in stack:
                parts += 1
                idx = len(stack) - 1 - stack[::-1].index(name)
                del stack[idx + (0 if closing else 1):]
            elif closing and token in stack:  # a boundary that itself ends in "--"
                parts += 1
                idx = len(stack) - 1 - stack[::-1].index(token)
                del stack[idx + 1:]
        depth = max(depth, len(stack))
    return depth, parts


# --- charsets and headers --------------------------------------------------------------------

_CHARSET_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "iso-8859-8-i": "iso-8859-8",
    "iso-8859-6-i": "iso-8859-6",
    "windows-874": "cp874",
    "x-mac-roman": "mac_roman",
    "macintosh": "mac_roman",
    "ks_c_5601-1987": "cp949",
    "euc-kr": "cp949",
    "x-sjis": "shift_jis",
    "shift-jis": "shift_jis",
    "unicode-1-1-utf-7": "utf-7",
    "ansi_x3.4-1968": "ascii",
    "us-ascii": "cp1252",  # real mail labelled ASCII often carries Windows-1252 bytes
    "iso-8859-1": "cp1252",  # browsers and mail clients treat these as Windows-1252
    "latin1": "cp1252",
    "latin-1": "cp1252",
}


def _codec(charset: str | None) -> str | None:
    """A Python codec name for a MIME charset label, or None when unknown."""
    if not charset:
        return None
    label = charset.strip().strip('"').lower()
    label = _CHARSET_ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except (LookupError, ValueError):
        return None


def _decode_bytes(raw: bytes, charset: str | None, defects: list[str], where: str) -> str:
    codec = _codec(charset)
    if charset and codec is None:
        defects.append(f"unknown charset {charset.strip()[:40]!r} in {where}")
    if codec is None:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return raw.decode("cp1252", errors="replace") if not charset else raw.decode(
                "utf-8", errors="replace"
            )
    try:
        return raw.decode(codec)
    except UnicodeDecodeError:
        defects.append(f"bytes not valid {charset} in {where}")
        return raw.decode(codec, errors="replace")


_SURROGATE = re.compile("[\udc80-\udcff]")
_FOLD = re.compile(r"\r?\n(?=[ \t])")


def _raw_8bit(value: str) -> str | None:
    """Undo the surrogate escapes the parser leaves for raw 8-bit header bytes."""
    if _SURROGATE.search(value) is None:
        return None
    raw = value.encode("ascii", "surrogateescape")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def decode_header_value(value: object, defects: list[str] | None = None, name: str = "header") -> str:
    """One header value as text: unfolded, raw 8-bit bytes and RFC 2047 words decoded."""
    sink: list[str] = [] if defects is None else defects
    text = str(value)
    if text.isprintable() and "=?" not in text and len(text) <= _MAX_HEADER_VALUE:
        # the common header: no surrogate escape, line break or other control character (none
        # of them is printable) and no encoded word, so every step below leaves it as it is
        return text.strip()
    fixed = _raw_8bit(text)
    if fixed is not None:
        sink.append(f"raw 8-bit bytes in {name}")
        text = fixed
    if len(text) > _MAX_HEADER_VALUE:
        sink.append(f"{name} truncated at {_MAX_HEADER_VALUE} characters")
        text = text[:_MAX_HEADER_VALUE]
    text = _FOLD.sub("", text)
    if "=?" not in text:
        return CONTROL_CHARS.sub(" ", text).strip()
    try:
        chunks = email.header.decode_header(text)
    except (ValueError, email.errors.HeaderParseError):
        sink.append(f"undecodable encoded-word in {name}")
        return text.strip()
    out = []
    for chunk, charset in chunks:
        if isinstance(chunk, str):
            out.append(chunk)
        else:
            out.append(_decode_bytes(chunk, charset, sink, name) if charset else chunk.decode(
                "ascii", errors="replace"))
    return CONTROL_CHARS.sub(" ", "".join(out)).strip()


CONTROL_CHARS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f\u2028\u2029\x85]")
_ADDR_SPEC = re.compile(r"^[^@\s<>()\[\],;:\"\\]+@[^@\s<>()\[\],;:\"\\]+$")


def _split_top(value: str) -> list[str]:
    """Split a header value at commas outside quotes, comments and angle brackets."""
    if "," not in value:  # nothing to split at
        return [value] if value.strip() else []
    items: list[str] = []
    buf: list[str] = []
    quote, paren, angle, escape = False, 0, False, False
    for ch in value:
        if escape:
            escape = False
        elif ch == "\\":
            escape = True
        elif quote:
            quote = ch != '"'
        elif ch == '"':
            quote = True
        elif ch == "(":
            paren += 1
        elif ch == ")" and paren:
            paren -= 1
        elif ch == "<" and not paren:
            angle = True
        elif ch == ">" and not paren:
            angle = False
        elif ch == "," and not paren and not angle:
            items.append("".join(buf))
            buf = []
            continue
        buf.append(ch)
    items.append("".join(buf))
    return [i for i in items if i.strip()]


# A mailbox as most mail writes it: words, then <local@domain>; or a bare local@domain. All its
# characters are atom characters to email.utils' parser (no specials, quotes, comments or line
# breaks), for which getaddresses gives (the words joined by one space, the address as written),
# in its strict mode as well: that answer is built here without the character-by-character parse.
_PLAIN_MAILBOX = re.compile(
    r"[ \t]*(?:([\w'.-]+(?:[ \t]+[\w'.-]+)*)?[ \t]*<([\w.+-]+@[\w.-]+)>|([\w.+-]+@[\w.-]+))[ \t]*"
)


def _getaddresses(token: str) -> list[tuple[str, str]]:
    """getaddresses in its strict mode where this Python has it (3.11.10+, 3.12.6+)."""
    plain = _PLAIN_MAILBOX.fullmatch(token)
    if plain is not None:
        bare = plain.group(3)
        if bare is not None:
            return [("", bare)]
        return [(" ".join((plain.group(1) or "").split()), plain.group(2))]
    if _STRICT:
        return email.utils.getaddresses([token], strict=True)
    return email.utils.getaddresses([token])


_STRICT = "strict" in inspect.signature(email.utils.getaddresses).parameters


_EMPTY_GROUP = re.compile(r"\s*[^:<>@\"]*:\s*;?\s*")
_GROUP_NAME = re.compile(r"^[^:<>@\"]*:(?=.*@)")


def read_addresses(values: list[str], defects: list[str] | None = None,
                   name: str = "address") -> tuple[Address, ...]:
    """Mailboxes from header values; a token that parses into several addresses is dropped."""
    sink: list[str] = [] if defects is None else defects
    out: list[Address] = []
    for value in values:
        for token in _split_top(value):
            if _EMPTY_GROUP.fullmatch(token):  # empty group "undisclosed:;"
                continue
            token = _GROUP_NAME.sub("", token).rstrip("; ")  # group display name
            try:
                parsed = [p for p in _getaddresses(token) if p[1]]
            except (RecursionError, ValueError, IndexError):
                parsed = []
            if len(token) > 2000 or len(parsed) != 1 or not _ADDR_SPEC.match(parsed[0][1]):
                sink.append(f"invalid {name}: {token.strip()[:80]!r}")
                continue
            display, addr = parsed[0]
            out.append(Address(name=decode_header_value(display, sink, name).strip('"\' '),
                               addr=addr.lower()))
    return tuple(out)


_MIN_YEAR, _MAX_YEAR = 1980, 2200


def parse_date(value: str, defects: list[str] | None = None) -> dt.datetime | None:
    """An RFC 5322 date as an aware datetime keeping its offset; None (+ defect) if unusable."""
    sink: list[str] = [] if defects is None else defects
    value = value.strip()
    if not value:
        return None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        sink.append(f"unreadable Date header: {value[:60]!r}")
        return None
    if when is None:
        sink.append(f"unreadable Date header: {value[:60]!r}")
        return None
    if not _MIN_YEAR <= when.year <= _MAX_YEAR:
        sink.append(f"absurd Date header: {value[:60]!r}")
        return None
    if when.tzinfo is None:  # "-0000": UTC, with no information on the writer's zone
        sink.append("Date header without zone (-0000)")
        when = when.replace(tzinfo=dt.UTC)
    return when


# --- HTML ------------------------------------------------------------------------------------

# a bullet that is the first thing on its line; run on "\n" + text, as a literal first character
# is searched for far faster than "^" is tried at every position
_BULLET = re.compile(r"\n([^\S\n]*)[*+•◦▪] ")
_TAGS_CELL = re.compile(r"<t[dh][\s>]", re.I)


def html_to_text(html: str) -> str:
    """HTML rendered as text keeping paragraphs, headings, lists ("- item"), tables and links."""
    if len(html) > _MAX_HTML_CHARS or len(_TAGS_CELL.findall(html, 0, 2_000_000)) > _MAX_HTML_CELLS:
        return _html_plain(html)
    try:
        from inscriptis import get_text
        from inscriptis.model.config import ParserConfig

        text = get_text(html, ParserConfig(display_links=True))
    except (ImportError, RecursionError, ValueError, TypeError, AttributeError):
        return _html_plain(html)
    except Exception:  # noqa: BLE001 - lxml raises its own error types on hostile input
        return _html_plain(html)
    if not text.strip() and re.search(r">[^<\s]", html):
        return _html_plain(html)
    text = _BULLET.sub(lambda m: "\n" + m.group(1) + "- ", "\n" + text)[1:]
    text = _MAILTO.sub(_unlink, text)
    return dedent(_tidy(text))


def dedent(text: str) -> str:
    """``textwrap.dedent``, line by line: the same result without its "^" regexes, which are
    tried at every position of the text and cost a quarter of a millisecond on 10 KB.

    Lines of only blanks (spaces, tabs) become empty, then the longest run of blanks that starts
    every other line is removed from each.
    """
    lines = ["" if not x.strip(" \t") else x for x in text.split("\n")]
    indents = [x[: len(x) - len(x.lstrip(" \t"))] for x in lines if x]
    if not indents:
        return "\n".join(lines)
    low, high = min(indents), max(indents)  # their common prefix is that of all indents
    size = next((i for i, (a, b) in enumerate(zip(low, high, strict=False)) if a != b),
                len(low))
    return "\n".join(x[size:] for x in lines) if size else "\n".join(lines)


_MAILTO = re.compile(r"\[([^\]\n]{0,300})\]\(((?:mailto:)?[^)\s]{1,2000})\)")


def _unlink(m: re.Match[str]) -> str:
    """Drop link markup that repeats its own text (mailto:a@b, a bare URL)."""
    label, target = m.group(1), m.group(2)
    bare = target[7:] if target.lower().startswith("mailto:") else target
    if label.strip().lower() in (bare.lower(), target.lower()) or not label.strip():
        return label or bare
    if target.lower().startswith("mailto:"):
        return f"{label} <{bare}>" if "@" not in label else label
    return m.group(0)


def _html_plain(html: str) -> str:
    """A linear-time fallback: block tags become newlines, other tags vanish."""
    s = re.sub(r"(?is)<(script|style|head)\b.*?</\1\s*>", " ", html)
    s = re.sub(r"(?i)<li\b[^>]*>", "\n- ", s)
    s = re.sub(r"(?i)<br\b[^>]*>|</?(p|div|tr|h[1-6]|ul|ol|table|blockquote)\b[^>]*>", "\n", s)
    s = re.sub(r"(?i)</t[dh]\s*>", "  ", s)
    s = re.sub(r"<[^>]{0,2000}>", "", s)
    return _tidy(html_lib.unescape(s))


def _tidy(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\xa0", " ")
    if " \n" in text or "\t\n" in text:  # else there is no blank run before a line end
        text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n\n\n+", "\n\n", text)  # = \n{3,}, but a literal prefix is found faster
    return text.strip("\n")


# --- the MIME walk ---------------------------------------------------------------------------

@dataclass(slots=True)
class _Walk:
    caps: _Caps
    defects: list[str]
    texts: list[str]
    html: list[str]
    calendars: list[CalendarEvent]
    attached: list[Letter]
    render_html: bool = True  # False: HTML parts are kept in ``html`` but not turned into text


def _parts_text(part: email.message.Message, defects: list[str], where: str) -> str:
    try:
        raw = part.get_payload(decode=True)
    except (ValueError, TypeError, AssertionError):
        defects.append(f"undecodable payload in {where}")
        return ""
    if raw is None:
        return ""
    if not isinstance(raw, bytes):
        raw = str(raw).encode("utf-8", "replace")
    text = _decode_bytes(raw, part.get_param("charset"), defects, where)  # type: ignore[arg-type]
    if where == "text/plain" and str(part.get_param("format", "")).lower() == "flowed":
        text = unflow(text, delsp=str(part.get_param("delsp", "")).lower() == "yes")
    return text


def unflow(text: str, *, delsp: bool = False) -> str:
    """Undo RFC 3676 format=flowed: soft line breaks (a trailing space) joined, per quote depth."""
    out: list[str] = []
    buf: str | None = None
    buf_depth = 0
    for raw_line in text.replace("\r\n", "\n").split("\n"):
        depth = len(raw_line) - len(raw_line.lstrip(">"))
        content = raw_line[depth:]
        if content.startswith(" "):
            content = content[1:]  # space-stuffing
        if buf is not None and depth != buf_depth:
            out.append((">" * buf_depth + " " if buf_depth else "") + buf)
            buf = None
        flowed = content.endswith(" ") and content != "-- "
        if flowed and delsp:
            content = content[:-1]
        buf = content if buf is None else buf + content
        buf_depth = depth
        if not flowed:
            out.append((">" * depth + " " if depth else "") + buf)
            buf = None
    if buf is not None:
        out.append((">" * buf_depth + " " if buf_depth else "") + buf)
    return "\n".join(out)


def _filename(part: email.message.Message) -> str:
    try:
        name = part.get_filename() or ""
    except (ValueError, TypeError, LookupError):
        return ""
    return decode_header_value(name)


def _is_attachment(part: email.message.Message, name: str) -> bool:
    """Whether the part, whose ``_filename`` is name, is an attachment."""
    disposition = str(part.get("Content-Disposition", "")).split(";")[0].strip().lower()
    return disposition == "attachment" or (disposition != "inline" and bool(name))


def _walk(part: email.message.Message, w: _Walk, depth: int) -> None:
    if depth > w.caps.max_depth:
        raise BadMessage(f"MIME nesting too deep: over {w.caps.max_depth} levels")
    _shorten_params(part, w.defects)
    ctype = part.get_content_type()
    try:
        _walk_part(part, ctype, w, depth)
    finally:
        _part_defects(part, w.defects)


_MAX_PARAMS_CHARS = 2_000  # the stdlib's parameter parser is quadratic: cut longer headers


def _shorten_params(part: email.message.Message, defects: list[str]) -> None:
    for name in ("Content-Type", "Content-Disposition"):
        value = part.get(name)
        if value is not None and len(str(value)) > _MAX_PARAMS_CHARS:
            cut = str(value)[:_MAX_PARAMS_CHARS]
            cut = cut[: cut.rfind(";")] if ";" in cut else cut
            part.replace_header(name, cut)
            defects.append(f"{name} parameters cut at {_MAX_PARAMS_CHARS} characters")


_DEFECT_NAMES = {
    "StartBoundaryNotFoundDefect": "broken boundary: start not found",
    "CloseBoundaryNotFoundDefect": "broken boundary: never closed",
    "InvalidBase64PaddingDefect": "bad base64 padding",
    "InvalidBase64CharactersDefect": "bad base64 characters",
    "InvalidBase64LengthDefect": "bad base64 length",
    "MultipartInvariantViolationDefect": "multipart without parts",
}


def _part_defects(part: email.message.Message, defects: list[str]) -> None:
    for defect in getattr(part, "defects", ()):
        label = type(defect).__name__
        defects.append(_DEFECT_NAMES.get(label, label))


def _walk_part(part: email.message.Message, ctype: str, w: _Walk, depth: int) -> None:
    if ctype == "message/rfc822" or (ctype.startswith("message/") and part.is_multipart()):
        inner = part.get_payload()
        if isinstance(inner, list) and inner:
            inner = inner[0]
        if isinstance(inner, email.message.Message):
            w.attached.append(_letter_from_message(inner, w.caps, depth + 1, size=0))
        return
    if part.is_multipart():
        children = part.get_payload()
        if not isinstance(children, list):
            return
        if ctype == "multipart/alternative":
            _walk_alternative(list(children), w, depth)
            return
        for child in children:
            if isinstance(child, email.message.Message):
                _walk(child, w, depth + 1)
        return
    if ctype.startswith("multipart/"):  # the boundary never appeared: read it as text
        w.texts.append(_parts_text(part, w.defects, ctype))
        return
    name = _filename(part)
    if ctype == "text/calendar" or name.lower().endswith((".ics", ".vcs")) or ctype in (
        "application/ics", "application/x-ics"
    ):
        _calendar(part, w, name or ctype)
        return
    if ctype in ("text/plain", "text/html") and not _is_attachment(part, name):
        text = _parts_text(part, w.defects, ctype)
        if ctype == "text/html":
            w.html.append(text[: w.caps.max_text_chars])
            if w.render_html:
                w.texts.append(html_to_text(text[: w.caps.max_text_chars]))
        else:
            w.texts.append(text)
        return


def _walk_alternative(children: list[object], w: _Walk, depth: int) -> None:
    """Pick one alternative: plain text unless it is a stub and the rich part says much more.

    The rich part is the last text/html part or nested multipart (multipart/related holding the
    HTML and its images), whichever comes later, as RFC 2046 orders by increasing fidelity.
    """
    kids = [c for c in children if isinstance(c, email.message.Message)]
    for kid in kids:  # calendars travel as an alternative to the text in invites
        if kid.get_content_type() == "text/calendar":
            _calendar(kid, w, "text/calendar")
    plain = next((k for k in kids if k.get_content_type() == "text/plain"), None)
    rich = next((k for k in reversed(kids)
                 if k.get_content_type() == "text/html" or k.is_multipart()), None)
    plain_defects: list[str] = []  # reported after the rich part's, in reading order
    plain_text = _parts_text(plain, plain_defects, "text/plain") if plain is not None else None
    rich_text = None
    if rich is not None:
        # the rich part's text only matters when the plain text is under 40 characters (see
        # below), so its HTML is not rendered otherwise (the costly step)
        render = w.render_html and (plain_text is None or len(plain_text.strip()) < 40)
        sub = _Walk(w.caps, w.defects, [], [], w.calendars, w.attached, render)
        _walk(rich, sub, depth + 1)
        w.html.extend(sub.html)
        rich_text = "\n\n".join(t for t in sub.texts if t.strip())
    w.defects.extend(plain_defects)
    if plain_text is not None:
        if not rich_text or len(plain_text.strip()) >= min(40, len(rich_text.strip()) // 4):
            w.texts.append(plain_text)
            return
    if rich_text:
        w.texts.append(rich_text)


def _calendar(part: email.message.Message, w: _Walk, where: str) -> None:
    try:
        raw = part.get_payload(decode=True)
    except (ValueError, TypeError):
        raw = None
    if not isinstance(raw, bytes):
        w.defects.append(f"unreadable calendar part {where}")
        return
    try:
        events = read_calendar(raw)
    except BadMessage as exc:
        w.defects.append(f"malformed calendar in {where}: {exc}")
        return
    seen = {(e.uid, e.sequence, e.method, e.start) for e in w.calendars}
    w.calendars.extend(e for e in events if (e.uid, e.sequence, e.method, e.start) not in seen)


_MSG_ID = re.compile(r"<[^<>\s]+>")
_SPACES = re.compile(r"\s+")


def _headers(msg: email.message.Message, defects: list[str]) -> tuple[
    Headers, tuple[tuple[str, str], ...]
]:
    fields: list[tuple[str, str]] = []
    for key, value in msg.raw_items():
        name = str(key).strip().lower()
        fields.append((name, decode_header_value(value, defects, name)))

    def all_of(name: str) -> list[str]:
        return [v for k, v in fields if k == name]

    def first(name: str) -> str | None:
        got = all_of(name)
        return got[0] if got else None

    froms = all_of("from")
    if len(froms) > 1:
        defects.append("several From headers")
    if not froms:
        defects.append("no From header")
    date_value = first("date")
    if date_value is None:
        defects.append("no Date header")
    date = parse_date(date_value, defects) if date_value is not None else None
    message_id = first("message-id")
    refs = _MSG_ID.findall(first("references") or "")
    in_reply_to = _MSG_ID.findall(first("in-reply-to") or "")
    return (
        Headers(
            message_id=(message_id.strip() or None) if message_id else None,
            from_=read_addresses(froms, defects, "From"),
            to=read_addresses(all_of("to"), defects, "To"),
            cc=read_addresses(all_of("cc"), defects, "Cc"),
            reply_to=read_addresses(all_of("reply-to"), defects, "Reply-To"),
            subject=_SPACES.sub(" ", first("subject") or "").strip(),
            date=date,
            in_reply_to=in_reply_to[0] if in_reply_to else None,
            references=tuple(refs),
        ),
        tuple(fields),
    )


def _letter_from_message(msg: email.message.Message, caps: _Caps, depth: int, size: int) -> Letter:
    defects: list[str] = []
    headers, fields = _headers(msg, defects)
    w = _Walk(caps, defects, [], [], [], [])
    _walk(msg, w, depth)
    text = "\n\n".join(t.strip("\n") for t in w.texts if t.strip())
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if len(text) > caps.max_text_chars:
        defects.append(f"text truncated at {caps.max_text_chars} characters")
        text = text[: caps.max_text_chars]
    return Letter(
        headers=headers,
        header_fields=fields,
        text=text,
        html=w.html[0] if w.html else None,
        calendars=tuple(w.calendars[:100]),
        attached=tuple(w.attached),
        defects=tuple(dict.fromkeys(defects)),
        size=size,
    )


def _parse(data: bytes) -> email.message.Message:
    """``BytesParser(policy=compat32).parsebytes(data)``, without the parser's line-by-line read
    of a single-part body (nine tenths of its work on a plain 10 KB note).

    BytesParser decodes the bytes as ASCII with surrogate escapes and parses the text. The parser
    reads header lines up to the first empty line (a line it cannot take for a header starts the
    body), then, for a type that is neither multipart/* nor message/*, makes the rest of the text
    the payload as it is. When the header block ends at the first "\n\n" and holds no "\r", its
    lines are the same alone as in the whole text, so parsing the block alone gives the same
    headers and defects; an empty payload from that parse shows the whole block was read as
    headers and the blank line as the end of them. The payload is then the text after it.
    """
    text = data.decode("ascii", "surrogateescape")
    end = text.find("\n\n")
    if end >= 0 and text.find("\r", 0, end) < 0:
        msg = email.parser.Parser(policy=email.policy.compat32).parsestr(
            text[: end + 2], headersonly=True)
        if msg.get_payload() == "" and msg.get_content_maintype() not in ("multipart", "message"):
            msg.set_payload(text[end + 2:])
            return msg
    return email.parser.Parser(policy=email.policy.compat32).parsestr(text)


def read_letter(data: bytes, *, limits: object | None = None) -> Letter:
    """Parse one raw message. Raises ``BadMessage`` when it is empty or over a cap."""
    if isinstance(data, str):  # tolerate text input from tests and tools
        data = data.encode("utf-8", "surrogateescape")
    if not data.strip():
        raise BadMessage("empty message")
    caps = _Caps.of(limits)
    _check_caps(data, caps)
    try:
        return _letter_from_message(_parse(data), caps, 0, len(data))
    except BadMessage:
        raise
    except RecursionError as exc:
        raise BadMessage("message structure too deep to read") from exc
    except (ValueError, TypeError, LookupError, IndexError, AttributeError, AssertionError,
            UnicodeError, email.errors.MessageError) as exc:
        raise BadMessage(f"unreadable message: {type(exc).__name__}: {exc}"[:200]) from exc


def iter_letters(letter: Letter) -> Iterator[Letter]:
    """The letter and every attached message inside it, depth first."""
    yield letter
    for inner in letter.attached:
        yield from iter_letters(inner)
