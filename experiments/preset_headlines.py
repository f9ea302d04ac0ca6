"""Preset headlines (annual churn, decision latency, FCR, queued decisions): paired small runs.

Run from the repository root: python experiments/preset_headlines.py [preset,preset,...]
"""

import sys

import pandas as pd

sys.path.insert(0, ".")
from sim.scenario import preset_names
from tests.conftest import paired, small

pd.set_option("display.width", 250)
pd.set_option("display.max_columns", 30)
names = sys.argv[1].split(",") if len(sys.argv) > 1 else preset_names()
heads = paired({n: small(n) for n in names}, replicates=4, seed=7)
w = heads.attrs["weekly"]
cols = ["annual_churn", "decision_latency_days", "first_contact_resolution", "front_line_turnover"]
cols = [c for c in cols if c in heads.columns]
t = heads.groupby("scenario")[cols].mean()
t["queued"] = w.groupby("scenario")["decisions_queued"].mean()
t["overloaded"] = w.groupby("scenario")["managers_overloaded"].mean()
print(t.round(3))
print(list(heads.columns))
