"""The atom scan tries each pattern only where a match can begin: it must find exactly what
running every pattern over the whole text finds (the reference below is that plain scan)."""

from __future__ import annotations

import datetime as dt
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mailflow import times_lexicon as lex
from mailflow.times import find_times
from mailflow.times_atoms import (
    _NEXT_TOKEN,
    _PATTERNS,
    _PREP,
    _PREP_BEFORE,
    _PREPS,
    MAX_ATOMS,
    _Atom,
    _candidates,
    _digit_rules,
    _first_digits,
    _lower,
    _masked_digit_rules,
    _prep_before,
    _range,
    _read_digit_rules,
    _Rule,
    _rule_starts,
    _runs,
    _scan,
    _Starts,
    _starts_of,
    _token_after,
    _WordRuns,
)

NOW = dt.datetime(2026, 3, 5, 9, 0, tzinfo=dt.UTC)


def reference_scan(text: str) -> list[_Atom]:
    """Every pattern over the whole text with ``finditer``; overlaps checked pairwise."""
    low = _lower(text)
    has_digit = re.search(r"\d", low) is not None
    present = {h for rule in _PATTERNS if rule.any_of for h in rule.any_of if h in low}
    words = set(re.findall(r"[a-z]+", low))
    found: list[tuple[int, int, int, _Atom]] = []
    for prio in _candidates(has_digit, present, words):
        rule = _PATTERNS[prio]
        if not _runs(rule, has_digit, present, words) or (rule.handler is _range and not found):
            continue
        for count, m in enumerate(rule.rx.finditer(low), 1):
            if count > 5000:
                break
            if m.end() == m.start():
                continue
            if rule.not_after is not None and m.start() > 0 and rule.not_after.match(low, m.start() - 1):
                continue
            try:
                atom = rule.handler(m, low, text)
            except (ValueError, KeyError, OverflowError, IndexError):
                atom = None
            if atom is not None and atom.end > atom.start:
                found.append((atom.start, -(atom.end - atom.start), prio, atom))
    found.sort(key=lambda t: (t[1], t[2], t[0]))
    taken: list[_Atom] = []
    for _s, _n, _p, atom in found:
        if any(atom.start < t.end and t.start < atom.end for t in taken):
            continue
        taken.append(atom)
        if len(taken) > MAX_ATOMS:
            break
    return sorted(taken, key=lambda a: a.start)


def same_as_reference(text: str) -> None:
    assert _scan(text, _lower(text)) == reference_scan(text), text


TRICKY = [
    "Tue 10:30-11 CET, or Wed at 9",
    "let's meet on the 5th at 3pm your time",
    "bathe 5 May 2026",  # "the" inside a word still opens "the 5 May"
    "o'neil time, us.east time, new york time",
    "Europe/Paris and America/Argentina/Buenos_Aires",
    "1. first point\n2. second point\n10. tenth",
    "2026-03-05T10:00Z, 2026/3/5, 05.03.2026, 3/5/26, 12345-1-1",
    "١٢:٣٠ tomorrow",  # digits of another script
    "Monday" + " " * 300 + "next week",
    "the\u00a0 5th of next month",
    "between 2 and 4 pm, 0930-1030, 930am, 1500h",
    "a quarter past ten in the morning, twenty to five",
    "every other Thursday, fortnightly on Mon, Sundays",
    "in 2 weeks, 3 days from now, 15 minutes before 3pm, in a couple of days",
    "Q3 2026, the last quarter, end of month, EOW",
    "UTC+5:30, GMT-3, +05:30, (−02:00)",
    "for 45 minutes, a 30-min call, for an hour and a half",
    "the 3rd Tuesday of the month, the last day of June 2026",
    "thursday the 21st; Fri, 22nd",
    "noon, midnight, mid-day, at midday",
    "sep. 3rd, Sept 4, 4 sept '26, 5th of december",
    "at 3 o'clock, 7 tonight, 8 tomorrow morning",
    "- Hannah will share the notes by Tuesday\n- Tomasz: the budget to Monday",
    "time time time my time your time local time",
    "x" * 50 + "/" + "y" * 50,
    "1" * 500,
    "the " * 200 + "1st",
    "- " * 300,
    "Tue 10:30-11 CET, 5 May 2026 " * 50,  # overlaps all along
    "Tue 10:30-11 CET, 5 May 2026 " * 250,  # the atom cap decides which are kept
    "Café à 15h, Straße Montag, İstanbul time at 3pm, naïve 5th, tuesdayé 2pm, ½ past 3",
    "ＡＢＣ 10am\u2028tomorrow\u00a0at\u20039, 𝟙𝟚:30 Friday",
]


