"""Zones: wall time <-> instant, DST gaps and folds, a time stated in every party's zone.

Rules: pure (no I/O, no clock: ``now`` is an argument); zones are IANA names read with
``zoneinfo.ZoneInfo``, or a fixed "+05:30"-style offset only where nothing more is known.
A wall time that does not exist (DST gap) or exists twice (DST fold) is never shifted or
picked silently: the caller gets the instant mailflow chose *and* a doubt saying why.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

from .model import Participant, TimeMention

_OFFSET = re.compile(r"^(?:UTC|GMT|Z)?\s*([+\-−])(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)
_MAX_OCCURRENCES = 500


# --- zone names ---------------------------------------------------------------------------------


@lru_cache(maxsize=2048)
def _tz_cached(zone: str) -> dt.tzinfo | None:
    z = zone.strip()
    if not z:
        return None
    if z.upper() in ("UTC", "GMT", "Z", "ETC/UTC", "UCT"):
        return zoneinfo.ZoneInfo("UTC")
    m = _OFFSET.match(z)
    if m:
        hours, minutes = int(m.group(2)), int(m.group(3) or 0)
        if hours > 23 or minutes > 59:
            return None
        delta = dt.timedelta(hours=hours, minutes=minutes)
        return dt.timezone(-delta if m.group(1) in "-−" else delta)
    try:
        return zoneinfo.ZoneInfo(z)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return None


def tzinfo_for(zone: str | None) -> dt.tzinfo | None:
    """An IANA name or a "+05:30" / "UTC-3" offset -> tzinfo, or None when not a zone."""
    if not zone or len(zone) > 64:
        return None
    return _tz_cached(zone)


def offset_name(delta: dt.timedelta) -> str:
    """timedelta -> "+05:30" ("-03:00", "+00:00")."""
    total = int(delta.total_seconds() // 60)
    sign = "+" if total >= 0 else "-"
    return f"{sign}{abs(total) // 60:02d}:{abs(total) % 60:02d}"


def _fmt_offset(delta: dt.timedelta | None) -> str:
    if delta is None:
        return "UTC"
    if not delta:
        return "UTC"
    total = int(delta.total_seconds() // 60)
    sign = "+" if total >= 0 else "-"
    h, m = divmod(abs(total), 60)
    return f"UTC{sign}{h}" + (f":{m:02d}" if m else "")


# --- wall time <-> instant ---------------------------------------------------------------------


def wall_to_instant(wall: dt.datetime, zone: str) -> tuple[dt.datetime, str | None]:
    """A naive wall time read in ``zone`` -> (aware instant, doubt).

    In a DST gap the wall time does not exist: the instant is the one the clock would show had
    it not jumped (02:30 during a spring-forward 02:00->03:00 becomes 03:30 local), and the doubt
    says so. In a fold (autumn) the earlier of the two instants is chosen, and the doubt says so.
    Raises ValueError for an unknown zone.
    """
    tz = tzinfo_for(zone)
    if tz is None:
        raise ValueError(f"not a time zone: {zone!r}")
    wall = wall.replace(tzinfo=None)
    first = wall.replace(tzinfo=tz, fold=0)
    if not isinstance(tz, zoneinfo.ZoneInfo):
        return first, None
    second = wall.replace(tzinfo=tz, fold=1)
    off0, off1 = first.utcoffset(), second.utcoffset()
    if off0 == off1:
        return first, None
    back = first.astimezone(dt.UTC).astimezone(tz).replace(tzinfo=None)
    if back != wall:
        # gap: fold=0 reads the wall time with the offset in force before the jump
        moved = first.astimezone(dt.UTC).astimezone(tz)
        return moved, (
            f"nonexistent local time (DST gap) in {zone}: {wall:%Y-%m-%d %H:%M} does not exist, "
            f"read as {moved:%H:%M} {moved.tzname()}"
        )
    return first, (
        f"ambiguous local time (DST fold) in {zone}: {wall:%Y-%m-%d %H:%M} happens twice, "
        f"read as the first ({first.tzname()}, {_fmt_offset(off0)}) not the second "
        f"({second.tzname()}, {_fmt_offset(off1)})"
    )


def wall_doubt(wall: dt.datetime, zone: str) -> str | None:
    """Only the doubt of :func:`wall_to_instant` (None for an unknown zone)."""
    try:
        return wall_to_instant(wall, zone)[1]
    except ValueError:
        return None


# --- labels and rendering ----------------------------------------------------------------------


def zone_label(zone: str, at: dt.datetime) -> str:
    """What a person recognises: "London (GMT)", "New York (EDT)", "Kolkata (IST)", "UTC+5:30"."""
    tz = tzinfo_for(zone)
    if tz is None:
        return zone
    local = at.astimezone(tz)
    abbr = local.tzname() or ""
    if not abbr or abbr[0] in "+-" or abbr.startswith("UTC"):
        abbr = _fmt_offset(local.utcoffset())
    if not isinstance(tz, zoneinfo.ZoneInfo) or zone.upper() in ("UTC", "GMT", "ETC/UTC"):
        return abbr
    city = zone.rsplit("/", 1)[-1].replace("_", " ")
    if zone.startswith("Etc/"):
        return abbr
    return f"{city} ({abbr})"


def _plain(text: str) -> str:
    return text.replace("\u202f", " ").replace("\xa0", " ")


@lru_cache(maxsize=64)
def _locale_ok(locale: str) -> str:
    try:
        from babel import Locale

        Locale.parse(locale)
        return locale
    except Exception:  # an unknown locale falls back to British English
        return "en_GB"


def _time_text(local: dt.datetime, locale: str) -> str:
    from babel.dates import format_time

    return _plain(format_time(local.replace(tzinfo=None), "short", locale=_locale_ok(locale)))


def _date_text(local: dt.datetime, locale: str, *, year: bool = False) -> str:
    from babel.dates import format_skeleton

    return _plain(
        format_skeleton("yMMMEd" if year else "MMMEd", local.replace(tzinfo=None), locale=_locale_ok(locale))
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class ZoneLine:
    """One zone's view of an instant."""

    name: str  # the participant's name ("" when several share the zone or none is given)
    zone: str  # IANA name (or offset)
    label: str  # "London (GMT)"
    local: dt.datetime  # aware, in zone
    text: str  # "Tue 2 Dec, 15:00" / "Tue, Dec 2, 3:00 PM" per locale
    day_shift: int  # days relative to the first line's local date


