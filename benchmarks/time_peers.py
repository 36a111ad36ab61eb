"""Benchmark mailflow's time finder against peer parsers on the shared time corpus.

Run from the project root:  python3 -m benchmarks.time_peers [--limit N] [--peer NAME ...]

Every resolver runs in this process on the same rows (../shared/corpora/time-dev.jsonl); the
scoring rules are those of ../shared/eval/time_harness.py (imported by path). mailflow is
called as `mailflow when --jsonl` calls it: the row's tz is the writer's zone, the first
mention's start and grain are the answer. Speeds are rows per second of resolving time only
(imports excluded), so the ratios compare the parsers, not interpreter start-up. Time is CPU
time of this process (time.process_time), so other load on the machine disturbs the ratios less;
mailflow is timed as the best of three passes (it is fast enough to repeat), each peer once.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

from mailflow.times import find_times

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
PEERS = ("dateparser", "ctparse", "parsedatetime")


def _harness(shared: Path) -> ModuleType:
    path = shared / "eval" / "time_harness.py"
    spec = importlib.util.spec_from_file_location("time_harness", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {path}")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["time_harness"] = mod
    spec.loader.exec_module(mod)
    return mod


def _run_mailflow(rows: list[dict[str, Any]], passes: int = 3) -> tuple[list[tuple[Any, Any]], dict[str, float]]:
    best: dict[str, float] = {}
    preds: list[tuple[Any, Any]] = []
    for _ in range(passes):
        preds = []
        spent: dict[str, float] = {}
        for r in rows:
            ref = dt.datetime.fromisoformat(r["ref"])
            t0 = time.process_time()
            found = find_times(r["text"], ref=ref, zone=r.get("tz"))
            spent[r["corpus"]] = spent.get(r["corpus"], 0.0) + time.process_time() - t0
            preds.append((found[0].start, found[0].grain) if found else (None, None))
        if not best or sum(spent.values()) < sum(best.values()):
            best = spent
    return preds, best


def _run_peer(fn: Any, rows: list[dict[str, Any]]) -> tuple[list[Any], dict[str, float]]:
    preds: list[Any] = []
    spent: dict[str, float] = {}
    for r in rows:
        ref = dt.datetime.fromisoformat(r["ref"])
        t0 = time.process_time()
        try:
            out = fn(r["text"], ref)
        except Exception:  # a peer crash counts as "no answer", as in the harness
            out = (None, None)
        spent[r["corpus"]] = spent.get(r["corpus"], 0.0) + time.process_time() - t0
        preds.append(out if isinstance(out, tuple) else (out, None))
    return preds, spent


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus-file", default=str(SHARED / "corpora" / "time-dev.jsonl"))
    ap.add_argument("--peer", action="append", default=[], help=f"default: {', '.join(PEERS)}")
    ap.add_argument("--limit", type=int, help="first N rows of each corpus (for every resolver)")
    ap.add_argument("--peer-limit", type=int, default=None,
                    help="sample: first N rows per corpus for the slow peers only (speed only)")
    args = ap.parse_args(argv)
    h = _harness(SHARED)
    rows = h.load_rows([args.corpus_file], [], False, args.limit)
    corpora = list(dict.fromkeys(r["corpus"] for r in rows))
    results: dict[str, dict[str, Any]] = {}

    preds, spent = _run_mailflow(rows)
    spent["ALL"] = sum(spent.values())
    results["mailflow"] = h.summarize(rows, preds, spent)
    for name in args.peer or list(PEERS):
        try:
            peers = h.load_peer(name)
        except (SystemExit, ImportError, ModuleNotFoundError) as exc:
            print(f"# peer {name} not available: {exc}")
            continue
        for label, (kind, fn) in peers.items():
            if label != name or kind != "call":
                continue  # the plain variant of each peer
            prow = rows
            if args.peer_limit:
                prow = h.load_rows([args.corpus_file], [], False, args.peer_limit)
                print(f"# {label}: sampled {len(prow)} rows (--peer-limit {args.peer_limit})")
            p, s = _run_peer(fn, prow)
            s["ALL"] = sum(s.values())
            results[label] = h.summarize(prow, p, s)

    def pct(a: int, b: int) -> str:
        return f"{a / b:.3f}" if b else "  —  "

    print(f"\nAccuracy on meeting-relevant rows ({Path(args.corpus_file).name}), and speed")
    header = f"{'resolver':14s}" + "".join(f"{c:>17s}" for c in corpora + ["ALL"]) + f"{'rows/s':>10s}"
    print(header)
    for label, res in results.items():
        cells = []
        for c in corpora + ["ALL"]:
            cc = res.get(c, {})
            cells.append(f"{pct(cc.get('m_ok', 0), cc.get('m', 0)):>11s} ({cc.get('m', 0):3d})")
        rps = res["ALL"].get("rows_per_s") or 0.0
        print(f"{label:14s}" + "".join(cells) + f"{rps:>10,.0f}")
    mine = results["mailflow"]["ALL"].get("rows_per_s") or 0.0
    m_acc = results["mailflow"]["ALL"].get("m_ok", 0) / max(1, results["mailflow"]["ALL"].get("m", 0))
    print()
    for label, res in results.items():
        if label == "mailflow":
            continue
        rps = res["ALL"].get("rows_per_s") or 0.0
        acc = res["ALL"].get("m_ok", 0) / max(1, res["ALL"].get("m", 0))
        ratio = mine / rps if rps else float("inf")
        print(f"mailflow vs {label:14s} speed x{ratio:,.1f}   meeting accuracy {m_acc:.3f} vs {acc:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
