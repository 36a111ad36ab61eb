"""`mailflow watch`: a long-running loop of polls, woken early by IMAP IDLE.

Rules:
- The work is always ``runner.poll_once`` (its own lock, connection and transactions); IDLE is
  only a hint that something arrived. A full poll runs at start, every ``imap.full_poll_every``,
  when the earliest scheduled mail falls due, and whenever the IDLE connection reports activity
  or comes back after a drop.
- The IDLE connection lives in its own thread and re-IDLEs before ``imap.idle_timeout`` (default
  25 minutes, under the 29-minute server limit). When it drops it reconnects with exponential
  backoff, capped; a failed poll backs off the same way.
- SIGTERM / SIGINT set a flag (nothing else happens inside the signal handler but a byte written
  to a pipe): the current message is finished, no new one is started, the loop exits 0. A second
  signal stops at once; the poll's transactions make that safe too.
- Every wait is bounded; the main loop sleeps in ``select`` on the wake-up pipe.
"""

from __future__ import annotations

import datetime as dt
import inspect
import logging
import os
import select
import signal
import threading
import time
from collections.abc import Callable
from types import FrameType
from typing import Any

from .config import Config
from .errors import ConfigError, MailflowError, OurFault

log = logging.getLogger("mailflow.watch")

Clock = Callable[[], dt.datetime]


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def backoff(failures: int, *, base: float, cap: float) -> float:
    """1, 2, 4, ... times ``base`` seconds, never more than ``cap``."""
    if failures <= 0:
        return 0.0
    return float(min(cap, base * 2 ** min(failures - 1, 30)))


def _caps(mb: Any) -> set[str]:
    caps = getattr(mb, "capabilities", ())
    if callable(caps):
        caps = caps()
    return {(c.decode() if isinstance(c, bytes) else str(c)).upper() for c in caps or ()}


