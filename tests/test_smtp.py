"""mailflow.smtp against a real aiosmtpd that delivers into a real Dovecot (tests/servers.py)."""

from __future__ import annotations

import dataclasses
import email.utils
import time
from email.message import EmailMessage

import pytest
import servers

from mailflow.config import SmtpSettings
from mailflow.errors import AuthFailure, ConfigError, TemporaryFailure
from mailflow.model import Draft
from mailflow.smtp import SendResult, _dot_stuffed, check_smtp, send_drafts

pytestmark = pytest.mark.servers


def settings(smtp: servers.SmtpServers, user: servers.MailUser, security: str = "plain", **kw: object) -> SmtpSettings:
    base: dict[str, object] = {
        "host": smtp.host, "port": smtp.port_for(security), "security": security, "user": user.address,
        "password": user.password, "ca_file": smtp.ca_file, "timeout": 5.0,
    }
    base.update(kw)
    return SmtpSettings(**base)  # type: ignore[arg-type]


def draft(n: int, to: tuple[str, ...], *, subject: str | None = None, body: str = "Hello.\n") -> Draft:
    msg = EmailMessage()
    msg["From"] = "mailflow@example.test"
    msg["To"] = ", ".join(to)
    msg["Subject"] = subject or f"recap {n}"
    msg["Message-ID"] = f"<recap-{n}@example.test>"
    msg["Date"] = email.utils.format_datetime(email.utils.localtime())
    msg.set_content(body)
    return Draft(
        dedupe_key=f"key-{n}", message_id=f"<recap-{n}@example.test>", sender="mailflow@example.test",
        recipients=to, subject=str(msg["Subject"]), data=msg.as_bytes(),
    )


@pytest.mark.parametrize("security", ["plain", "starttls", "tls"])
def test_send_lands_in_the_recipients_inbox(
    smtp_server: servers.SmtpServers, dovecot: servers.Dovecot, mail_user: servers.MailUser, security: str
) -> None:
    ann, bob = dovecot.new_user(), dovecot.new_user()
    body = "Dear Ann,\n.leading dot line\n\u00fcber-café at 15:00 (Europe/Berlin)\n"
    results = send_drafts([draft(1, (ann.address, bob.address), body=body), draft(2, (bob.address,))],
                          settings(smtp_server, mail_user, security))
    assert [(r.dedupe_key, r.status) for r in results] == [("key-1", "sent"), ("key-2", "sent")]
    assert all(isinstance(r, SendResult) and r.message_id.startswith("<recap-") for r in results)
    (got,) = ann.wait_for_messages(1)
    assert got.email["Message-ID"] == "<recap-1@example.test>"
    assert got.email.get_content().replace("\r\n", "\n") == body  # dot-stuffing undone, 8-bit intact
    assert [m.email["Subject"] for m in bob.wait_for_messages(2)] == ["recap 1", "recap 2"]
    assert [m.security for m in smtp_server.messages] == [security, security]
    assert all(m.login == mail_user.address and m.mail_from == "mailflow@example.test" for m in smtp_server.messages)
    assert smtp_server.transactions == 2  # one connection, two transactions


def test_one_connection_per_batch_and_reconnect_when_the_server_hangs_up(
    smtp_server: servers.SmtpServers, dovecot: servers.Dovecot, mail_user: servers.MailUser, make_proxy
) -> None:
    ann = dovecot.new_user()
    proxy = make_proxy(smtp_server.port)
    s = settings(smtp_server, mail_user, port=proxy.port)
    results = send_drafts([draft(i, (ann.address,)) for i in (1, 2, 3)], s)
    assert [r.status for r in results] == ["sent"] * 3 and proxy.connections == 1
    smtp_server.script(["bye", "ok"])  # the server closes the connection after the first one
    results = send_drafts([draft(i, (ann.address,)) for i in (4, 5)], s)
    assert [r.status for r in results] == ["sent", "sent"] and proxy.connections == 3
    assert len(ann.wait_for_messages(5)) == 5


def test_oauth2_login(smtp_server: servers.SmtpServers, dovecot: servers.Dovecot, mail_user: servers.MailUser) -> None:
    ann = dovecot.new_user()
    s = settings(smtp_server, mail_user, password=None, oauth2_token_command=f"echo {mail_user.token}")
    assert send_drafts([draft(1, (ann.address,))], s)[0].status == "sent"
    with pytest.raises(AuthFailure):
        send_drafts([draft(2, (ann.address,))], dataclasses.replace(s, oauth2_token_command="echo bad"))


