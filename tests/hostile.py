"""A catalogue of hostile and odd messages, each built here in code.

Every case names what mailflow must make of it:

    parsed          read_letter -> read_note -> understand succeed, and policy.screen lets it
                    through (the sender is authorised; the oddity must not cost a real message)
    bad             read_letter raises errors.BadMessage (beyond the limits, or nothing there)
    skip-by-policy  the message is read, and policy.screen refuses it by ``rule``

``allow_bad`` marks the few cases where refusing to parse at all is as good an answer as the
stated one (pure binary junk). ``check`` holds an extra assertion on the outcome for cases
whose point is more than "does not crash" (smuggled Bcc, script stripped, Subject intact...).
The messages are synthetic: addresses use example domains, texts are written for this file.
"""

from __future__ import annotations

import base64
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from mailflow.model import Letter, Meeting

Expect = Literal["parsed", "bad", "skip-by-policy"]

ALICE = "Alice Example <alice@example.com>"  # an authorised sender
BOB = "Bob Partner <bob@partner.example>"  # an authorised domain
AUTHORISED = ("alice@example.com", "@partner.example")
SELF_ADDRS = ("mailflow@example.org",)
OUR_AUTH_ID = "mx.example.org"
MAX_THREAD = 10


@dataclass(frozen=True, slots=True, kw_only=True)
class Case:
    name: str
    data: bytes
    expect: Expect
    rule: str | None = None  # the refusing rule, for skip-by-policy
    auth_serv_id: str | None = None
    thread_count: int = 0
    allow_bad: bool = False
    check: Callable[[Letter, Meeting], None] | None = field(default=None, repr=False)
    why: str = ""


def msg(
    *headers: str, body: str | bytes = "", eol: str = "\r\n", drop: tuple[str, ...] = ()
) -> bytes:
    """A message from header lines and a body; From/To/Subject/Date/Message-ID filled in
    unless given (or named in ``drop``)."""
    lines = list(headers)
    names = {h.split(":", 1)[0].strip().lower() for h in headers if ":" in h} | set(drop)
    std = [
        ("from", f"From: {ALICE}"),
        ("to", f"To: {BOB}"),
        ("subject", "Subject: Notes from our call"),
        ("date", "Date: Mon, 01 Mar 2027 10:00:00 +0000"),
        ("message-id", "Message-ID: <case@example.com>"),
    ]
    lines = [line for name, line in std if name not in names] + lines
    head = eol.join(lines).encode("utf-8", "surrogateescape")
    raw = body if isinstance(body, bytes) else body.replace("\n", eol).encode("utf-8")
    return head + (eol * 2).encode() + raw


NOTES = (
    "Hi Bob,\n\nThanks for the call. We agreed to ship the draft on Friday.\n"
    "Action: Alice to send the budget by 5 March.\n"
    "Next meeting: Tuesday 9 March at 15:00 London time.\n\nAlice\n"
)


def mime(boundary: str, *parts: tuple[str, str | bytes], close: bool = True) -> bytes:
    """A multipart body: each part is (header block, body)."""
    out = b"This is a multi-part message.\r\n"
    for head, body in parts:
        raw = body if isinstance(body, bytes) else body.encode("utf-8")
        out += f"--{boundary}\r\n{head}\r\n\r\n".encode() + raw + b"\r\n"
    if close:
        out += f"--{boundary}--\r\n".encode()
    return out


# --- checks --------------------------------------------------------------------------------


def _no_bcc(letter: Letter, meeting: Meeting) -> None:
    assert not any(n == "bcc" for n, _ in letter.header_fields), letter.header_fields
    assert all("evil.example" not in p.addr for p in meeting.participants), meeting.participants


def _subject_has(text: str) -> Callable[[Letter, Meeting], None]:
    def check(letter: Letter, meeting: Meeting) -> None:
        assert text in letter.headers.subject, letter.headers.subject

    return check


def _no_script(letter: Letter, meeting: Meeting) -> None:
    assert "<script" not in letter.text.lower(), letter.text[:200]
    assert "alert(" not in letter.text, letter.text[:200]
    assert "Budget review" in letter.text, letter.text[:200]


