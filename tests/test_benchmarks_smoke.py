"""The benchmark modules import and run end to end on a handful of inputs (no timing asserted).

Keeps `python3 -m benchmarks` from rotting silently: a renamed stage function or a changed
signature fails here, not on the day someone wants the figures.
"""

from __future__ import annotations

import importlib
import random
import sys
from pathlib import Path

import pytest

ROOT = str(Path(__file__).resolve().parents[1])
if ROOT not in sys.path:  # `pytest` (not `python -m pytest`) does not put the project root first
    sys.path.insert(0, ROOT)

from benchmarks import mixes, send, understand  # noqa: E402

MODULES = ("benchmarks.mixes", "benchmarks.understand", "benchmarks.poll_cost", "benchmarks.memory",
           "benchmarks.send", "benchmarks.__main__")


@pytest.mark.parametrize("name", MODULES)
def test_module_imports(name: str) -> None:
    mod = importlib.import_module(name)
    assert callable(getattr(mod, "main", None)) or name == "benchmarks.mixes"


def test_mix_is_deterministic_and_has_every_kind() -> None:
    a = mixes.make_mix(20, attachment_mb=(0.01, 0.02))
    b = mixes.make_mix(20, attachment_mb=(0.01, 0.02))
    assert [s.data for s in a] == [s.data for s in b]
    assert {s.kind for s in a} == set(mixes.KINDS)
    plain = mixes.make_kind("plain", random.Random(1), 0)
    assert 8_000 < len(plain.data) < 14_000  # "typical 10 KB notes"


def test_understanding_benchmark_runs_on_five_messages() -> None:
    mix = mixes.make_mix(5, kinds=("plain", "gmail-forward", "reply", "invite"))
    result = understand.run_pipeline(mix, warmup=1)
    assert result.all.count == 5
    assert set(result.by_kind) <= {"plain", "gmail-forward", "reply", "invite"}
    assert all(k.total > 0 for k in result.by_kind.values())
    # the forwards were unwrapped and the notes understood: the numbers are about real work
    fwd = [n for n in result.notes if n.letter.headers.subject.startswith("Fwd")]
    assert all(n.original is not None for n in fwd)
    text = understand.report(result)
    assert "msgs/s" in text and ("PASS" in text or "FAIL" in text)


def test_quote_peer_table_runs() -> None:
    mix = mixes.make_mix(3, kinds=("gmail-forward",))
    result = understand.run_pipeline(mix, warmup=0)
    rows = understand.quote_peers(result.letters["gmail-forward"])
    assert rows[0][0] == "mailflow.notes.read_note" and rows[0][1] == 3


def test_send_benchmark_delivers_three_drafts() -> None:
    env = send.SmtpEnv()
    try:
        runs = send.run(env, 3, rounds=1)
    finally:
        env.close()
    assert [r.sent for r in runs] == [3, 3, 3, 3]  # plain and TLS, reused and per draft
    assert [r.transactions for r in runs] == [3, 3, 3, 3]
    assert "drafts/s" in send.report(runs)
