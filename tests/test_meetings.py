"""The assembly stage: what kind of message this is, which slot it is about, stable ids."""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage

import pytest

from mailflow.letters import read_letter
from mailflow.meetings import understand
from mailflow.model import Meeting, Person
from mailflow.notes import read_note

NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
PEOPLE = (
    Person(name="Ada", addrs=("ada@example.org",), zone="Europe/London"),
    Person(name="Kofi", addrs=("kofi@example.com",), zone="America/New_York"),
)


def meeting(body: str, *, subject: str = "our call", headers: dict[str, str] | None = None) -> Meeting:
    msg = EmailMessage()
    msg["From"] = "Ada <ada@example.org>"
    msg["To"] = "Kofi <kofi@example.com>, bot@example.net"
    msg["Subject"] = subject
    msg["Date"] = "Mon, 02 Mar 2026 10:00:00 +0000"
    msg["Message-ID"] = "<m1@example.org>"
    for k, v in (headers or {}).items():
        msg[k] = v
    msg.set_content(body)
    return understand(read_note(read_letter(bytes(msg))), now=NOW, people=PEOPLE,
                      self_addrs=("bot@example.net",), default_zone="UTC")


def test_proposal_confirmation_and_cancellation_are_told_apart() -> None:
    proposal = meeting("Would Thursday at 3pm work for you?")
    assert proposal.kind == "proposal"
    assert proposal.slot is not None and proposal.slot.status == "proposed"
    # 3pm in the writer's (Ada's, London) zone; on 5 March London is still on GMT
    assert proposal.slot.start == dt.datetime(2026, 3, 5, 15, 0, tzinfo=dt.UTC)

    agreed = meeting("Great, Thursday at 3pm works for me. See you then!")
    assert agreed.kind == "confirmation" and agreed.slot is not None
    assert agreed.slot.status == "agreed"

    cancelled = meeting("Sorry, I have to cancel our call on Thursday at 3pm.")
    assert cancelled.kind == "cancellation"
    assert cancelled.slot is not None and cancelled.slot.status == "cancelled"


def test_notes_are_notes_and_chatter_is_nothing() -> None:
    notes = meeting("Agreed:\n- Ship on Friday\n\nAction items:\n- Kofi to write the post\n")
    assert notes.kind == "notes"
    assert [a.text for a in notes.minutes.agreements] and notes.minutes.action_items
    assert meeting("Thanks for lunch yesterday, it was lovely.").kind == "none"


def test_status_comes_from_the_mentions_own_sentence() -> None:
    m = meeting("We agreed on the budget. Would Friday at 9am suit you?")
    (slot,) = [t for t in m.times if t.grain in ("hour", "minute")]
    assert slot.status == "proposed"


def test_participants_exclude_mailflow_and_carry_configured_zones() -> None:
    m = meeting("Would Thursday at 3pm work?")
    assert [(p.addr, p.zone, p.zone_source) for p in m.participants] == [
        ("ada@example.org", "Europe/London", "config"),
        ("kofi@example.com", "America/New_York", "config"),
    ]


def test_link_duration_and_stable_ids() -> None:
    body = "Can we meet Thursday at 3pm for 45 minutes? https://meet.google.com/abc-defg-hij."
    a, b = meeting(body), meeting(body)
    assert a.link == "https://meet.google.com/abc-defg-hij"
    assert a.duration == dt.timedelta(minutes=45)
    assert a.meeting_uid == b.meeting_uid and a.meeting_uid.endswith("@example.net")
    reply = meeting(body, headers={"References": "<root@example.org> <m0@example.org>",
                                   "In-Reply-To": "<m0@example.org>"})
    assert reply.thread_id == "<root@example.org>"
    assert reply.meeting_uid != a.meeting_uid


def test_now_must_be_aware() -> None:
    msg = EmailMessage()
    msg["From"] = "a@x.org"
    msg.set_content("hi")
    with pytest.raises(ValueError):
        understand(read_note(read_letter(bytes(msg))), now=dt.datetime(2026, 1, 1))  # noqa: DTZ001
