"""Table 2: what one `mailflow poll` costs as the mailbox grows.

    python3 -m benchmarks.poll_cost [--quick] [--sizes 100,1000,10000]

A real Dovecot (tests/servers.py) holds N old messages that are already handled, plus 10 new
ones. The old ones are dropped straight into the Maildir, flagged with one
``UID STORE 1:* +FLAGS.SILENT ($MailflowHandled)`` and recorded as handled in the store (as a
mailbox mailflow has been reading for a while would be). Then `runner.poll_once` runs in this
process against a counting TCP proxy in front of Dovecot: the proxy counts bytes each way and
the IMAP commands the client sends (lines that start with a tag; literals are skipped). Two
kinds of poll per size: the first handles the 10 new messages (and sends their mail to the local
SMTP server), the next finds nothing new (the steady state of a cron job); messages that fail are
retried on every poll (max_attempts is raised so none is quarantined half-way). Wall time is the
best of three fresh mailboxes (first poll) and of five repeats (nothing new): the machine may be
shared; commands and bytes do not vary.

Target: the 10,000-message poll costs within 2x of the 100-message poll (wall time and bytes).
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import re
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from .mixes import make_mix, table, verdict

ROOT = Path(__file__).resolve().parents[1]
NOW = dt.datetime(2026, 3, 5, 9, 0, tzinfo=dt.UTC)
NEW = 10
_TAGGED = re.compile(rb"^[A-Za-z0-9]+ ([A-Za-z]+)(?: ([A-Za-z]+))?")
_LITERAL = re.compile(rb"\{(\d+)\+?\}\r?\n$")


def load_servers() -> Any:
    """tests/servers.py as a module (tests/ goes on sys.path)."""
    tests = str(ROOT / "tests")
    if tests not in sys.path:
        sys.path.insert(0, tests)
    import servers

    return servers


# --- a loopback proxy that counts -----------------------------------------------------------


class CountingProxy:
    """tests/servers.py's loopback Proxy in front of Dovecot, plus a count of IMAP commands by
    verb (tagged client lines; literals are skipped)."""

    def __init__(self, servers: Any, target_port: int) -> None:
        self._lock = threading.Lock()
        self.commands: Counter[str] = Counter()
        self.proxy = servers.Proxy(target_port, tap=self._parser)
        self.port = int(self.proxy.port)
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._base = (self.proxy.bytes_up, self.proxy.bytes_down, self.proxy.connections)
            self.commands = Counter()

    def snapshot(self) -> tuple[int, int, int, Counter[str]]:
        """(bytes up, bytes down, connections, commands by verb) since the last reset."""
        with self._lock:
            up, down, conns = self._base
            return (self.proxy.bytes_up - up, self.proxy.bytes_down - down,
                    self.proxy.connections - conns, Counter(self.commands))

    def close(self) -> None:
        self.proxy.close()

    def _parser(self) -> Callable[[bytes], None]:
        """One per connection: feeds client data through _commands, keeping its state."""
        state = {"pending": b"", "skip": 0}

        def feed(chunk: bytes) -> None:
            state["pending"], state["skip"] = self._commands(state["pending"] + chunk, state["skip"])

        return feed

    def _commands(self, data: bytes, skip: int) -> tuple[bytes, int]:
        """Count tagged command lines in client data; returns the unparsed rest and literal skip."""
        while data:
            if skip:
                n = min(skip, len(data))
                data, skip = data[n:], skip - n
                continue
            end = data.find(b"\n")
            if end < 0:
                return data, 0
            line, data = data[: end + 1], data[end + 1 :]
            m = _TAGGED.match(line)
            if m and not line.startswith(b"DONE"):
                verb = m.group(1).decode().upper()
                if verb == "UID" and m.group(2):
                    verb = f"UID {m.group(2).decode().upper()}"
                with self._lock:
                    self.commands[verb] += 1
            lit = _LITERAL.search(line)
            if lit:
                skip = int(lit.group(1))
        return b"", skip


# --- the servers, shared by the server benchmarks ----------------------------------------------


@dataclass
class Env:
    servers: Any  # the tests/servers.py module
    dovecot: Any
    smtp: Any
    proxy: CountingProxy
    tmp: Path

    def close(self) -> None:
        self.proxy.close()
        self.smtp.stop()
        self.dovecot.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)


def start_env(*, disk: bool = False) -> Env:
    """Dovecot + SMTP + the counting proxy. Dovecot's mail and index files go on tmpfs
    (/dev/shm) unless `disk`: this VM's disk takes ~3 ms to create a file, which would make
    filling 10,000 messages the slowest part of the run. mailflow's own store stays on disk."""
    servers = load_servers()
    shm = Path("/dev/shm")
    saved = tempfile.tempdir
    if not disk and shm.is_dir() and os.access(shm, os.W_OK):
        tempfile.tempdir = str(shm)
    try:
        dovecot = servers.Dovecot.start()
    finally:
        tempfile.tempdir = saved
    smtp = servers.SmtpServers.start(dovecot)
    return Env(servers=servers, dovecot=dovecot, smtp=smtp, proxy=CountingProxy(servers, dovecot.port),
               tmp=Path(tempfile.mkdtemp(prefix="mailflow-bench-")))


