"""Changes during a run: which scenario fields may change mid-run, and how a change is checked.

One function, :func:`plan_change`, turns a set of dotted changes into the scenario in force from
a given week, with the same validation (and the same messages) as
:meth:`sim.scenario.Scenario.with_overrides`. ``OrgModel.intervene`` applies its result between
two weeks, and a scenario's ``[[interventions]]`` are checked with it when the file is loaded, so
a scenario that loads never fails mid-run.

Rules (docs/ODD.md, "Changes during a run"):

* Fields that shape the structure or the initial population (:data:`FIXED`) cannot change.
* ``horizon_weeks`` may not end before the week of the change.
* ``crm.go_live_week`` / ``crm.enabled``: before the CRM has gone live, a go-live week in the
  past becomes the week of the change (the CRM goes live at once, with its cost and its
  reinforcement); once it has gone live, ``go_live_week`` cannot change. Switching the CRM off
  after go-live stops its use; switching it back on resumes it without a second go-live.
* ``change_programme.steps``: the new list is the schedule from the week of the change. Steps
  dated before it never fire: those already carried out are not repeated, and a new step dated
  in the past is refused (date it at or after the week of the change).
* ``crm.implementation_cost`` and ``crm.reinforcement_weeks`` (:data:`AT_GO_LIVE`) are read in
  the go-live week only: after go-live a change is refused.
* Fields that describe the starting state (:data:`STARTING`: read only to build the initial
  population, book and stocks or to run the burn-in) are refused with their own message.
* Fields that set per-person or per-account values drawn at build (:data:`RESCALED`) change
  those values on intervene, by transforming the draws already made (:func:`rescale_draws`, no
  new random numbers); a spread that was 0 cannot be widened (nothing to rescale) and is refused.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from sim.scenario import Scenario
    from sim.state import State

#: Fields (and sections) that cannot change during a run: they shape the structure, the initial
#: population or the record of the run itself.
FIXED = (
    "name",
    "description",
    "organisation.structure",
    "organisation.org_chart",
    "organisation.org_chart_map",
    "organisation.employees",
    "organisation.span_of_control",
    "organisation.role_mix",
    "customers.count",
    "customers.file",
    "transformations",
    "interventions",
    "run",  # the run's default seed: fixed once the run has started
    "design",
    "economics.currency",  # a label of every amount: a run is in one currency
    "calibration",  # the posterior draw is made once, at the build (docs/ODD.md 8.K)
)

#: Fields read only to build the starting state (or to run the burn-in): a change during a run
#: would have no meaning, so it is refused (docs/ODD.md, "Changes during a run" and 8.I).
STARTING = (
    "burn_in_weeks",
    "burn_in_balance_weeks",
    "balance_acquisition",
    "customers.initial_satisfaction_a",
    "customers.initial_satisfaction_b",
    "customers.initial_record_mean",
    "customers.initial_record_sd",
    "customers.local_handler_share",
    "people.skill_beta_a",
    "people.skill_beta_b",
    "people.initial_morale_mean",
    "people.initial_morale_sd",
    "people.initial_safety_sd",
    "people.initial_orientation_sd",
    "people.tenure_min_weeks",
    "people.tenure_span_weeks",
    "learning.problems_base",
    "learning.problems_tool_gap",
    "learning.initial_voice_efficacy",
    "learning.playbook_dimensions",
    "learning.initial_code_knowledge",
    "learning.initial_blank_share",
    "learning.initial_socialised",
    "learning.playbook_rest_weeks",
    "learning.playbook_rest_cohort",
)

#: Fields read once, in the week the CRM goes live: after go-live a change has no meaning.
AT_GO_LIVE = {
    "crm.implementation_cost": "its implementation cost was booked then",
    "crm.reinforcement_weeks": "its reinforcement period was set then (a consolidate step "
    "extends it)",
}

#: Spreads whose draws :func:`rescale_draws` transforms: field -> what is drawn with it.
RESCALED = {
    "crm.threshold_mean": "the positions' adoption thresholds",
    "crm.threshold_sd": "the positions' adoption thresholds",
    "adoption.affinity_sd": "the positions' affinities",
    "customers.annual_value": "the values of customers not yet acquired",
    "customers.value_dispersion": "the values of customers not yet acquired",
    "customers.expectation_sd": "the expectations of customers not yet acquired",
}

#: Culture dials copied into ``state.levers`` at build: an intervention moves the lever.
LEVER_OF = {
    "culture.decision_rights": "decision_rights",
    "culture.information_sharing": "information_sharing",
    "culture.incentive_alignment": "incentive_alignment",
    "culture.responsiveness": "responsiveness",
    "culture.executive_commitment": "executive_commitment",
    "culture.executive_support": "executive_support",
    "culture.psychological_safety": "psychological_safety",
    "culture.customer_orientation": "orientation_norm",
    "culture.socialisation": "socialisation",
    # the share in force re-sorts the managers in post by their kept style uniform
    # (``sim.processes.programme.sort_styles``; no new random numbers)
    "culture.supportive_leadership": "supportive_leadership",
}

#: Sections of the CRM programme itself: the no-change twin does not receive these.
PROGRAMME_SECTIONS = ("crm", "change_programme")


def flatten(changes: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Dotted keys for nested tables (``{"culture": {"x": 1}}`` -> ``{"culture.x": 1}``).

    A nested table would otherwise replace a whole section, silently resetting its other fields
    to their defaults (TOML reads ``set = { culture.x = 1 }`` as a nested table).
    """
    out: dict[str, Any] = {}
    for key, value in changes.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            out.update(flatten(value, prefix=path + "."))
        else:
            out[path] = value
    return out


