"""One week's records: what each process handed on, by process name."""

from __future__ import annotations

from dataclasses import dataclass

from sim.processes.accounts import AccountsWeek
from sim.processes.customers import CustomersWeek
from sim.processes.decisions import DecisionsWeek
from sim.processes.learning import LearningWeek
from sim.processes.people import PeopleWeek
from sim.processes.programme import Start
from sim.processes.sales import SalesWeek


@dataclass
class Week:
    """The records of one week, filled in process order (``None`` until a process has run).

    A process reads only the records of the processes before it (``sim.processes.ORDER``).
    """

    programme: Start | None = None
    decisions: DecisionsWeek | None = None
    sales: SalesWeek | None = None
    customers: CustomersWeek | None = None
    learning: LearningWeek | None = None
    adoption: None = None
    people: PeopleWeek | None = None
    accounts: AccountsWeek | None = None
