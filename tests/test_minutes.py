"""Notes understanding: agreements, action items, due dates, next meeting (mailflow.minutes)."""

from __future__ import annotations

import datetime as dt
import re
import time
import zoneinfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mailflow import minutes as minutes_module
from mailflow.minutes import extract_minutes, parse_next_meeting, resolve_due
from mailflow.model import Minutes, Participant

UTC = dt.UTC
# a Wednesday
REF = dt.datetime(2024, 3, 6, 17, 0, tzinfo=UTC)


def _mins(text: str, *, ref: dt.datetime = REF, zone: str = "UTC",
          participants: tuple[Participant, ...] = ()) -> Minutes:
    return extract_minutes(text, ref=ref, zone=zone, participants=participants)


def _owners(m: Minutes) -> list[str | None]:
    return [a.owner for a in m.action_items]


MENTOR = Participant(name="Inês Duarte", addr="ines@mentors.example", zone="Europe/Lisbon",
                     zone_source="config")
FOUNDER = Participant(name="Chidi Okafor", addr="chidi@startup.example", zone="Africa/Lagos",
                      zone_source="config")


def test_mentoring_call_notes_with_participants_in_two_countries() -> None:
    text = (
        "Mentoring call, pricing and first hires\n"
        "\n"
        "## Decisions\n"
        "- Focus on the B2B tier before consumer pricing\n"
        "\n"
        "## Action items\n"
        "- Chidi to send the revised pitch deck by Friday\n"
        "- Inês will introduce Chidi to two angel investors\n"
        "\n"
        "## Next call\n"
        "Tuesday 19 March 2024, 16:00 Lisbon time\n"
    )
    m = _mins(text, zone="Europe/Lisbon", participants=(MENTOR, FOUNDER))
    assert [a.text for a in m.agreements] == ["Focus on the B2B tier before consumer pricing"]
    by_owner = {a.owner: a for a in m.action_items}
    assert set(by_owner) == {"Chidi", "Inês"}
    assert by_owner["Chidi"].due == dt.date(2024, 3, 8)
    assert by_owner["Chidi"].owner_addr == "chidi@startup.example"
    assert by_owner["Inês"].owner_addr == "ines@mentors.example"
    assert by_owner["Chidi"].evidence == "- Chidi to send the revised pitch deck by Friday"
    nm = m.next_meeting
    assert nm is not None and nm.zone == "Europe/Lisbon" and nm.grain == "minute"
    assert isinstance(nm.start, dt.datetime)
    assert nm.start == dt.datetime(2024, 3, 19, 16, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Lisbon"))
    assert nm.start.utcoffset() == dt.timedelta(0)  # Lisbon is on WET in March


def test_standup_next_entries_become_owned_action_items() -> None:
    text = (
        "# Weekly stand-up\n"
        "\n"
        "@ana\n"
        "  - Done:\n"
        "    - shipped the export button\n"
        "  - Next:\n"
        "    - write the migration guide\n"
        "    - fix the login redirect bug\n"
        "\n"
        "@bruno\n"
        "  - Done: reviewed three PRs\n"
        "  - Next: profile the search endpoint, pair with Ana on caching\n"
    )
    m = _mins(text)
    got = {(a.owner, a.task) for a in m.action_items}
    assert got == {
        ("ana", "write the migration guide"),
        ("ana", "fix the login redirect bug"),
        ("bruno", "profile the search endpoint"),
        ("bruno", "pair with Ana on caching"),
    }
    assert m.agreements == ()


def test_quoted_history_in_a_reply_is_not_read_as_minutes() -> None:
    text = (
        "Thanks, adding one thing from today's call: Priya will update the budget sheet tomorrow.\n"
        "\n"
        "> On Tue, Sam wrote:\n"
        "> Resolution: we drop the legacy importer\n"
        "> Action: Sam to archive the old repo\n"
    )
    m = _mins(text)
    assert m.agreements == ()
    assert [(a.owner, a.due) for a in m.action_items] == [("Priya", dt.date(2024, 3, 7))]


def test_notes_without_commitments_yield_no_action_items() -> None:
    text = (
        "## Updates\n"
        "- The beta went out last week and feedback has been positive.\n"
        "- Support tickets are down 20%.\n"
        "\n"
        "## Discussion\n"
        "We talked about the roadmap for the spring. Nothing was decided yet.\n"
    )
    m = _mins(text)
    assert m.action_items == ()
    assert m.agreements == ()
    assert m.next_meeting is None


def test_prose_commitments_and_agreement_in_one_sentence() -> None:
    m = _mins("Maria will send the survey by Friday; we agreed to focus on pricing first.")
    assert [(a.owner, a.task, a.due) for a in m.action_items] == [
        ("Maria", "send the survey by Friday", dt.date(2024, 3, 8))
    ]
    assert [a.text for a in m.agreements] == ["focus on pricing first"]


@pytest.mark.parametrize(
    "line",
    [
        "Tom hopes to look at the flaky tests.",
        "Maybe Sam will review the design doc.",
        "It would be nice if Lee could write the release notes.",
        "If there is time, Ravi will port the parser.",
        "Dana might update the wiki.",
    ],
)
def test_hedged_wishes_and_conditional_offers_are_excluded(line: str) -> None:
    assert _mins(line).action_items == ()


def test_resolution_that_only_assigns_work_is_an_action_item() -> None:
    text = (
        "### Scheduled release for March 8th\n"
        "**Resolution**: @kim will do the release.\n"
        "\n"
        "### Logo\n"
        "**Resolution**: We keep the current logo.\n"
    )
    m = _mins(text)
    assert [a.text for a in m.agreements] == ["We keep the current logo"]
    (item,) = m.action_items
    assert item.owner == "kim" and item.due == dt.date(2024, 3, 8)


def test_scribe_minutes_resolution_and_action_markers() -> None:
    text = (
        "Present: jo, lee, max\n"
        "topic: Storage API review\n"
        "jo: I think we should ask them about quotas\n"
        "lee: I'll take an action to draft the comment\n"
        "RESOLUTION: close the review once the comment is posted\n"
        "ACTION: max to file an issue about eviction\n"
    )
    m = _mins(text)
    assert [a.text for a in m.agreements] == ["close the review once the comment is posted"]
    owners = sorted(o or "" for o in _owners(m))
    assert owners == ["lee", "max"]


def test_checklist_open_items_are_actions_done_items_are_not() -> None:
    text = "## Action items\n- [ ] @nina: update the onboarding doc\n- [x] @omar: book the room\n"
    m = _mins(text)
    assert [(a.owner, a.task) for a in m.action_items] == [("nina", "update the onboarding doc")]


def test_group_owners_become_none_and_multiple_owners_are_joined() -> None:
    text = "## Next steps\n- Everyone to review the RFC\n- Ana and Bo to pair on the CI fix\n"
    m = _mins(text)
    assert sorted((a.owner or "-") for a in m.action_items) == ["-", "Ana, Bo"]


@pytest.mark.parametrize(
    ("phrase", "due"),
    [
        ("by Friday", dt.date(2024, 3, 8)),
        ("by Wednesday", dt.date(2024, 3, 13)),  # said on a Wednesday: next week's
        ("tomorrow", dt.date(2024, 3, 7)),
        ("tonight", dt.date(2024, 3, 6)),
        ("by Dec 3", dt.date(2024, 12, 3)),
        ("before 3 April", dt.date(2024, 4, 3)),
        ("by 2024-05-01", dt.date(2024, 5, 1)),
        ("by end of month", dt.date(2024, 3, 31)),
        ("by the end of Q3", dt.date(2024, 9, 30)),
        ("by the 15th", dt.date(2024, 3, 15)),
        ("by the 2nd", dt.date(2024, 4, 2)),
        ("by the 15th of April", dt.date(2024, 4, 15)),
        ("by EOD", dt.date(2024, 3, 6)),
        ("this week", None),
        ("next week", None),
        ("over the weekend", None),
    ],
)
def test_due_phrases_resolve_against_the_meeting_day(phrase: str, due: dt.date | None) -> None:
    assert resolve_due(phrase, today=dt.date(2024, 3, 6)) == due


def test_before_next_call_uses_the_stated_next_meeting_date() -> None:
    text = "Leo will rerun the benchmark before the next call.\n\nNext meeting: 2024-03-20\n"
    m = _mins(text)
    assert m.next_meeting is not None and m.next_meeting.start == dt.date(2024, 3, 20)
    assert [a.due for a in m.action_items] == [dt.date(2024, 3, 20)]


def test_due_uses_the_writer_zone_for_today() -> None:
    late = dt.datetime(2024, 3, 6, 23, 30, tzinfo=UTC)  # already Thursday in Tokyo
    m = _mins("Aiko will send the invoice tomorrow.", ref=late, zone="Asia/Tokyo")
    assert [a.due for a in m.action_items] == [dt.date(2024, 3, 8)]


def test_next_meeting_named_zone_is_dst_correct_on_both_sides_of_the_change() -> None:
    before = parse_next_meeting("Thursday, 2023-11-02, 1pm US Pacific", today=dt.date(2023, 10, 26))
    after = parse_next_meeting("Thursday, 2023-11-09, 1pm US Pacific", today=dt.date(2023, 10, 26))
    assert before is not None and after is not None
    assert isinstance(before.start, dt.datetime) and isinstance(after.start, dt.datetime)
    assert before.start.isoformat() == "2023-11-02T13:00:00-07:00"
    assert after.start.isoformat() == "2023-11-09T13:00:00-08:00"
    assert before.zone == after.zone == "America/Los_Angeles"


def test_next_meeting_precision_follows_the_text() -> None:
    day = _mins("## Next Meeting\n\nMarch 20th\n").next_meeting
    assert day is not None and day.start == dt.date(2024, 3, 20) and day.grain == "day"
    wall = _mins("Next meeting: 2024-03-20 at 15:30\n").next_meeting
    assert wall is not None and wall.zone is None and wall.grain == "minute"
    assert isinstance(wall.start, dt.datetime) and wall.start.tzinfo is None
    assert wall.start.isoformat() == "2024-03-20T15:30:00"
    utc = _mins("## Next meeting\n\n* 2024-03-20, UTC 20:00\n").next_meeting
    assert utc is not None and isinstance(utc.start, dt.datetime)
    assert utc.start.isoformat() == "2024-03-20T20:00:00+00:00"


def test_a_calendar_link_alone_is_not_a_next_meeting() -> None:
    text = "## Upcoming Meetings\n\n* Calendar: https://calendar.example.org\n"
    assert _mins(text).next_meeting is None


def test_next_meeting_in_the_past_is_ignored() -> None:
    assert _mins("Next meeting: 2024-02-01\n").next_meeting is None


def test_agenda_and_open_questions_are_collected() -> None:
    text = (
        "## Agenda\n- Budget review\n- Hiring plan\n\n"
        "## Open questions\n- Do we need a second region?\n"
    )
    m = _mins(text)
    assert m.agenda == ("Budget review", "Hiring plan")
    assert m.open_questions == ("Do we need a second region?",)


def test_deferral_and_passed_vote_are_agreements() -> None:
    text = (
        "### Plugin API\n"
        "ACTION: Revisit next week.\n"
        "\n"
        "### Travel fund\n"
        "* Approved up to $500 for the workshop trip\n"
    )
    m = _mins(text)
    texts = [a.text for a in m.agreements]
    assert any(t.startswith("Revisit next week") for t in texts)
    assert "Approved up to $500 for the workshop trip" in texts
    assert m.action_items == ()


def test_hostile_input_is_bounded_in_time() -> None:
    inputs = [
        "Alice will " + "a" * 1_000_000,
        "- Action: @x will do it tomorrow\n" * 30_000,
        "".join(" " * (i % 400) + "- Bob will fix it, and then\n" for i in range(20_000)),
        "[" * 300_000 + "](" * 200_000,
        ("[" * 1999 + "\n") * 200,
        ("a: " * 666 + "\n") * 200,
        "word will go\n" * 80_000,
    ]
    for text in inputs:
        start = time.perf_counter()
        m = minutes_module._Reader(text, ref=REF, zone="UTC", participants=()).read()
        assert isinstance(m, Minutes)
        assert time.perf_counter() - start < 5


@settings(max_examples=80, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab @:-*#[]()|>\n\t.,;?!0123456789AIRwilto")), max_size=400))
def test_reader_never_raises(text: str) -> None:
    # the reader itself, not the public wrapper (which would hide a crash behind empty Minutes)
    m = minutes_module._Reader(text, ref=REF, zone="UTC", participants=()).read()
    assert isinstance(m, Minutes)
    for item in m.action_items:
        assert item.task and item.evidence


def test_agreement_that_assigns_work_becomes_an_owned_action_with_next_session_due() -> None:
    text = (
        "Ana suggested focusing on retention before new markets.\n"
        "We agreed that Kwame will run five customer interviews before our next session.\n"
        "Next session: 20 March 2024, 17:00 Berlin time\n"
    )
    m = _mins(text, zone="Europe/Berlin")
    assert m.agreements == ()  # a suggestion alone is not an agreement
    assert [(a.owner, a.due) for a in m.action_items] == [("Kwame", dt.date(2024, 3, 20))]


def test_label_lines_are_not_glued_to_the_previous_line() -> None:
    text = (
        "**AI:** Jo - share the Q3 numbers before next call\n"
        "**Open questions:** who owns the migration?\n"
        "**Next call:** 14 March at 3pm\n"
    )
    m = _mins(text)
    assert [(a.owner, a.task, a.due) for a in m.action_items] == [
        ("Jo", "share the Q3 numbers before next call", dt.date(2024, 3, 14))
    ]
    assert m.open_questions == ("who owns the migration?",)


def test_scribe_question_followed_by_assent_is_an_agreement() -> None:
    text = (
        "Present: kai, lin, mo\n"
        "topic: Offsite planning\n"
        "kai: we could cover the caching redesign. Worth taking up at the offsite?\n"
        "lin: I would think so\n"
        "mo: what about the budget numbers?\n"
        "kai: not sure yet, depends on finance\n"
    )
    m = _mins(text)
    assert [a.text for a in m.agreements] == ["Worth taking up at the offsite"]


def test_question_answered_on_the_same_line() -> None:
    m = _mins("## Other\n- Move the meeting notes to the shared repo? Yup.\n")
    assert [a.text for a in m.agreements] == ["Move the meeting notes to the shared repo: Yup"]


def test_next_weekday_means_next_week_and_this_weekday_this_week() -> None:
    wed = dt.date(2024, 3, 6)
    assert resolve_due("by next Thursday", today=wed) == dt.date(2024, 3, 14)
    assert resolve_due("by this Thursday", today=wed) == dt.date(2024, 3, 7)
    assert resolve_due("on Thursday", today=wed) == dt.date(2024, 3, 7)


def test_due_with_a_clock_time_is_an_aware_datetime_in_the_writer_zone() -> None:
    # Berlin leaves summer time on 27 Oct 2024: the Monday after is +01:00
    ref = dt.datetime(2024, 10, 23, 15, 0, tzinfo=UTC)
    m = _mins("Recap of our call:\nI will set up the kickoff with the vendor for Monday 10am.",
              ref=ref, zone="Europe/Berlin")
    (item,) = m.action_items
    assert item.owner is None
    assert isinstance(item.due, dt.datetime)
    assert item.due.isoformat() == "2024-10-28T10:00:00+01:00"


def test_conditional_offer_is_not_an_action_item() -> None:
    m = _mins("Lukas offered to review the deck if Amara sends it over.\n"
              "Amara to update the financial model by end of month.\n")
    assert [(a.owner, a.due) for a in m.action_items] == [("Amara", dt.date(2024, 3, 31))]


def test_numbered_topics_with_outcomes_and_owners() -> None:
    text = (
        "1. Budget: approved, 12k for Q2.\n"
        "2. Hiring: Paula to schedule interviews with the two finalists.\n"
        "3. Office move: postponed to January.\n"
    )
    m = _mins(text)
    assert [a.text for a in m.agreements] == ["Budget: approved, 12k for Q2",
                                             "Office move: postponed to January"]
    assert [(a.owner, a.task) for a in m.action_items] == [
        ("Paula", "schedule interviews with the two finalists")
    ]


def test_markdown_tables_of_actions_and_decisions() -> None:
    text = (
        "## Action items\n\n"
        "| Owner | Task | Due |\n"
        "|-------|------|-----|\n"
        "| Maya | Send the contract draft | Friday |\n"
        "| @li | Book the venue | 2024-04-02 |\n"
        "| all | Review the agenda | |\n\n"
        "## Decisions\n"
        "| Decision |\n|---|\n| Launch in May |\n"
    )
    m = _mins(text)
    assert [(a.owner, a.task, a.due) for a in m.action_items] == [
        ("Maya", "Send the contract draft", dt.date(2024, 3, 8)),
        ("li", "Book the venue", dt.date(2024, 4, 2)),
        (None, "Review the agenda", None),
    ]
    assert [a.text for a in m.agreements] == ["Launch in May"]


def test_resolution_mixing_a_decision_and_an_assignment_yields_both() -> None:
    m = _mins("**Resolution:** Accept the proposal. @btmills will write the RFC.\n")
    assert [a.text for a in m.agreements] == ["Accept the proposal"]
    assert [(a.owner, a.task) for a in m.action_items] == [("btmills", "write the RFC")]


def test_requests_to_everyone_have_no_owner() -> None:
    text = (
        "* The parser rewrite has an open design issue, please weigh in there.\n"
        "* Docs survey is live. Fill out the form!\n"
        "* Please let us know if you did not get the invite.\n"
    )
    m = _mins(text)
    assert [a.owner for a in m.action_items] == [None, None]
    first, second = (a.task for a in m.action_items)
    # a one-word task keeps its context so the recap stays readable
    assert first == "weigh in there (The parser rewrite has an open design issue)"
    assert second == "Fill out the form"


def test_a_skipped_subsection_ends_at_the_next_heading_of_its_level() -> None:
    text = (
        "## Minutes\n"
        "### Review of last meeting\n"
        "* Ana will fix the build (done)\n"
        "### Release team\n"
        "No objections to one release team for all branches.\n"
        "* Strategic initiative on CMake: next step is to open a PR, removing from agenda\n"
        "* Vote: we agree our goal is to drop the legacy API: Yes/No\n"
    )
    m = _mins(text)
    assert [a.text for a in m.agreements] == [
        "No objections to one release team for all branches",
        "Strategic initiative on CMake: next step is to open a PR, removing from agenda",
    ]
    assert [(a.owner, a.task) for a in m.action_items] == [(None, "open a PR")]


@pytest.mark.parametrize(
    ("text", "iso", "zone"),
    [
        ("Wed 9 Dec 2020 16:00-17:00 UTC", "2020-12-09T16:00:00+00:00", "UTC"),
        ("2020-12-09T16:00Z", "2020-12-09T16:00:00+00:00", "UTC"),
        ("2020-12-09T16:00:00+01:00", "2020-12-09T16:00:00+01:00", "+01:00"),
        ("2020-12-09 16:00", "2020-12-09T16:00:00", None),
        ("9 Dec 3pm - 4pm ET", "2020-12-09T15:00:00-05:00", "America/New_York"),
        ("Wednesday, 9 December, 15:00 CET (14:00 UTC)", "2020-12-09T15:00:00+01:00", "Europe/Berlin"),
        ("9/12 at 15:00 UTC+1", "2020-12-09T15:00:00+01:00", "+01:00"),
        ("2017-03-09 2000 UTC (Thursday 12pm US Pacific)", "2017-03-09T20:00:00+00:00", "UTC"),
        ("9 Dec 16:00 Lisbon time", "2020-12-09T16:00:00+00:00", "Europe/Lisbon"),
        ("9 Dec 10:00 São Paulo time", "2020-12-09T10:00:00-03:00", "America/Sao_Paulo"),
        ("Dec 10 2pm UTC", "2020-12-10T14:00:00+00:00", "UTC"),
        ("9 Dec 10:00 Nowhere time", "2020-12-09T10:00:00", None),
    ],
)
def test_next_meeting_formats(text: str, iso: str, zone: str | None) -> None:
    got = parse_next_meeting(text, today=dt.date(2017, 3, 1) if "2017" in text else dt.date(2020, 12, 2))
    assert got is not None
    assert got.start.isoformat() == iso and got.zone == zone


def test_a_scheduling_mail_is_not_read_as_minutes() -> None:
    m = _mins("Can we meet Tuesday at 3pm? Anna will join too. I will send the invite.")
    assert m == Minutes()


def test_chat_log_lines_read_like_scribe_minutes() -> None:
    text = (
        "[10:01] <pat> topic: Web USB review\n"
        "[10:02] <dee> I'll take an action to ping the WG chairs\n"
        "[10:03] <pat> punt for two weeks?\n"
        "[10:03] <dee> sgtm\n"
        "<tor> ACTION: hal to draft the feedback\n"
    )
    m = _mins(text)
    assert [(a.owner, a.task) for a in m.action_items] == [
        ("dee", "ping the WG chairs"),
        ("hal", "draft the feedback"),
    ]
    assert [a.text for a in m.agreements] == ["punt for two weeks"]


# --- the cheap pre-checks (word gates) must never change what is found ------------------------

_GATE_WORDS = (
    # owners, commitments and requests
    "Maria will", "Niko to", "@bob", "we should", "I'll", "I can take", "My plan is to", "please",
    "todo:", "next step is to", "the ask is to", "volunteers to", "Will", "WİLL", "ſhould",
    "send the draft", "review the release", "update the docs", "fix it",
    # agreements, deferrals, votes
    "we agreed to", "agreed", "decided", "we decıded to", "resolved:", "consensus was", "+1 from all",
    "no objections", "no objectıons", "all in favor", "unanimously", "unanımously", "approved",
    "the motion carried", "vote passed", "removed it from the agenda", "punted", "tabled",
    "defer", "revisit next week", "let it sit", "continue the discussion", "SGTM", "yes",
    # hedges, conditions, negations
    "maybe", "if needed", "unless", "when we have time", "see whether", "unable to", "not agreed",
    "did not agree", "disagree", "this", "it", "the proposal",
    # dates and times
    "by Friday", "next Tuesday", "tomorrow", "eod", "end of month", "end of Q3", "by the 15th",
    "12/3", "2026-03-20", "at 3pm", "at noon CET", "by the next meeting",
    # links and punctuation
    "https://github.com/o/r/pull/4", "(details)", ".", ",", ";", ":", "?", "!", " - ", "and", "so",
)
_GATE_PREFIXES = ("", "", "- ", "* [ ] ", "## ", "Action: ", "Resolution: ", "Maria: ", "Next meeting: ")


@st.composite
def _gate_notes(draw: st.DrawFn) -> str:
    lines = []
    for _ in range(draw(st.integers(1, 8))):
        words = draw(st.lists(st.sampled_from(_GATE_WORDS), min_size=1, max_size=6))
        lines.append(draw(st.sampled_from(_GATE_PREFIXES)) + " ".join(words))
    return "\n".join(lines)


@settings(max_examples=150, deadline=None)
@given(_gate_notes())
def test_word_gates_change_nothing(text: str) -> None:
    fast = _mins(text)
    with pytest.MonkeyPatch.context() as mp:  # every gate open: each pattern runs on every line
        mp.setattr(minutes_module, "_has_any", lambda low, words: True)
        mp.setattr(minutes_module, "_has_keyed", lambda low, groups: True)
        mp.setattr(minutes_module, "_prose_may_find", lambda text, low: True)
        mp.setattr(minutes_module, "_opens_with", lambda low, words: True)
        mp.setattr(minutes_module, "_closes_with", lambda low, words: True)
        slow = _mins(text)
    assert fast == slow


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(("this", "that", "it", "them", "the pr", "the proposal", "bit", "The",
                                 "issue", " ", "  ", ".", "!", "\n", "\t", "x")), max_size=8))
