"""``OrgModel``: one organisation, one week per step.

The model builds state from a scenario and a structure, orders the mechanisms in ``step()`` and
records one row of metrics per week. Formulas live in ``sim.mechanisms``; this module only wires
them together (see ``docs/ODD.md`` for the process order and the sources).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from mesa import Model

from sim import metrics, sizing
from sim.agents import AgentHandles, Customer, Employee, Manager
from sim.processes import ORDER
from sim.processes.context import Context
from sim.processes.week import Week
from sim.rng import make_streams, seed_from
from sim.scenario import Scenario
from sim.state import State, build_state
from sim.structures import SALES, SERVICE, OrgStructure, build_structure


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
        state: State = build_state(scenario, self.structure, self.streams["init"])
        e = state.emp
        ref_book = {
            SALES: scenario.customers.count / max(int((e.role == SALES).sum()), 1),
            SERVICE: scenario.customers.count / max(int((e.role == SERVICE).sum()), 1),
        }
        self.ctx = Context(state=state, scenario=scenario, streams=self.streams, ref_book=ref_book)
        self._rows: list[dict[str, float]] = []
        self.last_week: Week | None = None
        has_change = scenario.crm.enabled or bool(scenario.change_programme.steps)
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

    # ------------------------------------------------------------------ one week
    def step(self) -> None:
        """Advance one week: the processes of the ODD, section 3, in ``sim.processes.ORDER``."""
        if self.counterfactual is not None:
            self.counterfactual.step()
        week = Week()
        for process in ORDER:
            setattr(week, process.NAME, process.step(self.ctx, week))
        self.ctx.state.week += 1
        self.last_week = week
        self._rows.append(self.metrics_row(week))

    def metrics_row(self, week: Week) -> dict[str, float]:
        """This week's row of metrics (``sim.metrics.COLUMNS``) from the state and ``week``."""
        cf_net = self.counterfactual.totals["net"] if self.counterfactual is not None else None
        line = self.ctx.scenario.customers.unhappy_line
        return metrics.weekly_row(self.ctx.state, week, self.ctx.totals, cf_net, line)

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
