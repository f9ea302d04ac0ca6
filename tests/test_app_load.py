"""The app under load: 20 browser sessions stepping at once stay isolated and responsive, and
the server releases them after they disconnect.

One real server (``python run.py app`` on 127.0.0.1) and one headless Chromium with 20 browser
contexts, each a separate user with its own cookie. Every page picks its own preset or seed, then
all of them press Step together, three times (and, with ``ORGSIM_LOAD=1``, Play together, then
Pause). Each page must show exactly the numbers an in-process :class:`app.session.Session` with
the same settings shows at the same week: a page showing another page's run, or a run that was
stepped by someone else, fails.

Memory: the server's resident set (with any children) is measured after one warm-up session has
come and gone (baseline), at its peak with the 20 sessions, and after they are gone. Half of the
pages close their tab (the page tells the server, which releases the session at once); the other
half just vanish (context closed without unload: a dropped connection), which the server notices
only after its kernel cull timeout, set short here (``CULL``) through the same
``SOLARA_KERNEL_CULL_TIMEOUT`` variable that ``app/server.py`` defaults to 5 minutes.

To see live objects and not only the allocator's view, the test starts the server with a
test-only ``sitecustomize`` (written to a temporary folder and put on the server's PYTHONPATH; no
production code knows about it): on SIGUSR1 it runs the garbage collector, counts live
``Session`` objects, open kernels and matplotlib figures, calls glibc's ``malloc_trim(0)`` and
writes the counts to a file. "Released" means zero sessions, zero kernels, no more figures
than at the baseline and the number of live Python objects back within 2% of it.

The resident set does not go all the way back, and the test does not pretend it does: after 20
sessions 120-140 MB stay mapped (measured after ``malloc_trim``, with the server's default
``MALLOC_ARENA_MAX=2``; 205 MB with glibc's default of 8 arenas per core), because CPython's
256 KiB object arenas that still hold a few long-lived objects (matplotlib's font cache, idle
worker threads) cannot be unmapped and glibc's heaps stay fragmented, while the count of live
Python objects is back within 1% of the baseline. So the bound is "within ``RSS_MARGIN_MB`` of
the baseline", well under the peak, and the leak checks proper are the counts.

The Step round trip is measured and printed (``pytest -s``), not asserted: a wall-clock bound
fails on a busy 2-core machine and blocks a landing (the developers' guide keeps timings in
benchmarks).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser_support import CHROMIUM, AppServer, Watched, app_server, chromium

pytest.importorskip("solara", reason="the app extra is not installed (pip install -e '.[app]')")
playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
psutil = pytest.importorskip("psutil", reason="psutil is not installed")
if not Path(CHROMIUM).exists():
    pytest.skip(
        f"{CHROMIUM} is missing (apt-get install -y chromium); .ci/run installs it in CI",
        allow_module_level=True,
    )

from app.session import Config, Run, cards_for, presets  # noqa: E402
from sim.inputs import load_scenario  # noqa: E402

# Beside other tests (pytest -n 2) the server gets a fraction of the 2 cores and the Step p95
# measures the neighbours (17.5 s seen); the README's test command runs it alone: pytest -m load.
pytestmark = [
    pytest.mark.load,
    pytest.mark.skipif(
        int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")) > 1,
        reason="a load test runs alone: python -m pytest -m load (the README's test command does)",
    ),
]

# The Play phase (all 20 pages press Play at once, then Pause) overloads 2 cores far beyond what
# stepping does (20 play loops each drawing its charts several times a second) and runs only on
# request: ORGSIM_LOAD=1.
PLAY = os.environ.get("ORGSIM_LOAD") == "1"

SESSIONS = 20
BATCH = 4  # pages opened at once; 20 at once on 2 cores makes pages time out and reconnect
STEPS = 3
PLAY_S = 3.0
CULL = "15s"  # kernel cull timeout of the test server (production default: 5m)
RSS_MARGIN_MB = 250.0  # measured: +120 to +140 MB after 20 sessions (see the docstring)

PROBE_HOOK = textwrap.dedent(
    '''
    """Test-only probe (tests/test_app_load.py): live sessions, kernels and figures on SIGUSR1."""
    import os
    import signal

    _OUT = os.environ.get("ORGSIM_TEST_PROBE")
    _LOGGING = []


    def _log_sessions():
        """Solara's connect/disconnect/cull messages (INFO) to a file, for a failing test."""
        import logging

        handler = logging.FileHandler(_OUT + ".log")
        handler.setFormatter(logging.Formatter("%(asctime)s %(threadName)s %(message)s"))
        for name in ("solara.server.app", "solara.server.fastapi"):
            log = logging.getLogger(name)
            log.disabled = False
            log.setLevel(logging.INFO)
            log.addHandler(handler)
            log.propagate = False


    def _probe(signum, frame):
        import ctypes
        import gc
        import json
        import sys
        import threading

        if not _LOGGING:
            _LOGGING.append(_log_sessions())

        def rss_mb():
            with open("/proc/self/statm") as f:
                return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20

        gc.collect()
        session = getattr(sys.modules.get("app.session"), "Session", None)
        figure = getattr(sys.modules.get("matplotlib.figure"), "Figure", None)
        kernels = getattr(sys.modules.get("solara.server.kernel_context"), "contexts", {})
        objs = gc.get_objects()
        live = [o for o in objs if session is not None and type(o) is session]
        holders = sorted({type(r).__name__ for s in live[:1] for r in gc.get_referrers(s)})
        figures = sum(1 for o in objs if figure is not None and isinstance(o, figure))
        n_objects = len(objs)
        del objs
        before = rss_mb()
        try:
            ctypes.CDLL("libc.so.6").malloc_trim(0)
        except (OSError, AttributeError):
            pass
        out = {
            "objects": n_objects,
            "sessions": len(live),
            "holders": holders,
            "kernels": len(kernels),
            "figures": figures,
            "threads": threading.active_count(),
            "os_threads": len(os.listdir("/proc/self/task")),
            "thread_kinds": sorted(
                {n: sum(1 for t in threading.enumerate() if t.name.rstrip("0123456789_-") == n)
                 for n in {t.name.rstrip("0123456789_-") for t in threading.enumerate()}}.items()
            ),
            "rss_before_trim_mb": before,
            "rss_after_trim_mb": rss_mb(),
        }
        del live
        with open(_OUT + ".tmp", "w") as f:
            json.dump(out, f)
        os.replace(_OUT + ".tmp", _OUT)


    if _OUT:
        signal.signal(signal.SIGUSR1, _probe)
    '''
)

#: Every websocket close the page sees (code, reason, seconds since the page started).
WS_SPY = """(() => {
  const Native = window.WebSocket;
  window.__wsCloses = [];
  window.WebSocket = function (...args) {
    const ws = new Native(...args);
    ws.addEventListener('close', e => window.__wsCloses.push(
      [e.code, e.reason, Math.round(performance.now() / 100) / 10]));
    return ws;
  };
  window.WebSocket.prototype = Native.prototype;
  Object.assign(window.WebSocket, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
})();"""

#: In-page timing of a button press: from the click to the week counter showing the target week.
INSTALL = """() => {
  window.__lat = []; window.__pending = null;
  const check = () => {
    const el = document.querySelector('.week-counter');
    const p = window.__pending;
    if (p && el && el.innerText.startsWith('Week ' + p.target + ' ')) {
      window.__lat.push(performance.now() - p.t0); window.__pending = null;
    }
  };
  new MutationObserver(check).observe(
    document.body, {subtree: true, childList: true, characterData: true});
  window.__click = (name, target) => {
    window.__pending = target === null ? null : {target, t0: performance.now()};
    const b = [...document.querySelectorAll('button')].find(b => b.textContent.trim() === name);
    if (!b) throw new Error('no button ' + name);
    b.click();
  };
}"""


#: Press Pause if the page is playing; false if it is not (a run that reached its horizon stops
#: by itself: with 20 sessions on 2 cores the last page may start playing a minute after the
#: first, which has gone through all 104 weeks by then).
PAUSE = """() => {
  const b = [...document.querySelectorAll('button')].find(b => b.textContent.trim() === 'Pause');
  if (b) b.click();
  return !!b;
}"""


class Probe:
    """The server process: RSS (with children) and, via the test-only hook, live objects."""

    def __init__(self, server: AppServer, out: Path) -> None:
        self.proc = psutil.Process(server.proc.pid)
        self.out = out

    def rss_mb(self) -> float:
        total = 0
        for p in [self.proc, *self.proc.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                total += p.memory_info().rss
        return total / 2**20

    def log(self) -> str:
        """Solara's session messages since the first probe."""
        log = self.out.with_suffix(".json.log")
        return log.read_text(errors="replace") if log.exists() else ""

    def counts(self, timeout: float = 60.0) -> dict:
        self.out.unlink(missing_ok=True)
        os.kill(self.proc.pid, signal.SIGUSR1)
        deadline = time.time() + timeout
        while not self.out.exists():
            if time.time() > deadline:
                raise AssertionError("the server's probe did not answer")
            time.sleep(0.05)
        return json.loads(self.out.read_text())

    def wait_released(self, timeout: float) -> tuple[dict, float]:
        """Poll until no session and no kernel is left; (last counts, seconds waited)."""
        t0 = time.perf_counter()
        while True:
            c = self.counts()
            if c["sessions"] == 0 and c["kernels"] == 0:
                return c, time.perf_counter() - t0
            if time.perf_counter() - t0 > timeout:
                return c, time.perf_counter() - t0
            time.sleep(1.0)


@pytest.fixture(scope="module")
def loaded_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[AppServer, Probe]]:
    hook = tmp_path_factory.mktemp("probe-hook")
    (hook / "sitecustomize.py").write_text(PROBE_HOOK)
    out = hook / "probe.json"
    paths = [str(hook), os.environ.get("PYTHONPATH", "")]
    env = {
        "SOLARA_KERNEL_CULL_TIMEOUT": CULL,
        "ORGSIM_TEST_PROBE": str(out),
        "PYTHONPATH": os.pathsep.join(p for p in paths if p),
    }
    with app_server(env) as server:
        yield server, Probe(server, out)


def _config(i: int, names: list[str]) -> tuple[str, int]:
    """Page i's design: the first pages each take a preset, the rest the default with a seed."""
    return (names[i], 1) if i < len(names) else (names[0], 2 + i - len(names))


def _choose(w: Watched, preset: str, seed: int, names: list[str]) -> None:
    if preset != names[0]:
        w.page.locator(".v-select").filter(has_text="Preset").first.click()
        w.page.get_by_role("option", name=preset).click()
    if seed != 1:
        field = w.page.get_by_label("Seed")
        field.fill(str(seed))
        field.press("Enter")
        field.blur()  # as a trainer does by clicking elsewhere


def _shown(w: Watched) -> tuple[int, list[str]]:
    """(week, card values) as the page shows them, read in one go."""
    week, cards = w.page.evaluate(
        """() => [document.querySelector('.week-counter').innerText,
                  [...document.querySelectorAll('.orgsim-card .v')].map(e => e.innerText.trim())]"""
    )
    return int(week.split()[1]), cards


def _expected(preset: str, seed: int, week: int) -> list[str]:
    """Design A's card values after ``week`` weeks, computed here, without the server."""
    cfg = Config.for_preset(preset, seed=seed)
    run = Run("A", preset, cfg.scenario_a(), seed)
    for _ in range(week):
        run.step()
    return [c.values[0] for c in cards_for([run])]


def _when_shown(w: Watched, cards: list[str], timeout: float = 30_000) -> tuple[int, list[str]]:
    """What the page shows once its cards equal ``cards`` (or after ``timeout`` ms).

    The week counter and the cards are separate widgets, updated by separate messages.
    """
    with contextlib.suppress(playwright_api.TimeoutError):
        w.page.wait_for_function(
            """exp => JSON.stringify([...document.querySelectorAll('.orgsim-card .v')]
                   .map(e => e.innerText.trim())) === JSON.stringify(exp)""",
            arg=cards,
            timeout=timeout,
        )
    return _shown(w)


def _wait(w: Watched, i: int, test: str, timeout: float = 120_000) -> None:
    """Wait until ``test`` (a JS function of the week counter element) holds on page ``i``."""
    try:
        w.page.wait_for_function(
            f"() => {{ const w = document.querySelector('.week-counter'); return ({test})(w); }}",
            timeout=timeout,
        )
    except playwright_api.TimeoutError:
        raise AssertionError(
            f"page {i}: {test!r} still false; it shows {_shown(w)}; page history: {w.events}; "
            f"websocket closes: {w.page.evaluate('window.__wsCloses')}"
        ) from None


PAUSE_S: list[float] = []  # seconds from Pause to the Play button, per page


def _settle(w: Watched, i: int) -> int:
    """The week once the counter has stopped moving (after Pause)."""
    t0 = time.perf_counter()
    try:
        w.page.get_by_role("button", name="Play").wait_for(timeout=120_000)
    except playwright_api.TimeoutError:
        raise AssertionError(
            f"page {i}: no Play button 120 s after Pause; it shows {_shown(w)}; page history: "
            f"{w.events}; websocket closes: {w.page.evaluate('window.__wsCloses')}"
        ) from None
    PAUSE_S.append(time.perf_counter() - t0)
    last = w.week()
    while True:
        w.page.wait_for_timeout(600)
        now = w.week()
        if now == last:
            return now
        last = now


def _pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(q * (len(xs) - 1)))]


def test_twenty_sessions_stay_isolated_responsive_and_are_released(
    loaded_server: tuple[AppServer, Probe],
) -> None:
    server, probe = loaded_server
    names = presets()
    t_start = time.perf_counter()
    samples: list[float] = []
    sampling = threading.Event()
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            if sampling.is_set():
                samples.append(probe.rss_mb())
            time.sleep(0.25)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    pages: list[Watched] = []
    with chromium() as browser:
        try:
            # --- warm-up: one session comes and goes; what stays is the baseline
            w = Watched(browser, server.url)
            for n in (1, 2):
                w.page.get_by_role("button", name="Step").click()
                w.wait_week(n)
            w.page.close(run_before_unload=True)
            w.close()
            warm, _ = probe.wait_released(timeout=60)
            assert warm["sessions"] == 0 and warm["kernels"] == 0, warm
            base = probe.rss_mb()
            t_warm = time.perf_counter()

            # --- 20 sessions, each with its own design
            sampling.set()
            configs = [_config(i, names) for i in range(SESSIONS)]
            for start in range(0, SESSIONS, BATCH):
                batch = [
                    Watched(browser, server.url, wait=False, init_script=WS_SPY)
                    for _ in range(BATCH)
                ]
                for k, w in enumerate(batch):
                    w.ready(timeout=120_000)
                    _choose(w, *configs[start + k], names)
                pages += batch
            t_open = time.perf_counter()
            expected = [_expected(preset, seed, STEPS) for preset, seed in configs]
            for w, (preset, seed) in zip(pages, configs):
                w.page.wait_for_function(
                    "s => document.body.innerText.includes(s)",
                    arg=" ".join(load_scenario(preset).description.split())[:40],
                    timeout=60_000,
                )
                assert w.page.get_by_label("Seed").input_value() == str(seed)
                assert w.week() == 0
                w.page.evaluate(INSTALL)

            # --- everybody presses Step at once, STEPS times
            for k in range(1, STEPS + 1):
                for w in pages:
                    w.page.evaluate(f"__click('Step', {k})")
                for i, w in enumerate(pages):
                    _wait(w, i, "w => window.__pending === null")
            latencies = [x / 1000 for w in pages for x in w.page.evaluate("window.__lat")]
            assert len(latencies) == SESSIONS * STEPS
            stepped = [_when_shown(w, exp) for w, exp in zip(pages, expected)]
            t_step = time.perf_counter()

            # --- with ORGSIM_LOAD=1: everybody plays at once (each until it is at least one
            # week further), then pauses
            played: list[int] = []
            shown: list[tuple[int, list[str]]] = []
            if PLAY:
                t0 = time.perf_counter()
                for w in pages:
                    w.page.evaluate("__click('Play', null)")
                for i, w in enumerate(pages):
                    _wait(w, i, f"w => +w.innerText.split(' ')[1] > {STEPS}")
                time.sleep(max(0.0, PLAY_S - (time.perf_counter() - t0)))
                for i, w in enumerate(pages):
                    if not w.page.evaluate(PAUSE):  # it played to the horizon before its turn
                        _wait(w, i, "w => w.innerText.split(' ')[1] === w.innerText.split(' ')[3]")
                played = [_settle(w, i) for i, w in enumerate(pages)]
                shown = [
                    _when_shown(w, _expected(preset, seed, n))
                    for w, (preset, seed), n in zip(pages, configs, played)
                ]
            peak = max(samples)
            busy = probe.counts()
            sampling.clear()
            t_play = time.perf_counter()

            # --- isolation: every page shows its own run, exactly
            for (preset, seed), exp, (week, cards) in zip(configs, expected, stepped):
                assert (week, cards) == (STEPS, exp), (preset, seed)
            assert len({tuple(c) for _, c in stepped}) > SESSIONS // 2  # the seeds do matter
            for (preset, seed), (week_p, cards_p), n in zip(configs, shown, played):
                assert week_p == n > STEPS, (preset, seed, week_p, n)
                assert cards_p == _expected(preset, seed, week_p), (preset, seed, week_p)
            assert busy["sessions"] == SESSIONS and busy["kernels"] == SESSIONS, busy
            t_check = time.perf_counter()

            # --- half close their tab, half vanish; all sessions must be released
            for i, w in enumerate(pages):
                if i % 2 == 0:
                    w.page.close(run_before_unload=True)
                w.close()
            pages = []
            after, waited = probe.wait_released(timeout=120)
            rss_after = probe.rss_mb()
        except BaseException:
            print(f"\nserver output (last 3000 characters):\n{server.output()[-3000:]}")
            print(f"\nsession log (last 6000 characters):\n{probe.log()[-6000:]}")
            raise
        finally:
            stop.set()
            for w in pages:
                w.close()
    t_end = time.perf_counter()
    print(
        f"\nload: {SESSIONS} sessions; Step round trip under load: median "
        f"{_pct(latencies, 0.5):.2f} s, p95 {_pct(latencies, 0.95):.2f} s, "
        f"max {max(latencies):.2f} s (n={len(latencies)})"
        + (
            f"; Play reached weeks {min(played)}-{max(played)}, Pause shown as Play again "
            f"within {max(PAUSE_S):.1f} s"
            if PLAY
            else "; Play phase skipped (ORGSIM_LOAD=1 runs it)"
        )
        + "\n"
        f"load: server RSS baseline {base:.0f} MB (after one warm-up session), peak "
        f"{peak:.0f} MB with {SESSIONS} sessions, {rss_after:.0f} MB after release "
        f"({waited:.1f} s after the last page left, cull timeout {CULL}); live sessions "
        f"{busy['sessions']} -> {after['sessions']}, kernels {busy['kernels']} -> "
        f"{after['kernels']}, figures {busy['figures']} -> {after['figures']}, Python objects "
        f"{warm['objects']} -> {busy['objects']} -> {after['objects']}, threads "
        f"{warm['threads']} -> {busy['threads']} -> {after['threads']} "
        f"({after['thread_kinds']}; OS threads {after['os_threads']})\n"
        f"load: wall time {t_end - t_start:.0f} s (warm-up {t_warm - t_start:.0f}, open and "
        f"configure {t_open - t_warm:.0f}, steps {t_step - t_open:.0f}, play "
        f"{t_play - t_step:.0f}, check {t_check - t_play:.0f}, release {t_end - t_check:.0f})"
    )
    # Step latency is printed above, not asserted: a wall-clock bound fails on a busy 2-core
    # machine (p95 10.15 s beside nothing but this test's own 20 browsers, 1 Dec) and blocks a
    # landing; the figure belongs in a benchmark. Every Step did complete (counted above).
    assert after["sessions"] == 0 and after["kernels"] == 0, after
    assert after["figures"] <= warm["figures"], after
    assert after["objects"] <= 1.02 * warm["objects"], (warm["objects"], after["objects"])
    assert rss_after <= base + RSS_MARGIN_MB, (base, peak, rss_after)
