"""people.py: who takes part, and which zone each one is believed to live in."""

from __future__ import annotations

import datetime as dt

from mailflow.model import Address, Headers, Letter, Note, Person
from mailflow.people import date_header_zone, find_participants, signature_zone, stated_zone

OWNER = "me@example.org"
BOT = "mailflow@example.org"


def _note(*, body: str = "", signature: str | None = None, date_off: dt.timedelta | None = None,
          original: Headers | None = None, original_body: str | None = None,
          original_signature: str | None = None) -> Note:
    date = dt.datetime(2025, 3, 3, 9, tzinfo=dt.timezone(date_off)) if date_off is not None else None
    head = Headers(
        from_=(Address(name="Ada Obi", addr="ada@acme.ng"),),
        to=(Address(name="Me", addr=OWNER), Address(name="Bob", addr="Bob@Example.com")),
        cc=(Address(name="", addr=BOT), Address(name="Cy", addr="cy@example.net")),
        date=date,
    )
    letter = Letter(headers=head, header_fields=(), text=body, html=None, calendars=(), attached=(),
                    defects=(), size=len(body))
    return Note(letter=letter, body=body, signature=signature, original=original,
                original_body=original_body, original_signature=original_signature, quoted=None)


PEOPLE = (Person(name="Bob Brown", addrs=("bob@example.com",), zone="America/Chicago", locale="en_US",
                 country="US", work_start=dt.time(8), work_end=dt.time(16)),)


def _by_addr(note: Note) -> dict[str, object]:
    return {p.addr: p for p in find_participants(note, people=PEOPLE, self_addrs=(OWNER, BOT), default_zone="UTC")}


def test_owner_and_bot_excluded_config_person_copied() -> None:
    got = _by_addr(_note(body="hello"))
    assert set(got) == {"ada@acme.ng", "bob@example.com", "cy@example.net"}
    bob = got["bob@example.com"]
    assert bob.zone == "America/Chicago" and bob.zone_source == "config"  # type: ignore[attr-defined]
    assert bob.name == "Bob Brown" and bob.locale == "en_US" and bob.country == "US"  # type: ignore[attr-defined]
    assert bob.work_start == dt.time(8) and bob.work_end == dt.time(16)  # type: ignore[attr-defined]
    assert got["cy@example.net"].zone is None  # type: ignore[attr-defined]


def test_stated_zone_beats_signature_and_date() -> None:
    note = _note(body="I'm in Lagos this week, 3pm my time?", signature="Ada | Berlin",
                 date_off=dt.timedelta(hours=5, minutes=30))
    ada = _by_addr(note)["ada@acme.ng"]
    assert (ada.zone, ada.zone_source) == ("Africa/Lagos", "stated")  # type: ignore[attr-defined]


def test_signature_city() -> None:
    ada = _by_addr(_note(body="see you", signature="Ada Obi\nAcme Ltd | Nairobi, Kenya\n+254 700 000"))["ada@acme.ng"]
    assert (ada.zone, ada.zone_source) == ("Africa/Nairobi", "signature")  # type: ignore[attr-defined]


def test_date_header_hint() -> None:
    ada = _by_addr(_note(body="ok", date_off=dt.timedelta(hours=5, minutes=45)))["ada@acme.ng"]
    assert (ada.zone, ada.zone_source) == ("Asia/Kathmandu", "date-header")  # type: ignore[attr-defined]
    ada = _by_addr(_note(body="ok", date_off=dt.timedelta(hours=1)))["ada@acme.ng"]
    assert (ada.zone, ada.zone_source) == ("+01:00", "date-header")  # type: ignore[attr-defined]


def test_forwarded_original_author_and_recipients() -> None:
    original = Headers(from_=(Address(name="Dee", addr="dee@example.in"),),
                       to=(Address(name="Ed", addr="ed@example.ie"),),
                       date=dt.datetime(2025, 3, 3, 9, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=30))))
    got = _by_addr(_note(body="fyi", original=original, original_body="Works for me.",
                         original_signature="Dee\nMumbai"))
    assert got["dee@example.in"].zone == "Asia/Kolkata"  # type: ignore[attr-defined]
    assert got["dee@example.in"].zone_source == "signature"  # type: ignore[attr-defined]
    assert "ed@example.ie" in got and got["ed@example.ie"].zone is None  # type: ignore[attr-defined]


def test_helpers() -> None:
    assert stated_zone("my time (CET)") == "Europe/Paris"
    assert stated_zone("We're based in New York") == "America/New_York"
    assert stated_zone("I'm in a meeting") is None
    assert stated_zone("I'm on CET this month") == "Europe/Paris"
    assert stated_zone("We're on Pacific time") == "America/Los_Angeles"
    assert stated_zone("I'm on leave") is None
    assert signature_zone("Call me maybe") is None
    assert signature_zone("Jo | Sydney") == "Australia/Sydney"
    assert date_header_zone(None) is None
    assert date_header_zone(dt.datetime(2025, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=-3, minutes=-30)))) == "America/St_Johns"
