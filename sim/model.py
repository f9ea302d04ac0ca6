"""``OrgModel``: one organisation, one week per step.

The model builds state from a scenario and a structure, orders the mechanisms in ``step()`` and
records one row of metrics per week. Formulas live in ``sim.mechanisms``; this module only wires
them together (see ``docs/ODD.md`` for the process order and the sources).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from mesa import Model

from sim import metrics
from sim.agents import Customer, Employee, Manager
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
from sim.structures import SALES, SERVICE, OrgStructure, build_structure

DECISION_SHARE = 0.3  # share of customer issues that need a decision, not just information
TURBULENCE = 0.3  # new process problems per week from a changing market
PLAYBOOK_P1 = 0.1  # weekly socialisation rate at full culture strength (March's p1)
PLAYBOOK_P2 = 0.02  # weekly code learning rate at full responsiveness (March's p2)
ANGRY_CALL_COST = 0.12  # seed 003: "One bad experience ... will undo all you've built"


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
        seed = seed_from(rng)
        super().__init__(rng=seed)
        self._org_scenario = scenario
        self.seed = seed
        self.streams = make_streams(seed)
        org = scenario.organisation
        mix = org.role_mix
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
        self.employees = [(Employee if e.front[i] else Manager)(self, i) for i in range(e.n)]
        self.customers = [Customer(self, i) for i in np.flatnonzero(self.state.cust.exists)]

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
    def step(self) -> None:  # noqa: C901, PLR0915 - the process order reads best in one place
        """Advance one week: the process order of the ODD, section 3."""
        if self.counterfactual is not None:
            self.counterfactual.step()
        st, sc, R = self.state, self.scenario, self.streams
        e, c, lv, org = st.emp, st.cust, st.levers, st.org
        w = st.week
        self._week_cost = 0.0
        crm = sc.crm

        # 1. Go-live and the change programme
        live = self._crm_live()
        if crm.enabled and w == crm.go_live_week:
            lv.reinforce_until = max(lv.reinforce_until, w + crm.reinforcement_weeks)
            self.totals["investment"] += crm.implementation_cost
            self._week_cost += crm.implementation_cost
        for step in change_programme.due_steps(self._schedule, w):
            self._apply_programme_step(step)
        reinforcing = live and w < lv.reinforce_until
        quality = learning.service_quality(org.problems_latent, org.problems_initial)
        usage = np.where(e.filled, e.usage, 0.0) if live else np.zeros(e.n)

        # 2. New issues, first contact and escalation (decision rights)
        active_start = int(c.active.sum())
        new, sev = customers.new_issues(
            c.active, c.issue_open, sc.customers.issue_rate, DECISION_SHARE, rng=R["issues"]
        )
        h = c.handler
        h_filled = e.filled[h]
        skill_h = np.where(h_filled, e.skill[h], sc.people.newcomer_skill)
        # know-how: how well the handler's practice fits what works now (March 1991 playbook)
        practice = playbook.practice_knowledge(e.beliefs, org.reality)
        knowhow_h = 0.5 + 0.8 * np.where(h_filled, practice[h], 1 / 3)
        # the facts come from the CRM record or from asking the other units (permeability)
        perm = silos.permeability(lv.information_sharing, c.same_group, c.tie, org.cross_unit_share)
        facts = 1.0 - (1.0 - usage[h] * c.record) * (1.0 - 0.6 * perm)
        info_p = 0.45 + 0.25 * skill_h * knowhow_h + 0.13 * quality + 0.2 * facts
        info_ok = R["escalation"].random(c.capacity) < info_p
        needs = sev > 0
        edge_ok = sev <= self.authority[h]
        esc = np.flatnonzero(new & needs & ~edge_ok)
        capacity = sc.organisation.manager_capacity * np.where(e.filled, 1.0, 0.5)
        latency, _, load = escalation.route_escalations(
            h[esc],
            sev[esc],
            self.authority,
            e.ancestors,
            e.second_manager,
            e.backlog,
            capacity,
            sc.organisation.hop_days,
        )
        e.backlog = escalation.update_backlog(e.backlog, load, capacity)
        fcr = new & info_ok & (~needs | edge_ok)
        days = np.where(new & ~fcr, 3.0, 0.0)
        days[esc] = latency + np.where(info_ok[esc], 0.0, 2.0)
        decided_edge = new & needs & edge_ok
        n_decisions = int(decided_edge.sum()) + esc.shape[0]
        latency_mean = (
            (decided_edge.sum() * escalation.EDGE_DECISION_DAYS + latency.sum()) / n_decisions
            if n_decisions
            else float("nan")
        )
        opened = new & ~fcr
        c.issue_open |= opened
        c.issue_days_left = np.where(opened, days, c.issue_days_left)
        c.issue_days = np.where(new, 0.0, c.issue_days)
        c.issue_severity = np.where(new, sev, c.issue_severity)
        c.record, logged_issue = crm_records.log_interactions(
            crm_records.decay(c.record), new, usage[h], rng=R["crm"]
        )
        c.issue_logged = np.where(new, logged_issue, c.issue_logged)

        delta = np.zeros(c.capacity)
        delta[fcr] += 0.04 * quality
        # waiting: one week of the open issues' remaining time passes
        waiting = c.issue_open & c.active
        waited = np.minimum(c.issue_days_left, 7.0)
        delta -= np.where(
            waiting, 0.012 * np.maximum(waited - 2.0, 0.0) * (1 + c.issue_severity), 0
        )
        c.issue_days = np.where(waiting, c.issue_days + waited, c.issue_days)
        c.issue_days_left = np.where(waiting, c.issue_days_left - 7.0, c.issue_days_left)
        resolved = waiting & (c.issue_days_left <= 0)
        delta[resolved] += 0.02
        c.issue_open &= ~resolved

        # 3. Silos: sales calls, campaigns and duplicates (information sharing)
        acq_eff, care_eff = incentives.effort_split(lv.incentive_alignment)
        data_use = crm_records.effective_data_use(crm.data_use, lv.executive_commitment)
        o = c.owner
        r_s = R["silos"]
        contact = (
            c.active & e.filled[o] & (r_s.random(c.capacity) < sc.customers.upsell_rate * care_eff)
        )
        angry = c.issue_open | (c.satisfaction < customers.ANGRY)
        knows = silos.sales_knows(perm, c.issue_logged, c.record, usage[o], rng=r_s)
        angry_call = contact & angry & ~knows
        care_call = contact & angry & knows
        delta[angry_call] -= ANGRY_CALL_COST
        delta[care_call] += 0.03 * (0.5 + e.orientation[o[care_call]])
        win_u = r_s.random(c.capacity)
        # CRM insight (record x owner's usage x data actually used) sharpens the offer
        insight = 1.0 + usage[o] * c.record * data_use
        win_p = 0.3 * c.satisfaction * (0.5 + 0.5 * e.orientation[o]) * insight
        upsell = contact & ~angry & (win_u < win_p)
        c.value = np.where(upsell, c.value * (1 + sc.customers.upsell_value), c.value)
        c.record, _ = crm_records.log_interactions(c.record, contact, usage[o], rng=R["crm"])
        n_mkt = int((e.filled & (e.role == 4)).sum())
        lead_boost, announced = silos.campaign(n_mkt, lv.information_sharing, rng=r_s)
        spike = lead_boost > 0 and not announced
        front_f = e.front & e.filled
        sales_usage = float(usage[(e.role == SALES) & e.filled].mean()) if live else 0.0
        org.duplicate_share = float(
            np.clip(
                org.duplicate_share * (1 - 0.05 * sales_usage)
                + silos.duplicate_growth(lv.information_sharing, sales_usage, lead_boost > 0),
                0.0,
                0.5,
            )
        )

        # 4. Customers: satisfaction, complaints, churn, acquisition
        target = customers.satisfaction_target(quality, e.orientation[o], care_eff, c.expectation)
        sat = customers.update_satisfaction(c.satisfaction, target, delta)
        c.satisfaction = np.where(c.active, sat, c.satisfaction)
        r_c = R["customers"]
        comp = customers.complaints(
            c.active, c.satisfaction, sc.customers.complaint_propensity, rng=r_c
        )
        recovered = comp & (r_c.random(c.capacity) < lv.responsiveness)
        c.satisfaction = np.clip(
            c.satisfaction + np.where(recovered, 0.15, 0.0) - np.where(comp & ~recovered, 0.03, 0),
            0,
            1,
        )
        c.complained |= comp
        gone = customers.churn(
            c.active,
            c.satisfaction,
            sc.customers.base_churn_annual,
            sc.customers.dissatisfied_churn_annual,
            rng=r_c,
        )
        silent = gone & ~c.complained
        c.active &= ~gone
        c.issue_open &= ~gone
        c.churned_week = np.where(gone, w, c.churned_week)
        n_sales = int((e.filled & (e.role == SALES)).sum())
        n_new = customers.acquisitions(
            n_sales,
            sc.customers.acquisition_rate,
            acq_eff * (1.0 + 0.3 * sales_usage * float(c.record[c.active].mean())),
            lead_boost * (1.0 if announced else 0.5),
            rng=R["acquisition"],
        )
        free = np.flatnonzero(~c.exists)[:n_new]
        c.exists[free] = True
        c.active[free] = True
        c.joined_week[free] = w
        c.satisfaction[free] = 0.65
        c.record[free] = 0.2 + 0.5 * usage[o[free]]
        self.customers.extend(Customer(self, int(i)) for i in free)

        # 5. Learning: problems met, reported (psychological safety) and fixed (responsiveness)
        r_l = R["learning"]
        _, reported = learning.encounter_and_report(
            front_f,
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
        if queue_before > 0:
            org.voice_efficacy = 0.9 * org.voice_efficacy + 0.1 * min(
                1.0, 3.0 * fixed / queue_before
            )
        m = np.maximum(e.manager, 0)
        sup_mgr = np.where(e.manager >= 0, e.supportive[m], True).astype(float)
        climate = learning.safety_climate(lv.psychological_safety, sup_mgr, org.voice_efficacy)
        e.safety = e.safety + 0.1 * (climate - e.safety)
        norm = (
            0.5 * learning.unit_means(e.orientation, e.unit, e.filled.astype(float))
            + 0.3 * np.where(e.manager >= 0, e.orientation[m], e.orientation)
            + 0.2 * lv.orientation_norm
        )
        e.orientation = learning.socialise(e.orientation, norm, sc.culture.socialisation, e.tenure)
        org.reality, org.code, e.beliefs = playbook.playbook_week(
            org.reality,
            org.code,
            e.beliefs,
            front_f,
            PLAYBOOK_P1 * sc.culture.socialisation,
            PLAYBOOK_P2 * lv.responsiveness,
            sc.culture.market_turbulence,
            rng=R["playbook"],
        )

        # 6. Adoption (only once the CRM is live)
        if live:
            book = np.bincount(o[c.active], minlength=e.n) + np.bincount(h[c.active], minlength=e.n)
            rec = np.bincount(o[c.active], weights=c.record[c.active], minlength=e.n)
            rec += np.bincount(h[c.active], weights=c.record[c.active], minlength=e.n)
            own_records = np.where(book > 0, rec / np.maximum(book, 1), 0.0)
            useful = crm_records.perceived_usefulness(
                crm.tool_quality,
                float(usage[front_f].mean()) if front_f.any() else 0.0,
                own_records,
                data_use,
                lv.vision + lv.quick_win_boost,
            )
            ease = np.clip(
                crm.tool_quality
                * (0.5 + 0.3 * crm.training + 0.2 * e.skill)
                * (1 - 0.4 * org.problems_latent / org.problems_initial)
                + 0.1 * lv.communication,
                0,
                1,
            )
            users = e.adopted & e.filled
            expo = adoption.exposure(e.adjacency, users, e.degree)
            social = adoption.social_influence(
                expo,
                leadership.manager_example(e.manager, usage, e.supportive, e.filled),
                lv.executive_support,
            )
            facil = adoption.facilitating_conditions(
                lv.executive_commitment, reinforcing, crm.training
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
            push = (1.0 + 2.0 * lv.urgency) * (2.0 if reinforcing else 1.0)
            adopted = adoption.adopt_step(
                users,
                crm.innovation * e.intention * push,
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
                reinforcing=reinforcing,
                anchored=lv.anchored,
                habit_decay=crm.habit_decay,
                training=crm.training,
            )
            champ = e.champion & e.filled
            e.usage[champ] = np.maximum(e.usage[champ], 0.8)
            e.adopted |= champ
        else:
            R["adoption"].random(e.n)  # keep the stream aligned with the paired run
        lv.urgency *= 0.95
        lv.quick_win_boost *= 0.97

        # 7. People: workload, morale, quits and newcomers
        is_sales, is_service = e.role == SALES, e.role == SERVICE
        book_o = np.bincount(o[c.active], minlength=e.n).astype(float)
        book_h = np.bincount(h[c.active], minlength=e.n).astype(float)
        vac = learning.unit_means((~e.filled).astype(float), e.unit, e.front.astype(float))
        cover = 1.0 / (1.0 - np.minimum(vac, 0.5))
        busywork = usage * 0.25 * (1.0 - data_use)
        wl = np.where(is_sales, book_o / self._ref_book[SALES], 1.0)
        wl = np.where(is_service, book_h / self._ref_book[SERVICE], wl)
        wl = wl * cover + busywork + np.where(is_sales & spike, 0.4, 0.0)
        wl = np.where(e.front, wl, 0.7 + 0.5 * e.backlog / np.maximum(capacity, 1e-9))
        e.workload = wl
        overload = np.maximum(wl / sc.people.workload_norm - 1.0, 0.0)
        stuck = c.issue_open & c.active & (c.issue_severity > self.authority[h])
        n_stuck = np.bincount(h[stuck], minlength=e.n)
        n_open = np.bincount(h[c.issue_open & c.active], minlength=e.n)
        e.powerless = n_stuck / (1.0 + n_open)
        unhappy = c.active & (c.satisfaction < customers.UNHAPPY)
        n_unhappy = np.bincount(o[unhappy], minlength=e.n) + np.bincount(h[unhappy], minlength=e.n)
        angry_share = np.where(book_o + book_h > 0, n_unhappy / np.maximum(book_o + book_h, 1), 0)
        target_m = people.morale_target(overload, e.powerless, angry_share, sup_mgr, e.safety)
        e.morale = e.morale + 0.1 * (target_m - e.morale)
        r_p = R["people"]
        hazard = people.quit_hazard(e.morale, sc.people.base_quit_annual, e.front)
        q = people.quits(e.filled, hazard, rng=r_p)
        e.filled &= ~q
        e.vacant_weeks[q] = sc.people.hiring_delay_weeks
        e.adopted &= ~q
        e.usage[q] = 0.0
        e.champion &= ~q
        # newcomers: one fresh draw per position every week keeps streams aligned
        new_skill = np.full(e.n, sc.people.newcomer_skill)
        new_orient = np.clip(r_p.normal(sc.culture.customer_orientation, 0.15, e.n), 0, 1)
        new_thr = r_p.normal(crm.threshold_mean, crm.threshold_sd, e.n)
        new_aff = r_p.normal(0.0, AFFINITY_SD, e.n)
        new_sup = r_p.random(e.n) < sc.culture.supportive_leadership
        hire = ~e.filled & (e.vacant_weeks <= 0) & ~q
        e.vacant_weeks = np.where(~e.filled & ~hire, np.maximum(e.vacant_weeks - 1, 0), 0)
        e.filled |= hire
        e.skill = np.where(hire, new_skill, people.skill_growth(e.skill, sc.people.learning_weeks))
        e.orientation = np.where(hire, new_orient, e.orientation)
        e.threshold = np.where(hire, new_thr, e.threshold)
        e.affinity = np.where(hire, new_aff, e.affinity)
        e.safety = np.where(hire, climate, e.safety)
        e.morale = np.where(hire, 0.7, e.morale)
        e.supportive = np.where(hire, new_sup & ~e.front, e.supportive)
        e.tenure = np.where(hire, 0, e.tenure + e.filled)
        fresh = R["playbook"].integers(-1, 2, size=e.beliefs.shape, dtype=np.int8)
        e.beliefs = np.where(hire[:, None], fresh, e.beliefs)
        if lv.anchored and live:
            # anchored: newcomers are taught the CRM as "how we work here"
            e.adopted |= hire & e.front
            e.usage = np.where(hire & e.front, 0.5, e.usage)
        n_hired = int(hire.sum())

        # 8. Business case
        revenue = economics.weekly_revenue(c.value, c.active)
        crm_cost = crm.licence_cost_per_user_week * int(front_f.sum()) if live else 0.0
        self.totals["investment"] += crm_cost
        cost = (
            (1 - sc.economics.gross_margin) * revenue
            + economics.weekly_staff_cost(e.filled, e.front, sc.people.salary_annual)
            + n_hired * (sc.people.hiring_cost + sc.people.training_cost)
            + crm_cost
            + self._week_cost
        )
        t = self.totals
        t["net"] += revenue - cost
        t["churned"] += int(gone.sum())
        t["churned_silent"] += int(silent.sum())
        t["complaints"] += int(comp.sum())
        t["quits"] += int(q.sum())
        t["quits_front"] += int((q & e.front).sum())
        t["reported"] += reported
        t["fixed"] += fixed
        t["upsell_to_angry"] += int(angry_call.sum())
        t["acquired"] += int(free.shape[0])
        cf_net = self.counterfactual.totals["net"] if self.counterfactual is not None else None

        st.week = w + 1
        n_new = int(new.sum())
        self._rows.append(
            {
                "week": st.week,
                "adoption_rate": metrics.adoption_rate(st),
                "usage_mean": metrics.usage_mean(st),
                "data_quality": crm_records.data_quality(c.record, c.active, org.duplicate_share),
                "decision_latency_days": float(latency_mean),
                "first_contact_resolution": float(fcr.sum() / n_new) if n_new else float("nan"),
                "escalations": float(esc.shape[0]),
                "satisfaction_mean": metrics.satisfaction_mean(st),
                "dissatisfied_share": metrics.dissatisfied_share(st),
                "customers_active": float(c.active.sum()),
                "churn_rate": float(gone.sum() / active_start) if active_start else 0.0,
                "churned_total": t["churned"],
                "churned_silent_total": t["churned_silent"],
                "complaints_total": t["complaints"],
                "upsell_to_angry_total": t["upsell_to_angry"],
                "acquired_total": t["acquired"],
                "morale_mean": metrics.morale_mean(st),
                "psych_safety_mean": metrics.psych_safety_mean(st),
                "employees_active": float(e.filled.sum()),
                "quits_total": t["quits"],
                "front_line_quits_total": t["quits_front"],
                "front_line_active": float(front_f.sum()),
                "problems_reported_total": t["reported"],
                "problems_fixed_total": t["fixed"],
                "problems_unreported": max(org.problems_latent - org.problems_queue, 0.0),
                "service_quality": quality,
                "playbook_knowledge": playbook.code_knowledge(org.code, org.reality),
                "practice_knowledge_mean": float(
                    playbook.practice_knowledge(e.beliefs[front_f], org.reality).mean()
                )
                if front_f.any()
                else float("nan"),
                "revenue": revenue,
                "cost": cost,
                "net_benefit_total": t["net"],
                "investment_total": t["investment"],
                "roi": economics.roi(t["net"], cf_net, t["investment"])
                if cf_net is not None
                else float("nan"),
            }
        )

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
