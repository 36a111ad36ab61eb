"""Atoms for reading times: the small patterns times.py builds expressions from.

Rules: each pattern is written against lower-cased text and is linear (no nested repetition);
a pattern runs only when the text holds a digit or one of the substrings it needs, and only at
the places where a match of it can begin (read from the parsed pattern, see "scanning"), which
finds exactly what running it over the whole text finds; overlapping finds keep the longest
(then the pattern registered first). Words come from :mod:`mailflow.times_lexicon`.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from operator import attrgetter, itemgetter
from re import _constants as _C  # type: ignore[attr-defined]
from typing import Any

from . import times_lexicon as lex
from .zones import tzinfo_for, zone_for_place

MAX_ATOMS = 800  # atoms kept per text
_MIN_YEAR, _MAX_YEAR = 1800, 2200

def _alt(words: Iterable[object]) -> str:
    return "|".join(sorted((re.escape(str(w)).replace(r"\ ", r"\s+") for w in words), key=len, reverse=True))


_MON = _alt(lex.MONTHS)
_WD = _alt(lex.WEEKDAYS)
_NUMW = _alt(lex.NUMBERS)
_ORDW = _alt(lex.ORDINALS)
_UNIT = _alt(lex.UNITS)
_COUNT = _alt(lex.COUNTS)
_ZONEW = _alt(lex.ZONES)
_MER = r"(?:a\.\s?m\.?|p\.\s?m\.?|am\b|pm\b)"
_MER_SHORT = r"(?:a\.\s?m\.?|p\.\s?m\.?|am\b|pm\b|a\b|p\b)"
_PREPS = ("at", "@", "around", "about", "approx.", "approx", "approximately", "by", "from", "until", "till", "til",
          "before", "after", "since", "starting", "between", "for")
_PREP = r"(?:at|@|around|about|approx\.?|approximately|by|from|until|till|til|before|after|since|starting|between|for)"
_SUFFIX = r"(?:st|nd|rd|th)"
_HOURW = _alt([w for w, n in lex.NUMBERS.items() if 1 <= n <= 12])
_MINW = r"(?:(?:twenty|thirty|forty|fifty)(?:[-\s]+(?:one|two|three|four|five|six|seven|eight|nine))?|oh[-\s]+(?:one|two|three|four|five|six|seven|eight|nine)|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen)"

# lower-case abbreviations that are also everyday words: a zone only when written in capitals
_ZONE_CASE_SENSITIVE = frozenset({"et", "ct", "mt", "pt", "z", "zulu", "art", "cat", "west", "met", "gst",
                                  "ist", "ict", "eat", "wat", "ast", "adt", "nst", "wib", "pht", "brt",
                                  "clt", "msk", "eet", "wet", "kst", "sgt", "hkt", "npt", "pkt", "cst"})


@dataclass(slots=True, init=False)
class _Atom:
    start: int
    end: int
    kind: str  # date, wd, relday, shift, period, time, zone, pod, range, or, every, nth, dayonly
    weak: bool = False
    y: int | None = None
    m: int | None = None
    d: int | None = None
    wd: int | None = None
    wd_mod: str | None = None
    rel_days: int | None = None
    shift: tuple[str, int] | None = None
    period: tuple[str, int] | None = None
    hour: int | None = None
    minute: int | None = None
    second: int | None = None
    mer: str | None = None  # "am" / "pm"
    hour_only: bool = False
    end_clock: tuple[int, int | None, str | None] | None = None  # range inside one atom
    zone: str | None = None
    zone_note: str | None = None  # doubt about the zone
    zone_dst: bool | None = None
    zone_abbr: str | None = None
    pod: str | None = None
    rrule: str | None = None
    nth: tuple[int, int, int | None, int | None, str | None] | None = None  # (n, wd, month, year, rel)
    grain: str | None = None
    end_date: tuple[int | None, int, int] | None = None  # (year, month, day) of a day range's end
    order: str | None = None  # numeric date not yet read by date order: "numeric", "DMY", "MDY"
    padded: bool = False  # written with a leading zero or as 24-hour time ("03:30", "15h")
    spoken: bool = False  # written in words ("three twenty"): a proposal, not a clock reading

    # written out (the same fields, in order: tests/test_times_scan.py checks): mypyc compiles this
    # natively, while the __init__ dataclass writes is Python (about ten times slower per atom)
    def __init__(
        self, start: int, end: int, kind: str, weak: bool = False, y: int | None = None, m: int | None = None,
        d: int | None = None, wd: int | None = None, wd_mod: str | None = None, rel_days: int | None = None,
        shift: tuple[str, int] | None = None, period: tuple[str, int] | None = None, hour: int | None = None,
        minute: int | None = None, second: int | None = None, mer: str | None = None, hour_only: bool = False,
        end_clock: tuple[int, int | None, str | None] | None = None, zone: str | None = None,
        zone_note: str | None = None, zone_dst: bool | None = None, zone_abbr: str | None = None,
        pod: str | None = None, rrule: str | None = None,
        nth: tuple[int, int, int | None, int | None, str | None] | None = None, grain: str | None = None,
        end_date: tuple[int | None, int, int] | None = None, order: str | None = None, padded: bool = False,
        spoken: bool = False,
    ) -> None:
        self.start = start
        self.end = end
        self.kind = kind
        self.weak = weak
        self.y = y
        self.m = m
        self.d = d
        self.wd = wd
        self.wd_mod = wd_mod
        self.rel_days = rel_days
        self.shift = shift
        self.period = period
        self.hour = hour
        self.minute = minute
        self.second = second
        self.mer = mer
        self.hour_only = hour_only
        self.end_clock = end_clock
        self.zone = zone
        self.zone_note = zone_note
        self.zone_dst = zone_dst
        self.zone_abbr = zone_abbr
        self.pod = pod
        self.rrule = rrule
        self.nth = nth
        self.grain = grain
        self.end_date = end_date
        self.order = order
        self.padded = padded
        self.spoken = spoken

    def facts(self) -> tuple[object, ...]:
        """What the atom says, apart from where it stands: every field but start and end, in order."""
        return (
            self.kind, self.weak, self.y, self.m, self.d, self.wd, self.wd_mod, self.rel_days, self.shift,
            self.period, self.hour, self.minute, self.second, self.mer, self.hour_only, self.end_clock,
            self.zone, self.zone_note, self.zone_dst, self.zone_abbr, self.pod, self.rrule, self.nth,
            self.grain, self.end_date, self.order, self.padded, self.spoken
        )


# --- atoms --------------------------------------------------------------------------------------

_Handler = Callable[[re.Match[str], str, str], "_Atom | None"]
# (pattern, handler, needs): a pattern only runs when the text has a digit (needs == "digit") or
# one of the needed substrings; this keeps the scan cheap on ordinary prose.


@dataclass(frozen=True, slots=True)
class _Rule:
    rx: re.Pattern[str]
    handler: _Handler
    digit: bool  # runs only when the text has a digit
    any_of: frozenset[str] | None  # and one of these substrings
    words: frozenset[str] | None  # and one of these words
    not_after: re.Pattern[str] | None  # the character before a match must not be one of these
    # ch -> may a match begin after ch: not_after is one character class, so it reads only ch
    after_seen: dict[str, bool] = field(default_factory=dict, compare=False, hash=False, repr=False)

    def may_follow(self, ch: str) -> bool:
        """``not_after`` does not match ``ch`` (remembered per character)."""
        got = self.after_seen.get(ch)
        if got is None:
            got = self.not_after is None or self.not_after.match(ch) is None
            if len(self.after_seen) < _MAX_CHAR_MEMO:
                self.after_seen[ch] = got
        return got


_PATTERNS: list[_Rule] = []
_HINTS: set[str] = set()
_LEADING_LOOKBEHIND = re.compile(r"^\(\?<!\[((?:\\.|[^\]])+)\]\)")
_DIGIT = "digit"


class _Words:
    """A pattern's requirement: one of these whole words ([a-z]+ runs) is in the text. (A holder,
    not a frozenset subclass: compiled modules cannot subclass builtins.)"""

    __slots__ = ("words",)

    def __init__(self, words: Iterable[str]) -> None:
        self.words = frozenset(words)


_MONTH_WORDS = _Words(lex.MONTHS)
_WD_WORDS = _Words(list(lex.WEEKDAYS) + [w + "s" for w in lex.WEEKDAYS])
_WORD_RUN = re.compile(r"[a-z]+")


def _pattern(regex: str, needs: object = None) -> Callable[[_Handler], _Handler]:
    """Register an atom pattern (written against lower-cased text). ``needs``: _DIGIT, a tuple
    of substrings (any of them), or a tuple of such requirements (all of them)."""

    def deco(fn: _Handler) -> _Handler:
        groups: tuple[object, ...]
        if needs is None:
            groups = ()
        elif needs == _DIGIT or isinstance(needs, _Words):
            groups = (needs,)
        elif isinstance(needs, tuple) and needs and all(isinstance(x, str) for x in needs) and _DIGIT not in needs:
            groups = (needs,)  # one tuple of substrings
        else:
            assert isinstance(needs, tuple)
            groups = needs
        subs = [frozenset(g) for g in groups if g != _DIGIT and not isinstance(g, _Words)]  # type: ignore[call-overload]
        word_sets = [g for g in groups if isinstance(g, _Words)]
        if len(subs) > 1 or len(word_sets) > 1:
            raise ValueError("one substring set and one word set per pattern")
        any_of = subs[0] if subs else None
        words = word_sets[0].words if word_sets else None
        if any_of:
            _HINTS.update(any_of)
        # a leading "(?<![...])" is checked after the match instead: a pattern that starts with a
        # character class lets the regex engine skip ahead quickly
        source = regex
        lb = _LEADING_LOOKBEHIND.match(source)
        not_after = None
        if lb and "|" not in source[lb.end():].split("(", 1)[0]:
            not_after = re.compile("[" + lb.group(1) + "]")
            source = source[lb.end():]
        _PATTERNS.append(_Rule(rx=re.compile(source), handler=fn, digit=_DIGIT in groups,
                               any_of=any_of, words=words, not_after=not_after))
        return fn

    return deco


_SPACES = re.compile(r"\s+")


def _squash(text: str) -> str:
    """Each run of whitespace -> one space (a word of letters only is returned as it is)."""
    return text if text.isalpha() else _SPACES.sub(" ", text)


def _year(text: str | None, *, two_digit_ok: bool = True) -> int | None:
    if not text:
        return None
    t = text.strip("'’ ")
    if not t.isdigit():
        return None
    if len(t) == 2 and two_digit_ok:
        return 2000 + int(t) if int(t) < 70 else 1900 + int(t)
    if len(t) == 4 and 1900 <= int(t) <= 2199:
        return int(t)
    return None


def _valid(y: int | None, m: int | None, d: int | None) -> bool:
    if m is None or not 1 <= m <= 12:
        return False
    if d is None:
        return True
    if not 1 <= d <= 31:
        return False
    if y is not None:
        return d <= calendar.monthrange(y, m)[1]
    return d <= (29 if m == 2 else calendar.monthrange(2001, m)[1])


def _mer(text: str | None) -> str | None:
    if not text:
        return None
    return "am" if text.strip().lower().startswith("a") else "pm"


def _num(text: str) -> int | None:
    t = text.strip().lower().replace("-", " ")
    if t.isdigit():
        return int(t)
    if t in lex.COUNTS:
        return lex.COUNTS[t]
    total = 0
    for part in t.split():
        if part not in lex.NUMBERS:
            return None
        total += lex.NUMBERS[part]
    return total


@_pattern(
    r"(?<![\d.])(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:t|\s+)(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d{1,6})?)?"
    r"(?:\s*(z\b|[+-]\d{2}:?\d{2}\b))?)?(?!\d)",
    needs=(_DIGIT, ("-",)))
def _iso(m: re.Match[str], low: str, orig: str) -> _Atom | None:
    y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if not _MIN_YEAR <= y <= _MAX_YEAR or not _valid(y, mo, d):
        return None
    a = _Atom(m.start(), m.end(), "date", y=y, m=mo, d=d)
    if m.group(4) is not None:
        h, mi = int(m.group(4)), int(m.group(5))
        if h > 23 or mi > 59:
            return None
        a.kind = "datetime"
        a.hour, a.minute = h, mi
        a.second = int(m.group(6)) if m.group(6) else None
        z = m.group(7)
        if z:
            a.zone = "UTC" if z.lower() == "z" else (z if ":" in z else f"{z[:3]}:{z[3:]}")
    return a


@_pattern(r"(?<![\d./])(\d{4})\s*([/.])\s*(\d{1,2}|" + _MON + r")\.?\s*\2\s*(\d{1,2})(?![\d/])", needs=(_DIGIT, ("/", ".")))
def _ymd(m: re.Match[str], low: str, orig: str) -> _Atom | None:
    y = int(m.group(1))
    mon = m.group(3).lower()
    mo = int(mon) if mon.isdigit() else lex.MONTHS.get(mon.rstrip("."))
    d = int(m.group(4))
    if mo is None or not _MIN_YEAR <= y <= _MAX_YEAR:
        return None
    if mo > 12 and d <= 12 and mon.isdigit():
        mo, d = d, mo
    if not _valid(y, mo, d):
        return _Atom(m.start(), m.end(), "invalid")
    return _Atom(m.start(), m.end(), "date", y=y, m=mo, d=d)


def _order(a: int, b: int, order: str) -> tuple[int, int]:
    """Two numbers of a numeric date -> (month, day) by date order; impossible readings swap."""
    mo, d = (b, a) if order == "DMY" else (a, b)
    if mo > 12 and d <= 12:
        mo, d = d, mo
    return mo, d


@_pattern(
    r"(?<![\d.:/,-])(\d{1,2})\s?/\s?(\d{1,2})(?:\s?/\s?(\d{4}|\d{2}))?(?![\d/]|\.\d|:\d)"
    r"|(?<![\d.:/,-])(\d{1,2})-(\d{1,2})-(\d{4}|\d{2})(?![\d-])"
    r"|(?<![\d.:/,-])(\d{1,2})\.(\d{1,2})(?:\.(\d{4}|\d{2})(?![\d])|(\.)(?!\d)|(?=\s|$|[,;)]))(?!\.\d)",
    needs=(_DIGIT, ("/", ".", "-")))
def _numdate(m: re.Match[str], low: str, orig: str) -> _Atom | None:
    g = m.groups()
    if g[0] is not None:
        a, b, ys, sep = int(g[0]), int(g[1]), g[2], "/"
    elif g[3] is not None:
        a, b, ys, sep = int(g[3]), int(g[4]), g[5], "-"
    else:
        a, b, ys, sep = int(g[6]), int(g[7]), g[8], "."
        if ys is None and g[9] is None and len(g[7]) < 2:
            return None  # "10.1": a decimal, not a date
    order = None  # the caller's date order decides (see _fix_numeric_dates)
    if sep == "." or (sep == "-" and ys and len(ys) == 2 and a <= 12 and b > 12):
        order = "DMY" if sep == "." else "MDY"
    y = _year(ys) if ys else None
    if ys and y is None:
        return None
    atom = _Atom(m.start(), m.end(), "date", y=y, m=a, d=b)
    atom.order = order or "numeric"
    return atom


def _fix_numeric_dates(atoms: list[_Atom], date_order: str) -> None:
    """Numeric dates ("03/12") are read by the writer's date order once it is known."""
    for atom in atoms:
        if atom.kind == "date" and atom.order is not None:
            assert atom.m is not None and atom.d is not None
            mo, d = _order(atom.m, atom.d, date_order if atom.order == "numeric" else atom.order)
            atom.m, atom.d, atom.order = mo, d, None
            if not _valid(atom.y, mo, d):
                atom.kind = "invalid"


