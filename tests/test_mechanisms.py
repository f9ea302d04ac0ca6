"""Unit tests of the mechanisms: each rule in isolation, invariants and edge cases."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.coefficients.decisions import DEFAULT_DECISIONS
from sim.mechanisms import (
    adoption,
    change_programme,
    crm_records,
    customers,
    economics,
    escalation,
    incentives,
    leadership,
    learning,
    people,
    silos,
)


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


# --- adoption ---------------------------------------------------------------------------
def test_threshold_rule_adopts_with_certainty_at_threshold() -> None:
    p = adoption.adoption_probability(0.0, 0.0, np.array([0.29, 0.3, 0.9]), 0.3)
    assert p.tolist() == [0.0, 1.0, 1.0]


def test_bass_hazard_without_thresholds() -> None:
    p = adoption.adoption_probability(0.03, 0.38, np.array([0.0, 0.5]), np.inf, dt=1.0)
    assert p == pytest.approx([1 - np.exp(-0.03), 1 - np.exp(-(0.03 + 0.19))])


def test_adopters_stay_adopters_and_streams_stay_aligned() -> None:
    adopted = np.array([True, False, False, True])
    r1, r2 = rng(5), rng(5)
    new = adoption.adopt_step(adopted, 0.0, 0.0, np.zeros(4), np.inf, rng=r1)
    assert new.tolist() == adopted.tolist()
    r2.random(4)
    assert r1.random() == r2.random()  # one draw per person whatever the state


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(0, 1), min_size=1, max_size=20), st.floats(0, 1), st.floats(0, 2))
def test_intention_is_a_probability(vals: list[float], f: float, aff: float) -> None:
    x = np.array(vals)
    i = adoption.intention(x, x, x, f, x, urgency=f, affinity=aff - 1)
    assert ((i >= 0) & (i <= 1)).all()


def test_usage_decays_towards_intention_after_reinforcement_and_slower_when_anchored() -> None:
    usage = np.array([0.9, 0.9])
    adopted = np.array([True, True])
    intent = np.array([0.3, 0.3])
    kw = {"habit_decay": 0.1, "training": 0.5}
    u_free, _ = adoption.update_usage(
        usage, adopted, intent, reinforcing=False, anchored=False, **kw
    )
    u_anch, _ = adoption.update_usage(
        usage, adopted, intent, reinforcing=False, anchored=True, **kw
    )
    u_reinf, _ = adoption.update_usage(
        usage, adopted, intent, reinforcing=True, anchored=False, **kw
    )
    assert u_free[0] < u_anch[0] < 0.9
    assert u_reinf[0] >= u_free[0]


def test_usage_dropouts_lose_adopter_status() -> None:
    u, a = adoption.update_usage(
        np.array([0.06]),
        np.array([True]),
        np.array([0.0]),
        reinforcing=False,
        anchored=False,
        habit_decay=0.9,
        training=0.0,
    )
    assert not a[0] and u[0] == 0.0


# --- escalation -----------------------------------------------------------------------
def test_effective_authority_monotone_in_decision_rights() -> None:
    base = np.array([0.0, 0.5, 1.0])
    lo = escalation.effective_authority(base, 0.0)
    hi = escalation.effective_authority(base, 1.0)
    assert (hi >= lo).all() and lo.tolist() == base.tolist() and hi[2] == 1.0


def _chain() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    # 0 <- 1 <- 2 (top); handler is 0
    manager = np.array([1, 2, -1])
    ancestors = np.array([[1, 2], [2, -1], [-1, -1]])
    authority = np.array([0.2, 0.5, 1.0])
    return manager, ancestors, authority


def test_decision_goes_to_first_position_with_enough_authority() -> None:
    _, anc, auth = _chain()
    latency, hops, load = escalation.route_escalations(
        np.array([0, 0, 0]),
        np.array([0.1, 0.4, 0.9]),
        auth,
        anc,
        np.full(3, -1),
        np.zeros(3),
        np.full(3, 10.0),
        hop_days=1.0,
    )
    assert hops.tolist() == [0, 1, 2]
    assert latency[0] == DEFAULT_DECISIONS.edge_decision_days
    assert latency[1] < latency[2]
    assert load.tolist() == [0.0, 2.0, 1.0]


def test_backlog_lengthens_the_wait_and_clears_with_capacity() -> None:
    _, anc, auth = _chain()
    args = (np.array([0]), np.array([0.4]), auth, anc, np.full(3, -1))
    quiet, _, _ = escalation.route_escalations(*args, np.zeros(3), np.full(3, 5.0), 1.0)
    busy, _, _ = escalation.route_escalations(*args, np.array([0, 20.0, 0]), np.full(3, 5.0), 1.0)
    assert busy[0] > quiet[0]
    b = escalation.update_backlog(np.array([0, 20.0, 0]), np.array([0, 3.0, 0]), np.full(3, 5.0))
    assert b.tolist() == [0.0, 18.0, 0.0]


def test_second_line_adds_a_sign_off() -> None:
    _, anc, auth = _chain()
    common = (np.array([0]), np.array([0.4]), auth, anc)
    one, _, _ = escalation.route_escalations(
        *common, np.full(3, -1), np.zeros(3), np.full(3, 5.0), 1.0
    )
    two, _, load = escalation.route_escalations(
        *common, np.array([2, -1, -1]), np.zeros(3), np.full(3, 5.0), 1.0
    )
    assert two[0] > one[0] and load[2] == 1.0


def test_no_escalations_is_fine() -> None:
    _, anc, auth = _chain()
    lat, hops, load = escalation.route_escalations(
        np.zeros(0, dtype=int),
        np.zeros(0),
        auth,
        anc,
        np.full(3, -1),
        np.zeros(3),
        np.ones(3),
        1.0,
    )
    assert lat.size == 0 and load.sum() == 0


# --- silos, CRM records, incentives ----------------------------------------------------
def test_permeability_grows_with_sharing_ties_and_shared_unit() -> None:
    same = np.array([False, False, True])
    tie = np.array([False, True, False])
    lo = silos.permeability(0.1, same, tie, 0.05)
    hi = silos.permeability(0.9, same, tie, 0.05)
    assert (hi > lo).all()
    assert lo[1] > lo[0] and lo[2] > lo[0]


def test_crm_channel_lets_sales_know_what_service_logged() -> None:
    n = 20000
    perm = np.zeros(n)
    knows_no_crm = silos.knows_probability(perm, np.zeros(n), np.ones(n), np.ones(n))
    knows_crm = silos.knows_probability(perm, np.ones(n), np.ones(n), np.ones(n))
    assert (knows_no_crm == 0).all() and (knows_crm == 1).all()
    half = silos.knows_probability(np.full(n, 0.5), np.ones(n), np.full(n, 0.5), np.ones(n))
    assert np.allclose(half, 0.75)  # either channel: 1 - (1 - 0.5)(1 - 0.5)


def test_records_decay_without_logging_and_improve_with_it() -> None:
    rec = np.full(4, 0.5)
    touched = np.array([True, True, False, False])
    usage = np.array([1.0, 0.0, 1.0, 0.0])
    new, logged = crm_records.log_interactions(crm_records.decay(rec), touched, usage, rng=rng())
    assert logged.tolist() == [True, False, False, False]
    assert new[0] > 0.5 > new[1] == new[2] == new[3]


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 60))
def test_logging_at_indices_equals_logging_by_mask(seed: int, m: int) -> None:
    """The index form used in the model draws and logs exactly as the mask form."""
    g = np.random.default_rng(seed)
    rec = g.random(m)
    touched = g.random(m) < 0.3
    usage = g.random(m)
    want, logged = crm_records.log_interactions(rec.copy(), touched, usage, rng=rng(seed))
    idx = np.flatnonzero(touched)
    got, logged_at = crm_records.log_interactions_at(rec.copy(), idx, usage[idx], rng=rng(seed))
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(logged_at, logged[idx])


def test_data_quality_counts_active_only_and_duplicates() -> None:
    rec = np.array([1.0, 0.0])
    assert crm_records.data_quality(rec, np.array([True, False]), 0.0) == 1.0
    assert crm_records.data_quality(rec, np.array([True, False]), 0.2) == pytest.approx(0.8)
    assert crm_records.data_quality(rec, np.array([False, False]), 0.0) == 0.0


def test_usefulness_grows_with_what_others_log_and_with_data_use() -> None:
    own = np.array([0.5])
    base = crm_records.perceived_usefulness(0.8, 0.1, own, 0.2, 0.0)
    assert crm_records.perceived_usefulness(0.8, 0.9, own, 0.2, 0.0) > base
    assert crm_records.perceived_usefulness(0.8, 0.1, own, 0.9, 0.0) > base


def test_lifecycle_incentives_shift_effort_to_accounts() -> None:
    acq0, care0 = incentives.effort_split(0.0)
    acq1, care1 = incentives.effort_split(1.0)
    assert acq0 > acq1 and care1 > care0


# --- learning, leadership, people, customers --------------------------------------------
def test_safer_people_report_more_problems() -> None:
    n = 50  # each meets Poisson(encounter_rate) problems; 50 people, 50 problems: no cap binds
    front = np.ones(n, dtype=bool)
    _, low = learning.encounter_and_report(front, np.full(n, 0.1), 50, 0, 50, rng=rng(2))
    _, high = learning.encounter_and_report(front, np.full(n, 0.9), 50, 0, 50, rng=rng(2))
    assert high > low


def test_reports_never_exceed_unreported_problems() -> None:
    front = np.ones(10000, dtype=bool)
    _, rep = learning.encounter_and_report(front, np.ones(10000), 3.0, 1.0, 50, rng=rng())
    assert rep <= 2


def test_responsiveness_fixes_more_and_quality_follows() -> None:
    assert learning.fix_problems(1000, 0.9, rng=rng()) > learning.fix_problems(1000, 0.1, rng=rng())
    assert learning.service_quality(10, 50) > learning.service_quality(40, 50)
    assert learning.fix_problems(0, 1.0, rng=rng()) == 0


def test_socialisation_moves_towards_norm_and_newcomers_faster() -> None:
    trait = np.array([0.0, 0.0])
    out = learning.socialise(trait, np.array([1.0, 1.0]), 0.5, np.array([0, 520]))
    assert 0 < out[1] < out[0] < 1


def test_unit_means_weighted() -> None:
    m = learning.unit_means(np.array([1.0, 3.0, 5.0]), np.array([0, 0, 1]), np.array([1, 0, 1.0]))
    assert m.tolist() == [1.0, 1.0, 5.0]


def test_manager_example_and_commitment() -> None:
    ex = leadership.manager_example(
        np.array([-1, 0, 0]),
        np.array([0.8, 0.0, 0.0]),
        np.array([True, False, False]),
        np.array([True, True, True]),
    )
    assert ex.tolist() == [0.0, 0.8, 0.8]
    moved = leadership.commitment_decisions({"a": 0.2}, commitment=0.0, strength=1.0)
    assert moved["a"] == 0.2
    moved = leadership.commitment_decisions({"a": 0.2}, commitment=1.0, strength=0.5)
    assert moved["a"] == pytest.approx(0.6)


def test_quit_hazard_rises_as_morale_falls() -> None:
    h = people.quit_hazard(np.array([0.9, 0.6, 0.2]), 0.3, np.ones(3, dtype=bool))
    assert h[0] < h[1] < h[2]
    assert h[1] == pytest.approx(-np.log(0.7) / 52)


def test_morale_target_falls_with_overload_and_powerlessness() -> None:
    z = np.zeros(1)
    base = people.morale_target(z, z, z, z)
    assert people.morale_target(z + 0.5, z, z, z) < base
    assert people.morale_target(z, z + 0.5, z, z) < base


def test_only_dissatisfied_customers_complain() -> None:
    n = 10000
    sat = np.where(np.arange(n) % 2 == 0, 0.9, 0.2)
    comp = customers.complaints(np.ones(n, dtype=bool), sat, 0.5, rng=rng())
    assert comp[sat > 0.5].sum() == 0 and comp[sat < 0.5].sum() > 0


def test_churn_hazard_falls_with_satisfaction() -> None:
    n = 200000
    act = np.ones(n, dtype=bool)
    lo = customers.churn(act, np.full(n, 0.2), 0.05, 3.0, rng=rng(1)).mean()
    hi = customers.churn(act, np.full(n, 0.9), 0.05, 3.0, rng=rng(1)).mean()
    assert lo > hi
    assert hi == pytest.approx(customers.weekly_hazard(0.05), rel=0.1)


def test_new_issues_only_for_active_customers_without_one() -> None:
    act = np.array([True, True, False])
    open_ = np.array([False, True, False])
    new, sev = customers.new_issues(act, open_, 1.0, 1.0, rng=rng())
    assert new.tolist() == [True, False, False] and sev[0] > 0 and sev[1:].sum() == 0


def test_beta23_quantile_inverts_the_beta_2_3_cdf() -> None:
    from scipy.special import betaincinv

    u = np.concatenate([rng(5).random(200_000), [0.0, 1e-12, 0.4073, 0.4074, 0.5, 1 - 1e-12]])
    x = customers.beta23_quantile(u)
    assert ((x > 0) & (x < 1)).all()
    # the upper tail is ill-conditioned (the density vanishes at 1): compare x below it, the
    # CDF residual everywhere
    body = u < 1 - 1e-9
    np.testing.assert_allclose(x[body], betaincinv(2.0, 3.0, u[body]), rtol=0, atol=1e-9)
    cdf = x * x * (6 - x * (8 - 3 * x))
    assert np.abs(cdf - u).max() < 1e-12


def test_issue_severity_is_beta_2_3_and_zero_for_information_requests() -> None:
    """KS test at alpha 0.01 against scipy's Beta(2, 3); the share needing a decision."""
    from scipy import stats

    n = 40_000
    act, open_ = np.ones(n, dtype=bool), np.zeros(n, dtype=bool)
    new, sev = customers.new_issues(act, open_, 0.5, 0.4, rng=rng(3))
    assert abs(new.mean() - 0.5) < 0.01
    decide = sev > 0
    assert not (decide & ~new).any()
    assert abs(decide.sum() / new.sum() - 0.4) < 0.015
    assert stats.kstest(sev[decide], stats.beta(2, 3).cdf).pvalue > 0.01


