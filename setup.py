"""Build hook: the understanding core's hot modules compiled to C with mypyc, when that can be done.

The metadata lives in pyproject.toml; this file only decides on the extension modules.

    MAILFLOW_COMPILE=auto   (default) compile when mypyc, a C compiler and Python's headers are
                            at hand; otherwise install pure Python and say so
    MAILFLOW_COMPILE=0      pure Python, no compiler needed
    MAILFLOW_COMPILE=1      compile or fail (CI uses it, so the tests run what users install)

The compiled modules are the same source files: mypyc turns each into a C extension that Python
imports in place of the .py file. Outputs are identical (tests/test_compiled.py checks this on
every run); only speed differs. `mailflow --version` says which build is installed.
"""

from __future__ import annotations

import json
import os
import runpy
import sys
import sysconfig
import tempfile
from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).resolve().parent
# the list lives in mailflow/build.py, which also reports at run time what was compiled
BUILD = runpy.run_path(str(HERE / "mailflow" / "build.py"))
COMPILED = tuple(f"mailflow/{name}.py" for name in BUILD["COMPILED_MODULES"])
RECORD = HERE / "mailflow" / BUILD["RECORD"]
DIGESTS: dict[str, str] = {}  # module -> digest of the source mypyc read


class BuildExt(build_ext):
    """build_ext that, building in place, records which sources the extensions came from
    (mailflow.build.stale compares them with the sources in the tree)."""

    def run(self) -> None:
        super().run()
        if self.inplace and DIGESTS:
            RECORD.write_text(json.dumps(DIGESTS, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def _say(msg: str) -> None:
    print(f"mailflow build: {msg}", file=sys.stderr)


def _can_compile() -> str | None:
    """None when a C extension can be built here, else why not."""
    try:
        from mypyc.build import mypycify  # noqa: F401
    except ImportError as exc:
        return f"mypyc is not installed ({exc})"
    from setuptools._distutils.ccompiler import new_compiler
    from setuptools._distutils.errors import CCompilerError, DistutilsError
    from setuptools._distutils.sysconfig import customize_compiler

    include = sysconfig.get_paths()["include"]
    if not (Path(include) / "Python.h").exists():
        return f"Python's headers are missing ({include}/Python.h; Debian: python3-dev)"
    cc = new_compiler()
    customize_compiler(cc)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "probe.c"
        src.write_text("#include <Python.h>\nint mailflow_probe(void) { return 0; }\n")
        try:
            cc.compile([str(src)], output_dir=tmp, include_dirs=[include])
        except (CCompilerError, DistutilsError, OSError) as exc:
            return f"no working C compiler ({exc})"
    return None


def _remove_inplace_builds() -> None:
    """A pure build in a development tree drops the extensions an earlier build left beside the
    sources (Python would go on importing them instead of the edited .py files)."""
    RECORD.unlink(missing_ok=True)
    shared = tuple(HERE.glob("mailflow__mypyc.*.so"))  # the group's runtime library
    for path in shared + tuple(p for name in COMPILED for p in (HERE / name).parent.glob(f"{Path(name).stem}.*.so")):
        _say(f"removing {path.relative_to(HERE)}")
        path.unlink()


def _extensions() -> list[object]:
    mode = os.environ.get("MAILFLOW_COMPILE", "auto").strip().lower()
    if mode in ("0", "no", "false", "off", "pure"):
        _say("pure Python (MAILFLOW_COMPILE=0)")
        _remove_inplace_builds()
        return []
    why = _can_compile()
    if why is not None:
        if mode in ("1", "yes", "true", "on", "required"):
            raise SystemExit(f"mailflow build: MAILFLOW_COMPILE=1 but {why}")
        _say(f"pure Python: {why}. mailflow works the same, understanding mail about 1.7x slower")
        _remove_inplace_builds()
        return []
    from mypyc.build import mypycify

    os.chdir(HERE)  # mypycify takes paths relative to the project
    _say(f"compiling {len(COMPILED)} modules with mypyc (about two minutes)")
    DIGESTS.update({Path(p).stem: BUILD["digest"](HERE / p) for p in COMPILED})
    return list(mypycify(list(COMPILED), opt_level="3", debug_level="0", group_name="mailflow"))


setup(ext_modules=_extensions(), cmdclass={"build_ext": BuildExt})
