"""Property tests: any bytes end as a Letter or a BadMessage, and every Letter reads as a Note."""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mailflow.errors import BadMessage
from mailflow.letters import read_letter
from mailflow.notes import read_note
from tests.mail_samples import SAMPLES

RAWS = [s.raw for s in SAMPLES]
FRAGMENTS = [
    b"\n", b"\r\n", b"--", b"=?utf-8?q?", b"?=", b"=?x-unknown?b?", b"Content-Type: multipart/mixed; boundary=b\n",
    b"Content-Transfer-Encoding: base64\n", b"charset=\"x-nope\"", b"> ", b"From: ", b"-----Original Message-----\n",
    b"---------- Forwarded message ---------\n", b"wrote:\n", b"\xff\xfe", b"\x00", b"<", b">", b"(", b"\"",
    b"BEGIN:VCALENDAR\n", b"Content-Type: text/calendar\n\n", b"Content-Type: message/rfc822\n\n",
]


def check(data: bytes) -> None:
    start = time.perf_counter()
    try:
        letter = read_letter(data)
    except BadMessage:
        return
    note = read_note(letter)
    assert isinstance(note.body, str)
    for head in (letter.headers, note.original):
        if head is None:
            continue
        for a in (*head.from_, *head.to, *head.cc):
            assert "\n" not in a.name and "\r" not in a.name and "\n" not in a.addr
        assert "\n" not in head.subject and "\x00" not in head.subject
        assert head.date is None or head.date.tzinfo is not None
    assert time.perf_counter() - start < 2.0


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(RAWS),
    st.lists(st.tuples(st.integers(0, 10_000), st.sampled_from(FRAGMENTS)), max_size=8),
    st.integers(0, 10_000),
)
def test_mutated_samples_never_crash(raw: bytes, inserts: list[tuple[int, bytes]], cut: int) -> None:
    data = bytearray(raw[: max(cut, 40)] if cut % 3 == 0 else raw)
    for pos, fragment in inserts:
        pos = pos % (len(data) + 1)
        data[pos:pos] = fragment
    check(bytes(data))


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=2_000))
def test_random_bytes_never_crash(data: bytes) -> None:
    check(b"From: a@example.com\n" + data)
