"""Letter -> Note: what the author wrote, with forwards unwrapped and quotes/signatures cut.

Rules: works on the Letter's plain text only (no I/O, no clock). A forward is recognised by
its separator line or by a header block (From/Sent/To/Subject in English, German, French,
Spanish, Dutch, Italian, Portuguese, Swedish ...); forwards of forwards are followed to the
innermost original, whose headers become ``Note.original`` and whose own text is
``original_body``. A message/rfc822 attachment counts as a forward when no inline one is found.
A header block or separator under a reply subject ("Re:", "AW:" ...) is quoted history, as are
"On ... wrote:" lines and "> " blocks: all of it goes to ``Note.quoted``. Signatures ("-- ",
"Sent from my iPhone", "Best regards,\\nName") are cut and kept aside.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .letters import CONTROL_CHARS as _CONTROL
from .letters import dedent, read_addresses
from .model import Address, Headers, Letter, Note

__all__ = ["read_note", "split_reply", "split_signature", "parse_loose_date"]

_MAX_NESTED = 12
_MAX_TEXT = 400_000

# --- markers ---------------------------------------------------------------------------------

_FORWARD_PHRASES = (
    r"forwarded message|forwarded e-?mail|weitergeleitete nachricht|message transf[ée]r[ée]"
    r"|mensaje reenviado|doorgestuurd bericht|messaggio inoltrato|mensagem (?:encaminhada|reencaminhada)"
    r"|vidarebefordrat meddelande|videresendt (?:meddelelse|melding)|wiadomo[śs][ćc] przekazana"
    r"|välitetty viesti|пересылаемое сообщение|转发的邮件"
)
_ORIGINAL_PHRASES = (
    r"original message|urspr[üu]ngliche nachricht|message d'origine|mensaje original"
    r"|oorspronkelijk bericht|origineel bericht|messaggio originale|mensagem original"
    r"|originalmeddelande|opprinnelig melding|oprindelig meddelelse|alkuperäinen viesti"
    r"|wiadomo[śs][ćc] oryginalna|исходное сообщение"
)
_SEPARATOR = re.compile(
    rf"^[\s*]*+[-=_]{{2,}}+\s*+(?:(?P<fwd>{_FORWARD_PHRASES})|(?P<orig>{_ORIGINAL_PHRASES}))"
    rf"(?:\s+from\s[^\n]{{0,200}}?)?\s*:?\s*[-=_]{{2,}}+\s*$",
    re.I,
)
_END_FORWARD = re.compile(r"^\s*-{2,}\s*end (?:of )?forwarded message\s*-{2,}\s*$", re.I | re.M)
_APPLE_FORWARD = re.compile(
    r"^\s*(?:begin forwarded message|anfang der weitergeleiteten nachricht|d[ée]but du message r[ée]exp[ée]di[ée]"
    r"|inicio del mensaje reenviado|begin doorgestuurd bericht|inizio messaggio inoltrato"
    r"|in[íi]cio da mensagem reencaminhada|in[íi]cio da mensagem encaminhada|vidarebefordrat brev)\s*:\s*$",
    re.I,
)
_RULE = re.compile(r"^\s*_{10,}\s*$")

_KEYS = {
    "from": "from", "von": "from", "de": "from", "van": "from", "da": "from", "från": "from",
    "fra": "from", "od": "from", "от": "from", "expéditeur": "from", "remitente": "from",
    "date": "date", "sent": "date", "datum": "date", "gesendet": "date", "envoyé": "date",
    "envoyé le": "date", "enviado": "date", "enviado el": "date", "enviada": "date",
    "enviada em": "date", "enviado em": "date", "fecha": "date", "verzonden": "date",
    "verstuurd": "date", "inviato": "date", "data": "date", "skickat": "date", "sendt": "date",
    "wysłano": "date", "отправлено": "date", "sent at": "date",
    "to": "to", "an": "to", "à": "to", "a": "to", "para": "to", "aan": "to", "till": "to",
    "til": "to", "per": "to", "do": "to", "destinataire": "to", "кому": "to",
    "cc": "cc", "kopie": "cc", "copie": "cc", "copia": "cc", "cópia": "cc", "kopia": "cc",
    "копия": "cc",
    "subject": "subject", "betreff": "subject", "objet": "subject", "asunto": "subject",
    "onderwerp": "subject", "oggetto": "subject", "assunto": "subject", "ämne": "subject",
    "emne": "subject", "sujet": "subject", "temat": "subject", "тема": "subject",
    "reply-to": "reply_to", "antwort an": "reply_to", "répondre à": "reply_to",
    "message-id": "message_id", "pour": "to", "destinatario": "to", "empfänger": "to",
    "bcc": "ignore", "cco": "ignore", "importance": "ignore", "wichtigkeit": "ignore",
    "priority": "ignore", "priorität": "ignore", "attachments": "ignore", "anlagen": "ignore",
    "pièces jointes": "ignore", "adjuntos": "ignore", "allegati": "ignore", "bijlagen": "ignore",
    "anexos": "ignore",
}
_SPACES = re.compile(r"\s+")
_KEY_PARTS = frozenset(k[i:j] for k in _KEYS for i in range(len(k)) for j in range(i + 1, len(k) + 1))
_HEADERISH = re.compile(r"^\s*[^\W\d_][\w .-]{0,20}\s*:(?!//)")
_HEADER_LINE = re.compile(
    r"^\s*[*_]{0,2}\s*(?P<key>[^\W\d_][\w\- .'’]{0,18}?)\s*[*_]{0,2}\s*:[*_]{0,2}[ \t]*(?P<value>.*)$"
)

_REPLY_SUBJECT = re.compile(r"^\s*(?:re|aw|sv|antw|r|res|vs|odp|ynt|atb|vá|回复)\s*(?:\[\d+\])?\s*:", re.I)
_FORWARD_SUBJECT = re.compile(
    r"^\s*(?:fwd?|wg|tr|rv|i|enc|doorst|vb|vl|vs|pd|fs|forward|转发)\s*(?:\[\d+\])?\s*:", re.I
)

_WROTE = (
    r"wrote|writes|schrieb|a [ée]crit|escribi[óo]|escreveu|schreef|geschreven|ha scritto|skrev|kirjoitti"
    r"|napisa[łl](?:\(a\))?|napsal|написал(?:\(а\))?|yazd[ıi]"
)
_INTRO_START = re.compile(
    r"^\s*(?:on|am|le|el|op|il|em|den|w dniu|dne|el d[íi]a|il giorno|at|в)\b", re.I
)
_DATED_WHO = re.compile(r"\d.{0,120}<[^<>\s]+@[^<>\s]+>\s*:\s*$")  # "2026-03-03 10:15 GMT+01:00 A <a@b>:"
_WROTE_TAIL = re.compile(rf"\b(?:{_WROTE})\b[^:\n]{{0,60}}:$", re.I)
_REPLY_WHO_FIRST = re.compile(rf"^\s*[^\n<>]{{1,80}}?<[^<>\s]+@[^<>\s]+>\s+(?:{_WROTE})\b", re.I)

_SIG_DASHES = re.compile(r"\n(?:-- ?|--|—)[^\S\n]*$", re.M)  # for _line_starts
_DEVICES = (
    r"iphone|ipad|ipod|android|mobile|phone|smartphone|tablet|device|blackberry|samsung|galaxy"
    r"|huawei|pixel|xiaomi|oneplus|nokia|motorola|htc|sony|windows phone|handy|portable|móvil|movil"
    r"|celular|telefono|telefoon|telefone|cellulare"
)
_MOBILE = re.compile(
    rf"^\s*(?:(?:sent from my|von meinem|envoy[ée] de mon|enviado desde mi|enviado do meu|enviado de meu"
    rf"|verzonden (?:vanaf|met) mijn|verstuurd vanaf mijn|inviato dal mio|inviato da|skickat från min"
    rf"|sendt fra min|wysłane z mojego|отправлено с моего)\s(?:[\w.-]+\s){{0,3}}?(?:{_DEVICES})\b"
    r"|sent from (?:outlook|mail for windows|yahoo mail|proton mail|gmail|samsung)|sent with proton"
    r"|get outlook for |von meinem \S+ gesendet|gesendet von (?:meinem|mobile|yahoo|outlook)"
    r"|envoy[ée] depuis (?:mon|yahoo|outlook)|inviato da (?:iphone|ipad|android)"
    r"|obtener outlook para|baixe o outlook para|outlook voor )[^,;]{0,40}$",
    re.I,
)
_CLOSING = re.compile(
    r"^\s*(?:(?:best|kind|warm|warmest|many|with kind|with best)?\s*(?:regards|wishes)|best|cheers|thanks"
    r"|thank you|many thanks|thanks again|all the best|sincerely|yours(?: sincerely| truly)?|take care"
    r"|talk soon|br|rgds|mfg|mit freundlichen gr[üu](?:ß|ss)en|freundliche gr[üu](?:ß|ss)e"
    r"|(?:viele|beste|liebe|herzliche) gr[üu](?:ß|ss)e|gru(?:ß|ss)|lg|vg|cordialement|bien (?:à|a) (?:vous|toi)"
    r"|bien cordialement|salutations|amicalement|merci|saludos(?: cordiales)?|un saludo|atentamente"
    r"|gracias|un abrazo|met vriendelijke groet(?:en)?|groeten|hartelijke groet(?:en)?|groet"
    r"|cordiali saluti|saluti|grazie|a presto|atenciosamente|abra[çc]os|obrigad[oa]|cumprimentos"
    r"|med v[äa]nlig h[äa]lsning|h[äa]lsningar|mvh|vennlig hilsen)\s*[,.!]*\s*$",
    re.I,
)

_QUOTE = re.compile(r"^\s*>")
_QUOTE_LINE = re.compile(r"\n[^\S\n]*>")  # _QUOTE, for _line_starts
_PS = re.compile(r"^\s*p\.?\s?p?\.?\s?s\.?(?:\s|:|$)", re.I)
_WROTE_WORDS = ("wrote", "writes", "schrieb", "crit", "escribi", "escreveu", "schreef", "geschreven", "scritto",
                "skrev", "kirjoitti", "napisa", "napsal", "написал", "yazd")


_WROTE_WORD = re.compile("|".join(re.escape(w) for w in _WROTE_WORDS))


@dataclass(frozen=True, slots=True)
class _Marker:
    kind: str  # "forward", "original", "reply"
    start: int  # first line of the marker
    block: int  # first line after the separator (the header block, if any)


# --- small text helpers ----------------------------------------------------------------------

_BLANK_RUN = re.compile(r"\n\n\n+")  # = \n{3,}; a literal prefix is searched much faster


def _lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _join(lines: list[str]) -> str:
    return "\n".join(lines).strip("\n")


def _clean(text: str) -> str:
    text = "\n".join(map(str.rstrip, text.split("\n")))
    return _BLANK_RUN.sub("\n\n", text).strip()


def _header_key(line: str) -> tuple[str, str] | None:
    line = line.lstrip()
    colon = line.find(":", 0, 40)
    if len(line) > 2000 or colon < 0:
        return None
    # Before its (first) colon _HEADER_LINE allows only blanks, up to two '*'/'_' on each side
    # and the key, so what is left once those are stripped is a part of the key, and must be a
    # part of a known key once normalised: other heads are rejected without the costly regex.
    head = line[:colon].strip().strip("*_").strip()
    if len(head) > 19 or " ".join(head.lower().replace("’", "'").split()) not in _KEY_PARTS:
        return None
    m = _HEADER_LINE.match(line)
    if not m:
        return None
    key = _SPACES.sub(" ", m.group("key").strip().lower().replace("’", "'"))
    field = _KEYS.get(key)
    if field is None:
        return None
    return field, m.group("value").strip().strip("*_").strip()


def _dequote(line: str) -> str:
    return re.sub(r"^\s*>\s?", "", line)


_Keys = dict[int, tuple[str, str] | None]  # _header_key of every line holding a ':', by index


def _header_block(lines: list[str], i: int, keys: _Keys | None = None,
                  ) -> tuple[dict[str, str], int] | None:
    """The forward/reply header block starting at or just after line i: (fields, end line)."""

    def key(k: int) -> tuple[str, str] | None:
        return _header_key(lines[k]) if keys is None else keys.get(k)

    j = i
    while j < len(lines) and j < i + 3 and not lines[j].strip():
        j += 1
    fields: dict[str, str] = {}
    last = None
    k = j
    while k < len(lines) and k < j + 40:
        line = lines[k]
        if not line.strip():
            if fields and (k + 1 >= len(lines) or key(k + 1) is None
                           or len(fields) >= 3):
                break
            k += 1
            continue
        got = key(k)
        if got is not None and (got[0] not in fields or got[0] in (last, "ignore")):
            field, value = got
            if field in fields:
                fields[field] += " " + value
            else:
                fields[field] = value
            last = field
        elif got is not None:
            break
        elif last in ("to", "cc", "subject") and fields and (
            "@" in line or ";" in line or (last == "subject" and line[:1] in " \t")
        ) and len(line) < 200 and not _HEADERISH.match(line):
            fields[last] += " " + line.strip()
        else:
            break
        k += 1
    if "from" not in fields and "subject" not in fields:
        return None
    if len(fields) < 2:
        return None
    return fields, k


def _is_outlook_block(lines: list[str], i: int, keys: _Keys | None = None) -> bool:
    """A header block without separator: From, Subject and Date or To (From may come later)."""
    got = _header_key(lines[i]) if keys is None else keys.get(i)
    if got is None or got[0] not in ("from", "date", "subject", "to") or not got[1]:
        return False
    block = _header_block(lines, i, keys)
    if block is None:
        return False
    fields = block[0]
    if "from" not in fields or "subject" not in fields:
        return False
    return "date" in fields or "to" in fields


def _reply_intro(lines: list[str], i: int) -> int:
    """How many lines (1-3) an "On ... wrote:" intro starting at line i spans; 0 if none.

    Linear time: the text must end with ':' and a wrote-word must sit in its last 120
    characters; the start must be an intro word, or the text must hold an address or a digit.
    """
    first = lines[i].strip()
    if not first or len(first) > 400 or _QUOTE.match(lines[i]):
        return 0
    if _REPLY_WHO_FIRST.match(first[:200]):
        return 1
    for span in (1, 2, 3):
        if i + span > len(lines):
            break
        if span > 1 and not lines[i + span - 1].strip():
            break
        joined = " ".join(x.strip() for x in lines[i:i + span])
        if not joined.endswith(":") or len(joined) > 700:
            continue
        if not _WROTE_TAIL.search(joined[-120:]):
            continue
        if _INTRO_START.match(joined) or "@" in joined or any(c.isdigit() for c in joined):
            return span
    return 0


# Which lines _find_marker has to look at. A marker line holds a pair of [-=_] (separator lines,
# the Outlook rule), or ends in ':' (Apple intros), or is a header line (the Outlook block: a
# line with a ':' that _header_key reads). A reply intro ("On ... wrote:") starts on a line
# holding "<...@" (_REPLY_WHO_FIRST) or on a line ending in ':' or one or two lines above one
# (_WROTE_TAIL), and needs a wrote-word in it or in one of the next two lines (the per-line check
# it always had). Other lines are never markers. The pairs are searched for in the whole text,
# each regex starting with a literal character and taking the rest of the line.
_MARKER_PAIRS = tuple(re.compile(re.escape(c) + "[-=_][^\n]*") for c in "-=_")
_ANGLE_ADDR = re.compile(r"<[^<>\s]+@")


def _marker_lines(lines: list[str]) -> tuple[list[int], set[int], _Keys]:
    """(sorted indices of lines that may be markers, those where a reply intro may start, and
    the header keys of the lines: _header_key is None without a ':')."""
    text = "\n".join(lines)
    pairs = sorted(m.start() for p in _MARKER_PAIRS for m in p.finditer(text))
    colon = [i for i, x in enumerate(lines) if ":" in x]
    colon_end = {i for i in colon if lines[i].rstrip().endswith(":")}
    found = set(_line_numbers(text, pairs)) | colon_end
    keys = {i: _header_key(lines[i]) for i in colon}
    found.update(i for i, got in keys.items() if got is not None)
    starts = {i for i, x in enumerate(lines) if "@" in x and _ANGLE_ADDR.search(x)}
    starts = starts.union(*(range(max(e - 2, 0), e + 1) for e in colon_end))
    wrote = _wrote_lines(lines, sorted({k for i in starts for k in range(i, min(i + 3, len(lines)))}))
    intro = {i for i in starts if wrote.intersection((i, i + 1, i + 2))}
    return sorted(found | intro), intro, keys


def _wrote_lines(lines: list[str], near: list[int]) -> set[int]:
    """Those of the ascending line indices near whose lowered line holds one of _WROTE_WORDS.

    Each run of consecutive lines is first searched at once (no word spans a newline, and lower()
    maps each line on its own), line by line only when it holds a word.
    """
    out: set[int] = set()
    first = 0
    for k in range(1, len(near) + 1):
        if k < len(near) and near[k] == near[k - 1] + 1:
            continue
        run = near[first:k]
        first = k
        if _WROTE_WORD.search("\n".join(lines[run[0]:run[-1] + 1]).lower()):
            out.update(i for i in run if _WROTE_WORD.search(lines[i].lower()))
    return out


def _line_starts(pattern: re.Pattern[str], text: str) -> list[int]:
    """The lines of text at whose start pattern matches. The pattern begins with "\\n" and is run
    on "\\n" + text: same lines as "^" with re.M, but a literal first character is searched for
    far faster than "^" is tried at every position."""
    framed = "\n" + text
    return _line_numbers(framed, [m.start() for m in pattern.finditer(framed)])


def _line_numbers(text: str, positions: list[int]) -> list[int]:
    """The line (0-based, "\\n"-separated) of each of the ascending positions in text."""
    out: list[int] = []
    line = last = 0
    for at in positions:
        line += text.count("\n", last, at)
        last = at
        out.append(line)
    return out


def _find_marker(lines: list[str]) -> _Marker | None:
    candidates, intro, keys = _marker_lines(lines)
    for i in candidates:
        line = lines[i]
        if not line.strip() or _QUOTE.match(line):
            continue
        if _RULE.match(line):
            nxt = next((k for k in range(i + 1, min(i + 4, len(lines))) if lines[k].strip()), None)
            if nxt is not None and _is_outlook_block(lines, nxt, keys):
                return _Marker(kind="original", start=i, block=nxt)
            continue
        if line.isascii() and line.upper() == line.lower():  # no letters: no marker
            continue
        m = _SEPARATOR.match(line)
        if m:
            return _Marker(kind="forward" if m.group("fwd") else "original", start=i, block=i + 1)
        if _APPLE_FORWARD.match(line):
            return _Marker(kind="forward", start=i, block=i + 1)
        if _is_outlook_block(lines, i, keys):
            return _Marker(kind="original", start=i, block=i)
        if i in intro:
            span = _reply_intro(lines, i)
            if span:
                return _Marker(kind="reply", start=i, block=i + span)
    return None


# --- replies and signatures ------------------------------------------------------------------

def split_reply(text: str) -> tuple[str, str | None]:
    """(the author's own text, the quoted history that was cut, or None)."""
    return _split_reply(*_scan(text))


def _scan(text: str) -> tuple[list[str], _Marker | None]:
    """The lines of text and its first forward/reply marker, found once per text."""
    lines = _lines(text)
    return lines, _find_marker(lines)


def _split_reply(lines: list[str], marker: _Marker | None) -> tuple[str, str | None]:
    cut = marker.start if marker else len(lines)
    own, quoted = lines[:cut], lines[cut:]
    # interleaved "> " quotes, each with its "... wrote:" intro: only a quote line or one of the
    # two lines above a quote line can be cut, so no other line is looked at
    joined = "\n".join(own)
    quotes = set(_line_starts(_QUOTE_LINE, joined))
    cut_lines: set[int] = set(quotes)
    for i in {k - d for k in quotes for d in (1, 2) if k - d >= 0} - quotes:
        line = own[i]
        nxt = next((x for x in own[i + 1:i + 3] if x.strip()), "")
        tail = line.rstrip()[-120:]
        if _QUOTE.match(nxt) and tail.endswith(":") and (
                _WROTE_TAIL.search(tail) or _DATED_WHO.search(line[:300])):
            cut_lines.add(i)
    removed = [own[i] for i in sorted(cut_lines)]
    kept = [x for i, x in enumerate(own) if i not in cut_lines] if cut_lines else own
    history = _join(removed + ([""] if removed and quoted else []) + quoted)
    return _clean(_join(kept)), (history.strip() or None)


def split_signature(text: str) -> tuple[str, str | None]:
    """(text without its signature, the signature or None)."""
    lines = _lines(text)
    n = len(lines)
    joined = "\n".join(lines)
    for i in _line_starts(_SIG_DASHES, joined):
        if i > 0:
            return _clean(_join(lines[:i])), _clean(_join(lines[i + 1:])) or None
    tail_from = n  # the first line with at most 7 non-blank lines from it to the end
    seen = 0
    for i in range(n - 1, -1, -1):
        if lines[i].strip():
            seen += 1
            if seen > 7:
                break
        tail_from = i
    for i in range(tail_from, n):
        if _MOBILE.match(lines[i].lstrip()[:200]):
            body, sig = _closing(lines[:i])
            tail = _clean(_join(lines[i:]))
            return body, (f"{sig}\n{tail}" if sig else tail)
    body, sig = _closing(lines[:n])
    return body, sig


def _closing(lines: list[str]) -> tuple[str, str | None]:
    window: list[int] = []  # the last 10 non-blank lines
    for i in range(len(lines) - 1, -1, -1):
        if lines[i].strip():
            window.append(i)
            if len(window) == 10:
                break
    first = next((i for i, x in enumerate(lines) if x.strip()), None)
    for i in reversed(window):
        if len(lines[i]) > 200 or not _CLOSING.match(lines[i].strip()) or i == first:
            continue
        ps = next((k for k in range(i + 1, len(lines)) if _PS.match(lines[k])), len(lines))
        tail = [x for x in lines[i + 1:ps] if x.strip()]
        if len(tail) <= 8 and all(len(x.strip()) <= 80 for x in tail):
            return _clean(_join(lines[:i] + [""] + lines[ps:])), _clean(_join(lines[i:ps]))
    return _clean(_join(lines)), None


def _own_text(lines: list[str], marker: _Marker | None) -> tuple[str, str | None, str | None]:
    """(own text, signature, quoted) of one author's part (``_scan`` of its text)."""
    own, quoted = _split_reply(lines, marker)
    body, signature = split_signature(own)
    return body, signature, quoted


# --- forward header blocks -------------------------------------------------------------------

_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "january jan januar jänner janvier janv enero ene januari gennaio gen janeiro stycznia января",
        "february feb februar février fevrier févr fevr febrero februari febbraio fevereiro fev lutego февраля",
        "march mar märz maerz mär mrz mars marzo maart mrt março marco marca марта",
        "april apr avril avr abril abr aprile kwietnia апреля",
        "may mai mayo mei maggio mag maio maj maja мая",
        "june jun juni juin junio giugno giu junho czerwca июня",
        "july jul juli juillet juil julio luglio lug julho lipca июля",
        "august aug août aout agosto ago augustus augusti sierpnia августа",
        "september sep sept septembre septiembre setiembre settembre set setembro września сентября",
        "october oct oktober okt octobre octubre ottobre ott outubro out października октября",
        "november nov novembre noviembre novembro listopada ноября",
        "december dec dezember dez décembre decembre déc diciembre dic dicembre dezembro grudnia декабря",
    ),
    start=1,
):
    for _name in _names.split():
        _MONTHS[_name] = _number

