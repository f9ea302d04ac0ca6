"""Which state variables move at rest (issue 14 item 1: functional_silos drift).

Per-year means of the customer book's composition and of slow stocks at rest, 150/1,500, three
years after the burn-in, seeds SEED..SEED+REPS-1; trend p = per-replicate OLS slope over the
years, one-sample t-test. Args: preset, replicates, seed, field=value...
"""

import sys

sys.path.insert(0, ".")
import numpy as np
import pandas as pd
from scipy import stats

from experiments.rest_design import parse_extra, rest_scenario
from sim.mechanisms import customers as cm
from sim.model import OrgModel
from sim.structures import SALES, SERVICE

pd.set_option("display.width", 250)
name = sys.argv[1] if len(sys.argv) > 1 else "functional_silos"
reps = int(sys.argv[2]) if len(sys.argv) > 2 else 10
seed = int(sys.argv[3]) if len(sys.argv) > 3 else 21
extra = parse_extra(sys.argv[4:])
sc = rest_scenario(name, extra).with_overrides({"horizon_weeks": 156})
rows = []
for r in range(reps):
    m = OrgModel(sc, rng=seed + r, counterfactual=False)
    st = m.state
    c, e = st.cust, st.emp
    pc = m.ctx.scenario.customers
    for w in range(156):
        m.step()
        lw = m.last_week
        a = c.active
        tgt = cm.satisfaction_target(
            lw.programme.quality, lw.sales.owner_care[c.owner], c.expectation, p=pc
        )
        h = (
            cm.churn_hazard(
                c.satisfaction[a], pc.base_churn_annual, pc.dissatisfied_churn_annual, p=pc
            )
            * 52
        )
        fl = e.front
        rows.append(
            {
                "rep": r,
                "week": w,
                "year": w // 52 + 1,
                "n_active": a.sum(),
                "sat": c.satisfaction[a].mean(),
                "hazard_yr": h.mean(),
                "expect": c.expectation[a].mean(),
                "tie": c.tie[a].mean(),
                "same_group": c.same_group[a].mean(),
                "age_wk": (st.week - c.joined_week[a]).mean(),
                "issue_open": c.issue_open[a].mean(),
                "record": c.record[a].mean(),
                "complained": c.complained[a].mean(),
                "value": c.value[a].mean(),
                "backlog": e.backlog[e.leader].sum(),
                "morale": e.morale[fl].mean(),
                "skill": e.skill[fl & e.filled].mean(),
                "tenure": e.tenure[fl & e.filled].mean(),
                "orient": e.orientation[fl & e.filled].mean(),
                "safety": e.safety[fl & e.filled].mean(),
                "vacant": (~e.filled).mean(),
                "quality": m.latest["service_quality"],
                "playbook": m.latest["playbook_knowledge"],
                "practice": m.latest["practice_knowledge_mean"],
                "latency": m.latest["decision_latency_days"],
                "fcr": m.latest["first_contact_resolution"],
                "acq_rate": m.ctx.scenario.customers.acquisition_rate,
                "care": lw.sales.owner_care[e.role == SALES].mean(),
                "target": (c.satisfaction[a] - 0).mean() * 0 + tgt[a].mean(),
                "dec_delta": lw.decisions.delta[a].mean() * 52,
                "sales_delta": lw.sales.delta[a].mean() * 52,
                "overload_sales": (
                    e.workload[e.role == SALES] > m.ctx.scenario.people.workload_norm
                ).mean(),
                "overload_service": (
                    e.workload[e.role == SERVICE] > m.ctx.scenario.people.workload_norm
                ).mean(),
                "book_sd_sales": np.bincount(c.owner[a], minlength=e.n)[e.role == SALES].std(),
                "book_sd_service": np.bincount(c.handler[a], minlength=e.n)[
                    e.role == SERVICE
                ].std(),
                "orient_sales": e.orientation[(e.role == SALES) & e.filled].mean(),
                "orient_service": e.orientation[(e.role == SERVICE) & e.filled].mean(),
                "orient_lead": e.orientation[e.leader & e.filled].mean(),
                "orient_sd": e.orientation[fl & e.filled].std(),
                "morale_sales": e.morale[(e.role == SALES) & e.filled].mean(),
                "morale_service": e.morale[(e.role == SERVICE) & e.filled].mean(),
                "latent": st.org.problems_latent,
                "voice": st.org.voice_efficacy,
                "powerless": e.powerless[e.role == SERVICE].mean(),
                "authority": e.authority[e.role == SERVICE].mean(),
            }
        )
df = pd.DataFrame(rows)
q = (
    df.assign(q=df.week // 13 + 1)
    .groupby("q")[
        [
            "sat",
            "hazard_yr",
            "target",
            "care",
            "quality",
            "morale_sales",
            "morale_service",
            "orient_sd",
            "orient_lead",
            "book_sd_sales",
            "safety",
            "fcr",
            "dec_delta",
            "playbook",
        ]
    ]
    .mean()
)
print(q.T.to_string(float_format=lambda v: f"{v:.4g}"))
df = df.drop(columns="week")
y = df.groupby(["rep", "year"]).mean()
cols = list(y.columns)
out = []
for k in cols:
    w = y[k].unstack("year")
    slopes = np.array([np.polyfit([1, 2, 3], row, 1)[0] for row in w.to_numpy(float)])
    p = stats.ttest_1samp(slopes, 0).pvalue if np.ptp(slopes) > 0 else 1.0
    out.append((k, *w.mean().to_numpy(), slopes.mean(), p))
print(f"== {name} reps={reps} seed={seed} {extra}")
print(
    pd.DataFrame(out, columns=["var", "y1", "y2", "y3", "slope", "p_trend"]).to_string(
        float_format=lambda v: f"{v:.4g}"
    )
)
