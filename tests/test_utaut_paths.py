"""Intention's paths at UTAUT's sizes (issue 14 item 9; docs/ODD.md 8.D; sim.utaut_survey).

A UTAUT survey of the simulated staff (standardised regression of intention on performance
expectancy, effort expectancy and social influence) must find what the meta-analyses found:
PE -> BI strong, EE -> BI and SI -> BI weak, R2 between the earlier models' and UTAUT's. The
model tests use one-sided one-sample t-tests over seeds against the band edges
(``sim.utaut_survey.BANDS``); the knock-out (no individual spread of beliefs, the model before
``own_belief``) fails the PE band, so the pattern comes from that mechanism.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from sim.mechanisms.adoption import own_belief
from sim.utaut_survey import BANDS, standardised_paths, summarise, survey_runs
from tests.conftest import small

SEEDS = range(1, 7)
WAVE = 13  # three months after go-live, UTAUT's last wave
KNOCKED_OUT = {
    "adoption.usefulness_belief_sd": 0.0,
    "adoption.ease_belief_sd": 0.0,
    "adoption.affinity_sd": 0.15,
}


# --- the survey's regression -------------------------------------------------------------


def test_paths_recover_known_standardised_betas() -> None:
    rng = np.random.default_rng(5)
    n = 20_000
    pe, ee, si = rng.normal(size=(3, n))
    bi = 0.6 * pe + 0.2 * ee + 0.1 * si + rng.normal(0, 0.5, n)
    out = standardised_paths(pe, ee, si, bi)
    sd_bi = np.sqrt(0.36 + 0.04 + 0.01 + 0.25)
    assert out["beta_pe"] == pytest.approx(0.6 / sd_bi, abs=0.02)
    assert out["beta_ee"] == pytest.approx(0.2 / sd_bi, abs=0.02)
    assert out["beta_si"] == pytest.approx(0.1 / sd_bi, abs=0.02)
    assert out["r2"] == pytest.approx(0.41 / 0.66, abs=0.02)
    assert out["n"] == n


@settings(max_examples=40, deadline=None)
@given(
    scale=st.floats(0.01, 100.0),
    shift=st.floats(-10.0, 10.0),
    seed=st.integers(0, 10_000),
)
def test_paths_do_not_depend_on_units_and_r2_is_a_share(scale, shift, seed) -> None:
    rng = np.random.default_rng(seed)
    pe, ee, si, noise = rng.normal(size=(4, 200))
    bi = pe - 0.5 * ee + noise
    a = standardised_paths(pe, ee, si, bi)
    b = standardised_paths(pe * scale + shift, ee, si * scale, bi * scale - shift)
    for k in ("beta_pe", "beta_ee", "beta_si", "r2", "r_pe"):
        assert a[k] == pytest.approx(b[k], rel=1e-6, abs=1e-9)
    assert 0.0 <= a["r2"] <= 1.0


def test_a_determinant_without_spread_is_not_estimated() -> None:
    rng = np.random.default_rng(1)
    pe, si, noise = rng.normal(size=(3, 100))
    out = standardised_paths(pe, np.full(100, 0.4), si, pe + noise)
    assert np.isnan(out["beta_ee"]) and np.isnan(out["r_ee"])
    assert np.isfinite(out["beta_pe"]) and out["beta_pe"] > 0.5


# --- each person's own belief --------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    shown=st.floats(0.0, 1.0),
    a=st.floats(-6.0, 6.0),
    b=st.floats(-6.0, 6.0),
)
def test_own_belief_stays_a_share_and_rises_with_the_disposition(shown, a, b) -> None:
    lo, hi = sorted((a, b))
    x = own_belief(shown, np.array([lo, hi]))
    assert np.all((x >= 0.0) & (x <= 1.0))
    assert x[0] <= x[1] + 1e-12


def test_own_belief_without_disposition_is_what_is_shown() -> None:
    shown = np.array([0.0, 0.17, 0.5, 1.0])
    assert np.array_equal(own_belief(shown, np.zeros(4)), shown)
    # symmetric on the logit scale: +d and -d around one half average to one half
    up, down = own_belief(0.5, np.array([1.3])), own_belief(0.5, np.array([-1.3]))
    assert (up + down)[0] == pytest.approx(1.0)


# --- the model's survey against the published bands ------------------------------------------


@pytest.fixture(scope="module")
def surveys():
    designs = {p: small(p) for p in ("command_and_control", "kotter_programme")}
    designs["knocked out"] = small("command_and_control", **KNOCKED_OUT)
    return survey_runs(designs, SEEDS, waves=(WAVE,))


def _one_sided(x: np.ndarray, edge: float, alternative: str) -> float:
    return float(stats.ttest_1samp(x, edge, alternative=alternative).pvalue)


@pytest.mark.parametrize("preset", ["command_and_control", "kotter_programme"])
def test_survey_finds_pe_strong_ee_and_si_weak(surveys, preset) -> None:
    g = surveys[surveys["scenario"] == preset]
    assert len(g) == len(SEEDS)
    pe, ee, si = (g[k].to_numpy() for k in ("beta_pe", "beta_ee", "beta_si"))
    assert _one_sided(pe, BANDS["beta_pe"][0], "greater") < 0.05, pe
    assert _one_sided(ee, BANDS["beta_ee"][1], "less") < 0.05, ee
    assert _one_sided(si, BANDS["beta_si"][1], "less") < 0.05, si
    # PE the strongest path in every organisation surveyed (UTAUT's ordering)
    assert np.all(pe > np.maximum(ee, si))


@pytest.mark.parametrize("preset", ["command_and_control", "kotter_programme"])
def test_survey_r2_between_the_earlier_models_and_utaut(surveys, preset) -> None:
    r2 = surveys.loc[surveys["scenario"] == preset, "r2"].to_numpy()
    lo, hi = BANDS["r2"][:2]
    # two one-sided tests: R2 above the earlier models' 17% and below UTAUT's 70%
    assert _one_sided(r2, lo, "greater") < 0.05, r2
    assert _one_sided(r2, hi, "less") < 0.05, r2


def test_without_individual_beliefs_the_survey_misses_the_pe_path(surveys) -> None:
    """The knock-out: beliefs everyone shares (the model before own_belief) leave intention to
    the attitude term, and the survey finds PE -> BI far below the strong band."""
    pe = surveys.loc[surveys["scenario"] == "knocked out", "beta_pe"].to_numpy()
    r2 = surveys.loc[surveys["scenario"] == "knocked out", "r2"].to_numpy()
    assert _one_sided(pe, BANDS["beta_pe"][0], "less") < 0.05, pe
    assert _one_sided(r2, BANDS["r2"][0], "less") < 0.05, r2


def test_summary_carries_bands_and_intervals(surveys) -> None:
    t = summarise(surveys)
    row = t[(t["scenario"] == "kotter_programme") & (t["figure"] == "beta_pe")].iloc[0]
    assert row["ci_low"] <= row["mean"] <= row["ci_high"]
    assert (row["band_low"], row["band_high"]) == BANDS["beta_pe"][:2]
    assert row["replicates"] == len(SEEDS)
