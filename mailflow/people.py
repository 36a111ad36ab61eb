"""Note + configured people -> Participants with the zone each one most likely lives in.

Rules: pure. Everyone named in the outer and forwarded headers (From/To/Cc) takes part, except
the mailbox owner and mailflow's own address (``self_addrs``). A participant's zone comes from,
in order of trust: the configuration ("config"); a zone the author states in their own text
("I'm in Lagos", "my time (CET)": "stated"); a city in their signature ("signature"); the
offset of the Date header they sent ("date-header": an IANA zone only when the offset points to
one zone family, else the offset itself, "+05:30").
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
import zoneinfo
from itertools import accumulate

from . import times_lexicon as lex
from .model import Address, Headers, Note, Participant, Person
from .needles import lowered, starts
from .zones import offset_name, tzinfo_for, zone_for_place

_PLACE = r"([A-Z][\w.'’-]*(?:[ -][A-Z][\w.'’-]*){0,3})"
_STATED = (
    re.compile(r"\b(?:I['’]?m|I am|[Ww]e['’]?re|[Ww]e are)\s+(?:currently\s+|now\s+|still\s+|)(?:based\s+|located\s+|living\s+|staying\s+)?(?:in|at)\s+" + _PLACE),
    re.compile(r"\b(?:I['’]?m|I am|[Ww]e['’]?re|[Ww]e are)\s+(?:currently\s+|now\s+)?(?:on|in)\s+" + _PLACE + r"\s+time\b"),
    re.compile(r"\b(?:here in|based in|located in|from our office in|writing from)\s+" + _PLACE),
    re.compile(r"\bmy\s+(?:local\s+)?(?:time\s*zone|timezone|tz)\s+is\s+([A-Za-z_/+:\d-]+(?:\s[A-Z][a-z]+)?)", re.I),
    re.compile(r"\bmy\s+(?:local\s+)?time\s*\(\s*([A-Za-z_/+:\d-]+)\s*\)", re.I),
    re.compile(r"\(\s*([A-Za-z_/+:\d-]+)\s*\)\s*my\s+(?:local\s+)?time\b", re.I),
    re.compile(r"\b([A-Z]{2,5})\s+my\s+(?:local\s+)?time\b"),
    re.compile(r"\b(?:I['’]?m|I am|[Ww]e['’]?re|[Ww]e are)\s+(?:currently\s+|now\s+)?on\s+([A-Z]{2,5})\b"),
    re.compile(r"\b(?:I['’]?m|I am|[Ww]e['’]?re|[Ww]e are)\s+(?:currently\s+|now\s+)?on\s+([A-Za-z]+(?:\s[A-Za-z]+){0,3}\s+[Tt]ime)\b"),
)

# every _STATED pattern needs one of these words
_TRIGGER = re.compile(
    r"\b(?:I['’]?m|I am|we['’]?re|we are|here in|based in|located in|office in|writing from|my)\b",
    re.I,
)
# every _TRIGGER match begins with one of these, case-insensitively
_TRIGGER_STARTS = ("i'm", "i’m", "im", "i am", "we're", "we’re", "were", "we are", "here in",
                   "based in", "located in", "office in", "writing from", "my")


def _trigger_lines(text: str, lines: list[str]) -> set[int]:
    """The indexes of ``text.splitlines()`` (given as ``lines``) that hold a _TRIGGER match.

    _TRIGGER is run only where one of its words begins after a non-word character (needles; its
    \\b is re's word test, str.isalnum() or "_"): a match inside one line is a match in the
    whole text and back, as line breaks are not word characters."""
    low = lowered(text)
    if low is None:
        return {i for i, ln in enumerate(lines) if _TRIGGER.search(ln)}
    at = [k for k in starts(low, _TRIGGER_STARTS)
          if (k == 0 or not (text[k - 1].isalnum() or text[k - 1] == "_")) and _TRIGGER.match(text, k)]
    if not at:
        return set()
    ends = list(accumulate(map(len, text.splitlines(keepends=True))))  # where each line ends
    return {bisect.bisect_right(ends, k) for k in at}


def _zone_from_words(words: str) -> str | None:
    """A place, IANA name, abbreviation or UTC offset -> zone."""
    w = words.strip().strip(".,;:()")
    if not w or len(w) > 60:
        return None
    key = " ".join(w.lower().split())
    if key in lex.ZONE_NAMES:
        return lex.ZONE_NAMES[key][0]
    if key in lex.ZONES:
        cands = lex.ZONES[key]
        return cands[0][0] if len(cands) == 1 else None
    z = zone_for_place(w)
    if z:
        return z
    # the place may be followed by more words: try shorter prefixes ("Lagos this week")
    parts = w.split()
    for n in range(len(parts) - 1, 0, -1):
        z = zone_for_place(" ".join(parts[:n]))
        if z:
            return z
    m = re.fullmatch(r"(?:UTC|GMT)?\s*([+-]\d{1,2}(?::?\d{2})?)", w, re.I)
    if m and tzinfo_for(m.group(1)) is not None:
        off = tzinfo_for(m.group(1)).utcoffset(None)  # type: ignore[union-attr]
        return offset_name(off) if off is not None else None
    return None


def stated_zone(text: str | None) -> str | None:
    """The zone an author says they are in, from their own words."""
    if not text:
        return None
    # only lines that hold a trigger word can match; the patterns run on those alone
    head = text[:20_000]
    all_lines = head.splitlines()
    keep = sorted({j for i in _trigger_lines(head, all_lines) for j in (i, i + 1)})
    if not keep:
        return None
    sample = "\n".join(all_lines[j] for j in keep if j < len(all_lines))
    for rx in _STATED:
        for m in rx.finditer(sample):
            z = _zone_from_words(m.group(1))
            if z:
                return z
    return None


def signature_zone(signature: str | None) -> str | None:
    """A city or country in a signature block -> zone ("Jane Doe | Lagos, Nigeria")."""
    if not signature:
        return None
    for line in signature[:2000].splitlines()[:12]:
        if "@" in line or "http" in line.lower():
            continue
        for seg in re.split(r"[,|•·;/–—()]|\s-\s", line):
            seg = seg.strip(" .\t")
            if not seg or len(seg) > 40 or not seg[0].isupper():
                continue
            if len(seg) <= 3 and not seg.isupper():
                continue
            z = zone_for_place(seg)
            if z:
                return z
    return None


# Offsets that belong to one well-known zone whatever the season (non-hour offsets).
_UNIQUE_OFFSETS: dict[int, tuple[str, ...]] = {
    330: ("Asia/Kolkata",), 345: ("Asia/Kathmandu",), 270: ("Asia/Kabul",), 210: ("Asia/Tehran",),
    390: ("Asia/Yangon",), -210: ("America/St_Johns",), -150: ("America/St_Johns",),
    765: ("Pacific/Chatham",), 825: ("Pacific/Chatham",), 570: ("Australia/Darwin", "Australia/Adelaide"),
    630: ("Australia/Adelaide",), 525: ("Australia/Eucla",),
}


def date_header_zone(date: dt.datetime | None) -> str | None:
    """A Date header's offset -> an IANA zone when that offset names one zone, else "+05:30"."""
    if date is None or date.tzinfo is None:
        return None
    off = date.utcoffset()
    if off is None:
        return None
    minutes = int(off.total_seconds() // 60)
    unique = _UNIQUE_OFFSETS.get(minutes)
    if unique:
        for z in unique:
            if date.astimezone(zoneinfo.ZoneInfo(z)).utcoffset() == off:
                return z
    return offset_name(off)


def _person_for(addr: str, people: tuple[Person, ...]) -> Person | None:
    a = addr.lower()
    for p in people:
        if any(a == x.lower() for x in p.addrs):
            return p
    return None


def find_participants(
    note: Note,
    *,
    people: tuple[Person, ...],
    self_addrs: tuple[str, ...],
    default_zone: str | None,
) -> tuple[Participant, ...]:
    """Everyone in the outer and forwarded From/To/Cc (owner and mailflow excluded), with zones."""
    own = {a.lower() for a in self_addrs}
    outer = note.letter.headers
    heads: list[tuple[Headers, str | None, str | None]] = [(outer, note.body, note.signature)]
    if note.original is not None:
        heads.append((note.original, note.original_body, note.original_signature))
    # what each author says about themselves
    hints: dict[str, tuple[str, str]] = {}
    for head, body, signature in heads:
        if not head.from_:
            continue
        author = head.from_[0].addr.lower()
        if author in hints:
            continue
        z = stated_zone(body)
        if z:
            hints[author] = (z, "stated")
            continue
        z = signature_zone(signature)
        if z:
            hints[author] = (z, "signature")
            continue
        z = date_header_zone(head.date)
        if z:
            hints[author] = (z, "date-header")
    seen: dict[str, Participant] = {}
    names: dict[str, str] = {}
    for head, _body, _sig in heads:
        addresses: tuple[Address, ...] = head.from_ + head.to + head.cc
        for a in addresses:
            addr = a.addr.lower()
            if not addr or addr in own:
                continue
            if a.name and addr not in names:
                names[addr] = a.name
            if addr in seen:
                continue
            person = _person_for(addr, people)
            if person is not None:
                seen[addr] = Participant(
                    name=person.name, addr=addr, zone=person.zone, zone_source="config",
                    locale=person.locale, country=person.country,
                    work_start=person.work_start, work_end=person.work_end,
                )
                continue
            zone, source = hints.get(addr, (None, None))
            seen[addr] = Participant(name=a.name, addr=addr, zone=zone, zone_source=source)
    out = []
    for addr, p in seen.items():
        if not p.name and names.get(addr):
            p = Participant(name=names[addr], addr=p.addr, zone=p.zone, zone_source=p.zone_source,
                            locale=p.locale, country=p.country, work_start=p.work_start,
                            work_end=p.work_end)
        out.append(p)
    return tuple(out)
