"""Issue 14 item 3: no dial acts on an outcome directly. Per culture dial, switching off its named
mechanisms (``sim.knockouts.knockout(dial)``, docs/ODD.md 8.W) removes its effect on outcomes.

Runs at the golden size (``tests/test_golden.py``: 120 people, 1,200 customers, 60 weeks after
the burn-in, no-change twin included so ``roi`` is checked too), seed 3, in
``command_and_control`` and ``functional_silos`` (the exact knock-out also in ``kotter_programme``):

- knocked out, the dial at 0.1 and at 0.9 gives IDENTICAL weekly tables on every outcome column
  (every column the model reports except the dial's echo columns, ``sim.knockouts.echo``): exact
  equality, since common random numbers make a severed dial change no draw that matters;
- intact, the same two runs differ on outcome columns (so the knock-out test can fail: without
  the overrides it does, see ``test_the_exact_test_fails_without_the_knockout``);
- intact, the dial's real effect over replicates (marked ``evidence``, the model-evidence marker):
  a one-sided paired t-test (``scipy.stats.ttest_rel``, alpha 0.01) over 6 paired seeds (16 for
  socialisation) on one
  headline outcome per dial (:data:`HEADLINE`, the preset and outcome of the dial's smallest p in
  docs/VALIDATION.md's one-at-a-time table, all in the direction that table measured).
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim import knockouts as ko
from sim.evidence import DIALS
from sim.experiment import headline
from sim.inputs import load_scenario
from sim.model import OrgModel
from sim.rng import replicate_seeds
from tests.test_golden import SIZE, WEEKS

PRESETS = ("command_and_control", "functional_silos")
#: The exact knock-out test also runs in the preset with a change programme, where the dials a
#: step moves reach outcomes through the cost of the move and the coalition (docs/ODD.md 8.W).
KO_PRESETS = (*PRESETS, "kotter_programme")
SEED = 3
LEVELS = (0.1, 0.9)
ALPHA = 0.01
REPLICATES = 6
SOCIALISATION_REPLICATES = 16
#: Per dial: preset, headline outcome and the sign of its effect (0.9 - 0.1) for the paired
#: t-test; from the one-at-a-time table of docs/VALIDATION.md (smallest p per dial, or the
#: customer-facing outcome where that is as strong). Socialisation's table effect (+1.4 points of
#: first-contact resolution, p 0.0046 at 104 weeks) is too thin for 6 replicates of 60 weeks
#: (issue 14 item 10 open): its test is on the playbook's practice knowledge, the first link of
#: its chain (mean of the weekly ``practice_knowledge_mean`` over the run), over
#: :data:`SOCIALISATION_REPLICATES`: at 6 replicates (seed 11) its paired effect was +0.107
#: (sd 0.084, p 0.013), under 50% power at 0.01.
HEADLINE = {
    "psychological_safety": ("command_and_control", "satisfaction_mean", +1),
    "decision_rights": ("command_and_control", "first_contact_resolution", +1),
    "information_sharing": ("functional_silos", "data_quality", +1),
    "executive_commitment": ("functional_silos", "data_quality", +1),
    "executive_support": ("functional_silos", "data_quality", +1),
    "incentive_alignment": ("command_and_control", "satisfaction_mean", +1),
    "responsiveness": ("functional_silos", "complaints_per_churner", +1),
    "customer_orientation": ("command_and_control", "satisfaction_mean", +1),
    "socialisation": ("command_and_control", "practice_knowledge_mean", +1),
    "supportive_leadership": ("command_and_control", "morale_mean", +1),
}


def _scenario(preset: str, dial: str, level: float, knocked: bool):
    over = {**SIZE, "horizon_weeks": WEEKS, f"culture.{dial}": level}
    if knocked:
        over.update(ko.knockout(dial))
    return load_scenario(preset).with_overrides(over)


@functools.cache
def weekly(preset: str, dial: str, level: float, knocked: bool, seed: int = SEED) -> pd.DataFrame:
    return OrgModel(_scenario(preset, dial, level, knocked), rng=seed).run()


def differing(preset: str, dial: str, knocked: bool) -> list[str]:
    """Outcome columns (all but the dial's echo columns) that differ between 0.1 and 0.9."""
    lo, hi = (weekly(preset, dial, v, knocked) for v in LEVELS)
    assert list(lo.columns) == list(hi.columns)
    return [
        c
        for c in lo.columns
        if c not in ko.echo(dial)
        and not np.array_equal(lo[c].to_numpy(float), hi[c].to_numpy(float), equal_nan=True)
    ]


def test_registry_covers_every_dial_with_existing_coefficients() -> None:
    assert tuple(ko.KNOCKOUTS) == DIALS
    base = load_scenario("command_and_control")
    columns = set(weekly("command_and_control", "decision_rights", LEVELS[0], False).columns)
    for dial in DIALS:
        assert ko.chain(dial)
        over = ko.knockout(dial)
        assert over and all(not k.startswith("culture.") for k in over)
        base.with_overrides(over)  # every key is a real, validated coefficient
        assert set(ko.echo(dial)) <= columns
    with pytest.raises(KeyError):
        ko.knockout("charisma")


@pytest.mark.parametrize("preset", KO_PRESETS)
@pytest.mark.parametrize("dial", DIALS)
def test_knocked_out_dial_changes_no_outcome(dial: str, preset: str) -> None:
    assert differing(preset, dial, knocked=True) == []


@pytest.mark.parametrize("preset", PRESETS)
@pytest.mark.parametrize("dial", DIALS)
def test_the_exact_test_fails_without_the_knockout(dial: str, preset: str) -> None:
    # intact, the same paired runs differ on outcomes, so the test above can fail
    assert differing(preset, dial, knocked=False) != []


def _outcome(preset: str, dial: str, level: float, seed: int, outcome: str) -> float:
    sc = _scenario(preset, dial, level, knocked=False)
    df = OrgModel(sc, rng=seed, counterfactual=False).run()
    if outcome in df.columns:
        return float(df[outcome].mean())
    return headline(df)[outcome]


@pytest.mark.evidence
@pytest.mark.parametrize("dial", DIALS)
def test_intact_dial_has_a_real_effect(dial: str) -> None:
    preset, outcome, sign = HEADLINE[dial]
    seeds = replicate_seeds(11, SOCIALISATION_REPLICATES if dial == "socialisation" else REPLICATES)
    lo = np.array([_outcome(preset, dial, LEVELS[0], s, outcome) for s in seeds])
    hi = np.array([_outcome(preset, dial, LEVELS[1], s, outcome) for s in seeds])
    alt = "greater" if sign > 0 else "less"
    assert stats.ttest_rel(hi, lo, alternative=alt).pvalue < ALPHA, hi - lo


def test_evidence_table_counts_identical_pairs_and_paired_effects() -> None:
    # the knock-out section's arithmetic on a made-up table: effect = mean of (0.9 - 0.1) per
    # replicate, and a pair counts as identical only if all three outcomes are equal
    from sim import evidence as ev

    rows = []
    for dial in DIALS:
        for knocked in (False, True):
            for r in range(3):
                for level in LEVELS:
                    vals = dict.fromkeys(ev.KO_OUTCOMES, 0.5)
                    if not knocked and level == LEVELS[1]:
                        vals["annual_churn"] = 0.5 - 0.01 * (r + 1)
                    if knocked and dial == "socialisation" and r == 0 and level == LEVELS[1]:
                        vals["first_contact_resolution"] = 0.6
                    rows.append(
                        {"dial": dial, "knocked": knocked, "level": level, "replicate": r, **vals}
                    )
    eff = ev.knockout_effects(pd.DataFrame(rows))
    churn = eff[(eff["outcome"] == "annual_churn") & ~eff["knocked"]]
    assert np.allclose(churn["effect"], -0.02)
    ko_rows = eff[eff["knocked"]].groupby("dial")["identical"].first()
    assert ko_rows["socialisation"] == 2 and ko_rows["decision_rights"] == 3
    table = ev.knockout_markdown(eff)
    assert "| socialisation |" in table and "2/3 |" in table