def test_wrong_password_raises_auth_failure(smtp_server: servers.SmtpServers, mail_user: servers.MailUser) -> None:
    with pytest.raises(AuthFailure, match=f"SMTP login failed for {mail_user.address} at 127.0.0.1:"):
        send_drafts([draft(1, ("x@example.test",))], settings(smtp_server, mail_user, password="nope"))
    assert smtp_server.messages == []


def test_untrusted_certificate_is_a_config_error(smtp_server: servers.SmtpServers, mail_user: servers.MailUser) -> None:
    with pytest.raises(ConfigError, match="smtp.ca_file"):
        send_drafts([draft(1, ("x@example.test",))], settings(smtp_server, mail_user, "tls", ca_file=None))


@pytest.mark.parametrize("code", ["421", "451"])
def test_temporary_failure_then_success(
    smtp_server: servers.SmtpServers, dovecot: servers.Dovecot, mail_user: servers.MailUser, code: str
) -> None:
    ann = dovecot.new_user()
    smtp_server.script([code, "ok"])
    s = settings(smtp_server, mail_user)
    first = send_drafts([draft(1, (ann.address,))], s)
    assert first[0].status == "temporary" and first[0].detail.startswith(code)
    assert ann.messages() == []
    assert send_drafts([draft(1, (ann.address,))], s)[0].status == "sent"
    assert len(ann.wait_for_messages(1)) == 1


def test_a_421_mid_batch_reconnects_for_the_rest(
    smtp_server: servers.SmtpServers, dovecot: servers.Dovecot, mail_user: servers.MailUser
) -> None:
    ann = dovecot.new_user()
    smtp_server.script(["ok", "421", "ok"])
    results = send_drafts([draft(i, (ann.address,)) for i in (1, 2, 3)], settings(smtp_server, mail_user))
    assert [r.status for r in results] == ["sent", "temporary", "sent"]
    assert [m.email["Subject"] for m in ann.wait_for_messages(2)] == ["recap 1", "recap 3"]


def test_5xx_is_permanent_and_the_batch_goes_on(
    smtp_server: servers.SmtpServers, dovecot: servers.Dovecot, mail_user: servers.MailUser
) -> None:
    ann = dovecot.new_user()
    smtp_server.script(["550", "mail:553", "rcpt:450", "ok"])
    results = send_drafts([draft(i, (ann.address,)) for i in (1, 2, 3, 4)], settings(smtp_server, mail_user))
    assert [r.status for r in results] == ["permanent", "permanent", "temporary", "sent"]
    assert results[1].detail.startswith("553")
    assert "all recipients refused" in results[2].detail
    assert [m.email["Subject"] for m in ann.wait_for_messages(1)] == ["recap 4"]


def test_subject_marker_fault(smtp_server: servers.SmtpServers, dovecot: servers.Dovecot, mail_user: servers.MailUser) -> None:
    ann = dovecot.new_user()
    results = send_drafts([draft(1, (ann.address,), subject="x [fault:552]"), draft(2, (ann.address,))],
                          settings(smtp_server, mail_user))
    assert [r.status for r in results] == ["permanent", "sent"]


def test_partially_refused_recipients_is_sent_with_detail(
    smtp_server: servers.SmtpServers, dovecot: servers.Dovecot, mail_user: servers.MailUser
) -> None:
    ann = dovecot.new_user()
    (res,) = send_drafts([draft(1, (ann.address, "reject-me@example.test"))], settings(smtp_server, mail_user))
    assert res.status == "sent" and "reject-me@example.test" in res.detail
    assert len(ann.wait_for_messages(1)) == 1
    (res,) = send_drafts([draft(2, ("reject-a@example.test", "reject-b@example.test"))], settings(smtp_server, mail_user))
    assert res.status == "permanent"


