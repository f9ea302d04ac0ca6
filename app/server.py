"""Start the trainer's app: ``python run.py app [--host 127.0.0.1] [--port 8765]``.

The app is served by ``solara run`` in production mode with everything that would reach out to
the internet switched off (no version check against PyPI, no telemetry); the front-end files come
from the locally installed ``solara-assets`` package, so the page works with no connection.
"""

from __future__ import annotations

import ipaddress
import os
import sys
from pathlib import Path
from typing import TextIO

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
ROOT = Path(__file__).resolve().parent.parent

#: Environment that keeps the server off the internet.
OFFLINE_ENV = {
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
    "SOLARA_CHECK_VERSION": "False",
    "MPLBACKEND": "Agg",
}

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
    "SOLARA_KERNEL_CULL_TIMEOUT": "5m",
    "MALLOC_ARENA_MAX": "2",
}


def is_loopback(host: str) -> bool:
    """Whether ``host`` only accepts connections from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def url_for(host: str, port: int) -> str:
    """The address to open in a browser."""
    shown = DEFAULT_HOST if host in ("0.0.0.0", "::", "") else host
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"


def command(host: str, port: int) -> list[str]:
    """The ``solara run`` command line for the app."""
    return [
        sys.executable,
        "-m",
        "solara",
        "run",
        "app.page",
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--no-check-version",
        "--no-open",
        "--log-level",
        "warning",
    ]


def environment() -> dict[str, str]:
    """The server's environment: offline switches, session cull timeout, the repo on the path."""
    env = dict(os.environ)
    env.update(OFFLINE_ENV)
    for key, value in DEFAULT_ENV.items():
        env.setdefault(key, value)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
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


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> int:
    """Announce the address and run the server.

    Replaces the current process with the server on POSIX (so Ctrl+C and signals reach it).

    Returns:
        The server's exit code (only where the process cannot be replaced).
    """
    announce(host, port)
    cmd, env = command(host, port), environment()
    os.chdir(ROOT)
    if os.name == "posix":
        os.execve(cmd[0], cmd, env)
    import subprocess

    return subprocess.call(cmd, env=env)
