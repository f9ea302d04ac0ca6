"""A diagnostic burn-in that holds the customer count (experiments only, not the model).

``Held`` runs the burn-in with the at-rest balance (``OrgModel._rest_balance``: the book's mix
of expectations and the acquisition rate) applied every ``Held.EVERY`` [26] weeks. It was
written when the model balanced only half-way and at the end (then a 520-week burn-in ran its
first 260 weeks at the scenario's acquisition rate and the book shrank to ~1,170 of 1,500);
the figures of docs/ODD.md 8.A wave 4 were measured with its own loop and uniforms (seeded
12345 + seed). The model now balances every ``burn_in_balance_weeks``, so ``Held`` only sets
that field and its uniforms come from the model's ``init`` stream.
``Unsettled`` puts one settled stock back to its initial draw after it (see its docstring).
"""

import numpy as np

from sim.model import OrgModel


class Held(OrgModel):
    """The burn-in with the at-rest balance applied every ``EVERY`` weeks (diagnostic only).

    The model now does this itself (``burn_in_balance_weeks``, docs/ODD.md 8.A wave 4); this
    class only sets that field from ``EVERY`` so the experiments' commands keep their meaning.
    """

    EVERY = 26

    def _burn_in(self) -> None:
        sc = self.ctx.scenario
        self.ctx.scenario = sc.with_overrides({"burn_in_balance_weeks": self.EVERY}).model_copy(
            update={"design": sc.design}  # as OrgModel._rest_balance keeps a design's own rates
        )
        super()._burn_in()


class Unsettled(Held):
    """``Held``, then one settled stock put back to its initial draw at week 0 (diagnostic):
    ``UNSETTLE = "books"`` redraws every active customer's owner and handler as at the build
    (``sim.state.pick_positions``, ``assign_accounts``): the books of accounts per position;
    ``orient``, ``tenure``, ``safety``, ``skill`` redraw that trait of every position as at the
    build (``people`` all four; join several with ``+``)."""

    UNSETTLE = "books"

    def _burn_in(self) -> None:
        super()._burn_in()
        from sim.state import assign_accounts, pick_positions
        from sim.structures import SALES

        st, sc = self.ctx.state, self.ctx.scenario
        c, e = st.cust, st.emp
        rng = np.random.default_rng(999 + self.seed)
        if self.UNSETTLE == "books":
            act = np.flatnonzero(c.active)
            sales = np.flatnonzero(e.role == SALES)
            own = pick_positions(sales, e.fte, act.size, rng)
            h, g, t = assign_accounts(own, e, rng, local_share=sc.customers.local_handler_share)
            c.owner[act], c.handler[act], c.same_group[act], c.tie[act] = own, h, g, t
        what = set(self.UNSETTLE.split("+"))
        if "people" in what:
            what |= {"orient", "tenure", "safety", "skill"}
        pp, cul, n = sc.people, sc.culture, e.n
        if "orient" in what:
            e.orientation = np.clip(
                rng.normal(cul.customer_orientation, pp.initial_orientation_sd, n), 0, 1
            )
        if "tenure" in what:
            e.tenure = rng.integers(
                pp.tenure_min_weeks, pp.tenure_min_weeks + pp.tenure_span_weeks, n
            )
        if "safety" in what:
            e.safety = np.clip(rng.normal(cul.psychological_safety, pp.initial_safety_sd, n), 0, 1)
        if "expect" in what:  # the customer types (and satisfaction) of the initial draw
            m = c.capacity
            c.expectation = np.where(
                c.active, rng.normal(0.0, sc.customers.expectation_sd, m), c.expectation
            )
            sat0 = rng.beta(
                sc.customers.initial_satisfaction_a, sc.customers.initial_satisfaction_b, m
            )
            c.satisfaction = np.where(c.active, np.clip(sat0, 0, 1), c.satisfaction)
        if "skill" in what:
            e.skill = np.clip(rng.beta(pp.skill_beta_a, pp.skill_beta_b, n), 0, 1)
