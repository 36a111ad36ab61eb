"""Plan + Meeting -> Draft: the bytes mailflow hands to SMTP.

Rules: pure apart from reading templates through the Jinja loader; deterministic (the same
plan, meeting and ``now`` give identical bytes: boundaries and Message-ID are hashes).

- One Markdown template per plan kind (``<kind>.md.j2``). Rendered once as-is, it is the
  text/plain part. Rendered a second time with every ``{{ value }}`` escaped for Markdown *and*
  HTML (``finalize``), it goes through ``markdown.markdown()`` into ``layout.html.j2``
  (autoescaped), which adds the time-zone strip: text pulled from mail (a ``<script>`` in a
  subject, ``{{ 7*7 }}`` in a task) arrives as text, never as markup or template code.
- Plans about a meeting carry a text/calendar part (``method=REQUEST|CANCEL``) inside the
  multipart/alternative plus the same .ics as an attachment for clients that only read those.
- Headers: free text (Subject, display names, the dedupe key) has CR, LF, NUL and other control
  characters replaced by a space; an address or Message-ID that is not well-formed raises
  ``OurFault`` (the policy stage must never let one through); a malformed id in the thread's
  References is dropped.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import hashlib
import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from email.headerregistry import Address as HeaderAddress
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import jinja2
import markdown
from markupsafe import Markup

from .errors import OurFault
from .invites import invite
from .model import Address, Draft, Meeting, Participant, Plan
from .plans import SlotView, message_id_for
from .zones import tzinfo_for

_PACKAGE = Path(__file__).resolve().parent
TEMPLATE_DIRS = (_PACKAGE / "_templates", _PACKAGE.parent / "templates")  # installed, checkout

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]")
_ADDR = re.compile(r"^[^\s<>()\[\]\\,;:\"@\x00-\x1f\x7f]+@[^\s<>()\[\]\\,;:\"@\x00-\x1f\x7f]+$")
_MSGID = re.compile(r"^<[^<>\s\x00-\x1f\x7f]+>$")
_MD_ESCAPE = re.compile(r"([\\`*_{}\[\]()#+\-.!])")
_URL_OK = re.compile(r"^(?:https?://[^\s<>\"'`\\]+|tel:\+?[0-9 ().\-]+)$", re.I)
_WIRE = email.policy.SMTP.clone(refold_source="none")  # set_raw headers go out as set
_STRIP_BEFORE = dt.timedelta(hours=4)
_STRIP_COLUMNS = 12
_HTML_STYLES = (
    ("<h2>", '<h2 style="font-size:17px;margin:22px 0 8px 0;color:#1a202c;">'),
    ("<h3>", '<h3 style="font-size:15px;margin:18px 0 6px 0;color:#1a202c;">'),
    ("<p>", '<p style="margin:0 0 12px 0;">'),
    ("<ul>", '<ul style="margin:0 0 12px 0;padding-left:22px;">'),
    ("<li>", '<li style="margin:0 0 4px 0;">'),
    ("<a href=", '<a style="color:#2b6cb0;" href='),
)


# --- environment ---------------------------------------------------------------------------------


def packaged_templates() -> Path:
    """The templates shipped with mailflow: ``mailflow/_templates`` in an installed wheel
    (pyproject maps the top-level templates/ folder there), else the checkout's templates/."""
    for d in TEMPLATE_DIRS:
        if (d / "layout.html.j2").is_file():
            return d
    raise OurFault(f"mailflow's templates are missing (looked in {', '.join(map(str, TEMPLATE_DIRS))})")


def md_escape(text: str) -> str:
    """Text for Markdown that must come out as the same text: whitespace collapsed (no line
    starts a block), Markdown punctuation backslash-escaped, then <, >, & as HTML entities."""
    flat = " ".join(str(text).split())
    return html.escape(_MD_ESCAPE.sub(r"\\\1", flat), quote=False)


@jinja2.pass_context
def _finalize(ctx: jinja2.runtime.Context, value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Markup) or not ctx.get("markdown_pass"):
        return value
    return md_escape(str(value))


@jinja2.pass_context
def _url(ctx: jinja2.runtime.Context, value: str | None) -> str:
    """A call link: in Markdown an autolink when it is a plain http(s)/tel URL, else text."""
    if not value:
        return ""
    text = str(value).strip()
    if not ctx.get("markdown_pass"):
        return text
    if _URL_OK.match(text):
        return Markup(f"<{text}>")
    return md_escape(text)


def _day_shift(n: int) -> str:
    if n == 1:
        return "next day"
    if n == -1:
        return "previous day"
    return f"{n:+d} days"


