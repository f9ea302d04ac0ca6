"""Start the trainer's app: ``python run.py app [--host 127.0.0.1] [--port 8765]``.

The app is served by ``solara run`` (through :mod:`app.launch`, which wraps Solara's app in the
:class:`app.guard.Guard` middleware) in production mode with everything that would reach out to
the internet switched off (no version check against PyPI, no telemetry, no CDN proxy); the
front-end files come from the locally installed ``solara-assets`` package and are served
read-only, so the page works with no connection and a client cannot make the server fetch
anything. The guard answers only to the host names the server was bound to and accepts
websockets (and any state-changing request) only from the page's own origin.
"""

from __future__ import annotations

import ipaddress
import json
import os
import socket
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
ROOT = Path(__file__).resolve().parent.parent

#: Environment that keeps the server off the internet.
#:
#: ``SOLARA_ASSETS_PROXY=False`` switches off Solara's CDN proxy, which fetches any
#: ``/_solara/cdn/<package>@<version>/...`` a client names from cdn.jsdelivr.net, writes it into
#: the environment (``share/solara/cdn/``) and serves it same-origin. The page still loads its
#: files from ``/_solara/cdn`` (``SOLARA_ASSETS_CDN``), where :class:`app.guard.Guard` serves
#: only what ``solara-assets`` installed there, read-only.
OFFLINE_ENV = {
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
    "SOLARA_CHECK_VERSION": "False",
    "SOLARA_ASSETS_PROXY": "False",
    "SOLARA_ASSETS_CDN": "/_solara/cdn",
    "MPLBACKEND": "Agg",
}

#: The scenario files the server offers (a JSON list of absolute paths; ``run.py app --scenario``),
#: read by :func:`app.scenario_files.registered`.
SCENARIOS_VAR = "ORGSIM_APP_SCENARIOS"

#: Addresses that mean "every interface".
WILDCARD_HOSTS = ("0.0.0.0", "::", "[::]", "")

#: Extra host names the server answers to (comma-separated), e.g. a DNS name for the machine.
ALLOWED_HOSTS_VAR = "ORGSIM_APP_ALLOWED_HOSTS"

#: Defaults that the environment may override (docs/RELIABILITY.md has the measurements).
#:
#: ``SOLARA_KERNEL_CULL_TIMEOUT``: a closed tab releases its session at once; a browser that
#: vanishes without closing the tab (dropped Wi-Fi, a laptop put to sleep) keeps its session this
#: long so it can reconnect where it was, then the session's memory is released. Solara's own
#: default is 24 hours, which lets abandoned sessions pile up on a long-running server.
#:
#: ``MALLOC_ARENA_MAX``: glibc gives each thread that allocates its own heap arena (up to 8 per
#: core); the server handles each browser in a worker thread, and memory freed in many arenas is
#: rarely handed back. Two arenas kept the peak about 75 MB and what stays after the sessions
#: leave about 70 MB lower with 20 sessions (tests/test_app_load.py, docs/RELIABILITY.md), at no
#: measurable cost in step time.
DEFAULT_ENV = {
    # no "This website runs on Solara" badge: it covered the customer legend in front of a room
    "SOLARA_THEME_SHOW_BANNER": "False",
    "SOLARA_KERNEL_CULL_TIMEOUT": "5m",
    "MALLOC_ARENA_MAX": "2",
    # Reacton's fast tree walk (opt-in in reacton 1.11): a render walks only the components
    # whose state changed, where the default walk sets every prop of every widget on the page
    # at each Step (137 widgets in compare mode; 24 with it); about 10% less server CPU a Step
    # through the page (docs/PERFORMANCE.md, "The browser round trip")
    "REACTON_FAST": "1",
}


