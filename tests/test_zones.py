"""zones.py: wall time <-> instant, DST gaps/folds, a time shown in every party's zone, warnings."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from mailflow.model import Participant, TimeMention
from mailflow.zones import (
    describe_mention,
    occurrences,
    one_line,
    render_in_zones,
    series_warnings,
    slot_warnings,
    wall_to_instant,
    zone_for_place,
    zone_label,
)

UTC = dt.UTC
LON, NYC, TYO = "Europe/London", "America/New_York", "Asia/Tokyo"


def wall(*parts: int) -> dt.datetime:
    """A naive wall-clock time (what a person writes, zone given separately)."""
    return dt.datetime(*parts)  # noqa: DTZ001


def who(name: str, zone: str | None, **kw: object) -> Participant:
    return Participant(name=name, addr=f"{name.lower()}@example.org", zone=zone, zone_source="config", **kw)  # type: ignore[arg-type]


def diff(a: str, b: str, at: dt.datetime) -> dt.timedelta:
    return at.astimezone(ZoneInfo(a)).utcoffset() - at.astimezone(ZoneInfo(b)).utcoffset()  # type: ignore[operator]


# --- US/EU DST mismatch weeks, 2025-2027 ----------------------------------------------------------
# US: second Sunday of March / first Sunday of November; EU: last Sunday of March / October.
MISMATCH = {
    2025: (dt.date(2025, 3, 9), dt.date(2025, 3, 30), dt.date(2025, 10, 26), dt.date(2025, 11, 2)),
    2026: (dt.date(2026, 3, 8), dt.date(2026, 3, 29), dt.date(2026, 10, 25), dt.date(2026, 11, 1)),
    2027: (dt.date(2027, 3, 14), dt.date(2027, 3, 28), dt.date(2027, 10, 31), dt.date(2027, 11, 7)),
}


@pytest.mark.parametrize("year", sorted(MISMATCH))
def test_us_eu_mismatch_weeks_have_four_hour_difference(year: int) -> None:
    us_spring, eu_spring, eu_autumn, us_autumn = MISMATCH[year]
    noon = dt.time(12)
    for day in (us_spring + dt.timedelta(days=1), eu_spring - dt.timedelta(days=1),
                eu_autumn + dt.timedelta(days=1), us_autumn - dt.timedelta(days=1)):
        at = dt.datetime.combine(day, noon, tzinfo=UTC)
        assert diff(LON, NYC, at) == dt.timedelta(hours=4), day
    for day in (us_spring - dt.timedelta(days=1), eu_spring + dt.timedelta(days=1),
                eu_autumn - dt.timedelta(days=1), us_autumn + dt.timedelta(days=1)):
        at = dt.datetime.combine(day, noon, tzinfo=UTC)
        assert diff(LON, NYC, at) == dt.timedelta(hours=5), day


@pytest.mark.parametrize("year", sorted(MISMATCH))
def test_slot_in_mismatch_week_warns_when_booked_outside_it(year: int) -> None:
    us_spring, eu_spring, _eu_autumn, _us_autumn = MISMATCH[year]
    start = dt.datetime.combine(us_spring + dt.timedelta(days=3), dt.time(15), tzinfo=ZoneInfo(LON))
    now = dt.datetime(year, 1, 15, 12, tzinfo=UTC)
    ws = slot_warnings(start, start + dt.timedelta(hours=1), [who("Ann", LON), who("Bob", NYC)], now=now)
    # London is 4 h ahead of New York on the meeting day (mismatch week), 5 h ahead in January
    assert any("time difference" in w and "London (GMT) is 4 h ahead of New York (EDT)" in w
               and "today it is 5 h ahead (" in w for w in ws), ws
    # the same slot booked inside the mismatch window: no offset warning
    ws2 = slot_warnings(start, start + dt.timedelta(hours=1), [who("Ann", LON), who("Bob", NYC)],
                        now=dt.datetime.combine(eu_spring - dt.timedelta(days=2), dt.time(9), tzinfo=UTC))
    assert not any("time difference" in w for w in ws2)


@pytest.mark.parametrize("year", sorted(MISMATCH))
def test_autumn_mismatch_week_in_one_line(year: int) -> None:
    _a, _b, eu_autumn, _us_autumn = MISMATCH[year]
    start = dt.datetime.combine(eu_autumn + dt.timedelta(days=2), dt.time(15), tzinfo=ZoneInfo(LON))
    line = one_line(start, [who("Ann", LON), who("Bob", NYC)])
    assert "15:00 in London (GMT)" in line
    assert "11:00" in line and "New York (EDT)" in line


def test_sydney_and_santiago_change_in_april() -> None:
    before = dt.datetime(2025, 4, 1, 12, tzinfo=UTC)
    after = dt.datetime(2025, 4, 10, 12, tzinfo=UTC)
    assert diff("Australia/Sydney", LON, before) == dt.timedelta(hours=10)
    assert diff("Australia/Sydney", LON, after) == dt.timedelta(hours=9)
    assert diff("America/Santiago", LON, before) == dt.timedelta(hours=-4)
    assert diff("America/Santiago", LON, after) == dt.timedelta(hours=-5)
    ws = slot_warnings(after, after + dt.timedelta(hours=1),
                       [who("Ann", LON), who("Syd", "Australia/Sydney"), who("Sam", "America/Santiago")],
                       now=before)
    assert sum("time difference" in w for w in ws) >= 2, ws


def test_half_and_quarter_hour_zones() -> None:
    instant = dt.datetime(2025, 12, 2, 15, 0, tzinfo=UTC)
    people = [who("Ann", "UTC"), who("Ira", "Asia/Kolkata"), who("Nel", "America/St_Johns"),
              who("Kam", "Asia/Kathmandu"), who("Cha", "Pacific/Chatham")]
    lines = {ln.zone: ln for ln in render_in_zones(instant, people)}
    assert lines["Asia/Kolkata"].local.strftime("%H:%M") == "20:30"
    assert lines["America/St_Johns"].local.strftime("%H:%M") == "11:30"
    assert lines["Asia/Kathmandu"].local.strftime("%H:%M") == "20:45"
    assert lines["Pacific/Chatham"].local.strftime("%d %H:%M") == "03 04:45"
    assert lines["Pacific/Chatham"].day_shift == 1
    text = one_line(instant, people)
    assert "20:30 in Kolkata (IST)" in text
    assert "04:45 Wed 3 Dec in Chatham" in text


def test_meeting_across_the_date_line() -> None:
    instant = dt.datetime(2025, 6, 2, 20, 0, tzinfo=UTC)  # Mon 10:00 Honolulu
    lines = render_in_zones(instant, [who("Hal", "Pacific/Honolulu"), who("Ana", "Pacific/Apia")])
    assert lines[0].local.strftime("%a %H:%M") == "Mon 10:00"
    assert lines[1].local.strftime("%a %H:%M") == "Tue 09:00"
    assert lines[1].day_shift == 1
    assert "Tue 3 Jun in Apia" in one_line(instant, [who("Hal", "Pacific/Honolulu"), who("Ana", "Pacific/Apia")])


def test_one_line_spells_out_day_changes_and_locale_clock() -> None:
    instant = dt.datetime(2025, 12, 2, 15, 0, tzinfo=ZoneInfo(LON))
    people = [who("Ann", LON), who("Bob", NYC, locale="en_US"), who("Kei", TYO)]
    text = one_line(instant, people)
    assert text.startswith("Tue, 2 Dec 2025, 15:00 in London (GMT)")
    assert "10:00 AM in New York (EST)" in text
    assert "00:00 Wed 3 Dec in Tokyo (JST)" in text
    lines = render_in_zones(instant, people)
    assert [ln.label for ln in lines] == ["London (GMT)", "New York (EST)", "Tokyo (JST)"]
    assert lines[1].text == "Tue, Dec 2, 10:00 AM"
    assert [ln.day_shift for ln in lines] == [0, 0, 1]


def test_render_skips_unknown_zones_and_merges_shared_zone() -> None:
    instant = dt.datetime(2025, 7, 1, 9, tzinfo=UTC)
    lines = render_in_zones(instant, [who("Ann", LON), who("Al", LON), who("Zed", None)])
    assert len(lines) == 1 and lines[0].name == "" and lines[0].label == "London (BST)"


def test_wall_to_instant_gap_fold_and_offsets() -> None:
    got, doubt = wall_to_instant(wall(2025, 3, 30, 1, 30), LON)
    assert doubt and doubt.startswith("nonexistent local time (DST gap)")
    assert got.astimezone(UTC) == dt.datetime(2025, 3, 30, 1, 30, tzinfo=UTC)
    got, doubt = wall_to_instant(wall(2025, 10, 26, 1, 30), LON)
    assert doubt and doubt.startswith("ambiguous local time (DST fold)")
    assert got.astimezone(UTC) == dt.datetime(2025, 10, 26, 0, 30, tzinfo=UTC)
    got, doubt = wall_to_instant(wall(2025, 10, 26, 1, 30), "+05:30")
    assert doubt is None and got.utcoffset() == dt.timedelta(hours=5, minutes=30)
    got, doubt = wall_to_instant(wall(2025, 7, 1, 9), NYC)
    assert doubt is None and got.utcoffset() == dt.timedelta(hours=-4)
    with pytest.raises(ValueError):
        wall_to_instant(wall(2025, 7, 1, 9), "Mars/Olympus")


def test_slot_warnings_hours_weekend_holiday() -> None:
    start = dt.datetime(2025, 12, 25, 15, 0, tzinfo=ZoneInfo(LON))  # Thursday, Christmas
    people = [who("Ann", LON, country="GB"), who("Kei", TYO, country="JP")]
    ws = slot_warnings(start, start + dt.timedelta(hours=1), people, now=start - dt.timedelta(days=3))
    assert any("public holiday in GB" in w for w in ws)
    assert any("outside Kei's working hours" in w for w in ws)
    sat = dt.datetime(2025, 12, 27, 10, 0, tzinfo=ZoneInfo(LON))
    ws = slot_warnings(sat, sat + dt.timedelta(hours=1), people[:1], now=sat)
    assert any("weekend" in w for w in ws)
    ok = dt.datetime(2025, 12, 2, 10, 0, tzinfo=ZoneInfo(LON))
    assert slot_warnings(ok, ok + dt.timedelta(hours=1), people[:1], now=ok) == ()


def test_occurrences_keep_organiser_wall_time_across_dst() -> None:
    occ = occurrences("FREQ=WEEKLY;BYDAY=TU", wall(2025, 10, 14, 9, 0), LON, count=4)
    assert [o.astimezone(ZoneInfo(LON)).hour for o in occ] == [9, 9, 9, 9]
    assert [o.astimezone(UTC).hour for o in occ] == [8, 8, 9, 9]
    ws = series_warnings("FREQ=WEEKLY;BYDAY=TU", wall(2025, 10, 14, 9, 0), LON,
                         [who("Ann", LON), who("Bob", NYC)], count=6)
    assert any("Bob" in w and "28 Oct 2025" in w and "05:00" in w for w in ws), ws
    assert any("Bob" in w and "04 Nov 2025" in w and "04:00" in w for w in ws), ws


def test_series_flags_nonexistent_occurrences() -> None:
    ws = series_warnings("FREQ=DAILY", wall(2025, 3, 28, 1, 30), LON, [], count=4)
    assert any("nonexistent" in w and "30 Mar 2025" in w for w in ws)


def test_occurrences_capped() -> None:
    assert len(occurrences("FREQ=DAILY", wall(2025, 1, 1, 9), LON, count=10**9)) == 500


@pytest.mark.parametrize(
    ("place", "zone"),
    [("London", LON), ("Lagos", "Africa/Lagos"), ("New York", NYC), ("india", "Asia/Kolkata"),
     ("Kathmandu", "Asia/Kathmandu"), ("Europe/Berlin", "Europe/Berlin"), ("Ulaanbaatar", "Asia/Ulaanbaatar"),
     ("Nowhere Town", None), ("", None)],
)
def test_zone_for_place(place: str, zone: str | None) -> None:
    assert zone_for_place(place) == zone


def test_zone_label_offsets() -> None:
    at = dt.datetime(2025, 1, 1, tzinfo=UTC)
    assert zone_label("+05:30", at) == "UTC+5:30"
    assert zone_label("UTC", at) == "UTC"
    assert zone_label("America/Sao_Paulo", at) == "Sao Paulo (UTC-3)"


def test_describe_mention() -> None:
    m = TimeMention(text="3pm", span=(0, 3), start=dt.datetime(2025, 12, 2, 15, tzinfo=ZoneInfo(LON)),
                    end=None, grain="hour", zone=LON, doubt="x")
    out = describe_mention(m, zones=(LON, NYC))
    assert "15:00 in London (GMT)" in out and "10:00 in New York (EST)" in out and "doubt: x" in out


def test_series_holidays_until_utc_and_bad_rules() -> None:
    ws = series_warnings("FREQ=WEEKLY;BYDAY=TH", wall(2025, 12, 4, 10, 0), LON,
                         [who("Ann", LON, country="GB")], count=4)
    assert any("25 Dec 2025" in w and "Christmas" in w for w in ws), ws
    occ = occurrences("FREQ=WEEKLY;UNTIL=20251230T000000Z", wall(2025, 12, 2, 9, 0), LON, count=10)
    assert len(occ) == 4
    with pytest.raises(ValueError):
        occurrences("garbage", wall(2025, 12, 2, 9, 0), LON, count=3)


def test_tzinfo_for_offsets_and_junk() -> None:
    from mailflow.zones import tzinfo_for

    assert tzinfo_for("+05:30").utcoffset(None) == dt.timedelta(hours=5, minutes=30)  # type: ignore[union-attr]
    assert tzinfo_for("UTC−3").utcoffset(None) == dt.timedelta(hours=-3)  # type: ignore[union-attr]
    assert tzinfo_for("-0800").utcoffset(None) == dt.timedelta(hours=-8)  # type: ignore[union-attr]
    for junk in ("A5", "+25:00", "", "Mars/Base", "x" * 100, None):
        assert tzinfo_for(junk) is None
