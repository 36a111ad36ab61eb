"""The record of what mailflow did: SQLite in WAL mode, one file, safe against a kill at any instant.

Tables (schema version in ``PRAGMA user_version``; migrations below run in order):

- ``messages``: one row per message seen, keyed by account + folder + UIDVALIDITY + UID, and also
  findable by Message-ID + content hash (used when UIDVALIDITY changes: the server renumbered,
  the mail did not change). ``state``: handled | skipped | quarantined | failed (retry later).
- ``outbox``: every mail mailflow means to send, rendered, with its stable Message-ID, written in
  the same transaction that marks its source message handled. ``dedupe_key`` is unique, so the
  same plan can never be queued twice. ``state``: pending -> sending -> sent | failed; pending ->
  cancelled; a row found in ``sending`` at start-up was interrupted: the shell checks the Sent
  folder for its Message-ID before trying again.

Every write is one short transaction; ``BEGIN IMMEDIATE`` takes the write lock up front so two
processes never interleave a read-decide-write.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .model import Draft

SCHEMA_VERSION = 2

_MIGRATIONS: tuple[str, ...] = (
    # 1: the first schema
    """
    CREATE TABLE messages (
        id INTEGER PRIMARY KEY,
        account TEXT NOT NULL,
        folder TEXT NOT NULL,
        uidvalidity INTEGER NOT NULL,
        uid INTEGER NOT NULL,
        message_id TEXT,
        content_hash TEXT NOT NULL,
        state TEXT NOT NULL,
        reason TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        first_seen TEXT NOT NULL,
        updated TEXT NOT NULL,
        UNIQUE (account, folder, uidvalidity, uid)
    );
    CREATE INDEX messages_by_content ON messages (message_id, content_hash);
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        dedupe_key TEXT NOT NULL UNIQUE,
        message_id TEXT NOT NULL UNIQUE,
        meeting_uid TEXT NOT NULL,
        thread_root TEXT,
        kind TEXT NOT NULL,
        due TEXT NOT NULL,
        sender TEXT NOT NULL,
        recipients TEXT NOT NULL,
        subject TEXT NOT NULL,
        data BLOB NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending',
        attempts INTEGER NOT NULL DEFAULT 0,
        next_try TEXT,
        last_error TEXT,
        source TEXT,
        created TEXT NOT NULL,
        sent TEXT
    );
    CREATE INDEX outbox_due ON outbox (state, due);
    CREATE INDEX outbox_meeting ON outbox (meeting_uid, state);
    """,
    # 2: the thread a message belongs to, for the per-thread limit
    """
    ALTER TABLE messages ADD COLUMN thread_root TEXT;
    CREATE INDEX outbox_thread ON outbox (thread_root);
    """,
)


def _iso(t: dt.datetime) -> str:
    if t.tzinfo is None:
        raise ValueError("naive datetime")
    return t.astimezone(dt.UTC).isoformat(timespec="seconds")


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageKey:
    account: str
    folder: str
    uidvalidity: int
    uid: int


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageRow:
    key: MessageKey
    message_id: str | None
    content_hash: str
    state: str
    reason: str | None
    attempts: int
    updated: str


@dataclass(frozen=True, slots=True, kw_only=True)
class OutboxRow:
    id: int
    dedupe_key: str
    message_id: str
    meeting_uid: str
    kind: str
    due: dt.datetime
    sender: str
    recipients: tuple[str, ...]
    subject: str
    data: bytes
    state: str
    attempts: int
    last_error: str | None


class Store:
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(path), timeout=30.0, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self.db.execute("PRAGMA busy_timeout=30000")
        self._migrate()

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def _migrate(self) -> None:
        with self.transaction() as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise RuntimeError(
                    f"{self.path}: schema version {version} is newer than this mailflow "
                    f"({SCHEMA_VERSION}); upgrade mailflow"
                )
            for number in range(version, SCHEMA_VERSION):
                for statement in _MIGRATIONS[number].split(";"):
                    if statement.strip():
                        db.execute(statement)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def integrity(self) -> str:
        return str(self.db.execute("PRAGMA integrity_check").fetchone()[0])

    # --- messages ------------------------------------------------------------------------------

    def message(self, key: MessageKey) -> MessageRow | None:
        row = self.db.execute(
            "SELECT message_id, content_hash, state, reason, attempts, updated FROM messages "
            "WHERE account=? AND folder=? AND uidvalidity=? AND uid=?",
            (key.account, key.folder, key.uidvalidity, key.uid),
        ).fetchone()
        if row is None:
            return None
        return MessageRow(key=key, message_id=row[0], content_hash=row[1], state=row[2],
                          reason=row[3], attempts=row[4], updated=row[5])

    def done_keys(self, account: str, folder: str, uidvalidity: int,
                  among: Sequence[int] | None = None) -> set[int]:
        """UIDs in this folder generation that need no more work (only those in `among`, when
        given: a poll asks about the few unflagged UIDs, so its cost does not grow with the
        mailbox)."""
        sql = ("SELECT uid FROM messages WHERE account=? AND folder=? AND uidvalidity=? "
               "AND state IN ('handled','skipped','quarantined')")
        if among is None:
            return {r[0] for r in self.db.execute(sql, (account, folder, uidvalidity))}
        found: set[int] = set()
        wanted = sorted(set(among))
        for i in range(0, len(wanted), 500):
            chunk = wanted[i : i + 500]
            rows = self.db.execute(sql + f" AND uid IN ({','.join('?' * len(chunk))})",
                                   (account, folder, uidvalidity, *chunk))
            found.update(r[0] for r in rows)
        return found

    def seen_content(self, message_id: str | None, content_hash: str) -> str | None:
        """The final state of the same message under another UID/UIDVALIDITY, if any."""
        row = self.db.execute(
            "SELECT state FROM messages WHERE content_hash=? AND (message_id IS ? OR message_id=?) "
            "AND state IN ('handled','skipped','quarantined') LIMIT 1",
            (content_hash, message_id, message_id),
        ).fetchone()
        return row[0] if row else None

    def record_message(
        self,
        db: sqlite3.Connection,
        key: MessageKey,
        *,
        message_id: str | None,
        content_hash: str,
        state: str,
        reason: str | None,
        now: dt.datetime,
        thread_root: str | None = None,
        attempt: bool = False,
    ) -> int:
        """Insert or update the message row inside the caller's transaction; returns attempts."""
        stamp = _iso(now)
        db.execute(
            "INSERT INTO messages (account, folder, uidvalidity, uid, message_id, content_hash, "
            "state, reason, attempts, first_seen, updated, thread_root) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?) "
            "ON CONFLICT (account, folder, uidvalidity, uid) DO UPDATE SET "
            "state=excluded.state, reason=excluded.reason, updated=excluded.updated, "
            "attempts=messages.attempts + ?, message_id=excluded.message_id, "
            "content_hash=excluded.content_hash, thread_root=excluded.thread_root",
            (key.account, key.folder, key.uidvalidity, key.uid, message_id, content_hash, state,
             reason, int(attempt), stamp, stamp, thread_root, int(attempt)),
        )
        row = db.execute(
            "SELECT attempts FROM messages WHERE account=? AND folder=? AND uidvalidity=? AND uid=?",
            (key.account, key.folder, key.uidvalidity, key.uid),
        ).fetchone()
        return int(row[0])

    def messages(self, state: str | None = None, limit: int = 1000) -> list[MessageRow]:
        sql = ("SELECT account, folder, uidvalidity, uid, message_id, content_hash, state, reason, "
               "attempts, updated FROM messages")
        args: tuple[object, ...] = ()
        if state:
            sql += " WHERE state=?"
            args = (state,)
        sql += " ORDER BY id DESC LIMIT ?"
        rows = self.db.execute(sql, (*args, limit)).fetchall()
        return [
            MessageRow(key=MessageKey(account=r[0], folder=r[1], uidvalidity=r[2], uid=r[3]),
                       message_id=r[4], content_hash=r[5], state=r[6], reason=r[7], attempts=r[8],
                       updated=r[9])
            for r in rows
        ]

    def counts(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {"messages": {}, "outbox": {}}
        for state, n in self.db.execute("SELECT state, count(*) FROM messages GROUP BY state"):
            out["messages"][state] = n
        for state, n in self.db.execute("SELECT state, count(*) FROM outbox GROUP BY state"):
            out["outbox"][state] = n
        return out

    # --- outbox --------------------------------------------------------------------------------

    def queue(
        self,
        db: sqlite3.Connection,
        draft: Draft,
        *,
        kind: str,
        meeting_uid: str,
        due: dt.datetime,
        now: dt.datetime,
        thread_root: str | None,
        source: str | None,
    ) -> bool:
        """Queue a rendered draft inside the caller's transaction; False if already queued."""
        cur = db.execute(
            "INSERT OR IGNORE INTO outbox (dedupe_key, message_id, meeting_uid, thread_root, kind, "
            "due, sender, recipients, subject, data, created, source) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (draft.dedupe_key, draft.message_id, meeting_uid, thread_root, kind, _iso(due),
             draft.sender, json.dumps(list(draft.recipients)), draft.subject, draft.data, _iso(now),
             source),
        )
        return cur.rowcount == 1

    def has_key(self, dedupe_key: str) -> bool:
        return self.db.execute(
            "SELECT 1 FROM outbox WHERE dedupe_key=?", (dedupe_key,)
        ).fetchone() is not None

    def keys_for_meeting(self, meeting_uid: str) -> frozenset[str]:
        rows = self.db.execute("SELECT dedupe_key FROM outbox WHERE meeting_uid=?", (meeting_uid,))
        return frozenset(r[0] for r in rows)

    def cancel_pending(
        self, db: sqlite3.Connection, meeting_uid: str, kinds: Sequence[str], keep: Sequence[str] = ()
    ) -> int:
        marks = ",".join("?" * len(kinds))
        keeps = ",".join("?" * len(keep)) or "''"
        cur = db.execute(
            f"UPDATE outbox SET state='cancelled' WHERE meeting_uid=? AND state='pending' "  # noqa: S608
            f"AND kind IN ({marks}) AND dedupe_key NOT IN ({keeps})",
            (meeting_uid, *kinds, *keep),
        )
        return cur.rowcount

    def thread_count(self, thread_root: str | None) -> int:
        if not thread_root:
            return 0
        row = self.db.execute(
            "SELECT count(*) FROM outbox WHERE thread_root=? AND state IN ('sent','sending','pending')",
            (thread_root,),
        ).fetchone()
        return int(row[0])

    def sent_since(self, since: dt.datetime) -> int:
        """Recipients written to (queued or sent) since the instant: the daily budget."""
        rows = self.db.execute(
            "SELECT recipients FROM outbox WHERE created >= ? AND state != 'cancelled'",
            (_iso(since),),
        )
        return sum(len(json.loads(r[0])) for r in rows)

    def sent_count_since(self, since: dt.datetime) -> int:
        """Messages handed to SMTP since the instant: the provider's sending limits."""
        row = self.db.execute(
            "SELECT count(*) FROM outbox WHERE state='sent' AND sent >= ?", (_iso(since),)
        ).fetchone()
        return int(row[0])

    def _row(self, r: Any) -> OutboxRow:
        return OutboxRow(
            id=int(r[0]),
            dedupe_key=str(r[1]),
            message_id=str(r[2]),
            meeting_uid=str(r[3]),
            kind=str(r[4]),
            due=dt.datetime.fromisoformat(str(r[5])),
            sender=str(r[6]),
            recipients=tuple(json.loads(str(r[7]))),
            subject=str(r[8]),
            data=bytes(r[9]),
            state=str(r[10]),
            attempts=int(r[11]),
            last_error=str(r[12]) if r[12] is not None else None,
        )

    _COLS = ("id, dedupe_key, message_id, meeting_uid, kind, due, sender, recipients, subject, "
             "data, state, attempts, last_error")

    def outbox(self, states: Sequence[str] = (), limit: int = 1000) -> list[OutboxRow]:
        sql = f"SELECT {self._COLS} FROM outbox"  # noqa: S608
        args: list[object] = []
        if states:
            sql += f" WHERE state IN ({','.join('?' * len(states))})"
            args.extend(states)
        sql += " ORDER BY due, id LIMIT ?"
        args.append(limit)
        return [self._row(r) for r in self.db.execute(sql, args)]

    def due(self, now: dt.datetime, limit: int = 100) -> list[OutboxRow]:
        stamp = _iso(now)
        rows = self.db.execute(
            f"SELECT {self._COLS} FROM outbox WHERE state='pending' AND due <= ? "  # noqa: S608
            "AND (next_try IS NULL OR next_try <= ?) ORDER BY due, id LIMIT ?",
            (stamp, stamp, limit),
        )
        return [self._row(r) for r in rows]

    def claim(self, row_id: int) -> bool:
        """pending -> sending, atomically; False if another process got there first."""
        with self.transaction() as db:
            cur = db.execute(
                "UPDATE outbox SET state='sending', attempts=attempts+1 WHERE id=? AND state='pending'",
                (row_id,),
            )
            return cur.rowcount == 1

    def interrupted(self) -> list[OutboxRow]:
        """Rows a killed run left in 'sending': the send may or may not have happened."""
        return self.outbox(states=("sending",))

    def finish(self, row_id: int, *, state: str, now: dt.datetime, error: str | None = None,
               next_try: dt.datetime | None = None) -> None:
        with self.transaction() as db:
            db.execute(
                "UPDATE outbox SET state=?, last_error=?, next_try=?, sent=? WHERE id=?",
                (state, error, _iso(next_try) if next_try else None,
                 _iso(now) if state == "sent" else None, row_id),
            )

    def retry_quarantined(self, uid: int | None = None) -> int:
        with self.transaction() as db:
            if uid is None:
                cur = db.execute("UPDATE messages SET state='retried', attempts=0 WHERE state='quarantined'")
            else:
                cur = db.execute(
                    "UPDATE messages SET state='retried', attempts=0 WHERE state='quarantined' AND uid=?",
                    (uid,),
                )
            return cur.rowcount
