"""Meeting -> plain JSON-able dicts, the shape `mailflow extract --json` prints (CONTRACT.md)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from .model import Address, Headers, Meeting, TimeMention


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _addr(a: Address) -> dict[str, str]:
    return {"name": a.name, "addr": a.addr}


def headers_record(h: Headers | None) -> dict[str, Any] | None:
    if h is None:
        return None
    return {
        "message_id": h.message_id,
        "from": [_addr(a) for a in h.from_],
        "to": [_addr(a) for a in h.to],
        "cc": [_addr(a) for a in h.cc],
        "subject": h.subject,
        "date": _iso(h.date),
    }


def mention_record(m: TimeMention) -> dict[str, Any]:
    return {
        "text": m.text,
        "start": _iso(m.start),
        "end": _iso(m.end),
        "grain": m.grain,
        "zone": m.zone,
        "status": m.status,
        "doubt": m.doubt,
        "rrule": m.rrule,
    }


def meeting_record(meeting: Meeting) -> dict[str, Any]:
    note = meeting.note
    nm = meeting.minutes.next_meeting
    return {
        "message": headers_record(note.letter.headers),
        "original": headers_record(note.original),
        "body": note.body,
        "original_body": note.original_body,
        "signature": note.signature,
        "participants": [
            {"name": p.name, "addr": p.addr, "zone": p.zone, "zone_source": p.zone_source}
            for p in meeting.participants
        ],
        "times": [mention_record(m) for m in meeting.times],
        "agreements": [{"text": a.text, "evidence": a.evidence} for a in meeting.minutes.agreements],
        "action_items": [
            {"owner": a.owner, "task": a.task, "due": _iso(a.due), "evidence": a.evidence}
            for a in meeting.minutes.action_items
        ],
        "next_meeting": (
            {"start": _iso(nm.start), "grain": nm.grain, "zone": nm.zone, "evidence": nm.evidence}
            if nm
            else None
        ),
        "open_questions": list(meeting.minutes.open_questions),
        "agenda": list(meeting.minutes.agenda),
        "kind": meeting.kind,
        "slot": mention_record(meeting.slot) if meeting.slot else None,
        "link": meeting.link,
        "defects": list(note.letter.defects),
    }
