"""Every hostile or odd message in tests/hostile.py through the whole understanding pipeline.

read_letter -> read_note -> understand, then policy.screen and policy.recipients, in-process.
Each case must: finish in bounded time, end as a Meeting or a BadMessage (nothing else), get
the policy verdict its entry states, yield no header text that could break a header line, and
never produce a recipient outside the meeting's participants.
"""

from __future__ import annotations

import datetime as dt
import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import hostile  # noqa: E402
from hostile import AUTHORISED, MAX_THREAD, SELF_ADDRS, Case  # noqa: E402

from mailflow import policy  # noqa: E402
from mailflow.config import Limits  # noqa: E402
from mailflow.errors import BadMessage  # noqa: E402
from mailflow.letters import read_letter  # noqa: E402
from mailflow.meetings import understand  # noqa: E402
from mailflow.model import Address, Headers, Letter, Meeting, Person  # noqa: E402
from mailflow.notes import read_note  # noqa: E402

NOW = dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.UTC)
PEOPLE = (
    Person(name="Alice Example", addrs=("alice@example.com",), zone="Europe/London"),
    Person(name="Bob Partner", addrs=("bob@partner.example",), zone="America/New_York"),
)
SECONDS = 2.0  # each case, parse to verdict, on a slow CI core
HARD_STOP = 30  # seconds: a case still running then is interrupted and fails
MAX_RECIPIENTS = 10
BREAKERS = ("\r", "\n", "\0")


class Overtime(BaseException):
    """Raised into a case that ran past HARD_STOP (BaseException: not swallowed by the code)."""


@contextmanager
def hard_stop(seconds: int) -> Iterator[None]:
    def alarm(signum: int, frame: object) -> None:
        raise Overtime(f"still running after {seconds} s")

    old = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


@dataclass(frozen=True, slots=True, kw_only=True)
class Outcome:
    seconds: float
    bad: BadMessage | None = None
    letter: Letter | None = None
    meeting: Meeting | None = None
    verdict: policy.Verdict | None = None
    recipients: tuple[tuple[Address, ...], tuple[str, ...]] | None = None


def run(case: Case) -> Outcome:
    """The pipeline as the runner drives it. Exceptions other than BadMessage propagate."""
    t0 = time.perf_counter()
    with hard_stop(HARD_STOP):
        try:
            letter = read_letter(case.data, limits=Limits())
        except BadMessage as exc:
            return Outcome(seconds=time.perf_counter() - t0, bad=exc)
        note = read_note(letter)
        meeting = understand(
            note,
            now=NOW,
            people=PEOPLE,
            self_addrs=SELF_ADDRS,
            default_zone="Europe/London",
            date_order="DMY",
        )
        verdict = policy.screen(
            letter,
            authorised=AUTHORISED,
            self_addrs=SELF_ADDRS,
            auth_serv_id=case.auth_serv_id,
            thread_count=case.thread_count,
            max_thread_messages=MAX_THREAD,
        )
        rec = policy.recipients(
            meeting,
            authorised=AUTHORISED,
            self_addrs=SELF_ADDRS,
            max_recipients=MAX_RECIPIENTS,
            sent_today=0,
            max_per_day=200,
        )
    return Outcome(
        seconds=time.perf_counter() - t0, letter=letter, meeting=meeting, verdict=verdict,
        recipients=rec,
    )


def header_problems(where: str, h: Headers | None) -> list[str]:
    """Header texts mailflow may copy into mail it writes that could break a header line."""
    if h is None:
        return []
    texts = [("subject", h.subject), ("message_id", h.message_id or ""),
             ("in_reply_to", h.in_reply_to or "")]
    texts += [("references", r) for r in h.references]
    for kind, addrs in (("from", h.from_), ("to", h.to), ("cc", h.cc), ("reply_to", h.reply_to)):
        for a in addrs:
            texts += [(f"{kind}.name", a.name), (f"{kind}.addr", a.addr)]
    return [
        f"{where}.{kind} contains {b!r}: {value[:60]!r}"
        for kind, value in texts
        for b in BREAKERS
        if b in value
    ]


def letter_problems(letter: Letter, where: str = "letter", depth: int = 0) -> list[str]:
    found = header_problems(where, letter.headers)
    if depth < 30:
        for i, inner in enumerate(letter.attached[:50]):
            found += letter_problems(inner, f"{where}.attached[{i}]", depth + 1)
    return found


