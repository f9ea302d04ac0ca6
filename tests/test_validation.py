"""Tests of the validation runner ``sim.validation`` at CI size (a few seconds in all)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from sim.errors import InputError
from sim.validation import CHECKS, COLUMNS, format_table, run_checks

MODELS = ("March 1991", "Bass 1969", "Granovetter 1978", "Centola 2010")


@pytest.fixture(scope="module")
def ci_table() -> pd.DataFrame:
    """All checks at CI size, default seed (run once for the module)."""
    return run_checks(None, size="ci")


def test_every_ci_check_passes(ci_table: pd.DataFrame) -> None:
    failed = ci_table.loc[~ci_table["passed"], ["model", "setting", "ours_mean", "tolerance"]]
    assert failed.empty, f"failed checks:\n{failed.to_string()}"


def test_each_model_has_rows_and_columns_are_in_order(ci_table: pd.DataFrame) -> None:
    assert list(ci_table.columns) == COLUMNS
    assert set(ci_table["check"]) == set(CHECKS) == {"march1991", "bass", "granovetter", "centola"}
    counts = ci_table["model"].value_counts()
    for model in MODELS:
        assert counts.get(model, 0) >= 1
    assert set(ci_table["model"]) == set(MODELS)
    # exact results carry no standard error; simulated ones do
    exact = ci_table["model"] == "Granovetter 1978"
    assert ci_table.loc[exact, "ours_se"].map(math.isnan).all()
    assert ci_table.loc[~exact, "ours_se"].map(math.isfinite).all()


def test_unknown_check_name_or_size_is_an_input_error() -> None:
    with pytest.raises(InputError, match="'rogers1962'.*march1991, bass, granovetter, centola"):
        run_checks(["bass", "rogers1962"], size="ci")
    with pytest.raises(InputError, match="full, ci"):
        run_checks(["granovetter"], size="huge")


def test_a_check_run_alone_gives_the_same_rows(ci_table: pd.DataFrame) -> None:
    alone = run_checks(["granovetter"], size="ci")
    within = ci_table[ci_table["check"] == "granovetter"].reset_index(drop=True)
    pd.testing.assert_frame_equal(alone, within)


def test_format_table_shows_pass_and_citations(ci_table: pd.DataFrame) -> None:
    wrapped = format_table(ci_table)
    assert "PASS" in wrapped and "FAIL" not in wrapped
    assert f"{len(ci_table)}/{len(ci_table)} passed" in wrapped
    assert max(len(line) for line in wrapped.splitlines()) <= 190
    # wrapping may split a citation over lines; the one-line form holds each whole
    flat = format_table(ci_table, wrap=False)
    assert len(flat.splitlines()) == len(ci_table) + 3
    for citation in ci_table["citation"]:
        assert f"({citation})" in flat
    for cite in ("March 1991, Fig. 1", "Bass 1969", "Granovetter 1978, p. 1424", "Centola 2010"):
        assert cite in flat


def test_centola_clustered_ties_spread_further_and_faster(ci_table: pd.DataFrame) -> None:
    """Centola (2010): under the model's rule (threshold 2 of 6), a clustered lattice ends with
    more adopters and adopts faster than a degree-preserving random rewiring (each a one-sided
    paired t-test at 0.01 inside the check), and the clustered lattice is fully reached."""
    rows = ci_table[ci_table["check"] == "centola"]
    assert len(rows) == 2 and rows["passed"].all()
    assert (rows["ours_mean"] > 0).all()


def test_centola_rewiring_keeps_every_degree() -> None:
    from sim.classic import centola

    g = centola.lattice(128, 6)
    h = centola.rewired(g, seed=3)
    assert dict(g.degree()) == dict(h.degree())
    assert set(g.edges()) != set(h.edges())
    import networkx as nx

    assert nx.average_clustering(h) < 0.5 * nx.average_clustering(g)
