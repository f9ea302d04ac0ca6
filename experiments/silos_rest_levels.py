"""Where the organisation settles: state means over weeks 1-26 after burn-ins of different
lengths (at rest, 150/1,500, seeds SEED..). A stock still far from rest after the default 52-week
burn-in shows as a level that keeps moving with the burn-in's length.
Args: preset, replicates, seed, burn-ins (comma-separated), field=value...
A burn-in written ``520h`` holds the customer count: the at-rest balance (``_rest_balance``) is
applied every 26 weeks of it instead of only half-way and at the end.
"""

import sys

sys.path.insert(0, ".")
import numpy as np
import pandas as pd

from experiments.held_burn_in import Held
from experiments.rest_design import parse_extra, rest_scenario
from sim.model import OrgModel
from sim.structures import SALES, SERVICE

pd.set_option("display.width", 250)
name = sys.argv[1]
reps = int(sys.argv[2])
seed = int(sys.argv[3])
burns = sys.argv[4].split(",")
extra = parse_extra(sys.argv[5:])


rows = []
for b in burns:
    cls = Held if b.endswith("h") else OrgModel
    sc = rest_scenario(name, {**extra, "burn_in_weeks": int(b.rstrip("h"))}).with_overrides(
        {"horizon_weeks": 26}
    )
    for r in range(reps):
        m = cls(sc, rng=seed + r, counterfactual=False)
        c, e = m.state.cust, m.state.emp
        pc, pp = m.ctx.scenario.customers, m.ctx.scenario.people
        for _w in range(26):
            m.step()
            lw = m.last_week
            a = c.active
            bo = np.bincount(c.owner[a], minlength=e.n)
            bh = np.bincount(c.handler[a], minlength=e.n)
            sa, sv = e.role == SALES, e.role == SERVICE
            fl = e.front & e.filled
            rows.append(
                {
                    "burn": b,
                    "rep": r,
                    "active": a.sum(),
                    "sat": c.satisfaction[a].mean(),
                    "sat_sd": c.satisfaction[a].std(),
                    "hazard": (lw.customers.hazard[lw.customers.hazard > 0]).mean() * 52,
                    "expect": c.expectation[a].mean(),
                    "book_sd_sales": bo[sa].std(),
                    "book_max_sales": bo[sa].max(),
                    "book_sd_serv": bh[sv].std(),
                    "cw_care": lw.sales.owner_care[c.owner[a]].mean(),
                    "care": lw.sales.owner_care[sa].mean(),
                    "wl_sales": e.workload[sa].mean(),
                    "wl_serv": e.workload[sv].mean(),
                    "over_sales": np.maximum(e.workload[sa] - pp.workload_norm, 0).mean(),
                    "over_serv": np.maximum(e.workload[sv] - pp.workload_norm, 0).mean(),
                    "morale_sales": e.morale[sa & e.filled].mean(),
                    "morale_serv": e.morale[sv & e.filled].mean(),
                    "morale_lead": e.morale[e.leader & e.filled].mean(),
                    "orient": e.orientation[fl].mean(),
                    "orient_sd": e.orientation[fl].std(),
                    "skill": e.skill[fl].mean(),
                    "tenure": e.tenure[fl].mean(),
                    "safety": e.safety[fl].mean(),
                    "quality": m.latest["service_quality"],
                    "playbook": m.latest["playbook_knowledge"],
                    "latent": m.state.org.problems_latent,
                    "vacant": (~e.filled).mean(),
                    "flood": m.state.org.lead_flood,
                    "fcr": m.latest["first_contact_resolution"],
                    "acq_rate": m.ctx.scenario.customers.acquisition_rate,
                }
            )
df = pd.DataFrame(rows)
print(f"== {name} reps={reps} seeds {seed}.. {extra}")
print(df.groupby("burn").mean().drop(columns="rep").T.to_string(float_format=lambda v: f"{v:.4g}"))
