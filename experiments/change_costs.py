"""Costs and lags of culture change (docs/ODD.md 6.7 and 8.G): the figures of 8.G.

    .venv/bin/python experiments/change_costs.py

1. A large change at week 26 in ``command_and_control`` (customer orientation, safety and sharing
   to 0.9), 52 weeks, seeds 0-9 at test size: the change vs the same change without time away
   (the dip) and vs no change (the cost).
2. ``kotter_programme``, 104 weeks, 10 paired replicates (seed 7): lagged vs the knock-out.
3. The two remaining dials (8.G): ``culture.socialisation`` and ``culture.supportive_leadership``
   each 0.3 -> 0.9 at week 26 in ``command_and_control`` (supportive leadership set to 0.3 from
   the start; the preset has 0.2), 104 weeks, seeds 0-9 at test size, lagged vs the knock-out:
   investment and ROI, and the effect's time course (change minus no change, paired).
   ``.venv/bin/python experiments/change_costs.py dials`` runs this part only.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.conftest import column, paired, run_with_change, small  # noqa: E402

W = 26
BIG = {
    "culture.customer_orientation": 0.9,
    "culture.psychological_safety": 0.9,
    "culture.information_sharing": 0.9,
}
INSTANT = {
    "change_programme__structure_half_life_weeks": 0.0,
    "change_programme__norm_half_life_weeks": 0.0,
    "change_programme__coaching_half_life_weeks": 0.0,
    "change_programme__change_cost_per_person_point": 0.0,
    "change_programme__change_away_weeks_per_point": 0.0,
}


def _run(scenario, seed, changes):
    return run_with_change(scenario, seed, W, changes)


def intervention() -> None:
    base = small("command_and_control", horizon_weeks=52)
    no_away = base.with_overrides({"change_programme.change_away_weeks_per_point": 0.0})
    out: dict[str, list[float]] = {"satisfaction": [], "revenue": [], "fcr": [], "investment": []}
    weeks = slice(W + 1, W + 12)
    for seed in range(10):
        ra = _run(base, seed, BIG)
        rb, rc = _run(no_away, seed, BIG).results(), _run(base, seed, None).results()
        if seed == 0:
            cols = ["orientation_norm", "psychological_safety", "away"]
            print(ra.culture_in_force().loc[W : W + 14, cols].round(3).to_string())
        ra = ra.results()
        out["satisfaction"].append(
            ra.loc[weeks, "satisfaction_mean"].mean() - rb.loc[weeks, "satisfaction_mean"].mean()
        )
        out["revenue"].append(ra.loc[weeks, "revenue"].sum() - rb.loc[weeks, "revenue"].sum())
        out["fcr"].append(
            ra.loc[weeks, "first_contact_resolution"].mean()
            - rb.loc[weeks, "first_contact_resolution"].mean()
        )
        out["investment"].append(ra["investment_total"].iloc[-1] - rc["investment_total"].iloc[-1])
    for k, v in out.items():
        a = np.array(v)
        p = stats.ttest_1samp(a, 0).pvalue
        print(f"{k:14s} mean {a.mean():.6g} sd {a.std(ddof=1):.4g} p {p:.2g}")


def programme() -> None:
    d = {"lagged": small("kotter_programme"), "instant": small("kotter_programme", **INSTANT)}
    h = paired(d, 10, 7)
    for o in [c for c in h.columns if c not in ("scenario", "replicate")]:
        a, b = column(h, "lagged", o), column(h, "instant", o)
        dd = a - b
        lo, hi = stats.t.interval(0.95, len(dd) - 1, loc=dd.mean(), scale=stats.sem(dd))
        print(
            f"{o:26s} lagged {a.mean():12.4f} instant {b.mean():12.4f} "
            f"diff {dd.mean():10.4f} CI [{lo:.4f}, {hi:.4f}]"
        )


#: Each dial, its start and the outcomes it acts through (ODD 6.5, 6.5b, 6.10).
DIALS = {
    "culture.socialisation": ("practice_knowledge_mean", "first_contact_resolution"),
    "culture.supportive_leadership": ("psych_safety_mean", "morale_mean", "quits_total"),
}
WINDOWS = ((W + 1, W + 4), (W + 13, W + 26), (W + 65, W + 78))


def two_dials(seeds: int = 10, horizon: int = W + 78) -> None:
    start = {"culture__supportive_leadership": 0.3}
    kinds = {
        "lagged": small("command_and_control", horizon_weeks=horizon, **start),
        "knock-out": small("command_and_control", horizon_weeks=horizon, **start, **INSTANT),
    }
    for key, outcomes in DIALS.items():
        lever = key.split(".", 1)[1]
        print(f"\n== {key} 0.3 -> 0.9 at week {W}, {horizon} weeks, seeds 0-{seeds - 1}")
        rows: dict[str, dict[str, list[float]]] = {k: {} for k in kinds}
        for kind, sc in kinds.items():
            acc = rows[kind]
            for seed in range(seeds):
                m = _run(sc, seed, {key: 0.9})
                r, b = m.results(), _run(sc, seed, None).results()
                if seed == 0:
                    dial = m.culture_in_force()[lever]
                    print(
                        f"{kind:9s} dial in force weeks {W}, {W + 1}, {W + 4}, {W + 26}, {W + 78}:",
                        " ".join(f"{dial.loc[w]:.3f}" for w in (W, W + 1, W + 4, W + 26, W + 78)),
                    )
                acc.setdefault("investment", []).append(
                    r["investment_total"].iloc[-1] - b["investment_total"].iloc[-1]
                )
                acc.setdefault("roi", []).append(r["roi"].iloc[-1])
                acc.setdefault("roi_no_change", []).append(b["roi"].iloc[-1])
                acc.setdefault("net_benefit", []).append(
                    r["net_benefit_total"].iloc[-1] - b["net_benefit_total"].iloc[-1]
                )
                for o in outcomes:
                    for lo, hi in WINDOWS:
                        if o.endswith("_total"):  # a running total: what the window added
                            d = (r.loc[hi, o] - r.loc[lo - 1, o]) - (
                                b.loc[hi, o] - b.loc[lo - 1, o]
                            )
                        else:
                            d = r.loc[lo:hi, o].mean() - b.loc[lo:hi, o].mean()
                        acc.setdefault(f"{o} w{lo}-{hi}", []).append(d)
        for name in rows["lagged"]:
            a, k = np.array(rows["lagged"][name]), np.array(rows["knock-out"][name])
            pa = stats.ttest_1samp(a, 0).pvalue if name not in ("roi", "roi_no_change") else np.nan
            pk = stats.ttest_1samp(k, 0).pvalue if name not in ("roi", "roi_no_change") else np.nan
            pd_ = stats.ttest_rel(a, k).pvalue if a.std() + k.std() > 0 else np.nan
            print(
                f"{name:38s} lagged {a.mean():12.5g} (sd {a.std(ddof=1):.3g}, p {pa:.2g})  "
                f"knock-out {k.mean():12.5g} (sd {k.std(ddof=1):.3g}, p {pk:.2g})  "
                f"paired diff p {pd_:.2g}"
            )


if __name__ == "__main__":
    if sys.argv[1:] == ["dials"]:
        two_dials()
    else:
        intervention()
        programme()
        two_dials()
