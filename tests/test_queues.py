"""Escalation queues (issue 14 item 4): the fluid FIFO queue per manager, and where queues form.

Model tests are over 10 paired replicates (common seeds) with a one-sided paired t-test
(``scipy.stats.ttest_rel``) at alpha = 0.01; the queue formulas are checked by hypothesis.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from sim.mechanisms import escalation
from tests.conftest import column, paired, small

ALPHA = 0.01
_q = st.floats(0.0, 200.0, allow_nan=False, allow_infinity=False)
_cap = st.floats(0.5, 50.0, allow_nan=False, allow_infinity=False)


@settings(max_examples=300, deadline=None)
@given(b=_q, a=_q, c=_cap, m=st.floats(0.1, 30.0))
def test_queue_conserves_decisions_and_never_goes_negative(b, a, c, m) -> None:
    served, abandoned, after = escalation.serve_week(np.array([b]), np.array([a]), np.array([c]), m)
    # conservation: arrivals = served + abandoned + backlog change
    assert np.isclose(a, served[0] + abandoned[0] + (after[0] - b), atol=1e-9 * (1 + a + b))
    assert served[0] >= 0 and abandoned[0] >= 0 and after[0] >= 0
    assert served[0] <= c + 1e-12  # never more than capacity
    assert after[0] <= c * m + 1e-9  # nobody waits past the cap
    if b + a <= c:  # everything cleared, nothing carried over
        assert after[0] == 0 and abandoned[0] == 0


@settings(max_examples=300, deadline=None)
@given(b=_q, a=_q, c=_cap)
def test_fifo_wait_lies_between_first_and_last_arrival(b, a, c) -> None:
    w = escalation.fifo_wait_weeks(np.array([b]), np.array([a]), np.array([c]))[0]
    first = b / c  # the first arrival waits behind the whole backlog carried in
    last = max(b + a - c, 0.0) / c  # the last waits behind what is left at the week's end
    assert w >= 0
    assert min(first, last) - 1e-9 <= w <= max(first, last) + 1e-9


def test_fifo_wait_edge_cases() -> None:
    w = escalation.fifo_wait_weeks(np.array([0.0, 0.0, 10.0, 10.0]), np.array([3, 9, 0, 10.0]), 5.0)
    # below capacity with no backlog: no queue; above: half the week's excess on average
    assert w[0] == 0.0 and np.isclose(w[1], (9 - 5) / 2 / 5)
    # a backlog of two weeks' work with nothing new: the mean arrival (none) would wait 1.5 weeks
    assert np.isclose(w[2], (10 - 5 / 2) / 5)
    assert np.isclose(w[3], 10 / 5 + (10 - 5) / 2 / 5)


def test_backlog_carries_over_weeks_until_worked_off() -> None:
    cap = np.array([5.0])
    b = np.zeros(1)
    for a in (12.0, 0.0, 0.0):
        b = escalation.update_backlog(b, np.array([a]), cap)
    assert b.tolist() == [0.0]
    b = escalation.update_backlog(np.zeros(1), np.array([12.0]), cap)
    assert b.tolist() == [7.0]
    assert escalation.update_backlog(b, np.zeros(1), cap).tolist() == [2.0]
    assert escalation.queue_summary(np.array([0.0, 2.0, 3.5])) == (5.5, 2)


def _queues(heads):
    weekly = heads.attrs["weekly"]
    g = weekly.groupby(["scenario", "replicate"])[["decisions_queued", "managers_overloaded"]]
    return g.mean().reset_index()


def _col(t, design, outcome):
    return t[t["scenario"] == design].sort_values("replicate")[outcome].to_numpy(float)


def test_queues_form_in_a_deep_low_authority_hierarchy_and_vanish_with_rights() -> None:
    heads = paired(
        {
            "top": small("command_and_control", culture__decision_rights=0.05),
            "edge": small("command_and_control", culture__decision_rights=0.9),
        }
    )
    q = _queues(heads)
    for outcome in ("decisions_queued", "managers_overloaded"):
        top, edge = _col(q, "top", outcome), _col(q, "edge", outcome)
        assert (top > 0).all(), outcome
        assert edge.mean() < 0.05 * top.mean(), outcome  # nearly vanish
        assert stats.ttest_rel(edge, top, alternative="less").pvalue < ALPHA, outcome


def test_latency_rises_as_manager_capacity_falls() -> None:
    heads = paired(
        {
            f"cap{c}": small(
                "command_and_control",
                culture__decision_rights=0.05,
                organisation__manager_capacity=c,
            )
            for c in (3.0, 12.0)
        }
    )
    few, many = (column(heads, f"cap{c}", "decision_latency_days") for c in (3.0, 12.0))
    assert stats.ttest_rel(many, few, alternative="less").pvalue < ALPHA


@settings(max_examples=300, deadline=None)
@given(b1=_q, b2=_q, c=_cap)
def test_adapted_capacity_rises_with_the_backlog_up_to_the_cap(b1, b2, c) -> None:
    lo, hi = sorted((b1, b2))
    cap, stretch = escalation.adapted_capacity(np.array([c, c]), np.array([lo, hi]))
    p = escalation.DEFAULT_DECISIONS
    assert c - 1e-9 <= cap[0] <= cap[1] + 1e-9 <= c * (1 + p.overtime_cap) + 2e-9
    assert 0.0 <= stretch[0] <= stretch[1] <= p.overtime_cap
    assert np.all(escalation.overtime_workload(stretch) >= 0.0)


def test_adaptation_edge_cases_and_a_smooth_wait() -> None:
    p = escalation.DEFAULT_DECISIONS
    cap, s = escalation.adapted_capacity(np.array([6.0, 6.0, 0.0]), np.array([0.0, 3.0, 4.0]))
    assert s[0] == 0.0 and cap[0] == 6.0  # no backlog: the planned capacity
    assert np.isclose(s[1], p.overtime_cap / 2)  # half a week's pile: half the overtime
    assert cap[2] == 0.0 and s[2] == 0.0  # nobody to clear it
    # steady state of a constant load a: the wait rises smoothly (no jump just above capacity)
    waits = []
    for a in (5.0, 6.5, 8.0, 10.0, 14.0):
        b = np.zeros(1)
        for _ in range(400):
            c_eff, _ = escalation.adapted_capacity(np.array([6.0]), b)
            w = escalation.fifo_wait_weeks(b, np.array([a]), c_eff)[0]
            b = escalation.update_backlog(b, np.array([a]), c_eff)
        waits.append(7 * w)
    assert waits[0] == 0.0 and all(x < y for x, y in zip(waits, waits[1:]))
    assert waits[1] < 1.0 and waits[3] < 7.0  # days at 1.1x and 1.7x capacity, not weeks
