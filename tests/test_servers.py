"""The test servers themselves: if these fail, every end-to-end test is suspect."""

from __future__ import annotations

import os
import smtplib
import socket
import ssl
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest
import servers
from imapclient import IMAPClient
from imapclient.exceptions import LoginError

from mailflow.config import parse_config

pytestmark = pytest.mark.servers

MSG = b"From: a@example.test\r\nTo: b@example.test\r\nSubject: %s\r\nMessage-ID: <%s@example.test>\r\n\r\nHello.\r\n"


def test_dovecot_login_plain_and_tls(dovecot: servers.Dovecot, mail_user: servers.MailUser) -> None:
    with mail_user.client() as c:
        caps = c.capabilities()
        for cap in (b"IDLE", b"UIDPLUS", b"MOVE", b"CONDSTORE"):
            assert cap in caps
    with mail_user.client(tls=True) as c:
        assert c.select_folder("INBOX")[b"EXISTS"] == 0
    with pytest.raises(LoginError):
        dovecot.imap_client(mail_user.address, "wrong")


def test_tls_port_rejects_an_unknown_ca(dovecot: servers.Dovecot) -> None:
    ctx = ssl.create_default_context()  # system CAs only: the trustme CA is not among them
    with pytest.raises(ssl.SSLError):
        IMAPClient(dovecot.host, port=dovecot.tls_port, ssl=True, ssl_context=ctx, timeout=5)


def test_oauth2_token_login(dovecot: servers.Dovecot, mail_user: servers.MailUser) -> None:
    c = IMAPClient(dovecot.host, port=dovecot.port, ssl=False, timeout=5)
    c.oauth2_login(mail_user.address, mail_user.token)
    c.logout()
    c = IMAPClient(dovecot.host, port=dovecot.port, ssl=False, timeout=5)
    with pytest.raises(Exception):  # noqa: B017 - imapclient raises its IMAP error type here
        c.oauth2_login(mail_user.address, "not-the-token")
    c.shutdown()


def test_users_are_isolated_and_append_returns_uid(dovecot: servers.Dovecot) -> None:
    a, b = dovecot.new_user(), dovecot.new_user()
    assert a.address != b.address
    uid = a.append(MSG % (b"one", b"one"))
    assert uid == 1
    assert a.append(MSG % (b"two", b"two"), folder="Archive/2026") == 1
    assert [m.email["Subject"] for m in a.messages()] == ["one"]
    assert b.messages() == []
    assert "Archive/2026" in a.folders()


def test_user_pool_refills_and_custom_users_work_at_once(dovecot: servers.Dovecot) -> None:
    dovecot._pool.clear()  # force the slow path: write a new batch, wait for Dovecot to see it
    fresh = dovecot.new_user()
    with fresh.client() as c:
        assert c.select_folder("INBOX")[b"EXISTS"] == 0
    bot = dovecot.new_user(prefix="bot")
    assert bot.address.startswith("bot")
    named = dovecot.add_user("Named.Person@Example.test", "s3cret")
    assert named.address == "named.person@example.test"
    for u in (bot, named):
        with u.client():
            pass


def test_deliver_lands_in_inbox(dovecot: servers.Dovecot, mail_user: servers.MailUser) -> None:
    dovecot.deliver(mail_user.address, MSG % (b"delivered", b"d1"))
    (m,) = mail_user.messages()
    assert m.email["Subject"] == "delivered"
    assert "\\Seen" not in m.flags