# --- change programme, economics -------------------------------------------------------
def test_skipped_steps_weaken_later_ones() -> None:
    full = change_programme.step_strength("anchor", list(change_programme.KOTTER_STEPS[:-1]), 1.0)
    bare = change_programme.step_strength("anchor", [], 1.0)
    assert full == 1.0 and bare == 0.5
    assert change_programme.step_strength("urgency", [], 0.7) == 0.7
    assert change_programme.due_steps([("vision", 3), ("urgency", 3), ("anchor", 9)], 3) == [
        "vision",
        "urgency",
    ]


def test_roi_definition() -> None:
    assert np.isnan(economics.roi(10.0, 5.0, 0.0))
    assert economics.roi(12.0, 10.0, 1.0) == 2.0
    cost = economics.weekly_staff_cost(np.array([True, False]), np.array([True, True]), 52.0)
    assert cost == 1.0


# --- playbook (March 1991 wired into the main model) ------------------------------------
def test_playbook_socialisation_moves_one_step_towards_a_set_code() -> None:
    from sim.mechanisms import playbook

    beliefs = np.array([[-1, -1, 1, 0]], dtype=np.int8)
    code = np.array([1, 0, 1, -1], dtype=np.int8)
    out = playbook.socialise_fixed(beliefs, code, 1.0, rng=rng())
    assert out.tolist() == [[0, -1, 1, -1]]  # one step; blank code leaves the belief alone
    same = playbook.socialise_fixed(beliefs, code, 0.0, rng=rng())
    assert same.tolist() == beliefs.tolist()


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 12), st.integers(1, 8), st.booleans())
def test_playbook_socialisation_matches_the_elementwise_rule(
    seed: int, n: int, m: int, per_person: bool
) -> None:
    """The index form in the model equals March's rule applied to every belief, draw for draw."""
    from sim.mechanisms import playbook

    g = np.random.default_rng(seed)
    beliefs = g.integers(-1, 2, (n, m)).astype(np.int8)
    code = g.integers(-1, 2, m).astype(np.int8)
    p1 = g.random(n) if per_person else float(g.random())
    u = rng(seed).random((n, m))
    p = np.broadcast_to(np.asarray(p1, dtype=float).reshape(-1, 1), (n, 1))
    move = (code[None, :] != 0) & (beliefs != code[None, :]) & (u < p)
    want = np.where(move, beliefs + np.sign(code[None, :] - beliefs), beliefs)
    got = playbook.socialise_fixed(beliefs, code, p1, rng=rng(seed))
    assert got.dtype == np.int8
    np.testing.assert_array_equal(got, want)


