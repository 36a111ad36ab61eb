"""calendars.read_calendar: invites, cancellations, zones, bounds."""

from __future__ import annotations

import datetime as dt
import time
import zoneinfo

import pytest

from mailflow.calendars import MAX_EVENTS, iana_zone, read_calendar
from mailflow.errors import BadMessage


def cal(*events: str, method: str = "REQUEST", extra: str = "") -> str:
    body = "".join(f"BEGIN:VEVENT\r\n{e}END:VEVENT\r\n" for e in events)
    return (f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//mailflow tests//EN\r\nMETHOD:{method}\r\n"
            f"{extra}{body}END:VCALENDAR\r\n")


INVITE = (
    "UID:weekly-sync@example.com\r\nSEQUENCE:2\r\nSTATUS:CONFIRMED\r\n"
    "DTSTART;TZID=Pacific Standard Time:20260310T090000\r\n"
    "DTEND;TZID=Pacific Standard Time:20260310T093000\r\n"
    "RRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=10\r\n"
    "SUMMARY:Weekly sync\r\nLOCATION:Room 4\r\nDESCRIPTION:Agenda: budget\\, hiring\r\n"
    "ORGANIZER;CN=\"Archer, Alice\":mailto:Alice@Example.com\r\n"
    "ATTENDEE;CN=Bob;ROLE=REQ-PARTICIPANT:MAILTO:bob@example.net\r\n"
    "ATTENDEE;CN=Room 4:mailto:room4@example.com\r\n"
)


def test_invite_with_windows_zone() -> None:
    (event,) = read_calendar(cal(INVITE).encode())
    assert event.method == "REQUEST"
    assert event.uid == "weekly-sync@example.com"
    assert event.summary == "Weekly sync"
    assert event.tzid == "America/Los_Angeles"
    la = zoneinfo.ZoneInfo("America/Los_Angeles")
    # 10 March 2026 is after the US switch to daylight time (8 March): UTC-7
    assert event.start == dt.datetime(2026, 3, 10, 9, 0, tzinfo=la)
    assert event.start is not None and event.start.utcoffset() == dt.timedelta(hours=-7)
    assert event.end is not None and event.end - event.start == dt.timedelta(minutes=30)
    assert event.grain == "minute"
    assert event.rrule == "FREQ=WEEKLY;BYDAY=TU;COUNT=10"
    assert event.sequence == 2 and event.status == "CONFIRMED"
    assert event.location == "Room 4" and event.description == "Agenda: budget, hiring"
    assert event.organizer is not None and event.organizer.addr == "alice@example.com"
    assert event.organizer.name == "Archer, Alice"
    assert [a.addr for a in event.attendees] == ["bob@example.net", "room4@example.com"]


def test_cancellation() -> None:
    (event,) = read_calendar(cal(
        "UID:weekly-sync@example.com\r\nSEQUENCE:3\r\nSTATUS:CANCELLED\r\n"
        "DTSTART:20260310T170000Z\r\nSUMMARY:Cancelled: Weekly sync\r\n", method="CANCEL"))
    assert event.method == "CANCEL" and event.status == "CANCELLED" and event.sequence == 3
    assert event.start == dt.datetime(2026, 3, 10, 17, 0, tzinfo=dt.UTC)
    assert event.tzid == "UTC"


def test_all_day_event_has_day_grain() -> None:
    (event,) = read_calendar(cal("UID:a\r\nDTSTART;VALUE=DATE:20260401\r\nSUMMARY:Offsite\r\n"))
    assert event.grain == "day"
    assert event.start == dt.datetime(2026, 4, 1, tzinfo=dt.UTC)
    assert event.end == dt.datetime(2026, 4, 2, tzinfo=dt.UTC)


def test_duration_instead_of_dtend() -> None:
    (event,) = read_calendar(cal(
        "UID:b\r\nDTSTART;TZID=Europe/London:20261025T010000\r\nDURATION:PT45M\r\n"))
    assert event.tzid == "Europe/London"
    assert event.end is not None and event.start is not None
    assert event.end - event.start == dt.timedelta(minutes=45)


def test_custom_vtimezone_falls_back_to_its_own_rules() -> None:
    vtz = ("BEGIN:VTIMEZONE\r\nTZID:Company Standard\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n"
           "TZOFFSETFROM:+0530\r\nTZOFFSETTO:+0530\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n")
    (event,) = read_calendar(cal("UID:c\r\nDTSTART;TZID=Company Standard:20260310T100000\r\n", extra=vtz))
    assert event.tzid == "Company Standard"
    assert event.start is not None and event.start.utcoffset() == dt.timedelta(hours=5, minutes=30)


@pytest.mark.parametrize("tzid,key", [
    ("Europe/Paris", "Europe/Paris"),
    ("/mozilla.org/20050126_1/Europe/Paris", "Europe/Paris"),
    ("Romance Standard Time", "Europe/Paris"),
    ("India Standard Time", "Asia/Kolkata"),
    ("Eastern Standard Time", "America/New_York"),
])
def test_tzid_names(tzid: str, key: str) -> None:
    zone = iana_zone(tzid)
    assert zone is not None and zone.key == key


def test_unknown_tzid_is_none() -> None:
    assert iana_zone("Mars Standard Time") is None


def test_huge_rrule_is_not_expanded_and_events_are_capped() -> None:
    many = [f"UID:e{i}\r\nDTSTART:20260310T090000Z\r\nRRULE:FREQ=SECONDLY;COUNT=100000000\r\n"
            for i in range(MAX_EVENTS + 30)]
    start = time.perf_counter()
    events = read_calendar(cal(*many))
    assert time.perf_counter() - start < 2.0
    assert len(events) == MAX_EVENTS
    assert events[0].rrule == "FREQ=SECONDLY;COUNT=100000000"


@pytest.mark.parametrize("data", [
    b"",
    b"hello world",
    b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:notadate\r\n",
    b"BEGIN:VCALENDAR\r\n" + b"BEGIN:X\r\n" * 5000,
    b"BEGIN:VCALENDAR\r\n" + b"X" * (3 * 1024 * 1024),
])
def test_malformed_is_bad_message(data: bytes) -> None:
    with pytest.raises(BadMessage):
        read_calendar(data)


def test_text_input_and_floating_time() -> None:
    (event,) = read_calendar(cal("UID:f\r\nDTSTART:20260310T090000\r\n"))
    assert event.start == dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)
    assert event.tzid is None


OUTLOOK_VTZ = (
    "BEGIN:VTIMEZONE\r\nTZID:(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna\r\n"
    "BEGIN:STANDARD\r\nDTSTART:16010101T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\n"
    "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10\r\nEND:STANDARD\r\n"
    "BEGIN:DAYLIGHT\r\nDTSTART:16010101T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\n"
    "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n"
)


def test_outlook_display_name_tzid_maps_to_a_city_zone() -> None:
    tzid = '"(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna"'
    (event,) = read_calendar(cal(f"UID:o\r\nDTSTART;TZID={tzid}:20260401T100000\r\n", extra=OUTLOOK_VTZ))
    assert event.tzid == "Europe/Amsterdam"
    assert event.start == dt.datetime(2026, 4, 1, 10, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Amsterdam"))
    assert event.start is not None and event.start.utcoffset() == dt.timedelta(hours=2)
