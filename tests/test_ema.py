"""``sim.evaluate`` and the EMA Workbench bridge (issue 17): experiments, common random numbers
across experiments, and a PRIM box that names the dial behind an outcome."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import sim
from sim.experiment import HEADLINES, headline
from sim.model import OrgModel
from sim.rng import replicate_seeds
from sim.scenario import ScenarioError

TINY = {"organisation.employees": 60, "customers.count": 600, "horizon_weeks": 26}


def test_evaluate_is_the_runs_own_headlines_and_builds_the_twin_only_for_roi() -> None:
    got = sim.evaluate("command_and_control", {**TINY, "culture.decision_rights": 0.7}, seed=5)
    assert set(got) == set(HEADLINES)
    m = OrgModel("command_and_control", rng=5, **{**TINY, "culture.decision_rights": 0.7})
    want = headline(m.run())
    np.testing.assert_equal(got, want)
    dial = {**TINY, "culture.decision_rights": 0.7}
    one = sim.evaluate("command_and_control", dial, seed=5, outcomes=["annual_churn"])  # no twin
    assert one == {"annual_churn": want["annual_churn"]}


def test_evaluate_names_bad_outcomes_and_overrides() -> None:
    with pytest.raises(ScenarioError, match="unknown outcome 'churn'"):
        sim.evaluate("command_and_control", TINY, outcomes=["churn"])
    with pytest.raises(ScenarioError, match="culture.decision_rights"):
        sim.evaluate("command_and_control", {**TINY, "culture.decision_rights": 2.0})


ema = pytest.importorskip("ema_workbench", reason="the ema extra is not installed")


def _experiments(n: int, replications: int = 2):
    from ema_workbench import perform_experiments

    from sim.ema import ema_model

    model = ema_model(
        "command_and_control",
        {"culture.decision_rights": (0.1, 0.9), "culture.socialisation": (0.1, 0.9)},
        outcomes=["first_contact_resolution", "annual_churn"],
        overrides=TINY,
        replications=replications,
        root_seed=3,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model, perform_experiments(model, scenarios=n, log_progress=False)


def test_ema_experiments_share_seeds_and_equal_evaluate() -> None:
    from sim.ema import ema_name

    model, (experiments, outcomes) = _experiments(10)
    assert len(experiments) == 10
    seeds = [r["seed"] for r in model.replications]
    assert seeds == [int(s) for s in replicate_seeds(3, 2)]
    row = experiments.iloc[4]
    keys = ("culture.decision_rights", "culture.socialisation")
    values = {k: float(row[ema_name(k)]) for k in keys}
    by_hand = [
        sim.evaluate("command_and_control", {**TINY, **values}, s, ["first_contact_resolution"])
        for s in seeds
    ]
    assert outcomes["first_contact_resolution"][4] == pytest.approx(
        np.mean([b["first_contact_resolution"] for b in by_hand])
    )


def test_prim_box_names_decision_rights_behind_high_first_contact_resolution() -> None:
    from ema_workbench.analysis import prim

    _, (experiments, outcomes) = _experiments(10)
    x = experiments[["culture__decision_rights", "culture__socialisation"]]
    fcr = outcomes["first_contact_resolution"]
    y = fcr > np.median(fcr)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        box = prim.Prim(x, y).find_box()
    limits = box.box_lim
    # front-line authority resolves issues at first contact: the box asks for high decision
    # rights, and it holds the high-FCR experiments far more densely than the whole sample
    assert limits.loc[0, "culture__decision_rights"] > 0.1
    assert box.density > y.mean()
    assert 0 < box.coverage <= 1


def test_bad_factors_are_named_before_anything_runs() -> None:
    from sim.ema import ema_model

    with pytest.raises(ScenarioError, match="culture.decision_rights"):
        ema_model("command_and_control", {"culture.decision_rights": (0.1, 1.5)})
    with pytest.raises(ScenarioError, match="culture.nope"):
        ema_model("command_and_control", {"culture.nope": (0.1, 0.5)})
    with pytest.raises(ScenarioError, match="low must be below high"):
        ema_model("command_and_control", {"culture.decision_rights": (0.9, 0.1)})
    with pytest.raises(ScenarioError, match="unknown outcome"):
        ema_model("command_and_control", {"culture.decision_rights": (0.1, 0.9)}, ["x"])
