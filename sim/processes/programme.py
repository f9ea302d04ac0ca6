"""Process 1, go-live and change programme: the CRM goes live, scheduled Kotter steps fire.

Also sets what the whole week reads: whether the CRM is live and reinforced, service quality,
who is at work, the share of CRM data used in decisions and the split of sales effort.
Formulas: ``sim.mechanisms.change_programme`` (step strength), ``leadership`` (commitment
decisions), ``escalation`` (authority), ``learning`` (service quality), ``crm_records`` (data
use) and ``incentives`` (effort split).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from sim.mechanisms import (
    change_programme,
    crm_records,
    escalation,
    incentives,
    leadership,
    learning,
    people,
)

if TYPE_CHECKING:
    from sim.processes.context import Context
    from sim.processes.week import Week

NAME = "programme"

#: The culture dials that move with a lag (``state.levers`` names; ``sim.interventions.LEVER_OF``).
DIALS = (
    "decision_rights",
    "information_sharing",
    "incentive_alignment",
    "responsiveness",
    "executive_commitment",
    "executive_support",
    "psychological_safety",
    "orientation_norm",
    "socialisation",
    "supportive_leadership",
)


@dataclass
class DialChanges:
    """Culture changes under way in a run (ODD 6.1, "Costs and lags of culture change").

    Attributes:
        target: Dial -> the value it is moving to (dials still on their way only).
        spend: Money of interventions made since the last week started, booked as investment
            at the start of the next week.
        paid: All the money of interventions and restructuring queued so far in the run
            (culture changes and a design's restructuring; programme steps not included).
        away: ``(first week, week after the last, share of front-line time away)`` of each
            change's training time.
        log: One row per week: the week (results row), each dial in force that week and the
            share of front-line time away.
    """

    target: dict[str, float] = field(default_factory=dict)
    spend: list[float] = field(default_factory=list)
    paid: float = 0.0
    away: list[tuple[int, int, float]] = field(default_factory=list)
    log: list[dict[str, float]] = field(default_factory=list)


def sort_styles(ctx: Context) -> None:
    """Managers whose kept style uniform (``Employees.style``) is below the supportive-leadership
    share in force coach, the others direct: the same managers stay supportive as the share
    rises, the least supportive stop first as it falls (no new random numbers; ODD 8.G, 8.I)."""
    e = ctx.state.emp
    e.supportive = e.leader & (e.style < ctx.state.levers.supportive_leadership)


def move_dial(ctx: Context, lever: str, new: float, *, pay: bool, money: bool) -> None:
    """Start moving ``lever`` to ``new``: at once with a half-life of 0, else with a lag.

    The size of the move is the change of the dial's target (its value when none is pending).
    With ``pay``, the affected people's time away is scheduled (front-line dials only: the
    leaders' dials, the share of coaching managers among them, take managers' time, not
    modelled; their cost counts the managers only) and, with ``money`` too, the cost is
    queued as investment (``change_programme.change_cost``). The no-change twin pays for
    the interventions it shares (``OrgModel.pays_for_change``).
    """
    st, cp, ch = ctx.state, ctx.scenario.change_programme, ctx.changes
    lv, e = st.levers, st.emp
    moved = new - ch.target.get(lever, getattr(lv, lever))
    if change_programme.half_life(lever, p=cp) <= 0:
        changed = new != getattr(lv, lever)
        setattr(lv, lever, new)
        ch.target.pop(lever, None)
        if lever == "supportive_leadership" and changed:
            sort_styles(ctx)
    else:
        ch.target[lever] = new
    if not pay or moved == 0:
        return
    leaders = lever in change_programme.LEADER_LEVERS
    affected = e.filled & e.leader if leaders else e.filled
    cost, away, weeks = change_programme.change_cost(moved, int(affected.sum()), p=cp)
    if money and cost > 0:
        ch.spend.append(cost)
        ch.paid += cost
    if away > 0 and not leaders:
        ch.away.append((st.week, st.week + weeks, away))


def restructure(
    ctx: Context,
    moved: np.ndarray,
    removed: int,
    removed_staff: int = 0,
    added: int = 0,
    *,
    removed_pay: float | None = None,
) -> None:
    """Pay a proposed design's restructuring in its change week (docs/ODD.md 8.H).

    The structure itself is the proposed one from the start (it cannot change during a run);
    what the switch costs is booked here: money (``change_programme.restructure_cost``)
    queued as investment like an intervention's, the moved front line's transition time away
    from customers (``restructure_away``, taken from care like training time), and a handover
    loss for each active customer whose owner or handler is moved: ``restructure_handover_share``
    of a leaver's ``people.relationship_loss``, softened by its CRM record. No random draws.

    Args:
        ctx: The run (its scenario in force gives the coefficients).
        moved: (n,) True for each position whose manager or unit the design changes.
        removed: Positions the design removes (of them ``removed_staff`` without reports:
            severance at staff pay, the rest at manager pay).
        added: New positions the design adds: each is hired and trained
            (``people.hiring_cost + people.training_cost``).
        removed_pay: Yearly pay of the removed positions, each at its own salary x FTE (the
            chart's ``salary`` column or ``economics.salary_<role>``): severance is then
            ``restructure_severance_weeks`` of it; None uses the staff salary for positions
            without reports and the manager pay for the rest.
    """
    st, sc, ch = ctx.state, ctx.scenario, ctx.changes
    cp, e, c = sc.change_programme, st.emp, st.cust
    if removed_pay is None:
        pay = sc.people.salary_annual * sc.economics.manager_salary_factor
        cost = change_programme.restructure_cost(
            int(moved.sum()),
            removed - removed_staff,
            pay,
            p=cp,
            n_removed_staff=removed_staff,
            staff_pay_annual=sc.people.salary_annual,
        )
    else:  # each removed position's own pay: a removed layer's salaries, not an average's
        cost = change_programme.restructure_cost(int(moved.sum()), 1, removed_pay, p=cp)
    if added:
        cost += added * (sc.people.hiring_cost + sc.people.training_cost)
    if cost > 0:
        ch.spend.append(cost)
        ch.paid += cost
    front = e.front & e.filled
    away, weeks = change_programme.restructure_away(
        int((moved & front).sum()), int(front.sum()), p=cp
    )
    if away > 0:
        ch.away.append((st.week, st.week + weeks, away))
    if cp.restructure_handover_share > 0:
        act = np.flatnonzero(c.active)
        hit = act[moved[c.owner[act]] | moved[c.handler[act]]]
        loss = cp.restructure_handover_share * people.relationship_loss(c.record[hit], p=sc.people)
        c.satisfaction[hit] = np.clip(c.satisfaction[hit] - loss, 0.0, 1.0)


def advance_dials(ctx: Context) -> float:
    """Move each pending dial one week towards its target; the share of front-line time away.

    Effective authority is recomputed when decision rights moved. Logs the week's dials.
    """
    st, cp, ch = ctx.state, ctx.scenario.change_programme, ctx.changes
    lv, e = st.levers, st.emp
    rights, share = lv.decision_rights, lv.supportive_leadership
    for lever, target in list(ch.target.items()):
        value = change_programme.value_in_force(
            getattr(lv, lever), target, change_programme.half_life(lever, p=cp)
        )
        setattr(lv, lever, value)
        if value == target:
            del ch.target[lever]
    if lv.decision_rights != rights:
        e.authority = escalation.effective_authority(
            e.base_authority, lv.decision_rights, p=ctx.scenario.decisions
        )
    if lv.supportive_leadership != share:
        sort_styles(ctx)
    ch.away = [a for a in ch.away if a[1] > st.week]
    away = min(1.0, sum(share for first, _, share in ch.away if first <= st.week))
    ch.log.append({"week": st.week + 1, **{d: getattr(lv, d) for d in DIALS}, "away": away})
    return away


@dataclass(frozen=True)
class Start:
    """What the rest of the week reads from its start.

    Attributes:
        live: The CRM is live this week.
        reinforcing: The project (or a consolidation step) still reinforces CRM use (of the
            waves it has trained in the last ``crm.reinforcement_weeks``, or of everyone while
            a consolidation step runs; per person in the adoption process).
        quality: Service-process quality in [0.4, 1] from the unfixed problems.
        usage: (n,) CRM usage of each position (0 when vacant or before go-live).
        front_f: (n,) bool, filled front-line positions.
        data_use: Share of CRM data that feeds decisions, after executive commitment.
        acq_effort: Sales effort on acquisition in [0, 1].
        care_effort: Sales effort on account care in [0, 1], less the share of time away
            on culture-change training this week.
        spend: Investments booked this week (go-live, programme steps), in booking order.
        quick_fixes: Problems fixed at once by quick-win steps this week.
    """

    live: bool
    reinforcing: bool
    quality: float
    usage: np.ndarray
    front_f: np.ndarray
    data_use: float
    acq_effort: float
    care_effort: float
    spend: tuple[float, ...]
    quick_fixes: tuple[float, ...]


def crm_live(ctx: Context) -> bool:
    """The CRM is switched on and its go-live week has come."""
    crm = ctx.scenario.crm
    return crm.enabled and ctx.state.week >= crm.go_live_week


def step(ctx: Context, week: Week) -> Start:
    """Go-live, this week's programme steps, and the week's shared starting values."""
    st, crm = ctx.state, ctx.scenario.crm
    lv, e, org = st.levers, st.emp, st.org
    live = crm_live(ctx)
    spend: list[float] = ctx.changes.spend  # interventions' costs first, then this week's
    ctx.changes.spend = []
    quick_fixes: list[float] = []
    if crm.enabled and st.week == crm.go_live_week:
        if ctx.live_since is None:
            ctx.live_since = st.week  # once live, the go-live week cannot change (interventions)
        # the project team trains the waves (``crm.rollout_weeks``) and follows each wave up
        # for ``crm.reinforcement_weeks`` after its training (per person: see the adoption
        # process); it leaves when the last wave's follow-up ends
        lv.reinforce_until = max(
            lv.reinforce_until,
            st.week + int(np.ceil(crm.rollout_weeks)) + crm.reinforcement_weeks,
        )
        spend.append(crm.implementation_cost)
    schedule = [(s.step, s.week) for s in ctx.scenario.change_programme.steps]
    for name in change_programme.due_steps(schedule, st.week):
        apply_step(ctx, name, spend, quick_fixes)
    away = advance_dials(ctx)
    acq, care = incentives.effort_split(lv.incentive_alignment, p=ctx.scenario.sales)
    care = care * (1.0 - away)  # time away from customers is care not given
    return Start(
        live=live,
        reinforcing=live and st.week < lv.reinforce_until,
        quality=learning.service_quality(
            org.problems_latent, org.problems_initial, p=ctx.scenario.learning
        ),
        usage=np.where(e.filled, e.usage, 0.0) if live else np.zeros(e.n),
        front_f=e.front & e.filled,
        data_use=crm_records.effective_data_use(
            crm.data_use, lv.executive_commitment, p=ctx.scenario.adoption
        ),
        acq_effort=acq,
        care_effort=care,
        spend=tuple(spend),
        quick_fixes=tuple(quick_fixes),
    )


def _target(ctx: Context, lever: str) -> float:
    """The value ``lever`` is moving to (its value in force when no move is pending)."""
    return ctx.changes.target.get(lever, getattr(ctx.state.levers, lever))


def apply_step(ctx: Context, name: str, spend: list[float], quick_fixes: list[float]) -> None:
    """Carry out one Kotter step (effects listed in ``change_programme.EFFECTS``).

    A step that moves a culture dial moves its target (``move_dial``): the dial follows with
    its lag, and the affected staff's training time is taken from customers; its money is the
    step's ``cost_per_step``.

    Appends the step's cost to ``spend`` and any problems fixed at once to ``quick_fixes``.
    """
    st, cp = ctx.state, ctx.scenario.change_programme
    lv, e = st.levers, st.emp
    k = change_programme.step_strength(name, lv.steps_done, cp.intensity, p=cp)
    if name == "urgency":
        lv.urgency = min(1.0, lv.urgency + k)
    elif name == "coalition":
        staff = np.flatnonzero(e.filled)
        n_ch = int(round(cp.champion_share * k * staff.shape[0]))
        # the most customer-oriented first; with the gate at 0 every score ties and the stable
        # sort keeps position order (the knock-out of orientation's path, docs/ODD.md 8.W)
        score = cp.coalition_orientation_pick * e.orientation[staff]
        chosen = staff[np.argsort(-score, kind="stable")[:n_ch]]
        e.champion[chosen] = True
        e.safety[chosen] = np.minimum(1.0, e.safety[chosen] + cp.coalition_safety_gain)
    elif name == "vision":
        lv.vision = min(1.0, lv.vision + k)
        norm = min(1.0, _target(ctx, "orientation_norm") + cp.vision_norm_gain * k)
        move_dial(ctx, "orientation_norm", norm, pay=True, money=False)
    elif name == "communication":
        lv.communication = min(1.0, lv.communication + k)
    elif name == "remove_obstacles":
        moved = leadership.commitment_decisions(
            {
                "decision_rights": _target(ctx, "decision_rights"),
                "information_sharing": _target(ctx, "information_sharing"),
                "incentive_alignment": _target(ctx, "incentive_alignment"),
            },
            lv.executive_commitment,
            strength=cp.obstacles_strength * k,
        )
        for lever, v in moved.items():
            move_dial(ctx, lever, v, pay=True, money=False)
        e.authority = escalation.effective_authority(
            e.base_authority, lv.decision_rights, p=ctx.scenario.decisions
        )
    elif name == "quick_wins":
        fixed = np.floor(st.org.problems_queue * cp.quick_win_fix_share * k)
        st.org.problems_queue -= fixed
        st.org.problems_latent -= fixed
        quick_fixes.append(fixed)
        lv.quick_win_boost = min(1.0, lv.quick_win_boost + cp.quick_win_boost_gain * k)
    elif name == "consolidate":
        # consolidation reinforces everyone's use, whenever they were trained
        lv.consolidate_until = max(
            lv.consolidate_until,
            st.week + int(cp.consolidate_weeks * k / cp.consolidate_reference_intensity + 0.5),
        )
        lv.reinforce_until = max(lv.reinforce_until, lv.consolidate_until)
    elif name == "anchor":
        lv.anchored = True
        safety = min(1.0, _target(ctx, "psychological_safety") + cp.anchor_safety_gain * k)
        move_dial(ctx, "psychological_safety", safety, pay=True, money=False)
    lv.steps_done.append(name)
    spend.append(cp.cost_per_step)
    ctx.programme_log.append((st.week, name, k))
