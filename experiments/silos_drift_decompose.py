"""Decompose the drift of expected churn at rest into composition and within-group parts.

For each grouping of the active customers (account owner, service handler, expectation decile,
value decile, and the owner's book-size quintile), the expected yearly churn of year 3 minus
year 1, sum_k s3 h3 - s1 h1, splits into composition sum_k (s3 - s1) h1 and within sum_k s3
(h3 - h1) (s = share of customer-weeks, h = mean hazard of the group, from the churn draw's own
probability ``CustomersWeek.hazard``). Means over replicates with a one-sample t-test.
At rest, 150/1,500, 156 weeks after the burn-in. Args: preset, replicates, seed, field=value...
"""

import sys

sys.path.insert(0, ".")
import numpy as np
from scipy import stats

from experiments.rest_design import parse_extra, rest_scenario
from sim.model import OrgModel

name = sys.argv[1] if len(sys.argv) > 1 else "functional_silos"
reps = int(sys.argv[2]) if len(sys.argv) > 2 else 10
seed = int(sys.argv[3]) if len(sys.argv) > 3 else 21
extra = parse_extra(sys.argv[4:])
sc = rest_scenario(name, extra).with_overrides({"horizon_weeks": 156})
res = {g: [] for g in ("owner", "handler", "expect10", "value10", "ownerbook5", "handlerbook5")}
tot = []
for r in range(reps):
    m = OrgModel(sc, rng=seed + r, counterfactual=False)
    c, e = m.state.cust, m.state.emp
    n = e.n
    sx = np.quantile(c.expectation[c.active], np.linspace(0, 1, 11)[1:-1])
    acc = {g: np.zeros((3, 2, 2 * n + 10)) for g in res}  # year, (exposure, risk), group
    for w in range(156):
        act = c.active.copy()
        bo = np.bincount(c.owner[act], minlength=n)
        bh = np.bincount(c.handler[act], minlength=n)
        vx = np.quantile(c.value[act], np.linspace(0, 1, 11)[1:-1])
        m.step()
        hz = m.last_week.customers.hazard[act] * 52
        y = w // 52
        keys = {
            "owner": c.owner[act],
            "handler": c.handler[act],
            "expect10": np.searchsorted(sx, c.expectation[act]),
            "value10": np.searchsorted(vx, c.value[act]),
            "ownerbook5": np.minimum(bo[c.owner[act]] // 4, 9),
            "handlerbook5": np.minimum(bh[c.handler[act]] // 6, 9),
        }
        for g, k in keys.items():
            acc[g][y, 0] += np.bincount(k, minlength=acc[g].shape[2])
            acc[g][y, 1] += np.bincount(k, weights=hz, minlength=acc[g].shape[2])
    a = acc["owner"]
    df = m.results()
    gone = df["churned_total"].to_numpy()[[51, 103, 155]]
    gone = np.diff(np.concatenate([[0], gone]))
    tot.append(
        [a[y, 1].sum() / a[y, 0].sum() for y in range(3)] + list(gone / (a[:, 0].sum(1) / 52))
    )
    for g in res:
        ex, rk = acc[g][0], acc[g][2]
        s1, s3 = ex[0] / ex[0].sum(), rk[0] / rk[0].sum()
        h1 = np.where(ex[0] > 0, ex[1] / np.maximum(ex[0], 1), 0)
        h3 = np.where(rk[0] > 0, rk[1] / np.maximum(rk[0], 1), 0)
        both = (ex[0] > 0) & (rk[0] > 0)
        comp = float(((s3 - s1) * np.where(ex[0] > 0, h1, h3)).sum())
        within = float((s3 * np.where(both, h3 - h1, 0)).sum())
        res[g].append((comp, within))
tot = np.array(tot)
print(f"== {name} reps={reps} seeds {seed}-{seed + reps - 1} {extra}")
for lab, j in (("expected", 0), ("realised", 3)):
    d = tot[:, j + 2] - tot[:, j]
    print(
        f"{lab} yearly churn by year:",
        tot[:, j : j + 3].mean(0).round(4),
        "y3-y1",
        round(float(d.mean()), 4),
        "p",
        round(float(stats.ttest_1samp(d, 0).pvalue), 4),
    )
for g, v in res.items():
    v = np.array(v)
    print(
        f"{g:13s} composition {v[:, 0].mean():+.4f} (p {stats.ttest_1samp(v[:, 0], 0).pvalue:.3g})"
        f"  within {v[:, 1].mean():+.4f} (p {stats.ttest_1samp(v[:, 1], 0).pvalue:.3g})"
    )
