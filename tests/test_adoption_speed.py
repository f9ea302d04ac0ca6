"""Issue 14 item 9 and the adoption part of item 3: adoption at plausible speeds, and executive
commitment and support acting on adoption only through their mechanisms.

Model tests over paired replicates (common seeds across designs), ``small`` sizes, 104 weeks.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.inputs import load_scenario
from sim.scenario import preset_names
from tests.conftest import column, paired, small

ALPHA = 0.01
REPLICATES = 10
PRESETS = tuple(preset_names())
#: Equivalence margin for the knock-outs (adoption share, 0-1): 1 point.
MARGIN = 0.01


def _within_margin(a: np.ndarray, b: np.ndarray, margin: float = MARGIN) -> bool:
    """Paired TOST: the mean of a - b lies within +-margin (both one-sided tests at ALPHA)."""
    d = np.asarray(a, float) - np.asarray(b, float)
    if np.allclose(d, d[0]):  # a constant difference (0 when the dial is wired to nothing)
        return abs(float(d[0])) < margin
    lo = stats.ttest_1samp(d, -margin, alternative="greater").pvalue
    hi = stats.ttest_1samp(d, margin, alternative="less").pvalue
    return max(float(lo), float(hi)) < ALPHA


def _late_usage(heads: pd.DataFrame, design: str) -> np.ndarray:
    """Mean usage from week 26 on, per replicate (ordered by replicate)."""
    w = heads.attrs["weekly"]
    g = w[(w["scenario"] == design) & (w["week"] >= 26)]
    return g.groupby("replicate")["usage_mean"].mean().sort_index().to_numpy()


def _higher(a: np.ndarray, b: np.ndarray) -> float:
    """p-value of the paired one-sided t-test that ``a`` is higher than ``b``."""
    return float(stats.ttest_rel(a, b, alternative="greater").pvalue)


def test_usage_decays_after_reinforcement_stops_in_technology_only() -> None:
    """Seed 002 / Speier & Venkatesh (2002): usage peaks while the project team is there and is
    lower some months after it leaves (paired one-sided t-test, peak vs week 52)."""
    sc = small("technology_only_rollout")
    stop = sc.crm.go_live_week + sc.crm.reinforcement_weeks
    weekly = paired({"tech": sc}, replicates=REPLICATES, seed=5).attrs["weekly"]
    w = weekly.sort_values(["replicate", "week"])
    peak = w[w["week"] <= stop + 8].groupby("replicate")["usage_mean"].max().to_numpy()
    later = w[w["week"] == 52].groupby("replicate")["usage_mean"].mean().to_numpy()
    assert float(stats.ttest_rel(later, peak, alternative="less").pvalue) < ALPHA
    assert (peak - later).mean() > 0.02  # a visible slide, not a rounding difference


@pytest.mark.xfail(
    strict=False,
    reason="open (issue 14 item 9): after the wave-2 merges self_organised goes from first use "
    "to 0.77-0.98 adoption in six weeks in every replicate (seed 3); the other presets pass",
)
def test_no_preset_reaches_90_percent_adoption_within_ten_weeks_of_go_live() -> None:
    """No replicate of any preset has adoption >= 0.9 in the ten weeks after go-live."""
    designs = {  # only the first ten weeks after go-live matter: stop the runs there
        n: small(n, horizon_weeks=load_scenario(n).crm.go_live_week + 11) for n in PRESETS
    }
    weekly = paired(designs, replicates=REPLICATES, seed=3).attrs["weekly"]
    for name in PRESETS:
        go_live = load_scenario(name).crm.go_live_week
        g = weekly[(weekly["scenario"] == name) & (weekly["week"] <= go_live + 10)]
        assert g["adoption_rate"].max() < 0.9, name


def _dial(dial: str, lo: float, hi: float, **mechanism_off: float) -> pd.DataFrame:
    """Paired runs of command_and_control (one year) at two values of a dial."""
    base = small("command_and_control", horizon_weeks=52, **mechanism_off)
    return paired(
        {
            "lo": base.with_overrides({f"culture.{dial}": lo}),
            "hi": base.with_overrides({f"culture.{dial}": hi}),
        },
        # with the mechanism off the two designs draw the same numbers and should not differ
        # at all, so fewer replicates suffice to show it
        replicates=4 if mechanism_off else REPLICATES,
        seed=13,
    )


def test_executive_commitment_acts_on_adoption_only_through_its_decisions() -> None:
    """Commitment 0.1 vs 0.9: adoption higher with the mechanisms on (one-sided paired t-test);
    with facilitating_commitment and data_use_commitment at 0 the effect vanishes (TOST)."""
    on = _dial("executive_commitment", 0.1, 0.9)
    assert _higher(column(on, "hi", "adoption_rate"), column(on, "lo", "adoption_rate")) < ALPHA
    off = _dial(
        "executive_commitment",
        0.1,
        0.9,
        adoption__facilitating_commitment=0.0,
        adoption__data_use_commitment=0.0,
    )
    assert _within_margin(column(off, "hi", "adoption_rate"), column(off, "lo", "adoption_rate"))


def test_executive_support_acts_on_adoption_only_through_words() -> None:
    """Support 0.0 vs 1.0: usage higher with the social push on (one-sided paired t-test); with
    social_executive at 0 the effect vanishes (TOST), and the push is small beside commitment's."""
    on = _dial("executive_support", 0.0, 1.0)
    assert _higher(_late_usage(on, "hi"), _late_usage(on, "lo")) < ALPHA
    off = _dial("executive_support", 0.0, 1.0, adoption__social_executive=0.0)
    assert _within_margin(column(off, "hi", "adoption_rate"), column(off, "lo", "adoption_rate"))
    assert _within_margin(_late_usage(off, "hi"), _late_usage(off, "lo"))
