"""Results stay the same across performance work: same seed, same table.

``tests/data/golden.csv`` holds the weekly table of a few designs (every preset, the imported
``examples/acme`` chart) at test size. A speed-up must reproduce it; a deliberate change to the
model or to how its random numbers are drawn regenerates it in the same commit, with the reason
in the commit message:

    .venv/bin/python tests/test_golden.py --write
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "data" / "golden.csv"
WEEKS = 60
SIZE = {"organisation.employees": 120, "customers.count": 1200}


def golden_table() -> pd.DataFrame:
    """Weekly metrics of every preset (seed 3) and the acme proposal (seed 5) for 60 weeks."""
    from sim.inputs import load_scenario
    from sim.model import OrgModel
    from sim.scenario import preset_names

    runs = [(name, load_scenario(name).with_overrides(SIZE), 3) for name in preset_names()]
    runs.append(("acme_proposed", load_scenario(ROOT / "examples/acme/proposed.toml"), 5))
    frames = []
    for name, scenario, seed in runs:
        model = OrgModel(scenario.with_overrides({"horizon_weeks": WEEKS}), rng=seed)
        frames.append(model.run().reset_index().assign(design=name, seed=seed))
    return pd.concat(frames, ignore_index=True)


def test_weekly_tables_match_the_golden_file() -> None:
    want = pd.read_csv(GOLDEN)
    got = golden_table()
    assert list(got.columns) == list(want.columns)
    assert got.shape == want.shape
    for col in got.columns:
        if got[col].dtype.kind in "fiub":
            # rtol: float formatting in the CSV and vendor maths libraries differ in the last
            # digits; any change in what is simulated moves the figures far more than this
            np.testing.assert_allclose(
                got[col].to_numpy(float),
                want[col].to_numpy(float),
                rtol=1e-9,
                atol=1e-12,
                err_msg=col,
            )
        else:
            assert got[col].astype(str).tolist() == want[col].astype(str).tolist(), col


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: python tests/test_golden.py --write")
    # run as a script, Python puts tests/ (not the checkout) first on sys.path, and an editable
    # install elsewhere (another worktree) would then supply `sim`: use this checkout's own code
    sys.path.insert(0, str(ROOT))
    GOLDEN.parent.mkdir(exist_ok=True)
    golden_table().to_csv(GOLDEN, index=False, float_format="%.17g")
    print(f"wrote {GOLDEN}")
