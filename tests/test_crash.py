"""Never lose, never duplicate: `mailflow poll` killed (SIGKILL) at every side-effect point and at
hundreds of random instants, and two polls started together.

The SMTP test server files a copy of what each local user submits in that user's Sent folder, as
Gmail, Microsoft 365 and Fastmail do: that is what lets a restarted run tell "sent, but killed
before it could record it" from "never sent" (see runner.settle_interrupted).
"""

from __future__ import annotations

import collections
import os
import random
import secrets
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
import servers

from mailflow.runner import CRASHPOINTS

HANDLED = "$MailflowHandled"
BATCH = 3  # notes per scenario; each yields one recap to each of the two parties


@pytest.fixture
def sent_copies(smtp_server: servers.SmtpServers) -> Iterator[None]:
    """Make the test SMTP server file submitted mail in the sender's Sent folder."""
    smtp_server.file_sent_copies()
    yield
    smtp_server.file_sent_copies(False)


def note(i: int, forwarder: str, other: str, bot: str, tag: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"Ada Lovelace <{forwarder}>"
    msg["To"] = bot
    msg["Cc"] = f"Kofi Mensah <{other}>"
    msg["Subject"] = f"Call notes {i}"
    msg["Date"] = "Mon, 02 Mar 2026 16:00:00 +0000"
    msg["Message-ID"] = f"<crash-{tag}-{i}@example.test>"
    msg.set_content(
        f"Notes from call {i}.\n\nDecisions:\n- Ship version {i} next week\n\n"
        f"Action items:\n- Kofi to draft the launch post {i}\n"
    )
    return bytes(msg)


class Scenario:
    def __init__(self, tmp: Path, dovecot: servers.Dovecot, smtp: servers.SmtpServers, messages: int = BATCH):
        self.bot = dovecot.new_user("bot")
        self.ada = dovecot.new_user("ada")
        self.kofi = dovecot.new_user("kofi")
        self.tag = secrets.token_hex(4)
        tmp.mkdir(parents=True, exist_ok=True)
        self.config = servers.write_config(
            tmp, dovecot=dovecot, smtp=smtp, user=self.bot.address, password=self.bot.password,
            people=[
                {"name": "Ada Lovelace", "addrs": [self.ada.address], "zone": "Europe/London"},
                {"name": "Kofi Mensah", "addrs": [self.kofi.address], "zone": "Africa/Lagos"},
            ],
            policy__authorised=[self.ada.address],
            policy__max_per_day=100_000,
            smtp__per_minute=100_000,  # these tests send hundreds of recaps a minute
            smtp__per_day=100_000,
        )
        self.db = tmp / "mailflow.sqlite3"
        self.expected: set[str] = set()
        self.add(messages)

    def add(self, count: int) -> None:
        """Append `count` more notes to mailflow's INBOX."""
        for i in range(len(self.expected), len(self.expected) + count):
            self.expected.add(f"<crash-{self.tag}-{i}@example.test>")
            self.bot.append(note(i, self.ada.address, self.kofi.address, self.bot.address, self.tag))

    def command(self) -> list[str]:
        return [sys.executable, "-m", "mailflow.cli", "--config", str(self.config), "poll"]

    def poll(self, crash: str | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        env = dict(os.environ)
        env.pop("MAILFLOW_CRASHPOINT", None)
        if crash:
            env["MAILFLOW_CRASHPOINT"] = crash
        return subprocess.run(self.command(), capture_output=True, text=True, timeout=timeout, env=env,
                              stdin=subprocess.DEVNULL)

    def settle(self) -> None:
        """Uninterrupted polls until nothing is left to do (bounded)."""
        for _ in range(4):
            done = self.poll()
            assert done.returncode == 0, done.stderr[-3000:]
            if "0 new" in done.stdout and " 0 sent" in done.stdout and "deferred" not in done.stdout:
                return
        raise AssertionError(f"still busy after 4 polls: {done.stdout}")

    def check(self) -> dict[str, int]:
        """Every note handled once; each party holds exactly one recap per note."""
        inbox = self.bot.messages()
        assert len(inbox) == len(self.expected), "a source message disappeared"
        assert all(HANDLED in m.flags for m in inbox), [m.flags for m in inbox]
        db = sqlite3.connect(self.db)
        try:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            states = collections.Counter(r[0] for r in db.execute("SELECT state FROM messages"))
            assert states == {"handled": len(self.expected)}, states
        finally:
            db.close()
        duplicates = lost = 0
        for person in (self.ada, self.kofi):
            got = collections.Counter(
                m.email["In-Reply-To"] for m in person.messages() if (m.email["Subject"] or "").startswith("Recap")
            )
            duplicates += sum(n - 1 for n in got.values() if n > 1)
            lost += len(self.expected - set(got))
        return {"duplicates": duplicates, "lost": lost}


@pytest.mark.slow
def test_kill_at_every_side_effect_point(tmp_path: Path, dovecot: servers.Dovecot,
                                         smtp_server: servers.SmtpServers, sent_copies: None) -> None:
    points = [(name, nth) for name in CRASHPOINTS for nth in (1, 2)]
    outcomes = []
    for k, (name, nth) in enumerate(points):
        sc = Scenario(tmp_path / f"p{k}", dovecot, smtp_server)
        killed = sc.poll(crash=f"{name}:{nth}")
        assert killed.returncode in (0, -signal.SIGKILL), killed.stderr[-2000:]
        sc.settle()
        outcomes.append((name, nth, killed.returncode == -signal.SIGKILL, sc.check()))
    reached = sum(1 for o in outcomes if o[2])
    print(f"\ncrash points: {reached}/{len(points)} reached and killed; "
          f"duplicates {sum(o[3]['duplicates'] for o in outcomes)}, lost {sum(o[3]['lost'] for o in outcomes)}")
    assert all(o[3] == {"duplicates": 0, "lost": 0} for o in outcomes), outcomes
    # every named point is reached at least once in a batch of three notes
    assert {o[0] for o in outcomes if o[2]} == set(CRASHPOINTS), outcomes


@pytest.mark.slow
def test_kill_at_random_instants(tmp_path: Path, dovecot: servers.Dovecot,
                                 smtp_server: servers.SmtpServers, sent_copies: None) -> None:
    """A stream of notes: before each run two more arrive, and the run is SIGKILLed at a random
    instant within the time a pass over them takes, so kills land in every phase (start-up,
    reading, committing, flagging, sending, recording)."""
    rng = random.Random(int(os.environ.get("MAILFLOW_CRASH_SEED", "20261125")))
    kills = rounds = 0
    totals = {"duplicates": 0, "lost": 0}
    batches = 4
    for b in range(batches):
        sc = Scenario(tmp_path / f"r{b}", dovecot, smtp_server, messages=2)
        started = time.monotonic()
        assert sc.poll().returncode == 0
        span = max(0.4, time.monotonic() - started)  # one pass over two new notes, here and now
        while kills < 50 * (b + 1) and rounds < 600:  # bounded
            rounds += 1
            sc.add(2)
            proc = subprocess.Popen(sc.command(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    stdin=subprocess.DEVNULL, text=True)
            try:
                _, err = proc.communicate(timeout=rng.uniform(0.05, span * 1.2))
                assert proc.returncode == 0, err[-2000:]
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGKILL)
                proc.communicate(timeout=30)
                kills += 1
        sc.settle()
        result = sc.check()
        totals = {k: totals[k] + result[k] for k in totals}
    print(f"\nrandom kills: {kills} in {rounds} runs over {batches} streams of notes; "
          f"duplicates {totals['duplicates']}, lost {totals['lost']}")
    assert kills >= 200
    assert totals == {"duplicates": 0, "lost": 0}


@pytest.mark.slow
def test_overlapping_polls_never_double_send(tmp_path: Path, dovecot: servers.Dovecot,
                                             smtp_server: servers.SmtpServers, sent_copies: None) -> None:
    totals = {"duplicates": 0, "lost": 0}
    trials = 20
    for t in range(trials):
        sc = Scenario(tmp_path / f"o{t}", dovecot, smtp_server, messages=2)
        procs = [subprocess.Popen(sc.command(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  stdin=subprocess.DEVNULL, text=True) for _ in range(2)]
        for p in procs:
            _, err = p.communicate(timeout=60)
            assert p.returncode == 0, err[-2000:]
        sc.settle()
        result = sc.check()
        totals = {k: totals[k] + result[k] for k in totals}
    print(f"\noverlap: {trials} trials of two polls started together; duplicates {totals['duplicates']}")
    assert totals == {"duplicates": 0, "lost": 0}
