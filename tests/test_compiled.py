"""The compiled build understands mail exactly as the pure-Python source does.

setup.py compiles mailflow.build.COMPILED_MODULES with mypyc when it can. Here the same messages
go through the pipeline twice: in this process (the build under test) and in a child process that
imports a copy of the sources with no extension beside them (pure Python). Every Meeting must have
the same repr. With MAILFLOW_COMPILE=1 (CI) the build must also be the compiled one.
"""

from __future__ import annotations

import datetime as dt
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hostile import CASES
from mail_samples import SAMPLES

from benchmarks.mixes import make_mix
from mailflow import build

PACKAGE = Path(build.__file__).resolve().parent
NOW = dt.datetime(2026, 3, 24, 17, 30, tzinfo=dt.UTC)
PEOPLE_ZONE = "Europe/London"

# the child: read (key, bytes) pairs, understand each, write {key: repr or error}
CHILD = r"""
import datetime as dt, pickle, sys
from mailflow import build
from mailflow.letters import read_letter
from mailflow.meetings import understand
from mailflow.notes import read_note
from mailflow.times import find_times

def understood(items, phrases, now, zone):
    out = {}
    for key, data in items:
        try:
            out[key] = repr(understand(read_note(read_letter(data)), now=now,
                                       self_addrs=("mailflow@example.org",), default_zone=zone))
        except Exception as exc:  # the same failure must happen in both builds
            out[key] = f"{type(exc).__name__}: {exc}"
    for text in phrases:
        out["when:" + text] = repr(find_times(text, ref=now, zone=zone, party_zones=("America/New_York",)))
    return out

if __name__ == "__main__":
    items, phrases, now, zone, dest = pickle.load(sys.stdin.buffer)
    with open(dest, "wb") as f:
        pickle.dump((build.compiled(), understood(items, phrases, now, zone)), f)
"""

PHRASES = (
    "Tuesday 3pm Pacific", "can we do Thursday 9:30 my time or Friday at noon?",
    "next Monday at 10:00 CET", "31 March 2026 at 15:00 London time", "tomorrow at 2",
    "2026-10-25T01:30 Europe/London", "every other Wednesday 16:00-17:00 IST", "in 2 hours",
    "end of Q3", "1/2/2027 at 9am ET",
)


def _inputs() -> list[tuple[str, bytes]]:
    items = [(f"sample:{s.name}", s.raw) for s in SAMPLES]
    items += [(f"hostile:{c.name}", c.data) for c in CASES if len(c.data) < 2_000_000]
    items += [(f"mix:{i}:{s.kind}", s.data) for i, s in enumerate(make_mix(28, seed=3))
              if s.kind != "attachment"]
    return items


def _run(tmp: Path, pythonpath: Path, items: list[tuple[str, bytes]]) -> tuple[tuple[str, ...], dict[str, str]]:
    script = tmp / "child.py"
    script.write_text(CHILD)
    dest = tmp / "out.pickle"
    env = {**os.environ, "PYTHONPATH": str(pythonpath)}
    subprocess.run([sys.executable, "-P", str(script)], input=pickle.dumps((items, PHRASES, NOW, PEOPLE_ZONE, dest)),
                   env=env, check=True, timeout=600, cwd=tmp)
    with dest.open("rb") as f:
        return pickle.load(f)  # type: ignore[no-any-return]


def test_ci_tests_the_compiled_build() -> None:
    if os.environ.get("MAILFLOW_COMPILE", "").strip() != "1":
        pytest.skip("MAILFLOW_COMPILE=1 is not set: either build may be under test")
    assert build.compiled() == build.COMPILED_MODULES, build.describe()
    assert not build.stale()


def test_compiled_and_pure_understand_mail_identically(tmp_path: Path) -> None:
    if not build.compiled():
        pytest.skip("this is the pure-Python build: there is no compiled one to compare")
    pure = tmp_path / "pure"
    shutil.copytree(PACKAGE, pure / "mailflow", ignore=shutil.ignore_patterns("*.so", "*.pyd", "__pycache__"))
    items = _inputs()
    compiled_names, compiled_out = _run(tmp_path, PACKAGE.parent, items)
    pure_names, pure_out = _run(tmp_path, pure, items)
    assert compiled_names == build.compiled() and pure_names == ()
    assert len(compiled_out) == len(items) + len(PHRASES)
    differ = [k for k in compiled_out if compiled_out[k] != pure_out.get(k)]
    assert not differ, f"{len(differ)} of {len(compiled_out)} differ, e.g. {differ[:5]}"
    # the comparison is not vacuous: the inputs were understood, not all failed alike
    assert sum("Meeting(" in v for v in compiled_out.values()) >= 0.9 * len(items)
    assert sum("TimeMention(" in compiled_out["when:" + p] for p in PHRASES) == len(PHRASES)


def test_an_edited_source_makes_its_inplace_build_stale(tmp_path: Path) -> None:
    """A copy of this development tree, built in place, with one compiled source edited: the
    edited module, and only it, is reported stale (by digest, whatever the file times say)."""
    if not build.compiled() or not (PACKAGE.parent / "setup.py").exists():
        pytest.skip("needs a compiled development tree (built in place)")
    tree = tmp_path / "tree"
    shutil.copytree(PACKAGE, tree / "mailflow", ignore=shutil.ignore_patterns("__pycache__"))
    for lib in PACKAGE.parent.glob("mailflow__mypyc.*"):
        shutil.copy2(lib, tree / lib.name)
    (tree / "setup.py").write_text("# marks a development tree\n")
    probe = [sys.executable, "-P", "-c", "from mailflow import build; print(','.join(build.stale()))"]
    env = {**os.environ, "PYTHONPATH": str(tree)}

    def stale_in_copy() -> str:
        return subprocess.run(probe, env=env, capture_output=True, text=True, check=True, timeout=60).stdout.strip()

    assert stale_in_copy() == ""
    source = tree / "mailflow" / "people.py"
    source.write_text(source.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert stale_in_copy() == "people"