def config_path(env: Env, user: Any, name: str, **overrides: Any) -> Path:
    """Write a mailflow config for `user` whose IMAP goes through the counting proxy."""
    d = env.tmp / name
    d.mkdir(parents=True, exist_ok=True)
    path: Path = env.servers.write_config(d, dovecot=env.dovecot, smtp=env.smtp, user=user.address,
                                          password=user.password, imap__port=env.proxy.port, **overrides)
    return path


def config_for(env: Env, user: Any, name: str, **overrides: Any) -> Any:
    """The loaded mailflow Config of `config_path`."""
    from mailflow.config import load_config

    return load_config(str(config_path(env, user, name, **overrides)))


_OLD = (
    "From: Old Sender <old@example.test>\r\nTo: mailflow <mailflow@example.test>\r\n"
    "Subject: Old notes {i}\r\nDate: {date}\r\nMessage-ID: <old-{i}@example.test>\r\n"
    "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
    "Notes {i}: we agreed to ship on Tuesday.\r\n- Ana will send the report by Friday\r\n"
)


def old_message(i: int) -> bytes:
    """A small, already handled message (only its count matters: it is never fetched)."""
    return _OLD.format(i=i, date=format_datetime(NOW - dt.timedelta(days=30, minutes=i))).encode()


def fill_handled(env: Env, user: Any, config: Any, count: int) -> int:
    """`count` old messages in INBOX, flagged handled on the server and recorded in the store."""
    from mailflow.store import MessageKey, Store

    if count:
        first = env.dovecot.deliver(user.address, old_message(0))  # creates the Maildir
        cur = first.parent.parent / "cur"
        owner = (first.stat().st_uid, first.stat().st_gid)
        stamp = int(time.time())
        for i in range(1, count):
            # what a delivery agent plus one earlier IMAP session leave: a file in cur/
            path = cur / f"{stamp}.M{i}P{os.getpid()}.mailflow-bench:2,"
            path.write_bytes(old_message(i))
            if os.geteuid() == 0:
                os.chown(path, *owner)
    client = user.client(timeout=120)
    try:
        info = client.select_folder("INBOX")
        validity = int(info[b"UIDVALIDITY"])
        uids = client.search("ALL")
        client.add_flags("1:*", [config.imap.handled_flag], silent=True)
    finally:
        client.logout()
    account = f"{config.imap.user}@{config.imap.host}:{config.imap.port}"
    with Store(config.store_path) as store, store.transaction() as db:
        for uid in uids:
            store.record_message(db, MessageKey(account=account, folder="INBOX", uidvalidity=validity,
                                                uid=uid), message_id=f"<old-{uid - 1}@example.test>",
                                 content_hash=f"{uid:064x}", state="handled", reason=None, now=NOW)
    return validity


def time_server(user: Any, config: Any, repeat: int = 5) -> float:
    """Milliseconds (best of `repeat`) for the server side of a poll that finds nothing new:
    SELECT plus the runner's UID SEARCH UNKEYWORD, on an already logged-in connection."""
    client = user.client(timeout=120)
    try:
        best = float("inf")
        for _ in range(repeat):
            t0 = time.perf_counter()
            client.select_folder(config.imap.folder)
            client.search(["UNKEYWORD", config.imap.handled_flag, "NOT", "DELETED"])
            best = min(best, time.perf_counter() - t0)
            client.close_folder()
        return best * 1000
    finally:
        client.logout()


def time_done_keys(config: Any, validity: int, repeat: int = 20) -> float:
    """Milliseconds for the runner's per-poll `store.done_keys` read, as the runner does it: only
    the unflagged UIDs the server reported (here the NEW most recent ones) are looked up."""
    from mailflow.store import Store

    account = f"{config.imap.user}@{config.imap.host}:{config.imap.port}"
    with Store(config.store_path) as store:
        t0 = time.perf_counter()
        for _ in range(repeat):
            top = store.db.execute("SELECT max(uid) FROM messages").fetchone()[0] or 0
            store.done_keys(account, config.imap.folder, validity, among=range(top + 1, top + 1 + NEW))
        return (time.perf_counter() - t0) / repeat * 1000


@dataclass
class Measured:
    label: str
    wall: float
    up: int
    down: int
    commands: Counter[str]
    summary: str
    done_keys_ms: float = 0.0
    server_ms: float = 0.0

    @property
    def count(self) -> int:
        return sum(self.commands.values())


class ErrorTally(logging.Handler):
    """Counts the errors mailflow logs (instead of printing tracebacks between the tables)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.seen: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            self.seen[f"{type(exc).__name__}: {exc}"[:120]] += 1
        elif record.levelno >= logging.ERROR:
            self.seen[record.getMessage()[:120]] += 1


ERRORS = ErrorTally()


def quiet_mailflow() -> None:
    """mailflow's log records go to ERRORS, not to stderr."""
    log = logging.getLogger("mailflow")
    if ERRORS not in log.handlers:
        log.addHandler(ERRORS)
        log.propagate = False
        log.setLevel(logging.WARNING)