def test_vague_reference_test_matches_its_pattern(parts: list[str]) -> None:
    text = "".join(parts)
    assert minutes_module._vague_ref(text) == bool(minutes_module._VAGUE_REF.search(text))


# --- the exact shortcuts of the fast paths must agree with the patterns they stand in for -------

_SPLIT_PARTS = ("a", "B", ".", " ", "  ", ",", ", and", "!", "?", ";", "-", " - ", "(", ")", ":", "\t", "\n",
                "x.", ". A", "—", " —", "\xa0", "will", "Ann", "@bo", "to", " ... ")


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_SPLIT_PARTS), max_size=8))
def test_clauses_match_the_clause_pattern(parts: list[str]) -> None:
    text = "".join(parts)
    want = [c.strip() for c in minutes_module._CLAUSE_SPLIT.split(text) if c and c.strip()][:40]
    assert minutes_module._clauses(text) == want


_WEEKDAY_PARTS = ("next", "this", "coming", "  ", "Mon", "tuesday", "fri", "sun.", "summon", "by", "on", "x",
                  "\t", "Thurs", "wed", " ", ".", "NEXT", "Coming", "İ")


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_WEEKDAY_PARTS), max_size=8))
def test_weekday_scan_start_misses_no_match(parts: list[str]) -> None:
    text = " ".join(parts) if len(parts) % 2 else "".join(parts)
    start = minutes_module._weekday_scan_start(text, minutes_module._fold(text))
    every = [(m.span(), m.groups()) for m in minutes_module._WEEKDAY.finditer(text)]
    assert every == ([(m.span(), m.groups()) for m in minutes_module._WEEKDAY.finditer(text, start)]
                     if start >= 0 else [])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_WEEKDAY_PARTS), max_size=8))
