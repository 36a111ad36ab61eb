"""Note text -> Minutes: agreements, action items, next meeting, open questions, agenda.

Rules: pure and deterministic (no I/O, no clock: ``ref`` is the meeting's reference instant),
rule/grammar based, bounded in time (the text is capped at ``MAX_CHARS`` characters and every
line at ``MAX_LINE`` characters before any pattern runs; all patterns are linear), never raises
(a failure yields empty ``Minutes``), every item keeps its evidence (the source line).

How it reads notes:
1. Lines are classified (Markdown/setext headings, bullets with indent, "- [ ]" checkboxes,
   "Label:" lines, bold labels, "speaker: text" lines of scribe minutes, "@person" lines of
   stand-ups) and a stack of parent lines by indent gives each line its context: the section
   heading, an enclosing label (Decisions, Action items, Next, Done, ...) and an enclosing person.
2. Explicit markers (Resolution/Decision/Agreed/Consensus, Action/AI/TODO/Next steps, Next
   meeting) and section membership decide first; a marker whose content only assigns work
   ("Resolution: @x will do Y") becomes an action item.
3. Running text is split into clauses and matched against a small grammar: OWNER COMMIT TASK
   ("Maria will send", "Niko to follow up", "X volunteers to"), "I'll ..." with the speaker as owner
   (the unnamed writer only in note-like text), requests to everyone ("please ...", "Chime in!"),
   agreement phrases ("we agreed to", "consensus was", "approved", "+1 from all", "no objections",
   deferrals, a question answered "yes"/"SGTM"). Hedged wishes, conditional clauses and
   conditional offers are dropped; details nested under a task stay with that task.
4. Markdown tables with owner/task/due or decision columns are read row by row.
5. Due dates are resolved against ``ref`` in ``zone`` (weekdays - "next Friday" is next week's -,
   today/tonight/tomorrow, explicit dates, "the 15th", end of month/quarter, "by the next meeting"
   when its date is stated, the date of a "release for <date>" heading the task sits under); a
   clock time stated with the day makes the due an aware datetime.
6. One-word tasks and agreements ("do the release", "Revisit next week") get their topic appended
   in parentheses so a recap stays readable; bare links are shortened ("repo PR 43").

Owners are written as in the text (without "@", several joined with ", ", groups -> None) and
matched to ``participants`` by name tokens or mailbox local part for ``owner_addr``. The shared
time finder (``mailflow.times.find_times``) is the fallback for next-meeting phrasings the local
date grammar does not know; the local grammar goes first because it states precision and zone
exactly as the scorer and the recap need them.

Speed: most lines of a note hold nothing, so each pattern runs only when a cheap necessary test
passes first - a character it needs (":", "?", a digit), or a word it needs found by substring in the
case-folded line (``_fold``, ``_has_any``: ``_PROSE_WORDS``, ``_AGREE_WORDS``, ``_HEDGE_WORDS`` ...).
A gate may let through lines that then match nothing, never the other way round; when a pattern
gains a phrasing, its word list must gain the word (tests/test_minutes.py opens every gate and
checks that the Minutes are the same). End-anchored patterns look only at the end of the text
(``_ends_with``); owners are normalised and matched once per note.
Tried and measured without gain (same-process A/B on the benchmark notes, so not to be redone):
a whole-note word index (str.find of each word over the folded note, hits mapped to lines) costs
as much as the per-line ``_has_any`` tests, since both scan the text once per word; a fast path
that skips the line context for lines ``_prose`` cannot read costs in its own test what it saves;
a trie-shaped regex of the words is no faster than ``_has_any``. A C multi-word matcher
(Aho-Corasick) for the three longest word lists gains ~4% at the price of a compiled dependency.

Next meeting precision: a date only -> ``NextMeeting(start=date, grain="day", zone=None)``; a clock
time with a stated zone -> aware datetime in that zone (named zones via zoneinfo, DST-correct),
``zone`` set; a clock time with no stated zone -> a *naive* datetime (wall time as written) with
``zone=None``. That naive value is the one deliberate exception to the aware-datetime rule: the
note does not say which zone it means, and inventing one would be a guess.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import zoneinfo
from collections import Counter
from typing import Final

from . import minutes_lexicon as lx
from .model import ActionItem, Agreement, Minutes, NextMeeting, Participant
from .needles import ODD_FOLDS
from .zones import zone_for_place

# the lexicon's tables under names of this module: mypyc reads a Final name from a C static, an
# attribute of the (pure Python) lexicon module costs a dictionary lookup on every use
_ABSENCE: Final = lx.ABSENCE
_AGREE_INNER: Final = lx.AGREE_INNER
_AGREE_LABELS: Final = lx.AGREE_LABELS
_AGREE_PROSE: Final = lx.AGREE_PROSE
_ASSENT: Final = lx.ASSENT
_CONSENSUS_PROSE: Final = lx.CONSENSUS_PROSE
_CONTEXT_LABEL: Final = lx.CONTEXT_LABEL
_DEFER: Final = lx.DEFER
_DELIBERATE: Final = lx.DELIBERATE
_GROUP_OWNERS: Final = lx.GROUP_OWNERS
_HEDGE: Final = lx.HEDGE
_MARKER: Final = lx.MARKER
_MARKER_STARTS: Final = lx.MARKER_STARTS
_NEXT_LABELS: Final = lx.NEXT_LABELS
_NOT_AGREEMENT: Final = lx.NOT_AGREEMENT
_NOT_NAMES: Final = lx.NOT_NAMES
_NOT_TASK_START: Final = lx.NOT_TASK_START
_SECTION_WORDS: Final = lx.SECTION_WORDS
_SHORT_YES: Final = lx.SHORT_YES
_SPEECH_VERBS: Final = lx.SPEECH_VERBS
_TASK_VERBS: Final = lx.TASK_VERBS
_UNANIMOUS: Final = lx.UNANIMOUS
_WEEKDAYS: Final = lx.WEEKDAYS

MAX_CHARS: Final = 200_000  # about 40 pages of notes; real minutes are far shorter
MAX_LINE: Final = 2_000
MAX_ITEMS: Final = 300

__all__ = ["extract_minutes", "resolve_due", "parse_next_meeting"]


def extract_minutes(
    text: str, *, ref: dt.datetime, zone: str | None, participants: tuple[Participant, ...] = ()
) -> Minutes:
    """Read agreements, action items, the next meeting, open questions and agenda from notes."""
    try:
        return _Reader(text or "", ref=ref, zone=zone, participants=participants).read()
    except Exception:  # noqa: BLE001 - a finder must never take the pipeline down
        return Minutes()


# --------------------------------------------------------------------------------------------
# line model

_HEADING: Final = re.compile(r"^(#{1,6})\s+(.*?)[\s#]*$")
_SETEXT: Final = re.compile(r"^(?:=+|-+)\s*$")
_RULE: Final = re.compile(r"^(?:[-*_]\s*){3,}$")
_BULLET: Final = re.compile(r"^(?:[-*+•‣◦▪]|\d{1,3}[.)]|[a-z][.)])\s+")
_CHECK: Final = re.compile(r"^\[([ xX✓])\]\s*")
_LINK: Final = re.compile(r"!?\[([^\]\[]{0,300})\]\([^)(\s]{0,500}\)")
_ANGLE_URL: Final = re.compile(r"<https?://[^>\s]{0,500}>")
_BOLD: Final = re.compile(r"\*\*|__|`")
_EMPH_EDGE: Final = re.compile(r"^[*_]+|[*_]+$")
_SPEAKER: Final = re.compile(r"^(@?[A-Za-z][\w.@-]{0,30}(?: [A-Z][\w.-]{0,30}){0,2})\s*:\s+(\S.*)$")
_PERSON_ONLY: Final = re.compile(r"^(@[\w.-]{1,40}|[A-Z][\w'-]{1,30}(?: [A-Z][\w'-]{1,30}){0,2})\s*:?\s*$")
_HANDLE_ONLY: Final = re.compile(r"^@[\w.-]{1,40}\s*:?\s*$")
_SCRIBE_TOPIC: Final = re.compile(r"^(?:topic|subtopic|agendum)\s*:\s*(.+)$", re.I)
_WORDS: Final = re.compile(r"[a-z0-9]+")
_URL: Final = re.compile(r"https?://\S{1,500}")
_BRACKET_STATUS: Final = re.compile(
    r"^[\[(](closed|resolved|agreed|approved|accepted|deferred|tabled|postponed)[\])][.!]?$", re.I
)
_LABEL_ONLY: Final = re.compile(r"^([A-Za-z][A-Za-z /&'-]{0,40}?)\s*:?\s*$")


# The holders below are plain classes with their own __init__ rather than dataclasses: mypyc
# compiles such an __init__, while a dataclass gets the interpreted one dataclasses generates (and a
# line's _Line, _Ctx and _Frame are made for every line of a note).
class _Line:
    __slots__ = ("no", "indent", "bullet", "heading", "text", "raw", "check", "nick", "speaker", "marker")

    def __init__(self, no: int, indent: int, bullet: bool, heading: int, text: str, raw: str,
                 check: str | None = None, nick: str | None = None) -> None:
        self.no = no
        self.indent = indent
        self.bullet = bullet
        self.heading = heading
        self.text = text  # cleaned content
        self.raw = raw
        self.check = check  # " " open checkbox, "x" done
        self.nick = nick  # the speaker of a chat-log line ("<nick> text")
        # _SPEAKER and _MARKER matched on text once the lines are final (_Reader._collect_names)
        self.speaker: re.Match[str] | None = None
        self.marker: re.Match[str] | None = None


# str.isascii and str.isprintable held once: mypyc calls a str method it has no primitive for by
# looking its name up on every call, a function object it calls directly (the same function)
_isascii: Final = str.isascii
_isprintable: Final = str.isprintable


def _clean(s: str) -> str:
    # every substitution runs only when the characters it needs are present (same result, less work;
    # a one-character test goes first: it is a far quicker search than that of a longer string)
    if "]" in s and "](" in s:
        s = _LINK.sub(r"\1", s)
    if "<" in s and "<http" in s:
        s = _ANGLE_URL.sub("", s)
    if ("*" in s and "**" in s) or ("_" in s and "__" in s) or "`" in s:
        s = _BOLD.sub("", s)
    s = s.strip()
    if s and (s[0] in "*_" or s[-1] in "*_"):
        s = _EMPH_EDGE.sub("", s)
    if not _isascii(s):
        s = s.replace("\u00a0", " ").replace("’", "'")
    # every character str.isspace knows but " " is unprintable: single-spaced text is kept as it is
    if _isprintable(s) and "  " not in s and s[:1] != " " and s[-1:] != " ":
        return s
    return " ".join(s.split())  # the same as re.sub(r"\s+", " ", s).strip(): both use str.isspace


# re.IGNORECASE also matches these four non-ASCII letters to ASCII ones; folding them first lets a
# plain substring test on _fold(text) stand in for "could this case-insensitive pattern match?"
_FOLD: Final = str.maketrans(ODD_FOLDS)


def _fold(s: str) -> str:
    return s.lower() if _isascii(s) else s.translate(_FOLD).lower()


def _has_any(low: str, words: tuple[str, ...]) -> bool:
    for w in words:
        if w in low:
            return True
    return False


# Each word of a long list costs a scan of the text. _keyed files every word under its character
# that is rarest in English text (characters not in _RARE_FIRST - punctuation, digits - count as
# rarest), and _has_keyed scans a group's words only when a one-character search finds the key:
# a word can be in the text only when each of its characters is, so the answer is _has_any's.
_RARE_FIRST: Final = "zqxjkvbpygfwmucldrhsnioate "
_Keyed = tuple[tuple[str, tuple[str, ...]], ...]


def _rarity(c: str) -> int:
    return _RARE_FIRST.find(c)  # (-1 for an unlisted character: the rarest)


def _keyed(words: tuple[str, ...]) -> _Keyed:
    groups: dict[str, list[str]] = {}
    for w in words:
        groups.setdefault(min(w, key=_rarity), []).append(w)
    return tuple((key, tuple(ws)) for key, ws in groups.items())


def _has_keyed(low: str, groups: _Keyed) -> bool:
    """_has_any(low, words) for groups = _keyed(words)."""
    for key, words in groups:
        if key in low:
            for w in words:
                if w in low:
                    return True
    return False


_DIGIT: Final = re.compile(r"\d")


def _lines(text: str) -> list[_Line]:
    """The lines that hold something (blank lines and rules only end a paragraph: no line is made
    for them, the readers after this one would skip it)."""
    out: list[_Line] = []
    prev: _Line | None = None  # the line before; None after a blank line or a rule
    raw_lines = text[:MAX_CHARS].replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for no, raw in enumerate(raw_lines):
        raw = raw[:MAX_LINE]
        if "\t" in raw:
            raw = raw.expandtabs(4)
        stripped = raw.strip()
        if not stripped:
            prev = None
            continue
        irc = _IRC_LINE.match(stripped) if "<" in stripped else None
        nick = None
        if irc:  # "[10:02] <nick> text" from chat logs reads like "nick: text"
            nick = irc.group(1)
            stripped = f"{nick}: {irc.group(2)}"
            raw = stripped
        if stripped.startswith(">"):  # a quoted summary / proposal: context, not minutes
            prev = _Line(no=no, indent=0, bullet=False, heading=-1, text="", raw=stripped)
            out.append(prev)
            continue
        indent = len(raw) - len(raw.lstrip())
        first = stripped[0]
        if first in "=-" and _SETEXT.match(stripped) and prev is not None and prev.text and not prev.bullet and \
                not prev.heading and len(stripped) >= 3:
            prev.heading = 1 if stripped[0] == "=" else 2
            continue
        if first in "-*_" and _RULE.match(stripped):
            prev = None
            continue
        m = _HEADING.match(stripped) if first == "#" else None
        if m:
            prev = _Line(no=no, indent=0, bullet=False, heading=len(m.group(1)),
                         text=_clean(m.group(2)), raw=stripped)
            out.append(prev)
            continue
        bullet = False
        body = stripped
        # _BULLET starts with a mark, a digit, or a letter and then "." or ")"
        bm = _BULLET.match(body) if first in _BULLET_MARKS or first.isdigit() or body[1:2] in (".", ")") \
            else None
        if bm:
            bullet = True
            body = body[bm.end():]
        check = None
        cm = _CHECK.match(body) if body[:1] == "[" else None
        if cm:
            check = "x" if cm.group(1) != " " else " "
            bullet = True
            body = body[cm.end():]
        line = _Line(no, indent, bullet, 0, _clean(body), stripped, check, nick)  # (positional: faster)
        if prev is not None and _continues(prev, line):
            prev.text = f"{prev.text} {line.text.lstrip('.').strip()}"[: MAX_LINE * 2]
            prev.raw = f"{prev.raw} {stripped}"[: MAX_LINE * 2]
            continue
        out.append(line)
        prev = line
    return out


_BULLET_MARKS: Final = "-*+•‣◦▪"


def _marker(text: str) -> re.Match[str] | None:
    """_MARKER.match(text), tried only when text opens with one of its labels."""
    return _MARKER.match(text) if _opens_with(_fold(text[:17]), _MARKER_STARTS) else None


_ASCII_LETTERS: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_LABEL_CHARS: Final = _ASCII_LETTERS + " /&'-"


def _label_only(text: str) -> str | None:
    """_LABEL_ONLY.match(text).group(1), or None when it does not match, without the lazy
    pattern's backtracking: its group is the text less the trailing whitespace, one ":" and the
    whitespace before that (the shortest group that lets the rest match), and that must be a
    letter and at most 40 of its characters (rstrip strips what \\s matches: str.isspace)."""
    head = text.rstrip()
    if head.endswith(":"):
        head = head[:-1].rstrip()
    if not head or head[0] not in _ASCII_LETTERS or len(head) > 41 or head[1:].lstrip(_LABEL_CHARS):
        return None
    return head


def _colon_space(text: str) -> bool:
    """May text hold ":" and then whitespace (as _SPEAKER needs)? _clean leaves only single spaces."""
    return ": " in text or (":" in text and not _isprintable(text))


_ATTENDEE_LABELS: Final = ("present", "attendees", "attending", "participants", "regrets")  # _ATTENDEES opens so
_TOPIC_LABELS: Final = ("topic", "subtopic", "agendum")  # _SCRIBE_TOPIC opens so
_PERSON_FIRST: Final = frozenset("@ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_LINK_ITEM: Final = re.compile(r"^[-*+]\s+\[[^\]]{2,200}\]\([^)\s]{1,500}\)\s*(?:[-–—]\s*[^.]{0,80})?$")
_IRC_LINE: Final = re.compile(r"^(?:\[?\d{1,2}:\d{2}(?::\d{2})?\]?\s+)?<[@+]?([\w.\[\]|^-]{1,30})>\s+(\S.*)$")
_CONT_LABEL: Final = re.compile(r"^[A-Z][\w /&'-]{0,40}:(?:\s|$)")
_CONT_SPEAKER: Final = re.compile(r"^@?[\w.-]{1,30}\s*:\s")


def _continues(prev: _Line, line: _Line) -> bool:
    """Is line a hard-wrapped continuation of prev (same paragraph or bullet)?"""
    if prev.heading != 0 or not prev.text or line.bullet or line.check is not None:
        return False
    if line.raw.startswith("|") or prev.raw.startswith("|"):
        return False
    if line.text.startswith("..."):
        return True
    if prev.bullet and line.indent > prev.indent:
        pass
    elif prev.bullet or line.indent != prev.indent:
        return False
    elif prev.text.endswith((".", "!", "?", ":")) and not line.text[:1].islower():
        return False
    # a speaker, marker or label line, or a bold lead, starts anew (each pattern needs a colon)
    return not (":" in line.text and (_CONT_SPEAKER.match(line.text) or _marker(line.text)
                                      or _CONT_LABEL.match(line.text)) or line.raw.startswith(("**", "__")))


def _section_kind(title: str) -> str | None:
    t = " ".join(_toks(title))
    t = _LEADING_NUMBERS.sub("", t)
    if len(t.split()) > 5 or title.lstrip()[:1] in "\"'“":
        return None
    for pat, kind in _SECTION_WORDS:
        if pat.match(t):  # (each is anchored at the start)
            return kind
    return None


def _toks(s: str) -> list[str]:
    """_WORDS.findall(s.lower()). In ASCII text no token spans whitespace, and a word that is all
    letters and digits is one token: only the other words need the pattern."""
    low = s.lower()
    if not _isascii(low):
        return _WORDS.findall(low)
    out: list[str] = []
    for w in low.split():
        if w.isalnum():  # (ASCII and lower case: [a-z0-9]+)
            out.append(w)
        else:
            out.extend(_WORDS.findall(w))
    return out


# --------------------------------------------------------------------------------------------
# dates and times

_ISO_DATE: Final = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_ISO_STAMP: Final = re.compile(
    r"\b(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::\d{2}(?:\.\d{1,6})?)?\s?(Z|[+-]\d{2}:?\d{2})?(?![\d:])"
)
_RANGE_END: Final = re.compile(r"^\s*(?:-|–|—|to|until)\s*\d{1,2}(?:[:.h]\d{2})?\s*(?:[ap]\.?m\.?)?", re.I)
_MONTH_NAMES: Final = "|".join(sorted(lx.MONTHS, key=len, reverse=True))
_WEEKDAY_NAMES: Final = "|".join(sorted(_WEEKDAYS, key=len, reverse=True))
_MDY: Final = re.compile(
    rf"\b({_MONTH_NAMES})\.?[\s-]+(\d{{1,2}})(?:st|nd|rd|th)?\b(?![:.h]\d|\s?[ap]\.?m\b)"
    rf"(?:,?\s+(\d{{4}}))?", re.I
)
_DMY: Final = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th)?(?:\s+of)?[\s-]+({_MONTH_NAMES})\b\.?(?:,?\s+(\d{{4}}))?", re.I
)
_SLASH: Final = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})(?:/(\d{2,4}))?(?![\d/])")
_WEEKDAY: Final = re.compile(rf"\b(?:(next|this|coming)\s+)?({_WEEKDAY_NAMES})\b\.?", re.I)
_RELDAY: Final = re.compile(r"\b(today|tonight|later today|end of (?:the )?day|eod|tomorrow)\b", re.I)
_ORDINAL_DAY: Final = re.compile(r"\b(?:by|on|before|until|due)\s+the\s+(\d{1,2})(?:st|nd|rd|th)\b(?!\s+of\b)", re.I)
_END_MONTH: Final = re.compile(r"\b(?:end of (?:the )?month|eom|month[- ]end)\b", re.I)
_END_QUARTER: Final = re.compile(r"\bend of (?:the )?(?:q([1-4])|quarter)\b", re.I)
_NEXT_MEETING_REF: Final = re.compile(
    r"\b(?:by|before|until|for|at|in|prior to)\s+(?:the\s+|our\s+)?next\s+(?:meeting|call|sync|session|"
    r"weekly|telco|teleconference)\b",
    re.I,
)
_TIME: Final = re.compile(
    r"(?<![\d:])(?:(\d{1,2})(?::|\.|h)?(\d{2})?\s*([ap])\.?\s?m\b\.?|(\d{1,2}):(\d{2})(?!\d)|"
    r"([01]\d|2[0-3])([0-5]\d)(?=\s*(?:h\b|hrs\b|utc|gmt|z\b))|(noon|midday))",
    re.I,
)
_ZONE_NAMES: Final = "|".join(re.escape(z) for z in sorted(lx.ZONE_NAMES, key=len, reverse=True))
_ZONE: Final = re.compile(
    rf"(?<![\w/])(?:(?P<off>(?i:utc|gmt)\s?[+-−]\s?\d{{1,2}}(?::?\d{{2}})?)|"
    rf"(?P<iana>[A-Z][a-z]+/[A-Z][A-Za-z_]+(?:/[A-Z][A-Za-z_]+)?)|(?P<name>(?i:{_ZONE_NAMES}))|"
    rf"(?P<place>[A-Z][a-zà-ÿ]+(?: [A-Z][a-zà-ÿ]+){{0,2}})(?=\s+time\b))"
    rf"(?:\s+(?i:time|standard time|daylight time))?(?![\w/])",
)


_ZONE_INFOS: Final[dict[str, dt.tzinfo | None]] = {}


def _zone_info(name: str) -> dt.tzinfo | None:
    """zoneinfo.ZoneInfo(name), or None when it raises ZoneInfoNotFoundError or ValueError. The
    answer is kept per name (a pure function of a short key): ZoneInfo caches the zones it finds,
    not the names it does not, and a note's zone may well be an offset ("+00:00") that sends it to
    search the zone files again on every call."""
    if name in _ZONE_INFOS:
        return _ZONE_INFOS[name]
    try:
        tz: dt.tzinfo | None = zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        tz = None
    if len(_ZONE_INFOS) < 512:  # (names come from mail: the table stays small)
        _ZONE_INFOS[name] = tz
    return tz


def _local_date(ref: dt.datetime, zone: str | None) -> dt.date:
    if ref.tzinfo is None:
        return ref.date()
    tz = _zone_info(zone) if zone else None
    if tz is None:
        return ref.date()
    try:
        return ref.astimezone(tz).date()
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return ref.date()


def _safe_date(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def _infer_year(m: int, d: int, today: dt.date) -> dt.date | None:
    cand = _safe_date(today.year, m, d)
    if cand is None:
        return None
    if cand < today - dt.timedelta(days=120):  # due dates and meetings lie ahead
        cand = _safe_date(today.year + 1, m, d) or cand
    return cand


def _explicit_dates(s: str, today: dt.date, date_order: str = "DMY") -> list[tuple[int, dt.date]]:
    found: list[tuple[int, dt.date]] = []
    if _DIGIT.search(s) is None:  # every date pattern below needs a digit
        return found
    taken: list[tuple[int, int]] = []

    def add(m: re.Match[str], d: dt.date | None) -> None:
        if d is None or any(a < m.end() and m.start() < b for a, b in taken):
            return
        taken.append((m.start(), m.end()))
        found.append((m.start(), d))

    for m in _ISO_DATE.finditer(s):
        add(m, _safe_date(int(m.group(1)), int(m.group(2)), int(m.group(3))))
    for m in _MDY.finditer(s):
        mon, day = lx.MONTHS[m.group(1).lower()], int(m.group(2))
        add(m, _safe_date(int(m.group(3)), mon, day) if m.group(3) else _infer_year(mon, day, today))
    for m in _DMY.finditer(s):
        mon, day = lx.MONTHS[m.group(2).lower()], int(m.group(1))
        add(m, _safe_date(int(m.group(3)), mon, day) if m.group(3) else _infer_year(mon, day, today))
    for m in _SLASH.finditer(s):
        a, b = int(m.group(1)), int(m.group(2))
        if a > 12 or (date_order == "DMY" and b <= 12):
            day, mon = a, b
        else:
            mon, day = a, b
        if mon > 12:
            continue
        year = m.group(3)
        if year:
            y = int(year) + (2000 if len(year) == 2 else 0)
            add(m, _safe_date(y, mon, day))
        else:
            add(m, _infer_year(mon, day, today))
    found.sort()
    return found


# every step _weekday_after takes, made once (a timedelta(days=...) call parses its keywords)
_DAYS: Final = tuple(dt.timedelta(days=n) for n in range(14))


def _weekday_after(today: dt.date, wd: int, qualifier: str | None) -> dt.date:
    """The coming weekday; "next Friday" is the Friday of next week, "this Friday" this week's."""
    q = (qualifier or "").lower()
    now = today.weekday()
    if q == "next":
        return today + _DAYS[7 - now + wd]  # (the Monday of next week, then wd days on)
    if q == "this" and wd >= now:
        return today + _DAYS[wd - now]
    return today + _DAYS[(wd - now) % 7 or 7]


