"""UTAUT survey of the simulated staff: standardised paths and R2 against the published bands.

Not a test: run from the repository root,
``python experiments/utaut_survey.py [REPLICATES] [dotted.key=value ...]`` (default 8 replicates,
seeds 1..N). Four presets at test size (150 people, 1,500 customers), surveys of the trained
staff 4, 13 and 26 weeks after go-live (``sim.utaut_survey``). Prints, per preset and wave, the
mean and 95% interval over seeds of each standardised path (PE, EE, SI -> intention), R2 and the
zero-order correlations, with the band each should fall in (docs/ODD.md 8.D).
"""

from __future__ import annotations

import sys

import pandas as pd

sys.path[:0] = ["."]
from sim.utaut_survey import survey_runs, summarise  # noqa: E402
from tests.conftest import small  # noqa: E402

PRESETS = ("command_and_control", "kotter_programme", "functional_silos", "self_organised")


def main(argv: list[str]) -> None:
    reps = int(argv[0]) if argv and "=" not in argv[0] else 8
    extra = {k: float(v) for k, v in (a.split("=") for a in argv if "=" in a)}
    runs = survey_runs({p: small(p, **extra) for p in PRESETS}, range(1, reps + 1))
    t = summarise(runs)
    t["ci"] = t.apply(lambda r: f"{r['mean']:+.2f} [{r['ci_low']:+.2f}, {r['ci_high']:+.2f}]",
                      axis=1)
    wide = t.pivot_table(index=["scenario", "wave"], columns="figure", values="ci",
                         aggfunc="first", sort=False)
    cols = ["beta_pe", "beta_ee", "beta_si", "r2", "r_pe", "r_ee", "r_si"]
    with pd.option_context("display.width", 250, "display.max_columns", 20):
        print(wide[cols].to_string())
    print(f"\n{reps} replicates; bands: beta_pe >= 0.5, beta_ee and beta_si < 0.3, "
          "R2 in [0.17, 0.70] (sim.utaut_survey.BANDS)")


if __name__ == "__main__":
    main(sys.argv[1:])
