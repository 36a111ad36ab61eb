"""The literal-word shortcuts give exactly what the patterns they stand for give."""

from __future__ import annotations

import datetime as dt
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from mailflow import meetings, people
from mailflow.model import TimeMention
from mailflow.needles import first_match, lowered, starts

# words the shortcuts look for, words that look like them, the characters re.IGNORECASE folds
# differently from str.lower(), punctuation that ends sentences and line breaks of every kind
PIECES = (
    "I'm", "I’m", "IM", "im", "i am", "We're", "were", "we are", "here in", "Based in", "located in",
    "office in", "writing from", "my", "MY", "myself", "Lagos", "Paris time", "CET", "on", "in",
    "cancel", "Cancelled", "call off", "can't make it", "confirmed", "agreed", "works for me",
    "see you then", "booked", "let's meet", "sounds good", "how about", "would that work",
    "are you free", "can we meet", "proposal", "suggest", "available", "options", "for an hour",
    "for 30 minutes", "FOR 2 hrs", "https://zoom.us/j/1", "HTTP://meet.jit.si/x", "http://x.test",
    "Friday", "3pm", "at 10:00", " ", " ", "  ", ".", "!", "?", ",", "\n", "\r\n", "\r", "\x0b",
    "\u2028", "\u0130", "\u0131", "\u017f", "\u212a", "é", "ß", "_", "x",
)
texts = st.lists(st.sampled_from(PIECES), max_size=60).map("".join)


def test_lowered_refuses_texts_where_lower_and_ignorecase_disagree() -> None:
    assert lowered("Meet ON Friday") == "meet on friday"
    assert lowered("\u0130stanbul") is None  # lower() is longer: positions would shift
    assert lowered("ba\u017fed in") is None  # re.I reads long s as "s", lower() does not
    assert lowered("") == ""


def test_starts_finds_every_occurrence_in_order() -> None:
    assert starts("abab", ("ab", "b")) == [0, 1, 2, 3]
    assert starts("aaa", ("aa",)) == [0, 1]  # overlapping occurrences are kept
    assert starts("xyz", ("q",)) == []


@settings(max_examples=400, deadline=None)
@given(texts)
def test_first_match_is_search(text: str) -> None:
    for rx, words in ((meetings._DURATION, ("for ",)), (meetings._LINK, ("http",))):
        want, got = rx.search(text), first_match(rx, text, words)
        assert (want and (want.span(), want.group())) == (got and (got.span(), got.group()))


def test_first_match_in_a_text_with_a_fold_character() -> None:
    text = "ok for 2 hour\u017f"  # "hourſ" is "hours" to re.IGNORECASE
    assert first_match(meetings._DURATION, text, ("for ",)).group(2) == "hour\u017f"  # type: ignore[union-attr]


@settings(max_examples=400, deadline=None)
@given(texts)
def test_trigger_lines_are_the_lines_the_pattern_finds(text: str) -> None:
    lines = text.splitlines()
    want = {i for i, ln in enumerate(lines) if people._TRIGGER.search(ln)}
    assert people._trigger_lines(text, lines) == want


def test_stated_zone_on_the_third_line() -> None:
    assert people.stated_zone("Hello all,\r\n\r\nI'm based in Lagos this month.") == "Africa/Lagos"
    assert people.stated_zone("Hello\u2028We are on Paris time") == "Europe/Paris"


def _mentions(text: str) -> tuple[TimeMention, ...]:
    """A mention on every "Friday", "3pm" and "at 10:00" of text, of several grains."""
    out = []
    ref = dt.datetime(2026, 3, 6, 9, tzinfo=dt.UTC)
    for i, m in enumerate(re.finditer(r"Friday|3pm|at 10:00", text)):
        grain = ("day", "hour", "minute", "month")[i % 4]
        out.append(TimeMention(text=m.group(), span=m.span(), start=ref, end=None, grain=grain, zone="UTC"))
    return tuple(out)


@settings(max_examples=400, deadline=None)
@given(texts)
def test_statuses_equal_the_patterns_run_on_every_sentence(text: str) -> None:
    mentions = _mentions(text)
    assert meetings._statuses(text, mentions) == tuple(meetings._with_status(text, m) for m in mentions)


def test_status_of_a_question_and_of_a_far_away_status_word() -> None:
    text = "We agreed on the budget.\nShall we say Friday?\nOr Friday at 3pm, as we confirmed. Fine."
    got = [m.status for m in meetings._statuses(text, _mentions(text))]
    assert got == ["proposed", "agreed", "agreed"]
