"""Issue 14 item 3 (adoption part): commitment and support effects, mechanism on and off
(docs/ODD.md 8.D). Run from the repository root: PY benchmarks/adoption_dials.py
"""

import sys

sys.path.insert(0, ".")
import numpy as np

from tests.conftest import column, paired, small


def eff(dial, lo, hi, **off):
    b = small("command_and_control", **off)
    h = paired(
        {
            "lo": b.with_overrides({f"culture.{dial}": lo}),
            "hi": b.with_overrides({f"culture.{dial}": hi}),
        },
        10,
        13,
    )
    w = h.attrs["weekly"]
    late = {
        k: g[g.week >= 52].groupby("replicate").usage_mean.mean().to_numpy()
        for k, g in w.groupby("scenario")
    }
    d = column(h, "hi", "adoption_rate") - column(h, "lo", "adoption_rate")
    du = late["hi"] - late["lo"]
    print(
        dial,
        off or "on",
        f"adoption diff {d.mean():.3f} ± {d.std(ddof=1) / np.sqrt(10):.3f} (se)  late usage diff {du.mean():.3f} ± {du.std(ddof=1) / np.sqrt(10):.3f}",  # noqa: E501
    )


eff("executive_commitment", 0.1, 0.9)
eff(
    "executive_commitment",
    0.1,
    0.9,
    adoption__facilitating_commitment=0.0,
    adoption__data_use_commitment=0.0,
)
eff("executive_support", 0.0, 1.0)
eff("executive_support", 0.0, 1.0, adoption__social_executive=0.0)
