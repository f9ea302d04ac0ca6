"""Scenario schema: a declarative description of one organisation, validated on load.

One pydantic model per section (organisation, customers, culture, crm, change programme, people,
economics). Every numeric field carries its accepted range and a plain-language label and help line
in its metadata; the CLI's ``--set``, sweep factors and the app's sliders all read them from
:func:`field_specs`, so there is one source of truth for what a parameter means and may be.
"""

from __future__ import annotations

import difflib
import math
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_origin

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from sim.errors import InputError
from sim.textfile import NotText, decode_utf8

SCENARIO_DIR = Path(__file__).resolve().parent.parent / "scenarios"

STRUCTURES = ("hierarchical", "functional_silos", "matrix", "self_organised")
KOTTER_STEPS = (
    "urgency",
    "coalition",
    "vision",
    "communication",
    "remove_obstacles",
    "quick_wins",
    "consolidate",
    "anchor",
)


class ScenarioError(InputError):
    """A scenario (file or override) is invalid; the message names the file and the field."""


def _f(default: Any, lo: float | None, hi: float | None, label: str, help: str, **kw: Any) -> Any:
    """A field with its range, label and one-line help (read by CLI, sweeps and UI)."""
    return Field(
        default,
        ge=lo,
        le=hi,
        description=help,
        json_schema_extra={"label": label},
        **kw,
    )


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, strict=True)


class RoleMix(_Section):
    sales: float = _f(0.40, 0.0, 1.0, "Sales share", "Share of front-line staff in sales.")
    service: float = _f(0.45, 0.0, 1.0, "Service share", "Share of front-line staff in service.")
    marketing: float = _f(
        0.15, 0.0, 1.0, "Marketing share", "Share of front-line staff in marketing."
    )

    @model_validator(mode="after")
    def _sums_to_one(self) -> RoleMix:
        total = self.sales + self.service + self.marketing
        if not math.isclose(total, 1.0, abs_tol=1e-6):
            raise ValueError(f"sales + service + marketing must sum to 1 (got {total:.4g})")
        if self.sales == 0 or self.service == 0:
            raise ValueError("an organisation needs both sales and service staff")
        return self


class Organisation(_Section):
    structure: Literal[
        "hierarchical", "functional_silos", "matrix", "self_organised", "org_chart"
    ] = Field(
        "hierarchical",
        description="How people are organised: a depth x span hierarchy, functional silos, a "
        "matrix with two reporting lines, self-organised cross-functional circles, or an "
        "imported org chart (org_chart).",
        json_schema_extra={"label": "Structure"},
    )
    org_chart: str | None = Field(
        None,
        description="With structure = 'org_chart': the org-chart CSV (id, manager_id, role, unit), "
        "relative to the scenario file; stored resolved. employees, span_of_control and role_mix "
        "are then ignored (sim/structures/org_chart.py).",
        json_schema_extra={"label": "Org chart file"},
    )
    employees: int = _f(300, 10, 2_000_000, "Employees", "Number of people, managers included.")
    span_of_control: int = _f(8, 2, 50, "Span of control", "Direct reports per manager.")
    role_mix: RoleMix = RoleMix()
    manager_capacity: float = _f(
        12.0, 0.5, 1000.0, "Manager capacity", "Escalated decisions a manager clears per week."
    )
    hop_days: float = _f(
        1.0, 0.0, 30.0, "Days per escalation hop", "Hand-over time added by each escalation hop."
    )


