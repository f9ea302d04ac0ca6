"""``solara run`` with the app's guard around Solara's app (``python -m app.launch run app.page``).

Takes ``solara run``'s own arguments (built by :func:`app.server.command`). Before Solara's
command line starts uvicorn it

1. sets the offline switches (:data:`app.server.OFFLINE_ENV`) in this process, before Solara
   reads its settings, and checks that Solara's CDN proxy is off and not mounted;
2. adds :class:`app.guard.Guard` as the outermost middleware of ``solara.server.starlette.app``,
   the very object uvicorn then imports (``solara.server.starlette:app``), with the host names
   for ``--host`` (:func:`app.server.allowed_hosts`) and the installed front-end folder.
"""

from __future__ import annotations

import os
import sys

from app.server import DEFAULT_HOST, DEFAULT_PORT, OFFLINE_ENV, allowed_hosts


def _option(argv: list[str], name: str, default: str) -> str:
    for i, arg in enumerate(argv):
        if arg == name and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return default


def install(app_name: str, host: str, port: str) -> None:
    """Switch the CDN proxy off and wrap Solara's Starlette app in the guard.

    Solara's server module reads ``SOLARA_APP`` when it is imported (``solara run`` sets it,
    and ``SERVER_NAME``/``SERVER_PORT``, just before uvicorn imports it); importing it here first
    needs the same variables set first.
    """
    os.environ.update(OFFLINE_ENV)
    os.environ.update({"SOLARA_APP": app_name, "SERVER_NAME": host, "SERVER_PORT": port})
    import solara.settings
    from solara.server import settings as server_settings
    from solara.server import starlette as solara_starlette

    from app.guard import CDN_PREFIX, Guard

    if solara.settings.assets.proxy or any(
        getattr(r, "path", "") == CDN_PREFIX for r in solara_starlette.app.routes
    ):
        raise SystemExit("app.launch: Solara's CDN proxy is still on (SOLARA_ASSETS_PROXY)")
    names, any_ip = allowed_hosts(host)
    solara_starlette.app.add_middleware(
        Guard,
        allowed_hosts=names,
        allow_ip_literals=any_ip,
        cdn_dir=server_settings.assets.proxy_cache_dir,
    )


def main(argv: list[str] | None = None) -> None:
    """Install the guard, then hand over to Solara's command line (``solara <argv>``)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if len(argv) < 2 or argv[0] != "run":
        raise SystemExit("usage: python -m app.launch run <app> [solara run options]")
    install(
        argv[1], _option(argv, "--host", DEFAULT_HOST), _option(argv, "--port", str(DEFAULT_PORT))
    )
    from app.scenario_files import registered
    from sim.errors import InputError

    try:
        # the offered scenario files (run.py app --scenario) are read once, here, before the
        # first page: a file changed into a bad one since run.py checked it stops the server
        registered()
    except InputError as e:
        print(f"error: {' '.join(str(e).split())}", file=sys.stderr)
        raise SystemExit(2) from None
    from solara.__main__ import cli

    cli(argv, prog_name="solara")


if __name__ == "__main__":
    main()
