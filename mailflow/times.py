"""Text -> TimeMentions: find time expressions in running text and resolve them.

Rules: pure (``ref`` is the clock); never raises on any text; bounded work (the text scanned is
capped and every pattern is linear). Three steps:

1. *atoms*: small patterns (a date, a weekday, a clock time, a zone, a connector ...) found
   independently; overlapping finds keep the longest.
2. *groups*: neighbouring atoms separated only by filler ("at", "on", ",", "the") form one
   expression; "-", "to", "until" inside a group split it into start and end; groups joined by
   "or" share what the others state ("Tue or Wed at 9" -> two mentions at 9).
3. *resolution*: a group becomes a wall time in the zone it names (else the writer's), read into
   an instant with :func:`mailflow.zones.wall_to_instant` (gaps and folds flagged in ``doubt``).

Atoms live in :mod:`mailflow.times_atoms`, words in :mod:`mailflow.times_lexicon`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import cast

from . import times_lexicon as lex
from .model import Grain, TimeMention
from .times_atoms import _Atom, _fix_numeric_dates, _lower, _scan, _valid
from .zones import offset_name, tzinfo_for, wall_to_instant

MAX_TEXT = 100_000  # characters scanned; the rest of a longer text is ignored
MAX_MENTIONS = 200


# the holders below write their __init__: mypyc compiles it natively, a dataclass's is Python
@dataclass(slots=True, init=False)
class _Side:
    atoms: list[_Atom]

    def __init__(self, atoms: list[_Atom]) -> None:
        self.atoms = atoms

    def first(self, kind: str) -> _Atom | None:
        for a in self.atoms:
            if a.kind == kind:
                return a
        return None

    def has(self, *kinds: str) -> bool:
        for a in self.atoms:
            if a.kind in kinds:
                return True
        return False


@dataclass(slots=True, init=False)
class _Group:
    start: int
    end: int
    sides: list[_Side]
    borrowed: list[_Atom]  # shared from "or" neighbours

    def __init__(self, start: int, end: int, sides: list[_Side]) -> None:
        self.start = start
        self.end = end
        self.sides = sides
        self.borrowed = []


_FILLER = re.compile(
    r"(?:[\s,(){}\[\]∙·•|]|\b(?:at|on|the|of|in|@|around|about|approx|approximately|from|starting|for|this|"
    r"is|by|ca|circa|o'clock|clock|h|hrs|hours|sharp|exactly|roughly|ish)\b|-ish\b|\.(?!\d))*",
    re.IGNORECASE,
)
_OR = re.compile(r"\s*(?:,|\bor\b|/|,\s*or\b|\band\b|,\s*and\b)\s*(?:\b(?:on|at)\b\s*)?", re.IGNORECASE)


_MAX_GAP = 40  # characters of filler that still join two atoms


def _joinable(gap: str) -> bool:
    if len(gap) > _MAX_GAP:
        return False
    m = _FILLER.fullmatch(gap)
    return m is not None


_DAY_KINDS = ("date", "datetime", "wd", "relday", "dayonly", "nth", "endof", "period", "shift")
_ONE_PER_SIDE = frozenset({"wd", "date", "datetime", "relday", "dayonly", "time"})


def _groups(atoms: list[_Atom], low: str) -> list[_Group]:
    groups: list[_Group] = []
    cur: list[_Atom] = []
    kinds: set[str] = set()  # the kinds in cur since its last range (one side)
    for a in atoms:
        kind = a.kind
        if not cur:
            if kind != "range":
                cur = [a]
                kinds = {kind}
            continue
        if kind in _ONE_PER_SIDE and kind in kinds:  # a second day or clock on one side
            groups.append(_make_group(cur))
            cur = [a]
            kinds = {kind}
            continue
        prev = cur[-1]
        if a.start - prev.end <= _MAX_GAP and _joinable(low[prev.end: a.start]):  # ("" joins too)
            if kind == "range":
                if prev.kind == "range":
                    groups.append(_make_group(cur))
                    cur = []
                    continue
                kinds = set()
            else:
                kinds.add(kind)
            cur.append(a)
        else:
            groups.append(_make_group(cur))
            cur = [a] if kind != "range" else []
            kinds = {kind}
    if cur:
        groups.append(_make_group(cur))
    return [g for g in groups if g.sides]


_OPENS_RANGE = frozenset({"time", "date", "datetime", "wd", "relday", "month", "dayonly"})
_DAY_OR_MONTH = frozenset({"date", "datetime", "wd", "relday", "dayonly", "nth", "month"})


def _make_group(atoms: list[_Atom]) -> _Group:
    n = len(atoms)
    while n and atoms[n - 1].kind == "range":
        n -= 1
    side: list[_Atom] = []
    parts = [side]
    for i in range(n):
        a = atoms[i]
        if a.kind == "range":
            # a range splits start from end once, after a day or clock and before more atoms
            if len(parts) < 2 and i + 1 < n and any(x.kind in _OPENS_RANGE for x in side):
                side = []
                parts.append(side)
            continue
        side.append(a)
    parts = [p for p in parts if p]
    if len(parts) == 2 and not any(x.kind in ("time", "datetime") for x in parts[0]) \
            and not any(x.kind in _DAY_OR_MONTH for x in parts[1]):
        parts = [parts[0] + parts[1]]
    if len(parts) == 1:
        for t in parts[0]:
            if t.end_clock is not None:
                eh, em, emer = t.end_clock
                parts.append([_Atom(t.end, t.end, "time", hour=eh, minute=em, mer=emer, weak=t.weak)])
                break
    if not parts:
        return _Group(start=atoms[0].start if n else 0, end=atoms[n - 1].end if n else 0, sides=[])
    # the atoms are in order and do not overlap (an end clock read from an atom stands at its end):
    # the group begins with the first and ends with the last of a side
    return _Group(start=parts[0][0].start, end=max(p[-1].end for p in parts), sides=[_Side(atoms=p) for p in parts])


_STRONG_KINDS = frozenset({"date", "datetime", "wd", "relday", "shift", "period", "time", "nth", "dayonly", "month",
                           "every", "endof", "year"})


def _meaningful(g: _Group) -> bool:
    strong = False
    weakish = 0  # weak date/time atoms count when two of them stand together ("sun 8.30", "6 Nov 2359")
    for atoms in (*(s.atoms for s in g.sides), g.borrowed):
        for a in atoms:
            if a.kind == "invalid":
                return False
            if a.kind in _STRONG_KINDS:
                strong = strong or not a.weak
                weakish += a.end > a.start
    return strong or weakish >= 2


# --- resolution ---------------------------------------------------------------------------------


@dataclass(slots=True)
class _Ctx:
    ref: dt.datetime  # aware, in the writer's zone
    zone: str  # writer zone (IANA or offset)
    reader_zone: str | None
    party_zones: tuple[str, ...]
    today: dt.date


def _from_day(ctx: _Ctx, day: dt.date) -> _Ctx:
    """The context for a range's end: "Fri 5 Dec - Tuesday" counts from the start day."""
    return _Ctx(ref=ctx.ref, zone=ctx.zone, reader_zone=ctx.reader_zone, party_zones=ctx.party_zones,
                today=max(day - dt.timedelta(days=1), ctx.today))


