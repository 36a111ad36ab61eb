"""letters.read_letter: headers, charsets, MIME structure, HTML, caps and hostile input."""

from __future__ import annotations

import datetime as dt
import textwrap
import time
from dataclasses import dataclass
from email.message import EmailMessage

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mailflow.errors import BadMessage
from mailflow.letters import html_to_text, parse_date, read_addresses, read_letter


def simple(headers: str, body: bytes = b"hello\n") -> bytes:
    return headers.encode("utf-8") + b"\n" + body


# --- headers ---------------------------------------------------------------------------------

def test_headers_are_decoded_and_addresses_lowered() -> None:
    letter = read_letter(simple(
        "From: =?utf-8?q?J=C3=B6rg_M=C3=BCller?= <Joerg@Example.DE>\n"
        "To: \"Archer, Alice\" <ALICE@example.com>, bob@example.net\n"
        "Cc: undisclosed-recipients:;\n"
        "Subject: =?iso-8859-1?q?R=E9union_?= =?utf-8?b?w6AgamV1ZGk=?= (draft)\n"
        "Date: Tue, 03 Mar 2026 10:15:00 +0530\n"
        "Message-ID: <abc@example.de>\n"
        "In-Reply-To: <prev@example.com>\n"
        "References: <root@example.com> <prev@example.com>\n"
    ))
    h = letter.headers
    assert [(a.name, a.addr) for a in h.from_] == [("Jörg Müller", "joerg@example.de")]
    assert [(a.name, a.addr) for a in h.to] == [("Archer, Alice", "alice@example.com"),
                                               ("", "bob@example.net")]
    assert h.cc == ()
    assert h.subject == "Réunion à jeudi (draft)"
    assert h.date == dt.datetime(2026, 3, 3, 10, 15, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=30)))
    assert h.date is not None and h.date.utcoffset() == dt.timedelta(hours=5, minutes=30)
    assert h.message_id == "<abc@example.de>"
    assert h.in_reply_to == "<prev@example.com>"
    assert h.references == ("<root@example.com>", "<prev@example.com>")
    assert ("subject", h.subject) in letter.header_fields
    assert letter.defects == ()


def test_several_from_headers_are_all_kept_with_a_defect() -> None:
    letter = read_letter(simple("From: a@example.com\nFrom: b@example.com\nDate: Tue, 3 Mar 2026 10:00:00 +0000\n"))
    assert [a.addr for a in letter.headers.from_] == ["a@example.com", "b@example.com"]
    assert "several From headers" in letter.defects


@pytest.mark.parametrize("value", [
    "alice@example.org)<bob@example.org>",
    "alice@example.org <bob@example.org>",
    '"a@example.org" <b@example.org> <c@example.org>',
])
def test_a_token_that_splits_into_several_addresses_is_rejected(value: str) -> None:
    defects: list[str] = []
    got = read_addresses([value], defects, "From")
    assert len(got) <= 1
    assert got == () and defects and defects[0].startswith("invalid From")


def test_address_list_with_quoted_commas() -> None:
    got = read_addresses(['"Doe, Jane" <Jane@X.org>, "Roe, Rich" <rich@y.org>'])
    assert [(a.name, a.addr) for a in got] == [("Doe, Jane", "jane@x.org"), ("Roe, Rich", "rich@y.org")]


@pytest.mark.parametrize("value,expected,defect", [
    ("Tue, 3 Mar 2026 10:15:00 -0800", dt.datetime(2026, 3, 3, 18, 15, tzinfo=dt.UTC), None),
    ("Tue, 3 Mar 2026 10:15:00 -0000", dt.datetime(2026, 3, 3, 10, 15, tzinfo=dt.UTC), "without zone"),
    ("Mon, 1 Jan 1900 00:00:00 +0000", None, "absurd"),
    ("yesterday-ish", None, "unreadable"),
])
def test_date_header(value: str, expected: dt.datetime | None, defect: str | None) -> None:
    defects: list[str] = []
    got = parse_date(value, defects)
    assert got == expected
    if expected is not None:
        assert got is not None and got.tzinfo is not None
    assert (defect is None) == (not defects)
    if defect:
        assert defect in defects[0]


