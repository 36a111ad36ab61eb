"""Every benchmark table in one run:  python3 -m benchmarks [--quick] [--only NAME ...]

Tables (NAME): understand (1: throughput, per stage, vs dateparser/ctparse/quotequail),
poll (2: poll cost as the mailbox grows), memory (3: peak RSS with 25 MB attachments),
send (4: SMTP drafts/s), time_peers (time phrases on the shared corpus, benchmarks/time_peers.py)
and mail_peers (quotes/forwards vs quotequail, benchmarks/mail_peers.py). Nothing is hard-coded:
every figure is measured in this run. The machine is printed first: figures from a shared or
loaded machine are only comparable within one run.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import os
import platform
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

NAMES = ("understand", "poll", "memory", "send", "time_peers", "mail_peers")


def machine() -> str:
    """CPU model, cores, Python, load: the line every table depends on."""
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        load = "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        load = "load unknown"
    try:
        mem = next(int(x.split()[1]) for x in Path("/proc/meminfo").read_text().splitlines()
                   if x.startswith("MemTotal:")) / 1024 / 1024
        ram = f", {mem:.0f} GB RAM"
    except (OSError, StopIteration, ValueError):
        ram = ""
    return (f"machine: {model}, {os.cpu_count()} cores{ram}; Python {platform.python_version()} "
            f"({platform.python_implementation()}) on {platform.system()} {platform.release()}; "
            f"{load} at start")


def _peer(module: str, argv: list[str]) -> Callable[[], object]:
    def call() -> object:
        try:
            mod = importlib.import_module(f"benchmarks.{module}")
        except ImportError as exc:
            print(f"benchmarks/{module}.py is not available ({exc}); skipped")
            return None
        entry = getattr(mod, "main", None)
        if entry is None:
            print(f"benchmarks/{module}.py has no main(); skipped")
            return None
        try:
            takes_argv = bool(inspect.signature(entry).parameters)
        except (TypeError, ValueError):
            takes_argv = True
        return entry(argv) if takes_argv else entry()

    return call


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python3 -m benchmarks", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="smaller runs of every table")
    ap.add_argument("--only", action="append", choices=NAMES, metavar="NAME",
                    help=f"run only this table (repeatable): {', '.join(NAMES)}")
    args = ap.parse_args(argv)
    wanted = args.only or list(NAMES)
    quick = ["--quick"] if args.quick else []
    print(machine())
    print(f"run: {'quick' if args.quick else 'full'}; tables: {', '.join(wanted)}")
    started = time.perf_counter()
    failures = 0

    from . import memory, poll_cost, send, understand

    env: poll_cost.Env | None = None

    def server_env() -> poll_cost.Env:
        nonlocal env
        if env is None:
            env = poll_cost.start_env()
        return env

    steps: dict[str, Callable[[], object]] = {
        "understand": lambda: understand.main(quick),
        "poll": lambda: poll_cost.main(quick, env=server_env()),
        "memory": lambda: memory.main(quick, env=server_env()),
        "send": lambda: send.main(quick),
        "time_peers": _peer("time_peers", ["--limit", "40"] if args.quick else []),
        "mail_peers": _peer("mail_peers", []),
    }
    try:
        for name in wanted:
            print()
            if name in ("time_peers", "mail_peers"):
                print(f"{'5' if name == 'time_peers' else '6'}. {name.upper().replace('_', ' ')} "
                      f"(benchmarks/{name}.py, run as its author wrote it)")
            t0 = time.perf_counter()
            try:
                steps[name]()
            except BaseException as exc:  # noqa: BLE001 - one broken table must not hide the others
                if isinstance(exc, KeyboardInterrupt):
                    raise
                failures += 1
                print(f"[{name}] failed: {type(exc).__name__}: {exc}")
                traceback.print_exc(limit=3, file=sys.stdout)
            sys.stdout.flush()
            print(f"[{name}: {time.perf_counter() - t0:.1f} s]")
    finally:
        if env is not None:
            env.close()
    print(f"\nall tables in {time.perf_counter() - started:.1f} s"
          + (f"; {failures} table(s) failed" if failures else ""))
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
