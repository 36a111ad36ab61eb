"""`mailflow watch`: the loop in-process with a scripted poll and IDLE box, then the real thing
as a subprocess against Dovecot through a cutting proxy (handled within seconds, reconnects
after a drop, SIGTERM exits 0 with an intact store)."""

from __future__ import annotations

import os
import queue
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from mailflow.config import parse_config
from mailflow.errors import TemporaryFailure
from mailflow.watch import Watcher, backoff

ROOT = Path(__file__).resolve().parent.parent


def config(tmp_path: Path, **imap: Any) -> Any:
    table = {"host": "127.0.0.1", "user": "u", "password": "p", "security": "plain",
             "idle_timeout": "5s", "full_poll_every": "30s", **imap}
    return parse_config({"account": {"address": "bot@example.org"}, "imap": table,
                         "store": {"path": str(tmp_path / "s.sqlite3")}}, tmp_path / "c.toml")


@dataclass
class Report:
    ok: bool = True
    busy: bool = False
    seen: int = 0
    sent: int = 0

    def summary(self) -> str:
        return "poll: scripted"


@dataclass
class ScriptedPoll:
    """Records when it ran; fails while `failing` is set."""

    times: list[float] = field(default_factory=list)
    failing: bool = False
    on_call: Callable[[], None] | None = None

    def __call__(self, config: Any, *, now: Any, should_stop: Any = None) -> Report:
        self.times.append(time.monotonic())
        assert now().tzinfo is not None
        if self.on_call:
            self.on_call()
        if self.failing:
            raise TemporaryFailure("IMAP down")
        return Report()


class IdleBox:
    """A stand-in IDLE connection: the test pushes 'news', 'drop' or 'quiet' events."""

    events: queue.Queue[str] = queue.Queue()
    connects = 0
    refuse = False

    def __init__(self, settings: Any) -> None:
        self.settings = settings

    def __enter__(self) -> IdleBox:
        if IdleBox.refuse:
            raise TemporaryFailure("connection refused")
        IdleBox.connects += 1
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    capabilities = ("IMAP4REV1", "IDLE")

    def idle_wait(self, timeout: float) -> bool:
        try:
            event = IdleBox.events.get(timeout=min(timeout, 0.2))
        except queue.Empty:
            return False
        if event == "drop":
            raise TemporaryFailure("connection closed during IDLE")
        return event == "news"


@pytest.fixture
def box() -> type[IdleBox]:
    IdleBox.events = queue.Queue()
    IdleBox.connects = 0
    IdleBox.refuse = False
    return IdleBox


def run_in_thread(w: Watcher) -> tuple[threading.Thread, list[int]]:
    result: list[int] = []
    t = threading.Thread(target=lambda: result.append(w.run()), daemon=True)
    t.start()
    return t, result


def wait_until(cond: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.02)
    return cond()


def test_backoff_doubles_and_is_capped() -> None:
    assert [backoff(n, base=1, cap=10) for n in range(6)] == [0, 1, 2, 4, 8, 10]
    assert backoff(500, base=2, cap=300) == 300


def test_polls_at_start_and_when_idle_reports_news(tmp_path: Path, box: type[IdleBox]) -> None:
    poll = ScriptedPoll()
    w = Watcher(config(tmp_path), poll=poll, mailbox=box)
    t, result = run_in_thread(w)
    assert wait_until(lambda: len(poll.times) == 1)
    time.sleep(0.3)
    assert len(poll.times) == 1  # quiet IDLE, 30 s full-poll period: no second poll yet
    box.events.put("news")
    assert wait_until(lambda: len(poll.times) == 2, 2.0)
    w.request_stop()
    t.join(5)
    assert not t.is_alive() and result == [0]


def test_reconnects_after_a_drop_and_polls_again(tmp_path: Path, box: type[IdleBox]) -> None:
    poll = ScriptedPoll()
    w = Watcher(config(tmp_path), poll=poll, mailbox=box, backoff_base=0.05)
    t, _ = run_in_thread(w)
    assert wait_until(lambda: box.connects == 1 and len(poll.times) == 1)
    box.refuse = True
    box.events.put("drop")
    time.sleep(0.4)  # several refused reconnects, backing off
    box.refuse = False
    assert wait_until(lambda: box.connects == 2)
    assert wait_until(lambda: len(poll.times) == 2, 2.0)  # mail may have come while it was down
    w.request_stop()
    t.join(5)
    assert not t.is_alive()