def test_offset_of_date_is_kept() -> None:
    got = parse_date("Tue, 3 Mar 2026 10:15:00 -0800")
    assert got is not None and got.utcoffset() == dt.timedelta(hours=-8) and got.hour == 10


def test_missing_date_is_none_with_defect() -> None:
    letter = read_letter(simple("From: a@example.com\n"))
    assert letter.headers.date is None
    assert "no Date header" in letter.defects


def test_raw_8bit_headers_are_decoded() -> None:
    for encoding in ("utf-8", "cp1252"):
        raw = "From: Jörg <j@example.de>\nSubject: Grüße aus Köln\n\nhi\n".encode(encoding)
        letter = read_letter(raw)
        assert letter.headers.subject == "Grüße aus Köln"
        assert letter.headers.from_[0].name == "Jörg"
        assert any("raw 8-bit" in d for d in letter.defects)


# --- bodies and charsets ---------------------------------------------------------------------

@pytest.mark.parametrize("charset,cte", [
    ("iso-8859-1", "quoted-printable"), ("windows-1252", "8bit"), ("utf-8", "base64"),
    ("koi8-r", "8bit"), ("shift_jis", "base64"), ("iso-8859-15", "quoted-printable"),
    ("gb2312", "base64"),
])
def test_charsets_and_transfer_encodings(charset: str, cte: str) -> None:
    text = {"koi8-r": "Встреча во вторник", "shift_jis": "会議は火曜日です",
            "gb2312": "会议在星期二"}.get(charset, "Réunion mardi à 15h, café")
    msg = EmailMessage()
    msg["From"] = "a@example.com"
    msg.set_content(text, charset=charset, cte=cte)  # type: ignore[call-arg]
    letter = read_letter(msg.as_bytes())
    assert letter.text.strip() == text
    assert not [d for d in letter.defects if "charset" in d]


def test_unknown_charset_decodes_with_replacement_and_defect() -> None:
    raw = simple("From: a@example.com\nContent-Type: text/plain; charset=x-klingon\n", b"caf\xc3\xa9 \xff ok\n")
    letter = read_letter(raw)
    assert letter.text.startswith("café")
    assert "ok" in letter.text
    assert any("unknown charset 'x-klingon'" in d for d in letter.defects)


def test_alternative_prefers_plain_and_keeps_html() -> None:
    msg = EmailMessage()
    msg["From"] = "a@example.com"
    msg.set_content("Plain version of the notes, long enough to be the real text.\n")
    msg.add_alternative("<p>HTML version</p>", subtype="html")
    letter = read_letter(msg.as_bytes())
    assert letter.text.startswith("Plain version")
    assert letter.html is not None and "HTML version" in letter.html


def test_alternative_with_stub_plain_uses_html() -> None:
    msg = EmailMessage()
    msg["From"] = "a@example.com"
    msg.set_content("\n")
    msg.add_alternative("<h1>Agenda</h1><ol><li>Budget</li><li>Hiring</li></ol>", subtype="html")
    letter = read_letter(msg.as_bytes())
    assert "Agenda" in letter.text and "Budget" in letter.text


def test_html_to_text_keeps_structure() -> None:
    text = html_to_text(
        "<h2>Decisions</h2><ul><li>Move the review</li><li>Hire two people</li></ul>"
        "<table><tr><th>Who</th><th>What</th></tr><tr><td>Dana</td><td>Budget</td></tr></table>"
        "<p>See <a href='https://example.org/doc'>the doc</a> or write to "
        "<a href='mailto:dana@example.org'>dana@example.org</a></p>"
    )
    lines = [x.strip() for x in text.splitlines()]
    assert "Decisions" in lines
    assert "- Move the review" in lines and "- Hire two people" in lines
    assert any(x.split() == ["Dana", "Budget"] for x in lines)
    assert "[the doc](https://example.org/doc)" in text
    assert "dana@example.org" in text and "mailto:" not in text


