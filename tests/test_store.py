"""The SQLite record: uniqueness, migrations, claims, interrupted sends."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from mailflow.model import Draft
from mailflow.store import SCHEMA_VERSION, MessageKey, Store

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def draft(key: str) -> Draft:
    return Draft(dedupe_key=key, message_id=f"<{key}@x>", sender="bot@x.org",
                 recipients=("a@x.org", "b@y.org"), subject="s", data=b"Subject: s\r\n\r\nhi\r\n")


def test_schema_version_and_wal(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db") as s:
        assert s.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert s.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert s.integrity() == "ok"


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    Store(path).close()
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.commit()
    db.close()
    try:
        Store(path)
    except RuntimeError as exc:
        assert "newer" in str(exc)
    else:
        raise AssertionError("a newer schema must not be opened")


def test_queue_is_idempotent_by_dedupe_key(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db") as s:
        with s.transaction() as db:
            assert s.queue(db, draft("k1"), kind="recap", meeting_uid="m", due=NOW, now=NOW,
                           thread_root="<t>", source="1")
            assert not s.queue(db, draft("k1"), kind="recap", meeting_uid="m", due=NOW, now=NOW,
                               thread_root="<t>", source="1")
        assert [r.dedupe_key for r in s.due(NOW)] == ["k1"]
        assert s.thread_count("<t>") == 1
        assert s.sent_since(NOW - dt.timedelta(days=1)) == 2


def test_claim_is_exclusive_and_interrupted_rows_are_found(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    with Store(path) as s:
        with s.transaction() as db:
            s.queue(db, draft("k1"), kind="recap", meeting_uid="m", due=NOW, now=NOW,
                    thread_root=None, source=None)
        row = s.due(NOW)[0]
        with Store(path) as other:
            assert s.claim(row.id)
            assert not other.claim(row.id)
            assert [r.dedupe_key for r in other.interrupted()] == ["k1"]
        s.finish(row.id, state="sent", now=NOW)
        assert s.due(NOW) == [] and s.interrupted() == []


def test_scheduled_rows_wait_for_their_time_and_backoff(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db") as s:
        with s.transaction() as db:
            s.queue(db, draft("later"), kind="reminder", meeting_uid="m",
                    due=NOW + dt.timedelta(hours=2), now=NOW, thread_root=None, source=None)
        assert s.due(NOW) == []
        assert [r.dedupe_key for r in s.due(NOW + dt.timedelta(hours=2))] == ["later"]
        row = s.due(NOW + dt.timedelta(hours=2))[0]
        s.claim(row.id)
        s.finish(row.id, state="pending", now=NOW, error="451",
                 next_try=NOW + dt.timedelta(hours=3))
        assert s.due(NOW + dt.timedelta(hours=2, minutes=59)) == []
        assert len(s.due(NOW + dt.timedelta(hours=3))) == 1


def test_cancel_pending_keeps_what_is_asked(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db") as s:
        with s.transaction() as db:
            for key, kind in (("r1", "reminder"), ("a1", "agenda_request"), ("c1", "recap")):
                s.queue(db, draft(key), kind=kind, meeting_uid="m", due=NOW, now=NOW,
                        thread_root=None, source=None)
        with s.transaction() as db:
            assert s.cancel_pending(db, "m", ("reminder", "agenda_request"), keep=("a1",)) == 1
        assert {r.dedupe_key for r in s.due(NOW)} == {"a1", "c1"}


def test_message_records_and_content_lookup(tmp_path: Path) -> None:
    key = MessageKey(account="acc", folder="INBOX", uidvalidity=7, uid=3)
    with Store(tmp_path / "s.db") as s:
        with s.transaction() as db:
            assert s.record_message(db, key, message_id="<m>", content_hash="h", state="failed",
                                    reason="boom", now=NOW, attempt=True) == 1
            assert s.record_message(db, key, message_id="<m>", content_hash="h", state="failed",
                                    reason="boom", now=NOW, attempt=True) == 2
        assert s.done_keys("acc", "INBOX", 7) == set()
        assert s.seen_content("<m>", "h") is None
        with s.transaction() as db:
            s.record_message(db, key, message_id="<m>", content_hash="h", state="handled",
                             reason=None, now=NOW)
        assert s.done_keys("acc", "INBOX", 7) == {3}
        assert s.done_keys("acc", "INBOX", 8) == set()
        assert s.seen_content("<m>", "h") == "handled"
        assert s.seen_content(None, "h") is None
        assert s.counts()["messages"] == {"handled": 1}


def test_sent_count_since_counts_only_sent_rows_in_the_window(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db") as s:
        with s.transaction() as db:
            for key in ("a", "b", "c"):
                s.queue(db, draft(key), kind="recap", meeting_uid="m", due=NOW, now=NOW,
                        thread_root=None, source=None)
        rows = s.due(NOW)
        s.finish(rows[0].id, state="sent", now=NOW)
        s.finish(rows[1].id, state="sent", now=NOW + dt.timedelta(minutes=5))
        assert s.sent_count_since(NOW) == 2
        assert s.sent_count_since(NOW + dt.timedelta(minutes=1)) == 1
        assert s.sent_count_since(NOW + dt.timedelta(minutes=6)) == 0


def test_done_keys_among_asks_only_about_the_given_uids(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db") as s:
        with s.transaction() as db:
            for uid in range(1, 1201):
                key = MessageKey(account="acc", folder="INBOX", uidvalidity=7, uid=uid)
                s.record_message(db, key, message_id=None, content_hash=str(uid),
                                 state="handled" if uid % 2 else "failed", reason=None, now=NOW)
        assert s.done_keys("acc", "INBOX", 7, among=[1, 2, 3, 999, 1199, 5000]) == {1, 3, 999, 1199}
        assert s.done_keys("acc", "INBOX", 7, among=list(range(1, 1201))) == set(range(1, 1201, 2))
        assert s.done_keys("acc", "INBOX", 7, among=[]) == set()
