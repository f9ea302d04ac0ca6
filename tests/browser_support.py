"""Shared by the app's browser tests: the real server on a free loopback port, Chromium, a page.

Not a test module. Playwright is imported only when a browser is launched, so importing this
module never needs it; the test modules skip themselves when solara, Playwright or Chromium is
missing.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parent.parent
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOOPBACK = {"127.0.0.1", "localhost", "[::1]", "::1"}


def free_port() -> int:
    """A TCP port that is free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class AppServer:
    """A running ``python run.py app``: its address, its process and its output file."""

    url: str
    proc: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        """What the server printed so far."""
        return self.log.read_text(errors="replace")


@contextmanager
def app_server(
    env: dict[str, str] | None = None, timeout: float = 60.0, args: Sequence[str] = ()
) -> Iterator[AppServer]:
    """``python run.py app`` on 127.0.0.1 and a free port, stopped (its process group) on exit.

    Args:
        env: extra environment variables for the server.
        timeout: seconds to wait for the first page.
        args: more arguments for ``run.py app`` (``--scenario FILE``).

    The server's output goes to a temporary file (a pipe nobody reads would fill up and stall
    the server once it has logged 64 KB).
    """
    port = free_port()
    fd, name = tempfile.mkstemp(prefix="orgsim-app-", suffix=".log")
    log = Path(name)
    with os.fdopen(fd, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "run.py", "app", "--host", "127.0.0.1", "--port", str(port), *args],
            cwd=ROOT,
            env={**os.environ, **(env or {})},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = AppServer(f"http://127.0.0.1:{port}/", proc, log)
    try:
        deadline = time.time() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited: {server.output()}")
            try:
                with urllib.request.urlopen(server.url, timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.time() > deadline:
                raise RuntimeError(f"server did not answer within {timeout:.0f} s")
            time.sleep(0.3)
        yield server
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.unlink(missing_ok=True)


@contextmanager
def chromium() -> Iterator[object]:
    """Debian's headless Chromium, driven by Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


def _size(payload: object) -> int:
    """Bytes of one websocket message (Playwright gives text as ``str``, binary as ``bytes``)."""
    if isinstance(payload, str):
        return len(payload.encode())
    return len(payload)  # type: ignore[arg-type]


class Watched:
    """A page with every request, console error, page load and websocket open/close recorded."""

    def __init__(
        self, browser: object, url: str, wait: bool = True, init_script: str | None = None
    ) -> None:
        self.context = browser.new_context(  # type: ignore[attr-defined]
            viewport={"width": 1500, "height": 1000}, accept_downloads=True
        )
        if init_script:
            self.context.add_init_script(init_script)
        self.page = self.context.new_page()
        self.page.set_default_timeout(60_000)  # generous: CI shares 2 cores with other tests
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.events: list[str] = []  # "load", "ws open", "ws close": to tell a reload or reconnect
        #: Sizes of the websocket messages received from the server and sent to it (payload
        #: bytes after per-message deflate is undone, i.e. what the page has to parse).
        self.ws_in: list[int] = []
        self.ws_out: list[int] = []
        self.page.on("load", lambda _: self.events.append("load"))
        self.page.on("websocket", self._socket)
        self.page.goto(url, wait_until="load" if wait else "commit")
        if wait:
            self.ready()

    def _socket(self, ws: object) -> None:
        self.events.append("ws open")
        ws.on("close", lambda _: self.events.append("ws close"))  # type: ignore[attr-defined]
        ws.on("framereceived", lambda p: self.ws_in.append(_size(p)))  # type: ignore[attr-defined]
        ws.on("framesent", lambda p: self.ws_out.append(_size(p)))  # type: ignore[attr-defined]

    def ready(self, timeout: float = 60_000) -> None:
        """Wait until the page shows its week counter (its session is up)."""
        self.page.wait_for_selector(".week-counter", timeout=timeout)

    def week(self) -> int:
        return int(self.page.inner_text(".week-counter").split()[1])

    def wait_week(self, n: int, timeout: float = 60_000) -> None:
        self.page.wait_for_function(
            f"document.querySelector('.week-counter').innerText.startsWith('Week {n} ')",
            timeout=timeout,
        )

    def wait_week_at_least(self, n: int, timeout: float = 60_000) -> None:
        """Wait until the week counter shows week ``n`` or later.

        While playing, use this rather than :meth:`wait_week`: on a busy machine Play catches up
        by stepping several weeks per frame, so a given week may never be on screen.
        """
        self.page.wait_for_function(
            f"parseInt(document.querySelector('.week-counter').innerText.split(' ')[1]) >= {n}",
            timeout=timeout,
        )

    def outside(self) -> list[str]:
        """Requests that left the machine (anything not http(s)/ws to loopback, data or blob)."""
        bad = []
        for u in self.requests:
            p = urlparse(u)
            if p.scheme in ("data", "blob"):
                continue
            if p.hostname not in LOOPBACK and f"[{p.hostname}]" not in LOOPBACK:
                bad.append(u)
        return bad

    def close(self) -> None:
        self.context.close()


def save_screenshot(page: object, path: Path, most: int = 390_000) -> None:
    """A screenshot for the docs, as small as it goes without losing colours: full colour at
    the strongest compression, or (when that is over ``most`` bytes) 256 colours picked by
    octree without dithering, so text stays crisp and small marks keep their colour."""
    import io

    from PIL import Image

    raw = page.screenshot()  # type: ignore[attr-defined]
    img = Image.open(io.BytesIO(raw)).convert("RGB")
    img.save(path, optimize=True, compress_level=9)
    if path.stat().st_size > most:
        img.quantize(colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE).save(
            path, optimize=True
        )
