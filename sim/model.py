"""``OrgModel``: one organisation, one week per step.

The model builds state from a scenario and a structure, orders the mechanisms in ``step()`` and
records one row of metrics per week. Formulas live in ``sim.mechanisms``; this module only wires
them together (see ``docs/ODD.md`` for the process order and the sources).
"""

from __future__ import annotations

import copy
import functools
import os
from typing import Any

import numpy as np
import pandas as pd
from mesa import DataCollector, Model

from sim import metrics, sizing
from sim.agents import AgentHandles, Customer, Employee, Manager
from sim.interventions import LEVER_OF, flatten, is_programme_key, plan_change, rescale_draws
from sim.mechanisms import economics, escalation
from sim.mesa_scenario import OrgScenario
from sim.processes import ORDER
from sim.processes.accounts import new_totals
from sim.processes.context import Context
from sim.processes.programme import move_dial, restructure
from sim.processes.week import Week
from sim.rng import make_streams, seed_from
from sim.scenario import Scenario
from sim.state import State, build_state, grow_customers, slots_for_weeks
from sim.structures import SALES, SERVICE, OrgStructure, build_structure


class OrgModel(Model):
    """An organisation rolling out (or not) a CRM.

    Args:
        scenario: A validated ``Scenario`` (see ``sim.load_scenario``), a preset name or
            scenario file path, which is loaded with ``sim.load_scenario``, or a Mesa
            ``Scenario``: a :class:`sim.mesa_scenario.OrgScenario` (a base and dotted
            overrides; its ``rng`` is used when ``rng`` is not given). ``model.scenario`` is
            always an ``OrgScenario`` whose attributes read the validated scenario, so
            SolaraViz's Reset works.
        rng: Seed for every random number in the run, as Mesa's ``Model`` takes it: an int, a
            ``numpy.random.SeedSequence`` or a ``numpy.random.Generator`` (the run's int seed is
            derived from it, see ``sim.rng.seed_from``); ``None`` draws one from entropy. The
            int is recorded in ``model.seed``.
        counterfactual: Also run, in lockstep and on the same random numbers, the same
            organisation without the CRM and the change programme, so ``roi`` is defined.
        structure: Use this ``OrgStructure`` instead of generating one (e.g. an imported chart).
        **overrides: Dotted scenario fields and their values, applied with
            ``Scenario.with_overrides`` (same validation and messages), e.g.
            ``OrgModel("command_and_control", rng=1, **{"culture.decision_rights": 0.8})``; a
            double underscore also stands for the dot (``culture__decision_rights=0.8``). This is
            how Mesa's ``batch_run`` passes its parameters.

    Mesa conventions: ``model.running`` turns False at the horizon; ``model.datacollector`` is a
    ``mesa.DataCollector`` with a model reporter per metric column (``sim.metrics.COLUMNS``),
    collected every week, so ``mesa.batch_run`` and SolaraViz's plot components work;
    ``model.agents`` (and ``agents_by_type``) hold every employee and every customer ever won as
    Mesa agents, made when that attribute is first read (see ``sim/agents.py``).

    Before week 1 the organisation runs ``scenario.burn_in_weeks`` weeks at rest (weeks
    ``-burn_in_weeks .. -1`` of ``state.week``; nothing reported, totals and the programme log
    reset; a CRM with ``crm.go_live_week < 0`` goes live inside it). See docs/ODD.md, 5.1.
    With ``counterfactual=False`` no twin is built and ``roi`` is NaN (the experiment and sweep
    code pass it when ROI is not requested).
    """

    def __init__(
        self,
        scenario: Scenario | str | os.PathLike[str],
        rng: int | np.integer | np.random.SeedSequence | np.random.Generator | None = None,
        *,
        counterfactual: bool = True,
        structure: OrgStructure | None = None,
        _twin_of: OrgModel | None = None,
        **overrides: Any,
    ) -> None:
        dotted = {k.replace("__", "."): v for k, v in overrides.items()}
        if isinstance(scenario, OrgScenario):  # Mesa's experimental Scenario (SolaraViz Reset)
            if rng is None:
                rng = scenario.rng
            elif scenario.rng is not None and scenario.rng != rng:
                raise ValueError("rng and scenario.rng must be the same (as Mesa's Model says)")
            self._settings = (scenario.base, {**scenario.overrides, **dotted})
            scenario = scenario.validated
        else:
            self._settings = (scenario, dotted)  # what model.scenario is made from
            if not isinstance(scenario, Scenario):
                from sim.inputs import load_scenario

                scenario = load_scenario(scenario)
        self._mesa_scenario: OrgScenario | None = None
        if dotted:
            scenario = scenario.with_overrides(dotted)
        if counterfactual:  # the top-level model checks for itself and its twin
            sizing.check_fits(scenario, counterfactual=True)
        seed = seed_from(rng)
        if scenario.calibration is not None and _twin_of is None:
            # a calibrated scenario: this run's parameter set, drawn from the posterior on its
            # own side stream (no model stream moves); the twin is built from the result
            drawn = scenario.calibration.draw(seed)
            scenario = scenario.model_copy(update={"calibration": None}).with_overrides(
                drawn, source="calibration"
            )
        super().__init__(rng=seed)
        self._org_scenario = scenario
        self.seed = seed
        self._rows: list[dict[str, float]] = []
        self.last_week: Week | None = None
        #: ``(week, field, old, new)`` of every change made during the run (``intervene``)
        self.interventions: list[tuple[int, str, Any, Any]] = []
        self._is_twin = _twin_of is not None
        if _twin_of is not None:
            self._copy_from(_twin_of, scenario)
        else:
            self._build(scenario, structure)
            self._burn_in()
        self.running = self.state.week < scenario.horizon_weeks
        sc = self.ctx.scenario
        has_change = (
            (sc.crm.enabled and sc.crm.go_live_week >= 0)
            or bool(sc.change_programme.steps)
            # a proposed design whose CRM or programme arrives with its change (sim/design.py)
            or any(is_programme_key(k) for k in flatten(sc.design.set))
        )
        # the no-change twin starts from a copy of the burnt-in state (same stream positions)
        self.counterfactual: OrgModel | None = (
            OrgModel(sc.counterfactual(), rng=seed, counterfactual=False, _twin_of=self)
            if counterfactual and has_change and _twin_of is None
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
        self.datacollector = DataCollector(
            model_reporters={k: functools.partial(_latest, key=k) for k in metrics.COLUMNS}
        )

    # ------------------------------------------------------------------ Mesa agents
    @property
    def agents(self):  # type: ignore[override]  # noqa: ANN201
        """Every employee and every customer ever won, as Mesa agents (made on first read)."""
        self.employees.materialise()
        self.customers.materialise()
        return super().agents

    @property
    def agents_by_type(self):  # type: ignore[override]  # noqa: ANN201
        """Mesa's agent sets per class (Employee, Manager, Customer), every agent made first."""
        self.employees.materialise()
        self.customers.materialise()
        return super().agents_by_type

    @property
    def latest(self) -> dict[str, float]:
        """The last week's row of metrics (``sim.metrics.COLUMNS`` and ``week``), a copy.

        Raises:
            LookupError: before the first week.
        """
        if not self._rows:
            raise LookupError("no week has been run yet (call step() first)")
        return dict(self._rows[-1])

    # ------------------------------------------------------------------ construction
    def _build(self, scenario: Scenario, structure: OrgStructure | None) -> None:
        """Structure, initial state and context from the scenario (before the burn-in)."""
        self.streams = make_streams(self.seed)
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
        state: State = build_state(
            scenario,
            self.structure,
            self.streams["init"],
            rest_rng=self.streams["playbook_rest"],
            disposition_rng=self.streams["dispositions"],
        )
        e = state.emp
        # the plan per full-time position; a part-timer's plan is ``fte`` of it (people.step)
        ref_book = {
            r: scenario.customers.count / max(float(e.fte[e.role == r].sum()), 1.0)
            for r in (SALES, SERVICE)
        }
        self.ctx = Context(state=state, scenario=scenario, streams=self.streams, ref_book=ref_book)
        self.ctx.slots_until = scenario.horizon_weeks

    def _burn_in(self) -> None:
        """Run the burn-in weeks at rest, then reset what the run reports (ODD 5.1).

        ``state.week`` runs from ``-burn_in_weeks`` to 0, so a go-live at a negative week happens
        inside the burn-in and programme steps and interventions (weeks >= 0) cannot fire in it.
        Every ``burn_in_balance_weeks`` weeks and at its end, the customer book takes its
        at-rest mix of types (``_rest_book``, from the expected churn of each type over the
        window just run) and, with
        ``balance_acquisition``, the acquisition rate in force is scaled so that the customers
        expected to be won match the book's expected losses (the customer count is stationary
        at rest, near ``customers.count``, whatever the burn-in's length).
        """
        ctx = self.ctx
        weeks = ctx.scenario.burn_in_weeks
        every = ctx.scenario.burn_in_balance_weeks
        ctx.state.week = -weeks
        c = ctx.state.cust
        c.joined_week = np.where(c.exists, -weeks, c.joined_week)
        inflow = c.expectation.copy()  # i.i.d. draws of the newcomers' expectations (slots)
        # One uniform per slot and balance, drawn up front so the stream's use depends only on
        # the burn-in's length (same seed, same numbers, whatever happens in the weeks).
        n_bal = -(-weeks // every) if weeks >= 2 else 0
        u = self.streams["init"].random((n_bal, c.capacity))
        risk = np.zeros(c.capacity)  # expected churn events of each slot in the current window
        exposure = np.zeros(c.capacity)  # weeks each slot was active in the current window
        won, n, done = 0.0, 0, 0  # customers expected to be won, weeks, balances so far
        rate0 = ctx.scenario.customers.acquisition_rate
        for i in range(weeks):
            week = Week()
            for process in ORDER:
                setattr(week, process.NAME, process.step(ctx, week))
            risk += week.customers.hazard
            exposure += week.customers.hazard > 0
            won += week.customers.expected_acquired
            n += 1
            ctx.state.week += 1
            if done < n_bal and (n == every or i == weeks - 1):
                self._rest_balance(risk, exposure, inflow, u[done], won / n, rate0)
                risk[:], exposure[:], won, n, done = 0.0, 0.0, 0.0, 0, done + 1
        self.last_week = None
        ctx.totals = new_totals()
        ctx.programme_log = []

    def _rest_balance(
        self,
        risk: np.ndarray,
        exposure: np.ndarray,
        inflow: np.ndarray,
        u: np.ndarray,
        won_per_week: float,
        rate0: float,
    ) -> None:
        """The book takes its at-rest mix; the acquisition rate balances its expected losses.

        The new rate is the rate in force times expected losses a week over the customers
        expected to be won a week in the window, at most ``_ACQ_SCALE_MAX`` times the
        scenario's own rate ``rate0`` (customer slots are preallocated for that).
        """
        losses = self._rest_book(risk, exposure, inflow, u)
        sc = self.ctx.scenario
        rate = sc.customers.acquisition_rate
        if sc.balance_acquisition and rate > 0 and won_per_week > 0 and losses > 0:
            new = min(rate * losses / won_per_week, rate0 * self._ACQ_SCALE_MAX)
            self.ctx.scenario = sc.with_overrides({"customers.acquisition_rate": new}).model_copy(
                update={"design": sc.design}  # a design's own rate still applies at its change
            )

    #: Expectation classes (quantile bins) of the at-rest book (``_rest_book``).
    _BOOK_BINS = 10

    def _rest_book(
        self, risk: np.ndarray, exposure: np.ndarray, inflow: np.ndarray, u: np.ndarray | None
    ) -> float:
        """The customer book takes its at-rest mix of types; returns its expected losses a week.

        A book at rest holds each type of customer (``expectation``, the one lasting difference
        between customers) in proportion to its share of newcomers times its expected lifetime,
        1 / hazard (a renewal process: inflow = outflow for each type). The initial book holds
        them in the newcomers' proportion, so without this churn falls for a decade as
        demanding customers leave. Types are ``_BOOK_BINS`` expectation classes (quantile bins
        of the customers seen in the window). A class's hazard is its expected churn over its
        customer-weeks: ``risk`` sums each slot's weekly chance of leaving
        (``customers.churn_hazard``, the churn draw's own probability, so none of the sampling
        noise of the few churn events), ``exposure`` its weeks active. Newcomers' shares come
        from ``inflow`` (the slots' own i.i.d. draws of expectation). With ``u`` (one uniform
        per slot), each active customer takes the type (expectation and satisfaction) of a
        donor from the active book drawn with weight (class share at rest / class share now),
        so the book holds every class at its share at rest.
        """
        c = self.ctx.state.cust
        seen = exposure > 0
        act = np.flatnonzero(c.active)
        if not seen.any() or act.size == 0:
            return 0.0
        x = c.expectation
        edges = np.quantile(x[seen], np.linspace(0, 1, self._BOOK_BINS + 1)[1:-1])
        k = np.searchsorted(edges, x)
        ev = np.bincount(k[seen], weights=risk[seen], minlength=self._BOOK_BINS)
        ex = np.bincount(k[seen], weights=exposure[seen], minlength=self._BOOK_BINS)
        overall = ev.sum() / ex.sum()
        h = np.where(ex > 0, ev / np.maximum(ex, 1.0), overall)
        if u is not None and overall > 0:
            # at rest each class holds its share of newcomers times its lifetime, 1 / h
            q = np.bincount(np.searchsorted(edges, inflow), minlength=self._BOOK_BINS)
            # a class nobody leaves (no base churn, all content) would take the whole book
            life = q / np.maximum(h, overall * 1e-3)
            target = life / life.sum()
            n_k = np.bincount(k[act], minlength=self._BOOK_BINS)
            w = (target / np.maximum(n_k, 1))[k[act]]
            cum = np.cumsum(w) / w.sum()
            donor = act[np.minimum(np.searchsorted(cum, u[: act.size]), act.size - 1)]
            c.expectation[act], c.satisfaction[act] = x[donor], c.satisfaction[donor]
            k = np.searchsorted(edges, x)
        return float(h[k[act]].sum())

    #: Upper bound of the at-rest acquisition scale (slots are preallocated for it, see
    #: ``sim.state.customer_capacity``).
    _ACQ_SCALE_MAX = 3.0

    def _copy_from(self, model: OrgModel, scenario: Scenario) -> None:
        """Start as a copy of ``model`` after its burn-in, running ``scenario`` from here."""
        self.structure = model.structure
        memo = {id(model.ctx.scenario): scenario, id(model.structure): model.structure}
        self.ctx = copy.deepcopy(model.ctx, memo)
        self.streams = self.ctx.streams

    #: Whether an intervention's culture change costs money and time away in this run. The
    #: no-change twin receives the same non-CRM interventions and pays for them too, so their cost
    #: cancels in ROI, which measures the CRM and its programme only (ODD 6.11).
    pays_for_change: bool = True

    # ------------------------------------------------------------------ helpers
    @property
    def scenario(self) -> OrgScenario:  # type: ignore[override]
        """This model's settings as a Mesa ``Scenario`` (:class:`sim.mesa_scenario.OrgScenario`).

        Its attributes read the validated scenario the model runs (``model.scenario.culture``,
        ``model.scenario.horizon_weeks``; the scenario itself is ``model.scenario.validated``),
        and its class carries the base and overrides, so SolaraViz's Reset rebuilds the same
        organisation. Made when first read.
        """
        if self._mesa_scenario is None:
            base, over = self._settings
            sc = OrgScenario.defaults(base, over)(rng=self.seed, _scenario_id=0)
            object.__setattr__(sc, "_validated", self._org_scenario)  # the one this model runs
            sc.model = self
            self._mesa_scenario = sc
        return self._mesa_scenario

    @scenario.setter
    def scenario(self, value: object) -> None:
        # Mesa's Model.__init__ assigns a placeholder experimental Scenario here: not used, since
        # model.scenario is made from this model's own settings when first read.
        if isinstance(value, Scenario):
            raise AttributeError("a model's scenario is fixed; build a new OrgModel instead")

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
        week in the past (when enabling the CRM) becomes the current week, the go-live week,
        implementation cost and reinforcement weeks cannot change once the CRM is live
        (``sim.interventions.AT_GO_LIVE``), and programme steps dated in the past never fire (a
        new one is refused). On any error nothing changes, in this model or its twin.

        An intervention *moves* each lever it names (a culture dial copied into ``state.levers``)
        to the new dial value, overriding earlier change-programme moves of that lever. The move
        has a lag: the dial in force closes half its gap to the new value every
        ``change_programme.structure_half_life_weeks`` (decision rights, incentives,
        responsiveness, executive dials, socialisation), ``norm_half_life_weeks`` (safety,
        orientation, sharing) or ``coaching_half_life_weeks`` (supportive leadership: the
        managers whose kept style uniform is below the share in force coach), from the first
        week after the change (see ``culture_in_force()``); with a half-life of 0 the lever is
        set at once. It has costs: ``change_cost_per_person_point`` per person affected (the
        managers for the executive and supportive-leadership dials) and per point moved,
        booked as investment at the start of the next week, and
        ``change_away_weeks_per_point`` weeks of each front-line person's time spread over
        ``change_away_spread_weeks`` weeks, taken from account care (the leaders' dials take
        managers' time, not modelled). Effective authority is recomputed when decision rights
        or ``decisions.rights_reach`` move.

        Values drawn at build move with the fields they were drawn from
        (``sim.interventions.RESCALED``, docs/ODD.md 8.I): every position's adoption threshold
        (``crm.threshold_mean``, ``crm.threshold_sd``) and affinity (``adoption.affinity_sd``),
        and the value and expectation
        of customers not yet acquired (``customers.annual_value``, ``value_dispersion``,
        ``expectation_sd``), by transforming the draws already made (no new random numbers).
        Fields that describe the starting state (``sim.interventions.STARTING``: the initial
        people, book and problem stock, the burn-in and its acquisition balance, the accounts'
        handler assignment) are refused. Every other
        field acts wherever the weekly processes read the scenario (tests/test_interventions.py
        checks that each accepted field is read after the build); the ``people.newcomer_*``
        fields act on the people hired from then on.

        The no-change twin (``self.counterfactual``) receives the same change minus its crm.*
        and change_programme.* fields, with the same lag, money and time away (for its own staff),
        so the shared change cancels in ``roi``'s numerator (ODD 6.11).

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
        rescale_draws(self.state, self.ctx.scenario, new)  # values drawn at build (ODD 8.I)
        self.ctx.scenario = new  # the lag and costs of the change read the new coefficients
        for _, key, _, value in records:
            lever = LEVER_OF.get(key)
            if lever is not None:  # the rule: the lever moves to the new dial value, with its lag
                move_dial(self.ctx, lever, float(value), pay=self.pays_for_change, money=True)
        if any(
            key in ("culture.decision_rights", "decisions.rights_reach") for _, key, _, _ in records
        ):
            e.authority = escalation.effective_authority(
                e.base_authority, lv.decision_rights, p=new.decisions
            )
        self.interventions.extend(records)
        self.running = self.state.week < new.horizon_weeks

    def _change_design(self, sc: Scenario) -> None:
        """A proposed design's change week: its settings move, its restructuring is paid.

        ``design.set`` is applied like an intervention (lags, money, time away); a design
        reached from a base with its own structural transformations pays their restructuring
        (``sim.processes.programme.restructure``). The twin does the same in its own step.
        """
        if sc.design.set:
            self._intervene(sc.design.set, "design.set", twin=False)
        # the scenario in force now: ``design.set`` may have replaced it (salaries included)
        now = self.ctx.scenario
        inputs = now.inputs
        if inputs is not None and inputs.moved is not None and self.pays_for_change:
            restructure(
                self.ctx,
                inputs.moved,
                inputs.removed,
                inputs.removed_staff,
                inputs.added,
                removed_pay=self.removed_pay(now),
            )

    def removed_pay(self, sc: Scenario) -> float | None:
        """Yearly pay of the positions the design removes, each by its own salary (the chart's
        ``salary`` column, else its role's), when salaries are given; None otherwise (severance
        then uses the staff salary and the manager factor, as before)."""
        inputs = sc.inputs
        if inputs is None or inputs.removed_role.shape[0] == 0:
            return None
        if not sc.economics.role_salaries_set() and np.isnan(inputs.removed_salary).all():
            return None
        pay = economics.position_pay(
            inputs.removed_role,
            inputs.removed_salary,
            inputs.removed_fte,
            sc.people.salary_annual,
            sc.economics,
        )
        return float(pay.sum())

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
        if st.week >= self.ctx.slots_until:  # past the horizon the slots were sized for
            self._grow_slots()
        if st.week == sc.design.change_week:
            self._change_design(sc)
        # the schedule as in force now (a design change this week replaced the scenario)
        for i, iv in enumerate(self.ctx.scenario.interventions):
            if iv.week == st.week:
                self._intervene(iv.set, f"interventions[{i}].set", twin=False)
        week = Week()
        for process in ORDER:
            setattr(week, process.NAME, process.step(self.ctx, week))
        self.ctx.state.week += 1
        self.last_week = week
        self._rows.append(self.metrics_row(week))
        if not self._is_twin:  # the no-change twin's rows are read through its totals only
            self.datacollector.collect(self)
        # Mesa's convention (batch_run loops while model.running): stop at the horizon
        self.running = self.ctx.state.week < self.ctx.scenario.horizon_weeks

    def _grow_slots(self) -> None:
        """Room for another ``horizon_weeks`` of acquisitions (``sim.state.grow_customers``).

        Done at the same weeks in a model and its twin, from the ``init`` stream (not drawn after
        the burn-in), so both keep common random numbers."""
        sc, st = self.ctx.scenario, self.ctx.state
        n_sales = int((st.emp.role == SALES).sum())
        extra = slots_for_weeks(sc, n_sales, 0, 0.0)
        grow_customers(st.cust, st.emp, sc, extra, self.streams["init"])
        self.ctx.slots_until = st.week + sc.horizon_weeks

    def metrics_row(self, week: Week) -> dict[str, float]:
        """This week's row of metrics (``sim.metrics.COLUMNS``) from the state and ``week``."""
        twin = self.counterfactual
        cf_net = twin.totals["net"] if twin is not None else None
        cf_investment = twin.totals["investment"] if twin is not None else 0.0
        line = self.ctx.scenario.customers.unhappy_line
        return metrics.weekly_row(
            self.ctx.state, week, self.ctx.totals, cf_net, line, cf_investment=cf_investment
        )

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


def _latest(model: OrgModel, key: str) -> float:
    """A DataCollector model reporter: this week's value of one metric (module level, so the
    model's data collector pickles, as ``mesa.batch_run``'s worker processes need)."""
    return model._rows[-1][key]