def test_first_stem_is_where_the_stem_pattern_matches(parts: list[str]) -> None:
    low = minutes_module._fold("".join(parts))
    m = minutes_module._WEEKDAY_STEM.search(low)
    assert minutes_module._first_stem(low) == (m.start() if m else -1)


@pytest.mark.parametrize("qualifier", [None, "next", "Next", "this", "coming"])
def test_weekday_after_steps_as_timedelta_does(qualifier: str | None) -> None:
    def plain(today: dt.date, wd: int, q: str | None) -> dt.date:
        q = (q or "").lower()
        if q == "next":
            return today + dt.timedelta(days=7 - today.weekday()) + dt.timedelta(days=wd)
        if q == "this" and wd >= today.weekday():
            return today + dt.timedelta(days=wd - today.weekday())
        return today + dt.timedelta(days=(wd - today.weekday()) % 7 or 7)

    for start in range(7):
        today = dt.date(2026, 3, 2) + dt.timedelta(days=start)
        for wd in range(7):
            assert minutes_module._weekday_after(today, wd, qualifier) == plain(today, wd, qualifier)


def test_section_patterns_are_anchored_at_the_start() -> None:
    # _section_kind uses .match(): the same as .search() only while every branch starts with "^"
    import re._constants as sre_c
    import re._parser as sre_p

    from mailflow import minutes_lexicon as lx

    for pattern, _kind in lx.SECTION_WORDS:
        items = list(sre_p.parse(pattern.pattern))
        if len(items) == 1 and items[0][0] == sre_c.BRANCH:
            firsts = [list(branch)[0] for branch in items[0][1][1]]
        else:
            firsts = [items[0]]
        assert all(first == (sre_c.AT, sre_c.AT_BEGINNING) for first in firsts), pattern.pattern


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(("Ab", "AB", "a", "Élan", "Ünter", "_Ab", "1Ab", "Ab1", " ", "\n", "Abc.", "xAb",
                                 "Zz", "É", "Ab_", "ſAb")), max_size=8))
