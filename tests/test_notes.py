"""notes.read_note: forwards unwrapped per client and language, replies and signatures cut."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mailflow.letters import read_letter
from mailflow.model import Address, Headers, Letter
from mailflow.notes import parse_loose_date, read_note, split_reply, split_signature
from tests.mail_samples import SAMPLES, Sample


@pytest.mark.parametrize("sample", SAMPLES, ids=[s.name for s in SAMPLES])
def test_sample(sample: Sample) -> None:
    note = read_note(read_letter(sample.raw))
    if sample.new:
        assert sample.new in note.body
    assert sample.not_new not in note.body
    if sample.signature:
        assert note.signature is not None and sample.signature in note.signature
    if sample.orig_from is None:
        assert note.original is None and note.original_body is None
        return
    assert note.original is not None
    assert [a.addr for a in note.original.from_] == [sample.orig_from]
    assert note.original.subject == sample.orig_subject
    assert note.original.date is not None
    assert note.original.date.isoformat() == sample.orig_date
    assert note.original_body is not None and sample.orig_body in note.original_body
    if sample.orig_not:
        assert sample.orig_not not in note.original_body


def by_name(name: str) -> Sample:
    return next(s for s in SAMPLES if s.name == name)


def test_forward_recipients_and_cc_are_read() -> None:
    note = read_note(read_letter(by_name("outlook_desktop_rule").raw))
    assert note.original is not None
    assert [(a.name, a.addr) for a in note.original.to] == [
        ("Bob Builder", "bob@example.net"), ("Carol Cole", "carol@example.org")]
    assert [a.addr for a in note.original.cc] == ["dana@example.org"]


def test_name_only_recipient_is_kept_without_address() -> None:
    note = read_note(read_letter(by_name("outlook_original_message").raw))
    assert note.original is not None
    assert note.original.to == (Address(name="Bob Builder", addr=""),)


def test_forward_of_forward_keeps_middle_comment_as_quoted() -> None:
    note = read_note(read_letter(by_name("forward_of_forward").raw))
    assert note.quoted is not None and "for your assistant" in note.quoted
    assert note.body == "Recap please."


def test_forward_signature_kept_aside() -> None:
    note = read_note(read_letter(by_name("gmail_en_forward").raw))
    assert note.original_signature is not None and "Head of Ops, Lisbon" in note.original_signature


def test_reply_history_goes_to_quoted() -> None:
    note = read_note(read_letter(by_name("reply_outlook").raw))
    assert note.body == "Thursday works."
    assert note.quoted is not None and note.quoted.startswith("From: Alice Archer")
    assert note.signature is not None and note.signature.startswith("Best regards,")


def test_interleaved_reply_keeps_every_answer() -> None:
    note = read_note(read_letter(by_name("reply_interleaved").raw))
    assert note.body == "Yes, put it first.\n\nLet us move hiring to next week."
    assert note.quoted is not None and "Alice Archer wrote:" in note.quoted


def test_plain_message_is_untouched() -> None:
    letter = Letter(headers=Headers(subject="Notes"), header_fields=(), text="Line one\n\nLine two",
                    html=None, calendars=(), attached=(), defects=(), size=0)
    note = read_note(letter)
    assert note.body == "Line one\n\nLine two"
    assert note.signature is None and note.quoted is None and note.original is None


def test_reply_subject_with_original_message_block_is_not_a_forward() -> None:
    note = read_note(read_letter(by_name("reply_outlook_original_message").raw))
    assert note.original is None
    assert note.quoted is not None and "-----Original Message-----" in note.quoted


@pytest.mark.parametrize("text,body,signature", [
    ("Fine by me.\n\n-- \nBob\n+49 30 1234", "Fine by me.", "Bob\n+49 30 1234"),
    ("Fine by me.\n\nSent from my iPad", "Fine by me.", "Sent from my iPad"),
    ("Fine.\n\nVon meinem iPhone gesendet", "Fine.", "Von meinem iPhone gesendet"),
    ("D'accord.\n\nCordialement,\nÉlodie Martin\nLyon", "D'accord.", "Cordialement,\nÉlodie Martin\nLyon"),
    ("Passt.\n\nMit freundlichen Grüßen\nDieter", "Passt.", "Mit freundlichen Grüßen\nDieter"),
    ("Thanks for the notes, very clear.\nI will join.", "Thanks for the notes, very clear.\nI will join.", None),
    ("Best,\nAl", "Best,\nAl", None),  # a closing with nothing above is the whole message
    ("Here it is.\n\nSent from my desk, which beats my phone.", "Here it is.\n\nSent from my desk, which beats my phone.",
     None),
    ("Here.\n\nSent from my Verizon Wireless BlackBerry", "Here.", "Sent from my Verizon Wireless BlackBerry"),
    ("Ok.\n\nGet Outlook for iOS<https://aka.ms/example>", "Ok.", "Get Outlook for iOS<https://aka.ms/example>"),
])
def test_split_signature(text: str, body: str, signature: str | None) -> None:
    assert split_signature(text) == (body, signature)


def test_closing_followed_by_long_text_is_not_a_signature() -> None:
    text = ("Short intro.\n\nThanks,\n" + "This paragraph is a long one that carries real content "
            "about the agenda and the next steps for everyone involved.\n")
    body, signature = split_signature(text)
    assert signature is None and "real content" in body


@pytest.mark.parametrize("intro", [
    "On Tue, Mar 3, 2026 at 10:15 AM Alice <alice@example.com> wrote:",
    "Am 03.03.2026 um 10:15 schrieb Alice Archer:",
    "Le 3 mars 2026 à 10:15, Alice <alice@example.com> a écrit :",
    "El 3/3/2026 a las 10:15, Alice escribió:",
    "Em ter., 3 de mar. de 2026 às 10:15, Alice <alice@example.com> escreveu:",
    "Op 3 mrt. 2026 om 10:15 heeft Alice <alice@example.com> het volgende geschreven:".replace(
        "heeft Alice <alice@example.com> het volgende geschreven", "schreef Alice <alice@example.com>"),
    "Alice Archer\n<alice@example.com> wrote:".replace("Archer\n", "Archer "),
    "Alice Archer <alice@example.com> schrieb am Di., 3. März 2026, 10:15:",
    "Op 3 mrt. 2026 om 10:15 heeft Alice <alice@example.com> het volgende geschreven:",
    "3 марта 2026 г., в 10:15, Alice <alice@example.com> написал:",
])
def test_split_reply_intro_languages(intro: str) -> None:
    own, quoted = split_reply(f"Yes.\n\n{intro}\n> earlier text\n")
    assert own == "Yes."
    assert quoted is not None and quoted.startswith(intro[:10]) and "earlier text" in quoted


PLUS1 = dt.timezone(dt.timedelta(hours=1))


@pytest.mark.parametrize("text,expected", [
    ("Tue, 3 Mar 2026 10:15:00 +0530", "2026-03-03T10:15:00+05:30"),
    ("Tue, Mar 3, 2026 at 4:05 PM", "2026-03-03T16:05:00+01:00"),
    ("Tuesday, March 3, 2026 12:05 AM", "2026-03-03T00:05:00+01:00"),
    ("Di., 3. März 2026 um 10:15 Uhr", "2026-03-03T10:15:00+01:00"),
    ("Dienstag, 3. März 2026 10.15 Uhr", "2026-03-03T10:15:00+01:00"),
    ("mardi 3 mars 2026 10:15", "2026-03-03T10:15:00+01:00"),
    ("martes, 3 de marzo de 2026 10:15", "2026-03-03T10:15:00+01:00"),
    ("dinsdag 3 maart 2026 10:15", "2026-03-03T10:15:00+01:00"),
    ("martedì 3 marzo 2026 10:15", "2026-03-03T10:15:00+01:00"),
    ("terça-feira, 3 de março de 2026 10:15", "2026-03-03T10:15:00+01:00"),
    ("March 3, 2026 at 10:15:00 AM PST", "2026-03-03T10:15:00-08:00"),
    ("3 March 2026 at 10:15:00 GMT+5:30", "2026-03-03T10:15:00+05:30"),
    ("3. März 2026 um 10:15:00 MEZ", "2026-03-03T10:15:00+01:00"),
    ("2026-03-03 10:15", "2026-03-03T10:15:00+01:00"),
    ("03/03/2026 10:15", "2026-03-03T10:15:00+01:00"),
    ("3/14/2026 9:00 AM", "2026-03-14T09:00:00+01:00"),
    ("2026年3月3日(火) 10:15", "2026-03-03T10:15:00+01:00"),
    ("3 марта 2026 г., в 10:15", "2026-03-03T10:15:00+01:00"),
    ("wt., 3 marca 2026 o 10:15", "2026-03-03T10:15:00+01:00"),
    ("tis 3 mars 2026 kl. 10:15", "2026-03-03T10:15:00+01:00"),
    ("next week sometime", None),
])
def test_parse_loose_date(text: str, expected: str | None) -> None:
    got = parse_loose_date(text, PLUS1)
    assert (got.isoformat() if got else None) == expected


def test_loose_date_without_zone_or_fallback_is_none() -> None:
    assert parse_loose_date("Tue, Mar 3, 2026 at 4:05 PM", None) is None


def test_extract_json_fills_the_contract_keys(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from mailflow.cli import main

    files = []
    for name in ("gmail_en_forward", "outlook_de", "reply_gmail_en"):
        path = tmp_path / f"{name}.eml"
        path.write_bytes(by_name(name).raw)
        files.append(str(path))
    assert main(["extract", "--json", *files]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert [r["file"] for r in records] == files
    fwd, de, reply = records
    assert "error" not in fwd
    assert fwd["message"]["from"] == [{"name": "Bob Builder", "addr": "bob@example.net"}]
    assert fwd["original"]["from"][0]["addr"] == "alice@example.com"
    assert fwd["original"]["date"].startswith("2026-03-03T16:05:00+01:00")
    assert fwd["body"] == "Please send the recap to everyone."
    assert "revised budget" in fwd["original_body"]
    assert de["original"]["subject"] == "Projekttreffen"
    assert reply["original"] is None and reply["original_body"] is None
    assert reply["body"].startswith("Thursday at 10:00 works")


# --- the fast searches give the answers of the plain per-line rules ---------------------------

@pytest.mark.parametrize("line,expected", [
    ("From ___: x", None),  # a third '_' belongs to the key, which is then unknown
    ("**From:** Bob <b@c.d>", ("from", "Bob <b@c.d>")),
    (" Envoyé  le : lundi", ("date", "lundi")),
    ("* Meeting date: 2021-02-09", None),
    ("Sent at: 10:00", ("date", "10:00")),
    ("Pièces jointes: a.pdf", ("ignore", "a.pdf")),
    ("We could also meet tomorrow at 17:15 to look at it again.", None),
    ("_Subject_: Plan", ("subject", "Plan")),
])
def test_header_key(line: str, expected: tuple[str, str] | None) -> None:
    from mailflow.notes import _header_key

    assert _header_key(line) == expected


def _reference_marker(lines: list[str]) -> object:
    """_find_marker as a plain loop over every line (what the whole-text searches must equal)."""
    from mailflow import notes as n

    wrote = [any(w in x.lower() for w in n._WROTE_WORDS) for x in lines]
    for i, line in enumerate(lines):
        if not line.strip() or n._QUOTE.match(line):
            continue
        if n._RULE.match(line):
            nxt = next((k for k in range(i + 1, min(i + 4, len(lines))) if lines[k].strip()), None)
            if nxt is not None and n._is_outlook_block(lines, nxt):
                return n._Marker(kind="original", start=i, block=nxt)
            continue
        if line.isascii() and line.upper() == line.lower():
            continue
        m = n._SEPARATOR.match(line)
        if m:
            return n._Marker(kind="forward" if m.group("fwd") else "original", start=i, block=i + 1)
        if n._APPLE_FORWARD.match(line):
            return n._Marker(kind="forward", start=i, block=i + 1)
        if n._is_outlook_block(lines, i):
            return n._Marker(kind="original", start=i, block=i)
        if any(wrote[i:i + 3]):
            span = n._reply_intro(lines, i)
            if span:
                return n._Marker(kind="reply", start=i, block=i + span)
    return None


_MARKER_LINES = [
    "", "  ", "Notes from the meeting", "Decision: go ahead", "- Sam will send it", "> quoted",
    "On Tue, 3 Mar 2026 at 10:15, Ann <ann@example.com> wrote:", "On Tuesday Ann Lee",
    "<ann@example.com> wrote:", "Ann Lee <ann@example.com> wrote", "ſchrieb Ann:", "İ WROTE:",
    "-----Original Message-----", "---------- Forwarded message ---------", "Begin forwarded message:",
    "From: Bob <bob@example.net>", "Sent: Monday, March 2, 2026 10:00 AM", "To: Carol <c@example.org>",
    "Subject: Re: plan", "Subject: budget", "________________________________", "**Von:** X <x@y.de>",
    "Betreff: Y", "at 10:00 we wrote things down", "a--b", "== x ==", "https://example.org/a_b",
    "Begin forwarded message: \t", "On Tue, Ann <ann@example.com> wrote:  ", "Am 3. März schrieb Ann",
    "<ann@example.com>:",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_MARKER_LINES), max_size=14))
def test_find_marker_equals_the_per_line_rules(lines: list[str]) -> None:
    from mailflow.notes import _find_marker

    assert _find_marker(lines) == _reference_marker(lines)