def test_html_to_text_is_bounded_on_hostile_html() -> None:
    cases = [
        "<div>" * 50_000 + "deep" + "</div>" * 50_000,
        "<table>" + ("<tr>" + "<td>x</td>" * 50 + "</tr>") * 3000 + "</table>",
        "<p>" + "word " * 300_000,
        "<ul><li>" * 20_000,
    ]
    for html in cases:
        start = time.perf_counter()
        html_to_text(html)
        assert time.perf_counter() - start < 3.0


def test_mixed_with_attachment_and_inline_text() -> None:
    msg = EmailMessage()
    msg["From"] = "a@example.com"
    msg.set_content("See the agenda attached.\n")
    msg.add_attachment(b"%PDF-1.4 binary", maintype="application", subtype="pdf", filename="agenda.pdf")
    msg.add_attachment("not the body", filename="notes.txt")
    letter = read_letter(msg.as_bytes())
    assert letter.text == "See the agenda attached."


# --- calendars in mail -----------------------------------------------------------------------

ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nPRODID:-//test//EN\r\n"
    "BEGIN:VEVENT\r\nUID:evt-1@example.com\r\nSEQUENCE:0\r\n"
    "DTSTART;TZID=W. Europe Standard Time:20260310T150000\r\n"
    "DTEND;TZID=W. Europe Standard Time:20260310T160000\r\n"
    "SUMMARY:Launch review\r\nORGANIZER;CN=Alice:mailto:alice@example.com\r\n"
    "ATTENDEE;CN=Bob:mailto:bob@example.net\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


def test_invite_alternative_fills_calendars() -> None:
    msg = EmailMessage()
    msg["From"] = "alice@example.com"
    msg["Subject"] = "Invitation: Launch review"
    msg.set_content("You are invited.\n")
    msg.add_alternative(ICS, subtype="calendar", params={"method": "REQUEST"})
    letter = read_letter(msg.as_bytes())
    assert letter.text == "You are invited."
    (event,) = letter.calendars
    assert event.uid == "evt-1@example.com" and event.method == "REQUEST"
    assert event.tzid == "Europe/Berlin"
    assert event.start is not None and event.start.utcoffset() == dt.timedelta(hours=1)


def test_ics_attachment_and_malformed_ics() -> None:
    msg = EmailMessage()
    msg["From"] = "alice@example.com"
    msg.set_content("Two files.\n")
    msg.add_attachment(ICS.encode(), maintype="application", subtype="octet-stream", filename="invite.ics")
    msg.add_attachment(b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:notadate\r\n", maintype="text",
                       subtype="calendar", filename="broken.ics")
    letter = read_letter(msg.as_bytes())
    assert [e.uid for e in letter.calendars] == ["evt-1@example.com"]
    assert any("malformed calendar" in d for d in letter.defects)


def test_message_rfc822_is_attached() -> None:
    inner = EmailMessage()
    inner["From"] = "Alice <alice@example.com>"
    inner["Subject"] = "Inner"
    inner["Date"] = "Tue, 03 Mar 2026 16:05:00 +0000"
    inner.set_content("inner text\n")
    outer = EmailMessage()
    outer["From"] = "bob@example.net"
    outer.set_content("outer text\n")
    outer.add_attachment(inner)
    letter = read_letter(outer.as_bytes())
    assert letter.text == "outer text"
    (att,) = letter.attached
    assert att.headers.subject == "Inner" and att.text == "inner text"
    assert att.headers.from_[0].addr == "alice@example.com"


# --- caps and hostile input ------------------------------------------------------------------

def nested_multipart(depth: int) -> bytes:
    body = "Content-Type: text/plain\n\ninnermost\n"
    for i in range(depth):
        body = f'Content-Type: multipart/mixed; boundary="b{i}"\n\n--b{i}\n{body}\n--b{i}--\n'
    return ("From: a@example.com\nMIME-Version: 1.0\n" + body).encode()


