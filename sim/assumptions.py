"""Uncertainty that covers the assumptions: joint draws of the uncertain parameters, and a screen.

The schema flags the parameters users are typically unsure of (``uncertain=True`` with a
``plausible`` range, ``sim.parameters.param``; ``python run.py params`` lists them). The report
(``sim.report``) uses them two ways:

- **Joint draws.** Each replicate draws every flagged parameter at once from a
  :data:`Draw` (a function of a numpy Generator returning dotted overrides), from its own
  stream (``sim.rng.side_stream(seed, "assumptions")`` of the replicate's seed), and runs
  the current and the proposed design with the same overrides and the same seed. So the spread
  of the paired difference over replicates covers both simulation noise and the assumptions.
  The default draw, :func:`prior_draw`, is uniform and independent over each plausible range;
  a calibrated current design can hand in a posterior sampler of the same shape (any function
  ``rng -> {dotted key: value}``), with no change to the report.
- **A global screen** (:func:`morris_screen_points`, :func:`morris_effects`): Morris elementary
  effects (SALib) of the same parameters on the paired difference. Over a hundred parameters
  are screened in groups (:func:`screen_groups`): the few the issue named as the result's
  weak points one by one (manager capacity, hand-off time, ...), the rest by the mechanism
  section they belong to, each with a plain name. All points run on one seed (common random
  numbers), so the effects are the assumptions' and not noise.

The salaries by role are drawn only for a scenario that pays by role
(:func:`pay_keys_not_drawn`): drawing them on flat pay would change the pay model, not an
assumption of it.

Parameters a design itself sets (those the proposed design changes, e.g. the programme's
intensity) are decisions, not assumptions: :func:`design_keys` lists them and they are left out
of both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

#: A joint draw of assumptions: the replicate's generator -> dotted overrides.
Draw = Callable[[np.random.Generator], dict[str, Any]]


@dataclass(frozen=True)
class Factor:
    """An uncertain scenario field and its plausible range."""

    path: str
    low: float
    high: float
    kind: str  # "float" or "int"
    label: str


def uncertain_factors() -> list[tuple[str, float, float, str]]:
    """(key, low, high, kind) of every schema field flagged ``uncertain=True``."""
    from sim.scenario import field_specs

    out = []
    for s in field_specs():
        lo, hi = s.plausible_lo, s.plausible_hi
        if s.uncertain and lo is not None and hi is not None and hi > lo:
            out.append((s.path, float(lo), float(hi), s.kind))
    return out


def factors(exclude: Iterable[str] = ()) -> list[Factor]:
    """The uncertain fields as :class:`Factor` (plain labels from the schema), but ``exclude``."""
    from sim.scenario import field_specs

    skip = set(exclude)
    labels = {s.path: s.label for s in field_specs()}
    return [
        Factor(k, lo, hi, kind, labels.get(k, k))
        for k, lo, hi, kind in uncertain_factors()
        if k not in skip
    ]


def design_keys(current: Any, proposed: Any) -> set[str]:
    """Dotted fields a design sets itself: changed by the proposal, in a ``design.set``, or
    written by a transformation (a programme's stated intensity is a decision even when it
    equals the current value)."""
    from sim.interventions import flatten

    a, b = flatten(current.model_dump()), flatten(proposed.model_dump())
    keys = {k for k in set(a) | set(b) if a.get(k) != b.get(k)}
    keys |= set(proposed.design.set) | set(current.design.set)
    for t in (*current.transformations, *proposed.transformations):
        if t.kind == "incentives":
            keys.add("culture.incentive_alignment")
        elif t.kind == "change_programme":
            keys.add("change_programme.steps")
            keys |= {
                f"change_programme.{k}"
                for k in ("intensity", "cost_per_step", "champion_share")
                if getattr(t, k) is not None
            }
    return keys


def _role_salary_keys() -> tuple[str, ...]:
    from sim.coefficients.accounts import ROLE_SALARY_ORDER

    return tuple(f"economics.salary_{r}" for r in ROLE_SALARY_ORDER)


#: The salaries by role (``economics.salary_<role>``), flagged uncertain with BLS ranges.
ROLE_SALARIES = _role_salary_keys()


def pay_keys_not_drawn(*scenarios: Any) -> list[str]:
    """The salaries by role that must not be drawn for these scenarios (docs/ODD.md 8.L).

    A salary by role is drawn only when every scenario already pays by role (any
    ``economics.salary_<role>`` set): a scenario on flat pay (``people.salary_annual``, x
    ``manager_salary_factor`` for the executive and managers) keeps flat pay, since drawing a
    role salary would silently switch its pay model. Their plausible ranges are in USD
    (BLS OEWS), so a scenario in another currency does not draw them either (nothing is
    converted). A ``salary`` column of an org chart wins over salaries by role anyway.
    """
    by_role = all(
        s.economics.role_salaries_set() and s.economics.currency == "USD" for s in scenarios
    )
    return [] if by_role and scenarios else list(ROLE_SALARIES)


def value(x: float, kind: str) -> Any:
    """A sampled number as the field's type."""
    return int(round(x)) if kind == "int" else float(x)


