"""Note + configured people -> Participants with zones.  (placeholder: the time work replaces this)"""

from __future__ import annotations

from .model import Note, Participant, Person


def find_participants(
    note: Note, *, people: tuple[Person, ...], self_addrs: tuple[str, ...], default_zone: str | None
) -> tuple[Participant, ...]:
    seen: dict[str, Participant] = {}
    heads = [note.letter.headers] + ([note.original] if note.original else [])
    for h in heads:
        for a in h.from_ + h.to + h.cc:
            if a.addr in self_addrs or a.addr in seen:
                continue
            person = next((p for p in people if a.addr in p.addrs), None)
            seen[a.addr] = Participant(
                name=person.name if person else a.name,
                addr=a.addr,
                zone=person.zone if person else None,
                zone_source="config" if person else None,
            )
    return tuple(seen.values())
