"""Meeting + now -> the mail mailflow intends to send, and when (Plans).

Rules: pure (no I/O, no clock: ``now`` is an argument). Every Plan has a stable dedupe key
``{meeting_uid}:{kind}:{sha of sorted recipients}[:{extra}]``: processing the same message again
yields the same keys, a changed slot yields a new key. Plans due in the past at ``now`` (agenda
requests, reminders, follow-ups) are not planned at all; the recap, confirmation and reschedule
prompt are due at ``now``. Template variables travel in ``Plan.context`` as (name, value) pairs
of frozen values; ``mailflow.drafts`` renders them.

Per Meeting.kind:
  notes          recap to every party; follow-up to each action owner (09:00 on the due day in the
                 owner's zone, threaded under the recap); agenda request + reminder when the next
                 meeting is stated with a time
  proposal,
  confirmation   confirmation (slot in every party's zone, .ics REQUEST); agenda request + reminder
  cancellation   reschedule prompt with a METHOD:CANCEL .ics and three slots inside everyone's
                 working hours in the next ``schedule.reschedule_days`` days
  agenda, none   nothing
When the message carries a calendar event organised by someone else (a real calendar's
invitation or cancellation), mailflow sends its text but no .ics of its own (``ics_method``
None): re-issuing another organiser's UID would fight their calendar.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from .model import ActionItem, Address, Meeting, Participant, Plan
from .zones import (
    ZoneLine,
    _holiday_name,
    _weekend,
    one_line,
    render_in_zones,
    slot_warnings,
    tzinfo_for,
    wall_to_instant,
)

if TYPE_CHECKING:
    from .config import ScheduleSettings

PlanKind = Literal["recap", "confirmation", "agenda_request", "reminder", "followup", "reschedule"]

_PREFIX = re.compile(r"^\s*(?:(?:re|fwd?|aw|wg|tr|sv|vs|rv|antw)\s*(?:\[\d+\])?\s*:\s*)+", re.I)
_CLOCKED = ("second", "minute", "hour")
_SEQUENCE_EPOCH = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
_SLOT_STEP = dt.timedelta(minutes=30)
_SLOT_LEAD = dt.timedelta(hours=2)
_FOLLOWUP_HOUR = dt.time(9, 0)


@dataclass(frozen=True, slots=True, kw_only=True)
class ActionLine:
    """An action item as the recap states it: the due date in the owner's zone."""

    owner: str | None
    task: str
    due_text: str | None  # "Fri 5 Dec 2025" or "Fri 5 Dec 2025, 17:00 London (GMT)"
    item: ActionItem


@dataclass(frozen=True, slots=True, kw_only=True)
class SlotView:
    """One instant-range stated in every party's zone."""

    start: dt.datetime
    end: dt.datetime
    lines: tuple[ZoneLine, ...]  # start in each party's zone
    end_lines: tuple[ZoneLine, ...]  # end in each party's zone (same order)
    text: str  # one_line(start, parties, end=end)


# --- keys and ids ------------------------------------------------------------------------------


def recipients_hash(to: tuple[Address, ...]) -> str:
    joined = "\n".join(sorted({a.addr.lower() for a in to}))
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:12]


def dedupe_key(uid: str, kind: str, to: tuple[Address, ...], extra: str | None = None) -> str:
    key = f"{uid}:{kind}:{recipients_hash(to)}"
    return f"{key}:{extra}" if extra else key


def message_id_for(key: str, sender: str) -> str:
    """The Message-ID a plan's mail gets: ``<sha256(key)[:32]@sender-domain>``."""
    domain = sender.rpartition("@")[2].strip().strip("<>") or "mailflow.invalid"
    domain = re.sub(r"[^A-Za-z0-9.\-\[\]:]", "", domain) or "mailflow.invalid"
    return f"<{hashlib.sha256(key.encode('utf-8')).hexdigest()[:32]}@{domain}>"


def _iso(instant: dt.datetime) -> str:
    return instant.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%MZ")