def test_playbook_learns_from_superior_performers_only() -> None:
    from sim.mechanisms import playbook

    m = 30
    reality = np.ones(m, dtype=np.int8)
    code = np.zeros(m, dtype=np.int8)
    beliefs = np.ones((20, m), dtype=np.int8)  # everyone knows what works
    learners = np.ones(20, dtype=bool)
    _, new_code, _ = playbook.playbook_week(
        reality, code, beliefs, learners, 0.0, 1.0, 0.0, rng=rng()
    )
    assert (new_code == 1).all()
    none = np.zeros(20, dtype=bool)  # nobody in post: nothing to learn from
    _, same, _ = playbook.playbook_week(reality, code, beliefs, none, 0.0, 1.0, 0.0, rng=rng())
    assert (same == 0).all()


def test_playbook_learns_from_its_reference_panel_only() -> None:
    """Front-line people outside the panel are socialised but never teach the playbook."""
    from sim.mechanisms import playbook

    m, n = 30, 20
    reality = np.ones(m, dtype=np.int8)
    code = np.zeros(m, dtype=np.int8)
    beliefs = np.ones((n, m), dtype=np.int8)
    learners = np.ones(n, dtype=bool)
    outside = np.zeros(n, dtype=bool)
    _, same, _ = playbook.playbook_week(
        reality, code, beliefs, learners, 0.0, 1.0, 0.0, rng=rng(), panel=outside
    )
    assert (same == 0).all()
    one = outside.copy()
    one[7] = True
    _, learnt, _ = playbook.playbook_week(
        reality, code, beliefs, learners, 0.0, 1.0, 0.0, rng=rng(), panel=one
    )
    assert (learnt == 1).all()