def test_capital_word_pattern_is_the_plain_one(parts: list[str]) -> None:
    text = "".join(parts)
    assert minutes_module._CAP_WORD.findall(text) == re.findall(r"\b[A-Z][a-z]{1,30}\b", text)


_UNANIMOUS_PARTS = ("+1", ":+1:", "👍", "from", "all", "everyone", "Everybody", "the whole team", "no", "objection",
                    "objections", "in favour", "in favor", "agree", "agreed", "Topic:", ":", "approved", "passed",
                    "carried", "unanimously", "disagreement", "removed", "took", "it", "off", "the", "agenda",
                    "motion", "vote", "passes", "is", "been", "ratified", "deferred", ",", ".", "x", "İs")


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_UNANIMOUS_PARTS), min_size=1, max_size=7))
def test_unanimity_gate_lets_every_match_through(parts: list[str]) -> None:
    text = " ".join(parts)
    if minutes_module.lx.UNANIMOUS.search(text):
        assert minutes_module._may_be_unanimous(minutes_module._fold(text))


_KEYED_PARTS = ("will", "wil", "'ll", "’ll", "should", "agree", "agenda", "+1", "👍", "defer", "let", "let ", "in favo",
                "Zq", "x", " ", ". ", "! ", "?", " - ", " – ", "—", " (", ")", ", ", ":", "maybe", "’d like", "İ", "\t")


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_KEYED_PARTS), max_size=8))
def test_keyed_word_test_is_the_plain_one(parts: list[str]) -> None:
    text = "".join(parts)
    for words in (minutes_module._PROSE_WORDS, minutes_module._AGREE_OR_DEFER_WORDS, minutes_module._AGREE_WORDS,
                  minutes_module.lx.DEFER_WORDS, minutes_module._HEDGE_WORDS, minutes_module._UNANIMOUS_WORDS,
                  minutes_module._CLAUSE_SEPARATORS, (". ", "! ", "? "), minutes_module._COMMIT_ENDS,
                  minutes_module._ASK_WORDS):
        groups = minutes_module._keyed(words)
        assert sorted(w for _key, ws in groups for w in ws) == sorted(words)
        assert minutes_module._has_keyed(text, groups) == minutes_module._has_any(text, words)
    assert minutes_module._PROSE_KEYED == minutes_module._keyed(minutes_module._PROSE_WORDS)
    assert minutes_module._HEDGE_KEYED == minutes_module._keyed(minutes_module._HEDGE_WORDS)


