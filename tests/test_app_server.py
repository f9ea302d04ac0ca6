"""The app server's front door (app/guard.py, app/launch.py): no CDN proxy, Host and Origin checks.

Two layers:

- the guard as a plain ASGI callable around a stub app (no server, no network);
- the real ``python run.py app`` on 127.0.0.1 and a free port, spoken to over raw sockets, with
  every proxy variable of the server pointing at a listening socket of this test: a server that
  tried to fetch anything from the internet (``requests`` honours those variables) would connect
  there, and the test sees it.
"""

from __future__ import annotations

import asyncio
import base64
import http.client
import os
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

pytest.importorskip("solara", reason="the app extra is not installed (pip install -e '.[app]')")

from app import guard as guard_module  # noqa: E402
from app.guard import CDN_PREFIX, Guard, PruneScheduler, split_host  # noqa: E402
from app.server import OFFLINE_ENV, allowed_hosts, command  # noqa: E402
from tests.browser_support import AppServer, app_server  # noqa: E402


# ------------------------------------------------------------------ the guard, in memory
async def _stub(scope: dict, receive: object, send: object) -> None:
    if scope["type"] == "websocket":
        await send({"type": "websocket.accept"})  # type: ignore[operator]
        return
    await send({"type": "http.response.start", "status": 200, "headers": []})  # type: ignore[operator]
    await send({"type": "http.response.body", "body": b"app"})  # type: ignore[operator]


def _call(
    guard: Guard,
    path: str = "/",
    kind: str = "http",
    method: str = "GET",
    raw: list[tuple[str, str]] | None = None,
    **headers: str,
) -> tuple[int | str, bytes]:
    """(HTTP status or the websocket message type, body) the guard answers with."""
    scope = {
        "type": kind,
        "path": path,
        "root_path": "",
        "method": method,
        "scheme": "http" if kind == "http" else "ws",
        "query_string": b"",
        "http_version": "1.1",
        "headers": [
            (k.replace("_", "-").encode(), v.encode()) for k, v in [*headers.items(), *(raw or [])]
        ],
    }
    sent: list[dict] = []
    first = [True]

    async def receive() -> dict:
        if first[0]:
            first[0] = False
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.Event().wait()  # no disconnect until the response is sent
        return {}

    async def send(message: dict) -> None:
        sent.append(message)

    asyncio.run(guard(scope, receive, send))
    if kind == "websocket":
        return sent[0]["type"], b""
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])


@pytest.fixture
def guard(tmp_path: Path) -> Guard:
    (tmp_path / "pkg@1.0.0").mkdir()
    (tmp_path / "pkg@1.0.0" / "a.js").write_text("ok();")
    return Guard(_stub, ["127.0.0.1", "localhost", "::1"], cdn_dir=tmp_path)


def test_host_header_must_name_the_server(guard: Guard) -> None:
    for host in ("127.0.0.1:8765", "localhost:8765", "LOCALHOST", "[::1]:8765", "localhost."):
        assert _call(guard, host=host) == (200, b"app"), host
    for bad in ("evil.example", "evil.example:8765", "127.0.0.1.evil.example", "", "a b", "[::1"):
        assert _call(guard, host=bad)[0] == 400, bad
    assert _call(guard)[0] == 400  # no Host header at all
    # a repeated Host header is ambiguous
    assert _call(guard, raw=[("host", "127.0.0.1"), ("host", "evil.example")])[0] == 400


def test_any_ip_is_accepted_only_when_bound_to_every_interface(guard: Guard) -> None:
    assert _call(guard, host="192.168.1.20:8765")[0] == 400
    wide = Guard(_stub, ["127.0.0.1"], allow_ip_literals=True)
    assert _call(wide, host="192.168.1.20:8765")[0] == 200
    assert _call(wide, host="[fe80::1]:8765")[0] == 200
    assert _call(wide, host="rebound.evil.example")[0] == 400  # names can be rebound, IPs not


def test_websockets_only_from_the_same_origin(guard: Guard) -> None:
    h = "127.0.0.1:8765"
    assert _call(guard, "/ws", "websocket", host=h, origin="http://127.0.0.1:8765")[0] == (
        "websocket.accept"
    )
    assert _call(guard, "/ws", "websocket", host=h)[0] == "websocket.accept"  # not a browser
    for origin in (
        "http://evil.example",
        "http://127.0.0.1:9999",
        "http://localhost:8765",  # another origin, even if the same machine
        "https://127.0.0.1:8765",
        "null",
        "http://127.0.0.1:8765/path",
        "garbage",
    ):
        assert _call(guard, "/ws", "websocket", host=h, origin=origin)[0] == "websocket.close", (
            origin
        )
    # the Host check comes first for websockets too
    assert _call(guard, "/ws", "websocket", host="evil.example", origin="http://evil.example")[
        0
    ] == ("websocket.close")


