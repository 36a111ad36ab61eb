"""Which build of mailflow is running: the understanding core compiled with mypyc, or pure Python.

setup.py compiles COMPILED_MODULES to C extensions when it can (see its docstring); the outputs
are the same either way, only the speed differs. This module tells, at run time, which modules
Python imports from an extension, and — in a development tree, where the extensions sit next to
their sources — which of them were compiled from a source that has changed since (a stale
extension runs old code).

It reads no module it names: it only asks the import system where each would be loaded from.
setup.py reads COMPILED_MODULES, RECORD and digest from this file, so keep it free of package imports.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import json
from pathlib import Path

# the stages that do the per-line work of understanding a note; letters (mostly the stdlib's
# email package) and the lexicons (tables) stay pure Python
COMPILED_MODULES = (
    "needles",
    "zones",
    "times",
    "times_atoms",
    "minutes",
    "people",
    "notes",
    "meetings",
)


# written beside the modules by an in-place build (a development tree): the digest of each source
# that was compiled, so that an edited source is told from a rebuilt one whatever the file times
RECORD = "_compiled_sources.json"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _origin(name: str) -> Path | None:
    spec = importlib.util.find_spec(f"mailflow.{name}")
    return Path(spec.origin) if spec is not None and spec.origin else None


def _is_extension(path: Path) -> bool:
    return path.name.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES))


def compiled() -> tuple[str, ...]:
    """The COMPILED_MODULES that this process imports (or would import) from a C extension."""
    out = []
    for name in COMPILED_MODULES:
        origin = _origin(name)
        if origin is not None and _is_extension(origin):
            out.append(name)
    return tuple(out)


def stale() -> tuple[str, ...]:
    """In a development tree (the package beside setup.py, built in place), the compiled modules
    whose source differs from the one they were compiled from (per RECORD; without it, all of
    them). An installed copy is never stale: its sources are the ones it was built from."""
    out = []
    records: dict[Path, dict[str, str]] = {}
    for name in compiled():
        origin = _origin(name)
        assert origin is not None
        package = origin.parent
        if not (package.parent / "setup.py").exists():
            continue
        if package not in records:
            try:
                records[package] = json.loads((package / RECORD).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                records[package] = {}
        source = package / f"{name}.py"
        if source.exists() and records[package].get(name) != digest(source):
            out.append(name)
    return tuple(out)


def describe() -> str:
    """One line for --version and the benchmarks: what kind of build this is."""
    done = compiled()
    if not done:
        return "pure Python"
    if len(done) == len(COMPILED_MODULES):
        text = f"compiled with mypyc: {len(done)} core modules"
    else:
        missing = ", ".join(n for n in COMPILED_MODULES if n not in done)
        text = f"partly compiled with mypyc (pure: {missing})"
    old = stale()
    return f"{text}; STALE, source changed since compiled: {', '.join(old)}" if old else text