def _end_of_quarter(today: dt.date, q: int | None) -> dt.date:
    quarter = q or (today.month - 1) // 3 + 1
    year = today.year
    if q and quarter < (today.month - 1) // 3 + 1:
        year += 1
    month = quarter * 3
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def resolve_due(
    phrase: str, *, today: dt.date, next_meeting: dt.date | None = None, date_order: str = "DMY"
) -> dt.date | None:
    """The day a task is due, from the words around it; None for vague periods."""
    s = phrase[:MAX_LINE]
    low = _fold(s)  # each pattern below runs only when the words it needs are in low
    if next_meeting and "next" in low and _NEXT_MEETING_REF.search(s):
        return next_meeting
    digit = _DIGIT.search(s) is not None
    dates = _explicit_dates(s, today, date_order) if digit else []
    if dates:
        return dates[0][1]
    m = _RELDAY.search(s) if _has_any(low, ("today", "tonight", "end of", "eod", "tomorrow")) else None
    if m:
        return today + _DAYS[1] if m.group(1).lower() == "tomorrow" else today
    m = _END_QUARTER.search(s) if "end of" in low else None
    if m:
        return _end_of_quarter(today, int(m.group(1)) if m.group(1) else None)
    if _has_any(low, ("end of", "eom", "month")) and _END_MONTH.search(s):
        return dt.date(today.year, today.month, calendar.monthrange(today.year, today.month)[1])
    m = _ORDINAL_DAY.search(s) if digit else None
    if m:
        day = int(m.group(1))
        cand = _safe_date(today.year, today.month, day)
        if cand is None or cand < today:
            nxt = dt.date(today.year + (today.month == 12), today.month % 12 + 1, 1)
            cand = _safe_date(nxt.year, nxt.month, day)
        if cand is not None:
            return cand
    start = _weekday_scan_start(s, low)
    if start < 0:
        return None
    m = _WEEKDAY.search(s, start)
    while m is not None:  # (as finditer: matches are never empty)
        before = s[max(0, m.start() - 12): m.start()].lower()
        if _DUE_WORD_BEFORE.search(before) or _DUE_QUALIFIED_BEFORE.search(before):
            return _weekday_after(today, _WEEKDAYS[m.group(2).lower()], m.group(1))
        m = _WEEKDAY.search(s, m.end())
    return None