def test_tricky_texts_scan_like_the_whole_text_scan() -> None:
    for text in TRICKY:
        same_as_reference(text)
        same_as_reference(text.upper())


def test_every_pattern_has_readable_starts() -> None:
    # a pattern whose starts cannot be read still works (it runs over the whole text) but makes
    # every long note slower: the reader should learn the new construct instead
    assert [r.handler.__name__ for r, s in zip(_PATTERNS, _rule_starts(), strict=True) if s.whole] == []


_PIECES = sorted(
    set(lex.MONTHS) | set(lex.WEEKDAYS) | set(lex.NUMBERS) | set(lex.ORDINALS) | set(lex.UNITS)
    | set(lex.ZONES) | set(lex.REL_DAYS) | set(lex.PARTS_OF_DAY) | set(lex.ZONE_NAMES)
    | {"the", "at", "on", "from", "to", "and", "or", "between", "next", "last", "this", "every", "each",
       "time", "my", "your", "local", "noon", "midnight", "past", "quarter", "half", "am", "pm", "a.m.",
       "o'clock", "of", "in", "for", "by", "until", "-", "–", "/", ".", ",", ":", "@", "+", "~", "(", ")",
       "1", "5", "12", "23", "2026", "09:30", "3pm", "5th", "21st", "0930", "12/03", "2026-03-05",
       "Europe/Paris", "UTC+2", "+01:00", "q3", "eom", "ago", "later", "Mon.", "Sept.", "x", "bathe"}
)
_SEPARATORS = ["", " ", " ", " ", "  ", "\n", "\n\n", "\t", ", "]


@st.composite
def texts(draw: st.DrawFn) -> str:
    n = draw(st.integers(min_value=1, max_value=40))
    out = []
    for _ in range(n):
        word = draw(st.sampled_from(_PIECES))
        if draw(st.booleans()):
            word = word.upper() if draw(st.booleans()) else word.title()
        out.append(word + draw(st.sampled_from(_SEPARATORS)))
    return "".join(out)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=texts())
def test_random_time_talk_scans_like_the_whole_text_scan(text: str) -> None:
    same_as_reference(text)


@settings(max_examples=150, deadline=None)
@given(text=st.text(alphabet=st.sampled_from("0123456789 -/.:tTheAPMam\n"), max_size=80))
def test_digit_soup_scans_like_the_whole_text_scan(text: str) -> None:
    same_as_reference(text)


def test_find_times_reads_a_long_note_like_its_paragraphs_say() -> None:
    para = ("We went through the open points one by one and nobody raised a blocker.\n"
            "- Hannah will share the release notes by Tuesday\n")
    text = para * 40 + "Next meeting: Thursday 12 March at 15:00 CET to 16:00.\n" + para * 40  # ~10 KB
    found = find_times(text, ref=NOW, zone="Europe/Paris")
    clocked = [m for m in found if m.grain == "minute"]
    assert len(clocked) == 1
    assert clocked[0].start == dt.datetime(2026, 3, 12, 14, 0, tzinfo=dt.UTC)
    assert clocked[0].end == dt.datetime(2026, 3, 12, 15, 0, tzinfo=dt.UTC)
    assert sum(1 for m in found if m.text == "Tuesday" and m.grain == "day") == 80


def _starts(regex: str) -> _Starts:
    return _starts_of(_Rule(rx=re.compile(regex), handler=_range, digit=False, any_of=None, words=None,
                            not_after=None))


def test_starts_read_from_a_pattern() -> None:
    st = _starts(r"\b(?:the\s+)?(\d{1,2})(?:st|nd)\b|\b(?:next|this)\s+(monday|tuesday)(?![a-z])")
    assert not st.whole and st.digit
    assert st.word_is == {"the", "next", "this"}
    the, nxt = st.follow["the"], st.follow["next"]
    assert the is not None and the.digit and not the.word_is
    assert nxt is not None and nxt.word_is == {"monday", "tuesday"} and not nxt.digit
    assert st.second is not None and st.second.allows("5t") and st.second.allows("st")
    assert not st.second.allows(". ")  # "1. Point": no ordinal begins here
    months = _starts(r"\b(may|jun)\.?(?:\s*(\d{4}))?(?![a-z])")
    assert months.word_is == {"may", "jun"} and not months.word_prefix  # not "maybe", "junk"


def test_starts_read_past_an_optional_tail_after_a_word() -> None:
    # "a\\s*week": the word "a" (then whitespace and a unit) or the run "aweek", not every word
    # that begins with "a"; "dec\\.?\\s*5": "dec" as a whole word, not "decision"
    shift = _starts(r"\b(an?|one)\s*(days?|weeks?)\b")
    assert {"a", "an", "one", "aday", "aweeks", "oneday"} <= shift.word_is and not shift.word_prefix
    a = shift.follow["a"]
    assert a is not None and a.word_is >= {"day", "days", "week", "weeks"} and not a.digit
    month = _starts(r"\b(dec|may)\.?\s*(?:the\s+)?(\d{1,2})")
    assert {"dec", "may", "decthe"} <= month.word_is and not month.word_prefix


