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
        )
        self.db = tmp / "mailflow.sqlite3"
        self.expected = {f"<crash-{self.tag}-{i}@example.test>" for i in range(messages)}
        for i in range(messages):
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
    rng = random.Random(int(os.environ.get("MAILFLOW_CRASH_SEED", "20261125")))
    # calibrate: how long does a whole uninterrupted pass over a batch take on this machine?
    calibration = Scenario(tmp_path / "calibrate", dovecot, smtp_server, messages=6)
    started = time.monotonic()
    calibration.settle()
    span = max(0.5, time.monotonic() - started)
    kills = 0
    totals = {"duplicates": 0, "lost": 0}
    scenarios = 0
    while kills < 200 and scenarios < 60:  # bounded
        scenarios += 1
        sc = Scenario(tmp_path / f"r{scenarios}", dovecot, smtp_server, messages=6)
        for _ in range(40):  # bounded: each round either is killed or finishes the batch
            proc = subprocess.Popen(sc.command(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    stdin=subprocess.DEVNULL, text=True)
            try:
                out, err = proc.communicate(timeout=rng.uniform(0.05, span))
                assert proc.returncode == 0, err[-2000:]
                if "0 new" in out and " 0 sent" in out:
                    break
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGKILL)
                proc.communicate(timeout=30)
                kills += 1
        sc.settle()
        result = sc.check()
        totals = {k: totals[k] + result[k] for k in totals}
    print(f"\nrandom kills: {kills} in {scenarios} batches of 6 notes (pass takes {span:.2f} s); "
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
