"""One dial at 0.1 vs 0.9 in a preset, paired seeds (docs/ODD.md section 8.F).

    .venv/bin/python experiments/dial_effect.py culture__information_sharing [sec__param=v ...]

Runs ``functional_silos`` at test size (150 people / 1,500 customers, 104 weeks), 10 paired
replicates (seed 7), with the dial at 0.1 and 0.9 and any overrides (e.g. a knock-out
``sales__overload_care_loss=0``), and prints the paired difference (0.9 - 0.1) of the headline
outcomes and of two-year revenue, with its sd and the one-sided paired t-test p-value (less).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scipy import stats  # noqa: E402

from tests.conftest import column, paired, small  # noqa: E402

OUTCOMES = ("annual_churn", "satisfaction_mean", "morale_mean", "data_quality")


def main(argv: list[str]) -> None:
    dial, rest = argv[0], argv[1:]
    ov = {k: float(v) for k, v in (a.split("=", 1) for a in rest)}
    designs = {
        "lo": small("functional_silos", **{dial: 0.1}, **ov),
        "hi": small("functional_silos", **{dial: 0.9}, **ov),
    }
    h = paired(designs, replicates=10)
    for o in OUTCOMES:
        lo, hi = column(h, "lo", o), column(h, "hi", o)
        d = hi - lo
        p = stats.ttest_1samp(d, 0, alternative="less").pvalue
        print(
            f"{o}: 0.1 {lo.mean():.4f}  0.9 {hi.mean():.4f}  diff {d.mean():+.4f} "
            f"sd {d.std(ddof=1):.4f}  p(less) {p:.2g}"
        )
    w = h.attrs["weekly"]
    rv = w.groupby(["scenario", "replicate"])["revenue"].sum()
    d = rv["hi"].sort_index().to_numpy() - rv["lo"].sort_index().to_numpy()
    print(
        f"revenue (2 years): 0.1 {rv['lo'].mean():.4g}  diff {d.mean():+.4g} "
        f"({d.mean() / rv['lo'].mean() * 100:+.2f}%) sd {d.std(ddof=1):.3g}"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
