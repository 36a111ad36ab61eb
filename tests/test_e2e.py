"""The walking skeleton, end to end against real servers: a forwarded note in, a recap out.

A real Dovecot holds mailflow's mailbox and the parties' mailboxes; a real SMTP server (aiosmtpd)
delivers what mailflow sends into those mailboxes; `mailflow poll` runs as a subprocess with a
config file, exactly as cron would run it.
"""

from __future__ import annotations

import email.utils
import os
import re
import sqlite3
import subprocess
import sys
from email.message import EmailMessage
from pathlib import Path

import pytest
import servers

HANDLED = "$MailflowHandled"


def forwarded_note(forwarder: str, author: str, *, message_id: str, to_bot: str) -> bytes:
    """A Gmail-style forward of mentoring-call notes (written for these tests)."""
    body = f"""Please send us both a recap.

---------- Forwarded message ---------
From: Kofi Mensah <{author}>
Date: Tue, 24 Mar 2026 at 17:05
Subject: Mentoring call notes
To: Ada Lovelace <{forwarder}>

Thanks for the call today. My notes:

Agreed:
- Focus on pricing before the next funding round
- Keep the pilot to three customers until June

Action items:
- Kofi will send the revised pricing sheet by Friday
- Ada to introduce Kofi to the logistics contact by 31 March

Next meeting: Tuesday 31 March at 3pm London time
"""
    msg = EmailMessage()
    msg["From"] = f"Ada Lovelace <{forwarder}>"
    msg["To"] = f"Recaps <{to_bot}>"
    msg["Subject"] = "Fwd: Mentoring call notes"
    msg["Date"] = "Tue, 24 Mar 2026 17:20:00 +0000"
    msg["Message-ID"] = message_id
    msg.set_content(body)
    return bytes(msg)


def run_poll(config: Path, *extra: str, env: dict[str, str] | None = None,
             timeout: float = 90) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mailflow.cli", "--config", str(config), "-v", "poll", *extra],
        capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
    )


@pytest.fixture
def party(dovecot: servers.Dovecot):  # type: ignore[no-untyped-def]
    def make(prefix: str) -> servers.MailUser:
        return dovecot.new_user(prefix)
    return make


def make_setup(tmp_path: Path, dovecot: servers.Dovecot, smtp: servers.SmtpServers, party,  # type: ignore[no-untyped-def]
               **overrides: object) -> tuple[servers.MailUser, servers.MailUser, servers.MailUser, Path]:
    bot, ada, kofi = party("bot"), party("ada"), party("kofi")
    config = servers.write_config(
        tmp_path, dovecot=dovecot, smtp=smtp, user=bot.address, password=bot.password,
        people=[
            {"name": "Ada Lovelace", "addrs": [ada.address], "zone": "Europe/London", "country": "GB"},
            {"name": "Kofi Mensah", "addrs": [kofi.address], "zone": "America/New_York", "country": "US"},
        ],
        policy__authorised=[ada.address],
        **overrides,
    )
    return bot, ada, kofi, config


