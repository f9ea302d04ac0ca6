"""Common random numbers: every process draws the same number of variates whatever the state.

Paired runs (a design and its no-change twin, two designs compared, the replicates of a sweep)
share a seed so that they differ only where the design makes them differ. That holds only if no
process's draw count depends on the data; ``sim.rng.misaligned`` compares the streams' positions
week by week, and this test fails, naming the stream and the week, as soon as one does.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.inputs import load_scenario
from sim.model import OrgModel
from sim.processes import learning as learning_process
from sim.rng import ALIGNED_STREAMS, misaligned, stream_positions

SIZE = {"organisation.employees": 120, "customers.count": 1200, "horizon_weeks": 40}


def _first_misaligned(a_scenario, b_scenario, weeks: int = 40, seed: int = 4) -> dict[str, int]:
    a = OrgModel(a_scenario, rng=seed, counterfactual=False)
    b = OrgModel(b_scenario, rng=seed, counterfactual=False)
    first: dict[str, int] = {}
    for week in range(weeks):
        a.step()
        b.step()
        for name in misaligned(stream_positions(a.streams), stream_positions(b.streams)):
            first.setdefault(name, week)
    return first


def _designs():
    base = load_scenario("command_and_control").with_overrides(SIZE)
    return base, {
        "kotter programme": load_scenario("kotter_programme").with_overrides(SIZE),
        "no CRM (the twin)": base.counterfactual(),
        "every dial high, high turnover": base.with_overrides(
            {
                "culture.responsiveness": 0.9,
                "culture.decision_rights": 0.9,
                "culture.information_sharing": 0.9,
                "culture.psychological_safety": 0.9,
                "culture.incentive_alignment": 0.9,
                "people.base_quit_annual": 1.5,
            }
        ),
    }


@pytest.mark.parametrize("other", list(_designs()[1]))
def test_paired_designs_draw_alike_every_week(other: str) -> None:
    base, others = _designs()
    first = _first_misaligned(base, others[other])
    assert not first, f"streams drew a state-dependent number of variates: {first} (week)"


def test_the_check_catches_a_state_dependent_draw(monkeypatch: pytest.MonkeyPatch) -> None:
    """The check itself: a process that draws once per reported problem is caught."""
    real = learning_process.step

    def leaky(ctx, week):
        rec = real(ctx, week)
        ctx.streams["learning"].random(rec.reported)  # the count depends on the state
        return rec

    monkeypatch.setattr(learning_process, "step", leaky)
    base, others = _designs()
    first = _first_misaligned(base, others["every dial high, high turnover"])
    assert "learning" in first


def test_the_aligned_streams_are_every_weekly_stream_but_the_documented_exception() -> None:
    assert "newcomers" not in ALIGNED_STREAMS
    assert {"issues", "customers", "people", "adoption", "acquisition"} <= set(ALIGNED_STREAMS)
    assert np.all([isinstance(s, str) for s in ALIGNED_STREAMS])


@pytest.mark.parametrize("lam", [0.0, 0.3, 2.5, 12.0, 29.9, 45.0, 2000.0])
def test_poisson_from_one_uniform_is_the_poisson_quantile(lam: float) -> None:
    from scipy import stats

    from sim.rng import poisson_from_uniform

    u = np.random.default_rng(1).random(4000)
    got = np.array([poisson_from_uniform(x, lam) for x in u])
    want = np.maximum(stats.poisson.ppf(u, lam), 0) if lam > 0 else np.zeros_like(u)
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize(
    ("n", "p"), [(0, 0.3), (10, 0.0), (10, 1.0), (10, 0.1), (40, 0.35), (150, 0.05), (300, 0.2)]
)
def test_binomial_from_one_uniform_is_the_binomial_quantile(n: int, p: float) -> None:
    from scipy import stats

    from sim.rng import binomial_from_uniform

    u = np.random.default_rng(2).random(4000)
    got = np.array([binomial_from_uniform(x, n, p) for x in u])
    want = np.clip(stats.binom.ppf(u, n, p), 0, n) if n > 0 and p > 0 else np.zeros_like(u)
    if p >= 1.0:
        want = np.full_like(u, n)
    np.testing.assert_array_equal(got, want)
