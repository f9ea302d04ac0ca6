"""Comparison files, replicate seeds and summaries."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.errors import InputError
from sim.experiment import EXPERIMENT_DIR, load_comparison, mean_ci, paired_differences
from sim.rng import replicate_seeds


def test_main_job_file_is_valid_and_names_the_presets() -> None:
    comp = load_comparison(EXPERIMENT_DIR / "main_job.toml")
    designs = comp.load_designs(EXPERIMENT_DIR)
    assert len(designs) == 7 and comp.baseline in designs


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('name = "x"\nscenarios = []\n', "scenarios"),
        ('name = "x"\nscenarios = ["matrix"]\nreplicates = 0\n', "replicates"),
        ('name = "x"\nscenarios = ["matrix"]\nbaseline = "nope"\n', "baseline"),
        ('name = "x"\nscenarios = ["matrix"]\nextra = 1\n', "extra"),
        ('name = "x"\nscenarios = ["matrix"\n', "TOML"),
    ],
)
def test_bad_comparison_files_are_rejected(tmp_path: Path, text: str, fragment: str) -> None:
    p = tmp_path / "c.toml"
    p.write_text(text)
    with pytest.raises(InputError) as err:
        load_comparison(p)
    assert str(p) in str(err.value) and fragment in str(err.value)


def test_replicate_seeds_are_reproducible_and_distinct() -> None:
    a = replicate_seeds(5, 50)
    assert a == replicate_seeds(5, 50) and len(set(a)) == 50
    assert replicate_seeds(5, 10) == a[:10]  # more replicates extend, never reshuffle
    assert replicate_seeds(6, 10) != a[:10]


def test_mean_ci_matches_student_t() -> None:
    m, lo, hi = mean_ci([1.0, 2.0, 3.0, 4.0])
    assert m == 2.5 and lo == pytest.approx(2.5 - 3.182446 * np.std([1, 2, 3, 4], ddof=1) / 2)
    assert np.isnan(mean_ci([1.0])[1]) and np.isnan(mean_ci([])[0])


def test_paired_differences_pair_by_replicate() -> None:
    import pandas as pd

    heads = pd.DataFrame(
        {"scenario": ["a", "a", "b", "b"], "replicate": [0, 1, 0, 1], "x": [1.0, 5.0, 2.0, 6.0]}
    )
    d = paired_differences(heads, "a", ["x"])
    row = d.iloc[0]
    assert row["diff"] == 1.0 and row["ci_low"] == row["ci_high"] == 1.0  # zero spread when paired