def _next_weekday(today: dt.date, wd: int, mod: str | None) -> dt.date:
    monday = today - dt.timedelta(days=today.weekday())
    if mod in ("next", "following"):
        return monday + dt.timedelta(days=7 + wd)
    if mod is not None and mod.startswith("+"):
        delta = (wd - today.weekday()) % 7 or 7
        return today + dt.timedelta(days=delta + 7 * (int(mod[1:]) - 1))
    if mod == "after next":
        return monday + dt.timedelta(days=14 + wd)
    if mod == "thisweek":
        return monday + dt.timedelta(days=wd)
    if mod == "lastweekof":
        return monday + dt.timedelta(days=wd - 7)
    if mod in ("last", "past", "previous"):
        delta = (today.weekday() - wd) % 7 or 7
        return today - dt.timedelta(days=delta)
    if mod == "this":
        delta = (wd - today.weekday()) % 7
        return today + dt.timedelta(days=delta)
    delta = (wd - today.weekday()) % 7 or 7
    return today + dt.timedelta(days=delta)


def _add_months(d: dt.date, n: int) -> dt.date:
    total = d.year * 12 + d.month - 1 + n
    y, mo = divmod(total, 12)
    if not 1 <= y <= 9998:
        raise OverflowError("year out of range")
    return dt.date(y, mo + 1, min(d.day, calendar.monthrange(y, mo + 1)[1]))


