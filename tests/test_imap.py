"""mailflow.imap against a real Dovecot (tests/servers.py): no mocks."""

from __future__ import annotations

import dataclasses
import email
import email.policy
import socket
import threading
import time
from email.message import EmailMessage

import pytest
import servers

from mailflow.config import ImapSettings
from mailflow.errors import AuthFailure, ConfigError, TemporaryFailure
from mailflow.imap import Mailbox

pytestmark = pytest.mark.servers


def settings(dovecot: servers.Dovecot, user: servers.MailUser, **kw: object) -> ImapSettings:
    base: dict[str, object] = {
        "host": dovecot.host, "port": dovecot.port, "security": "plain", "user": user.address,
        "password": user.password, "ca_file": dovecot.ca_file, "timeout": 5.0,
    }
    base.update(kw)
    return ImapSettings(**base)  # type: ignore[arg-type]


def message(n: int | str, *, body: str = "Hello.", mid: str | None = None) -> bytes:
    return (
        f"From: ann@example.test\r\nTo: bot@example.test\r\nSubject: note {n}\r\n"
        f"Message-ID: {mid or f'<note-{n}@example.test>'}\r\nDate: Wed, 25 Nov 2026 10:00:00 +0000\r\n"
        f"\r\n{body}\r\n"
    ).encode()


@pytest.mark.parametrize("security", ["plain", "starttls", "tls"])
def test_login_and_select(dovecot: servers.Dovecot, mail_user: servers.MailUser, security: str) -> None:
    port = dovecot.tls_port if security == "tls" else dovecot.port
    mail_user.append(message(1))
    with Mailbox(settings(dovecot, mail_user, security=security, port=port)) as box:
        assert box.uidvalidity > 0
        assert {"IDLE", "UIDPLUS", "MOVE"} <= set(box.capabilities)
        assert box.highest_uid == 1
        assert box.exists == 1


def test_tls_without_the_ca_is_a_config_error(dovecot: servers.Dovecot, mail_user: servers.MailUser) -> None:
    s = settings(dovecot, mail_user, security="tls", port=dovecot.tls_port, ca_file=None)
    with pytest.raises(ConfigError, match="imap.ca_file"):
        Mailbox(s).connect()


def test_starttls_on_the_tls_port_fails_clearly(dovecot: servers.Dovecot, mail_user: servers.MailUser) -> None:
    # speaking plain text to a TLS port: the server never greets in a way imapclient accepts
    s = settings(dovecot, mail_user, security="starttls", port=dovecot.tls_port, timeout=1.0)
    with pytest.raises(TemporaryFailure):
        Mailbox(s).connect()


