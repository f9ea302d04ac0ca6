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
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.scenario import Scenario

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
)

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
    # the scheduled interventions are fixed: leaving them out keeps validation from recursing
    base = in_force.model_copy(update={"interventions": []})
    new = base.with_overrides(flat, source=source)
    old_data, new_data = in_force.model_dump(), new.model_dump()
    if new.horizon_weeks < week:
        raise ScenarioError(
            f"{source} 'horizon_weeks': {new.horizon_weeks} ends before week {week}, "
            "the week of the change"
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
    out = new.model_copy(update={"interventions": in_force.interventions})
    return out, records


def check_schedule(scenario: Scenario) -> None:
    """Check a scenario's ``[[interventions]]`` as the run will apply them, in week order.

    The go-live week is followed across the schedule the way the model follows it, so a
    scenario that passes never fails during the run.

    Raises:
        ValueError: naming ``interventions[i].set.<key>`` (pydantic turns it into the
            ScenarioError of the load).
    """
    from sim.scenario import ScenarioError

    in_force = scenario.model_copy(update={"interventions": []})
    live_since: int | None = None
    order = sorted(range(len(scenario.interventions)), key=lambda i: scenario.interventions[i].week)
    prev = -scenario.burn_in_weeks  # a go-live before the start happened in the burn-in
    for i in order:
        iv = scenario.interventions[i]
        live_since = _went_live(in_force, prev, iv.week, live_since)
        if iv.week > scenario.horizon_weeks:
            raise ValueError(
                f"interventions[{i}].week: {iv.week} is after horizon_weeks "
                f"{scenario.horizon_weeks}; accepted range [0, {scenario.horizon_weeks}]"
            )
        for key, value in flatten(iv.set).items():
            try:
                plan_change(in_force, {key: value}, iv.week, live_since)
            except ScenarioError as e:
                detail = str(e).removeprefix("intervene ")
                raise ValueError(f"interventions[{i}].set.{key}: {detail}") from None
        in_force, _ = plan_change(in_force, iv.set, iv.week, live_since)
        prev = iv.week


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
