"""The rule that derives the confirmatory plan from the one-at-a-time table (issue 14 item 10).

``sim.evidence.confirm_plan``: per dial the cell with the smallest p, and the fewest replicates
that give the table's standardised effect the stated power at Holm's strictest level; its power
function checked against simulated t-tests. Fast (no model runs), so not marked ``evidence``.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
from scipy import stats

from sim import evidence as ev


def _table(cells: dict[tuple[str, str, str], tuple[float, float, float]]) -> pd.DataFrame:
    """An effects table: every dial, preset and outcome; the given cells (effect, sd, p), the
    others with no effect (p 1)."""
    rows = []
    for preset in ev.PRESETS:
        for dial in ev.DIALS:
            for k in ev.OUTCOMES:
                effect, sd, p = cells.get((preset, dial, k), (0.0, 1.0, 1.0))
                rows.append(
                    {
                        "preset": preset,
                        "dial": dial,
                        "outcome": k,
                        "low_mean": 0.5,
                        "effect": effect,
                        "ci_low": effect - sd,
                        "ci_high": effect + sd,
                        "p": p,
                        "n": 12,
                        "sd": sd,
                    }
                )
    return pd.DataFrame(rows)


def test_power_matches_simulated_paired_t_tests() -> None:
    """Rejection rate of 4,000 simulated two-sided t-tests at n = 10, d = 1.2, alpha 0.01 vs
    the noncentral-t power: two-sided exact binomial test, p > 0.001."""
    rng = np.random.default_rng(14)
    n, d, alpha, sims = 10, 1.2, 0.01, 4000
    x = rng.normal(d, 1.0, size=(sims, n))
    rejected = int((stats.ttest_1samp(x, 0.0, axis=1).pvalue < alpha).sum())
    power = ev.paired_t_power(n, d, alpha)
    assert 0.2 < power < 0.9  # a point where a wrong formula would show
    assert stats.binomtest(rejected, sims, power).pvalue > 0.001
    # no effect: the level itself; a certain effect: 1; huge effects: finite (scipy's tail)
    assert abs(ev.paired_t_power(8, 0.0, alpha) - alpha) < 1e-9
    assert ev.paired_t_power(6, float("inf"), alpha) == 1.0
    assert ev.paired_t_power(6, 40.0, 0.001) == 1.0


def test_plan_takes_each_dials_smallest_p_and_the_replicates_for_its_power() -> None:
    cc, fs = ev.PRESETS
    cells = {
        (fs, "socialisation", "first_contact_resolution"): (0.007, 0.009, 0.02),
        (cc, "socialisation", "annual_churn"): (0.05, 0.01, 0.03),  # larger d, larger p
        (cc, "decision_rights", "decision_latency_days"): (-1.2, 0.1, 1e-12),
        (fs, "executive_support", "data_quality"): (0.01, 0.0, 0.0),  # constant difference
    }
    plan = ev.confirm_plan(_table(cells))
    assert list(plan) == list(ev.DIALS)
    preset, outcome, reps = plan["socialisation"]
    assert (preset, outcome) == (fs, "first_contact_resolution")  # by p, not by d
    level = ev.ALPHA / len(ev.DIALS)
    d = 0.007 / 0.009
    assert ev.paired_t_power(reps, d, level) >= ev.PLAN_POWER
    assert ev.paired_t_power(reps - 1, d, level) < ev.PLAN_POWER
    assert plan["decision_rights"] == (cc, "decision_latency_days", ev.PLAN_REPLICATES[0])
    assert plan["executive_support"] == (fs, "data_quality", ev.PLAN_REPLICATES[0])
    # a dial with no effect anywhere: the first cell, and the most replicates the rule allows
    assert plan["responsiveness"] == (cc, ev.OUTCOMES[0], ev.PLAN_REPLICATES[1])


def test_plan_is_the_same_from_the_csv_written_beside_the_document() -> None:
    rng = np.random.default_rng(3)
    t = _table({})
    t["effect"] = rng.normal(0, 1, len(t))
    t["sd"] = rng.uniform(0.5, 2.0, len(t))
    t["p"] = rng.uniform(0, 1, len(t))
    buf = io.StringIO(t.loc[:, list(ev.EFFECT_COLUMNS)].to_csv(index=False))
    assert ev.confirm_plan(pd.read_csv(buf)) == ev.confirm_plan(t)
