"""Quarterly means at rest (3 years, 150/1,500, seeds 21-; args: preset or crm40, replicates,
field=value...).
crm40: technology_only_rollout at rest with the CRM live at week -40, burn-in 60."""

import sys

sys.path.insert(0, ".")
import pandas as pd

from experiments.rest_design import parse_extra, rest_scenario
from sim.model import OrgModel

name = sys.argv[1]
reps = int(sys.argv[2])
sc = rest_scenario(name, parse_extra(sys.argv[3:]))
sc = sc.with_overrides({"horizon_weeks": 156})
cols = sys.argv[0] and None
frames = []
for r in range(reps):
    m = OrgModel(sc, rng=21 + r, counterfactual=False)
    if r == 0:
        print(
            "acq rate",
            sc.customers.acquisition_rate,
            "->",
            m.ctx.scenario.customers.acquisition_rate,
        )
    df = m.run()
    frames.append(df.assign(rep=r))
df = pd.concat(frames).reset_index()
df["flq"] = df.groupby("rep").front_line_quits_total.diff().fillna(df.front_line_quits_total)
df["flq"] = df.flq / df.front_line_active * 52
df["q"] = (df.week - 1) // 13 + 1

want = [
    "flq",
    "adoption_rate",
    "usage_mean",
    "churn_rate",
    "customers_active",
    "satisfaction_mean",
    "morale_mean",
    "service_quality",
    "practice_knowledge_mean",
    "playbook_knowledge",
]
print(df.groupby("q")[want].mean().round(4).to_string())