@_pattern(
    r"(?<![\d])(?:the\s+)?(\d{1,2})\s*" + _SUFFIX + r"?(?:\s+of|\s*[-/.]|\s*,)?\s*(" + _MON + r")(?![a-z])\.?"
    r"(?:\s*[-/,]?\s*(\d{4})(?![\d:])|(?:\s*[-/]\s*|\s+)('\d{2}|\d{2})(?=\s*$|\s*[,;)]|\.\s|\.$))?",
    needs=(_DIGIT, _MONTH_WORDS))
def _day_month(m: re.Match[str], low: str, orig: str) -> _Atom | None:
    d = int(m.group(1))
    mo = lex.MONTHS[_squash(m.group(2).lower())]
    ys = m.group(3) or m.group(4)
    y = _year(ys) if ys else None
    end = m.end()
    if ys and y is None:
        end = m.end(2) + (1 if low[m.end(2): m.end(2) + 1] == "." else 0)
    huge = _HUGE_YEAR.match(low, end)
    if huge:
        return _Atom(m.start(), huge.end(), "invalid")
    if not _valid(y, mo, d):
        return _Atom(m.start(), end, "invalid") if y else None
    return _Atom(m.start(), end, "date", y=y, m=mo, d=d)


_HUGE_YEAR = re.compile(r"\s*[,/-]?\s*\d{5,}")


@_pattern(r"(?<![\d.])\d{5,}-\d{1,2}-\d{1,2}(?![\d])", needs=(_DIGIT, ("-",)))
def _huge_iso(m: re.Match[str], low: str, orig: str) -> _Atom | None:
    return _Atom(m.start(), m.end(), "invalid")  # a date with a year past 9999


@_pattern(
    r"\b(?:from\s+|between\s+)?(?:the\s+)?(\d{1,2})(?:" + _SUFFIX + r")?\.?\s*(?:-|–|—|to|until|till|through|and)\s*"
    r"(?:the\s+)?(\d{1,2})(?:" + _SUFFIX + r")?\.?\s*(?:of\s+)?(" + _MON + r")(?![a-z])\.?(?:,?\s*(\d{4})(?![\d:]))?",
    needs=(_DIGIT, _MONTH_WORDS),
)
def _day_range(m: re.Match[str], low: str, orig: str) -> _Atom | None:
    d1, d2 = int(m.group(1)), int(m.group(2))
    mo = lex.MONTHS[m.group(3).lower()]
    y = _year(m.group(4), two_digit_ok=False) if m.group(4) else None
    if not (_valid(y, mo, d1) and _valid(y, mo, d2)) or d2 < d1:
        return _Atom(m.start(), m.end(), "invalid") if y else None
    a = _Atom(m.start(), m.end(), "date", y=y, m=mo, d=d1)
    a.end_date = (y, mo, d2)
    return a


@_pattern(
    r"\b(" + _MON + r")\.?\s*(?:[/-]\s*)?(?:the\s+)?(\d{1,2})(?:" + _SUFFIX + r")?(?![\d:.]\d|\d|\s*(?:" + _MER + r"|h\b|:))"
    r"(?:\s*,?\s*(\d{4})(?![\d:]))?",
    needs=(_DIGIT, _MONTH_WORDS))
def _month_day(m: re.Match[str], low: str, orig: str) -> _Atom | None:
    mo = lex.MONTHS[_squash(m.group(1).lower())]
    d = int(m.group(2))
    y = _year(m.group(3)) if m.group(3) else None
    end = m.end() if (y or not m.group(3)) else m.end(2)
    huge = _HUGE_YEAR.match(low, end)
    if huge:
        return _Atom(m.start(), huge.end(), "invalid")
    if not _valid(y, mo, d):
        return _Atom(m.start(), end, "invalid") if y else None
    return _Atom(m.start(), end, "date", y=y, m=mo, d=d)


@_pattern(
    r"\b(?:the\s+)?(" + _ORDW + r")\s+(?:day\s+)?(?:of\s+|in\s+)?(" + _MON + r")\b(?:\s*,?\s*(\d{4}))?"
    r"|\b(" + _MON + r")\s+(?:the\s+)?(" + _ORDW + r")\b(?:\s*,?\s*(\d{4}))?",
    needs=_MONTH_WORDS)
def _day_month_words(m: re.Match[str], low: str, orig: str) -> _Atom | None:
    if m.group(1):
        d, mon, ys = lex.ORDINALS[_squash(m.group(1).lower())], m.group(2), m.group(3)
    else:
        mon, d, ys = m.group(4), lex.ORDINALS[_squash(m.group(5).lower())], m.group(6)
    mo = lex.MONTHS[mon.lower()]
    y = _year(ys) if ys else None
    if not _valid(y, mo, d):
        return None
    return _Atom(m.start(), m.end(), "date", y=y, m=mo, d=d)


@_pattern(r"\b(?:(?:in|of|during)\s+)?(" + _MON + r")\.?(?:\s*[,/-]?\s*(\d{4}))?(?![a-z])", needs=_MONTH_WORDS)
def _month(m: re.Match[str], low: str, orig: str) -> _Atom | None:
    word = m.group(1).lower()
    y = _year(m.group(2), two_digit_ok=False) if m.group(2) else None
    weak = word in lex.WEAK_MONTHS and not y and not orig[m.start(1)].isupper()
    if word == "may" and not y:
        weak = True
    a = _Atom(m.start(), m.end(), "month", m=lex.MONTHS[word], y=y, weak=weak)
    if not y and m.group(2):
        a.end = m.end(1)
    return a


@_pattern(
    r"\b(?:q([1-4])|(?:the\s+)?(first|second|third|fourth|1st|2nd|3rd|4th|last)\s+(?:quarter|qtr))"
    r"(?:\s*(?:of\s+)?,?\s*((?:19|20)\d{2})(?![\d]))?\b",
    needs=_Words(("q", "quarter", "qtr")),
)
def _quarter(m: re.Match[str], low: str, orig: str) -> _Atom | None:
    if m.group(1):
        q = int(m.group(1))
    else:
        w = m.group(2).lower()
        q = 4 if w == "last" else lex.ORDINALS.get(w) or int(w[0])
    y = int(m.group(3)) if m.group(3) else None
    a = _Atom(m.start(), m.end(), "month", m=3 * (q - 1) + 1, y=y)
    a.grain = "quarter"
    return a


@_pattern(r"\b(?:in|during|for|of|by|until)\s+((?:19|20)\d{2})(?![\d:/.-]|\s*(?:" + _MER + r"|h\b))", needs=(_DIGIT, ("19", "20")))
def _in_year(m: re.Match[str], low: str, orig: str) -> _Atom | None:
    return _Atom(m.start(), m.end(), "year", y=int(m.group(1)))


@_pattern(
    r"\b(?:upcoming|next|coming)\s+(\d{1,3}|" + _NUMW + r")\s+(days?|weeks?)\b"
    r"|\b(\d{1,3}|" + _NUMW + r")\s+(?:upcoming|coming)\s+(days?|weeks?)\b",
    needs=_Words(("upcoming", "next", "coming")),
)
def _upcoming(m: re.Match[str], low: str, orig: str) -> _Atom | None:
    qty, unit = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
    n = _num(qty)
    if n is None or not 0 < n <= 1000:
        return None
    days = n * (7 if unit.startswith("week") else 1)
    return _Atom(m.start(), m.end(), "shift", shift=("day", days))


@_pattern(
    r"\b(\d{1,2}|" + _NUMW + r")\s+(" + _WD + r")s\s+(?:from\s+now|from\s+today|hence|later)\b",
    needs=_Words(("now", "today", "hence", "later")),
)
def _nth_weekday_from_now(m: re.Match[str], low: str, orig: str) -> _Atom | None:
    n = _num(m.group(1))
    if n is None or not 0 < n <= 52:
        return None
    return _Atom(m.start(), m.end(), "wd", wd=lex.WEEKDAYS[m.group(2).lower()], wd_mod=f"+{n}")


@_pattern(
    r"\b(?:(next|this|last|past|previous|coming|upcoming|following)\s+)?(" + _WD + r")(?![a-z])(\.)?"
    r"(?:\s+(after\s+next|next\s+week|this\s+week|last\s+week|of\s+this\s+week|of\s+next\s+week|of\s+last\s+week))?",
    needs=_WD_WORDS)
def _weekday(m: re.Match[str], low: str, orig: str) -> _Atom | None:
    word = m.group(2).lower()
    mod = (m.group(1) or "").lower() or None
    suffix = _squash((m.group(4) or "").lower()) or None
    if suffix:
        mod = {"after next": "after next", "next week": "next", "of next week": "next",
               "this week": "thisweek", "of this week": "thisweek", "last week": "lastweekof",
               "of last week": "lastweekof"}[suffix]
    weak = (word in lex.WEAK_WEEKDAYS and not mod and not m.group(3)
            and not orig[m.start(2)].isupper()) or word in ("tu", "th")
    return _Atom(m.start(), m.end(), "wd", wd=lex.WEEKDAYS[word], wd_mod=mod, weak=weak)


@_pattern(
    r"\b(?:the\s+)?(day\s+after\s+tomorrow|day\s+before\s+yesterday|tomorrow|tmrw|tmr|tomorow|today|tonight|tonite|yesterday)\b",
    needs=_Words(("today", "tonight", "tonite", "tomorrow", "tmrw", "tmr", "tomorow", "yesterday")))
def _relday(m: re.Match[str], low: str, orig: str) -> _Atom | None:
    word = _squash(m.group(1).lower())
    a = _Atom(m.start(), m.end(), "relday", rel_days=lex.REL_DAYS[word])
    if word in ("tonight", "tonite"):
        a.pod = "tonight"
    return a