def nested_messages(depth: int) -> bytes:
    body = "From: z@example.com\n\nhi\n"
    for i in range(depth):
        body = f"From: a{i}@example.com\nContent-Type: message/rfc822\n\n{body}"
    return body.encode()


def timed(data: bytes, limits: object | None = None) -> tuple[float, object]:
    start = time.perf_counter()
    try:
        result: object = read_letter(data, limits=limits)
    except BadMessage as exc:
        result = exc
    return time.perf_counter() - start, result


@pytest.mark.parametrize("data,reason", [
    (b"From: a@example.com\nSubject: " + b"x" * 500_000 + b"\n\nhi\n", "header block too large"),
    (b"".join(b"X-H%d: v\n" % i for i in range(5000)) + b"\nhi\n", "too many header fields"),
    (nested_multipart(300), "nesting too deep"),
    (nested_messages(300), "nesting too deep"),
    (b"From: a@example.com\nContent-Type: multipart/mixed; boundary=z\n\n"
     + b"--z\nContent-Type: text/plain\n\nx\n" * 2000 + b"--z--\n", "too many MIME parts"),
    (b"  \n", "empty"),
])
def test_over_a_cap_is_rejected_fast(data: bytes, reason: str) -> None:
    elapsed, result = timed(data)
    assert isinstance(result, BadMessage) and reason in str(result)
    assert elapsed < 0.5


def test_caps_come_from_the_limits_object() -> None:
    @dataclass
    class Small:
        max_bytes: int = 400
        max_depth: int = 2

    _, result = timed(b"From: a@example.com\n\n" + b"x" * 500, Small())
    assert isinstance(result, BadMessage) and "too large" in str(result)
    _, ok = timed(nested_multipart(2), Small())
    assert not isinstance(ok, BadMessage)
    _, deep = timed(nested_multipart(3), Small())
    assert isinstance(deep, BadMessage)


def test_nesting_within_the_cap_is_read() -> None:
    elapsed, letter = timed(nested_multipart(15))
    assert not isinstance(letter, BadMessage)
    assert letter.text == "innermost"


@pytest.mark.parametrize("data,defect", [
    (b"From: a@example.com\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
     b"aGVsbG8gd29ybGQ=!!!$$\nxx=\n", "bad base64"),
    (b"From: a@example.com\nContent-Type: multipart/mixed; boundary=zz\n\n--yy\nContent-Type: text/plain\n\n"
     b"lost\n", "broken boundary"),
    (b"From: a@example.com\nContent-Type: multipart/mixed; boundary=zz\n\n--zz\nContent-Type: text/plain\n\n"
     b"never closed\n", "broken boundary"),
    (b"From: " + b"(" * 100_000 + b"a@example.com\n\nhi\n", "invalid From"),
    (b"From: a@example.com\nSubject: " + b"=?utf-8?q?a?= " * 3000 + b"\n\nhi\n", "no Date header"),
    (b"From: a@example.com\nContent-Type: text/plain; charset=\"\"\n\n\xff\xfe odd\n", "no Date header"),
    (b"From: a@example.com\nContent-Type: text/plain; " + b"a=b; " * 50_000 + b"\n\nhi\n", "parameters cut"),
    (b"From: a@example.com\nContent-Type: multipart/mixed; boundary=zz\n\n--zz\nContent-Type: text/plain; "
     + b'a="b"; ' * 40_000 + b"\n\nhello\n--zz--\n", "parameters cut"),
])
def test_survivable_oddities_become_defects(data: bytes, defect: str) -> None:
    elapsed, letter = timed(data)
    assert not isinstance(letter, BadMessage), letter
    assert any(defect in d for d in letter.defects)
    assert elapsed < 0.5


def test_alternative_with_related_html_still_prefers_plain() -> None:
    msg = EmailMessage()
    msg["From"] = "a@example.com"
    msg.set_content("Plain text carries the whole message, long enough to count.\n")
    msg.add_alternative("<p>Rich <b>version</b> <img src='cid:logo'></p>", subtype="html")
    html_part = msg.get_payload()[1]
    html_part.add_related(b"GIF89a", "image", "gif", cid="<logo>")
    assert html_part.get_content_type() == "multipart/related"
    letter = read_letter(msg.as_bytes())
    assert letter.text.startswith("Plain text carries")
    assert letter.html is not None and "Rich" in letter.html


