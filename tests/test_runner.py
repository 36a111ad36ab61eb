"""The poll runner against the real servers, in-process with a fake clock: SMTP faults end in the
right state, an ambiguous send is settled through the Sent folder, a UIDVALIDITY reset
re-processes nothing, scheduled mail waits for its time."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
import time
from pathlib import Path

import servers
from test_crash import HANDLED, Scenario, sent_copies  # noqa: F401  (fixture)

from mailflow.config import load_config
from mailflow.runner import poll_once


class Clock:
    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += dt.timedelta(**kw)


START = dt.datetime(2026, 3, 2, 17, 0, tzinfo=dt.UTC)


def outbox(sc: Scenario) -> list[tuple[str, str, int]]:
    db = sqlite3.connect(sc.db)
    try:
        return db.execute("SELECT kind, state, attempts FROM outbox ORDER BY id").fetchall()
    finally:
        db.close()


def recaps(user: servers.MailUser) -> int:
    return sum(1 for m in user.messages() if (m.email["Subject"] or "").startswith("Recap"))


def test_temporary_failures_are_retried_with_backoff(tmp_path: Path, dovecot: servers.Dovecot,
                                                     smtp_server: servers.SmtpServers) -> None:
    sc = Scenario(tmp_path, dovecot, smtp_server, messages=1)
    config = load_config(str(sc.config))
    clock = Clock(START)
    smtp_server.script(["421", "451"])
    first = poll_once(config, now=clock)
    assert first.handled == 1 and first.sent == 0 and first.deferred >= 1
    assert [s for k, s, _ in outbox(sc) if k == "recap"] == ["pending"]
    # not before its back-off has passed
    again = poll_once(config, now=clock)
    assert again.sent == 0 and again.deferred == 0
    # 421 consumed the first try; after its back-off the 451 consumes the second
    clock.advance(minutes=5)
    assert poll_once(config, now=clock).sent == 0
    clock.advance(minutes=30)
    assert poll_once(config, now=clock).sent == 1
    assert [s for k, s, _ in outbox(sc) if k == "recap"] == ["sent"]
    assert recaps(sc.ada) == 1 and recaps(sc.kofi) == 1


def test_permanent_failure_is_recorded_and_never_retried(tmp_path: Path, dovecot: servers.Dovecot,
                                                         smtp_server: servers.SmtpServers) -> None:
    sc = Scenario(tmp_path, dovecot, smtp_server, messages=1)
    config = load_config(str(sc.config))
    clock = Clock(START)
    smtp_server.script(["550"])
    report = poll_once(config, now=clock)
    assert report.send_failed == 1 and report.sent == 0
    transactions = smtp_server.transactions
    for _ in range(3):
        clock.advance(hours=2)
        poll_once(config, now=clock)
    assert smtp_server.transactions == transactions
    rows = [(k, s) for k, s, _ in outbox(sc) if k == "recap"]
    assert rows == [("recap", "failed")]
    assert recaps(sc.ada) == 0


def test_disconnect_after_data_is_settled_by_the_sent_folder(
        tmp_path: Path, dovecot: servers.Dovecot, smtp_server: servers.SmtpServers,
        sent_copies: None) -> None:  # noqa: F811
    sc = Scenario(tmp_path, dovecot, smtp_server, messages=1)
    config = load_config(str(sc.config))
    clock = Clock(START)
    smtp_server.script(["drop"])  # delivered, then the connection dies before the reply
    report = poll_once(config, now=clock)
    assert report.sent == 0 and report.deferred == 1
    assert [s for k, s, _ in outbox(sc) if k == "recap"] == ["sending"]
    clock.advance(minutes=1)
    poll_once(config, now=clock)
    assert [s for k, s, _ in outbox(sc) if k == "recap"] == ["sent"]
    assert recaps(sc.ada) == 1 and recaps(sc.kofi) == 1  # delivered once, not resent


def test_lost_after_data_without_delivery_is_sent_again(
        tmp_path: Path, dovecot: servers.Dovecot, smtp_server: servers.SmtpServers,
        sent_copies: None) -> None:  # noqa: F811
    sc = Scenario(tmp_path, dovecot, smtp_server, messages=1)
    config = load_config(str(sc.config))
    clock = Clock(START)
    smtp_server.script(["lose"])  # connection dies after the final dot, nothing delivered
    poll_once(config, now=clock)
    clock.advance(minutes=1)
    poll_once(config, now=clock)
    assert [s for k, s, _ in outbox(sc) if k == "recap"] == ["sent"]
    assert recaps(sc.ada) == 1 and recaps(sc.kofi) == 1


def test_slow_server_beyond_the_timeout_is_bounded(tmp_path: Path, dovecot: servers.Dovecot,
                                                   smtp_server: servers.SmtpServers) -> None:
    sc = Scenario(tmp_path, dovecot, smtp_server, messages=1)
    text = sc.config.read_text().replace("timeout = 10", "timeout = 2")
    sc.config.write_text(text)
    config = load_config(str(sc.config))
    smtp_server.script(["mail:slow=6"])
    started = time.monotonic()
    report = poll_once(config, now=Clock(START))
    assert time.monotonic() - started < 30
    assert report.sent == 0 and report.deferred >= 1
    assert [s for k, s, _ in outbox(sc) if k == "recap"] == ["pending"]


def test_uidvalidity_reset_reprocesses_nothing(tmp_path: Path, dovecot: servers.Dovecot,
                                               smtp_server: servers.SmtpServers) -> None:
    sc = Scenario(tmp_path, dovecot, smtp_server, messages=2)
    text = sc.config.read_text().replace('folder = "INBOX"', 'folder = "Notes"')
    sc.config.write_text(text)
    config = load_config(str(sc.config))
    client = sc.bot.client()
    try:
        client.create_folder("Notes")
        client.select_folder("INBOX")
        client.copy(client.search(["ALL"]), "Notes")
        old_validity = client.folder_status("Notes", ["UIDVALIDITY"])[b"UIDVALIDITY"]
    finally:
        client.logout()
    clock = Clock(START)
    assert poll_once(config, now=clock).handled == 2
    sent = len(smtp_server.messages)

    # the server renumbers the folder: a new UIDVALIDITY, the same mail without our flags
    time.sleep(1.1)  # Dovecot derives UIDVALIDITY from the clock
    client = sc.bot.client()
    try:
        client.rename_folder("Notes", "Old")
        client.create_folder("Notes")
        client.select_folder("INBOX")
        client.copy(client.search(["ALL"]), "Notes")
        assert client.folder_status("Notes", ["UIDVALIDITY"])[b"UIDVALIDITY"] != old_validity
    finally:
        client.logout()
    clock.advance(minutes=5)
    report = poll_once(config, now=clock)
    assert report.handled == 0 and report.queued == 0 and report.sent == 0
    assert len(smtp_server.messages) == sent
    client = sc.bot.client()
    try:
        client.select_folder("Notes")
        flags = client.get_flags(client.search(["ALL"]))
        assert all(HANDLED.encode() in f for f in flags.values()), flags
    finally:
        client.logout()


def test_scheduled_followup_goes_out_at_the_first_poll_after_its_time(
        tmp_path: Path, dovecot: servers.Dovecot, smtp_server: servers.SmtpServers) -> None:
    sc = Scenario(tmp_path, dovecot, smtp_server, messages=0)
    from email.message import EmailMessage

    msg = EmailMessage()
    msg["From"] = f"Ada <{sc.ada.address}>"
    msg["To"] = sc.bot.address
    msg["Cc"] = f"Kofi <{sc.kofi.address}>"
    msg["Subject"] = "Notes"
    msg["Date"] = "Mon, 02 Mar 2026 16:00:00 +0000"
    msg["Message-ID"] = "<sched@example.test>"
    msg.set_content("Action items:\n- Kofi will send the budget by Thursday\n")
    sc.bot.append(bytes(msg))
    config = load_config(str(sc.config))
    clock = Clock(START)
    poll_once(config, now=clock)
    assert recaps(sc.kofi) == 1
    followups = lambda: [m for m in sc.kofi.messages() if (m.email["Subject"] or "").startswith("Follow")]  # noqa: E731
    # due Thursday 5 March 09:00 in Kofi's zone (Lagos, UTC+1) = 08:00 UTC
    while clock.now < dt.datetime(2026, 3, 5, 7, 50, tzinfo=dt.UTC):
        clock.advance(hours=6)
        poll_once(config, now=clock)
        if clock.now < dt.datetime(2026, 3, 5, 8, 0, tzinfo=dt.UTC):
            assert followups() == []
    clock.now = dt.datetime(2026, 3, 5, 8, 5, tzinfo=dt.UTC)
    poll_once(config, now=clock)
    poll_once(config, now=clock)
    got = followups()
    assert len(got) == 1
    assert got[0].email["In-Reply-To"]  # threaded under the recap


def test_provider_sending_limits_are_respected(tmp_path: Path, dovecot: servers.Dovecot,
                                               smtp_server: servers.SmtpServers) -> None:
    sc = Scenario(tmp_path, dovecot, smtp_server, messages=3)
    text = re.sub(r"(?m)^per_minute = .*$", "per_minute = 1", sc.config.read_text())
    sc.config.write_text(re.sub(r"(?m)^per_day = .*$", "per_day = 2", text))
    config = load_config(str(sc.config))
    clock = Clock(START)
    assert poll_once(config, now=clock).sent == 1
    assert poll_once(config, now=clock).sent == 0  # same minute
    clock.advance(seconds=61)
    assert poll_once(config, now=clock).sent == 1
    clock.advance(seconds=61)
    assert poll_once(config, now=clock).sent == 0  # two a day
    clock.advance(days=1)
    assert poll_once(config, now=clock).sent == 1
    assert [s for k, s, _ in outbox(sc) if k == "recap"] == ["sent"] * 3


def test_a_message_failing_every_time_is_quarantined_after_max_attempts(
        tmp_path: Path, dovecot: servers.Dovecot, smtp_server: servers.SmtpServers) -> None:
    sc = Scenario(tmp_path, dovecot, smtp_server, messages=1)
    broken = tmp_path / "templates"
    broken.mkdir()
    (broken / "recap.md.j2").write_text("{{ no_such_variable }}\n")  # StrictUndefined: fails
    sc.config.write_text(sc.config.read_text() + f'\n[templates]\ndir = "{broken}"\n')
    config = load_config(str(sc.config))
    clock = Clock(START)
    reports = [poll_once(config, now=clock) for _ in range(config.policy.max_attempts)]
    assert [r.failed for r in reports[:-1]] == [1] * (config.policy.max_attempts - 1)
    assert reports[-1].quarantined == 1
    assert len(sc.bot.messages("Quarantine")) == 1 and sc.bot.messages() == []
    assert smtp_server.messages == []
    db = sqlite3.connect(sc.db)
    state, reason = db.execute("SELECT state, reason FROM messages").fetchone()
    assert state == "quarantined" and "failed 3 times" in reason and "no_such_variable" in reason