@_pattern(
    r"\b(?:(?:in|within|after)\s+(?:about\s+|around\s+|approximately\s+|~\s*)?(" + _COUNT + r"|\d{1,4}(?:\.\d)?|" + _NUMW
    + r"|half\s+an?)\s*(" + _UNIT + r")(?![a-z])(?:\s+(?:from\s+now|time|later))?"
    r"|(" + _COUNT + r"|\d{1,4}(?:\.\d)?|" + _NUMW + r"|half\s+an?)\s*(" + _UNIT + r")\s+(from\s+now|from\s+today|later|hence|ago|before|earlier|after|from)\b)"
    r"|\+\s?(\d{1,4})\s*(" + _UNIT + r")(?![a-z])",
    needs=_Words(lex.UNITS))
def _shift(m: re.Match[str], low: str, orig: str) -> _Atom | None:
    if m.group(1):
        qty, unit_w, direction = m.group(1), m.group(2), "later"
    elif m.group(6):
        qty, unit_w, direction = m.group(6), m.group(7), "after"
    else:
        qty, unit_w, direction = m.group(3), m.group(4), _squash(m.group(5).lower())
    q = qty.lower()
    unit, mult = lex.UNITS[unit_w.lower()]
    if q.startswith("half"):
        if unit != "hour":
            return None
        unit, n = "minute", 30
    elif re.fullmatch(r"\d{1,4}\.\d", q):
        small = {"hour": ("minute", 60), "day": ("hour", 24), "week": ("day", 7), "minute": ("second", 60)}
        if unit not in small:
            return None
        unit, factor = small[unit]
        n = round(float(q) * factor * mult)
    else:
        num = _num(q)
        if num is None:
            return None
        n = num * mult
    if n > 10_000:
        return None
    sign = -1 if direction in ("ago", "earlier", "before") else 1
    if direction in ("before", "after", "from"):
        # "2 days after next Friday", "15 minutes before 3pm": an offset from the day or clock
        # written next to it (alone it means nothing)
        return _Atom(m.start(), m.end(), "offset", shift=(unit, sign * n), weak=True)
    a = _Atom(m.start(), m.end(), "shift", shift=(unit, sign * n))
    if m.group(3) and direction in ("ago", "hence", "from now", "later") and unit in ("day", "week"):
        a.grain = "keepclock"
    return a


@_pattern(
    r"\b(?:(next|this|last|coming|following|previous|current)\s+(week|month|year|quarter)|"
    r"(?:the\s+)?(week|month)\s+after\s+next)\b",
    needs=_Words(("week", "month", "year", "quarter")))
def _period(m: re.Match[str], low: str, orig: str) -> _Atom | None:
    if m.group(3):
        return _Atom(m.start(), m.end(), "period", period=(m.group(3).lower(), 2))
    mod, unit = m.group(1).lower(), m.group(2).lower()
    k = {"next": 1, "coming": 1, "following": 1, "this": 0, "current": 0, "last": -1, "previous": -1}[mod]
    return _Atom(m.start(), m.end(), "period", period=(unit, k))


_CLOCK = (
    r"(?<![\d:.,/])([01]?\d|2[0-4])(?:(?:\s?:\s?|h|\.)([0-5]\d)(?::([0-5]\d)(?:\.\d{1,6})?)?)?"
    r"(?![\d/])(?:\s*(" + _MER_SHORT + r"))?"
)


_PREP_BEFORE = re.compile(r"(?:\b(" + _PREP + r")\s+|(?<![\w@])(@)\s*)$")


# the last two characters of each preposition: the text before the whitespace must end so
_PREP_ENDS = frozenset(p[-2:] for p in _PREPS if len(p) > 1)


def _prep_before(low: str, pos: int) -> tuple[str | None, int]:
    """The preposition ("at", "from", "@" ...) right before pos, and where it starts."""
    if pos == 0 or not (low[pos - 1].isspace() or low[pos - 1] == "@"):
        return None, pos  # _PREP_BEFORE ends in whitespace or "@" right before pos
    lo = max(0, pos - 16)
    ws = pos
    while ws > lo and low[ws - 1].isspace():
        ws -= 1
    if ws == pos or low[ws - 1] == "@" or low[ws - 2: ws] in _PREP_ENDS:
        pm = _PREP_BEFORE.search(low, lo, pos)
    else:
        pm = None  # a preposition and then whitespace: it ends where the whitespace begins
    if pm is None:
        return None, pos
    return pm.group(1) or pm.group(2), pm.start()


_UNIT_BEFORE = re.compile(r"(?:" + _UNIT + r")\s+$")
_CLOCK_SEP = re.compile(r"[:h.]")
_DECIMAL_AFTER = re.compile(r"[.,]\d")
_COUNT_AFTER = re.compile(r"\s*(?:[%$€£]|[a-z]*\d|(?:" + _UNIT + r"|points?|people|percent|times|of|x|each|per|apiece)\b)")


@_pattern(_CLOCK, needs=_DIGIT)
def _clock(m: re.Match[str], low: str, orig: str) -> _Atom | None:
    prep, m_start = _prep_before(low, m.start())
    if prep in ("before", "after", "from") and _UNIT_BEFORE.search(low, max(0, m_start - 12), m_start):
        m_start = m.start()  # "15 minutes before 3pm": the word belongs to the offset
    hs, ms, ss, mer_s = m.group(1), m.group(2), m.group(3), m.group(4)
    h = int(hs)
    sep = ""
    if ms is not None:
        sep_m = _CLOCK_SEP.search(low, m.start(1), m.start(2))
        sep = sep_m.group(0) if sep_m else ""
    short_mer = mer_s is not None and mer_s.strip(".").lower() in ("a", "p")
    if ms is None:
        h_suffix = low[m.end(1): m.end(1) + 1] == "h"
        if mer_s is None or short_mer:
            if h_suffix and not low[m.end(1) + 1: m.end(1) + 2].isalpha():
                a = _Atom(m_start, m.end(1) + 1, "time", hour=h, minute=0, hour_only=True, padded=True)
                return a if h <= 23 else None
            if prep is None:
                return None  # a bare number is not a time
            after = low[m.end(1): m.end(1) + 14]
            if _DECIMAL_AFTER.match(after):
                return None
            if _COUNT_AFTER.match(after):
                return None
            if h > 24:
                return None
            return _Atom(m_start, m.end(1), "time", hour=h % 24, hour_only=True, weak=prep.lower() == "for")
        if 13 <= h <= 23:
            return _Atom(m_start, m.end(), "time", hour=h, hour_only=True)
        if h > 12 or h == 0:
            return None
        return _Atom(m_start, m.end(), "time", hour=h, mer=_mer(mer_s), hour_only=True)
    mi = int(ms)
    sec = int(ss) if ss else None
    if h > 23 and not (h == 24 and mi == 0):
        return None
    if sep == "." and mer_s is None and prep is None:
        return _Atom(m_start, m.end(2), "time", hour=h % 24, minute=mi, weak=True)
    if mer_s is not None and (h > 12 or h == 0):
        mer_s = None
    end = m.end() if mer_s is not None else (m.end(3) if ss else m.end(2))
    return _Atom(m_start, end, "time", hour=h % 24, minute=mi, second=sec, mer=_mer(mer_s),
                 padded=hs.startswith("0") or sep == "h")


@_pattern(r"(?<![\d:.,/$€£#-])((?:19|20)\d{2})(?![\d:/%]|\.\d|\s*(?:" + _MER + r"|h\b|-\s*\d))", needs=(_DIGIT, ("19", "20")))
def _year_atom(m: re.Match[str], low: str, orig: str) -> _Atom | None:
    before = low[max(0, m.start() - 4): m.start()]
    if before.endswith(("at ", "@")):
        return None
    return _Atom(m.start(), m.end(), "year", y=int(m.group(1)), weak=True)


@_pattern(
    r"(?<![\d:.,/])(\d{1,2})(?:[:.]?([0-5]\d))?(?=\s+(?:tonight|tonite|tomorrow|today|this\s+(?:morning|afternoon|evening)"
    r"|in\s+the\s+(?:morning|afternoon|evening)|at\s+night|tomorrow\s+(?:morning|afternoon|evening)))",
    needs=(_DIGIT, _Words(("tonight", "tonite", "tomorrow", "today", "morning", "afternoon", "evening", "night"))))
def _clock_before_day(m: re.Match[str], low: str, orig: str) -> _Atom | None:
    h = int(m.group(1))
    if h > 23:
        return None
    mi = int(m.group(2)) if m.group(2) else None
    return _Atom(m.start(), m.end(), "time", hour=h, minute=mi or 0, hour_only=mi is None)


@_pattern(r"(?:\b(?:at|around|about)\s+|(?<![\w@])@\s*)(\d{1,2})(?:\s([0-5]\d)|([0-5]\d))(?![\d:.,/-]|\s*(?:%|[a-z]*\d))", needs=(_DIGIT, ("at", "around", "about", "@")))
def _clock_spaced(m: re.Match[str], low: str, orig: str) -> _Atom | None:
    h = int(m.group(1))
    mi = int(m.group(2) or m.group(3))
    if h > 23:
        return None
    return _Atom(m.start(), m.end(), "time", hour=h, minute=mi)


@_pattern(r"(?<![\d:.,/])([01]\d|2[0-3])([0-5]\d)\s*[-–]\s*([01]\d|2[0-4])([0-5]\d)(?![\d/:.])", needs=(_DIGIT, ("-", "–")))
def _hhmm_range(m: re.Match[str], low: str, orig: str) -> _Atom | None:
    a = _Atom(m.start(), m.end(), "time", hour=int(m.group(1)), minute=int(m.group(2)), weak=True)
    a.end_clock = (int(m.group(3)) % 24, int(m.group(4)), None)
    return a


@_pattern(
    r"\b(?:on\s+)?(?:the\s+)?(\d{1,2})" + _SUFFIX + r"?\s+(?:day\s+)?of\s+(?:the\s+)?(this|next|last|current)\s+month\b"
    r"|\b(?:the\s+)?(" + _ORDW + r")\s+(?:day\s+)?of\s+(?:the\s+)?(this|next|last|current)\s+month\b",
    needs=_Words(("month",)))
def _day_of_month(m: re.Match[str], low: str, orig: str) -> _Atom | None:
    if m.group(1):
        d, rel = int(m.group(1)), m.group(2).lower()
    else:
        d, rel = lex.ORDINALS[_squash(m.group(3).lower())], m.group(4).lower()
    if not 1 <= d <= 31:
        return None
    a = _Atom(m.start(), m.end(), "dayonly", d=d)
    a.period = ("month", {"next": 1, "last": -1}.get(rel, 0))
    return a


@_pattern(
    r"\b(" + _WD + r")\.?,?\s+(?:the\s+)?(\d{1,2})(" + _SUFFIX + r")?(?![\d:.]|\s*(?:" + _MER + r"|h\b|o'?\s?clock|[/-]\d)|\s*(?:of\s+)?(?:" + _MON + r")\b)",
    needs=(_DIGIT, _WD_WORDS))
def _weekday_daynum(m: re.Match[str], low: str, orig: str) -> _Atom | None:
    d = int(m.group(2))
    if not 1 <= d <= 31 or (d <= 12 and not m.group(3)):
        return None
    return _Atom(m.start(), m.end(), "dayonly", d=d, wd=lex.WEEKDAYS[m.group(1).lower()])


@_pattern(r"\b(?:by\s+)?(?:the\s+)?(?:(eom|eoy|eow)|end\s+of\s+(?:the\s+)?(month|year|week))\b", needs=_Words(("eom", "eoy", "eow", "end")))
def _end_of(m: re.Match[str], low: str, orig: str) -> _Atom | None:
    what = {"eom": "month", "eoy": "year", "eow": "week"}.get((m.group(1) or "").lower(), (m.group(2) or "").lower())
    return _Atom(m.start(), m.end(), "endof", period=(what, 0))


@_pattern(
    r"(?:\b(between|from)\s+)?(?<![\d:.,/])([01]?\d|2[0-3])(?:\s*[:h.]\s*([0-5]\d))?\s*(" + _MER + r")?"
    r"\s*(-{1,2}|–|—|\bto\b|\buntil\b|\btill\b|\btil\b|\band\b)\s*"
    r"([01]?\d|2[0-4])(?:\s*[:h.]\s*([0-5]\d)(?::[0-5]\d)?)?(?![\d/])\s*(" + _MER + r")?",
    needs=(_DIGIT, ("-", "–", "—", "to", "until", "til", "and")))
