"""Decision rights and escalation latency.

Seeds 001 ("the customer ... has to wait for a decision (because an employee asks the line manager
and the answer is delayed) ... goes straight to the competition") and 004 ("a customer needs to talk
to 5 different departments"). Published analogue: exception handling in the Virtual Design Team
model (Jin & Levitt 1996) and Galbraith's (1974) information-processing view: exceptions above a
position's authority climb the hierarchy and queue at each manager.

An issue that needs a decision of severity ``s`` is decided by the first position on the handler's
primary line (the handler first) whose authority is at least ``s``. Each hop adds a hand-over time
plus the wait in that manager's queue; in a matrix, a decision also needs the second line's
sign-off, adding one more queue.

Each manager's queue is a deterministic fluid queue, first in first out, that is part of the
state: ``backlog`` decisions carried in from last week wait ahead of this week's arrivals, which
come spread evenly over the week; the manager clears ``capacity`` a week while anything waits, and
what is not cleared carries over to next week. A decision that would wait longer than
``p.max_wait_days`` is settled some other way (the customer is told no, or has gone) and leaves the
queue (``abandoned``). Conservation: ``arrivals = served + abandoned + (backlog_after - backlog)``.

Managers adapt to a backlog (``adapted_capacity``): seeing the pile carried in from last week,
they work longer on it, up to ``p.overtime_cap`` times their planned capacity more, half of that
once the pile is ``p.overtime_half_backlog`` weeks of planned work. The extra hours raise their
workload (``overtime_workload``), so morale and quits pay for it through the people mechanisms.
At rest the backlog then settles where arrivals = adapted capacity: the wait rises smoothly with
load from capacity to ``(1 + overtime_cap) x capacity`` instead of jumping to the cap just above
capacity, as a fluid queue with a fixed capacity does.
"""

from __future__ import annotations

import numpy as np

from sim.coefficients.decisions import DEFAULT_DECISIONS, Decisions

DAYS_PER_WEEK = 7.0  # unit conversion: a week of queueing is 7 days on the customer's clock
#: The schema defaults, used when a caller (a unit test) passes no coefficients; the model passes
#: the scenario's ``decisions`` section every week.


def effective_authority(
    base_authority: np.ndarray, decision_rights: float, *, p: Decisions = DEFAULT_DECISIONS
) -> np.ndarray:
    """Authority after the decision-rights dial moves decisions down the line.

    ``decision_rights`` = 0 leaves the structure's base authority; 1 lets every position decide
    almost anything (up to ``p.rights_reach`` severity) for the customer in front of them.
    """
    return base_authority + (1.0 - base_authority) * p.rights_reach * decision_rights


def deciding_hop(
    severity: np.ndarray, chain_authority: np.ndarray, chain_valid: np.ndarray
) -> np.ndarray:
    """Index along the chain (0 = handler) of the first position allowed to decide.

    Args:
        severity: (k,) issue severities.
        chain_authority: (k, L) authority of handler (column 0) and ancestors.
        chain_valid: (k, L) bool, False where the chain has ended.

    Returns:
        (k,) hop index; the last valid position (the top) decides when nobody else may.
    """
    ok = (chain_authority >= severity[:, None]) & chain_valid
    last = chain_valid.sum(axis=1) - 1
    first = np.where(ok.any(axis=1), ok.argmax(axis=1), last)
    return first


