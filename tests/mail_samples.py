"""Sample messages written for mailflow's tests and benchmarks (one per client and language).

Each Sample says what a correct reading finds: ``new`` must be in the author's own text and
``not_new`` must not (it belongs to the quote or the forwarded message); for forwards the
original's sender, subject, date and a phrase of its own text. All texts are made up here.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from email.message import EmailMessage


@dataclass(frozen=True)
class Sample:
    name: str
    raw: bytes
    new: str | None  # phrase of the author's own text ("" = the author wrote nothing)
    not_new: str  # phrase that must not be in the author's own text
    orig_from: str | None = None
    orig_subject: str | None = None
    orig_date: str | None = None  # ISO 8601 with offset
    orig_body: str | None = None
    orig_not: str | None = None  # must not be in original_body (signature, quote)
    signature: str | None = None  # phrase of the outer signature


def message(subject: str, text: str, *, html: str | None = None, sender: str = "Bob Builder <bob@example.net>",
            to: str = "Mailflow <mailflow@example.org>", date: str = "Wed, 04 Mar 2026 09:30:00 +0100",
            html_only: bool = False) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = date
    msg["Message-ID"] = f"<{zlib.crc32((subject + text).encode())}@example.net>"
    if html_only:
        msg.set_content(html or text, subtype="html")
    else:
        msg.set_content(text)
        if html:
            msg.add_alternative(html, subtype="html")
    return msg.as_bytes()


NOTES = (
    "Notes from the planning call\n\n"
    "- Dana will send the revised budget by Friday\n"
    "- We agreed to move the launch review to Tuesday 10 March at 15:00 CET\n\n"
    "Next meeting: Tuesday 17 March, 15:00 CET"
)

SAMPLES: list[Sample] = []


def _add(sample: Sample) -> None:
    SAMPLES.append(sample)


_add(Sample(
    name="gmail_en_forward",
    raw=message("Fwd: Planning call notes",
                "Please send the recap to everyone.\n\n"
                "---------- Forwarded message ---------\n"
                "From: Alice Archer <alice@example.com>\n"
                "Date: Tue, Mar 3, 2026 at 4:05 PM\n"
                "Subject: Planning call notes\n"
                "To: Bob Builder <bob@example.net>, Carol <carol@example.org>\n\n"
                f"{NOTES}\n\n-- \nAlice Archer\nHead of Ops, Lisbon\n",
                html="<div>Please send the recap to everyone.</div><div class=gmail_quote>...</div>"),
    new="Please send the recap", not_new="revised budget",
    orig_from="alice@example.com", orig_subject="Planning call notes",
    orig_date="2026-03-03T16:05:00+01:00", orig_body="revised budget", orig_not="Head of Ops",
))

_add(Sample(
    name="gmail_de_forward",
    raw=message("WG: Protokoll",
                "Zur Info.\n\n"
                "---------- Weitergeleitete Nachricht ---------\n"
                "Von: Dieter Dorn <dieter@example.de>\n"
                "Date: Di., 3. März 2026 um 10:15 Uhr\n"
                "Subject: Protokoll\n"
                "To: Bob Builder <bob@example.net>\n\n"
                "Hallo zusammen,\n\nwir treffen uns am Dienstag, 10. März um 15 Uhr.\n\n"
                "Viele Grüße\nDieter\n"),
    new="Zur Info", not_new="wir treffen uns",
    orig_from="dieter@example.de", orig_subject="Protokoll",
    orig_date="2026-03-03T10:15:00+01:00", orig_body="wir treffen uns", orig_not="Viele Grüße",
))

_add(Sample(
    name="outlook_desktop_rule",
    raw=message("FW: Budget review",
                "FYI - see the notes below.\n\nBob\n\n"
                "________________________________\n"
                "From: Alice Archer <alice@example.com>\n"
                "Sent: Tuesday, March 3, 2026 10:15 AM\n"
                "To: Bob Builder <bob@example.net>; Carol Cole <carol@example.org>\n"
                "Cc: Dana Dale <dana@example.org>\n"
                "Subject: Budget review\n\n"
                f"{NOTES}\n\nKind regards,\nAlice\n",
                date="Wed, 04 Mar 2026 09:30:00 -0800"),
    new="see the notes below", not_new="revised budget",
    orig_from="alice@example.com", orig_subject="Budget review",
    orig_date="2026-03-03T10:15:00-08:00", orig_body="revised budget", orig_not="Kind regards",
))

_add(Sample(
    name="outlook_original_message",
    raw=message("FW: Budget review",
                "Forwarding for the recap.\n\n"
                "-----Original Message-----\n"
                "From: Alice Archer [mailto:alice@example.com]\n"
                "Sent: Tuesday, March 03, 2026 10:15 AM\n"
                "To: Bob Builder\n"
                "Subject: Budget review\n\n"
                f"{NOTES}\n"),
    new="Forwarding for the recap", not_new="revised budget",
    orig_from="alice@example.com", orig_subject="Budget review",
    orig_date="2026-03-03T10:15:00+01:00", orig_body="revised budget",
))

_add(Sample(
    name="outlook_web_html_only",
    raw=message("FW: Budget review", "",
                html=("<html><body><div>Can you confirm the new slot?</div><br>"
                      "<hr style='display:inline-block;width:98%'>"
                      "<div id='divRplyFwdMsg'><font><b>From:</b> Alice Archer &lt;"
                      "<a href='mailto:alice@example.com'>alice@example.com</a>&gt;<br>"
                      "<b>Sent:</b> Tuesday, March 3, 2026 3:15 PM<br>"
                      "<b>To:</b> Bob Builder &lt;bob@example.net&gt;<br>"
                      "<b>Subject:</b> Budget review</font><div>&nbsp;</div></div>"
                      "<div><p>Notes from the call:</p><ul><li>Dana will send the revised budget"
                      " by Friday</li><li>Launch review moves to 10 March</li></ul></div>"
                      "</body></html>"),
                html_only=True),
    new="confirm the new slot", not_new="revised budget",
    orig_from="alice@example.com", orig_subject="Budget review",
    orig_date="2026-03-03T15:15:00+01:00", orig_body="- Dana will send the revised budget",
))

_add(Sample(
    name="outlook_mobile",
    raw=message("Fw: Site visit",
                "See below\n\nGet Outlook for iOS\n"
                "________________________________\n"
                "From: Alice Archer <alice@example.com>\n"
                "Sent: Tuesday, March 3, 2026 10:15:02 AM\n"
                "To: Bob Builder <bob@example.net>\n"
                "Subject: Site visit\n\n"
                "We will visit the site on Thursday at 9:00.\n"),
    new="See below", not_new="visit the site",
    orig_from="alice@example.com", orig_subject="Site visit",
    orig_date="2026-03-03T10:15:02+01:00", orig_body="visit the site",
    signature="Get Outlook",
))

_add(Sample(
    name="apple_mail_en",
    raw=message("Fwd: Design sync",
                "Notes from Alice below.\n\nSent from my iPhone\n\n"
                "Begin forwarded message:\n\n"
                "From: Alice Archer <alice@example.com>\n"
                "Subject: Design sync\n"
                "Date: March 3, 2026 at 10:15:00 AM PST\n"
                "To: Bob Builder <bob@example.net>\n\n"
                "We decided to keep the blue theme.\n\nAlice\n"),
    new="Notes from Alice", not_new="blue theme",
    orig_from="alice@example.com", orig_subject="Design sync",
    orig_date="2026-03-03T10:15:00-08:00", orig_body="blue theme",
    signature="Sent from my iPhone",
))

_add(Sample(
    name="apple_mail_fr",
    raw=message("Tr: Réunion",
                "Pour info.\n\n"
                "Début du message réexpédié :\n\n"
                "De: Élodie Martin <elodie@example.fr>\n"
                "Objet: Réunion\n"
                "Date: 3 mars 2026 à 10:15:00 UTC+1\n"
                "À: Bob Builder <bob@example.net>\n\n"
                "Nous avons convenu de nous revoir jeudi à 14h.\n\nCordialement,\nÉlodie\n"),
    new="Pour info", not_new="convenu",
    orig_from="elodie@example.fr", orig_subject="Réunion",
    orig_date="2026-03-03T10:15:00+01:00", orig_body="convenu", orig_not="Cordialement",
))

_add(Sample(
    name="thunderbird",
    raw=message("Fwd: Budget review",
                "For the recap, thanks.\n\n\n"
                "-------- Forwarded Message --------\n"
                "Subject: \tBudget review\n"
                "Date: \tTue, 3 Mar 2026 10:15:00 +0530\n"
                "From: \tAlice Archer <alice@example.com>\n"
                "To: \tBob Builder <bob@example.net>\n\n"
                f"{NOTES}\n"),
    new="For the recap", not_new="revised budget",
    orig_from="alice@example.com", orig_subject="Budget review",
    orig_date="2026-03-03T10:15:00+05:30", orig_body="revised budget",
))

_add(Sample(
    name="yahoo",
    raw=message("Fw: Budget review",
                "Have a look.\n\n\n"
                "----- Forwarded Message -----\n"
                "From: Alice Archer <alice@example.com>\n"
                "To: Bob Builder <bob@example.net>\n"
                "Sent: Tuesday, March 3, 2026, 10:15:00 AM GMT+1\n"
                "Subject: Budget review\n\n"
                f"{NOTES}\n"),
    new="Have a look", not_new="revised budget",
    orig_from="alice@example.com", orig_subject="Budget review",
    orig_date="2026-03-03T10:15:00+01:00", orig_body="revised budget",
))

_add(Sample(
    name="proton",
    raw=message("Fwd: Budget review",
                "Adding the notes.\n\n"
                "Sent with Proton Mail secure email.\n\n"
                "------- Forwarded Message -------\n"
                "From: Alice Archer <alice@example.com>\n"
                "Date: On Tuesday, March 3rd, 2026 at 10:15 AM\n"
                "Subject: Budget review\n"
                "To: Bob Builder <bob@example.net>\n\n"
                f"{NOTES}\n"),
    new="Adding the notes", not_new="revised budget",
    orig_from="alice@example.com", orig_subject="Budget review",
    orig_date="2026-03-03T10:15:00+01:00", orig_body="revised budget", signature="Proton",
))

_add(Sample(
    name="outlook_de",
    raw=message("WG: Projekttreffen",
                "Bitte Protokoll verschicken.\n\n"
                "Von: Dieter Dorn <dieter@example.de>\n"
                "Gesendet: Dienstag, 3. März 2026 10:15\n"
                "An: Bob Builder <bob@example.net>\n"
                "Cc: Eva Ernst <eva@example.de>\n"
                "Betreff: Projekttreffen\n\n"
                "Wir haben beschlossen, das Budget zu erhöhen.\n\n"
                "Mit freundlichen Grüßen\nDieter Dorn\nMünchen\n"),
    new="Protokoll verschicken", not_new="beschlossen",
    orig_from="dieter@example.de", orig_subject="Projekttreffen",
    orig_date="2026-03-03T10:15:00+01:00", orig_body="beschlossen", orig_not="freundlichen",
))

_add(Sample(
    name="outlook_fr",
    raw=message("TR: Point hebdo",
                "À traiter svp.\n\n"
                "De : Élodie Martin <elodie@example.fr>\n"
                "Envoyé : mardi 3 mars 2026 10:15\n"
                "À : Bob Builder <bob@example.net>\n"
                "Objet : Point hebdo\n\n"
                "Prochaine réunion mardi 10 mars à 15h.\n\nBien cordialement,\nÉlodie\n"),
    new="traiter svp", not_new="Prochaine réunion",
    orig_from="elodie@example.fr", orig_subject="Point hebdo",
    orig_date="2026-03-03T10:15:00+01:00", orig_body="Prochaine réunion", orig_not="cordialement",
))

_add(Sample(
    name="gmail_es",
    raw=message("Fwd: Reunión",
                "Te reenvío las notas.\n\n"
                "---------- Mensaje reenviado ---------\n"
                "De: Lucía Gómez <lucia@example.es>\n"
                "Date: mar, 3 mar 2026 a las 10:15\n"
                "Subject: Reunión\n"
                "To: Bob Builder <bob@example.net>\n\n"
                "Acordamos reunirnos el jueves a las 11.\n\nSaludos,\nLucía\n"),
    new="reenvío las notas", not_new="Acordamos",
    orig_from="lucia@example.es", orig_subject="Reunión",
    orig_date="2026-03-03T10:15:00+01:00", orig_body="Acordamos", orig_not="Saludos",
))

_add(Sample(
    name="outlook_es",
    raw=message("RV: Presupuesto",
                "Para el resumen.\n\n"
                "De: Lucía Gómez <lucia@example.es>\n"
                "Enviado el: martes, 3 de marzo de 2026 10:15\n"
                "Para: Bob Builder <bob@example.net>\n"
                "Asunto: Presupuesto\n\n"
                "El presupuesto queda aprobado.\n"),
    new="Para el resumen", not_new="aprobado",
    orig_from="lucia@example.es", orig_subject="Presupuesto",
    orig_date="2026-03-03T10:15:00+01:00", orig_body="aprobado",
))

_add(Sample(
    name="gmail_nl",
    raw=message("Fwd: Overleg",
                "Ter info.\n\n"
                "---------- Doorgestuurd bericht ---------\n"
                "Van: Daan de Vries <daan@example.nl>\n"
                "Date: di 3 mrt 2026 om 10:15\n"
                "Subject: Overleg\n"
                "To: Bob Builder <bob@example.net>\n\n"
                "We spreken af op donderdag om 14:00.\n\nMet vriendelijke groet,\nDaan\n"),
    new="Ter info", not_new="spreken af",
    orig_from="daan@example.nl", orig_subject="Overleg",
    orig_date="2026-03-03T10:15:00+01:00", orig_body="spreken af", orig_not="vriendelijke",
))

_add(Sample(
    name="outlook_nl",
    raw=message("Doorst: Overleg",
                "Zie hieronder.\n\n"
                "Van: Daan de Vries <daan@example.nl>\n"
                "Verzonden: dinsdag 3 maart 2026 10:15\n"
                "Aan: Bob Builder <bob@example.net>\n"
                "Onderwerp: Overleg\n\n"
                "Het budget is goedgekeurd.\n"),
    new="Zie hieronder", not_new="goedgekeurd",
    orig_from="daan@example.nl", orig_subject="Overleg",
    orig_date="2026-03-03T10:15:00+01:00", orig_body="goedgekeurd",
))

_add(Sample(
    name="gmail_it",
    raw=message("I: Riunione",
                "Vedi sotto.\n\n"
                "---------- Messaggio inoltrato ---------\n"
                "Da: Giulia Rossi <giulia@example.it>\n"
                "Date: mar 3 mar 2026 alle ore 10:15\n"
                "Subject: Riunione\n"
                "To: Bob Builder <bob@example.net>\n\n"
                "Abbiamo deciso di spostare la riunione a venerdì.\n\nCordiali saluti,\nGiulia\n"),
    new="Vedi sotto", not_new="Abbiamo deciso",
    orig_from="giulia@example.it", orig_subject="Riunione",
    orig_date="2026-03-03T10:15:00+01:00", orig_body="Abbiamo deciso", orig_not="Cordiali",
))

_add(Sample(
    name="gmail_pt",
    raw=message("Fwd: Reunião",
                "Segue abaixo.\n\n"
                "---------- Mensagem encaminhada ---------\n"
                "De: João Silva <joao@example.pt>\n"
                "Date: ter., 3 de mar. de 2026 às 10:15\n"
                "Subject: Reunião\n"
                "To: Bob Builder <bob@example.net>\n\n"
                "Combinamos a reunião para quinta às 9h.\n\nAtenciosamente,\nJoão\n"),
    new="Segue abaixo", not_new="Combinamos",
    orig_from="joao@example.pt", orig_subject="Reunião",
    orig_date="2026-03-03T10:15:00+01:00", orig_body="Combinamos", orig_not="Atenciosamente",
))

_add(Sample(
    name="forward_of_forward",
    raw=message("Fwd: Fwd: Planning call notes",
                "Recap please.\n\n"
                "---------- Forwarded message ---------\n"
                "From: Carol Cole <carol@example.org>\n"
                "Date: Tue, Mar 3, 2026 at 6:00 PM\n"
                "Subject: Fwd: Planning call notes\n"
                "To: Bob Builder <bob@example.net>\n\n"
                "Bob, for your assistant.\n\n"
                "---------- Forwarded message ---------\n"
                "From: Alice Archer <alice@example.com>\n"
                "Date: Tue, Mar 3, 2026 at 4:05 PM\n"
                "Subject: Planning call notes\n"
                "To: Carol Cole <carol@example.org>\n\n"
                f"{NOTES}\n"),
    new="Recap please", not_new="for your assistant",
    orig_from="alice@example.com", orig_subject="Planning call notes",
    orig_date="2026-03-03T16:05:00+01:00", orig_body="revised budget", orig_not="for your assistant",
))

_add(Sample(
    name="outlook_forward_of_gmail_forward",
    raw=message("FW: Fwd: Budget review",
                "Another one for the recap.\n\n"
                "From: Carol Cole <carol@example.org>\n"
                "Sent: Tuesday, March 3, 2026 6:00 PM\n"
                "To: Bob Builder <bob@example.net>\n"
                "Subject: Fwd: Budget review\n\n"
                "See Alice's note.\n\n"
                "---------- Forwarded message ---------\n"
                "From: Alice Archer <alice@example.com>\n"
                "Date: Tue, 3 Mar 2026 at 16:05\n"
                "Subject: Budget review\n"
                "To: Carol Cole <carol@example.org>\n\n"
                f"{NOTES}\n"),
    new="Another one", not_new="Alice's note",
    orig_from="alice@example.com", orig_subject="Budget review",
    orig_date="2026-03-03T16:05:00+01:00", orig_body="revised budget",
))


def _attached() -> bytes:
    inner = EmailMessage()
    inner["From"] = "Alice Archer <alice@example.com>"
    inner["To"] = "Bob Builder <bob@example.net>"
    inner["Subject"] = "Planning call notes"
    inner["Date"] = "Tue, 03 Mar 2026 16:05:00 +0000"
    inner["Message-ID"] = "<inner-1@example.com>"
    inner.set_content(NOTES + "\n\n-- \nAlice\n")
    outer = EmailMessage()
    outer["From"] = "Bob Builder <bob@example.net>"
    outer["To"] = "mailflow@example.org"
    outer["Subject"] = "Fwd: Planning call notes"
    outer["Date"] = "Wed, 04 Mar 2026 09:30:00 +0100"
    outer.set_content("Attached as a message.\n")
    outer.add_attachment(inner)
    return outer.as_bytes()


_add(Sample(
    name="forward_as_attachment", raw=_attached(),
    new="Attached as a message", not_new="revised budget",
    orig_from="alice@example.com", orig_subject="Planning call notes",
    orig_date="2026-03-03T16:05:00+00:00", orig_body="revised budget", orig_not="Alice",
))

# --- replies ---------------------------------------------------------------------------------

_QUOTED = "> Can we meet on Thursday at 10:00?\n> \n> Alice\n"

_add(Sample(
    name="reply_gmail_en",
    raw=message("Re: Meeting",
                "Thursday at 10:00 works for me.\n\nBob\n\n"
                "On Tue, Mar 3, 2026 at 10:15 AM Alice Archer <alice@example.com> wrote:\n\n" + _QUOTED),
    new="works for me", not_new="Can we meet",
))

_add(Sample(
    name="reply_gmail_wrapped_intro",
    raw=message("Re: Meeting",
                "Agreed: Thursday 10:00.\n\n"
                "On Tue, Mar 3, 2026 at 10:15 AM Alice Archer with a long name <\n"
                "alice@example.com> wrote:\n\n" + _QUOTED),
    new="Agreed", not_new="Can we meet",
))

_add(Sample(
    name="reply_de",
    raw=message("AW: Termin",
                "Donnerstag 10 Uhr passt.\n\n"
                "Am Di., 3. März 2026 um 10:15 Uhr schrieb Alice Archer <alice@example.com>:\n" + _QUOTED),
    new="passt", not_new="Can we meet",
))

_add(Sample(
    name="reply_fr",
    raw=message("Re: Rendez-vous",
                "Jeudi 10h me convient.\n\n"
                "Le mar. 3 mars 2026 à 10:15, Alice Archer <alice@example.com> a écrit :\n" + _QUOTED),
    new="me convient", not_new="Can we meet",
))

_add(Sample(
    name="reply_es",
    raw=message("Re: Reunión",
                "El jueves a las 10 me va bien.\n\n"
                "El mar, 3 mar 2026 a las 10:15, Alice Archer (<alice@example.com>) escribió:\n" + _QUOTED),
    new="me va bien", not_new="Can we meet",
))

_add(Sample(
    name="reply_nl",
    raw=message("Re: Overleg",
                "Donderdag 10:00 is goed.\n\n"
                "Op di 3 mrt 2026 om 10:15 schreef Alice Archer <alice@example.com>:\n" + _QUOTED),
    new="is goed", not_new="Can we meet",
))

_add(Sample(
    name="reply_it",
    raw=message("R: Riunione",
                "Giovedì alle 10 va bene.\n\n"
                "Il giorno mar 3 mar 2026 alle ore 10:15 Alice Archer <alice@example.com> ha scritto:\n"
                + _QUOTED),
    new="va bene", not_new="Can we meet",
))

_add(Sample(
    name="reply_outlook",
    raw=message("RE: Meeting",
                "Thursday works.\n\nBest regards,\nBob Builder\nACME Ltd | Berlin\n\n"
                "From: Alice Archer <alice@example.com>\n"
                "Sent: Tuesday, March 3, 2026 10:15 AM\n"
                "To: Bob Builder <bob@example.net>\n"
                "Subject: Meeting\n\n"
                "Can we meet on Thursday at 10:00?\n"),
    new="Thursday works", not_new="Can we meet", signature="ACME Ltd",
))

_add(Sample(
    name="reply_outlook_original_message",
    raw=message("RE: Meeting",
                "Confirmed for Thursday.\n\n"
                "-----Original Message-----\n"
                "From: Alice Archer [mailto:alice@example.com]\n"
                "Sent: Tuesday, March 03, 2026 10:15 AM\n"
                "To: Bob Builder\n"
                "Subject: Meeting\n\n"
                "Can we meet on Thursday at 10:00?\n"),
    new="Confirmed for Thursday", not_new="Can we meet",
))

_add(Sample(
    name="reply_dash_signature",
    raw=message("Re: Meeting",
                "See you Thursday.\n\n-- \nBob Builder\nBerlin, Germany\n\n"
                "On Tue, Mar 3, 2026 at 10:15 AM Alice <alice@example.com> wrote:\n" + _QUOTED),
    new="See you Thursday", not_new="Berlin, Germany", signature="Berlin",
))

_add(Sample(
    name="reply_iphone",
    raw=message("Re: Meeting",
                "Yes, Thursday.\n\nSent from my iPhone\n\n"
                "> On 3 Mar 2026, at 10:15, Alice Archer <alice@example.com> wrote:\n>\n" + _QUOTED),
    new="Yes, Thursday", not_new="Sent from my iPhone", signature="iPhone",
))

_add(Sample(
    name="reply_interleaved",
    raw=message("Re: Agenda",
                "Alice Archer wrote:\n"
                "> Should we add the budget to the agenda?\n"
                "Yes, put it first.\n\n"
                "> And the hiring plan?\n"
                "Let us move hiring to next week.\n"),
    new="Let us move hiring", not_new="Should we add",
))

_add(Sample(
    name="reply_closing_signature",
    raw=message("Re: Meeting",
                "Thursday at 10:00 is fine. I will book the room.\n\n"
                "Thanks,\nBob\n\n"
                "On Tue, Mar 3, 2026 at 10:15 AM Alice <alice@example.com> wrote:\n" + _QUOTED),
    new="book the room", not_new="Thanks,", signature="Bob",
))

# --- HTML forwards ---------------------------------------------------------------------------

_add(Sample(
    name="gmail_html_only_forward",
    raw=message("Fwd: Planning call notes", "",
                html=("<div dir=\"ltr\">Recap for the team please.<br><br>"
                      "<div class=\"gmail_quote\"><div dir=\"ltr\" class=\"gmail_attr\">"
                      "---------- Forwarded message ---------<br>From: <strong class=\"gmail_sendername\">"
                      "Alice Archer</strong> <span dir=\"auto\">&lt;<a href=\"mailto:alice@example.com\">"
                      "alice@example.com</a>&gt;</span><br>Date: Tue, Mar 3, 2026 at 4:05 PM<br>"
                      "Subject: Planning call notes<br>To: Bob Builder &lt;<a href=\"mailto:bob@example.net\">"
                      "bob@example.net</a>&gt;<br></div><br><br><div dir=\"ltr\"><p>Decisions:</p><ul>"
                      "<li>Dana will send the revised budget by Friday</li>"
                      "<li>Launch review on Tuesday 10 March at 15:00 CET</li></ul></div></div></div>"),
                html_only=True),
    new="Recap for the team", not_new="revised budget",
    orig_from="alice@example.com", orig_subject="Planning call notes",
    orig_date="2026-03-03T16:05:00+01:00", orig_body="- Dana will send the revised budget",
))

_add(Sample(
    name="thunderbird_html_forward",
    raw=message("Fwd: Budget review", "",
                html=("<html><body><p>Numbers attached below.</p><div class=\"moz-forward-container\">"
                      "<br><br>-------- Forwarded Message --------<table class=\"moz-email-headers-table\">"
                      "<tbody><tr><th valign=\"BASELINE\" nowrap align=\"RIGHT\">Subject: </th>"
                      "<td>Budget review</td></tr><tr><th nowrap align=\"RIGHT\">Date: </th>"
                      "<td>Tue, 3 Mar 2026 10:15:00 -0500</td></tr><tr><th nowrap align=\"RIGHT\">From: </th>"
                      "<td>Alice Archer <a href=\"mailto:alice@example.com\">&lt;alice@example.com&gt;</a></td>"
                      "</tr><tr><th nowrap align=\"RIGHT\">To: </th><td>Bob Builder "
                      "<a href=\"mailto:bob@example.net\">&lt;bob@example.net&gt;</a></td></tr></tbody>"
                      "</table><br><br><p>The budget was approved with two changes.</p></div>"
                      "</body></html>"),
                html_only=True),
    new="Numbers attached below", not_new="budget was approved",
    orig_from="alice@example.com", orig_subject="Budget review",
    orig_date="2026-03-03T10:15:00-05:00", orig_body="budget was approved",
))

_add(Sample(
    name="outlook_html_forward_with_alternative",
    raw=message("FW: Site visit",
                "Please confirm.\r\n\r\nFrom: Alice Archer <alice@example.com>\r\nSent: Monday, 2 March 2026 "
                "17:40\r\nTo: Bob Builder <bob@example.net>\r\nSubject: Site visit\r\n\r\nThe site visit "
                "is on Thursday at 9:00.\r\n",
                html=("<div>Please confirm.</div><hr><p><b>From:</b> Alice Archer &lt;alice@example.com&gt;"
                      "<br><b>Sent:</b> Monday, 2 March 2026 17:40<br><b>To:</b> Bob Builder<br>"
                      "<b>Subject:</b> Site visit</p><p>The site visit is on Thursday at 9:00.</p>"),
                date="Tue, 03 Mar 2026 08:00:00 +0000"),
    new="Please confirm", not_new="site visit is on",
    orig_from="alice@example.com", orig_subject="Site visit",
    orig_date="2026-03-02T17:40:00+00:00", orig_body="site visit is on Thursday",
))

_add(Sample(
    name="reply_top_posted_above_forward",
    raw=message("Re: Fwd: Planning call notes",
                "Thanks, I will prepare the slides.\n\n"
                "On Wed, Mar 4, 2026 at 9:30 AM Bob Builder <bob@example.net> wrote:\n"
                "> Please send the recap to everyone.\n>\n"
                "> ---------- Forwarded message ---------\n"
                "> From: Alice Archer <alice@example.com>\n"
                "> Subject: Planning call notes\n>\n"
                "> Dana will send the revised budget by Friday\n"),
    new="prepare the slides", not_new="revised budget",
))

# --- more clients and shapes -----------------------------------------------------------------

_add(Sample(
    name="reply_outlook_de_block",
    raw=message("AW: Termin", "Passt mir.\n\nVon: Alice Archer <alice@example.com>\nGesendet: Dienstag, "
                "3. März 2026 10:15\nAn: Bob Builder <bob@example.net>\nBetreff: Termin\n\nGeht Donnerstag?\n"),
    new="Passt mir", not_new="Geht Donnerstag",
))

_add(Sample(
    name="outlook_de_urspruengliche_nachricht",
    raw=message("WG: Termin", "-----Ursprüngliche Nachricht-----\nVon: Alice Archer <alice@example.com>\n"
                "Gesendet: Dienstag, 3. März 2026 10:15\nAn: Bob Builder <bob@example.net>\n"
                "Wichtigkeit: Hoch\nBetreff: Termin\n\nGeht Donnerstag?\n"),
    new="", not_new="Geht Donnerstag",
    orig_from="alice@example.com", orig_subject="Termin",
    orig_date="2026-03-03T10:15:00+01:00", orig_body="Geht Donnerstag",
))

_add(Sample(
    name="reply_yahoo",
    raw=message("Re: Meeting", "Works for me.\n\nOn Tuesday, March 3, 2026, 10:15:00 AM GMT+1, Alice Archer "
                "<alice@example.com> wrote:\n\n\nCan we meet Thursday?\n"),
    new="Works for me", not_new="Can we meet",
))

_add(Sample(
    name="reply_outlook_android",
    raw=message("Re: Meeting", "Works.\n\nGet Outlook for Android<https://aka.ms/example>\n\n"
                "________________________________\nFrom: Alice Archer <alice@example.com>\n"
                "Sent: Tuesday, March 3, 2026 10:15:02 AM\nTo: Bob Builder <bob@example.net>\n"
                "Subject: Meeting\n\nCan we meet Thursday?\n"),
    new="Works", not_new="Can we meet", signature="Outlook for Android",
))

_add(Sample(
    name="apple_mail_quoted_forward",
    raw=message("Fwd: Design sync", "Begin forwarded message:\n\n> From: Alice Archer <alice@example.com>\n"
                "> Subject: Design sync\n> Date: 3 March 2026 at 10:15:00 CET\n> To: Bob <bob@example.net>\n"
                "> \n> We decided to keep the blue theme.\n"),
    new="", not_new="blue theme",
    orig_from="alice@example.com", orig_subject="Design sync",
    orig_date="2026-03-03T10:15:00+01:00", orig_body="blue theme",
))

_add(Sample(
    name="gmail_forward_wrapped_recipients",
    raw=message("Fwd: Design sync", "FYI\n\n---------- Forwarded message ---------\nFrom: alice@example.com\n"
                "Date: Tue, 3 Mar 2026 10:15:00 +0100 (CET)\nSubject: Design sync\nTo: bob@example.net, "
                "carol@example.org,\n dave@example.org\nCc: Eve <eve@example.org>\n\n"
                "We decided to keep the blue theme.\n"),
    new="FYI", not_new="blue theme",
    orig_from="alice@example.com", orig_subject="Design sync",
    orig_date="2026-03-03T10:15:00+01:00", orig_body="blue theme",
))

_add(Sample(
    name="markdown_bold_headers",
    raw=message("FW: Design sync", "**From:** Alice Archer <alice@example.com>\n**Sent:** Tuesday, March 3, "
                "2026 10:15 AM\n**To:** Bob <bob@example.net>\n**Subject:** Design sync\n\n"
                "We decided to keep the blue theme.\n"),
    new="", not_new="blue theme",
    orig_from="alice@example.com", orig_subject="Design sync",
    orig_date="2026-03-03T10:15:00+01:00", orig_body="blue theme",
))

_add(Sample(
    name="reply_ps_after_closing",
    raw=message("Re: Meeting", "Thursday is fine.\n\nBest regards,\nBob\n\nP.S. I will bring the printed "
                "agenda and the budget sheet for everyone.\n\nOn Tue, Mar 3, 2026 at 10:15 AM Alice "
                "<alice@example.com> wrote:\n> Thursday?\n"),
    new="P.S. I will bring", not_new="Best regards", signature="Best regards",
))

_add(Sample(
    name="reply_dated_intro_without_verb",
    raw=message("Re: Meeting", "Yes.\n\n2026-03-03 10:15 GMT+01:00 Alice Archer <alice@example.com>:\n\n"
                "> Thursday at ten?\n"),
    new="Yes.", not_new="Alice Archer",
))

_add(Sample(
    name="thunderbird_fr",
    raw=message("Fwd: Réunion", "Voir ci-dessous\n\n-------- Message transféré --------\nSujet : \tRéunion\n"
                "Date : \tmar. 3 mars 2026 10:15:00 +0100\nDe : \tÉlodie Martin <elodie@example.fr>\n"
                "Pour : \tBob Builder <bob@example.net>\n\nOn se voit jeudi.\n"),
    new="Voir ci-dessous", not_new="On se voit",
    orig_from="elodie@example.fr", orig_subject="Réunion",
    orig_date="2026-03-03T10:15:00+01:00", orig_body="On se voit jeudi",
))

# --- replies under a subject without prefix --------------------------------------------------

for _i, (_text, _new, _not) in enumerate((
    ("Sounds great, see you then.\n\nFrom: Alice Archer [mailto:alice@example.com]\nSent: Tuesday, March 3, "
     "2026 10:15 AM\nTo: Bob\nSubject: RE: Lunch\n\nShall we say noon?\n", "see you then", "noon"),
    ("Fine.\n\n-----Original Message-----\nFrom: Alice\nSent: Tuesday, March 3, 2026 10:15 AM\nSubject: Lunch\n\n"
     "Shall we say noon?\n", "Fine.", "noon"),
    ("On Tue, Mar 3, 2026 at 10:15 AM, Alice Archer <alice@example.com>\nwrote:\n> Shall we say noon?\n", "",
     "noon"),
    ("Reply text\n\n--\nBob Builder\nhttps://example.net\n\n\nOn Tue, Mar 3, 2026 at 10:15 AM, Alice wrote:\n"
     "> noon?\n", "Reply text", "example.net"),
    ("Hi,\nmeeting moved to 3pm.\n\nSent from my Samsung Galaxy smartphone.\n\n-------- Original message "
     "--------\nFrom: Alice <alice@example.com>\nDate: 03/03/2026 10:15 (GMT+01:00)\nTo: Bob <bob@example.net>\n"
     "Subject: Meeting\n\nWhen?\n", "moved to 3pm", "When?"),
    ("Thx\n\nLe mar. 3 mars 2026 à 10:15, Alice Archer <alice@example.com> a\nécrit :\n\n> noon?\n", "Thx",
     "noon"),
)):
    _add(Sample(name=f"reply_no_prefix_{_i}", raw=message("Lunch", _text), new=_new, not_new=_not))

_add(Sample(
    name="mutt_forward",
    raw=message("Fwd: Budget", "See this.\n\n----- Forwarded message from Alice Archer <alice@example.com> -----\n\n"
                "Date: Tue, 3 Mar 2026 10:15:00 +0100\nFrom: Alice Archer <alice@example.com>\nTo: Bob "
                "<bob@example.net>\nSubject: Budget\n\nThe budget is approved.\n\n----- End forwarded message -----\n"),
    new="See this", not_new="budget is approved",
    orig_from="alice@example.com", orig_subject="Budget",
    orig_date="2026-03-03T10:15:00+01:00", orig_body="budget is approved", orig_not="End forwarded",
))

_add(Sample(
    name="header_block_starting_with_date",
    raw=message("Fwd: Budget", "FYI\n\nDate: Tue, 3 Mar 2026 10:15:00 +0100\nFrom: alice@example.com\n"
                "To: bob@example.net\nSubject: Budget\n\nThe budget is approved.\n"),
    new="FYI", not_new="budget is approved",
    orig_from="alice@example.com", orig_subject="Budget",
    orig_date="2026-03-03T10:15:00+01:00", orig_body="budget is approved",
))

_add(Sample(
    name="minutes_with_date_and_subject_lines",
    raw=message("Minutes", "Date: 3 March 2026\nSubject: Weekly sync\nAttendees: Alice, Bob\n\nAgreed to ship.\n"),
    new="Agreed to ship", not_new="Minutes of another meeting",
))