class Watcher:
    def __init__(
        self,
        config: Config,
        *,
        clock: Clock = utcnow,
        poll: Callable[..., Any] | None = None,
        mailbox: Callable[[Any], Any] | None = None,
        backoff_base: float = 1.0,
        backoff_cap: float | None = None,
        progress: Callable[..., None] | None = None,
    ) -> None:
        if config.imap is None:
            raise ConfigError("imap: missing section [imap]: 'mailflow watch' needs a mailbox to watch")
        self.config = config
        self.imap = config.imap
        self.clock = clock
        if poll is None:
            from .runner import poll_once

            poll = poll_once
        self.poll = poll
        if mailbox is None:
            from .imap import Mailbox

            mailbox = Mailbox
        self.mailbox = mailbox
        self.period = max(1.0, self.imap.full_poll_every)  # "0s" must not become a busy loop
        self.idle_timeout = max(1.0, self.imap.idle_timeout)
        if self.idle_timeout > 29 * 60:
            log.warning("imap.idle_timeout is %gs: servers may end IDLE after 29 minutes (RFC 2177); "
                        "25m is safe", self.idle_timeout)
        self.base = backoff_base
        self.cap = backoff_cap if backoff_cap is not None else max(backoff_base, min(300.0, self.period))
        self.progress = progress
        self.stopping = False
        self.polls = 0
        self._signals = 0
        self._r, self._w = os.pipe()
        os.set_blocking(self._r, False)
        os.set_blocking(self._w, False)
        self._halt = threading.Event()  # set by the main loop only (never in a signal handler)
        self._idle_mb: Any = None
        self._idle_thread: threading.Thread | None = None
        self._poll_kwargs = self._hooks()

    # --- signals and wake-ups ------------------------------------------------------------------

    def _hooks(self) -> dict[str, Any]:
        """Pass the stop flag (and progress) to poll_once when it accepts them."""
        try:
            params = inspect.signature(self.poll).parameters
        except (TypeError, ValueError):
            return {}
        kwargs: dict[str, Any] = {}
        if "should_stop" in params:
            kwargs["should_stop"] = lambda: self.stopping
        if "progress" in params and self.progress is not None:
            kwargs["progress"] = self.progress
        return kwargs

    def wake(self) -> None:
        try:
            os.write(self._w, b"w")
        except (BlockingIOError, OSError):
            pass  # the pipe is full (a wake-up is pending anyway) or closed at shutdown

    def request_stop(self, signum: int | None = None, frame: FrameType | None = None) -> None:
        """Signal handler: first signal = finish the current message and exit 0; second = now."""
        self._signals += 1
        if self._signals > 1:
            raise KeyboardInterrupt
        self.stopping = True
        self.wake()

    def install_signals(self) -> None:
        signal.signal(signal.SIGTERM, self.request_stop)
        signal.signal(signal.SIGINT, self.request_stop)

    def _sleep(self, timeout: float) -> bool:
        """Wait for a wake-up or the timeout; True when woken."""
        try:
            ready, _, _ = select.select([self._r], [], [], max(0.0, timeout))
        except InterruptedError:  # pragma: no cover - PEP 475 retries select itself
            ready = []
        if not ready:
            return False
        try:
            while os.read(self._r, 512):
                pass
        except BlockingIOError:
            pass
        return True

    # --- the loop --------------------------------------------------------------------------------

    def _poll(self) -> Any:
        self.polls += 1
        started = time.monotonic()
        report = self.poll(self.config, now=self.clock, **self._poll_kwargs)
        log.debug("poll %d took %.2fs", self.polls, time.monotonic() - started)
        return report

    def _seconds_to_next_send(self) -> float | None:
        """Until the earliest pending mail may go out (its due time or its retry time)."""
        from .store import Store

        if not self.config.store_path.exists():
            return None
        when: dt.datetime | None
        try:
            with Store(self.config.store_path) as store:
                next_due = getattr(store, "next_due", None)
                if next_due is not None:  # the store's own answer, once it has one
                    when = next_due()
                else:
                    row = store.db.execute(
                        "SELECT min(max(due, coalesce(next_try, due))) FROM outbox WHERE state='pending'"
                    ).fetchone()
                    when = dt.datetime.fromisoformat(row[0]) if row and row[0] else None
        except Exception as exc:  # noqa: BLE001 - a hint only; the timer poll still runs
            log.debug("cannot read the outbox: %s", exc)
            return None
        if when is None:
            return None
        return float(max(0.0, (when - self.clock()).total_seconds()) + 1.0)

    def run(self) -> int:
        self._idle_thread = threading.Thread(target=self._idle_loop, name="mailflow-idle", daemon=True)
        self._idle_thread.start()
        log.info("watching %s on %s:%s (full poll every %gs, IDLE timeout %gs)", self.imap.folder,
                 self.imap.host, self.imap.port, self.period, self.idle_timeout)
        failures = 0
        next_poll = time.monotonic()  # a full poll at start
        try:
            while not self.stopping:
                now = time.monotonic()
                if now >= next_poll:
                    try:
                        report = self._poll()
                    except OurFault:
                        raise
                    except MailflowError as exc:
                        report = None
                        log.error("poll failed: %s", exc)
                    except Exception:  # a bug in one pass must not end the daemon
                        report = None
                        log.exception("poll failed")
                    if report is not None and getattr(report, "ok", False) and not getattr(report, "busy", False):
                        failures = 0
                        if getattr(report, "seen", 0) or getattr(report, "sent", 0) or self.polls == 1:
                            log.info("%s", report.summary())
                        delay = self.period
                        due = self._seconds_to_next_send()
                        if due is not None:
                            delay = min(delay, due)
                    elif report is not None and getattr(report, "busy", False):
                        delay = min(self.period, 30.0)
                    else:
                        failures += 1
                        delay = backoff(failures, base=self.base, cap=self.cap)
                        if report is not None:
                            log.warning("%s; next try in %gs", report.summary().replace("\n", "; "), delay)
                    next_poll = time.monotonic() + delay
                    continue
                if self._sleep(next_poll - now) and not self.stopping:
                    next_poll = min(next_poll, time.monotonic())  # IDLE saw something: poll now
        finally:
            self._shutdown()
        log.info("stopped after %d poll(s)", self.polls)
        return 0

    def _shutdown(self) -> None:
        self.stopping = True
        self._halt.set()
        interrupt = getattr(self._idle_mb, "interrupt", None)  # Mailbox.interrupt(): ends IDLE now
        if interrupt is not None:
            interrupt()
        if self._idle_thread is not None:
            self._idle_thread.join(timeout=3.0)
        for fd in (self._r, self._w):
            try:
                os.close(fd)
            except OSError:
                pass

    # --- the IDLE connection ---------------------------------------------------------------------

    def _idle_loop(self) -> None:
        failures = 0
        while not self._halt.is_set():
            try:
                with self.mailbox(self.imap) as mb:
                    self._idle_mb = mb
                    if failures:
                        log.info("IDLE connection restored after %d failure(s)", failures)
                        self.wake()  # mail may have arrived while it was down
                    failures = 0
                    if "IDLE" not in _caps(mb):
                        log.info("the server has no IDLE: full polls every %gs only", self.period)
                        return
                    while not self._halt.is_set():
                        if mb.idle_wait(self.idle_timeout):
                            log.debug("IDLE: activity in %s", self.imap.folder)
                            self.wake()
            except Exception as exc:  # noqa: BLE001 - any failure here means: reconnect later
                if self._halt.is_set():
                    return
                failures += 1
                delay = backoff(failures, base=self.base, cap=self.cap)
                log.warning("IDLE connection lost (%s: %s); reconnecting in %gs", type(exc).__name__, exc, delay)
                self._halt.wait(delay)
            finally:
                self._idle_mb = None


def watch(config: Config, *, progress: Callable[..., None] | None = None) -> int:
    """Run until SIGTERM/SIGINT; 0 on a clean stop."""
    watcher = Watcher(config, progress=progress)
    watcher.install_signals()
    return watcher.run()