def test_starttls_not_offered_is_a_config_error(dovecot: servers.Dovecot, mail_user: servers.MailUser) -> None:
    """A bare-bones IMAP server on loopback that offers no STARTTLS (Dovecot always does)."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(5)

    def serve() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.settimeout(5)
            conn.sendall(b"* OK IMAP4rev1 ready\r\n")
            f = conn.makefile("rb")
            for _ in range(5):
                line = f.readline()
                if not line:
                    return
                tag = line.split()[0]
                if b"CAPABILITY" in line.upper():
                    conn.sendall(b"* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n" + tag + b" OK done\r\n")
                else:
                    conn.sendall(tag + b" BAD no\r\n")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        s = settings(dovecot, mail_user, security="starttls", port=listener.getsockname()[1])
        with pytest.raises(ConfigError, match="imap.security: .* does not offer STARTTLS"):
            Mailbox(s).connect()
    finally:
        thread.join(timeout=5)
        listener.close()


def test_wrong_password_says_who_where_and_why(dovecot: servers.Dovecot, mail_user: servers.MailUser) -> None:
    s = settings(dovecot, mail_user, password="nope")
    with pytest.raises(AuthFailure) as exc:
        Mailbox(s).connect()
    text = str(exc.value)
    assert text.startswith(f"IMAP login failed for {mail_user.address} at {dovecot.host}:{dovecot.port}: ")
    assert "AUTHENTICATIONFAILED" in text or "failed" in text.split(": ", 1)[1].lower()


def test_oauth2_login(dovecot: servers.Dovecot, mail_user: servers.MailUser) -> None:
    s = settings(dovecot, mail_user, password=None, oauth2_token_command=f"echo {mail_user.token}")
    with Mailbox(s) as box:
        assert box.unhandled_uids() == []
    bad = dataclasses.replace(s, oauth2_token_command="echo wrong-token")
    with pytest.raises(AuthFailure, match="IMAP login failed"):
        Mailbox(bad).connect()


def test_connection_refused_is_temporary(dovecot: servers.Dovecot, mail_user: servers.MailUser) -> None:
    s = settings(dovecot, mail_user, port=servers.free_port())
    with pytest.raises(TemporaryFailure):
        Mailbox(s).connect()


def test_missing_folder_is_a_config_error(dovecot: servers.Dovecot, mail_user: servers.MailUser) -> None:
    with pytest.raises(ConfigError, match="imap.folder"):
        Mailbox(settings(dovecot, mail_user, folder="Nope")).connect()


def test_fetch_uses_peek_and_never_sets_seen(dovecot: servers.Dovecot, mail_user: servers.MailUser) -> None:
    uid = mail_user.append(message(1))
    with Mailbox(settings(dovecot, mail_user)) as box:
        got = box.fetch([uid])
        assert got[uid] == message(1)
        assert b"Subject: note 1" in box.fetch_headers([uid])[uid]
        assert box.fetch_sizes([uid]) == {uid: len(message(1))}
        assert box.message_ids([uid]) == {uid: "<note-1@example.test>"}
        assert box.fetch([uid + 100]) == {}
    (stored,) = mail_user.messages()
    assert "\\Seen" not in stored.flags


def test_fetch_with_max_bytes_cuts_large_messages(dovecot: servers.Dovecot, mail_user: servers.MailUser) -> None:
    small = mail_user.append(message(1))
    big = mail_user.append(message(2, body="x" * 5000))
    with Mailbox(settings(dovecot, mail_user)) as box:
        got = box.fetch([small, big], max_bytes=1000)
    assert got[small] == message(1)
    assert len(got[big]) == 1001 and message(2, body="x" * 5000).startswith(got[big])


def test_uids_after(dovecot: servers.Dovecot, mail_user: servers.MailUser) -> None:
    uids = [mail_user.append(message(i)) for i in range(1, 5)]
    assert uids == [1, 2, 3, 4]
    with Mailbox(settings(dovecot, mail_user)) as box:
        assert box.uids_after(0) == [1, 2, 3, 4]
        assert box.uids_after(2) == [3, 4]
        assert box.uids_after(4) == []  # "5:*" still matches UID 4 on the wire
        assert box.uids_after(99) == []


def test_mark_handled_with_a_flag(dovecot: servers.Dovecot, mail_user: servers.MailUser) -> None:
    for i in (1, 2):
        mail_user.append(message(i))
    with Mailbox(settings(dovecot, mail_user)) as box:
        assert box.unhandled_uids() == [1, 2]
        box.mark_handled(1)
        assert box.unhandled_uids() == [2]
    flags = {m.uid: m.flags for m in mail_user.messages()}
    assert "$MailflowHandled" in flags[1] and "$MailflowHandled" not in flags[2]
    assert "\\Seen" not in flags[1]


def test_mark_handled_by_moving(dovecot: servers.Dovecot, mail_user: servers.MailUser) -> None:
    for i in (1, 2):
        mail_user.append(message(i))
    with Mailbox(settings(dovecot, mail_user, handled_folder="Done/Mailflow")) as box:
        box.mark_handled(1)
        assert box.unhandled_uids() == [2]
    assert [m.email["Subject"] for m in mail_user.messages()] == ["note 2"]
    assert [m.email["Subject"] for m in mail_user.messages("Done/Mailflow")] == ["note 1"]


def test_quarantine_creates_the_folder(dovecot: servers.Dovecot, mail_user: servers.MailUser) -> None:
    uid = mail_user.append(message(1))
    assert "Quarantine" not in mail_user.folders()
    with Mailbox(settings(dovecot, mail_user)) as box:
        box.quarantine(uid)
        assert box.unhandled_uids() == []
    assert [m.email["Subject"] for m in mail_user.messages("Quarantine")] == ["note 1"]


def test_append_and_find_message_id(dovecot: servers.Dovecot, mail_user: servers.MailUser) -> None:
    mail_user.append(message(1))
    with Mailbox(settings(dovecot, mail_user)) as box:
        assert not box.find_message_id("Sent", "<sent-1@example.test>")  # no Sent folder yet
        uid = box.append("Sent", message("s", mid="<sent-1@example.test>"), flags=["\\Seen"])
        assert uid == 1
        assert box.find_message_id("Sent", "<sent-1@example.test>")
        assert not box.find_message_id("Sent", "<sent-2@example.test>")
        # the working folder is selected again afterwards
        assert box.folder == "INBOX" and box.unhandled_uids() == [1]
        assert box.fetch([1])[1] == message(1)
    (sent,) = mail_user.messages("Sent")
    assert "\\Seen" in sent.flags


def test_idle_wakes_on_new_mail(dovecot: servers.Dovecot, mail_user: servers.MailUser) -> None:
    with Mailbox(settings(dovecot, mail_user)) as box:
        start = time.monotonic()
        assert box.idle_wait(0.5) is False
        assert 0.4 < time.monotonic() - start < 3
        timer = threading.Timer(0.5, mail_user.append, args=(message(1),))
        timer.start()
        try:
            start = time.monotonic()
            assert box.idle_wait(15) is True
            assert time.monotonic() - start < 5
        finally:
            timer.join()
        box.noop()
        assert box.uids_after(0) == [1]


def test_idle_notices_a_dropped_connection(
    dovecot: servers.Dovecot, mail_user: servers.MailUser, proxy: servers.Proxy
) -> None:
    with Mailbox(settings(dovecot, mail_user, port=proxy.port)) as box:
        threading.Timer(0.3, proxy.drop).start()
        start = time.monotonic()
        with pytest.raises(TemporaryFailure):
            box.idle_wait(10)
        assert time.monotonic() - start < 5


def test_interrupt_ends_idle_at_once(dovecot: servers.Dovecot, mail_user: servers.MailUser) -> None:
    box = Mailbox(settings(dovecot, mail_user))
    box.connect()
    try:
        threading.Timer(0.3, box.interrupt).start()
        start = time.monotonic()
        with pytest.raises(TemporaryFailure):
            box.idle_wait(30)
        assert time.monotonic() - start < 3
    finally:
        box.close()


def test_connection_drop_mid_fetch_is_temporary(
    dovecot: servers.Dovecot, mail_user: servers.MailUser, proxy: servers.Proxy
) -> None:
    uid = mail_user.append(message(1, body="y" * 200_000))
    with Mailbox(settings(dovecot, mail_user, port=proxy.port)) as box:
        proxy.drop_after(20_000)  # applies to connections made from now on...
        box.noop()
        proxy.drop()  # ...so cut this one and reconnect through the budgeted proxy
        box.close()
        box.connect()
        with pytest.raises(TemporaryFailure, match="connection lost|failed|timed out"):
            box.fetch([uid])


def test_a_silent_server_times_out(dovecot: servers.Dovecot, mail_user: servers.MailUser) -> None:
    with socket.socket() as listener:  # accepts connections but never says a word
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        s = settings(dovecot, mail_user, port=listener.getsockname()[1], timeout=0.5)
        start = time.monotonic()
        with pytest.raises(TemporaryFailure, match="timed out"):
            Mailbox(s).connect()
        assert time.monotonic() - start < 3


def _big_message() -> bytes:
    msg = EmailMessage()
    msg["From"] = "ann@example.test"
    msg["To"] = "bot@example.test"
    msg["Subject"] = "minutes with a big attachment"
    msg["Message-ID"] = "<big@example.test>"
    msg.set_content("Notes: we agreed to meet on Tuesday at 15:00 Europe/Berlin.\n")
    msg.add_alternative("<p>Notes: we agreed to meet on <b>Tuesday</b>.</p>", subtype="html")
    msg.add_attachment(b"\x00\x01" * (2_500_000), maintype="application", subtype="pdf", filename="deck.pdf")
    msg.add_attachment(
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x@example.test\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        maintype="text", subtype="calendar", filename="invite.ics",
    )
    fwd = EmailMessage()
    fwd["From"] = "bob@example.test"
    fwd["Subject"] = "original"
    fwd.set_content("Forwarded original text.\n")
    fwd.add_attachment(b"\xff" * 300_000, maintype="image", subtype="png", filename="photo.png")
    msg.add_attachment(fwd)
    return msg.as_bytes(policy=email.policy.SMTP)


def test_fetch_text_parts_skips_big_attachments(
    dovecot: servers.Dovecot, mail_user: servers.MailUser, proxy: servers.Proxy
) -> None:
    data = _big_message()
    assert len(data) > 5_000_000
    uid = mail_user.append(data)
    with Mailbox(settings(dovecot, mail_user, port=proxy.port)) as box:
        before = proxy.bytes_down
        rebuilt = box.fetch_text_parts(uid, max_part_bytes=64 * 1024)
        fetched = proxy.bytes_down - before
    assert rebuilt is not None
    assert fetched < 100_000, fetched
    print(f"fetch_text_parts: {fetched} bytes on the wire for a {len(data)} byte message")
    msg = email.message_from_bytes(rebuilt, policy=email.policy.default)
    original = email.message_from_bytes(data, policy=email.policy.default)
    assert msg["Subject"] == original["Subject"] and msg["Message-ID"] == "<big@example.test>"
    body = msg.get_body(preferencelist=("plain",))
    assert body is not None and "Tuesday at 15:00" in body.get_content()
    html = msg.get_body(preferencelist=("html",))
    assert html is not None and "<b>Tuesday</b>" in html.get_content()
    parts = {p.get_filename(): p for p in msg.iter_attachments()}
    assert parts["deck.pdf"].get_payload(decode=True) == b""
    assert int(parts["deck.pdf"]["X-Mailflow-Omitted"].split()[0]) > 5_000_000
    assert "BEGIN:VEVENT" in parts["invite.ics"].get_content()
    inner = next(p for p in msg.iter_attachments() if p.get_content_type() == "message/rfc822")
    inner_msg = inner.get_payload(0)
    assert inner_msg["Subject"] == "original"
    assert "Forwarded original text." in inner_msg.get_body(preferencelist=("plain",)).get_content()
    assert [a.get_filename() for a in inner_msg.iter_attachments()] == ["photo.png"]


def test_fetch_text_parts_small_message_is_whole(dovecot: servers.Dovecot, mail_user: servers.MailUser) -> None:
    small = mail_user.append(message(1))
    with Mailbox(settings(dovecot, mail_user)) as box:
        assert box.fetch_text_parts(small) == message(1)
        assert box.fetch_text_parts(999) is None


def test_fetch_text_parts_cuts_long_text_at_a_line_end(
    dovecot: servers.Dovecot, mail_user: servers.MailUser, proxy: servers.Proxy
) -> None:
    lines = "".join(f"line {i:06d} of the minutes\n" for i in range(40_000))  # ~1 MB of text
    single = mail_user.append(message(1, body=lines.replace("\n", "\r\n")))
    msg = EmailMessage()
    msg["Subject"] = "log attached"
    msg.set_content("see the attached log\n")
    msg.add_attachment(lines, subtype="csv", filename="log.csv", cte="base64")
    multi = mail_user.append(msg.as_bytes(policy=email.policy.SMTP))
    with Mailbox(settings(dovecot, mail_user, port=proxy.port)) as box:
        before = proxy.bytes_down
        got_single = box.fetch_text_parts(single, max_part_bytes=10_000)
        got_multi = box.fetch_text_parts(multi, max_part_bytes=10_000)
        fetched = proxy.bytes_down - before
    assert got_single is not None and got_multi is not None
    assert fetched < 40_000
    one = email.message_from_bytes(got_single, policy=email.policy.default)
    assert one["Subject"] == "note 1"
    text = one.get_content()
    assert text.startswith("line 000000 of the minutes") and text.endswith("of the minutes\r\n")
    assert 9_000 < len(got_single) < 11_000
    two = email.message_from_bytes(got_multi, policy=email.policy.default)
    (log,) = list(two.iter_attachments())
    content = log.get_payload(decode=True).decode()
    assert content.startswith("line 000000") and 5_000 < len(content) < 10_000
    assert lines.startswith(content.rsplit("\n", 1)[0])  # base64 cut on a line: decodes cleanly


def test_fetch_text_parts_single_part_binary_is_not_downloaded(
    dovecot: servers.Dovecot, mail_user: servers.MailUser, proxy: servers.Proxy
) -> None:
    msg = EmailMessage()
    msg["Subject"] = "just a file"
    msg.set_content(b"%PDF" + b"\x00" * 2_000_000, maintype="application", subtype="pdf", filename="a.pdf")
    uid = mail_user.append(msg.as_bytes(policy=email.policy.SMTP))
    with Mailbox(settings(dovecot, mail_user, port=proxy.port)) as box:
        before = proxy.bytes_down
        got = box.fetch_text_parts(uid, max_part_bytes=10_000)
        fetched = proxy.bytes_down - before
    assert got is not None and fetched < 5_000
    parsed = email.message_from_bytes(got, policy=email.policy.default)
    assert parsed["Subject"] == "just a file" and parsed.get_filename() == "a.pdf"
    assert int(parsed["X-Mailflow-Omitted"].split()[0]) > 2_000_000
    assert parsed.get_payload(decode=True) == b""