def _clock_range(m: re.Match[str], low: str, orig: str) -> _Atom | None:
    prep, h1, m1, mer1, conn, h2, m2, mer2 = m.groups()
    if conn.strip() == "and" and (prep or "").lower() != "between":
        return None
    pod_after = re.match(r"\s*(?:at\s+night|tonight|in\s+the\s+(?:morning|afternoon|evening)|this\s+(?:morning|afternoon|evening))",
                         low[m.end(): m.end() + 30])
    if not (prep or mer2 or mer1 or m1 or m2 or pod_after):
        return None
    text = low[m.start(): m.end()]
    if not (prep or mer1 or mer2 or pod_after) and ":" not in text and "h" not in text:
        return None  # "10.10 - 11.10" is a range of days, not of clock times
    a1, a2 = int(h1), int(h2)
    if (mer1 and not 1 <= a1 <= 12) or (mer2 and not 1 <= a2 <= 12) or a2 > 24:
        return None
    end = m.end() if mer2 else (m.end(7) if m2 else m.end(6))
    if not mer2 and m2 and re.match(r":[0-5]\d", low[end: end + 3]):
        end += 3  # seconds of the end clock
    a = _Atom(m.start(), end, "time", hour=a1, minute=int(m1) if m1 else 0, mer=_mer(mer1),
              hour_only=m1 is None, padded=h1.startswith("0"))
    a.end_clock = (a2 % 24, int(m2) if m2 else 0, _mer(mer2))
    return a


@_pattern(r"(?<![\d:.,/$€£#+-])([1-9])([0-5]\d)(?:\s*(" + _MER + r"))?(?![\d/:.,%]|\s?-\s?\d)", needs=_DIGIT)
def _hmm(m: re.Match[str], low: str, orig: str) -> _Atom | None:
    """ "810", "930am": a clock written without a separator (weak unless am/pm is written)."""
    mer = _mer(m.group(3))
    return _Atom(m.start(), m.end(), "time", hour=int(m.group(1)), minute=int(m.group(2)), mer=mer,
                 weak=mer is None, padded=True)


@_pattern(r"(?<![\d:.,/])([01]\d|2[0-3])([0-5]\d)(?:\s*(" + _MER + r")|h(?![a-z]))?(?![\d/:.])", needs=_DIGIT)
def _hhmm(m: re.Match[str], low: str, orig: str) -> _Atom | None:
    h, mi = int(m.group(1)), int(m.group(2))
    mer = _mer(m.group(3))
    if mer and (h > 12 or h == 0):
        return None
    strong = mer is not None or low[m.end() - 1: m.end()] == "h"
    return _Atom(m.start(), m.end(), "time", hour=h, minute=mi, mer=mer, weak=not strong, padded=True)


@_pattern(
    r"(?:\b(?:at|around|about|by|from|until|till|before|after|since)\s+)?(?:the\s+)?\b(noon|midday|mid\s+day|midnight|mid-day)\b",
    needs=_Words(("noon", "midday", "mid", "midnight")))
def _named_clock(m: re.Match[str], low: str, orig: str) -> _Atom | None:
    word = m.group(1).lower()
    a = _Atom(m.start(), m.end(), "time", hour=0 if word == "midnight" else 12, minute=0,
              mer="am" if word == "midnight" else "pm")
    if word == "midnight":
        a.rrule = None
        a.grain = "midnight"
    return a


@_pattern(
    r"\b(?:at\s+)?(?<![:.\d])(?:(a\s+quarter|quarter|half|\d{1,2}|" + _MINW + r"|five|ten)\s+(?:minutes?\s+)?"
    r"(past|after|to|before|till|of)\s+(\d{1,2}|" + _HOURW + r"|noon|midnight))(?:\s*(" + _MER + r"))?(?![\d:])"
    r"(?:\s+(tonight|in\s+the\s+(?:morning|afternoon|evening)|at\s+night))?",
    needs=_Words(("past", "after", "to", "before", "till", "of")))
def _past_to(m: re.Match[str], low: str, orig: str) -> _Atom | None:
    q = _squash(m.group(1).lower())
    rel = m.group(2).lower()
    mins = 15 if "quarter" in q else 30 if q == "half" else _num(q)
    if mins is None or not 0 < mins < 60:
        return None
    if rel in ("to", "before", "till", "of") and q not in ("quarter", "a quarter") and not (
        low[m.end(1): m.start(2)].strip().startswith("min") or mins % 5 == 0
    ):
        return None
    if q == "half" and rel != "past":
        return None
    hw = m.group(3).lower()
    h = 12 if hw == "noon" else 0 if hw == "midnight" else _num(hw)
    if h is None or h > 23:
        return None
    mer = _mer(m.group(4))
    if rel in ("past", "after"):
        hour, minute = h, mins
    else:
        hour, minute = (h - 1) % 24, 60 - mins
        if mer and h == 12:
            mer = "am" if mer == "pm" else "pm"
            if hour == 11 and mer == "pm":
                pass
    if mer and hour > 12:
        mer = None
    a = _Atom(m.start(), m.end(), "time", hour=hour, minute=minute, mer=mer)
    if m.group(5):
        a.pod = m.group(5).split()[-1]
    if hw in ("noon",):
        a.mer = "pm" if hour >= 12 else "am"
    return a


@_pattern(
    r"\b(?:(at|around|about|from|until|till|by)\s+)?(" + _HOURW + r")(?:[\s-]+(" + _MINW + r"|o'?\s?clock))?"
    r"(?:\s*(" + _MER + r"|o'?\s?clock))?(?:\s+(tonight|tonite|in\s+the\s+(?:morning|afternoon|evening)|at\s+night))?(?![a-z])",
    needs=_Words(("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve")))
def _word_clock(m: re.Match[str], low: str, orig: str) -> _Atom | None:
    prep, hw, mw, mer_s, pod = m.groups()
    if not (prep or mw or mer_s or pod):
        return None  # a bare number word ("one more") is no time
    h = _num(hw)
    if h is None or not 1 <= h <= 12:
        return None
    mi = None
    if mw and "clock" not in mw.lower():
        mi = _num(mw.replace("oh", ""))
        if mi is None or mi > 59:
            return None
    mer = _mer(mer_s) if mer_s and "clock" not in mer_s.lower() else None
    oclock = "clock" in (mw or "").lower() or "clock" in (mer_s or "").lower()
    if not (prep or mer or oclock or pod or mi is not None and prep):
        return None
    if mi is not None and not (prep or mer or pod):
        return None
    a = _Atom(m.start(), m.end(), "time", hour=h, minute=mi if mi is not None else 0, mer=mer,
              hour_only=mi is None, spoken=True)
    if pod:
        p = _squash(pod.lower())
        a.pod = "tonight" if p.startswith("toni") else "night" if "night" in p else p.rsplit(" ", 1)[-1]
    return a


@_pattern(r"(?<![\d:.,/])(\d{1,2})\s*o'?\s?clock\b", needs=(_DIGIT, ("clock",)))
def _oclock(m: re.Match[str], low: str, orig: str) -> _Atom | None:
    h = int(m.group(1))
    if not 0 <= h <= 24:
        return None
    return _Atom(m.start(), m.end(), "time", hour=h % 24, minute=0, hour_only=True)


@_pattern(
    r"\b(?:in\s+the\s+|this\s+|early\s+in\s+the\s+|late\s+in\s+the\s+|very\s+)?"
    r"((?:early|late|mid)[\s-]+)?(morning|afternoon|evening|night|lunch\s*time|lunch)\b",
    needs=_Words(("morning", "afternoon", "evening", "night", "lunch", "lunchtime")))
def _pod(m: re.Match[str], low: str, orig: str) -> _Atom | None:
    word = re.sub(r"\s+", "", m.group(2).lower())
    word = "lunchtime" if word.startswith("lunch") else word
    mod = (m.group(1) or "").strip(" -").lower()
    key = f"{mod} {word}" if mod and f"{mod} {word}" in lex.PARTS_OF_DAY else word
    return _Atom(m.start(), m.end(), "pod", pod=key, weak=True)


@_pattern(r"\b(?:(?:utc|gmt)\s?([+\-−])(\d{1,2})(?::?(\d{2}))?(?!\d)|(" + _ZONEW + r"))(?![a-z0-9])",
          needs=_Words(list(lex.ZONES) + ["utc", "gmt"]))
def _zone_abbr(m: re.Match[str], low: str, orig: str) -> _Atom | None:
    if m.group(1):
        h, mi = int(m.group(2)), int(m.group(3) or 0)
        if h > 14 or mi > 59:
            return None
        sign = "-" if m.group(1) in "-−" else "+"
        return _Atom(m.start(), m.end(), "zone", zone=f"{sign}{h:02d}:{mi:02d}", weak=True)
    word = m.group(4).lower()
    if word in _ZONE_CASE_SENSITIVE and not orig[m.start(4): m.end(4)].isupper():
        return None
    return _Atom(m.start(), m.end(), "zone", zone_abbr=word, weak=True)


@_pattern(r"\b(" + _alt(lex.ZONE_NAMES) + r")\b",
          needs=_Words(("eastern", "central", "mountain", "pacific", "european", "british", "uk", "greenwich",
                        "universal", "irish", "india", "indian", "japan", "china", "singapore", "gulf",
                        "australian", "zealand", "africa")))
def _zone_name(m: re.Match[str], low: str, orig: str) -> _Atom | None:
    iana, dst = lex.ZONE_NAMES[_squash(m.group(1))]
    a = _Atom(m.start(), m.end(), "zone", zone=iana, weak=True)
    a.zone_dst = dst
    a.zone_note = m.group(1)
    return a


@_pattern(r"(?<=[\s(])([+\-])(\d{2}):?(\d{2})(?![\d:-])", needs=(_DIGIT, ("+", "-")))
def _zone_offset(m: re.Match[str], low: str, orig: str) -> _Atom | None:
    h, mi = int(m.group(2)), int(m.group(3))
    if h > 14 or mi > 59 or mi % 15:
        return None
    return _Atom(m.start(), m.end(), "zone", zone=f"{m.group(1)}{h:02d}:{mi:02d}", weak=True)


@_pattern(r"\b([a-z]+(?:/[a-z_\-]+){1,2})\b", needs=("/",))
def _zone_iana(m: re.Match[str], low: str, orig: str) -> _Atom | None:
    name = orig[m.start(1): m.end(1)]
    tz = tzinfo_for(name)
    if tz is None or "/" not in name:
        return None
    return _Atom(m.start(), m.end(), "zone", zone=name, weak=True)


@_pattern(r"\b((?:[a-z][a-z.']+\s+){0,2}[a-z][a-z.']+)\s+time\b", needs=(" time",))
def _zone_place(m: re.Match[str], low: str, orig: str) -> _Atom | None:
    words = m.group(1).split()
    for i in range(len(words)):
        place = " ".join(words[i:])
        z = zone_for_place(place)
        if z and len(place) > 2:
            start = m.start(1) + m.group(1).find(words[i])
            return _Atom(start, m.end(), "zone", zone=z, weak=True)
    phrase = _squash(low[m.start(): m.end()])
    for w in lex.MY_TIME:
        if phrase.endswith(w):
            return _Atom(m.end() - len(w), m.end(), "zone", zone="@writer", weak=True)
    for w in lex.YOUR_TIME:
        if phrase.endswith(w):
            return _Atom(m.end() - len(w), m.end(), "zone", zone="@reader", weak=True)
    return None


@_pattern(r"\b(your|my|our)\s+(?:local\s+)?(?:time|end|side)\b|\b(local\s+time)\b", needs=_Words(("your", "my", "our", "local")))
def _zone_whose(m: re.Match[str], low: str, orig: str) -> _Atom | None:
    who = (m.group(1) or "my").lower()
    return _Atom(m.start(), m.end(), "zone", zone="@reader" if who == "your" else "@writer", weak=True)


@_pattern(
    r"\b(?:the\s+)?(first|second|third|fourth|fifth|last|1st|2nd|3rd|4th|5th)\s+(" + _WD + r"|day)\s+"
    r"(?:of|in)\s+(?:(this|next|last|the)\s+month|(" + _MON + r")(?:\s*,?\s*(\d{4}))?)\b",
    needs=_Words(("of", "in")))
def _nth(m: re.Match[str], low: str, orig: str) -> _Atom | None:
    n_w = m.group(1).lower()
    n = -1 if n_w == "last" else lex.ORDINALS.get(n_w) or int(n_w[0])
    what = m.group(2).lower()
    wd = -1 if what == "day" else lex.WEEKDAYS[what]
    mo = lex.MONTHS[m.group(4).lower()] if m.group(4) else None
    y = _year(m.group(5), two_digit_ok=False) if m.group(5) else None
    rel = (m.group(3) or "").lower() or None
    return _Atom(m.start(), m.end(), "nth", nth=(n, wd, mo, y, rel))


@_pattern(r"\b(?:on\s+)?the\s+(\d{1,2})" + _SUFFIX + r"\b(?:\s+of\s+(?:the\s+)?(this|next)\s+month)?"
          r"|\bon\s+the\s+(" + _ORDW + r")\b(?!\s+(?:" + _WD + r"|day|week|time|of))", needs=_Words(("the",)))
def _day_only(m: re.Match[str], low: str, orig: str) -> _Atom | None:
    d = int(m.group(1)) if m.group(1) else lex.ORDINALS[_squash(m.group(3).lower())]
    if not 1 <= d <= 31:
        return None
    a = _Atom(m.start(), m.end(), "dayonly", d=d)
    if m.group(2):
        a.period = ("month", 1 if m.group(2).lower() == "next" else 0)
    return a