def _until(end_line: Any, start_line: Any) -> str:
    """The end of a range in one zone: the clock alone when on the start's day."""
    if end_line.local.date() == start_line.local.date():
        return str(end_line.text).rsplit(", ", 1)[-1]
    return str(end_line.text)


def make_environment(user_dir: Path | None) -> jinja2.Environment:
    """Jinja environment over [user_dir, packaged templates]: a user's file of the same name
    overrides the packaged one. StrictUndefined; HTML templates (*.html.j2) autoescaped."""
    dirs = [str(user_dir)] if user_dir is not None else []
    dirs.append(str(packaged_templates()))
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(dirs),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2", "html"), default=False),
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["url"] = _url
    env.filters["day_shift"] = _day_shift
    env.filters["until"] = _until
    return env


# --- the time-zone strip -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class StripCell:
    text: str  # local clock, "15" or "20:30"
    day: str  # "Wed 3" where the local date changes (from the first zone's date at the start)
    state: str  # "slot" | "work" | "off" | "night"


@dataclass(frozen=True, slots=True, kw_only=True)
class StripRow:
    label: str
    name: str
    cells: tuple[StripCell, ...]


def zone_strip(view: SlotView, participants: tuple[Participant, ...]) -> tuple[StripRow, ...]:
    """Each party zone's hours side by side, one column per hour from 4 h before the start;
    the slot's columns are "slot", working hours "work", 22:00-07:00 "night"."""
    columns = [view.start - _STRIP_BEFORE + dt.timedelta(hours=i) for i in range(_STRIP_COLUMNS)]
    hours = {p.zone: p for p in reversed(participants) if p.zone}
    rows = []
    for line in view.lines:
        tz = tzinfo_for(line.zone)
        if tz is None:
            continue
        person = hours.get(line.zone)
        work = (person.work_start, person.work_end) if person else (dt.time(9), dt.time(18))
        anchor = view.lines[0].local.date()
        cells = []
        previous = anchor
        for c in columns:
            local = c.astimezone(tz)
            clock = f"{local:%H}" if local.minute == 0 else f"{local:%H:%M}"
            if view.start <= c < view.end:
                state = "slot"
            elif work[0] <= local.time() < work[1] and local.weekday() < 5:
                state = "work"
            elif local.hour >= 22 or local.hour < 7:
                state = "night"
            else:
                state = "off"
            day = f"{local:%a} {local.day}" if local.date() != previous else ""
            previous = local.date()
            cells.append(StripCell(text=clock, day=day, state=state))
        rows.append(StripRow(label=line.label, name=line.name, cells=tuple(cells)))
    return tuple(rows)


# --- headers -------------------------------------------------------------------------------------


def clean_text(value: str) -> str:
    """Free header text: control characters (CR, LF, NUL ...) become spaces, runs collapse."""
    return " ".join(_CONTROL.sub(" ", value).split())


def _header_address(a: Address) -> HeaderAddress:
    addr = a.addr.strip()
    if not _ADDR.match(addr) or len(addr) > 254:
        raise OurFault(f"refusing to put {addr!r} in a header: not a plain e-mail address")
    local, _, domain = addr.rpartition("@")
    return HeaderAddress(display_name=clean_text(a.name)[:120], username=local, domain=domain)


def _valid_ids(ids: Iterable[str | None]) -> list[str]:
    out: list[str] = []
    for i in ids:
        if i and _MSGID.match(i.strip()) and i.strip() not in out:
            out.append(i.strip())
    return out


# --- rendering -----------------------------------------------------------------------------------


def _context(plan: Plan, meeting: Meeting, sender: Address, now: dt.datetime) -> dict[str, Any]:
    ctx: dict[str, Any] = {
        "plan": plan,
        "meeting": meeting,
        "sender": sender,
        "now": now,
        "kind": plan.kind,
        "subject": clean_text(plan.subject),
        "heading": clean_text(plan.subject).split(" — ", 1)[0],
    }
    ctx.update(dict(plan.context))
    return ctx


def _strip_view(ctx: dict[str, Any]) -> SlotView | None:
    for key in ("slot", "next_meeting"):
        view = ctx.get(key)
        if isinstance(view, SlotView):
            return view
    return None


def _html_part(env: jinja2.Environment, template: jinja2.Template, ctx: dict[str, Any]) -> str:
    source = template.render({**ctx, "markdown_pass": True})
    body = markdown.markdown(source, output_format="html")
    for old, new in _HTML_STYLES:
        body = body.replace(old, new)
    view = _strip_view(ctx)
    strip = zone_strip(view, ctx.get("participants", ())) if view is not None else ()
    layout = env.get_template("layout.html.j2")
    return layout.render({**ctx, "body": Markup(body), "strip": strip})


