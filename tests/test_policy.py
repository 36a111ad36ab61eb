"""policy: screening rules, recipient filter, address and header-value checks.

Letters are built directly from model types, so these tests do not depend on the parser.
"""

from __future__ import annotations

import ast
import datetime as dt
import email.utils
import string
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mailflow import policy
from mailflow.model import (
    Address,
    CalendarEvent,
    Headers,
    Letter,
    Meeting,
    Minutes,
    Note,
    Participant,
)
from mailflow.policy import Verdict, recipients, safe_header_value, screen, valid_address

SELF = ("mailflow@example.org",)
AUTH = ("alice@example.com", "@partner.example", "trusted.example", ".corp.example")
OUR_ID = "mx.example.org"


def letter(*fields: tuple[str, str], subject: str | None = None) -> Letter:
    """A Letter whose header_fields are the given (name, value) pairs, From parsed naively."""
    fields_l = tuple((n.lower(), v) for n, v in fields)
    raw = [v for n, v in fields_l if n == "from"]
    froms = [Address(name=n, addr=a.lower()) for n, a in email.utils.getaddresses(raw) if "@" in a]
    subj = subject if subject is not None else next((v for n, v in fields_l if n == "subject"), "")
    return Letter(
        headers=Headers(from_=tuple(froms), subject=subj),
        header_fields=fields_l,
        text="",
        html=None,
        calendars=(),
        attached=(),
        defects=(),
        size=0,
    )


def check(lt: Letter, **kw: object) -> Verdict:
    args: dict[str, object] = dict(
        authorised=AUTH, self_addrs=SELF, auth_serv_id=None, thread_count=0, max_thread_messages=10
    )
    args.update(kw)
    return screen(lt, **args)  # type: ignore[arg-type]


FROM_ALICE = ("From", "Alice Example <alice@example.com>")


# --- screen: the happy path and each rule ---------------------------------------------------


def test_authorised_person_passes() -> None:
    v = check(letter(FROM_ALICE, ("Subject", "Notes from today"), ("Auto-Submitted", "no")))
    assert v == Verdict(ok=True, rule=None, reason=None)


def test_verdict_is_frozen_slotted_kw_only() -> None:
    v = Verdict(ok=False, rule="loop", reason="x")
    with pytest.raises(AttributeError):
        v.ok = True  # type: ignore[misc]
    with pytest.raises(TypeError):
        Verdict(True, None, None)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("fields", "rule"),
    [
        ((FROM_ALICE, ("From", "Bob <bob@partner.example>")), "several_from"),
        ((("From", "alice@example.com, mallory@evil.example"),), "several_from"),
        ((("From", "Alice <alice@example.com>, Bob <bob@partner.example>"),), "several_from"),
        ((("From", "Mailflow <MailFlow@Example.org>"),), "loop"),
        ((FROM_ALICE, ("X-Mailflow-Key", "abc123")), "loop"),
        ((FROM_ALICE, ("Return-Path", "<mailflow@example.org>")), "loop"),
        ((FROM_ALICE, ("Auto-Submitted", "auto-generated (mailflow)")), "loop"),
        ((FROM_ALICE, ("Auto-Submitted", "auto-replied")), "auto_submitted"),
        ((FROM_ALICE, ("Auto-Submitted", "Auto-Generated; owner-email=x@y.z")), "auto_submitted"),
        ((FROM_ALICE, ("Auto-Submitted", "")), "auto_submitted"),
        ((FROM_ALICE, ("Precedence", "bulk")), "precedence"),
        ((FROM_ALICE, ("Precedence", "JUNK")), "precedence"),
        ((FROM_ALICE, ("Precedence", "list")), "precedence"),
        ((FROM_ALICE, ("List-Id", "Team <team.lists.example.com>")), "mailing_list"),
        ((FROM_ALICE, ("List-Unsubscribe", "<mailto:leave@lists.example.com>")), "mailing_list"),
        ((FROM_ALICE, ("Return-Path", "<>")), "bounce_sender"),
        ((FROM_ALICE, ("Return-Path", "")), "bounce_sender"),
        ((("From", "Mail Delivery System <MAILER-DAEMON@mx.partner.example>"),), "bounce_sender"),
        ((("From", "postmaster@partner.example"),), "bounce_sender"),
        ((("From", "MAILER-DAEMON"),), "bounce_sender"),
        (
            (FROM_ALICE, ("Content-Type", 'multipart/report; report-type="delivery-status"; b=x')),
            "delivery_report",
        ),
        (
            (FROM_ALICE, ("Content-Type", "multipart/report; report-type=disposition-notification")),
            "delivery_report",
        ),
        ((FROM_ALICE, ("Content-Type", "message/delivery-status")), "delivery_report"),
        ((FROM_ALICE, ("X-Autoreply", "yes")), "auto_reply"),
        ((FROM_ALICE, ("X-Autorespond", "Out of office")), "auto_reply"),
        ((FROM_ALICE, ("Subject", "Out of Office: Notes from today")), "auto_reply"),
        ((FROM_ALICE, ("Subject", "Automatic reply: Notes")), "auto_reply"),
        ((FROM_ALICE, ("Subject", "Auto: Notes")), "auto_reply"),
        ((FROM_ALICE, ("Subject", "Out of Office AutoReply: Notes")), "auto_reply"),
        ((("Subject", "hello"),), "no_from"),
        ((("From", "undisclosed-recipients:;"),), "no_from"),
        ((("From", '"alice@example.com"@evil.example'),), "invalid_from"),
        ((("From", "<@example.com:mallory@evil.example>"),), "invalid_from"),
        ((("From", "alice@example.com <mallory@evil.example>"),), "invalid_from"),
        ((("From", "alice@example.com)<mallory@evil.example>"),), "invalid_from"),
        ((("From", "Alice\r\nBcc: x@evil.example <alice@example.com>"),), "invalid_from"),
        ((("From", "alice@example.com\x00"),), "invalid_from"),
        ((("From", "alice@[192.0.2.1]"),), "invalid_from"),
        ((("From", "x" * 5000 + "@example.com"),), "invalid_from"),
        ((("From", "mallory@evil.example (alice@example.com)"),), "unauthorised"),
        ((("From", "carol@sub.partner.example"),), "unauthorised"),
        ((("From", "carol@partner.example.evil"),), "unauthorised"),
        ((("From", "carol@evilpartner.example"),), "unauthorised"),
        ((("From", "carol@corp.example"),), "unauthorised"),
        ((("From", "bob@example.com"),), "unauthorised"),
    ],
)
def test_rule_refuses(fields: tuple[tuple[str, str], ...], rule: str) -> None:
    v = check(letter(*fields))
    assert not v.ok
    assert v.rule == rule, v
    assert v.reason


