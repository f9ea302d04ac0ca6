"""Yearly adoption, usage, data quality and morale with the CRM live before the start
(technology_only_rollout at rest, 150/1,500, seeds 21-;
args: replicates, go-live weeks comma-separated,
[burn-in], default max(60, 20 - go-live))."""

import sys

sys.path.insert(0, ".")
import numpy as np
import pandas as pd

from sim.model import OrgModel
from sim.validation import at_rest

reps = int(sys.argv[1])
gls = [int(x) for x in sys.argv[2].split(",")]
for gl in gls:
    burn = max(60, -gl + 20) if len(sys.argv) < 4 else int(sys.argv[3])
    sc = at_rest(
        "technology_only_rollout", **{"organisation.employees": 150, "customers.count": 1500}
    ).with_overrides(
        {"crm.enabled": True, "crm.go_live_week": gl, "burn_in_weeks": burn, "horizon_weeks": 156}
    )
    rows = []
    for r in range(reps):
        df = OrgModel(sc, rng=21 + r, counterfactual=False).run().reset_index()
        df["year"] = (df.week - 1) // 52 + 1
        g = df.groupby("year")[
            ["adoption_rate", "usage_mean", "data_quality", "morale_mean"]
        ].mean()
        g["rep"] = r
        rows.append(g.reset_index())
    d = pd.concat(rows)
    m = d.groupby("year").mean()[["adoption_rate", "usage_mean", "data_quality", "morale_mean"]]
    w = d.pivot(index="rep", columns="year", values="adoption_rate")
    dd = w[3] - w[1]
    print(
        f"go_live {gl} burn {burn}:",
        m.round(4).to_dict("list"),
        f"adoption y3-y1 {dd.mean():+.4f} se {dd.std(ddof=1) / np.sqrt(reps):.4f}",
    )
