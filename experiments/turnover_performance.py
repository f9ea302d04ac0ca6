"""Turnover-performance correlation across simulated organisations (docs/ODD.md 8.E).

Not a test: run ``python experiments/turnover_performance.py [N] [--wide] [dotted.key=value ...]``
from the repository root, to compare with Park & Shaw (2013, J. Applied Psychology): a mean
corrected correlation of about -0.15 between turnover rates and organisational performance.

Each of N (default 80) designs gets ``people.base_quit_annual`` ~ U(0.05, 0.6) and one run at
test size (seed 5). Two cross-sections:

- default (narrow): ``command_and_control`` with five culture dials ~ U(0.1, 0.6);
- ``--wide``: the seven presets in turn with all ten culture dials of ``sim.evidence.DIALS``
  ~ U(0.1, 0.9), organisations that differ in as many ways as the model has dials.

A cross-sectional r depends on how much else varies between the organisations (the more the
other causes of churn vary, the smaller turnover's share), so this is a check of order of
magnitude, not a fit. Prints Pearson r of realised front-line turnover with annual churn,
satisfaction and first-contact resolution, with a 95% interval (Fisher's z).
"""

from __future__ import annotations

import sys

import numpy as np
from scipy import stats

sys.path[:0] = ["."]
from sim.evidence import DIALS as ALL_DIALS  # noqa: E402
from sim.scenario import preset_names  # noqa: E402
from tests.conftest import paired, small  # noqa: E402

NARROW_DIALS = (
    "psychological_safety",
    "responsiveness",
    "customer_orientation",
    "information_sharing",
    "decision_rights",
)


def fisher_ci(r: float, n: int, level: float = 0.95) -> tuple[float, float]:
    """Interval for a Pearson r by Fisher's z transform (normal approximation, n > 3)."""
    z, se = np.arctanh(r), 1.0 / np.sqrt(n - 3)
    q = stats.norm.ppf(0.5 + level / 2)
    return float(np.tanh(z - q * se)), float(np.tanh(z + q * se))


def main(argv: list[str]) -> None:
    wide = "--wide" in argv
    argv = [a for a in argv if a != "--wide"]
    n = int(argv[0]) if argv and "=" not in argv[0] else 80
    extra = {k: float(v) for k, v in (a.split("=") for a in argv if "=" in a)}
    dials, hi = (ALL_DIALS, 0.9) if wide else (NARROW_DIALS, 0.6)
    presets = preset_names() if wide else ("command_and_control",)
    g = np.random.default_rng(2013)
    designs = {}
    for k in range(n):
        o = {"people.base_quit_annual": g.uniform(0.05, 0.6)}
        for d in dials:
            o["culture." + d] = g.uniform(0.1, hi)
        o.update(extra)
        designs[f"d{k}"] = small(presets[k % len(presets)], **o)
    h = paired(designs, replicates=1, seed=5)
    t = h["annual_staff_turnover"].to_numpy()
    print(f"{'wide' if wide else 'narrow'} cross-section, {n} organisations")
    for y in ("annual_churn", "satisfaction_mean", "first_contact_resolution"):
        r = stats.pearsonr(t, h[y].to_numpy())
        lo, up = fisher_ci(float(r.statistic), n)
        print(f"{y}: r={r.statistic:+.3f} [{lo:+.2f}, {up:+.2f}] p={r.pvalue:.3g}")


if __name__ == "__main__":
    main(sys.argv[1:])