@_pattern(r"(?<![\d.:/])(\d{1,2})" + _SUFFIX + r"\b(?!\s+(?:of\s+)?(?:" + _MON + r"|" + _WD + r"|day|week|time|floor|place))", needs=(_DIGIT, _Words(("st", "nd", "rd", "th"))))
def _bare_ordinal(m: re.Match[str], low: str, orig: str) -> _Atom | None:
    d = int(m.group(1))
    if not 1 <= d <= 31:
        return None
    return _Atom(m.start(), m.end(), "dayonly", d=d, weak=True)


@_pattern(
    r"\b(?:every|each)\s+(other\s+|second\s+|2nd\s+|third\s+|3rd\s+)?(" + _WD + r"|day|weekday|week|month|year|morning)s?\b"
    r"|\b(?:on\s+)?(" + _WD + r")s\b|\b(daily|weekly|fortnightly|biweekly|bi-weekly|monthly)\b",
    needs=_Words(["every", "each", "daily", "weekly", "monthly", "fortnightly", "biweekly", "bi"] + [w + "s" for w in lex.WEEKDAYS]))
def _every(m: re.Match[str], low: str, orig: str) -> _Atom | None:
    byday = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
    if m.group(4):
        w = m.group(4).lower().replace("-", "")
        rule = {"daily": "FREQ=DAILY", "weekly": "FREQ=WEEKLY", "fortnightly": "FREQ=WEEKLY;INTERVAL=2",
                "biweekly": "FREQ=WEEKLY;INTERVAL=2", "monthly": "FREQ=MONTHLY"}[w]
        return _Atom(m.start(), m.end(), "every", rrule=rule)
    if m.group(3):
        wd = lex.WEEKDAYS[m.group(3).lower()]
        if m.group(3).lower() in lex.WEAK_WEEKDAYS and not orig[m.start(3)].isupper():
            return None
        return _Atom(m.start(), m.end(), "every", rrule=f"FREQ=WEEKLY;BYDAY={byday[wd]}", wd=wd)
    other = (m.group(1) or "").strip().lower()
    interval = 2 if other in ("other", "second", "2nd") else 3 if other else 1
    what = m.group(2).lower()
    iv = f";INTERVAL={interval}" if interval > 1 else ""
    if what in lex.WEEKDAYS:
        wd = lex.WEEKDAYS[what]
        return _Atom(m.start(), m.end(), "every", rrule=f"FREQ=WEEKLY{iv};BYDAY={byday[wd]}", wd=wd)
    rule = {"day": "FREQ=DAILY", "morning": "FREQ=DAILY", "weekday": "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
            "week": "FREQ=WEEKLY", "month": "FREQ=MONTHLY", "year": "FREQ=YEARLY"}[what]
    if what == "weekday":
        return _Atom(m.start(), m.end(), "every", rrule=rule)
    return _Atom(m.start(), m.end(), "every", rrule=rule + iv)


@_pattern(
    r"\bfor\s+(?:about\s+|around\s+|roughly\s+)?(an?|\d{1,3}(?:\.\d)?|" + _NUMW + r"|half\s+an?|an?\s+hour\s+and\s+a\s+half)"
    r"(?:\s*(hours?|hrs?|h|minutes?|mins?|m|')(?![a-z]))?"
    r"|\b(\d{1,3}|" + _NUMW + r")[\s-]*(minutes?|mins?|hours?|hrs?)[\s-]+(?:call|meeting|slot|chat|session|sync)\b",
    needs=_Words(("for", "min", "mins", "minute", "minutes", "hour", "hours", "hr", "hrs")),
)
def _duration(m: re.Match[str], low: str, orig: str) -> _Atom | None:
    if m.group(3):
        qty, unit = m.group(3), m.group(4)
    else:
        qty, unit = m.group(1), m.group(2)
    q = _squash(qty.lower())
    if q.startswith("half"):
        minutes = 30
    elif "and a half" in q:
        minutes = 90
    else:
        if unit is None and q not in ("a", "an"):
            return None  # "for 2": no unit, not a duration
        if q in ("a", "an"):
            if unit is None or not unit.startswith("h"):
                return None
            minutes = 60
        else:
            try:
                n = float(q) if q[0].isdigit() else float(_num(q) or 0)
            except ValueError:
                return None
            minutes = round(n * 60) if unit and unit.startswith("h") else round(n)
    if not 0 < minutes <= 24 * 60:
        return None
    a = _Atom(m.start(), m.end(), "duration", weak=True)
    a.minute = minutes
    return a


_ORDINAL_BEFORE = re.compile(r"\d(?:st|nd|rd|th)\s*$")
_DIGIT_AFTER = re.compile(r"\d")


@_pattern(r"-{1,2}|–|—|~|\bto\b|\bthrough\b|\bthru\b|\buntil\b|\btill\b|\btil\b|\band\b",
          needs=("-", "–", "—", "~", "to", "thr", "until", "til", "and"))
def _range(m: re.Match[str], low: str, orig: str) -> _Atom | None:
    start, end = m.span()
    if low.startswith("ish", end):
        return None  # "2pm-ish"
    if m.group(0) == "and" and "between" not in low[max(0, start - 40): start] and not (
        _ORDINAL_BEFORE.search(low, max(0, start - 8), start) and _DIGIT_AFTER.match(low, end)
    ):
        return None  # "and" joins a range only after "between" or between day numbers
    while start > 0 and low[start - 1] in " \t":
        start -= 1
    while end < len(low) and low[end] in " \t":
        end += 1
    return _Atom(start, end, "range", weak=True)


# --- scanning -----------------------------------------------------------------------------------
#
# A pattern is not run over the whole text. Where a match of each pattern can begin is read once
# from the pattern's parsed form (``re._parser``; its "starts"): the words it can open with (and,
# for a word followed by whitespace, what the next token must be), a digit (and what the next two
# characters can be), a punctuation mark. A text is indexed once (its [a-z] word runs, its
# digits, those marks) and a pattern is tried (``rx.match``) only where a start of it occurs. The
# starts are a superset of where a match can begin and the tries follow ``finditer`` (leftmost
# first, the next try at the previous match's end, the whole text visible to look-arounds), so
# the atoms are exactly those of running every pattern over the whole text
# (tests/test_times_scan.py checks this against that plain scan). A pattern whose starts cannot
# be read, or whose starts are everywhere (a hostile text), runs over the whole text.


def _lower(text: str) -> str:
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


_ANY_DIGIT = re.compile(r"\d")
_FIRST_DIGIT = re.compile(r"\d(?<!\d\d)")  # the first digit of a run of digits (checked after the digit: faster)
_HINT_LIST: list[str] = []


def _present_hints(low: str) -> set[str]:
    """Which of the patterns' needed substrings occur in the text."""
    if not _HINT_LIST:
        _HINT_LIST.extend(sorted(_HINTS))
    return {h for h in _HINT_LIST if h in low}


_INDEX: dict[str, dict[str, tuple[int, ...]]] = {}


def _candidates(has_digit: bool, present: set[str], words: set[str]) -> list[int]:
    """The patterns (by priority) whose requirements may hold: an index from words and
    substrings to patterns, so ordinary prose does not try every pattern."""
    if not _INDEX:
        by_word: dict[str, list[int]] = {}
        by_hint: dict[str, list[int]] = {}
        digit_only: list[int] = []
        always: list[int] = []
        for i, rule in enumerate(_PATTERNS):
            if rule.words is not None:
                for w in rule.words:
                    by_word.setdefault(w, []).append(i)
            elif rule.any_of is not None:
                for h in rule.any_of:
                    by_hint.setdefault(h, []).append(i)
            elif rule.digit:
                digit_only.append(i)
            else:
                always.append(i)
        _INDEX["word"] = {k: tuple(v) for k, v in by_word.items()}
        _INDEX["hint"] = {k: tuple(v) for k, v in by_hint.items()}
        _INDEX["fixed"] = {"digit": tuple(digit_only), "always": tuple(always)}
    found: set[int] = set(_INDEX["fixed"]["always"])
    if has_digit:
        found.update(_INDEX["fixed"]["digit"])
    by_word_i = _INDEX["word"]
    for w in words & by_word_i.keys():
        found.update(by_word_i[w])
    by_hint_i = _INDEX["hint"]
    for h in present:
        found.update(by_hint_i[h])
    return sorted(found)


# --- where a pattern can begin ------------------------------------------------------------------

_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyz")
_MAX_LITERAL = 12
_MAX_STARTS = 4000


class _Unreadable(Exception):
    """A pattern construct the start reader does not know: the pattern runs over the whole text."""


@dataclass(slots=True)
class _Starts:
    """Where a pattern's matches can begin (a superset). Word runs are maximal [a-z]+ runs."""

    word_is: set[str] = field(default_factory=set)  # at a word run that is exactly this
    word_prefix: set[str] = field(default_factory=set)  # at a word run that starts with this
    inner: set[str] = field(default_factory=set)  # anywhere inside a word run
    inner_end: set[str] = field(default_factory=set)  # ending a word run
    digit: bool = False  # at any digit
    after_digit: bool = False  # also at a digit right after a digit (else only where a run of digits begins)
    punct: set[str] = field(default_factory=set)  # at any occurrence of this (not a letter or digit)
    special: str | None = None  # read from the text by a function of its own
    whole: bool = False  # no reading: run over the whole text
    # what must come after whitespace when a word_is / inner_end word is followed by "\s+"
    # (None: anything)
    follow: dict[str, _Follow | None] = field(default_factory=dict)
    follow_end: dict[str, _Follow | None] = field(default_factory=dict)
    # what the second character of a match can be (read when it starts at a digit; None: anything)
    second: _Second | None = None


_MAX_CHAR_MEMO = 512  # characters remembered per set (a text of many scripts is read anew)


@dataclass(frozen=True, slots=True)
class _Chars:
    """A set of characters: some listed, some in parsed character classes."""

    chars: frozenset[str]
    classes: tuple[tuple[tuple[Any, Any], ...], ...]
    # ch -> has(ch): a parsed class is slow to read, and the same few characters are asked again
    memo: dict[str, bool] = field(default_factory=dict, compare=False, hash=False, repr=False)

    def has(self, ch: str) -> bool:
        got = self.memo.get(ch)
        if got is None:
            got = self.reads(ch)
            if len(self.memo) < _MAX_CHAR_MEMO:
                self.memo[ch] = got
        return got

    def reads(self, ch: str) -> bool:
        """``has`` without the memo."""
        return ch in self.chars or any(_in_class(ch, c) for c in self.classes)


@dataclass(frozen=True, slots=True)
class _Second:
    """The next characters (second, third, fourth) a match that begins at a digit can have, by
    path; a path that stops early lets anything (or nothing) come after."""

    paths: tuple[tuple[_Chars, ...], ...]

    def allows(self, after: str) -> bool:
        """``after``: the (up to) three characters after the digit."""
        n = len(after)
        for path in self.paths:
            if len(path) > n:
                continue
            for j in range(len(path)):
                if not path[j].has(after[j]):
                    break
            else:
                return True
        return False


def _in_class(ch: str, items: tuple[tuple[Any, Any], ...]) -> bool:
    """Is ``ch`` in a parsed character class (an unknown part says yes)?"""
    negate = hit = False
    for op, av in items:
        if op is _C.NEGATE:
            negate = True
        elif op is _C.LITERAL:
            hit = hit or ch == chr(av)
        elif op is _C.RANGE:
            hit = hit or av[0] <= ord(ch) <= av[1]
        elif op is _C.CATEGORY and av in _CATEGORY_TESTS:
            hit = hit or _CATEGORY_TESTS[av](ch)
        else:
            return True
    return hit != negate


_CATEGORY_TESTS: dict[Any, Callable[[str], bool]] = {
    _C.CATEGORY_DIGIT: str.isdecimal,
    _C.CATEGORY_NOT_DIGIT: lambda c: not c.isdecimal(),
    _C.CATEGORY_SPACE: str.isspace,
    _C.CATEGORY_NOT_SPACE: lambda c: not c.isspace(),
    _C.CATEGORY_WORD: lambda c: c.isalnum() or c == "_",
    _C.CATEGORY_NOT_WORD: lambda c: not (c.isalnum() or c == "_"),
}


@dataclass(frozen=True, slots=True)
class _Follow:
    """The token after a start word and its whitespace: a word run (exactly / starting with),
    a digit, or a mark."""

    word_is: frozenset[str]
    word_prefix: frozenset[str]
    digit: bool
    punct: frozenset[str]


_MAX_FOLLOW_PUNCT = 8
_NEXT_TOKEN = re.compile(r"\s+([a-z]+|\S{1,8})")  # the token after a start word (see _token_after)


