"""Fuzzing the understanding pipeline: read_letter -> read_note -> understand (+ policy).

Generated inputs: random bytes, header soup, random MIME trees (charsets, transfer encodings,
broken boundaries, nested messages, calendars, HTML) and random text studded with time phrases,
quote markers and forward blocks. The properties: the only exception is BadMessage; each example
finishes in bounded time; nothing that could break a header line comes out; the policy stage
accepts whatever the parser produced and never picks a recipient outside the participants.
"""

from __future__ import annotations

import base64
import datetime as dt
import quopri
import string
import sys
import time
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent))

from test_hostile import hard_stop, letter_problems  # noqa: E402

from mailflow import policy  # noqa: E402
from mailflow.config import Limits  # noqa: E402
from mailflow.errors import BadMessage  # noqa: E402
from mailflow.letters import read_letter  # noqa: E402
from mailflow.meetings import understand  # noqa: E402
from mailflow.model import Letter, Meeting, Person  # noqa: E402
from mailflow.notes import read_note  # noqa: E402

NOW = dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.UTC)
PEOPLE = (
    Person(name="Alice Example", addrs=("alice@example.com",), zone="Europe/London"),
    Person(name="Bob Partner", addrs=("bob@partner.example",), zone="America/New_York"),
)
AUTHORISED = ("alice@example.com", "@partner.example")
SELF_ADDRS = ("mailflow@example.org",)
SECONDS = 5.0  # per generated example; they are small, so this is very generous
FUZZ = settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def pipeline(
    data: bytes,
    *,
    now: dt.datetime = NOW,
    zone: str = "Europe/London",
    auth_serv_id: str | None = "mx.example.org",
) -> Meeting | None:
    """Run the whole understanding pipeline and policy on data; check the invariants."""
    t0 = time.perf_counter()
    with hard_stop(30):
        try:
            letter = read_letter(data, limits=Limits())
        except BadMessage:
            event("BadMessage")
            return None
        assert isinstance(letter, Letter)
        note = read_note(letter)
        meeting = understand(
            note, now=now, people=PEOPLE, self_addrs=SELF_ADDRS, default_zone=zone,
            date_order="DMY",
        )
        verdict = policy.screen(
            letter, authorised=AUTHORISED, self_addrs=SELF_ADDRS, auth_serv_id=auth_serv_id,
            thread_count=0, max_thread_messages=10,
        )
        chosen, dropped = policy.recipients(
            meeting, authorised=AUTHORISED, self_addrs=SELF_ADDRS, max_recipients=5,
            sent_today=0, max_per_day=200,
        )
    elapsed = time.perf_counter() - t0
    event(f"kind={meeting.kind}")
    event("times found" if meeting.times else "no times")
    event(f"screen: {verdict.rule or 'ok'}")
    assert elapsed < SECONDS, f"took {elapsed:.2f} s"
    assert isinstance(meeting, Meeting)
    assert verdict.ok == (verdict.rule is None)
    assert letter_problems(letter) == []
    parties = {p.addr.lower() for p in meeting.participants}
    assert len(chosen) <= 5
    for a in chosen:
        assert a.addr in parties and a.addr not in SELF_ADDRS and policy.valid_address(a.addr)
    assert len(chosen) + len(dropped) == len(parties)
    for t in meeting.times:
        assert t.start.tzinfo is not None, t
    return meeting


# --- strategies ---------------------------------------------------------------------------------

PHRASES = (
    "at 3pm", "tomorrow at 10:30", "next Tuesday 9am PT", "on 31/02/2027", "at 25:00", "noon",
    "2027-03-28 01:30 Europe/London", "2027-10-31 01:30 Europe/London", "in 2 weeks",
    "Friday 14:00 CET", "3/4 at 2", "10am-11am EST", "midnight UTC", "the 5th", "Q3",
    "every Monday at 9", "1 April 2027 at 16:00 BST", "half past four", "20:00 IST", "0:00",
    "12am", "9.30", "Wed 2027-03-10T15:00:00+05:30", "2 Jan", "week 12", "end of day", "by Friday",
    "Action: Bob to send the deck by 5 March", "Agreed: ship v2 first", "AI: Alice - budget",
    "Next meeting: Monday 8 March 10:00 GMT", "Decision: we go with option B",
    "How about Thursday at 4pm your time?", "Confirmed for Tue 9 Mar 15:00 (London)",
    "Sorry, we need to cancel Friday's call", "10:00 UTC+05:45", "at 99:99", "in 10000000 years",
    "30 Feb", "29 Feb 2027", "Mar 14 at 2:30 AM America/New_York", "sometime next week",
    "On Mon, 1 Mar 2027 at 10:00, Bob <bob@partner.example> wrote:", "> quoted line at 9am",
    "-- ", "---------- Forwarded message ---------", "From: Bob <bob@partner.example>",
    "Sent: Monday, March 1, 2027 9:00 AM", "Subject: catch-up", "To: alice@example.com",
    "-----Original Message-----", "Begin forwarded message:", "{{ config }}", "<script>x</script>",
)
_WORDS = st.text(
    alphabet=st.characters(exclude_categories=["Cs"], max_codepoint=0x2FFF), max_size=25
)
TEXT = st.lists(st.one_of(st.sampled_from(PHRASES), _WORDS), max_size=14).flatmap(
    lambda parts: st.sampled_from([" ", "\n", "\n\n", ". "]).map(lambda sep: sep.join(parts))
)