class Customers(_Section):
    count: int = _f(3000, 10, 20_000_000, "Customers", "Customers at the start.")
    annual_value: float = _f(
        20000.0, 0.0, 1e9, "Annual value", "Mean yearly revenue per customer (currency units)."
    )
    value_dispersion: float = _f(
        0.8, 0.0, 3.0, "Value dispersion", "Log-normal sigma of customer value (big vs small)."
    )
    issue_rate: float = _f(
        0.06, 0.0, 1.0, "Issue rate", "Chance per week that a customer raises a service issue."
    )
    base_churn_annual: float = _f(
        0.06, 0.0, 0.9, "Base churn", "Yearly churn of a fully satisfied customer (moves, M&A)."
    )
    dissatisfied_churn_annual: float = _f(
        3.0,
        0.0,
        20.0,
        "Dissatisfied churn hazard",
        "Extra yearly churn hazard of a customer at the bottom of the satisfaction scale.",
    )
    complaint_propensity: float = _f(
        0.012,
        0.0,
        1.0,
        "Complaint propensity",
        "Chance per week that an unhappy customer complains (about 1 in 26 ever do).",
    )
    acquisition_rate: float = _f(
        0.05,
        0.0,
        50.0,
        "Acquisition rate",
        "New customers won per sales person per week at full acquisition effort.",
    )
    upsell_rate: float = _f(
        0.10, 0.0, 1.0, "Upsell rate", "Share of accounts a sales person contacts each week."
    )
    upsell_value: float = _f(
        0.10, 0.0, 5.0, "Upsell size", "One upsell adds this share of the customer's value."
    )
    file: str | None = Field(
        None,
        description="Optional customer CSV (id, segment, annual_value, owner_id; owners are sales "
        "ids of the org chart), relative to the scenario file; sets count, owners and values.",
        json_schema_extra={"label": "Customer file"},
    )


class Culture(_Section):
    psychological_safety: float = _f(
        0.3,
        0.0,
        1.0,
        "Psychological safety",
        "How safe people feel to report problems and mistakes without blame.",
    )
    decision_rights: float = _f(
        0.2,
        0.0,
        1.0,
        "Decision rights at the edge",
        "0: every decision goes to the top; 1: front-line staff decide for the customer.",
    )
    information_sharing: float = _f(
        0.3,
        0.0,
        1.0,
        "Information sharing",
        "How freely units tell each other about customers (permeability of silos).",
    )
    executive_commitment: float = _f(
        0.2,
        0.0,
        1.0,
        "Executive commitment",
        "Leaders make hard decisions (structure, rights, incentives, staff), not just speeches.",
    )
    executive_support: float = _f(
        0.5, 0.0, 1.0, "Executive support", "Leaders speak up for the CRM (words, not decisions)."
    )
    incentive_alignment: float = _f(
        0.2,
        0.0,
        1.0,
        "Incentive alignment",
        "0: bonuses for new deals only; 1: rewards for the whole customer lifecycle.",
    )
    responsiveness: float = _f(
        0.3,
        0.0,
        1.0,
        "Responsiveness",
        "How fast reported problems get fixed (learning cycles, feedback loops).",
    )
    customer_orientation: float = _f(
        0.4,
        0.0,
        1.0,
        "Customer orientation",
        "Average trait of staff: putting the customer's outcome first.",
    )
    socialisation: float = _f(
        0.3,
        0.0,
        1.0,
        "Culture strength",
        "How fast people (newcomers most) take on their team's and leaders' ways.",
    )
    market_turbulence: float = _f(
        0.003,
        0.0,
        0.2,
        "Market turbulence",
        "Weekly chance that any one customer-handling practice stops working (March's p4).",
    )
    supportive_leadership: float = _f(
        0.3,
        0.0,
        1.0,
        "Supportive leadership",
        "Share of managers who coach and role-model rather than direct.",
    )


class Crm(_Section):
    enabled: bool = Field(True, description="Whether a CRM is rolled out at all.")
    go_live_week: int = _f(4, 0, 1000, "Go-live week", "Week the CRM goes live.")
    tool_quality: float = _f(
        0.7, 0.0, 1.0, "Tool quality", "How good and usable the software itself is."
    )
    training: float = _f(
        0.4, 0.0, 1.0, "Training", "Depth of user training at go-live and for newcomers."
    )
    reinforcement_weeks: int = _f(
        12,
        0,
        1000,
        "Reinforcement after go-live",
        "Weeks of coaching and follow-up after go-live before the project team leaves.",
    )
    data_use: float = _f(
        0.3,
        0.0,
        1.0,
        "Data actually used",
        "Share of CRM data that feeds decisions (the rest is dead-end busywork).",
    )
    innovation: float = _f(
        0.02,
        0.0,
        1.0,
        "Own initiative (Bass p)",
        "Weekly chance a person starts using the CRM on their own, at full intention.",
    )
    imitation: float = _f(
        0.25,
        0.0,
        5.0,
        "Peer influence (Bass q)",
        "Weekly pull towards using the CRM when all of one's contacts use it.",
    )
    threshold_mean: float = _f(
        0.55,
        0.0,
        2.0,
        "Adoption threshold",
        "Mean share of contacts who must use the CRM before a person follows (Granovetter).",
    )
    threshold_sd: float = _f(0.2, 0.0, 1.0, "Threshold spread", "Spread of personal thresholds.")
    habit_decay: float = _f(
        0.04,
        0.0,
        1.0,
        "Usage decay",
        "Weekly pull of usage back towards intention once reinforcement stops.",
    )
    licence_cost_per_user_week: float = _f(
        15.0, 0.0, 1e6, "Licence cost", "CRM cost per front-line seat per week."
    )
    implementation_cost: float = _f(
        300_000.0, 0.0, 1e12, "Implementation cost", "One-off cost of the rollout at go-live."
    )


