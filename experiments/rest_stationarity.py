"""Year 1 vs 3 stationarity tests (sim.validation) at rest, 150/1,500 (args: presets comma-separated
or crm40, replicates, seed, field=value...). crm40: technology_only_rollout at rest with the CRM
live at week -40, burn-in 60."""

import sys

sys.path.insert(0, ".")
import pandas as pd

from experiments.rest_design import parse_extra, rest_scenario
from sim.validation import stationarity_runs, stationarity_tests

pd.set_option("display.width", 200)
names = sys.argv[1].split(",")
reps = int(sys.argv[2])
seed = int(sys.argv[3]) if len(sys.argv) > 3 else 21
extra = parse_extra(sys.argv[4:])
for n in names:
    sc = rest_scenario(n, extra)
    runs = stationarity_runs(sc, reps, seed=seed, years=3)
    t = stationarity_tests(runs, 1, 3)
    print("==", n, extra)
    print(t.round(4).to_string())
