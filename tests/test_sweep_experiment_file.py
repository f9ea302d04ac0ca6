"""Experiment files: defaults, one values/range syntax, every problem at once, own outcomes,
and the Parquet schema (descriptions, units, integer counts)."""

from __future__ import annotations

import glob
import textwrap
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from sim.errors import InputError
from sim.experiment import HEADLINE_BOUNDS, HEADLINE_UNITS, HEADLINES
from sim.metrics import COLUMNS, COUNTS, UNITS
from sim.sweep import load_experiment, load_results, plan_experiment, run_sweep, summarize
from tests.test_sweep import write_experiment


def _file(folder: Path, body: str) -> Path:
    path = folder / "e.toml"
    path.write_text(textwrap.dedent(body))
    return path


def test_replicates_and_root_seed_default_as_in_a_comparison_file(tmp_path: Path) -> None:
    exp = load_experiment(
        _file(
            tmp_path,
            """\
            name = "x"
            base = "matrix"
            design = "grid"
            [factors]
            "culture.responsiveness" = [0.2, 0.8]
            """,
        )
    )
    assert (exp.spec.replicates, exp.spec.root_seed) == (8, 2026)


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    path = _file(
        tmp_path,
        """\
        name = "x"
        base = "matrix"
        design = "lhs"
        replicates = 0
        foo = 1
        [factors]
        "culture.responsiveness" = [0.1, 0.9]
        "culture.nonsense" = { range = [0.1, 0.9] }
        [outputs]
        metrics = ["adoption"]
        [outcomes]
        late = { metric = "adoption_rate", week = 999 }
        """,
    )
    with pytest.raises(InputError) as err:
        load_experiment(path)
    msg = str(err.value)
    assert "\n" not in msg and msg.startswith(str(path))
    for fragment in (
        "replicates: Input should be greater than or equal to 1",
        "foo: unknown key",
        "factors.culture.responsiveness: a bare list",
        "factors.culture.nonsense: unknown scenario field",
        "samples: required by an lhs design",
        "outputs.metrics: unknown metric 'adoption'",
        "outcomes.late.week: 999 must lie within the horizon",
    ):
        assert fragment in msg, fragment


@pytest.mark.parametrize("design", ["lhs", "sobol", "morris"])
def test_a_bare_list_is_refused_in_sampling_designs_with_both_spellings(
    tmp_path: Path, design: str
) -> None:
    path = write_experiment(
        tmp_path, '"culture.responsiveness" = [0.1, 0.9]', design=design, header="samples = 4\n"
    )
    with pytest.raises(InputError, match=r"\{ range = \[0\.1, 0\.9\] \}.*\{ values = \[0\.1"):
        load_experiment(path)


def test_values_and_range_mean_the_same_in_every_design(tmp_path: Path) -> None:
    values = '"culture.responsiveness" = { values = [0.1, 0.9] }'
    ranged = '"culture.responsiveness" = { range = [0.1, 0.9] }'
    grid_values = plan_experiment(write_experiment(tmp_path, values, name="a.toml"))
    lhs_values = plan_experiment(
        write_experiment(tmp_path, values, design="lhs", header="samples = 20\n", name="b.toml")
    )
    lhs_range = plan_experiment(
        write_experiment(tmp_path, ranged, design="lhs", header="samples = 20\n", name="c.toml")
    )
    assert [p[0] for p in grid_values.design.points] == [0.1, 0.9]
    assert {p[0] for p in lhs_values.design.points} == {0.1, 0.9}  # drawn among the values
    drawn = [p[0] for p in lhs_range.design.points]
    assert len(set(drawn)) == 20 and all(0.1 <= x <= 0.9 for x in drawn)  # from the range
    bare = plan_experiment(
        write_experiment(tmp_path, '"culture.responsiveness" = [0.1, 0.9]', name="d.toml")
    )
    assert bare.design.points == grid_values.design.points  # a grid's shorthand for values


def test_own_outcomes_are_recorded_summarised_and_rerun(tmp_path: Path) -> None:
    from sim.sweep.bundle import rerun

    header = (
        "\n[outcomes]\n"
        'adoption_week_3 = { metric = "adoption_rate", week = 3 }\n'
        'satisfaction_late = { metric = "satisfaction_mean", mean_over = [4, 6], '
        'description = "satisfaction, weeks 4-6" }\n'
    )
    path = write_experiment(tmp_path, weeks=6)
    path.write_text(path.read_text() + header)
    out = tmp_path / "out"
    run_sweep(plan_experiment(path), out, progress=False)
    runs, weekly = load_results(out), load_results(out, "weekly")
    for _, row in runs.iterrows():
        w = weekly[weekly["run_id"] == row["run_id"]].set_index("week")
        assert row["adoption_week_3"] == w.loc[3, "adoption_rate"]
        assert row["satisfaction_late"] == pytest.approx(w.loc[4:6, "satisfaction_mean"].mean())
    s = summarize(out, plots=False)
    assert {"adoption_week_3", "satisfaction_late"} <= set(s.summary["outcome"])
    field = pq.read_schema(next((out / "runs").iterdir())).field("satisfaction_late")
    assert field.metadata[b"description"] == b"satisfaction, weeks 4-6"
    assert rerun(out, 5).matches is True


def test_parquet_columns_carry_descriptions_and_units_and_counts_are_integers(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    run_sweep(plan_experiment(write_experiment(tmp_path, weeks=4)), out, progress=False)
    for table in ("runs", "weekly"):
        schema = pq.read_schema(glob.glob(str(out / table / "*.parquet"))[0])
        for f in schema:
            assert f.metadata and f.metadata[b"description"], (table, f.name)
            assert b"unit" in f.metadata, (table, f.name)
    weekly = pq.read_schema(glob.glob(str(out / "weekly" / "*.parquet"))[0])
    for name in COLUMNS:
        want = "int64" if name in COUNTS else "double"
        assert str(weekly.field(name).type) == want, name
    assert load_results(out, "weekly")["churned_total"].dtype == np.int64


def test_every_column_has_a_unit_and_counts_are_whole_in_every_preset() -> None:
    from sim import OrgModel
    from sim.scenario import preset_names

    assert set(UNITS) == set(COLUMNS) and set(COUNTS) <= set(COLUMNS)
    assert set(HEADLINE_UNITS) == set(HEADLINES) == set(HEADLINE_BOUNDS)
    for name in preset_names():
        small = {"organisation.employees": 60, "customers.count": 300, "horizon_weeks": 30}
        df = OrgModel(name, rng=4, **small).run()
        counts = df[list(COUNTS)].to_numpy(dtype=float)
        assert np.array_equal(counts, np.rint(counts)), name