class ProgrammeStep(_Section):
    step: Literal[
        "urgency",
        "coalition",
        "vision",
        "communication",
        "remove_obstacles",
        "quick_wins",
        "consolidate",
        "anchor",
    ] = Field(description="One of Kotter's eight steps.")
    week: int = _f(0, 0, 10_000, "Week", "Week the step fires.")


class ChangeProgramme(_Section):
    steps: list[ProgrammeStep] = Field(
        [], description="Kotter's eight steps as scheduled interventions (any subset, any order)."
    )
    intensity: float = _f(
        0.7, 0.0, 1.0, "Programme intensity", "How well each step is carried out."
    )
    cost_per_step: float = _f(
        40_000.0, 0.0, 1e12, "Cost per step", "Consulting and staff time per programme step."
    )
    champion_share: float = _f(
        0.08, 0.0, 1.0, "Champions", "Share of staff recruited to the guiding coalition."
    )


class RemoveLayer(_Section):
    """Remove a management layer; its reports move to the layer above (sim/structures/transform)."""

    kind: Literal["remove_layer"]
    level: int | None = Field(None, ge=1, le=1000, description="Hops below the top (>= 1).")
    title: str | None = Field(None, min_length=1, description="Role text in the chart.")
    units: list[str] = Field([], description="Only in these units (default: all).")

    @model_validator(mode="after")
    def _level_or_title(self) -> RemoveLayer:
        if self.level is None and self.title is None:
            raise ValueError("remove_layer needs a level (>= 1) or a title")
        return self


class MergeUnits(_Section):
    """Merge units into cross-functional pods led by their team leads."""

    kind: Literal["merge_units"]
    units: list[str] = Field(min_length=2, description="Units to merge.")
    into: str = Field(min_length=1, max_length=200, description="Name of the merged unit.")


class DecisionRights(_Section):
    """Set the base decision authority of named roles (per position)."""

    kind: Literal["decision_rights"]
    roles: list[Literal["executive", "manager", "sales", "service", "marketing"]] = Field(
        min_length=1, description="Model roles whose authority changes."
    )
    authority: float = _f(
        0.5, 0.0, 1.0, "Authority", "Largest issue severity these roles may decide alone."
    )
    units: list[str] = Field([], description="Only in these units (default: all).")


class IncentivesChange(_Section):
    """Change bonus rules: sets culture.incentive_alignment."""

    kind: Literal["incentives"]
    incentive_alignment: float = _f(
        0.5, 0.0, 1.0, "Incentive alignment", "0: new deals only; 1: the whole lifecycle."
    )


class ChangeProgrammeChange(_Section):
    """Run a change programme: sets the change_programme section."""

    kind: Literal["change_programme"]
    steps: list[ProgrammeStep] = Field(min_length=1, description="Kotter steps and weeks.")
    intensity: float | None = Field(None, ge=0.0, le=1.0, description="Programme intensity.")
    cost_per_step: float | None = Field(None, ge=0.0, le=1e12, description="Cost per step.")
    champion_share: float | None = Field(None, ge=0.0, le=1.0, description="Champion share.")


Transformation = Annotated[
    RemoveLayer | MergeUnits | DecisionRights | IncentivesChange | ChangeProgrammeChange,
    Field(discriminator="kind"),
]
#: Transformations that change the org chart (the others set scenario fields on load).
STRUCTURAL_TRANSFORMATIONS = ("remove_layer", "merge_units", "decision_rights")


