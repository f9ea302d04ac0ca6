"""What every process reads: the run's state, its current scenario and its random streams."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.processes.accounts import new_totals
from sim.processes.programme import DialChanges
from sim.scenario import Scenario
from sim.state import State


@dataclass
class Context:
    """One run's state, scenario and streams, shared by its processes.

    Attributes:
        state: The arrays and organisation-level scalars the processes read and write.
        scenario: The scenario in force this week (``OrgModel.intervene`` replaces it).
        streams: One random generator per process (``sim.rng.STREAMS``).
        ref_book: Planned accounts per full-time sales position and cases per full-time service
            position, by role (a part-timer's plan is ``fte`` of it),
            the staffing plan that workload is measured against; fixed at the start.
        programme_log: ``(week, step, strength)`` of every change-programme step carried out.
        totals: Running totals over the run (``sim.processes.accounts.TOTALS``).
        live_since: The week the CRM went live (set by the programme process), None before.
        changes: Culture changes under way: lagged dials, their costs and time away.
        slots_until: The week the customer slots are sized up to (``OrgModel`` adds slots when
            a run goes past it; ``sim.state.grow_customers``).
    """

    state: State
    scenario: Scenario
    streams: dict[str, np.random.Generator]
    ref_book: dict[int, float]
    programme_log: list[tuple[int, str, float]] = field(default_factory=list)
    totals: dict[str, float] = field(default_factory=new_totals)
    live_since: int | None = None
    changes: DialChanges = field(default_factory=DialChanges)
    slots_until: int = 0
