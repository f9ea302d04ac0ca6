"""Tests of the classic models in ``sim.classic`` (March 1991, Bass 1969, Granovetter 1978).

Unit tests check each rule in isolation; validation tests check the published results at a
CI-friendly size (full-size figures are in ``docs/VALIDATION.md``).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import sim.mechanisms.adoption as adoption
from sim.classic import bass, granovetter
from sim.classic import march1991 as m91

# ---------------------------------------------------------------------------------------------
# March (1991): unit tests of the rules
# ---------------------------------------------------------------------------------------------


def _all_pairs() -> tuple[np.ndarray, np.ndarray]:
    """Beliefs/code covering every (belief, code) pair: 3 runs (code -1, 0, +1) x 3 beliefs."""
    code = np.array([[-1], [0], [1]], dtype=np.int8)
    beliefs = np.tile(np.array([[-1], [0], [1]], dtype=np.int8), (3, 1, 1))  # (3 runs, 3, 1)
    return beliefs, code


def test_socialise_moves_one_step_towards_code_when_p1_is_one() -> None:
    beliefs, code = _all_pairs()
    out = m91.socialise(beliefs, code, 1.0, np.random.default_rng(0))
    # code -1: -1 stays, 0 -> -1, +1 -> 0 (one step, not a jump)
    assert out[0, :, 0].tolist() == [-1, -1, 0]
    # code 0: nothing moves
    assert out[1, :, 0].tolist() == [-1, 0, 1]
    # code +1: -1 -> 0, 0 -> +1, +1 stays
    assert out[2, :, 0].tolist() == [0, 1, 1]


def test_socialise_p1_zero_changes_nothing_and_rate_matches_p1() -> None:
    rng = np.random.default_rng(1)
    beliefs = np.full((200, 50, 30), -1, dtype=np.int8)
    code = np.ones((200, 30), dtype=np.int8)
    assert np.array_equal(m91.socialise(beliefs, code, 0.0, rng), beliefs)
    moved = (m91.socialise(beliefs, code, 0.3, rng) != beliefs).mean()
    assert moved == pytest.approx(0.3, abs=0.005)


def test_socialise_uses_individual_rates() -> None:
    rng = np.random.default_rng(2)
    beliefs = np.zeros((100, 4, 30), dtype=np.int8)
    code = np.ones((100, 30), dtype=np.int8)
    out = m91.socialise(beliefs, code, np.array([0.0, 1.0, 0.0, 1.0]), rng)
    assert np.all(out[:, [0, 2]] == 0)
    assert np.all(out[:, [1, 3]] == 1)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), p1=st.floats(0.0, 1.0))
def test_socialise_property(seed: int, p1: float) -> None:
    rng = np.random.default_rng(seed)
    beliefs = rng.integers(-1, 2, size=(3, 5, 7)).astype(np.int8)
    code = rng.integers(-1, 2, size=(3, 7)).astype(np.int8)
    out = m91.socialise(beliefs, code, p1, rng)
    c = np.broadcast_to(code[:, None, :], beliefs.shape)
    changed = out != beliefs
    assert np.all(np.abs(out.astype(int) - beliefs) <= 1)
    assert not np.any(changed & ((c == 0) | (beliefs == c)))
    assert np.all(np.sign(out - beliefs)[changed] == np.sign(c - beliefs)[changed])
    assert np.all(np.abs(c - out.astype(int)) <= np.abs(c - beliefs.astype(int)))


def _learn(actions: list[list[int]], perf: list[int], code_val: int, p2: float, seed: int = 0):
    acts = np.array(actions, dtype=np.int8).reshape(1, len(actions), 1)
    return m91.learn_code(
        np.array([[code_val]], dtype=np.int8),
        acts,
        np.array([perf]),
        np.array([0]),
        p2,
        np.random.default_rng(seed),
    )[0, 0]


def test_code_learning_needs_a_strict_majority() -> None:
    # superior group (perf > 0) split 2-2: no change even with p2 = 1
    assert _learn([[1], [1], [-1], [-1]], [1, 1, 1, 1], 0, 1.0) == 0
    # 3-1 majority for +1 among the superior: the code moves with p2 = 1
    assert _learn([[1], [1], [1], [-1]], [1, 1, 1, 1], 0, 1.0) == 1
    # the same split but the +1 actors are not superior (perf <= code score): majority is -1
    assert _learn([[1], [1], [1], [-1]], [0, -1, 0, 2], 0, 1.0) == -1
    # a tie never moves a non-zero code either (in particular not back to 0)
    assert _learn([[1], [-1]], [1, 1], -1, 1.0) == -1
    # majority equals the code: nothing to learn
    assert _learn([[1], [1], [1], [-1]], [1, 1, 1, 1], 1, 1.0) == 1
    # empty superior group: no change
    assert _learn([[1], [1], [1]], [0, 0, 0], -1, 1.0) == -1
    # p2 = 0: never learns
    assert _learn([[1], [1], [1]], [5, 5, 5], -1, 0.0) == -1


@pytest.mark.parametrize(("plus", "minus", "p2"), [(1, 0, 0.3), (3, 1, 0.3), (4, 1, 0.5)])
def test_code_learning_rate_is_one_minus_one_minus_p2_to_the_k(
    plus: int, minus: int, p2: float
) -> None:
    runs, m = 4000, 10
    n = plus + minus
    acts = np.empty((runs, n, m), dtype=np.int8)
    acts[:, :plus] = 1
    acts[:, plus:] = -1
    code = -np.ones((runs, m), dtype=np.int8)
    out = m91.learn_code(
        code,
        acts,
        np.ones((runs, n), dtype=int),
        np.zeros(runs, dtype=int),
        p2,
        np.random.default_rng(3),
    )
    k = plus - minus
    expected = 1 - (1 - p2) ** k
    rate = (out == 1).mean()
    assert rate == pytest.approx(expected, abs=4 * np.sqrt(expected * (1 - expected) / out.size))
    assert set(np.unique(out)) <= {-1, 1}


def test_turnover_replaces_whole_individuals() -> None:
    rng = np.random.default_rng(4)
    beliefs = np.full((300, 50, 30), 1, dtype=np.int8)
    assert np.array_equal(m91.turnover(beliefs, 0.0, rng), beliefs)
    out = m91.turnover(beliefs, 1.0, rng)
    # fresh beliefs are uniform over {-1, 0, 1}
    for v in (-1, 0, 1):
        assert (out == v).mean() == pytest.approx(1 / 3, abs=0.005)
    half = m91.turnover(beliefs, 0.5, rng)
    replaced = np.any(half != 1, axis=-1)  # a fresh row equals all-ones w.p. 3**-30
    assert replaced.mean() == pytest.approx(0.5, abs=0.01)
    assert beliefs.min() == 1  # input untouched


def test_turbulence_flips_reality() -> None:
    rng = np.random.default_rng(5)
    reality = np.ones((1000, 30), dtype=np.int8)
    assert np.array_equal(m91.turbulence(reality, 0.0, rng), reality)
    assert np.all(m91.turbulence(reality, 1.0, rng) == -1)
    assert (m91.turbulence(reality, 0.1, rng) == -1).mean() == pytest.approx(0.1, abs=0.006)


def test_act_follows_beliefs_and_flips_coins_on_zeros() -> None:
    rng = np.random.default_rng(6)
    beliefs = np.zeros((200, 50, 30), dtype=np.int8)
    beliefs[:, :25] = np.int8(-1)
    a = m91.act(beliefs, rng)
    assert np.all(a[:, :25] == -1)
    assert set(np.unique(a[:, 25:])) == {-1, 1}
    assert (a[:, 25:] == 1).mean() == pytest.approx(0.5, abs=0.01)


def test_performance_and_knowledge() -> None:
    reality = np.array([[1, -1, 1, 1]], dtype=np.int8)
    code = np.array([[1, 1, 0, 1]], dtype=np.int8)
    assert m91.performance(code, reality).tolist() == [1]
    acts = np.array([[[1, -1, 1, 1], [-1, 1, -1, -1]]], dtype=np.int8)
    assert m91.performance(acts, reality).tolist() == [[4, -4]]
    assert m91.knowledge(code, reality).tolist() == [0.5]
    assert m91.knowledge(code, reality, "score").tolist() == [0.25]


def test_equilibrium_needs_full_agreement_and_a_code_without_zeros() -> None:
    code = np.array([[1, -1, 1], [1, 0, 1]], dtype=np.int8)
    beliefs = np.repeat(code[:, None, :], 4, axis=1)
    assert m91.at_equilibrium(beliefs, code).tolist() == [True, False]
    beliefs[0, 2, 1] = 0
    assert m91.at_equilibrium(beliefs, code).tolist() == [False, False]


def test_frozen_runs_stay_frozen_and_equilibrium_is_absorbing() -> None:
    rng = np.random.default_rng(7)
    s = m91.initial_state(6, n=20, m=12, p1=0.5, rng=rng)
    # run 0: put it at equilibrium (but not frozen) -- the rules alone must keep it there
    code0 = np.where(rng.random(12) < 0.5, 1, -1).astype(np.int8)
    code = s.code.copy()
    beliefs = s.beliefs.copy()
    code[0] = code0
    beliefs[0] = code0
    # run 1: frozen by hand far from equilibrium (non-zero code, random beliefs) -- the freeze
    # alone must keep it
    code[1] = -code0
    frozen = np.zeros(6, dtype=bool)
    frozen[1] = True
    s = m91.MarchState(s.reality, code, beliefs, s.p1, frozen, 0, np.full(6, -1))
    b1, c1 = s.beliefs[1].copy(), s.code[1].copy()
    for _ in range(40):
        s = m91.step(s, p2=0.9, rng=rng, freeze=False)
        assert np.array_equal(s.beliefs[0], np.broadcast_to(code0, (20, 12)))
        assert np.array_equal(s.code[0], code0)
        assert np.array_equal(s.beliefs[1], b1) and np.array_equal(s.code[1], c1)
    assert s.frozen.tolist() == [False, True, False, False, False, False]
    # with freeze on, run 0 freezes at once and stays frozen; others keep moving
    s = m91.step(s, p2=0.9, rng=rng)
    assert s.frozen[0] and s.equilibrium_period[0] == 41
    for _ in range(400):
        before = s.frozen.copy()
        s = m91.step(s, p2=0.9, rng=rng)
        assert np.all(s.frozen[before])
    assert s.frozen.all()  # p1 = 0.5, p2 = 0.9: every run reaches equilibrium quickly


def test_turnover_never_freezes_and_turbulence_still_moves_frozen_reality() -> None:
    rng = np.random.default_rng(8)
    s = m91.initial_state(20, n=10, m=10, p1=0.9, rng=rng)
    for _ in range(200):
        s = m91.step(s, p2=0.9, p3=0.05, rng=rng)
    assert not s.frozen.any()
    s2 = m91.initial_state(20, n=10, m=10, p1=0.9, rng=rng)
    for _ in range(200):
        s2 = m91.step(s2, p2=0.9, rng=rng)
    assert s2.frozen.all()
    code, reality = s2.code.copy(), s2.reality.copy()
    for _ in range(50):
        s2 = m91.step(s2, p2=0.9, p4=0.05, rng=rng)
    assert np.array_equal(s2.code, code)
    assert not np.array_equal(s2.reality, reality)


def test_individual_p1_mixture() -> None:
    v = m91.individual_p1(0.5, 50, fast_fraction=0.2, p1_fast=0.9, p1_slow=0.1)
    assert (v == 0.9).sum() == 10 and (v == 0.1).sum() == 40
    assert np.all(m91.individual_p1(0.3, 5) == 0.3)
    with pytest.raises(ValueError):
        m91.individual_p1(0.5, 50, fast_fraction=0.5)


def test_seeded_runs_are_reproducible_and_simulate_shape() -> None:
    a = m91.equilibrium_knowledge(0.5, 0.5, runs=10, rng=11)
    b = m91.equilibrium_knowledge(0.5, 0.5, runs=10, rng=np.random.default_rng(11))
    assert a == b
    df = m91.simulate(
        0.5, 0.5, runs=10, periods=30, rng=1, fast_fraction=0.5, p1_fast=0.9, p1_slow=0.1
    )
    assert len(df) == 31 and df.period.tolist() == list(range(31))
    assert {
        "code_knowledge",
        "code_knowledge_se",
        "individual_knowledge",
        "individual_knowledge_se",
        "fast_knowledge",
        "slow_knowledge",
    } <= set(df.columns)
    assert df.code_knowledge.iloc[0] == 0.0  # the code starts neutral
    assert df.individual_knowledge.iloc[0] == pytest.approx(1 / 3, abs=0.03)


# ---------------------------------------------------------------------------------------------
# March (1991): validation against the published results
# ---------------------------------------------------------------------------------------------


def test_march_slow_socialisation_beats_fast_at_high_p2() -> None:
    """March Figure 1, p2 = 0.9, 80 runs: score about 0.97 for p1 = 0.1, about 0.73 for p1 = 0.9.

    Welch t-test over runs, one-sided, must reject equality at p < 0.01.
    """
    slow = m91.equilibrium_knowledge_runs(0.1, 0.9, runs=80, rng=101)
    fast = m91.equilibrium_knowledge_runs(0.9, 0.9, runs=80, rng=102)
    t = stats.ttest_ind(slow, fast, equal_var=False, alternative="greater")
    assert t.pvalue < 0.01
    assert slow.mean() >= 0.95 and fast.mean() <= 0.92  # fractions correct
    # the quantity plotted by March (correct minus incorrect) / m, per Christensen (2015)
    slow_s = 2 * slow - 1
    fast_s = 2 * fast - 1
    assert slow_s.mean() > 0.9
    assert 0.62 < fast_s.mean() < 0.82


def test_march_knowledge_rises_with_code_learning_rate() -> None:
    low = m91.equilibrium_knowledge_runs(0.1, 0.1, runs=80, rng=103)
    high = m91.equilibrium_knowledge_runs(0.1, 0.9, runs=80, rng=104)
    assert stats.ttest_ind(high, low, equal_var=False, alternative="greater").pvalue < 0.01


def test_march_moderate_turnover_helps_fast_socialisation() -> None:
    """March turnover (qualitative): with p1 = 0.9, p2 = 0.5, turnover p3 = 0.1 beats p3 = 0."""
    none = m91.equilibrium_knowledge_runs(0.9, 0.5, p3=0.0, runs=80, rng=105, max_periods=100)
    some = m91.equilibrium_knowledge_runs(0.9, 0.5, p3=0.1, runs=80, rng=106, max_periods=100)
    assert stats.ttest_ind(some, none, equal_var=False, alternative="greater").pvalue < 0.01


def test_march_turbulence_erodes_knowledge_without_turnover() -> None:
    """March turbulence (qualitative): p4 = 0.02 decays knowledge; turnover sustains it."""
    calm = m91.simulate(0.5, 0.5, p4=0.02, runs=80, periods=300, rng=107)
    churn = m91.simulate(0.5, 0.5, p3=0.1, p4=0.02, runs=80, periods=300, rng=108)
    peak = calm.code_knowledge.max()
    late = calm.code_knowledge.iloc[-50:].mean()
    assert peak > 0.65 and late < 0.58 and late < peak - 0.1
    assert churn.code_knowledge.iloc[-50:].mean() > late + 0.15


def test_march_mixed_learners_beat_homogeneous_average() -> None:
    """Heterogeneity: half fast (0.9) half slow (0.1) beats everyone at the average p1 = 0.5."""
    mixed = m91.equilibrium_knowledge_runs(
        0.5, 0.5, runs=80, rng=109, fast_fraction=0.5, p1_fast=0.9, p1_slow=0.1
    )
    homog = m91.equilibrium_knowledge_runs(0.5, 0.5, runs=80, rng=110)
    assert stats.ttest_ind(mixed, homog, equal_var=False, alternative="greater").pvalue < 0.01


# ---------------------------------------------------------------------------------------------
# Bass (1969)
# ---------------------------------------------------------------------------------------------


def test_bass_closed_form() -> None:
    p, q = bass.SFL_P, bass.SFL_Q
    t = np.linspace(0, 40, 4001)
    f = bass.bass_cdf(t, p, q)
    assert f[0] == 0.0 and f[-1] == pytest.approx(1.0, abs=1e-5)
    assert np.all(np.diff(f) > 0)
    # it solves dF/dt = (1 - F)(p + q F)
    dfdt = np.gradient(f, t)
    assert np.max(np.abs(dfdt - (1 - f) * (p + q * f))) < 1e-4
    # q = 0: pure innovation, 1 - exp(-p t)
    assert bass.bass_cdf(10.0, 0.1, 0.0) == pytest.approx(1 - np.exp(-1.0))


def test_bass_agents_use_the_main_models_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []

    def spy(*args: object, **kwargs: object) -> np.ndarray:
        calls.append(kwargs.get("dt"))
        return adoption.adopt_step(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(bass, "adopt_step", spy)
    times, frac = bass.simulate_agents(500, 0.03, 0.38, 5.0, 0.5, rng=1)
    assert len(calls) == 10 and set(calls) == {0.5}
    assert times.tolist() == pytest.approx(np.arange(11) * 0.5)
    assert frac[0] == 0.0 and np.all(np.diff(frac) >= 0)


def test_bass_time_step_bias_is_first_order() -> None:
    gaps = {}
    for dt in (0.2, 0.1, 0.05):
        t, f = bass.bass_discrete(0.03, 0.38, 30.0, dt)
        gaps[dt] = np.max(np.abs(f - bass.bass_cdf(t, 0.03, 0.38)))
    assert gaps[0.2] / gaps[0.1] == pytest.approx(2.0, rel=0.05)
    assert gaps[0.1] / gaps[0.05] == pytest.approx(2.0, rel=0.05)
    assert gaps[0.05] < 0.006


def test_bass_agents_converge_to_closed_form() -> None:
    """n = 10,000, 8 runs, dt = 0.05: max gap < 0.02.

    Tolerance: the time-step bias at dt = 0.05 is 0.0056 (deterministic, see the recursion);
    over 20 seeds the max gap of 8 runs averaged 0.0072 with standard deviation 0.0033 and a
    maximum of 0.0145, so 0.02 is the bias plus about four standard deviations of sampling noise.
    The agent mean must also track the time-step recursion more closely than the tolerance.
    """
    times, frac = bass.simulate_agents_batch(10_000, 0.03, 0.38, 30.0, 0.05, 8, rng=1969)
    mean = frac.mean(axis=0)
    assert np.max(np.abs(mean - bass.bass_cdf(times, 0.03, 0.38))) < 0.02
    _, rec = bass.bass_discrete(0.03, 0.38, 30.0, 0.05)
    assert np.max(np.abs(mean - rec)) < 0.015
    # a coarse step must show its bias: dt = 1 is off by about 0.1
    assert bass.max_gap(10_000, 0.03, 0.38, 30.0, 1.0, 8, rng=1) > 0.07


# ---------------------------------------------------------------------------------------------
# Granovetter (1978)
# ---------------------------------------------------------------------------------------------


def test_granovetter_riot_example_exactly() -> None:
    base = granovetter.riot_thresholds()
    pert = granovetter.riot_thresholds(perturbed=True)
    for f in (granovetter.cascade, granovetter.cascade_fixed_point, granovetter.cascade_agents):
        assert f(base) == 100
        assert f(pert) == 1


@settings(max_examples=80, deadline=None)
@given(st.lists(st.integers(0, 25), min_size=2, max_size=25))
def test_granovetter_implementations_agree(thr: list[int]) -> None:
    t = np.array(thr, dtype=float)
    expected = granovetter.cascade(t)
    assert granovetter.cascade_fixed_point(t) == expected
    assert granovetter.cascade_agents(t, rng=0) == expected
    assert granovetter.cascade(np.random.default_rng(0).permutation(t)) == expected


def test_granovetter_batch_and_agent_version_use_adopt_step(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = np.random.default_rng(9)
    thr = rng.normal(25, 13, size=(300, 100))
    assert np.array_equal(granovetter.cascade(thr), granovetter.cascade_fixed_point(thr))
    calls = []

    def spy(*args: object, **kwargs: object) -> np.ndarray:
        calls.append(1)
        return adoption.adopt_step(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(granovetter, "adopt_step", spy)
    agents = [granovetter.cascade_agents(row) for row in thr[:40]]
    assert agents == granovetter.cascade(thr[:40]).tolist()
    assert calls


def test_granovetter_normal_thresholds_jump_near_critical_sd() -> None:
    """Figure 2: n = 100, mean 25: a small riot below sd about 12.2, near-complete above."""
    crit = granovetter.critical_sd_meanfield(25.0, 100)
    assert crit == pytest.approx(12.2, abs=0.1)
    assert granovetter.normal_equilibrium_meanfield(25.0, crit - 0.1) < 10
    assert granovetter.normal_equilibrium_meanfield(25.0, crit + 0.1) > 95
    # finite samples of 100 people: the jump is smoothed but brackets the same place
    means, _ = granovetter.scan_sd(25.0, np.array([10.0, 16.0]), 100, draws=2000, rng=1978)
    assert means[0] < 5 and means[1] > 85
    c = granovetter.critical_sd(25.0, 100, sds=np.arange(11.0, 16.01, 0.25), draws=2000, rng=1)
    assert 12.2 < c < 14.5
