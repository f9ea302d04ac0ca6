"""A preset's headline figures against the practitioner ranges of issue 14 (docs/ODD.md 7.1).

Not a test (``tests/test_calibration.py`` is): run from the repository root,
``python experiments/practitioner_ranges.py [PRESET] [REPLICATES]`` (default
``command_and_control``, 8 replicates, seed 7, test size, 104 weeks). Prints annual churn, staff
turnover, adoption at week 52, first-contact resolution and the silent share of churn, each with
the range it should fall in.
"""

from __future__ import annotations

import sys

sys.path[:0] = ["."]
from tests.conftest import paired, small  # noqa: E402

RANGES = {
    "annual_churn": (0.10, 0.30),
    "annual_staff_turnover": (0.20, 0.50),
    "adoption_week_52": (0.25, 0.60),
    "first_contact_resolution": (0.60, 0.80),
    "silent_churn_share": (0.50, 1.00),
}


def main(argv: list[str]) -> None:
    preset = argv[0] if argv else "command_and_control"
    reps = int(argv[1]) if len(argv) > 1 else 8
    heads = paired({preset: small(preset)}, replicates=reps, seed=7)
    weekly = heads.attrs["weekly"]
    got = {k: float(heads[k].mean()) for k in RANGES if k in heads}
    got["adoption_week_52"] = float(weekly.loc[weekly["week"] == 52, "adoption_rate"].mean())
    for k, (lo, hi) in RANGES.items():
        v = got[k]
        print(f"{k:26s} {v:7.3f}   range {lo:.2f}-{hi:.2f}   {'inside' if lo <= v <= hi else 'OUTSIDE'}")


if __name__ == "__main__":
    main(sys.argv[1:])