_WEEKDAY_STEMS: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # every name in _WEEKDAYS starts so
_WEEKDAY_STEM: Final = re.compile("|".join(_WEEKDAY_STEMS))


def _first_stem(low: str) -> int:
    """Where _WEEKDAY_STEM.search(low) matches (-1: nowhere): the stems are all three letters long,
    so the leftmost match is the least index any one of them is found at."""
    first = -1
    for stem in _WEEKDAY_STEMS:
        i = low.find(stem)
        if i >= 0 and (first < 0 or i < first):
            first = i
    return first


def _weekday_scan_start(s: str, low: str) -> int:
    """Where _WEEKDAY.finditer(s) may start and still find every match (-1: there is none).
    low is _fold(s). A match holds a weekday name, which starts with a stem, perhaps preceded by
    "next|this|coming" and whitespace; no stem starts inside those, so no match starts before the
    first stem or the qualifier right before it ("\b" still sees the character before)."""
    i = _first_stem(low)
    if i < 0:
        return -1
    if not _isascii(s):
        return 0  # (low and s line up for ASCII text)
    j = i
    while j and s[j - 1].isspace():
        j -= 1
    if j < i and low.endswith(("next", "this", "coming"), 0, j):
        return max(0, j - 6)
    return i
_DUE_WORD_BEFORE: Final = re.compile(r"\b(?:by|on|before|until|till|due|for|this|next|coming)\s*$")
_DUE_QUALIFIED_BEFORE: Final = re.compile(r"\b(?:by|on|before|until|due)\s+(?:next|this|coming)\s*$")


def _iso_stamp(m: re.Match[str], evidence: str) -> NextMeeting | None:
    """2020-12-09T16:00Z / 2020-12-09 16:00+01:00 / 2020-12-09T16:00 (wall time)."""
    try:
        naive = dt.datetime.combine(dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))),
                                    dt.time(int(m.group(4)), int(m.group(5))))
    except ValueError:
        return None
    off = m.group(6)
    if not off:
        return NextMeeting(start=naive, grain="minute", zone=None, evidence=_ev(evidence))
    if off == "Z":
        return NextMeeting(start=naive.replace(tzinfo=dt.UTC), grain="minute", zone="UTC",
                           evidence=_ev(evidence))
    sign = -1 if off[0] == "-" else 1
    digits = off[1:].replace(":", "")
    hours, mins = int(digits[:2]), int(digits[2:])
    if hours > 14 or mins > 59:
        return None
    tz = dt.timezone(sign * dt.timedelta(hours=hours, minutes=mins))
    return NextMeeting(start=naive.replace(tzinfo=tz), grain="minute",
                       zone=f"{off[0]}{hours:02d}:{mins:02d}", evidence=_ev(evidence))


def _zone_of(m: re.Match[str]) -> tuple[dt.tzinfo, str] | None:
    if m.group("off"):
        om = _OFFSET_PARTS.search(m.group("off"))
        if not om:
            return None
        sign = -1 if om.group(1) in "-−" else 1
        hours, mins = int(om.group(2)), int(om.group(3) or 0)
        if hours > 14 or mins > 59:
            return None
        off = dt.timedelta(hours=hours, minutes=mins) * sign
        text = f"{'+' if sign > 0 else '-'}{hours:02d}:{mins:02d}"
        return dt.timezone(off), text
    if m.group("place"):
        name = zone_for_place(m.group("place")) or ""
    elif m.group("iana"):
        name = m.group("iana")
    else:
        name = lx.ZONE_NAMES.get(m.group("name").lower().strip(), "")
    tz = _zone_info(name) if name else None
    return (tz, name) if tz is not None else None


def _clock(m: re.Match[str]) -> tuple[int, int] | None:
    if m.group(8):
        return 12, 0
    if m.group(3):
        h, mi = int(m.group(1)), int(m.group(2) or 0)
        if not 1 <= h <= 12 or mi > 59:
            return None
        h = h % 12 + (12 if m.group(3).lower() == "p" else 0)
        return h, mi
    if m.group(4):
        h, mi = int(m.group(4)), int(m.group(5))
    else:
        h, mi = int(m.group(6)), int(m.group(7))
    if h > 23 or mi > 59:
        return None
    return h, mi


def parse_next_meeting(
    text: str, *, today: dt.date, date_order: str = "DMY", evidence: str | None = None
) -> NextMeeting | None:
    """The first stated date (and clock time, and zone) in text, at the precision stated."""
    s = text[:MAX_LINE * 2]
    stamp = _ISO_STAMP.search(s)
    if stamp:
        got = _iso_stamp(stamp, evidence or s)
        if got is not None:
            return got if _as_date(got.start) >= today else None
    dates = _explicit_dates(s, today, date_order)
    day: dt.date | None = None
    pos = 0
    if dates:
        pos, day = dates[0]
    else:
        for m in _WEEKDAY.finditer(s):
            day = _weekday_after(today, _WEEKDAYS[m.group(2).lower()], m.group(1))
            pos = m.start()
            break
        if day is None:
            rel = _TOMORROW.search(s)
            if rel:
                day, pos = today + dt.timedelta(days=1), rel.start()
    if day is None or day < today:
        return None
    ev = _ev(evidence or s)
    window = s[max(0, pos - 40): pos + 120]
    tm = None
    for cand in _TIME.finditer(window):
        if _clock(cand) is not None:
            tm = cand
            break
    if tm is None:
        return NextMeeting(start=day, grain="day", zone=None, evidence=ev)
    hm = _clock(tm)
    assert hm is not None
    zone_found = None
    tail = window[tm.end():]
    rm = _RANGE_END.match(tail)
    after = tail[rm.end() if rm else 0:][:30]
    before = window[max(0, tm.start() - 12): tm.start()]
    for piece, anchor in ((after, "start"), (before, "end")):
        zs = [z for z in _ZONE.finditer(piece)]
        if not zs:
            continue
        z = zs[0] if anchor == "start" else zs[-1]
        gap = piece[: z.start()] if anchor == "start" else piece[z.end():]
        if len(gap.strip(" ,()")) <= 3:
            zone_found = _zone_of(z)
            if zone_found:
                break
    naive = dt.datetime.combine(day, dt.time(hm[0], hm[1]))
    if zone_found is None:
        return NextMeeting(start=naive, grain="minute", zone=None, evidence=ev)
    tz, zname = zone_found
    return NextMeeting(start=naive.replace(tzinfo=tz), grain="minute", zone=zname, evidence=ev)


# --------------------------------------------------------------------------------------------
# owners and clauses

_OWNER_TOKEN: Final = r"(?:@[\w.-]{1,40}|[A-Z][\w'.-]{0,30}(?: [A-Z][\w'-]{0,30}){0,2}|[a-z][\w.-]{1,30})"
_OWNERS: Final = rf"{_OWNER_TOKEN}(?:\s*(?:,|&|/|\+|\band\b|,\s*and\b)\s*{_OWNER_TOKEN}){{0,5}}"
_ASSIGN: Final = re.compile(
    rf"^(?P<owner>{_OWNERS})\s*(?:\([^)]{{0,60}}\)\s*)?(?:,\s*)?(?:also\s+|then\s+)?"
    rf"(?P<commit>{lx.COMMIT})\s+(?P<task>\S.*)$"
)
_SELF: Final = re.compile(
    rf"^(?:(?:I|i)\s*(?:{lx.COMMIT}|'ll|’ll|plan to|am planning to|'m planning to|'m going to|can take|"
    rf"will take care of|'ll take care of)|[Mm]y plan is to|[Mm]y next step is to)\s+(?P<task>\S.*)$"
)
_OWNERLESS: Final = re.compile(r"^(?:will|'ll|to do|todo)\s+(?P<task>[a-z]\S*.*)$", re.I)
_TAIL_OWNER: Final = re.compile(
    r"^(?P<task>.{4,}?)\s*(?:[-–—:]\s*|\(|\[|\bby\s+|\bowner:?\s*|\bassigned to\s+)"
    r"(?P<owner>@[\w.-]{1,40}(?:\s*(?:,|and|&|/)\s*@[\w.-]{1,40}){0,5})\s*[)\]]?\s*\.?$"
)
_LEAD_OWNER: Final = re.compile(
    r"^(?P<owner>@[\w.-]{1,40}(?:\s*(?:,|and|&|/)\s*@?[\w.-]{1,40}){0,5}|[A-Z][\w'.-]{0,30}"
    r"(?: [A-Z][\w'-]{0,30})?)\s*(?::|[-–—]|=>|->)\s+(?P<task>\S.*)$"
)
# (the leading lookahead names every character a separator can start with: the same matches, but
# re skips the other positions without trying each alternative)
_CLAUSE_SPLIT: Final = re.compile(
    r"(?=[\s;),:.])(?:"
    r"(?<=[.!?])\s+(?=[\"'(]?[A-Z@])|;\s+|\s[-–—]\s|\s\(|\)\s+|"
    r",\s+(?=(?:and|so|but|then|which|will|I'll|I will|we'll|we|please)\s)|:\s+(?=[A-Z@])|"
    r",\s+(?=(?:@[\w.-]{1,40}|[A-Z][a-z]{1,30})\s+(?:will|to|'ll|is going to)\s)|"
    r",\s+(?=(?:removing|removed|remove|taking|take|dropping|drop)\s+(?:it\s+|this\s+)?(?:off|from)\b)|"
    r"\.\s*$)"
)
# every lx.COMMIT phrase ends in one of these words and is followed by whitespace, as are _SELF's
# own verbs ("plan to", "can take", "take care of"), so _ASSIGN and _SELF need one of these in the
# text; text reaching the grammar is whitespace-normalised by _clean (every \s is a space)
_COMMIT_ENDS: Final = ("to ", "will ", "shall ", "'ll ", "’ll ", "must ", "should ", "can take ", "care of ")
_COMMIT_ENDS_KEYED: Final = _keyed(_COMMIT_ENDS)
# every separator of _CLAUSE_SPLIT but a final "." holds one of these once whitespace is single spaces
_CLAUSE_SEPARATORS: Final = (". ", "! ", "? ", "; ", " - ", " – ", " — ", " (", ") ", ", ", ": ")
_CLAUSE_SEPARATORS_KEYED: Final = _keyed(_CLAUSE_SEPARATORS)
_SENTENCE_ENDS_KEYED: Final = _keyed((". ", "! ", "? "))


