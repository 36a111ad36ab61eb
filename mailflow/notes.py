"""Letter -> Note.  (placeholder: the mail-reading work replaces this)"""

from __future__ import annotations

from .model import Letter, Note


def read_note(letter: Letter) -> Note:
    return Note(
        letter=letter,
        body=letter.text,
        signature=None,
        original=None,
        original_body=None,
        original_signature=None,
        quoted=None,
    )
