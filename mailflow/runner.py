"""One poll: read new mail, understand it, queue what to send, send what is due.

The order of side effects is what makes a kill at any instant safe:

1. take the lock file (a second overlapping run exits at once: nothing to do twice);
2. settle sends a killed run left in ``sending``: if the Sent folder holds the Message-ID the
   mail went out, else it is sent again (the server never saw it, or cannot tell us);
3. for each message not yet handled (by UIDVALIDITY + UID, then by Message-ID + content hash):
   fetch with BODY.PEEK[] (nothing is marked read), run the pure pipeline inside its own guard,
   then in ONE transaction queue the rendered drafts and record the message's outcome;
   only after that commit is the message flagged (or moved) on the server. A kill before the
   commit means the message is processed again (same drafts, same dedupe keys: nothing doubles);
   a kill after it means the flag is set on the next run;
4. send what is due: claim a row (pending -> sending, committed), send, record the result.

A message that cannot be parsed, or fails ``max_attempts`` times, is moved to the quarantine
folder with its reason logged; a message that is not for us (auto-reply, unauthorised sender)
is recorded as skipped and flagged. Neither stops the batch.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import fcntl
import hashlib
import logging
import os
import re
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment

from . import drafts as drafting
from .config import Config
from .errors import BadMessage, PermanentFailure, TemporaryFailure, TransportError
from .imap import Mailbox
from .letters import read_letter
from .meetings import understand
from .model import Address, Draft, Letter, Meeting, Plan
from .notes import read_note
from .plans import plan
from .policy import recipients, screen
from .smtp import send_drafts
from .store import MessageKey, Store

log = logging.getLogger("mailflow.runner")

Clock = Callable[[], dt.datetime]


@dataclass(slots=True)
class PollReport:
    """What one pass did (mutable while the pass runs; printed at the end)."""

    seen: int = 0
    handled: int = 0
    skipped: int = 0
    quarantined: int = 0
    failed: int = 0
    queued: int = 0
    sent: int = 0
    send_failed: int = 0
    deferred: int = 0
    busy: bool = False
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        if self.busy:
            return "another mailflow poll is running; nothing done"
        parts = [
            f"{self.seen} new",
            f"{self.handled} handled",
            f"{self.skipped} skipped",
            f"{self.quarantined} quarantined",
            f"{self.queued} queued",
            f"{self.sent} sent",
        ]
        if self.deferred:
            parts.append(f"{self.deferred} deferred")
        if self.send_failed:
            parts.append(f"{self.send_failed} failed to send")
        if self.failed:
            parts.append(f"{self.failed} to retry")
        out = "poll: " + ", ".join(parts)
        if self.errors:
            out += "\n" + "\n".join(f"error: {e}" for e in self.errors)
        return out


# --- test seam: kill the process at a named side-effect point ---------------------------------

_CRASH = os.environ.get("MAILFLOW_CRASHPOINT", "")
_crash_counts: dict[str, int] = {}


def crashpoint(name: str) -> None:
    """SIGKILL ourselves at the N-th pass through ``name`` when MAILFLOW_CRASHPOINT=name:N.

    Used by the crash-point tests to prove that a kill at every side-effect point loses and
    duplicates nothing. Costs one string comparison when the variable is unset.
    """
    if not _CRASH:
        return
    want, _, nth = _CRASH.partition(":")
    if want != name:
        return
    _crash_counts[name] = _crash_counts.get(name, 0) + 1
    if _crash_counts[name] == int(nth or 1):
        os.kill(os.getpid(), signal.SIGKILL)


TEXT_PART_BYTES = 2 * 1024 * 1024

CRASHPOINTS = (
    "after-lock",
    "after-fetch",
    "before-commit",
    "after-commit",
    "after-mark",
    "after-claim",
    "after-send",
    "after-record-sent",
)


@contextmanager
def poll_lock(path: Path) -> Iterator[bool]:
    """An exclusive, non-blocking lock file: yields False when another poll holds it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield True
    finally:
        os.close(fd)


