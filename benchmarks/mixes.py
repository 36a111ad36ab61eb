"""A generated message mix for the benchmarks: every text is made up here from word lists.

    make_mix(n, seed=7)        -> list[Sample]   the whole mix, kinds in fixed proportions
    make_kind(kind, rng, i)    -> Sample         one message of one kind
    note_text(rng, size)       -> str            meeting notes of about `size` bytes

Kinds: plain (~10 KB meeting notes), html (the same as text/html only), gmail-forward and
outlook-forward (notes forwarded inline with the client's header block), reply (a short answer
above a quoted history), attachment (a short note with a 1-5 MB base64 attachment) and invite
(a proposal with a text/calendar REQUEST part). Deterministic for a given seed.
"""

from __future__ import annotations

import datetime as dt
import html
import random
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime

KINDS = ("plain", "html", "gmail-forward", "outlook-forward", "reply", "attachment", "invite")
# share of each kind in the mix (sums to 20)
WEIGHTS = {"plain": 6, "html": 3, "gmail-forward": 3, "outlook-forward": 2, "reply": 3,
           "attachment": 1, "invite": 2}

PEOPLE = (
    ("Ines Moreau", "ines@example.test", "Europe/Paris"),
    ("Tomasz Nowak", "tomasz@example.test", "Europe/Warsaw"),
    ("Priya Raman", "priya@example.test", "Asia/Kolkata"),
    ("Caleb Ortiz", "caleb@example.test", "America/Chicago"),
    ("Mei Tanaka", "mei@example.test", "Asia/Tokyo"),
    ("Olu Adeyemi", "olu@example.test", "Africa/Lagos"),
    ("Hannah Berg", "hannah@example.test", "Europe/Berlin"),
    ("Sam Whitfield", "sam@example.test", "America/New_York"),
)
SELF = "mailflow@example.test"
TOPICS = ("billing migration", "onboarding flow", "Q3 roadmap", "vendor contract", "search latency",
          "mobile release", "hiring plan", "data retention", "partner portal", "support backlog")
VERBS = ("send", "review", "draft", "update", "share", "check", "book", "prepare", "confirm", "write up")
OBJECTS = ("the budget sheet", "the release notes", "a short proposal", "the test plan",
           "the customer list", "the slides", "the contract draft", "the incident report",
           "the migration checklist", "the hiring rubric")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
MONTHS = ("March", "April", "May", "June", "September", "October")
ZONES = ("CET", "UK time", "ET", "PT", "IST", "JST", "UTC")
FILLER = (
    "We went through the open points one by one and nobody raised a blocker.",
    "The numbers from last month look better than expected, mostly thanks to fewer refunds.",
    "There was a long discussion about whether the old export format is still needed.",
    "Everyone agreed the current dashboard is hard to read on small screens.",
    "The team would like a clearer owner for the weekly status mail.",
    "Two customers asked about the timeline, so we should keep them posted.",
    "Most of the remaining work is testing and documentation.",
    "The pilot group reported that the new search is noticeably faster.",
    "We still have no answer from legal about the retention period.",
    "The budget is tight but there is room for one more contractor.",
)

BASE = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@dataclass(frozen=True, slots=True)
class Sample:
    kind: str
    data: bytes


def _who(rng: random.Random) -> tuple[str, str, str]:
    return rng.choice(PEOPLE)


def _when(rng: random.Random) -> str:
    style = rng.randrange(5)
    day, hour = rng.choice(DAYS), rng.randrange(8, 18)
    if style == 0:
        return f"{day} at {hour}:00 {rng.choice(ZONES)}"
    if style == 1:
        return f"{day} {rng.randrange(1, 28)} {rng.choice(MONTHS)} at {hour % 12 or 12}{'pm' if hour >= 12 else 'am'}"
    if style == 2:
        return f"next {day} {hour}:30"
    if style == 3:
        return f"tomorrow at {hour}:15"
    return f"{rng.randrange(1, 28)}/{rng.randrange(1, 13)} at {hour}:00"


def note_text(rng: random.Random, size: int = 10_000) -> str:
    """Meeting notes: attendees, discussion, decisions, action items, next meeting (~size bytes)."""
    attendees = rng.sample(PEOPLE, 4)
    topic = rng.choice(TOPICS)
    lines = [f"Notes from the {topic} meeting", "",
             "Attendees: " + ", ".join(p[0] for p in attendees), ""]
    section = 0
    while sum(len(x) + 1 for x in lines) < size - 400:
        section += 1
        lines.append(f"{section}. {rng.choice(TOPICS).capitalize()}")
        lines.extend(rng.choice(FILLER) for _ in range(rng.randrange(2, 5)))
        if rng.random() < 0.5:
            lines.append(f"Decision: we agreed to go ahead with the {rng.choice(TOPICS)} plan.")
        owner = rng.choice(attendees)[0].split()[0]
        lines.append(f"- {owner} will {rng.choice(VERBS)} {rng.choice(OBJECTS)} by {rng.choice(DAYS)}")
        if rng.random() < 0.3:
            lines.append(f"We could also meet {_when(rng)} to look at it again.")
        lines.append("")
    lines += ["Action items:",
              *(f"- {p[0].split()[0]}: {rng.choice(VERBS)} {rng.choice(OBJECTS)}" for p in attendees[:3]),
              "", f"Next meeting: {_when(rng)}", "", "Thanks all,", attendees[0][0].split()[0]]
    return "\n".join(lines)