def problems(case: Case, out: Outcome) -> list[str]:
    """Everything wrong with one case's outcome (empty when it behaved)."""
    found: list[str] = []
    if out.seconds >= SECONDS:
        found.append(f"took {out.seconds:.2f} s (bound {SECONDS} s)")
    if out.bad is not None:
        if case.expect != "bad" and not case.allow_bad:
            found.append(f"BadMessage, expected {case.expect}: {out.bad}")
        return found
    assert out.letter is not None and out.meeting is not None and out.verdict is not None
    assert out.recipients is not None
    letter, meeting, verdict = out.letter, out.meeting, out.verdict
    if case.expect == "bad":
        found.append("parsed, expected BadMessage")
    elif case.expect == "parsed" and not verdict.ok:
        found.append(f"screen refused it ({verdict.rule}: {verdict.reason}), expected it answered")
    elif case.expect == "skip-by-policy" and verdict.rule != case.rule:
        found.append(f"screen said {verdict.rule!r} ({verdict.reason}), expected {case.rule!r}")
    found += letter_problems(letter)
    found += header_problems("note.original", meeting.note.original)
    for kind, value in (("thread_id", meeting.thread_id), ("meeting_uid", meeting.meeting_uid),
                        ("link", meeting.link or "")):
        # these end up in References / In-Reply-To headers and in .ics UID / URL lines
        if any(b in value for b in BREAKERS):
            found.append(f"meeting.{kind} can break a header line: {value[:60]!r}")
    for p in meeting.participants:
        for b in BREAKERS:
            if b in p.name or b in p.addr:
                found.append(f"participant {p.addr[:60]!r} contains {b!r}")
    chosen, dropped = out.recipients
    parties = {p.addr.lower() for p in meeting.participants}
    if len(chosen) > MAX_RECIPIENTS:
        found.append(f"{len(chosen)} recipients (cap {MAX_RECIPIENTS})")
    for a in chosen:
        if a.addr not in parties:
            found.append(f"recipient {a.addr!r} is not a participant")
        if a.addr in SELF_ADDRS or not policy.valid_address(a.addr):
            found.append(f"recipient {a.addr!r} is ours or invalid")
        if any(b in a.name for b in BREAKERS):
            found.append(f"recipient name {a.name[:60]!r} can break a header")
    if len(chosen) + len(dropped) != len(parties):
        found.append(f"{len(parties)} parties but {len(chosen)} kept + {len(dropped)} dropped")
    if case.check is not None and not found:
        try:
            case.check(letter, meeting)
        except AssertionError as exc:
            found.append(f"check {case.check.__name__} failed: {str(exc)[:300]}")
    return found


# --- the catalogue itself ---------------------------------------------------------------------


def test_catalogue_is_broad_and_well_formed() -> None:
    names = [c.name for c in hostile.CASES]
    assert len(names) >= 35
    assert len(set(names)) == len(names)
    rules = {r.__name__ for r in policy.RULES}
    for c in hostile.CASES:
        assert c.expect in ("parsed", "bad", "skip-by-policy"), c.name
        assert (c.rule is not None) == (c.expect == "skip-by-policy"), c.name
        assert c.rule is None or c.rule in rules, c.name
    kinds = {c.expect for c in hostile.CASES}
    assert kinds == {"parsed", "bad", "skip-by-policy"}
    refused_by = {c.rule for c in hostile.CASES if c.rule}
    assert len(refused_by) >= 10  # the catalogue exercises most rules through real parsing


@pytest.mark.parametrize("case", hostile.CASES, ids=[c.name for c in hostile.CASES])
def test_hostile_case(case: Case) -> None:
    out = run(case)
    found = problems(case, out)
    assert not found, f"{case.name}: " + "; ".join(found)


def test_500_recipients_are_capped() -> None:
    case = next(c for c in hostile.CASES if c.name == "recipients_500")
    out = run(case)
    if out.bad is not None:
        pytest.fail(f"recipients_500 not parsed: {out.bad}")
    assert out.recipients is not None
    chosen, dropped = out.recipients
    assert len(chosen) == MAX_RECIPIENTS
    assert chosen[0].addr == "alice@example.com"  # authorised parties first when cut
    assert any("per message" in d for d in dropped)


def test_smuggled_party_never_becomes_a_recipient() -> None:
    for name in ("encoded_crlf_in_to_name", "encoded_crlf_subject_smuggles_bcc",
                 "to_smuggles_extra_party"):
        case = next(c for c in hostile.CASES if c.name == name)
        out = run(case)
        if out.bad is not None:
            continue
        assert out.recipients is not None
        chosen, _ = out.recipients
        assert all("evil.example" not in a.addr for a in chosen), (name, chosen)