def _class_letters(items: list[Any]) -> bool:
    """Can this character class match a letter a-z?"""
    for op, av in items:
        if op is _C.NEGATE:
            return True
        if op is _C.LITERAL:
            if chr(av) in _LETTERS:  # type: ignore[arg-type]
                return True
        elif op is _C.RANGE:
            lo, hi = av  # type: ignore[misc]
            if lo <= ord("z") and hi >= ord("a"):
                return True
        elif op is _C.CATEGORY:
            if av not in (_C.CATEGORY_DIGIT, _C.CATEGORY_SPACE, _C.CATEGORY_NOT_WORD, _C.CATEGORY_LINEBREAK):
                return True
        else:
            return True
    return False


def _class_kind(items: list[Any]) -> tuple[str, set[str]]:
    """A first character class -> ("digit", {}), ("punct", chars) or ("other", {})."""
    chars: set[str] = set()
    digit = False
    for op, av in items:
        if op is _C.CATEGORY and av is _C.CATEGORY_DIGIT:
            digit = True
        elif op is _C.LITERAL and chr(av) in "0123456789":  # type: ignore[arg-type]
            digit = True
        elif op is _C.RANGE and "0" <= chr(av[0]) and chr(av[1]) <= "9":  # type: ignore[index]
            digit = True
        elif op is _C.LITERAL and not chr(av).isalnum() and not chr(av).isspace():  # type: ignore[arg-type]
            chars.add(chr(av))  # type: ignore[arg-type]
        else:
            return "other", set()
    return ("digit" if digit else "punct"), chars


def _letter_can_follow(items: list[Any]) -> bool:
    """Can a letter a-z come right after a letter, where ``items`` begin (unknown: yes)?"""
    i = 0
    while i < len(items):
        op, av = items[i]
        if op is None:
            return True
        if op is _C.AT:
            if av is _C.AT_BOUNDARY:
                return False
            i += 1
            continue
        if op is _C.ASSERT_NOT and _no_letter_after(av):
            return False
        if op in (_C.ASSERT, _C.ASSERT_NOT):
            i += 1
            continue
        if op is _C.LITERAL:
            return chr(av) in _LETTERS
        if op is _C.IN:
            return _class_letters(av)
        if op is _C.SUBPATTERN:
            items = list(av[3].data) + list(items[i + 1:])
            i = 0
            continue
        if op is _C.ATOMIC_GROUP:
            items = list(av.data) + list(items[i + 1:])
            i = 0
            continue
        if op is _C.BRANCH:
            rest = list(items[i + 1:])
            return any(_letter_can_follow(list(alt.data) + rest) for alt in av[1])
        if op in (_C.MAX_REPEAT, _C.MIN_REPEAT, _C.POSSESSIVE_REPEAT):
            lo, hi, sub = av
            rest = list(items[i + 1:])
            if _letter_can_follow(list(sub.data) + (rest if hi == 1 else [_STOP])):
                return True
            return lo == 0 and _letter_can_follow(rest)
        return True
    return True


def _no_letter_after(av: Any) -> bool:
    """A negative look-ahead "(?![a-z])" (or "\\w", "[a-z0-9]"): the word run ends here."""
    direction, sub = av
    if direction != 1 or len(sub.data) != 1 or sub.data[0][0] is not _C.IN:
        return False
    covers = False
    for op, x in sub.data[0][1]:
        if op is _C.NEGATE:
            return False
        if op is _C.RANGE and x[0] <= ord("a") and x[1] >= ord("z"):
            covers = True
        if op is _C.CATEGORY and x is _C.CATEGORY_WORD:
            covers = True
    return covers


_STOP = (None, None)  # the end of a repeated body: what follows is not read
# a way a match can begin: (kind, literal or class, at_b, whole word, what follows, guard)
_Start = tuple[str, Any, bool, bool, "_Follow | None", bool]


def _no_digit_before(sub: Any) -> bool:
    """A look-behind's body is one character class that holds every digit ("[\\d:.,/]")."""
    return (len(sub.data) == 1 and sub.data[0][0] is _C.IN
            and any(op is _C.CATEGORY and av is _C.CATEGORY_DIGIT for op, av in sub.data[0][1])
            and not any(op is _C.NEGATE for op, _av in sub.data[0][1]))


def _read_starts(items: list[Any], lit: str, at_b: bool,
                 out: list[_Start], *, follows: bool = True,
                 text: bool = False, guard: bool = False) -> None:
    """Every way a match of ``items`` can begin: (kind, literal or class, at_b, whole word,
    what follows the word, guard) in ``out``; ``lit`` is the literal read so far, ``at_b`` whether
    a word boundary opened it; ``guard`` whether a digit cannot come right before it (a word
    boundary, or a look-behind that excludes digits); ``follows``: read what follows a word and
    its whitespace; ``text``: read what the text holds there (a look-ahead counts) rather than
    where a match begins."""
    if len(out) > _MAX_STARTS:
        raise _Unreadable("too many starts")
    i = 0
    while i < len(items):
        op, av = items[i]
        if op is None:  # _STOP
            break
        if op is _C.AT:
            if av is _C.AT_BOUNDARY:
                if not lit:
                    at_b = True
                else:
                    out.append(("lit", lit, at_b, True, None, guard or at_b))
                    return
            elif lit:
                break
            i += 1
            continue
        if op in (_C.ASSERT, _C.ASSERT_NOT):
            if op is _C.ASSERT_NOT and av[0] == -1 and not lit and _no_digit_before(av[1]):  # type: ignore[index]
                guard = True
            if lit:
                out.append(("lit", lit, at_b, not _letter_can_follow(list(items[i:])), None, guard or at_b))
                return
            if text and op is _C.ASSERT and av[0] == 1:  # type: ignore[index]
                # a look-ahead: the text goes on as it says, even where the match may end here
                found: list[_Start] = []
                try:
                    _read_starts(list(items[i + 1:]), "", at_b, found, follows=follows, text=True, guard=guard)
                except _Unreadable:
                    found = []
                    _read_starts(list(av[1].data), "", at_b, found, follows=False, text=True, guard=guard)  # type: ignore[index]
                out.extend(found)
                return
            i += 1
            continue
        if op is _C.LITERAL:
            lit += chr(av)  # type: ignore[arg-type]
            if len(lit) >= _MAX_LITERAL:
                break
            i += 1
            continue
        if op is _C.SUBPATTERN:
            _group, add_flags, del_flags, sub = av  # type: ignore[misc]
            if add_flags or del_flags:
                raise _Unreadable("flags")
            items = list(sub.data) + list(items[i + 1:])
            i = 0
            continue
        if op is _C.ATOMIC_GROUP:
            items = list(av.data) + list(items[i + 1:])  # type: ignore[attr-defined]
            i = 0
            continue
        if op is _C.BRANCH:
            rest = list(items[i + 1:])
            for alt in av[1]:  # type: ignore[index]
                _read_starts(list(alt.data) + rest, lit, at_b, out, follows=follows, text=text, guard=guard)
            return
        if op in (_C.MAX_REPEAT, _C.MIN_REPEAT, _C.POSSESSIVE_REPEAT):
            lo, hi, sub = av  # type: ignore[misc]
            rest = list(items[i + 1:])
            if lit and _is_space(sub):
                # whitespace ends the word run (and the rest follows it); "\s*" may also match
                # nothing, and then the literal goes on with the rest
                out.append(("lit", lit, at_b, True, _follow_of(rest) if follows else None, guard or at_b))
                if lo == 0:
                    _read_starts(rest, lit, at_b, out, follows=follows, text=text, guard=guard)
                return
            body = list(sub.data) + (rest if hi == 1 else [_STOP])
            _read_starts(body, lit, at_b, out, follows=follows, text=text, guard=guard)
            if lo == 0:
                _read_starts(rest, lit, at_b, out, follows=follows, text=text, guard=guard)
            return
        if op is _C.IN:
            if lit:
                out.append(("lit", lit, at_b, not _class_letters(av), None, guard or at_b))  # type: ignore[arg-type]
                return
            out.append(("class", av, at_b, False, None, guard or at_b))
            return
        if op is _C.ANY or op is _C.NOT_LITERAL:
            if lit:
                break
            raise _Unreadable("any character first")
        raise _Unreadable(f"op {op}")
    if not lit:
        raise _Unreadable("can match empty")
    out.append(("lit", lit, at_b, False, None, guard or at_b))


def _starts_of(rule: _Rule) -> _Starts:
    st = _Starts()
    special = _SPECIAL_STARTS.get(rule.handler.__name__)
    if special is not None:
        st.special = rule.handler.__name__
        return st
    try:
        parsed = _sre_parse(rule.rx.pattern, rule.rx.flags)
        out: list[_Start] = []
        _read_starts(list(parsed.data), "", False, out)
    except (_Unreadable, RecursionError, re.error, TypeError, ValueError, AttributeError):
        st.whole = True
        return st
    st.second = _second_of(list(parsed.data))
    # the leading look-behind checked after the match ("(?<![\d:.,/])") guards every start
    guarded_all = rule.not_after is not None and _no_digit_before(_sre_parse(rule.not_after.pattern, 0))
    for kind, what, at_b, whole_word, follow, guarded in out:
        if kind == "class":
            ck, chars = _class_kind(what)  # type: ignore[arg-type]
            if ck == "digit":
                st.digit = True
                st.after_digit = st.after_digit or not (guarded or guarded_all)
            elif ck == "punct":
                st.punct.update(chars)
            else:
                st.whole = True
            continue
        assert isinstance(what, str)
        head = what[0]
        if head in "0123456789":
            st.digit = True
            st.after_digit = st.after_digit or not (guarded or guarded_all)
        elif head not in _LETTERS:
            st.punct.add(what)
        else:
            letters = len(what) - len(what.lstrip("abcdefghijklmnopqrstuvwxyz"))
            lead = what[:letters]
            ends = letters < len(what) or whole_word  # the word run ends where the letters do
            if at_b:
                (st.word_is if ends else st.word_prefix).add(lead)
            else:
                (st.inner_end if ends else st.inner).add(lead)
            if ends:
                known = st.follow if at_b else st.follow_end
                if lead != what:
                    follow = None  # the start goes on past the word: no reading after it
                known[lead] = _either(known[lead], follow) if lead in known else follow
    return st


def _either(a: _Follow | None, b: _Follow | None) -> _Follow | None:
    """What may follow on either path (None: anything)."""
    if a is None or b is None:
        return None
    return _Follow(word_is=a.word_is | b.word_is, word_prefix=a.word_prefix | b.word_prefix,
                   digit=a.digit or b.digit, punct=a.punct | b.punct)


def _after_first(items: list[Any]) -> list[list[Any]]:
    """What is left of ``items`` once their first character is read, every way."""
    i = 0
    while i < len(items):
        op, av = items[i]
        if op is None:
            raise _Unreadable("the end of a repeat")
        if op is _C.ASSERT and av[0] == 1:  # type: ignore[index]
            # a look-ahead: the text goes on as it says, even where the match may end here
            try:
                return _after_first(list(items[i + 1:]))
            except _Unreadable:
                return _after_first(list(av[1].data))  # type: ignore[index]
        if op in (_C.AT, _C.ASSERT, _C.ASSERT_NOT):
            i += 1
            continue
        if op in (_C.LITERAL, _C.IN, _C.ANY, _C.NOT_LITERAL):
            return [list(items[i + 1:])]
        if op is _C.SUBPATTERN:
            items = list(av[3].data) + list(items[i + 1:])
            i = 0
            continue
        if op is _C.ATOMIC_GROUP:
            items = list(av.data) + list(items[i + 1:])
            i = 0
            continue
        if op is _C.BRANCH:
            rest = list(items[i + 1:])
            return [c for alt in av[1] for c in _after_first(list(alt.data) + rest)]
        if op in (_C.MAX_REPEAT, _C.MIN_REPEAT, _C.POSSESSIVE_REPEAT):
            lo, hi, sub = av
            rest = list(items[i + 1:])
            out: list[list[Any]] = []
            if len(sub.data) == 1 and sub.data[0][0] in (_C.LITERAL, _C.IN):
                left = hi if hi is _C.MAXREPEAT else hi - 1
                out.append(([(op, (max(lo - 1, 0), left, sub))] if left else []) + rest)
            else:
                out.extend(_after_first(list(sub.data) + (rest if hi == 1 else [_STOP])))
            if lo == 0:
                out.extend(_after_first(rest))
            return out
        raise _Unreadable(f"op {op}")
    raise _Unreadable("can match empty")


def _first_chars(items: list[Any]) -> _Chars:
    """The characters a match of ``items`` can begin with (raises if it can be empty)."""
    out: list[_Start] = []
    _read_starts(items, "", False, out, follows=False, text=True)
    chars = {str(what)[0] for kind, what, _b, _w, _f, _g in out if kind != "class"}
    classes = [tuple(what) for kind, what, _b, _w, _f, _g in out if kind == "class"]
    return _Chars(chars=frozenset(chars), classes=tuple(dict.fromkeys(classes)))


