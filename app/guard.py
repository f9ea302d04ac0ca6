"""The app server's front door: an ASGI middleware wrapped around Solara's Starlette app.

It refuses, before Solara sees the request:

- a ``Host`` header naming anything but the names the server was bound to (DNS rebinding: a
  page on ``evil.example`` whose name later resolves to 127.0.0.1 would otherwise talk to the app
  as if it were the trainer's own tab): HTTP 400;
- a websocket whose ``Origin`` is another site than the ``Host`` it connects to (cross-site
  websocket hijacking: any page the trainer opens could drive a session): HTTP 403 at the
  handshake; a client that sends no ``Origin`` (not a browser) is let through;
- a state-changing HTTP request (not GET/HEAD/OPTIONS) from another origin: HTTP 403;
- anything under ``/_solara/cdn/`` that is not a file installed with the app (``solara-assets``):
  Solara's CDN proxy is switched off (``SOLARA_ASSETS_PROXY=False``, see :mod:`app.server`), so
  the installed files are served here, read-only, and any other name gets 404 with no request
  leaving the machine and nothing written.

It also returns the worker threads of websockets that went away. Solara serves each websocket in
a worker thread of anyio's pool (``anyio.to_thread.run_sync``), and anyio stops a worker that has
been idle for ``WorkerThread.MAX_IDLE_TIME`` (10 s) only when the next ``run_sync`` call comes, so
after a room of browsers leaves, their threads (and the memory their stacks and arenas hold)
stayed until somebody connected again. When websockets end, the guard runs one no-op
``run_sync`` just after that idle time (:data:`PRUNE_AFTER_S` after the last of them ended),
which makes anyio stop the idle workers.

Used by :mod:`app.launch`; docs/RELIABILITY.md ("The app's front door") lists what it guards.
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Awaitable, Callable, Coroutine, Iterable, MutableMapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Where Solara's page loads its front-end files from (``{{cdn}}`` in its template).
CDN_PREFIX = "/_solara/cdn"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
DEFAULT_PORTS = {"http": 80, "ws": 80, "https": 443, "wss": 443}
#: Seconds after the last websocket ended before the guard makes anyio prune its idle worker
#: threads: anyio's ``WorkerThread.MAX_IDLE_TIME`` (10 s in anyio 4) plus a margin, so the thread
#: of the websocket that just ended is already old enough to be stopped. It is a debounce, not a
#: delay per websocket: each end pushes the one pending prune back. Separate prunes for websockets
#: that close together (a room leaving) ran in one event-loop iteration; the first took an idle
#: worker and stopped the others, and each of the rest found no idle worker and started a new
#: thread (8 websockets: 8 threads -> 16), so the room's threads were replaced, not returned.
PRUNE_AFTER_S = 12.0


def _noop() -> None:
    """Runs in a worker thread: the call itself is what makes anyio prune idle workers."""


async def prune_idle_workers() -> None:
    """One no-op ``anyio.to_thread.run_sync``: anyio stops workers idle for over 10 s first."""
    import anyio.to_thread

    await anyio.to_thread.run_sync(_noop)


class PruneScheduler:
    """At most one pending prune per event loop, pushed back each time a websocket ends.

    Args:
        prune: The coroutine function to run when the quiet time has passed
            (:func:`prune_idle_workers` in the server; tests count calls instead).
    """

    def __init__(self, prune: Callable[[], Coroutine[Any, Any, None]] = prune_idle_workers) -> None:
        self.prune = prune
        self._pending: dict[asyncio.AbstractEventLoop, asyncio.TimerHandle] = {}
        self._running: set[asyncio.Task[None]] = set()

    def schedule(self, delay: float | None = None) -> None:
        """Have one prune run ``delay`` seconds from now, replacing the one still waiting.

        Args:
            delay: Seconds of quiet before the prune; :data:`PRUNE_AFTER_S` when None (read at
                the call, so a test can shorten it).
        """
        loop = asyncio.get_running_loop()
        waiting = self._pending.pop(loop, None)
        if waiting is not None:
            waiting.cancel()
        quiet = PRUNE_AFTER_S if delay is None else delay
        self._pending[loop] = loop.call_later(quiet, self._start, loop)

    def _start(self, loop: asyncio.AbstractEventLoop) -> None:
        self._pending.pop(loop, None)
        task = loop.create_task(self.prune())
        self._running.add(task)  # keep a reference until it is done (the loop holds only weak ones)
        task.add_done_callback(self._running.discard)


_SCHEDULER = PruneScheduler()


def schedule_prune(delay: float | None = None) -> None:
    """Run :func:`prune_idle_workers` once, ``delay`` seconds (default :data:`PRUNE_AFTER_S`)
    after the last call on this event loop."""
    _SCHEDULER.schedule(delay)


def split_host(value: str) -> tuple[str, int | None] | None:
    """``"Host"``-style ``name[:port]`` as (lower-case name, port); None when malformed.

    >>> split_host("[::1]:8765"), split_host("LocalHost"), split_host("a:b")
    (('::1', 8765), ('localhost', None), None)
    """
    value = value.strip()
    if not value or any(c.isspace() or c in "/@?#\\" for c in value):
        return None
    port_text = ""
    if value.startswith("["):
        end = value.find("]")
        if end < 0:
            return None
        name, rest = value[1:end], value[end + 1 :]
        if rest:
            if not rest.startswith(":"):
                return None
            port_text = rest[1:]
    elif value.count(":") == 1:
        name, port_text = value.split(":")
    elif ":" in value:
        return None  # a bare IPv6 address must be bracketed in a Host header
    else:
        name = value
    if port_text or value.endswith(":"):
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            return None
        port = int(port_text)
    else:
        port = None
    name = name.lower().rstrip(".")
    return (name, port) if name else None


def is_ip_literal(name: str) -> bool:
    """Whether ``name`` is an IP address (which DNS cannot rebind), not a host name."""
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


class Guard:
    """ASGI middleware: Host check, same-origin websockets and writes, read-only CDN files.

    Args:
        app: the ASGI app to protect (Solara's Starlette app).
        allowed_hosts: host names (no port) the server answers to, e.g. 127.0.0.1, localhost.
        allow_ip_literals: also accept any IP address as the Host (a server bound to every
            interface is reached by whatever address the client used; an IP cannot be rebound).
        cdn_dir: the installed front-end files served under ``/_solara/cdn/`` (None: that prefix
            always answers 404).
    """

    def __init__(
        self,
        app: ASGIApp,
        allowed_hosts: Iterable[str],
        allow_ip_literals: bool = False,
        cdn_dir: Path | str | None = None,
    ) -> None:
        self.app = app
        self.allowed = frozenset(h.lower().strip("[]").rstrip(".") for h in allowed_hosts)
        self.allow_ip_literals = allow_ip_literals
        self.cdn = None
        if cdn_dir is not None:
            from starlette.staticfiles import StaticFiles

            # follow_symlink stays False: a name must resolve inside the installed folder
            self.cdn = StaticFiles(directory=str(cdn_dir), check_dir=False)

    def host_allowed(self, host: str | None) -> bool:
        """Whether a request's ``Host`` header names this server."""
        parsed = split_host(host) if host is not None else None
        if parsed is None:
            return False
        name = parsed[0]
        return name in self.allowed or (self.allow_ip_literals and is_ip_literal(name))

    @staticmethod
    def same_origin(origin: str, host: str, scheme: str) -> bool:
        """Whether an ``Origin`` header names the site of the ``Host`` the request went to."""
        try:
            o = urlsplit(origin.strip())
            o_port = o.port
        except ValueError:
            return False
        if o.scheme not in ("http", "https") or not o.hostname or o.path not in ("", "/"):
            return False  # includes "null" (sandboxed frames, file: pages)
        h = split_host(host)
        if h is None:
            return False
        secure = scheme in ("https", "wss")
        if (o.scheme == "https") != secure:
            return False
        default = DEFAULT_PORTS[o.scheme]
        return (o.hostname.lower().rstrip("."), o_port or default) == (h[0], h[1] or default)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind not in ("http", "websocket"):  # lifespan: start-up and shut-down
            await self.app(scope, receive, send)
            return
        headers: dict[str, str] = {}
        for k, v in scope.get("headers", ()):
            key = k.decode("latin-1").lower()
            if key in headers and key in ("host", "origin"):
                headers[key] = "\0"  # repeated: ambiguous, refused below
            else:
                headers[key] = v.decode("latin-1")
        host = headers.get("host")
        if not self.host_allowed(host):
            await self._refuse(scope, send, 400, "unknown Host header")
            return
        assert host is not None
        origin = headers.get("origin")
        path, root = scope.get("path", ""), scope.get("root_path", "")
        route = path[len(root) :] if root and path.startswith(root) else path
        # websockets, and requests that change something, only from the page's own origin
        checked = kind == "websocket" or scope.get("method", "GET").upper() not in SAFE_METHODS
        default_scheme = "ws" if kind == "websocket" else "http"
        if (
            checked
            and origin is not None
            and not self.same_origin(origin, host, scope.get("scheme", default_scheme))
        ):
            await self._refuse(scope, send, 403, f"cross-origin {kind} request")
            return
        if route == CDN_PREFIX or route.startswith(CDN_PREFIX + "/"):
            if kind == "websocket" or self.cdn is None:
                await self._refuse(scope, send, 404, "not found")
                return
            from starlette.exceptions import HTTPException

            try:  # as a Starlette Mount does: the prefix moves into root_path, the path stays
                await self.cdn({**scope, "root_path": root + CDN_PREFIX}, receive, send)
            except HTTPException as e:  # missing (404) or not GET/HEAD (405); nothing fetched
                await self._refuse(scope, send, e.status_code, "not found")
            return
        if kind == "websocket":
            try:
                await self.app(scope, receive, send)
            finally:  # its worker thread is idle from now on: have it stopped when it may be
                schedule_prune()
            return
        await self.app(scope, receive, send)

    @staticmethod
    async def _refuse(scope: Scope, send: Send, status: int, reason: str) -> None:
        if scope["type"] == "websocket":
            # closing before accepting: the server answers the handshake with HTTP 403
            await send({"type": "websocket.close", "code": 1008, "reason": reason})
            return
        body = f"{status} {reason}\n".encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"text/plain; charset=utf-8"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