def _message(rng: random.Random, i: int, *, subject: str, text: str | None = None,
             html_body: str | None = None, sender: tuple[str, str, str] | None = None,
             extra: dict[str, str] | None = None) -> EmailMessage:
    name, addr, _zone = sender or _who(rng)
    msg = EmailMessage()
    msg["From"] = f"{name} <{addr}>"
    msg["To"] = f"mailflow <{SELF}>"
    others = rng.sample(PEOPLE, 2)
    msg["Cc"] = ", ".join(f"{p[0]} <{p[1]}>" for p in others if p[1] != addr)
    msg["Subject"] = subject
    msg["Date"] = format_datetime(BASE + dt.timedelta(hours=i, minutes=rng.randrange(60)))
    msg["Message-ID"] = f"<bench-{i}-{rng.randrange(10**9)}@example.test>"
    for k, v in (extra or {}).items():
        msg[k] = v
    if text is not None:
        msg.set_content(text)
        if html_body is not None:
            msg.add_alternative(html_body, subtype="html")
    elif html_body is not None:
        msg.set_content(html_body, subtype="html")
    return msg


def _as_html(text: str) -> str:
    out = ["<html><body><div style=\"font-family:Arial\">"]
    items: list[str] = []
    for line in text.splitlines():
        if line.startswith("- "):
            items.append(f"<li>{html.escape(line[2:])}</li>")
            continue
        if items:
            out.append("<ul>" + "".join(items) + "</ul>")
            items = []
        if line[:2].rstrip(".").isdigit():
            out.append(f"<h3>{html.escape(line)}</h3>")
        elif line:
            out.append(f"<p>{html.escape(line)}</p>")
    if items:
        out.append("<ul>" + "".join(items) + "</ul>")
    out.append("</div></body></html>")
    return "\n".join(out)


def _gmail_block(orig: tuple[str, str, str], when: dt.datetime, subject: str) -> str:
    return ("---------- Forwarded message ---------\n"
            f"From: {orig[0]} <{orig[1]}>\n"
            f"Date: {when.strftime('%a, %b %-d, %Y at %-I:%M %p')}\n"
            f"Subject: {subject}\n"
            f"To: <{rng_free_addr(orig)}>\n")


def rng_free_addr(orig: tuple[str, str, str]) -> str:
    """A colleague's address for a forward's To line (deterministic, not the sender)."""
    return next(p[1] for p in PEOPLE if p[1] != orig[1])


def _outlook_block(orig: tuple[str, str, str], when: dt.datetime, subject: str) -> str:
    return ("-----Original Message-----\n"
            f"From: {orig[0]} <{orig[1]}>\n"
            f"Sent: {when.strftime('%A, %B %-d, %Y %-I:%M %p')}\n"
            f"To: {rng_free_addr(orig)}\n"
            f"Subject: {subject}\n")


def _ics(rng: random.Random, i: int, organizer: tuple[str, str, str], subject: str) -> str:
    start = BASE + dt.timedelta(days=rng.randrange(2, 20), hours=rng.randrange(0, 8))
    end = start + dt.timedelta(minutes=rng.choice((30, 45, 60)))
    guests = rng.sample(PEOPLE, 3)
    return "\r\n".join([
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//mailflow bench//EN", "METHOD:REQUEST",
        "BEGIN:VEVENT", f"UID:bench-{i}@example.test", f"DTSTAMP:{BASE:%Y%m%dT%H%M%SZ}",
        f"DTSTART:{start:%Y%m%dT%H%M%SZ}", f"DTEND:{end:%Y%m%dT%H%M%SZ}",
        f"SUMMARY:{subject}", f"ORGANIZER;CN={organizer[0]}:mailto:{organizer[1]}",
        *(f"ATTENDEE;CN={g[0]};RSVP=TRUE:mailto:{g[1]}" for g in guests),
        "SEQUENCE:0", "STATUS:CONFIRMED", "END:VEVENT", "END:VCALENDAR", "",
    ])


