"""Scenario files offered in the app, in a real headless Chromium (Debian's, /usr/bin/chromium).

One server for the module, started as the operator would: ``python run.py app --scenario
examples/acme/current.toml --scenario <a small calibrated file>`` on 127.0.0.1 and a free port.
Every request must stay on loopback and console errors fail the test. The registry, the name
mapping and the refusals are tested without a browser in tests/test_app_scenario_files.py.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser_support import CHROMIUM, ROOT, Watched, app_server

pytest.importorskip("solara", reason="the app extra is not installed (pip install -e '.[app]')")
pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
if not Path(CHROMIUM).exists():
    pytest.skip(
        f"{CHROMIUM} is missing (apt-get install -y chromium); .ci/run installs it in CI",
        allow_module_level=True,
    )

#: A small calibrated scenario written by hand (two particles of customer churn).
CALIBRATED = """name = "small_fit"
description = "A small organisation fitted by hand."
base = "command_and_control"
burn_in_weeks = 26
[organisation]
employees = 60
[customers]
count = 600
[calibration]
parameters = ["customers.base_churn_annual"]
particles = [[0.05], [0.30]]
weights = [0.5, 0.5]
"""


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """The app offering the acme org chart and the small calibrated file; yields its address."""
    with tempfile.TemporaryDirectory(prefix="orgsim-appscen-") as tmp:
        cal = Path(tmp) / "calibrated.toml"
        cal.write_text(CALIBRATED, encoding="utf-8")
        acme = ROOT / "examples" / "acme" / "current.toml"
        with app_server(args=["--scenario", str(acme), "--scenario", str(cal)]) as s:
            assert "offering acme_current" in s.output()
            yield s.url


@pytest.fixture
def watched(browser: object, server: str) -> Iterator[Watched]:
    w = Watched(browser, server)
    yield w
    w.close()


def test_pick_the_acme_file_and_step(watched: Watched, tmp_path: Path) -> None:
    """The file is a choice after the presets; picked, its org chart runs, week by week."""
    w = watched
    w.page.locator(".v-select").filter(has_text="Preset").first.click()
    w.page.get_by_role("option", name="acme_current").click()
    w.page.wait_for_function(
        "document.body.innerText.includes('Scenario file current.toml. Acme today')",
        timeout=60_000,
    )
    w.wait_week(0)
    # the charts' legend: drawn after the description, so waited for (is_visible does not wait)
    w.page.get_by_text("A: acme_current").first.wait_for(state="visible", timeout=30_000)
    charts = w.page.locator(".charts").first
    org = w.page.locator(".org-view").first
    w.page.wait_for_timeout(500)
    before, org_before = charts.screenshot(), org.screenshot()
    for n in range(1, 4):
        w.page.get_by_role("button", name="Step").click()
        w.wait_week(n)
    w.page.wait_for_timeout(500)
    assert charts.screenshot(path=str(tmp_path / "acme_week3.png")) != before
    assert org.screenshot() != org_before
    assert "preset=acme_current" in w.page.url  # the address holds the file's choice
    assert w.errors == [] and w.outside() == []


def test_the_address_opens_the_calibrated_file(browser: object, server: str) -> None:
    w = Watched(browser, server + "?preset=small_fit&seed=3")
    try:
        w.page.wait_for_function(
            "document.body.innerText.includes('Scenario file calibrated.toml. Calibrated: each "
            "seed draws a parameter set (1 fitted parameter) from the posterior.')",
            timeout=60_000,
        )
        assert w.page.locator(".orgsim-error").count() == 0
        w.page.get_by_role("button", name="Step").click()
        w.wait_week(1)
        assert w.errors == [] and w.outside() == []
    finally:
        w.close()
