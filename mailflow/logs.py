"""Log set-up and formatting: one line per event; ``--log-format json`` for machines.

Levels: WARNING by default (INFO for ``watch``, a daemon whose log is its record), ``-v`` INFO,
``-vv`` DEBUG. ``Progress`` rewrites one status line on a terminal during a long first pass.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
import time
from typing import TextIO

_STD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        out.update({k: v for k, v in vars(record).items() if k not in _STD})
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, default=str, ensure_ascii=False)


def level_for(verbose: int, *, daemon: bool = False) -> int:
    if verbose >= 2:
        return logging.DEBUG
    if verbose == 1 or daemon:
        return logging.INFO
    return logging.WARNING


def setup_logging(verbose: int, fmt: str = "text", *, daemon: bool = False,
                  stream: TextIO | None = None) -> logging.Handler:
    """Send the ``mailflow`` loggers to stderr (or ``stream``) in text or JSON lines."""
    handler = logging.StreamHandler(stream or sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger("mailflow")
    root.handlers[:] = [handler]
    root.setLevel(level_for(verbose, daemon=daemon))
    root.propagate = False
    return handler


class Progress:
    """``uid 1234/5000`` on one rewritten stderr line, only when stderr is a terminal.

    Call it as ``progress(done, total, uid)``; ``close()`` clears the line. At most ten
    redraws a second, so a fast pass is not slowed by the terminal.
    """

    def __init__(self, stream: TextIO | None = None, *, force: bool = False,
                 interval: float = 0.1) -> None:
        self.stream = stream or sys.stderr
        self.enabled = force or bool(getattr(self.stream, "isatty", lambda: False)())
        self.interval = interval
        self._last = 0.0
        self._width = 0

    def __call__(self, done: int, total: int, uid: int | None = None) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if done < total and now - self._last < self.interval:
            return
        self._last = now
        text = f"message {done}/{total}" + (f" (uid {uid})" if uid is not None else "")
        self.stream.write("\r" + text.ljust(self._width))
        self._width = len(text)
        self.stream.flush()

    def close(self) -> None:
        if self.enabled and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
            self._width = 0
