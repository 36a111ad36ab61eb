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
from typing import TYPE_CHECKING, Any

from . import __version__, build
from .config import Config, load_config
from .errors import ConfigError, MailflowError, TemporaryFailure

# The pipeline modules are imported inside the commands that use them: `mailflow when --jsonl`
# then starts in a fraction of the time `extract` needs (scorers start it once per corpus).

if TYPE_CHECKING:
    from .store import MessageRow

log = logging.getLogger("mailflow")


class UsageError(MailflowError):
    """The command line asks for something that cannot be done as asked."""

    exit_code = 64  # EX_USAGE


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
    from .letters import read_letter
    from .meetings import understand
    from .notes import read_note
    from .records import meeting_record

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
    from .records import mention_record
    from .times import find_times

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
    from .times import find_times
    from .zones import describe_mention

    for m in find_times(text, ref=ref, zone=zone, party_zones=tuple(p.zone for p in config.people),
                        date_order=config.date_order):
        print(describe_mention(m, zones=tuple(dict.fromkeys([zone or "UTC", *(p.zone for p in config.people)]))))
    return 0


# --- poll --------------------------------------------------------------------------------------


def _poll_hooks(poll: object, progress: object) -> dict[str, Any]:
    """Pass a progress callback to poll_once once it accepts one (see the runner)."""
    import inspect

    try:
        params = inspect.signature(poll).parameters  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return {}
    return {"progress": progress} if "progress" in params else {}


def cmd_poll(args: argparse.Namespace, config: Config) -> int:
    from .logs import Progress
    from .runner import poll_once

    progress = Progress()
    try:
        report = poll_once(config, now=_now, **_poll_hooks(poll_once, progress))
    finally:
        progress.close()
    print(report.summary())
    return 0 if report.ok else 1


# --- watch -------------------------------------------------------------------------------------


def cmd_watch(args: argparse.Namespace, config: Config) -> int:
    from .logs import Progress
    from .watch import watch

    progress = Progress()
    try:
        return watch(config, progress=progress)
    finally:
        progress.close()


# --- status ------------------------------------------------------------------------------------


def _open_store(config: Config) -> object | None:
    """The store, or None when no poll has run yet (status never creates the database)."""
    from .store import Store

    if not config.store_path.exists():
        return None
    return Store(config.store_path)