def _ics(plan: Plan, meeting: Meeting, ctx: dict[str, Any], sender: Address, now: dt.datetime) -> bytes | None:
    method = ctx.get("ics_method")
    if method not in ("REQUEST", "CANCEL"):
        return None
    view = ctx.get("slot") if method == "REQUEST" else ctx.get("cancelled")
    if method == "REQUEST" and not isinstance(view, SlotView):
        return None
    start = view.start if isinstance(view, SlotView) else None
    end = view.end if isinstance(view, SlotView) else None
    description = view.text if isinstance(view, SlotView) else ""
    if meeting.link:
        description = f"{description}\n{meeting.link}".strip()
    return invite(
        meeting,
        start=start,
        end=end,
        method=method,
        sequence=int(ctx.get("ics_sequence", 0)),
        organizer=sender,
        attendees=plan.to,
        summary=str(ctx.get("title", plan.subject)),
        description=description,
        now=now,
        zone=ctx.get("ics_zone"),
    )


def render(plan: Plan, meeting: Meeting, *, env: jinja2.Environment, sender: Address, now: dt.datetime) -> Draft:
    """The complete message for one plan. Raises OurFault for a malformed address."""
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    ctx = _context(plan, meeting, sender, now)
    template = env.get_template(f"{plan.kind}.md.j2")
    text = _CONTROL.sub(lambda m: m.group(0) if m.group(0) in "\n\t" else " ", template.render(ctx))
    html_text = _html_part(env, template, ctx)
    ics = _ics(plan, meeting, ctx, sender, now)

    key = clean_text(plan.dedupe_key)
    message_id = message_id_for(plan.dedupe_key, sender.addr)
    msg = EmailMessage(policy=email.policy.SMTP)
    msg["From"] = _header_address(sender)
    msg["To"] = [_header_address(a) for a in plan.to]
    msg["Subject"] = clean_text(plan.subject)[:250]
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = message_id
    reply = _valid_ids([plan.in_reply_to])
    refs = _valid_ids(plan.references)
    if reply:
        msg["In-Reply-To"] = reply[0]
        if reply[0] not in refs:
            refs.append(reply[0])
    if refs:
        msg["References"] = " ".join(refs[-20:])
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Auto-Response-Suppress"] = "All"
    if key.isascii() and len(key) < 900:  # verbatim, unfolded: greppable, IMAP-searchable
        msg.set_raw("X-Mailflow-Key", key)
    else:
        msg["X-Mailflow-Key"] = key
    msg.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(html_text, subtype="html", charset="utf-8", cte="quoted-printable")
    if ics is not None:
        method = str(ctx["ics_method"])
        calendar = ics.decode("utf-8")
        msg.add_alternative(calendar, subtype="calendar", charset="utf-8", params={"method": method})
        msg.add_attachment(
            ics, maintype="application", subtype="ics", filename="invite.ics" if method == "REQUEST" else "cancel.ics"
        )
    for part in msg.walk():
        if part is not msg:
            del part["MIME-Version"]
    seed = hashlib.sha256(key.encode() + text.encode() + html_text.encode() + (ics or b"")).hexdigest()
    for n, part in enumerate(p for p in msg.walk() if p.is_multipart()):
        part.set_boundary(f"=_mf_{seed[:24]}_{n}")
    return Draft(
        dedupe_key=plan.dedupe_key,
        message_id=message_id,
        sender=sender.addr,
        recipients=tuple(a.addr for a in plan.to),
        subject=str(msg["Subject"]),
        data=msg.as_bytes(policy=_WIRE),
    )


def text_part(draft: Draft) -> str:
    """The text/plain part of a rendered draft."""
    msg = email.message_from_bytes(draft.data, policy=email.policy.default)
    body = msg.get_body(preferencelist=("plain",))
    return str(body.get_content()).replace("\r\n", "\n") if body is not None else ""


def preview_lines(items: Iterable[tuple[Plan, Draft]]) -> str:
    """For ``mailflow preview``: per draft, to whom, when due, the subject and the text part."""
    blocks = []
    for plan, draft in items:
        to = ", ".join(draft.recipients)
        blocks.append(
            "\n".join(
                (
                    f"=== {plan.kind} ({draft.dedupe_key})",
                    f"To:      {to}",
                    f"Due:     {plan.due.isoformat(timespec='minutes')}",
                    f"Subject: {draft.subject}",
                    "",
                    text_part(draft).rstrip(),
                )
            )
        )
    return "\n\n".join(blocks) + ("\n" if blocks else "")