def test_cross_origin_writes_are_refused_reads_are_not(guard: Guard) -> None:
    h = "127.0.0.1:8765"
    assert _call(guard, method="POST", host=h, origin="http://evil.example")[0] == 403
    assert _call(guard, method="POST", host=h, origin="http://127.0.0.1:8765")[0] == 200
    assert _call(guard, method="POST", host=h)[0] == 200
    # a cross-site GET (a link, an image) gets the page; it cannot read it (no CORS)
    assert _call(guard, host=h, origin="http://evil.example")[0] == 200


def test_cdn_prefix_serves_installed_files_only(guard: Guard, tmp_path: Path) -> None:
    h = "127.0.0.1:8765"
    assert _call(guard, f"{CDN_PREFIX}/pkg@1.0.0/a.js", host=h) == (200, b"ok();")
    before = sorted(p.name for p in tmp_path.rglob("*"))
    for path in (
        f"{CDN_PREFIX}/anything@1.0.0/x.js",
        f"{CDN_PREFIX}/pkg@1.0.0/missing.js",
        f"{CDN_PREFIX}/../../etc/passwd",
        f"{CDN_PREFIX}/anything@1.0.0",
        CDN_PREFIX,
    ):
        assert _call(guard, path, host=h)[0] == 404, path
    assert _call(guard, f"{CDN_PREFIX}/pkg@1.0.0/a.js", method="POST", host=h)[0] == 405
    assert sorted(p.name for p in tmp_path.rglob("*")) == before  # nothing fetched or written
    assert _call(Guard(_stub, ["127.0.0.1"]), f"{CDN_PREFIX}/pkg@1.0.0/a.js", host=h)[0] == 404


def _end_websockets(guard: Guard, n: int, later: float = 0.0) -> tuple[list[float], list[float]]:
    """Open ``n`` websockets through ``guard`` (a stub app holding each one), end them all in one
    event-loop iteration, then, when ``later`` > 0, open and end one more ``later`` s after;
    returns the event loop's times of the ends and of the prunes (counted, not run)."""
    ends: list[float] = []
    prunes: list[float] = []

    async def scenario() -> None:
        loop = asyncio.get_running_loop()
        leave = asyncio.Event()

        async def held(scope: dict, receive: object, send: object) -> None:
            await send({"type": "websocket.accept"})  # type: ignore[operator]
            await leave.wait()  # the browser is there until the room leaves

        async def prune() -> None:
            prunes.append(loop.time())

        guard.app = held
        guard_module._SCHEDULER = PruneScheduler(prune)

        async def one() -> None:
            scope = {
                "type": "websocket",
                "path": "/jupyter/api/kernels/x/channels",
                "root_path": "",
                "scheme": "ws",
                "query_string": b"",
                "headers": [(b"host", b"127.0.0.1:8765")],
            }

            async def receive() -> dict:
                await asyncio.Event().wait()
                return {}

            async def send(message: dict) -> None:
                pass

            await guard(scope, receive, send)
            ends.append(loop.time())

        sockets = [asyncio.create_task(one()) for _ in range(n)]
        await asyncio.sleep(0.01)
        leave.set()  # every websocket ends in the same iteration, as when a room leaves
        await asyncio.gather(*sockets)
        if later:
            await asyncio.sleep(later)
            leave.clear()
            last = asyncio.create_task(one())
            await asyncio.sleep(0.01)
            leave.set()
            await last
        # wait for what is due (a deadline, not a timing: a late loop only delays the prunes)
        for _ in range(200):
            if prunes and loop.time() > ends[-1] + 2 * guard_module.PRUNE_AFTER_S:
                break
            await asyncio.sleep(guard_module.PRUNE_AFTER_S / 4)

    asyncio.run(scenario())
    return ends, prunes