def test_related_html_is_used_when_plain_is_a_stub() -> None:
    msg = EmailMessage()
    msg["From"] = "a@example.com"
    msg.set_content("See HTML.\n")
    msg.add_alternative("<p>The launch review moves to Tuesday 10 March at 15:00 CET, room 4.</p>"
                        "<ul><li>Budget first</li></ul>", subtype="html")
    msg.get_payload()[1].add_related(b"GIF89a", "image", "gif", cid="<logo>")
    letter = read_letter(msg.as_bytes())
    assert "launch review moves" in letter.text and "- Budget first" in letter.text


def test_digest_of_many_attached_messages_is_not_too_deep() -> None:
    outer = EmailMessage()
    outer["From"] = "list@example.org"
    outer.set_content("Digest")
    for i in range(40):
        inner = EmailMessage()
        inner["From"] = f"user{i}@example.org"
        inner["Subject"] = f"Item {i}"
        inner.set_content(f"text {i}")
        outer.add_attachment(inner)
    letter = read_letter(outer.as_bytes())
    assert len(letter.attached) == 40
    assert letter.attached[39].headers.subject == "Item 39"


def test_format_flowed_is_unwrapped() -> None:
    raw = (b"From: a@example.com\nContent-Type: text/plain; charset=utf-8; format=flowed\n\n"
           b"We agreed to meet on Tuesday 10 March at \n15:00 CET in room 4.\n\n"
           b"> Can we do \n> Tuesday?\n-- \nBob\n")
    letter = read_letter(raw)
    assert "We agreed to meet on Tuesday 10 March at 15:00 CET in room 4." in letter.text
    assert "> Can we do Tuesday?" in letter.text
    assert letter.text.endswith("-- \nBob")


def test_format_flowed_delsp() -> None:
    from mailflow.letters import unflow

    assert unflow("Meet at ten \no'clock", delsp=True) == "Meet at teno'clock"
    assert unflow("Meet at ten \no'clock") == "Meet at ten o'clock"
    assert unflow("plain\nlines") == "plain\nlines"


# --- the fast paths give the answers of the plain ones ------------------------------------------

@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=" \t\nx\r\u2003", max_size=30))
def test_dedent_is_textwrap_dedent(text: str) -> None:
    from mailflow.letters import dedent

    assert dedent(text) == textwrap.dedent(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([
    b"boundary", b"BOUNDARY", b"boundary=\"x\"", b"Boundary = y;", b"\n", b"\r\n", b"--", b"--x", b"--y--",
    b"x", b" ", b"content-type: message/rfc822", b"Content-Type:\tmessage/RFC822", b"\"", b"--boundary=z",
]), max_size=30))
def test_structure_hints_find_every_match(parts: list[bytes]) -> None:
    from mailflow.letters import _STRUCTURE, _structure_matches

    data = b"".join(parts)
    assert [m.span() for m in _structure_matches(data)] == [m.span() for m in _STRUCTURE.finditer(data)]


def test_long_plain_alternative_leaves_html_unrendered(monkeypatch: pytest.MonkeyPatch) -> None:
    import mailflow.letters as letters

    def fail(html: str) -> str:
        raise AssertionError("rendered")

    monkeypatch.setattr(letters, "html_to_text", fail)
    msg = EmailMessage()
    msg["From"] = "a@example.com"
    msg.set_content("Plain text carries the whole message, long enough to count.\n")
    msg.add_alternative("<p>Rich version</p>", subtype="html")
    letter = read_letter(msg.as_bytes())
    assert letter.text.startswith("Plain text carries")
    assert letter.html is not None and "Rich version" in letter.html


