"""Meeting + slot -> an iCalendar (RFC 5545/5546 iTIP) invitation or cancellation, as bytes.

Rules: pure (``now`` is an argument and becomes DTSTAMP). The UID is the meeting's stable
``meeting_uid`` so clients update the same event; SEQUENCE is the caller's (higher supersedes).
DTSTART/DTEND carry the TZID of ``zone`` (the organiser's zone, or the zone a recurrence is kept
in) with a matching VTIMEZONE, so a weekly meeting keeps its wall time across DST.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence
from typing import Literal

import icalendar

from .model import Address, Meeting
from .zones import tzinfo_for

PRODID = "-//mailflow//mailflow 0.1//EN"
Method = Literal["REQUEST", "CANCEL"]


def _mailto(a: Address) -> str:
    return f"mailto:{a.addr}"


def _params(a: Address, **extra: str) -> dict[str, str]:
    params = dict(extra)
    name = " ".join(a.name.split())
    if name:
        params["CN"] = name
    return params


def invite(
    meeting: Meeting,
    *,
    start: dt.datetime | None,
    end: dt.datetime | None,
    method: Method,
    sequence: int,
    organizer: Address,
    attendees: Sequence[Address],
    summary: str,
    description: str,
    now: dt.datetime,
    zone: str | None = None,
) -> bytes:
    """One VCALENDAR with one VEVENT. ``start``/``end`` are aware instants; they are written in
    ``zone`` (an IANA name; default: the zone ``start`` carries). ``start`` may be None only for
    a CANCEL of a meeting whose time is unknown."""
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"unsupported iTIP method {method!r}")
    if now.tzinfo is None or (start is not None and start.tzinfo is None):
        raise ValueError("start and now must be aware datetimes")
    if start is None and method == "REQUEST":
        raise ValueError("a REQUEST needs a start")
    tz = tzinfo_for(zone) if zone else None
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    ev = icalendar.Event()
    ev.add("uid", meeting.meeting_uid)
    ev.add("dtstamp", now.astimezone(dt.UTC).replace(microsecond=0))
    ev.add("sequence", max(0, int(sequence)))
    if start is not None:
        local_start = start.astimezone(tz) if tz is not None else start
        if not isinstance(local_start.tzinfo, zoneinfo.ZoneInfo):  # a bare offset: write UTC
            local_start = local_start.astimezone(dt.UTC)
        ev.add("dtstart", local_start.replace(microsecond=0))
        if end is not None and end > start:
            ev.add("dtend", end.astimezone(local_start.tzinfo).replace(microsecond=0))
    ev.add("summary", summary)
    if description:
        ev.add("description", description)
    ev.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    ev.add("transp", "OPAQUE")
    ev.add("organizer", _mailto(organizer), parameters=_params(organizer))
    for a in attendees:
        ev.add(
            "attendee",
            _mailto(a),
            parameters=_params(
                a, ROLE="REQ-PARTICIPANT", PARTSTAT="NEEDS-ACTION", RSVP="TRUE", CUTYPE="INDIVIDUAL"
            ),
        )
    slot = meeting.slot
    if slot is not None and slot.rrule and start is not None:
        ev.add("rrule", icalendar.vRecur.from_ical(slot.rrule.removeprefix("RRULE:")))
    if meeting.link:
        ev.add("location", meeting.link)
        if meeting.link.lower().startswith(("http://", "https://")):
            ev.add("url", meeting.link)
    cal.add_component(ev)
    if start is not None:
        first = start.date() - dt.timedelta(days=366)
        years = 30 if slot is not None and slot.rrule else 2
        last = start.date() + dt.timedelta(days=366 * years)
        cal.add_missing_timezones(first_date=first, last_date=last)
    data: bytes = cal.to_ical()
    return data