def _local(t: dt.datetime, zone: str) -> str:
    return t.astimezone(zoneinfo.ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M %Z")


def status_record(config: Config) -> dict[str, object]:
    from .store import Store

    store = _open_store(config)
    out: dict[str, object] = {
        "store": str(config.store_path),
        "messages": {"handled": 0, "skipped": 0, "quarantined": 0, "failed": 0},
        "outbox": {},
        "scheduled": [],
        "failed_sends": [],
    }
    if store is None:
        return out
    assert isinstance(store, Store)
    with store:
        counts = store.counts()
        messages = dict(out["messages"])  # type: ignore[call-overload]
        messages.update(counts["messages"])
        out["messages"] = messages
        out["outbox"] = counts["outbox"]
        out["scheduled"] = [
            {"due": r.due.isoformat(), "kind": r.kind, "to": list(r.recipients), "subject": r.subject,
             "message_id": r.message_id, "attempts": r.attempts, "last_error": r.last_error}
            for r in store.outbox(states=("pending", "sending"))
        ]
        out["failed_sends"] = [
            {"due": r.due.isoformat(), "kind": r.kind, "to": list(r.recipients), "subject": r.subject,
             "message_id": r.message_id, "attempts": r.attempts, "error": r.last_error}
            for r in store.outbox(states=("failed",))
        ]
    return out


def cmd_status(args: argparse.Namespace, config: Config) -> int:
    rec = status_record(config)
    if args.json:
        print(json.dumps(rec, ensure_ascii=False))
        return 0
    m: dict[str, int] = rec["messages"]  # type: ignore[assignment]
    o: dict[str, int] = rec["outbox"]  # type: ignore[assignment]
    if not config.store_path.exists():
        print(f"no state yet ({config.store_path} does not exist): run 'mailflow poll' first")
        return 0
    print(f"messages: {m.get('handled', 0)} handled, {m.get('skipped', 0)} skipped, "
          f"{m.get('quarantined', 0)} quarantined, {m.get('failed', 0)} failed (to retry)")
    print(f"outbox:   {o.get('pending', 0)} scheduled, {o.get('sent', 0)} sent, "
          f"{o.get('failed', 0)} failed, {o.get('cancelled', 0)} cancelled")
    zone = config.default_zone
    scheduled: list[dict[str, object]] = rec["scheduled"]  # type: ignore[assignment]
    if scheduled:
        print("\nscheduled mail:")
        for s in scheduled:
            due = _local(dt.datetime.fromisoformat(str(s["due"])), zone)
            extra = f"  (retrying: {s['last_error']})" if s.get("last_error") else ""
            print(f"  {due}  {s['kind']:<15} to {', '.join(s['to'])}: {s['subject']}{extra}")  # type: ignore[arg-type]
    failed: list[dict[str, object]] = rec["failed_sends"]  # type: ignore[assignment]
    if failed:
        print("\nfailed sends:")
        for s in failed:
            print(f"  {s['kind']:<15} to {', '.join(s['to'])}: {s['subject']}\n"  # type: ignore[arg-type]
                  f"      {s['message_id']} after {s['attempts']} attempt(s): {s['error']}")
    return 0


# --- quarantine --------------------------------------------------------------------------------


def _quarantined(config: Config, uid: int | None = None) -> list[MessageRow]:
    from .store import Store

    if not config.store_path.exists():
        return []
    with Store(config.store_path) as store:
        rows = store.messages("quarantined")
    return [r for r in rows if uid is None or r.key.uid == uid]


def _row_record(r: MessageRow) -> dict[str, object]:
    return {"uid": r.key.uid, "folder": r.key.folder, "uidvalidity": r.key.uidvalidity,
            "state": r.state, "reason": r.reason, "message_id": r.message_id,
            "attempts": r.attempts, "updated": r.updated}


def _find_copy(client: Any, row: MessageRow) -> list[int]:
    """UIDs in the selected folder holding this message (Message-ID, then content hash)."""
    import hashlib

    if row.message_id:
        uids = client.search(["HEADER", "Message-ID", row.message_id])
    else:
        uids = client.search("ALL")[-500:]
    if not uids:
        return []
    fetched = client.fetch(uids, ["BODY.PEEK[]"])
    return [u for u in uids if hashlib.sha256(fetched.get(u, {}).get(b"BODY[]", b"")).hexdigest()
            == row.content_hash] or (list(uids) if row.message_id else [])


def quarantine_show(config: Config, uid: int) -> dict[str, object]:
    from .checks import _close_imap, imap_connect

    rows = _quarantined(config, uid)
    if not rows:
        raise UsageError(f"no quarantined message with uid {uid} (see 'mailflow quarantine list')")
    rec = _row_record(rows[0])
    imap = config.imap
    if imap is None:
        rec["headers_error"] = "no [imap] section"
        return rec
    try:
        client = imap_connect(imap)
    except MailflowError as exc:
        rec["headers_error"] = str(exc)
        return rec
    try:
        if not client.folder_exists(imap.quarantine_folder):
            rec["headers_error"] = f"folder {imap.quarantine_folder} does not exist"
            return rec
        client.select_folder(imap.quarantine_folder, readonly=True)
        found = _find_copy(client, rows[0])
        if not found:
            rec["headers_error"] = f"not found in {imap.quarantine_folder}"
            return rec
        head = client.fetch(found[:1], ["BODY.PEEK[HEADER.FIELDS (FROM TO CC SUBJECT DATE MESSAGE-ID)]"])
        value: dict[bytes, Any] = next(iter(head.values()), {})
        raw = next((v for k, v in value.items() if k.startswith(b"BODY[HEADER")), b"")
        rec["headers"] = raw.decode("utf-8", "replace")
        rec["quarantine_uid"] = found[0]
    except Exception as exc:  # noqa: BLE001 - the store's record is still worth showing
        rec["headers_error"] = f"{type(exc).__name__}: {exc}"
    finally:
        _close_imap(client)
    return rec


def quarantine_retry(config: Config, uid: int | None) -> list[str]:
    """Move each message back to the watched folder (handled flag removed), reset its row.

    Runs under the poll lock so a running poll or watch cannot see the message half moved.
    """
    import time

    from .checks import _close_imap, imap_connect
    from .runner import poll_lock
    from .store import Store

    rows = _quarantined(config, uid)
    if not rows:
        raise UsageError("nothing to retry" if uid is None else
                         f"no quarantined message with uid {uid} (see 'mailflow quarantine list')")
    imap = config.imap
    if imap is None:
        raise ConfigError("imap: missing section [imap]: cannot move messages back")
    out: list[str] = []
    deadline = time.monotonic() + 60
    while True:
        with poll_lock(config.lock_path) as got:
            if got:
                client = imap_connect(imap)
                try:
                    with Store(config.store_path) as store:
                        for row in rows:
                            out.append(_retry_one(client, store, imap, row))
                finally:
                    _close_imap(client)
                return out
        if time.monotonic() > deadline:
            raise TemporaryFailure(f"a poll holds {config.lock_path}; try again later")
        time.sleep(0.5)


def _leave(client: Any) -> None:
    """Deselect without CLOSE's implicit expunge of other clients' \\Deleted messages."""
    if client.has_capability("UNSELECT"):
        client.unselect_folder()
    else:
        client.select_folder("INBOX", readonly=True)  # EXAMINE: leaving via CLOSE would expunge


def _retry_one(client: Any, store: Any, imap: Any, row: MessageRow) -> str:
    where = "in place"
    if client.folder_exists(imap.quarantine_folder):
        client.select_folder(imap.quarantine_folder)
        found = _find_copy(client, row)
        if found:
            client.remove_flags(found, [imap.handled_flag])
            if client.has_capability("MOVE"):
                client.move(found, imap.folder)
            else:
                client.copy(found, imap.folder)
                client.delete_messages(found)
                if client.has_capability("UIDPLUS"):
                    client.uid_expunge(found)  # only these: never other clients' deleted mail
            where = f"moved from {imap.quarantine_folder} to {imap.folder}"
        _leave(client)
    if where == "in place":
        client.select_folder(imap.folder)
        found = _find_copy(client, row)
        if not found:
            return (f"uid {row.key.uid}: not found in {imap.quarantine_folder} or {imap.folder}; "
                    "left quarantined (move it back by hand, then retry)")
        client.remove_flags(found, [imap.handled_flag])
        _leave(client)
    store.retry_quarantined(row.key.uid)
    return f"uid {row.key.uid}: {where}; the next poll processes it again"


def cmd_quarantine(args: argparse.Namespace, config: Config) -> int:
    if args.action == "list":
        rows = _quarantined(config)
        if args.json:
            print(json.dumps([_row_record(r) for r in rows], ensure_ascii=False))
            return 0
        if not rows:
            print("nothing is quarantined")
        for r in rows:
            print(f"uid {r.key.uid:<7} {r.updated}  {r.message_id or '(no Message-ID)'}\n      {r.reason}")
        return 0
    if args.uid is None and not (args.action == "retry" and args.all):
        raise UsageError(f"quarantine {args.action}: give a UID{' or --all' if args.action == 'retry' else ''}"
                         " (see 'mailflow quarantine list')")
    if args.action == "show":
        rec = quarantine_show(config, args.uid)
        if args.json:
            print(json.dumps(rec, ensure_ascii=False))
            return 0
        for k in ("uid", "state", "reason", "message_id", "attempts", "updated"):
            print(f"{k + ':':<12}{rec.get(k)}")
        if rec.get("headers"):
            print("headers (from the quarantine folder):")
            for line in str(rec["headers"]).strip().splitlines():
                print(f"  {line}")
        else:
            print(f"headers:    not available: {rec.get('headers_error')}")
        return 0
    for line in quarantine_retry(config, None if args.all else args.uid):
        print(line)
    return 0


# --- preview -----------------------------------------------------------------------------------


def preview_text(data: bytes, config: Config, now: dt.datetime | None) -> str:
    """What mailflow would send for this message: no network, no state, nothing sent."""
    from .drafts import make_environment, preview_lines
    from .letters import read_letter
    from .runner import respond

    letter = read_letter(data, limits=config.limits)
    ref = now or letter.headers.date or _now()
    response = respond(letter, config, now=ref, env=make_environment(config.templates_dir),
                       thread_count=0, sent_today=0)
    notes = "".join(f"(recipient dropped: {why})\n" for why in response.dropped)
    if response.skipped:
        return notes + f"nothing would be sent: {response.skipped}\n"
    assert response.meeting is not None
    head = f"understood as: {response.meeting.kind}; {len(response.items)} mail(s) would be sent\n\n"
    return notes + head + preview_lines(response.items)


def cmd_preview(args: argparse.Namespace, config: Config) -> int:
    try:
        data = Path(args.file).read_bytes()
    except OSError as exc:
        print(f"mailflow preview: cannot read {args.file}: {exc.strerror or exc}", file=sys.stderr)
        return 66  # EX_NOINPUT
    sys.stdout.write(preview_text(data, config, args.now))
    return 0


# --- init and check ----------------------------------------------------------------------------


def cmd_init(args: argparse.Namespace, config: Config | None) -> int:
    from . import wizard

    interactive = sys.stdin.isatty() and not args.non_interactive
    output, answers = wizard.run_init(args, interactive=interactive)
    print(wizard.next_steps(output, answers))
    return 0


def cmd_check(args: argparse.Namespace, config: Config) -> int:
    from . import checks

    sections = checks.run_check(config, send_to=args.send_test)
    if args.json:
        print(json.dumps({name: [s.record() for s in steps] for name, steps in sections.items()},
                         ensure_ascii=False))
    else:
        for name, steps in sections.items():
            print(name.upper())
            for s in steps:
                print(s.line())
    code = checks.exit_code(sections)
    if not args.json:
        print("all good" if code == 0 else f"check failed (exit {code})")
    return code


# --- main --------------------------------------------------------------------------------------


class _Version(argparse.Action):
    """--version, with the build (compiled or pure) worked out only when asked for."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: str | None = None) -> None:
        parser.exit(message=f"mailflow {__version__} ({build.describe()})\n")


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="mailflow", description="E-mail driven meeting recaps and follow-ups.",
        epilog="exit codes: 0 ok, 1 failure, 2/64 usage, 65 bad message, 69 service refused, "
               "70 internal error, 75 temporary failure (try again), 78 configuration error")
    ap.add_argument("--version", action=_Version, nargs=0, help="show the version and the build, and exit")
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

    p = sub.add_parser("init", help="write a first configuration (asks on a terminal, else takes flags)")
    from .wizard import add_arguments

    add_arguments(p)
    p.set_defaults(func=cmd_init, needs_config=None)

    p = sub.add_parser("check", help="connect to IMAP and SMTP as configured and report what works")
    p.add_argument("--send-test", metavar="ADDRESS", help="also send a real test message to ADDRESS")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_check, needs_config=True)

    p = sub.add_parser("poll", help="one pass: read new mail, send what is due, exit (for cron)")
    p.set_defaults(func=cmd_poll, needs_config=True)

    p = sub.add_parser("watch", help="run continuously: IMAP IDLE wake-ups, periodic full polls")
    p.set_defaults(func=cmd_watch, needs_config=True, daemon=True)

    p = sub.add_parser("status", help="counts, scheduled mail and failed sends")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_status, needs_config=True)

    p = sub.add_parser("quarantine", help="list, show or retry quarantined messages")
    p.add_argument("action", nargs="?", choices=["list", "show", "retry"], default="list")
    p.add_argument("uid", nargs="?", type=int, help="the message's UID (from 'quarantine list')")
    p.add_argument("--all", action="store_true", help="retry: every quarantined message")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_quarantine, needs_config=True)

    p = sub.add_parser("preview", help="what would be sent for FILE.eml (no network, no state)")
    p.add_argument("file", metavar="FILE.eml")
    p.add_argument("--now", type=_aware, help="the clock to plan against (default: the message's Date)")
    p.set_defaults(func=cmd_preview, needs_config=False)
    return ap


def setup_logging(verbose: int, fmt: str, *, daemon: bool = False) -> None:
    from .logs import setup_logging as _setup

    _setup(verbose, fmt, daemon=daemon)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    setup_logging(args.verbose, args.log_format, daemon=getattr(args, "daemon", False))
    try:
        if args.needs_config is None:  # init writes the configuration: nothing to load
            return int(args.func(args, None))
        config = load_config(args.config, required=args.needs_config)
        return int(args.func(args, config))
    except MailflowError as exc:
        print(f"mailflow: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `mailflow status | head`
        return 0
    except Exception as exc:  # an internal error: one clear line, the traceback at -vv
        log.debug("internal error", exc_info=True)
        print(f"mailflow: internal error: {type(exc).__name__}: {exc} (run with -vv for details)",
              file=sys.stderr)
        return 70


if __name__ == "__main__":
    sys.exit(main())