@settings(max_examples=100, deadline=None)
@given(text=st.lists(st.sampled_from(list("aeéßİ½１ 5-:./\n\u00a0") + ["the ", "dec", "may ", "3pm", "tue", "Mon"]),
                     max_size=40).map("".join))
def test_text_beyond_ascii_scans_like_the_whole_text_scan(text: str) -> None:
    same_as_reference(text)


def test_patterns_that_can_match_empty_or_cannot_be_read_run_over_the_whole_text() -> None:
    assert _starts(r"x?(?=\d)").whole  # can match empty
    assert _starts(r"(?:a|b)*").whole
    assert _starts(r".\d").whole  # any character first
    assert _starts(r"[^\d\s]+day").whole


def test_digit_starts_after_a_digit_only_when_nothing_rules_them_out() -> None:
    # a word boundary or a look-behind holding \d before a digit start: the pattern cannot begin
    # inside a run of digits, so "2026" is tried at "2" only
    assert not _starts(r"\b(\d{1,2})x").after_digit
    assert not _starts(r"(?:\bfrom\s+)?(?<![\d:.])(\d{1,2}):").after_digit
    assert not _starts(r"(?<![:.])(?:the\s+)?(?<!\d)\d\d").after_digit
    assert _starts(r"(\d{1,2})x").after_digit
    assert _starts(r"(?<![:.])(\d{1,2})x").after_digit  # the look-behind lets a digit through
    assert _starts(r"(?<![^\d])(\d)x").after_digit  # a negated class: digits pass
    assert _starts(r"\bat\s+\d|(\d)x").after_digit  # one unguarded branch is enough
    guarded = _starts_of(_Rule(rx=re.compile(r"(\d{1,2})x"), handler=_range, digit=False, any_of=None,
                               words=None, not_after=re.compile(r"[\d.]")))
    assert not guarded.after_digit  # the leading look-behind, checked after the match


def test_digit_runs_scan_like_the_whole_text_scan() -> None:
    for text in ("2026-03-05 12345 1.2.3 ab12cd 9:30-10:45 ٣٤5 5٣ 1st2nd 10am10pm", "12" * 40, "1 22 333 4444"):
        same_as_reference(text)


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet=st.sampled_from("0123456789 a:\n٣𝟙é"), max_size=40))
def test_runs_of_digits_begin_where_the_pattern_says(text: str) -> None:
    assert _first_digits(text) == [m.start() for m in re.finditer(r"(?<!\d)\d", text)]


def test_prepositions_listed_are_those_of_the_pattern() -> None:
    expanded: set[str] = set()
    for alt in _PREP[3:-1].split("|"):
        expanded |= {alt[:-3], alt[:-3] + "."} if alt.endswith("\\.?") else {alt}
    assert expanded == set(_PREPS)


@settings(max_examples=300, deadline=None)
@given(text=st.lists(st.sampled_from(["at", "by", "approx.", "approx", "@", "friday", "for", "xat", "5", " ", "  ",
                                      "\n", "\t", ".", "é", "_", "between", "til"]), max_size=12).map("".join),
       cut=st.integers(min_value=0, max_value=60))
def test_preposition_before_a_place_as_the_pattern_reads_it(text: str, cut: int) -> None:
    pos = min(cut, len(text))
    want = _PREP_BEFORE.search(text, max(0, pos - 16), pos) if pos and (text[pos - 1].isspace() or text[pos - 1] == "@") else None
    assert _prep_before(text, pos) == ((want.group(1) or want.group(2), want.start()) if want else (None, pos))


def test_three_characters_after_a_digit_are_read() -> None:
    # "10. Onboarding", "15 to look": a date or a clock-before-a-day cannot begin there
    day_month = _starts(r"(\d{1,2})\s*(?:of\s+)?(jan|feb)")
    assert day_month.second is not None
    assert day_month.second.allows("5 j") and day_month.second.allows("5 o") and day_month.second.allows(" fe")
    assert not day_month.second.allows("5 t") and not day_month.second.allows("0. ")
    assert not day_month.second.allows("5")  # the text ends before a month can
    for text in ("10. Onboarding 15 to look 5 jan 7 today 3:30 tonight", "12 fe", "1", "1 "):
        same_as_reference(text)