def render_in_zones(instant: dt.datetime, participants: Sequence[Participant]) -> tuple[ZoneLine, ...]:
    """One line per distinct zone among the participants (zone None skipped), first-seen order."""
    if instant.tzinfo is None:
        raise ValueError("instant must be aware")
    lines: list[ZoneLine] = []
    names: dict[str, list[str]] = {}
    order: list[tuple[str, str]] = []
    for p in participants:
        if not p.zone or tzinfo_for(p.zone) is None:
            continue
        if p.zone not in names:
            names[p.zone] = []
            order.append((p.zone, p.locale))
        if p.name:
            names[p.zone].append(p.name)
    first_date: dt.date | None = None
    for zone, locale in order:
        tz = tzinfo_for(zone)
        assert tz is not None
        local = instant.astimezone(tz)
        if first_date is None:
            first_date = local.date()
        text = f"{_date_text(local, locale)}, {_time_text(local, locale)}"
        who = names[zone]
        lines.append(
            ZoneLine(
                name=who[0] if len(who) == 1 else "",
                zone=zone,
                label=zone_label(zone, instant),
                local=local,
                text=text,
                day_shift=(local.date() - first_date).days,
            )
        )
    return tuple(lines)


def one_line(
    instant: dt.datetime, participants: Sequence[Participant], *, end: dt.datetime | None = None
) -> str:
    """"Tue 2 Dec 2025, 15:00 in London (GMT) = 10:00 in New York (EST) = 00:00 Wed 3 Dec in
    Tokyo (JST)": every day change is spelled out. With no zoned participant, UTC is used."""
    lines = render_in_zones(instant, participants)
    if not lines:
        lines = render_in_zones(instant, (Participant(name="", addr="", zone="UTC", zone_source=None),))
    locales = {p.zone: p.locale for p in reversed(tuple(participants)) if p.zone}
    parts: list[str] = []
    for i, line in enumerate(lines):
        loc = locales.get(line.zone, "en_GB")
        clock = _time_text(line.local, loc)
        if end is not None:
            local_end = end.astimezone(line.local.tzinfo)
            end_clock = _time_text(local_end, loc)
            if local_end.date() != line.local.date():
                end_clock += f" {_date_text(local_end, loc)}"
            clock = f"{clock}–{end_clock}"
        if i == 0:
            parts.append(f"{_date_text(line.local, loc, year=True)}, {clock} in {line.label}")
        elif line.day_shift:
            parts.append(f"{clock} {_date_text(line.local, loc)} in {line.label}")
        else:
            parts.append(f"{clock} in {line.label}")
    return " = ".join(parts)


