"""The model's weekly processes, one module per process of the ODD's process overview.

Each module holds one process: its ``step(ctx, week)`` (reading the state, the scenario's
parameters and its own random streams), calls to the small pure formulas in ``sim.mechanisms``,
and the frozen record it hands to the processes after it in the same week. ``ORDER`` is the
week: ``OrgModel.step`` runs these in turn and nothing else (docs/ODD.md, section 3).

Adding a process is one new module with a ``NAME``, a ``step`` and its record, a place in
``ORDER`` and a field of :class:`sim.processes.week.Week`.
"""

from __future__ import annotations

from sim.processes import (
    accounts,
    adoption,
    customers,
    decisions,
    learning,
    people,
    programme,
    sales,
)

#: The processes of one week, in the order they run.
ORDER = (programme, decisions, sales, customers, learning, adoption, people, accounts)