def test_characters_after_a_digit_read_through_a_look_ahead() -> None:
    before_day = _starts(r"(\d{1,2})(?:[:.]?([0-5]\d))?(?=\s+(?:today|tonight))")
    assert before_day.second is not None
    assert before_day.second.allows("0 t") and before_day.second.allows(":30") and before_day.second.allows(" to")
    assert not before_day.second.allows(". m") and not before_day.second.allows(" ro")  # "3. Mobile", "q3 roadmap"
    for text in ("3. Mobile, q3 roadmap, 7 today, 10:30 tonight, 9 tomorrow", "5 t", "5 "):
        same_as_reference(text)


@settings(max_examples=200, deadline=None)
@given(after=st.text(alphabet=st.sampled_from(list("0159 .:/-,aphmst\tjé٣")), max_size=3))
def test_remembered_characters_allow_what_the_classes_read(after: str) -> None:
    # _Chars.has remembers what a character class said of a character: the same as reading it
    for r, starts in enumerate(_rule_starts()):
        second = starts.second
        if second is None:
            continue
        for path in second.paths:
            for chars in path:
                for ch in after:
                    assert chars.has(ch) == chars.reads(ch), (r, ch)
        plain = any(len(after) >= len(path) and all(c.reads(ch) for c, ch in zip(path, after, strict=False))
                    for path in second.paths)
        assert second.allows(after) == plain, (r, after)


def _value_for(name: str, i: int, flip: bool) -> object:
    """A value field ``name`` (number ``i``) takes that tells it from its neighbours: the first
    candidate the compiled build accepts for its type (the pure one takes any)."""
    for cand in (i, f"v{i}", ("v", i), (i, i, f"v{i}"), (i, i, i), (i, i, i, i, f"v{i}"), (i % 2 == 0) != flip):
        try:
            _Atom(**{"start": 0, "end": 1, "kind": "k", name: cand})  # type: ignore[arg-type]
        except TypeError:
            continue
        return cand
    raise AssertionError(name)


def test_the_written_atom_init_and_facts_follow_the_fields() -> None:
    # _Atom writes its __init__ and facts() out (compiled natively): the same fields, in order,
    # with the same defaults, as the dataclass declares
    import dataclasses
    from operator import attrgetter

    fields = dataclasses.fields(_Atom)
    names = [f.name for f in fields]
    for flip in (False, True):
        values = [(i % 2 == 0) != flip if f.default is False else _value_for(f.name, i, flip)
                  for i, f in enumerate(fields)]
        by_name = _Atom(**dict(zip(names, values, strict=True)))  # type: ignore[arg-type]
        assert [getattr(by_name, n) for n in names] == values
        assert [getattr(_Atom(*values), n) for n in names] == values  # type: ignore[arg-type]
        # facts() is every field but where the atom stands
        assert by_name.facts() == attrgetter(*(n for n in names if n not in ("start", "end")))(by_name)
    plain = _Atom(1, 2, "date")
    assert [getattr(plain, f.name) for f in fields[3:]] == [f.default for f in fields[3:]]
    assert _Atom(1, 2, "date", y=3) == _Atom(1, 2, "date", y=3) != _Atom(1, 2, "date")


@settings(max_examples=400, deadline=None)
@given(text=st.lists(st.sampled_from(["at", " ", "  ", "\t", "\n", "\u00a0", "\u2003", "x", "9", ".", ",", "-",
                                      "é", "ǅ", "?", "noon", "abcdefghij", "!!!!!!!!!!"]), max_size=8).map("".join),
       k=st.integers(min_value=0, max_value=40))
def test_the_token_after_a_word_is_what_the_pattern_reads(text: str, k: int) -> None:
    m = _NEXT_TOKEN.match(text, k)
    assert _token_after(text, _WordRuns(text).letters, k) == (m.group(1) if m else "")


@settings(max_examples=300, deadline=None)
@given(after=st.text(alphabet=st.sampled_from(list("0123456789 \t\n.:/-,;)%$+apmhstndrdjfoexq'é٣\u00a0_A")), max_size=3))
def test_characters_read_alike_give_the_rules_the_paths_give(after: str) -> None:
    # _digit_rules reads a new context through characters read alike: the same rules
    assert _digit_rules(after) == _read_digit_rules(after)
    # and the bit masks read the same rules as the paths
    assert _masked_digit_rules(after) == _read_digit_rules(after)


@settings(max_examples=200, deadline=None)
@given(ch=st.characters())
def test_a_rule_remembers_what_its_look_behind_reads(ch: str) -> None:
    # _Rule.may_follow stands in for not_after.match(low, start - 1): one character class
    for rule in _PATTERNS:
        if rule.not_after is not None:
            text = "x" + ch + "y"
            assert rule.may_follow(ch) == (rule.not_after.match(text, 1) is None)
            assert rule.may_follow(ch) == rule.may_follow(ch)