def _nth_weekday(y: int, mo: int, n: int, wd: int) -> dt.date | None:
    days = calendar.monthrange(y, mo)[1]
    if wd == -1:  # "day"
        if n == -1:
            return dt.date(y, mo, days)
        return dt.date(y, mo, n) if n <= days else None
    matches = [dt.date(y, mo, d) for d in range(1, days + 1) if dt.date(y, mo, d).weekday() == wd]
    if n == -1:
        return matches[-1]
    return matches[n - 1] if n <= len(matches) else None


def _resolve_day(side: _Side, ctx: _Ctx, other: dt.date | None) -> tuple[dt.date | None, Grain | None, bool]:
    """-> (date, grain when the day is all the side states, explicit) ."""
    today = ctx.today
    off = side.first("offset")
    if off is not None and off.shift is not None and off.shift[0] in ("day", "week", "month", "year"):
        base, grain, explicit = _resolve_day(_Side(atoms=[a for a in side.atoms if a is not off]), ctx, other)
        if base is None or not explicit:
            return None, None, False  # an offset needs a day to count from
        unit, n = off.shift
        if unit in ("day", "week"):
            return base + dt.timedelta(days=n * (7 if unit == "week" else 1)), "day", True
        return _add_months(base, n * (12 if unit == "year" else 1)), "day", True
    date_a = side.first("date") or side.first("datetime")
    wd_a = side.first("wd")
    if date_a is not None:
        y, mo, d = date_a.y, date_a.m, date_a.d
        assert mo is not None and d is not None
        year_a = side.first("year")
        if y is None and year_a is not None:
            y = year_a.y
        if y is None:
            y = today.year
            for k in range(9):
                if _valid(y + k, mo, d) and dt.date(y + k, mo, d) >= today:
                    y = y + k
                    break
            else:
                return None, None, False
        if not _valid(y, mo, d):
            return None, None, False
        return dt.date(y, mo, d), "day", True
    nth = side.first("nth")
    if nth is not None and nth.nth is not None:
        n, wd, mo, y, rel = nth.nth
        if mo is None:
            base = _add_months(today.replace(day=1), {"next": 1, "last": -1}.get(rel or "", 0))
            y, mo = base.year, base.month
        elif y is None:
            y = today.year
            got = _nth_weekday(y, mo, n, wd)
            if got is not None and got < today:
                y += 1
        got = _nth_weekday(y, mo, n, wd)
        return got, "day", True
    endof = side.first("endof")
    if endof is not None and endof.period is not None:
        unit = endof.period[0]
        if unit == "month":
            return today.replace(day=calendar.monthrange(today.year, today.month)[1]), "day", True
        if unit == "year":
            return dt.date(today.year, 12, 31), "day", True
        return today + dt.timedelta(days=(4 - today.weekday()) % 7), "day", True
    period_a = side.first("period")
    if wd_a is not None and wd_a.wd is not None and period_a is not None and period_a.period is not None \
            and period_a.period[0] == "week":
        monday = today - dt.timedelta(days=today.weekday())
        return monday + dt.timedelta(weeks=period_a.period[1], days=wd_a.wd), "day", True
    rel_a = side.first("relday")
    if rel_a is not None and rel_a.rel_days is not None:
        return today + dt.timedelta(days=rel_a.rel_days), "day", True
    day_only = side.first("dayonly")
    if day_only is not None and day_only.d is not None:
        start = today.replace(day=1)
        if day_only.period is not None:
            start = _add_months(start, day_only.period[1])
        for k in range(0, 28):
            base = _add_months(start, k)
            if day_only.d > calendar.monthrange(base.year, base.month)[1]:
                continue
            cand = base.replace(day=day_only.d)
            if cand < today and day_only.period is None:
                continue
            want = wd_a.wd if wd_a is not None else day_only.wd
            if want is not None and cand.weekday() != want:
                continue
            return cand, "day", True
        return None, None, False
    if wd_a is not None and wd_a.wd is not None:
        return _next_weekday(today, wd_a.wd, wd_a.wd_mod), "day", True
    every_days = sorted(a.wd for a in side.atoms if a.kind == "every" and a.wd is not None)
    if every_days:
        return min(_next_weekday(today, wd, "this") for wd in every_days), "day", True
    shift = side.first("shift")
    if shift is not None and shift.shift is not None:
        unit, n = shift.shift
        if unit == "day":
            return today + dt.timedelta(days=n), "day", True
        if unit == "week":
            return today + dt.timedelta(weeks=n), "day", True
        if unit == "month":
            return _add_months(today, n), "day", True
        if unit == "year":
            return _add_months(today, 12 * n), "day", True
        moved = (ctx.ref + dt.timedelta(**{unit + "s": n})).date()
        return moved, None, True
    period = side.first("period")
    if period is not None and period.period is not None:
        unit, k = period.period
        if unit == "week":
            monday = today - dt.timedelta(days=today.weekday())
            return monday + dt.timedelta(weeks=k), "week", True
        if unit == "month":
            return _add_months(today.replace(day=1), k), "month", True
        if unit == "quarter":
            q0 = today.replace(day=1, month=3 * ((today.month - 1) // 3) + 1)
            return _add_months(q0, 3 * k), "quarter", True
        if unit == "year":
            return dt.date(today.year + k, 1, 1), "year", True
    month = side.first("month")
    year_a = side.first("year")
    if month is not None and month.m is not None:
        y = month.y if month.y is not None else year_a.y if year_a is not None else None
        span = 3 if month.grain == "quarter" else 1
        if y is None:
            y = today.year if month.m + span - 1 >= today.month else today.year + 1
        return dt.date(y, month.m, 1), "quarter" if span == 3 else "month", True
    if year_a is not None and year_a.y is not None:
        return dt.date(year_a.y, 1, 1), "year", True
    if other is not None:
        return other, None, False
    return today, None, False


def _clock_of(side: _Side) -> tuple[int, int, int | None, str | None, bool, str | None] | None:
    t = side.first("time") or side.first("datetime")
    if t is None or t.hour is None:
        return None
    pod = next((a.pod for a in side.atoms if a.pod), None) or t.pod
    return t.hour, t.minute or 0, t.second, t.mer, t.hour_only, pod


def _hour24(h: int, mer: str | None, pod: str | None) -> int:
    if mer == "am":
        return 0 if h == 12 else h
    if mer == "pm":
        return h if h >= 12 else h + 12
    if pod and h < 12:
        pm = lex.PARTS_OF_DAY.get(pod, (False, 0))[0] or pod in ("tonight", "night")
        if pm and not (pod == "night" and h <= 4) and not (pod.endswith("lunch") or pod == "lunchtime") or (
            pod in ("lunch", "lunchtime") and h <= 3
        ):
            return h + 12
    return h


def _zone_of(g: _Group, ctx: _Ctx, on: dt.date) -> tuple[str, str | None, _Atom | None]:
    atoms = [a for s in g.sides for a in s.atoms if a.zone or a.zone_abbr]
    atoms += [a for a in g.borrowed if a.zone or a.zone_abbr]
    for a in atoms:
        if a.zone == "@writer":
            return ctx.zone, None, a
        if a.zone == "@reader":
            if ctx.reader_zone:
                return ctx.reader_zone, None, a
            return ctx.zone, "\"your time\" but the reader's zone is unknown: read in the writer's zone", a
        if a.zone:
            return a.zone, None, a
        if a.zone_abbr:
            cands = lex.ZONES[a.zone_abbr]
            if len(cands) == 1:
                return cands[0][0], None, a
            party = set(ctx.party_zones) | {ctx.zone}
            for iana, _desc, _dst in cands:
                if iana in party:
                    return iana, None, a
            # same offset as a party's zone on that day?
            noon = dt.datetime.combine(on, dt.time(12))
            for iana, _desc, _dst in cands:
                tz = tzinfo_for(iana)
                for pz in ctx.party_zones:
                    ptz = tzinfo_for(pz)
                    if tz and ptz and noon.replace(tzinfo=tz).utcoffset() == noon.replace(tzinfo=ptz).utcoffset():
                        return iana, None, a
            names = ", ".join(f"{d} ({z})" for z, d, _ in cands[1:])
            return cands[0][0], (
                f"ambiguous abbreviation {a.zone_abbr.upper()}: read as {cands[0][1]} ({cands[0][0]}); "
                f"could also be {names}"
            ), a
    return ctx.zone, None, None


_GMT_ZONES = ("Europe/London", "Europe/Dublin", "Europe/Lisbon")


def _dst_note(a: _Atom | None, zone: str, instant: dt.datetime, ctx: _Ctx) -> str | None:
    if a is not None and a.zone_dst is not None and a.zone_note and a.zone:
        local = instant.astimezone(tzinfo_for(a.zone))
        if bool(local.dst()) != a.zone_dst:
            return (f"{a.zone_note.title()} written, but {a.zone} is on {local.tzname()} on "
                    f"{local:%d %b %Y}: read as {a.zone} wall time")
        return None
    if a is None or not a.zone_abbr:
        return None
    if a.zone_abbr == "gmt":
        # "GMT" from someone in the UK in summer usually means UK time: say which was read
        for uk in (ctx.zone, *ctx.party_zones):
            if uk in _GMT_ZONES:
                local = instant.astimezone(tzinfo_for(uk))
                if local.dst():
                    return (f"GMT written while {uk} is on {local.tzname()}: read as GMT (UTC), "
                            f"which is {local:%H:%M} {local.tzname()}")
        return None
    for iana, desc, dst in lex.ZONES[a.zone_abbr]:
        if iana != zone or dst is None:
            continue
        local = instant.astimezone(tzinfo_for(zone))
        in_dst = bool(local.dst())
        if in_dst != dst:
            return (
                f"{a.zone_abbr.upper()} ({desc} Time) written, but {zone} is on "
                f"{local.tzname()} on {local:%d %b %Y}: read as {zone} wall time"
            )
    return None


def _resolve(g: _Group, ctx: _Ctx, text: str) -> TimeMention | None:
    sides = g.sides
    start_side = sides[0]
    end_side = sides[1] if len(sides) > 1 else None
    if g.borrowed:
        start_side = _Side(atoms=start_side.atoms + g.borrowed)
    if end_side is not None and not start_side.has(*_DAY_KINDS) and end_side.has(*_DAY_KINDS):
        # "10am to 11am on Thursday": the day written after the end is the start's day too
        start_side = _Side(atoms=start_side.atoms + [a for a in end_side.atoms if a.kind in _DAY_KINDS])
    # a zone or part of day written on one side applies to both
    shared = [a for s in sides for a in s.atoms if a.kind in ("zone", "pod", "year")]
    for a in shared:
        if a not in start_side.atoms and not start_side.has(a.kind):
            start_side = _Side(atoms=start_side.atoms + [a])
    day, day_grain, explicit_day = _resolve_day(start_side, ctx, None)
    if day is None:
        return None
    t_atom = start_side.first("time")
    if t_atom is not None and t_atom.grain == "midnight" and not explicit_day:
        day = day + dt.timedelta(days=1)
    clock = _clock_of(start_side)
    end_clock = _clock_of(end_side) if end_side else None
    shift = start_side.first("shift")
    doubts: list[str] = []
    wd_a, date_a = start_side.first("wd"), start_side.first("date") or start_side.first("datetime")
    if wd_a is not None and wd_a.wd is not None and date_a is not None and day.weekday() != wd_a.wd:
        doubts.append(f"{calendar.day_name[wd_a.wd]} written, but {day:%d %b %Y} is a {day:%A}")
    zone, zdoubt, zatom = _zone_of(g, ctx, day)
    if zdoubt:
        doubts.append(zdoubt)
    grain: Grain
    if shift is not None and shift.shift is not None and shift.shift[0] in ("second", "minute", "hour") and clock is None:
        unit, n = shift.shift
        instant = ctx.ref + dt.timedelta(**{unit + "s": n})
        grain = "second" if unit == "second" else "minute"
        return TimeMention(text=text[g.start:g.end], span=(g.start, g.end), start=instant, end=None,
                           grain=grain, zone=ctx.zone, doubt=None, rrule=None)
    rrule = _merge_rrules([a.rrule for a in start_side.atoms if a.rrule])
    if clock is None and shift is not None and shift.grain == "keepclock" and len(start_side.atoms) == 1:
        assert shift.shift is not None
        unit, n = shift.shift
        wall = dt.datetime.combine(day, dt.time(ctx.ref.hour))
        try:
            instant, _gd = wall_to_instant(wall, ctx.zone)
        except (ValueError, OverflowError):
            return None
        return TimeMention(text=text[g.start:g.end], span=(g.start, g.end), start=instant, end=None,
                           grain="hour", zone=ctx.zone, doubt=None, rrule=None)
    if clock is None:
        if day_grain is None and not start_side.has("every"):
            return None
        # a day (or coarser) only: midnight in the zone
        tz = tzinfo_for(zone)
        if tz is None:
            return None
        start = dt.datetime.combine(day, dt.time(0)).replace(tzinfo=tz)
        end = None
        date_a = start_side.first("date")
        if date_a is not None and date_a.end_date is not None:
            ey, emo, ed = date_a.end_date
            range_end = dt.date(day.year if ey is None else ey, emo, ed)
            if range_end >= day:
                end = dt.datetime.combine(range_end + dt.timedelta(days=1), dt.time(0)).replace(tzinfo=tz)
        if end_side is not None:
            end_day, eg, _ = _resolve_day(end_side, _from_day(ctx, day), day)
            if end_day is not None and eg is not None and end_day >= day:
                end = dt.datetime.combine(end_day + dt.timedelta(days=1), dt.time(0)).replace(tzinfo=tz)
        grain = day_grain or "day"
        if rrule and start_side.first("every") is not None:
            grain = "day"
        if end is not None and end <= start:
            end = None
        return TimeMention(text=text[g.start:g.end], span=(g.start, g.end), start=start, end=end,
                           grain=grain, zone=zone, doubt="; ".join(doubts) or None, rrule=rrule)
    h, mi, sec, mer, hour_only, pod = clock
    if end_clock is not None and mer is None and end_clock[3] is not None:
        eh = _hour24(end_clock[0], end_clock[3], None)
        cand_pm = _hour24(h, end_clock[3], None)
        mer = end_clock[3] if cand_pm <= eh or (end_clock[3] == "pm" and h == 12) else None
        if mer is None and end_clock[3] == "pm" and h < 12:
            mer = "am"
    hour = _hour24(h, mer, pod)
    t_first = start_side.first("time")
    if (mer is None and not pod and 1 <= h <= 6 and t_first is not None and not t_first.padded
            and not zatom and (mi % 15 == 0 or t_first.spoken) and sec is None):
        # "at 3", "3:30": meetings are held in the afternoon, not at 3 a.m.; an exact
        # "4:23" or "04:30" reads as a clock reading, not a proposal
        hour = h + 12
        doubts.append(f"am/pm not stated: read {h} as {hour}:{mi:02d}")
    wall = dt.datetime.combine(day, dt.time(hour % 24, mi, sec or 0))
    if h == 24:
        wall += dt.timedelta(days=1)
    off = start_side.first("offset")
    if off is not None and off.shift is not None and off.shift[0] in ("second", "minute", "hour"):
        wall += dt.timedelta(**{off.shift[0] + "s": off.shift[1]})
        hour_only = hour_only and off.shift[0] == "hour"
    try:
        start, gdoubt = wall_to_instant(wall, zone)
    except (ValueError, OverflowError):
        return None
    if gdoubt:
        doubts.append(gdoubt)
    note = _dst_note(zatom, zone, start, ctx)
    if note:
        doubts.append(note)
    end = None
    if end_side is not None:
        end_day, _eg, explicit = _resolve_day(end_side, _from_day(ctx, day), day)
        if end_day is not None:
            if end_clock is not None:
                emer = end_clock[3]
                ehour = _hour24(end_clock[0], emer, end_clock[5] or pod)
                if emer is None and mer == "pm" and end_clock[0] < 12:
                    ehour = end_clock[0] + 12
                ewall = dt.datetime.combine(end_day, dt.time(ehour % 24, end_clock[1], end_clock[2] or 0))
                if ewall <= wall and not explicit:
                    ewall += dt.timedelta(days=1)
            else:
                ewall = dt.datetime.combine(end_day + dt.timedelta(days=1), dt.time(0))
            try:
                end = wall_to_instant(ewall, zone)[0]
            except (ValueError, OverflowError):
                end = None
    dur = start_side.first("duration") or (end_side.first("duration") if end_side else None)
    if end is None and dur is not None and dur.minute:
        end = start + dt.timedelta(minutes=dur.minute)  # elapsed time, across any DST change
    grain = "second" if sec is not None else "hour" if hour_only else "minute"
    if end is not None and end < start:
        end = None
    return TimeMention(text=text[g.start:g.end], span=(g.start, g.end), start=start, end=end,
                       grain=grain, zone=zone, doubt="; ".join(doubts) or None, rrule=rrule)


def _merge_rrules(rules: list[str]) -> str | None:
    """"fortnightly" + "on Thursdays" -> FREQ=WEEKLY;INTERVAL=2;BYDAY=TH (parts in a fixed order)."""
    if not rules:
        return None
    parts: dict[str, str] = {}
    days: list[str] = []
    for rule in rules:
        for item in rule.split(";"):
            key, _, value = item.partition("=")
            if key == "BYDAY":
                days.extend(d for d in value.split(",") if d not in days)
            elif key == "INTERVAL":
                parts[key] = str(max(int(value), int(parts.get(key, "1"))))
            elif key == "FREQ" and parts.get("FREQ") not in (None, "DAILY") and value == "DAILY":
                continue
            else:
                parts[key] = value
    if days:
        parts["FREQ"] = "WEEKLY" if parts.get("FREQ") in (None, "DAILY", "WEEKLY") else parts["FREQ"]
        order = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
        parts["BYDAY"] = ",".join(sorted(days, key=order.index))
    keys = ["FREQ", "INTERVAL", "BYDAY"] + sorted(k for k in parts if k not in ("FREQ", "INTERVAL", "BYDAY"))
    return ";".join(f"{k}={parts[k]}" for k in keys if k in parts)


def _stands_alone(g: _Group, text: str, alone: str) -> bool:
    """A weak word or number is a time when it is all the text says ("tue", "25th", "0810")."""
    if not alone or text[g.start:g.end].strip(" .,;:!?()\"'") != alone:
        return False
    atoms = [a for s in g.sides for a in s.atoms if a.end > a.start]
    if alone.lower().startswith("for "):
        return False  # "for 2" is a count, not a clock
    return len(atoms) == 1 and atoms[0].kind in ("wd", "dayonly", "time", "year") and atoms[0].end_clock is None


def _facts(g: _Group) -> tuple[object, ...]:
    """What a group's reading depends on: its atoms' facts (:meth:`_Atom.facts`), side by side,
    and what it borrowed (never where they stand: two groups with the same facts differ only in
    text and span)."""
    sides = g.sides  # one or two: the last facts are always what it borrowed
    borrowed = tuple([a.facts() for a in g.borrowed])
    if len(sides) == 1:
        return tuple([a.facts() for a in sides[0].atoms]), borrowed
    return (*(tuple([a.facts() for a in s.atoms]) for s in sides), borrowed)


_UNREAD = object()  # a group whose facts were not read yet in this text


def _has_invalid(g: _Group) -> bool:
    for side in g.sides:
        for a in side.atoms:
            if a.kind == "invalid":
                return True
    return False


def _share_options(groups: list[_Group], low: str) -> None:
    """"Tue or Wed at 9": a group with a day but no clock borrows the clock (and zone) of the
    next group joined by "or"/","/"and"; a clock with no day borrows the next group's day."""
    for i in range(len(groups) - 2, -1, -1):
        a, b = groups[i], groups[i + 1]
        gap = low[a.end: b.start]
        if len(gap) > 12 or not _OR.fullmatch(gap):
            continue
        a_atoms = [x for s in a.sides for x in s.atoms]
        b_atoms = [x for s in b.sides for x in s.atoms] + b.borrowed
        a_has_clock = any(x.kind in ("time", "datetime") for x in a_atoms)
        a_has_day = any(x.kind in ("date", "datetime", "wd", "relday", "dayonly", "nth", "every") for x in a_atoms)
        b_clock = [x for x in b_atoms if x.kind in ("time", "zone", "pod")]
        b_day = [x for x in b_atoms if x.kind in ("date", "wd", "relday", "dayonly", "nth", "zone")]
        if a_has_day and not a_has_clock and any(x.kind == "time" for x in b_clock):
            a.borrowed.extend(b_clock)
        elif a_has_clock and not a_has_day and any(x.kind != "zone" for x in b_day):
            a.borrowed.extend(b_day)


def find_times(
    text: str | None,
    *,
    ref: dt.datetime,
    zone: str | None,
    reader_zone: str | None = None,
    party_zones: tuple[str, ...] = (),
    date_order: str = "DMY",
) -> tuple[TimeMention, ...]:
    """Every time expression in ``text``, resolved against ``ref`` (aware) in the writer's
    ``zone`` (IANA name or "+05:30"); ``reader_zone`` is what "your time" means; ``party_zones``
    settle ambiguous abbreviations (IST, CST, BST); ``date_order`` ("DMY"/"MDY") reads "03/12".
    Never raises; a mention that cannot be resolved is left out, and no text (None) has none."""
    try:
        return _find(text, ref=ref, zone=zone, reader_zone=reader_zone, party_zones=party_zones,
                     date_order=date_order)
    except (ValueError, OverflowError, KeyError, IndexError, TypeError, RecursionError):
        return ()


def _find(
    text: str | None,
    *,
    ref: dt.datetime,
    zone: str | None,
    reader_zone: str | None,
    party_zones: tuple[str, ...],
    date_order: str,
) -> tuple[TimeMention, ...]:
    if not isinstance(text, str) or not text or ref.tzinfo is None:
        return ()
    text = text[:MAX_TEXT]
    if zone is None or tzinfo_for(zone) is None:
        off = ref.utcoffset() or dt.timedelta(0)
        zone = "UTC" if not off else offset_name(off)
    tz = tzinfo_for(zone)
    assert tz is not None
    local_ref = ref.astimezone(tz)
    ctx = _Ctx(ref=local_ref, zone=zone, reader_zone=reader_zone if reader_zone and tzinfo_for(reader_zone) else None,
               party_zones=tuple(z for z in party_zones if z and tzinfo_for(z)), today=local_ref.date())
    low = _lower(text)
    atoms = _scan(text, low)
    _fix_numeric_dates(atoms, "MDY" if str(date_order).upper() == "MDY" else "DMY")
    groups = [g for g in _groups(atoms, low) if g.sides and not _has_invalid(g)]
    _share_options(groups, low)
    out: list[TimeMention] = []
    alone = text.strip(" \t\r\n.,;:!?()\"'")
    read: dict[tuple[object, ...], TimeMention | None] = {}  # facts -> reading, for this text ("by Friday" x 12)
    for g in groups:
        if not _meaningful(g) and not _stands_alone(g, text, alone):
            continue
        facts = _facts(g)
        got = read.get(facts, _UNREAD)
        if got is not _UNREAD:
            same = cast("TimeMention | None", got)
            mention = None if same is None else TimeMention(
                text=text[g.start:g.end], span=(g.start, g.end), start=same.start, end=same.end, grain=same.grain,
                zone=same.zone, doubt=same.doubt, status=same.status, rrule=same.rrule)
        else:
            try:
                mention = _resolve(g, ctx, text)
            except (ValueError, OverflowError, KeyError, IndexError, TypeError):
                mention = None
            read[facts] = mention
        if mention is not None:
            out.append(mention)
            if len(out) >= MAX_MENTIONS:
                break
    return tuple(out)


