"""Habit and the socially learnt usage build (docs/ODD.md 6.4 and 8.D, version 2).

Formula tests of ``sim.mechanisms.adoption.update_usage`` and ``update_habit`` (invariants and
edge cases, hypothesis), and one model test: use that became a habit survives the project team's
departure (paired one-sided t-test over replicates).
"""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from sim.coefficients.adoption import DEFAULT_ADOPTION as P
from sim.mechanisms.adoption import update_habit, update_usage
from tests.conftest import paired, small

unit = st.floats(0.0, 1.0, allow_nan=False)


def _step(usage, habit, intention, *, reinforcing=False, peer=0.5, anchored=False):
    u = np.array([usage])
    new, _ = update_usage(
        u,
        np.array([True]),
        np.array([intention]),
        reinforcing=reinforcing,
        anchored=anchored,
        habit_decay=0.04,
        training=0.4,
        facilitating=0.0,
        habit=np.array([habit]),
        peer_usage=np.array([peer]),
    )
    return float(new[0])


@given(unit, unit)
def test_habit_moves_towards_usage_and_stays_between(h: float, u: float) -> None:
    new = float(update_habit(np.array([h]), np.array([u]))[0])
    assert min(h, u) - 1e-12 <= new <= max(h, u) + 1e-12
    assert abs(new - u) <= abs(h - u) + 1e-12


@given(st.floats(0.1, 1.0), unit)
def test_usage_never_slides_below_its_habit(usage: float, intention: float) -> None:
    """Without reinforcement, usage at or below the habit level does not fall."""
    habit = usage
    assert _step(usage, habit, intention) >= usage - 1e-12


def test_unhabituated_use_slides_towards_intention_once_support_goes() -> None:
    high = 0.7
    assert _step(high, 0.0, 0.1) < high  # no habit: it slides
    assert _step(high, high, 0.1) == high  # a habit: it holds
    # partly formed: it slides, but not below the habit
    u = high
    for _ in range(500):
        u = _step(u, 0.4, 0.1)
    assert abs(u - 0.4) < 1e-3


def test_usage_builds_faster_among_logging_colleagues() -> None:
    alone = _step(0.3, 0.0, 0.9, peer=0.0)
    among = _step(0.3, 0.0, 0.9, peer=1.0)
    assert 0.3 < alone < among
    gap = among - 0.3
    assert abs((alone - 0.3) / gap - P.rise_alone) < 1e-9  # alone keeps rise_alone of the build


def test_use_that_became_a_habit_survives_the_team_leaving() -> None:
    """technology_only_rollout with 8 vs 40 weeks of reinforcement: usage at week 78 is higher
    after the longer project (paired one-sided t-test, alpha 0.01), because use had time to
    become a habit; with ``habit_build = 0`` (knock-out of the habit) the gain of the longer
    project is smaller (paired one-sided t-test on the per-replicate gains, alpha 0.01): part of
    the gain stays without habit, because usage is still sliding back 38 weeks after the longer
    project ended."""

    def runs(**o):
        heads = paired(
            {
                "short": small(
                    "technology_only_rollout", horizon_weeks=78, crm__reinforcement_weeks=8, **o
                ),
                "long": small(
                    "technology_only_rollout", horizon_weeks=78, crm__reinforcement_weeks=40, **o
                ),
            },
            replicates=8,
            seed=17,
        )
        w = heads.attrs["weekly"]
        end = w[w["week"] == 78].sort_values(["scenario", "replicate"])
        return {k: g["usage_mean"].to_numpy(float) for k, g in end.groupby("scenario")}

    on = runs()
    assert stats.ttest_rel(on["long"], on["short"], alternative="greater").pvalue < 0.01
    off = runs(adoption__habit_build=0.0)
    gain_on, gain_off = on["long"] - on["short"], off["long"] - off["short"]
    assert stats.ttest_rel(gain_on, gain_off, alternative="greater").pvalue < 0.01


def test_the_project_team_coaches_while_it_reinforces() -> None:
    alone = _step(0.3, 0.0, 0.9, peer=0.0)
    coached = _step(0.3, 0.0, 0.9, peer=0.0, reinforcing=True)
    assert coached > alone
