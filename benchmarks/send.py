"""Table 4: drafts per second to a local aiosmtpd, one reused connection vs one per draft.

    python3 -m benchmarks.send [--quick] [-n N]

The server is tests/servers.py's SmtpServers (plain listener on loopback, no Dovecot: messages
are accepted and kept in memory). "reused" is one mailflow.smtp.send_drafts call with all N
drafts; "per draft" is N calls with one draft each (a connection, EHLO and QUIT each time, and
a fresh event loop, as a caller sending one mail at a time would pay). The server runs in this
process (a thread), so its work is part of the time: both columns pay it equally. Wall time.
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

    def settings(self) -> SmtpSettings:
        return SmtpSettings(host=self.smtp.host, port=self.smtp.port, security="plain", user="",
                            timeout=30.0)

    def close(self) -> None:
        import shutil

        self.smtp.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def run(env: SmtpEnv, n: int) -> list[SendRun]:
    drafts = make_drafts(n)
    settings = env.settings()
    send_drafts(drafts[:1], settings)  # warm up: imports, first connection
    out = []
    for label, batches in (("reused connection (1 call, N drafts)", [drafts]),
                           ("one connection per draft (N calls)", [[d] for d in drafts])):
        env.smtp.reset()
        t0 = time.perf_counter()
        sent = 0
        for batch in batches:
            sent += sum(r.status == "sent" for r in send_drafts(batch, settings))
        wall = time.perf_counter() - t0
        out.append(SendRun(label=label, drafts=n, wall=wall, sent=sent, transactions=env.smtp.transactions))
    return out


def report(runs: list[SendRun]) -> str:
    rows: list[tuple[object, ...]] = [(r.label, r.drafts, r.sent, r.transactions, r.wall, r.rate) for r in runs]
    lines = [table(("mode", "drafts", "sent", "server txns", "wall s", "drafts/s"), rows)]
    if len(runs) == 2 and runs[1].rate:
        lines.append(f"connection reuse is {runs[0].rate / runs[1].rate:.1f}x the per-draft rate")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="50 drafts instead of 300")
    ap.add_argument("-n", type=int, help="drafts per mode (default 300, quick 50)")
    args = ap.parse_args(argv)
    n = args.n or (50 if args.quick else 300)
    env = SmtpEnv()
    try:
        print(f"4. SEND THROUGHPUT ({n} drafts of ~3 KB to a local aiosmtpd, plain SMTP on loopback)",
              flush=True)
        print(report(run(env, n)))
    finally:
        env.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
