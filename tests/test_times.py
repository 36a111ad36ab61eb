"""times.py: finding and resolving time expressions in running text."""

from __future__ import annotations

import datetime as dt
import time
from zoneinfo import ZoneInfo

import pytest

from mailflow.times import find_times

LON = "Europe/London"
# Tuesday 2 December 2025, 10:00 in London
REF = dt.datetime(2025, 12, 2, 10, 0, tzinfo=ZoneInfo(LON))


def first(text: str, **kw: object):  # type: ignore[no-untyped-def]
    args: dict[str, object] = {"ref": REF, "zone": LON}
    args.update(kw)
    found = find_times(text, **args)  # type: ignore[arg-type]
    assert found, f"nothing found in {text!r}"
    return found[0]


def local(m, zone: str = LON) -> str:  # type: ignore[no-untyped-def]
    return m.start.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


@pytest.mark.parametrize(
    ("text", "expected", "grain"),
    [
        ("Can we meet tomorrow at 3pm?", "2025-12-03 15:00", "hour"),
        ("how about Thursday?", "2025-12-04 00:00", "day"),
        ("next Thursday works", "2025-12-11 00:00", "day"),
        ("Tuesday", "2025-12-09 00:00", "day"),  # said on a Tuesday: the next one
        ("on 3 Dec", "2025-12-03 00:00", "day"),
        ("Dec 3rd at 15:00", "2025-12-03 15:00", "minute"),
        ("the 3rd of December, 2026", "2026-12-03 00:00", "day"),
        ("12/03", "2025-03-12 00:00", "day") if False else ("12/03/2026", "2026-03-12 00:00", "day"),
        ("2025-12-09", "2025-12-09 00:00", "day"),
        ("at 3.30pm", "2025-12-02 15:30", "minute"),
        ("at noon", "2025-12-02 12:00", "minute"),
        ("half past two in the afternoon", "2025-12-02 14:30", "minute"),
        ("a quarter to 10 am", "2025-12-02 09:45", "minute"),
        ("in two weeks", "2025-12-16 00:00", "day"),
        ("the week after next", "2025-12-15 00:00", "week"),
        ("next month", "2026-01-01 00:00", "month"),
        ("Friday 9:15", "2025-12-05 09:15", "minute"),
        ("9 tomorrow morning", "2025-12-03 09:00", "hour"),
        ("8 tonight", "2025-12-02 20:00", "hour"),
        ("the first Monday of January", "2026-01-05 00:00", "day"),
        ("on the 19th", "2025-12-19 00:00", "day"),
        ("14:00 on Wed 10 Dec", "2025-12-10 14:00", "minute"),
    ],
)
def test_resolves_common_expressions(text: str, expected: str, grain: str) -> None:
    m = first(text)
    assert local(m) == expected
    assert m.grain == grain
    assert m.status == "mentioned"
    assert text[m.span[0]: m.span[1]] == m.text


def test_date_order_mdy() -> None:
    assert local(first("on 12/03/2026", date_order="MDY")) == "2026-12-03 00:00"
    assert local(first("on 12/03/2026", date_order="DMY")) == "2026-03-12 00:00"
    assert local(first("on 3/15/2026", date_order="DMY")) == "2026-03-15 00:00"  # impossible DMY


def test_ranges_give_start_and_end() -> None:
    m = first("free 2-3pm on Friday")
    assert local(m) == "2025-12-05 14:00"
    assert m.end is not None and m.end.astimezone(ZoneInfo(LON)).strftime("%H:%M") == "15:00"
    m = first("from 9 to 10:30 on Monday")
    assert local(m) == "2025-12-08 09:00"
    assert m.end is not None and m.end.astimezone(ZoneInfo(LON)).strftime("%H:%M") == "10:30"
    m = first("between 11am and 1pm tomorrow")
    assert local(m) == "2025-12-03 11:00"
    assert m.end is not None and m.end.astimezone(ZoneInfo(LON)).strftime("%H:%M") == "13:00"