def _either_chars(sets: list[_Chars]) -> _Chars:
    return _Chars(chars=frozenset().union(*(c.chars for c in sets)),
                  classes=tuple(dict.fromkeys(x for c in sets for x in c.classes)))


_MAX_PATHS = 400  # more ways than this: only the second and third characters are read


def _second_of(items: list[Any]) -> _Second | None:
    """What the second, third and fourth characters of a match can be (None: anything)."""
    try:
        deep = _paths_after(items, 3)
        if len(deep) > _MAX_PATHS:
            deep = _paths_after(items, 2)
    except (_Unreadable, RecursionError):
        return None
    return _Second(paths=deep)


def _paths_after(items: list[Any], depth: int) -> tuple[tuple[_Chars, ...], ...]:
    """The characters that can follow the first of a match, ``depth`` deep, by path (a path ends
    early where the match may end there, or the rest cannot be read)."""
    paths: list[tuple[_Chars, ...]] = []
    for cont in _after_first(items):
        paths.extend(_paths_from(cont, depth, required=True))
    return tuple(dict.fromkeys(paths))


def _paths_from(items: list[Any], depth: int, *, required: bool = False) -> list[tuple[_Chars, ...]]:
    if depth == 1:
        try:
            return [(_first_chars(items),)]
        except (_Unreadable, RecursionError):
            if required:
                raise
            return [()]
    try:
        here = _first_chars(items)
    except (_Unreadable, RecursionError):
        if required:
            raise
        return [()]
    try:
        conts = _after_first(items)
    except (_Unreadable, RecursionError):
        return [(here,)]
    if depth == 2:
        try:
            return [(here, _either_chars([_first_chars(c) for c in conts]))]
        except (_Unreadable, RecursionError):
            return [(here,)]
    return [(here, *rest) for c in conts for rest in _paths_from(c, depth - 1)]


def _is_space(sub: Any) -> bool:
    """The body of a repeat is just "\\s"."""
    return len(sub.data) == 1 and sub.data[0][0] is _C.IN and list(sub.data[0][1]) == [(_C.CATEGORY, _C.CATEGORY_SPACE)]


def _follow_of(rest: list[Any]) -> _Follow | None:
    """What the rest of a pattern can begin with, if it cannot begin with whitespace."""
    out: list[_Start] = []
    try:
        _read_starts(rest, "", False, out, follows=False, text=True)
    except (_Unreadable, RecursionError):
        return None
    word_is: set[str] = set()
    word_prefix: set[str] = set()
    punct: set[str] = set()
    digit = False
    for kind, what, _at_b, whole_word, _f, _g in out:
        if kind == "class":
            ck, chars = _class_kind(what)  # type: ignore[arg-type]
            if ck == "digit":
                digit = True
            elif ck == "punct":
                punct.update(chars)
            else:
                return None
            continue
        assert isinstance(what, str)
        head = what[0]
        if head in "0123456789":
            digit = True
        elif head in _LETTERS:
            letters = len(what) - len(what.lstrip("abcdefghijklmnopqrstuvwxyz"))
            ends = letters < len(what) or whole_word
            (word_is if ends else word_prefix).add(what[:letters])
        elif head.isspace() or head.isdecimal() or len(what) > _MAX_FOLLOW_PUNCT or any(c.isspace() for c in what):
            return None
        else:
            punct.add(what)
    return _Follow(word_is=frozenset(word_is), word_prefix=frozenset(word_prefix), digit=digit,
                   punct=frozenset(punct))


def _follows(follow: _Follow, token: str) -> bool:
    """Can a match go on with ``token`` (a word run, or up to 8 other characters) after the
    whitespace?"""
    head = token[:1]
    if not head:
        return False
    if head in _LETTERS:
        return token in follow.word_is or any(token.startswith(p) for p in follow.word_prefix)
    if head.isdecimal() and follow.digit:
        return True
    return any(token.startswith(p) for p in follow.punct)


def _token_after(low: str, letters: str, k: int) -> str:
    """What ``_NEXT_TOKEN`` reads at ``k`` (group 1, "" for no match), read without the regex
    engine: whitespace (str.isspace is what "\\s" tests), then a run of a-z (where ``letters``, the
    text with every other character a space, has its next space) or up to 8 non-spaces."""
    end = len(low)
    j = k
    while j < end and low[j].isspace():
        j += 1
    if j == k or j == end:
        return ""
    if "a" <= low[j] <= "z":
        stop = letters.find(" ", j)
        return low[j:] if stop < 0 else low[j:stop]
    stop = j + 1
    while stop < end and stop < j + 8 and not low[stop].isspace():
        stop += 1
    return low[j:stop]


def _next_tokens(low: str, letters: str, w: str, at: list[int]) -> dict[str, list[int]]:
    """The word run ``w`` at ``at``, grouped by the token after its whitespace ("" for none)."""
    n = len(w)
    groups: dict[str, list[int]] = {}
    for i in at:
        key = _token_after(low, letters, i + n)
        g = groups.get(key)
        if g is None:
            groups[key] = [i]
        else:
            g.append(i)
    return groups


def _sre_parse(pattern: str, flags: int) -> Any:
    from re import _parser  # type: ignore[attr-defined]  # the stdlib's parser: starts are read from what re compiles

    return _parser.parse(pattern, flags & ~re.UNICODE)


def _iana_starts(low: str, runs: _WordRuns) -> list[int]:
    """zone_iana begins at a word run followed by "/"."""
    out = []
    before = runs.letters.rfind
    for k in _occurrences(low, "/"):
        j = before(" ", 0, k) + 1  # where the run of letters ending at k begins
        if j < k:
            out.append(j)
    return out


def _place_starts(low: str, runs: _WordRuns) -> list[int]:
    """zone_place is up to three words of [a-z.'] before whitespace and "time": every word run
    in that stretch."""
    out: list[int] = []
    for i in runs.at("time"):
        if i == 0 or not low[i - 1].isspace():
            continue
        j = i
        for _ in range(3):
            back = j
            while back > 0 and low[back - 1].isspace():
                back -= 1
            if back == j:
                break
            word_end = back
            while back > 0 and low[back - 1] in _PLACE_CHARS:
                back -= 1
            if back == word_end:
                break
            j = back
        out.extend(m.start() for m in _WORD_RUN.finditer(low, j, i))
    return out


_PLACE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz.'")
_SPECIAL_STARTS: dict[str, Callable[[str, _WordRuns], list[int]]] = {
    "_zone_iana": _iana_starts,
    "_zone_place": _place_starts,
}
_RULE_STARTS: list[_Starts] = []
_PLACE_RULE = next(i for i, rule in enumerate(_PATTERNS) if rule.handler is _zone_place)
# a word run -> the (rule, offset) starts in it: tried wherever it occurs / only when the token
# after its whitespace can follow
_Hits = tuple[tuple[tuple[int, int], ...], tuple[tuple[int, int, _Follow], ...]]
_NO_HITS: _Hits = ((), ())
_WORD_HITS: dict[str, _Hits] = {}
_NO_HIT_WORDS: set[str] = set()  # the words of _WORD_HITS no rule starts in: skipped in C
_WORD_RULES: dict[str, frozenset[int]] = {}  # the rules of a word's hits
_WORD_HITS_MAX = 50_000


def _rule_starts() -> list[_Starts]:
    """Each pattern's starts, by priority (read once, on first use: ~0.15 s)."""
    if not _RULE_STARTS:
        built = [_starts_of(rule) for rule in _PATTERNS]
        _RULE_STARTS[:] = built  # whole: another thread may have built the same meanwhile
    return _RULE_STARTS


@dataclass(frozen=True, slots=True)
class _WordIndex:
    """The rules' start words, by word: how a word run is looked up."""

    word_is: dict[str, tuple[tuple[int, _Follow | None], ...]]
    prefix: dict[str, tuple[int, ...]]
    prefix_len: int
    inner_end: dict[str, tuple[tuple[int, _Follow | None], ...]]
    end_len: int
    inner: tuple[tuple[int, str], ...]


_WORD_INDEX: list[_WordIndex] = []


def _word_index() -> _WordIndex:
    if not _WORD_INDEX:
        word_is: dict[str, list[tuple[int, _Follow | None]]] = {}
        prefix: dict[str, list[int]] = {}
        inner_end: dict[str, list[tuple[int, _Follow | None]]] = {}
        inner: list[tuple[int, str]] = []
        for r, st in enumerate(_rule_starts()):
            for w in st.word_is:
                word_is.setdefault(w, []).append((r, st.follow.get(w)))
            for w in st.word_prefix:
                prefix.setdefault(w, []).append(r)
            for w in st.inner_end:
                inner_end.setdefault(w, []).append((r, st.follow_end.get(w)))
            inner.extend((r, w) for w in st.inner)
        _WORD_INDEX[:] = [_WordIndex(
            word_is={k: tuple(v) for k, v in word_is.items()},
            prefix={k: tuple(v) for k, v in prefix.items()}, prefix_len=max(map(len, prefix), default=0),
            inner_end={k: tuple(v) for k, v in inner_end.items()}, end_len=max(map(len, inner_end), default=0),
            inner=tuple(inner))]
    return _WORD_INDEX[0]


def _word_hits(w: str) -> _Hits:
    """The (rule, offset in the word, what must follow) starts the rules have in word run ``w``."""
    index = _word_index()
    offs: dict[tuple[int, int], list[_Follow | None]] = {}
    for r, follow in index.word_is.get(w, ()):
        offs.setdefault((r, 0), []).append(follow)
    for k in range(1, min(len(w), index.prefix_len) + 1):
        for r in index.prefix.get(w[:k], ()):
            offs.setdefault((r, 0), []).append(None)
    for k in range(max(0, len(w) - index.end_len), len(w)):
        for r, follow in index.inner_end.get(w[k:], ()):
            offs.setdefault((r, k), []).append(follow)
    for r, p in index.inner:
        k = w.find(p)
        while k >= 0:
            offs.setdefault((r, k), []).append(None)
            k = w.find(p, k + 1)
    plain: list[tuple[int, int]] = []
    followed: list[tuple[int, int, _Follow]] = []
    for (r, k), fs in sorted(offs.items()):
        first = fs[0]
        if first is not None and all(f == first for f in fs):
            followed.append((r, k, first))
        else:
            plain.append((r, k))
    out = (tuple(plain), tuple(followed)) if plain or followed else _NO_HITS
    if len(_WORD_HITS) >= _WORD_HITS_MAX:
        _WORD_HITS.clear()
        _NO_HIT_WORDS.clear()
        _WORD_RULES.clear()
    _WORD_RULES[w] = frozenset(r for r, _k in offs)
    _WORD_HITS[w] = out
    if out is _NO_HITS:
        _NO_HIT_WORDS.add(w)
    return out


def _finds(rule: _Rule, low: str, starts: list[int] | None, limit: int) -> list[re.Match[str]]:
    """The first ``limit`` of ``rule.rx.finditer(low)``, tried only at ``starts`` (ascending)
    when given (a list, not a generator: cheaper in the compiled build)."""
    out: list[re.Match[str]] = []
    if starts is None:
        for found in rule.rx.finditer(low):
            out.append(found)
            if len(out) >= limit:
                break
        return out
    match = rule.rx.match
    pos = 0
    for c in starts:
        if c < pos:
            continue
        m = match(low, c)
        if m is not None:
            out.append(m)
            if len(out) >= limit:
                break
            pos = m.end()
    return out


def _scan(text: str, low: str) -> list[_Atom]:
    has_digit = _ANY_DIGIT.search(low) is not None
    present = _present_hints(low)
    runs = _WordRuns(low)
    word_set = runs.words
    active = [prio for prio in _candidates(has_digit, present, word_set)
              if _runs(_PATTERNS[prio], has_digit, present, word_set)]
    if not active:
        return []
    starts = _where_to_try(low, active, runs, has_digit)
    return _keep_longest(_atoms(text, low, active, starts))


_ONLY_LETTERS = bytes(c if 97 <= c <= 122 else 32 for c in range(256))  # a-z stay, the rest is a space


class _WordRuns:
    """The [a-z]+ runs of a text: which there are, and where those asked for occur. Read from
    the text with every other character made a space (one for one: a non-ASCII character
    encodes as "?"), split at each space: the pieces are the runs and empty strings, and a
    piece begins one past the end of the piece before it."""

    __slots__ = ("letters", "parts", "words", "_at")

    def __init__(self, low: str) -> None:
        self.letters = low.encode("ascii", "replace").translate(_ONLY_LETTERS).decode("ascii")
        self.parts = self.letters.split(" ")
        self.words: set[str] = set(self.parts)
        self.words.discard("")
        self._at: dict[str, list[int]] = {}

    def find(self, wanted: set[str]) -> None:
        """Read where the runs in ``wanted`` begin (one pass over the pieces)."""
        at = self._at
        k = 0  # where the piece begins
        for w in self.parts:
            if w in wanted:
                got = at.get(w)
                if got is None:
                    at[w] = [k]
                else:
                    got.append(k)
            k += len(w) + 1

    def at(self, w: str) -> list[int]:
        """Where the run ``w`` begins (ascending): read by :meth:`find`, else none."""
        return self._at.get(w, [])