def text_of(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def test_forwarded_note_becomes_one_recap_per_party(tmp_path: Path, dovecot: servers.Dovecot,
                                                    smtp_server: servers.SmtpServers, party) -> None:  # type: ignore[no-untyped-def]
    bot, ada, kofi, config = make_setup(tmp_path, dovecot, smtp_server, party)
    original_id = "<note-1@example.test>"
    bot.append(forwarded_note(ada.address, kofi.address, message_id=original_id, to_bot=bot.address))

    first = run_poll(config)
    assert first.returncode == 0, first.stderr
    assert "1 handled" in first.stdout

    for person in (ada, kofi):
        got = person.wait_for_messages(1, timeout=15)
        assert len(got) == 1
        msg = got[0].email
        assert msg["Subject"].startswith("Recap")
        assert msg["In-Reply-To"] == original_id
        assert original_id in msg["References"]
        assert msg["Auto-Submitted"] == "auto-generated"
        assert email.utils.parseaddr(msg["From"])[1] == bot.address
        text = text_of(msg)
        assert "Focus on pricing before the next funding round" in text
        assert "Keep the pilot to three customers until June" in text
        assert "revised pricing sheet" in text and "logistics contact" in text
        # the next meeting, 31 March 2026 15:00 in London (BST, UTC+1) = 10:00 in New York (EDT)
        assert re.search(r"London \(BST\).{0,40}Tue 31 Mar, 15:00", text), text
        assert re.search(r"New York \(EDT\).{0,40}Tue 31 Mar, 10:00", text), text
        html = msg.get_body(preferencelist=("html",))
        assert html is not None and "Focus on pricing" in str(html.get_content())

    # the original is marked handled (and was not marked read by the fetch)
    (stored,) = bot.messages()
    assert HANDLED in stored.flags

    sent_before = len(smtp_server.messages)
    second = run_poll(config)
    assert second.returncode == 0, second.stderr
    assert "0 new" in second.stdout and "0 sent" in second.stdout
    assert len(smtp_server.messages) == sent_before
    assert len(ada.messages()) == 1 and len(kofi.messages()) == 1


def test_unparseable_message_is_quarantined_and_the_batch_goes_on(
        tmp_path: Path, dovecot: servers.Dovecot, smtp_server: servers.SmtpServers, party) -> None:  # type: ignore[no-untyped-def]
    bot, ada, kofi, config = make_setup(tmp_path, dovecot, smtp_server, party)
    nested = b"".join(
        f'Content-Type: multipart/mixed; boundary="b{i}"\r\n\r\n--b{i}\r\n'.encode() for i in range(300)
    )
    bad = (b"From: Ada <" + ada.address.encode() + b">\r\nTo: " + bot.address.encode() +
           b"\r\nSubject: deep\r\nMessage-ID: <deep@example.test>\r\nMIME-Version: 1.0\r\n" + nested)
    bad_uid = bot.append(bad)
    bot.append(forwarded_note(ada.address, kofi.address, message_id="<note-2@example.test>",
                              to_bot=bot.address))

    first = run_poll(config)
    assert first.returncode == 0, first.stderr
    assert "1 handled" in first.stdout and "1 quarantined" in first.stdout
    assert re.search(rf"uid={bad_uid}\b.*quarantined: cannot parse", first.stderr), first.stderr
    assert len(kofi.wait_for_messages(1)) == 1

    # not lost: it sits in the quarantine folder; not retried: a second run leaves it alone
    quarantined = bot.messages("Quarantine")
    assert len(quarantined) == 1 and b"<deep@example.test>" in quarantined[0].data
    assert [m.data for m in bot.messages() if b"deep@example.test" in m.data] == []
    second = run_poll(config)
    assert second.returncode == 0 and "0 new" in second.stdout, second.stdout + second.stderr
    db = sqlite3.connect(tmp_path / "mailflow.sqlite3")
    rows = db.execute("SELECT state, reason FROM messages WHERE message_id='<deep@example.test>'").fetchall()
    assert len(rows) == 1 and rows[0][0] == "quarantined" and "cannot parse" in rows[0][1]


def test_unauthorised_sender_gets_nothing(tmp_path: Path, dovecot: servers.Dovecot,
                                          smtp_server: servers.SmtpServers, party) -> None:  # type: ignore[no-untyped-def]
    bot, ada, kofi, config = make_setup(tmp_path, dovecot, smtp_server, party)
    stranger = party("stranger")
    note = forwarded_note(stranger.address, kofi.address, message_id="<spam@example.test>",
                          to_bot=bot.address)
    bot.append(note)
    result = run_poll(config)
    assert result.returncode == 0, result.stderr
    assert "1 skipped" in result.stdout and "0 sent" in result.stdout
    assert "unauthorised" in result.stderr
    assert smtp_server.messages == []
    (stored,) = bot.messages()
    assert HANDLED in stored.flags
