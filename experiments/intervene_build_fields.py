"""Fields drawn at build now move when an intervention changes them (docs/ODD.md 8.I).

    .venv/bin/python experiments/intervene_build_fields.py

``technology_only_rollout`` at test size (CRM live in week 4), 52 weeks, seeds 0-9, no twin.
For each change: the outcome with the change vs without it (paired by seed), and with the change
as before this fix, when the draws made at build were not rescaled (only newcomers drew with the
new value; emulated by making ``rescale_draws`` a no-op).

1. ``crm.threshold_mean`` 0.55 -> 0.85 (more resistance) in week 6, two weeks after go-live:
   adoption rate in week 12. (Thresholds govern only a first trial of the CRM, and by week 12
   almost everyone has tried it, so a threshold change later in the run has almost no effect.)
2. ``customers.annual_value`` x 1.5 in week 26: revenue over weeks 27-52.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sim.model  # noqa: E402
from sim import OrgModel  # noqa: E402
from tests.conftest import small  # noqa: E402

H, SEEDS = 52, range(10)


def _run(scenario, seed, changes, week, rescale=True):
    kept = sim.model.rescale_draws
    if not rescale:
        sim.model.rescale_draws = lambda *a, **k: None
    try:
        m = OrgModel(scenario, rng=seed, counterfactual=False)
        m.run(steps=week)
        if changes:
            m.intervene(changes)
        return m.run()
    finally:
        sim.model.rescale_draws = kept


def _report(label, base, new, old):
    for name, x in (("now", new), ("before the fix", old)):
        d = np.asarray(x) - np.asarray(base)
        p = stats.ttest_rel(x, base).pvalue if np.any(d != 0) else 1.0
        print(
            f"{label} {name}: diff {d.mean():+.4g} (sd {d.std(ddof=1):.3g}), paired t p = {p:.2g}"
        )


def main() -> None:
    sc = small("technology_only_rollout", horizon_weeks=H)
    mean = sc.customers.annual_value
    for label, week, changes, out in (
        ("adoption week 12, threshold_mean 0.85 in week 6", 6, {"crm.threshold_mean": 0.85},
         lambda r: r["adoption_rate"].loc[12]),
        (f"revenue weeks 27-52, annual_value {1.5 * mean:.0f} in week 26", 26,
         {"customers.annual_value": 1.5 * mean}, lambda r: r["revenue"].loc[27:].sum()),
    ):  # fmt: skip
        base = [out(_run(sc, s, None, week)) for s in SEEDS]
        new = [out(_run(sc, s, changes, week)) for s in SEEDS]
        old = [out(_run(sc, s, changes, week, rescale=False)) for s in SEEDS]
        print(f"{label}: no change mean {np.mean(base):.4g}")
        _report(label, base, new, old)
    for name in ("technology_only_rollout", "command_and_control"):
        m = OrgModel(small(name), rng=0, counterfactual=False)
        m.run(steps=12)
        e = m.state.emp
        tried = e.adopted[e.front & e.filled].mean()
        print(
            f"{name}, seed 0: share of the front line who have tried the CRM by week 12 {tried:.2f}"
        )


if __name__ == "__main__":
    main()