def test_reference_panel_is_spread_and_capped_by_the_front_line() -> None:
    from sim.mechanisms import playbook

    front = np.zeros(1000, dtype=bool)
    front[::2] = True  # 500 front-line positions
    panel = playbook.reference_panel(front, 50)
    assert panel.sum() == 50 and not (panel & ~front).any()
    where = np.flatnonzero(panel)
    assert where[0] == 0 and where[-1] == 998  # spans the whole front line
    assert np.ptp(np.diff(where)) <= 2  # evenly: every tenth front-line position or so
    small = np.zeros(30, dtype=bool)
    small[:12] = True
    np.testing.assert_array_equal(playbook.reference_panel(small, 50), small)


def _settled(n_front: int, seed: int, **kw) -> tuple[float, float]:
    """(code, mean front-line practice) knowledge after settling a fresh front line."""
    import functools

    from sim.coefficients.learning import DEFAULT_LEARNING as lp
    from sim.mechanisms import learning, playbook

    g = rng(seed)
    n = n_front + 10
    reality, code, beliefs = playbook.initial_playbook(30, n, 0.65, 0.6, rng=g)
    front = np.arange(n) >= 10
    p1 = functools.partial(
        learning.playbook_rate, lp.playbook_p1, kw.get("soc", 0.3), newcomer_boost=3.0, p=lp
    )
    r, c, b = playbook.settle_front_line(
        reality,
        code,
        beliefs,
        front,
        g.integers(26, 520, n),
        p1,
        lp.playbook_p2 * kw.get("resp", 0.25),
        0.0063,
        kw.get("p4", 0.0013),
        kw.get("weeks", 780),
        panel_size=50,
        cohort=kw.get("cohort", 2000),
        rng=g,
    )
    return playbook.code_knowledge(c, r), float(playbook.practice_knowledge(b[front], r).mean())


