"""Issue 14 items 5 and 3 (orientation): silos act through seed 003's channels, and customer
orientation only through the care behaviours it drives.

Model tests are over paired replicates (common seeds across designs, ``tests.conftest.paired``):
a one-sided paired t-test (``scipy.stats.ttest_rel``) at alpha = 0.01 for each effect, and for
each knock-out a paired two-one-sided-tests equivalence (TOST, alpha = 0.05 each side) of the
dial's churn effect within a margin. One module fixture runs all eight designs (10 replicates;
closed and open 30, their first 10 being the churn tests' runs), 150 people / 1,500 customers,
104 weeks, from the burnt-in steady state, without the no-change twins (no test reads ``roi``).

Restated at rest (wave 2): the effects are measured from the steady state the burn-in reaches.
There the knock-out still left sharing three channels (the informed care call, the lead flood's
workload, which since docs/ODD.md 8.E drives quits that cost relationships, and the lower
conversion of unannounced campaigns, which changes the customer base), so the paired knocked-out
runs drifted apart (sd of the churn difference 0.6 points); with those off too, sharing 0.1 and
0.9 give identical runs. Replicates went from 6 to 10 and the sharing margin is a third of the
effect measured at rest (-1.6 points, 10 replicates) (docs/ODD.md 8.F).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from sim.coefficients.sales import DEFAULT_SALES
from sim.mechanisms import incentives, silos
from sim.scenario import Scenario
from tests.conftest import column, paired, small

ALPHA = 0.01
REPLICATES = 10
#: The silo channels of seed 003 switched off: angry upsell calls cost nothing and informed ones
#: gain nothing, unannounced campaigns put no lead flood on sales (whose overload would take care
#: away and, since 8.E, drive quits that cost relationships), duplicates do not hide records, and
#: service cannot get facts across the silo, and unannounced campaigns convert as well as announced
#: ones. (Wave 2: the informed care call, the lead flood's workload and the conversion were missing
#: from the list, so sharing still moved churn, or the customer base, through them.)
SILO_CHANNELS_OFF = {
    "sales__angry_call_cost": 0.0,
    "sales__care_gain": 0.0,
    "sales__spike_workload": 0.0,
    "sales__unannounced_boost_share": 1.0,
    "sales__overload_care_loss": 0.0,
    "sales__duplicate_record_loss": 0.0,
    "decisions__other_unit_facts": 0.0,
}
#: Equivalence margins (annual churn, share): a third of sharing's effect at rest (-0.016) and
#: under a tenth of orientation's (-0.043).
SHARING_MARGIN = 0.005
ORIENTATION_MARGIN = 0.003


def knockout_designs() -> dict[str, Scenario]:
    """The eight designs: sharing and orientation low and high, each with its channels on and
    knocked out (also run by experiments/silo_knockouts.py)."""
    s, o = "culture__information_sharing", "culture__customer_orientation"
    off = {"sales__care_orientation_weight": 0.0}
    return {
        "closed": small("functional_silos", **{s: 0.1}),
        "open": small("functional_silos", **{s: 0.9}),
        "closed_ko": small("functional_silos", **{s: 0.1}, **SILO_CHANNELS_OFF),
        "open_ko": small("functional_silos", **{s: 0.9}, **SILO_CHANNELS_OFF),
        "cold": small("functional_silos", **{o: 0.1}),
        "warm": small("functional_silos", **{o: 0.9}),
        "cold_ko": small("functional_silos", **{o: 0.1}, **off),
        "warm_ko": small("functional_silos", **{o: 0.9}, **off),
    }


#: Every test of this module reads one batch of runs (the module fixture ``_runs``), so the
#: module is one xdist group (``--dist loadgroup`` in pyproject's addopts): built once on one
#: worker instead of once on each worker that runs one of its tests.
pytestmark = pytest.mark.xdist_group("silos_channels")


@pytest.fixture(scope="module")
def _runs() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The eight designs at :data:`REPLICATES`, and closed/open at :data:`REVENUE_REPLICATES`.

    One batch: replicate r has the same seed whatever the replicate count
    (``sim.rng.replicate_seeds``), so closed/open's first :data:`REPLICATES` revenue runs are
    exactly the churn tests' runs and are not run twice. No no-change twins: no test here reads
    ``roi``.
    """
    d = knockout_designs()
    both = ("closed", "open")
    rest = paired({k: v for k, v in d.items() if k not in both}, replicates=REPLICATES, seed=5)
    rev = paired({k: d[k] for k in both}, replicates=REVENUE_REPLICATES, seed=5)
    first = rev[rev["replicate"] < REPLICATES].copy()
    first.attrs, rest.attrs = {}, {}  # concat compares attrs, and these hold frames
    heads = pd.concat([first, rest], ignore_index=True)
    assert sorted(set(heads["scenario"])) == sorted(d)
    assert (heads.groupby("scenario").size() == REPLICATES).all()
    return heads, rev


@pytest.fixture(scope="module")
def heads(_runs: tuple[pd.DataFrame, pd.DataFrame]) -> pd.DataFrame:
    return _runs[0]