@pytest.mark.parametrize(
    "sender",
    [
        "alice@example.com",
        "ALICE@Example.COM",
        "bob@partner.example",
        "zed@trusted.example",
        "eve@eu.corp.example",
        "eve@a.b.corp.example",
        "J. Doe <alice@example.com>",
        '"Doe, John" <bob@partner.example>',
    ],
)
def test_authorised_forms(sender: str) -> None:
    assert check(letter(("From", sender))).ok


@pytest.mark.parametrize(
    "subject",
    ["Re: out of office next week?", "Notes: auto-reply bug", "Office hours", "Autumn plans"],
)
def test_people_talking_about_out_of_office_are_answered(subject: str) -> None:
    assert check(letter(FROM_ALICE, ("Subject", subject))).ok


def test_empty_authorised_list_refuses_everyone() -> None:
    v = check(letter(FROM_ALICE), authorised=())
    assert v.rule == "unauthorised"


def test_thread_limit() -> None:
    assert check(letter(FROM_ALICE), thread_count=9, max_thread_messages=10).ok
    v = check(letter(FROM_ALICE), thread_count=10, max_thread_messages=10)
    assert v.rule == "thread_limit"


def test_parser_and_policy_disagreeing_about_from_is_refused() -> None:
    lt = letter(FROM_ALICE)
    lt = Letter(
        headers=Headers(from_=(Address(name="", addr="mallory@evil.example"),)),
        header_fields=lt.header_fields,
        text="",
        html=None,
        calendars=(),
        attached=(),
        defects=(),
        size=0,
    )
    assert check(lt).rule == "invalid_from"


def test_owner_listed_by_address_may_write_but_mailflow_mail_is_still_a_loop() -> None:
    owner = "owner@example.org"
    selfs = ("mailflow@example.org", owner)
    assert check(letter(("From", owner)), self_addrs=selfs).rule == "loop"
    assert check(letter(("From", owner)), self_addrs=selfs, authorised=(owner,)).ok
    assert check(letter(("From", owner)), self_addrs=selfs, authorised=("@example.org",)).rule == "loop"
    marked = letter(("From", owner), ("X-Mailflow-Key", "recap:1"))
    assert check(marked, self_addrs=selfs, authorised=(owner,)).rule == "loop"