_ABBREVIATIONS = {
    "utc": 0, "gmt": 0, "z": 0, "wet": 0, "west": 60, "bst": 60, "cet": 60, "mez": 60,
    "cest": 120, "mesz": 120, "eet": 120, "eest": 180, "msk": 180, "pst": -480, "pdt": -420,
    "mst": -420, "mdt": -360, "cst": -360, "cdt": -300, "est": -300, "edt": -240,
    "ast": -240, "adt": -180, "hst": -600, "akst": -540, "akdt": -480, "jst": 540, "kst": 540,
    "aest": 600, "aedt": 660, "nzst": 720, "nzdt": 780, "sgt": 480, "hkt": 480,
}


def parse_loose_date(value: str, fallback: dt.tzinfo | None = None) -> dt.datetime | None:
    """A date as forward blocks write it, in many languages; aware, or None.

    The offset is kept when the text states one (numeric, GMT+1, or a common abbreviation);
    otherwise ``fallback`` (the forwarder's zone, from the outer Date) is assumed.
    """
    import email.utils

    value = value.strip()
    if not value or len(value) > 200:
        return None
    try:
        when = email.utils.parsedate_to_datetime(value)
        if when is not None and when.tzinfo is not None and 1980 <= when.year <= 2200:
            return when
    except (TypeError, ValueError, IndexError, OverflowError):
        pass
    s = value.lower()
    hour = minute = second = 0
    tm = re.search(
        r"(?<![\d.])(\d{1,2})(?::|h(?=\d))(\d{2})(?::(\d{2}))?(?:\s*(a\.?\s?m\.?|p\.?\s?m\.?))?"
        r"|(?<![\d.])(\d{1,2})\.(\d{2})\s*uhr",
        s,
    )
    if tm:
        if tm.group(1):
            hour, minute = int(tm.group(1)), int(tm.group(2))
            second = int(tm.group(3) or 0)
            ampm = (tm.group(4) or "").replace(".", "").replace(" ", "")
            if ampm == "pm" and hour < 12:
                hour += 12
            elif ampm == "am" and hour == 12:
                hour = 0
        else:
            hour, minute = int(tm.group(5)), int(tm.group(6))
        s = s[: tm.start()] + " " + s[tm.end():]
    offset: int | None = None
    zm = re.search(r"\b(?:gmt|utc)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?\b", s) or re.search(
        r"(?<![\w])([+-])(\d{2}):?(\d{2})\b", s
    )
    if zm:
        sign = -1 if zm.group(1) == "-" else 1
        offset = sign * (int(zm.group(2)) * 60 + int(zm.group(3) or 0))
        s = s[: zm.start()] + " " + s[zm.end():]
    else:
        for word in re.findall(r"[a-z]+", s):
            if word in _ABBREVIATIONS:
                offset = _ABBREVIATIONS[word]
                break
    year = month = day = None
    iso = re.search(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b", s) or re.search(
        r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日", s)
    num = re.search(r"\b(\d{1,2})[./](\d{1,2})[./](\d{2,4})\b", s)
    if iso:
        year, month, day = int(iso.group(1)), int(iso.group(2)), int(iso.group(3))
    elif num:
        a, b, year = int(num.group(1)), int(num.group(2)), int(num.group(3))
        year += 2000 if year < 100 else 0
        us = bool(tm and tm.group(4)) or "/" in num.group(0) and a <= 12 < b
        month, day = (a, b) if (us and b <= 31) or b > 12 else (b, a)
    else:
        for word in re.findall(r"[^\W\d_]+", s):
            if word in _MONTHS:
                month = _MONTHS[word]
                break
        ym = re.search(r"\b(19\d{2}|2[01]\d{2})\b", s)
        year = int(ym.group(1)) if ym else None
        rest = s[: ym.start()] + " " + s[ym.end():] if ym else s
        dm = re.search(r"(?<![\d:])(\d{1,2})(?:st|nd|rd|th|er|º|\.)?(?![\d:])", rest)
        day = int(dm.group(1)) if dm else None
    if not (year and month and day):
        return None
    if offset is not None:
        zone: dt.tzinfo = dt.timezone(dt.timedelta(minutes=offset))
    elif fallback is not None:
        zone = fallback
    else:
        return None
    try:
        return dt.datetime(year, month, day, hour, minute, second, tzinfo=zone)
    except ValueError:
        return None


_BLOCK_ADDR = re.compile(
    r"^(?P<name>.*?)\s*[<\[]\s*(?:mailto:)?(?P<addr>[^\s<>\[\]()]+@[^\s<>\[\]()]+?)\s*[>\]]\s*$", re.I
)
_BARE_ADDR = re.compile(r"^(?:mailto:)?(?P<addr>[^\s<>\[\]()\"',;:]+@[^\s<>\[\]()\"',;:]+\.[a-z]{2,})$", re.I)


def _block_addresses(value: str) -> tuple[Address, ...]:
    """Addresses as forward blocks print them: "Name <a@b>", "Name [mailto:a@b]", "a@b", "Name"."""
    value = re.sub(r"\[([^\]]*@[^\]]*)\]\(mailto:[^)]*\)", r"\1", value)  # markdown-style links
    value = value.strip().strip(";,")
    if not value:
        return ()
    items = [x for x in re.split(r";", value) if x.strip()] if ";" in value else []
    if not items:
        parts = [p for p in re.split(r",", value)]
        items = []
        buf = ""
        for p in parts:
            buf = f"{buf},{p}" if buf else p
            if "@" in p or buf.count('"') % 2 == 0 and '"' in buf or "@" not in value:
                items.append(buf)
                buf = ""
        if buf:
            if items and "@" not in buf:
                items.append(buf)
            else:
                items.append(buf)
    out: list[Address] = []
    for raw in items:
        item = raw.strip()
        if not item:
            continue
        m = _BLOCK_ADDR.match(item)
        if m:
            name = m.group("name").strip().strip("\"'").strip()
            if name.lower() == m.group("addr").lower():
                name = ""
            out.append(Address(name=name, addr=m.group("addr").lower()))
            continue
        b = _BARE_ADDR.match(item)
        if b:
            out.append(Address(name="", addr=b.group("addr").lower()))
            continue
        parsed = read_addresses([item])
        if parsed:
            out.extend(parsed)
        elif "@" not in item and len(item) <= 80:
            out.append(Address(name=item.strip("\"' "), addr=""))
    return tuple(out)


def _block_headers(fields: dict[str, str], fallback: dt.tzinfo | None) -> Headers:
    fields = {k: _CONTROL.sub(" ", v) for k, v in fields.items()}
    date_text = re.sub(r"^(?:on|le|am|el|em|il|op)\s+", "", fields.get("date", ""), flags=re.I)
    message_id = fields.get("message_id")
    return Headers(
        message_id=message_id.strip() if message_id else None,
        from_=_block_addresses(fields.get("from", "")),
        to=_block_addresses(fields.get("to", "")),
        cc=_block_addresses(fields.get("cc", "")),
        reply_to=_block_addresses(fields.get("reply_to", "")),
        subject=re.sub(r"\s+", " ", fields.get("subject", "")).strip(),
        date=parse_loose_date(date_text, fallback) if date_text else None,
    )


# --- the note --------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Forward:
    before: str
    headers: Headers
    after: str


def _split_forward(lines: list[str], marker: _Marker | None, subject: str,
                   fallback: dt.tzinfo | None) -> _Forward | None:
    """The forward marked in ``_scan`` of a text, or None when the text is not a forward."""
    if marker is None or marker.kind == "reply":
        return None
    if marker.kind == "original" and _REPLY_SUBJECT.match(subject):
        return None
    block = _header_block(lines, marker.block)
    if block is None:
        if marker.kind != "forward":
            return None
        fields: dict[str, str] = {}
        end = marker.block
    else:
        fields, end = block
    if marker.kind == "original" and not _FORWARD_SUBJECT.match(subject):
        # no prefix on the outer subject: a reply unless nothing was written above the block
        # or the block's own subject says forward
        inner = fields.get("subject", "")
        wrote_above = any(x.strip() for x in lines[: marker.start])
        if _REPLY_SUBJECT.match(inner) or (wrote_above and not _FORWARD_SUBJECT.match(inner)):
            return None
    rest = lines[end:]
    joined = _join(rest)
    # mutt: "----- End forwarded message -----" (the search only runs where it can match)
    tail = _END_FORWARD.search(joined) if "--" in joined else None
    if tail:
        rest = _lines(joined[: tail.start()])
    filled = sum(1 for x in rest if x.strip())
    if filled and len(_line_starts(_QUOTE_LINE, "\n".join(rest))) >= 0.8 * filled:
        rest = [_dequote(x) for x in rest]
    return _Forward(
        before=dedent(_join(lines[: marker.start])),
        headers=_block_headers(fields, fallback),
        after=dedent(_join(rest)),
    )


def read_note(letter: Letter) -> Note:
    """Reduce a Letter to its author's own text, unwrapping forwards to the innermost original."""
    text = letter.text[:_MAX_TEXT]
    head = letter.headers
    fallback = head.date.tzinfo if head.date is not None else None
    lines, marker = _scan(text)
    outer = _split_forward(lines, marker, head.subject, fallback)
    if outer is None:
        body, signature, quoted = _own_text(lines, marker)
        if letter.attached:
            inner = read_note(letter.attached[0])
            original = inner.original or inner.letter.headers
            original_body = inner.original_body if inner.original else inner.body
            original_signature = inner.original_signature if inner.original else inner.signature
            return Note(letter=letter, body=body, signature=signature, original=original,
                        original_body=original_body, original_signature=original_signature,
                        quoted=quoted)
        return Note(letter=letter, body=body, signature=signature, original=None,
                    original_body=None, original_signature=None, quoted=quoted)
    body, signature, quoted = _own_text(*_scan(outer.before))
    history: list[str] = [quoted] if quoted else []
    current = outer
    scan = _scan(current.after)
    for _ in range(_MAX_NESTED):  # forwards of forwards: follow to the innermost original
        nested = _split_forward(*scan, current.headers.subject or "Fwd:",
                                current.headers.date.tzinfo if current.headers.date else fallback)
        if nested is None:
            break
        if nested.before.strip():
            history.append(nested.before.strip())
        current = nested
        scan = _scan(current.after)
    original_body, original_signature, original_quoted = _own_text(*scan)
    if original_quoted:
        history.append(original_quoted)
    return Note(
        letter=letter,
        body=body,
        signature=signature,
        original=current.headers,
        original_body=original_body,
        original_signature=original_signature,
        quoted="\n\n".join(history) or None,
    )
