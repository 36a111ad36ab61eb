"""Text -> TimeMentions.  (placeholder: the time work replaces this)"""

from __future__ import annotations

import datetime as dt

from .model import TimeMention


def find_times(
    text: str,
    *,
    ref: dt.datetime,
    zone: str | None,
    reader_zone: str | None = None,
    party_zones: tuple[str, ...] = (),
    date_order: str = "DMY",
) -> tuple[TimeMention, ...]:
    return ()