class People(_Section):
    base_quit_annual: float = _f(
        0.28,
        0.0,
        3.0,
        "Base turnover",
        "Yearly quit rate of front-line staff at middling morale.",
    )
    hiring_delay_weeks: int = _f(6, 0, 104, "Hiring delay", "Weeks a vacancy stays open.")
    newcomer_skill: float = _f(
        0.3, 0.0, 1.0, "Newcomer skill", "Skill of a new hire relative to a seasoned one."
    )
    learning_weeks: float = _f(
        20.0, 1.0, 520.0, "Learning time", "Weeks for a newcomer to close most of the skill gap."
    )
    workload_norm: float = _f(
        1.0,
        0.2,
        5.0,
        "Workload norm",
        "Workload one person carries without strain (1 = the staffing plan).",
    )
    salary_annual: float = _f(
        55_000.0, 0.0, 1e9, "Salary", "Yearly cost per employee (managers cost 1.6x)."
    )
    hiring_cost: float = _f(8_000.0, 0.0, 1e9, "Hiring cost", "Cost to recruit one person.")
    training_cost: float = _f(
        3_000.0, 0.0, 1e9, "Newcomer training cost", "Cost to train one new hire."
    )


class Economics(_Section):
    gross_margin: float = _f(
        0.6, 0.0, 1.0, "Gross margin", "Share of revenue left after the cost of goods."
    )


class Scenario(_Section):
    """A whole scenario; fields read as attributes (``scenario.culture.responsiveness``)."""

    name: str = Field("unnamed", min_length=1, max_length=200)
    description: str = Field("", max_length=5000)
    horizon_weeks: int = _f(104, 1, 5200, "Horizon", "Weeks to simulate.")
    organisation: Organisation = Organisation()
    customers: Customers = Customers()
    culture: Culture = Culture()
    crm: Crm = Crm()
    change_programme: ChangeProgramme = ChangeProgramme()
    people: People = People()
    economics: Economics = Economics()
    transformations: list[Transformation] = Field(
        [],
        description="Proposed-design changes applied in order (remove_layer, merge_units, "
        "decision_rights, incentives, change_programme); see README 'Testing an org design'.",
    )

    @model_validator(mode="after")
    def _org_chart_inputs(self) -> Scenario:
        org = self.organisation
        if org.structure == "org_chart" and not org.org_chart:
            raise ValueError(
                "organisation.org_chart: required when structure = 'org_chart' (the CSV's path)"
            )
        if org.org_chart and org.structure != "org_chart":
            raise ValueError(
                f"organisation.org_chart is set but structure is {org.structure!r}; "
                "set structure = 'org_chart' to use it"
            )
        if self.customers.file and org.structure != "org_chart":
            raise ValueError("customers.file needs structure = 'org_chart' (owners are chart ids)")
        kinds = [t.kind for t in self.transformations if t.kind in STRUCTURAL_TRANSFORMATIONS]
        if kinds and org.structure != "org_chart":
            raise ValueError(
                f"transformations {', '.join(kinds)} change an imported org chart; "
                "set structure = 'org_chart'"
            )
        return self

    @field_validator("name")
    @classmethod
    def _no_blank_name(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("name must not be blank")
        return v

    # The tables read from the files this scenario names (``sim.design.ResolvedInputs``: the org
    # chart after its structural transformations, the customer book), attached by
    # ``sim.load_scenario`` so that building a model never opens a file. Private, so it is not
    # part of model_dump / to_toml_dict (results record the files' paths, reports their hashes);
    # pydantic keeps it through model_copy and pickling, with_overrides carries it below.
    _inputs: Any = PrivateAttr(None)

    @property
    def inputs(self) -> Any:
        """The resolved input tables (a ``sim.design.ResolvedInputs``), or None if not loaded."""
        return self._inputs

    def with_inputs(self, inputs: Any) -> Scenario:
        """A copy of this scenario carrying ``inputs`` (see :attr:`inputs`)."""
        out = self.model_copy()
        out._inputs = inputs
        return out

    def _input_key(self) -> tuple[Any, ...]:
        """The fields the input tables are read and transformed from."""
        org = self.organisation
        structural = tuple(t for t in self.transformations if t.kind in STRUCTURAL_TRANSFORMATIONS)
        return org.structure, org.org_chart, self.customers.file, structural

    def with_overrides(self, overrides: dict[str, Any], source: str = "override") -> Scenario:
        """Return a validated copy with dotted keys replaced (``{"culture.responsiveness": 0.8}``).

        The copy keeps the resolved input tables unless an override changes what they were read
        from (the org chart, the customer file or a structural transformation).

        Args:
            overrides: dotted key -> value.
            source: what the messages start with (``"--set"`` on the command line).

        Raises:
            ScenarioError: naming the key when it is unknown or its value is out of range.
        """
        data = self.model_dump()
        for key, value in overrides.items():
            _set_dotted(data, key, value, source)
        out = _validate(data, source=source)
        if self._inputs is not None and out._input_key() == self._input_key():
            out._inputs = self._inputs
        return out

    def counterfactual(self) -> Scenario:
        """The same organisation with no CRM and no change programme (the business case's base)."""
        return self.with_overrides({"crm.enabled": False, "change_programme.steps": []})

    def to_toml_dict(self) -> dict[str, Any]:
        """Plain data, for recording a scenario beside results."""
        return self.model_dump(mode="json")


def _set_dotted(data: dict[str, Any], key: str, value: Any, source: str = "override") -> None:
    parts = key.split(".")
    node: Any = data
    for i, part in enumerate(parts):
        where = ".".join(parts[: i + 1])
        if not isinstance(node, dict):
            parent = ".".join(parts[:i])
            raise ScenarioError(f"{source} {key!r}: {parent!r} is a value, not a section")
        if part not in node:
            raise ScenarioError(
                f"{source} {key!r}: unknown field {where!r}{accepted_keys_hint(part, list(node))}"
            )
        if i == len(parts) - 1:
            if isinstance(node[part], dict) and not isinstance(value, dict):
                raise ScenarioError(
                    f"{source} {key!r}: {where!r} is a section; set one of its fields "
                    f"(accepted keys: {', '.join(node[part])})"
                )
            node[part] = value
        else:
            node = node[part]


def accepted_keys_hint(key: str, keys: list[str]) -> str:
    """'; did you mean x?; accepted keys: a, b, c' for an unknown key (at most 30 listed)."""
    close = difflib.get_close_matches(key, keys, n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]}?" if close else ""
    listed = ", ".join(keys[:30]) + (", ..." if len(keys) > 30 else "")
    return f"{hint}; accepted keys: {listed}"


