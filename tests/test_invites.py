"""invites.invite(): parse the .ics back with icalendar; the start is the agreed instant."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest
from dateutil.rrule import rrulestr
from test_plans import ALICE, BOB, NOW, SENDER_ADDR, SLOT_START, make_meeting

from mailflow import zones
from mailflow.invites import invite

END = SLOT_START + dt.timedelta(minutes=45)


def _make(method: str = "REQUEST", **kw: object) -> bytes:
    meeting = kw.pop("meeting", make_meeting("confirmation"))
    args = dict(
        start=SLOT_START, end=END, method=method, sequence=3_000_000, organizer=SENDER_ADDR,
        attendees=(ALICE, BOB), summary="Q1 planning; review, <b>", description="line one\nline two",
        now=NOW, zone="Europe/London",
    )
    args.update(kw)
    return invite(meeting, **args)  # type: ignore[arg-type]


def _event(data: bytes) -> tuple[icalendar.Calendar, icalendar.Event]:
    cal = icalendar.Calendar.from_ical(data)
    (ev,) = cal.walk("VEVENT")
    return cal, ev


def _start_via_vtimezone(cal: icalendar.Calendar, ev: icalendar.Event) -> dt.datetime:
    """DTSTART read with the VTIMEZONE the file carries, not the reader's tz database."""
    prop = ev["DTSTART"]
    tzid = prop.params["TZID"]
    (vtz,) = [t for t in cal.walk("VTIMEZONE") if str(t["TZID"]) == tzid]
    naive = prop.dt.replace(tzinfo=None)
    return naive.replace(tzinfo=vtz.to_tz())


def test_request_parses_back_with_the_agreed_instant() -> None:
    cal, ev = _event(_make())
    assert str(cal["METHOD"]) == "REQUEST"
    assert str(ev["UID"]) == "3f2a9c@mailflow.example"
    assert int(ev["SEQUENCE"]) == 3_000_000
    assert ev["DTSTAMP"].dt == NOW
    assert ev["DTSTART"].params["TZID"] == "Europe/London"
    assert ev["DTSTART"].dt == SLOT_START and ev["DTEND"].dt == END
    assert _start_via_vtimezone(cal, ev) == SLOT_START
    assert str(ev["STATUS"]) == "CONFIRMED"
    assert str(ev["SUMMARY"]) == "Q1 planning; review, <b>"
    assert str(ev["DESCRIPTION"]) == "line one\nline two"
    assert str(ev["ORGANIZER"]) == "mailto:mailflow@mailflow.example"
    assert [str(a) for a in ev.get("ATTENDEE")] == ["mailto:alice@example.co.uk", "mailto:bob@example.com"]
    assert ev.get("ATTENDEE")[0].params["CN"] == "Alice Smith"
    assert str(ev["LOCATION"]) == "https://zoom.us/j/123456?pwd=abc_def" == str(ev["URL"])
    assert "RRULE" not in ev


@pytest.mark.parametrize("zone", ["Europe/London", "America/New_York", "Asia/Tokyo"])
def test_dst_mismatch_week_start_is_the_same_instant_in_any_organiser_zone(zone: str) -> None:
    # 10 March 2026: New York is on EDT (UTC-4), London still on GMT: 15:00 London = 11:00 NY
    cal, ev = _event(_make(zone=zone))
    assert ev["DTSTART"].params["TZID"] == zone
    assert ev["DTSTART"].dt == SLOT_START
    assert _start_via_vtimezone(cal, ev) == SLOT_START
    assert _start_via_vtimezone(cal, ev).astimezone(dt.UTC) == dt.datetime(2026, 3, 10, 15, 0, tzinfo=dt.UTC)
    local = ev["DTSTART"].dt.replace(tzinfo=None)
    expected = {"Europe/London": 15, "America/New_York": 11, "Asia/Tokyo": 0}[zone]
    assert local.hour == expected


def test_cancel_keeps_uid_and_says_cancelled() -> None:
    cal, ev = _event(_make("CANCEL", sequence=3_000_001))
    assert str(cal["METHOD"]) == "CANCEL"
    assert str(ev["STATUS"]) == "CANCELLED"
    assert str(ev["UID"]) == "3f2a9c@mailflow.example" and int(ev["SEQUENCE"]) == 3_000_001
    cal, ev = _event(_make("CANCEL", start=None, end=None))
    assert "DTSTART" not in ev and not cal.walk("VTIMEZONE")


def test_request_needs_a_start_and_aware_times() -> None:
    with pytest.raises(ValueError):
        _make(start=None)
    with pytest.raises(ValueError):
        _make(start=SLOT_START.replace(tzinfo=None))
    with pytest.raises(ValueError):
        _make(method="PUBLISH")


def test_recurring_meeting_keeps_its_wall_time_across_dst() -> None:
    meeting = make_meeting("confirmation", rrule="FREQ=WEEKLY;BYDAY=TU;COUNT=6")
    cal, ev = _event(_make(meeting=meeting))
    rule = ev["RRULE"].to_ical().decode()
    start = _start_via_vtimezone(cal, ev)
    walls = list(rrulestr(rule, dtstart=start.replace(tzinfo=None)))
    tz = ev["DTSTART"].dt.tzinfo
    got = [w.replace(tzinfo=tz) for w in walls]
    expected = zones.occurrences("FREQ=WEEKLY;BYDAY=TU;COUNT=6", SLOT_START, "Europe/London", count=6)
    assert got == list(expected)
    # London moves to BST on 29 March: 15:00 London stays 15:00, so UTC moves by an hour
    assert [g.astimezone(dt.UTC).hour for g in got] == [15, 15, 15, 14, 14, 14]


def test_fixed_offset_zone_is_written_in_utc() -> None:
    cal, ev = _event(_make(zone="+05:30"))
    assert ev["DTSTART"].dt == SLOT_START
    assert ev["DTSTART"].dt.utcoffset() == dt.timedelta(0)


def test_same_input_same_bytes() -> None:
    assert _make() == _make()
    assert _make(zone="Asia/Tokyo") != _make()