def test_several_options_share_the_clock() -> None:
    found = find_times("Tue or Wed at 9 works for me", ref=REF, zone=LON)
    assert [local(m) for m in found] == ["2025-12-09 09:00", "2025-12-03 09:00"]
    found = find_times("Monday, Wednesday or Friday at 4pm", ref=REF, zone=LON)
    assert [local(m) for m in found] == ["2025-12-08 16:00", "2025-12-03 16:00", "2025-12-05 16:00"]


def test_zones_attached_to_times() -> None:
    assert first("Thursday 10am EST").start == dt.datetime(2025, 12, 4, 15, 0, tzinfo=dt.UTC)
    assert first("Thursday 10am PT").start == dt.datetime(2025, 12, 4, 18, 0, tzinfo=dt.UTC)
    assert first("9:00 CET on Friday").start == dt.datetime(2025, 12, 5, 8, 0, tzinfo=dt.UTC)
    assert first("at 15:00 UTC+5:30 tomorrow").start == dt.datetime(2025, 12, 3, 9, 30, tzinfo=dt.UTC)
    assert first("at 3pm Asia/Tokyo tomorrow").start == dt.datetime(2025, 12, 3, 6, 0, tzinfo=dt.UTC)
    assert first("3pm New York time on Friday").start == dt.datetime(2025, 12, 5, 20, 0, tzinfo=dt.UTC)
    assert first("10:00 JST").zone == "Asia/Tokyo"


def test_my_time_and_your_time() -> None:
    m = first("Friday at 3pm your time", reader_zone="America/Chicago")
    assert m.start == dt.datetime(2025, 12, 5, 21, 0, tzinfo=dt.UTC) and m.zone == "America/Chicago"
    m = first("Friday at 3pm my time", reader_zone="America/Chicago")
    assert m.start == dt.datetime(2025, 12, 5, 15, 0, tzinfo=dt.UTC) and m.zone == LON
    m = first("Friday at 3pm your time")
    assert m.doubt and "reader" in m.doubt


def test_est_in_summer_is_read_as_eastern_wall_time_with_doubt() -> None:
    m = first("call on 15 July at 3pm EST")
    assert m.start == dt.datetime(2026, 7, 15, 15, 0, tzinfo=ZoneInfo("America/New_York"))
    assert m.start.utcoffset() == dt.timedelta(hours=-4)
    assert m.doubt and "EST" in m.doubt and "EDT" in m.doubt
    assert first("call on 15 January at 3pm EST").doubt is None


def test_ist_between_india_and_ireland() -> None:
    m = first("Friday 10:00 IST", party_zones=("Europe/Dublin",))
    assert m.zone == "Europe/Dublin" and m.doubt is None
    m = first("Friday 10:00 IST", party_zones=("Asia/Kolkata",))
    assert m.zone == "Asia/Kolkata" and m.doubt is None
    m = first("Friday 10:00 IST")
    assert m.zone == "Asia/Kolkata" and m.doubt and "ambiguous" in m.doubt and "Irish" in m.doubt
    m = first("Friday 10:00 CST", party_zones=("Asia/Shanghai",))
    assert m.zone == "Asia/Shanghai"


def test_dst_gap_and_fold_are_flagged() -> None:
    gap = first("at 1:30am on 29 March 2026")
    assert gap.doubt and "nonexistent" in gap.doubt
    fold = first("at 1:30am on 25 October 2026")
    assert fold.doubt and "ambiguous local time" in fold.doubt
    assert first("at 1:30am on 20 October 2026").doubt is None


def test_recurring() -> None:
    m = first("every other Tuesday at 9")
    assert m.rrule == "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"
    assert local(m) == "2025-12-02 09:00"
    assert first("weekly on Mondays at 10:30").rrule is not None
    assert first("every day at 8am").rrule == "FREQ=DAILY"


def test_ambiguous_am_pm_is_read_as_afternoon_and_flagged() -> None:
    m = first("let's meet at 3 on Friday")
    assert local(m) == "2025-12-05 15:00" and m.doubt and "am/pm" in m.doubt
    assert first("at 03:00 on Friday").doubt is None