def is_programme_key(key: str) -> bool:
    """The key belongs to the CRM or the change programme (kept out of the twin)."""
    return key.split(".", 1)[0] in PROGRAMME_SECTIONS


def _value_at(data: dict[str, Any], key: str) -> Any:
    node: Any = data
    for part in key.split("."):
        node = node[part]
    return node


def plan_change(
    in_force: Scenario,
    changes: dict[str, Any],
    week: int,
    live_since: int | None,
    source: str = "intervene",
) -> tuple[Scenario, list[tuple[int, str, Any, Any]]]:
    """The scenario in force from ``week`` after ``changes``, and one record per changed field.

    Args:
        in_force: The scenario in force before the change.
        changes: Dotted key -> value (nested tables are flattened, see :func:`flatten`).
        week: The week the change takes effect (the model's ``state.week`` when applied).
        live_since: The week the CRM went live in this run, None if it has not.
        source: What error messages start with.

    Returns:
        The new scenario (carrying ``in_force``'s interventions and input tables) and the
        ``(week, field, old, new)`` records, including a go-live week moved to ``week``.

    Raises:
        ScenarioError: naming the field, for an unknown key, a bad value, a field that cannot
            change during a run, a horizon before ``week``, a go-live change after go-live or a
            new programme step dated before ``week``.
    """
    from sim.scenario import ScenarioError

    flat = flatten(changes)
    for key in flat:
        if key in FIXED or any(key.startswith(f + ".") for f in FIXED):
            raise ScenarioError(f"{source} {key!r}: this field cannot change during a run")
        if key in STARTING:
            raise ScenarioError(
                f"{source} {key!r}: this field describes the starting state (read only when the "
                "model is built); it cannot change during a run"
            )
    # the scheduled changes are fixed: leaving them out keeps validation from recursing
    unplanned = in_force.design.model_copy(update={"set": {}})
    base = in_force.model_copy(update={"interventions": [], "design": unplanned})
    new = base.with_overrides(flat, source=source)
    old_data, new_data = in_force.model_dump(), new.model_dump()
    if new.horizon_weeks < week:
        raise ScenarioError(
            f"{source} 'horizon_weeks': {new.horizon_weeks} ends before week {week}, "
            "the week of the change"
        )
    for key, old_sd, new_sd in (
        ("crm.threshold_sd", in_force.crm.threshold_sd, new.crm.threshold_sd),
        ("adoption.affinity_sd", in_force.adoption.affinity_sd, new.adoption.affinity_sd),
        ("customers.value_dispersion", in_force.customers.value_dispersion,
         new.customers.value_dispersion),
        ("customers.expectation_sd", in_force.customers.expectation_sd,
         new.customers.expectation_sd),
        ("customers.annual_value", in_force.customers.annual_value, new.customers.annual_value),
    ):  # fmt: skip
        if old_sd == 0 and new_sd != 0:
            raise ScenarioError(
                f"{source} {key!r}: it was 0, so {RESCALED[key]} cannot be rescaled from their "
                "draws during a run; set it above 0 in the scenario instead"
            )
    for key, what in AT_GO_LIVE.items():
        if live_since is not None and _value_at(new_data, key) != _value_at(old_data, key):
            raise ScenarioError(
                f"{source} {key!r}: the CRM went live in week {live_since}; {what}, so it "
                "cannot change after go-live"
            )
    extra: dict[str, Any] = {}
    if new.crm.go_live_week != in_force.crm.go_live_week and live_since is not None:
        raise ScenarioError(
            f"{source} 'crm.go_live_week': the CRM went live in week {live_since}; "
            "its go-live week cannot change after go-live"
        )
    if new.crm.enabled and live_since is None and new.crm.go_live_week < week:
        # a go-live in the past would never fire (it fires in its week): go live now instead
        extra["crm.go_live_week"] = week
    old_steps = [(s.step, s.week) for s in in_force.change_programme.steps]
    for i, s in enumerate(new.change_programme.steps):
        if s.week < week and (s.step, s.week) not in old_steps:
            raise ScenarioError(
                f"{source} 'change_programme.steps': step {i} ({s.step}, week {s.week}) is "
                f"dated before week {week}, the week of the change; a step never fires in the past"
            )
    if extra:
        new = new.with_overrides(extra, source=source)
        new_data = new.model_dump()
    records = [
        (week, key, _value_at(old_data, key), _value_at(new_data, key))
        for key in [*flat, *(k for k in extra if k not in flat)]
    ]
    out = new.model_copy(
        update={"interventions": in_force.interventions, "design": in_force.design}
    )
    return out, records


