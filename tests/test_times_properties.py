"""Property tests over every IANA zone and instants 1990-2040 (hypothesis)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mailflow.model import Participant
from mailflow.times import find_times
from mailflow.zones import one_line, render_in_zones, wall_to_instant

ZONES = sorted(z for z in zoneinfo.available_timezones() if not z.startswith(("posix/", "right/")))
LO = dt.datetime(1990, 1, 1, tzinfo=dt.UTC)
HI = dt.datetime(2040, 12, 31, tzinfo=dt.UTC)

zones = st.sampled_from(ZONES)
instants = st.integers(min_value=0, max_value=int((HI - LO).total_seconds() // 60)).map(
    lambda minutes: LO + dt.timedelta(minutes=minutes)
)
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _is_second_of_fold(local: dt.datetime) -> bool:
    """True when this aware local time is the later of two equal wall times."""
    tz = local.tzinfo
    wall = local.replace(tzinfo=None)
    a, b = wall.replace(tzinfo=tz, fold=0), wall.replace(tzinfo=tz, fold=1)
    return a.utcoffset() != b.utcoffset() and local.utcoffset() == b.utcoffset() and local.fold == 1


@SETTINGS
@given(zone=zones, instant=instants)
def test_instant_to_wall_and_back_is_identity(zone: str, instant: dt.datetime) -> None:
    local = instant.astimezone(ZoneInfo(zone))
    back, doubt = wall_to_instant(local.replace(tzinfo=None), zone)
    if _is_second_of_fold(local):
        assert doubt is not None and "ambiguous" in doubt
        assert back < instant
    else:
        assert back == instant
        if doubt is not None:
            assert "ambiguous" in doubt  # the first of two equal wall times


def _transition(zone: str, start: dt.datetime) -> tuple[dt.datetime, dt.timedelta, dt.timedelta] | None:
    """The first offset change of zone within a year after start: (instant, before, after)."""
    tz = ZoneInfo(zone)
    lo, hi = start, start + dt.timedelta(days=366)
    step = dt.timedelta(days=15)
    t = lo
    off = lo.astimezone(tz).utcoffset()
    while t < hi:
        nxt = t + step
        if nxt.astimezone(tz).utcoffset() != off:
            a, b = t, nxt
            while b - a > dt.timedelta(minutes=1):
                mid = a + (b - a) / 2
                mid = mid.replace(second=0, microsecond=0)
                if mid <= a:
                    break
                if mid.astimezone(tz).utcoffset() == off:
                    a = mid
                else:
                    b = mid
            after = b.astimezone(tz).utcoffset()
            assert off is not None and after is not None
            return b, off, after
        t = nxt
    return None


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(zone=zones, instant=instants, frac=st.floats(min_value=0.0, max_value=0.999))
def test_gap_and_fold_wall_times_are_always_flagged(zone: str, instant: dt.datetime, frac: float) -> None:
    found = _transition(zone, instant)
    if found is None:
        return
    when, before, after = found
    jump = after - before
    if jump > dt.timedelta(0):  # clocks go forward: walls in [old wall, old wall + jump) do not exist
        wall = (when + before).replace(tzinfo=None) + dt.timedelta(minutes=int(jump.total_seconds() / 60 * frac))
        _inst, doubt = wall_to_instant(wall, zone)
        assert doubt is not None and "nonexistent" in doubt, (zone, wall)
    elif jump < dt.timedelta(0):  # clocks go back: walls in [new wall, new wall + |jump|) happen twice
        wall = (when + after).replace(tzinfo=None) + dt.timedelta(minutes=int(-jump.total_seconds() / 60 * frac))
        _inst, doubt = wall_to_instant(wall, zone)
        assert doubt is not None and "ambiguous" in doubt, (zone, wall)


@SETTINGS
@given(
    zone=zones,
    other=zones,
    instant=instants,
    locale=st.sampled_from(["en_GB", "en_US", "en_IE", "en_AU", "en_IN"]),
)
def test_rendered_local_times_reparse_to_the_same_instant(
    zone: str, other: str, instant: dt.datetime, locale: str
) -> None:
    people = [
        Participant(name="A", addr="a@x", zone=zone, zone_source="config", locale=locale),
        Participant(name="B", addr="b@x", zone=other, zone_source="config", locale="en_GB"),
    ]
    for line in render_in_zones(instant, people):
        ref = (instant - dt.timedelta(days=2)).astimezone(ZoneInfo(line.zone))
        found = find_times(line.text, ref=ref, zone=line.zone)
        assert found, line.text
        m = found[0]
        if _is_second_of_fold(line.local):
            assert m.doubt is not None and "ambiguous" in m.doubt
        else:
            assert m.start == instant, (line.text, line.zone, m)
    # the first part of one_line names the date and clock of the first zone
    text = one_line(instant, people)
    head = text.split(" in ", 1)[0]
    found = find_times(head, ref=instant - dt.timedelta(days=400), zone=zone)
    assert found
    if not _is_second_of_fold(instant.astimezone(ZoneInfo(zone))):
        assert found[0].start == instant, (head, zone)


_WORDS = ["at", "on", "3pm", "15:00", "Tue", "tomorrow", "next", "week", "12/03", "2025-12-02", "-", "to",
          "or", "EST", "IST", "UTC+5:30", "every", "other", "noon", "half", "past", "two", "the", "3rd",
          "of", "May", "99999", "0", "24:00", "31", "Feb", "29", "my", "your", "time", "London", ",", "."]


@settings(max_examples=300, deadline=None)
@given(
    text=st.one_of(st.text(max_size=200), st.lists(st.sampled_from(_WORDS), max_size=25).map(" ".join)),
    zone=zones,
    instant=instants,
    order=st.sampled_from(["DMY", "MDY"]),
)
def test_find_times_never_raises_and_mentions_are_well_formed(
    text: str, zone: str, instant: dt.datetime, order: str
) -> None:
    found = find_times(text, ref=instant, zone=zone, party_zones=("Europe/Dublin",), date_order=order)
    for m in found:
        assert m.start.tzinfo is not None
        assert 0 <= m.span[0] < m.span[1] <= len(text)
        assert text[m.span[0]: m.span[1]] == m.text
        assert m.end is None or m.end >= m.start
        assert m.status == "mentioned"
