"""Issue 14 item 9 (docs/ODD.md 8.D, wave 2): per preset adoption path, the S-curve fit of
tests/test_stylised_facts.py (logistic SSE / straight-line SSE of mean usage up to its peak) and
the slide of usage (peak up to eight weeks after reinforcement stops minus week 52). Run from the
repository root:

PY benchmarks/adoption_scurve.py 10 [section.field=value ...]   # replicates, overrides
"""

import sys

sys.path.insert(0, ".")
import numpy as np
from scipy import optimize

from sim.experiment import run_replicates
from sim.inputs import load_scenario
from sim.scenario import preset_names
from tests.conftest import small

names = preset_names()
ov = {a.split("=")[0]: float(a.split("=")[1]) for a in sys.argv[2:]}
w = run_replicates({n: small(n).with_overrides(ov) for n in names}, int(sys.argv[1]), 11)


def lg(t, k, r, t0):
    return k / (1 + np.exp(-r * (t - t0)))


for n in names:
    g = w[w.scenario == n]
    gl = load_scenario(n).crm.go_live_week
    m = g.groupby("week")[["adoption_rate", "usage_mean"]].mean()
    a10 = g[(g.week <= gl + 10)].groupby("replicate").adoption_rate.max()
    y = m.usage_mean.to_numpy()
    t = m.index.to_numpy(float)
    pk = int(np.argmax(y)) + 1
    t2, y2 = t[:pk], y[:pk]
    try:
        (k, r, t0), _ = optimize.curve_fit(
            lg, t2, y2, p0=(y2.max(), 0.3, t2[len(t2) // 2]), maxfev=20000
        )
        ratio = ((y2 - lg(t2, k, r, t0)) ** 2).sum() / (
            (y2 - np.polyval(np.polyfit(t2, y2, 1), t2)) ** 2
        ).sum()
    except Exception:
        ratio = float("nan")
    stop = gl + load_scenario(n).crm.reinforcement_weeks
    pkr = g[g.week <= stop + 8].groupby("replicate").usage_mean.max()
    u52 = g[g.week == 52].groupby("replicate").usage_mean.mean()
    traj = " ".join(f"{m.adoption_rate.get(tt, 0):.2f}" for tt in range(0, 105, 8))
    print(
        f"{n[:14]:14s} a10={a10.mean():.2f}/{a10.max():.2f} a52={m.adoption_rate.get(52):.2f} end={m.adoption_rate.iloc[-1]:.2f} upk={m.usage_mean.max():.2f}@{m.usage_mean.idxmax()} u52={m.usage_mean.get(52):.2f} uend={m.usage_mean.iloc[-1]:.2f} S={ratio:.3f} slide={(pkr - u52).mean():+.3f} | {traj}",  # noqa: E501
        flush=True,
    )
