"""Thin Mesa agents: identity and role, with attributes that read the model's arrays.

The arrays in ``model.state`` are the truth; these handles exist so that Mesa tooling (the agent
set, visualisation) and users who script agents can look at one person or customer. Changing an
array changes what every handle reports, and handles cost no per-step work.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

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
        return bool(self._c.churned_week[self.index] >= 0)

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