def test_other_mailflow_headers_are_not_a_loop() -> None:
    # imap.py marks omitted attachment bodies with X-Mailflow-Omitted; that is not our mail
    assert check(letter(FROM_ALICE, ("X-Mailflow-Omitted", "123 bytes not downloaded"))).ok


def test_rule_order_loop_before_auto() -> None:
    v = check(letter(("From", "mailflow@example.org"), ("Auto-Submitted", "auto-generated")))
    assert v.rule == "loop"


def test_every_rule_has_a_one_line_docstring() -> None:
    names = [r.__name__ for r in policy.RULES]
    assert len(names) == len(set(names))
    for r in policy.RULES:
        doc = r.__doc__ or ""
        assert doc and "\n" not in doc.strip(), r.__name__


def test_policy_is_pure() -> None:
    """No I/O, clock or logging: the module imports none of them."""
    tree = ast.parse(Path(policy.__file__).read_text(encoding="utf-8"))
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            imported.add(node.module.split(".")[0])
    banned = {"os", "time", "logging", "socket", "sqlite3", "imapclient", "aiosmtplib",
              "subprocess", "datetime", "random"}
    assert not imported & banned, imported & banned


# --- Authentication-Results -----------------------------------------------------------------


def auth(*results: str, sender: tuple[str, str] = FROM_ALICE) -> Verdict:
    fields = [("Authentication-Results", r) for r in results]
    return check(letter(sender, *fields), auth_serv_id=OUR_ID)


def test_no_check_when_auth_serv_id_unset() -> None:
    assert check(letter(FROM_ALICE), auth_serv_id=None).ok


def test_missing_results_refused() -> None:
    v = auth()
    assert v.rule == "unauthenticated"


@pytest.mark.parametrize(
    "result",
    [
        "mx.example.org; dmarc=pass (p=reject) header.from=example.com",
        "MX.Example.org; dmarc=pass",
        "mx.example.org 1; spf=fail smtp.mailfrom=x.example; dkim=pass header.d=example.com",
        "mx.example.org; dkim=pass (2048-bit key) header.d=mail.example.com header.s=s1",
        "mx.example.org; dkim=pass header.i=@example.com",
        'mx.example.org; dkim=pass header.i="alice@example.com"',
        "mx.example.org (our server); dkim=fail header.d=example.com; dmarc=pass",
    ],
)
def test_authenticated(result: str) -> None:
    assert auth(result).ok, result


@pytest.mark.parametrize(
    "result",
    [
        "mx.example.org; dmarc=fail header.from=example.com",
        "mx.example.org; dmarc=pass header.from=evil.example",
        "mx.example.org; dkim=pass header.d=evil.example",
        "mx.example.org; dkim=pass header.d=com",
        "mx.example.org; dkim=pass header.d=notexample.com",
        "mx.example.org; spf=pass smtp.mailfrom=example.com",
        "mx.example.org; none",
        "mx.example.org; dkim=pass (header.d=example.com) header.d=evil.example",
        'mx.example.org; dkim=neutral reason="dkim=pass header.d=example.com"',
        "mx.example.org.evil.example; dmarc=pass",
        "evil.example; dmarc=pass",
        "",
    ],
)
def test_not_authenticated(result: str) -> None:
    assert auth(result).rule == "unauthenticated", result


def test_forged_results_from_other_servers_are_ignored() -> None:
    v = auth("evil.example; dmarc=pass header.from=example.com", "mx.example.org; dmarc=fail")
    assert v.rule == "unauthenticated"


def test_only_the_topmost_of_our_results_counts() -> None:
    # ours (topmost, added last) fails; a lower one claiming our id and a pass is forged
    v = auth("mx.example.org; dmarc=fail", "mx.example.org; dmarc=pass")
    assert v.rule == "unauthenticated"
    assert auth("mx.example.org; dmarc=pass", "mx.example.org; dmarc=fail").ok


# --- valid_address / safe_header_value ------------------------------------------------------


@pytest.mark.parametrize(
    "addr",
    [
        "alice@example.com",
        "o'brien@example.co.uk",
        "a.b+tag@sub.example.com",
        "x@xn--bcher-kva.example",
        "x@bücher.example",
        "mailflow@localhost",
        "a" * 64 + "@example.com",
    ],
)
def test_valid_addresses(addr: str) -> None:
    assert valid_address(addr)