def revenue(heads: pd.DataFrame, design: str) -> np.ndarray:
    w = heads.attrs["weekly"]
    return w[w["scenario"] == design].groupby("replicate")["revenue"].sum().sort_index().to_numpy()


def tost_p(diff: np.ndarray, margin: float) -> float:
    """Paired TOST p-value that the mean of ``diff`` lies within +-margin."""
    lo = stats.ttest_1samp(diff, -margin, alternative="greater").pvalue
    hi = stats.ttest_1samp(diff, margin, alternative="less").pvalue
    return float(max(lo, hi))


#: Replicates of the revenue test. Sharing's two-year revenue effect is small against its noise:
#: at 10 replicates (seed 5, the burn-in of docs/ODD.md 8.A wave 4) the paired t was 2.29
#: (standardised effect 0.72, p 0.024): about 50% power at alpha 0.01. A one-sided paired
#: t-test needs ((2.33 + 1.28) / 0.72)^2 = 25, about 27 with the t correction, for power 0.9
#: at that effect, hence 30.
REVENUE_REPLICATES = 30


@pytest.fixture(scope="module")
def sharing_revenue(_runs: tuple[pd.DataFrame, pd.DataFrame]) -> pd.DataFrame:
    return _runs[1]


def test_information_sharing_lowers_churn_and_raises_revenue(
    heads: pd.DataFrame, sharing_revenue: pd.DataFrame
) -> None:
    closed, open_ = column(heads, "closed", "annual_churn"), column(heads, "open", "annual_churn")
    assert stats.ttest_rel(open_, closed, alternative="less").pvalue < ALPHA
    # material: measured at rest -1.6 points of annual churn (0.151 -> 0.135, paired sd 0.007)
    assert (open_ - closed).mean() < -0.005
    r_open, r_closed = revenue(sharing_revenue, "open"), revenue(sharing_revenue, "closed")
    assert stats.ttest_rel(r_open, r_closed, alternative="greater").pvalue < ALPHA


def test_sharing_effect_vanishes_with_the_silo_channels_off(heads: pd.DataFrame) -> None:
    diff = column(heads, "open_ko", "annual_churn") - column(heads, "closed_ko", "annual_churn")
    # with every channel off the paired runs are identical (a zero-variance TOST is degenerate)
    assert np.allclose(diff, 0.0) or tost_p(diff, SHARING_MARGIN) < 0.05


def test_orientation_lowers_churn_through_care(heads: pd.DataFrame) -> None:
    cold, warm = column(heads, "cold", "annual_churn"), column(heads, "warm", "annual_churn")
    assert stats.ttest_rel(warm, cold, alternative="less").pvalue < ALPHA


def test_orientation_effect_vanishes_with_the_care_channel_off(heads: pd.DataFrame) -> None:
    diff = column(heads, "warm_ko", "annual_churn") - column(heads, "cold_ko", "annual_churn")
    assert tost_p(diff, ORIENTATION_MARGIN) < 0.05


# ------------------------------------------------------------------ formulas


@given(
    st.floats(0, 1),
    st.floats(0, 1),
    st.floats(0, 1),
    st.floats(0, 5),
)
def test_owner_care_is_bounded_and_monotone(care: float, o1: float, o2: float, ov: float) -> None:
    lo, hi = sorted((o1, o2))
    c_lo, c_hi = incentives.owner_care(care, np.array([lo, hi]), np.array([ov, ov]))
    assert 0.0 <= c_lo <= c_hi <= 1.0
    relaxed = incentives.owner_care(care, np.array([hi]), np.array([0.0]))[0]
    assert c_hi <= relaxed + 1e-12  # overload only takes care away


def test_owner_care_ignores_orientation_with_the_channel_off() -> None:
    p = DEFAULT_SALES.model_copy(update={"care_orientation_weight": 0.0})
    c = incentives.owner_care(0.4, np.array([0.0, 0.5, 1.0]), np.zeros(3), p=p)
    assert np.allclose(c, 0.4)
    assert np.allclose(silos.care_gain(np.array([0.0, 1.0]), p=p), p.care_gain)
    # at the centre the asked-for care is given in full
    assert incentives.owner_care(0.4, np.array([0.5]), np.zeros(1))[0] == pytest.approx(0.4)


def test_usable_record_and_lead_flood() -> None:
    r = np.array([0.0, 0.5, 1.0])
    assert np.allclose(silos.usable_record(r, 0.0), r)
    assert np.all(silos.usable_record(r, 0.3) <= r)
    f = silos.next_lead_flood(0.0, True)
    assert f == pytest.approx(DEFAULT_SALES.spike_workload)
    assert silos.next_lead_flood(f, False) == pytest.approx(
        f * (1 - DEFAULT_SALES.flood_clear_rate)
    )


def test_hoarded_leads_grow_duplicates_without_campaigns() -> None:
    grown = silos.next_duplicate_share(0.0, 0.1, 0.0, False)
    shared = silos.next_duplicate_share(0.0, 1.0, 0.0, False)
    assert grown > 0.0 == shared
    assert silos.next_duplicate_share(1.0, 0.0, 0.0, True) <= DEFAULT_SALES.duplicate_cap