def sequence_for(meeting: Meeting) -> int:
    """iCalendar SEQUENCE without state: minutes since 2020 of the message's Date (else the
    instant it was understood), so a later message in the thread always supersedes an earlier
    one; never below an incoming invite's SEQUENCE + 1."""
    stamp = meeting.note.letter.headers.date or meeting.now
    minutes = max(0, int((stamp - _SEQUENCE_EPOCH).total_seconds() // 60))
    if meeting.invite is not None:
        minutes = max(minutes, meeting.invite.sequence + 1)
    return minutes


# --- reading the meeting -----------------------------------------------------------------------


def title_of(meeting: Meeting) -> str:
    """The conversation's subject without Re:/Fwd: prefixes (the forwarded original's first)."""
    note = meeting.note
    subject = (note.original.subject if note.original and note.original.subject else "") or (
        note.letter.headers.subject
    )
    title = " ".join(_PREFIX.sub("", subject or "").split())
    return title or "Meeting"


def _parties_zoned(meeting: Meeting, parties: tuple[Address, ...]) -> tuple[Participant, ...]:
    """The Participants among the recipients (in meeting order), falling back to all of them."""
    addrs = {a.addr.lower() for a in parties}
    chosen = tuple(p for p in meeting.participants if p.addr.lower() in addrs)
    if not any(p.zone for p in chosen):
        chosen = meeting.participants
    return chosen


def _fallback_zone(meeting: Meeting) -> str:
    zone = meeting.slot.zone if meeting.slot else None
    if zone and tzinfo_for(zone) is not None:
        return zone
    for p in meeting.participants:
        if p.zone and tzinfo_for(p.zone) is not None:
            return p.zone
    return "UTC"


def _with_fallback(people: tuple[Participant, ...], zone: str) -> tuple[Participant, ...]:
    if any(p.zone and tzinfo_for(p.zone) is not None for p in people):
        return people
    return (*people, Participant(name="", addr="", zone=zone, zone_source="fallback"))


def _writer_zone(meeting: Meeting) -> str:
    note = meeting.note
    head = note.original if note.original and note.original.from_ else note.letter.headers
    writer = head.from_[0].addr.lower() if head.from_ else None
    for p in meeting.participants:
        if p.addr.lower() == writer and p.zone and tzinfo_for(p.zone) is not None:
            return p.zone
    return _fallback_zone(meeting)


def _organiser(meeting: Meeting, parties: tuple[Address, ...]) -> Address | None:
    """The note's author/forwarder (outer From), when the policy lets us write to them."""
    head = meeting.note.letter.headers
    if not head.from_:
        return None
    addr = head.from_[0].addr.lower()
    return next((a for a in parties if a.addr.lower() == addr), None)


def slot_view(start: dt.datetime, end: dt.datetime, people: tuple[Participant, ...]) -> SlotView:
    return SlotView(
        start=start,
        end=end,
        lines=render_in_zones(start, people),
        end_lines=render_in_zones(end, people),
        text=one_line(start, people, end=end),
    )


def _duration(meeting: Meeting, schedule: ScheduleSettings) -> dt.timedelta:
    if meeting.duration and meeting.duration > dt.timedelta(0):
        return meeting.duration
    slot = meeting.slot
    if slot is not None and slot.end is not None and slot.end > slot.start:
        return slot.end - slot.start
    return schedule.default_duration


def duration_text(d: dt.timedelta) -> str:
    minutes = int(d.total_seconds() // 60)
    h, m = divmod(minutes, 60)
    parts = []
    if h:
        parts.append(f"{h} hour" + ("s" if h != 1 else ""))
    if m or not h:
        parts.append(f"{m} minutes")
    return " ".join(parts)


def _slot_range(meeting: Meeting, schedule: ScheduleSettings) -> tuple[dt.datetime, dt.datetime] | None:
    slot = meeting.slot
    if slot is not None and slot.grain in _CLOCKED:
        return slot.start, slot.start + _duration(meeting, schedule)
    inv = meeting.invite
    if inv is not None and inv.start is not None and inv.grain in _CLOCKED:
        end = inv.end if inv.end is not None and inv.end > inv.start else None
        return inv.start, end or inv.start + _duration(meeting, schedule)
    return None


def _ics_zone(meeting: Meeting, organiser_zone: str) -> str:
    slot = meeting.slot
    if slot is not None and slot.rrule and slot.zone:
        tz = tzinfo_for(slot.zone)
        if tz is not None and "/" in slot.zone:
            return slot.zone
    return organiser_zone


# --- the planner -------------------------------------------------------------------------------


class _Planner:
    def __init__(
        self,
        meeting: Meeting,
        *,
        now: dt.datetime,
        schedule: ScheduleSettings,
        parties: tuple[Address, ...],
        sender: str,
    ) -> None:
        self.meeting = meeting
        self.now = now
        self.schedule = schedule
        self.parties = parties
        self.sender = sender
        self.title = title_of(meeting)
        self.people = _with_fallback(_parties_zoned(meeting, parties), _fallback_zone(meeting))
        head = meeting.note.letter.headers
        inv = meeting.invite
        # an event someone's calendar already sent out is theirs: no .ics of ours with its UID
        self.own_calendar = inv is None or (
            inv.organizer is not None and inv.organizer.addr.lower() == sender.lower()
        )
        self.in_reply_to = head.message_id
        refs = tuple(r for r in head.references if r)
        self.references = refs + ((head.message_id,) if head.message_id and head.message_id not in refs else ())

    def make(
        self,
        kind: PlanKind,
        *,
        to: tuple[Address, ...],
        subject: str,
        due: dt.datetime,
        extra: str | None = None,
        context: tuple[tuple[str, object], ...] = (),
        in_reply_to: str | None = None,
        references: tuple[str, ...] | None = None,
    ) -> Plan:
        base: tuple[tuple[str, object], ...] = (
            ("title", self.title),
            ("participants", self.people),
        )
        return Plan(
            kind=kind,
            dedupe_key=dedupe_key(self.meeting.meeting_uid, kind, to, extra),
            meeting_uid=self.meeting.meeting_uid,
            due=due,
            to=to,
            subject=subject,
            in_reply_to=in_reply_to if in_reply_to is not None else self.in_reply_to,
            references=references if references is not None else self.references,
            context=base + context,
        )

    # notes ------------------------------------------------------------------------------------

    def recap(self) -> list[Plan]:
        minutes = self.meeting.minutes
        nxt = minutes.next_meeting
        next_view: SlotView | None = None
        next_date: str | None = None
        next_warnings: tuple[str, ...] = ()
        if nxt is not None:
            if isinstance(nxt.start, dt.datetime) and nxt.grain in _CLOCKED:
                start = nxt.start
                if start.tzinfo is None:
                    # the note gave a clock time but no zone: the writer's wall time
                    start, _doubt = wall_to_instant(start, _writer_zone(self.meeting))
                end = start + self.schedule.default_duration
                next_view = slot_view(start, end, self.people)
                next_warnings = slot_warnings(start, end, self.people, now=self.now)
            else:
                day = nxt.start.date() if isinstance(nxt.start, dt.datetime) else nxt.start
                next_date = f"{day:%a} {day.day} {day:%b %Y}"
        actions = tuple(self._action_line(a) for a in minutes.action_items)
        recap = self.make(
            "recap",
            to=self.parties,
            subject=f"Recap: {self.title}",
            due=self.now,
            context=(
                ("agreements", minutes.agreements),
                ("actions", actions),
                ("open_questions", minutes.open_questions),
                ("next_meeting", next_view),
                ("next_meeting_date", next_date),
                ("warnings", next_warnings),
            ),
        )
        out = [recap]
        if self.schedule.followups:
            out.extend(self._followups(recap, actions))
        if next_view is not None:
            out.extend(self._before(next_view))
        return out

    def _owner(self, item: ActionItem) -> Participant | None:
        if not item.owner_addr:
            return None
        addr = item.owner_addr.lower()
        return next((p for p in self.meeting.participants if p.addr.lower() == addr), None)

    def _owner_zone(self, item: ActionItem) -> str:
        owner = self._owner(item)
        if owner is not None and owner.zone and tzinfo_for(owner.zone) is not None:
            return owner.zone
        return _writer_zone(self.meeting)

    def _action_line(self, item: ActionItem) -> ActionLine:
        due_text = None
        if isinstance(item.due, dt.datetime):
            zone = self._owner_zone(item)
            owner = self._owner(item)
            who = owner if owner is not None and owner.zone == zone else Participant(
                name=item.owner or "", addr="", zone=zone, zone_source="writer"
            )
            line = render_in_zones(item.due, (who,))[0]
            due_text = f"{line.text} {line.label}"
        elif isinstance(item.due, dt.date):
            due_text = f"{item.due:%a} {item.due.day} {item.due:%b %Y}"
        return ActionLine(owner=item.owner, task=item.task, due_text=due_text, item=item)

    def _followups(self, recap: Plan, actions: tuple[ActionLine, ...]) -> list[Plan]:
        out = []
        recap_id = message_id_for(recap.dedupe_key, self.sender)
        by_addr = {a.addr.lower(): a for a in self.parties}
        for line in actions:
            item = line.item
            if item.due is None or not item.owner_addr:
                continue
            to_addr = by_addr.get(item.owner_addr.lower())
            if to_addr is None:
                continue
            tz = tzinfo_for(self._owner_zone(item))
            assert tz is not None
            day = item.due.astimezone(tz).date() if isinstance(item.due, dt.datetime) else item.due
            due = dt.datetime.combine(day, _FOLLOWUP_HOUR, tzinfo=tz)
            if due < self.now:
                continue
            digest = hashlib.sha256(f"{item.task}\n{item.due.isoformat()}".encode()).hexdigest()[:8]
            task = " ".join(item.task.split())
            short = task if len(task) <= 60 else task[:57].rstrip() + "..."
            out.append(
                self.make(
                    "followup",
                    to=(to_addr,),
                    subject=f"Follow-up: {short}",
                    due=due,
                    extra=digest,
                    context=(("action", line), ("recap_subject", recap.subject)),
                    in_reply_to=recap_id,
                    references=(*self.references, recap_id),
                )
            )
        return out

    # before a meeting --------------------------------------------------------------------------

    def _before(self, view: SlotView) -> list[Plan]:
        out = []
        extra = _iso(view.start)
        organiser = _organiser(self.meeting, self.parties)
        ask_at = view.start - self.schedule.agenda_request_before
        common = (("slot", view), ("link", self.meeting.link))
        if organiser is not None and ask_at >= self.now:
            out.append(
                self.make(
                    "agenda_request",
                    to=(organiser,),
                    subject=f"Agenda request: {self.title} — {view.text}",
                    due=ask_at,
                    extra=extra,
                    context=(*common, ("organiser", organiser)),
                )
            )
        remind_at = view.start - self.schedule.reminder_before
        if remind_at >= self.now:
            out.append(
                self.make(
                    "reminder",
                    to=self.parties,
                    subject=f"Reminder: {self.title} — {view.text}",
                    due=remind_at,
                    extra=extra,
                    context=common,
                )
            )
        return out

    # proposals and confirmations ---------------------------------------------------------------

    def confirmation(self) -> list[Plan]:
        rng = _slot_range(self.meeting, self.schedule)
        if rng is None:
            return []
        start, end = rng
        view = slot_view(start, end, self.people)
        warnings = slot_warnings(start, end, self.people, now=self.now)
        rrule = self.meeting.slot.rrule if self.meeting.slot is not None else None
        status = "proposed" if self.meeting.kind == "proposal" else "confirmed"
        confirm = self.make(
            "confirmation",
            to=self.parties,
            subject=f"{status.capitalize()}: {self.title} — {view.text}",
            due=self.now,
            extra=f"{_iso(start)}/{_iso(end)}",
            context=(
                ("slot", view),
                ("status", status),
                ("duration", duration_text(end - start)),
                ("link", self.meeting.link),
                ("warnings", warnings),
                ("rrule", rrule),
                ("ics_method", "REQUEST" if self.own_calendar else None),
                ("ics_sequence", sequence_for(self.meeting)),
                ("ics_zone", _ics_zone(self.meeting, _writer_zone(self.meeting))),
            ),
        )
        return [confirm, *self._before(view)]

    # cancellations -----------------------------------------------------------------------------

    def reschedule(self) -> list[Plan]:
        rng = _slot_range(self.meeting, self.schedule)
        length = (rng[1] - rng[0]) if rng else _duration(self.meeting, self.schedule)
        cancelled = slot_view(rng[0], rng[1], self.people) if rng else None
        slots = free_slots(
            self.people,
            after=self.now,
            days=self.schedule.reschedule_days,
            length=length,
            avoid=rng[0] if rng else None,
        )
        return [
            self.make(
                "reschedule",
                to=self.parties,
                subject=f"Cancelled: {self.title} — pick a new time",
                due=self.now,
                extra=_iso(rng[0]) if rng else None,
                context=(
                    ("cancelled", cancelled),
                    ("slots", tuple(slot_view(s, s + length, self.people) for s in slots)),
                    ("duration", duration_text(length)),
                    ("days", self.schedule.reschedule_days),
                    ("link", self.meeting.link),
                    ("ics_method", "CANCEL" if self.own_calendar else None),
                    ("ics_sequence", sequence_for(self.meeting)),
                    ("ics_zone", _ics_zone(self.meeting, _writer_zone(self.meeting))),
                ),
            )
        ]


def plan(
    meeting: Meeting,
    *,
    now: dt.datetime,
    schedule: ScheduleSettings,
    parties: tuple[Address, ...],
    sender: str,
) -> tuple[Plan, ...]:
    """What to send about this meeting, each with its due instant and a stable dedupe key.

    ``parties`` are the recipients the policy allows; ``sender`` is mailflow's own address (it
    names the Message-IDs that follow-ups thread under). Nothing is planned without parties.
    """
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    if not parties:
        return ()
    planner = _Planner(meeting, now=now, schedule=schedule, parties=parties, sender=sender)
    if meeting.kind == "notes":
        plans = planner.recap()
    elif meeting.kind in ("proposal", "confirmation"):
        plans = planner.confirmation()
    elif meeting.kind == "cancellation":
        plans = planner.reschedule()
    else:
        plans = []
    return tuple(plans)


# --- free slots --------------------------------------------------------------------------------


def _fits(start: dt.datetime, end: dt.datetime, p: Participant) -> bool:
    tz = tzinfo_for(p.zone or "")
    if tz is None:
        return True
    ls, le = start.astimezone(tz), end.astimezone(tz)
    if ls.date() != le.date() and not (le.time() == dt.time(0) and le.date() == ls.date() + dt.timedelta(days=1)):
        return False
    if ls.weekday() in _weekend(p.country) or _holiday_name(p.country, ls.date()):
        return False
    end_clock = dt.time(23, 59, 59) if le.date() != ls.date() else le.time()
    return p.work_start <= ls.time() and end_clock <= p.work_end


def free_slots(
    people: tuple[Participant, ...],
    *,
    after: dt.datetime,
    days: int,
    length: dt.timedelta,
    count: int = 3,
    avoid: dt.datetime | None = None,
) -> tuple[dt.datetime, ...]:
    """Up to ``count`` starts inside every zoned person's working hours (their weekdays, not
    their public holidays) between ``after`` + 2 h and ``after`` + ``days`` days, on half-hour
    boundaries. Different days are preferred; within a day the earliest fitting start."""
    first = after.astimezone(dt.UTC) + _SLOT_LEAD
    first = first.replace(second=0, microsecond=0)
    if first.minute % 30:
        first += dt.timedelta(minutes=30 - first.minute % 30)
    last = after + dt.timedelta(days=max(1, days))
    anchor = next((p for p in people if p.zone and tzinfo_for(p.zone) is not None), None)
    anchor_tz = tzinfo_for(anchor.zone or "UTC") if anchor else dt.UTC
    assert anchor_tz is not None
    fitting: list[dt.datetime] = []
    t = first
    while t + length <= last:
        if t != avoid and all(_fits(t, t + length, p) for p in people):
            fitting.append(t)
        t += _SLOT_STEP
    chosen: list[dt.datetime] = []
    seen_days: set[dt.date] = set()
    for s in fitting:  # earliest slot of each day first
        day = s.astimezone(anchor_tz).date()
        if day not in seen_days:
            seen_days.add(day)
            chosen.append(s)
        if len(chosen) == count:
            break
    for s in fitting:  # then fill with non-overlapping slots
        if len(chosen) == count:
            break
        if all(abs(s - c) >= length for c in chosen):
            chosen.append(s)
    return tuple(sorted(chosen))
