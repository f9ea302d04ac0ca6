"""Thin Mesa agents: identity and role, with attributes that read the model's arrays.

The arrays in ``model.state`` are the truth; these handles exist so that Mesa tooling (the agent
set, visualisation) and users who script agents can look at one person or customer. Changing an
array changes what every handle reports, and handles cost no per-step work.

``model.employees`` and ``model.customers`` are :class:`AgentHandles`: sequences whose Mesa agent
is created (and registered with the model, so it joins ``model.agents``) the first time it is
touched. A million customers then cost nothing until someone looks at them: creating a Mesa
agent takes a few microseconds and a few hundred bytes, which at 1,000,000 customers was most of
the model's initialisation time and a third of its memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, overload

import mesa
import numpy as np

from sim.structures import ROLE_NAMES

if TYPE_CHECKING:  # pragma: no cover
    from sim.model import OrgModel


class Employee(mesa.Agent):
    """A position in the organisation and whoever holds it now (front-line staff)."""

    def __init__(self, model: OrgModel, index: int) -> None:
        super().__init__(model)
        self.index = index

    @property
    def _emp(self):  # noqa: ANN202
        return self.model.state.emp

    @property
    def role(self) -> str:
        return ROLE_NAMES[int(self._emp.role[self.index])]

    @property
    def unit(self) -> str:
        return self.model.structure.unit_names[int(self._emp.unit[self.index])]

    @property
    def manager_index(self) -> int:
        return int(self._emp.manager[self.index])

    @property
    def in_post(self) -> bool:
        return bool(self._emp.filled[self.index])

    @property
    def uses_crm(self) -> bool:
        return bool(self._emp.usage[self.index] >= 0.5)

    @property
    def usage(self) -> float:
        return float(self._emp.usage[self.index])

    @property
    def skill(self) -> float:
        return float(self._emp.skill[self.index])

    @property
    def morale(self) -> float:
        return float(self._emp.morale[self.index])

    @property
    def psychological_safety(self) -> float:
        return float(self._emp.safety[self.index])

    @property
    def customer_orientation(self) -> float:
        return float(self._emp.orientation[self.index])

    @property
    def workload(self) -> float:
        return float(self._emp.workload[self.index])

    @property
    def tenure_weeks(self) -> int:
        return int(self._emp.tenure[self.index])

    @property
    def champion(self) -> bool:
        return bool(self._emp.champion[self.index])

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.index} {self.role} in {self.unit}>"


class Manager(Employee):
    """An employee with reports; executives sit at the top."""

    @property
    def reports(self) -> np.ndarray:
        return np.flatnonzero(self._emp.manager == self.index)

    @property
    def span(self) -> int:
        return int(self.reports.shape[0])

    @property
    def backlog(self) -> float:
        return float(self._emp.backlog[self.index])

    @property
    def supportive(self) -> bool:
        return bool(self._emp.supportive[self.index])

    @property
    def decision_authority(self) -> float:
        return float(self.model.authority[self.index])


class Customer(mesa.Agent):
    """A customer account (active or churned)."""

    def __init__(self, model: OrgModel, index: int) -> None:
        super().__init__(model)
        self.index = index

    @property
    def _c(self):  # noqa: ANN202
        return self.model.state.cust

    @property
    def active(self) -> bool:
        return bool(self._c.active[self.index])

    @property
    def churned(self) -> bool:
        return bool(self._c.exists[self.index] and not self._c.active[self.index])

    @property
    def satisfaction(self) -> float:
        return float(self._c.satisfaction[self.index])

    @property
    def complained(self) -> bool:
        return bool(self._c.complained[self.index])

    @property
    def open_issue(self) -> bool:
        return bool(self._c.issue_open[self.index])

    @property
    def annual_value(self) -> float:
        return float(self._c.value[self.index])

    @property
    def owner_index(self) -> int:
        return int(self._c.owner[self.index])

    @property
    def record_completeness(self) -> float:
        return float(self._c.record[self.index])

    def __repr__(self) -> str:
        state = "active" if self.active else "churned"
        return f"<Customer {self.index} {state} satisfaction={self.satisfaction:.2f}>"


class AgentHandles(Sequence[mesa.Agent]):
    """Mesa agents for the rows ``0 .. count() - 1`` of one kind, each made when first touched.

    Indexing, slicing, ``len`` and iteration work as on a list; the same row always gives the
    same agent object. ``materialised`` counts the agents made so far.
    """

    def __init__(self, make: Callable[[int], mesa.Agent], count: Callable[[], int]) -> None:
        self._make = make
        self._count = count
        self._made: dict[int, mesa.Agent] = {}

    def __len__(self) -> int:
        return self._count()

    @overload
    def __getitem__(self, k: int) -> mesa.Agent: ...
    @overload
    def __getitem__(self, k: slice) -> list[mesa.Agent]: ...
    def __getitem__(self, k: int | slice) -> mesa.Agent | list[mesa.Agent]:
        n = len(self)
        if isinstance(k, slice):
            return [self._get(j) for j in range(*k.indices(n))]
        k = int(k)
        if k < 0:
            k += n
        if not 0 <= k < n:
            raise IndexError(f"index {k} out of range for {n} agents")
        return self._get(k)

    def __iter__(self) -> Iterator[mesa.Agent]:
        for k in range(len(self)):
            yield self._get(k)

    def _get(self, k: int) -> mesa.Agent:
        agent = self._made.get(k)
        if agent is None:
            agent = self._made[k] = self._make(k)
        return agent

    def materialise(self) -> None:
        """Make the Mesa agent of every row that has none yet (``model.agents`` calls this)."""
        if len(self._made) == len(self):  # rows only grow: all made already (the usual case)
            return
        for k in range(len(self)):
            if k not in self._made:
                self._made[k] = self._make(k)

    @property
    def materialised(self) -> int:
        """How many of these agents exist as Mesa agents so far."""
        return len(self._made)

    def __repr__(self) -> str:
        return f"<AgentHandles {len(self)} rows, {self.materialised} made>"
