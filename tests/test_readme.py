"""The README stays true: its worked example is what mailflow prints, its two commands are the
ones CI runs."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from mailflow.cli import preview_text
from mailflow.config import load_config

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_worked_example_is_what_preview_prints() -> None:
    config = load_config(str(ROOT / "config" / "mailflow.example.toml"))
    data = (ROOT / "config" / "examples" / "forwarded-note.eml").read_bytes()
    printed = preview_text(data, config, dt.datetime(2026, 3, 24, 17, 30, tzinfo=dt.UTC))
    recap = printed.split("\n=== ")[1]
    assert recap.startswith("recap")
    assert ("=== " + recap.strip()) in README
    for block in printed.split("\n=== ")[2:]:
        head = "\n".join(block.splitlines()[:4])  # kind, To, Due, Subject
        assert ("=== " + head) in README


def test_the_two_commands_open_the_readme_and_ci_runs_the_test_command() -> None:
    first_block = re.search(r"```sh\n(.*?)```", README, re.S)
    assert first_block is not None
    commands = [c for c in first_block.group(1).splitlines() if c.strip()]
    assert len(commands) == 2
    assert "mailflow" in commands[0] and "pip install" in commands[0]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    test_command = commands[1].strip()
    assert "pytest" in test_command
    assert test_command in ci.splitlines()