# --- warnings ----------------------------------------------------------------------------------


def _zoned(participants: Sequence[Participant]) -> list[Participant]:
    seen: set[str] = set()
    out = []
    for p in participants:
        if p.zone and tzinfo_for(p.zone) is not None and p.zone not in seen:
            seen.add(p.zone)
            out.append(p)
    return out


@lru_cache(maxsize=256)
def _holiday_table(country: str, year: int) -> object | None:
    try:
        import holidays

        return holidays.country_holidays(country, years=year)
    except Exception:  # unknown country code: no holiday knowledge, not an error
        return None


def _holiday_name(country: str | None, day: dt.date) -> str | None:
    if not country:
        return None
    table = _holiday_table(country.upper(), day.year)
    if table is None:
        return None
    name = table.get(day)  # type: ignore[attr-defined]
    return str(name) if name else None


def _weekend(country: str | None) -> frozenset[int]:
    if country:
        table = _holiday_table(country.upper(), 2025)
        days = getattr(table, "weekend", None)
        if days:
            return frozenset(int(d) for d in days)
    return frozenset({5, 6})


def holiday_name(country: str | None, day: dt.date) -> str | None:
    """The public holiday on ``day`` in ``country`` (ISO 3166 alpha-2), or None."""
    return _holiday_name(country, day)


def weekend_days(country: str | None) -> frozenset[int]:
    """The weekday numbers (Monday 0) that are the weekend in ``country`` (default Sat+Sun)."""
    return _weekend(country)


def _who(p: Participant) -> str:
    return p.name or p.addr or p.zone or "someone"