def fifo_wait_weeks(backlog: np.ndarray, arrivals: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """Mean FIFO wait (weeks) of this week's arrivals at each queue (deterministic fluid queue).

    An arrival at fraction ``u`` of the week finds ``q(u) = max(backlog + (arrivals - capacity) u,
    0)`` decisions ahead of it and waits ``q(u) / capacity`` weeks; this is the mean over ``u`` in
    [0, 1]. It lies between ``min(q(0), q(1)) / capacity`` and ``max(q(0), q(1)) / capacity`` (the
    first and the last arrival of the week).
    """
    b = np.maximum(backlog, 0.0)
    a = np.maximum(arrivals, 0.0)
    c = np.maximum(capacity, 1e-9)
    drain = c - a  # > 0: the queue shrinks during the week
    # the queue empties at u* = b / drain when that falls inside the week
    empties = (drain > 0) & (b < drain)
    mean_q = np.where(
        empties, b * b / (2.0 * np.where(empties, drain, 1.0)), np.maximum(b - drain / 2.0, 0.0)
    )
    return mean_q / c


def serve_week(
    backlog: np.ndarray, arrivals: np.ndarray, capacity: np.ndarray, max_wait_weeks: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A week's work at each queue: (served, abandoned, backlog after).

    The queue clears up to ``capacity``; of what is left, anything beyond ``max_wait_weeks`` of
    capacity would wait past the cap and is settled some other way (abandoned).
    """
    b = np.maximum(backlog, 0.0)
    total = b + np.maximum(arrivals, 0.0)
    cap = np.maximum(capacity, 0.0)
    served = np.minimum(total, cap)
    left = total - served
    after = np.minimum(left, cap * max_wait_weeks)
    return served, left - after, after


def route_escalations(
    handler: np.ndarray,
    severity: np.ndarray,
    authority: np.ndarray,
    ancestors: np.ndarray,
    second_manager: np.ndarray,
    backlog: np.ndarray,
    capacity: np.ndarray,
    hop_days: float,
    *,
    p: Decisions = DEFAULT_DECISIONS,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Route this week's decisions and return their latency.

    Args:
        handler: (k,) position handling each issue.
        severity: (k,) severity of the decision each issue needs.
        authority: (n,) effective authority per position.
        ancestors: (n, D) primary-line ancestors (-1 padded).
        second_manager: (n,) second reporting line or -1.
        backlog: (n,) decisions already waiting at each position (carried from last week).
        capacity: (n,) decisions each position clears per week (vacant managers clear fewer).
        hop_days: hand-over days per hop.
        p: the decisions coefficients (edge decision time, latency cap).

    Returns:
        latency_days (k,), hops (k,), and the arrivals (n,) this week's escalations put on each
        position's queue (for ``serve_week``). Each hop costs ``hop_days`` plus the mean FIFO
        wait of this week's arrivals at that manager (``fifo_wait_weeks``, in days); all hops of
        an issue are taken as queued in the same week.
    """
    n = authority.shape[0]
    k = handler.shape[0]
    if k == 0:
        return np.zeros(0), np.zeros(0, dtype=np.int64), np.zeros(n)
    chain = np.concatenate([handler[:, None], ancestors[handler]], axis=1)
    valid = chain >= 0
    chain_auth = np.where(valid, authority[np.maximum(chain, 0)], -1.0)
    hop = deciding_hop(severity, chain_auth, valid)
    # every manager strictly above the handler and up to the decider handles the issue
    cols = np.arange(chain.shape[1])[None, :]
    passes = (cols >= 1) & (cols <= hop[:, None]) & valid
    load = np.bincount(chain[passes], minlength=n).astype(float)
    sm = second_manager[handler]
    needs_second = (hop >= 1) & (sm >= 0)
    load += np.bincount(sm[needs_second], minlength=n)
    wait = DAYS_PER_WEEK * fifo_wait_weeks(backlog, load, capacity)
    wait_on_chain = np.where(passes, wait[np.maximum(chain, 0)] + hop_days, 0.0).sum(axis=1)
    wait_on_chain += np.where(needs_second, wait[np.maximum(sm, 0)] + hop_days, 0.0)
    latency = np.where(hop == 0, p.edge_decision_days, wait_on_chain)
    return np.minimum(latency, p.max_wait_days), hop, load


def update_backlog(
    backlog: np.ndarray,
    load: np.ndarray,
    capacity: np.ndarray,
    *,
    p: Decisions = DEFAULT_DECISIONS,
) -> np.ndarray:
    """Decisions left waiting after a week of work at each position (``serve_week``)."""
    return serve_week(backlog, load, capacity, p.max_wait_days / DAYS_PER_WEEK)[2]


def queue_summary(backlog: np.ndarray) -> tuple[float, int]:
    """(decisions waiting in managers' queues, managers carrying a backlog into next week)."""
    return float(backlog.sum()), int(np.count_nonzero(backlog > 0))


def first_contact_probability(
    skill: np.ndarray,
    knowhow: np.ndarray,
    quality: float,
    facts: np.ndarray,
    *,
    p: Decisions = DEFAULT_DECISIONS,
) -> np.ndarray:
    """Chance the handler has what it takes to settle an issue on first contact.

    Skill and know-how (how well one's practice fits what works now), the quality of the service
    processes, and whether the facts are at hand (in the CRM or from the other unit).
    """
    return np.clip(
        p.fcr_base
        + p.fcr_skill_weight * skill * knowhow
        + p.fcr_quality_weight * quality
        + p.fcr_facts_weight * facts,
        0.0,
        1.0,
    )


def resolution_days(
    opened: np.ndarray,
    escalated: np.ndarray,
    latency: np.ndarray,
    info_ok: np.ndarray,
    *,
    p: Decisions = DEFAULT_DECISIONS,
) -> np.ndarray:
    """Days until each newly opened issue is settled.

    A call-back takes ``p.callback_days``; an escalated decision takes its latency, plus
    ``p.missing_facts_days`` when the facts were missing too.
    """
    days = np.where(opened, p.callback_days, 0.0)
    days[escalated] = latency + np.where(info_ok[escalated], 0.0, p.missing_facts_days)
    return days


def mean_decision_days(
    n_edge: int, latency: np.ndarray, *, p: Decisions = DEFAULT_DECISIONS
) -> float:
    """Mean days to a decision over this week's decisions (edge and escalated); NaN if none."""
    n = n_edge + latency.shape[0]
    return float((n_edge * p.edge_decision_days + latency.sum()) / n) if n else float("nan")


def adapted_capacity(
    capacity: np.ndarray, backlog: np.ndarray, *, p: Decisions = DEFAULT_DECISIONS
) -> tuple[np.ndarray, np.ndarray]:
    """Decisions each position clears this week after adapting to its backlog: (capacity, stretch).

    ``stretch = overtime_cap * x / (x + overtime_half_backlog)`` with ``x`` the backlog carried in,
    in weeks of planned capacity: 0 with no backlog, half the cap at ``overtime_half_backlog``
    weeks, never above the cap. The position clears ``capacity * (1 + stretch)``.
    """
    c = np.maximum(capacity, 0.0)
    x = np.maximum(backlog, 0.0) / np.maximum(c, 1e-9)
    x = np.where(c > 0, x, 0.0)
    stretch = p.overtime_cap * x / (x + max(p.overtime_half_backlog, 1e-9))
    return c * (1.0 + stretch), stretch


def overtime_workload(stretch: np.ndarray, *, p: Decisions = DEFAULT_DECISIONS) -> np.ndarray:
    """Extra workload (share of the planned week) of a manager working ``stretch`` longer on
    escalations: ``stretch x p.escalation_time_share``."""
    return np.maximum(stretch, 0.0) * p.escalation_time_share


def manager_capacity(
    capacity: float,
    filled: np.ndarray,
    *,
    p: Decisions = DEFAULT_DECISIONS,
    fte: np.ndarray | None = None,
) -> np.ndarray:
    """Decisions each position clears per week; an acting cover for a vacancy clears
    ``p.vacant_manager_capacity`` of it; a part-time position (``fte`` < 1, imported charts)
    clears ``fte`` times as many (assumption: decision time is proportional to hours worked)."""
    out = capacity * np.where(filled, 1.0, p.vacant_manager_capacity)
    return out if fte is None else out * fte