def measure_poll(env: Env, config: Any, label: str) -> Measured:
    from mailflow.runner import poll_once

    quiet_mailflow()
    env.proxy.reset()
    t0 = time.perf_counter()
    report = poll_once(config, now=lambda: NOW)
    wall = time.perf_counter() - t0
    time.sleep(0.05)  # let the proxy threads count the LOGOUT exchange
    up, down, _conns, commands = env.proxy.snapshot()
    return Measured(label=label, wall=wall, up=up, down=down, commands=commands,
                    summary=report.summary().replace("\n", "; "))


def run(env: Env, sizes: tuple[int, ...], *, new: int = NEW, rounds: int = 3) -> list[tuple[int, Measured, Measured]]:
    out = []
    fresh = [s.data for s in make_mix(new, seed=3, kinds=("plain", "gmail-forward", "reply", "invite"))]
    warm = env.dovecot.new_user()  # one untimed poll first: imports, regex compilation, templates
    for data in fresh:
        env.dovecot.deliver(warm.address, data)
    measure_poll(env, config_for(env, warm, "poll-warm-up"), "warm-up")
    ERRORS.seen.clear()
    for n in sizes:
        firsts: list[Measured] = []
        seconds: list[Measured] = []
        fill = 0.0
        for _ in range(rounds):  # fresh mailboxes: the first poll changes what the next one sees
            user = env.dovecot.new_user()
            config = config_for(env, user, f"poll-{n}-{len(firsts)}", policy__max_attempts=1000)
            t0 = time.perf_counter()
            validity = fill_handled(env, user, config, n)
            fill = time.perf_counter() - t0
            for data in fresh:
                env.dovecot.deliver(user.address, data)
            firsts.append(measure_poll(env, config, f"{n:,} old + {new} new"))
        for _ in range(5):
            seconds.append(measure_poll(env, config, f"{n:,} old, nothing new"))
        first = min(firsts, key=lambda m: m.wall)
        second = min(seconds, key=lambda m: m.wall)
        first.done_keys_ms = second.done_keys_ms = time_done_keys(config, validity)
        first.server_ms = second.server_ms = time_server(user, config)
        print(f"   (filled {n:,} handled messages in {fill:.1f} s)", flush=True)
        out.append((n, first, second))
    return out


def report(results: list[tuple[int, Measured, Measured]]) -> str:
    rows: list[tuple[object, ...]] = []
    for _n, first, second in results:
        for m in (first, second):
            rows.append((m.label, m.wall, m.count, m.up, m.down, m.done_keys_ms, m.server_ms))
    lines = [table(("mailbox", "wall s", "IMAP cmds", "bytes up", "bytes down", "done_keys ms",
                    "server ms"), rows),
             "(done_keys ms: the runner's per-poll store lookup of the unflagged UIDs; server ms:"
             " Dovecot's SELECT + UID SEARCH UNKEYWORD, timed alone)", ""]
    lines.append("commands per poll (first poll / second poll):")
    for n, first, second in results:
        def verbs(c: Counter[str]) -> str:
            return ", ".join(f"{k} {v}" for k, v in sorted(c.items()))
        lines.append(f"  {n:>6,}: {verbs(first.commands)}  /  {verbs(second.commands)}")
    if ERRORS.seen:
        lines.append("errors mailflow logged (all polls of this table): " + "; ".join(f"{k} (x{v})" for k, v in ERRORS.seen.items()))
    lines.append("poll summaries: " + " | ".join(f"{n:,}: {f.summary}" for n, f, _ in results))
    if len(results) >= 2:
        (n0, a1, a2), (n1, b1, b2) = results[0], results[-1]
        checks = []
        for what, x, y in (("wall (new mail)", a1.wall, b1.wall), ("wall (nothing new)", a2.wall, b2.wall),
                           ("bytes (new mail)", a1.up + a1.down, b1.up + b1.down),
                           ("bytes (nothing new)", a2.up + a2.down, b2.up + b2.down)):
            ratio = y / x if x else float("inf")
            checks.append(ratio <= 2.0)
            lines.append(f"{what}: {n1:,} vs {n0:,} messages = {ratio:.2f}x")
        lines.append(f"target: the {n1:,}-message poll within 2x of the {n0:,}-message poll -> "
                     f"{verdict(all(checks))}")
    return "\n".join(lines)


def main(argv: list[str] | None = None, env: Env | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="100 and 1,000 old messages only")
    ap.add_argument("--sizes", help="comma-separated mailbox sizes (default 100,1000,10000)")
    args = ap.parse_args(argv)
    sizes = tuple(int(x) for x in args.sizes.split(",")) if args.sizes else (
        (100, 1000) if args.quick else (100, 1000, 10000))
    own = env is None
    env = env or start_env()
    try:
        print(f"2. POLL COST GROWTH (real Dovecot; {NEW} new messages on top of N handled ones; "
              "IMAP counted at a loopback proxy)", flush=True)
        print(report(run(env, sizes)))
    finally:
        if own:
            env.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
