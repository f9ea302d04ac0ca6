"""Year 1 vs 3 stationarity tests at rest after a burn-in that holds the customer count
(``experiments.held_burn_in.Held``), 150/1,500. Args: preset, replicates, seed, field=value...
(``burn_in_weeks=520`` for a ten-year burn-in)."""

import sys

sys.path.insert(0, ".")
import pandas as pd

from experiments.held_burn_in import Held, Unsettled
from experiments.rest_design import parse_extra, rest_scenario
from sim.validation import stationarity_tests, yearly_at_rest

pd.set_option("display.width", 200)
name, reps, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
cls = Held
if sys.argv[4:] and sys.argv[4].startswith("unsettle="):
    cls = Unsettled
    Unsettled.UNSETTLE = sys.argv.pop(4).split("=")[1]
if sys.argv[4:] and sys.argv[4].startswith("bins="):  # the model's own burn-in, more classes
    from sim.model import OrgModel

    cls = type("Bins", (OrgModel,), {"_BOOK_BINS": int(sys.argv.pop(4).split("=")[1])})
elif sys.argv[4:] and sys.argv[4].startswith("every="):
    Held.EVERY = int(sys.argv.pop(4).split("=")[1])
extra = parse_extra(sys.argv[4:])
sc = rest_scenario(name, extra).with_overrides({"horizon_weeks": 156})
frames = []
for r in range(reps):
    y = yearly_at_rest(cls(sc, rng=seed + r, counterfactual=False).run())
    frames.append(y.reset_index().assign(replicate=r))
runs = pd.concat(frames, ignore_index=True)
print(
    "==",
    name,
    cls.__name__,
    getattr(cls, "UNSETTLE", ""),
    getattr(cls, "EVERY", ""),
    getattr(cls, "_BOOK_BINS", ""),
    extra,
)
print(runs.groupby("year").mean().drop(columns="replicate").round(4).to_string())
print(stationarity_tests(runs, 1, 3).round(4).to_string())
