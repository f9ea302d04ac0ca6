"""Problem stock at rest: quarterly means of unreported, queued, felt safety, voice efficacy,
quality
(command_and_control at rest, 150/1,500, seeds 21-; args: burn-in weeks, replicates)."""

import sys

import numpy as np

sys.path.insert(0, ".")
from sim.model import OrgModel
from sim.validation import at_rest

SIZE = {"organisation.employees": 150, "customers.count": 1500}
sc = at_rest(
    "command_and_control", **SIZE, burn_in_weeks=int(sys.argv[1]) if len(sys.argv) > 1 else 52
).with_overrides({"horizon_weeks": 156})
res = []
for r in range(int(sys.argv[2]) if len(sys.argv) > 2 else 10):
    m = OrgModel(sc, rng=21 + r, counterfactual=False)
    o = m.state.org
    rows = []
    for _w in range(156):
        m.step()
        e = m.state.emp
        rows.append(
            (
                o.problems_latent - o.problems_queue,
                o.problems_queue,
                float(e.safety[e.filled].mean()),
                o.voice_efficacy,
                1 - 0.4 * o.problems_latent / o.problems_initial,
            )
        )
    res.append(rows)
a = np.array(res)  # rep, week, k
print("P0", o.problems_initial)
for q in range(0, 156, 13):
    print(q, np.round(a[:, q : q + 13].mean(axis=(0, 1)), 3))
print("year means quality", [round(a[:, y * 52 : (y + 1) * 52, 4].mean(), 4) for y in range(3)])
print("per-rep year1, year3", np.round(a[:, :52, 4].mean(1), 3), np.round(a[:, 104:, 4].mean(1), 3))