def test_settle_is_pure_and_keeps_managers_beliefs() -> None:
    import functools

    from sim.mechanisms import learning, playbook

    g = rng(4)
    reality, code, beliefs = playbook.initial_playbook(30, 300, 0.65, 0.6, rng=g)
    front = np.arange(300) >= 40
    args = (reality, code, beliefs, front, np.full(300, 100))
    copies = [a.copy() for a in args]
    p1 = functools.partial(learning.playbook_rate, 0.134, 0.3, newcomer_boost=3.0)
    out = playbook.settle_front_line(
        *args, p1, 0.03, 0.006, 0.0013, 200, panel_size=50, cohort=120, rng=rng(5)
    )
    for a, b in zip(args, copies):
        np.testing.assert_array_equal(a, b)  # inputs untouched
    again = playbook.settle_front_line(
        *args, p1, 0.03, 0.006, 0.0013, 200, panel_size=50, cohort=120, rng=rng(5)
    )
    for a, b in zip(out, again):
        np.testing.assert_array_equal(a, b)  # one seed, one result
    np.testing.assert_array_equal(out[2][:40], beliefs[:40])  # managers keep theirs
    # above the cohort, every other front-line row holds a settled cohort row's beliefs
    rows = {tuple(r) for r in out[2][front]}
    assert len(rows) <= 120
    zero = playbook.settle_front_line(
        *args, p1, 0.03, 0.006, 0.0013, 0, panel_size=50, cohort=120, rng=rng(5)
    )
    for a, b in zip(zero, args[:3]):
        np.testing.assert_array_equal(a, b)  # no settling weeks: the initial playbook