def _text_has(text: str) -> Callable[[Letter, Meeting], None]:
    def check(letter: Letter, meeting: Meeting) -> None:
        assert text in letter.text, letter.text[:300]

    return check


def _bob_is_a_party(letter: Letter, meeting: Meeting) -> None:
    assert "bob@partner.example" in {p.addr for p in meeting.participants}, meeting.participants


def _no_date(letter: Letter, meeting: Meeting) -> None:
    assert letter.headers.date is None, letter.headers.date


def _many_parties(letter: Letter, meeting: Meeting) -> None:
    # a parser may cut an overlong field; what it keeps must be whole addresses
    assert len(letter.headers.to) >= 100, len(letter.headers.to)
    assert all(a.addr.endswith("@crowd.example") for a in letter.headers.to), letter.headers.to[-1]


# --- builders for the big ones --------------------------------------------------------------


def _deep_multipart(depth: int) -> bytes:
    body = b"Deepest part: meet Tuesday at 10:00.\r\n"
    head = "Content-Type: text/plain; charset=utf-8"
    for level in range(depth):
        b = f"b{level}"
        body = mime(b, (head, body))
        head = f'Content-Type: multipart/mixed; boundary="{b}"'
    return msg("MIME-Version: 1.0", head, body=body)


def _deep_base64(depth: int) -> bytes:
    """message/rfc822 inside message/rfc822 ..., each level base64-encoded (illegal but seen)."""
    inner = msg(body="Innermost: lunch on Friday at 12:30?\n")
    for _ in range(depth):
        encoded = base64.encodebytes(inner).decode("ascii")
        inner = msg(
            "MIME-Version: 1.0",
            "Content-Type: message/rfc822",
            "Content-Transfer-Encoding: base64",
            body=encoded,
        )
    return inner


def _zip_bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("zeros.txt", b"\0" * (20 * 1024 * 1024))
    payload = base64.encodebytes(buf.getvalue()).decode("ascii")
    return msg(
        "MIME-Version: 1.0",
        'Content-Type: multipart/mixed; boundary="zz"',
        body=mime(
            "zz",
            ("Content-Type: text/plain; charset=utf-8", NOTES),
            (
                "Content-Type: application/zip; name=notes.zip\r\n"
                "Content-Transfer-Encoding: base64\r\n"
                "Content-Disposition: attachment; filename=notes.zip",
                payload,
            ),
        ),
    )


def _calendar(rrule: str) -> str:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//hostile//EN\r\nMETHOD:REQUEST\r\n"
        "BEGIN:VEVENT\r\nUID:storm-1@example.com\r\nDTSTAMP:20270301T090000Z\r\n"
        "DTSTART;TZID=Europe/London:20270302T100000\r\nDTEND;TZID=Europe/London:20270302T103000\r\n"
        f"RRULE:{rrule}\r\nSUMMARY:Stand-up\r\nORGANIZER:mailto:alice@example.com\r\n"
        "ATTENDEE:mailto:bob@partner.example\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )


def _many_parts(n: int) -> bytes:
    parts = [("Content-Type: text/plain; charset=utf-8", f"part {i}") for i in range(n)]
    return msg(
        "MIME-Version: 1.0", 'Content-Type: multipart/mixed; boundary="p"', body=mime("p", *parts)
    )


def _recipients(n: int) -> str:
    return "To: " + ",\r\n ".join(f"Person {i} <p{i}@crowd.example>" for i in range(n))


_HTML_SCRIPT = (
    "<html><head><script>alert(document.cookie)</script><style>p{color:red}</style></head>"
    "<body><h1>Budget review</h1><p>We agreed to <b>cut</b> the scope.</p>"
    "<script type='text/javascript'>alert('x')</script><p>Next: Thursday 14:00.</p></body></html>"
)