@pytest.mark.parametrize("security", ["plain", "starttls", "tls"])
def test_smtp_delivers_to_dovecot(
    smtp_server: servers.SmtpServers, mail_user: servers.MailUser, security: str
) -> None:
    ctx = ssl.create_default_context(cafile=smtp_server.ca_file)
    port = smtp_server.port_for(security)
    if security == "tls":
        client: smtplib.SMTP = smtplib.SMTP_SSL(smtp_server.host, port, timeout=5, context=ctx)
    else:
        client = smtplib.SMTP(smtp_server.host, port, timeout=5)
        if security == "starttls":
            client.starttls(context=ctx)
    with client:
        client.login(mail_user.address, mail_user.password)
        refused = client.sendmail(
            "sender@example.test", [mail_user.address, "stranger@elsewhere.test"], MSG % (b"via smtp", b"s1")
        )
    assert refused == {}
    (got,) = mail_user.wait_for_messages(1)
    assert got.email["Subject"] == "via smtp"
    assert got.email["Delivered-To"] == mail_user.address
    (rec,) = smtp_server.messages
    assert rec.security == security and rec.login == mail_user.address
    assert rec.rcpt_tos == (mail_user.address, "stranger@elsewhere.test")
    assert smtp_server.undelivered == [rec]


def test_smtp_rejects_a_wrong_password(smtp_server: servers.SmtpServers, mail_user: servers.MailUser) -> None:
    with smtplib.SMTP(smtp_server.host, smtp_server.port, timeout=5) as client:
        with pytest.raises(smtplib.SMTPAuthenticationError):
            client.login(mail_user.address, "wrong")


def test_smtp_script_and_markers(smtp_server: servers.SmtpServers, mail_user: servers.MailUser) -> None:
    smtp_server.script(["451", "mail:550", "ok"])
    with smtplib.SMTP(smtp_server.host, smtp_server.port, timeout=5) as client:
        with pytest.raises(smtplib.SMTPDataError) as e451:
            client.sendmail("s@example.test", [mail_user.address], MSG % (b"a", b"a"))
        assert e451.value.smtp_code == 451
        with pytest.raises(smtplib.SMTPSenderRefused) as e550:
            client.sendmail("s@example.test", [mail_user.address], MSG % (b"b", b"b"))
        assert e550.value.smtp_code == 550
        client.sendmail("s@example.test", [mail_user.address], MSG % (b"c", b"c"))
        with pytest.raises(smtplib.SMTPDataError) as marker:
            client.sendmail("s@example.test", [mail_user.address], MSG % (b"x [fault:552]", b"x"))
        assert marker.value.smtp_code == 552
        refused = client.sendmail(
            "s@example.test", [mail_user.address, "reject-me@example.test"], MSG % (b"d", b"d")
        )
        assert set(refused) == {"reject-me@example.test"}
    assert [m.email["Subject"] for m in mail_user.messages()] == ["c", "d"]


def test_smtp_drop_after_data_delivers_without_reply(
    smtp_server: servers.SmtpServers, mail_user: servers.MailUser
) -> None:
    smtp_server.script(["drop", "lose"])
    for subject in (b"dropped", b"lost"):
        with smtplib.SMTP(smtp_server.host, smtp_server.port, timeout=5) as client:
            with pytest.raises(smtplib.SMTPServerDisconnected):
                client.sendmail("s@example.test", [mail_user.address], MSG % (subject, subject))
    assert [m.email["Subject"] for m in mail_user.messages()] == ["dropped"]


def test_smtp_slow_reply_times_out_the_client(
    smtp_server: servers.SmtpServers, mail_user: servers.MailUser
) -> None:
    smtp_server.script(["slow=2"])
    start = time.monotonic()
    with smtplib.SMTP(smtp_server.host, smtp_server.port, timeout=0.5) as client:
        with pytest.raises((TimeoutError, smtplib.SMTPServerDisconnected)):
            client.sendmail("s@example.test", [mail_user.address], MSG % (b"slow", b"slow"))
    assert time.monotonic() - start < 2


def test_smtp_421_closes_the_connection(smtp_server: servers.SmtpServers, mail_user: servers.MailUser) -> None:
    smtp_server.script(["421"])
    with smtplib.SMTP(smtp_server.host, smtp_server.port, timeout=5) as client:
        with pytest.raises(smtplib.SMTPDataError) as exc:
            client.sendmail("s@example.test", [mail_user.address], MSG % (b"x", b"x"))
        assert exc.value.smtp_code == 421
        with pytest.raises(smtplib.SMTPServerDisconnected):
            client.noop()