def test_failed_polls_back_off_then_recover(tmp_path: Path, box: type[IdleBox]) -> None:
    poll = ScriptedPoll(failing=True)
    w = Watcher(config(tmp_path), poll=poll, mailbox=box, backoff_base=0.1, backoff_cap=0.4)
    t, _ = run_in_thread(w)
    assert wait_until(lambda: len(poll.times) >= 5, 5.0)
    gaps = [b - a for a, b in zip(poll.times, poll.times[1:], strict=False)]
    assert gaps[0] >= 0.09 and gaps[1] >= 0.19 and all(g < 1.0 for g in gaps)
    poll.failing = False
    n = len(poll.times)
    assert wait_until(lambda: len(poll.times) == n + 1, 2.0)
    time.sleep(0.6)
    assert len(poll.times) == n + 1  # healthy again: back to the 30 s period
    w.request_stop()
    t.join(5)
    assert not t.is_alive()


def test_stop_during_a_poll_finishes_it_and_passes_the_flag(tmp_path: Path, box: type[IdleBox]) -> None:
    seen: list[bool] = []
    w: Watcher

    def during() -> None:
        w.request_stop()  # as if SIGTERM arrived mid-pass
        seen.append(w._poll_kwargs["should_stop"]())

    poll = ScriptedPoll(on_call=during)
    w = Watcher(config(tmp_path), poll=poll, mailbox=box)
    t, result = run_in_thread(w)
    t.join(5)
    assert result == [0] and seen == [True] and len(poll.times) == 1


