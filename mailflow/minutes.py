"""Note text -> Minutes.  (placeholder: the notes-understanding work replaces this)"""

from __future__ import annotations

import datetime as dt

from .model import Minutes, Participant


def extract_minutes(
    text: str, *, ref: dt.datetime, zone: str | None, participants: tuple[Participant, ...] = ()
) -> Minutes:
    return Minutes()
