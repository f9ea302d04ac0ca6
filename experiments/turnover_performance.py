"""Turnover-performance correlation across simulated organisations (docs/ODD.md 8.E).

Not a test: run ``python experiments/turnover_performance.py [N] [dotted.key=value ...]`` from the
repository root. Each of N (default 80) designs is command_and_control at test size with
``people.base_quit_annual`` ~ U(0.05, 0.6) and five culture dials ~ U(0.1, 0.6), one run each;
prints Pearson r of realised front-line turnover with churn, satisfaction and first-contact
resolution, to compare with Park & Shaw (2013): rho about -0.15 (turnover vs performance).
"""

from __future__ import annotations

import sys

import numpy as np
from scipy import stats

sys.path[:0] = ["."]
from tests.conftest import paired, small  # noqa: E402

DIALS = (
    "psychological_safety",
    "responsiveness",
    "customer_orientation",
    "information_sharing",
    "decision_rights",
)


def main(argv: list[str]) -> None:
    n = int(argv[0]) if argv and "=" not in argv[0] else 80
    extra = {k: float(v) for k, v in (a.split("=") for a in argv if "=" in a)}
    g = np.random.default_rng(2013)
    designs = {}
    for k in range(n):
        o = {"people.base_quit_annual": g.uniform(0.05, 0.6)}
        for d in DIALS:
            o["culture." + d] = g.uniform(0.1, 0.6)
        o.update(extra)
        designs[f"d{k}"] = small("command_and_control", **o)
    h = paired(designs, replicates=1, seed=5)
    t = h["annual_staff_turnover"].to_numpy()
    for y in ("annual_churn", "satisfaction_mean", "first_contact_resolution"):
        r = stats.pearsonr(t, h[y].to_numpy())
        print(f"{y}: r={r.statistic:.3f} p={r.pvalue:.3g}")


if __name__ == "__main__":
    main(sys.argv[1:])
