"""Note + now -> Meeting: who takes part, which times are meant, what was agreed.

The assembly stage of the understanding pipeline. Pure: no I/O, no clock (``now`` is passed in).
It calls the finders (people, times, minutes) and decides what kind of message this is:
notes to recap, a proposal or agreement to confirm, a cancellation, or nothing for us.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import re
from dataclasses import replace

from .minutes import extract_minutes
from .model import Meeting, MeetingKind, Minutes, Note, Participant, Person, TimeMention
from .needles import first_match, lowered, starts
from .people import find_participants
from .times import find_times
from .zones import tzinfo_for

_LINK = re.compile(
    r"https?://(?:[\w-]+\.)*(?:zoom\.us|meet\.google\.com|teams\.microsoft\.com|teams\.live\.com|"
    r"skype\.com|whereby\.com|meet\.jit\.si|webex\.com)/[^\s<>\"')\]]*",
    re.IGNORECASE,
)
_CANCEL = re.compile(r"\b(cancel(?:led|ed|ling|ing)?|call(?:ing)? off|can(?:no|')t make it)\b", re.I)
_AGREE = re.compile(
    r"\b(confirm(?:ed|ing)?|agreed|works for (?:me|us|both)|see you (?:on|at|then)|booked|"
    r"let'?s (?:do|go with|meet)|sounds good)\b",
    re.I,
)
_PROPOSE = re.compile(
    r"\b(how about|would .{0,30}work|are you (?:free|available)|can we (?:meet|talk|do)|"
    r"propos(?:e|al|ing)|suggest|available|options?)\b",
    re.I,
)
_CLOCKED = ("minute", "hour", "second")
_DURATION = re.compile(r"\bfor (?:an? )?(\d+|half an|an)\s*(hours?|hrs?|minutes?|mins?)\b", re.I)


def _writer_zone(note: Note, participants: tuple[Participant, ...], default_zone: str) -> str:
    head = note.original if note.original and note.original_body else note.letter.headers
    writer = head.from_[0].addr if head.from_ else None
    for p in participants:
        if p.addr == writer and p.zone:
            return p.zone
    return default_zone


def _reference(note: Note, now: dt.datetime) -> dt.datetime:
    head = note.original if note.original and note.original.date else note.letter.headers
    return head.date or now


def _duration(text: str) -> dt.timedelta | None:
    m = first_match(_DURATION, text, ("for ",))
    if not m:
        return None
    qty = m.group(1).lower()
    n = 30 if qty.startswith("half") else 1 if qty == "an" else int(qty)
    if qty.startswith("half"):
        return dt.timedelta(minutes=30)
    return dt.timedelta(hours=n) if m.group(2).lower().startswith("h") else dt.timedelta(minutes=n)


def _thread_id(note: Note) -> str:
    h = note.letter.headers
    root = (h.references[0] if h.references else None) or h.in_reply_to or h.message_id
    if note.original and note.original.message_id:
        root = note.original.message_id
    return root or "<no-id>"


def _uid(thread_id: str, address: str) -> str:
    digest = hashlib.sha256(thread_id.encode("utf-8", "replace")).hexdigest()[:24]
    domain = address.rpartition("@")[2] or "mailflow.invalid"
    return f"{digest}@{domain}"


def _classify(text: str, times: tuple[TimeMention, ...], minutes: Minutes, note: Note) -> MeetingKind:
    cal = note.letter.calendars
    if any(c.method == "CANCEL" or c.status == "CANCELLED" for c in cal):
        return "cancellation"
    clocked = [t for t in times if t.grain in _CLOCKED]
    # notes: decisions, several tasks, or a stated next meeting; a lone "I will send the
    # agenda" in a scheduling mail does not make it notes
    if minutes.agreements or len(minutes.action_items) >= 2 or minutes.next_meeting is not None:
        return "notes"
    if any(t.status == "cancelled" for t in clocked):
        return "cancellation"
    if cal or any(t.status == "agreed" for t in clocked):
        return "confirmation"
    if any(t.status == "proposed" for t in clocked):
        return "proposal"
    if minutes.action_items:
        return "notes"
    if minutes.agenda:
        return "agenda"
    return "none"


_WINDOW = 400  # characters either side of a mention that can hold its sentence


_STOPS = (".", "!", "?", "\n")


def _sentence(text: str, span: tuple[int, int], stops: list[int] | None = None) -> tuple[int, int]:
    """Where the sentence (or line) around a mention begins and ends in text: after the last
    ".!?" or newline before it, up to the first ".!" or newline after it (a "?" included).

    ``stops``: where [.!?\n] occur in text, when the caller has them (else found here). Looks
    at most _WINDOW characters either way, so a pathological text with thousands of mentions
    and no full stops costs linear time, not quadratic."""
    start, end = span
    lo = max(0, start - _WINDOW)
    hi = min(len(text), end + _WINDOW)
    if stops is None:
        stops = [k + lo for k in starts(text[lo:hi], _STOPS)]
    i = bisect.bisect_left(stops, start)
    begin = stops[i - 1] + 1 if i > 0 and stops[i - 1] >= lo else lo
    j = bisect.bisect_left(stops, end, i)
    if j == len(stops) or stops[j] >= hi:
        return begin, hi
    k = stops[j]
    return begin, (k + 1 if text[k] == "?" else k)


# Every match of _CANCEL, _AGREE or _PROPOSE holds one of these words (case-insensitively).
_STATUS_WORDS = ("can", "call", "confirm", "agreed", "works for", "see you", "booked", "let",
                 "sounds good", "how about", "would", "are you", "propos", "suggest", "available",
                 "option")


def _with_status(text: str, mention: TimeMention, hits: list[int] | None = None,
                 stops: list[int] | None = None) -> TimeMention:
    """Proposed, agreed or cancelled, from the words of the mention's own sentence.

    ``hits``: where _STATUS_WORDS begin in text (see _statuses); a sentence with none of them
    cannot match _CANCEL, _AGREE or _PROPOSE, so the patterns are not run on it. ``stops``:
    see _sentence."""
    if mention.status != "mentioned" or mention.grain not in ("minute", "hour", "second", "day"):
        return mention
    start, end = mention.span
    begin, stop = _sentence(text, mention.span, stops)
    after = text[end:stop]
    status = "mentioned"
    i = bisect.bisect_left(hits, begin) if hits is not None else 0
    if hits is not None and not (i < len(hits) and hits[i] < stop) and text[start:end] == mention.text:
        if after.rstrip().endswith("?"):
            status = "proposed"
    else:
        sentence = text[begin:start] + mention.text + after
        # the sentence is text[begin:stop] when the mention's text is the text's: then every
        # match of the patterns begins at a status word of text between begin and stop
        at = ([k - begin for k in hits[i:bisect.bisect_left(hits, stop, i)]]
              if hits is not None and text[start:end] == mention.text else None)
        if _said(_CANCEL, sentence, at):
            status = "cancelled"
        elif _said(_AGREE, sentence, at):
            status = "agreed"
        elif _said(_PROPOSE, sentence, at) or after.rstrip().endswith("?"):
            status = "proposed"
    if status == mention.status:
        return mention
    return replace(mention, status=status)  # type: ignore[arg-type]


def _said(rx: re.Pattern[str], sentence: str, at: list[int] | None) -> bool:
    """Whether rx.search(sentence) matches; ``at``, when known, holds every position where a
    match can begin (where _STATUS_WORDS begin), and rx is tried only there."""
    if at is None:
        return rx.search(sentence) is not None
    for k in at:
        if rx.match(sentence, k) is not None:
            return True
    return False


def _statuses(text: str, mentions: tuple[TimeMention, ...]) -> tuple[TimeMention, ...]:
    """_with_status of every mention, the status words of text found once for all of them."""
    low = lowered(text)
    hits = starts(low, _STATUS_WORDS) if low is not None else None
    stops = starts(text, _STOPS)
    return tuple(_with_status(text, m, hits, stops) for m in mentions)


def understand(
    note: Note,
    *,
    now: dt.datetime,
    people: tuple[Person, ...] = (),
    self_addrs: tuple[str, ...] = (),
    default_zone: str = "UTC",
    date_order: str = "DMY",
) -> Meeting:
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    participants = find_participants(
        note, people=people, self_addrs=self_addrs, default_zone=default_zone
    )
    zone = _writer_zone(note, participants, default_zone)
    ref = _reference(note, now)
    text = "\n\n".join(t for t in (note.body, note.original_body) if t)
    reader_zone = next((p.zone for p in participants if p.zone and p.zone != zone), None)
    party_zones = tuple(dict.fromkeys(p.zone for p in participants if p.zone))
    times = _statuses(text, find_times(
        text,
        ref=ref.astimezone(tzinfo_for(zone) or dt.UTC),
        zone=zone,
        reader_zone=reader_zone,
        party_zones=party_zones,
        date_order=date_order,
    ))
    # in a forward, the forwarder's own few lines are a note to mailflow ("please recap
    # this"), not minutes; longer text of their own is read together with the original
    own = note.body.strip()
    notes_text = note.original_body if note.original_body and len(own) < 400 else text
    minutes = extract_minutes(notes_text, ref=ref, zone=zone, participants=participants)
    kind = _classify(text, times, minutes, note)
    slot = None
    invite = next((c for c in note.letter.calendars if c.start is not None), None)
    agreed = [t for t in times if t.status == "agreed" and t.grain in ("minute", "hour", "second")]
    proposed = [t for t in times if t.status == "proposed" and t.grain in ("minute", "hour", "second")]
    clocked = [t for t in times if t.grain in ("minute", "hour", "second")]
    if agreed:
        slot = agreed[-1]
    elif proposed:
        slot = proposed[0]
    elif kind == "cancellation" and clocked:
        slot = clocked[0]
    duration = _duration(text)
    if duration is None and slot is not None and slot.end is not None:
        duration = slot.end - slot.start
    link_m = first_match(_LINK, text, ("http",))
    thread_id = _thread_id(note)
    address = self_addrs[0] if self_addrs else "mailflow@localhost"
    return Meeting(
        note=note,
        now=now,
        kind=kind,
        participants=participants,
        times=times,
        minutes=minutes,
        slot=slot,
        duration=duration,
        link=link_m.group(0).rstrip(".,;") if link_m else None,
        thread_id=thread_id,
        meeting_uid=invite.uid if invite and invite.uid else _uid(thread_id, address),
        invite=invite,
    )
