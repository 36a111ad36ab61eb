"""iCalendar text -> CalendarEvent values (what an invite or a cancellation says).

Rules: bounded work. The input size and the number of components are capped before parsing,
at most ``MAX_EVENTS`` events are read, and an RRULE is kept as written, never expanded.
TZIDs resolve to IANA zones through zoneinfo (Windows names such as "Pacific Standard Time"
are mapped); an id known only from the calendar's own VTIMEZONE keeps the tzinfo icalendar
built from it. Malformed input raises ``BadMessage``. Pure: no I/O, no clock.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

from .errors import BadMessage
from .model import Address, CalendarEvent

__all__ = ["read_calendar", "MAX_EVENTS", "MAX_BYTES"]

MAX_EVENTS = 50
MAX_BYTES = 2 * 1024 * 1024
MAX_COMPONENTS = 2_000

# The Windows zone names Outlook and Exchange write most often, mapped to IANA (CLDR windowsZones).
_WINDOWS_ZONES = {
    "pacific standard time": "America/Los_Angeles",
    "mountain standard time": "America/Denver",
    "us mountain standard time": "America/Phoenix",
    "central standard time": "America/Chicago",
    "eastern standard time": "America/New_York",
    "us eastern standard time": "America/Indiana/Indianapolis",
    "atlantic standard time": "America/Halifax",
    "alaskan standard time": "America/Anchorage",
    "hawaiian standard time": "Pacific/Honolulu",
    "gmt standard time": "Europe/London",
    "greenwich standard time": "Atlantic/Reykjavik",
    "w. europe standard time": "Europe/Berlin",
    "romance standard time": "Europe/Paris",
    "central europe standard time": "Europe/Budapest",
    "central european standard time": "Europe/Warsaw",
    "e. europe standard time": "Europe/Chisinau",
    "fle standard time": "Europe/Kiev",
    "gtb standard time": "Europe/Bucharest",
    "russian standard time": "Europe/Moscow",
    "turkey standard time": "Europe/Istanbul",
    "israel standard time": "Asia/Jerusalem",
    "south africa standard time": "Africa/Johannesburg",
    "arabian standard time": "Asia/Dubai",
    "india standard time": "Asia/Kolkata",
    "singapore standard time": "Asia/Singapore",
    "china standard time": "Asia/Shanghai",
    "tokyo standard time": "Asia/Tokyo",
    "korea standard time": "Asia/Seoul",
    "aus eastern standard time": "Australia/Sydney",
    "e. australia standard time": "Australia/Brisbane",
    "new zealand standard time": "Pacific/Auckland",
    "e. south america standard time": "America/Sao_Paulo",
    "sa pacific standard time": "America/Bogota",
    "argentina standard time": "America/Buenos_Aires",
    "utc": "UTC",
    "coordinated universal time": "UTC",
}


def iana_zone(tzid: str) -> zoneinfo.ZoneInfo | None:
    """The IANA zone a TZID names (IANA, Windows, or an Olson path like "/mozilla.org/.../Europe/Paris")."""
    name = tzid.strip().strip('"')
    candidates = [name, _WINDOWS_ZONES.get(name.lower(), "")]
    m = re.search(r"([A-Z][A-Za-z_]+/[A-Za-z_]+(?:/[A-Za-z_]+)?)$", name)
    if m:
        candidates.append(m.group(1))
    for candidate in candidates:
        if not candidate:
            continue
        try:
            return zoneinfo.ZoneInfo(candidate)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            continue
    return None


_CITY_INDEX: dict[str, str] = {}


def city_zone(display: str) -> zoneinfo.ZoneInfo | None:
    """The IANA zone of the first city named in a display-style TZID such as
    "(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna"; None if no city is known."""
    if not _CITY_INDEX:
        for key in zoneinfo.available_timezones():
            city = key.rsplit("/", 1)[-1].replace("_", " ").lower()
            if "/" in key and not key.startswith(("Etc/", "SystemV/", "US/")):
                _CITY_INDEX.setdefault(city, key)
    tail = display.split(")", 1)[-1]
    for name in re.split(r"[,;/&]| - ", tail)[:12]:
        found = _CITY_INDEX.get(name.strip().lower())
        if found:
            return zoneinfo.ZoneInfo(found)
    return None


def _address(value: object) -> Address | None:
    raw = str(value).strip()
    addr = re.sub(r"^mailto:", "", raw, flags=re.I).strip()
    params = getattr(value, "params", {}) or {}
    name = str(params.get("CN", "")).strip().strip('"')
    if "@" not in addr:
        return Address(name=name, addr="") if name else None
    return Address(name=name, addr=addr.lower())


def _text(component: object, key: str) -> str | None:
    value = component.get(key)  # type: ignore[attr-defined]
    if value is None:
        return None
    if isinstance(value, list):
        value = value[0]
    text = str(value).strip()
    return text or None


def _when(prop: object, defects: list[str]) -> tuple[dt.datetime | None, str | None, bool]:
    """(aware instant, tzid, all-day) for a DTSTART/DTEND property."""
    if prop is None:
        return None, None, False
    value = getattr(prop, "dt", None)
    params = getattr(prop, "params", {}) or {}
    tzid = params.get("TZID")
    if isinstance(value, dt.datetime):
        if tzid:
            zone = iana_zone(str(tzid))
            if zone is not None:
                value = value.replace(tzinfo=zone)
                return value, zone.key, False
            if value.tzinfo is None:
                defects.append(f"unknown TZID {tzid!r}: read as UTC")
                return value.replace(tzinfo=dt.UTC), str(tzid), False
            city = city_zone(str(tzid))  # keep the calendar's own rules unless a city agrees
            if city is not None and value.replace(tzinfo=city).utcoffset() == value.utcoffset():
                return value.replace(tzinfo=city), city.key, False
            return value, str(tzid), False
        if value.tzinfo is None:  # floating time: no zone stated
            return value.replace(tzinfo=dt.UTC), None, False
        key = getattr(value.tzinfo, "key", None)
        return value, key or ("UTC" if value.utcoffset() == dt.timedelta(0) else None), False
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC), None, True
    return None, None, False


def _written_rrules(text: str) -> list[str | None]:
    """The first RRULE of each VEVENT exactly as written (icalendar reorders the parts)."""
    unfolded = re.sub(r"\r?\n[ \t]", "", text)
    out: list[str | None] = []
    for line in unfolded.splitlines():
        upper = line.strip().upper()
        if upper == "BEGIN:VEVENT":
            out.append(None)
        elif upper.startswith("RRULE") and out and out[-1] is None:
            m = re.match(r"(?i)rrule(?:;[^:]*)?:(.*)$", line.strip())
            if m:
                out[-1] = m.group(1).strip()[:1000]
    return out


def _one(event: object, method: str | None, defects: list[str],
         written_rrule: str | None = None) -> CalendarEvent:
    start, tzid, all_day = _when(event.get("DTSTART"), defects)  # type: ignore[attr-defined]
    end, _, _ = _when(event.get("DTEND"), defects)  # type: ignore[attr-defined]
    if end is None and start is not None:
        duration = event.get("DURATION")  # type: ignore[attr-defined]
        delta = getattr(duration, "dt", None)
        if isinstance(delta, dt.timedelta):
            end = start + delta
        elif all_day:
            end = start + dt.timedelta(days=1)
    rrule = event.get("RRULE")  # type: ignore[attr-defined]
    if isinstance(rrule, list):
        rrule = rrule[0] if rrule else None
    rrule_text = written_rrule
    if rrule is not None and rrule_text is None:
        to_ical = getattr(rrule, "to_ical", None)
        rrule_text = (to_ical().decode() if callable(to_ical) else str(rrule))[:1000]
    attendees = event.get("ATTENDEE", [])  # type: ignore[attr-defined]
    if not isinstance(attendees, list):
        attendees = [attendees]
    people = tuple(a for a in (_address(x) for x in attendees[:200]) if a is not None)
    organizer = event.get("ORGANIZER")  # type: ignore[attr-defined]
    try:
        sequence = int(str(event.get("SEQUENCE", 0)))  # type: ignore[attr-defined]
    except ValueError:
        sequence = 0
    status = _text(event, "STATUS")
    return CalendarEvent(
        uid=_text(event, "UID"),
        method=method,
        summary=_text(event, "SUMMARY") or "",
        start=start,
        end=end,
        grain="day" if all_day else "minute",
        tzid=tzid,
        organizer=_address(organizer) if organizer is not None else None,
        attendees=people,
        rrule=rrule_text,
        sequence=sequence,
        status=status.upper() if status else None,
        location=_text(event, "LOCATION"),
        description=_text(event, "DESCRIPTION"),
    )


def read_calendar(data: bytes | str) -> tuple[CalendarEvent, ...]:
    """Every VEVENT (at most MAX_EVENTS) in an iCalendar text; BadMessage if unreadable."""
    import icalendar

    raw = data.encode("utf-8", "replace") if isinstance(data, str) else data
    if len(raw) > MAX_BYTES:
        raise BadMessage(f"calendar too large: {len(raw)} bytes (limit {MAX_BYTES})")
    if raw.upper().count(b"BEGIN:") > MAX_COMPONENTS:
        raise BadMessage(f"calendar has over {MAX_COMPONENTS} components")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    if "BEGIN:VCALENDAR" not in text.upper():
        raise BadMessage("not an iCalendar text (no BEGIN:VCALENDAR)")
    try:
        calendars = icalendar.Calendar.from_ical(text, multiple=True)
    except (ValueError, KeyError, IndexError, TypeError, AttributeError, RecursionError) as exc:
        raise BadMessage(f"malformed iCalendar: {exc}"[:200]) from exc
    if not calendars:
        raise BadMessage("malformed iCalendar: no complete VCALENDAR")
    events: list[CalendarEvent] = []
    defects: list[str] = []
    rrules = _written_rrules(text)
    for cal in calendars:
        method = _text(cal, "METHOD")
        method = method.upper() if method else None
        for component in cal.walk("VEVENT"):
            if len(events) >= MAX_EVENTS:
                return tuple(events)
            try:
                written = rrules[len(events)] if len(events) < len(rrules) else None
                events.append(_one(component, method, defects, written))
            except (ValueError, KeyError, TypeError, AttributeError, OverflowError) as exc:
                raise BadMessage(f"malformed VEVENT: {exc}"[:200]) from exc
    if not events and "BEGIN:VEVENT" in text.upper():
        raise BadMessage("malformed iCalendar: no VEVENT could be read")
    return tuple(events)
