"""The HTML part of a confirmation as a real browser draws it (headless Chromium screenshot).

The PNG is kept under test-artifacts/ for a human to look at. Skipped when Chromium is not
installed, unless MAILFLOW_REQUIRE_SERVERS=1 (CI installs it: apt-get install chromium).
"""

from __future__ import annotations

import email
import email.policy
import os
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from test_drafts import ENV, _render
from test_plans import make_meeting, run_plan

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
SLOT_BLUE = (0x2B, 0x6C, 0xB0)  # the strip's slot colour (templates/_zone_strip.html.j2)
WORK_GREEN = (0xE6, 0xF4, 0xEA)


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    if os.environ.get("MAILFLOW_REQUIRE_SERVERS", "") not in ("", "0"):
        pytest.fail("MAILFLOW_REQUIRE_SERVERS=1 but chromium is not installed (apt-get install chromium)")
    pytest.skip("chromium is not installed (apt-get install chromium)")


def _png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """Decode an 8-bit RGB/RGBA non-interlaced PNG into rows of raw pixel bytes."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and color in (2, 6) and interlace == 0
    bpp = 3 if color == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows: list[bytes] = []
    prev = bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 0xFF
            elif f == 2:
                line[i] = (line[i] + b) & 0xFF
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + pred) & 0xFF
        rows.append(bytes(line if bpp == 3 else bytes(v for j, v in enumerate(line) if j % 4 != 3)))
        prev = line
    return width, height, rows


def _count(rows: list[bytes], rgb: tuple[int, int, int]) -> int:
    needle = bytes(rgb)
    return sum(sum(1 for i in range(0, len(r), 3) if r[i:i + 3] == needle) for r in rows)


def test_confirmation_html_renders_in_chromium(tmp_path: Path) -> None:
    browser = _chromium()
    meeting = make_meeting("confirmation")
    plan = next(p for p in run_plan(meeting) if p.kind == "confirmation")
    draft = _render(plan, meeting)
    assert ENV is not None
    msg = email.message_from_bytes(draft.data, policy=email.policy.default)
    html_part = msg.get_body(preferencelist=("html",))  # type: ignore[attr-defined]
    page = tmp_path / "confirmation.html"
    page.write_text(html_part.get_content(), encoding="utf-8")
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "confirmation.png"
    shot.unlink(missing_ok=True)
    (ARTIFACTS / "confirmation.html").write_text(page.read_text(encoding="utf-8"), encoding="utf-8")
    cmd = [
        browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--hide-scrollbars", f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}",
        "--window-size=900,1200", page.as_uri(),
    ]
    result = subprocess.run(cmd, capture_output=True, timeout=90, check=False)  # noqa: S603
    assert shot.is_file(), result.stderr.decode(errors="replace")[-2000:]
    data = shot.read_bytes()
    assert len(data) > 10_000
    width, height, rows = _png_pixels(data)
    assert (width, height) == (900, 1200)
    # the slot column is drawn in both zones' rows; working hours are shaded
    assert _count(rows, SLOT_BLUE) > 2 * 30 * 30
    assert _count(rows, WORK_GREEN) > 10 * 30 * 30
