"""Zones: wall time <-> instant, DST gaps and folds, a time stated in every party's zone.
(placeholder: the time work replaces this)"""

from __future__ import annotations

import zoneinfo

from .model import TimeMention


def describe_mention(m: TimeMention, *, zones: tuple[str, ...]) -> str:
    parts = [f"{m.text!r}:"]
    for z in zones:
        local = m.start.astimezone(zoneinfo.ZoneInfo(z))
        parts.append(f"{local:%a %d %b %Y %H:%M} {z}")
    return " ".join(parts)