def scheduled_changes(scenario: Scenario) -> list[tuple[int, dict[str, Any], str]]:
    """``(week, set, label)`` of every change the run makes, in the order it applies them.

    The design change (``design.set`` at ``design.change_week``, sim/design.py) comes first in
    its week, then the ``[[interventions]]`` in week order (file order within a week).
    """
    out: list[tuple[int, dict[str, Any], str]] = []
    if scenario.design.set:
        out.append((scenario.design.change_week, scenario.design.set, "design.set"))
    order = sorted(range(len(scenario.interventions)), key=lambda i: scenario.interventions[i].week)
    out.extend(
        (scenario.interventions[i].week, scenario.interventions[i].set, f"interventions[{i}].set")
        for i in order
    )
    return out


def rescale_draws(state: State, old: Scenario, new: Scenario) -> None:
    """Move the values drawn at build with ``old``'s :data:`RESCALED` fields to ``new``'s.

    The draws are kept and transformed, so the run uses no new random numbers (common random
    numbers): a normal draw ``m + sd * z`` becomes ``m' + sd' * z``, a log-normal value
    ``exp(mu + s * z)`` (``mu = log(mean) - s^2 / 2``, ``sim.state._lognormal_values``) becomes
    ``exp(mu' + s' * z)``. Thresholds and affinities change in every position (a person moves
    with the organisation; vacant positions too, until their newcomer arrives); values and
    expectations only of customer
    slots not yet acquired (customers already with us keep their contract and their demands).
    A spread of 0 is never widened (refused by :func:`plan_change`). Nothing changes unless one
    of the fields differs.
    """
    e, c = state.emp, state.cust
    oc, nc = old.crm, new.crm
    if (oc.threshold_mean, oc.threshold_sd) != (nc.threshold_mean, nc.threshold_sd):
        ratio = nc.threshold_sd / oc.threshold_sd if oc.threshold_sd > 0 else 0.0
        e.threshold = nc.threshold_mean + ratio * (e.threshold - oc.threshold_mean)
    oa, na = old.adoption.affinity_sd, new.adoption.affinity_sd
    if oa != na:
        e.affinity = e.affinity * (na / oa if oa > 0 else 0.0)
    ocu, ncu = old.customers, new.customers
    todo = ~c.exists  # slots not yet acquired
    if (ocu.annual_value, ocu.value_dispersion) != (ncu.annual_value, ncu.value_dispersion):
        if ncu.annual_value == 0 or ocu.annual_value == 0:
            c.value[todo] = 0.0
        else:
            s0, s1 = ocu.value_dispersion, ncu.value_dispersion
            mu0 = np.log(ocu.annual_value) - s0**2 / 2
            mu1 = np.log(ncu.annual_value) - s1**2 / 2
            ratio = s1 / s0 if s0 > 0 else 0.0
            c.value[todo] = np.exp(mu1 + ratio * (np.log(c.value[todo]) - mu0))
    oe, ne = ocu.expectation_sd, ncu.expectation_sd
    if oe != ne:
        c.expectation[todo] = c.expectation[todo] * (ne / oe if oe > 0 else 0.0)


