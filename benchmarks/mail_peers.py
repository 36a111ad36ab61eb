"""Who separates the author's new text from quotes and forward blocks best: mailflow or its peers.

    python3 -m benchmarks.mail_peers            (from the project root)

Cases: the sample messages in tests/mail_samples.py (one per client and language, written for
mailflow). A case passes when the new text a tool returns holds the author's phrase and not
the quoted/forwarded phrase. Peers get the same plain text mailflow reads (Letter.text):
quotequail, email-reply-parser and talon, each when installed. mailflow is also scored on the
forward fields (original sender, subject, date with offset, original text). When the shared
mail corpus exists (../shared/corpora/email-dev/), its scorer ../shared/eval/mail.py runs too.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from mailflow.letters import read_letter
from mailflow.notes import read_note
from tests.mail_samples import SAMPLES, Sample

Splitter = Callable[[str], str]


def _mailflow(raw: bytes) -> str:
    return read_note(read_letter(raw)).body


def _peers() -> dict[str, Splitter]:
    found: dict[str, Splitter] = {}
    try:
        import quotequail

        def qq(text: str) -> str:
            return "\n".join(part for shown, part in quotequail.quote(text) if shown)

        found["quotequail"] = qq
    except ImportError:
        pass
    try:
        from email_reply_parser import EmailReplyParser

        found["email-reply-parser"] = EmailReplyParser.parse_reply
    except ImportError:
        pass
    try:
        from talon import quotations

        found["talon"] = quotations.extract_from_plain
    except ImportError:
        pass
    return found


def separated(sample: Sample, new_text: str) -> bool:
    if sample.new and sample.new not in new_text:
        return False
    return sample.not_new not in new_text


def forward_ok(sample: Sample) -> bool | None:
    if sample.orig_from is None:
        return None
    note = read_note(read_letter(sample.raw))
    o = note.original
    return bool(
        o is not None
        and [a.addr for a in o.from_] == [sample.orig_from]
        and o.subject == sample.orig_subject
        and o.date is not None
        and o.date.isoformat() == sample.orig_date
        and sample.orig_body is not None
        and sample.orig_body in (note.original_body or "")
        and not (sample.orig_not and sample.orig_not in (note.original_body or ""))
    )


def _throughput(fn: Callable[[], object], count: int, rounds: int = 5) -> float:
    start = time.perf_counter()
    for _ in range(rounds):
        fn()
    return count * rounds / (time.perf_counter() - start)


def main() -> int:
    texts = [read_letter(s.raw).text for s in SAMPLES]
    n = len(SAMPLES)
    rows: list[tuple[str, int, float, list[str]]] = []
    passed = [s.name for s in SAMPLES if separated(s, _mailflow(s.raw))]
    rate = _throughput(lambda: [_mailflow(s.raw) for s in SAMPLES], n)
    rows.append(("mailflow (bytes in)", len(passed), rate, passed))
    for name, split in _peers().items():
        ok = []
        for sample, text in zip(SAMPLES, texts, strict=True):
            try:
                if separated(sample, split(text) or ""):
                    ok.append(sample.name)
            except Exception:  # noqa: BLE001 - a peer crashing on a case fails that case
                pass
        rate = _throughput(lambda split=split: [split(t) for t in texts], n)
        rows.append((name, len(ok), rate, ok))
    print(f"new text separated from quotes/forward blocks, {n} sample messages:")
    for name, score, per_s, _ in rows:
        print(f"  {name:22s} {score:3d}/{n}   {per_s:8.0f} msg/s")
    best_peer = max((r for r in rows[1:]), key=lambda r: r[1], default=None)
    if best_peer is not None:
        print(f"  mailflow {rows[0][1]} vs best peer {best_peer[0]} {best_peer[1]}")
        missed = sorted(set(best_peer[3]) - set(rows[0][3]))
        if missed:
            print(f"  peer passes, mailflow fails: {', '.join(missed)}")
    failed = [s.name for s in SAMPLES if s.name not in rows[0][3]]
    if failed:
        print(f"  mailflow fails: {', '.join(failed)}")
    fwd = [(s.name, forward_ok(s)) for s in SAMPLES if s.orig_from is not None]
    good = sum(1 for _, ok in fwd if ok)
    print(f"forward fields (sender, subject, date with offset, own text): mailflow {good}/{len(fwd)}"
          " (peers: not offered)")
    bad = [name for name, ok in fwd if not ok]
    if bad:
        print(f"  wrong: {', '.join(bad)}")
    corpus = Path("../shared/corpora/email-dev")
    scorer = Path("../shared/eval/mail.py")
    if corpus.is_dir() and scorer.is_file():
        print(f"shared mail corpus: {scorer}")
        subprocess.run([sys.executable, str(scorer)], check=False)  # noqa: S603
    else:
        print("shared mail corpus: not present (../shared/corpora/email-dev/)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