#: The ``kind`` of each transformation, in the order of the :data:`Transformation` union.
TRANSFORMATION_KINDS = (
    "remove_layer",
    "merge_units",
    "decision_rights",
    "incentives",
    "change_programme",
)


def _models_in(ann: Any) -> list[type[BaseModel]]:
    """The pydantic models inside an annotation (``X``, ``list[X]``, ``X | None``, unions)."""
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return [ann]
    out: list[type[BaseModel]] = []
    for a in get_args(ann):
        out.extend(_models_in(a))
    return out


def _literal_values(ann: Any) -> tuple[Any, ...]:
    """The values of a ``Literal`` inside an annotation (``Literal``, ``list[Literal]``, ...)."""
    if get_origin(ann) is Literal:
        return get_args(ann)
    for a in get_args(ann):
        found = _literal_values(a)
        if found:
            return found
    return ()


def _field_at(loc: tuple[Any, ...]) -> tuple[Any, list[type[BaseModel]]]:
    """The field info at a pydantic error location and the models its value may be.

    List indices are skipped; a transformation's ``kind`` tag (which pydantic puts in the
    location of a discriminated union) selects that transformation's model.
    """
    models: list[type[BaseModel]] = [Scenario]
    info: Any = None
    for part in loc:
        if isinstance(part, int):
            continue
        hit = [m for m in models if part in m.model_fields]
        if hit:
            info = hit[0].model_fields[part]
            models = _models_in(info.annotation)
            continue
        tagged = [
            m
            for m in models
            if "kind" in m.model_fields
            and _literal_values(m.model_fields["kind"].annotation) == (part,)
        ]
        if not tagged:
            return None, []
        models = tagged
    return info, models


