"""``OrgModel``: one organisation, one week per step.

The model builds state from a scenario and a structure, orders the mechanisms in ``step()`` and
records one row of metrics per week. Formulas live in ``sim.mechanisms``; this module only wires
them together (see ``docs/ODD.md`` for the process order and the sources).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from mesa import Model

from sim import metrics, sizing
from sim.agents import AgentHandles, Customer, Employee, Manager
from sim.interventions import LEVER_OF, flatten, is_programme_key, plan_change
from sim.mechanisms import escalation
from sim.processes import ORDER
from sim.processes.context import Context
from sim.processes.programme import move_dial
from sim.processes.week import Week
from sim.rng import make_streams, seed_from
from sim.scenario import Scenario
from sim.state import State, build_state
from sim.structures import SALES, SERVICE, OrgStructure, build_structure


class OrgModel(Model):
    """An organisation rolling out (or not) a CRM.

    Args:
        scenario: A validated ``Scenario`` (see ``sim.load_scenario``).
        rng: Seed for every random number in the run, as Mesa's ``Model`` takes it: an int, a
            ``numpy.random.SeedSequence`` or a ``numpy.random.Generator`` (the run's int seed is
            derived from it, see ``sim.rng.seed_from``); ``None`` draws one from entropy. The
            int is recorded in ``model.seed``.
        counterfactual: Also run, in lockstep and on the same random numbers, the same
            organisation without the CRM and the change programme, so ``roi`` is defined.
        structure: Use this ``OrgStructure`` instead of generating one (e.g. an imported chart).
    """

    def __init__(
        self,
        scenario: Scenario,
        rng: int | np.integer | np.random.SeedSequence | np.random.Generator | None = None,
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
        state: State = build_state(scenario, self.structure, self.streams["init"])
        e = state.emp
        ref_book = {
            SALES: scenario.customers.count / max(int((e.role == SALES).sum()), 1),
            SERVICE: scenario.customers.count / max(int((e.role == SERVICE).sum()), 1),
        }
        self.ctx = Context(state=state, scenario=scenario, streams=self.streams, ref_book=ref_book)
        self._rows: list[dict[str, float]] = []
        self.last_week: Week | None = None
        #: ``(week, field, old, new)`` of every change made during the run (``intervene``)
        self.interventions: list[tuple[int, str, Any, Any]] = []
        self.running = self.state.week < scenario.horizon_weeks
        has_change = scenario.crm.enabled or bool(scenario.change_programme.steps)
        self.counterfactual: OrgModel | None = (
            OrgModel(scenario.counterfactual(), rng=seed, counterfactual=False, structure=structure)
            if counterfactual and has_change
            else None
        )
        if self.counterfactual is not None:
            self.counterfactual.pays_for_change = False  # the twin makes no change of its own
        # Mesa agents are made when first touched (sim/agents.py): customer slots fill from the
        # front, so the k-th customer ever acquired is slot k
        self.employees = AgentHandles(
            lambda i: (Employee if self.state.emp.front[i] else Manager)(self, i),
            lambda: self.state.emp.n,
        )
        self.customers = AgentHandles(
            lambda i: Customer(self, i), lambda: int(np.count_nonzero(self.state.cust.exists))
        )

    #: Whether an intervention's culture change costs money and time away in this run (False for
    #: the no-change twin, so the business case carries the cost of the change).
    pays_for_change: bool = True

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
    def scenario_in_force(self) -> Scenario:
        """The scenario the next week runs under: ``scenario`` after the interventions so far."""
        return self.ctx.scenario

    @property
    def week(self) -> int:
        """Weeks simulated so far."""
        return self.state.week

    @property
    def state(self) -> State:
        """The arrays and organisation-level scalars of this run (``sim.state.State``)."""
        return self.ctx.state

    @property
    def totals(self) -> dict[str, float]:
        """Running totals over the run (``sim.processes.accounts.TOTALS``)."""
        return self.ctx.totals

    @property
    def authority(self) -> np.ndarray:
        """Effective decision authority of each position (base moved by decision rights)."""
        return self.ctx.state.emp.authority

    @property
    def programme_log(self) -> list[tuple[int, str, float]]:
        """``(week, step, strength)`` of every change-programme step carried out so far."""
        return self.ctx.programme_log

    # ------------------------------------------------------------------ changes during a run
    def intervene(self, changes: dict[str, Any], source: str = "intervene") -> None:
        """Change scenario fields between two weeks; the change takes effect from the next week.

        Validation is that of ``Scenario.with_overrides`` (same messages, naming the field),
        plus the rules of ``sim.interventions``: fields that shape the structure or the initial
        population cannot change, the horizon may not end before the current week, a go-live
        week in the past (when enabling the CRM) becomes the current week, a go-live week cannot
        change once the CRM is live, and programme steps dated in the past never fire (a new one
        is refused). On any error nothing changes, in this model or its twin.

        An intervention *moves* each lever it names (a culture dial copied into ``state.levers``)
        to the new dial value, overriding earlier change-programme moves of that lever. The move
        has a lag: the dial in force closes half its gap to the new value every
        ``change_programme.structure_half_life_weeks`` (decision rights, incentives,
        responsiveness, executive dials) or ``norm_half_life_weeks`` (safety, orientation,
        sharing), from the first week after the change (see ``culture_in_force()``); with a
        half-life of 0 the lever is set at once. It has costs: ``change_cost_per_person_point``
        per person affected and per point moved, booked as investment at the start of the
        next week, and ``change_away_weeks_per_point`` weeks of each front-line person's time
        spread over ``change_away_spread_weeks`` weeks, taken from account care (the
        executive dials take managers' time, not modelled). Effective authority is recomputed
        when decision rights move. Other fields act
        wherever the weekly processes read the scenario; values used only to build the initial
        state are not rebuilt.

        The no-change twin (``self.counterfactual``) receives the same change minus its crm.*
        and change_programme.* fields, with the same lag but without its money or time away:
        ``roi`` is the return on the CRM programme and the spend on the change.

        Each changed field is recorded in ``self.interventions`` as ``(week, field, old, new)``,
        ``week`` being the week the change takes effect (``state.week``; it shows from results
        row ``week + 1``). A scheduled ``[[interventions]]`` entry at week W is applied the same
        way at the start of week W, so it gives the same table as calling this after W steps.

        Args:
            changes: Dotted field -> new value (``{"culture.decision_rights": 0.8}``).
            source: What error messages start with.

        Raises:
            ScenarioError: naming the field when the change is refused.
        """
        self._intervene(changes, source, twin=True)

    def _intervene(self, changes: dict[str, Any], source: str, *, twin: bool) -> None:
        week = self.state.week
        new, records = plan_change(self.ctx.scenario, changes, week, self.ctx.live_since, source)
        cf = self.counterfactual if twin else None
        cf_changes = {k: v for k, v in flatten(changes).items() if not is_programme_key(k)}
        cf_plan = None
        if cf is not None and cf_changes:
            # planned before anything is applied, so a refusal leaves both models unchanged
            cf_plan = plan_change(cf.ctx.scenario, cf_changes, week, cf.ctx.live_since, source)
        self._apply(new, records)
        if cf is not None and cf_plan is not None:
            cf._apply(*cf_plan)

    def _apply(self, new: Scenario, records: list[tuple[int, str, Any, Any]]) -> None:
        lv, e = self.state.levers, self.state.emp
        self.ctx.scenario = new  # the lag and costs of the change read the new coefficients
        for _, key, _, value in records:
            lever = LEVER_OF.get(key)
            if lever is not None:  # the rule: the lever moves to the new dial value, with its lag
                move_dial(self.ctx, lever, float(value), pay=self.pays_for_change, money=True)
        if any(key == "culture.decision_rights" for _, key, _, _ in records):
            e.authority = escalation.effective_authority(e.base_authority, lv.decision_rights)
        self.interventions.extend(records)
        self.running = self.state.week < new.horizon_weeks

    def culture_in_force(self) -> pd.DataFrame:
        """Each culture dial in force each week (``state.levers``) and the share of front-line
        time away on change training, indexed like ``results()``: a changed dial moves towards
        its new value with its half-life (``change_programme.*_half_life_weeks``)."""
        return pd.DataFrame(self.ctx.changes.log).set_index("week")

    def interventions_table(self) -> pd.DataFrame:
        """``model.interventions`` as a table: week, field, old, new (one row per field)."""
        return pd.DataFrame(self.interventions, columns=["week", "field", "old", "new"])

    # ------------------------------------------------------------------ one week
    def step(self) -> None:
        """Advance one week: the processes of the ODD, section 3, in ``sim.processes.ORDER``.

        The scenario's interventions dated this week are applied first (the twin applies its
        own, the programme keys left out, in its own step).
        """
        if self.counterfactual is not None:
            self.counterfactual.step()
        st, sc = self.ctx.state, self.ctx.scenario
        for i, iv in enumerate(sc.interventions):
            if iv.week == st.week:
                self._intervene(iv.set, f"interventions[{i}].set", twin=False)
        week = Week()
        for process in ORDER:
            setattr(week, process.NAME, process.step(self.ctx, week))
        self.ctx.state.week += 1
        self.last_week = week
        self._rows.append(self.metrics_row(week))
        # Mesa's convention (batch_run loops while model.running): stop at the horizon
        self.running = self.ctx.state.week < self.ctx.scenario.horizon_weeks

    def metrics_row(self, week: Week) -> dict[str, float]:
        """This week's row of metrics (``sim.metrics.COLUMNS``) from the state and ``week``."""
        cf_net = self.counterfactual.totals["net"] if self.counterfactual is not None else None
        line = self.ctx.scenario.customers.unhappy_line
        return metrics.weekly_row(self.ctx.state, week, self.ctx.totals, cf_net, line)

    def run(self, steps: int | None = None) -> pd.DataFrame:
        """Run to the horizon (or ``steps`` more weeks) and return the per-week table so far."""
        n = self.ctx.scenario.horizon_weeks - self.state.week if steps is None else int(steps)
        for _ in range(max(n, 0)):
            self.step()
        return self.results()

    def results(self) -> pd.DataFrame:
        """Tidy per-week table, indexed by ``week`` (1 = after the first week)."""
        df = pd.DataFrame(self._rows, columns=["week", *metrics.COLUMNS])
        return df.set_index("week")
