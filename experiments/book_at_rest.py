"""The customer book at rest: share of the book and churn hazard per quintile of the newcomers'
expectation, by year
(at rest, 150/1,500, 3 years, seeds 21-; args: preset, replicates, field=value...).
Hazards count churn events (so it also runs on models without ``customers.hazard``)."""

import sys

sys.path.insert(0, ".")
import numpy as np
import pandas as pd
from scipy import stats

from sim.model import OrgModel
from sim.validation import at_rest

name = sys.argv[1] if len(sys.argv) > 1 else "command_and_control"
reps = int(sys.argv[2]) if len(sys.argv) > 2 else 4
extra = dict(a.split("=") for a in sys.argv[3:])
extra = {
    k: (float(v) if v.replace(".", "", 1).replace("-", "", 1).isdigit() else v)
    for k, v in extra.items()
}
sc = at_rest(
    name, **{"organisation.employees": 150, "customers.count": 1500, **extra}
).with_overrides({"horizon_weeks": 156})
sd = sc.customers.expectation_sd
edges = stats.norm.ppf(np.linspace(0, 1, 6)[1:-1]) * sd  # quintiles of inflow
rows = []
for r in range(reps):
    m = OrgModel(sc, rng=21 + r, counterfactual=False)
    c = m.state.cust
    for w in range(156):
        act_before = c.active.copy()
        m.step()
        yr = w // 52 + 1
        k = np.searchsorted(edges, c.expectation)
        gone = act_before & ~c.active
        ex = np.bincount(k[act_before], minlength=5)
        ev = np.bincount(k[gone], minlength=5)
        sat = np.bincount(k[act_before], weights=c.satisfaction[act_before], minlength=5)
        age = np.bincount(
            k[act_before], weights=(m.state.week - c.joined_week[act_before]), minlength=5
        )
        for b in range(5):
            rows.append((r, yr, b, ex[b], ev[b], sat[b], age[b]))
df = pd.DataFrame(rows, columns=["rep", "year", "bin", "exposure", "events", "sat", "age"])
g = df.groupby(["year", "bin"])[["exposure", "events", "sat", "age"]].sum()
g["hazard_yr"] = g.events / g.exposure * 52
g["share"] = g.exposure / g.groupby("year").exposure.transform("sum")
g["sat"] = g.sat / g.exposure
g["age"] = g.age / g.exposure
print(g[["share", "hazard_yr", "sat", "age"]].unstack("year").round(4).to_string())
t = df.groupby(["rep", "year"])[["exposure", "events"]].sum()
t["churn"] = t.events / t.exposure * 52
print(t.churn.unstack("year").mean().round(4).to_string())
# stationary mix from year-3 hazards, inflow 1/5 per bin
h = g.hazard_yr.xs(3, level="year")
st = (0.2 / h) / (0.2 / h).sum()
print("stationary mix (yr3 hazards):", st.round(4).to_list())
print("implied churn at stationary mix:", float((st * h).sum()))