NAMES = st.sampled_from(
    ["From", "To", "Cc", "Reply-To", "Subject", "Date", "Message-ID", "In-Reply-To", "References",
     "Auto-Submitted", "Precedence", "List-Id", "Return-Path", "Authentication-Results",
     "Content-Type", "Content-Transfer-Encoding", "MIME-Version", "Sender", "X-Mailflow-Key",
     "X-Autoreply", "Bcc", "Thread-Index"]
)
ADDRESS = st.one_of(
    st.sampled_from(
        ["alice@example.com", "Alice <alice@example.com>", "bob@partner.example",
         '"Doe, John" <j@x.example>', "undisclosed-recipients:;", '"a@b.example"@evil.example',
         "<@route.example:c@d.example>", "mailflow@example.org", "MAILER-DAEMON", "<>", "",
         "a@b.example,c@d.example", "x (comment) <y@z.example>", '"unterminated <q@r.example>']
    ),
    st.builds(lambda u, d: f"{u}@{d}", st.text(string.ascii_letters + ".+-'\"", min_size=1, max_size=8),
              st.text(string.ascii_lowercase + ".-", min_size=1, max_size=10)),
)
CHARSETS = ("utf-8", "us-ascii", "iso-8859-1", "windows-1252", "shift_jis", "utf-16", "x-bogus",
            "koi8-r", "utf-7", "")


@st.composite
def encoded_word(draw: st.DrawFn) -> str:
    text = draw(_WORDS)
    charset = draw(st.sampled_from(CHARSETS))
    try:
        raw = text.encode(charset or "utf-8")
    except (LookupError, UnicodeError):
        raw = text.encode("utf-8", "replace")
    if draw(st.booleans()):
        return f"=?{charset}?b?{base64.b64encode(raw).decode()}?="
    return f"=?{charset}?q?{quopri.encodestring(raw, header=True).decode()}?="


HEADER_VALUE = st.one_of(
    ADDRESS,
    st.lists(ADDRESS, max_size=4).map(", ".join),
    encoded_word(),
    _WORDS,
    TEXT,
    st.sampled_from(
        ["Mon, 01 Mar 2027 10:00:00 +0000", "Tue, 30 Feb 2027 10:00:00 +0100", "1 Jan 99999",
         "Mon, 01 Mar 2027 25:61:61 -9999", "auto-replied", "bulk", "<a@b> <c@d>",
         "mx.example.org; dmarc=pass header.from=example.com", "multipart/report", "text/plain",
         'multipart/mixed; boundary="x"', "base64", "<DB9PR02MB7290@eurprd02.prod.outlook.com>"]
    ),
)


@st.composite
def header_block(draw: st.DrawFn) -> bytes:
    fields = draw(st.lists(st.tuples(NAMES, HEADER_VALUE), max_size=10))
    out = []
    for name, value in fields:
        value = value.replace("\r", " ").replace("\n", " ")
        if draw(st.integers(0, 5)) == 0:
            value = value.replace(" ", "\r\n ", 1)  # fold
        enc = draw(st.sampled_from(["utf-8", "latin-1"]))
        out.append(f"{name}: {value}".encode(enc, "replace"))
    return b"\r\n".join(out)


def _calendar(start: str, rrule: str) -> str:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:f@example.com\r\n"
        f"DTSTART;TZID=Europe/London:{start}\r\nRRULE:{rrule}\r\nSUMMARY:x\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )


@st.composite
def leaf(draw: st.DrawFn) -> tuple[str, bytes]:
    ctype = draw(st.sampled_from(["text/plain", "text/plain", "text/html", "text/calendar",
                                  "application/octet-stream", "message/delivery-status",
                                  "text/enriched", "application/ics"]))
    charset = draw(st.sampled_from(CHARSETS))
    cte = draw(st.sampled_from(["7bit", "8bit", "base64", "quoted-printable", "binary", "x-junk", ""]))
    text = draw(TEXT)
    if ctype == "text/html":
        tag = draw(st.sampled_from(["p", "div", "b", "blockquote", "li", "script", "table"]))
        depth = draw(st.integers(0, 40))
        text = f"<{tag}>" * depth + text.replace("\n", "<br>") + f"</{tag}>" * draw(st.integers(0, depth))
    elif ctype in ("text/calendar", "application/ics"):
        text = _calendar(
            draw(st.sampled_from(["20270302T100000", "20270330T013000", "99991399T999999", ""])),
            draw(st.sampled_from(["FREQ=WEEKLY;BYDAY=TU", "FREQ=SECONDLY", "FREQ=DAILY;COUNT=-5",
                                  "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "garbage"])),
        )
    try:
        raw = text.encode(charset or "utf-8")
    except (LookupError, UnicodeError):
        raw = text.encode("utf-8", "surrogateescape")
    if draw(st.integers(0, 6)) == 0:
        raw += draw(st.binary(max_size=40))
    if cte == "base64":
        raw = base64.encodebytes(raw)
        if draw(st.booleans()):
            cut = draw(st.integers(0, len(raw)))
            raw = raw[:cut] + draw(st.sampled_from([b"!!", b"=", b"\x00", b"====", b""])) + raw[cut:]
    elif cte == "quoted-printable":
        raw = quopri.encodestring(raw)
    params = f"; charset={charset}" if charset else ""
    head = f"Content-Type: {ctype}{params}"
    if cte:
        head += f"\r\nContent-Transfer-Encoding: {cte}"
    return head, raw


BOUNDARY = st.text(string.ascii_letters + string.digits + "'()+_,-./:=?", min_size=1, max_size=12)


@st.composite
def multipart(draw: st.DrawFn, children: st.SearchStrategy[tuple[str, bytes]]) -> tuple[str, bytes]:
    kind = draw(st.sampled_from(["mixed", "alternative", "related", "report", "digest", "rfc822"]))
    parts = draw(st.lists(children, max_size=4))
    if kind == "rfc822":  # a whole message as a part (forward as attachment)
        inner_head = draw(header_block())
        head, body = parts[0] if parts else ("Content-Type: text/plain", b"")
        return "Content-Type: message/rfc822", inner_head + b"\r\n" + head.encode() + b"\r\n\r\n" + body
    boundary = draw(BOUNDARY)
    out = b"preamble\r\n"
    for head, body in parts:
        if draw(st.integers(0, 9)) > 0:  # sometimes a separator goes missing
            out += b"--" + boundary.encode() + b"\r\n"
        out += head.encode() + b"\r\n\r\n" + body + b"\r\n"
    if draw(st.integers(0, 4)) > 0:  # sometimes never closed
        out += b"--" + boundary.encode() + b"--\r\n"
    if draw(st.integers(0, 9)) == 0:
        out = out[: draw(st.integers(0, len(out)))]  # truncated
    quoted = draw(st.booleans())
    b = f'"{boundary}"' if quoted else boundary
    return f"Content-Type: multipart/{kind}; boundary={b}", out


MIME_TREE = st.recursive(leaf(), lambda children: multipart(children), max_leaves=8)


@st.composite
def message(draw: st.DrawFn) -> bytes:
    head, body = draw(MIME_TREE)
    extra = draw(header_block())
    std = b"From: Alice <alice@example.com>\r\nTo: Bob <bob@partner.example>\r\n" if draw(
        st.booleans()
    ) else b""
    return std + extra + b"\r\nMIME-Version: 1.0\r\n" + head.encode() + b"\r\n\r\n" + body


# --- the properties -----------------------------------------------------------------------------


@given(st.binary(max_size=3000))
@settings(FUZZ, max_examples=150)
def test_random_bytes(data: bytes) -> None:
    pipeline(data)


@given(header_block(), st.binary(max_size=1500))
@settings(FUZZ, max_examples=150)
def test_header_soup(head: bytes, body: bytes) -> None:
    pipeline(head + b"\r\n\r\n" + body)


@given(message())
@settings(FUZZ, max_examples=200)
def test_generated_mime(data: bytes) -> None:
    pipeline(data)


SENDERS = st.sampled_from(
    ["Alice <alice@example.com>", "Bob <bob@partner.example>", "Carol <carol@unknown.example>",
     "Dev <dev@elsewhere.example>"]
)
DATES = st.sampled_from(
    ["Mon, 01 Mar 2027 10:00:00 +0000", "Mon, 01 Mar 2027 10:00:00 -0500",
     "Sun, 28 Mar 2027 01:30:00 +0530", "Sat, 30 Oct 2027 23:59:59 +1345", "Mon, 01 Mar 2027 10:00:00 GMT",
     "Mon, 01 Mar 2027 10:00:00 -0000", "Mon, 01 Mar 2027 10:00:00 EST", "not a date", ""]
)


@given(
    TEXT,
    TEXT,
    SENDERS,
    SENDERS,
    DATES,
    st.sampled_from(["Europe/London", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe",
                     "Pacific/Chatham", "UTC"]),
    st.datetimes(
        min_value=dt.datetime(1971, 1, 1),  # noqa: DTZ001 - hypothesis wants naive bounds
        max_value=dt.datetime(2090, 12, 31),  # noqa: DTZ001
        timezones=st.just(dt.UTC),
    ),
)
@settings(FUZZ, max_examples=200)
def test_text_with_time_phrases(
    subject: str, body: str, sender: str, to: str, date: str, zone: str, now: dt.datetime
) -> None:
    subject = " ".join(subject.split())[:200]
    data = (
        f"From: {sender}\r\nTo: {to}\r\n"
        f"Subject: {subject}\r\nDate: {date}\r\n"
        f"Content-Type: text/plain; charset=utf-8\r\n\r\n{body}"
    ).encode("utf-8", "surrogateescape")
    meeting = pipeline(data, now=now, zone=zone, auth_serv_id=None)
    assert meeting is not None  # a plain, well-formed message is never refused by the parser