def test_writer_offset_zone() -> None:
    m = first("tomorrow at 9am", zone="+05:30", ref=REF)
    assert m.start == dt.datetime(2025, 12, 3, 3, 30, tzinfo=dt.UTC)
    assert m.zone == "+05:30"


@pytest.mark.parametrize(
    "text",
    ["laughing out loud", "I'm at 10.1", "the mountain may not move", "Pay ABC 2000", "2/29/2014",
     "February 29, 2022", "A4 A5", "version 2.3.4", "call 555-1234", "we sat down", ""],
)
def test_no_false_mentions(text: str) -> None:
    assert find_times(text, ref=REF, zone=LON) == ()


@pytest.mark.parametrize(
    "text",
    ["9" * 1_000_000, "on 1 Jan 99999 at 10:00", "99999-01-01", "\x00\ud800" * 1000, "at 3pm " * 50_000,
     "-" * 200_000, "1/" * 100_000, "Monday " * 30_000, "12:" * 100_000],
)
def test_bad_input_is_bounded_and_never_raises(text: str) -> None:
    t0 = time.perf_counter()
    found = find_times(text, ref=REF, zone=LON)
    assert time.perf_counter() - t0 < 5.0
    assert len(found) <= 200
    for m in found:
        assert 1 <= m.start.year <= 9999


def test_year_99999_gives_no_mention() -> None:
    assert find_times("on 1 Jan 99999 at 10:00", ref=REF, zone=LON) == ()
    assert find_times("99999-01-01 10:00", ref=REF, zone=LON) == ()
    assert find_times("on 31/02/2026 at 10am", ref=REF, zone=LON) == ()


def test_repeated_clock_times_are_separate_mentions() -> None:
    found = find_times("at 3pm or at 4pm", ref=REF, zone=LON)
    assert [local(m) for m in found] == ["2025-12-02 15:00", "2025-12-02 16:00"]


def test_bad_arguments_never_raise() -> None:
    assert find_times("tomorrow at 3", ref=REF, zone="Not/AZone")[0].zone == "UTC"
    naive = dt.datetime(2025, 1, 1)  # noqa: DTZ001
    assert find_times("tomorrow", ref=naive, zone=LON) == ()
    assert find_times(None, ref=REF, zone=LON) == ()  # type: ignore[arg-type]
    assert find_times("31 Dec 9999 at 23:59 and then tomorrow", ref=REF, zone=LON)


def test_relative_clock_shift_and_span_covers_whole_expression() -> None:
    m = first("ping me in 2 hours")
    assert m.start == REF + dt.timedelta(hours=2) and m.grain == "minute"
    m = first("meeting at 10:00-11:00 CET on 12.12.2025")
    assert m.text == "10:00-11:00 CET on 12.12.2025"
    assert m.start == dt.datetime(2025, 12, 12, 9, 0, tzinfo=dt.UTC)
    assert find_times("Call me at 555-1234", ref=REF, zone=LON) == ()


def test_day_ranges_and_fractional_shifts() -> None:
    m = first("I'm away from 13 to 15 July")
    assert local(m) == "2026-07-13 00:00" and m.grain == "day"
    assert m.end is not None and m.end.astimezone(ZoneInfo(LON)).date() == dt.date(2026, 7, 16)
    assert first("in 1.5 hours").start == REF + dt.timedelta(minutes=90)
    assert first("half an hour ago").start == REF - dt.timedelta(minutes=30)


def test_day_written_after_a_range_applies_to_its_start() -> None:
    m = first("noon-1pm Friday")
    assert local(m) == "2025-12-05 12:00"
    assert m.end is not None and local_end(m) == "2025-12-05 13:00"
    assert local(first("10am to 11am on Thursday")) == "2025-12-04 10:00"
    assert local(first("2pm-ish on Thursday")) == "2025-12-04 14:00"


def local_end(m) -> str:  # type: ignore[no-untyped-def]
    return m.end.astimezone(ZoneInfo(LON)).strftime("%Y-%m-%d %H:%M")


