"""Every output column is finite, or NaN only where documented (issue 15, class 11).

``sim.metrics.NAN_WHEN`` lists the weekly columns that may be NaN and when, and
``sim.experiment.HEADLINE_NAN_WHEN`` the headline outcomes; nothing is ever infinite. Each
preset runs briefly, plus the edge cases that produced inf or undocumented NaN: a zero or tiny
CRM spend (``roi`` was inf: the extra net benefit divided by 1e-300), no CRM, no customer lost.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim import OrgModel
from sim.experiment import HEADLINE_NAN_WHEN, HEADLINES, headline
from sim.mechanisms import economics
from sim.metrics import COLUMNS, NAN_WHEN
from sim.scenario import preset_names
from tests.conftest import small

TINY = {"organisation.employees": 60, "customers.count": 300, "horizon_weeks": 30}
NO_SPEND = {
    "crm.licence_cost_per_user_week": 0.0,
    "crm.implementation_cost": 0.0,
    "change_programme.steps": [],
}
EDGE_CASES = {
    "zero_investment": NO_SPEND,
    # a spend of 1e-300 made roi = (extra net benefit) / 1e-300 = inf before MIN_SPEND
    "tiny_investment": {**NO_SPEND, "crm.implementation_cost": 1e-300},
    "tiny_licence": {**NO_SPEND, "crm.licence_cost_per_user_week": 1e-310},
    "no_crm": {"crm.enabled": False, "change_programme.steps": []},
    "no_crm_go_live_never": {"crm.go_live_week": 1000},
}


def _check(df: pd.DataFrame, where: str) -> None:
    """Every column finite, or NaN only if documented; no inf anywhere."""
    assert set(NAN_WHEN) <= set(COLUMNS)
    for col in df.columns:
        v = df[col].to_numpy(dtype=float)
        assert not np.isinf(v).any(), f"{where}: {col} is infinite"
        if col not in NAN_WHEN:
            assert np.isfinite(v).all(), f"{where}: {col} is NaN but not in sim.metrics.NAN_WHEN"
    heads = headline(df)
    assert set(heads) == set(HEADLINES)
    for k, v in heads.items():
        assert not math.isinf(v), f"{where}: headline {k} is infinite"
        if k not in HEADLINE_NAN_WHEN:
            assert math.isfinite(v), f"{where}: headline {k} is NaN but not documented"


@pytest.mark.parametrize("name", preset_names())
def test_every_preset_gives_finite_or_documented_columns(name: str) -> None:
    df = OrgModel(small(name, **TINY), rng=3).run()
    _check(df, name)
    assert np.isfinite(df["roi"].iloc[-1]) or df["investment_total"].iloc[-1] < 1.0


@pytest.mark.parametrize("case", sorted(EDGE_CASES))
def test_edge_cases_give_finite_or_documented_columns(case: str) -> None:
    df = OrgModel(small("command_and_control", **TINY, **EDGE_CASES[case]), rng=3).run()
    _check(df, case)
    if case != "no_crm_go_live_never":
        # nothing (or less than one currency unit) spent on the CRM: ROI is NaN, by definition
        assert df["roi"].isna().all(), df["roi"].tolist()


def test_roi_is_nan_below_the_least_spend_and_never_infinite() -> None:
    assert math.isnan(economics.roi(5e6, 1e6, 0.0))
    assert math.isnan(economics.roi(5e6, 1e6, 1e-300))
    assert math.isnan(economics.roi(5e6, 1e6, economics.MIN_SPEND / 2))
    assert math.isnan(economics.roi(5e6, 1e6, math.nan))
    assert economics.roi(12.0, 10.0, 1.0) == 2.0
    assert math.isnan(economics.roi(1e308, -1e308, 1.0))  # overflow: NaN, not inf


def test_headlines_without_churn_are_nan_as_documented() -> None:
    df = OrgModel(small("command_and_control", **TINY), rng=3).run()
    df = df.assign(churned_total=0.0, churned_silent_total=0.0, complaints_total=0.0)
    heads = headline(df)
    assert math.isnan(heads["silent_churn_share"]) and math.isnan(heads["complaints_per_churner"])
    assert {"silent_churn_share", "complaints_per_churner"} <= set(HEADLINE_NAN_WHEN)
