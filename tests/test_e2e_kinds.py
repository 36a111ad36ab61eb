"""Each kind of mail mailflow sends, through the real servers: it lands in every recipient's
Dovecot mailbox, parses back with the stdlib, its .ics parses with icalendar and starts at the
agreed instant, and the times in its text are that instant in each reader's zone.

Runs in-process (runner.poll_once) with a fake clock, so scheduled mail can be driven through
days of simulated polls."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from email.message import EmailMessage
from pathlib import Path

import icalendar
import servers
from test_runner import Clock

from mailflow.config import load_config
from mailflow.runner import poll_once

LONDON = zoneinfo.ZoneInfo("Europe/London")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
# Thursday 19 March 2026 15:00 in London: the US is already on summer time, the UK is not yet,
# so New York is 4 hours behind instead of the usual 5 (the DST mismatch week)
SLOT = dt.datetime(2026, 3, 19, 15, 0, tzinfo=LONDON)


class Parties:
    def __init__(self, tmp: Path, dovecot: servers.Dovecot, smtp: servers.SmtpServers) -> None:
        self.bot = dovecot.new_user("bot")
        self.ada = dovecot.new_user("ada")
        self.kofi = dovecot.new_user("kofi")
        path = servers.write_config(
            tmp, dovecot=dovecot, smtp=smtp, user=self.bot.address, password=self.bot.password,
            people=[
                {"name": "Ada Lovelace", "addrs": [self.ada.address], "zone": "Europe/London",
                 "country": "GB", "work_hours": "09:00-17:30"},
                {"name": "Kofi Mensah", "addrs": [self.kofi.address], "zone": "America/New_York",
                 "country": "US", "work_hours": "08:00-17:00"},
            ],
            policy__authorised=[self.ada.address, self.kofi.address],
        )
        self.config = load_config(str(path))

    def send_in(self, body: str, *, subject: str, msg_id: str, date: str, sender: str = "ada") -> None:
        msg = EmailMessage()
        frm = self.ada if sender == "ada" else self.kofi
        other = self.kofi if sender == "ada" else self.ada
        msg["From"] = f"{'Ada Lovelace' if sender == 'ada' else 'Kofi Mensah'} <{frm.address}>"
        msg["To"] = f"{other.address}"
        msg["Cc"] = self.bot.address
        msg["Subject"] = subject
        msg["Date"] = date
        msg["Message-ID"] = msg_id
        msg.set_content(body)
        self.bot.append(bytes(msg))

    def inbox(self, user: servers.MailUser, prefix: str) -> list[EmailMessage]:
        return [m.email for m in user.messages() if (m.email["Subject"] or "").startswith(prefix)]


def text_of(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def calendar_of(msg: EmailMessage) -> icalendar.Calendar:
    for part in msg.walk():
        if part.get_content_type() == "text/calendar":
            data = part.get_payload(decode=True)
            assert isinstance(data, bytes)
            return icalendar.Calendar.from_ical(data)
    raise AssertionError("no text/calendar part")


def event_of(cal: icalendar.Calendar) -> icalendar.Event:
    (event,) = [c for c in cal.walk() if c.name == "VEVENT"]
    return event


def clock_text(instant: dt.datetime, zone: zoneinfo.ZoneInfo) -> str:
    return instant.astimezone(zone).strftime("%H:%M")


def test_confirmation_agenda_request_and_reminder(tmp_path: Path, dovecot: servers.Dovecot,
                                                  smtp_server: servers.SmtpServers) -> None:
    p = Parties(tmp_path, dovecot, smtp_server)
    p.send_in(
        "Hi Kofi,\n\nThursday 19 March at 3pm London time works for me, confirmed. "
        "Let's talk for 45 minutes: https://meet.google.com/abc-defg-hij\n\nAda\n",
        subject="Our next call", msg_id="<confirm-1@example.test>",
        date="Mon, 16 Mar 2026 10:00:00 +0000",
    )
    clock = Clock(dt.datetime(2026, 3, 16, 10, 5, tzinfo=dt.UTC))
    report = poll_once(p.config, now=clock)
    assert report.handled == 1 and report.sent >= 1, report.summary()

    for user, zone in ((p.ada, LONDON), (p.kofi, NEW_YORK)):
        (msg,) = p.inbox(user, "Confirmed")
        assert msg["In-Reply-To"] == "<confirm-1@example.test>"
        text = text_of(msg)
        # every party's zone, each the agreed instant: 15:00 London = 11:00 New York this week
        assert "15:00" in text and "11:00" in text, text
        assert "https://meet.google.com/abc-defg-hij" in text
        assert "45 min" in text
        event = event_of(calendar_of(msg))
        start = event.decoded("DTSTART")
        assert start == SLOT and start.astimezone(zone).strftime("%H:%M") == clock_text(SLOT, zone)
        assert event.decoded("DTEND") - start == dt.timedelta(minutes=45)
        assert str(calendar_of(msg)["METHOD"]) == "REQUEST"
        uid = str(event["UID"])
    # the same UID for both parties: one meeting
    uids = {str(event_of(calendar_of(m))["UID"]) for u in (p.ada, p.kofi) for m in p.inbox(u, "Confirmed")}
    assert uids == {uid}

    # agenda request 2 days before (to the organiser), reminder 24 h before (to both): never early
    agenda_due = SLOT - dt.timedelta(days=2)
    reminder_due = SLOT - dt.timedelta(hours=24)
    while clock.now < reminder_due + dt.timedelta(hours=1):
        clock.advance(minutes=47)
        poll_once(p.config, now=clock)
        agenda = p.inbox(p.ada, "Agenda")
        reminders = p.inbox(p.kofi, "Reminder")
        if clock.now < agenda_due:
            assert agenda == []
        if clock.now < reminder_due:
            assert reminders == []
    assert len(p.inbox(p.ada, "Agenda")) == 1 and p.inbox(p.kofi, "Agenda") == []
    assert len(p.inbox(p.ada, "Reminder")) == 1 and len(p.inbox(p.kofi, "Reminder")) == 1
    reminder = text_of(p.inbox(p.kofi, "Reminder")[0])
    assert "15:00" in reminder and "11:00" in reminder


def test_cancellation_sends_cancel_and_three_slots_in_working_hours(
        tmp_path: Path, dovecot: servers.Dovecot, smtp_server: servers.SmtpServers) -> None:
    p = Parties(tmp_path, dovecot, smtp_server)
    p.send_in("Thursday 19 March at 3pm London time works, confirmed.\n",
              subject="Our next call", msg_id="<c-1@example.test>",
              date="Mon, 16 Mar 2026 10:00:00 +0000")
    clock = Clock(dt.datetime(2026, 3, 16, 10, 5, tzinfo=dt.UTC))
    poll_once(p.config, now=clock)
    (confirmation,) = p.inbox(p.kofi, "Confirmed")
    uid = str(event_of(calendar_of(confirmation))["UID"])

    msg = EmailMessage()
    msg["From"] = f"Kofi Mensah <{p.kofi.address}>"
    msg["To"] = p.ada.address
    msg["Cc"] = p.bot.address
    msg["Subject"] = "Re: Our next call"
    msg["Date"] = "Tue, 17 Mar 2026 13:00:00 -0400"
    msg["Message-ID"] = "<c-2@example.test>"
    msg["In-Reply-To"] = "<c-1@example.test>"
    msg["References"] = "<c-1@example.test>"
    msg.set_content("Sorry Ada, I have to cancel our call on Thursday at 3pm London time.\n")
    p.bot.append(bytes(msg))
    clock.now = dt.datetime(2026, 3, 17, 17, 5, tzinfo=dt.UTC)
    poll_once(p.config, now=clock)

    for user in (p.ada, p.kofi):
        mails = [m for m in user.messages() if m.email["In-Reply-To"] == "<c-2@example.test>"]
        assert mails, [m.email["Subject"] for m in user.messages()]
        cancels = [m.email for m in mails if "METHOD:CANCEL" in m.data.decode("utf-8", "replace")]
        assert len(cancels) == 1
        cal = calendar_of(cancels[0])
        assert str(cal["METHOD"]) == "CANCEL" and str(event_of(cal)["UID"]) == uid
        text = text_of(cancels[0])
        # three new slots; in each, both zones' lines name the same instant, inside both
        # parties' working hours (London 09:00-17:30, New York 08:00-17:00) on a weekday
        options = re.split(r"### Option \d+", text)[1:]
        assert len(options) == 3, text
        for option in options:
            starts = {}
            for city, zone in (("New York", NEW_YORK), ("London", LONDON)):
                m = re.search(city + r" \(\w+\)\*\* \([^)]*\): \w{3} (\d{1,2} \w{3}), (\d{2}):(\d{2}) – (\d{2}):(\d{2})", option)
                assert m, option
                day = dt.datetime.strptime(f"{m.group(1)} 2026", "%d %b %Y")  # noqa: DTZ007 - zone set below
                start = day.replace(hour=int(m.group(2)), minute=int(m.group(3)), tzinfo=zone)
                end = day.replace(hour=int(m.group(4)), minute=int(m.group(5)), tzinfo=zone)
                assert start.weekday() < 5
                lo, hi = ((8, 0), (17, 0)) if zone is NEW_YORK else ((9, 0), (17, 30))
                assert (start.hour, start.minute) >= lo and (end.hour, end.minute) <= hi, option
                starts[city] = start
            assert starts["New York"] == starts["London"], option
            assert starts["London"] > clock.now
    # the reminder scheduled for the cancelled meeting is withdrawn
    clock.now = SLOT - dt.timedelta(hours=23)
    poll_once(p.config, now=clock)
    assert p.inbox(p.kofi, "Reminder") == [] and p.inbox(p.ada, "Agenda") == []