def _clauses(text: str) -> list[str]:
    """The clauses of a line (_CLAUSE_SPLIT's pieces, stripped, empty ones dropped, at most 40)."""
    if _isprintable(text) and not _has_keyed(text, _CLAUSE_SEPARATORS_KEYED):
        # no whitespace but " " (see _clean) and no separator: at most a final "." splits
        one = (text[:-1] if text.endswith(".") else text).strip()
        return [one] if one else []
    return [c.strip() for c in _CLAUSE_SPLIT.split(text) if c and c.strip()][:40]


_SENT_SPLIT: Final = re.compile(r"(?<=[.!?])\s+(?=[\"'(]?[A-Z@])")


def _sentences(text: str) -> list[str]:
    """_SENT_SPLIT's pieces of text that are not blank (not stripped)."""
    if _isprintable(text) and not _has_keyed(text, _SENTENCE_ENDS_KEYED):
        return [text] if text.strip() else []  # no whitespace but " " after a [.!?]: no split
    return [x for x in _SENT_SPLIT.split(text) if x.strip()]
_ASK: Final = re.compile(
    r"^(?:[^:]{1,60}:\s*)?(?:the |our |general |main )?(?:next steps?|ask|request|action|todo|homework)\s+"
    r"(?:is|are|was)\s+"
    r"(?:to|that|for)\s+(?P<task>\S.*)$",
    re.I,
)
_DANGLING: Final = re.compile(r"\b(?:with|to|for|and|about|on|of|including|the following|following)\s*:?$", re.I)
_DANGLING_ENDINGS: Final = ("with", "to", "for", "and", "about", "on", "of", "including", "following")
_DANGLING_TAIL: Final = re.compile(r"\b(?:with|to|for|and|about|on|of|including|the following|following)\Z", re.I)
_TIME_WORDS: Final = frozenset(
    "today tomorrow tonight later soon asap next week weekend month eod eow monday tuesday wednesday "
    "thursday friday saturday sunday morning afternoon evening".split()
)
_OWNER_SPLIT: Final = re.compile(r"\s*(?:,|&|/|\+|\band\b)\s*")
_VAGUE_REF: Final = re.compile(
    r"\b(?:this|that|it|them|these|those|the issue|the pr|the proposal)\s*[.!]?$|"
    r"^(?:this|that|it|the (?:issue|pr|proposal|rfc|change|request))\b",
    re.I,
)
_VAGUE_START: Final = re.compile(r"^(?:this|that|it|the (?:issue|pr|proposal|rfc|change|request))\b", re.I)
_VAGUE_TAIL: Final = re.compile(r"\b(?:this|that|it|them|these|those|the issue|the pr|the proposal)\Z", re.I)


def _vague_ref(text: str) -> bool:
    """_VAGUE_REF.search(text), without trying every position: the first branch is anchored at
    the end ("... this." / "... it"), so only the last few characters need a look."""
    return (_opens_with(_fold(text[:4]), ("this", "that", "it", "the ")) and bool(_VAGUE_START.match(text))) \
        or _ends_with(_VAGUE_TAIL, _VAGUE_ENDINGS, ".!", text)


_VAGUE_ENDINGS: Final = ("this", "that", "it", "them", "these", "those", "the issue", "the pr", "the proposal")


def _ends_with(words: re.Pattern[str], endings: tuple[str, ...], marks: str, text: str) -> bool:
    """Does text end in one of `words`, then spaces, then at most one of `marks` (like a pattern
    ending in ``\\s*[marks]?$``)? `words` is compiled as ``\\b(?:...)\\Z`` (case-insensitive) and
    `endings` are its alternatives in lower case: only the end of text is searched, and only when
    the folded text, less trailing spaces and one mark, ends in one of them."""
    tail = _fold(text).rstrip()
    if tail[-1:] and tail[-1] in marks:
        tail = tail[:-1].rstrip()
    if not _closes_with(tail, endings):
        return False
    longest = max(map(len, endings))
    ends = (len(text), len(text) - 1) if text.endswith("\n") else (len(text),)  # where "$" matches
    for end in ends:
        head = text[:end]
        if head[-1:] in marks and head:
            head = head[:-1]
        head = head.rstrip()  # the \s* before the mark (str.isspace, as re's \s)
        if words.search(head, max(0, len(head) - longest)):
            return True
    return False


_LEAD_FILLER: Final = re.compile(
    r"^(?:and|so|but|then|also|ok|okay|yes|right|also,|and then|which means)\s+", re.I
)


def _content_tokens(s: str) -> list[str]:
    return [t for t in _toks(s) if t not in _STOP]


_STOP: Final = frozenset(
    "a an the to of and or for in on at by with from into as is are be will would this that it "
    "we our us you i he she they them their his her its do does did so if then than also just "
    "all any some not no yes can could may might must should shall up out about over off into there "
    "here these those was were been being has have had".split()
)


def _normalise_owner(owner: str) -> str | None:
    several = "and" in owner or any(c in owner for c in ",&/+")  # else _OWNER_SPLIT finds no separator
    parts = [p.strip().lstrip("@").strip() for p in (_OWNER_SPLIT.split(owner) if several else (owner,))]
    parts = [p for p in parts if p]
    if not parts:
        return None
    if all(p.lower() in _GROUP_OWNERS for p in parts):
        return None
    parts = [p for p in parts if p.lower() not in _GROUP_OWNERS]
    return ", ".join(dict.fromkeys(parts)) or None


_QUESTION_LABEL: Final = re.compile(r"^(?:open|unresolved|outstanding)\s+(?:questions?|issues?)\s*:\s*(.*)$", re.I)
_PLEASE: Final = re.compile(
    r"^please\s+(?!let us know|feel free|note|see|review regularly|remember)(?P<task>[a-z][\w'-]*\b.{3,})$", re.I
)
_IMPERATIVE_BANG: Final = re.compile(
    r"^(?P<task>(?:chime in|jump in|weigh in|brainstorm|comment|vote|review|sign up|register|fill in|"
    r"fill out|respond|reply|take a look|have a look|check out|read)\b[^!?]{0,200})!+$",
    re.I,
)
_BANG_TASK: Final = re.compile(r"^(?:(?P<who>[A-Za-z][\w ]{1,30}):\s*)?(?P<task>[A-Za-z][\w'-]*(?:\s+[^!?\s]+){0,11})\s*!+$")
_AGREED_LEAD: Final = re.compile(
    r"^(?:(?:the )?(?:tsc|ctc|team|group|committee|wg|meeting) |we(?:'ve| have)? |it was |all |everyone )?"
    r"(?:(?:have |has )?(?:agreed|decided|resolved|concluded))(?: to| that| on| upon)?:?\s+(?=\S)",
    re.I,
)
_POLL: Final = re.compile(r"\byes\s*/\s*no\b|\b(?:option|choice)\s+[a-c1-3]\s*/", re.I)
_QA_SAME_LINE: Final = re.compile(
    r"^(?P<q>[^?]{5,200})\?\s*[-–—:]?\s*(?P<a>(?:yes|yep|yup|agreed|approved|accepted|\+1|sure|ok|okay)\b.*)$",
    re.I,
)
_QUESTION_START: Final = re.compile(
    r"^(?:is|are|was|were|do|does|did|should|shall|can|could|would|will|what|how|why|who|which|"
    r"when|where|any)\b", re.I
)
_CONDITIONAL: Final = re.compile(r"^(?:if|unless|in case|provided|assuming|should (?:we|they|it))\b", re.I)
_EMBEDDED_IF: Final = re.compile(
    r"\b(?:see|check|ask|find out|know|determine|confirm|verify|investigate|figure out|tell)\s+(?:if|whether)\b",
    re.I,
)
_PARENS: Final = re.compile(r"\([^)]*\)")
# _HEDGE cannot match unless one of these is in the folded text
_HEDGE_WORDS: Final = ("maybe", "perhaps", "possibly", "probably", "hope", "hoping", "would", "'d like", "’d like",
                "might", "could", "if", "unless", "not sure", "want", "may", "try to see", "consider",
                "in case", "when", "wishlist", "someday", "eventually", "tentative")
_HEDGE_KEYED: Final = _keyed(_HEDGE_WORDS)
_GH_URL: Final = re.compile(r"https?://github\.com/[\w.-]+/([\w.-]+)/(pull|issues)/(\d+)\S*")
_ANY_URL: Final = re.compile(r"https?://(?:www\.)?([\w.-]+)\S*")


def _short_urls(text: str) -> str:
    """Readable stand-ins for bare links: ".../repo/pull/43" -> "repo PR 43"."""
    text = _GH_URL.sub(lambda m: f"{m.group(1)} {'PR' if m.group(2) == 'pull' else 'issue'} {m.group(3)}", text)
    return _ANY_URL.sub(lambda m: m.group(1), text)


def _topic_of(heading: str) -> str:
    """A heading as context: links gone, a trailing " - reviewers" list dropped."""
    t = _URL.sub("", heading).strip(" :-–—")
    head, sep, tail = t.rpartition(" - ")
    if sep and head and len(tail.split()) <= 6 and not _TWO_LONG_WORDS.search(tail):
        t = head.strip()
    return t


def _column_kind(header: str) -> str | None:
    h = header.strip().lower()
    if _COL_OWNER.fullmatch(h):
        return "owner"
    if _COL_TASK.fullmatch(h):
        return "task"
    if _COL_DUE.fullmatch(h):
        return "due"
    if _COL_DECISION.fullmatch(h):
        return "decision"
    return None


def _shorten(text: str, max_words: int = 40, sentences: int = 2) -> str:
    """At most a few sentences and max_words words: a recap line, not a paragraph."""
    parts = _sentences(text)
    keep = parts[:1]
    for extra in parts[1:sentences]:
        if not _EXAMPLE_START.match(extra):
            keep.append(extra)
    out = " ".join(keep)
    words = out.split()
    if len(words) > max_words:
        out = " ".join(words[:max_words])
    return out.strip().rstrip(".,;:")


def _ev(text: str, limit: int = 500) -> str:
    """Evidence as stored: the source text, stripped and capped."""
    text = text.strip()
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


_TIDY_LEAD: Final = re.compile(r"^(?:also|then|please)\s+", re.I)


def _tidy_task(task: str) -> str:
    task = task.strip().strip(" .;,:-–—")
    if _fold(task[:7]).startswith(("also", "then", "please")):
        task = _TIDY_LEAD.sub("", task)
    if len(task) > 300:
        task = task[:300].rsplit(" ", 1)[0]
    return task


class _Ctx:
    __slots__ = ("section", "topic", "label", "label_owner", "person", "speaker", "line_speaker", "parent",
                 "parent_item", "release_due")

    def __init__(self, section: str | None = None, topic: str = "", label: str | None = None,
                 label_owner: str | None = None, person: str | None = None, speaker: str | None = None,
                 line_speaker: str | None = None, parent: str = "", parent_item: bool = False,
                 release_due: dt.date | None = None) -> None:
        self.section = section
        self.topic = topic
        self.label = label
        self.label_owner = label_owner
        self.person = person
        self.speaker = speaker
        self.line_speaker = line_speaker
        self.parent = parent
        self.parent_item = parent_item
        self.release_due = release_due

    def with_parent(self, parent: str) -> _Ctx:
        """A copy with another parent (every field is passed on)."""
        return _Ctx(self.section, self.topic, self.label, self.label_owner, self.person, self.speaker,
                    self.line_speaker, parent, self.parent_item, self.release_due)