def check_schedule(scenario: Scenario) -> None:
    """Check a scenario's design change and ``[[interventions]]`` as the run will apply them.

    The go-live week is followed across the schedule the way the model follows it, so a
    scenario that passes never fails during the run.

    Raises:
        ValueError: naming ``interventions[i].set.<key>`` or ``design.set.<key>`` (pydantic
            turns it into the ScenarioError of the load).
    """
    from sim.scenario import ScenarioError

    in_force = scenario.model_copy(update={"interventions": []})
    live_since: int | None = None
    prev = -scenario.burn_in_weeks  # a go-live before the start happened in the burn-in
    for week, changes, label in scheduled_changes(scenario):
        live_since = _went_live(in_force, prev, week, live_since)
        if week > scenario.horizon_weeks:
            raise ValueError(
                f"{label.removesuffix('.set')}.week: {week} is after horizon_weeks "
                f"{scenario.horizon_weeks}; accepted range [0, {scenario.horizon_weeks}]"
            )
        for key, value in flatten(changes).items():
            try:
                plan_change(in_force, {key: value}, week, live_since)
            except ScenarioError as e:
                detail = str(e).removeprefix("intervene ")
                if label == "design.set":
                    detail += f" (the proposed design changes from its base in week {week}, "
                    detail += "design.change_week)"
                raise ValueError(f"{label}.{key}: {detail}") from None
        in_force, _ = plan_change(in_force, changes, week, live_since)
        prev = week


def _went_live(in_force: Scenario, start: int, stop: int, live_since: int | None) -> int | None:
    """The go-live week after weeks ``start`` .. ``stop - 1`` ran under ``in_force``."""
    crm = in_force.crm
    if live_since is None and crm.enabled and start <= crm.go_live_week < stop:
        return crm.go_live_week
    return live_since


def without_programme_keys(interventions: Iterable[Any]) -> list[dict[str, Any]]:
    """The interventions as plain data, minus crm.* and change_programme.* keys (the twin's).

    An intervention left with nothing to set is dropped.
    """
    out = []
    for iv in interventions:
        kept = {k: v for k, v in flatten(iv.set).items() if not is_programme_key(k)}
        if kept:
            out.append({"week": iv.week, "set": kept})
    return out
