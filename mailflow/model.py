"""The values that cross stage boundaries.

Rules: every type here is a frozen, slotted, keyword-only dataclass; collections are tuples;
datetimes are aware (``zoneinfo.ZoneInfo`` zones, or a fixed offset only where a message states
nothing more); every extracted fact keeps its ``evidence`` (the text it came from). Nothing here
does I/O.

Flow:  raw bytes --letters--> Letter --notes--> Note --meetings--> Meeting
       Meeting + sent + now --plans--> Plan(s) --drafts--> Draft (bytes ready for SMTP)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

Grain = Literal["second", "minute", "hour", "day", "week", "month", "quarter", "year"]
TimeStatus = Literal["proposed", "agreed", "cancelled", "mentioned"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Address:
    """One mailbox: display name (may be empty) and lower-cased addr-spec."""

    name: str
    addr: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Headers:
    """The headers mailflow reads from a message (outer, or a forwarded original)."""

    message_id: str | None = None
    from_: tuple[Address, ...] = ()
    to: tuple[Address, ...] = ()
    cc: tuple[Address, ...] = ()
    reply_to: tuple[Address, ...] = ()
    subject: str = ""
    date: dt.datetime | None = None
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class CalendarEvent:
    """One VEVENT from a text/calendar part or .ics attachment."""

    uid: str | None
    method: str | None  # REQUEST, CANCEL, PUBLISH, REPLY ... (from the VCALENDAR)
    summary: str
    start: dt.datetime | None  # aware; for all-day events midnight in UTC with grain "day"
    end: dt.datetime | None
    grain: Grain
    tzid: str | None
    organizer: Address | None
    attendees: tuple[Address, ...]
    rrule: str | None  # the RRULE value as written, e.g. "FREQ=WEEKLY;BYDAY=TU"
    sequence: int
    status: str | None  # CONFIRMED, CANCELLED, TENTATIVE
    location: str | None
    description: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Letter:
    """A parsed message: headers, the text a person would read, and what is attached to it.

    ``text`` is the best plain-text rendering of the body (text/plain preferred, else HTML
    converted keeping lists, headings and links). ``header_fields`` keeps every raw header as
    (lower-cased name, decoded value) for the policy rules (Auto-Submitted, List-Id,
    Authentication-Results, ...). ``attached`` holds message/rfc822 parts (forward as attachment).
    ``defects`` lists what was odd but survivable (bad charset, broken boundary ...).
    """

    headers: Headers
    header_fields: tuple[tuple[str, str], ...]
    text: str
    html: str | None
    calendars: tuple[CalendarEvent, ...]
    attached: tuple[Letter, ...]
    defects: tuple[str, ...]
    size: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Note:
    """A Letter reduced to what its author(s) wrote.

    ``body`` is the outer author's own new text (quotes, signature and forward block removed).
    For a forward, ``original`` holds the innermost forwarded message's headers and
    ``original_body`` its own text. ``signature`` is kept aside as evidence (a city or zone in it
    tells where the writer lives).
    """

    letter: Letter
    body: str
    signature: str | None
    original: Headers | None
    original_body: str | None
    original_signature: str | None
    quoted: str | None  # the quoted history that was cut, for context


@dataclass(frozen=True, slots=True, kw_only=True)
class Person:
    """A configured person: name, address(es), zone, locale and working hours."""

    name: str
    addrs: tuple[str, ...]
    zone: str  # IANA name
    locale: str = "en_GB"
    country: str | None = None  # ISO 3166 alpha-2, for public holidays
    work_start: dt.time = dt.time(9, 0)
    work_end: dt.time = dt.time(18, 0)


@dataclass(frozen=True, slots=True, kw_only=True)
class Participant:
    """Someone taking part in a meeting, with the zone mailflow believes they live in."""

    name: str
    addr: str
    zone: str | None
    zone_source: str | None  # config, stated, signature, date-header, ...
    locale: str = "en_GB"
    country: str | None = None
    work_start: dt.time = dt.time(9, 0)
    work_end: dt.time = dt.time(18, 0)


@dataclass(frozen=True, slots=True, kw_only=True)
class TimeMention:
    """A time expression found in text and resolved to an aware instant."""

    text: str
    span: tuple[int, int]
    start: dt.datetime
    end: dt.datetime | None
    grain: Grain
    zone: str | None  # IANA name or "+05:30"-style offset the wall time was read in
    doubt: str | None = None  # short reason: ambiguous abbreviation, nonexistent local time ...
    status: TimeStatus = "mentioned"
    rrule: str | None = None  # for recurring meetings, RRULE in the zone above


@dataclass(frozen=True, slots=True, kw_only=True)
class Agreement:
    text: str
    evidence: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ActionItem:
    owner: str | None
    task: str
    due: dt.date | dt.datetime | None
    evidence: str
    owner_addr: str | None = None  # matched participant, when the owner is one


@dataclass(frozen=True, slots=True, kw_only=True)
class NextMeeting:
    start: dt.datetime | dt.date
    grain: Grain
    zone: str | None  # None when the note states no zone (wall time only)
    evidence: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Minutes:
    """What notes say: agreements, action items, the next meeting, open questions, agenda."""

    agreements: tuple[Agreement, ...] = ()
    action_items: tuple[ActionItem, ...] = ()
    next_meeting: NextMeeting | None = None
    open_questions: tuple[str, ...] = ()
    agenda: tuple[str, ...] = ()


MeetingKind = Literal["notes", "proposal", "confirmation", "cancellation", "agenda", "none"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Meeting:
    """Everything understood from one message."""

    note: Note
    now: dt.datetime  # the reference instant the message was understood at
    kind: MeetingKind
    participants: tuple[Participant, ...]
    times: tuple[TimeMention, ...]
    minutes: Minutes
    slot: TimeMention | None  # the agreed/proposed slot a confirmation is about
    duration: dt.timedelta | None
    link: str | None  # call link (Zoom, Meet, Teams, ...) or phone
    thread_id: str  # stable key of the conversation (root Message-ID)
    meeting_uid: str  # stable iCalendar UID for the meeting
    invite: CalendarEvent | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Plan:
    """One piece of mail mailflow intends to send, and when."""

    kind: Literal["recap", "confirmation", "agenda_request", "reminder", "followup", "reschedule"]
    dedupe_key: str  # stable: the same meeting + kind + recipient set => the same key
    meeting_uid: str  # the meeting it belongs to (a cancellation withdraws its pending plans)
    due: dt.datetime  # not before this instant
    to: tuple[Address, ...]
    subject: str
    in_reply_to: str | None
    references: tuple[str, ...]
    context: tuple[tuple[str, object], ...] = field(default=())  # template variables (frozen)


@dataclass(frozen=True, slots=True, kw_only=True)
class Draft:
    """A fully rendered message: what goes on the wire."""

    dedupe_key: str
    message_id: str
    sender: str
    recipients: tuple[str, ...]
    subject: str
    data: bytes
