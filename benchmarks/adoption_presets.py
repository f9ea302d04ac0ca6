"""Issue 14 item 9: adoption speed per preset (docs/ODD.md 8.D). Run from the repository root:

PY benchmarks/adoption_presets.py 10 ""     # replicates, presets (comma list; "" = all)
"""

import sys

sys.path.insert(0, ".")
from sim.experiment import run_replicates
from sim.inputs import load_scenario
from sim.scenario import preset_names
from tests.conftest import small

names = sys.argv[2].split(",") if len(sys.argv) > 2 and sys.argv[2] else preset_names()
ov = {a.split("=")[0]: float(a.split("=")[1]) for a in sys.argv[3:]}
w = run_replicates({n: small(n).with_overrides(ov) for n in names}, int(sys.argv[1]), 11)
for n in names:
    g = w[w.scenario == n]
    sc = load_scenario(n)
    gl = sc.crm.go_live_week
    m = g.groupby("week")[["adoption_rate", "usage_mean"]].mean()
    a10 = g[(g.week <= gl + 10)].groupby("replicate").adoption_rate.max()
    pk = m.usage_mean.idxmax()
    traj = " ".join(f"{m.adoption_rate.get(t, 0):.2f}" for t in range(0, 105, 8))
    print(
        f"{n[:14]:14s} a@gl+10={a10.mean():.2f}/{a10.max():.2f} a52={m.adoption_rate.get(52):.2f} end={m.adoption_rate.iloc[-1]:.2f} upeak={m.usage_mean.max():.2f}@{pk} u52={m.usage_mean.get(52):.2f} uend={m.usage_mean.iloc[-1]:.2f} | {traj}"  # noqa: E501
    )