def _content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _message_id(data: bytes) -> str | None:
    head = data[:65536].split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    m = re.search(rb"(?im)^message-id:[ \t]*(<[^>\r\n]{1,250}>)", head)
    return m.group(1).decode("ascii", "replace") if m else None


def _thread_root(letter: Letter) -> str | None:
    h = letter.headers
    return (h.references[0] if h.references else None) or h.in_reply_to or h.message_id


def _stamp_date(data: bytes, now: dt.datetime) -> bytes:
    """Set the Date header to the actual sending time (scheduled mail is rendered earlier)."""
    value = email.utils.format_datetime(now.astimezone(dt.UTC)).encode()
    head, sep, body = data.partition(b"\r\n\r\n")
    new, n = re.subn(rb"(?im)^Date:[^\r\n]*(\r\n[ \t][^\r\n]*)*", b"Date: " + value, head, count=1)
    return (new if n else b"Date: " + value + b"\r\n" + head) + sep + body


@dataclass(frozen=True, slots=True, kw_only=True)
class Response:
    """What mailflow would do about one message: skip it (with the reason) or send these."""

    skipped: str | None
    meeting: Meeting | None
    dropped: tuple[str, ...]
    items: tuple[tuple[Plan, Draft], ...]


def respond(letter: Letter, cfg: Config, *, now: dt.datetime, env: Environment,
            thread_count: int, sent_today: int) -> Response:
    """screen -> understand -> recipients -> plan -> render: no I/O, used by poll and preview."""
    verdict = screen(
        letter,
        authorised=cfg.policy.authorised,
        # loop guard: mailflow's own address only; the mailbox owner may trigger mail
        self_addrs=(cfg.address,),
        auth_serv_id=cfg.policy.auth_serv_id,
        thread_count=thread_count,
        max_thread_messages=cfg.policy.max_thread_messages,
    )
    if not verdict.ok:
        return Response(skipped=f"{verdict.rule}: {verdict.reason}", meeting=None, dropped=(), items=())
    meeting = understand(
        read_note(letter),
        now=now,
        people=cfg.people,
        self_addrs=cfg.self_addrs,
        default_zone=cfg.default_zone,
        date_order=cfg.date_order,
    )
    parties, dropped = recipients(
        meeting,
        authorised=cfg.policy.authorised,
        self_addrs=cfg.self_addrs,
        max_recipients=cfg.policy.max_recipients,
        sent_today=sent_today,
        max_per_day=cfg.policy.max_per_day,
    )
    if meeting.kind == "none":
        return Response(skipped="no meeting, notes or times found", meeting=meeting,
                        dropped=tuple(dropped), items=())
    if not parties:
        return Response(skipped="no party may be written to", meeting=meeting,
                        dropped=tuple(dropped), items=())
    sender = Address(name=cfg.name, addr=cfg.address)
    plans = plan(meeting, now=now, schedule=cfg.schedule, parties=parties, sender=cfg.address)
    items = tuple(
        (p, drafting.render(p, meeting, env=env, sender=sender, now=max(p.due, now))) for p in plans
    )
    return Response(skipped=None, meeting=meeting, dropped=tuple(dropped), items=items)