def test_no_idle_capability_means_timer_polls_only(tmp_path: Path, box: type[IdleBox],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(box, "capabilities", ("IMAP4REV1",))
    poll = ScriptedPoll()
    w = Watcher(config(tmp_path, full_poll_every="1s"), poll=poll, mailbox=box)
    t, _ = run_in_thread(w)
    assert wait_until(lambda: len(poll.times) >= 2, 3.0)
    assert w._idle_thread is not None and wait_until(lambda: not w._idle_thread.is_alive(), 1.0)
    w.request_stop()
    t.join(5)
    assert not t.is_alive()


# --- the real thing ------------------------------------------------------------------------------------

sys.path.insert(0, str(Path(__file__).parent))


def note(n: int, sender: str) -> bytes:
    return (
        f"From: Ada <{sender}>\r\nTo: bot <bot@example.test>\r\nSubject: Notes {n}\r\n"
        f"Date: Tue, 24 Mar 2026 17:20:00 +0000\r\nMessage-ID: <watch-{n}-{os.getpid()}@example.test>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "Agreed:\r\n- Ship the pilot in April\r\n\r\nAction items:\r\n- Ada will send the plan by Friday\r\n"
    ).encode()


def flagged(user: Any, uid: int) -> bool:
    return any(m.uid == uid and "$MailflowHandled" in m.flags for m in user.messages())


def test_watch_subprocess_handles_reconnects_and_stops_cleanly(tmp_path: Path, dovecot: Any, mail_user: Any,
                                                               smtp_server: Any, proxy: Any) -> None:
    import servers

    cfg = servers.write_config(tmp_path, dovecot=dovecot, smtp=smtp_server, user=mail_user.address,
                               password=mail_user.password, imap__port=proxy.port, imap__timeout=5,
                               imap__idle_timeout="3s", imap__full_poll_every="60s")
    log = (tmp_path / "watch.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "mailflow.cli", "--config", str(cfg), "-v", "watch"],
                            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        uid1 = mail_user.append(note(1, mail_user.address))
        assert wait_until(lambda: flagged(mail_user, uid1), 15), (tmp_path / "watch.log").read_text()
        time.sleep(1.0)  # the first pass is over; from now on only IDLE can explain a quick pickup
        uid2 = mail_user.append(note(2, mail_user.address))
        started = time.monotonic()
        assert wait_until(lambda: flagged(mail_user, uid2), 10), (tmp_path / "watch.log").read_text()
        assert time.monotonic() - started < 8  # far below the 60 s full-poll period
        before = proxy.connections
        proxy.drop()  # cut every IMAP connection (IDLE included)
        assert wait_until(lambda: proxy.connections > before, 10), "no reconnect"
        uid3 = mail_user.append(note(3, mail_user.address))
        assert wait_until(lambda: flagged(mail_user, uid3), 15), (tmp_path / "watch.log").read_text()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
        log.close()
    text = (tmp_path / "watch.log").read_text()
    assert "IDLE connection lost" in text and "stopped after" in text
    db = sqlite3.connect(tmp_path / "mailflow.sqlite3")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # the watcher's own address as the sender: screened out as a loop, deterministically, so this
    # test is about the watch machinery (the understanding pipeline is test_ops_smoke's business)
    uids = {r[0] for r in db.execute("SELECT uid FROM messages WHERE state = 'skipped'")}
    assert uids == {uid1, uid2, uid3}
    db.close()


def test_sigterm_during_a_pass_leaves_no_half_done_work(tmp_path: Path, dovecot: Any, mail_user: Any,
                                                       smtp_server: Any) -> None:
    import servers

    cfg = servers.write_config(tmp_path, dovecot=dovecot, smtp=smtp_server, user=mail_user.address,
                               password=mail_user.password, imap__idle_timeout="3s",
                               imap__full_poll_every="60s")
    uids = [mail_user.append(note(100 + i, "ada@example.test")) for i in range(30)]
    proc = subprocess.Popen([sys.executable, "-m", "mailflow.cli", "--config", str(cfg), "watch"],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        db_path = tmp_path / "mailflow.sqlite3"

        def started() -> bool:
            if not db_path.exists():
                return False
            db = sqlite3.connect(db_path, timeout=5)
            try:
                return bool(db.execute("SELECT count(*) FROM messages").fetchone()[0])
            except sqlite3.OperationalError:
                return False
            finally:
                db.close()

        assert wait_until(started, 20)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
    stderr = proc.stderr.read().decode() if proc.stderr else ""
    db = sqlite3.connect(tmp_path / "mailflow.sqlite3")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    rows = dict(db.execute("SELECT uid, state FROM messages").fetchall())
    assert db.execute("SELECT count(*) FROM outbox WHERE state = 'sending'").fetchone()[0] == 0
    db.close()
    assert rows and set(rows) <= set(uids), stderr
    done = {uid for uid, state in rows.items() if state in ("handled", "skipped")}
    flagged_uids = {m.uid for m in mail_user.messages() if "$MailflowHandled" in m.flags}
    assert done == flagged_uids, stderr  # recorded as done <=> flagged: nothing half done


def test_next_send_time_honours_retry_backoff(tmp_path: Path, box: type[IdleBox]) -> None:
    import datetime as dt

    from mailflow.model import Draft
    from mailflow.store import Store

    now = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    cfg = config(tmp_path)
    w = Watcher(cfg, poll=ScriptedPoll(), mailbox=box, clock=lambda: now)
    assert w._seconds_to_next_send() is None  # no store yet
    with Store(cfg.store_path) as s:
        with s.transaction() as db:
            for key, due in (("a", now - dt.timedelta(minutes=5)), ("b", now + dt.timedelta(hours=2))):
                s.queue(db, Draft(dedupe_key=key, message_id=f"<{key}@x>", sender="bot@example.org",
                                  recipients=("x@example.org",), subject="s", data=b"x"),
                        kind="reminder", meeting_uid="m", due=due, now=now, thread_root=None, source=None)
        row = next(r for r in s.outbox() if r.dedupe_key == "a")
        assert s.claim(row.id)
        s.finish(row.id, state="pending", now=now, error="451", next_try=now + dt.timedelta(minutes=8))
    # the overdue mail waits for its retry (8 min), not a busy poll every second
    assert w._seconds_to_next_send() == pytest.approx(8 * 60 + 1)
