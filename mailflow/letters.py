"""Raw bytes -> Letter.  (placeholder: the mail-reading work replaces this)"""

from __future__ import annotations

import email
import email.policy
import email.utils

from .errors import BadMessage
from .model import Address, Headers, Letter


def _addrs(values: list[str]) -> tuple[Address, ...]:
    return tuple(
        Address(name=n, addr=a.lower()) for n, a in email.utils.getaddresses(values) if a
    )


def read_letter(data: bytes, *, limits: object = None) -> Letter:
    if not data.strip():
        raise BadMessage("empty message")
    msg = email.message_from_bytes(data, policy=email.policy.default)
    try:
        date = email.utils.parsedate_to_datetime(str(msg["Date"])) if msg["Date"] else None
    except (TypeError, ValueError):
        date = None
    if date is not None and date.tzinfo is None:
        date = None
    body = msg.get_body(preferencelist=("plain", "html"))
    text = body.get_content() if body is not None else ""
    headers = Headers(
        message_id=str(msg["Message-ID"] or "").strip() or None,
        from_=_addrs([str(v) for v in msg.get_all("From", [])]),
        to=_addrs([str(v) for v in msg.get_all("To", [])]),
        cc=_addrs([str(v) for v in msg.get_all("Cc", [])]),
        subject=str(msg["Subject"] or ""),
        date=date,
        in_reply_to=str(msg["In-Reply-To"] or "").strip() or None,
        references=tuple(str(msg["References"] or "").split()),
    )
    return Letter(
        headers=headers,
        header_fields=tuple((k.lower(), str(v)) for k, v in msg.items()),
        text=text,
        html=None,
        calendars=(),
        attached=(),
        defects=(),
        size=len(data),
    )