def _cases() -> list[Case]:
    c: list[Case] = []
    add = c.append

    # --- addresses and header syntax ---
    add(Case(name="unterminated_quoted_to", expect="parsed",
             data=msg('To: "Bob Partner <bob@partner.example>', body=NOTES)))
    add(Case(name="undisclosed_recipients_group", expect="parsed",
             data=msg("To: undisclosed-recipients:;", body=NOTES)))
    add(Case(name="empty_group_plus_cc", expect="parsed", check=_bob_is_a_party,
             data=msg("To: team:;", f"Cc: {BOB}", body=NOTES)))
    add(Case(name="exchange_message_ids", expect="parsed",
             data=msg(
                 "Message-ID: <DB9PR02MB7290A1B2C3D4E5F6A7B8C9D0E1F2A3B4@DB9PR02MB7290.eurprd02.prod.outlook.com>",
                 "In-Reply-To: <AM6PR0502MB3829F0E1D2C3B4A5968778695A4B3C2D@AM6PR0502MB3829.eurprd05.prod.outlook.com>",
                 "References: <AM6PR0502MB3829F0E1D2C3B4A5968778695A4B3C2D@AM6PR0502MB3829.eurprd05.prod.outlook.com>",
                 "Thread-Topic: Notes from our call",
                 "Thread-Index: AQHZk3v2Xy1b2c3d4e5f6g7h8i9j0k==",
                 "X-MS-Has-Attach:",
                 "X-MS-TNEF-Correlator:",
                 body=NOTES)))
    add(Case(name="message_id_without_brackets", expect="parsed",
             data=msg("Message-ID: 1234.5678@[10.0.0.1]", "References: garbage <<>> <a@b> <", body=NOTES)))
    add(Case(name="route_addr_in_cc", expect="parsed",
             data=msg("Cc: <@relay.example:carol@partner.example>", body=NOTES)))
    add(Case(name="header_without_colon_and_space_before_colon", expect="parsed",
             data=msg("This line is not a header", "Subject : spaced out", body=NOTES)))
    add(Case(name="bare_cr_and_lf_mixed", expect="parsed",
             data=msg("X-Odd: one\rtwo", body="line one\rline two\nline three\r\n" + NOTES, eol="\n")))

    # --- dates ---
    add(Case(name="missing_date", expect="parsed", check=_no_date,
             data=msg(body=NOTES, drop=("date",))))
    add(Case(name="absurd_date_year_99999", expect="parsed",
             data=msg("Date: Mon, 01 Jan 99999 10:00:00 +0000", body=NOTES)))
    add(Case(name="absurd_date_feb_30", expect="parsed",
             data=msg("Date: Tue, 30 Feb 2027 10:00:00 +0100", body=NOTES)))
    add(Case(name="absurd_date_fields_and_offset", expect="parsed",
             data=msg("Date: Mon, 01 Mar 2027 25:61:99 +9999", body=NOTES)))
    add(Case(name="date_words_only", expect="parsed",
             data=msg("Date: yesterday-ish, around teatime", body=NOTES)))

    # --- charsets and encodings ---
    add(Case(name="unknown_charset_body", expect="parsed",
             data=msg("MIME-Version: 1.0", 'Content-Type: text/plain; charset="x-klingon-9"',
                      "Content-Transfer-Encoding: 8bit",
                      body=NOTES.encode("utf-8") + "Qapla\u2019".encode("utf-16") + b" \xe9\xe8")))
    add(Case(name="unknown_charset_encoded_word", expect="parsed",
             data=msg("Subject: =?x-unknown?q?Notes_from_call?= =?utf-8?b?4pyTIGRvbmU=?=", body=NOTES)))
    add(Case(name="raw_8bit_headers", expect="parsed", check=_subject_has("Réunion"),
             data=msg("Subject: Réunion — café à 15h", "To: Zoë Partner <bob@partner.example>",
                      "From: Ålice Example <alice@example.com>", body=NOTES)))
    add(Case(name="latin1_8bit_header", expect="parsed",
             data=msg("Subject: Caf\udce9 notes", body=NOTES)))
    add(Case(name="invalid_utf8_body", expect="parsed",
             data=msg("MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8",
                      "Content-Transfer-Encoding: 8bit",
                      body=b"Notes \xff\xfe\xc3\x28 broken \xed\xa0\x80 surrogate\r\n" + NOTES.encode())))
    add(Case(name="bad_base64_body", expect="parsed",
             data=msg("MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8",
                      "Content-Transfer-Encoding: base64",
                      body="!!!this is not base64@@@\r\nSGVsbG8gQm9i===\r\n====\r\n")))
    add(Case(name="bad_quoted_printable", expect="parsed",
             data=msg("MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8",
                      "Content-Transfer-Encoding: quoted-printable",
                      body="Meet at 10=3A00 =ZZ =\r\n=E2=82 Friday =")))
    add(Case(name="unknown_transfer_encoding", expect="parsed",
             data=msg("MIME-Version: 1.0", "Content-Type: text/plain",
                      "Content-Transfer-Encoding: x-uuencode-ish", body=NOTES)))

    # --- header injection / smuggling ---
    add(Case(name="encoded_crlf_subject_smuggles_bcc", expect="parsed", check=_no_bcc,
             data=msg("Subject: =?utf-8?q?Notes=0D=0ABcc:_victim@evil.example?=", body=NOTES)))
    add(Case(name="encoded_crlf_in_to_name", expect="parsed", check=_no_bcc,
             data=msg("To: =?utf-8?b?Qm9iDQpCY2M6IHZpY3RpbUBldmlsLmV4YW1wbGU=?= <bob@partner.example>",
                      body=NOTES)))
    add(Case(name="encoded_nul_in_subject", expect="parsed",
             data=msg("Subject: =?utf-8?q?Notes=00from=00call?=", body=NOTES)))
    add(Case(name="from_quoted_local_part_smuggle", expect="skip-by-policy", rule="invalid_from",
             data=msg('From: "alice@example.com"@evil.example', body=NOTES)))
    add(Case(name="from_two_addresses_one_token", expect="skip-by-policy", rule="several_from",
             data=msg("From: alice@example.com,mallory@evil.example", body=NOTES)))
    add(Case(name="from_comment_names_authorised", expect="skip-by-policy", rule="unauthorised",
             data=msg("From: mallory@evil.example (alice@example.com)", body=NOTES)))
    add(Case(name="from_route_addr", expect="skip-by-policy", rule="invalid_from",
             data=msg("From: <@example.com:mallory@evil.example>", body=NOTES)))
    add(Case(name="from_paren_angle_confusion", expect="skip-by-policy", rule="invalid_from",
             data=msg("From: alice@example.com)<mallory@evil.example>", body=NOTES)))
    add(Case(name="from_display_name_is_address", expect="skip-by-policy", rule="unauthorised",
             data=msg('From: "alice@example.com" <mallory@evil.example>', body=NOTES)))
    add(Case(name="to_smuggles_extra_party", expect="parsed",
             data=msg('To: "bob@partner.example, x@evil.example" <bob@partner.example>', body=NOTES)))

    add(Case(name="from_encoded_word_posing_as_address", expect="skip-by-policy", rule="invalid_from",
             data=msg("From: =?utf-8?q?alice@example.com?= <mallory@evil.example>", body=NOTES),
             why="decoded, the display name reads as a second address: refused as malformed"))
    add(Case(name="from_homoglyph_domain", expect="skip-by-policy", rule="unauthorised",
             data=msg("From: Alice <alice@exаmple.com>", body=NOTES)))
    add(Case(name="from_upper_case_is_the_same_person", expect="parsed",
             data=msg("From: ALICE EXAMPLE <ALICE@EXAMPLE.COM>", body=NOTES)))
    add(Case(name="inline_forward_block_with_hostile_headers", expect="parsed",
             data=msg(body="FYI, see below.\n\n---------- Forwarded message ---------\n"
                           "From: =?utf-8?q?Bob=0D=0ABcc:_x@evil.example?= <bob@partner.example>\n"
                           "Date: Mon, 1 Mar 2027 at 09:00\n"
                           "Subject: =?utf-8?q?Call=0D=0AX-Mailflow-Key:_forged?=\n"
                           'To: Alice <alice@example.com>, "x@y.example"@evil.example, <@r.example:z@q.example>\n\n'
                           "Can we meet on Thursday at 15:00?\n")))

    # --- size and depth ---
    add(Case(name="header_1mb", expect="bad",
             data=msg("X-Filler: " + "\r\n ".join(["x" * 70] * 15000), body=NOTES)))
    add(Case(name="subject_1mb_one_line", expect="bad",
             data=msg("Subject: " + "long " * 210_000, body=NOTES)))
    add(Case(name="too_many_headers", expect="bad",
             data=msg(*[f"X-H{i}: v" for i in range(5000)], body=NOTES)))
    add(Case(name="multipart_300_deep", expect="bad", data=_deep_multipart(300)))
    add(Case(name="multipart_10_deep", expect="parsed", check=_text_has("Tuesday"),
             data=_deep_multipart(10)))
    add(Case(name="parts_1000", expect="bad", data=_many_parts(1000)))
    add(Case(name="base64_nested_rfc822_6_deep", expect="parsed", data=_deep_base64(6)))
    add(Case(name="base64_nested_rfc822_22_deep", expect="parsed", allow_bad=True,
             data=_deep_base64(22),
             why="deeper than max_depth if decoded; left encoded is as good"))
    add(Case(name="zip_bomb_attachment", expect="parsed", data=_zip_bomb(),
             check=_text_has("budget")))
    add(Case(name="very_long_line", expect="parsed",
             data=msg(body="Meet at 10:00 " + "word" * 200_000 + "\n" + NOTES)))
    add(Case(name="base64_looking_text_1mb", expect="parsed",
             data=msg(body=base64.encodebytes(bytes(range(256)) * 2800).decode("ascii") + NOTES),
             why="a megabyte of 76-column lines that every line-by-line scan must walk"))
    add(Case(name="html_100k_nested_tags", expect="parsed",
             data=msg("MIME-Version: 1.0", "Content-Type: text/html; charset=utf-8",
                      body="<div>" * 100_000 + "Meet on Friday at 10:00" + "</div>" * 100_000)))
    add(Case(name="html_100k_unclosed_tags", expect="parsed",
             data=msg("MIME-Version: 1.0", "Content-Type: text/html; charset=utf-8",
                      body="<p><b><i><span>" * 25_000 + "Meet on Friday")))
    add(Case(name="recipients_500", expect="parsed", check=_many_parties,
             data=msg(_recipients(500), body=NOTES)))

    # --- broken structure ---
    add(Case(name="boundary_never_used", expect="parsed",
             data=msg("MIME-Version: 1.0", 'Content-Type: multipart/mixed; boundary="nope"',
                      body=NOTES)))
    add(Case(name="boundary_missing_param", expect="parsed",
             data=msg("MIME-Version: 1.0", "Content-Type: multipart/alternative", body=NOTES)))
    add(Case(name="boundary_not_closed", expect="parsed",
             data=msg("MIME-Version: 1.0", 'Content-Type: multipart/mixed; boundary="open"',
                      body=mime("open", ("Content-Type: text/plain", NOTES), close=False))))
    add(Case(name="boundary_prefix_of_another", expect="parsed",
             data=msg("MIME-Version: 1.0", 'Content-Type: multipart/mixed; boundary="a"',
                      body=mime("a", ('Content-Type: multipart/alternative; boundary="ab"',
                                      mime("ab", ("Content-Type: text/plain", NOTES)))))))
    add(Case(name="truncated_mid_base64_part", expect="parsed",
             data=msg("MIME-Version: 1.0", 'Content-Type: multipart/mixed; boundary="t"',
                      body=mime("t", ("Content-Type: text/plain", NOTES),
                                ("Content-Type: application/pdf\r\nContent-Transfer-Encoding: base64",
                                 base64.encodebytes(b"%PDF-1.4 " * 400).decode()))[:900])))
    add(Case(name="truncated_in_headers", expect="parsed",
             data=msg(body=NOTES)[:70]))
    add(Case(name="nul_bytes", expect="parsed",
             data=msg("Subject: Notes\x00 from call", body="Hi\x00Bob\n" + NOTES + "\x00" * 100)))
    add(Case(name="only_headers_no_body", expect="parsed",
             data=msg(body="").rstrip(b"\r\n")))
    add(Case(name="empty_message", expect="bad", data=b""))
    add(Case(name="whitespace_only", expect="bad", data=b"\r\n\r\n  \r\n"))
    add(Case(name="binary_junk", expect="skip-by-policy", rule="no_from", allow_bad=True,
             data=bytes(range(256)) * 8))

    # --- content that must stay inert ---
    add(Case(name="template_syntax_subject_and_body", expect="parsed",
             check=_subject_has("{{ config }}"),
             data=msg("Subject: {{ config }} {% for x in range(99999999) %}x{% endfor %}",
                      body="{{ self.__init__.__globals__ }}\n{% include '/etc/passwd' %}\n"
                           "${7*7} #{7*7} <%= 7*7 %>\n" + NOTES)))
    add(Case(name="script_in_subject_and_html_body", expect="parsed", check=_no_script,
             data=msg("Subject: <script>alert(1)</script> Budget review", "MIME-Version: 1.0",
                      "Content-Type: text/html; charset=utf-8", body=_HTML_SCRIPT)))
    add(Case(name="calendar_rrule_secondly_forever", expect="parsed",
             data=msg("MIME-Version: 1.0", 'Content-Type: multipart/mixed; boundary="c"',
                      body=mime("c", ("Content-Type: text/plain", "Stand-up invite attached."),
                                ("Content-Type: text/calendar; method=REQUEST; charset=utf-8",
                                 _calendar("FREQ=SECONDLY;INTERVAL=1"))))))
    add(Case(name="calendar_rrule_byday_explosion", expect="parsed",
             data=msg("MIME-Version: 1.0", "Content-Type: text/calendar; method=REQUEST",
                      body=_calendar("FREQ=MINUTELY;BYSECOND=" + ",".join(map(str, range(60)))
                                     + ";BYMINUTE=" + ",".join(map(str, range(60)))))))
    add(Case(name="calendar_garbage", expect="parsed",
             data=msg("MIME-Version: 1.0", "Content-Type: text/calendar",
                      body="BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:99999999T999999\r\n"
                           "RRULE:FREQ=NEVER;COUNT=-1\r\nBEGIN:VEVENT\r\n")))
    add(Case(name="time_phrase_torture", expect="parsed",
             data=msg(body="Let's meet at 25:99 on 31/02/2027 Mars/Olympus time, or 0:00 +99:99, "
                           "or 2027-03-28 01:30 Europe/London, or in 10000000 years, or "
                           + "next " * 2000 + "Tuesday.\n")))
    add(Case(name="forward_attachment_with_hostile_inner_from", expect="parsed",
             data=msg("MIME-Version: 1.0", 'Content-Type: multipart/mixed; boundary="f"',
                      body=mime("f", ("Content-Type: text/plain", "See the attached thread."),
                                ("Content-Type: message/rfc822",
                                 msg("From: a@x.example, b@y.example", "From: c@z.example",
                                     "Subject: =?utf-8?q?inner=0D=0ABcc:_x@evil.example?=",
                                     body=NOTES))))))

    # --- text that baits slow scanners (time finder, minutes, quote/forward cutting) ---
    add(Case(name="forward_blocks_500_deep", expect="parsed",
             data=msg(body="".join(
                 f"---------- Forwarded message ---------\nFrom: P{i} <p{i}@fwd.example>\n"
                 f"Date: Mon, 1 Mar 2027 at 09:{i % 60:02d}\nSubject: Fwd: notes\n"
                 f"To: Alice <alice@example.com>\n\nlevel {i}, meet at 10:00?\n\n"
                 for i in range(500)))))
    add(Case(name="quote_depth_10000", expect="parsed",
             data=msg(body=NOTES + "\nOn Mon, 1 Mar 2027 at 10:00, Bob <bob@partner.example> wrote:\n"
                      + ">" * 10_000 + " Tuesday at 3pm?\n")))
    add(Case(name="quoted_lines_50000", expect="parsed",
             data=msg(body=NOTES + "\n" + "> earlier: Friday 10:00 works\n" * 50_000)))
    add(Case(name="time_phrases_10000", expect="parsed",
             data=msg(body="Options: " + "Mon 10:00, " * 10_000 + "or Tuesday.\n")))
    add(Case(name="action_items_20000", expect="parsed",
             data=msg(body="Action items:\n" + "- Bob to send the deck by Friday\n" * 20_000)))
    add(Case(name="regex_bait_repeats", expect="parsed",
             data=msg(body="at " * 30_000 + "\n" + "1/" * 30_000 + "\n" + "10:" * 30_000 + "\n"
                      + "next " * 20_000 + "\n" + "(" * 30_000 + "\n" + "-- \n" * 10_000)))
    add(Case(name="whitespace_line_5000", expect="parsed",
             data=msg(body=NOTES + " " * 5_000 + "x\n" + "\t" * 5_000 + "y\n"),
             why="a scan with two adjacent \\s* around an optional group goes quadratic here"))
    add(Case(name="weekday_run_2000", expect="parsed",
             data=msg(body="Mon Tue Wed Thu Fri " * 2_000 + "\n"),
             why="200+ mentions in one 40 kB sentence: per-mention work must not scan the sentence"))
    add(Case(name="unicode_zalgo_bidi_fullwidth", expect="parsed",
             data=msg("Subject: \u202eston gniteem\u202c \u200d\u200b",
                      body="Meet at \uff11\uff10\uff1a\uff10\uff10 on Friday "
                           + "Z" + "\u0337\u0322\u0349" * 20_000 + "\n\u202e 10:00 \u202c\n"
                           + "\ufeff" * 1000 + NOTES)))

    # --- RFC 3834 and bounces ---
    add(Case(name="out_of_office_auto_submitted", expect="skip-by-policy", rule="auto_submitted",
             data=msg("Auto-Submitted: auto-replied", "Subject: Out of Office: Notes from our call",
                      body="I am away until Monday.\n")))
    add(Case(name="auto_submitted_no_is_fine", expect="parsed",
             data=msg("Auto-Submitted: no", body=NOTES)))
    add(Case(name="x_autoreply", expect="skip-by-policy", rule="auto_reply",
             data=msg("X-Autoreply: yes", "Subject: Re: Notes from our call",
                      body="I am away until Monday.\n")))
    add(Case(name="automatic_reply_subject_only", expect="skip-by-policy", rule="auto_reply",
             data=msg("Subject: Automatic reply: Notes from our call",
                      body="I am out of the office.\n")))
    add(Case(name="precedence_bulk", expect="skip-by-policy", rule="precedence",
             data=msg("Precedence: bulk", body=NOTES)))
    add(Case(name="mailing_list", expect="skip-by-policy", rule="mailing_list",
             data=msg("List-Id: Team notes <team.lists.example.com>",
                      "List-Unsubscribe: <mailto:leave@lists.example.com>", body=NOTES)))
    add(Case(name="bounce_multipart_report", expect="skip-by-policy", rule="delivery_report",
             data=msg("MIME-Version: 1.0",
                      'Content-Type: multipart/report; report-type=delivery-status; boundary="r"',
                      body=mime("r", ("Content-Type: text/plain", "Delivery failed."),
                                ("Content-Type: message/delivery-status",
                                 "Reporting-MTA: dns; mx.example.com\r\n\r\n"
                                 "Final-Recipient: rfc822; nobody@partner.example\r\nAction: failed\r\n"
                                 "Status: 5.1.1")))))
    add(Case(name="bounce_mailer_daemon", expect="skip-by-policy", rule="bounce_sender",
             data=msg("From: Mail Delivery System <MAILER-DAEMON@mx.partner.example>",
                      "Subject: Undelivered Mail Returned to Sender", body="Sorry.\n")))
    add(Case(name="bounce_null_return_path", expect="skip-by-policy", rule="bounce_sender",
             data=msg("Return-Path: <>", body=NOTES)))
    add(Case(name="read_receipt_mdn", expect="skip-by-policy", rule="delivery_report",
             data=msg("MIME-Version: 1.0",
                      'Content-Type: multipart/report; report-type=disposition-notification; boundary="m"',
                      body=mime("m", ("Content-Type: text/plain", "Your message was read."),
                                ("Content-Type: message/disposition-notification",
                                 "Disposition: manual-action/MDN-sent-manually; displayed")))))

    # --- who is writing ---
    add(Case(name="several_from_headers", expect="skip-by-policy", rule="several_from",
             data=msg(f"From: {ALICE}", "From: Mallory <mallory@evil.example>", body=NOTES)))
    add(Case(name="no_from", expect="skip-by-policy", rule="no_from",
             data=msg(body=NOTES, drop=("from",))))
    add(Case(name="spoofs_mailflow_address", expect="skip-by-policy", rule="loop",
             data=msg("From: Mailflow <mailflow@example.org>", body=NOTES)))
    add(Case(name="carries_mailflow_key", expect="skip-by-policy", rule="loop",
             data=msg("X-Mailflow-Key: recap:abc123", "Auto-Submitted: auto-generated", body=NOTES)))
    add(Case(name="unauthorised_sender", expect="skip-by-policy", rule="unauthorised",
             data=msg("From: Mallory <mallory@evil.example>", body=NOTES)))
    add(Case(name="subdomain_not_implied", expect="skip-by-policy", rule="unauthorised",
             data=msg("From: Carol <carol@sub.partner.example>", body=NOTES)))
    add(Case(name="thread_limit", expect="skip-by-policy", rule="thread_limit",
             thread_count=MAX_THREAD, data=msg(body=NOTES)))

    # --- Authentication-Results ---
    add(Case(name="auth_genuine_dmarc_pass", expect="parsed", auth_serv_id=OUR_AUTH_ID,
             data=msg("Authentication-Results: mx.example.org; spf=pass smtp.mailfrom=example.com;"
                      " dkim=pass header.d=example.com; dmarc=pass header.from=example.com",
                      body=NOTES)))
    add(Case(name="auth_forged_other_id", expect="skip-by-policy", rule="unauthenticated",
             auth_serv_id=OUR_AUTH_ID,
             data=msg("Authentication-Results: mx.evil.example; dmarc=pass header.from=example.com",
                      body=NOTES)))
    add(Case(name="auth_forged_below_ours", expect="skip-by-policy", rule="unauthenticated",
             auth_serv_id=OUR_AUTH_ID,
             data=msg("Authentication-Results: mx.example.org; dkim=none; dmarc=fail",
                      "Authentication-Results: mx.example.org; dmarc=pass header.from=example.com",
                      body=NOTES)))
    add(Case(name="auth_forged_other_id_above_ours", expect="skip-by-policy", rule="unauthenticated",
             auth_serv_id=OUR_AUTH_ID,
             data=msg("Authentication-Results: evil.example; dmarc=pass",
                      "Authentication-Results: mx.example.org; dmarc=fail header.from=example.com",
                      body=NOTES)))
    add(Case(name="auth_dkim_pass_misaligned", expect="skip-by-policy", rule="unauthenticated",
             auth_serv_id=OUR_AUTH_ID,
             data=msg("Authentication-Results: mx.example.org; dkim=pass header.d=evil.example;"
                      " dmarc=none", body=NOTES)))
    add(Case(name="auth_pass_hidden_in_comment", expect="skip-by-policy", rule="unauthenticated",
             auth_serv_id=OUR_AUTH_ID,
             data=msg("Authentication-Results: mx.example.org; dkim=fail (dkim=pass header.d=example.com)"
                      " header.d=example.com", body=NOTES)))
    return c


CASES: tuple[Case, ...] = tuple(_cases())
