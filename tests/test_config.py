"""Configuration: every key validated, errors name the key, secrets from the environment."""

from __future__ import annotations

import datetime as dt
import sys
import tomllib
from pathlib import Path

import pytest

from mailflow.config import load_config, parse_config
from mailflow.errors import ConfigError

EXAMPLE = Path(__file__).resolve().parent.parent / "config" / "mailflow.example.toml"


def minimal(**extra: object) -> dict[str, object]:
    data: dict[str, object] = {"account": {"address": "bot@example.org"}}
    data.update(extra)
    return data


def test_example_config_is_valid_and_documents_every_key() -> None:
    cfg = load_config(str(EXAMPLE))
    assert cfg.address == "recaps@example.org"
    assert cfg.imap is not None and cfg.imap.port == 993 and cfg.imap.security == "tls"
    assert cfg.smtp is not None and cfg.smtp.port == 587
    assert [p.zone for p in cfg.people] == ["Europe/London", "Africa/Lagos"]
    assert cfg.schedule.agenda_request_before == dt.timedelta(days=2)
    assert cfg.store_path.parent == EXAMPLE.parent


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({}, "account"),
        ({"account": {"address": "not-an-address"}}, "account.address"),
        (minimal(imap={"host": "h", "user": "u", "port": "143"}), "imap.port"),
        (minimal(imap={"host": "h", "user": "u", "port": 70000}), "imap.port"),
        (minimal(imap={"host": "h", "user": "u", "security": "ssl"}), "imap.security"),
        (minimal(imap={"user": "u"}), "imap.host"),
        (minimal(imap={"host": "h", "user": "u", "folderr": "x"}), "imap.folderr"),
        (minimal(people={"person": [{"name": "A", "addr": "a@x.org", "zone": "Mars/Base"}]}),
         "people.person[0].zone"),
        (minimal(people={"person": [{"name": "A", "addr": "nope", "zone": "UTC"}]}),
         "people.person[0].addrs"),
        (minimal(people={"person": [{"name": "A", "addr": "a@x.org", "zone": "UTC",
                                     "work_hours": "9-5"}]}), "people.person[0].work_hours"),
        (minimal(schedule={"reminder_before": "tomorrow"}), "schedule.reminder_before"),
        (minimal(policy={"authorised": [""]}), "policy.authorised"),
        (minimal(surprise=1), "surprise"),
    ],
)
def test_errors_name_the_bad_key(data: dict[str, object], key: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_config(data)
    assert str(err.value).startswith(key), str(err.value)


def test_secrets_from_env_command_or_default_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = parse_config(minimal(imap={"host": "h", "user": "u", "password_env": "MY_PW"}))
    assert cfg.imap is not None
    monkeypatch.delenv("MY_PW", raising=False)
    with pytest.raises(ConfigError, match="MY_PW"):
        cfg.imap.secret()
    monkeypatch.setenv("MY_PW", "s3cret")
    assert cfg.imap.secret() == "s3cret"

    cmd = f"{sys.executable} -c \"print('from-command')\""
    cfg = parse_config(minimal(smtp={"host": "h", "user": "u", "password_command": cmd}))
    assert cfg.smtp is not None and cfg.smtp.secret() == "from-command"

    cfg = parse_config(minimal(smtp={"host": "h", "user": "u"}))
    assert cfg.smtp is not None and cfg.smtp.password_env == "MAILFLOW_SMTP_PASSWORD"
    monkeypatch.setenv("MAILFLOW_SMTP_PASSWORD", "pw")
    assert cfg.smtp.secret() == "pw"


def test_password_is_not_in_repr() -> None:
    cfg = parse_config(minimal(imap={"host": "h", "user": "u", "password": "hunter2"}))
    assert "hunter2" not in repr(cfg)


def test_config_search_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MAILFLOW_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    with pytest.raises(ConfigError, match="mailflow init"):
        load_config(None)
    (tmp_path / "xdg" / "mailflow").mkdir(parents=True)
    (tmp_path / "xdg" / "mailflow" / "config.toml").write_text('[account]\naddress = "x@xdg.org"\n')
    assert load_config(None).address == "x@xdg.org"
    (tmp_path / "mailflow.toml").write_text('[account]\naddress = "x@cwd.org"\n')
    assert load_config(None).address == "x@cwd.org"
    other = tmp_path / "other.toml"
    other.write_text('[account]\naddress = "x@env.org"\n')
    monkeypatch.setenv("MAILFLOW_CONFIG", str(other))
    assert load_config(None).address == "x@env.org"


def test_bad_toml_is_reported_with_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[account\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(str(bad))
    assert tomllib  # stdlib parser is what reads it
