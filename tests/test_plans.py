"""plans.plan(): what is sent when, with stable keys, over many simulated polls (fake clock).

The builders here (``make_meeting`` and friends) are reused by test_drafts / test_invites /
test_render_html.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mailflow import plans
from mailflow.config import ScheduleSettings
from mailflow.model import (
    ActionItem,
    Address,
    Agreement,
    Headers,
    Letter,
    Meeting,
    MeetingKind,
    Minutes,
    NextMeeting,
    Note,
    Participant,
    TimeMention,
)

LONDON = zoneinfo.ZoneInfo("Europe/London")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
UTC = dt.UTC

ALICE = Address(name="Alice Smith", addr="alice@example.co.uk")
BOB = Address(name="Bob Jones", addr="bob@example.com")
SENDER = "mailflow@mailflow.example"
SENDER_ADDR = Address(name="mailflow", addr=SENDER)
PARTIES = (ALICE, BOB)
ALICE_P = Participant(
    name="Alice Smith", addr=ALICE.addr, zone="Europe/London", zone_source="config", country="GB"
)
BOB_P = Participant(
    name="Bob Jones",
    addr=BOB.addr,
    zone="America/New_York",
    zone_source="config",
    locale="en_US",
    country="US",
    work_start=dt.time(8, 30),
    work_end=dt.time(17, 30),
)
# the US/EU DST mismatch week: New York is on EDT (since 8 March), London still on GMT
SLOT_START = dt.datetime(2026, 3, 10, 15, 0, tzinfo=LONDON)
NOW = dt.datetime(2026, 3, 2, 11, 0, tzinfo=UTC)


def make_meeting(
    kind: MeetingKind = "notes",
    *,
    subject: str = "Fwd: Q1 planning",
    start: dt.datetime | None = SLOT_START,
    minutes: Minutes | None = None,
    participants: tuple[Participant, ...] = (ALICE_P, BOB_P),
    duration: dt.timedelta | None = dt.timedelta(minutes=45),
    link: str | None = "https://zoom.us/j/123456?pwd=abc_def",
    rrule: str | None = None,
    uid: str = "3f2a9c@mailflow.example",
    message_id: str = "<note-1@example.co.uk>",
    date: dt.datetime = NOW,
) -> Meeting:
    head = Headers(
        message_id=message_id,
        from_=(ALICE,),
        to=(BOB, SENDER_ADDR),
        subject=subject,
        date=date,
        references=("<root-0@example.com>",),
    )
    letter = Letter(
        headers=head, header_fields=(), text="", html=None, calendars=(), attached=(), defects=(), size=0
    )
    note = Note(
        letter=letter, body="", signature=None, original=None, original_body=None,
        original_signature=None, quoted=None,
    )
    slot = None
    if start is not None:
        slot = TimeMention(
            text="Tuesday 10 March at 3pm London", span=(0, 10), start=start, end=None,
            grain="minute", zone="Europe/London", status="agreed", rrule=rrule,
        )
    if minutes is None:
        minutes = Minutes(
            agreements=(Agreement(text="Ship v2 on 20 March", evidence="We agreed to ship v2"),),
            action_items=(
                ActionItem(owner="Bob", task="Draft the launch plan", due=dt.date(2026, 3, 6),
                           evidence="Bob to draft", owner_addr=BOB.addr),
                ActionItem(owner="Alice", task="Book the room", due=None, evidence="Alice books",
                           owner_addr=ALICE.addr),
                ActionItem(owner="Carol", task="Check the budget", due=dt.date(2026, 3, 5),
                           evidence="Carol checks", owner_addr=None),
            ),
            next_meeting=(
                NextMeeting(start=start, grain="minute", zone="Europe/London", evidence="next: Tue 3pm")
                if start is not None else None
            ),
            open_questions=("Who owns the budget?",),
        )
    return Meeting(
        note=note, now=date, kind=kind, participants=participants, times=(slot,) if slot else (),
        minutes=minutes, slot=slot, duration=duration, link=link, thread_id=message_id,
        meeting_uid=uid,
    )


def run_plan(meeting: Meeting, now: dt.datetime = NOW, **kw: object) -> tuple:
    schedule = kw.pop("schedule", ScheduleSettings())
    parties = kw.pop("parties", PARTIES)
    return plans.plan(meeting, now=now, schedule=schedule, parties=parties, sender=SENDER)  # type: ignore[arg-type]


def by_kind(ps: tuple) -> dict[str, list]:
    out: dict[str, list] = {}
    for p in ps:
        out.setdefault(p.kind, []).append(p)
    return out


# --- notes -------------------------------------------------------------------------------------


def test_notes_plan_recap_followup_agenda_request_and_reminder() -> None:
    ps = by_kind(run_plan(make_meeting("notes")))
    assert sorted(ps) == ["agenda_request", "followup", "recap", "reminder"]
    (recap,) = ps["recap"]
    assert recap.due == NOW and recap.to == PARTIES
    assert recap.subject == "Recap: Q1 planning"
    assert recap.in_reply_to == "<note-1@example.co.uk>"
    assert recap.references == ("<root-0@example.com>", "<note-1@example.co.uk>")
    # only Bob's item has both an owner address and a due date
    (follow,) = ps["followup"]
    assert follow.to == (BOB,)
    # 09:00 on the due day in Bob's zone (New York, EST on 6 March)
    assert follow.due == dt.datetime(2026, 3, 6, 9, 0, tzinfo=NEW_YORK)
    assert follow.due.astimezone(UTC).hour == 14
    recap_id = plans.message_id_for(recap.dedupe_key, SENDER)
    assert follow.in_reply_to == recap_id and follow.references[-1] == recap_id
    (ask,) = ps["agenda_request"]
    assert ask.to == (ALICE,)  # the note's author/forwarder
    assert ask.due == SLOT_START - dt.timedelta(days=2)
    (remind,) = ps["reminder"]
    assert remind.to == PARTIES and remind.due == SLOT_START - dt.timedelta(hours=24)


def test_recap_context_states_action_due_and_next_meeting_in_every_zone() -> None:
    (recap,) = by_kind(run_plan(make_meeting("notes")))["recap"]
    ctx = dict(recap.context)
    assert [a.task for a in ctx["actions"]] == ["Draft the launch plan", "Book the room", "Check the budget"]
    assert ctx["actions"][0].due_text == "Fri 6 Mar 2026"
    view = ctx["next_meeting"]
    assert [line.zone for line in view.lines] == ["Europe/London", "America/New_York"]
    assert [line.local.hour for line in view.lines] == [15, 11]
    assert all(line.local == SLOT_START for line in view.lines)


def test_datetime_due_is_stated_in_the_owners_zone() -> None:
    due = dt.datetime(2026, 3, 6, 22, 0, tzinfo=UTC)  # 17:00 in New York
    minutes = Minutes(action_items=(
        ActionItem(owner="Bob", task="Send the deck", due=due, evidence="", owner_addr=BOB.addr),
    ))
    ps = by_kind(run_plan(make_meeting("notes", minutes=minutes)))
    line = dict(ps["recap"][0].context)["actions"][0]
    assert "5:00 PM" in line.due_text and "New York" in line.due_text
    assert ps["followup"][0].due == dt.datetime(2026, 3, 6, 9, 0, tzinfo=NEW_YORK)


def test_followups_off_in_schedule() -> None:
    ps = by_kind(run_plan(make_meeting("notes"), schedule=ScheduleSettings(followups=False)))
    assert "followup" not in ps


def test_followup_only_to_parties_the_policy_allows() -> None:
    ps = by_kind(run_plan(make_meeting("notes"), parties=(ALICE,)))
    assert "followup" not in ps
    assert ps["recap"][0].to == (ALICE,)


def test_past_agenda_request_and_reminder_are_skipped() -> None:
    late = SLOT_START - dt.timedelta(hours=30)  # after the agenda request, before the reminder
    ps = by_kind(run_plan(make_meeting("notes"), now=late))
    assert "agenda_request" not in ps and "reminder" in ps
    later = SLOT_START - dt.timedelta(hours=2)
    ps = by_kind(run_plan(make_meeting("notes"), now=later))
    assert "agenda_request" not in ps and "reminder" not in ps and "recap" in ps


def test_date_only_next_meeting_gets_no_reminder() -> None:
    meeting = make_meeting("notes")
    minutes = replace(
        meeting.minutes,
        next_meeting=NextMeeting(start=dt.date(2026, 3, 12), grain="day", zone=None, evidence="next Thu"),
    )
    ps = by_kind(run_plan(replace(meeting, minutes=minutes)))
    assert "reminder" not in ps and "agenda_request" not in ps
    assert dict(ps["recap"][0].context)["next_meeting_date"] == "Thu 12 Mar 2026"


# --- many polls, fake clock --------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["notes", "confirmation"])
def test_each_mail_planned_once_and_sent_at_the_right_time_over_many_polls(kind: MeetingKind) -> None:
    meeting = make_meeting(kind)
    step = dt.timedelta(minutes=17)
    pending: dict[str, object] = {}
    sent: dict[str, dt.datetime] = {}
    first_keys = {p.dedupe_key for p in run_plan(meeting, now=NOW)}
    tick = NOW
    while tick < SLOT_START + dt.timedelta(days=1):
        for p in run_plan(meeting, now=tick):  # a re-read of the same message on every poll
            assert p.dedupe_key in first_keys  # no new key ever appears
            if p.dedupe_key not in sent:  # the store's dedupe
                pending.setdefault(p.dedupe_key, p)
        for key, p in list(pending.items()):
            if p.due <= tick:  # type: ignore[attr-defined]
                sent[key] = tick
                del pending[key]
        tick += step
    assert not pending
    assert set(sent) == first_keys
    plans_by_key = {p.dedupe_key: p for p in run_plan(meeting, now=NOW)}
    for key, when in sent.items():
        due = plans_by_key[key].due
        assert due <= when < due + step  # never before, at the first poll after
    expected = {"notes": {"recap", "followup", "agenda_request", "reminder"},
                "confirmation": {"confirmation", "agenda_request", "reminder"}}[kind]
    assert {plans_by_key[k].kind for k in sent} == expected


def test_keys_are_stable_and_a_changed_slot_changes_the_confirmation_key() -> None:
    a = run_plan(make_meeting("confirmation"))
    b = run_plan(make_meeting("confirmation"), now=NOW + dt.timedelta(hours=3))
    assert [p.dedupe_key for p in a] == [p.dedupe_key for p in b]
    moved = run_plan(make_meeting("confirmation", start=SLOT_START + dt.timedelta(hours=1)))
    ka, km = by_kind(a), by_kind(moved)
    assert ka["confirmation"][0].dedupe_key != km["confirmation"][0].dedupe_key
    assert ka["reminder"][0].dedupe_key != km["reminder"][0].dedupe_key
    key = ka["confirmation"][0].dedupe_key
    assert key.startswith("3f2a9c@mailflow.example:confirmation:")
    assert key.endswith(":2026-03-10T15:00Z/2026-03-10T15:45Z")
    # the recipient set is part of the key, its order is not
    swapped = run_plan(make_meeting("confirmation"), parties=(BOB, ALICE))
    assert by_kind(swapped)["confirmation"][0].dedupe_key == key
    only = run_plan(make_meeting("confirmation"), parties=(BOB,))
    assert by_kind(only)["confirmation"][0].dedupe_key != key


# --- confirmations -----------------------------------------------------------------------------


def test_confirmation_states_slot_in_every_zone_with_duration_link_and_warnings() -> None:
    ps = by_kind(run_plan(make_meeting("confirmation")))
    (conf,) = ps["confirmation"]
    assert conf.due == NOW and conf.to == PARTIES
    assert conf.subject.startswith("Confirmed: Q1 planning — ")
    assert "15:00–15:45 in London (GMT)" in conf.subject and "New York (EDT)" in conf.subject
    ctx = dict(conf.context)
    view = ctx["slot"]
    assert view.start == SLOT_START and view.end == SLOT_START + dt.timedelta(minutes=45)
    assert [(line.label, line.local.hour) for line in view.lines] == [("London (GMT)", 15), ("New York (EDT)", 11)]
    assert ctx["duration"] == "45 minutes"
    assert ctx["link"] == "https://zoom.us/j/123456?pwd=abc_def"
    assert any("daylight saving" in w for w in ctx["warnings"])  # +5h now, +4h on the day
    assert ctx["ics_method"] == "REQUEST"
    assert ctx["ics_sequence"] == plans.sequence_for(make_meeting("confirmation"))


def test_confirmation_uses_default_duration_and_proposal_is_confirmed_too() -> None:
    ps = by_kind(run_plan(make_meeting("proposal", duration=None)))
    assert ps["confirmation"][0].subject.startswith("Proposed: Q1 planning — ")
    assert dict(ps["confirmation"][0].context)["status"] == "proposed"
    view = dict(ps["confirmation"][0].context)["slot"]
    assert view.end - view.start == ScheduleSettings().default_duration


def test_confirmation_without_slot_plans_nothing_and_none_kind_plans_nothing() -> None:
    assert run_plan(make_meeting("confirmation", start=None)) == ()
    assert run_plan(make_meeting("none")) == ()
    assert run_plan(make_meeting("agenda")) == ()
    assert run_plan(make_meeting("notes"), parties=()) == ()


def test_sequence_grows_with_later_messages() -> None:
    early = plans.sequence_for(make_meeting("confirmation", date=NOW))
    later = plans.sequence_for(make_meeting("confirmation", date=NOW + dt.timedelta(minutes=5)))
    assert later == early + 5 and 0 < early < 2**31 - 1


def test_titles_lose_reply_and_forward_prefixes() -> None:
    assert plans.title_of(make_meeting(subject="Re: Fwd: FW: AW: Budget review")) == "Budget review"
    assert plans.title_of(make_meeting(subject="")) == "Meeting"


# --- cancellations -----------------------------------------------------------------------------


def _assert_inside_working_hours(start: dt.datetime, end: dt.datetime, p: Participant) -> None:
    tz = zoneinfo.ZoneInfo(p.zone or "UTC")
    ls, le = start.astimezone(tz), end.astimezone(tz)
    assert ls.date() == le.date()
    assert ls.weekday() < 5
    assert p.work_start <= ls.time() and le.time() <= p.work_end, (p.name, ls, le)


def test_cancellation_plans_a_reschedule_prompt_with_three_slots_in_everyones_hours() -> None:
    ps = by_kind(run_plan(make_meeting("cancellation")))
    assert sorted(ps) == ["reschedule"]
    (resched,) = ps["reschedule"]
    ctx = dict(resched.context)
    assert ctx["ics_method"] == "CANCEL"
    assert ctx["cancelled"].start == SLOT_START
    slots = ctx["slots"]
    assert len(slots) == 3
    assert len({s.start.astimezone(LONDON).date() for s in slots}) == 3  # different days first
    for s in slots:
        assert NOW < s.start and s.end <= NOW + dt.timedelta(days=5)
        assert s.end - s.start == dt.timedelta(minutes=45)
        for p in (ALICE_P, BOB_P):
            _assert_inside_working_hours(s.start, s.end, p)
        assert [line.zone for line in s.lines] == ["Europe/London", "America/New_York"]


def test_reschedule_skips_weekends_and_public_holidays() -> None:
    # Thu 2 April 2026: Good Friday (3 Apr) is a UK-wide holiday; Easter Monday is not (Scotland)
    now = dt.datetime(2026, 4, 2, 7, 0, tzinfo=UTC)
    slots = plans.free_slots((ALICE_P, BOB_P), after=now, days=7, length=dt.timedelta(hours=1))
    days = [s.astimezone(LONDON).date() for s in slots]
    assert len(slots) == 3
    assert days == [dt.date(2026, 4, 2), dt.date(2026, 4, 6), dt.date(2026, 4, 7)]
    # a US party with a US holiday: Thanksgiving (Thu 26 Nov 2026) and the weekend are skipped
    now = dt.datetime(2026, 11, 25, 18, 0, tzinfo=UTC)
    slots = plans.free_slots((ALICE_P, BOB_P), after=now, days=6, length=dt.timedelta(hours=1))
    assert [s.astimezone(NEW_YORK).date() for s in slots] == [
        dt.date(2026, 11, 27), dt.date(2026, 11, 30), dt.date(2026, 12, 1)
    ]
    # Bob's working day starts at 08:30 New York (EDT) = 13:30 London (BST)
    assert slots[0].astimezone(NEW_YORK).time() == dt.time(8, 30)


def test_no_common_working_hours_gives_no_slots() -> None:
    sydney = Participant(name="Sam", addr="sam@example.com.au", zone="Australia/Sydney",
                         zone_source="config", work_start=dt.time(9), work_end=dt.time(17))
    london = replace(ALICE_P, work_start=dt.time(9), work_end=dt.time(17))
    assert plans.free_slots((sydney, london), after=NOW, days=5, length=dt.timedelta(hours=1)) == ()


def test_cancellation_without_known_time_still_offers_slots() -> None:
    (resched,) = run_plan(make_meeting("cancellation", start=None))
    ctx = dict(resched.context)
    assert ctx["cancelled"] is None and len(ctx["slots"]) == 3
    assert resched.dedupe_key.count(":") == 2  # uid:kind:recipients, no slot extra


# --- properties across zones and DST ------------------------------------------------------------

ZONES = ["Europe/London", "America/New_York", "Asia/Kolkata", "Asia/Kathmandu", "Australia/Lord_Howe",
         "Pacific/Chatham", "America/St_Johns", "Asia/Tokyo", "Europe/Berlin", "America/Sao_Paulo", "UTC"]


@settings(max_examples=60, deadline=None)
@given(
    zone_a=st.sampled_from(ZONES),
    zone_b=st.sampled_from(ZONES),
    start_minutes=st.integers(min_value=0, max_value=400 * 24 * 60 // 15).map(lambda n: n * 15),
    lead=st.integers(min_value=0, max_value=20 * 24 * 60),
    kind=st.sampled_from(["notes", "confirmation", "cancellation"]),
)
def test_plans_never_due_before_now_and_every_zone_line_is_the_instant(
    zone_a: str, zone_b: str, start_minutes: int, lead: int, kind: MeetingKind
) -> None:
    start = dt.datetime(2026, 1, 1, tzinfo=UTC) + dt.timedelta(minutes=start_minutes)
    now = start - dt.timedelta(minutes=lead)
    people = (replace(ALICE_P, zone=zone_a), replace(BOB_P, zone=zone_b, country=None))
    meeting = make_meeting(kind, start=start, participants=people)
    ps = run_plan(meeting, now=now)
    assert ps and all(p.due >= now for p in ps)
    assert len({p.dedupe_key for p in ps}) == len(ps)
    for p in ps:
        ctx = dict(p.context)
        views = [v for v in (ctx.get("slot"), ctx.get("next_meeting"), ctx.get("cancelled")) if v]
        views += list(ctx.get("slots", ()))
        for v in views:
            assert all(line.local == v.start for line in v.lines)
            assert all(line.local == v.end for line in v.end_lines)
            assert {line.zone for line in v.lines} == {zone_a, zone_b}
        for v in ctx.get("slots", ()):
            assert now < v.start and v.end <= now + dt.timedelta(days=5)
            for person in people:
                _assert_inside_working_hours(v.start, v.end, person)


def test_half_hour_zone_and_london_find_slots() -> None:
    kolkata = replace(BOB_P, zone="Asia/Kolkata", country="IN", work_start=dt.time(9), work_end=dt.time(18))
    slots = plans.free_slots((ALICE_P, kolkata), after=NOW, days=5, length=dt.timedelta(hours=1))
    assert len(slots) == 3
    for s in slots:
        _assert_inside_working_hours(s, s + dt.timedelta(hours=1), kolkata)
        _assert_inside_working_hours(s, s + dt.timedelta(hours=1), ALICE_P)
