"""Which build of mailflow is running: the understanding core compiled with mypyc, or pure Python.

setup.py compiles COMPILED_MODULES to C extensions when it can (see its docstring); the outputs
are the same either way, only the speed differs. This module tells, at run time, which modules
Python imports from an extension, and — in a development tree, where the extensions sit next to
their sources — which of them are older than their source (a stale extension runs old code).

It reads no module it names: it only asks the import system where each would be loaded from.
setup.py reads COMPILED_MODULES from this file, so keep it free of package imports.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
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
    whose source was changed after they were built. An installed copy is never stale: its files'
    times are those of unpacking, not of building."""
    out = []
    for name in compiled():
        origin = _origin(name)
        assert origin is not None
        source = origin.parent / f"{name}.py"
        if not (origin.parent.parent / "setup.py").exists():
            continue
        if source.exists() and source.stat().st_mtime > origin.stat().st_mtime:
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
    return f"{text}; STALE, older than their source: {', '.join(old)}" if old else text
