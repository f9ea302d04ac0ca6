"""Salaries by role in the uncertainty analysis (issue 19, docs/ODD.md 8.L).

The six ``economics.salary_<role>`` are flagged uncertain with the BLS OEWS 25th-75th percentile
ranges, but a scenario on flat pay (none set) keeps flat pay in the report's joint draws and
screen: drawing one would switch its pay model. Checks are exact (which keys a draw holds) or
bounds (every drawn value inside its range); the "they vary" check is over 40 draws of a
continuous uniform, where two equal values have probability zero.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import sim
from sim.assumptions import ROLE_SALARIES, pay_keys_not_drawn, prior_draw, replicate_draws
from sim.coefficients.accounts import ROLE_SALARY_PLAUSIBLE
from sim.parameters import field_specs
from sim.report import assumption_factors
from sim.rng import replicate_seeds

ROOT = Path(__file__).resolve().parent.parent
ACME = ROOT / "examples" / "acme"


def _pair(extra: dict | None = None) -> tuple[sim.Scenario, sim.Scenario]:
    cur = sim.load_scenario(ACME / "current.toml")
    prop = sim.load_scenario(ACME / "proposed.toml")
    if extra:
        cur, prop = cur.with_overrides(extra), prop.with_overrides(extra)
    return cur, prop


def _draws(cur: sim.Scenario, prop: sim.Scenario, n: int = 40) -> list[dict]:
    _, fs = assumption_factors(cur, prop)
    return replicate_draws(prior_draw(fs), replicate_seeds(7, n))


def test_the_six_role_salaries_are_flagged_uncertain_with_the_bls_ranges() -> None:
    specs = {s.path: s for s in field_specs()}
    assert len(ROLE_SALARIES) == 6
    for key in ROLE_SALARIES:
        s = specs[key]
        lo, hi, soc = ROLE_SALARY_PLAUSIBLE[key.rsplit("_", 1)[1]]
        assert s.uncertain and (s.plausible_lo, s.plausible_hi) == (lo, hi)
        assert 20_000 < lo < hi < 300_000  # a yearly full-time wage in USD
        assert "BLS OEWS May 2023" in s.source and soc.split()[0] in s.source
        assert "FROM RECALL" in s.source and "bls.gov/oes" in s.source  # honest about origin
        assert s.default is None  # still unset by default: flat pay


def test_a_flat_pay_scenario_draws_no_role_salary() -> None:
    cur, prop = _pair()
    assert not cur.economics.role_salaries_set()
    assert pay_keys_not_drawn(cur, prop) == list(ROLE_SALARIES)
    for d in _draws(cur, prop, 5):
        assert not any(k.startswith("economics.salary_") for k in d)
        assert "organisation.manager_capacity" in d  # the other assumptions are still drawn


def test_a_role_salary_scenario_draws_them_inside_the_bls_ranges() -> None:
    cur, prop = _pair({"economics.salary_sales": 70_000.0})
    assert pay_keys_not_drawn(cur, prop) == []
    draws = _draws(cur, prop)
    for key in ROLE_SALARIES:
        lo, hi, _ = ROLE_SALARY_PLAUSIBLE[key.rsplit("_", 1)[1]]
        got = [d[key] for d in draws]
        assert all(lo <= v <= hi for v in got), key
        assert len(set(got)) == len(got), key  # they vary from draw to draw
    # the drawn value reaches the model as that role's pay
    run = cur.with_overrides(draws[0])
    assert run.economics.salary_service == draws[0]["economics.salary_service"]


def test_one_design_on_flat_pay_keeps_both_on_flat_pay() -> None:
    cur, _ = _pair()
    _, prop = _pair({"economics.salary_sales": 70_000.0})
    assert pay_keys_not_drawn(cur, prop) == list(ROLE_SALARIES)
    excluded, fs = assumption_factors(cur, prop)
    assert "economics.salary_sales" in excluded  # the proposal's decision
    assert not {f.path for f in fs} & set(ROLE_SALARIES)


def test_role_salaries_in_another_currency_are_not_drawn() -> None:
    """The ranges are USD and nothing is converted."""
    cur, prop = _pair({"economics.salary_sales": 70_000.0, "economics.currency": "EUR"})
    assert pay_keys_not_drawn(cur, prop) == list(ROLE_SALARIES)


@pytest.mark.parametrize("flat", [True, False])
def test_the_screen_follows_the_same_rule(flat: bool) -> None:
    from sim.assumptions import morris_screen_points

    cur, prop = _pair(None if flat else {"economics.salary_other": 50_000.0})
    _, fs = assumption_factors(cur, prop)
    _, points = morris_screen_points(fs, 2, 3)
    salaried = set(points[0]) & set(ROLE_SALARIES)
    assert salaried == (set() if flat else set(ROLE_SALARIES))
