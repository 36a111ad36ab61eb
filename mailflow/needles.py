"""Literal words found fast, exactly where a case-insensitive pattern could match.

A regular expression that starts with ``\\b`` and an alternation under ``re.IGNORECASE`` is
tried by the engine at every character of a text (tens of nanoseconds each: ~0.4 ms for 10 KB).
When every match of such a pattern holds one of a few literal words, ``str.find`` on the
lower-cased text (C speed) tells where the pattern can match, and it runs only there.

The shortcut is exact: ``lowered`` refuses the texts on which ``str.lower()`` would not agree
with ``re.IGNORECASE`` about ASCII words (a character whose lower case is longer shifts the
positions; four non-ASCII characters are matched to ASCII letters by ``re.IGNORECASE`` and not
by ``str.lower()``), and the callers then run their pattern the ordinary way.
"""

from __future__ import annotations

import re

# The only non-ASCII characters re.IGNORECASE matches to ASCII letters (Python's `re` docs:
# İ ı ſ and the Kelvin sign), with the letter each matches; str.lower() leaves them non-ASCII.
ODD_FOLDS = {"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"}


def lowered(text: str) -> str | None:
    """``text.lower()`` when it keeps text's positions and its ASCII words are the words
    re.IGNORECASE sees in text; None otherwise."""
    low = text.lower()
    if len(low) != len(text) or any(c in text for c in ODD_FOLDS):
        return None
    return low


def starts(text: str, needles: tuple[str, ...]) -> list[int]:
    """Every position where one of ``needles`` begins in ``text``, ascending (overlaps kept)."""
    out: list[int] = []
    for w in needles:
        k = text.find(w)
        while k != -1:
            out.append(k)
            k = text.find(w, k + 1)
    out.sort()
    return out


def first_match(rx: re.Pattern[str], text: str, needles: tuple[str, ...]) -> re.Match[str] | None:
    """``rx.search(text)``, for a pattern whose every match begins with one of the lower-case
    ``needles`` (case-insensitively): tried only where they begin, so the same leftmost match."""
    low = lowered(text)
    if low is None:
        return rx.search(text)
    for k in starts(low, needles):
        m = rx.match(text, k)
        if m is not None:
            return m
    return None
