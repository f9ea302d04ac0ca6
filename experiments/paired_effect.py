"""Paired effect of one parameter, low vs high, on the headline outcomes (docs/ODD.md 8.E).

Not a test: run from the repository root,
``python experiments/paired_effect.py PRESET KEY LOW HIGH [dotted.key=value ...]``; 10 replicates
at test size (150 people, 1,500 customers), 104 weeks, seed 3, common random numbers. Prints
each outcome's means, the mean paired difference (high - low), its standard error and the
one-sided paired t-test p-value for high > low.
"""

from __future__ import annotations

import sys

import numpy as np
from scipy import stats

sys.path[:0] = ["."]
from tests.conftest import column, paired, small  # noqa: E402

OUTCOMES = (
    "annual_churn",
    "satisfaction_mean",
    "first_contact_resolution",
    "morale_mean",
    "annual_staff_turnover",
)


def main(argv: list[str]) -> None:
    preset, key, lo, hi = argv[0], argv[1], float(argv[2]), float(argv[3])
    extra = {k: float(v) for k, v in (a.split("=") for a in argv[4:])}
    h = paired(
        {
            "lo": small(preset, **{key: lo}, **extra),
            "hi": small(preset, **{key: hi}, **extra),
        },
        replicates=10,
        seed=3,
    )
    for k in OUTCOMES:
        a, b = column(h, "lo", k), column(h, "hi", k)
        d = b - a
        p = stats.ttest_1samp(d, 0.0, alternative="greater").pvalue if d.std() > 0 else np.nan
        se = d.std(ddof=1) / np.sqrt(d.size)
        print(
            f"{k:26s} low={a.mean():.4f} high={b.mean():.4f} diff={d.mean():+.4f} "
            f"se={se:.4f} p={p:.3g}"
        )
    w = h.attrs["weekly"]
    if "practice_knowledge_mean" in w:
        print(
            "practice_knowledge_mean",
            w.groupby("scenario")["practice_knowledge_mean"].mean().to_dict(),
        )


if __name__ == "__main__":
    main(sys.argv[1:])