class _Collector:
    __slots__ = ("kind", "indent", "bullet", "owner", "prefix", "evidence", "ctx", "items", "also_process")

    def __init__(self, kind: str, indent: int, bullet: bool, owner: str | None, prefix: str, evidence: str,
                 ctx: _Ctx, also_process: bool = False) -> None:
        self.kind = kind  # "agree" or "action"
        self.indent = indent
        self.bullet = bullet
        self.owner = owner
        self.prefix = prefix
        self.evidence = evidence
        self.ctx = ctx
        self.items: list[str] = []
        self.also_process = also_process


class _Frame:
    __slots__ = ("indent", "bullet", "text", "label", "owner", "person", "collector", "item")

    def __init__(self, indent: int, bullet: bool, text: str) -> None:
        self.indent = indent
        self.bullet = bullet
        self.text = text
        self.label: str | None = None
        self.owner: str | None = None
        self.person: str | None = None
        self.collector: _Collector | None = None
        self.item = False


class _Reader:
    def __init__(
        self, text: str, *, ref: dt.datetime, zone: str | None, participants: tuple[Participant, ...]
    ) -> None:
        self.text = text
        self.today = _local_date(ref, zone)
        self.ref = ref
        self.zone = zone
        self.participants = participants
        self.agreements: list[Agreement] = []
        self.actions: list[ActionItem] = []
        self.agenda: list[str] = []
        self.questions: list[str] = []
        self.next_meeting: NextMeeting | None = None
        self.next_date: dt.date | None = None
        self._plan: tuple[str, str, list[str]] | None = None
        self._notes_like = False
        self._columns: list[str | None] = []
        self._caps: dict[str, int] | None = None
        self._lines_seen: list[_Line] = []
        self._agreement_keys: set[tuple[str, str]] = set()
        self._addr_of: dict[str, str | None] = {}
        self._normal_owner: dict[str, str | None] = {}
        self._person_memo: dict[tuple[str, bool, bool], bool] = {}
        self._kinds: dict[str, str | None] = {}
        self._action_keys: set[tuple[str, str | None]] = set()
        self.names: set[str] = set()
        for p in participants:
            for t in (p.name or "").split():
                if len(t) > 1:
                    self.names.add(t.lower())
            local = p.addr.partition("@")[0]
            if local:
                self.names.add(local.lower())

    # ---- output helpers -----------------------------------------------------------------

    def _with_clock(self, day: dt.date | dt.datetime, text: str) -> dt.date | dt.datetime:
        """A due day plus the clock time stated with it, as an aware datetime."""
        if isinstance(day, dt.datetime):
            return day
        if _DIGIT.search(text) is None and not _has_any(_fold(text), ("noon", "midday")):
            return day  # _TIME needs a digit or one of these words
        for tm in _TIME.finditer(text[:MAX_LINE]):
            hm = _clock(tm)
            if hm is None:
                continue
            tz: dt.tzinfo | None = None
            zm = _ZONE.search(text[tm.end(): tm.end() + 30])
            if zm and not text[tm.end(): tm.end() + zm.start()].strip(" ,()"):
                got = _zone_of(zm)
                tz = got[0] if got else None
            if tz is None:
                tz = (_zone_info(self.zone) if self.zone else None) or dt.UTC
            return dt.datetime.combine(day, dt.time(hm[0], hm[1]), tzinfo=tz)
        return day

    def _owner_addr(self, owner: str | None) -> str | None:
        if not owner:
            return None
        # the same few owners recur line after line: each is matched to the participants once
        if owner not in self._addr_of:
            self._addr_of[owner] = self._match_owner(owner)
        return self._addr_of[owner]

    def _match_owner(self, owner: str) -> str | None:
        first = owner.split(",")[0].strip().lower()
        ftoks = set(first.replace(".", " ").split())
        for p in self.participants:
            ptoks = set((p.name or "").lower().split())
            local = p.addr.partition("@")[0].lower()
            if first == local or (ftoks and ptoks and (ftoks <= ptoks or ptoks <= ftoks)):
                return p.addr
            if first in local.replace(".", " ").replace("_", " ").split():
                return p.addr
        return None

    def _with_context(self, text: str, ctx: _Ctx, tokens: list[str] | None = None) -> str:
        """Short or pronoun-only items get their topic appended: "do the release (Release 2.1)"."""
        solid = [t for t in (_content_tokens(text) if tokens is None else tokens) if t not in _TIME_WORDS]
        if len(solid) >= 2 and not _vague_ref(text):
            return text
        parent = ctx.parent
        if not parent or parent == text or parent.endswith(":") or _HANDLE_ONLY.match(parent) or \
                _PERSON_ONLY.match(parent):
            parent = ""
        extra = parent or ctx.topic
        if not extra or self._section_kind(extra) is not None:
            return text
        extra_words = extra.split()
        if len(extra_words) > 12:
            extra = " ".join(extra_words[:12])
        return f"{text} ({extra})"

    def add_agreement(self, text: str, evidence: str, ctx: _Ctx, *, whole: bool = False) -> None:
        text = text.strip()
        if _has_any(_fold(text[:40]), ("agreed", "decided", "resolved", "concluded")):  # (_AGREED_LEAD needs one)
            text = _AGREED_LEAD.sub("", text)
        text = _shorten(_tidy_task(text), sentences=4 if whole else 2)
        tokens = _content_tokens(text)
        if len(tokens) < 1 or len(self.agreements) >= MAX_ITEMS:
            return
        # its unanchored branches need one of these words; without them only a match at 0 can hit
        if (_NOT_AGREEMENT.search(text) if _has_any(_fold(text), ("no ", "not ", "did", "unable to", "disagree"))
                else _NOT_AGREEMENT.match(text)):
            return
        text = self._with_context(text, ctx, tokens)
        if (text, evidence.strip()) in self._agreement_keys:
            return
        agreement = Agreement(text=text, evidence=_ev(evidence))
        self._agreement_keys.add((agreement.text, agreement.evidence))  # as stored, like the lookup above
        self.agreements.append(agreement)

    def add_action(self, owner: str | None, task: str, evidence: str, ctx: _Ctx,
                   due_text: str | None = None) -> None:
        task = _tidy_task(task)
        if not task or len(self.actions) >= MAX_ITEMS:
            return
        tokens: list[str] | None = _content_tokens(task)
        if not tokens:
            return
        main = _PARENS.sub(" ", task) if "(" in task else task
        low = _fold(main)
        if "if" in low or "whether" in low:
            main = _EMBEDDED_IF.sub(" ", main)
            low = _fold(main)
        if (_has_keyed(low, _HEDGE_KEYED) and _HEDGE.search(main)) or main.rstrip().endswith("?") or \
                _ABSENCE.search(main):
            return
        if "http" in task:
            task = _short_urls(task)
            tokens = None
        if owner:
            if owner not in self._normal_owner:
                self._normal_owner[owner] = _normalise_owner(owner)
            owner = self._normal_owner[owner]
        else:
            owner = None
        due: dt.date | dt.datetime | None = resolve_due(due_text or task, today=self.today,
                                                        next_meeting=self.next_date)
        if due is not None:
            due = self._with_clock(due, due_text or task)
        if due is None and ctx.release_due and _RELEASE_WORD.search(task + " " + ctx.topic):
            due = ctx.release_due
        text = self._with_context(task, ctx, tokens)
        if (text, owner) in self._action_keys:
            return
        self._action_keys.add((text, owner))
        self.actions.append(ActionItem(owner=owner, task=text, due=due, evidence=_ev(evidence),
                                       owner_addr=self._owner_addr(owner)))

    def _section_kind(self, title: str) -> str | None:
        """_section_kind(title), worked out once per title: headings and labels recur in a note."""
        kinds = self._kinds
        if title not in kinds:
            kinds[title] = _section_kind(title)
        return kinds[title]

    # ---- owner grammar -------------------------------------------------------------------

    def _is_person(self, token: str, *, strict: bool, verb_follows: bool = False) -> bool:
        # names and handles are fixed once _collect_names has run, so each answer is kept
        key = (token, strict, verb_follows)
        if key not in self._person_memo:
            self._person_memo[key] = self._person(token, strict=strict, verb_follows=verb_follows)
        return self._person_memo[key]

    def _person(self, token: str, *, strict: bool, verb_follows: bool) -> bool:
        names = [p.strip().lstrip("@") for p in _OWNER_SPLIT.split(token) if p.strip()]
        if not names:
            return False
        for n in names:
            low = n.lower()
            if token.strip().startswith("@") or n in self._handles:
                continue
            if low in _GROUP_OWNERS:
                continue
            first = low.split()[0]
            if first in _NOT_NAMES or any(w in _NOT_NAMES for w in low.split()[1:]):
                return False
            if low in self.names or first in self.names:
                continue
            if not strict and (n[:1].isupper() or verb_follows):
                continue
            if n[:1].isupper() and len(n.split()) <= 3:
                continue
            return False
        return True

    def _assignment(self, clause: str, ctx: _Ctx, *, strict: bool,
                    midline: bool = False) -> tuple[str | None, str] | None:
        """(owner, task) when the clause commits someone to a task."""
        c = _lead_trim(clause.strip())
        if not _has_keyed(c, _COMMIT_ENDS_KEYED):
            return None  # _ASSIGN and _SELF both need a commitment word
        m = _ASSIGN.match(c)
        if m and not (c[:1] in "Ii" and _I_WORD.match(c)):  # (_I_WORD opens with one of these)
            got = self._check_assign(m, strict=strict, midline=midline)
            if got is not False:
                return got  # type: ignore[return-value]
        m = _SELF.match(c) if c[:1] in "IiMm" else None
        if m and not _I_NEED.match(c):
            first = m.group("task").split(None, 1)[0].lower()
            if first in _NOT_TASK_START or first in _SPEECH_VERBS:
                return None
            if ctx.speaker or ctx.person:
                return ctx.speaker or ctx.person, m.group("task")
            if first in _TASK_VERBS and self._notes_like:  # the writer, not named in the text
                return None, m.group("task")
        return None

    def _check_assign(self, m: re.Match[str], *, strict: bool,
                      midline: bool = False) -> tuple[str | None, str] | None | bool:
        owner, task = m.group("owner"), m.group("task")
        words = task.split(None, 1)  # (only the first word is needed)
        first = words[0].lower() if words else ""
        verb_follows = first in _TASK_VERBS and " " not in owner.strip()
        commit = m.group("commit").lower()
        owner_low = owner.lower()
        if first in _NOT_TASK_START:
            return False
        if commit == "to" and strict and not (owner.startswith("@") or self._known(owner)):
            if first not in _TASK_VERBS or not midline and all(
                    self._cap_counts.get(n.strip(), 0) < 2
                    for n in _OWNER_SPLIT.split(owner) if n.strip()):
                return False
        if owner_low in ("we", "us"):
            return False
        if commit == "should" and owner_low not in _GROUP_OWNERS:
            return False
        if commit.startswith("offer") and _CONDITION_WORD.search(task):
            return False  # a conditional offer
        if not self._is_person(owner, strict=strict, verb_follows=verb_follows):
            return False
        if owner_low in _GROUP_OWNERS:
            return None, task
        return owner, task

    def _known(self, owner: str) -> bool:
        parts = [p.strip().lstrip("@").lower() for p in _OWNER_SPLIT.split(owner)]
        return all(p in self.names or p in self._handles_low or
                   (p.split()[0] in self.names if p.split() else False) for p in parts if p) and \
            any(parts)

    # ---- main ------------------------------------------------------------------------------

    def read(self) -> Minutes:
        lines = _lines(self.text)
        self._notes_like = _looks_like_notes(lines)
        self._collect_names(lines)
        self._find_next_meeting(lines)
        self._person_memo.clear()  # (names were still being collected before this point)
        self._walk(lines)
        return Minutes(
            agreements=tuple(self.agreements),
            action_items=tuple(self.actions),
            next_meeting=self.next_meeting,
            open_questions=tuple(dict.fromkeys(self.questions))[:MAX_ITEMS],
            agenda=tuple(dict.fromkeys(self.agenda))[:MAX_ITEMS],
        )

    def _collect_names(self, lines: list[_Line]) -> None:
        self._handles: set[str] = set()
        counts: dict[str, int] = {}
        for ln in lines:
            if "@" in ln.raw:
                for h in _AT_HANDLE.findall(ln.raw):
                    self._handles.add(h.rstrip("."))
            if ln.nick:
                self.names.add(ln.nick.lower())
            if ":" in ln.text:  # (both patterns need one)
                ln.speaker = _SPEAKER.match(ln.text) if _colon_space(ln.text) else None
                ln.marker = _marker(ln.text)
            m = ln.speaker
            if m and not ln.marker:
                name = m.group(1).lstrip("@").lower()
                if name.split()[0] not in _NOT_NAMES and len(name.split()) <= 2:
                    counts[name] = counts.get(name, 0) + 1
        self._handles_low = {h.lower() for h in self._handles}
        self._lines_seen = lines  # _cap_counts is counted from these on first use
        for name, n in counts.items():
            if n >= 2:
                self.names.add(name)
        self.names |= self._handles_low
        # attendee lists: "Present: a, b, c" and bullets under attendance headings
        section = None
        for ln in lines:
            if ln.heading > 0:
                section = self._section_kind(ln.text)
                continue
            m = _ATTENDEES.match(ln.text) if ":" in ln.text and _opens_with(_fold(ln.text[:12]), _ATTENDEE_LABELS) \
                else None
            if m:
                for part in _NAME_LIST_SPLIT.split(m.group(1)):
                    self._add_name(part)
            elif section == "skip" and ln.bullet and ln.text:
                body = ln.text.split(":", 1)[1] if ":" in ln.text else ln.text
                for part in _NAME_LIST_SPLIT.split(body):
                    self._add_name(part)

    @property
    def _cap_counts(self) -> dict[str, int]:
        """How often each capitalised word occurs in the notes (counted once, when first asked)."""
        counts = self._caps
        if counts is None:  # (one pass over the lines joined: "\n" is a word boundary, as a line end)
            counts = self._caps = dict(Counter(_CAP_WORD.findall("\n".join(ln.text for ln in self._lines_seen))))
        return counts

    def _add_name(self, part: str) -> None:
        part = _NAME_NOISE.sub(" ", part).strip()
        words = [w for w in part.split() if w[:1].isalpha()]
        for w in words[:3]:
            low = w.lower().strip(".,")
            if len(low) > 1 and low not in _NOT_NAMES:
                self.names.add(low)

    # ---- next meeting ------------------------------------------------------------------------

    def _find_next_meeting(self, lines: list[_Line]) -> None:
        n = len(lines)
        candidates: list[tuple[str, str]] = []  # (text to parse, evidence)
        scheduled: list[str] = []
        n_headed = 0
        for i, ln in enumerate(lines):
            if ln.heading > 0:
                kind = self._section_kind(ln.text)
                if kind == "next":
                    rest = ln.text.split(":", 1)[1] if ":" in ln.text else ""
                    body: list[str] = [rest] if rest.strip() else []
                    j = i + 1
                    while j < n and lines[j].heading <= 0 and len(body) < 6:
                        if lines[j].text:
                            body.append(lines[j].text)
                        j += 1
                    candidates.insert(n_headed, ("\n".join(body), "\n".join(body)))
                    n_headed += 1
                elif kind == "scheduled":
                    j = i + 1
                    while j < n and lines[j].heading <= 0:
                        if lines[j].bullet and lines[j].text:
                            scheduled.append(lines[j].text)
                        j += 1
                continue
            if not ln.text or "next" not in _fold(ln.text):
                continue
            m = _NEXT_MEETING_LINE.search(ln.text)
            if m and m.group("rest"):
                candidates.append((m.group("rest"), ln.text))
        for cand_text, ev in candidates:
            for chunk in cand_text.split("\n"):
                got = parse_next_meeting(chunk, today=self.today, evidence=ev) or \
                    self._shared_next(chunk, ev)
                if got is not None and _as_date(got.start) > self.today:
                    self.next_meeting = got
                    self.next_date = _as_date(got.start)
                    return
        for item in scheduled:
            dates = _explicit_dates(item[:60], self.today)
            if dates and dates[0][0] <= 3 and dates[0][1] > self.today:
                d = dates[0][1]
                self.next_meeting = NextMeeting(start=d, grain="day", zone=None, evidence=_ev(item))
                self.next_date = d
                return

    def _shared_next(self, chunk: str, evidence: str) -> NextMeeting | None:
        """Fallback: the shared time finder, for phrasings the local grammar does not know."""
        try:
            from .times import find_times  # imported late: the time finder is optional here

            found = find_times(chunk[:MAX_LINE], ref=self.ref, zone=self.zone or "UTC")
        except Exception:  # noqa: BLE001 - a fallback must not break the minutes
            return None
        for mention in found:
            if mention.grain not in ("day", "hour", "minute"):
                continue
            if mention.grain == "day":
                return NextMeeting(start=mention.start.date(), grain="day", zone=None,
                                   evidence=_ev(evidence))
            zone_stated = _ZONE.search(chunk[max(0, mention.span[0] - 12): mention.span[1] + 30])
            if zone_stated is None:
                return NextMeeting(start=mention.start.replace(tzinfo=None), grain="minute",
                                   zone=None, evidence=_ev(evidence))
            return NextMeeting(start=mention.start, grain="minute", zone=mention.zone,
                               evidence=_ev(evidence))
        return None

    # ---- the walk ------------------------------------------------------------------------------

    def _walk(self, lines: list[_Line]) -> None:
        stack: list[_Frame] = []
        section: str | None = None
        section_level = 0
        topic = ""
        release_due: dt.date | None = None
        speaker: str | None = None
        prev_text = ""
        for ln in lines:
            if ln.heading == -1:
                continue
            if ln.heading > 0:
                self._flush(stack, 0, force=True)
                self._flush_plan()
                self._columns = []
                stack = []
                kind = self._section_kind(ln.text)
                if kind is not None or ln.heading <= section_level:
                    section, section_level = kind, ln.heading
                if not (_explicit_dates(ln.text, self.today) and len(_toks(ln.text)) <= 4):
                    topic = _topic_of(ln.text)
                if kind == "plan":
                    self._plan = (ln.text, ln.raw, [])
                release_due = None
                rm = _RELEASE_START.search(ln.text)
                if rm:
                    ds = _explicit_dates(ln.text, self.today)
                    release_due = ds[0][1] if ds else None
                speaker = None
                prev_text = ""
                continue
            if not ln.text:
                # a blank line ends paragraph labels that were not followed by bullets
                continue
            # pop frames this line is not inside
            keep = 0
            for fr in stack:
                opener = fr.label is not None or fr.person is not None or fr.collector is not None
                if ln.indent > fr.indent or (not fr.bullet and opener and ln.bullet):  # inside fr
                    keep += 1
                else:
                    break
            if keep < len(stack):
                self._flush(stack, keep)
                del stack[keep:]
            text = ln.text
            if ln.bullet and ln.indent == 0 and "](" in ln.raw and _LINK_ITEM.match(ln.raw):
                topic = _topic_of(text)
            colon = ":" in text
            st = _SCRIBE_TOPIC.match(text) if colon and not ln.bullet and _opens_with(_fold(text[:8]), _TOPIC_LABELS) \
                else None
            if st:
                topic = _URL.sub("", _clean(st.group(1))).strip(" :-–—")
                prev_text = ""
                continue
            # speaker prefix of scribe minutes / dialogue
            sm = ln.speaker
            line_speaker = None
            if sm and not ln.marker:
                cand = sm.group(1).lstrip("@")
                low = cand.lower()
                if (low in self.names or cand in self._handles) and low.split()[0] not in _NOT_NAMES:
                    line_speaker = cand
                    text = sm.group(2)
                elif not ln.bullet and cand[:1].isupper() and low.split()[0] not in _NOT_NAMES \
                        and len(cand.split()) <= 2 and self._section_kind(cand) is None:
                    line_speaker = cand
                    text = sm.group(2)
            if line_speaker:
                speaker = line_speaker
                st = _SCRIBE_TOPIC.match(text) if ":" in text and _opens_with(_fold(text[:8]), _TOPIC_LABELS) else None
                if st:
                    topic = _topic_of(_clean(st.group(1)))
                    prev_text = ""
                    continue
            elif ln.bullet:
                speaker = None
            # (positional arguments: a line's context is made for every line)
            ctx = _Ctx(section, topic, None, None, None, speaker, line_speaker,
                       stack[-1].text if stack else "", stack[-1].item if stack else False, release_due)
            collector = None  # the innermost open collector
            for fr in stack:
                if fr.label is not None:
                    ctx.label = fr.label
                    ctx.label_owner = fr.owner
                if fr.person is not None:
                    ctx.person = fr.person
                if fr.collector is not None:
                    collector = fr.collector
                    if fr.collector.owner:
                        ctx.label_owner = fr.collector.owner
            frame = _Frame(ln.indent, ln.bullet, text)
            if collector is not None:
                collector.items.append(text)
                if not collector.also_process:
                    stack.append(frame)
                    continue
            before = len(self.actions)
            self._line(ln, text, ctx, frame, prev_text)
            frame.item = len(self.actions) > before
            stack.append(frame)
            prev_text = text
        self._flush(stack, 0, force=True)
        self._flush_plan()

    def _flush_plan(self) -> None:
        plan = self._plan
        self._plan = None
        if plan is None or not plan[2]:
            return
        title, raw, items = plan
        self.add_agreement(f"{title}: {', '.join(i.rstrip('.;,') for i in items[:12])}", raw, _Ctx())

    def _flush(self, stack: list[_Frame], keep: int, force: bool = False) -> None:
        for fr in stack[keep:]:
            col = fr.collector
            if col is None:
                continue
            fr.collector = None
            items = [i.strip().rstrip(".,;") for i in col.items if i.strip()][:8]
            if col.also_process:
                items = [i for i in items if not _PERSONAL_START.match(i)][:4]
            if col.kind == "agree":
                if items:
                    joined = f"{col.prefix.rstrip(':').strip()}: {', '.join(items)}"
                    self.add_agreement(joined, col.evidence, col.ctx)
                elif col.prefix:
                    self.add_agreement(col.prefix.rstrip(":"), col.evidence, col.ctx)
            else:
                if items:
                    joined = f"{col.prefix.rstrip(':').strip()} {', '.join(items)}"
                    self.add_action(col.owner, joined, col.evidence, col.ctx)
                elif col.prefix:
                    self.add_action(col.owner, col.prefix.rstrip(":"), col.evidence, col.ctx)

    # ---- one line --------------------------------------------------------------------------

    def _line(self, ln: _Line, text: str, ctx: _Ctx, frame: _Frame, prev_text: str) -> None:
        evidence = ln.raw
        section = ctx.section
        if section is not None and section in ("skip", "next", "scheduled"):
            return
        if section == "plan":
            if self._plan is not None and ln.bullet and len(self._plan[2]) < 12:
                self._plan[2].append(text)
            return
        if prev_text.endswith("?") and _ASSENT.match(text):
            question = _sentences(prev_text)[-1]
            question = _LEAD_DOTS.sub("", question).rstrip("?").strip()
            if _content_tokens(question):
                self.add_agreement(question, evidence, ctx)
                return
        if text[:1] in "[(" and _BRACKET_STATUS.match(text):
            self.add_agreement(text.strip("[].!"), evidence, ctx)
            return
        if section == "agenda":
            if ln.bullet and len(self.agenda) < MAX_ITEMS:
                self.agenda.append(text)
        if section == "questions":
            if len(self.questions) < MAX_ITEMS:
                self.questions.append(text)
            return
        if ln.check is not None:
            if ln.check == " ":
                self._action_item_line(text, evidence, ctx)
            return
        if ln.raw.startswith("|") and ln.raw.rstrip().endswith("|") and ln.raw.count("|") >= 2:
            self._table_row(ln.raw, ctx)
            return
        # a person-only line opens a stand-up block
        first = text[:1]
        # (both patterns allow at most three spaces in text, which _clean left single)
        if text.count(" ") <= 3 and ((first == "@" and _HANDLE_ONLY.match(text)) or (
                first in _PERSON_FIRST and _PERSON_ONLY.match(text) and self._known(text.rstrip(": ")))):
            frame.person = text.strip().rstrip(":").strip().lstrip("@")
            return
        colon = ":" in text
        qm = _QUESTION_LABEL.match(text) if colon and _opens_with(_fold(text[:11]), ("open", "unresolved", "outstanding")) \
            else None
        if qm:
            if qm.group(1).strip() and len(self.questions) < MAX_ITEMS:
                self.questions.append(qm.group(1).strip())
            elif not qm.group(1).strip():
                frame.label = "questions"
            return
        if (colon or text[:3].lower() == "no ") and _CONTEXT_LABEL.match(text):
            return
        m = (ln.marker if text is ln.text else _marker(text)) if colon else None
        if m:
            who = (m.group("who") or "").strip()
            if who and self._is_person(who, strict=False) and who.lower() not in _GROUP_OWNERS:
                ctx.label_owner = who
            self._marker(m.group("label").lower(), m.group("rest").strip(), ln, ctx, frame)
            return
        lab = _label_only(text) if len(text) <= 40 else None
        if lab is not None:
            kind = self._section_kind(lab)
            if kind is not None:
                frame.label = kind
                return
        label = ctx.label
        if label is None and ctx.section == "agree" and not ln.bullet and ln.indent == 0:
            sentences = _sentences(text)
            if len(sentences) > 1:
                first = _CONCLUSION_LEAD.sub("", sentences[0])
                self.add_agreement(first, evidence, ctx)
                self._prose(" ".join(sentences[1:]), evidence, ctx, prev_text, ln)
                return
        if label == "agree" or (label is None and ctx.section == "agree"):
            got = self._assignment(text, ctx, strict=False)
            if got:
                self.add_action(got[0], got[1], evidence, ctx)
            else:
                self.add_agreement(text, evidence, ctx)
            return
        if label == "action" or (label is None and ctx.section == "action"):
            if ctx.parent_item:
                return  # details of the task above
            if ln.bullet or ln.indent > 0 or label is not None or ctx.section == "action":
                if text.endswith(":") and (_HANDLE_ONLY.match(text) or _PERSON_ONLY.match(text)):
                    frame.person = text.rstrip(":").strip().lstrip("@")
                    frame.label = "action"
                    return
                if _HANDLE_ONLY.match(text):
                    frame.person = text.strip().lstrip("@")
                    frame.label = "action"
                    return
                hm = _OWNER_HEADER.match(text)
                if hm and self._is_person(hm.group("owner"), strict=False):
                    frame.person = hm.group("owner").lstrip("@")
                    frame.label = "action"
                    return
                if text.endswith(":") and len(_content_tokens(text)) >= 1:
                    frame.collector = _Collector(kind="action", indent=ln.indent, bullet=ln.bullet,
                                                 owner=ctx.person or ctx.label_owner,
                                                 prefix=text, evidence=evidence, ctx=ctx)
                    return
                if label == "action" and ctx.person and "," in text and not ln.bullet:
                    for part in _LIST_SPLIT.split(text):
                        self._action_item_line(part, evidence, ctx)
                    return
                self._action_item_line(text, evidence, ctx)
                return
        if label == "questions":
            if len(self.questions) < MAX_ITEMS:
                self.questions.append(text)
            return
        if label == "status":
            self._prose(text, evidence, ctx, prev_text, ln, status_only=True)
            return
        self._prose(text, evidence, ctx, prev_text, ln, frame=frame)

    def _table_row(self, raw: str, ctx: _Ctx) -> None:
        """Markdown tables: a header row names the columns (owner, task, due, decision)."""
        cells = [_clean(c) for c in raw.strip().strip("|").split("|")][:12]
        if all(_TABLE_RULE.fullmatch(c.replace(" ", "")) for c in cells if c):
            return  # the separator row
        kinds = [_column_kind(c) for c in cells]
        if sum(k is not None for k in kinds) >= 2 or (len(cells) == 1 and kinds[0] in ("task", "decision")):
            self._columns = kinds
            return
        cols = self._columns
        if not cols:
            return
        row = dict(zip(cols, cells, strict=False))
        owner = row.get("owner") or None
        if row.get("decision"):
            self.add_agreement(row["decision"], raw, ctx)
        task = row.get("task")
        if task:
            due = row.get("due")
            self.add_action(owner, task, raw, ctx, due_text=f"by {due}" if due else task)

    def _action_item_line(self, text: str, evidence: str, ctx: _Ctx) -> None:
        owner = ctx.line_speaker or ctx.person or ctx.label_owner
        got = self._assignment(text, ctx, strict=False)
        if got:
            self.add_action(got[0] if got[0] is not None else None, got[1], evidence, ctx)
            return
        m = _TAIL_OWNER.match(text)
        if m:
            self.add_action(m.group("owner"), m.group("task"), evidence, ctx)
            return
        m = _LEAD_OWNER.match(text)
        if m and self._is_person(m.group("owner"), strict=True) and (
                m.group("owner").startswith("@") or self._known(m.group("owner"))
                or " " in m.group("owner").strip() or ":" not in text[m.end("owner"):m.start("task")]):
            self.add_action(m.group("owner"), m.group("task"), evidence, ctx)
            return
        if owner is None and _DEFER.match(text):
            self.add_agreement(text, evidence, ctx)
            return
        self.add_action(owner, text, evidence, ctx)

    def _marker(self, label: str, rest: str, ln: _Line, ctx: _Ctx, frame: _Frame) -> None:
        evidence = ln.raw
        if label in _NEXT_LABELS:
            return
        if label in ("next",):
            # stand-up "Next:" entries
            if not rest:
                frame.label = "action"
                return
            for part in _LIST_SPLIT.split(rest):
                self._action_item_line(part, evidence, ctx)
            return
        if label in _AGREE_LABELS:
            if not rest:
                frame.label = "agree"
                return
            if rest.endswith(":"):
                got = self._assignment(rest.rstrip(":"), ctx, strict=False)
                frame.collector = _Collector(kind="action" if got else "agree", indent=ln.indent,
                                             bullet=ln.bullet, owner=got[0] if got else None,
                                             prefix=got[1] if got else rest, evidence=evidence, ctx=ctx)
                return
            self._resolution(rest, evidence, ctx)
            return
        # action markers
        if not rest:
            frame.label = "action"
            return
        if rest.endswith(":"):
            head = rest.rstrip(":").strip()
            hm = _OWNER_WILL_HEAD.match(head)
            if hm and self._is_person(hm.group("owner"), strict=False):
                task = _FOLLOWING.sub("", hm.group("task")).strip()
                if task:
                    frame.collector = _Collector(kind="action", indent=ln.indent, bullet=ln.bullet,
                                                 owner=hm.group("owner"), prefix=task,
                                                 evidence=evidence, ctx=ctx)
                else:
                    frame.label = "action"
                    frame.owner = hm.group("owner")
                    frame.person = hm.group("owner").lstrip("@")
                return
            frame.label = "action"
            return
        if _DEFER.match(rest) or _DELIBERATE.match(rest) or \
                _NOTHING_NEW.match(rest):
            if _DEFER.match(rest) or _DELIBERATE.match(rest):
                self.add_agreement(rest, evidence, ctx)
            return
        got = self._assignment(rest, ctx, strict=False)
        if got:
            self.add_action(got[0], got[1], evidence, ctx)
            return
        if _STATE_NOW.search(rest):
            self.add_agreement(rest, evidence, ctx)
            return
        self._action_item_line(rest, evidence, ctx)

    def _resolution(self, rest: str, evidence: str, ctx: _Ctx) -> None:
        """A decision marker's content: assignments become actions, the rest the agreement."""
        sentences = _sentences(rest) or [rest]
        first = sentences[0]
        # a report of past work is not a decision
        pm = _OWNER_PAST.match(first)
        if pm and self._is_person(pm.group("owner"), strict=True) and \
                pm.group("verb") not in ("agreed", "decided"):
            return
        decided: list[str] = []
        assigned = False
        for sentence in sentences:
            got = self._assignment(sentence, ctx, strict=False)
            if got and got[0] is not None:
                self.add_action(got[0], got[1], evidence, ctx)
                assigned = True
            elif not (assigned and _vague_ref(sentence)):
                decided.append(sentence)
        if decided and len(decided) == len(sentences):
            self.add_agreement(rest, evidence, ctx)
        elif decided:
            self.add_agreement(" ".join(decided), evidence, ctx)

    # ---- running text ---------------------------------------------------------------------------

    def _prose(self, text: str, evidence: str, ctx: _Ctx, prev_text: str, ln: _Line,
               status_only: bool = False, frame: _Frame | None = None) -> None:
        low_text = _fold(text)
        if not _prose_may_find(text, low_text):
            return
        clauses = _clauses(text)
        qa = _QA_SAME_LINE.match(text) if "?" in text else None
        if qa and not status_only and len(_content_tokens(qa.group("q"))) >= 2:
            self.add_agreement(f"{qa.group('q').strip()}: {qa.group('a').strip()}", evidence, ctx)
            return
        short_yes = _SHORT_YES.match(text) if _opens_with(low_text, _SHORT_YES_STARTS) else None
        if short_yes and not status_only:
            parent = ctx.parent or prev_text
            if len(_content_tokens(short_yes.group("rest"))) >= 2 and not parent.endswith("?"):
                self.add_agreement(text, evidence, ctx)
            elif parent and len(_content_tokens(parent)) >= 2:
                self.add_agreement(f"{parent.rstrip('?').strip()}: {text}", evidence, ctx)
        base_ctx = ctx
        prev_clause = ""
        with_others = len(clauses) > 1 and len(text.split()) <= 30
        for index, clause in enumerate(clauses):
            c = _lead_trim(clause).strip().rstrip(").")
            conditional = _is_conditional(prev_clause)
            prev_clause = clause
            if not c or conditional:
                continue
            # the other clauses of a short line are this clause's context; worked out only when an
            # item is about to be made (the grammar below reads only speaker and person from ctx)
            ctx = base_ctx
            got = self._assignment(c, ctx, strict=True, midline=index > 0)
            if got and with_others:
                ctx = _clause_ctx(base_ctx, clauses, clause)
            if got:
                owner, task = got
                if owner is None and (ctx.person or ctx.label_owner):
                    owner = ctx.person or ctx.label_owner
                if frame is not None and (_ends_with(_DANGLING_TAIL, _DANGLING_ENDINGS, ":", task) or task.endswith(":")) \
                        and clause is clauses[-1]:
                    frame.collector = _Collector(kind="action", indent=ln.indent, bullet=ln.bullet,
                                                 owner=owner, prefix=task, evidence=evidence,
                                                 ctx=ctx, also_process=True)
                    continue
                self.add_action(owner, task, evidence, ctx)
                continue
            om = _OWNERLESS.match(c) if c[:1] in "wWtT'" else None
            if om and (ctx.person or ctx.speaker or ln.bullet) and not _DELIBERATE.match(om.group("task")) \
                    and (om.group("task").split(None, 1)[0].lower() in _TASK_VERBS or ctx.person):
                if with_others:
                    ctx = _clause_ctx(base_ctx, clauses, clause)
                self.add_action(ctx.person or ctx.label_owner or ctx.speaker, om.group("task"),
                                evidence, ctx)
                continue
            low = _fold(c)
            am = (_ASK.match(c) if _has_keyed(low, _ASK_KEYED) else None) or \
                (_PLEASE.match(c) if _opens_with(low, ("please",)) else None) or \
                (_IMPERATIVE_BANG.match(clause.strip()) if "!" in clause else None)
            if am is None and index == 0 and text.rstrip().endswith("!"):
                bang = _BANG_TASK.match(clause.strip())
                if bang and bang.group("task").split(None, 1)[0].lower() in _TASK_VERBS and \
                        (not bang.group("who") or bang.group("who").lower() in _GROUP_OWNERS):
                    am = bang
            if am:
                if with_others:
                    ctx = _clause_ctx(base_ctx, clauses, clause)
                if _DEFER.match(am.group("task")):
                    self.add_agreement(am.group("task"), evidence, ctx)
                else:
                    self.add_action(None, am.group("task"), evidence, ctx)
                continue
            if status_only or short_yes:
                continue
            if not _has_keyed(low, _AGREE_OR_DEFER_KEYED) or \
                    not (_has_keyed(low, _AGREE_KEYED) or _has_keyed(low, _DEFER_KEYED) and _DEFER.match(c)):
                continue  # none of the words any agreement phrasing below needs
            if with_others:
                ctx = _clause_ctx(base_ctx, clauses, clause)
            self._prose_agreement(c, text, evidence, ctx, prev_text)

    def _prose_agreement(self, c: str, line: str, evidence: str, ctx: _Ctx, prev_text: str) -> None:
        if c.endswith("?") or _QUESTION_START.match(c) or \
                ("/" in line and _has_any(_fold(line), ("yes", "option", "choice")) and _POLL.search(line)):
            return
        low = _fold(c)  # each unanchored pattern below runs only when a word it needs is in c
        am = _AGREE_PROSE.match(c) or \
            (_AGREE_INNER.search(c) if _has_any(low, ("agreed", "decided", "resolved")) else None)
        if am:
            what = am.group("what").strip()
            got = self._assignment(what, ctx, strict=True)
            if got and got[0] is not None:
                self.add_action(got[0], got[1], evidence, ctx)
            elif len(_content_tokens(what)) >= 2:
                self.add_agreement(what, evidence, ctx)
            return
        om = _OWNER_AGREES.match(c) if "agree" in c else None
        if om and self._is_person(om.group("owner"), strict=False):
            what = om.group("what").strip()
            what = _WITH_PROPOSAL.sub("", what)
            tm = _TO_TASK.match(what)
            if tm and len(_OWNER_LIST_SPLIT.split(om.group("owner"))) == 1:
                self.add_action(om.group("owner"), tm.group(1), evidence, ctx)
            elif len(_content_tokens(what)) >= 3 and not what.endswith(":"):
                self.add_agreement(what, evidence, ctx)
            return
        cm = _CONSENSUS_PROSE.search(c) if "consensus" in low or "agreement" in low else None
        if cm and len(_content_tokens(cm.group("what"))) >= 2:
            self.add_agreement(cm.group("what"), evidence, ctx)
            return
        if _may_be_unanimous(low) and _UNANIMOUS.search(c):
            text = line if len(_content_tokens(line)) <= 30 else c
            if len(_content_tokens(text)) < 4 and (ctx.parent or prev_text):
                text = f"{(ctx.parent or prev_text).rstrip('?')}: {c}"
            self.add_agreement(text, evidence, ctx, whole=True)
            return
        if _DEFER.match(c):
            text = c
            if len(_content_tokens(c)) < 4 and prev_text:
                text = f"{prev_text.rstrip('?')}: {c}"
            self.add_agreement(text, evidence, ctx)