def _where_to_try(low: str, active: list[int], runs: _WordRuns,
                  has_digit: bool) -> dict[int, list[int]]:
    """For each active rule, the positions (ascending) where a match can begin."""
    rule_starts = _rule_starts()
    starts: dict[int, list[int]] = {prio: [] for prio in active}
    get = starts.get
    wanted: dict[str, _Hits] = {}
    live = set(active)
    for w in runs.words - _NO_HIT_WORDS:
        hits = _WORD_HITS.get(w)
        if hits is None:
            hits = _word_hits(w)
        if hits is not _NO_HITS and not _WORD_RULES[w].isdisjoint(live):
            wanted[w] = hits  # an active rule may start in this word
    if _PLACE_RULE in starts:
        wanted.setdefault("time", _NO_HITS)
    runs.find(set(wanted))
    for w, (plain, followed) in wanted.items():
        at = runs.at(w)
        for r, off in plain:
            lst = get(r)
            if lst is not None:
                lst.extend(at if off == 0 else [k + off for k in at])
        if followed and any(r in starts for r, _off, _f in followed):
            for token, where in _next_tokens(low, runs.letters, w, at).items():
                ok = _AFTER_OK.get((w, token))
                if ok is None:
                    ok = _after_ok(w, token, followed)
                for r, off in ok:
                    lst = get(r)
                    if lst is not None:
                        lst.extend(where if off == 0 else [k + off for k in where])
    if has_digit:
        # most patterns cannot begin at a digit right after a digit (a look-behind or a word
        # boundary says so): those digits are tried only when an active pattern can
        inside = any(rule_starts[prio].after_digit for prio in active)
        for after, where in _digits(low, inside).items():
            rules = _DIGIT_RULES.get(after)
            if rules is None:
                rules = _digit_rules(after)
            for r in rules:
                lst = get(r)
                if lst is not None:
                    lst.extend(where)
    punct: dict[str, list[int]] = {}
    for prio in active:
        st = rule_starts[prio]
        here = starts[prio]
        for p in st.punct:
            marks = punct.get(p)
            if marks is None:
                marks = punct[p] = _occurrences(low, p)
            here.extend(marks)
        if st.special is not None:
            here.extend(_SPECIAL_STARTS[st.special](low, runs))
        here.sort()  # a start found twice is tried twice, harmlessly
    return starts


_AFTER_OK: dict[tuple[str, str], tuple[tuple[int, int], ...]] = {}
_DIGIT_RULES: dict[str, tuple[int, ...]] = {}


def _after_ok(w: str, token: str, followed: tuple[tuple[int, int, _Follow], ...]) -> tuple[tuple[int, int], ...]:
    """The (rule, offset) starts in word run ``w`` that can go on with ``token`` after whitespace."""
    ok = tuple((r, off) for r, off, follow in followed if _follows(follow, token))
    if len(_AFTER_OK) >= _WORD_HITS_MAX:
        _AFTER_OK.clear()
    _AFTER_OK[(w, token)] = ok
    return ok


def _digit_rules(after: str) -> tuple[int, ...]:
    """The rules that can begin at a digit followed by ``after`` (up to three characters)."""
    alike = "".join([_alike(ch) for ch in after])
    rules = _ALIKE_RULES.get(alike)
    if rules is None:
        rules = _masked_digit_rules(alike)
        if len(_ALIKE_RULES) >= _WORD_HITS_MAX:
            _ALIKE_RULES.clear()
        _ALIKE_RULES[alike] = rules
    if len(_DIGIT_RULES) >= _WORD_HITS_MAX:
        _DIGIT_RULES.clear()
    _DIGIT_RULES[after] = rules
    return rules


def _read_digit_rules(after: str) -> tuple[int, ...]:
    """``_digit_rules`` read from each rule's paths (~100 K instructions)."""
    return tuple(r for r, st in enumerate(_rule_starts())
                 if st.digit and not st.whole and (st.second is None or st.second.allows(after)))


@dataclass(slots=True)
class _PathMasks:
    """The rules' paths after a digit as bits: bit 0 is a path that allows anything (a rule
    with no paths read has it), bit i + 1 is the i-th path read."""

    rules: list[tuple[int, int]]  # (rule, the bits of its paths), by priority: the digit rules
    short: list[int]  # short[n]: the paths no longer than n (n = 0 .. 3), and bit 0
    # by_chars[j]: (a character set, the paths that have it at j); short[j]: those that stop before j
    by_chars: list[list[tuple[_Chars, int]]]
    at: dict[tuple[int, str], int]  # (j, ch) -> the paths that stop before j or read ch at j, and bit 0

    def reading(self, j: int, ch: str) -> int:
        got = self.at.get((j, ch))
        if got is None:
            got = self.short[j]
            for chars, mask in self.by_chars[j]:  # each set once, not once per path
                if chars.has(ch):
                    got |= mask
            if len(self.at) < _MAX_CHAR_MEMO:
                self.at[(j, ch)] = got
        return got


_PATH_MASKS: list[_PathMasks] = []


def _path_masks() -> _PathMasks:
    if not _PATH_MASKS:
        paths: list[tuple[_Chars, ...]] = []
        rules: list[tuple[int, int]] = []
        for r, st in enumerate(_rule_starts()):
            if not st.digit or st.whole:
                continue
            if st.second is None:
                rules.append((r, 1))
                continue
            mask = 0
            for path in st.second.paths:
                mask |= 2 << len(paths)
                paths.append(path)
            rules.append((r, mask))
        short = [1 | sum(2 << i for i, path in enumerate(paths) if len(path) <= n) for n in range(4)]
        by_chars: list[dict[_Chars, int]] = [{}, {}, {}]
        for i, path in enumerate(paths):
            for j, chars in enumerate(path):
                by_chars[j][chars] = by_chars[j].get(chars, 0) | 2 << i
        _PATH_MASKS[:] = [_PathMasks(rules=rules, short=short, by_chars=[list(d.items()) for d in by_chars], at={})]
    return _PATH_MASKS[0]


def _masked_digit_rules(after: str) -> tuple[int, ...]:
    """``_read_digit_rules`` by bit masks: the paths that allow ``after`` are those no longer
    than it that read each of its characters (a path that stops early reads anything), each
    character's paths read once (~10 K instructions for a new context, not ~100 K)."""
    masks = _path_masks()
    live = masks.short[len(after)]
    for j in range(len(after)):
        live &= masks.reading(j, after[j])
    return tuple([r for r, mask in masks.rules if mask & live])


# Characters that every character set of the rules' paths reads alike are interchangeable in
# ``after``: the rules for "5 p" are those for "0 a" when each set has "5" as it has "0" and "p"
# as "a". Each character stands for the first one seen that is read alike (few kinds: digits,
# spaces, some letters and marks), so a new three characters after a digit rarely reads paths.
_ALIKE_RULES: dict[str, tuple[int, ...]] = {}  # by characters read alike: a few hundred
_ALIKE: dict[str, str] = {}  # a character -> the one it is read alike to
_ALIKE_FIRST: dict[tuple[bool, ...], str] = {}  # what the sets say of a character -> its first
_PATH_CHARS: list[_Chars] = []  # every character set of the rules' paths, once


def _alike(ch: str) -> str:
    got = _ALIKE.get(ch)
    if got is None:
        if not _PATH_CHARS:
            _PATH_CHARS.extend(dict.fromkeys(chars for st in _rule_starts() if st.second is not None
                                             for path in st.second.paths for chars in path))
        got = _ALIKE_FIRST.setdefault(tuple([chars.has(ch) for chars in _PATH_CHARS]), ch)
        if len(_ALIKE) < _WORD_HITS_MAX:
            _ALIKE[ch] = got
    return got


_TRIES_PER_CHAR = 8  # more than one start in 8 characters: run the pattern over the whole text
_MAX_FINDS = 5000  # matches read per pattern


_START = attrgetter("start")
_Found = tuple[int, int, int, int, _Atom]  # (-length, priority, start, order found, atom): sorts as kept


def _atoms(text: str, low: str, active: list[int], starts: dict[int, list[int]]) -> list[_Found]:
    """Every rule's atoms, in the order of running each pattern over the whole text."""
    found: list[_Found] = []
    rule_starts = _rule_starts()
    for prio in active:
        rule = _PATTERNS[prio]
        handler, not_after = rule.handler, rule.not_after
        if handler is _range and not found:
            continue
        where: list[int] | None = starts[prio]
        if rule_starts[prio].whole or len(starts[prio]) * _TRIES_PER_CHAR > len(low):
            where = None  # starts everywhere (a hostile text): the regex engine scans faster
        for m in _finds(rule, low, where, _MAX_FINDS):
            m_start, m_end = m.span()
            if m_end == m_start:
                continue
            if not_after is not None and m_start > 0 and not rule.may_follow(low[m_start - 1]):
                continue
            try:
                atom = handler(m, low, text)
            except (ValueError, KeyError, OverflowError, IndexError):
                atom = None
            if atom is not None and atom.end > atom.start:
                found.append((atom.start - atom.end, prio, atom.start, len(found), atom))
    return found


_DIGIT_MARKS = bytes(48 if 48 <= c <= 57 else 32 for c in range(256))  # a digit -> "0", the rest -> " "


def _first_digits(low: str) -> list[int]:
    """Where each run of digits begins. An ASCII text is read in C: with every digit made "0"
    and every other character a space, a run begins one past each " 0" (one is put first)."""
    if not low.isascii():  # other scripts' digits count too
        return [m.start() for m in _FIRST_DIGIT.finditer(low)]
    marks = b" " + low.encode("ascii").translate(_DIGIT_MARKS)
    find = marks.find
    out = []
    k = find(b" 0")
    while k >= 0:
        out.append(k)  # the digit is at k + 1 in the marks, at k in the text
        k = find(b" 0", k + 2)
    return out


def _digits(low: str, inside: bool) -> dict[str, list[int]]:
    """Where the digits are (``inside``: every digit, else the first of each run of digits), by
    the three characters after each (fewer at the end)."""
    out: dict[str, list[int]] = {}
    for k in [m.start() for m in _ANY_DIGIT.finditer(low)] if inside else _first_digits(low):
        ch = low[k + 1: k + 4]
        g = out.get(ch)
        if g is None:
            out[ch] = [k]
        else:
            g.append(k)
    return out


def _runs(rule: _Rule, has_digit: bool, present: set[str], words: set[str]) -> bool:
    """The text-wide requirements of a pattern hold (a digit, a substring, a word)."""
    if rule.digit and not has_digit:
        return False
    if rule.any_of is not None and rule.any_of.isdisjoint(present):
        return False
    return not (rule.words is not None and rule.words.isdisjoint(words))


def _occurrences(low: str, lit: str) -> list[int]:
    out = []
    k = low.find(lit)
    while k >= 0:
        out.append(k)
        k = low.find(lit, k + 1)
    return out


def _keep_longest(found: list[_Found]) -> list[_Atom]:
    """Longest first, then the pattern registered first, then earliest; no overlaps. Atoms that
    overlap nothing are kept as they are: the choice is made within each run of atoms that
    overlap one another (the same choice, as no atom outside a run overlaps one in it), unless
    the atoms are so many that the cap on them decides which are kept."""
    if len(found) > MAX_ATOMS:
        return _keep_longest_of(found)
    found.sort(key=_AT)  # by start (then as found)
    taken: list[_Atom] = []
    run: list[_Found] = []
    reach = -1  # where the atoms of the run end, at the farthest
    for f in found:
        atom = f[4]
        if atom.start >= reach:  # overlaps nothing before it
            if len(run) == 1:
                taken.append(run[0][4])
            elif run:
                taken.extend(_keep_longest_of(run))
            run = [f]
            reach = atom.end
        else:
            run.append(f)
            if atom.end > reach:
                reach = atom.end
    if len(run) == 1:
        taken.append(run[0][4])
    elif run:
        taken.extend(_keep_longest_of(run))
    return taken


_AT = itemgetter(2)


def _keep_longest_of(found: list[_Found]) -> list[_Atom]:
    """Longest first, then the pattern registered first, then earliest; no overlaps (by start)."""
    found.sort()  # the order found breaks the remaining ties, as a stable sort would
    taken: list[_Atom] = []
    occupied = bytearray(max((f[4].end for f in found), default=0) + 1)
    for f in found:
        atom = f[4]
        start, end = atom.start, atom.end
        if occupied.find(1, start, end) >= 0:
            continue
        occupied[start:end] = b"\x01" * (end - start)
        taken.append(atom)
        if len(taken) > MAX_ATOMS:
            break
    taken.sort(key=_START)
    return taken
