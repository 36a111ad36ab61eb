"""Table 4: drafts per second to a local aiosmtpd, one reused connection vs one per draft.

    python3 -m benchmarks.send [--quick] [-n N]

The server is tests/servers.py's SmtpServers (plain listener on loopback, no Dovecot: messages
are accepted and kept in memory). "reused" is one mailflow.smtp.send_drafts call with all N
drafts; "per draft" is N calls with one draft each (a connection, EHLO and QUIT each time, and
a fresh event loop, as a caller sending one mail at a time would pay), over plain SMTP and over
implicit TLS (where each new connection costs a handshake). The server runs in this process (a
thread), so its work is part of the time: both modes pay it equally. Wall time, best of two
alternating rounds (the machine may be shared).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any

from mailflow.config import SmtpSettings
from mailflow.model import Draft
from mailflow.smtp import send_drafts

from .mixes import BASE, note_text, table
from .poll_cost import load_servers


def make_drafts(n: int, *, size: int = 3000) -> list[Draft]:
    """`n` recap-like drafts of about `size` bytes, each to two recipients."""
    import random

    rng = random.Random(5)
    out = []
    for i in range(n):
        msg = EmailMessage()
        mid = make_msgid(domain="example.test")
        msg["From"] = "mailflow <mailflow@example.test>"
        msg["To"] = "Ines Moreau <ines@example.test>, Sam Whitfield <sam@example.test>"
        msg["Subject"] = f"Recap {i}"
        msg["Date"] = format_datetime(BASE)
        msg["Message-ID"] = mid
        msg.set_content(note_text(rng, size))
        out.append(Draft(dedupe_key=f"bench-{i}", message_id=mid, sender="mailflow@example.test",
                         recipients=("ines@example.test", "sam@example.test"), subject=f"Recap {i}",
                         data=msg.as_bytes()))
    return out


@dataclass
class SendRun:
    label: str
    drafts: int
    wall: float
    sent: int
    transactions: int

    @property
    def rate(self) -> float:
        return self.drafts / self.wall if self.wall else 0.0


class SmtpEnv:
    """An SMTP server (plain, STARTTLS, TLS listeners) with throw-away certificates."""

    def __init__(self) -> None:
        servers = load_servers()
        self.dir = Path(tempfile.mkdtemp(prefix="mailflow-bench-smtp-"))
        self.smtp: Any = servers.SmtpServers.start(None, servers.Certs.create(self.dir))

    def settings(self, security: str = "plain") -> SmtpSettings:
        return SmtpSettings(host=self.smtp.host, port=self.smtp.port_for(security), security=security,
                            user="", timeout=30.0, ca_file=self.smtp.ca_file)

    def close(self) -> None:
        import shutil

        self.smtp.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def run(env: SmtpEnv, n: int, *, rounds: int = 2, securities: tuple[str, ...] = ("plain", "tls")) -> list[SendRun]:
    """Each mode `rounds` times, alternating; the fastest round counts (the least disturbed)."""
    drafts = make_drafts(n)
    out: list[SendRun] = []
    for security in securities:
        settings = env.settings(security)
        send_drafts(drafts[:1], settings)  # warm up: imports, first connection, TLS context
        best: dict[str, SendRun] = {}
        for _ in range(rounds):
            for label, batches in ((f"{security}: reused connection (1 call, N drafts)", [drafts]),
                                   (f"{security}: one connection per draft (N calls)", [[d] for d in drafts])):
                env.smtp.reset()
                t0 = time.perf_counter()
                sent = 0
                for batch in batches:
                    sent += sum(r.status == "sent" for r in send_drafts(batch, settings))
                wall = time.perf_counter() - t0
                r = SendRun(label=label, drafts=n, wall=wall, sent=sent, transactions=env.smtp.transactions)
                if label not in best or r.wall < best[label].wall:
                    best[label] = r
        out.extend(best.values())
    return out


def report(runs: list[SendRun]) -> str:
    rows: list[tuple[object, ...]] = [(r.label, r.drafts, r.sent, r.transactions, r.wall, r.rate) for r in runs]
    lines = [table(("mode", "drafts", "sent", "server txns", "wall s", "drafts/s"), rows)]
    for reused, single in zip(runs[::2], runs[1::2], strict=True):
        if single.rate:
            lines.append(f"{reused.label.split(':')[0]}: connection reuse sends {reused.rate / single.rate:.1f}x "
                         "as many drafts per second as one connection per draft")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="30 drafts instead of 150")
    ap.add_argument("-n", type=int, help="drafts per mode (default 150, quick 30)")
    args = ap.parse_args(argv)
    n = args.n or (30 if args.quick else 150)
    env = SmtpEnv()
    try:
        print(f"4. SEND THROUGHPUT ({n} drafts of ~3 KB to a local aiosmtpd, loopback; best of 2 rounds)",
              flush=True)
        print(report(run(env, n)))
    finally:
        env.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
