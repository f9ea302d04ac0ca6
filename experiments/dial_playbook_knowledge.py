"""Paired effect of a dial (0.1 vs 0.9) on the playbook, practice knowledge and FCR (ODD 8.E).

Not a test: run from the repository root,
``python experiments/dial_playbook_knowledge.py PRESET KEY REPLICATES [dotted.key=value ...]``;
the one-at-a-time table's size (150 people, 1,500 customers, 104 weeks) and seeds
(``replicate_seeds(7, REPLICATES)``, ``sim.evidence.SEEDS["oat"]``), 2 processes. Prints, for
playbook knowledge (``code``), practice knowledge (``practice``) and first-contact resolution,
the means over the first 13 weeks, all 104 and the last 13 (the headline's window), the mean
paired difference (0.9 - 0.1), its standard error and the two-sided paired t-test p.
"""

from __future__ import annotations

import sys
from concurrent.futures import ProcessPoolExecutor

import numpy as np
from scipy import stats

sys.path[:0] = ["."]
from sim import evidence as ev  # noqa: E402
from sim.model import OrgModel  # noqa: E402
from sim.rng import replicate_seeds  # noqa: E402

COLUMNS = {
    "code": "playbook_knowledge",
    "practice": "practice_knowledge_mean",
    "FCR": "first_contact_resolution",
}
WINDOWS = ("first13", "all104", "last13")


def one(job: tuple[str, str, float, int, dict[str, float]]) -> list[float]:
    preset, key, level, seed, extra = job
    base = ev._base(preset, 150, 1500, 104).with_overrides({key: level, **extra})
    df = OrgModel(base, rng=seed, counterfactual=False).run()
    out = []
    for col in COLUMNS.values():
        out += [df[col].iloc[:13].mean(), df[col].mean(), df[col].iloc[-13:].mean()]
    return out


def main(argv: list[str]) -> None:
    preset, key, reps = argv[0], argv[1], int(argv[2])
    extra = {k: float(v) for k, v in (a.split("=") for a in argv[3:])}
    seeds = replicate_seeds(ev.SEEDS["oat"], reps)
    jobs = [(preset, key, lv, s, extra) for lv in ev.LEVELS for s in seeds]
    with ProcessPoolExecutor(2) as ex:
        r = np.array(list(ex.map(one, jobs)))
    lo, hi = r[:reps], r[reps:]
    names = [f"{c}:{w}" for c in COLUMNS for w in WINDOWS]
    for j, name in enumerate(names):
        d = hi[:, j] - lo[:, j]
        se = d.std(ddof=1) / np.sqrt(reps)
        p = stats.ttest_1samp(d, 0.0).pvalue
        print(
            f"{name:18s} low={lo[:, j].mean():.4f} high={hi[:, j].mean():.4f} "
            f"diff={d.mean():+.4f} se={se:.4f} p={p:.2g}"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
