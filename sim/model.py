"""``OrgModel``: one organisation, one week per step.

The model builds state from a scenario and a structure, orders the mechanisms in ``step()`` and
records one row of metrics per week. Formulas live in ``sim.mechanisms``; this module only wires
them together (see ``docs/ODD.md`` for the process order and the sources).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from mesa import Model

from sim import metrics, sizing
from sim.agents import AgentHandles, Customer, Employee, Manager
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
    playbook,
    silos,
)
from sim.rng import make_streams, seed_from
from sim.scenario import Scenario
from sim.state import AFFINITY_SD, State, build_state
from sim.structures import MARKETING, SALES, SERVICE, OrgStructure, build_structure

DECISION_SHARE = 0.3  # share of customer issues that need a decision, not just information
TURBULENCE = 0.3  # new process problems per week from a changing market
PLAYBOOK_P1 = 0.1  # weekly socialisation rate at full culture strength (March's p1)
PLAYBOOK_P2 = 0.02  # weekly code learning rate at full responsiveness (March's p2)
CHAMPION_USAGE = 0.8  # the guiding coalition uses the CRM for most of its work
NEWCOMER_MORALE = 0.7


@dataclass
class _Week:
    """Values computed once in a week and read by later phases of the same week."""

    live: bool
    reinforcing: bool = False
    quality: float = 1.0
    usage: np.ndarray = field(default_factory=lambda: np.zeros(0))
    front_f: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    data_use: float = 0.0
    acq_effort: float = 1.0
    care_effort: float = 0.0
    perm: np.ndarray = field(default_factory=lambda: np.zeros(0))
    capacity: np.ndarray = field(default_factory=lambda: np.zeros(0))
    delta: np.ndarray = field(default_factory=lambda: np.zeros(0))
    supportive_manager: np.ndarray = field(default_factory=lambda: np.zeros(0))
    climate: np.ndarray = field(default_factory=lambda: np.zeros(0))
    active_start: int = 0
    latency_mean: float = float("nan")
    n_new: int = 0
    n_fcr: int = 0
    n_escalated: int = 0
    lead_boost: float = 0.0
    announced: bool = True
    spike: bool = False
    sales_usage: float = 0.0
    angry_calls: int = 0
    churned: int = 0
    churned_silent: int = 0
    complaints: int = 0
    acquired: int = 0
    reported: int = 0
    fixed: int = 0
    quits: int = 0
    quits_front: int = 0
    hired: int = 0
    revenue: float = 0.0
    cost: float = 0.0
    # active customers' accounts after this week's churn and acquisitions (see OrgModel._books)
    act: np.ndarray | None = None
    owner_act: np.ndarray | None = None
    handler_act: np.ndarray | None = None
    book_owner: np.ndarray | None = None
    book_handler: np.ndarray | None = None


class OrgModel(Model):
    """An organisation rolling out (or not) a CRM.

    Args:
        scenario: A validated ``Scenario`` (see ``sim.load_scenario``).
        rng: Seed (int) for every random number in the run; ``None`` draws one from entropy
            (then recorded in ``model.seed``).
        counterfactual: Also run, in lockstep and on the same random numbers, the same
            organisation without the CRM and the change programme, so ``roi`` is defined.
        structure: Use this ``OrgStructure`` instead of generating one (e.g. an imported chart).
    """

    def __init__(
        self,
        scenario: Scenario,
        rng: int | np.integer | None = None,
        *,
        counterfactual: bool = True,
        structure: OrgStructure | None = None,
    ) -> None:
        if counterfactual:  # the top-level model checks for itself and its twin
            sizing.check_fits(scenario, counterfactual=True)
        seed = seed_from(rng)
        super().__init__(rng=seed)
        self._org_scenario = scenario
        self.seed = seed
        self.streams = make_streams(seed)
        org = scenario.organisation
        mix = org.role_mix
        if structure is None and org.structure == "org_chart":
            # the chart that sim.load_scenario read and transformed; only its ties are drawn here
            from sim.design import structure_from_scenario

            structure = structure_from_scenario(scenario, rng=self.streams["structure"])
        self.structure = structure or build_structure(
            org.structure,
            org.employees,
            span=org.span_of_control,
            role_mix=(mix.sales, mix.service, mix.marketing),
            rng=self.streams["structure"],
        )
        self.state: State = build_state(scenario, self.structure, self.streams["init"])
        e = self.state.emp
        self._ref_book = {
            SALES: scenario.customers.count / max(int((e.role == SALES).sum()), 1),
            SERVICE: scenario.customers.count / max(int((e.role == SERVICE).sum()), 1),
        }
        self._schedule = [(s.step, s.week) for s in scenario.change_programme.steps]
        self._rows: list[dict[str, float]] = []
        self.totals = dict.fromkeys(
            (
                "churned",
                "churned_silent",
                "complaints",
                "quits",
                "quits_front",
                "reported",
                "fixed",
                "upsell_to_angry",
                "acquired",
                "net",
                "investment",
            ),
            0.0,
        )
        self.authority = escalation.effective_authority(
            e.base_authority, self.state.levers.decision_rights
        )
        self.programme_log: list[tuple[int, str, float]] = []
        has_change = scenario.crm.enabled or bool(self._schedule)
        self.counterfactual: OrgModel | None = (
            OrgModel(scenario.counterfactual(), rng=seed, counterfactual=False, structure=structure)
            if counterfactual and has_change
            else None
        )
        # Mesa agents are made when first touched (sim/agents.py): customer slots fill from the
        # front, so the k-th customer ever acquired is slot k
        self.employees = AgentHandles(
            lambda i: (Employee if self.state.emp.front[i] else Manager)(self, i),
            lambda: self.state.emp.n,
        )
        self.customers = AgentHandles(
            lambda i: Customer(self, i), lambda: int(np.count_nonzero(self.state.cust.exists))
        )

    # ------------------------------------------------------------------ helpers
    @property
    def scenario(self) -> Scenario:  # type: ignore[override]
        """The validated scenario this model runs (Mesa's own experimental ``scenario`` unused)."""
        return self._org_scenario

    @scenario.setter
    def scenario(self, value: object) -> None:
        # Mesa's Model.__init__ assigns its own experimental Scenario here; keep it aside.
        if isinstance(value, Scenario):
            raise AttributeError("a model's scenario is fixed; build a new OrgModel instead")
        self.mesa_scenario = value

    @property
    def week(self) -> int:
        """Weeks simulated so far."""
        return self.state.week

    def _crm_live(self) -> bool:
        return self.scenario.crm.enabled and self.state.week >= self.scenario.crm.go_live_week

    def _apply_programme_step(self, step: str) -> None:
        """Carry out one Kotter step (effects listed in ``change_programme.EFFECTS``)."""
        st, sc = self.state, self.scenario
        lv, e = st.levers, st.emp
        k = change_programme.step_strength(step, lv.steps_done, sc.change_programme.intensity)
        if step == "urgency":
            lv.urgency = min(1.0, lv.urgency + k)
        elif step == "coalition":
            staff = np.flatnonzero(e.filled)
            n_ch = int(round(sc.change_programme.champion_share * k * staff.shape[0]))
            chosen = staff[np.argsort(-e.orientation[staff], kind="stable")[:n_ch]]
            e.champion[chosen] = True
            e.safety[chosen] = np.minimum(1.0, e.safety[chosen] + 0.1)
        elif step == "vision":
            lv.vision = min(1.0, lv.vision + k)
            lv.orientation_norm = min(1.0, lv.orientation_norm + 0.2 * k)
        elif step == "communication":
            lv.communication = min(1.0, lv.communication + k)
        elif step == "remove_obstacles":
            moved = leadership.commitment_decisions(
                {
                    "decision_rights": lv.decision_rights,
                    "information_sharing": lv.information_sharing,
                    "incentive_alignment": lv.incentive_alignment,
                },
                lv.executive_commitment,
                strength=0.8 * k,
            )
            for name, v in moved.items():
                setattr(lv, name, v)
            self.authority = escalation.effective_authority(e.base_authority, lv.decision_rights)
        elif step == "quick_wins":
            fixed = np.floor(st.org.problems_queue * 0.5 * k)
            st.org.problems_queue -= fixed
            st.org.problems_latent -= fixed
            self.totals["fixed"] += fixed
            lv.quick_win_boost = min(1.0, lv.quick_win_boost + 0.5 * k)
        elif step == "consolidate":
            lv.reinforce_until = max(lv.reinforce_until, st.week + int(26 * k / 0.7 + 0.5))
        elif step == "anchor":
            lv.anchored = True
            lv.psychological_safety = min(1.0, lv.psychological_safety + 0.15 * k)
        lv.steps_done.append(step)
        self.totals["investment"] += sc.change_programme.cost_per_step
        self._week_cost += sc.change_programme.cost_per_step
        self.programme_log.append((st.week, step, k))

    # ------------------------------------------------------------------ one week
    def step(self) -> None:
        """Advance one week: the process order of the ODD, section 3."""
        if self.counterfactual is not None:
            self.counterfactual.step()
        wk = _Week(live=self._crm_live())
        self._week_cost = 0.0
        self._go_live_and_programme(wk)
        self._issues_and_decisions(wk)
        self._sales_and_silos(wk)
        self._customers(wk)
        self._learning(wk)
        self._adoption(wk)
        self._people(wk)
        self._accounts(wk)

    def _go_live_and_programme(self, wk: _Week) -> None:
        st, crm, lv = self.state, self.scenario.crm, self.state.levers
        e, org = st.emp, st.org
        if crm.enabled and st.week == crm.go_live_week:
            lv.reinforce_until = max(lv.reinforce_until, st.week + crm.reinforcement_weeks)
            self.totals["investment"] += crm.implementation_cost
            self._week_cost += crm.implementation_cost
        for step in change_programme.due_steps(self._schedule, st.week):
            self._apply_programme_step(step)
        wk.reinforcing = wk.live and st.week < lv.reinforce_until
        wk.quality = learning.service_quality(org.problems_latent, org.problems_initial)
        wk.usage = np.where(e.filled, e.usage, 0.0) if wk.live else np.zeros(e.n)
        wk.front_f = e.front & e.filled
        wk.data_use = crm_records.effective_data_use(crm.data_use, lv.executive_commitment)
        wk.acq_effort, wk.care_effort = incentives.effort_split(lv.incentive_alignment)

    def _issues_and_decisions(self, wk: _Week) -> None:
        """New issues, first contact and escalation (decision rights)."""
        st, sc, R = self.state, self.scenario, self.streams
        e, c, lv, org = st.emp, st.cust, st.levers, st.org
        wk.active_start = int(c.active.sum())
        new, sev = customers.new_issues(
            c.active, c.issue_open, sc.customers.issue_rate, DECISION_SHARE, rng=R["issues"]
        )
        # Only the ~5% of customers with a new issue are handled this week: work on their indices
        # (``i``) rather than on every customer slot; the uniform draws stay full-size so that the
        # random streams line up with the paired run whatever happens.
        i = np.flatnonzero(new)
        hi = c.handler[i]
        filled_i = e.filled[hi]
        skill_i = np.where(filled_i, e.skill[hi], sc.people.newcomer_skill)
        practice = playbook.practice_knowledge(e.beliefs, org.reality)
        knowhow_i = playbook.knowhow(np.where(filled_i, practice[hi], 1 / 3))
        wk.perm = silos.permeability(
            lv.information_sharing, c.same_group, c.tie, org.cross_unit_share
        )
        facts_i = silos.facts_at_hand(wk.usage[hi], c.record[i], wk.perm[i])
        info_p = escalation.first_contact_probability(skill_i, knowhow_i, wk.quality, facts_i)
        info_ok = R["escalation"].random(c.capacity)[i] < info_p
        sev_i = sev[i]
        needs = sev_i > 0
        edge_ok = sev_i <= self.authority[hi]
        esc = np.flatnonzero(needs & ~edge_ok)  # positions within ``i``
        wk.capacity = escalation.manager_capacity(sc.organisation.manager_capacity, e.filled)
        latency, _, load = escalation.route_escalations(
            hi[esc],
            sev_i[esc],
            self.authority,
            e.ancestors,
            e.second_manager,
            e.backlog,
            wk.capacity,
            sc.organisation.hop_days,
        )
        e.backlog = escalation.update_backlog(e.backlog, load, wk.capacity)
        fcr = info_ok & (~needs | edge_ok)
        opened = ~fcr
        days = escalation.resolution_days(opened, esc, latency, info_ok)
        wk.latency_mean = escalation.mean_decision_days(int((needs & edge_ok).sum()), latency)
        wk.n_new, wk.n_fcr, wk.n_escalated = int(i.shape[0]), int(fcr.sum()), int(esc.shape[0])
        i_open = i[opened]
        c.issue_open[i_open] = True
        c.issue_days_left[i_open] = days[opened]
        c.issue_days[i] = 0.0
        c.issue_severity[i] = sev_i
        c.record, c.issue_logged[i] = crm_records.log_interactions_at(
            crm_records.decay(c.record), i, wk.usage[hi], rng=R["crm"]
        )
        wk.delta = np.zeros(c.capacity)
        wk.delta[i[fcr]] = customers.FCR_GAIN * wk.quality
        w = np.flatnonzero(c.issue_open & c.active)
        d, c.issue_days_left[w], c.issue_days[w], resolved = customers.wait_a_week(
            np.ones(w.shape[0], dtype=bool),
            c.issue_days_left[w],
            c.issue_days[w],
            c.issue_severity[w],
        )
        wk.delta[w] += d
        c.issue_open[w[resolved]] = False

    def _sales_and_silos(self, wk: _Week) -> None:
        """Sales calls, campaigns and duplicates (information sharing, incentives)."""
        st, sc, R = self.state, self.scenario, self.streams
        e, c, lv, org = st.emp, st.cust, st.levers, st.org
        o = c.owner
        r_s = R["silos"]
        # a few customers get a sales call each week: work on their indices (``k``); every slot
        # still takes its uniforms, so the streams stay aligned with the paired run
        u_call, u_knows, u_win = (
            r_s.random(c.capacity),
            r_s.random(c.capacity),
            r_s.random(c.capacity),
        )
        k = np.flatnonzero(c.active & (u_call < sc.customers.upsell_rate * wk.care_effort))
        k = k[e.filled[o[k]]]
        ok = o[k]
        usage_k = wk.usage[ok]
        angry = c.issue_open[k] | (c.satisfaction[k] < customers.ANGRY)
        knows = u_knows[k] < silos.knows_probability(
            wk.perm[k], c.issue_logged[k], c.record[k], usage_k
        )
        angry_call = k[angry & ~knows]
        care_call = k[angry & knows]
        wk.delta[angry_call] -= silos.ANGRY_CALL_COST
        wk.delta[care_call] += silos.care_gain(e.orientation[o[care_call]])
        win_p = silos.upsell_probability(
            c.satisfaction[k], e.orientation[ok], usage_k, c.record[k], wk.data_use
        )
        up = k[~angry & (u_win[k] < win_p)]
        c.value[up] = c.value[up] * (1 + sc.customers.upsell_value)
        c.record, _ = crm_records.log_interactions_at(c.record, k, usage_k, rng=R["crm"])
        n_mkt = int((e.filled & (e.role == MARKETING)).sum())
        wk.lead_boost, wk.announced = silos.campaign(n_mkt, lv.information_sharing, rng=r_s)
        wk.spike = wk.lead_boost > 0 and not wk.announced
        sales = (e.role == SALES) & e.filled
        wk.sales_usage = float(wk.usage[sales].mean()) if wk.live and sales.any() else 0.0
        org.duplicate_share = silos.next_duplicate_share(
            org.duplicate_share, lv.information_sharing, wk.sales_usage, wk.lead_boost > 0
        )
        wk.angry_calls = int(angry_call.shape[0])

    def _customers(self, wk: _Week) -> None:
        """Satisfaction, complaints, churn and acquisition."""
        st, sc, R = self.state, self.scenario, self.streams
        e, c, lv = st.emp, st.cust, st.levers
        o = c.owner
        target = customers.satisfaction_target(
            wk.quality, e.orientation[o], wk.care_effort, c.expectation
        )
        sat = customers.update_satisfaction(c.satisfaction, target, wk.delta)
        c.satisfaction = np.where(c.active, sat, c.satisfaction)
        r_c = R["customers"]
        comp = customers.complaints(
            c.active, c.satisfaction, sc.customers.complaint_propensity, rng=r_c
        )
        response = customers.complaint_response(comp, lv.responsiveness, rng=r_c)
        c.satisfaction = np.clip(c.satisfaction + response, 0, 1)
        c.complained |= comp
        gone = customers.churn(
            c.active,
            c.satisfaction,
            sc.customers.base_churn_annual,
            sc.customers.dissatisfied_churn_annual,
            rng=r_c,
        )
        wk.churned, wk.churned_silent = int(gone.sum()), int((gone & ~c.complained).sum())
        wk.complaints = int(comp.sum())
        c.active &= ~gone
        c.issue_open &= ~gone
        c.churned_week = np.where(gone, st.week, c.churned_week)
        n_sales = int((e.filled & (e.role == SALES)).sum())
        mean_record = float(c.record[c.active].mean()) if c.active.any() else 0.0
        n_new = customers.acquisitions(
            n_sales,
            sc.customers.acquisition_rate,
            wk.acq_effort * (1.0 + 0.3 * wk.sales_usage * mean_record),
            wk.lead_boost * (1.0 if wk.announced else 0.5),
            rng=R["acquisition"],
        )
        n_exist = int(np.count_nonzero(c.exists))  # slots fill from the front
        free = np.arange(n_exist, min(n_exist + n_new, c.capacity))
        c.exists[free] = True
        c.active[free] = True
        c.joined_week[free] = st.week
        c.satisfaction[free] = customers.NEW_CUSTOMER_SATISFACTION
        c.record[free] = 0.2 + 0.5 * wk.usage[o[free]]
        wk.acquired = int(free.shape[0])

    def _learning(self, wk: _Week) -> None:
        """Problems met, reported (safety) and fixed (responsiveness); culture; the playbook."""
        st, sc, R = self.state, self.scenario, self.streams
        e, lv, org = st.emp, st.levers, st.org
        r_l = R["learning"]
        _, reported = learning.encounter_and_report(
            wk.front_f,
            e.safety,
            org.problems_latent,
            org.problems_queue,
            org.problems_initial,
            rng=r_l,
        )
        org.problems_queue += reported
        queue_before = org.problems_queue
        fixed = learning.fix_problems(org.problems_queue, lv.responsiveness, rng=r_l)
        org.problems_queue -= fixed
        org.problems_latent = max(org.problems_latent - fixed, 0.0)
        org.problems_latent += learning.new_problems(TURBULENCE, rng=r_l)
        org.voice_efficacy = learning.voice_efficacy(org.voice_efficacy, fixed, queue_before)
        wk.reported, wk.fixed = reported, fixed
        m = np.maximum(e.manager, 0)
        wk.supportive_manager = np.where(e.manager >= 0, e.supportive[m], True).astype(float)
        wk.climate = learning.safety_climate(
            lv.psychological_safety, wk.supportive_manager, org.voice_efficacy
        )
        e.safety = e.safety + 0.1 * (wk.climate - e.safety)
        norm = learning.orientation_norm(
            learning.unit_means(e.orientation, e.unit, e.filled.astype(float)),
            np.where(e.manager >= 0, e.orientation[m], e.orientation),
            lv.orientation_norm,
        )
        e.orientation = learning.socialise(e.orientation, norm, sc.culture.socialisation, e.tenure)
        org.reality, org.code, e.beliefs = playbook.playbook_week(
            org.reality,
            org.code,
            e.beliefs,
            wk.front_f,
            PLAYBOOK_P1 * sc.culture.socialisation,
            PLAYBOOK_P2 * lv.responsiveness,
            sc.culture.market_turbulence,
            rng=R["playbook"],
        )

    def _adoption(self, wk: _Week) -> None:
        """Intention, the Bass/threshold adoption step and usage (only once the CRM is live)."""
        st, crm, R = self.state, self.scenario.crm, self.streams
        e, c, lv, org = st.emp, st.cust, st.levers, st.org
        if not wk.live:
            R["adoption"].random(e.n)  # keep the stream aligned with the paired run
        else:
            self._books(wk)
            book = wk.book_owner + wk.book_handler
            rec_act = c.record[wk.act]
            rec = np.bincount(wk.owner_act, weights=rec_act, minlength=e.n)
            rec += np.bincount(wk.handler_act, weights=rec_act, minlength=e.n)
            useful = crm_records.perceived_usefulness(
                crm.tool_quality,
                float(wk.usage[wk.front_f].mean()) if wk.front_f.any() else 0.0,
                people.share_of(rec, book),
                wk.data_use,
                lv.vision + lv.quick_win_boost,
            )
            ease = adoption.ease_of_use(
                crm.tool_quality,
                crm.training,
                e.skill,
                org.problems_latent / org.problems_initial,
                lv.communication,
            )
            users = e.adopted & e.filled
            expo = adoption.exposure(e.adjacency, users, e.degree)
            social = adoption.social_influence(
                expo,
                leadership.manager_example(e.manager, wk.usage, e.supportive, e.filled),
                lv.executive_support,
            )
            facil = adoption.facilitating_conditions(
                lv.executive_commitment, wk.reinforcing, crm.training
            )
            e.intention = adoption.intention(
                useful,
                ease,
                social,
                facil,
                incentives.crm_incentive(lv.incentive_alignment),
                e.orientation,
                lv.urgency,
                e.affinity,
            )
            adopted = adoption.adopt_step(
                users,
                crm.innovation * e.intention * adoption.push(lv.urgency, wk.reinforcing),
                crm.imitation * (0.5 + e.intention),
                expo,
                e.threshold - 0.2 * lv.communication,
                rng=R["adoption"],
            )
            adopted |= e.champion
            e.usage, e.adopted = adoption.update_usage(
                e.usage,
                adopted & e.filled,
                e.intention,
                reinforcing=wk.reinforcing,
                anchored=lv.anchored,
                habit_decay=crm.habit_decay,
                training=crm.training,
            )
            champ = e.champion & e.filled
            e.usage[champ] = np.maximum(e.usage[champ], CHAMPION_USAGE)
            e.adopted |= champ
        lv.urgency *= 0.95
        lv.quick_win_boost *= 0.97

    def _books(self, wk: _Week) -> None:
        """Active customers, their owners and handlers, and each person's book (once a week).

        Called by the phases after ``_customers`` (nothing changes who is active after it).
        """
        if wk.act is None:
            c, n = self.state.cust, self.state.emp.n
            wk.act = np.flatnonzero(c.active)
            wk.owner_act, wk.handler_act = c.owner[wk.act], c.handler[wk.act]
            wk.book_owner = np.bincount(wk.owner_act, minlength=n)
            wk.book_handler = np.bincount(wk.handler_act, minlength=n)

    def _people(self, wk: _Week) -> None:
        """Workload, morale, quits and newcomers."""
        st, sc, R = self.state, self.scenario, self.streams
        e, c, lv = st.emp, st.cust, st.levers
        o, h, act = c.owner, c.handler, c.active
        is_sales, is_service = e.role == SALES, e.role == SERVICE
        self._books(wk)
        book_o = wk.book_owner.astype(float)
        book_h = wk.book_handler.astype(float)
        book = np.where(is_sales, book_o, np.where(is_service, book_h, 0.0))
        ref = np.where(
            is_sales, self._ref_book[SALES], np.where(is_service, self._ref_book[SERVICE], 0.0)
        )
        e.workload = people.workload(
            book,
            ref,
            learning.unit_means((~e.filled).astype(float), e.unit, e.front.astype(float)),
            wk.usage * 0.25 * (1.0 - wk.data_use),
            np.where(is_sales & wk.spike, 0.4, 0.0),
            e.front,
            e.backlog,
            wk.capacity,
        )
        overload = np.maximum(e.workload / sc.people.workload_norm - 1.0, 0.0)
        open_ = np.flatnonzero(c.issue_open & act)
        h_open, sev_open = h[open_], c.issue_severity[open_]
        n_stuck = np.bincount(h_open[sev_open > self.authority[h_open]], minlength=e.n)
        n_open = np.bincount(h_open, minlength=e.n)
        e.powerless = n_stuck / (1.0 + n_open)
        unhappy = act & (c.satisfaction < customers.UNHAPPY)
        n_unhappy = np.bincount(o[unhappy], minlength=e.n) + np.bincount(h[unhappy], minlength=e.n)
        angry_share = people.share_of(n_unhappy, book_o + book_h)
        target = people.morale_target(
            overload, e.powerless, angry_share, wk.supportive_manager, e.safety
        )
        e.morale = e.morale + 0.1 * (target - e.morale)
        r_p = R["people"]
        hazard = people.quit_hazard(e.morale, sc.people.base_quit_annual, e.front)
        q = people.quits(e.filled, hazard, rng=r_p)
        e.filled &= ~q
        e.vacant_weeks[q] = sc.people.hiring_delay_weeks
        e.adopted &= ~q
        e.usage[q] = 0.0
        e.champion &= ~q
        # newcomers: one fresh draw per position every week keeps streams aligned
        new_orient = np.clip(r_p.normal(sc.culture.customer_orientation, 0.15, e.n), 0, 1)
        new_thr = r_p.normal(sc.crm.threshold_mean, sc.crm.threshold_sd, e.n)
        new_aff = r_p.normal(0.0, AFFINITY_SD, e.n)
        new_sup = r_p.random(e.n) < sc.culture.supportive_leadership
        hire = ~e.filled & (e.vacant_weeks <= 0) & ~q
        e.vacant_weeks = np.where(~e.filled & ~hire, np.maximum(e.vacant_weeks - 1, 0), 0)
        e.filled |= hire
        e.skill = np.where(
            hire, sc.people.newcomer_skill, people.skill_growth(e.skill, sc.people.learning_weeks)
        )
        e.orientation = np.where(hire, new_orient, e.orientation)
        e.threshold = np.where(hire, new_thr, e.threshold)
        e.affinity = np.where(hire, new_aff, e.affinity)
        e.safety = np.where(hire, wk.climate, e.safety)
        e.morale = np.where(hire, NEWCOMER_MORALE, e.morale)
        e.supportive = np.where(hire, new_sup & ~e.front, e.supportive)
        e.tenure = np.where(hire, 0, e.tenure + e.filled)
        # newcomers bring their own practice; drawn for the hires only, from a stream of their
        # own, so that how many are hired cannot shift any other draw
        hired = np.flatnonzero(hire)
        e.beliefs[hired] = R["newcomers"].integers(
            -1, 2, size=(hired.shape[0], e.beliefs.shape[1]), dtype=np.int8
        )
        if lv.anchored and wk.live:
            # anchored: newcomers are taught the CRM as "how we work here"
            e.adopted |= hire & e.front
            e.usage = np.where(hire & e.front, 0.5, e.usage)
        wk.quits, wk.quits_front, wk.hired = int(q.sum()), int((q & e.front).sum()), int(hire.sum())

    def _accounts(self, wk: _Week) -> None:
        """The business case and this week's row of metrics."""
        st, sc = self.state, self.scenario
        e, c = st.emp, st.cust
        revenue = economics.weekly_revenue(c.value, c.active)
        crm_cost = sc.crm.licence_cost_per_user_week * int(wk.front_f.sum()) if wk.live else 0.0
        cost = (
            (1 - sc.economics.gross_margin) * revenue
            + economics.weekly_staff_cost(e.filled, e.front, sc.people.salary_annual)
            + wk.hired * (sc.people.hiring_cost + sc.people.training_cost)
            + crm_cost
            + self._week_cost
        )
        t = self.totals
        t["investment"] += crm_cost
        t["net"] += revenue - cost
        t["churned"] += wk.churned
        t["churned_silent"] += wk.churned_silent
        t["complaints"] += wk.complaints
        t["quits"] += wk.quits
        t["quits_front"] += wk.quits_front
        t["reported"] += wk.reported
        t["fixed"] += wk.fixed
        t["upsell_to_angry"] += wk.angry_calls
        t["acquired"] += wk.acquired
        wk.revenue, wk.cost = revenue, cost
        st.week += 1
        self.last_week = wk
        self._rows.append(self.metrics_row(wk))

    def metrics_row(self, wk: _Week) -> dict[str, float]:
        """This week's row of metrics (``sim.metrics.COLUMNS``) from the state and ``wk``."""
        st, t = self.state, self.totals
        e, c, org = st.emp, st.cust, st.org
        cf_net = self.counterfactual.totals["net"] if self.counterfactual is not None else None
        front_now = e.front & e.filled  # after this week's quits and hires
        satisfaction, dissatisfied = metrics.satisfaction_summary(st)
        return {
            "week": st.week,
            "adoption_rate": metrics.adoption_rate(st, front_now),
            "usage_mean": metrics.usage_mean(st, front_now),
            "data_quality": crm_records.data_quality(c.record, c.active, org.duplicate_share),
            "decision_latency_days": wk.latency_mean,
            "first_contact_resolution": wk.n_fcr / wk.n_new if wk.n_new else float("nan"),
            "escalations": float(wk.n_escalated),
            "satisfaction_mean": satisfaction,
            "dissatisfied_share": dissatisfied,
            "customers_active": float(np.count_nonzero(c.active)),
            "churn_rate": wk.churned / wk.active_start if wk.active_start else 0.0,
            "churned_total": t["churned"],
            "churned_silent_total": t["churned_silent"],
            "complaints_total": t["complaints"],
            "upsell_to_angry_total": t["upsell_to_angry"],
            "acquired_total": t["acquired"],
            "morale_mean": metrics.morale_mean(st),
            "psych_safety_mean": metrics.psych_safety_mean(st),
            "employees_active": float(np.count_nonzero(e.filled)),
            "quits_total": t["quits"],
            "front_line_quits_total": t["quits_front"],
            "front_line_active": float(np.count_nonzero(wk.front_f)),
            "problems_reported_total": t["reported"],
            "problems_fixed_total": t["fixed"],
            "problems_unreported": max(org.problems_latent - org.problems_queue, 0.0),
            "service_quality": wk.quality,
            "playbook_knowledge": playbook.code_knowledge(org.code, org.reality),
            "practice_knowledge_mean": metrics.practice_knowledge_mean(st, wk.front_f),
            "revenue": wk.revenue,
            "cost": wk.cost,
            "net_benefit_total": t["net"],
            "investment_total": t["investment"],
            "roi": economics.roi(t["net"], cf_net, t["investment"])
            if cf_net is not None
            else float("nan"),
        }

    def run(self, steps: int | None = None) -> pd.DataFrame:
        """Run to the horizon (or ``steps`` more weeks) and return the per-week table so far."""
        n = self.scenario.horizon_weeks - self.state.week if steps is None else int(steps)
        for _ in range(max(n, 0)):
            self.step()
        return self.results()

    def results(self) -> pd.DataFrame:
        """Tidy per-week table, indexed by ``week`` (1 = after the first week)."""
        df = pd.DataFrame(self._rows, columns=["week", *metrics.COLUMNS])
        return df.set_index("week")