_LABEL_PARTS = ("Action", "items", "a", "Z", "é", "1", " ", "  ", ":", "::", "/", "&", "'", "-", "\t", "\n", "\xa0",
                "x" * 20, ".", "_")


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_LABEL_PARTS), max_size=8))
def test_label_only_matches_its_pattern(parts: list[str]) -> None:
    text = "".join(parts)
    m = minutes_module._LABEL_ONLY.match(text)
    assert minutes_module._label_only(text) == (m.group(1) if m else None)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(("to", "To", "t", "o", " ", "\t", "\n", "\xa0", "\u2028", "x", "too")), max_size=6))
def test_to_space_matches_its_pattern(parts: list[str]) -> None:
    text = "".join(parts)
    assert minutes_module._to_space(text) == (minutes_module._TO_SPACE.search(text) is not None)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(("Ab", "q3", "x", "1", " ", "\t", "\n", "\xa0", ".", "(", ")", "-", "_", "é", "İ", "K",
                                 "ſ", "can't", "@bo", "a.b")), max_size=8))
def test_tokens_are_the_word_pattern_s(parts: list[str]) -> None:
    text = "".join(parts)
    assert minutes_module._toks(text) == minutes_module._WORDS.findall(text.lower())


@pytest.mark.parametrize("name", ["Europe/Paris", "UTC", "+00:00", "Mars/Olympus", "", "../etc", "/abs"])
def test_zone_lookup_is_zoneinfo_s(name: str) -> None:
    for _ in range(2):  # (the second answer comes from the table)
        try:
            want: dt.tzinfo | None = zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            want = None
        assert minutes_module._zone_info(name) is want
