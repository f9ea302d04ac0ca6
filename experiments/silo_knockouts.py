"""Silo and orientation effects and knock-outs at rest (the designs of
tests/test_silos_channels.py).

Run from the repository root: python experiments/silo_knockouts.py [replicates]
"""

import sys

sys.path.insert(0, ".")
from tests.conftest import column, paired
from tests.test_silos_channels import knockout_designs

R = int(sys.argv[1]) if len(sys.argv) > 1 else 6
h = paired(knockout_designs(), replicates=R, seed=5)
for a, b in [
    ("open", "closed"),
    ("open_ko", "closed_ko"),
    ("warm", "cold"),
    ("warm_ko", "cold_ko"),
]:
    for out in ("annual_churn", "decision_latency_days"):
        d = column(h, a, out) - column(h, b, out)
        print(
            a,
            b,
            out,
            f"mean {d.mean():.4f} sd {d.std(ddof=1):.4f} | levels "
            f"{column(h, a, out).mean():.4f} {column(h, b, out).mean():.4f}",
        )
w = h.attrs["weekly"]
print(w.groupby("scenario")[["decisions_queued", "revenue"]].mean())