_AT_HANDLE: Final = re.compile(r"@([\w.-]{1,40})")
# \b[A-Z][a-z]{1,30}\b, written capital first so that re skips to the capitals; the look-behind is
# that \b (no word character before the capital)
_CAP_WORD: Final = re.compile(r"[A-Z](?<!\w.)[a-z]{1,30}\b")
_ATTENDEES: Final = re.compile(r"^(?:present|attendees|attending|participants|regrets)\s*:\s*(.+)$", re.I)
_NEXT_MEETING_LINE: Final = re.compile(
    r"\bnext (?:formal |regular |group |team |tsc |ctc |wg )?(?:meeting|call|sync|session|"
    r"check-?in|telco|teleconference)\b(?:\s+(?:is|will be|on|at|scheduled for|set for))*"
    r"\s*[:\-–—]?\s*(?P<rest>.*)$",
    re.I,
)


def _clause_ctx(base: _Ctx, clauses: list[str], clause: str) -> _Ctx:
    """The context of one clause of a short line: the line's other clauses are its parent."""
    others = " ".join(x for x in clauses if x is not clause).strip(" .,;:!")
    if len(_content_tokens(others)) >= 2:
        return base.with_parent(others)
    return base


def _minimal(words: tuple[str, ...]) -> tuple[str, ...]:
    """words without those that contain another one (testing "defer" also finds "deferred")."""
    return tuple(w for w in dict.fromkeys(words) if not any(v != w and v in w for v in words))