def test_proxy_forwards_and_drops(dovecot: servers.Dovecot, proxy: servers.Proxy, mail_user: servers.MailUser) -> None:
    c = IMAPClient(proxy.host, port=proxy.port, ssl=False, timeout=5)
    c.login(mail_user.address, mail_user.password)
    c.select_folder("INBOX")
    proxy.drop()
    with pytest.raises((OSError, c.AbortError)):
        c.noop()
    c.shutdown()
    # after a drop, new connections still work
    c = IMAPClient(proxy.host, port=proxy.port, ssl=False, timeout=5)
    c.login(mail_user.address, mail_user.password)
    c.logout()
    assert proxy.connections == 2


def test_proxy_drop_after_bytes(proxy: servers.Proxy) -> None:
    proxy.drop_after(10)
    with socket.create_connection((proxy.host, proxy.port), timeout=5) as s:
        got = b""
        while True:
            chunk = s.recv(100)
            if not chunk:
                break
            got += chunk
    assert got == b"* OK [CAPA"


@pytest.mark.parametrize(("require", "outcome"), [("", "1 skipped"), ("1", "1 error")])
def test_missing_dovecot_skips_or_fails(tmp_path: Path, require: str, outcome: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAILFLOW_")}
    env.update(MAILFLOW_DOVECOT=str(tmp_path / "no-dovecot"), MAILFLOW_REQUIRE_SERVERS=require)
    test = f"{Path(__file__).name}::test_deliver_lands_in_inbox"
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", test],
        cwd=Path(__file__).parent, env=env, capture_output=True, text=True, timeout=120,
    )
    assert outcome in run.stdout, run.stdout[-2000:]
    if require:
        assert run.returncode != 0 and "MAILFLOW_REQUIRE_SERVERS=1 but dovecot is not installed" in run.stdout
    else:
        assert run.returncode == 0


def test_write_config_is_a_valid_mailflow_config(
    tmp_path: Path, dovecot: servers.Dovecot, smtp_server: servers.SmtpServers, mail_user: servers.MailUser
) -> None:
    path = servers.write_config(
        tmp_path, dovecot=dovecot, smtp=smtp_server, user=mail_user.address, password=mail_user.password,
        imap_security="tls", smtp_security="starttls", imap__handled_folder="Done",
        account__zone="Europe/Berlin",
        people=[{"name": "Ann", "addr": "ann@example.test", "zone": "America/New_York"}],
    )
    cfg = parse_config(tomllib.loads(path.read_text()), path)
    assert cfg.imap is not None and cfg.smtp is not None
    assert (cfg.imap.port, cfg.imap.security, cfg.imap.handled_folder) == (dovecot.tls_port, "tls", "Done")
    assert cfg.imap.secret() == mail_user.password and cfg.imap.ca_file == dovecot.ca_file
    assert (cfg.smtp.port, cfg.smtp.security) == (smtp_server.starttls_port, "starttls")
    assert cfg.default_zone == "Europe/Berlin" and cfg.people[0].zone == "America/New_York"
    assert cfg.store_path == tmp_path / "mailflow.sqlite3"


def test_sent_copies_are_filed_in_the_senders_sent_folder(
        dovecot: servers.Dovecot, smtp_server: servers.SmtpServers) -> None:
    sender, rcpt = dovecot.new_user(), dovecot.new_user()
    data = b"From: s@example.test\r\nSubject: copy me\r\nMessage-ID: <copy@example.test>\r\n\r\nhi\r\n"
    with smtplib.SMTP(smtp_server.host, smtp_server.port, timeout=10) as client:
        client.sendmail(sender.address, [rcpt.address], data)
    assert "Sent" not in sender.folders()  # off by default: no copy filed
    smtp_server.file_sent_copies()
    with smtplib.SMTP(smtp_server.host, smtp_server.port, timeout=10) as client:
        client.sendmail(sender.address, [rcpt.address], data)
    (copy,) = sender.wait_for_messages(1, folder="Sent")
    assert copy.email["Message-ID"] == "<copy@example.test>" and "\\Seen" in copy.flags
    assert len(rcpt.wait_for_messages(2)) == 2