def test_settled_playbook_is_above_chance_and_does_not_depend_on_size() -> None:
    """40 replicates per size: code knowledge after settling at command_and_control's rates is
    above 0.6 (one-sample t-tests at 1%) and equal for 60 front-line staff and for 3,000 settled
    on a cohort of 200 within 0.05 (TOST, two one-sided Welch t-tests at 5%): the playbook
    learns from a fixed-size panel, and the followers outside the cohort copy cohort rows."""
    from scipy import stats

    small_ = np.array([_settled(60, s, weeks=520)[0] for s in range(40)])
    large = np.array([_settled(3000, 100 + s, weeks=520, cohort=200)[0] for s in range(40)])
    assert stats.ttest_1samp(small_, 0.6, alternative="greater").pvalue < 0.01
    assert stats.ttest_1samp(large, 0.6, alternative="greater").pvalue < 0.01
    lo = stats.ttest_ind(large + 0.05, small_, equal_var=False, alternative="greater").pvalue
    hi = stats.ttest_ind(large - 0.05, small_, equal_var=False, alternative="less").pvalue
    assert max(lo, hi) < 0.05, (small_.mean(), large.mean())


def test_settled_playbook_rises_with_responsiveness_and_falls_with_turbulence() -> None:
    """March (1991) at rest, 12 paired replicates, one-sided paired t-tests at 1%."""
    from scipy import stats

    base = np.array([_settled(120, s)[0] for s in range(12)])
    deaf = np.array([_settled(120, s, resp=0.0)[0] for s in range(12)])
    turbulent = np.array([_settled(120, s, p4=0.01)[0] for s in range(12)])
    assert stats.ttest_rel(deaf, base, alternative="less").pvalue < 0.01
    assert stats.ttest_rel(turbulent, base, alternative="less").pvalue < 0.01