@pytest.mark.parametrize(
    "addr",
    [
        "",
        "alice",
        "@example.com",
        "alice@",
        "a@b@example.com",
        '"a@b.com"@evil.example',
        '"alice"@example.com',
        "a@b.com,c@d.com",
        "alice@example.com\r\nBcc: x@evil.example",
        "alice@example.com\n",
        "alice\x00@example.com",
        "alice @example.com",
        "<alice@example.com>",
        "alice(comment)@example.com",
        ".alice@example.com",
        "alice.@example.com",
        "al..ice@example.com",
        "alice@example..com",
        "alice@-example.com",
        "alice@example.com.",
        "alice@[192.0.2.1]",
        "alice@1.2.3.4",
        "alice@intranet",
        "{{config}}@example.com",
        "zoë@example.com",
        "a" * 65 + "@example.com",
        "a@" + ("b" * 60 + ".") * 5 + "com",
        "a@" + "b" * 64 + ".com",
        "\udcff@example.com",
    ],
)
def test_invalid_addresses(addr: str) -> None:
    assert not valid_address(addr)


def test_smtputf8_allows_non_ascii_local_part_only_when_asked() -> None:
    assert not valid_address("zoë@example.com")
    assert valid_address("zoë@example.com", smtputf8=True)
    assert not valid_address("zo\u200bë@example.com", smtputf8=True)  # zero-width space


@pytest.mark.parametrize("value", ["Re: notes", "Zoë — café", "{{ config }}", "a\tb"])
def test_safe_header_values(value: str) -> None:
    assert safe_header_value(value) == value


@pytest.mark.parametrize(
    "value", ["a\r\nBcc: x@y.z", "a\nb", "a\rb", "a\x00b", "a\u2028b", "a\x85b", "a\x0bb"]
)
def test_unsafe_header_values(value: str) -> None:
    with pytest.raises(ValueError):
        safe_header_value(value)


@given(st.text(max_size=80))
@settings(max_examples=150, deadline=None)
def test_safe_header_value_raises_exactly_on_line_breaks(value: str) -> None:
    breaks = set("\r\n\0\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
    if breaks & set(value):
        with pytest.raises(ValueError):
            safe_header_value(value)
    else:
        assert safe_header_value(value) == value


@given(st.text(max_size=80))
@settings(max_examples=150, deadline=None)
def test_valid_address_never_accepts_breakers(addr: str) -> None:
    ok = valid_address(addr)
    if ok:
        assert addr.count("@") == 1
        assert not set(addr) & set("\r\n\0 \t,<>\"()[];:\\")
        safe_header_value(addr)


# --- recipients -----------------------------------------------------------------------------

NOW = dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.UTC)


def meeting(
    participants: list[tuple[str, str]],
    *,
    outer: list[str] | None = None,
    original: list[str] | None = None,
    attendees: list[str] | None = None,
) -> Meeting:
    named = outer if outer is not None else [a for _, a in participants]
    head = Headers(
        from_=(Address(name="", addr=named[0]),) if named else (),
        to=tuple(Address(name="", addr=a) for a in named[1:]),
    )
    orig = Headers(to=tuple(Address(name="", addr=a) for a in original)) if original else None
    cals: tuple[CalendarEvent, ...] = ()
    if attendees:
        cals = (
            CalendarEvent(
                uid="u1", method="REQUEST", summary="", start=None, end=None, grain="minute",
                tzid=None, organizer=None, attendees=tuple(Address(name="", addr=a) for a in attendees),
                rrule=None, sequence=0, status=None, location=None, description=None,
            ),
        )
    lt = Letter(
        headers=head, header_fields=(), text="", html=None, calendars=cals, attached=(),
        defects=(), size=0,
    )
    note = Note(
        letter=lt, body="", signature=None, original=orig, original_body=None,
        original_signature=None, quoted=None,
    )
    return Meeting(
        note=note,
        now=NOW,
        kind="notes",
        participants=tuple(
            Participant(name=n, addr=a, zone=None, zone_source=None) for n, a in participants
        ),
        times=(),
        minutes=Minutes(),
        slot=None,
        duration=None,
        link=None,
        thread_id="<t@x>",
        meeting_uid="u@x",
    )


def rec(m: Meeting, **kw: int) -> tuple[tuple[Address, ...], tuple[str, ...]]:
    args = dict(max_recipients=10, sent_today=0, max_per_day=200)
    args.update(kw)
    return recipients(m, authorised=AUTH, self_addrs=SELF, **args)


def test_recipients_are_the_participants() -> None:
    m = meeting([("Alice", "alice@example.com"), ("Dana", "dana@other.example")])
    got, why = rec(m)
    assert [a.addr for a in got] == ["alice@example.com", "dana@other.example"]
    assert why == ()


