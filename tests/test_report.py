"""The org-design report: numbers, files, self-containment and bad input through the CLI."""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.experiment import headlines_table, paired_differences, run_replicates, summarise
from sim.inputs import load_scenario
from sim.report import CSV_COLUMNS, OUTCOMES

ROOT = Path(__file__).resolve().parent.parent
ACME = ROOT / "examples" / "acme"
RUN = [sys.executable, str(ROOT / "run.py")]
# short runs for the tests: 2 paired replicates of 20 weeks (the default is 6 x 104)
FAST = ["--replicates", "2", "--seed", "5", "--set", "horizon_weeks=20", "--workers", "2"]
FAST += ["--screen-trajectories", "2"]
OVERRIDES = {"horizon_weeks": 20}
CHROMIUM = Path("/usr/bin/chromium")


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*RUN, *args], capture_output=True, text=True, cwd=cwd or ROOT, timeout=900
    )


@pytest.fixture(scope="session")
def report(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The example's report, written once through the command line (once per test session,
    shared by pytest-xdist workers through a lock file in the session's temporary root)."""
    base = tmp_path_factory.getbasetemp()
    root = base.parent if hasattr(request.config, "workerinput") else base
    out = root / "acme_report" / "board" / "acme.html"
    done = root / "acme_report.done"
    try:
        fd = os.open(root / "acme_report.lock", os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:  # another worker is writing it
        deadline = time.monotonic() + 900
        while not done.exists() and time.monotonic() < deadline:
            time.sleep(0.5)
    else:
        os.close(fd)
        args = ["--current", str(ACME / "current.toml"), "--proposed", str(ACME / "proposed.toml")]
        res = cli("report", *args, *FAST, "--out", str(out))
        done.write_text(f"{res.returncode}\n{res.stdout}\n{res.stderr}")
    code, _, rest = done.read_text().partition("\n")
    assert code == "0", rest
    return {
        "out": out,
        "html": out.read_text(encoding="utf-8"),
        "csv": pd.read_csv(out.with_suffix(".csv")),
        "breakdown": pd.read_csv(out.with_name(f"{out.stem}-breakdown.csv")),
        "stdout": rest,
    }


def cells(page: str) -> dict[tuple[str, str, str], float]:
    """Every number of the report: (section, key, column) -> value."""
    found = re.findall(r'data-key="([^"]+)" data-value="([^"]+)"', page)
    out = {}
    for key, value in found:
        section, k, column = html.unescape(key).split("|")
        out[(section, k, column)] = float(value)
    return out


def test_files_written_beside_each_other_and_nothing_else(report: dict) -> None:
    out: Path = report["out"]
    assert sorted(p.name for p in out.parent.iterdir()) == [
        "acme-breakdown.csv",
        "acme.csv",
        "acme.html",
    ]
    assert list(report["csv"].columns) == list(CSV_COLUMNS)
    assert "Report written to" in report["stdout"]


def test_report_numbers_equal_the_csv(report: dict) -> None:
    table: pd.DataFrame = report["csv"]
    shown = cells(report["html"])
    assert len(shown) >= 3 * len(OUTCOMES) + 4 * 16
    idx = table.set_index(["section", "key"])
    bd = report["breakdown"].set_index("change")
    for (section, key, column), value in shown.items():
        if section == "breakdown":  # the breakdown's numbers come from its own CSV
            expected = float(bd.loc[int(key), column])
        else:
            expected = float(idx.loc[(section, key), column])
        assert value == pytest.approx(expected, rel=1e-12, abs=1e-12, nan_ok=True), (
            section,
            key,
            column,
        )
    # every outcome is in the results table with its levels and change
    for o in OUTCOMES:
        for column in ("current", "proposed", "difference"):
            assert ("outcome", o.key, column) in shown


def test_csv_equals_the_underlying_paired_runs(report: dict) -> None:
    table = report["csv"].set_index(["section", "key"])
    cur = load_scenario(ACME / "current.toml").with_overrides(OVERRIDES)
    prop = load_scenario(ACME / "proposed.toml").with_overrides(OVERRIDES)
    weekly = run_replicates({"current": cur, "proposed": prop}, 2, 5)
    heads = headlines_table(weekly)
    summ = summarise(heads).set_index(["scenario", "outcome"])
    diff = paired_differences(heads, "current").set_index("outcome")
    for key in ("annual_churn", "net_benefit_total", "decision_latency_days", "roi"):
        row = table.loc[("outcome", key)]
        assert row["current"] == pytest.approx(summ.loc[("current", key), "mean"], rel=1e-9)
        assert row["proposed"] == pytest.approx(summ.loc[("proposed", key), "mean"], rel=1e-9)
        assert row["difference"] == pytest.approx(diff.loc[key, "diff"], rel=1e-9)
        assert row["difference_ci_low"] == pytest.approx(diff.loc[key, "ci_low"], rel=1e-9)
        assert row["difference_ci_high"] == pytest.approx(diff.loc[key, "ci_high"], rel=1e-9)


def test_headline_with_assumptions_equals_runs_with_the_joint_draws(report: dict) -> None:
    """Replicate r's draw comes from its seed's own assumptions stream (the same in both
    designs); re-running the pair by hand with those overrides on the same seeds gives the
    report's 'with assumptions' rows, and the 95% range is the prediction interval of the paired
    differences (wider than the noise-only CI of the same runs)."""
    from scipy import stats

    from sim.assumptions import ROLE_SALARIES, design_keys, factors, prior_draw, replicate_draws
    from sim.experiment import headline
    from sim.model import OrgModel
    from sim.report import assumption_factors
    from sim.rng import replicate_seeds

    table = report["csv"].set_index(["section", "key"])
    cur = load_scenario(ACME / "current.toml").with_overrides(OVERRIDES)
    prop = load_scenario(ACME / "proposed.toml").with_overrides(OVERRIDES)
    keys = design_keys(cur, prop) | set(OVERRIDES)
    assert {"culture.incentive_alignment", "change_programme.intensity"} <= keys
    excluded, fs = assumption_factors(cur, prop, OVERRIDES)
    assert set(excluded) == keys
    paths = {f.path for f in fs}
    assert paths == {f.path for f in factors(exclude=keys)} - set(ROLE_SALARIES)  # flat pay
    assert {"organisation.manager_capacity", "organisation.hop_days"} <= paths
    assert "change_programme.intensity" not in paths
    seeds = replicate_seeds(5, 2)
    draws = replicate_draws(prior_draw(fs), seeds)
    assert draws[0] != draws[1] and set(draws[0]) == paths
    diffs = []
    for r, (seed, o) in enumerate(zip(seeds, draws)):
        h = {
            name: headline(OrgModel(s.with_overrides(o), rng=seed, counterfactual=False).run())
            for name, s in (("current", cur), ("proposed", prop))
        }
        diffs.append(h["proposed"]["net_benefit_total"] - h["current"]["net_benefit_total"])
    row = table.loc[("with_assumptions", "net_benefit_total")]
    assert row["difference"] == pytest.approx(np.mean(diffs), rel=1e-9)
    half = stats.t.ppf(0.975, 1) * np.std(diffs, ddof=1) * np.sqrt(1 + 1 / 2)
    expected = (np.mean(diffs) - half, np.mean(diffs) + half)
    assert (row["range_low"], row["range_high"]) == pytest.approx(expected, rel=1e-9)
    assert (
        row["range_low"] < row["difference_ci_low"] < row["difference_ci_high"] < row["range_high"]
    )


def test_assumption_draws_have_their_own_stream_and_accept_a_posterior() -> None:
    """The draw is any function rng -> overrides (a calibration's posterior plugs in); each
    replicate's generator is its seed's side stream, not one of the model's streams."""
    from sim.assumptions import replicate_draws
    from sim.rng import make_streams, side_stream

    seen: list[float] = []

    def posterior(rng: np.random.Generator) -> dict:
        x = float(rng.random())
        seen.append(x)
        return {"organisation.manager_capacity": 3.0 + 21.0 * x}

    out = replicate_draws(posterior, [11, 12])
    assert [o["organisation.manager_capacity"] for o in out] == [3.0 + 21.0 * x for x in seen]
    assert seen[0] == side_stream(11, "assumptions").random()
    model_firsts = {g.random() for g in make_streams(11).values()}
    assert seen[0] not in model_firsts
    with pytest.raises(ValueError, match="unknown side stream"):
        side_stream(11, "nonsense")


def test_screen_names_groups_in_plain_words(report: dict) -> None:
    from sim.report import assumption_factors

    t = report["csv"]
    # every assumption the designs leave open is in one group (the programme's intensity is a
    # decision, the role salaries are not drawn on flat pay: sim.report.assumption_factors)
    _, factors = assumption_factors(
        load_scenario(ACME / "current.toml"), load_scenario(ACME / "proposed.toml")
    )
    for key in ("net_benefit_total", "annual_churn"):
        rows = t[t["section"] == f"screen:{key}"]
        assert len(rows) == 16 and rows["parameters"].sum() == len(factors)
        assert not rows["label"].str.contains(r"\.\w", regex=True).any()  # no dotted fields
        assert (rows["mu_star"] >= 0).all() and np.isfinite(rows["mu_star"]).all()
        names = set(rows["label"])
        assert {"Manager capacity (decisions a week)", "Hand-off time per escalation step"} <= names
    page = html.unescape(report["html"])
    assert "prediction interval" in page and "simulation noise only" in page
    assert "Not drawn, because the designs set them" in page


def _design_file(tmp_path: Path, name: str, blocks: list[int]) -> Path:
    """A proposed design written by hand: Acme's current design plus some of the proposal's
    transformation blocks (by position, 0-based), as a strategy team would write it."""
    text = (ACME / "proposed.toml").read_text()
    head, *parts = text.split("[[transformations]]")
    keep = "".join("[[transformations]]" + parts[i] for i in blocks)
    head = head.replace('base = "current.toml"', f"base = {str(ACME / 'current.toml')!r}")
    path = tmp_path / f"{name}.toml"
    path.write_text(head + keep)
    return path


def test_breakdown_equals_runs_of_the_single_change_designs(report: dict, tmp_path: Path) -> None:
    """Each change alone, and the proposal without one, re-run from hand-written design files
    on the report's seeds (2 replicates, seed 5): the breakdown CSV's effects are those runs'
    paired differences (same seeds, common random numbers), and its labels name the changes."""
    bd = report["breakdown"].set_index("change")
    assert len(bd) == 7 and list(bd["kind"]) == [
        "remove_layer",
        "merge_units",
        "merge_units",
        "merge_units",
        "decision_rights",
        "incentives",
        "change_programme",
    ]
    designs = {
        "current": load_scenario(ACME / "current.toml"),
        "proposed": load_scenario(ACME / "proposed.toml"),
        "layer_alone": load_scenario(_design_file(tmp_path, "layer", [0])),
        "rights_alone": load_scenario(_design_file(tmp_path, "rights", [4])),
        "no_bonus": load_scenario(_design_file(tmp_path, "nobonus", [0, 1, 2, 3, 4, 6])),
    }
    designs = {k: s.with_overrides(OVERRIDES) for k, s in designs.items()}
    heads = headlines_table(run_replicates(designs, 2, 5, counterfactual=False))

    def effect(design: str, base: str, outcome: str) -> pd.Series:
        sub = heads[heads["scenario"].isin([design, base])]
        return paired_differences(sub, base, [outcome]).iloc[0]

    for change, design, base, col in (
        (1, "layer_alone", "current", "alone"),
        (5, "rights_alone", "current", "alone"),
        (6, "no_bonus", "current", "without"),
        (6, "proposed", "no_bonus", "contribution"),
    ):
        for outcome in ("net_benefit_total", "annual_churn"):
            d = effect(design, base, outcome)
            row = bd.loc[change]
            assert row[f"{col}_{outcome}"] == pytest.approx(d["diff"], rel=1e-9, abs=1e-12)
            assert row[f"{col}_{outcome}_ci_low"] == pytest.approx(d["ci_low"], rel=1e-9)
            assert row[f"{col}_{outcome}_ci_high"] == pytest.approx(d["ci_high"], rel=1e-9)
    assert "Regional Director" in bd.loc[1, "label"] and "0.40" in bd.loc[5, "label"]


def test_breakdown_is_said_in_words(report: dict) -> None:
    from sim.report import breakdown_findings

    page = html.unescape(report["html"])
    assert "The effect of each change" in page and "-breakdown.csv" in page
    for finding in breakdown_findings(report["breakdown"], None, "USD"):
        assert finding in page


def test_report_is_one_self_contained_file(report: dict) -> None:
    page: str = report["html"]
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", page, re.I)
    assert not re.search(r"<link\b|<script\b|@import|url\(", page, re.I)
    images = re.findall(r"<img [^>]*src='([^']+)'", page)
    assert len(images) == 3 and all(s.startswith("data:image/png;base64,") for s in images)
    for part in ("Executive summary", "What changes", "Over time", "as management sees it"):
        assert part in page
    assert "What the result depends on" in page and "Assumptions" in page
    assert "tornado" not in page.lower()
    assert "Reproducibility" in page and "sha256" in page and "org_chart.csv" in page


def test_report_summary_reads_in_plain_words(report: dict) -> None:
    page = html.unescape(report["html"])
    assert "95% CI" in page or "could be anywhere" in page
    assert "Remove the management layer 'Regional Director'" in page
    assert "cross-functional pods" in page


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium is not installed at /usr/bin/chromium")
def test_report_opens_in_a_browser_without_network_requests(report: dict) -> None:
    playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    out: Path = report["out"]
    requests: list[str] = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page = browser.new_page()
            page.on("request", lambda r: requests.append(r.url))
            page.goto(out.as_uri(), wait_until="load")
            assert "Org design test" in page.title()
            sizes = page.eval_on_selector_all(
                "img", "imgs => imgs.map(i => i.complete && i.naturalWidth)"
            )
            assert len(sizes) == 3 and all(w and w > 100 for w in sizes)
        finally:
            browser.close()
    other = [u for u in requests if not u.startswith(("file:", "data:"))]
    assert requests and not other, other


BAD = [
    (["--out", "report.txt"], [".html"]),
    (["--replicates", "1", "--out", "r.html"], ["--replicates"]),
    (["--seed", "-1", "--out", "r.html"], ["--seed"]),
    (["--set", "culture.nonsense=1", "--out", "r.html"], ["culture.nonsense"]),
]


def main_in(cwd: Path, args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """``run.main`` in this process (same code path as the command line), from ``cwd``."""
    import os

    import run

    old = Path.cwd()
    os.chdir(cwd)
    try:
        code = run.main(args)
    finally:
        os.chdir(old)
    return code, capsys.readouterr().err


def assert_one_line_error(code: int, err: str, fragments: list[str]) -> None:
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:"), err
    for f in fragments:
        assert f in err, err


def test_cli_bad_input_exits_2_with_one_line(tmp_path: Path) -> None:
    res = cli(
        "report",
        "--current",
        str(ACME / "current.toml"),
        "--proposed",
        str(tmp_path / "missing.toml"),
        "--out",
        "r.html",
        cwd=tmp_path,
    )
    assert_one_line_error(res.returncode, res.stderr, ["missing.toml"])
    assert "Traceback" not in res.stderr and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("extra", "fragments"), BAD)
def test_bad_arguments_exit_2_and_write_nothing(
    tmp_path: Path, extra: list[str], fragments: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["report", "--current", str(ACME / "current.toml")]
    code, err = main_in(
        tmp_path, [*args, "--proposed", str(ACME / "proposed.toml"), *extra], capsys
    )
    assert_one_line_error(code, err, fragments)
    assert list(tmp_path.iterdir()) == []


def copy_example(tmp_path: Path) -> Path:
    d = tmp_path / "in"
    d.mkdir()
    for name in ("current.toml", "proposed.toml", "org_chart.csv", "customers.csv"):
        (d / name).write_bytes((ACME / name).read_bytes())
    return d


@pytest.mark.parametrize(
    ("file", "edit", "fragments"),
    [
        (
            "org_chart.csv",
            lambda t: t.replace("Support Agent", "Astronaut", 1),
            ["org_chart.csv: row", "column role", "unknown role 'Astronaut'"],
        ),
        (
            "org_chart.csv",
            lambda t: t.replace(",", ";"),
            ["org_chart.csv: row 1", "semicolons"],
        ),
        (
            "customers.csv",
            lambda t: t + "C999999,SMB,100,NOBODY\n",
            ["customers.csv: row 4922", "column owner_id", "'NOBODY'"],
        ),
        (
            "proposed.toml",
            lambda t: t.replace('"Sales North", "Service North"', '"Sales North", "Atlantis"'),
            ["proposed.toml", "transformations[1] (merge_units)", "unknown unit 'Atlantis'"],
        ),
        (
            "proposed.toml",
            lambda t: "horizon_weeks = 52\n" + t,
            ["horizon_weeks is 52", "same horizon"],
        ),
        (
            "proposed.toml",
            lambda t: t.replace("# 1. Remove", '[economics]\ncurrency = "EUR"\n\n# 1. Remove'),
            ["economics.currency is EUR", "USD", "one currency"],
        ),
    ],
)
def test_bad_input_files_exit_2_and_write_nothing(
    tmp_path: Path, file: str, edit, fragments: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    d = copy_example(tmp_path)
    p = d / file
    p.write_text(edit(p.read_text(encoding="utf-8")), encoding="utf-8")
    out = tmp_path / "out" / "report.html"
    args = ["report", "--current", str(d / "current.toml"), "--proposed", str(d / "proposed.toml")]
    fast = ["--replicates", "2"] if "horizon" in fragments[0] else FAST
    code, err = main_in(tmp_path, [*args, *fast, "--out", str(out)], capsys)
    assert_one_line_error(code, err, fragments)
    assert not (tmp_path / "out").exists()


def test_write_is_atomic_and_replaces_an_old_report(tmp_path: Path, report: dict) -> None:
    from sim.outputs import write_text  # what write_report writes with

    target = tmp_path / "r.html"
    target.write_text("old")
    write_text("new", target)
    assert target.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]
    assert np.isfinite(report["csv"]["difference"].to_numpy(float)).any()


def test_report_shows_the_cost_of_reaching_the_proposed_design(report: dict) -> None:
    """The business case counts the change: proposed pays, current pays nothing (ODD 8.H)."""
    page = html.unescape(report["html"])
    assert "How the proposed design is reached" in page
    assert "the current design pays nothing" in page
    rows = report["csv"][report["csv"]["section"] == "change_cost"].set_index("key")
    assert rows.loc["money", "current"] == 0 and rows.loc["money", "proposed"] > 0
    assert (
        rows.loc["people_moved", "proposed"] > 0 and rows.loc["positions_removed", "proposed"] == 6
    )
    found = cells(report["html"])
    assert found[("change_cost", "money", "proposed")] == rows.loc["money", "proposed"]


def test_settings_table_shows_the_values_the_design_moves_to(report: dict) -> None:
    page = html.unescape(report["html"])
    assert "the proposed values are reached from week 1" in page
    assert "<td>Incentive alignment (index 0-1)</td><td>0.15</td><td>0.6</td>" in page
    assert "design." not in page


def _visible_text(page: str) -> str:
    """The report's words as a reader sees them: no tags, attributes, images or footer."""
    body = page.split("<footer>")[0]
    body = re.sub(r"<style>.*?</style>", " ", body, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def test_report_uses_plain_labels_not_field_names_or_jargon(report: dict) -> None:
    """No dotted schema field (``culture.decision_rights``) and no 'replicate' anywhere a reader
    looks; the settings are named by their schema labels."""
    from sim.parameters import field_specs

    text = _visible_text(report["html"])
    dotted = [f.path for f in field_specs() if "." in f.path]
    assert len(dotted) > 100
    shown = [p for p in dotted if p in text]
    assert shown == [], shown
    assert "replicate" not in text.lower()
    assert "Organisation (replicate 1)" not in report["html"]
    assert "Tool quality (index 0-1)" in text  # a setting by its label, in the assumptions


def test_every_headline_says_its_horizon(report: dict) -> None:
    """Each summary sentence says over which weeks it is measured (the fixture runs 20)."""
    lines = [x for x in report["stdout"].splitlines() if x.startswith("- ")]
    assert len(lines) == 7
    for line in lines:
        assert "over 20 weeks" in line or "of 20 weeks" in line or "at week 20" in line, line
    text = _visible_text(report["html"])
    assert "Cumulative net benefit (revenue minus all costs), over 20 weeks," in text
    assert "Results over 20 weeks" in text


def test_report_shows_effective_front_line_authority(report: dict) -> None:
    """The current chart gives the front line no authority of its own (0.00), but its
    decision-rights culture lets it settle small issues: the report shows the effective value
    (base + (1 - base) x rights_reach x decision_rights, ODD 6.1) beside the chart's."""
    rows = report["csv"][report["csv"]["section"] == "structure"].set_index("key")
    cur = load_scenario(ACME / "current.toml")
    assert rows.loc["front_line_authority", "current"] == 0.0
    expected = cur.decisions.rights_reach * cur.culture.decision_rights
    assert expected > 0.1
    assert rows.loc["front_line_effective_authority", "current"] == pytest.approx(expected)
    prop = rows.loc["front_line_effective_authority", "proposed"]
    assert prop > rows.loc["front_line_authority", "proposed"] > 0
    assert ("structure", "front_line_effective_authority", "current") in cells(report["html"])
    assert "Front-line decision authority in effect" in _visible_text(report["html"])


def test_report_shows_both_designs_descriptions(report: dict) -> None:
    text = " ".join(_visible_text(report["html"]).split())
    for name in ("current", "proposed"):
        described = " ".join(load_scenario(ACME / f"{name}.toml").description.split())
        assert described and described in text


def test_money_is_shown_in_its_currency(report: dict) -> None:
    """economics.currency (USD in the example) beside every amount: HTML, CSV labels, the
    breakdown CSV and the settings."""
    from sim.report import fmt_change, fmt_value

    page = html.unescape(report["html"])
    # the headline's levels, in either of its forms ("falls from 12.9M USD to 11.9M USD", or
    # "no clear difference (12.9M USD now, ...)" when the interval spans zero)
    headline = r"from [0-9.]+M USD to [0-9.]+M USD|[0-9]M USD now"
    assert re.search(headline, page) and "Salary (USD a year)" in page
    t = report["csv"].set_index(["section", "key"])
    assert t.loc[("outcome", "net_benefit_total"), "label"].endswith("(USD)")
    assert t.loc[("change_cost", "money"), "label"].endswith("(USD)")
    assert not t.loc[("outcome", "annual_churn"), "label"].endswith(")")
    assert set(report["breakdown"]["currency"]) == {"USD"}
    assert fmt_value("money", 1_234_567.0, "EUR") == "1.23M EUR"
    assert fmt_change("money", -81_510.0, True, "GBP") == "-81,510 GBP"
    assert fmt_change("pct", 0.05, True, "GBP") == "+5.0 points"


def test_practitioner_ranges_check_the_current_design(report: dict) -> None:
    """The current design's levels beside the practitioner ranges (the calibration's own
    table): the CSV rows carry the ranges and the current runs' means."""
    from sim.practitioner import PRACTITIONER_RANGES

    t = report["csv"]
    rows = t[t["section"] == "practitioner"].set_index("key")
    assert list(rows.index) == [r.key for r in PRACTITIONER_RANGES]
    for r in PRACTITIONER_RANGES:
        assert (rows.loc[r.key, "range_low"], rows.loc[r.key, "range_high"]) == (r.low, r.high)
    out = t[t["section"] == "outcome"].set_index("key")
    assert rows.loc["annual_churn", "current"] == pytest.approx(out.loc["annual_churn", "current"])
    assert np.isnan(rows.loc["adoption_week52", "current"])  # a 20-week run has no week 52
    assert "Compared with practitioner ranges" in report["html"]


@pytest.mark.parametrize(("churn", "warned"), [(0.335, True), (0.05, True), (0.15, False)])
def test_practitioner_warning_only_when_outside_a_range(
    report: dict, churn: float, warned: bool
) -> None:
    """A current design with 33.5% (or 5%) annual churn is flagged, visibly; one inside every
    range is not. The other levels are set inside their ranges first."""
    from sim.practitioner import PRACTITIONER_RANGES
    from sim.report import practitioner_html

    t = report["csv"].copy()
    for r in PRACTITIONER_RANGES:
        at = (t["section"] == "practitioner") & (t["key"] == r.key)
        t.loc[at, "current"] = churn if r.key == "annual_churn" else (r.low + r.high) / 2
    page = html.unescape("".join(practitioner_html(t, 20)))
    assert ("class='warn'" in page) is warned
    assert ("outside practitioner ranges" in page) is warned
    if warned:
        assert f"annual customer churn {100 * churn:.1f}% (typical 10.0% to 30.0%)" in page


def test_progress_is_printed_as_lines_when_not_on_a_terminal(report: dict) -> None:
    """The fixture's report ran with stderr to a pipe: one line per stage and per 10% of the
    runs, no progress bar (no carriage returns)."""
    from sim.report import STAGES, WRITE_STAGE

    err = report["stdout"]
    assert "\r" not in err
    for stage in (*STAGES, WRITE_STAGE):
        assert f"Report: {stage}, " in err
    pct = [int(m) for m in re.findall(r"Report: runs (\d+)% \(\d+ of \d+\), \d+ s", err)]
    assert pct == sorted(pct) and pct[-1] == 100 and len(pct) >= 9


def test_progress_lines_and_bar() -> None:
    """Off a terminal: a line at each step; on one: a bar and no lines for the runs."""
    import io

    from sim.report import Progress

    s = io.StringIO()
    p = Progress(s, step=25, tty=False)
    p.stage("running the simulations")
    p.runs(8)
    for _ in range(8):
        p.advance(1)
    p.close()
    lines = s.getvalue().splitlines()
    assert lines[0].startswith("Report: running the simulations, ")
    assert [x.split(" (")[0] for x in lines[1:]] == [
        f"Report: runs {k}%" for k in (25, 50, 75, 100)
    ]
    t = io.StringIO()
    q = Progress(t, tty=True)
    q.runs(4)
    q.advance(4)
    q.close()
    assert "Report: runs" not in t.getvalue() and "4/4" in t.getvalue()


def _state(folder: Path) -> dict[str, tuple[int, int, bytes]]:
    return {
        str(p.relative_to(folder)): (p.stat().st_ino, p.stat().st_mtime_ns, p.read_bytes())
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.mark.parametrize(
    ("out_name", "victim"),
    [
        ("customers.html", "customers.csv"),  # issue 15, class 1: the report's CSV takes the stem
        ("org_chart.html", "org_chart.csv"),  # naming it after the org chart destroyed the export
        ("org_chart.htm", "org_chart.csv"),
    ],
)
def test_report_never_overwrites_an_input_with_its_csv(
    tmp_path: Path, out_name: str, victim: str, capsys: pytest.CaptureFixture[str]
) -> None:
    d = copy_example(tmp_path)
    before = _state(d)
    args = ["report", "--current", str(d / "current.toml"), "--proposed", str(d / "proposed.toml")]
    code, err = main_in(tmp_path, [*args, *FAST, "--out", str(d / out_name)], capsys)
    assert_one_line_error(code, err, ["--out", "the report's CSV", victim, "would overwrite"])
    assert _state(d) == before  # not a byte changed, no file added


def test_report_csv_reached_through_a_link_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Identity, not spelling: a hard link or a symlink to an input is that input."""
    d = copy_example(tmp_path)
    elsewhere = tmp_path / "board"
    elsewhere.mkdir()
    os.link(d / "customers.csv", elsewhere / "hard.csv")
    (elsewhere / "soft.csv").symlink_to(d / "org_chart.csv")
    (tmp_path / "linked").symlink_to(d)  # a folder reached through a symlink
    before = _state(d)
    args = ["report", "--current", str(d / "current.toml"), "--proposed", str(d / "proposed.toml")]
    for out, victim in (
        (elsewhere / "hard.html", "customers.csv"),
        (elsewhere / "soft.html", "org_chart.csv"),
        (tmp_path / "linked" / "customers.html", "customers.csv"),
    ):
        code, err = main_in(tmp_path, [*args, *FAST, "--out", str(out)], capsys)
        assert_one_line_error(code, err, ["would overwrite", victim])
    assert _state(d) == before


def test_report_csv_companion_that_is_a_folder_is_refused_before_any_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Class 12: found before the runs (it was found after them, exit 1)."""
    (tmp_path / "r.csv").mkdir()
    args = ["report", "--current", str(ACME / "current.toml")]
    code, err = main_in(
        tmp_path,
        [
            *args,
            "--proposed",
            str(ACME / "proposed.toml"),
            *FAST,
            "--out",
            str(tmp_path / "r.html"),
        ],
        capsys,
    )
    assert_one_line_error(code, err, ["the report's CSV", "r.csv", "is a folder"])
    assert "Report:" not in err  # no run started
    assert [p.name for p in tmp_path.iterdir()] == ["r.csv"]


def test_what_changes_shows_spans_and_layers_and_names_overloaded_managers(report: dict) -> None:
    """Both designs' spans come from their (transformed) charts, counted here from the reporting
    lines; the VPs who take over the regional directors' teams are named with their reports."""
    t = report["csv"]
    rows = t[t["section"] == "spans"].set_index("key")
    for name in ("current", "proposed"):
        chart = load_scenario(ACME / f"{name}.toml").inputs.chart
        reports = np.bincount(chart.manager[chart.manager >= 0], minlength=chart.n)
        assert rows.loc["widest", name] == reports.max()
        assert rows.loc["managers", name] == (reports > 0).sum()
        assert rows.loc["span_16-25", name] == ((reports >= 16) & (reports <= 25)).sum()
        assert rows.loc["mean", name] == pytest.approx(reports[reports > 0].mean())
    assert rows.loc["layers", "current"] == 5 and rows.loc["layers", "proposed"] == 4
    page = html.unescape(report["html"])
    assert "Spans and layers" in page
    assert "VP Sales (Rosa Taylor): 16 reports" in page
    assert "VP Customer Service (Pia Okafor): 18 reports" in page
    assert "Overloaded managers, proposed design" in page
    assert "Overloaded managers, current design" not in page


def test_compare_tables_name_the_currency_and_refuse_two() -> None:
    """``compare``'s summary and paired differences carry a unit column (the currency for money
    outcomes); designs in different currencies are refused, naming both."""
    from sim.errors import InputError
    from sim.outputs import common_currency, with_units

    usd = load_scenario("command_and_control")
    eur = usd.with_overrides({"economics.currency": "eur"})
    assert eur.economics.currency == "EUR" and common_currency({"a": usd, "b": usd}) == "USD"
    with pytest.raises(InputError, match="a USD, b EUR"):
        common_currency({"a": usd, "b": eur})
    t = with_units(pd.DataFrame({"outcome": ["net_benefit_total", "annual_churn"]}), "EUR")
    assert t["unit"].tolist() == ["EUR", ""]
    assert list(with_units(pd.DataFrame(), "EUR").columns) == ["unit"]  # one design: no rows


def test_report_shows_each_designs_payroll_in_its_currency(report: dict) -> None:
    """The business case from the chart (ODD 8.L): both designs' payroll a year and over the
    horizon, in USD, in the HTML (same numbers as the CSV); removing the Regional Director layer
    lowers it by exactly their pay (acme gives no salaries: manager pay, salary x 1.6, x FTE)."""
    from sim.mechanisms.economics import position_pay

    t = report["csv"].set_index(["section", "key"])
    year = t.loc[("payroll", "payroll_year")]
    assert year["label"].endswith("(USD)")
    assert t.loc[("payroll", "payroll_horizon"), "label"].endswith("(USD)")
    cur = load_scenario(ACME / "current.toml")
    prop = load_scenario(ACME / "proposed.toml")
    before, after = cur.inputs.chart, prop.inputs.chart
    gone = before.index_of(after.ids)
    lost = np.setdiff1d(np.arange(before.n), gone[gone >= 0])
    assert set(before.title[lost]) == {"Regional Director"}
    pay = position_pay(before.role, before.salary, before.fte, cur.people.salary_annual)
    assert year["current"] == pytest.approx(pay.sum(), rel=1e-12)
    assert year["difference"] == pytest.approx(-pay[lost].sum(), rel=1e-9)
    got = cells(report["html"])
    assert got[("payroll", "payroll_year", "current")] == pytest.approx(year["current"])
    assert "Payroll a year (every position filled" in html.unescape(report["html"])
