"""One subprocess run per command against the real test servers (tests/servers.py).

`[sys.executable, "-m", "mailflow.cli", ...]` exactly as cron or a shell would run it; every run
has a timeout.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import servers

ROOT = Path(__file__).resolve().parent.parent
NOTE = ROOT / "config" / "examples" / "forwarded-note.eml"


def mailflow(*args: str, config: Path | None = None, timeout: float = 60,
             env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "mailflow.cli"]
    if config is not None:
        argv += ["--config", str(config)]
    return subprocess.run([*argv, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL, env={**os.environ, **(env or {})})


def message(n: int, sender: str, *, size: int = 0) -> bytes:
    pad = ("x" * 70 + "\r\n") * (size // 72)
    return (
        f"From: Ada <{sender}>\r\nTo: bot <{sender}>\r\nSubject: Notes {n}\r\n"
        f"Date: Tue, 24 Mar 2026 17:20:00 +0000\r\nMessage-ID: <smoke-{n}-{os.getpid()}@example.test>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        f"Agreed:\r\n- Ship the pilot in April\r\n{pad}"
    ).encode()


def test_init_subprocess(tmp_path: Path) -> None:
    out = tmp_path / "c.toml"
    r = mailflow("init", "--address", "bot@example.test", "--imap-host", "127.0.0.1", "--smtp-host",
                 "127.0.0.1", "--zone", "Europe/Berlin", "--output", str(out))
    assert r.returncode == 0, r.stderr
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    r = mailflow("init", "--address", "bot@example.test", "--imap-host", "h", "--smtp-host", "h",
                 "--output", str(out))
    assert r.returncode == 78 and "--force" in r.stderr


def test_init_interactive_on_a_terminal(tmp_path: Path) -> None:
    """On a terminal init asks; Enter takes each offered default (the zone is the system's)."""
    import pty

    master, slave = pty.openpty()
    out = tmp_path / "t.toml"
    proc = subprocess.Popen([sys.executable, "-m", "mailflow.cli", "init", "--output", str(out)],
                            cwd=ROOT, stdin=slave, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    os.close(slave)
    answers = ["me@example.test", "", "", "", "", "mail.example.test", "", "", "", "smtp.example.test"]
    os.write(master, ("\n".join(answers) + "\n" * 20).encode())
    try:
        stdout, stderr = proc.communicate(timeout=30)
    finally:
        os.close(master)
    assert proc.returncode == 0, stderr.decode()
    assert b"IMAP host" in stdout and b"Your time zone" in stdout
    text = out.read_text()
    assert 'host = "mail.example.test"' in text and 'host = "smtp.example.test"' in text
    assert 'authorised = ["@example.test"]' in text


def test_check_tls_with_the_test_ca(tmp_path: Path, dovecot: servers.Dovecot, mail_user: servers.MailUser,
                                    smtp_server: servers.SmtpServers) -> None:
    cfg = servers.write_config(tmp_path, dovecot=dovecot, smtp=smtp_server, user=mail_user.address,
                               password=mail_user.password, imap_security="tls", smtp_security="starttls")
    r = mailflow("check", config=cfg)
    assert r.returncode == 0, r.stdout + r.stderr
    out = r.stdout
    assert re.search(r"ok\s+IMAP 127\.0\.0\.1:\d+ \(tls\): connected, TLSv1\.[23] \S+, certificate ok", out), out
    assert re.search(r"ok\s+SMTP 127\.0\.0\.1:\d+ \(starttls\): connected, TLSv1\.[23]", out), out
    for cap in ("IDLE", "MOVE", "UIDPLUS", "CONDSTORE"):
        assert f"capability {cap}: yes" in out
    assert "folder INBOX: 0 message(s)" in out
    assert "handled flag: $MailflowHandled can be stored" in out
    assert "folder Quarantine: missing" in out  # a warning, not a failure
    assert "RSET (nothing sent)" in out
    assert smtp_server.messages == []


def test_check_json_and_send_test(tmp_path: Path, dovecot: servers.Dovecot, mail_user: servers.MailUser,
                                  smtp_server: servers.SmtpServers) -> None:
    cfg = servers.write_config(tmp_path, dovecot=dovecot, smtp=smtp_server, user=mail_user.address,
                               password=mail_user.password, smtp_security="tls")
    r = mailflow("check", "--json", "--send-test", mail_user.address, config=cfg)
    assert r.returncode == 0, r.stdout + r.stderr
    data = json.loads(r.stdout)
    assert data["smtp"][-1]["what"] == "SMTP test message" and data["smtp"][-1]["status"] == "ok"
    assert len(smtp_server.messages) == 1


def test_check_wrong_password_is_clear(tmp_path: Path, dovecot: servers.Dovecot, mail_user: servers.MailUser,
                                       smtp_server: servers.SmtpServers) -> None:
    cfg = servers.write_config(tmp_path, dovecot=dovecot, smtp=smtp_server, user=mail_user.address,
                               password=mail_user.password, imap_security="tls",
                               imap__password=None, imap__password_env="MF_TEST_IMAP_PW",
                               smtp__password="wrong")
    r = mailflow("check", config=cfg, env={"MF_TEST_IMAP_PW": "not-the-password"})
    assert r.returncode == 77, r.stdout + r.stderr
    assert f"IMAP login failed for {mail_user.address} at 127.0.0.1:{dovecot.tls_port}: [AUTHENTICATIONFAILED]" in r.stdout
    assert "$MF_TEST_IMAP_PW must hold the password" in r.stdout
    assert f"SMTP login failed for {mail_user.address} at 127.0.0.1:{smtp_server.port}: 535" in r.stdout
    env = {k: v for k, v in os.environ.items() if k != "MF_TEST_IMAP_PW"}
    r = subprocess.run([sys.executable, "-m", "mailflow.cli", "--config", str(cfg), "check"], cwd=ROOT,
                       capture_output=True, text=True, timeout=60, env=env)
    assert r.returncode == 78, r.stdout + r.stderr
    assert "environment variable MF_TEST_IMAP_PW is not set" in r.stdout


def test_check_oauth2_token_command(tmp_path: Path, dovecot: servers.Dovecot, mail_user: servers.MailUser,
                                    smtp_server: servers.SmtpServers) -> None:
    def config(token: str) -> Path:
        command = f"echo {token}"
        return servers.write_config(tmp_path, dovecot=dovecot, smtp=smtp_server, user=mail_user.address,
                                    password=mail_user.password, imap_security="tls", smtp_security="tls",
                                    imap__password=None, imap__oauth2_token_command=command,
                                    smtp__password=None, smtp__oauth2_token_command=command)

    r = mailflow("check", config=config(mail_user.token))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "IMAP login: " + mail_user.address + " by OAuth2 (XOAUTH2)" in r.stdout
    assert "SMTP login: " + mail_user.address + " by OAuth2 (XOAUTH2)" in r.stdout
    r = mailflow("check", config=config("expired-token"))
    assert r.returncode == 77, r.stdout + r.stderr
    assert "check oauth2_token_command" in r.stdout


def test_poll_status_quarantine_roundtrip(tmp_path: Path, dovecot: servers.Dovecot,
                                          mail_user: servers.MailUser, smtp_server: servers.SmtpServers) -> None:
    cfg = servers.write_config(tmp_path, dovecot=dovecot, smtp=smtp_server, user=mail_user.address,
                               password=mail_user.password, limits__max_bytes=4000)
    small = mail_user.append(message(1, mail_user.address))
    big = mail_user.append(message(2, mail_user.address, size=6000))
    bigger = mail_user.append(message(3, mail_user.address, size=9000))
    r = mailflow("poll", config=cfg)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "3 new" in r.stdout and "2 quarantined" in r.stdout
    inbox = {m.uid: m for m in mail_user.messages()}
    assert list(inbox) == [small] and "$MailflowHandled" in inbox[small].flags
    assert len(mail_user.messages("Quarantine")) == 2

    r = mailflow("status", "--json", config=cfg)
    assert r.returncode == 0, r.stderr
    counts = json.loads(r.stdout)["messages"]
    assert counts["quarantined"] == 2 and counts["handled"] + counts["skipped"] == 1

    r = mailflow("quarantine", "list", config=cfg)
    assert r.returncode == 0 and f"uid {big}" in r.stdout and f"uid {bigger}" in r.stdout
    assert "cannot parse" in r.stdout
    r = mailflow("quarantine", "show", str(big), config=cfg)
    assert r.returncode == 0, r.stderr
    assert "Subject: Notes 2" in r.stdout  # headers fetched from the quarantine folder

    r = mailflow("quarantine", "retry", str(big), config=cfg)
    assert r.returncode == 0, r.stderr
    assert r.stdout.count("moved from Quarantine to INBOX") == 1
    assert [m.email["Subject"] for m in mail_user.messages("Quarantine")] == ["Notes 3"]
    r = mailflow("quarantine", "retry", "--all", config=cfg)
    assert r.returncode == 0 and f"uid {bigger}: moved" in r.stdout, r.stdout + r.stderr
    assert mail_user.messages("Quarantine") == []
    back = [m for m in mail_user.messages() if m.uid != small]
    assert len(back) == 2 and not any("$MailflowHandled" in m.flags for m in back)
    r = mailflow("quarantine", "list", config=cfg)
    assert "nothing is quarantined" in r.stdout

    # with a larger limit the retried messages go through
    cfg = servers.write_config(tmp_path, dovecot=dovecot, smtp=smtp_server, user=mail_user.address,
                               password=mail_user.password, limits__max_bytes=100000)
    r = mailflow("poll", config=cfg)
    assert r.returncode == 0 and "2 new" in r.stdout and "0 quarantined" in r.stdout, r.stdout
    db = sqlite3.connect(tmp_path / "mailflow.sqlite3")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()


def test_poll_sends_a_recap_once(tmp_path: Path, dovecot: servers.Dovecot, mail_user: servers.MailUser,
                                 smtp_server: servers.SmtpServers) -> None:
    cfg = servers.write_config(tmp_path, dovecot=dovecot, smtp=smtp_server, user=mail_user.address,
                               password=mail_user.password)
    uid = mail_user.append(message(1, "ada@example.test"))
    r = mailflow("poll", config=cfg)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "1 handled" in r.stdout and "1 sent" in r.stdout, r.stdout + r.stderr
    assert [m.uid for m in mail_user.messages() if "$MailflowHandled" in m.flags] == [uid]
    assert len(smtp_server.messages) == 1
    recap = smtp_server.messages[0].email
    assert "Ship the pilot in April" in recap.get_body(("plain",)).get_content()
    r = mailflow("poll", config=cfg)
    assert r.returncode == 0 and "0 new" in r.stdout and "0 sent" in r.stdout
    assert len(smtp_server.messages) == 1


def test_poll_reports_an_unreachable_server(tmp_path: Path, dovecot: servers.Dovecot,
                                            mail_user: servers.MailUser, proxy: servers.Proxy) -> None:
    cfg = servers.write_config(tmp_path, dovecot=dovecot, smtp=None, user=mail_user.address,
                               password=mail_user.password, imap__port=proxy.port)
    proxy.refuse(True)
    r = mailflow("poll", config=cfg)
    assert r.returncode != 0
    assert "IMAP" in r.stdout


def test_preview_extract_when_subprocess(tmp_path: Path) -> None:
    example = ROOT / "config" / "mailflow.example.toml"
    r = mailflow("preview", str(NOTE), "--now", "2026-03-24T17:30:00+00:00", config=example)
    assert r.returncode == 0, r.stderr
    assert "=== recap" in r.stdout and "kofi@example.com" in r.stdout
    r = mailflow("extract", "--json", str(NOTE))
    assert r.returncode == 0 and json.loads(r.stdout)["file"] == str(NOTE)
    r = mailflow("when", "--json", "--ref", "2026-03-24T10:00:00+00:00", "next Tuesday 3pm")
    assert r.returncode == 0 and json.loads(r.stdout)["mentions"]