def make_kind(kind: str, rng: random.Random, i: int, *, attachment_mb: tuple[float, float] = (1.0, 5.0),
              note_bytes: int = 10_000) -> Sample:
    """One generated message of `kind` (see KINDS)."""
    topic = rng.choice(TOPICS)
    sender = _who(rng)
    if kind == "plain":
        msg = _message(rng, i, subject=f"Notes: {topic}", text=note_text(rng, note_bytes), sender=sender)
    elif kind == "html":
        msg = _message(rng, i, subject=f"Notes: {topic}", html_body=_as_html(note_text(rng, note_bytes)),
                       sender=sender)
    elif kind in ("gmail-forward", "outlook-forward"):
        orig = next(p for p in rng.sample(PEOPLE, 3) if p != sender)
        when = BASE + dt.timedelta(days=-rng.randrange(1, 5), hours=rng.randrange(0, 9))
        block = (_gmail_block if kind == "gmail-forward" else _outlook_block)(orig, when, f"Notes: {topic}")
        intro = f"Hi,\n\nforwarding the notes from {orig[0].split()[0]}, can you send the recap?\n\n"
        body = intro + block + "\n" + note_text(rng, note_bytes - 600)
        prefix = "Fwd" if kind == "gmail-forward" else "FW"
        msg = _message(rng, i, subject=f"{prefix}: Notes: {topic}", text=body, sender=sender)
    elif kind == "reply":
        orig = next(p for p in rng.sample(PEOPLE, 3) if p != sender)
        when = BASE - dt.timedelta(hours=rng.randrange(2, 48))
        history = note_text(rng, note_bytes - 800)
        quoted = "\n".join(("> " + x) if x else ">" for x in history.splitlines())
        body = (f"Sounds good. {_when(rng).capitalize()} works for me, let's lock it in.\n\n"
                f"{sender[0].split()[0]}\n\n"
                f"On {when.strftime('%a, %-d %b %Y at %H:%M')}, {orig[0]} <{orig[1]}> wrote:\n{quoted}\n")
        msg = _message(rng, i, subject=f"Re: {topic} follow-up", text=body, sender=sender,
                       extra={"In-Reply-To": f"<thread-{i}@example.test>",
                              "References": f"<thread-{i}@example.test>"})
    elif kind == "attachment":
        body = (f"Hi all,\n\nattached is the deck for the {topic} review. Can we meet {_when(rng)}?\n\n"
                f"- {sender[0].split()[0]} will {rng.choice(VERBS)} {rng.choice(OBJECTS)}\n\nThanks\n")
        msg = _message(rng, i, subject=f"Deck for {topic}", text=body, sender=sender)
        lo, hi = attachment_mb
        size = int(rng.uniform(lo, hi) * 1024 * 1024)
        msg.add_attachment(rng.randbytes(size), maintype="application", subtype="pdf",
                           filename=f"{topic.replace(' ', '-')}.pdf")
    elif kind == "invite":
        body = (f"Proposing a call about the {topic}. Does {_when(rng)} work? "
                "Otherwise the invite below has a slot.\n")
        msg = _message(rng, i, subject=f"Invitation: {topic}", text=body, sender=sender)
        msg.add_alternative(_ics(rng, i, sender, topic), subtype="calendar",
                            params={"method": "REQUEST"})
    else:
        raise ValueError(f"unknown kind {kind!r}; one of {', '.join(KINDS)}")
    for j, part in enumerate(p for p in msg.walk() if p.is_multipart()):
        part.set_boundary(f"=_bench_{i}_{j}_{rng.randrange(10**9)}")  # not random.random()
    return Sample(kind=kind, data=msg.as_bytes())


def make_mix(n: int, *, seed: int = 7, kinds: tuple[str, ...] = KINDS,
             attachment_mb: tuple[float, float] = (1.0, 5.0)) -> list[Sample]:
    """`n` messages, kinds in the proportions of WEIGHTS (restricted to `kinds`), interleaved."""
    rng = random.Random(seed)
    cycle = [k for k in kinds for _ in range(WEIGHTS[k])]
    rng.shuffle(cycle)
    return [make_kind(cycle[i % len(cycle)], rng, i, attachment_mb=attachment_mb) for i in range(n)]


def attachment_message(i: int, megabytes: float, *, seed: int = 11, to: str = SELF) -> bytes:
    """A short proposal with one `megabytes` MB binary attachment (base64 on the wire)."""
    rng = random.Random(seed + i)
    sample = make_kind("attachment", rng, i, attachment_mb=(megabytes, megabytes))
    return sample.data if to == SELF else sample.data.replace(SELF.encode(), to.encode(), 1)



# --- shared printing for the benchmark tables ---------------------------------------------------


def table(headers: tuple[str, ...], rows: Sequence[tuple[object, ...]]) -> str:
    """A plain-text table: first column left-aligned, the others right-aligned."""
    cells = [tuple(str(c) for c in headers)] + [tuple(_cell(c) for c in r) for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]

    def line(r: tuple[str, ...]) -> str:
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True)))

    out = [line(cells[0]), "  ".join("-" * w for w in widths)]
    out.extend(line(r) for r in cells[1:])
    return "\n".join(out)


def _cell(value: object) -> str:
    if isinstance(value, float):
        if value == 0:
            return "0"
        if abs(value) >= 100:
            return f"{value:,.0f}"
        if abs(value) >= 1:
            return f"{value:.2f}"
        return f"{value:.3g}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"