def prior_draw(fs: Sequence[Factor]) -> Draw:
    """Every factor drawn at once, uniform and independent over its plausible range."""
    fs = tuple(fs)
    lows = np.array([f.low for f in fs])
    highs = np.array([f.high for f in fs])

    def draw(rng: np.random.Generator) -> dict[str, Any]:
        x = rng.uniform(lows, highs)  # one array, so the draw's length never depends on values
        return {f.path: value(v, f.kind) for f, v in zip(fs, x)}

    return draw


def calibrated_draw(calibration: Any, rest: Draw | None = None) -> Draw:
    """A calibrated organisation's draw: a posterior particle (``sim.scenario.Calibration``) for
    the calibrated parameters, ``rest`` (e.g. :func:`prior_draw` of the others) for the rest.

    The particle is picked with one uniform from the replicate's generator before ``rest`` draws,
    so the draw's length never depends on the weights.
    """

    def draw(rng: np.random.Generator) -> dict[str, Any]:
        out: dict[str, Any] = dict(calibration.pick(float(rng.random())))
        if rest is not None:
            out.update(rest(rng))
        return out

    return draw


def replicate_draws(draw: Draw, seeds: Sequence[int]) -> list[dict[str, Any]]:
    """One joint draw per replicate, each from its seed's own assumptions stream."""
    from sim.rng import side_stream

    return [draw(side_stream(seed, "assumptions")) for seed in seeds]


#: Screened one by one (the rest by section): the parameters the issue found the result hangs on
#: and the report's earlier one-at-a-time assumptions, with plain names.
SINGLE = {
    "organisation.manager_capacity": "Manager capacity (decisions a week)",
    "organisation.hop_days": "Hand-off time per escalation step",
    "customers.dissatisfied_churn_annual": "How fast unhappy customers leave",
    "customers.issue_rate": "Service issues per customer",
    "customers.complaint_propensity": "How often unhappy customers complain",
    "people.base_quit_annual": "Front-line staff turnover at middling morale",
    "crm.threshold_mean": "Colleagues using the CRM before a person follows",
}
#: Plain names of the sections the other uncertain parameters are screened by.
SECTIONS = {
    "organisation": "Other organisation assumptions",
    "customers": "Other customer behaviour",
    "sales": "Sales work (leads, campaigns, care)",
    "culture": "Market turbulence",
    "crm": "Other CRM diffusion",
    "adoption": "CRM adoption by individuals",
    "change_programme": "Change programme and restructuring costs",
    "people": "Other staff morale and turnover",
    "learning": "Learning and know-how",
    "decisions": "Decisions and first-contact resolution",
}


def screen_groups(fs: Sequence[Factor]) -> list[str]:
    """The screen group (a plain name) of each factor."""
    out = []
    for f in fs:
        if f.path in SINGLE:
            out.append(SINGLE[f.path])
        else:
            section = f.path.split(".", 1)[0]
            out.append(SECTIONS.get(section, section.replace("_", " ").capitalize()))
    return out


def _problem(fs: Sequence[Factor]) -> dict[str, Any]:
    return {
        "num_vars": len(fs),
        "names": [f.path for f in fs],
        "bounds": [[f.low, f.high] for f in fs],
        "groups": screen_groups(fs),
    }


def morris_screen_points(
    fs: Sequence[Factor], trajectories: int, seed: int, levels: int = 4
) -> tuple[np.ndarray, list[dict[str, Any]]]:
    """Morris design points (SALib, grouped): the sample and its overrides, one dict a point."""
    from SALib.sample import morris as morris_s

    X = morris_s.sample(_problem(fs), trajectories, num_levels=levels, seed=seed)
    return X, [{f.path: value(x, f.kind) for f, x in zip(fs, row)} for row in X]


def morris_effects(
    fs: Sequence[Factor], X: np.ndarray, y: np.ndarray, seed: int, levels: int = 4
) -> list[dict[str, Any]]:
    """mu* (mean absolute elementary effect) and sigma per group, largest first.

    SALib scales each elementary effect to the whole range (the change in ``y`` over a step of
    2/3 of the range with ``levels`` = 4, divided by 2/3), so mu* reads in ``y``'s unit as "about
    how much y moves when the group goes from the low to the high end of its plausible range".
    NaN outputs are replaced by the mean so one failed point does not drop the screen.
    """
    from SALib.analyze import morris as morris_a

    y = np.asarray(y, dtype=float)
    y = np.where(np.isfinite(y), y, np.nanmean(y) if np.isfinite(y).any() else 0.0)
    problem = _problem(fs)
    res = morris_a.analyze(problem, X, y, num_levels=levels, seed=seed)
    groups = screen_groups(fs)
    sizes = {g: groups.count(g) for g in groups}
    rows = [
        {"group": str(g), "mu_star": float(m), "sigma": float(s), "parameters": sizes[str(g)]}
        for g, m, s in zip(res["names"], res["mu_star"], res["sigma"])
    ]
    return sorted(rows, key=lambda r: -r["mu_star"])


__all__ = [
    "Draw",
    "ROLE_SALARIES",
    "calibrated_draw",
    "Factor",
    "design_keys",
    "factors",
    "morris_effects",
    "morris_screen_points",
    "pay_keys_not_drawn",
    "prior_draw",
    "replicate_draws",
    "screen_groups",
    "uncertain_factors",
]