def test_disconnect_after_the_final_dot_is_ambiguous(
    smtp_server: servers.SmtpServers, dovecot: servers.Dovecot, mail_user: servers.MailUser
) -> None:
    ann = dovecot.new_user()
    smtp_server.script(["drop", "ok"])
    results = send_drafts([draft(1, (ann.address,)), draft(2, (ann.address,))], settings(smtp_server, mail_user))
    assert [r.status for r in results] == ["ambiguous", "sent"]
    assert "final dot" in results[0].detail
    # the server did take the first one: exactly why 'ambiguous' must not be retried blindly
    assert [m.email["Subject"] for m in ann.wait_for_messages(2)] == ["recap 1", "recap 2"]


def test_slow_reply_after_data_is_ambiguous_and_bounded(
    smtp_server: servers.SmtpServers, dovecot: servers.Dovecot, mail_user: servers.MailUser
) -> None:
    ann = dovecot.new_user()
    smtp_server.script(["slow=3"])
    start = time.monotonic()
    (res,) = send_drafts([draft(1, (ann.address,))], settings(smtp_server, mail_user, timeout=0.5))
    assert res.status == "ambiguous" and "Timeout" in res.detail
    assert time.monotonic() - start < 2.5


def test_slow_reply_before_data_is_temporary(
    smtp_server: servers.SmtpServers, dovecot: servers.Dovecot, mail_user: servers.MailUser
) -> None:
    ann = dovecot.new_user()
    smtp_server.script(["mail:slow=3", "ok"])
    start = time.monotonic()
    results = send_drafts([draft(1, (ann.address,)), draft(2, (ann.address,))], settings(smtp_server, mail_user, timeout=0.5))
    assert [r.status for r in results] == ["temporary", "sent"]
    assert time.monotonic() - start < 2.5


def test_unreachable_server_marks_the_whole_batch_temporary(smtp_server: servers.SmtpServers, mail_user: servers.MailUser) -> None:
    s = settings(smtp_server, mail_user, port=servers.free_port())
    start = time.monotonic()
    results = send_drafts([draft(i, ("a@example.test",)) for i in (1, 2, 3)], s)
    assert [r.status for r in results] == ["temporary"] * 3
    assert "cannot connect" in results[0].detail
    assert time.monotonic() - start < 3


def test_connection_cut_during_the_greeting_is_temporary(
    smtp_server: servers.SmtpServers, dovecot: servers.Dovecot, mail_user: servers.MailUser, make_proxy
) -> None:
    ann = dovecot.new_user()
    proxy = make_proxy(smtp_server.port)
    proxy.drop_after(60)  # the line dies in the middle of the EHLO reply
    results = send_drafts([draft(1, (ann.address,)), draft(2, (ann.address,))],
                          settings(smtp_server, mail_user, port=proxy.port))
    assert [r.status for r in results] == ["temporary", "temporary"]
    assert proxy.connections == 1  # an unreachable server is not hammered once per draft
    assert ann.messages() == []


def test_server_hanging_up_before_data_is_temporary(
    smtp_server: servers.SmtpServers, dovecot: servers.Dovecot, mail_user: servers.MailUser
) -> None:
    ann = dovecot.new_user()
    smtp_server.script(["rcpt:lose", "ok"])
    results = send_drafts([draft(1, (ann.address,)), draft(2, (ann.address,))], settings(smtp_server, mail_user))
    assert [r.status for r in results] == ["temporary", "sent"]
    assert "before DATA" in results[0].detail
    assert [m.email["Subject"] for m in ann.wait_for_messages(1)] == ["recap 2"]


def test_check_smtp(smtp_server: servers.SmtpServers, mail_user: servers.MailUser) -> None:
    info = check_smtp(settings(smtp_server, mail_user, "starttls"))
    assert info["auth"] == "ok" and info["tls"]["version"].startswith("TLS")
    assert "PLAIN" in info["auth_methods"] and "starttls" not in info["extensions"]
    plain = check_smtp(settings(smtp_server, mail_user, "plain", port=smtp_server.starttls_port))
    assert plain["tls"] is None and "starttls" in plain["extensions"]
    with pytest.raises(AuthFailure):
        check_smtp(settings(smtp_server, mail_user, "tls", password="nope"))
    with pytest.raises(TemporaryFailure):
        check_smtp(settings(smtp_server, mail_user, port=servers.free_port()))


def test_dot_stuffing() -> None:
    assert _dot_stuffed(b"a\n.b\r\n..c\rd") == b"a\r\n..b\r\n...c\r\nd\r\n.\r\n"
    assert _dot_stuffed(b".") == b"..\r\n.\r\n"
