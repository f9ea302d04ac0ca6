"""Summaries that fit the design: grids, LHS, Sobol and Morris; bounded intervals; trajectories."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.sweep import plan_experiment, run_sweep, summarize
from sim.sweep.analysis import (
    MIN_BOOTSTRAP_N,
    friedman,
    lowess,
    plot_trajectories,
    point_summary,
    sensitivity,
    src_prcc,
)
from tests.test_sweep import write_experiment

TWO_DIALS = (
    '"culture.responsiveness" = { range = [0.1, 0.9] }\n'
    '"culture.decision_rights" = { range = [0.1, 0.9] }'
)


# -- tests that respect common random numbers ------------------------------------------------


def test_friedman_equals_scipy_for_three_or_more_levels_and_is_the_sign_test_for_two() -> None:
    rng = np.random.default_rng(1)
    blocks = rng.integers(0, 4, size=(9, 4)).astype(float)  # many ties
    q, p, w = friedman(blocks)
    ref = stats.friedmanchisquare(*blocks.T)
    assert q == pytest.approx(ref.statistic) and p == pytest.approx(ref.pvalue)
    assert w == pytest.approx(q / (9 * 3))
    two = np.column_stack([np.zeros(10), np.r_[np.ones(9), -1.0]])  # 9 up, 1 down
    assert friedman(two)[1] == pytest.approx(stats.binomtest(9, 10).pvalue)
    assert np.isnan(friedman(np.ones((5, 3)))[0])  # every block tied: no test


def _grid_runs(replicates: int, effect: float, seed_sd: float) -> tuple[pd.DataFrame, object]:
    """A 2 x 2 grid's runs table: a big replicate (seed) effect, a small consistent effect of
    psychological safety, none of structure."""
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        plan = plan_experiment(write_experiment(Path(d), replicates=replicates))
    rng = np.random.default_rng(4)
    seed_effect = rng.normal(0, seed_sd, replicates)
    rows = []
    for point, values in enumerate(plan.design.points):
        over = dict(zip(plan.design.keys, values))
        for r in range(replicates):
            y = seed_effect[r] + effect * (over["culture.psychological_safety"] > 0.5)
            rows.append(
                {
                    "point": point,
                    "replicate": r,
                    "status": "ok",
                    **over,
                    "y": y + rng.normal(0, 0.01),
                }
            )
    return pd.DataFrame(rows), plan.design


def test_grid_sensitivity_blocks_by_replicate_where_kruskal_on_runs_sees_nothing() -> None:
    runs, design = _grid_runs(replicates=10, effect=0.1, seed_sd=1.0)
    sens = sensitivity(runs, design, ["y"], seed=1).set_index("factor")
    safety = sens.loc["culture.psychological_safety"]
    assert safety["method"] == "friedman" and safety["index"] == "kendall_w"
    assert safety["p_value"] < 0.01 and safety["value"] == pytest.approx(1.0)
    assert sens.loc["organisation.structure", "p_value"] > 0.05
    # the same runs read as independent (shared seeds ignored) hide the effect in seed noise
    naive = sensitivity(runs, design, ["y"], seed=1, paired=False).set_index("factor")
    assert naive.loc["culture.psychological_safety", "method"] == "spearman"
    assert naive.loc["culture.psychological_safety", "p_value"] > 0.3


# -- LHS: SRC and PRCC over design points -------------------------------------------------------


def test_src_and_prcc_find_the_factor_that_matters(tmp_path: Path) -> None:
    plan = plan_experiment(
        write_experiment(tmp_path, TWO_DIALS, design="lhs", header="samples = 40\n")
    )
    x = np.array(plan.design.points, dtype=float)
    rng = np.random.default_rng(2)
    runs = pd.DataFrame(
        {
            "point": np.repeat(range(plan.points), 2),
            "replicate": np.tile([0, 1], plan.points),
            "status": "ok",
            "y": np.repeat(2 * x[:, 0], 2) + rng.normal(0, 0.05, 2 * plan.points),
        }
    )
    notes: list[str] = []
    sens = sensitivity(runs, plan.design, ["y"], seed=3, notes=notes)
    v = sens.set_index(["factor", "index"])
    assert v.loc[("culture.responsiveness", "src"), "value"] > 0.95
    assert abs(v.loc[("culture.decision_rights", "src"), "value"]) < 0.15
    assert v.loc[("culture.responsiveness", "prcc"), "value"] > 0.95
    assert v.loc[("culture.responsiveness", "prcc"), "p_value"] < 1e-10
    assert v.loc[("culture.decision_rights", "prcc"), "p_value"] > 0.01
    assert v.loc[("(linear model)", "r2"), "value"] > 0.95
    assert 0 < v.loc[("culture.responsiveness", "src"), "conf"] < 0.1  # bootstrap over points
    assert not notes


def test_prcc_is_the_rank_correlation_of_residuals() -> None:
    rng = np.random.default_rng(5)
    x = rng.uniform(size=(50, 2))
    y = np.exp(3 * x[:, 0]) + rng.normal(0, 0.5, 50)  # monotone, not linear
    _, _, prcc, _ = src_prcc(x, y)
    rx, ry = stats.rankdata(x[:, 0]), stats.rankdata(y)
    other = np.column_stack([np.ones(50), stats.rankdata(x[:, 1])])
    ex = rx - other @ np.linalg.lstsq(other, rx, rcond=None)[0]
    ey = ry - other @ np.linalg.lstsq(other, ry, rcond=None)[0]
    assert prcc[0] == pytest.approx(np.corrcoef(ex, ey)[0, 1])


def test_lowess_follows_a_line_exactly_and_a_curve_closely() -> None:
    x = np.linspace(0, 1, 40)
    at = np.linspace(0, 1, 7)
    assert lowess(x, 3 * x + 1, at) == pytest.approx(3 * at + 1)
    y = np.sin(3 * x) + np.random.default_rng(0).normal(0, 0.05, 40)
    assert np.max(np.abs(lowess(x, y, at, frac=0.3) - np.sin(3 * at))) < 0.1


# -- intervals that respect bounds -------------------------------------------------------------


def test_rate_intervals_stay_inside_their_bounds_or_say_n_is_too_small() -> None:
    rng = np.random.default_rng(0)
    few = [0.0, 0.02]  # a t interval would go below 0
    many = np.r_[np.zeros(12), [0.05, 0.1]]  # as would this one (14 replicates)
    inside = [0.4, 0.45, 0.5]
    runs = pd.DataFrame(
        {
            "point": [0] * 2 + [1] * 14 + [2] * 3,
            "rate": [*few, *many, *inside],
            "money": [*few, *many, *inside],
        }
    )
    bounds = {"rate": (0.0, 1.0), "money": (None, None)}
    t = point_summary(runs, ["rate", "money"], bounds, rng).set_index(["point", "outcome"])
    assert t.loc[(0, "rate"), "ci_method"] == "none: n too small"
    assert np.isnan(t.loc[(0, "rate"), "ci_low"])
    assert MIN_BOOTSTRAP_N <= 14 and t.loc[(1, "rate"), "ci_method"] == "bootstrap"
    assert 0 <= t.loc[(1, "rate"), "ci_low"] < t.loc[(1, "rate"), "mean"]
    assert t.loc[(1, "rate"), "ci_high"] <= 1
    assert t.loc[(2, "rate"), "ci_method"] == "t"  # inside the bounds: Student t kept
    assert t.loc[(0, "money"), "ci_method"] == "t" and t.loc[(0, "money"), "ci_low"] < 0


# -- whole sweeps, one per design kind ------------------------------------------------------------


def test_grid_summary_keeps_paired_differences_and_draws_trajectories(tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_sweep(plan_experiment(write_experiment(tmp_path, weeks=6)), out, progress=False)
    s = summarize(out)
    assert (out / "summary" / "paired_differences.csv").is_file()
    assert set(s.differences["method"]) == {"paired"}
    assert set(s.sensitivity["method"]) == {"friedman"}
    assert {"ci_method"} <= set(pd.read_csv(out / "summary" / "summary.csv").columns)
    names = {p.name for p in (out / "summary" / "plots").iterdir()}
    assert {"adoption_rate.png", "trajectory-adoption_rate.png"} <= names


@pytest.mark.parametrize(("design", "samples"), [("lhs", 8), ("morris", 2)])
def test_sampling_designs_get_sensitivity_and_smoothers_not_differences(
    tmp_path: Path, design: str, samples: int
) -> None:
    path = write_experiment(
        tmp_path, TWO_DIALS, design=design, header=f"samples = {samples}\n", weeks=4
    )
    out = tmp_path / "out"
    run_sweep(plan_experiment(path), out, progress=False)
    s = summarize(out, "1")
    assert s.differences.empty and not (out / "summary" / "paired_differences.csv").exists()
    assert any("--baseline ignored" in n for n in s.notes)
    methods = set(s.sensitivity["method"])
    assert methods == ({"src", "prcc"} if design == "lhs" else {"morris"}), s.notes
    assert (out / "summary" / "plots" / "adoption_rate.png").is_file()


def test_no_trajectory_plot_without_two_weeks(tmp_path: Path) -> None:
    weekly = pd.DataFrame({"point": [0, 0], "replicate": [0, 1], "week": [4, 4], "m": [1.0, 2.0]})
    assert plot_trajectories(weekly, object(), ["m"], tmp_path) == []  # type: ignore[arg-type]