def test_websockets_ending_together_start_one_prune(
    guard: Guard, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 15 item 5: 8 websockets ending together once started 8 prunes in one event-loop
    iteration; the first stopped the 7 idle workers and each of the other 7 found none idle and
    started a new thread (8 -> 16). Now one pending prune, after the last end."""
    monkeypatch.setattr(guard_module, "_SCHEDULER", guard_module._SCHEDULER)  # restored after
    monkeypatch.setattr(guard_module, "PRUNE_AFTER_S", 0.2)
    ends, prunes = _end_websockets(guard, 8)
    assert len(ends) == 8
    assert len(prunes) == 1, f"{len(prunes)} prunes for 8 websockets that ended together"
    assert prunes[0] >= max(ends) + 0.2


def test_each_websocket_end_pushes_the_prune_back(
    guard: Guard, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A websocket ending before the pending prune ran moves it to after its own end; one
    ending after it ran gets a prune of its own (its thread is returned too)."""
    monkeypatch.setattr(guard_module, "_SCHEDULER", guard_module._SCHEDULER)  # restored after
    # the fourth end comes 0.1 s after the first three, well inside the 1.5 s quiet time
    monkeypatch.setattr(guard_module, "PRUNE_AFTER_S", 1.5)
    ends, prunes = _end_websockets(guard, 3, later=0.1)
    assert len(prunes) == 1 and prunes[0] >= ends[-1] + 1.5
    # the fourth end comes 1 s after the first three, when their prune (0.2 s) has run
    monkeypatch.setattr(guard_module, "PRUNE_AFTER_S", 0.2)
    ends, prunes = _end_websockets(guard, 3, later=1.0)
    assert len(prunes) == 2 and prunes[0] >= ends[2] + 0.2 and prunes[1] >= ends[-1] + 0.2


def test_split_host() -> None:
    assert split_host("127.0.0.1:8765") == ("127.0.0.1", 8765)
    assert split_host("[::1]") == ("::1", None)
    assert split_host("Example.COM.") == ("example.com", None)
    for bad in ("", "::1", "a:b", "a:99999", "a:", "[::1]x", "a/b", "u@h"):
        assert split_host(bad) is None, bad


def test_allowed_hosts_follow_the_bound_address() -> None:
    names, any_ip = allowed_hosts("127.0.0.1", env={})
    assert names == {"127.0.0.1", "localhost", "::1"} and not any_ip
    names, any_ip = allowed_hosts("192.168.1.20", env={"ORGSIM_APP_ALLOWED_HOSTS": "trainer.lan"})
    assert {"192.168.1.20", "trainer.lan", "localhost"} <= names and not any_ip
    names, any_ip = allowed_hosts("0.0.0.0", env={})
    assert any_ip and socket.gethostname().lower() in names and "0.0.0.0" not in names


def test_server_command_switches_the_cdn_proxy_off_and_adds_the_guard() -> None:
    assert OFFLINE_ENV["SOLARA_ASSETS_PROXY"] == "False"
    assert OFFLINE_ENV["SOLARA_ASSETS_CDN"] == CDN_PREFIX
    cmd = command("127.0.0.1", 9000)
    assert cmd[1:4] == ["-m", "app.launch", "run"]
    assert cmd[cmd.index("--workers") + 1] == "1"


# ------------------------------------------------------------------ the real server
@pytest.fixture(scope="module")
def trap() -> Iterator[socket.socket]:
    """A listening socket that every proxy variable of the server points at."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(8)
        s.setblocking(False)
        yield s


def _trapped(trap: socket.socket) -> int:
    """Connections the server made to the trap so far (accepting them)."""
    n = 0
    while True:
        try:
            conn, _ = trap.accept()
        except BlockingIOError:
            return n
        conn.close()
        n += 1


@pytest.fixture(scope="module")
def live(trap: socket.socket) -> Iterator[AppServer]:
    proxy = f"http://127.0.0.1:{trap.getsockname()[1]}"
    env = dict.fromkeys(("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"), proxy)
    env.update({k.lower(): v for k, v in env.items()})
    env.update(NO_PROXY="", no_proxy="")
    with app_server(env=env) as s:
        yield s


def _port(server: AppServer) -> int:
    return int(server.url.rstrip("/").rsplit(":", 1)[1])


def _get(server: AppServer, path: str, host: str | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", _port(server), timeout=30)
    try:
        conn.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
        conn.putheader("Host", host or f"127.0.0.1:{_port(server)}")
        conn.endheaders()
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


def _handshake(server: AppServer, origin: str | None, host: str | None = None) -> int:
    """The HTTP status a websocket handshake to Solara's kernel channel gets (101: accepted)."""
    s = _open_websocket(server, origin, host)
    with s:
        head = b""
        while b"\r\n" not in head:
            chunk = s.recv(1024)
            if not chunk:
                break
            head += chunk
    return int(head.split(b" ", 2)[1])


def _open_websocket(
    server: AppServer, origin: str | None = None, host: str | None = None
) -> socket.socket:
    """A socket that has sent a websocket handshake to Solara's kernel channel (not read)."""
    path = f"/jupyter/api/kernels/{uuid.uuid4()}/channels?session_id={uuid.uuid4()}"
    lines = [
        f"GET {path} HTTP/1.1",
        f"Host: {host or f'127.0.0.1:{_port(server)}'}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        f"Sec-WebSocket-Key: {base64.b64encode(os.urandom(16)).decode()}",
        "Sec-WebSocket-Version: 13",
    ]
    if origin is not None:
        lines.append(f"Origin: {origin}")
    s = socket.create_connection(("127.0.0.1", _port(server)), timeout=30)
    s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    return s


def _threads(pid: int) -> int:
    """OS threads of a process and all its descendants (psutil reads /proc: no request to the
    server, which would itself make anyio prune its idle workers)."""
    import psutil

    try:
        root = psutil.Process(pid)
        family = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for p in family:
        try:
            total += p.num_threads()
        except psutil.NoSuchProcess:
            continue
    return total


def _wait_for(condition: Callable[[], bool], limit: float) -> bool:
    """Poll ``condition`` every 0.5 s for up to ``limit`` seconds (a deadline, not a timing)."""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.5)
    return condition()


