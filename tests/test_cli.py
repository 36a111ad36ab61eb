"""The command line in-process (`main(argv)`): happy paths, errors and their exit codes.

No network here except a refused loopback port; the commands against real servers are in
test_ops_smoke.py and test_watch.py.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import logging
import os
import socket
import stat
import tomllib
from pathlib import Path

import pytest

from mailflow import checks, wizard
from mailflow.cli import build_parser, main
from mailflow.config import load_config, parse_config
from mailflow.logs import JsonFormatter, Progress, level_for
from mailflow.model import Draft
from mailflow.store import MessageKey, Store

ROOT = Path(__file__).resolve().parent.parent
NOTE = ROOT / "config" / "examples" / "forwarded-note.eml"
EXAMPLE = ROOT / "config" / "mailflow.example.toml"
NOW = dt.datetime(2026, 3, 24, 17, 30, tzinfo=dt.UTC)


def write(tmp_path: Path, text: str, name: str = "mailflow.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


MINIMAL = """
[account]
address = "bot@example.org"
zone = "Europe/Berlin"
[imap]
host = "127.0.0.1"
port = {port}
security = "plain"
user = "bot@example.org"
password = "x"
timeout = 2
[smtp]
host = "127.0.0.1"
port = {port}
security = "plain"
user = "bot@example.org"
password = "x"
timeout = 2
[policy]
authorised = ["@example.org"]
"""


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed when the block ends: connections are refused


# --- extract / when (CONTRACT.md) ----------------------------------------------------------------


def test_extract_json_lines_and_unreadable_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = tmp_path / "nope.eml"
    assert main(["extract", "--json", str(NOTE), str(missing)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    first, second = (json.loads(x) for x in lines)
    assert first["file"] == str(NOTE)
    assert first["message"]["subject"] == "Fwd: Mentoring call notes"
    assert "error" not in first
    assert second["file"] == str(missing) and second["error"].startswith("cannot read")


def test_when_json(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["when", "--json", "--ref", "2026-03-24T10:00:00+00:00", "--tz", "Europe/London",
                 "tomorrow at 3pm"])
    assert code == 0
    mentions = json.loads(capsys.readouterr().out)["mentions"]
    assert mentions and mentions[0]["start"].startswith("2026-03-25T15:00")


# --- configuration errors ------------------------------------------------------------------------


def test_missing_config_is_a_clear_config_error(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MAILFLOW_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert main(["status"]) == 78
    err = capsys.readouterr().err
    assert "no configuration found" in err and "mailflow init" in err
    assert main(["--config", str(tmp_path / "absent.toml"), "poll"]) == 78
    assert "no such file" in capsys.readouterr().err


def test_bad_config_key_names_the_key(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL.format(port=1) + "\n[schedule]\nreminder_befor = \"1h\"\n")
    assert main(["--config", str(path), "status"]) == 78
    assert "schedule.reminder_befor: unknown key" in capsys.readouterr().err
    path = write(tmp_path, MINIMAL.format(port=1).replace("port = 1\n", "port = 99999\n", 1))
    assert main(["--config", str(path), "check"]) == 78
    assert "imap.port" in capsys.readouterr().err


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["no-such-command"])
    assert info.value.code == 2
    with pytest.raises(SystemExit) as info:
        main(["extract", "--now", "2026-03-24T10:00", "x.eml"])  # no offset
    assert info.value.code == 2
    assert "offset" in capsys.readouterr().err


def test_every_command_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices
    assert {"extract", "when", "init", "check", "poll", "watch", "status", "quarantine", "preview"} <= set(commands)
    for name in commands:
        with pytest.raises(SystemExit) as info:
            main([name, "--help"])
        assert info.value.code == 0
        assert "usage: mailflow " + name in capsys.readouterr().out


# --- init ----------------------------------------------------------------------------------------


def init_args(tmp_path: Path, *extra: str) -> list[str]:
    return ["init", "--non-interactive", "--address", "Bot@Example.org", "--imap-host", "imap.example.org",
            "--smtp-host", "smtp.example.org", "--zone", "America/New_York",
            "--person", "Ana Lima <ana@example.com> America/Sao_Paulo", "--person", "Bo <bo@example.net>",
            "--output", str(tmp_path / "c.toml"), *extra]


def test_init_writes_a_valid_private_config_without_passwords(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main(init_args(tmp_path)) == 0
    path = tmp_path / "c.toml"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text()
    assert "password =" not in text and "MAILFLOW_IMAP_PASSWORD" in text
    cfg = load_config(str(path))
    assert cfg.address == "bot@example.org"
    assert cfg.default_zone == "America/New_York"
    assert cfg.imap is not None and cfg.imap.port == 993 and cfg.imap.security == "tls"
    assert cfg.smtp is not None and cfg.smtp.port == 465
    assert cfg.policy.authorised == ("@example.org",)
    assert [(p.name, p.zone) for p in cfg.people] == [("Ana Lima", "America/Sao_Paulo"),
                                                       ("Bo", "America/New_York")]
    assert "wrote" in capsys.readouterr().out


def test_init_refuses_to_overwrite_without_force(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "c.toml").write_text("# mine\n")
    assert main(init_args(tmp_path)) == 78
    assert "--force" in capsys.readouterr().err
    assert (tmp_path / "c.toml").read_text() == "# mine\n"
    assert main(init_args(tmp_path, "--force")) == 0
    assert "bot@example.org" in (tmp_path / "c.toml").read_text()


def test_init_rejects_bad_input_and_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = init_args(tmp_path)
    args[args.index("America/New_York")] = "Mars/Olympus"
    assert main(args) == 78
    assert "Mars/Olympus" in capsys.readouterr().err
    assert main(["init", "--non-interactive", "--imap-host", "h", "--smtp-host", "h",
                 "--output", str(tmp_path / "c.toml")]) == 78
    assert "--address" in capsys.readouterr().err
    assert main(init_args(tmp_path, "--person", "no address here")) == 78
    assert not (tmp_path / "c.toml").exists()


def test_init_provider_preset_and_oauth2(tmp_path: Path) -> None:
    assert main(["init", "--non-interactive", "--address", "me@gmail.com", "--provider", "gmail",
                 "--oauth2-command", "oama access me@gmail.com", "--zone", "UTC",
                 "--output", str(tmp_path / "g.toml")]) == 0
    cfg = load_config(str(tmp_path / "g.toml"))
    assert cfg.imap is not None and cfg.smtp is not None
    assert (cfg.imap.host, cfg.imap.port, cfg.imap.security) == ("imap.gmail.com", 993, "tls")
    assert cfg.smtp.oauth2_token_command == "oama access me@gmail.com"
    assert cfg.imap.sent_folder == "[Gmail]/Sent Mail"


def test_init_interactive_answers(tmp_path: Path) -> None:
    script = {"Address": "ops@fastmail.com", "Provider": "fastmail",
              "Who may trigger mail": "@fastmail.com, boss@example.org"}
    people = iter(["Ana <ana@example.com> Asia/Tokyo", "not a person", ""])
    asked: list[tuple[str, str]] = []

    def ask(question: str, default: str) -> str:
        asked.append((question, default))
        if question.startswith("Add a participant"):
            return next(people)
        return next((v for k, v in script.items() if question.startswith(k)), default)

    ns = build_parser().parse_args(["init", "--output", str(tmp_path / "i.toml")])
    out, a = wizard.run_init(ns, interactive=True, ask=ask)
    cfg = load_config(str(out))
    assert cfg.imap is not None and cfg.imap.host == "imap.fastmail.com"
    assert cfg.smtp is not None and (cfg.smtp.host, cfg.smtp.port) == ("smtp.fastmail.com", 465)
    assert cfg.policy.authorised == ("@fastmail.com", "boss@example.org")
    assert [(p.name, p.zone) for p in cfg.people] == [("Ana", "Asia/Tokyo")]
    zone_default = next(d for q, d in asked if q == "Your time zone")
    assert wizard.valid_zone(zone_default)  # the system's zone is offered as the default
    provider_default = next(d for q, d in asked if q.startswith("Provider"))
    assert provider_default == "fastmail"  # guessed from the address's domain


def test_guess_zone(tmp_path: Path) -> None:
    assert wizard.guess_zone({"TZ": ":Europe/Paris"}, root=tmp_path) == "Europe/Paris"
    (tmp_path / "etc").mkdir()
    assert wizard.guess_zone({}, root=tmp_path) is None
    os.symlink("/usr/share/zoneinfo/Asia/Kolkata", tmp_path / "etc" / "localtime")
    assert wizard.guess_zone({}, root=tmp_path) == "Asia/Kolkata"
    (tmp_path / "etc" / "timezone").write_text("Africa/Nairobi\n")
    assert wizard.guess_zone({"TZ": "Not/AZone"}, root=tmp_path) == "Africa/Nairobi"


def test_rendered_toml_escapes_quotes(tmp_path: Path) -> None:
    a = wizard.Answers(address="a@b.org", name='The "Bot" \\ 1', imap_host="h", smtp_host="h",
                       authorised=("@b.org",))
    data = tomllib.loads(wizard.render_toml(a))
    assert data["account"]["name"] == 'The "Bot" \\ 1'
    parse_config(data, tmp_path / "x.toml")


# --- status and quarantine -------------------------------------------------------------------------


def populated(tmp_path: Path) -> Path:
    path = write(tmp_path, MINIMAL.format(port=closed_port()) + f'[store]\npath = "{tmp_path / "s.sqlite3"}"\n')
    cfg = load_config(str(path))
    key = MessageKey(account="a", folder="INBOX", uidvalidity=7, uid=41)
    bad = MessageKey(account="a", folder="INBOX", uidvalidity=7, uid=42)
    with Store(cfg.store_path) as s:
        with s.transaction() as db:
            s.record_message(db, key, message_id="<m1@x>", content_hash="h1", state="handled", reason=None, now=NOW)
            s.record_message(db, bad, message_id="<m2@x>", content_hash="h2", state="quarantined",
                             reason="cannot parse: too big", now=NOW)
            for k, due in (("r1", NOW + dt.timedelta(days=1)), ("f1", NOW)):
                s.queue(db, Draft(dedupe_key=k, message_id=f"<{k}@x>", sender="bot@example.org",
                                  recipients=("ana@example.com",), subject=f"Subject {k}", data=b"x"),
                        kind="reminder", meeting_uid="m", due=due, now=NOW, thread_root=None, source="41")
        row = next(r for r in s.outbox() if r.dedupe_key == "f1")
        s.finish(row.id, state="failed", now=NOW, error="550 no such user")
    return path


def test_status_text_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = populated(tmp_path)
    assert main(["--config", str(path), "status"]) == 0
    out = capsys.readouterr().out
    assert "1 handled, 0 skipped, 1 quarantined, 0 failed" in out
    assert "2026-03-25 18:30 CET  reminder" in out  # due shown in the account's zone
    assert "550 no such user" in out
    assert main(["--config", str(path), "status", "--json"]) == 0
    rec = json.loads(capsys.readouterr().out)
    assert rec["messages"]["handled"] == 1 and rec["messages"]["quarantined"] == 1
    assert [s["subject"] for s in rec["scheduled"]] == ["Subject r1"]
    assert rec["failed_sends"][0]["error"] == "550 no such user"


def test_status_before_any_poll_creates_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, MINIMAL.format(port=1))
    assert main(["--config", str(path), "status"]) == 0
    assert "no state yet" in capsys.readouterr().out
    assert not (tmp_path / "mailflow.sqlite3").exists()


def test_quarantine_list_show_and_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = populated(tmp_path)
    assert main(["--config", str(path), "quarantine", "list"]) == 0
    out = capsys.readouterr().out
    assert "uid 42" in out and "too big" in out and "uid 41" not in out
    assert main(["--config", str(path), "quarantine", "show", "42"]) == 0
    out = capsys.readouterr().out
    assert "<m2@x>" in out and "not available" in out  # the IMAP port is closed
    assert main(["--config", str(path), "quarantine", "show", "41"]) == 64
    assert "no quarantined message with uid 41" in capsys.readouterr().err
    assert main(["--config", str(path), "quarantine", "retry"]) == 64
    assert "--all" in capsys.readouterr().err


# --- preview ----------------------------------------------------------------------------------------


def test_preview_shows_what_would_be_sent_without_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["--config", str(EXAMPLE), "preview", str(NOTE), "--now", "2026-03-24T17:30:00+00:00"]) == 0
    out = capsys.readouterr().out
    assert "=== recap" in out
    assert "To:      ada@example.org, kofi@example.com" in out
    assert "Subject: Recap: Mentoring call notes" in out
    assert list(tmp_path.iterdir()) == []  # no store, no lock


def test_preview_of_an_unauthorised_sender(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    eml = tmp_path / "x.eml"
    eml.write_bytes(NOTE.read_bytes().replace(b"ada@example.org>\nTo", b"eve@evil.test>\nTo", 1))
    path = write(tmp_path, MINIMAL.format(port=1))
    assert main(["--config", str(path), "preview", str(eml)]) == 0
    assert "nothing would be sent" in capsys.readouterr().out
    assert main(["--config", str(path), "preview", str(tmp_path / "missing.eml")]) == 66


# --- check without a server ---------------------------------------------------------------------------


def test_check_against_a_closed_port_fails_as_temporary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, MINIMAL.format(port=closed_port()))
    assert main(["--config", str(path), "check"]) == 75
    out = capsys.readouterr().out
    assert "fail IMAP 127.0.0.1" in out and "cannot connect" in out
    assert "check failed (exit 75)" in out


def test_check_exit_code_is_the_first_failure() -> None:
    ok = checks.Step(status="ok", what="a", detail="")
    warn = checks.Step(status="warn", what="b", detail="")
    fail = checks.Step(status="fail", what="c", detail="", exit_code=77)
    assert checks.exit_code({"imap": [ok, warn]}) == 0
    assert checks.exit_code({"imap": [ok], "smtp": [fail]}) == 77


# --- logs ---------------------------------------------------------------------------------------------


def test_json_log_lines_carry_extra_fields() -> None:
    record = logging.LogRecord("mailflow.runner", logging.INFO, __file__, 1, "uid=%s handled", (7,), None)
    record.uid = 7
    line = JsonFormatter().format(record)
    assert "\n" not in line
    data = json.loads(line)
    assert data["message"] == "uid=7 handled" and data["uid"] == 7 and data["level"] == "info"


def test_log_levels() -> None:
    assert level_for(0) == logging.WARNING
    assert level_for(0, daemon=True) == logging.INFO
    assert level_for(1) == logging.INFO
    assert level_for(2) == logging.DEBUG


def test_progress_rewrites_one_line_only_on_a_terminal() -> None:
    quiet = io.StringIO()
    Progress(quiet)(1, 10)
    assert quiet.getvalue() == ""
    tty = io.StringIO()
    p = Progress(tty, force=True, interval=0)
    p(1, 5000, 1234)
    p(5000, 5000)
    p.close()
    out = tty.getvalue()
    assert "\rmessage 1/5000 (uid 1234)" in out and "\rmessage 5000/5000" in out
    assert "\n" not in out and out.endswith("\r")


def test_init_default_paths_follow_xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    args = [a for a in init_args(tmp_path) if a not in ("--output", str(tmp_path / "c.toml"))]
    assert main(args) == 0
    written = tmp_path / "cfg" / "mailflow" / "config.toml"
    cfg = load_config(str(written))
    assert cfg.store_path == tmp_path / "state" / "mailflow" / "mailflow.sqlite3"
    monkeypatch.delenv("MAILFLOW_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    assert load_config(None).path == written.resolve()  # found without --config
