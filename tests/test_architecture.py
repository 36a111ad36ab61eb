"""The pure core stays pure: no sockets, files, clock or logging in the understanding stages."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "mailflow"
CORE = (
    "model", "errors", "letters", "notes", "calendars", "zones", "times", "people", "minutes",
    "meetings", "policy", "plans", "invites", "drafts", "records", "needles",
)
BANNED_MODULES = {
    "imapclient", "aiosmtplib", "sqlite3", "socket", "ssl", "os", "time", "logging", "subprocess",
    "asyncio", "mailflow.imap", "mailflow.smtp", "mailflow.store", "mailflow.runner",
    "mailflow.config", "mailflow.cli", "mailflow.watch",
}
SHELL_SIBLINGS = {"imap", "smtp", "store", "runner", "config", "cli", "watch"}
CLOCK_CALLS = {"now", "utcnow", "today", "time", "monotonic"}


def core_files() -> list[Path]:
    files = []
    for name in CORE:
        path = PACKAGE / f"{name}.py"
        if path.exists():
            files.append(path)
    files.extend(p for p in PACKAGE.glob("times_*.py"))
    files.extend(p for p in PACKAGE.glob("minutes_*.py"))
    return files


def test_core_modules_exist() -> None:
    names = {p.stem for p in core_files()}
    assert {"model", "letters", "notes", "meetings", "times", "zones", "minutes"} <= names


def test_core_imports_no_io_and_reads_no_clock() -> None:
    problems = []
    for path in core_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] in BANNED_MODULES or alias.name in BANNED_MODULES:
                        problems.append(f"{path.name}: import {alias.name}")
            elif isinstance(node, ast.ImportFrom):
                mod = node.module or ""
                if node.level and mod.split(".")[0] in SHELL_SIBLINGS:
                    # `from .config import X` is allowed only under TYPE_CHECKING; checked below
                    problems.append(f"{path.name}: from .{mod} import ...")
                elif not node.level and mod.split(".")[0] in BANNED_MODULES:
                    problems.append(f"{path.name}: from {mod} import ...")
            elif isinstance(node, ast.Attribute) and node.attr in CLOCK_CALLS:
                base = node.value
                if isinstance(base, ast.Attribute | ast.Name):
                    name = base.attr if isinstance(base, ast.Attribute) else base.id
                    if name in {"datetime", "date", "time"}:
                        problems.append(f"{path.name}:{node.lineno}: {name}.{node.attr}() reads the clock")
    # imports under `if TYPE_CHECKING:` are annotations only
    allowed = set()
    for path in core_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                for sub in ast.walk(node):
                    if isinstance(sub, ast.ImportFrom):
                        allowed.add(f"{path.name}: from .{sub.module} import ...")
    assert [p for p in problems if p not in allowed] == []