_FILLER_STARTS: Final = ("and", "so", "but", "then", "also", "ok", "yes", "right", "which means")
_CONDITIONAL_STARTS: Final = ("if", "unless", "in case", "provided", "assuming", "should ")
_ASK_WORDS: Final = ("next step", "ask", "request", "action", "todo", "homework")
_ASK_KEYED: Final = _keyed(_ASK_WORDS)
# every agreement phrasing of _prose_agreement (AGREE_PROSE, AGREE_INNER, "X agreed",
# CONSENSUS_PROSE, UNANIMOUS) contains one of these; DEFER is checked on its own
_AGREE_WORDS: Final = (
    "agree", "decided", "resolved", "concluded", "approved", "accepted", "adopted", "consensus",
    "+1", "\U0001f44d", "objection", "in favo", "unanimous", "passed", "carried", "agenda", "motion",
    "vote", "ratified", "rejected", "declined", "postponed", "deferred", "tabled", "punted", "parked",
)
# the words some clause of a line needs before _prose can find anything in it: requests, "will"
# without an owner, agreement phrasings. Commitments (_ASSIGN, _SELF): every lx.COMMIT ends in
# to/will/shall/'ll/must/should and is followed by whitespace; _SELF's other verbs end in one of
# these too, or are "can take".
_PROSE_WORDS: Final = _minimal(("will", "'ll", "’ll", "should", "must", "shall", "can take", "please", "to do") +
                        _ASK_WORDS + _AGREE_WORDS + lx.DEFER_WORDS)