def slot_warnings(
    start: dt.datetime,
    end: dt.datetime,
    participants: Sequence[Participant],
    *,
    now: dt.datetime,
) -> tuple[str, ...]:
    """What a person should know about this slot: the offset between two parties' zones is
    different now than on the meeting day (DST switches on different dates), the slot falls
    outside someone's working hours, on their weekend, or on a public holiday in their country."""
    if start.tzinfo is None or end.tzinfo is None or now.tzinfo is None:
        raise ValueError("start, end and now must be aware")
    out: list[str] = []
    zoned = _zoned(participants)
    for i, a in enumerate(zoned):
        for b in zoned[i + 1:]:
            ta, tb = tzinfo_for(a.zone), tzinfo_for(b.zone)
            assert ta is not None and tb is not None
            d_now = now.astimezone(ta).utcoffset() - now.astimezone(tb).utcoffset()  # type: ignore[operator]
            d_then = start.astimezone(ta).utcoffset() - start.astimezone(tb).utcoffset()  # type: ignore[operator]
            if d_now != d_then:
                out.append(
                    f"the time difference changes before the meeting: on the meeting day "
                    f"{zone_label(a.zone or '', start)} is {_relation(d_then)} "
                    f"{zone_label(b.zone or '', start)}, but today it is "
                    f"{_relation(d_now).removesuffix(' of').removesuffix(' as')} "
                    f"(daylight saving time starts or ends on different dates)"
                )
    for p in participants:
        if not p.zone:
            continue
        tz = tzinfo_for(p.zone)
        if tz is None:
            continue
        ls, le = start.astimezone(tz), end.astimezone(tz)
        who = _who(p)
        work_start, work_end = p.work_start, p.work_end
        outside = ls.time() < work_start or (
            le.date() > ls.date() and not (le.time() == dt.time(0) and work_end >= dt.time(23, 59))
        ) or (le.date() == ls.date() and le.time() > work_end) or ls.time() >= work_end
        if outside:
            out.append(
                f"{ls:%H:%M}–{le:%H:%M} {zone_label(p.zone, start)} is outside {who}'s working hours "
                f"({work_start:%H:%M}–{work_end:%H:%M})"
            )
        if ls.weekday() in _weekend(p.country):
            out.append(f"{ls:%A %d %B} is a weekend day for {who}")
        holiday = _holiday_name(p.country, ls.date())
        if holiday:
            out.append(f"{ls:%A %d %B} is a public holiday in {p.country} for {who}: {holiday}")
    return tuple(dict.fromkeys(out))