def test_recipients_never_include_mailflow_or_invalid() -> None:
    m = meeting(
        [
            ("Alice", "alice@example.com"),
            ("Me", "MAILFLOW@example.org"),
            ("Bad", '"x@y.z"@evil.example'),
            ("Inj", "bob@partner.example\r\nBcc: x@evil.example"),
        ]
    )
    got, why = rec(m)
    assert [a.addr for a in got] == ["alice@example.com"]
    assert len(why) == 3
    assert any("own address" in w for w in why)


def test_recipients_only_those_named_in_headers() -> None:
    m = meeting(
        [("Alice", "alice@example.com"), ("Bob", "bob@partner.example"), ("Ivy", "ivy@cal.example"),
         ("Eve", "eve@evil.example")],
        outer=["alice@example.com"],
        original=["bob@partner.example"],
        attendees=["ivy@cal.example"],
    )
    got, why = rec(m)
    assert [a.addr for a in got] == ["alice@example.com", "bob@partner.example", "ivy@cal.example"]
    assert why == ("'eve@evil.example': not named in the message's headers",)


def test_recipients_cap_prefers_authorised() -> None:
    people = [(f"P{i}", f"p{i}@other.example") for i in range(20)] + [("Bob", "bob@partner.example")]
    got, why = rec(meeting(people), max_recipients=3)
    assert [a.addr for a in got] == ["bob@partner.example", "p0@other.example", "p1@other.example"]
    assert len(why) == 18 and all("per message" in w for w in why)


def test_recipients_daily_budget() -> None:
    people = [(f"P{i}", f"p{i}@other.example") for i in range(5)]
    got, why = rec(meeting(people), sent_today=198, max_per_day=200)
    assert len(got) == 2
    assert len(why) == 3 and all("daily limit" in w for w in why)
    got, why = rec(meeting(people), sent_today=250, max_per_day=200)
    assert got == () and len(why) == 5


def test_recipient_names_are_cleaned() -> None:
    m = meeting([("Bob\r\nBcc: x@evil.example\u202e", "bob@partner.example")])
    (a,), _ = rec(m)
    assert a.name == "Bob Bcc: x@evil.example"
    safe_header_value(a.name)


def test_duplicate_participants_once() -> None:
    m = meeting([("Bob", "bob@partner.example"), ("Bob B", "BOB@partner.example")])
    got, _ = rec(m)
    assert [a.addr for a in got] == ["bob@partner.example"]


_ADDRS = st.one_of(
    st.sampled_from(
        ["alice@example.com", "mailflow@example.org", "bob@partner.example", "x@evil.example",
         '"a@b"@c.example', "a@b.com,c@d.com", ""]
    ),
    st.text(alphabet=string.ascii_letters + "@.,\"<>\r\n ", max_size=20),
)


@given(
    people=st.lists(st.tuples(st.text(max_size=10), _ADDRS), max_size=30),
    named=st.lists(_ADDRS, max_size=30),
    max_recipients=st.integers(0, 12),
    sent_today=st.integers(0, 300),
)
@settings(max_examples=150, deadline=None)
def test_recipients_invariants(
    people: list[tuple[str, str]], named: list[str], max_recipients: int, sent_today: int
) -> None:
    m = meeting(people, outer=named)
    got, why = rec(m, max_recipients=max_recipients, sent_today=sent_today, max_per_day=200)
    parts = {p.addr.lower() for p in m.participants}
    assert len(got) <= max_recipients
    assert len(got) <= max(0, 200 - sent_today)
    assert len({a.addr for a in got}) == len(got)
    for a in got:
        assert a.addr in parts
        assert a.addr in {x.lower() for x in named}
        assert a.addr not in SELF
        assert valid_address(a.addr)
        safe_header_value(a.name)
    assert len(got) + len(why) == len(parts)


# --- screen never raises on junk --------------------------------------------------------------

_NAMES = st.sampled_from(
    ["from", "sender", "return-path", "auto-submitted", "precedence", "list-id", "content-type",
     "authentication-results", "x-autoreply", "subject", "x-mailflow-key", "to"]
)


@given(st.lists(st.tuples(_NAMES, st.text(max_size=60)), max_size=8), st.text(max_size=30))
@settings(max_examples=200, deadline=None)
def test_screen_is_total(fields: list[tuple[str, str]], subject: str) -> None:
    v = check(letter(*fields, subject=subject), auth_serv_id=OUR_ID)
    assert isinstance(v, Verdict)
    assert v.ok == (v.rule is None) == (v.reason is None)
    assert v.rule is None or v.rule in {r.__name__ for r in policy.RULES}
