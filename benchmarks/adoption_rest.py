"""docs/ODD.md 8.D: yearly outcomes, adoption and usage of technology_only_rollout at
rest, CRM off vs live 40 weeks before the start (10 replicates,
seeds 21-30). Run: PY benchmarks/adoption_rest.py
"""

import sys

sys.path.insert(0, ".")
import pandas as pd

from sim.model import OrgModel
from sim.validation import at_rest, yearly_at_rest

SIZE = {"organisation.employees": 150, "customers.count": 1500}
for lab, o in [
    ("off", {}),
    ("live-40", {"crm.enabled": True, "crm.go_live_week": -40, "burn_in_weeks": 60}),
]:
    sc = at_rest("technology_only_rollout", **SIZE).with_overrides({**o, "horizon_weeks": 156})
    fr = []
    for r in range(10):
        w = OrgModel(sc, rng=21 + r, counterfactual=False).run()
        y = yearly_at_rest(w)
        y["adoption"] = (
            w.reset_index()
            .groupby((w.reset_index()["week"] - 1) // 52 + 1)["adoption_rate"]
            .mean()
            .to_numpy()[: len(y)]
        )
        y["usage"] = (
            w.reset_index()
            .groupby((w.reset_index()["week"] - 1) // 52 + 1)["usage_mean"]
            .mean()
            .to_numpy()[: len(y)]
        )
        fr.append(y.reset_index().assign(replicate=r))
    runs = pd.concat(fr)
    print(lab)
    print(runs.groupby("year").mean().round(4).to_string(), flush=True)
