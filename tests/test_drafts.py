"""drafts.render(): MIME structure, headers, escaping, determinism, times that re-parse."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import html
import re
import zoneinfo
from dataclasses import replace
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import icalendar
import jinja2
import markdown
import pytest
from dateutil import parser as dateparser
from hypothesis import given, settings
from hypothesis import strategies as st
from test_plans import (
    ALICE,
    BOB,
    NOW,
    PARTIES,
    SENDER,
    SENDER_ADDR,
    SLOT_START,
    make_meeting,
    run_plan,
)

from mailflow import drafts, plans
from mailflow.errors import OurFault
from mailflow.model import (
    ActionItem,
    Address,
    Agreement,
    CalendarEvent,
    Draft,
    Meeting,
    Minutes,
    Plan,
)

ENV = drafts.make_environment(None)
EVIL = "<script>alert(1)</script> {{ 7*7 }} {% if 1 %}x{% endif %} **bold** [click](http://evil.example/) &amp;"


def _render(plan: Plan, meeting: Meeting, now: dt.datetime = NOW) -> Draft:
    return drafts.render(plan, meeting, env=ENV, sender=SENDER_ADDR, now=now)


def _one(meeting: Meeting, kind: str, **kw: object) -> tuple[Plan, Draft]:
    plan = next(p for p in run_plan(meeting, **kw) if p.kind == kind)
    return plan, _render(plan, meeting)


def _parse(draft: Draft) -> EmailMessage:
    msg = email.message_from_bytes(draft.data, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def _parts(msg: EmailMessage) -> tuple[str, str]:
    text = msg.get_body(preferencelist=("plain",))
    html = msg.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    return text.get_content().replace("\r\n", "\n"), html.get_content().replace("\r\n", "\n")


# --- structure and headers ---------------------------------------------------------------------


def test_confirmation_is_text_html_calendar_alternative_plus_ics_attachment() -> None:
    plan, draft = _one(make_meeting("confirmation"), "confirmation")
    msg = _parse(draft)
    assert msg.get_content_type() == "multipart/mixed"
    alt, attachment = msg.iter_parts()
    assert [p.get_content_type() for p in alt.iter_parts()] == ["text/plain", "text/html", "text/calendar"]
    calendar = list(alt.iter_parts())[2]
    assert calendar.get_param("method") == "REQUEST"
    assert attachment.get_content_type() == "application/ics"
    assert attachment.get_filename() == "invite.ics"
    ics = attachment.get_content()
    assert ics == calendar.get_content().encode()
    (ev,) = icalendar.Calendar.from_ical(ics).walk("VEVENT")
    assert ev["DTSTART"].dt == SLOT_START
    assert [str(a) for a in ev.get("ATTENDEE")] == [f"mailto:{a.addr}" for a in PARTIES]


def test_headers() -> None:
    plan, draft = _one(make_meeting("notes"), "recap")
    msg = _parse(draft)
    assert msg["From"] == "mailflow <mailflow@mailflow.example>"
    assert msg["To"] == "Alice Smith <alice@example.co.uk>, Bob Jones <bob@example.com>"
    assert msg["Subject"] == "Recap: Q1 planning" == draft.subject
    assert msg["Date"] == format_datetime(NOW)
    assert msg["Message-ID"] == draft.message_id == plans.message_id_for(plan.dedupe_key, SENDER)
    assert re.fullmatch(r"<[0-9a-f]{32}@mailflow\.example>", draft.message_id)
    assert msg["In-Reply-To"] == "<note-1@example.co.uk>"
    assert msg["References"] == "<root-0@example.com> <note-1@example.co.uk>"
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg["X-Mailflow-Key"] == plan.dedupe_key == draft.dedupe_key
    # verbatim on one line (not folded or RFC 2047-encoded): IMAP SEARCH HEADER can find it
    assert b"\r\nX-Mailflow-Key: " + plan.dedupe_key.encode() + b"\r\n" in draft.data
    assert msg["MIME-Version"] == "1.0"
    assert draft.sender == SENDER and draft.recipients == (ALICE.addr, BOB.addr)
    # the recap carries no calendar
    assert msg.get_content_type() == "multipart/alternative"
    assert b"\r\n" in draft.data and b"\n" not in draft.data.replace(b"\r\n", b"")


def test_followup_threads_under_the_recap() -> None:
    meeting = make_meeting("notes")
    ps = {p.kind: p for p in run_plan(meeting)}
    recap = _render(ps["recap"], meeting)
    follow = _parse(_render(ps["followup"], meeting))
    assert follow["In-Reply-To"] == recap.message_id
    assert follow["References"].split()[-1] == recap.message_id


def test_same_plan_meeting_and_now_give_identical_bytes() -> None:
    meeting = make_meeting("cancellation")
    (plan,) = run_plan(meeting)
    assert _render(plan, meeting).data == _render(plan, meeting).data
    later = _render(plan, meeting, now=NOW + dt.timedelta(minutes=1))
    assert later.data != _render(plan, meeting).data and later.message_id == _render(plan, meeting).message_id


def test_cancellation_carries_method_cancel() -> None:
    plan, draft = _one(make_meeting("cancellation"), "reschedule")
    msg = _parse(draft)
    cal = [p for p in msg.walk() if p.get_content_type() == "text/calendar"]
    assert cal and cal[0].get_param("method") == "CANCEL"
    parsed = icalendar.Calendar.from_ical(cal[0].get_content())
    (ev,) = parsed.walk("VEVENT")
    assert str(parsed["METHOD"]) == "CANCEL" and str(ev["STATUS"]) == "CANCELLED"
    assert str(ev["UID"]) == plan.meeting_uid and ev["DTSTART"].dt == SLOT_START


# --- escaping ----------------------------------------------------------------------------------


def _evil_meeting(kind: str = "notes") -> Meeting:
    minutes = Minutes(
        agreements=(Agreement(text=EVIL, evidence=EVIL),),
        action_items=(ActionItem(owner="<b>Bob</b>", task=EVIL, due=dt.date(2026, 3, 6),
                                 evidence="", owner_addr=BOB.addr),),
        open_questions=("# not a heading\n\n<img src=x onerror=alert(1)>",),
    )
    return make_meeting(kind, subject=f"Fwd: {EVIL}", minutes=minutes,  # type: ignore[arg-type]
                        link='https://zoom.us/j/1"><script>x</script>')


@pytest.mark.parametrize("kind", ["recap", "followup"])
def test_note_text_arrives_as_text_not_markup_or_template_code(kind: str) -> None:
    _, draft = _one(_evil_meeting(), kind)
    text, html = _parts(_parse(draft))
    for part in (text, html):
        assert "{{ 7*7 }}" in part and "{% if 1 %}x{% endif %}" in part
        assert "49" not in part
    assert "<script>alert(1)</script>" in text  # the plain part shows it as written
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "evil.example" not in re.findall(r'href="([^"]*)"', html).__str__()
    assert "<strong>bold</strong>" not in html and "**bold**" in html
    assert "&amp;amp;" in html  # an entity in the source shows as typed


def test_markdown_cannot_turn_extracted_lines_into_blocks() -> None:
    _, draft = _one(_evil_meeting(), "recap")
    _, html = _parts(_parse(draft))
    assert "<h1>" not in html and "# not a heading" in html


def test_link_with_markup_is_not_a_link() -> None:
    _, draft = _one(_evil_meeting("confirmation"), "confirmation")
    _, html = _parts(_parse(draft))
    assert "<script" not in html
    assert not re.search(r'href="https://zoom\.us/j/1"', html)


def test_clean_link_becomes_a_link() -> None:
    _, draft = _one(make_meeting("confirmation"), "confirmation")
    _, html = _parts(_parse(draft))
    assert 'href="https://zoom.us/j/123456?pwd=abc_def"' in html


# --- header injection --------------------------------------------------------------------------


def test_crlf_in_subject_and_names_becomes_a_space() -> None:
    meeting = make_meeting("notes")
    plan = next(p for p in run_plan(meeting) if p.kind == "recap")
    bad = replace(
        plan,
        subject="Recap\r\nBcc: victim@example.net\r\n\r\nbody",
        to=(Address(name="Eve\r\nBcc: victim@example.net", addr="eve@example.org"),),
        in_reply_to="<ok@x>\r\nBcc: victim@example.net",
        references=("<fine@x>", "<bad\n@x>"),
        dedupe_key=plan.dedupe_key + "\nBcc: victim@example.net",
    )
    draft = _render(bad, meeting)
    msg = _parse(draft)
    assert msg["Bcc"] is None and b"\r\nBcc:" not in draft.data
    assert msg["Subject"] == "Recap Bcc: victim@example.net body"
    assert msg["In-Reply-To"] is None
    assert msg["References"] == "<fine@x>"
    assert msg["X-Mailflow-Key"] == plan.dedupe_key + " Bcc: victim@example.net"
    assert "\x00" not in msg["To"]


@pytest.mark.parametrize(
    "addr", ["eve@example.org\r\nBcc: victim@example.net", "eve@example.org\x00", "a b@c", "<x@y>", "no-at"]
)
def test_bad_address_is_refused(addr: str) -> None:
    meeting = make_meeting("notes")
    plan = next(p for p in run_plan(meeting) if p.kind == "recap")
    with pytest.raises(OurFault):
        _render(replace(plan, to=(Address(name="Eve", addr=addr),)), meeting)
    with pytest.raises(OurFault):
        drafts.render(plan, meeting, env=ENV, sender=Address(name="", addr=addr), now=NOW)


# --- times in the bodies -----------------------------------------------------------------------

_LINE = re.compile(r"^- \*\*(?P<label>[^*]+)\*\*(?: \([^)]*\))?: (?P<start>.+?) – (?P<end>[^(]+?)(?: \(.*\))?$", re.M)


def _reparse(text: str, views: tuple[plans.SlotView, ...]) -> list[tuple[dt.datetime, dt.datetime]]:
    """Read each '- **Label**: date, time – time' line back with dateutil + zoneinfo."""
    zone_of = {line.label: line.zone for v in views for line in v.lines}
    out = []
    for m in _LINE.finditer(text):
        tz = zoneinfo.ZoneInfo(zone_of[m.group("label")])
        start = dateparser.parse(m.group("start"), default=dt.datetime(SLOT_START.year, 1, 1, tzinfo=dt.UTC)).replace(tzinfo=tz)
        end_text = m.group("end")
        if "," not in end_text:  # the clock alone: same local day as the start
            end_text = f"{start:%Y-%m-%d} {end_text}"
        end = dateparser.parse(end_text, default=dt.datetime(SLOT_START.year, 1, 1, tzinfo=dt.UTC)).replace(tzinfo=tz)
        out.append((start, end))
    return out


def test_confirmation_times_reparse_to_the_agreed_instant_in_every_zone() -> None:
    plan, draft = _one(make_meeting("confirmation"), "confirmation")
    view = dict(plan.context)["slot"]
    text, html = _parts(_parse(draft))
    got = _reparse(text, (view,))
    assert len(got) == 2
    for start, end in got:
        assert start == SLOT_START and end == SLOT_START + dt.timedelta(minutes=45)
    assert "Tue, Mar 10, 11:00 AM – 11:45 AM" in text  # Bob's en_US locale
    assert "Tue 10 Mar, 15:00 – 15:45" in text
    assert "Duration: 45 minutes" in text and "https://zoom.us/j/123456?pwd=abc_def" in text
    assert "daylight saving" in text


def test_day_change_is_explicit_and_reparses() -> None:
    tokyo = replace(make_meeting("confirmation").participants[1], name="Kenji", addr="kenji@example.jp",
                    zone="Asia/Tokyo", locale="en_GB", country="JP")
    meeting = make_meeting("confirmation", participants=(make_meeting().participants[0], tokyo))
    plan, draft = _one(meeting, "confirmation", parties=(ALICE, Address(name="Kenji", addr="kenji@example.jp")))
    text, _ = _parts(_parse(draft))
    assert "Wed 11 Mar, 00:00 – 00:45 (next day)" in text
    for start, end in _reparse(text, (dict(plan.context)["slot"],)):
        assert start == SLOT_START and end - start == dt.timedelta(minutes=45)


def test_reschedule_slots_reparse_and_lie_in_working_hours() -> None:
    plan, draft = _one(make_meeting("cancellation"), "reschedule")
    views = dict(plan.context)["slots"]
    text, _ = _parts(_parse(draft))
    got = _reparse(text, views)
    assert len(got) == 6  # 3 options x 2 zones
    starts = sorted({s for s, _ in got})
    assert starts == [v.start for v in views]
    for start, end in got:
        local = start.astimezone(zoneinfo.ZoneInfo("America/New_York"))
        assert dt.time(8, 30) <= local.time() and end.astimezone(local.tzinfo).time() <= dt.time(17, 30)


# --- templates ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["notes", "confirmation", "cancellation"])
def test_every_planned_kind_renders(kind: str) -> None:
    meeting = make_meeting(kind)  # type: ignore[arg-type]
    for plan in run_plan(meeting):
        text, html = _parts(_parse(_render(plan, meeting)))
        assert "Reply to this message" in text and html.startswith("<!DOCTYPE html>")


def test_user_templates_override_packaged_ones_and_undefined_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "recap.md.j2").write_text("Custom recap of {{ title }}.\n", encoding="utf-8")
    env = drafts.make_environment(tmp_path)
    meeting = make_meeting("notes")
    recap = next(p for p in run_plan(meeting) if p.kind == "recap")
    text, _ = _parts(_parse(drafts.render(recap, meeting, env=env, sender=SENDER_ADDR, now=NOW)))
    assert text == "Custom recap of Q1 planning.\n"
    (tmp_path / "recap.md.j2").write_text("{{ no_such_variable }}\n", encoding="utf-8")
    env = drafts.make_environment(tmp_path)
    with pytest.raises(jinja2.UndefinedError):
        drafts.render(recap, meeting, env=env, sender=SENDER_ADDR, now=NOW)


def test_zone_strip_highlights_the_slot_in_each_zone() -> None:
    plan = next(p for p in run_plan(make_meeting("confirmation")) if p.kind == "confirmation")
    rows = drafts.zone_strip(dict(plan.context)["slot"], dict(plan.context)["participants"])
    assert [r.label for r in rows] == ["London (GMT)", "New York (EDT)"]
    for row, hour in zip(rows, ("15", "11"), strict=True):
        slot_cells = [c.text for c in row.cells if c.state == "slot"]
        assert slot_cells == [hour]


def test_preview_lines() -> None:
    meeting = make_meeting("notes")
    items = [(p, _render(p, meeting)) for p in run_plan(meeting)]
    out = drafts.preview_lines(items)
    assert out.count("=== ") == 4
    assert "To:      bob@example.com\nDue:     2026-03-06T09:00-05:00\nSubject: Follow-up: Draft the launch plan" in out
    assert "## Agreements" in out
    assert drafts.preview_lines([]) == ""


def test_zone_strip_marks_the_day_change_once() -> None:
    london = make_meeting().participants[0]
    tokyo = replace(london, name="Kenji", addr="kenji@example.jp", zone="Asia/Tokyo", country="JP")
    plan = next(p for p in run_plan(make_meeting("confirmation", participants=(london, tokyo)),
                                    parties=(ALICE, Address(name="Kenji", addr="kenji@example.jp")))
                if p.kind == "confirmation")
    rows = drafts.zone_strip(dict(plan.context)["slot"], dict(plan.context)["participants"])
    tokyo_row = rows[1]
    assert [c.text for c in tokyo_row.cells][:6] == ["20", "21", "22", "23", "00", "01"]
    assert [c.day for c in tokyo_row.cells if c.day] == ["Wed 11"]
    assert tokyo_row.cells[4].day == "Wed 11" and tokyo_row.cells[4].state == "slot"
    assert tokyo_row.cells[0].state == "off" and tokyo_row.cells[2].state == "night"
    assert not any(c.day for c in rows[0].cells)


_TAG = re.compile(r"<[^>]+>")


_PIECES = st.sampled_from([*"ab <>&;#*_`[]()!{}%\\-+.=|~:/\"'\n\t1", "&amp;", "<script>", "{{", "}}", "1. ", "    "])


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=30).map("".join))
def test_md_escape_round_trips_through_markdown_as_the_same_text(text: str) -> None:
    rendered = markdown.markdown(drafts.md_escape(text))
    assert "<script" not in rendered
    assert html.unescape(_TAG.sub("", rendered)).strip() == " ".join(text.split())


def test_someone_elses_calendar_event_gets_no_ics_of_ours() -> None:
    event = CalendarEvent(
        uid="evt-1@calendar.example", method="REQUEST", summary="Q1", start=SLOT_START, end=None,
        grain="minute", tzid="Europe/London", organizer=Address(name="Cal", addr="carol@example.org"),
        attendees=(), rrule=None, sequence=2, status="CONFIRMED", location=None, description=None,
    )
    for kind, plan_kind in (("confirmation", "confirmation"), ("cancellation", "reschedule")):
        meeting = replace(make_meeting(kind), invite=event)  # type: ignore[arg-type]
        plan, draft = _one(meeting, plan_kind)
        assert dict(plan.context)["ics_method"] is None
        msg = _parse(draft)
        assert msg.get_content_type() == "multipart/alternative"
        assert not [p for p in msg.walk() if p.get_content_type() in ("text/calendar", "application/ics")]
        assert "attached" not in _parts(msg)[0]
    ours = replace(event, organizer=SENDER_ADDR)
    plan, draft = _one(replace(make_meeting("confirmation"), invite=ours), "confirmation")
    assert dict(plan.context)["ics_method"] == "REQUEST"
    assert dict(plan.context)["ics_sequence"] >= 3
