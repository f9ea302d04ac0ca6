"""Issue 14 item 9 (docs/ODD.md 8.D): when adoption starts and how fast it rises, per preset.
Run from the repository root:

PY benchmarks/adoption_timing.py 5 3 [section.field=value ...]   # replicates, seed, overrides

Per preset (``small`` sizes, 104 weeks), from the mean curves over replicates: go-live week, the
first week with mean usage > 0 (first use), the first week with adoption (usage >= 0.5) above
0.02, the first weeks with adoption >= 0.5 and >= 0.9, adoption at weeks 52 and 104, and the largest
adoption of any replicate in the ten weeks after go-live (the test's 0.9 bound).
"""

import sys

sys.path.insert(0, ".")
from sim.experiment import run_replicates
from sim.inputs import load_scenario
from sim.scenario import preset_names
from tests.conftest import small

names = preset_names()
ov = {a.split("=")[0]: float(a.split("=")[1]) for a in sys.argv[3:]}
w = run_replicates(
    {n: small(n).with_overrides(ov) for n in names},
    int(sys.argv[1]),
    int(sys.argv[2]),
    counterfactual=False,
)


def first(series, cond):
    hit = series[cond(series)]
    return int(hit.index[0]) if len(hit) else None


print("preset          go-live use>0 adopt>0.02 adopt>=0.5 adopt>=0.9  a52   a104  max@gl+10")
for n in names:
    g = w[w.scenario == n]
    gl = load_scenario(n).crm.go_live_week
    m = g.groupby("week")[["adoption_rate", "usage_mean"]].mean()
    a10 = g[g.week <= gl + 10].adoption_rate.max()
    print(
        f"{n[:15]:15s} {gl:7d} {first(m.usage_mean, lambda s: s > 0)!s:>6}"
        f" {first(m.adoption_rate, lambda s: s > 0.02)!s:>10}"
        f" {first(m.adoption_rate, lambda s: s >= 0.5)!s:>10}"
        f" {first(m.adoption_rate, lambda s: s >= 0.9)!s:>10}"
        f" {m.adoption_rate.get(52):5.2f} {m.adoption_rate.iloc[-1]:5.2f} {a10:9.2f}"
    )