class Poller:
    """Carries the config, store and clock through one pass."""

    def __init__(self, config: Config, store: Store, clock: Clock, *,
                 should_stop: Callable[[], bool] = lambda: False,
                 progress: Callable[[int, int, int], None] | None = None) -> None:
        self.config = config
        self.store = store
        self.clock = clock
        self.should_stop = should_stop  # checked between messages: `mailflow watch` on SIGTERM
        self.progress = progress  # (done, total, uid) after each message: the terminal's progress line
        self.report = PollReport()
        self.env = drafting.make_environment(config.templates_dir)

    @property
    def account(self) -> str:
        imap = self.config.imap
        assert imap is not None
        return f"{imap.user}@{imap.host}:{imap.port}"

    # --- reading ---------------------------------------------------------------------------

    def read_new(self, mb: Mailbox) -> None:
        imap = self.config.imap
        assert imap is not None
        validity = mb.uidvalidity
        uids = mb.unhandled_uids()
        done = self.store.done_keys(self.account, imap.folder, validity, among=uids)
        for n, uid in enumerate(uids, 1):
            if self.should_stop():
                log.info("stop requested: %d message(s) left for the next pass", len(uids) - n + 1)
                return
            key = MessageKey(account=self.account, folder=imap.folder, uidvalidity=validity, uid=uid)
            if uid in done:
                # recorded, but the flag/move did not happen (killed in between): finish it
                row = self.store.message(key)
                self._finish_on_server(mb, uid, row.state if row else "handled")
                continue
            self.report.seen += 1
            self.handle(mb, key)
            if self.progress is not None:
                self.progress(n, len(uids), uid)

    def _finish_on_server(self, mb: Mailbox, uid: int, state: str) -> None:
        if state == "quarantined":
            mb.quarantine(uid)
        else:
            mb.mark_handled(uid)
        crashpoint("after-mark")

    def handle(self, mb: Mailbox, key: MessageKey) -> None:
        now = self.clock()
        # only the header, text, calendar and forwarded-message parts cross the wire: a 25 MB
        # attachment is never downloaded (its MIME header stays, so the structure is kept)
        data = mb.fetch_text_parts(key.uid, max_part_bytes=TEXT_PART_BYTES)
        crashpoint("after-fetch")
        if data is None:
            log.warning("uid=%s vanished before it could be fetched", key.uid)
            return
        digest = _content_hash(data)
        mid = _message_id(data)
        earlier = self.store.seen_content(mid, digest)
        if earlier is not None:
            # the same message under a new UID (UIDVALIDITY reset, or moved back): never redo it
            log.info("uid=%s %s already %s under another UID; not processed again", key.uid, mid, earlier)
            with self.store.transaction() as db:
                self.store.record_message(db, key, message_id=mid, content_hash=digest,
                                          state=earlier, reason="seen before", now=now)
            self._finish_on_server(mb, key.uid, earlier)
            return
        try:
            outcome = self.process(data, key, now, mid, digest)
        except BadMessage as exc:
            self._quarantine(mb, key, mid, digest, f"cannot parse: {exc}", now)
            return
        except TransportError:
            raise
        except Exception as exc:  # our own bug on this message: retry, then quarantine
            log.exception("uid=%s message %s: processing failed", key.uid, mid)
            with self.store.transaction() as db:
                attempts = self.store.record_message(
                    db, key, message_id=mid, content_hash=digest, state="failed",
                    reason=f"{type(exc).__name__}: {exc}", now=now, attempt=True)
            if attempts >= self.config.policy.max_attempts:
                self._quarantine(mb, key, mid, digest, f"failed {attempts} times: {type(exc).__name__}: {exc}", now)
            else:
                self.report.failed += 1
            return
        state = outcome
        self._finish_on_server(mb, key.uid, state)

    def _quarantine(self, mb: Mailbox, key: MessageKey, mid: str | None, digest: str, reason: str,
                    now: dt.datetime) -> None:
        log.warning("uid=%s message %s quarantined: %s", key.uid, mid, reason)
        with self.store.transaction() as db:
            self.store.record_message(db, key, message_id=mid, content_hash=digest,
                                      state="quarantined", reason=reason, now=now)
        self.report.quarantined += 1
        mb.quarantine(key.uid)
        crashpoint("after-mark")

    def process(self, data: bytes, key: MessageKey, now: dt.datetime, mid: str | None, digest: str) -> str:
        """The pure pipeline, then one transaction: drafts queued + message recorded."""
        letter = read_letter(data, limits=self.config.limits)
        root = _thread_root(letter)
        response = respond(
            letter, self.config, now=now, env=self.env,
            thread_count=self.store.thread_count(root),
            sent_today=self.store.sent_since(now - dt.timedelta(days=1)),
        )
        for why in response.dropped:
            log.info("uid=%s recipient dropped: %s", key.uid, why)
        state, reason = ("skipped", response.skipped) if response.skipped else ("handled", None)
        meeting = response.meeting
        cancel_for: list[tuple[str, tuple[str, ...]]] = []
        if meeting is not None and meeting.kind == "cancellation":
            cancel_for.append((meeting.meeting_uid, ()))
        elif meeting is not None and meeting.kind in ("proposal", "confirmation"):
            cancel_for.append((meeting.meeting_uid, tuple(d.dedupe_key for _, d in response.items)))
        crashpoint("before-commit")
        queued = 0
        with self.store.transaction() as db:
            for uid_, keep in cancel_for:
                n = self.store.cancel_pending(db, uid_, ("reminder", "agenda_request", "confirmation"), keep)
                if n:
                    log.info("uid=%s withdrew %d scheduled mail(s) of meeting %s", key.uid, n, uid_)
            for p, draft in response.items:
                queued += self.store.queue(db, draft, kind=p.kind, meeting_uid=p.meeting_uid, due=p.due,
                                           now=now, thread_root=root, source=f"{key.uid}:{mid}")
            self.store.record_message(db, key, message_id=mid, content_hash=digest, state=state,
                                      reason=reason, now=now, thread_root=root)
        crashpoint("after-commit")
        self.report.queued += queued
        if state == "handled":
            self.report.handled += 1
            log.info("uid=%s message %s handled: %d mail(s) queued", key.uid, mid, queued)
        else:
            self.report.skipped += 1
            log.info("uid=%s message %s skipped: %s", key.uid, mid, reason)
        return state

    # --- sending ---------------------------------------------------------------------------

    def settle_interrupted(self, mb: Mailbox | None) -> None:
        """Rows left in 'sending' by a killed run: sent if the Sent folder has them, else retry."""
        for row in self.store.interrupted():
            imap = self.config.imap
            found = False
            if mb is not None and imap is not None and imap.sent_folder:
                try:
                    found = mb.find_message_id(imap.sent_folder, row.message_id)
                except TransportError as exc:
                    log.warning("cannot search %s for %s: %s; will retry later",
                                imap.sent_folder, row.message_id, exc)
                    continue
            now = self.clock()
            if found:
                log.info("%s (%s) was sent before an interruption; recorded", row.message_id, row.kind)
                self.store.finish(row.id, state="sent", now=now)
            else:
                log.info("%s (%s) interrupted before it was confirmed; will send", row.message_id, row.kind)
                self.store.finish(row.id, state="pending", now=now, error="interrupted")

    def send_due(self, mb: Mailbox | None) -> None:
        smtp = self.config.smtp
        if smtp is None:
            return
        now = self.clock()
        budget = min(
            smtp.per_minute - self.store.sent_count_since(now - dt.timedelta(minutes=1)),
            smtp.per_day - self.store.sent_count_since(now - dt.timedelta(days=1)),
        )
        if budget <= 0:
            waiting = len(self.store.due(now, limit=1))
            if waiting:
                log.warning("sending limit reached (smtp.per_minute=%d, smtp.per_day=%d); "
                            "due mail waits for the next poll", smtp.per_minute, smtp.per_day)
                self.report.deferred += waiting
            return
        rows = self.store.due(now, limit=budget)
        claimed = [r for r in rows if self.store.claim(r.id)]
        crashpoint("after-claim")
        if not claimed:
            return
        drafts = [
            Draft(dedupe_key=r.dedupe_key, message_id=r.message_id, sender=r.sender,
                  recipients=r.recipients, subject=r.subject, data=_stamp_date(r.data, now))
            for r in claimed
        ]
        by_key = {r.dedupe_key: r for r in claimed}
        try:
            results = send_drafts(drafts, smtp)
        except TransportError as exc:
            results = []
            log.warning("SMTP unavailable: %s; %d mail(s) stay queued", exc, len(claimed))
            for r in claimed:
                self._retry_later(r, str(exc), now)
            return
        crashpoint("after-send")
        for res in results:
            row = by_key[res.dedupe_key]
            if res.status == "sent":
                self.store.finish(row.id, state="sent", now=self.clock())
                self.report.sent += 1
                log.info("sent %s %s to %s", row.kind, row.message_id, ", ".join(row.recipients))
                if mb is not None and self.config.imap and self.config.imap.save_sent and self.config.imap.sent_folder:
                    try:
                        mb.append(self.config.imap.sent_folder, drafts[claimed.index(row)].data, flags=(r"\Seen",))
                    except TransportError as exc:
                        log.warning("could not save %s to %s: %s", row.message_id, self.config.imap.sent_folder, exc)
                crashpoint("after-record-sent")
            elif res.status == "permanent":
                self.store.finish(row.id, state="failed", now=now, error=res.detail)
                self.report.send_failed += 1
                log.error("send of %s %s failed permanently: %s", row.kind, row.message_id, res.detail)
            elif res.status == "ambiguous":
                # left in 'sending': the next run checks the Sent folder before any retry
                log.warning("send of %s %s is unconfirmed (%s); checking Sent next run",
                            row.kind, row.message_id, res.detail)
                self.report.deferred += 1
            else:
                self._retry_later(row, res.detail, now)
        for r in claimed:
            if r.dedupe_key not in {res.dedupe_key for res in results}:
                self._retry_later(r, "not attempted", now)

    def _retry_later(self, row: object, error: str, now: dt.datetime) -> None:
        from .store import OutboxRow

        assert isinstance(row, OutboxRow)
        smtp = self.config.smtp
        limit = smtp.retry_limit if smtp else 8
        if row.attempts >= limit:
            self.store.finish(row.id, state="failed", now=now, error=f"gave up after {row.attempts} tries: {error}")
            self.report.send_failed += 1
            log.error("send of %s %s failed %d times; giving up: %s", row.kind, row.message_id, row.attempts, error)
            return
        backoff = dt.timedelta(seconds=min(3600, 30 * 2 ** max(0, row.attempts - 1)))
        self.store.finish(row.id, state="pending", now=now, error=error, next_try=now + backoff)
        self.report.deferred += 1
        log.warning("send of %s %s deferred %s: %s", row.kind, row.message_id, backoff, error)


def poll_once(config: Config, *, now: Clock, should_stop: Callable[[], bool] = lambda: False,
              progress: Callable[[int, int, int], None] | None = None) -> PollReport:
    """One cron-friendly pass. Never raises for a bad message; transport trouble is reported."""
    if config.imap is None:
        report = PollReport()
        report.errors.append("no [imap] section in the configuration: nothing to poll")
        return report
    with poll_lock(config.lock_path) as got:
        if not got:
            report = PollReport(busy=True)
            log.info("another poll holds %s; exiting", config.lock_path)
            return report
        crashpoint("after-lock")
        with Store(config.store_path) as store:
            poller = Poller(config, store, now, should_stop=should_stop, progress=progress)
            try:
                with Mailbox(config.imap) as mb:
                    poller.settle_interrupted(mb)
                    poller.read_new(mb)
                    if not should_stop():  # stopping: due mail waits for the next pass
                        poller.send_due(mb)
            except TemporaryFailure as exc:
                poller.report.errors.append(f"IMAP: {exc}")
                log.error("IMAP: %s", exc)
            except PermanentFailure as exc:
                poller.report.errors.append(str(exc))
                log.error("%s", exc)
            return poller.report
