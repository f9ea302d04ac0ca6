"""Year 1 vs 3 stationarity tests (sim.validation) at rest, 150/1,500 (args: presets comma-separated
or crm40, replicates, seed, field=value...). crm40: technology_only_rollout at rest with the CRM
live at week -40, burn-in 60."""

import sys

sys.path.insert(0, ".")
import pandas as pd

from sim.validation import at_rest, stationarity_runs, stationarity_tests

pd.set_option("display.width", 200)
names = sys.argv[1].split(",")
reps = int(sys.argv[2])
seed = int(sys.argv[3]) if len(sys.argv) > 3 else 21
extra = {}
for a in sys.argv[4:]:
    k, v = a.split("=")
    try:
        v = float(v) if "." in v else int(v)
    except ValueError:
        v = {"true": True, "false": False}.get(v.lower(), v)
    extra[k] = v
for n in names:
    if n == "crm40":
        sc = at_rest(
            "technology_only_rollout", **{"organisation.employees": 150, "customers.count": 1500}
        ).with_overrides(
            {"crm.enabled": True, "crm.go_live_week": -40, "burn_in_weeks": 60, **extra}
        )
    else:
        sc = at_rest(n, **{"organisation.employees": 150, "customers.count": 1500, **extra})
    runs = stationarity_runs(sc, reps, seed=seed, years=3)
    t = stationarity_tests(runs, 1, 3)
    print("==", n, extra)
    print(t.round(4).to_string())
