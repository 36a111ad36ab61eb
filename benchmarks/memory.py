"""Table 3: peak memory of `mailflow poll` when the mailbox holds messages with 25 MB attachments.

    python3 -m benchmarks.memory [--quick] [--count N] [--mb MB]

Each poll is a separate process (mailflow.cli.main(["--config", ..., "poll"]) in a fresh
interpreter); its peak RSS is the VmHWM the child reads from /proc/self/status as it ends. IMAP goes through the counting proxy of
benchmarks.poll_cost, so the bytes that crossed the wire are measured too (the runner fetches
only header, text, calendar and forwarded parts: Mailbox.fetch_text_parts). A poll of an empty
mailbox is the baseline (interpreter, imports, connection).

Target: peak RSS < 100 MB.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from dataclasses import dataclass

from .mixes import attachment_message, table, verdict
from .poll_cost import ROOT, Env, config_path, start_env

TARGET_MB = 100.0


@dataclass
class PollRun:
    label: str
    messages: int
    stored_bytes: int
    peak_rss_mb: float
    wall: float
    up: int
    down: int
    output: str
    status: int


# The child reads its own high-water mark at the end: ru_maxrss from wait4 would also count the
# pages a fork copied from this (large) benchmark process before exec.
_CHILD = """\
import sys
from mailflow.cli import main
try:
    code = main(sys.argv[2:])
finally:
    with open('/proc/self/status') as f:
        hwm = next((line.split()[1] for line in f if line.startswith('VmHWM:')), '0')
    with open(sys.argv[1], 'w') as out:
        out.write(hwm)
sys.exit(code)
"""


def poll_subprocess(env: Env, config_path: str) -> tuple[float, float, int, str]:
    """(peak RSS in MB, wall seconds, exit status, output) of one `mailflow poll` process."""
    env.proxy.reset()
    hwm_file = env.tmp / "vmhwm"
    hwm_file.unlink(missing_ok=True)
    t0 = time.perf_counter()
    proc = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-c", _CHILD, str(hwm_file), "--config", config_path, "poll"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False, timeout=600,
    )
    wall = time.perf_counter() - t0
    time.sleep(0.05)  # let the proxy finish counting
    kib = int(hwm_file.read_text() or 0) if hwm_file.exists() else 0
    return kib / 1024, wall, proc.returncode, proc.stdout.decode("utf-8", "replace").strip()


def run_case(env: Env, label: str, messages: list[bytes]) -> PollRun:
    user = env.dovecot.new_user()
    path = config_path(env, user, f"memory-{label.replace(' ', '-')}")
    for data in messages:
        env.dovecot.deliver(user.address, data)
    rss, wall, status, output = poll_subprocess(env, str(path))
    up, down, _c, _cmds = env.proxy.snapshot()
    return PollRun(label=label, messages=len(messages), stored_bytes=sum(len(m) for m in messages),
                   peak_rss_mb=rss, wall=wall, up=up, down=down, output=output, status=status)


def run(env: Env, *, count: int, megabytes: float) -> list[PollRun]:
    big = [attachment_message(i, megabytes) for i in range(count)]
    return [run_case(env, "empty mailbox", []),
            run_case(env, f"{count} x {megabytes:g} MB attachment", big)]


def report(runs: list[PollRun]) -> str:
    rows: list[tuple[object, ...]] = [
        (r.label, r.messages, r.stored_bytes / 1e6, r.peak_rss_mb, r.wall, r.up, r.down,
         f"{r.down / r.stored_bytes:.2%}" if r.stored_bytes else "-")
        for r in runs
    ]
    lines = [table(("mailbox", "msgs", "stored MB", "peak RSS MB", "wall s", "bytes up",
                    "bytes down", "down/stored"), rows)]
    for r in runs:
        last = r.output.splitlines()[-1] if r.output else "(no output)"
        lines.append(f"  {r.label}: exit {r.status}: {last}")
    worst = max(r.peak_rss_mb for r in runs)
    lines.append(f"target: peak RSS < {TARGET_MB:.0f} MB: {worst:.1f} MB -> {verdict(worst < TARGET_MB)}")
    return "\n".join(lines)


def main(argv: list[str] | None = None, env: Env | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="one message instead of three")
    ap.add_argument("--count", type=int, help="messages with a big attachment (default 3, quick 1)")
    ap.add_argument("--mb", type=float, default=25.0, help="attachment size in MB (default 25)")
    args = ap.parse_args(argv)
    count = args.count or (1 if args.quick else 3)
    own = env is None
    env = env or start_env()
    try:
        print(f"3. MEMORY (peak RSS of one `mailflow poll` process; {count} message(s) with a "
              f"{args.mb:g} MB attachment)", flush=True)
        print(report(run(env, count=count, megabytes=args.mb)))
    finally:
        if own:
            env.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