def test_alternative_defects_keep_reading_order() -> None:
    raw = (b"From: a@example.com\nMIME-Version: 1.0\nContent-Type: multipart/alternative; boundary=b\n\n"
           b"--b\nContent-Type: text/plain; charset=x-plain-nope\n\nPlain text long enough to be chosen here.\n"
           b"--b\nContent-Type: text/html; charset=x-html-nope\n\n<p>Rich</p>\n--b--\n")
    letter = read_letter(raw)
    assert letter.text.startswith("Plain text long enough")
    html_first = [d for d in letter.defects if "nope" in d]
    assert len(html_first) == 2 and "x-html-nope" in html_first[0] and "x-plain-nope" in html_first[1]


# --- shortcuts that stand in for the stdlib (exactly) -------------------------------------------

def _message_state(msg: object) -> dict[str, object]:
    state = {k: v for k, v in vars(msg).items() if k not in ("defects", "policy")}
    state["defects"] = [(type(d).__name__, str(d)) for d in msg.defects]  # type: ignore[attr-defined]
    if isinstance(state["_payload"], list):
        state["_payload"] = [_message_state(p) for p in state["_payload"]]
    return state


def _raws() -> list[bytes]:
    from tests.hostile import CASES
    from tests.mail_samples import SAMPLES

    heads = [b"From: a@b\n\n", b"\n\nbody", b"\nFrom: a@b\n\nx", b"From: a@b\nnot a header\n\nx",
             b"From: a@b\n continued\n\nx\r\n", b"From a@b Mon\nTo: c@d\n\nx", b"To: c@d\nFrom x\n\nx",
             b"Content-Type: message/rfc822\n\nFrom: a@b\n\nx", b"Content-Type: multipart/mixed\n\nx",
             b"Content-Type: text\n\n\n", b" first\nTo: c@d\n\nx", b":x\nTo: c@d\n\nx", b"To: \xff\n\n\xfe"]
    return [s.raw for s in SAMPLES] + [c.data for c in CASES] + heads


def test_parse_gives_what_the_stdlib_parser_gives() -> None:
    import email.parser
    import email.policy

    from mailflow.letters import _parse

    for raw in _raws():
        for data in (raw, raw.replace(b"\r\n", b"\n")):
            want = email.parser.BytesParser(policy=email.policy.compat32).parsebytes(data)
            got = _parse(data)
            assert _message_state(got) == _message_state(want)


ADDRESS_PIECES = ("Priya", "Raman", "O'Neil", "Jr.", "Zoë", "a.b", "x+y", "_", "-", ".", " ", "  ",
                  "\t", "<", ">", "@", "example.test", ",", ";", ":", '"', "(", ")", "[", "]",
                  "\\", "\u00a0", "\n", "=?utf-8?q?x?=")


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(ADDRESS_PIECES), max_size=14).map("".join))
def test_plain_mailboxes_parse_as_getaddresses_parses_them(token: str) -> None:
    import email.utils

    from mailflow import letters

    for text in (token, f"{token} <a.b@c.d>", f"{token}@x.y"):
        plain = letters._PLAIN_MAILBOX.fullmatch(text) is not None
        if letters._STRICT:
            want = email.utils.getaddresses([text], strict=True)  # type: ignore[call-arg]
        else:
            want = email.utils.getaddresses([text])
        assert letters._getaddresses(text) == want, (text, plain)


def test_plain_mailbox_shortcut_is_taken() -> None:
    from mailflow import letters

    assert letters._PLAIN_MAILBOX.fullmatch(" Priya  Raman <priya@example.test> ")
    assert letters._PLAIN_MAILBOX.fullmatch("priya@example.test")
    assert letters._getaddresses("Priya\tRaman<p@x.y>") == [("Priya Raman", "p@x.y")]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab =?\t\n\r\x00\x85\u2028\u00a0\udc80é", max_size=30))
def test_printable_header_shortcut_changes_nothing(value: str) -> None:
    from mailflow import letters

    if not (value.isprintable() and "=?" not in value):
        return
    # what the steps after the shortcut would make of the value
    assert letters._raw_8bit(value) is None
    want = letters.CONTROL_CHARS.sub(" ", letters._FOLD.sub("", value)).strip()
    assert letters.decode_header_value(value) == want