def field_bounds(info: Any) -> tuple[float | None, float | None]:
    """The ``ge`` and ``le`` bounds of a pydantic field (None where it has none)."""
    lo = hi = None
    for meta in info.metadata:
        lo = getattr(meta, "ge", lo)
        hi = getattr(meta, "le", hi)
    return lo, hi


def _describe_range(path: tuple[Any, ...]) -> str:
    """Accepted values of a field, read from the schema, for error messages."""
    info, _ = _field_at(path)
    if info is None:
        return ""
    lo, hi = field_bounds(info)
    if lo is not None or hi is not None:
        return f"accepted range [{lo}, {hi}]"
    values = _literal_values(info.annotation)
    if values and all(isinstance(a, str) for a in values):
        return "accepted values: " + ", ".join(values)
    return ""


#: At most this many problems are listed in one message (the rest are counted).
MAX_LISTED_ERRORS = 5


def short_repr(value: Any, limit: int = 80) -> str:
    """``repr(value)``, cut to ``limit`` characters (a message stays one readable line)."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _error_text(e: Any) -> str:
    """One pydantic error as ``dotted.path: what is wrong (got ...); what is accepted``."""
    loc = tuple(e["loc"])
    path = ".".join(str(p) for p in loc)
    kind = e["type"]
    got = "input" in e and kind != "missing" and not isinstance(e["input"], dict)
    if kind == "extra_forbidden":
        _, parents = _field_at(loc[:-1])
        keys = list(parents[0].model_fields) if parents else []
        return f"{path}: unknown key" + (accepted_keys_hint(str(loc[-1]), keys) if keys else "")
    if kind == "model_type":
        section = ".".join(str(p) for p in loc if not isinstance(p, int))
        got_text = short_repr(e["input"])
        return f"{path}: expected a table ([{section}] with key = value lines) (got {got_text})"
    if kind == "list_type" and _field_at(loc)[1]:
        return f"{path}: expected a list of tables ([[{path}]] blocks or [{{...}}, ...])" + (
            f" (got {short_repr(e['input'])})" if got else ""
        )
    if kind == "union_tag_not_found":
        return f"{path}: missing kind; accepted kinds: {', '.join(TRANSFORMATION_KINDS)}"
    msg = e["msg"].removeprefix("Value error, ")
    if got:
        msg += f" (got {short_repr(e['input'])})"
    if not path:  # a check across sections: its message names the fields
        return msg
    rng = _describe_range(loc)
    return f"{path}: {msg}" + (f"; {rng}" if rng else "")


def _format_errors(err: ValidationError, source: str) -> str:
    """All problems of one validation on one line, prefixed by the file (or 'override')."""
    items = [_error_text(e) for e in err.errors()]
    more = len(items) - MAX_LISTED_ERRORS
    shown = "; ".join(items[:MAX_LISTED_ERRORS])
    return f"{source}: {shown}" + (
        f"; and {more} more problem{'s' * (more > 1)}" if more > 0 else ""
    )


def _validate(data: dict[str, Any], source: str) -> Scenario:
    try:
        return Scenario.model_validate(data)
    except ValidationError as err:
        raise ScenarioError(_format_errors(err, source)) from None


def preset_names() -> list[str]:
    """Names of the built-in presets under ``scenarios/``."""
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.toml"))


def resolve_scenario_path(name_or_path: str | Path) -> Path:
    """A preset name or a file path -> an existing file path, or ScenarioError."""
    p = Path(name_or_path)
    if p.suffix == ".toml" or p.exists():
        if p.is_dir():
            raise ScenarioError(f"{p}: is a folder; expected a scenario TOML file or a preset name")
        if not p.is_file():
            raise ScenarioError(f"{p}: no such scenario file")
        return p
    preset = SCENARIO_DIR / f"{name_or_path}.toml"
    if preset.is_file():
        return preset
    raise ScenarioError(
        f"{name_or_path}: not a scenario file or preset; presets: {', '.join(preset_names())}"
    )


def read_toml(path: Path) -> dict[str, Any]:
    """Read a scenario file's TOML (UTF-8, at most 5 MB) without validating it.

    Raises:
        ScenarioError: for a missing, unreadable, too large, empty, binary, non-UTF-8 or
            malformed file.
    """
    return read_toml_file(path, "scenario", ScenarioError)[2]


#: Largest scenario, design or experiment file read (bytes). Real ones are a few kilobytes;
#: the limit keeps a wrong file (a log, a data dump) from being read into memory.
MAX_TOML_BYTES = 5_000_000

_TOML_EXAMPLES = {
    "scenario": "key = value lines and [sections] such as scenarios/command_and_control.toml",
    "experiment": "an experiment such as experiments/smoke.toml",
}


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def read_toml_file(
    path: Path, what: str = "scenario", error: type[InputError] = ScenarioError
) -> tuple[bytes, str, dict[str, Any]]:
    """Read, check and parse a TOML input file: (bytes, text, data).

    The file must exist, be at most :data:`MAX_TOML_BYTES`, be UTF-8 text (a byte-order mark is
    allowed) without NUL bytes, be valid TOML and hold at least one setting. Every message names
    the file, the line where there is one, and what was expected.

    Raises:
        InputError: of class ``error``, for a missing, unreadable, too large, empty, binary,
            non-UTF-8 or malformed file.
    """
    path = Path(path)
    example = _TOML_EXAMPLES.get(what, "TOML")
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise error(f"{path}: is a folder; expected a {what} TOML file")
        if size > MAX_TOML_BYTES:
            raise error(
                f"{path}: file is {size} bytes; {_article(what)} {what} file is at most 5 MB "
                f"({MAX_TOML_BYTES} bytes): is this the right file?"
            )
        raw = path.read_bytes()
    except FileNotFoundError:
        raise error(f"{path}: no such {what} file") from None
    except OSError as e:
        raise error(f"{path}: cannot read ({e.strerror})") from None
    try:
        text = decode_utf8(raw)
    except NotText as e:
        if e.kind == "utf16":
            raise error(f"{path}: the file is UTF-16 text, not UTF-8: save it as UTF-8") from None
        if e.kind == "byte":
            raise error(
                f"{path}: line {e.line}: byte 0x{e.byte:02x} is not UTF-8 text (a binary file, "
                "or another encoding such as Latin-1?); expected UTF-8: save it as UTF-8"
            ) from None
        raise error(
            f"{path}: line {e.line}: contains NUL bytes (a binary file?); expected UTF-8 TOML text"
        ) from None
    if not text.strip():
        raise error(f"{path}: the file is empty; expected {example}")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        where = f"end of document, line {len(text.splitlines())}"
        msg = str(e).replace("(at end of document)", f"(at {where}: something is not closed)")
        raise error(f"{path}: TOML syntax error: {msg}") from None
    if not data:
        raise error(f"{path}: no settings (only comments); expected {example}")
    return raw, text, data


@dataclass(frozen=True)
class FieldSpec:
    """What one numeric or boolean scenario field is and may be."""

    path: str
    kind: str
    default: Any
    lo: float | None
    hi: float | None
    label: str
    help: str


def field_specs(model: type[BaseModel] = Scenario, prefix: str = "") -> list[FieldSpec]:
    """Every scalar field of the schema with its dotted path, range, label and help."""
    out: list[FieldSpec] = []
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        ann = info.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            out.extend(field_specs(ann, prefix=path + "."))
            continue
        if ann not in (int, float, bool):
            continue
        lo = hi = None
        for meta in info.metadata:
            lo = getattr(meta, "ge", lo)
            hi = getattr(meta, "le", hi)
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        out.append(
            FieldSpec(
                path=path,
                kind=ann.__name__,
                default=info.default,
                lo=lo,
                hi=hi,
                label=str(extra.get("label", name)),
                help=info.description or "",
            )
        )
    return out


def parse_override(text: str) -> tuple[str, Any]:
    """Parse a CLI ``key=value`` override; the value is read as a TOML value, else as a string."""
    if "=" not in text:
        raise ScenarioError(f"--set {text!r}: expected key=value, e.g. culture.responsiveness=0.8")
    key, _, raw = text.partition("=")
    key, raw = key.strip(), raw.strip()
    if not key:
        raise ScenarioError(f"--set {text!r}: missing key before '='")
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw
    return key, value