def is_loopback(host: str) -> bool:
    """Whether ``host`` only accepts connections from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def allowed_hosts(host: str, env: dict[str, str] | None = None) -> tuple[frozenset[str], bool]:
    """The ``Host`` header names the server accepts when bound to ``host``.

    Loopback names always (127.0.0.1, localhost, ::1), the bound address itself, and the names
    in ``ORGSIM_APP_ALLOWED_HOSTS``. Bound to every interface, also this machine's host name and
    any IP address (which DNS cannot rebind).

    Returns:
        (names, whether any IP address is accepted).
    """
    names = {"127.0.0.1", "localhost", "::1"}
    wildcard = host in WILDCARD_HOSTS
    if wildcard:
        names |= {socket.gethostname(), socket.getfqdn()}
    else:
        names.add(host)
    extra = (os.environ if env is None else env).get(ALLOWED_HOSTS_VAR, "")
    names |= {n.strip() for n in extra.split(",") if n.strip()}
    return frozenset(n.lower().strip("[]").rstrip(".") for n in names if n), wildcard


def url_for(host: str, port: int) -> str:
    """The address to open in a browser."""
    shown = DEFAULT_HOST if host in ("0.0.0.0", "::", "") else host
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"


def command(host: str, port: int) -> list[str]:
    """The ``solara run`` command line for the app (run by :mod:`app.launch`, which adds the guard).

    ``--workers 1``: the guard is installed in this process; more workers (``WEB_CONCURRENCY``)
    would import Solara's app afresh without it.
    """
    return [
        sys.executable,
        "-m",
        "app.launch",
        "run",
        "app.page",
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--no-check-version",
        "--no-open",
        "--workers",
        "1",
        "--log-level",
        "warning",
    ]


def environment(scenarios: Sequence[str | Path] = ()) -> dict[str, str]:
    """The server's environment: offline switches, session cull timeout, the repo on the path,
    and the scenario files it offers (``run.py app --scenario``).

    Args:
        scenarios: the scenario files' paths, already validated (``app.scenario_files``); they
            are passed as absolute paths in ``ORGSIM_APP_SCENARIOS`` (a JSON list), which the
            server reads once (:func:`app.scenario_files.registered`). None given: the variable
            is removed, so a server started without files never offers any left in the caller's
            environment.
    """
    env = dict(os.environ)
    env.update(OFFLINE_ENV)
    for key, value in DEFAULT_ENV.items():
        env.setdefault(key, value)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    env.pop(SCENARIOS_VAR, None)
    if scenarios:
        # absolute: the server runs from the repo's root, not from where the command was typed
        env[SCENARIOS_VAR] = json.dumps([str(Path(p).resolve()) for p in scenarios])
    return env


def check_installed() -> str | None:
    """None when the app's extra is installed, else a one-line hint."""
    try:
        import solara  # noqa: F401
        import solara_assets  # noqa: F401  (the offline front-end files)
    except ImportError as e:
        return f"the app needs the 'app' extra ({e.name} is missing): pip install -e '.[app]'"
    return None


def announce(host: str, port: int, out: TextIO | None = None, err: TextIO | None = None) -> None:
    """Print the address, and a warning when ``host`` lets other machines in."""
    if not is_loopback(host):
        print(
            f"warning: listening on {host}, beyond this machine: anyone on the network who can "
            "reach this address can open the app. Use --host 127.0.0.1 to keep it local.",
            file=err or sys.stderr,
        )
    print(
        f"orgsim app: open {url_for(host, port)} in a browser (Ctrl+C to stop)",
        file=out or sys.stdout,
        flush=True,
    )


def serve(
    host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, scenarios: Sequence[str | Path] = ()
) -> int:
    """Announce the address and run the server.

    Replaces the current process with the server on POSIX (so Ctrl+C and signals reach it).

    Args:
        host: the address to bind.
        port: the port.
        scenarios: scenario files to offer beside the presets, validated by the caller.

    Returns:
        The server's exit code (only where the process cannot be replaced).
    """
    announce(host, port)
    cmd, env = command(host, port), environment(scenarios)
    os.chdir(ROOT)
    if os.name == "posix":
        os.execve(cmd[0], cmd, env)
    import subprocess

    return subprocess.call(cmd, env=env)