@pytest.mark.load  # counts the server's threads: run alone (pytest -m load), not beside other tests
def test_threads_of_closed_websockets_are_returned(live: AppServer) -> None:
    """Issue 15 item 5: Solara serves each websocket in a worker thread of anyio's pool, which
    anyio stops only at its next call; the guard makes that call once a websocket has ended
    (``app.guard.schedule_prune``), so the threads of browsers that left go without anybody
    connecting again."""
    pid, n = live.proc.pid, 8
    before = _threads(pid)
    socks = [_open_websocket(live) for _ in range(n)]
    try:
        for s in socks:
            assert s.recv(12).startswith(b"HTTP/1.1 101")
        # every open websocket holds a worker thread (idle workers of earlier requests may be
        # reused, so at least half of them are new)
        assert _wait_for(lambda: _threads(pid) >= before + n // 2, 30), (
            f"threads: {before} before, {_threads(pid)} with {n} websockets open"
        )
        peak = _threads(pid)
    finally:
        for s in socks:
            s.close()
    # anyio's idle limit (10 s) plus the guard's margin, and room for a busy machine. Without the
    # guard's call the count stays exactly at its peak (14 of 14 measured); with it idle workers
    # go (14 -> 7 on a quiet machine, 12 -> 10 beside two other jobs: the websockets' kernels
    # keep their own threads until Solara culls them, SOLARA_KERNEL_CULL_TIMEOUT)
    assert _wait_for(lambda: _threads(pid) < peak, 90), (
        f"threads: {before} before, {peak} with {n} websockets open, {_threads(pid)} after "
        "they closed"
    )


def test_cdn_proxy_is_off_nothing_is_fetched_or_cached(
    live: AppServer, trap: socket.socket
) -> None:
    from solara.server import settings as solara_settings

    cache = Path(solara_settings.assets.proxy_cache_dir)
    name = f"orgsim-probe-{uuid.uuid4().hex[:8]}@1.0.0"
    status, _ = _get(live, f"{CDN_PREFIX}/{name}/x.js")
    assert status == 404
    assert _get(live, f"{CDN_PREFIX}/anything@1.0.0/x.js")[0] == 404
    assert not (cache / name).exists()
    assert _trapped(trap) == 0, "the server tried to reach the internet"
    # the page's own front-end files still come from the installed folder, same-origin
    status, page = _get(live, "/")
    assert status == 200 and b"/_solara/cdn/@widgetti/solara-vuetify-app" in page
    assert b"cdn.jsdelivr.net" not in page
    status, body = _get(live, f"{CDN_PREFIX}/requirejs@2.3.6/require.js")
    assert status == 200 and b"requirejs" in body.lower()
    assert _trapped(trap) == 0


def test_foreign_host_header_is_refused(live: AppServer) -> None:
    assert _get(live, "/", host="evil.example")[0] == 400
    assert _get(live, "/", host=f"evil.example:{_port(live)}")[0] == 400
    assert _get(live, "/", host=f"localhost:{_port(live)}")[0] == 200


def test_cross_site_websocket_is_refused_same_origin_accepted(live: AppServer) -> None:
    own = f"http://127.0.0.1:{_port(live)}"
    assert _handshake(live, "http://evil.example") == 403
    assert _handshake(live, f"http://evil.example:{_port(live)}") == 403
    assert _handshake(live, own, host=f"evil.example:{_port(live)}") == 403
    assert _handshake(live, own) == 101
    assert _handshake(live, None) == 101  # not a browser: no Origin to check
