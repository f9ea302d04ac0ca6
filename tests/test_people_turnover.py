"""Issue 14 items 6, 3 (morale) and 10: turnover reaches customers; felt safety reaches morale only
through reporting and fixing; socialisation matters through newcomers learning the playbook.

Model tests over 10 paired replicates (common random numbers, ``tests.conftest.paired``) at test
size, 104 weeks: an effect is a one-sided paired t-test (``scipy.stats.ttest_rel``) at alpha
0.01; a knock-out switches the mechanism's parameters off and shows the dial's effect vanishes
(a two one-sided tests (TOST) equivalence check of the paired differences within a margin, or,
for turnover, the knocked-out effect's upper 99% bound below a quarter of the full effect).
Formula tests check the new functions' invariants.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from sim.coefficients.learning import DEFAULT_LEARNING
from sim.coefficients.people import DEFAULT_PEOPLE
from sim.mechanisms import learning, people
from tests.conftest import column, paired, small

ALPHA = 0.01


def _diff(heads, hi: str, lo: str, outcome: str) -> np.ndarray:
    return column(heads, hi, outcome) - column(heads, lo, outcome)


def _equivalent(d: np.ndarray, margin: float) -> bool:
    """TOST at ALPHA: the mean paired difference lies within +-margin."""
    p_low = stats.ttest_1samp(d, -margin, alternative="greater").pvalue if d.std() > 0 else 0.0
    p_high = stats.ttest_1samp(d, margin, alternative="less").pvalue if d.std() > 0 else 0.0
    if d.std() == 0:
        return abs(float(d.mean())) < margin
    return max(p_low, p_high) < ALPHA


# ------------------------------------------------------------------------------ formulas


@given(st.floats(0.0, 1.0), st.floats(0.0, 1.0))
def test_relationship_loss_is_softened_by_the_record(r1: float, r2: float) -> None:
    lo, hi = sorted((r1, r2))
    loss = people.relationship_loss(np.array([lo, hi]))
    assert loss[0] >= loss[1] >= 0.0
    assert loss[0] <= DEFAULT_PEOPLE.relationship_loss


def test_relationship_loss_edges() -> None:
    full = people.relationship_loss(np.array([0.0, 1.0]))
    assert full[0] == DEFAULT_PEOPLE.relationship_loss
    assert full[1] == DEFAULT_PEOPLE.relationship_loss * (1 - DEFAULT_PEOPLE.record_softening)
    off = DEFAULT_PEOPLE.model_copy(update={"relationship_loss": 0.0})
    assert (people.relationship_loss(np.array([0.0, 0.5]), p=off) == 0).all()


def test_newcomers_learn_the_playbook_fastest() -> None:
    tenure = np.array([0, 26, 520])
    rate = learning.playbook_rate(0.1, 0.5, tenure, 3.0)
    assert rate[0] > rate[1] > rate[2] > 0
    assert rate[0] == 0.1 * 0.5 * 4.0
    assert (learning.playbook_rate(0.1, 0.0, tenure, 3.0) == 0).all()
    assert (learning.playbook_rate(0.0, 0.9, tenure, 3.0) == 0).all()
    assert np.allclose(learning.playbook_rate(0.1, 0.5, tenure, 0.0), 0.05)
    assert DEFAULT_LEARNING.socialise_tenure_weeks > 0


# ----------------------------------------------------------------------------- the model


def test_turnover_raises_churn_through_relationships_and_newcomers() -> None:
    # measured on v1 of 8.E: +3.2 points of annual churn for quits 0.1 -> 0.6 (turnover 8% ->
    # 80%); with the relationship loss at 0 and newcomers at full skill, +0.19 points. Since the
    # overload -> care link (8.F) a vacancy reaches customers a third way: colleagues cover it
    # (``people.vacancy_cover_cap``), are overloaded and care less. With only the first two off
    # the effect left was +0.52 points (se 0.37) of +4.1; the knock-out switches off all three
    # of turnover's channels (docs/ODD.md 8.E, "Turnover knock-out in version 2").
    off = {
        "people.relationship_loss": 0.0,
        "people.newcomer_skill": 1.0,
        "people.vacancy_cover_cap": 0.0,
    }
    heads = paired(
        {
            "few": small("command_and_control", people__base_quit_annual=0.1),
            "many": small("command_and_control", people__base_quit_annual=0.6),
            "few_off": small("command_and_control", people__base_quit_annual=0.1, **off),
            "many_off": small("command_and_control", people__base_quit_annual=0.6, **off),
        },
        # 20, not 10: with the playbook settled at each design's turnover (docs/ODD.md 8.A) the
        # knocked-out difference was +0.0001 (se 0.0032) at 10, its 99% upper bound 0.0092
        # against the 0.0091 allowed; the bound's width, not its centre, failed
        replicates=20,
    )
    full = _diff(heads, "many", "few", "annual_churn")
    assert stats.ttest_1samp(full, 0.0, alternative="greater").pvalue < ALPHA
    assert full.mean() > 0.01  # material: more than a point of annual churn
    knocked = _diff(heads, "many_off", "few_off", "annual_churn")
    n = knocked.size
    upper = knocked.mean() + stats.t.ppf(1 - ALPHA, n - 1) * knocked.std(ddof=1) / np.sqrt(n)
    assert upper < 0.25 * full.mean()


def test_safety_reaches_morale_only_through_fixed_problems() -> None:
    # with nothing fixed, reporting changes nothing else: safety's effect on morale vanishes
    off = {"learning.fix_rate": 0.0}
    heads = paired(
        {
            "low": small("command_and_control", culture__psychological_safety=0.1, **off),
            "high": small("command_and_control", culture__psychological_safety=0.9, **off),
        }
    )
    assert _equivalent(_diff(heads, "high", "low", "morale_mean"), 0.005)


def test_socialisation_raises_first_contact_resolution_through_the_playbook() -> None:
    # measured: +1.6 points of first-contact resolution for socialisation 0.1 -> 0.9 in
    # command_and_control (practice knowledge 0.52 -> 0.65); nothing with its rates at 0.
    # The playbook channel alone: the hiring pool at the organisation's norm (0.4), so
    # orientation has no gap to close (as before the hiring pool, docs/ODD.md 8.E wave 5).
    # With the pool at 0.3 the orientation channel acts as well (care, satisfaction, the books
    # and the CRM's use) and FCR's effect on these seeds falls to p 0.096 (in the one-at-a-time
    # table +1.4 -> +0.5 points); that channel has its own test below.
    pool = {"people.hiring_pool_orientation": 0.4}
    off = {
        "learning.playbook_p1": 0.0,
        "learning.socialise_base": 0.0,
        "learning.socialise_newcomer": 0.0,
        **pool,
    }
    heads = paired(
        {
            "weak": small("command_and_control", culture__socialisation=0.1, **pool),
            "strong": small("command_and_control", culture__socialisation=0.9, **pool),
            "weak_off": small("command_and_control", culture__socialisation=0.1, **off),
            "strong_off": small("command_and_control", culture__socialisation=0.9, **off),
        }
    )
    outcome = "first_contact_resolution"
    full = _diff(heads, "strong", "weak", outcome)
    assert stats.ttest_1samp(full, 0.0, alternative="greater").pvalue < ALPHA
    assert _equivalent(_diff(heads, "strong_off", "weak_off", outcome), 0.003)


def test_socialisation_raises_satisfaction_through_orientation() -> None:
    # the playbook channel off (March's p1 at 0): what is left is orientation, which newcomers
    # bring from the hiring pool (people.hiring_pool_orientation 0.3, below the preset's 0.4)
    # and socialisation closes; orientation reaches customers through care (docs/ODD.md 8.E,
    # 8.F). Measured on these seeds (7..16) +0.45 points of satisfaction (se 0.12, p 0.003) and
    # churn -0.70 points (se 0.24); with the pool at the organisation's norm, as newcomers were
    # hired before, 0.00 (se 0.13; paired_effect.py, seed 3), so this fails on the old model.
    off = {"learning.playbook_p1": 0.0}
    heads = paired(
        {
            "weak": small("command_and_control", culture__socialisation=0.1, **off),
            "strong": small("command_and_control", culture__socialisation=0.9, **off),
        }
    )
    d = _diff(heads, "strong", "weak", "satisfaction_mean")
    assert stats.ttest_1samp(d, 0.0, alternative="greater").pvalue < ALPHA, d