def test_initial_playbook_knowledge_close_to_requested() -> None:
    from sim.mechanisms import playbook

    reality, code, beliefs = playbook.initial_playbook(3000, 5, 0.65, 0.6, rng=rng(3))
    assert abs(playbook.code_knowledge(code, reality) - 0.65) < 0.03
    assert beliefs.dtype == np.int8 and set(np.unique(beliefs)) <= {-1, 0, 1}


# --- helpers the model composes -------------------------------------------------------------
def test_first_contact_improves_with_skill_knowhow_quality_and_facts() -> None:
    base = escalation.first_contact_probability(
        np.array([0.5]), np.array([1.0]), 0.8, np.array([0.5])
    )
    for args in [
        (0.9, 1.0, 0.8, 0.5),
        (0.5, 1.3, 0.8, 0.5),
        (0.5, 1.0, 1.0, 0.5),
        (0.5, 1.0, 0.8, 1),
    ]:
        better = escalation.first_contact_probability(
            np.array([args[0]]), np.array([args[1]]), args[2], np.array([args[3]])
        )
        assert better > base
    top = escalation.first_contact_probability(np.ones(1), np.full(1, 1.3), 1.0, np.ones(1))
    assert top <= 1.0


def test_resolution_days_and_mean_latency() -> None:
    opened = np.array([True, True, False])
    esc = np.array([1])
    days = escalation.resolution_days(opened, esc, np.array([10.0]), np.array([True, False, True]))
    assert days.tolist() == [3.0, 12.0, 0.0]
    assert escalation.mean_decision_days(3, np.array([10.0])) == pytest.approx((1.5 + 10) / 4)
    assert np.isnan(escalation.mean_decision_days(0, np.zeros(0)))


def test_waiting_costs_satisfaction_and_issues_resolve() -> None:
    waiting = np.array([True, True, False])
    left = np.array([3.0, 20.0, 5.0])
    delta, left2, days, resolved = customers.wait_a_week(waiting, left, np.zeros(3), np.zeros(3))
    assert resolved.tolist() == [True, False, False]
    assert delta[1] < delta[0] and delta[2] == 0
    assert left2.tolist() == [-4.0, 13.0, 5.0] and days.tolist() == [3.0, 7.0, 0.0]


def test_complaint_recovery_depends_on_responsiveness() -> None:
    comp = np.ones(10000, dtype=bool)
    good = customers.complaint_response(comp, 0.9, rng=rng()).mean()
    bad = customers.complaint_response(comp, 0.1, rng=rng()).mean()
    assert good > 0 > bad


def test_crm_insight_raises_upsell_odds() -> None:
    s, o = np.array([0.8]), np.array([0.5])
    blind = silos.upsell_probability(s, o, np.zeros(1), np.ones(1), 1.0)
    informed = silos.upsell_probability(s, o, np.ones(1), np.ones(1), 1.0)
    dead_end = silos.upsell_probability(s, o, np.ones(1), np.ones(1), 0.0)
    assert informed > blind == dead_end


def test_workload_covers_vacancies_and_managers_carry_backlog() -> None:
    wl = people.workload(
        book=np.array([10.0, 10.0, 0.0]),
        reference_book=np.array([10.0, 10.0, 0.0]),
        vacancy_share=np.array([0.0, 0.5, 0.0]),
        busywork=np.zeros(3),
        spike=np.zeros(3),
        front=np.array([True, True, False]),
        backlog=np.array([0.0, 0.0, 10.0]),
        capacity=np.full(3, 10.0),
    )
    assert wl.tolist() == [1.0, 2.0, 1.2]