_TO_SPACE: Final = re.compile(r"to\s")


def _to_space(text: str) -> bool:
    """_TO_SPACE.search(text) is not None; in printable text the only whitespace is " "."""
    return "to " in text or ("to" in text and not _isprintable(text) and _TO_SPACE.search(text) is not None)
_AGREE_OR_DEFER_WORDS: Final = _minimal(_AGREE_WORDS + lx.DEFER_WORDS)
_PROSE_KEYED: Final = _keyed(_PROSE_WORDS)
_AGREE_OR_DEFER_KEYED: Final = _keyed(_AGREE_OR_DEFER_WORDS)
_AGREE_KEYED: Final = _keyed(_AGREE_WORDS)
_DEFER_KEYED: Final = _keyed(lx.DEFER_WORDS)
# _SHORT_YES opens with one of these (in the case-folded text)
_SHORT_YES_STARTS: Final = ("yes", "yep", "yup", "agreed", "approved", "accepted", "+1", "lgtm", "consensus",
                     "resolved", "done deal")


def _opens_with(low: str, words: tuple[str, ...]) -> bool:
    """The start-anchored twin of _has_any: may a pattern anchored at ^ match low?"""
    return low.startswith(words)


def _closes_with(low: str, words: tuple[str, ...]) -> bool:
    """The end-anchored twin of _has_any."""
    return low.endswith(words)


def _prose_may_find(text: str, low: str) -> bool:
    """False when no clause of text can hold an item (_prose would find nothing): a cheap test.
    low is _fold(text)."""
    return "?" in text or "!" in text or _to_space(text) or \
        _has_keyed(low, _PROSE_KEYED) or _opens_with(low, _SHORT_YES_STARTS)


# the words each branch of _UNANIMOUS needs: "+1 from all", "no objection", "unanimous(ly)", "no
# disagreement", "... passed|carried|approved", "is approved|accepted|adopted|ratified" (one word);
# "all|everyone|everybody in favour|agree(d)" (a word of each); "Topic: agreed|rejected|..." (":" and
# a word); "removed it from the agenda" (a verb and "agenda"); "motion|vote passes|carried"
_UNANIMOUS_WORDS: Final = ("+1", "\U0001f44d", "objection", "unanimous", "no disagreement", "passed", "carried",
                    "approved", "accepted", "adopted", "ratified")
_UNANIMOUS_KEYED: Final = _keyed(_UNANIMOUS_WORDS)
_ALL_WORDS: Final = ("all ", "everyone ", "everybody ")
_IN_FAVOUR_WORDS: Final = ("in favo", "agree")
_DECIDED_WORDS: Final = ("approved", "accepted", "agreed", "adopted", "passed", "rejected", "declined", "postponed",
                  "deferred", "tabled", "punted", "parked")
_OFF_AGENDA_VERBS: Final = ("remov", "tak", "took", "drop")


def _may_be_unanimous(low: str) -> bool:
    """Can _UNANIMOUS match the text whose _fold is low?"""
    return _has_keyed(low, _UNANIMOUS_KEYED) or \
        (_has_any(low, _ALL_WORDS) and _has_any(low, _IN_FAVOUR_WORDS)) or \
        (":" in low and _has_any(low, _DECIDED_WORDS)) or \
        ("agenda" in low and _has_any(low, _OFF_AGENDA_VERBS)) or \
        (("motion" in low or "vote" in low) and "passe" in low)


def _lead_trim(s: str) -> str:
    """_LEAD_FILLER removed ("and so ..."), the pattern run only when a filler word opens s."""
    return _LEAD_FILLER.sub("", s) if _fold(s[:12]).startswith(_FILLER_STARTS) else s


def _is_conditional(clause: str) -> bool:
    return _fold(clause[:12]).startswith(_CONDITIONAL_STARTS) and bool(_CONDITIONAL.match(clause))


def _looks_like_notes(lines: list[_Line]) -> bool:
    """Structure or vocabulary of meeting notes, as opposed to a short scheduling mail."""
    filled = [ln for ln in lines if ln.text]
    if any(ln.heading > 0 for ln in filled) or sum(ln.bullet for ln in filled) >= 2:
        return True
    return any(_NOTES_WORDS.search(ln.text) for ln in filled[:40])


_NOTES_WORDS: Final = re.compile(
    r"\b(?:notes|minutes|recap|summary|action items?|next steps|attendees|present|agenda|"
    r"decisions?|agreed|takeaways|follow-?ups?)\b",
    re.I,
)


def _as_date(v: dt.date | dt.datetime) -> dt.date:
    return v.date() if isinstance(v, dt.datetime) else v


# patterns the functions above use (compiled once, here, after every name they are built from)
_LEADING_NUMBERS: Final = re.compile(r"^(?:\d+ )+")
_COL_OWNER: Final = re.compile(r"(?:owners?|who|assignee|assigned to|responsible|person|lead|by whom)")
_COL_TASK: Final = re.compile(r"(?:tasks?|action(?: items?)?|what|items?|to ?do|description|next steps?)")
_COL_DUE: Final = re.compile(r"(?:due(?: date)?|when|deadline|by when|date|target(?: date)?)")
_COL_DECISION: Final = re.compile(r"(?:decisions?|agreements?|resolutions?|outcomes?|agreed)")
_OFFSET_PARTS: Final = re.compile(r"([+-−])\s?(\d{1,2})(?::?(\d{2}))?")
_STATE_NOW: Final = re.compile(r"\b(?:is|are) now\b|\bhas been\b|\bwas\b", re.I)
_OWNER_PAST: Final = re.compile(rf"^(?P<owner>{_OWNERS})\s+(?P<verb>[a-z]+ed)\b")
_OWNER_AGREES: Final = re.compile(rf"^(?P<owner>{_OWNERS})\s+(?:all\s+|both\s+)?(?:agree|agreed|agrees)\b"
                           rf"(?:\s+(?:that|on))?\s*(?P<what>.*)$")
_TOMORROW: Final = re.compile(r"\b(tomorrow)\b", re.I)
_TWO_LONG_WORDS: Final = re.compile(r"[a-z]{4,}\s+[a-z]{4,}")
_EXAMPLE_START: Final = re.compile(r"^(?:for example|e\.g\.|some ideas|note|this|that|it)\b", re.I)
_RELEASE_WORD: Final = re.compile(r"\brelease|\bpublish", re.I)
_CONDITION_WORD: Final = re.compile(r"\b(?:if|unless|once|when)\b", re.I)
_LIST_SPLIT: Final = re.compile(r",\s+|;\s+")
_OWNER_WILL_HEAD: Final = re.compile(rf"^(?P<owner>{_OWNERS})\s+(?:will|to|should|is going to)\s*(?P<task>.*)$")
_NOTHING_NEW: Final = re.compile(r"^(?:as noted|see above|none|n/a)\b", re.I)
_WITH_PROPOSAL: Final = re.compile(r"^with (?:the |this |that )?(?:suggestion|proposal|idea|plan|approach)"
                            r"(?: of| to| that)?\s+")
_TO_TASK: Final = re.compile(r"^to\s+(\S.*)$")
_I_WORD: Final = re.compile(r"^(?:I|i)\b")
_I_NEED: Final = re.compile(r"^I\s+(?:need|have|must|should)\b")
_NAME_LIST_SPLIT: Final = re.compile(r"[,;]|\band\b")
_NAME_NOISE: Final = re.compile(r"\([^)]*\)|@\S+|[-–—].*$")
_RELEASE_START: Final = re.compile(r"\brelease", re.I)
_CONCLUSION_LEAD: Final = re.compile(r"^(?:the )?(?:overall |main |final )?(?:conclusions?|decisions?|outcome)"
                              r"\s+(?:was|were|is|are)\s+(?:that\s+)?", re.I)
_OWNER_HEADER: Final = re.compile(rf"^(?P<owner>{_OWNERS})\s*(?:will|to|should|is going to)?\s*:$")
_TABLE_RULE: Final = re.compile(r":?-{2,}:?")
_FOLLOWING: Final = re.compile(r"\b(?:the following|as follows|these|following)\b")
_OWNER_LIST_SPLIT: Final = re.compile(r"\s*(?:,|&|\band\b)\s*")
_LEAD_DOTS: Final = re.compile(r"^\.{2,}\s*")
_PERSONAL_START: Final = re.compile(r"^(?:will|we|i)\b", re.I)
