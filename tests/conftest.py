"""Shared fixtures: real servers on loopback (see tests/servers.py).

    dovecot      session: a private Dovecot (.host .port .tls_port .ca_file .maildir_root,
                 add_user(), new_user(), imap_client(), append(), messages(), deliver())
    mail_user    function: a fresh Dovecot user with an empty INBOX (servers.MailUser)
    smtp_server  function: the session's SMTP listeners, reset (no script, no messages)
    proxy        function: a servers.Proxy in front of Dovecot's plain IMAP port
    make_proxy   function: make_proxy(target_port) -> Proxy, closed at teardown

Tests that use these fixtures are marked `servers` automatically. Without a dovecot binary they
are skipped, unless MAILFLOW_REQUIRE_SERVERS=1 (CI), in which case they fail.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import servers  # noqa: E402

SERVER_FIXTURES = {"dovecot", "mail_user", "smtp_server", "proxy", "make_proxy", "dovecot_log"}


def pytest_configure(config: pytest.Config) -> None:
    """Refuse to test a stale compiled build: Python would import the old extension, not the
    edited source, and the tests would pass or fail for code that is no longer there."""
    from mailflow import build

    old = build.stale()
    if old:
        raise pytest.UsageError(
            f"mailflow's compiled modules are stale, their source changed ({', '.join(old)}): rebuild "
            "with `python3 -m pip install -e .` (or `MAILFLOW_COMPILE=0 python3 -m pip install -e .` "
            "for pure Python, which removes the extensions)")


def _servers_required() -> bool:
    return os.environ.get("MAILFLOW_REQUIRE_SERVERS", "") not in ("", "0")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if SERVER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.servers)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    report = yield
    if report.failed and "dovecot" in getattr(item, "fixturenames", ()):
        server = item.funcargs.get("dovecot") if hasattr(item, "funcargs") else None
        if isinstance(server, servers.Dovecot):
            report.sections.append(("dovecot.log (tail)", server.log_tail(40)))
    return report


@pytest.fixture(scope="session")
def dovecot() -> Iterator[servers.Dovecot]:
    binary = servers.find_dovecot()
    if binary is None:
        reason = "dovecot is not installed (apt-get install dovecot-imapd)"
        if _servers_required():
            pytest.fail(f"MAILFLOW_REQUIRE_SERVERS=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    try:
        server = servers.Dovecot.start(binary)
    except servers.ServerStartError as exc:
        if _servers_required():
            pytest.fail(f"Dovecot did not start: {exc}", pytrace=False)
        pytest.skip(f"Dovecot did not start: {exc}")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def mail_user(dovecot: servers.Dovecot) -> servers.MailUser:
    return dovecot.new_user()


@pytest.fixture(scope="session")
def _smtp_servers(dovecot: servers.Dovecot) -> Iterator[servers.SmtpServers]:
    smtp = servers.SmtpServers.start(dovecot)
    try:
        yield smtp
    finally:
        smtp.stop()


@pytest.fixture
def smtp_server(_smtp_servers: servers.SmtpServers) -> Iterator[servers.SmtpServers]:
    _smtp_servers.reset()
    yield _smtp_servers
    _smtp_servers.reset()


@pytest.fixture
def make_proxy() -> Iterator[Callable[[int], servers.Proxy]]:
    made: list[servers.Proxy] = []

    def make(target_port: int) -> servers.Proxy:
        p = servers.Proxy(target_port)
        made.append(p)
        return p

    yield make
    for p in made:
        p.close()


@pytest.fixture
def proxy(dovecot: servers.Dovecot, make_proxy: Callable[[int], servers.Proxy]) -> servers.Proxy:
    return make_proxy(dovecot.port)