def test_durations_give_the_end() -> None:
    m = first("Thursday at 3pm for an hour")
    assert local(m) == "2025-12-04 15:00" and local_end(m) == "2025-12-04 16:00"
    m = first("30 minute call on Friday at 10")
    assert local(m) == "2025-12-05 10:00" and local_end(m) == "2025-12-05 10:30"
    assert first("at 2 for 45 minutes").end == first("at 2").start + dt.timedelta(minutes=45)
    assert find_times("for 2", ref=REF, zone=LON) == ()


def test_recurrence_parts_merge() -> None:
    m = first("fortnightly on Thursdays at 2pm")
    assert m.rrule == "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH" and local(m) == "2025-12-04 14:00"
    m = first("weekly on Mondays at 10:30")
    assert m.rrule == "FREQ=WEEKLY;BYDAY=MO" and local(m) == "2025-12-08 10:30"


def test_clock_readings_are_not_shifted_to_the_afternoon() -> None:
    m = first("the alarm went off at 4:23")
    assert local(m) == "2025-12-02 04:23" and m.doubt is None
    assert local(first("at three twenty")) == "2025-12-02 15:20"


def test_counted_days_and_weekdays_from_now() -> None:
    assert local(first("the upcoming two days")) == "2025-12-04 00:00"
    assert local(first("3 fridays from now")) == "2025-12-19 00:00"


def test_month_slash_day_and_month_dash_year() -> None:
    assert local(first("May/8")) == "2026-05-08 00:00"
    m = first("june-2026")
    assert local(m) == "2026-06-01 00:00" and m.grain == "month"


def test_gmt_in_british_summer_is_flagged() -> None:
    m = first("on 10 July at 10:00 GMT")
    assert m.start == dt.datetime(2026, 7, 10, 10, 0, tzinfo=dt.UTC)
    assert m.doubt and "BST" in m.doubt and "11:00" in m.doubt
    assert first("on 10 December at 10:00 GMT").doubt is None


def test_weekday_that_contradicts_the_date_is_flagged() -> None:
    m = first("Friday 4 December at 10am")
    assert local(m) == "2025-12-04 10:00"
    assert m.doubt and "Friday written" in m.doubt and "Thursday" in m.doubt
    assert first("Thursday 4 December at 10am").doubt is None


def test_offsets_from_a_written_day_or_clock() -> None:
    assert local(first("2 days after next Friday")) == "2025-12-14 00:00"
    assert local(first("next tuesday +10 days")) == "2025-12-19 00:00"
    m = first("15 minutes before 3pm on Friday")
    assert local(m) == "2025-12-05 14:45" and m.grain == "minute"
    assert find_times("3 days before", ref=REF, zone=LON) == ()


def test_zone_names_written_out() -> None:
    assert first("3pm Eastern on Friday").start == dt.datetime(2025, 12, 5, 20, 0, tzinfo=dt.UTC)
    assert first("10am Pacific Time tomorrow").zone == "America/Los_Angeles"
    m = first("2pm British Summer Time on 3 Dec")
    assert m.zone == LON and m.doubt and "GMT" in m.doubt
    assert find_times("the eastern side of town", ref=REF, zone=LON) == ()


def test_the_same_expression_twice_reads_the_same_with_its_own_text_and_span() -> None:
    # a group is read once per text for its facts; every mention keeps its own text and span
    text = "Ann will send it by Friday. Bo will review it BY FRIDAY. Meet Tue at 3pm or Tue at 3pm CET."
    found = find_times(text, ref=REF, zone=LON)
    assert [m.text for m in found] == ["Friday.", "FRIDAY.", "Tue at 3pm", "Tue at 3pm CET"]
    assert [text[m.span[0]:m.span[1]] for m in found] == [m.text for m in found]
    assert found[0].start == found[1].start and found[0].span != found[1].span
    assert local(found[2]) == "2025-12-09 15:00" and local(found[3]) == "2025-12-09 14:00"
    assert (found[2].zone, found[3].zone) == (LON, "Europe/Paris")
