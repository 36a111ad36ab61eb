"""The `mailflow` command line: argument parsing and exit codes; the work is done elsewhere."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import sys
import zoneinfo
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .config import Config, load_config
from .errors import MailflowError
from .letters import read_letter
from .meetings import understand
from .notes import read_note
from .records import meeting_record, mention_record
from .times import find_times

log = logging.getLogger("mailflow")


def _aware(value: str) -> dt.datetime:
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not an ISO-8601 date-time: {value!r}") from exc
    if parsed.tzinfo is None:
        raise argparse.ArgumentTypeError(f"give an offset or Z: {value!r}")
    return parsed


def _zone_name(value: str) -> str:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise argparse.ArgumentTypeError(f"not an IANA time zone: {value!r}") from exc
    return value


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# --- extract -----------------------------------------------------------------------------------


def extract_one(data: bytes, config: Config, now: dt.datetime | None) -> dict[str, object]:
    letter = read_letter(data, limits=config.limits)
    note = read_note(letter)
    ref = now or letter.headers.date or _now()
    meeting = understand(
        note,
        now=ref,
        people=config.people,
        self_addrs=config.self_addrs,
        default_zone=config.default_zone,
        date_order=config.date_order,
    )
    return meeting_record(meeting)


def cmd_extract(args: argparse.Namespace, config: Config) -> int:
    for name in args.files:
        record: dict[str, object] = {"file": name}
        try:
            data = Path(name).read_bytes()
            record.update(extract_one(data, config, args.now))
        except OSError as exc:
            record["error"] = f"cannot read: {exc.strerror or exc}"
        except MailflowError as exc:
            record["error"] = str(exc)
        except Exception as exc:  # one bad file never stops the batch
            log.exception("extract %s failed", name)
            record["error"] = f"internal error: {type(exc).__name__}: {exc}"
        if args.json:
            print(json.dumps(record, ensure_ascii=False), flush=True)
        else:
            print(json.dumps(record, ensure_ascii=False, indent=2))
    return 0


# --- when --------------------------------------------------------------------------------------


def _when_mentions(text: str, ref: dt.datetime, zone: str | None, config: Config) -> list[dict[str, object]]:
    other = tuple(p.zone for p in config.people)
    return [
        mention_record(m)
        for m in find_times(
            text, ref=ref, zone=zone, party_zones=other, date_order=config.date_order
        )
    ]


def _zone_for_ref(ref: dt.datetime, tz: str | None, config: Config) -> str | None:
    if tz:
        return tz
    off = ref.utcoffset()
    if off is None:
        return config.default_zone
    if off == dt.timedelta(0):
        return "UTC"
    total = int(off.total_seconds() // 60)
    sign = "+" if total >= 0 else "-"
    return f"{sign}{abs(total) // 60:02d}:{abs(total) % 60:02d}"


def cmd_when(args: argparse.Namespace, config: Config) -> int:
    if args.jsonl:
        for line in sys.stdin:
            line = line.strip()
            if not line:
                continue
            try:
                row = json.loads(line)
                ref = dt.datetime.fromisoformat(row["ref"]) if row.get("ref") else _now()
                if ref.tzinfo is None:
                    ref = ref.replace(tzinfo=dt.UTC)
                zone = row.get("tz") or _zone_for_ref(ref, None, config)
                mentions = _when_mentions(str(row.get("text", "")), ref, zone, config)
                out: dict[str, object] = {"id": row.get("id"), "mentions": mentions}
            except Exception as exc:  # a bad row gets an error line, the batch goes on
                out = {"id": row.get("id") if isinstance(row, dict) else None, "mentions": [],
                       "error": f"{type(exc).__name__}: {exc}"}
            sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        sys.stdout.flush()
        return 0
    text = " ".join(args.text)
    if not text:
        print("mailflow when: give a TEXT or --jsonl", file=sys.stderr)
        return 2
    ref = args.ref or _now().astimezone(zoneinfo.ZoneInfo(args.tz or config.default_zone))
    zone = _zone_for_ref(ref, args.tz, config)
    if args.ref and args.tz:
        ref = ref.astimezone(zoneinfo.ZoneInfo(args.tz))
    mentions = _when_mentions(text, ref, zone, config)
    if args.json:
        print(json.dumps({"mentions": mentions}, ensure_ascii=False))
        return 0
    if not mentions:
        print("no time found")
        return 1
    from .zones import describe_mention

    for m in find_times(text, ref=ref, zone=zone, party_zones=tuple(p.zone for p in config.people),
                        date_order=config.date_order):
        print(describe_mention(m, zones=tuple(dict.fromkeys([zone or "UTC", *(p.zone for p in config.people)]))))
    return 0


# --- poll --------------------------------------------------------------------------------------


def cmd_poll(args: argparse.Namespace, config: Config) -> int:
    from .runner import poll_once

    report = poll_once(config, now=_now)
    print(report.summary())
    return 0 if report.ok else 1


# --- main --------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="mailflow", description="E-mail driven meeting recaps and follow-ups.")
    ap.add_argument("--version", action="version", version=f"mailflow {__version__}")
    ap.add_argument("--config", help="configuration file (default: $MAILFLOW_CONFIG, ./mailflow.toml, ~/.config/mailflow/config.toml)")
    ap.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)")
    ap.add_argument("--log-format", choices=["text", "json"], default="text")
    sub = ap.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("extract", help="show what mailflow understands in .eml files (no network, no state)")
    p.add_argument("files", nargs="+", metavar="FILE.eml")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.add_argument("--now", type=_aware, help="reference instant when a message has no usable Date")
    p.set_defaults(func=cmd_extract, needs_config=False)

    p = sub.add_parser("when", help="find and resolve the time expressions in TEXT")
    p.add_argument("text", nargs="*")
    p.add_argument("--ref", type=_aware, help="reference instant (default: now)")
    p.add_argument("--tz", type=_zone_name, help="the writer's zone (IANA)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--jsonl", action="store_true", help="batch: {id,text,ref,tz} lines on stdin")
    p.set_defaults(func=cmd_when, needs_config=False)

    p = sub.add_parser("poll", help="one pass: read new mail, send what is due, exit (for cron)")
    p.set_defaults(func=cmd_poll, needs_config=True)
    return ap


def setup_logging(verbose: int, fmt: str) -> None:
    level = logging.WARNING - 10 * min(verbose + 1, 2)
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        from .logs import JsonFormatter

        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("mailflow")
    root.handlers[:] = [handler]
    root.setLevel(level)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    setup_logging(args.verbose, args.log_format)
    try:
        config = load_config(args.config, required=args.needs_config)
        return int(args.func(args, config))
    except MailflowError as exc:
        print(f"mailflow: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