def _relation(delta: dt.timedelta) -> str:
    """'5 h ahead of', '1 h 30 min behind', 'on the same clock as'."""
    mins = int(delta.total_seconds() // 60)
    if mins == 0:
        return "on the same clock as"
    h, m = divmod(abs(mins), 60)
    amount = (f"{h} h" if h else "") + (f" {m} min" if m else "")
    return f"{amount.strip()} {'ahead of' if mins > 0 else 'behind'}"


_UNTIL_UTC = re.compile(r"UNTIL=(\d{8}T\d{6})Z", re.IGNORECASE)


def _rule(rrule: str, wall: dt.datetime, tz: dt.tzinfo) -> Iterator[dt.datetime]:
    """An RRULE expanded in naive wall time from ``wall``; a UTC UNTIL is read in ``tz``.
    Raises ValueError for a rule dateutil cannot read."""
    from dateutil.rrule import rrulestr

    text = rrule.strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    if len(text) > 500:
        raise ValueError("RRULE too long")

    def local_until(m: re.Match[str]) -> str:
        until = dt.datetime.strptime(m.group(1), "%Y%m%dT%H%M%S").replace(tzinfo=dt.UTC)
        return f"UNTIL={until.astimezone(tz):%Y%m%dT%H%M%S}"

    text = _UNTIL_UTC.sub(local_until, text)
    try:
        rule = rrulestr(text, dtstart=wall, cache=False)
    except (ValueError, TypeError, IndexError, KeyError) as exc:
        raise ValueError(f"not a usable RRULE: {rrule!r} ({exc})") from exc
    return iter(rule)


def occurrences(
    rrule: str, start: dt.datetime, zone: str, *, count: int = 20
) -> tuple[dt.datetime, ...]:
    """The first ``count`` instants of an RRULE expanded in the organiser's wall time: a weekly
    9:00 in Europe/London stays 9:00 London across DST. Nonexistent wall times are moved as in
    :func:`wall_to_instant`. ``start`` may be naive (wall time) or aware (converted to zone)."""
    tz = tzinfo_for(zone)
    if tz is None:
        raise ValueError(f"not a time zone: {zone!r}")
    count = max(0, min(count, _MAX_OCCURRENCES))
    wall = start.astimezone(tz).replace(tzinfo=None) if start.tzinfo else start
    out: list[dt.datetime] = []
    for occ in _rule(rrule, wall, tz):
        if len(out) >= count or occ.year > 9000:
            break
        out.append(wall_to_instant(occ, zone)[0])
    return tuple(out)


def series_warnings(
    rrule: str,
    start: dt.datetime,
    zone: str,
    participants: Sequence[Participant],
    count: int = 52,
) -> tuple[str, ...]:
    """For a recurring meeting kept in ``zone``'s wall time: the occurrences where another
    party's local time shifts (their DST changes on a different date), occurrences on a public
    holiday in a party's country, and wall times that do not exist or happen twice in ``zone``.
    Raises ValueError for an unknown zone or a malformed rule."""
    tz = tzinfo_for(zone)
    if tz is None:
        raise ValueError(f"not a time zone: {zone!r}")
    wall = start.astimezone(tz).replace(tzinfo=None) if start.tzinfo else start
    out: list[str] = []
    n = 0
    walls: list[dt.datetime] = []
    for occ in _rule(rrule, wall, tz):
        if n >= min(count, _MAX_OCCURRENCES) or occ.year > 9000:
            break
        walls.append(occ)
        n += 1
    instants = []
    for occ in walls:
        inst, doubt = wall_to_instant(occ, zone)
        instants.append(inst)
        if doubt:
            out.append(f"{occ:%a %d %b %Y}: {doubt}")
    for p in participants:
        ptz = tzinfo_for(p.zone) if p.zone else None
        if ptz is None or not p.country:
            continue
        for inst in instants:
            local = inst.astimezone(ptz)
            holiday = _holiday_name(p.country, local.date())
            if holiday:
                out.append(f"{local:%a %d %b %Y} is a public holiday in {p.country} for {_who(p)}: {holiday}")
    for p in _zoned(participants):
        if p.zone == zone:
            continue
        ptz = tzinfo_for(p.zone)
        assert ptz is not None
        prev: str | None = None
        for inst in instants:
            local = inst.astimezone(ptz)
            clock = f"{local:%H:%M}"
            if prev is not None and clock != prev:
                out.append(
                    f"from {local:%a %d %b %Y} the meeting is at {clock} for {_who(p)} in "
                    f"{zone_label(p.zone or '', inst)} (was {prev}): daylight saving time changes"
                )
            prev = clock
    return tuple(out)


# --- describing a mention ----------------------------------------------------------------------


def describe_mention(m: TimeMention, *, zones: tuple[str, ...]) -> str:
    """Human line for `mailflow when`: the text, then the instant in every zone given."""
    order = tuple(dict.fromkeys(((m.zone,) if m.zone else ()) + tuple(zones)))
    people = [Participant(name="", addr="", zone=z, zone_source=None) for z in order if tzinfo_for(z)]
    if m.grain in ("day", "week", "month", "quarter", "year"):
        local = m.start.astimezone(tzinfo_for(m.zone or "") or dt.UTC)
        what = {
            "day": f"{local:%a %d %b %Y}",
            "week": f"week of {local:%a %d %b %Y}",
            "month": f"{local:%B %Y}",
            "quarter": f"Q{(local.month - 1) // 3 + 1} {local:%Y}",
            "year": f"{local:%Y}",
        }[m.grain]
        body = f"{what} ({m.grain})"
    else:
        body = one_line(m.start, people, end=m.end)
    extra = []
    if m.rrule:
        extra.append(f"repeats {m.rrule}")
    if m.doubt:
        extra.append(f"doubt: {m.doubt}")
    tail = f" [{'; '.join(extra)}]" if extra else ""
    return f"{m.text!r}: {body}{tail}"


# --- places -> zones ---------------------------------------------------------------------------

# A compact gazetteer: the cities and countries people name in mail, lower-cased -> IANA.
# Countries spanning several zones map to their most populous/business zone.
_PLACES: dict[str, str] = {
    # Europe
    "london": "Europe/London", "manchester": "Europe/London", "edinburgh": "Europe/London",
    "glasgow": "Europe/London", "birmingham": "Europe/London", "bristol": "Europe/London",
    "leeds": "Europe/London", "cambridge uk": "Europe/London", "oxford": "Europe/London",
    "uk": "Europe/London", "united kingdom": "Europe/London", "england": "Europe/London",
    "scotland": "Europe/London", "wales": "Europe/London", "britain": "Europe/London",
    "great britain": "Europe/London", "belfast": "Europe/London",
    "dublin": "Europe/Dublin", "ireland": "Europe/Dublin", "cork": "Europe/Dublin",
    "lisbon": "Europe/Lisbon", "porto": "Europe/Lisbon", "portugal": "Europe/Lisbon",
    "paris": "Europe/Paris", "lyon": "Europe/Paris", "france": "Europe/Paris",
    "berlin": "Europe/Berlin", "munich": "Europe/Berlin", "hamburg": "Europe/Berlin",
    "frankfurt": "Europe/Berlin", "cologne": "Europe/Berlin", "germany": "Europe/Berlin",
    "amsterdam": "Europe/Amsterdam", "rotterdam": "Europe/Amsterdam",
    "netherlands": "Europe/Amsterdam", "the netherlands": "Europe/Amsterdam",
    "brussels": "Europe/Brussels", "belgium": "Europe/Brussels", "antwerp": "Europe/Brussels",
    "luxembourg": "Europe/Luxembourg", "zurich": "Europe/Zurich", "geneva": "Europe/Zurich",
    "switzerland": "Europe/Zurich", "vienna": "Europe/Vienna", "austria": "Europe/Vienna",
    "madrid": "Europe/Madrid", "barcelona": "Europe/Madrid", "spain": "Europe/Madrid",
    "rome": "Europe/Rome", "milan": "Europe/Rome", "italy": "Europe/Rome",
    "copenhagen": "Europe/Copenhagen", "denmark": "Europe/Copenhagen",
    "stockholm": "Europe/Stockholm", "sweden": "Europe/Stockholm",
    "oslo": "Europe/Oslo", "norway": "Europe/Oslo", "helsinki": "Europe/Helsinki",
    "finland": "Europe/Helsinki", "warsaw": "Europe/Warsaw", "krakow": "Europe/Warsaw",
    "poland": "Europe/Warsaw", "prague": "Europe/Prague", "czechia": "Europe/Prague",
    "czech republic": "Europe/Prague", "budapest": "Europe/Budapest", "hungary": "Europe/Budapest",
    "athens": "Europe/Athens", "greece": "Europe/Athens", "bucharest": "Europe/Bucharest",
    "romania": "Europe/Bucharest", "sofia": "Europe/Sofia", "bulgaria": "Europe/Sofia",
    "kyiv": "Europe/Kyiv", "kiev": "Europe/Kyiv", "ukraine": "Europe/Kyiv",
    "istanbul": "Europe/Istanbul", "ankara": "Europe/Istanbul", "turkey": "Europe/Istanbul",
    "moscow": "Europe/Moscow", "russia": "Europe/Moscow", "saint petersburg": "Europe/Moscow",
    "tallinn": "Europe/Tallinn", "estonia": "Europe/Tallinn", "riga": "Europe/Riga",
    "vilnius": "Europe/Vilnius", "reykjavik": "Atlantic/Reykjavik", "iceland": "Atlantic/Reykjavik",
    "belgrade": "Europe/Belgrade", "zagreb": "Europe/Zagreb", "ljubljana": "Europe/Ljubljana",
    # Americas
    "new york": "America/New_York", "nyc": "America/New_York", "boston": "America/New_York",
    "washington": "America/New_York", "washington dc": "America/New_York", "dc": "America/New_York",
    "philadelphia": "America/New_York", "atlanta": "America/New_York", "miami": "America/New_York",
    "toronto": "America/Toronto", "montreal": "America/Toronto", "ottawa": "America/Toronto",
    "chicago": "America/Chicago", "dallas": "America/Chicago", "houston": "America/Chicago",
    "austin": "America/Chicago", "minneapolis": "America/Chicago", "new orleans": "America/Chicago",
    "denver": "America/Denver", "salt lake city": "America/Denver", "phoenix": "America/Phoenix",
    "los angeles": "America/Los_Angeles", "la": "America/Los_Angeles",
    "san francisco": "America/Los_Angeles", "sf": "America/Los_Angeles",
    "seattle": "America/Los_Angeles", "portland": "America/Los_Angeles",
    "san diego": "America/Los_Angeles", "san jose": "America/Los_Angeles",
    "silicon valley": "America/Los_Angeles", "bay area": "America/Los_Angeles",
    "vancouver": "America/Vancouver", "calgary": "America/Edmonton", "edmonton": "America/Edmonton",
    "winnipeg": "America/Winnipeg", "halifax": "America/Halifax", "st. john's": "America/St_Johns",
    "st johns": "America/St_Johns", "newfoundland": "America/St_Johns",
    "anchorage": "America/Anchorage", "alaska": "America/Anchorage", "honolulu": "Pacific/Honolulu",
    "hawaii": "Pacific/Honolulu", "usa": "America/New_York", "us": "America/New_York",
    "united states": "America/New_York", "canada": "America/Toronto",
    "mexico city": "America/Mexico_City", "mexico": "America/Mexico_City",
    "guadalajara": "America/Mexico_City", "bogota": "America/Bogota", "colombia": "America/Bogota",
    "lima": "America/Lima", "peru": "America/Lima", "santiago": "America/Santiago",
    "chile": "America/Santiago", "buenos aires": "America/Argentina/Buenos_Aires",
    "argentina": "America/Argentina/Buenos_Aires", "sao paulo": "America/Sao_Paulo",
    "são paulo": "America/Sao_Paulo", "rio de janeiro": "America/Sao_Paulo",
    "brazil": "America/Sao_Paulo", "caracas": "America/Caracas", "venezuela": "America/Caracas",
    "montevideo": "America/Montevideo", "uruguay": "America/Montevideo",
    # Africa and the Middle East
    "lagos": "Africa/Lagos", "abuja": "Africa/Lagos", "nigeria": "Africa/Lagos",
    "accra": "Africa/Accra", "ghana": "Africa/Accra", "nairobi": "Africa/Nairobi",
    "kenya": "Africa/Nairobi", "cairo": "Africa/Cairo", "egypt": "Africa/Cairo",
    "johannesburg": "Africa/Johannesburg", "cape town": "Africa/Johannesburg",
    "south africa": "Africa/Johannesburg", "casablanca": "Africa/Casablanca",
    "morocco": "Africa/Casablanca", "addis ababa": "Africa/Addis_Ababa", "ethiopia": "Africa/Addis_Ababa",
    "kampala": "Africa/Kampala", "uganda": "Africa/Kampala", "kigali": "Africa/Kigali",
    "rwanda": "Africa/Kigali", "dar es salaam": "Africa/Dar_es_Salaam", "tanzania": "Africa/Dar_es_Salaam",
    "dakar": "Africa/Dakar", "senegal": "Africa/Dakar", "tunis": "Africa/Tunis",
    "algiers": "Africa/Algiers", "kinshasa": "Africa/Kinshasa",
    "dubai": "Asia/Dubai", "abu dhabi": "Asia/Dubai", "uae": "Asia/Dubai",
    "united arab emirates": "Asia/Dubai", "doha": "Asia/Qatar", "qatar": "Asia/Qatar",
    "riyadh": "Asia/Riyadh", "saudi arabia": "Asia/Riyadh", "tel aviv": "Asia/Jerusalem",
    "jerusalem": "Asia/Jerusalem", "israel": "Asia/Jerusalem", "tehran": "Asia/Tehran",
    "iran": "Asia/Tehran", "beirut": "Asia/Beirut", "amman": "Asia/Amman",
    # Asia and Oceania
    "india": "Asia/Kolkata", "mumbai": "Asia/Kolkata", "bombay": "Asia/Kolkata",
    "delhi": "Asia/Kolkata", "new delhi": "Asia/Kolkata", "bangalore": "Asia/Kolkata",
    "bengaluru": "Asia/Kolkata", "chennai": "Asia/Kolkata", "hyderabad": "Asia/Kolkata",
    "pune": "Asia/Kolkata", "kolkata": "Asia/Kolkata", "calcutta": "Asia/Kolkata",
    "karachi": "Asia/Karachi", "lahore": "Asia/Karachi", "pakistan": "Asia/Karachi",
    "dhaka": "Asia/Dhaka", "bangladesh": "Asia/Dhaka", "kathmandu": "Asia/Kathmandu",
    "nepal": "Asia/Kathmandu", "colombo": "Asia/Colombo", "sri lanka": "Asia/Colombo",
    "bangkok": "Asia/Bangkok", "thailand": "Asia/Bangkok", "hanoi": "Asia/Ho_Chi_Minh",
    "ho chi minh city": "Asia/Ho_Chi_Minh", "vietnam": "Asia/Ho_Chi_Minh",
    "jakarta": "Asia/Jakarta", "indonesia": "Asia/Jakarta", "singapore": "Asia/Singapore",
    "kuala lumpur": "Asia/Kuala_Lumpur", "malaysia": "Asia/Kuala_Lumpur",
    "manila": "Asia/Manila", "philippines": "Asia/Manila", "hong kong": "Asia/Hong_Kong",
    "shanghai": "Asia/Shanghai", "beijing": "Asia/Shanghai", "shenzhen": "Asia/Shanghai",
    "china": "Asia/Shanghai", "taipei": "Asia/Taipei", "taiwan": "Asia/Taipei",
    "seoul": "Asia/Seoul", "korea": "Asia/Seoul", "south korea": "Asia/Seoul",
    "tokyo": "Asia/Tokyo", "osaka": "Asia/Tokyo", "kyoto": "Asia/Tokyo", "japan": "Asia/Tokyo",
    "sydney": "Australia/Sydney", "melbourne": "Australia/Melbourne", "canberra": "Australia/Sydney",
    "brisbane": "Australia/Brisbane", "perth": "Australia/Perth", "adelaide": "Australia/Adelaide",
    "darwin": "Australia/Darwin", "hobart": "Australia/Hobart", "australia": "Australia/Sydney",
    "auckland": "Pacific/Auckland", "wellington": "Pacific/Auckland", "new zealand": "Pacific/Auckland",
    "chatham islands": "Pacific/Chatham", "fiji": "Pacific/Fiji", "samoa": "Pacific/Apia",
    "apia": "Pacific/Apia", "tonga": "Pacific/Tongatapu", "kiritimati": "Pacific/Kiritimati",
}


@lru_cache(maxsize=1)
def _iana_cities() -> dict[str, str]:
    out: dict[str, str] = {}
    for name in sorted(zoneinfo.available_timezones()):
        if "/" not in name or name.startswith(("Etc/", "SystemV/", "US/", "posix/", "right/")):
            continue
        city = name.rsplit("/", 1)[-1].replace("_", " ").lower()
        out.setdefault(city, name)
    return out


def zone_for_place(text: str) -> str | None:
    """A city, country or IANA name -> IANA zone ("London" -> Europe/London, "India" ->
    Asia/Kolkata, "Lagos" -> Africa/Lagos), None when unknown."""
    if not text or len(text) > 80:
        return None
    key = " ".join(text.strip().strip(".,;:()").split()).lower()
    if not key:
        return None
    if key in _PLACES:
        return _PLACES[key]
    if "/" in text:
        tz = tzinfo_for(text.strip())
        if isinstance(tz, zoneinfo.ZoneInfo):
            return text.strip()
        return None
    return _iana_cities().get(key)


def places() -> frozenset[str]:
    """Every place name zone_for_place knows (lower case)."""
    return frozenset(_PLACES) | frozenset(_iana_cities())