def test_ease_and_voice_efficacy() -> None:
    skill = np.array([0.5])
    assert adoption.ease_of_use(0.9, 0.5, skill, 0.0, 0.0) > adoption.ease_of_use(
        0.9, 0.5, skill, 1.0, 0.0
    )
    assert learning.voice_efficacy(0.5, 0, 0.0) == 0.5
    assert learning.voice_efficacy(0.5, 10, 10.0) == pytest.approx(0.55)


_unit = st.floats(0.0, 1.0, allow_nan=False)
_quit = st.floats(1e-4, 0.05, allow_nan=False)  # weekly: about 0.5% to 93% a year


@settings(max_examples=60, deadline=None)
@given(norm=_unit, pool=_unit, strength=_unit, h=_quit)
def test_orientation_at_rest_between_pool_and_norm(norm, pool, strength, h) -> None:
    m = learning.orientation_at_rest(norm, pool, strength, h)
    assert min(norm, pool) - 1e-12 <= m <= max(norm, pool) + 1e-12
    # the pool at the norm: nothing to close, the staff sit at the norm
    assert learning.orientation_at_rest(norm, norm, strength, h) == pytest.approx(norm, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(norm=_unit, pool=_unit, s=st.tuples(_unit, _unit), h=_quit)
def test_orientation_at_rest_moves_to_the_norm_with_socialisation(norm, pool, s, h) -> None:
    weak, strong = sorted(s)
    gap_weak = abs(learning.orientation_at_rest(norm, pool, weak, h) - norm)
    gap_strong = abs(learning.orientation_at_rest(norm, pool, strong, h) - norm)
    assert gap_strong <= gap_weak + 1e-12


def test_orientation_at_rest_limits_and_a_cohort_simulation() -> None:
    # no socialisation: the staff are the pool; no turnover: the norm
    assert learning.orientation_at_rest(0.6, 0.3, 0.0, 0.01) == pytest.approx(0.3)
    assert learning.orientation_at_rest(0.6, 0.3, 0.5, 0.0) == pytest.approx(0.6)
    # the gap share against a direct sum over tenures (geometric, to 200 years)
    h, s = 0.006, 0.4
    p = learning.DEFAULT_LEARNING
    k = np.arange(52 * 200)
    r = s * (p.socialise_base + p.socialise_newcomer * np.exp(-k / p.socialise_tenure_weeks))
    d = np.concatenate([[1.0], np.cumprod(1.0 - r)[:-1]])
    direct = float(np.sum(h * (1.0 - h) ** k * d))
    assert learning.socialisation_gap_share(s, h)[0] == pytest.approx(direct, rel=1e-9)
    # more turnover leaves more of the pool's gap
    assert learning.orientation_at_rest(0.6, 0.3, s, 0.02) < learning.orientation_at_rest(
        0.6, 0.3, s, 0.005
    )


def test_orientation_at_rest_by_person_matches_the_closed_form_and_lifts_teams() -> None:
    # one unit, nobody with a manager, one quit chance: the chart's balance is the closed form
    n = 20
    unit, none = np.zeros(n, dtype=np.int64), np.full(n, -1, dtype=np.int64)
    x = learning.orientation_at_rest_by_person(0.5, 0.3, 0.4, np.full(n, 0.006), unit, none)
    assert x == pytest.approx(np.full(n, learning.orientation_at_rest(0.5, 0.3, 0.4, 0.006)))
    # a manager who never quits is socialised fully and lifts the team's norm above that
    mgr = np.zeros(n, dtype=np.int64)
    mgr[0] = -1
    hz = np.full(n, 0.006)
    hz[0] = 0.0
    y = learning.orientation_at_rest_by_person(0.5, 0.3, 0.4, hz, unit, mgr)
    assert y[1:].mean() > x[1:].mean()
    assert y.min() > 0.3 and y.max() < 0.5
