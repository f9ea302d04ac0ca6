"""Scenario schema: a declarative description of one organisation, validated on load.

One pydantic model per section (organisation, customers, culture, crm, change programme, people,
economics). Every numeric field is a parameter declared with :func:`sim.parameters.param`: its
accepted range, a plain-language label and help line, a unit and a source; the CLI's ``--set``,
sweep factors, the app's sliders and ``python run.py params`` all read them from
:func:`field_specs`, so there is one source of truth for what a parameter means and may be.
"""

from __future__ import annotations

import difflib
import functools
import math
import re
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from sim.coefficients.accounts import AccountCoefficients
from sim.coefficients.adoption import Adoption
from sim.coefficients.customers import CustomerCoefficients
from sim.coefficients.decisions import Decisions
from sim.coefficients.learning import Learning
from sim.coefficients.people import PeopleCoefficients
from sim.coefficients.programme import ProgrammeCoefficients
from sim.coefficients.sales import Sales
from sim.errors import InputError

# The schema helpers live in sim.parameters; FieldSpec, field_specs and field_bounds are also
# imported from here by the sweeps, the app and the tests, hence the explicit re-exports.
from sim.parameters import FieldSpec as FieldSpec
from sim.parameters import _f, _literal_values, _models_in, _Section, check_parameters
from sim.parameters import field_bounds as field_bounds
from sim.parameters import field_specs as field_specs
from sim.textfile import NotReadable, NotText, check_regular, decode_utf8, read_regular

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


#: Sources shared by several fields (one wording, kept in one place).
_DIAL = "input: a dial of your organisation's culture, from a workshop or staff survey"
_ROLLOUT = "input: how your CRM rollout is planned"
_PROGRAMME = "input: how your change programme is planned"
_COST = "input: your organisation's own figure (budget, payroll, vendor quote)"
_CALIBRATION_PRESET = "the command_and_control preset, which uses this default"


class RoleMix(_Section):
    sales: float = _f(
        0.40,
        0.0,
        1.0,
        "Sales share",
        "Share of front-line staff in sales.",
        unit="share 0-1",
        source="input: your organisation's headcount by role",
    )
    service: float = _f(
        0.45,
        0.0,
        1.0,
        "Service share",
        "Share of front-line staff in service.",
        unit="share 0-1",
        source="input: your organisation's headcount by role",
    )
    marketing: float = _f(
        0.15,
        0.0,
        1.0,
        "Marketing share",
        "Share of front-line staff in marketing.",
        unit="share 0-1",
        source="input: your organisation's headcount by role",
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
    org_chart_map: str | None = Field(
        None,
        description="With org_chart: a mapping file (TOML: [columns] naming the export's own "
        "headers, [roles] the title patterns of each model role) for an HR export in its own "
        "format, relative to the scenario file; stored resolved (sim/structures/chart_map.py).",
        json_schema_extra={"label": "Org chart mapping file"},
    )
    employees: int = _f(
        300,
        10,
        2_000_000,
        "Employees",
        "Number of people, managers included.",
        unit="people",
        source="input: your organisation's headcount",
    )
    span_of_control: int = _f(
        8,
        2,
        50,
        "Span of control",
        "Direct reports per manager.",
        unit="people",
        source="input: your organisation's reporting lines",
    )
    role_mix: RoleMix = RoleMix()
    manager_capacity: float = _f(
        6.0,
        0.5,
        1000.0,
        "Manager capacity",
        "Escalated customer decisions a manager clears per week beside their other work; "
        "arrivals beyond it queue and carry over to next week, and a manager works longer on "
        "a backlog up to decisions.overtime_cap more (docs/ODD.md 6.1).",
        unit="per week",
        source="assumption: no management-time study we found gives escalated customer "
        "decisions per manager-week. Mintzberg (1973, The Nature of Managerial Work) found "
        "managers' work fragmented: half of activities under 9 minutes, desk-work sessions "
        "about 15 minutes, calls about 6 minutes, scheduled meetings most of the time; so a case "
        "(one desk session plus a call to the handler) takes about 25 minutes, and about 2.5 "
        "hours a week fitted between other work gives about 6 a week. Effects across 3-24 are "
        "in docs/VALIDATION.md 'Decision rights across manager capacity'",
        uncertain=True,
        plausible=(3.0, 24.0),
    )
    hop_days: float = _f(
        1.0,
        0.0,
        30.0,
        "Days per escalation hop",
        "Hand-over time added by each escalation hop.",
        unit="days",
        source="assumption: passing a case up one level (a message, a meeting slot) takes about "
        "a working day; not measured",
        uncertain=True,
        plausible=(0.25, 3.0),
    )


class Customers(CustomerCoefficients):
    count: int = _f(
        3000,
        10,
        20_000_000,
        "Customers",
        "Customers at the start.",
        unit="count",
        source="input: your number of active customers",
    )
    annual_value: float = _f(
        20000.0,
        0.0,
        1e9,
        "Annual value",
        "Mean yearly revenue per customer (currency units).",
        unit="currency/year",
        source="input: your revenue per customer",
    )
    value_dispersion: float = _f(
        0.8,
        0.0,
        3.0,
        "Value dispersion",
        "Log-normal sigma of customer value (big vs small).",
        unit="log-normal sigma",
        source="input: the spread of your customers' values; the default 0.8 is an assumption "
        "(the top fifth of customers bring about half the revenue)",
    )
    issue_rate: float = _f(
        0.06,
        0.0,
        1.0,
        "Issue rate",
        "Chance per week that a customer raises a service issue.",
        unit="per week",
        source="assumption: a customer raises an issue every 10 to 33 weeks, the span of B2B "
        "help-desk figures of about 1.5 to 5 tickets per account a year (as in the report's "
        "uncertainty analysis, sim/report.py); 0.06 is mid-span",
        uncertain=True,
        plausible=(0.03, 0.10),
    )
    base_churn_annual: float = _f(
        0.06,
        0.0,
        0.9,
        "Base churn",
        "Yearly churn of a fully satisfied customer (moves, M&A).",
        unit="per year",
        source="assumption: customers lost whatever the service (moves, mergers, closures), "
        "below the 10-30% a year of total churn in churn benchmarks (docs/ODD.md 7.1), so that "
        "dissatisfaction accounts for the rest",
        uncertain=True,
        plausible=(0.02, 0.12),
    )
    dissatisfied_churn_annual: float = _f(
        3.0,
        0.0,
        20.0,
        "Dissatisfied churn hazard",
        "Extra yearly churn hazard of a customer at the bottom of the satisfaction scale.",
        unit="1/year",
        source=f"calibrated: annual customer churn 10-30% for {_CALIBRATION_PRESET} "
        "(docs/ODD.md 7.2: measured 0.136)",
        uncertain=True,
        plausible=(1.5, 5.0),
    )
    complaint_propensity: float = _f(
        0.009,
        0.0,
        1.0,
        "Complaint propensity",
        "Chance per week that a customer at the bottom of the satisfaction scale complains, "
        "at willingness 1 (customers.voice_*); it falls in proportion to the gap below the "
        "churn pivot.",
        unit="per week",
        source="calibrated: the 'about 1 in 26 dissatisfied customers complains' attributed to "
        "TARP for the U.S. Office of Consumer Affairs (Goodman 1999) is contested: TARP's 1979 "
        "report found most households with a problem complained to someone, often not to the "
        "firm; we take a share in between, sized so that in command_and_control about 7% of "
        "churners had ever complained to the firm (silent share 0.93, docs/ODD.md 8.B) and "
        "complaints per churner stay below 0.5 in every preset",
        uncertain=True,
        plausible=(0.006, 0.025),
    )
    acquisition_rate: float = _f(
        0.05,
        0.0,
        50.0,
        "Acquisition rate",
        "New customers won per sales person per week at full acquisition effort.",
        unit="per week",
        source="assumption: about one new account per sales person every 20 weeks, an order of "
        "magnitude for B2B account sales; not checked against data",
        uncertain=True,
        plausible=(0.02, 0.10),
    )
    upsell_rate: float = _f(
        0.10,
        0.0,
        1.0,
        "Upsell rate",
        "Share of accounts a sales person contacts each week.",
        unit="per week",
        source="assumption: an account manager is in touch with each account about every ten "
        "weeks; not checked against data",
        uncertain=True,
        plausible=(0.05, 0.20),
    )
    upsell_value: float = _f(
        0.10,
        0.0,
        5.0,
        "Upsell size",
        "One upsell adds this share of the customer's value.",
        unit="share of value",
        source="assumption: an add-on sale is a tenth of an account's value; not checked against "
        "data",
        uncertain=True,
        plausible=(0.05, 0.20),
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
        unit="index 0-1",
        source=_DIAL,
    )
    decision_rights: float = _f(
        0.2,
        0.0,
        1.0,
        "Decision rights at the edge",
        "0: every decision goes to the top; 1: front-line staff decide for the customer.",
        unit="index 0-1",
        source=_DIAL,
    )
    information_sharing: float = _f(
        0.3,
        0.0,
        1.0,
        "Information sharing",
        "How freely units tell each other about customers (permeability of silos).",
        unit="index 0-1",
        source=_DIAL,
    )
    executive_commitment: float = _f(
        0.2,
        0.0,
        1.0,
        "Executive commitment",
        "Leaders make hard decisions (structure, rights, incentives, staff), not just speeches.",
        unit="index 0-1",
        source=_DIAL,
    )
    executive_support: float = _f(
        0.5,
        0.0,
        1.0,
        "Executive support",
        "Leaders speak up for the CRM (words, not decisions).",
        unit="index 0-1",
        source=_DIAL,
    )
    incentive_alignment: float = _f(
        0.2,
        0.0,
        1.0,
        "Incentive alignment",
        "0: bonuses for new deals only; 1: rewards for the whole customer lifecycle.",
        unit="index 0-1",
        source="input: your bonus and reward rules",
    )
    responsiveness: float = _f(
        0.3,
        0.0,
        1.0,
        "Responsiveness",
        "How fast reported problems get fixed (learning cycles, feedback loops).",
        unit="index 0-1",
        source=_DIAL,
    )
    customer_orientation: float = _f(
        0.4,
        0.0,
        1.0,
        "Customer orientation",
        "Average trait of staff: putting the customer's outcome first.",
        unit="index 0-1",
        source=_DIAL,
    )
    socialisation: float = _f(
        0.3,
        0.0,
        1.0,
        "Culture strength",
        "How fast people (newcomers most) take on their team's and leaders' ways.",
        unit="index 0-1",
        source=_DIAL,
    )
    market_turbulence: float = _f(
        0.0013,
        0.0,
        0.2,
        "Market turbulence",
        "Weekly chance that any one customer-handling practice stops working (March's p4).",
        unit="per week",
        source="cited: March's (1991) turbulence p4 = 0.02 per period (his Fig. 4) over a "
        "period of 16 weeks (an assumption, learning.playbook_p2), 1 - (1 - 0.02)^(1/16) = "
        "0.0013: a customer-handling practice goes out of date about once in 15 years",
        uncertain=True,
        plausible=(0.001, 0.01),
    )
    supportive_leadership: float = _f(
        0.3,
        0.0,
        1.0,
        "Supportive leadership",
        "Share of managers who coach and role-model rather than direct.",
        unit="share 0-1",
        source="input: your managers' leadership style, from a staff survey or 360 feedback",
    )


class Crm(_Section):
    enabled: bool = _f(
        True,
        None,
        None,
        "CRM rolled out",
        "Whether a CRM is rolled out at all.",
        unit="yes/no",
        source=_ROLLOUT,
    )
    go_live_week: int = _f(
        4,
        -520,
        1000,
        "Go-live week",
        "Week the CRM goes live (0: in the first week); negative: it went live that many "
        "weeks before the start, inside the burn-in (which must cover it).",
        unit="week number",
        source=_ROLLOUT,
    )
    tool_quality: float = _f(
        0.7,
        0.0,
        1.0,
        "Tool quality",
        "How good and usable the software itself is.",
        unit="index 0-1",
        source="input: your rating of the chosen software (trials, user tests)",
    )
    training: float = _f(
        0.4,
        0.0,
        1.0,
        "Training",
        "Depth of user training at go-live and for newcomers.",
        unit="index 0-1",
        source=_ROLLOUT,
    )
    reinforcement_weeks: int = _f(
        12,
        0,
        1000,
        "Follow-up after training",
        "Weeks of coaching and follow-up each person gets after their training (the waves of "
        "crm.rollout_weeks); the project team leaves when the last wave's follow-up ends.",
        unit="weeks",
        source=_ROLLOUT,
    )
    rollout_weeks: float = _f(
        8.0,
        0.0,
        520.0,
        "Weeks to train everyone",
        "Training capacity of the rollout: from go-live, 1/rollout_weeks of the posts are "
        "trained and given access each week, managers first, then team by team; a person "
        "cannot use the CRM before being trained. Newcomers join the queue. 0: everyone at "
        "go-live.",
        unit="weeks",
        source="assumption: a project team of a few trainers runs half-day to one-day "
        "classroom sessions for groups of about ten to fifteen, in waves by team; training a "
        "whole organisation takes about two months (a wave rollout), not one week. Sized so "
        "that no preset reaches 90% adoption within ten weeks of go-live, the speed no source "
        "reports for a sales force (docs/ODD.md 8.D); not measured",
        uncertain=True,
        plausible=(4.0, 26.0),
    )
    data_use: float = _f(
        0.3,
        0.0,
        1.0,
        "Data actually used",
        "Share of CRM data that feeds decisions (the rest is dead-end busywork).",
        unit="share 0-1",
        source="input: how much of what is logged your reports and decisions use",
    )
    innovation: float = _f(
        0.02,
        0.0,
        1.0,
        "Own initiative (Bass p)",
        "Weekly chance a person starts using the CRM on their own, at full intention.",
        unit="per week",
        source="assumption: a few per cent of staff a week start on their own at full "
        "intention; the rule is Bass's (1969) p, but the meta-analysis mean p of about 0.03 "
        "(Sultan, Farley & Lehmann 1990) is yearly and for markets, so it is not transferable",
        uncertain=True,
        plausible=(0.005, 0.05),
    )
    imitation: float = _f(
        0.25,
        0.0,
        5.0,
        "Peer influence (Bass q)",
        "Weekly pull towards using the CRM when all of one's contacts use it.",
        unit="per week",
        source="assumption: peers pull about 12 times harder than own initiative (0.25 / "
        "0.02), near the ratio q/p of about 13 of the Bass meta-analysis (Sultan, Farley & "
        "Lehmann 1990: p about 0.03, q about 0.38 a year, for markets)",
        uncertain=True,
        plausible=(0.1, 0.5),
    )
    threshold_mean: float = _f(
        0.55,
        0.0,
        2.0,
        "Adoption threshold",
        "Mean share of contacts who must use the CRM before a person follows (Granovetter).",
        unit="share of contacts",
        source=f"calibrated: CRM adoption at week 52 of 25-60% for {_CALIBRATION_PRESET} "
        "(docs/ODD.md 7.2; measured 0.27 after the version 2 adoption changes, docs/ODD.md 8.D)",
        uncertain=True,
        plausible=(0.40, 0.70),
    )
    threshold_sd: float = _f(
        0.2,
        0.0,
        1.0,
        "Threshold spread",
        "Spread of personal thresholds.",
        unit="share of contacts",
        source="assumption: wide enough that a few early movers exist (Granovetter 1978: the "
        "spread of thresholds decides whether a cascade starts); not measured",
        uncertain=True,
        plausible=(0.1, 0.3),
    )
    habit_decay: float = _f(
        0.04,
        0.0,
        1.0,
        "Usage decay",
        "Weekly pull of usage back towards intention once reinforcement stops.",
        unit="1/week",
        source="assumption: usage falls halfway back to intention in about 17 weeks without "
        "reinforcement, in line with Speier & Venkatesh (2002): sales-force automation "
        "rejected about six months after training (MODEL_BRIEF)",
        uncertain=True,
        plausible=(0.01, 0.10),
    )
    licence_cost_per_user_week: float = _f(
        15.0,
        0.0,
        1e6,
        "Licence cost",
        "CRM cost per front-line seat per week.",
        unit="currency/week",
        source=f"{_COST}; the default is an assumption (about 65 a seat a month)",
    )
    implementation_cost: float = _f(
        300_000.0,
        0.0,
        1e12,
        "Implementation cost",
        "One-off cost of the rollout at go-live.",
        unit="currency",
        source=_COST,
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
    week: int = _f(
        0,
        0,
        10_000,
        "Week",
        "Week the step fires.",
        unit="week number",
        source=_PROGRAMME,
    )


class ChangeProgramme(ProgrammeCoefficients):
    steps: list[ProgrammeStep] = Field(
        [], description="Kotter's eight steps as scheduled interventions (any subset, any order)."
    )
    intensity: float = _f(
        0.7,
        0.0,
        1.0,
        "Programme intensity",
        "How well each step is carried out.",
        unit="index 0-1",
        source="assumption: a competently run programme; how well steps will land is hard to "
        "know in advance",
        uncertain=True,
        plausible=(0.4, 0.9),
    )
    cost_per_step: float = _f(
        40_000.0,
        0.0,
        1e12,
        "Cost per step",
        "Consulting and staff time per programme step.",
        unit="currency",
        source=_COST,
    )
    champion_share: float = _f(
        0.08,
        0.0,
        1.0,
        "Champions",
        "Share of staff recruited to the guiding coalition.",
        unit="share 0-1",
        source=_PROGRAMME,
    )


class RemoveLayer(_Section):
    """Remove a management layer; its reports move to the layer above (sim/structures/transform)."""

    kind: Literal["remove_layer"]
    level: int | None = _f(
        None,
        1,
        1000,
        "Level",
        "Hops below the top (>= 1).",
        unit="count",
        source="input: the proposed design",
    )
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
        0.5,
        0.0,
        1.0,
        "Authority",
        "Largest issue severity these roles may decide alone.",
        unit="index 0-1",
        source="input: the proposed design",
    )
    units: list[str] = Field([], description="Only in these units (default: all).")


class IncentivesChange(_Section):
    """Change bonus rules: sets culture.incentive_alignment."""

    kind: Literal["incentives"]
    incentive_alignment: float = _f(
        0.5,
        0.0,
        1.0,
        "Incentive alignment",
        "0: new deals only; 1: the whole lifecycle.",
        unit="index 0-1",
        source="input: the proposed design",
    )


class ChangeProgrammeChange(_Section):
    """Run a change programme: sets the change_programme section."""

    kind: Literal["change_programme"]
    steps: list[ProgrammeStep] = Field(min_length=1, description="Kotter steps and weeks.")
    intensity: float | None = _f(
        None,
        0.0,
        1.0,
        "Programme intensity",
        "Programme intensity.",
        unit="index 0-1",
        source="input: the proposed design",
    )
    cost_per_step: float | None = _f(
        None,
        0.0,
        1e12,
        "Cost per step",
        "Cost per step.",
        unit="currency",
        source="input: the proposed design",
    )
    champion_share: float | None = _f(
        None,
        0.0,
        1.0,
        "Champions",
        "Champion share.",
        unit="share 0-1",
        source="input: the proposed design",
    )


class MovePeople(_Section):
    """Move people (with the teams under them) to another manager and/or unit."""

    kind: Literal["move"]
    ids: list[str] = Field(min_length=1, description="Chart ids of the people to move.")
    to_manager: str | None = Field(None, min_length=1, description="Chart id of the new manager.")
    unit: str | None = Field(
        None, min_length=1, max_length=200, description="New unit (an existing or a new name)."
    )
    with_team: bool = _f(
        True,
        None,
        None,
        "Unit change includes the team",
        "Everyone below a moved person changes unit with them (their reporting lines never "
        "change: a moved manager keeps their team).",
        unit="yes/no",
        source="input: the proposed design",
    )

    @model_validator(mode="after")
    def _where_to(self) -> MovePeople:
        if self.to_manager is None and self.unit is None:
            raise ValueError("move needs a to_manager (a chart id), a unit, or both")
        return self


class SplitTeam(_Section):
    """Split a manager's team into several, with new lead positions beside the manager."""

    kind: Literal["split_team"]
    manager: str = Field(min_length=1, description="Chart id of the manager whose team splits.")
    teams: int = _f(
        2,
        2,
        1000,
        "Teams",
        "Teams the direct reports are dealt into (the manager leads one; each other is led by "
        "a new position reporting to the manager's own manager).",
        unit="count",
        source="input: the proposed design",
    )
    title: str | None = Field(
        None, min_length=1, description="Title of the new leads (default: the manager's)."
    )


class MergeTeams(_Section):
    """Merge teams under one manager; the other managers' positions are removed."""

    kind: Literal["merge_teams"]
    managers: list[str] = Field(
        min_length=2, description="Chart ids of the managers; the first leads the merged team."
    )


class AddPositions(_Section):
    """Add new positions under a manager."""

    kind: Literal["add_positions"]
    count: int = _f(
        1,
        1,
        100_000,
        "Positions",
        "New positions.",
        unit="count",
        source="input: the proposed design",
    )
    role: Literal["manager", "sales", "service", "marketing", "other"] = Field(
        description="Model role of the new positions."
    )
    title: str = Field(min_length=1, max_length=200, description="Their title.")
    manager: str = Field(min_length=1, description="Chart id of their manager.")
    unit: str | None = Field(
        None, min_length=1, max_length=200, description="Their unit (default: the manager's)."
    )
    fte: float = _f(
        1.0,
        0.01,
        1.5,
        "FTE",
        "Full-time equivalent of each new position (1 = full time).",
        unit="multiplier",
        source="input: the proposed design",
    )
    salary: float | None = _f(
        None,
        0.0,
        1e9,
        "Salary",
        "Yearly full-time salary of each new position (x FTE); unset: its role's salary "
        "(economics.salary_<role>, else people.salary_annual).",
        unit="currency/year",
        source="input: the proposed design (the offer for the new positions)",
    )


class RemovePositions(_Section):
    """Remove positions; their reports move to their manager."""

    kind: Literal["remove_positions"]
    ids: list[str] = Field(min_length=1, description="Chart ids of the positions to remove.")


Transformation = Annotated[
    RemoveLayer
    | MergeUnits
    | DecisionRights
    | IncentivesChange
    | ChangeProgrammeChange
    | MovePeople
    | SplitTeam
    | MergeTeams
    | AddPositions
    | RemovePositions,
    Field(discriminator="kind"),
]
#: Transformations that change the org chart (the others set scenario fields on load).
STRUCTURAL_TRANSFORMATIONS = (
    "remove_layer",
    "merge_units",
    "decision_rights",
    "move",
    "split_team",
    "merge_teams",
    "add_positions",
    "remove_positions",
)


class Intervention(_Section):
    """A change during the run: dotted fields set from the start of a week (sim/interventions)."""

    week: int = _f(
        0,
        0,
        5200,
        "Intervention week",
        "Week the change takes effect (before that week's processes; at most the horizon).",
        unit="week number",
        source="input: when the change is planned in your organisation",
    )
    set: dict[str, Any] = Field(
        min_length=1,
        description='Dotted fields and their new values, e.g. { "culture.decision_rights" = 0.8 }.',
    )


class Design(_Section):
    """How a proposed design (a scenario with a ``base``) is reached from the current one.

    ``sim.design.prepare_scenario`` fills ``set``, ``from_base`` and ``base_transformations``
    when it loads a file with a ``base``: the organisation burns in under the base's settings
    and the proposed settings are applied at ``change_week`` like an intervention, with the
    lags and costs of culture change (docs/ODD.md 8.H).
    """

    change_week: int = _f(
        0,
        0,
        5200,
        "Design change week",
        "Week the proposed design's changes start (before that week's processes): its settings "
        "move from the current design's like an intervention, and its restructuring is paid.",
        unit="week number",
        source="input: when the redesign starts in your organisation",
    )
    set: dict[str, Any] = Field(
        {},
        description="Dotted fields the design changes at change_week (filled on load from the "
        "differences with the base file; may also be written, like an intervention's set).",
    )
    from_base: bool = _f(
        False,
        None,
        None,
        "Reached from a base design",
        "Set on load: the scenario names a base file, so it starts as the base organisation "
        "and changes into this design at change_week.",
        unit="yes/no",
        source="input: set on load from the scenario file's base",
    )
    base_transformations: int = _f(
        0,
        0,
        1000,
        "Transformations of the base",
        "Set on load: how many of the listed transformations the base design already has (the "
        "rest are this design's restructuring).",
        unit="count",
        source="input: set on load from the scenario file's base",
    )


class People(PeopleCoefficients):
    base_quit_annual: float = _f(
        0.28,
        0.0,
        3.0,
        "Base turnover",
        "Yearly quit rate of front-line staff at middling morale.",
        unit="per year",
        source="cited: front-line turnover 20-50% a year (contact-centre and inside-sales "
        "attrition surveys, BLS JOLTS; docs/ODD.md 7.1) and 30-45% a year in contact centres "
        "(industry surveys, MODEL_BRIEF); 0.28 at middling morale gives 0.283 measured for "
        "command_and_control (docs/ODD.md 7.2)",
        uncertain=True,
        plausible=(0.15, 0.45),
    )
    hiring_delay_weeks: int = _f(
        6,
        0,
        104,
        "Hiring delay",
        "Weeks a vacancy stays open.",
        unit="weeks",
        source="input: your time to fill a front-line vacancy; the default is an assumption",
    )
    newcomer_skill: float = _f(
        0.3,
        0.0,
        1.0,
        "Newcomer skill",
        "Skill of a new hire relative to a seasoned one.",
        unit="share 0-1",
        source="assumption: a new hire knows the trade but not the products, customers and "
        "systems; not measured",
        uncertain=True,
        plausible=(0.15, 0.5),
    )
    learning_weeks: float = _f(
        20.0,
        1.0,
        520.0,
        "Learning time",
        "Weeks for a newcomer to close most of the skill gap.",
        unit="weeks",
        source="assumption: front-line staff take a few months to reach full productivity; "
        "not measured",
        uncertain=True,
        plausible=(8.0, 52.0),
    )
    workload_norm: float = _f(
        1.0,
        0.2,
        5.0,
        "Workload norm",
        "Workload one person carries without strain (1 = the staffing plan).",
        unit="multiplier",
        source="assumption: the staffing plan is what one person carries without strain",
    )
    salary_annual: float = _f(
        55_000.0,
        0.0,
        1e9,
        "Salary",
        "Yearly cost per front-line employee (managers: times economics.manager_salary_factor).",
        unit="currency/year",
        source=_COST,
    )
    hiring_cost: float = _f(
        8_000.0,
        0.0,
        1e9,
        "Hiring cost",
        "Cost to recruit one person.",
        unit="currency",
        source=_COST,
    )
    training_cost: float = _f(
        3_000.0,
        0.0,
        1e9,
        "Newcomer training cost",
        "Cost to train one new hire.",
        unit="currency",
        source=_COST,
    )


#: Currency of every amount of money in a scenario (ISO 4217-style code). The defaults' cited
#: costs are US figures (ATD's $1,299 learning spend, US salaries), so the default is USD.
DEFAULT_CURRENCY = "USD"


class Economics(AccountCoefficients):
    currency: str = Field(
        DEFAULT_CURRENCY,
        description="Currency of every amount of money in the scenario (salaries, costs, "
        "customer values) and in its results: a three-letter code such as USD, EUR or GBP. "
        "It labels the figures; nothing is converted.",
    )

    @field_validator("currency", mode="before")
    @classmethod
    def _currency_code(cls, v: Any) -> Any:
        """Three letters, written in capitals ('eur' is read as EUR)."""
        if isinstance(v, str) and len(v.strip()) == 3 and v.strip().isalpha() and v.isascii():
            return v.strip().upper()
        raise ValueError("expected a three-letter currency code such as USD, EUR or GBP")

    gross_margin: float = _f(
        0.6,
        0.0,
        1.0,
        "Gross margin",
        "Share of revenue left after the cost of goods.",
        unit="share 0-1",
        source="input: your gross margin (annual accounts)",
    )


@functools.cache
def _field_kinds() -> dict[str, str]:
    """Dotted field -> "int", "float" or "bool" (a particle's numbers are stored as floats)."""
    return {f.path: f.kind for f in field_specs()}


class Calibration(_Section):
    """A posterior over some parameters, carried by a calibrated scenario (``run.py calibrate``).

    Each run draws one particle (a row of ``particles``, with probability proportional to its
    weight) from its own side stream (``sim.rng.side_stream(seed, "calibration")``) and runs with
    those values, so replicates spread over what the observed figures leave uncertain
    (docs/ODD.md 8.K). An override of a calibrated parameter (``--set``, a sweep factor, the
    report's draws) takes that parameter out of the posterior: the value set is used.
    """

    parameters: list[str] = Field(
        min_length=1, description="Dotted fields the posterior is over (the particles' columns)."
    )
    particles: list[list[float]] = Field(
        min_length=1, description="Parameter sets, one row per particle, in parameters' order."
    )
    weights: list[float] = Field(
        min_length=1, description="Each particle's weight (>= 0, normalised on use)."
    )
    observed: str = Field("", max_length=2000, description="The observed-figures file fitted.")
    fitted: str = Field("", max_length=2000, description="How it was fitted (the command).")
    drawn_from_priors: list[str] = Field(
        default_factory=list,
        description="Flagged parameters the fit left to their priors (not in the posterior): "
        "drawn from their ranges in every run of the fit, of its predictive and of the report; "
        "run and compare use the file's values for them (docs/ODD.md 8.K). A record: a run "
        "reads only parameters, particles and weights.",
    )
    held_at_file_values: list[str] = Field(
        default_factory=list,
        description="Flagged parameters the fit held at this file's values (not fitted, not "
        "drawn): the posterior is conditional on them; run and compare use them, the report's "
        "assumption draws vary them (docs/ODD.md 8.K). A record, as drawn_from_priors.",
    )

    @model_validator(mode="after")
    def _consistent(self) -> Calibration:
        p = len(self.parameters)
        if len(set(self.parameters)) != p:
            raise ValueError("calibration.parameters: a parameter is named twice")
        held = sorted(
            (set(self.parameters) | set(self.drawn_from_priors)) & set(self.held_at_file_values)
        )
        if held:
            raise ValueError(
                f"calibration.held_at_file_values: {', '.join(held)} also fitted or drawn; "
                "expected a parameter fitted, drawn from its prior or held, one of the three"
            )
        both = sorted(set(self.parameters) & set(self.drawn_from_priors))
        if both:
            raise ValueError(
                f"calibration.drawn_from_priors: {', '.join(both)} also in parameters; expected "
                "a parameter either fitted or drawn from its prior"
            )
        for i, row in enumerate(self.particles):
            if len(row) != p:
                raise ValueError(
                    f"calibration.particles[{i}]: {len(row)} values; expected {p}, one per "
                    "parameter"
                )
            if not all(math.isfinite(x) for x in row):
                raise ValueError(f"calibration.particles[{i}]: expected finite numbers")
        if len(self.weights) != len(self.particles):
            raise ValueError(
                f"calibration.weights: {len(self.weights)} weights; expected "
                f"{len(self.particles)}, one per particle"
            )
        if any(not math.isfinite(w) or w < 0 for w in self.weights) or sum(self.weights) <= 0:
            raise ValueError("calibration.weights: expected numbers >= 0 with a positive sum")
        return self

    def draw(self, seed: int) -> dict[str, float]:
        """The particle run ``seed`` uses: drawn by weight from its calibration side stream."""
        from sim.rng import side_stream

        return self.pick(side_stream(seed, "calibration").random())

    def pick(self, u: float) -> dict[str, float]:
        """The particle at ``u`` (uniform in [0, 1)) of the weights' cumulative distribution.

        One uniform per draw whatever the weights, so a stream's use never depends on them.
        """
        import numpy as np

        w = np.asarray(self.weights, dtype=float)
        k = min(int(np.searchsorted(np.cumsum(w / w.sum()), u, side="right")), len(w) - 1)
        kinds = _field_kinds()
        return {
            name: int(round(x)) if kinds.get(name) == "int" else float(x)
            for name, x in zip(self.parameters, self.particles[k])
        }

    def without(self, keys: set[str]) -> Calibration | None:
        """The posterior with ``keys`` (or keys under them) left out; None if nothing is left."""

        def gone(name: str) -> bool:
            return any(name == k or name.startswith(k + ".") for k in keys)

        keep = [i for i, name in enumerate(self.parameters) if not gone(name)]
        if len(keep) == len(self.parameters):
            return self
        if not keep:
            return None
        return self.model_copy(
            update={
                "parameters": [self.parameters[i] for i in keep],
                "particles": [[row[i] for i in keep] for row in self.particles],
            }
        )


class RunSettings(_Section):
    """How a scenario file is run, not what the organisation is (``[run]``).

    Not a model parameter: the model never reads it (a run's seed is passed to ``OrgModel``),
    so it is not among :func:`field_specs`, sweeps or ``--set`` keys. ``python run.py run`` uses
    ``seed`` when ``--seed`` is not given; the workshop app writes the session's seed here and
    reads it back when the file is opened. Commands that run many seeds (compare, sweep,
    report, evidence) keep their own root seeds.
    """

    seed: int = Field(ge=0, description="The seed run.py run uses when --seed is not given.")


class Scenario(_Section):
    """A whole scenario; fields read as attributes (``scenario.culture.responsiveness``)."""

    name: str = Field("unnamed", min_length=1, max_length=200)
    description: str = Field("", max_length=5000)
    horizon_weeks: int = _f(
        104,
        1,
        5200,
        "Horizon",
        "Weeks to simulate.",
        unit="weeks",
        source="input: how far ahead you want to look",
    )
    burn_in_weeks: int = _f(
        78,
        0,
        520,
        "Burn-in",
        "Weeks run before week 1 with the starting design and nothing scheduled (not reported, "
        "totals reset), so the organisation starts at rest; slow stocks start at their balance.",
        unit="weeks",
        source="measured: with the customer book balanced every burn_in_balance_weeks (26), "
        "78 weeks is the only length tried (52, 78, 104, 156) whose yearly churn, front-line "
        "turnover, satisfaction, morale, service quality and playbook pass the year 1 vs 3 "
        "TOST and the trend test (alpha 0.05) in functional_silos for each of 4 seed sets "
        "(30 replicates each; 52 fails for seed 81, 104 for seed 21); "
        "experiments/held_stationarity.py, tests/test_rest.py, docs/ODD.md 8.A; about 1.75 "
        "times the cost of a 104-week run without it",
    )
    burn_in_balance_weeks: int = _f(
        26,
        1,
        520,
        "Burn-in balance interval",
        "Every this many burn-in weeks (and at its end) the customer book takes its at-rest "
        "mix of customer types and acquisition is balanced against expected losses.",
        unit="weeks",
        source="assumption: half a year, short enough that the book stays near customers.count "
        "in a long burn-in and long enough that each window's churn estimate rests on about "
        "26 customer-weeks per customer; balancing only half-way and at the end left a churn "
        "trend in functional_silos (experiments/held_stationarity.py, docs/ODD.md 8.A)",
    )
    balance_acquisition: bool = _f(
        True,
        None,
        None,
        "Acquisition balances churn at rest",
        "Scale the acquisition rate half-way through and at the end of the burn-in so that, "
        "at rest, customers expected to be won balance the book's expected losses (the "
        "customer count is stationary from the start and stays near customers.count).",
        unit="yes/no",
        source="assumption: the given customer count is the organisation's steady book; "
        "without it the book drifts towards acquisition / churn over a decade",
    )
    organisation: Organisation = Organisation()
    customers: Customers = Customers()
    sales: Sales = Sales()
    culture: Culture = Culture()
    crm: Crm = Crm()
    adoption: Adoption = Adoption()
    change_programme: ChangeProgramme = ChangeProgramme()
    people: People = People()
    learning: Learning = Learning()
    economics: Economics = Economics()
    decisions: Decisions = Decisions()
    design: Design = Design()
    transformations: list[Transformation] = Field(
        [],
        description="Proposed-design changes applied in order (remove_layer, merge_units, "
        "decision_rights, incentives, change_programme); see README 'Testing an org design'.",
    )
    interventions: list[Intervention] = Field(
        [],
        description="Changes during the run ([[interventions]] with week and set); see "
        "docs/ODD.md 'Changes during a run'.",
    )
    run: RunSettings | None = Field(
        None,
        description="[run] seed: the seed run.py run uses when --seed is not given (the "
        "workshop app saves its seed here); not a model parameter.",
        json_schema_extra={"parameter": False},
    )
    calibration: Calibration | None = Field(
        None,
        description="A posterior written by run.py calibrate: each run draws its values of "
        "these parameters from it (docs/ODD.md 8.K).",
    )

    @model_validator(mode="after")
    def _org_chart_inputs(self) -> Scenario:
        org = self.organisation
        if org.structure == "org_chart" and not org.org_chart:
            raise ValueError(
                "organisation.org_chart: required when structure = 'org_chart' (the CSV's path)"
            )
        if org.org_chart_map and not org.org_chart:
            raise ValueError(
                "organisation.org_chart_map is set but organisation.org_chart is not; set "
                "org_chart to the HR export the mapping file describes"
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

    @model_validator(mode="after")
    def _go_live_in_burn_in(self) -> Scenario:
        crm = self.crm
        if crm.enabled and crm.go_live_week < 0 and -crm.go_live_week > self.burn_in_weeks:
            raise ValueError(
                f"crm.go_live_week: {crm.go_live_week} is {-crm.go_live_week} weeks before the "
                f"start but burn_in_weeks is {self.burn_in_weeks}; set burn_in_weeks >= "
                f"{-crm.go_live_week} or a later go-live week"
            )
        return self

    @model_validator(mode="after")
    def _interventions_fit(self) -> Scenario:
        if self.design.change_week > self.horizon_weeks:
            raise ValueError(
                f"design.change_week: {self.design.change_week} is after horizon_weeks "
                f"{self.horizon_weeks}; accepted range [0, {self.horizon_weeks}]"
            )
        if self.interventions or self.design.set:
            from sim.interventions import check_schedule

            check_schedule(self)
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
        return org.structure, org.org_chart, org.org_chart_map, self.customers.file, structural

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
        # an override of a field the design changes sets it before and after the change alike
        pending = data["design"]["set"]
        for key in overrides:
            for k in [k for k in pending if k == key or k.startswith(key + ".")]:
                del pending[k]
        # likewise an override of a calibrated parameter replaces its posterior
        cal = self.calibration
        if cal is not None and "calibration" not in overrides:
            rest = cal.without(set(overrides))
            if rest is not cal:
                data["calibration"] = None if rest is None else rest.model_dump()
        out = _validate(data, source=source)
        if self._inputs is not None and out._input_key() == self._input_key():
            out._inputs = self._inputs
        return out

    def counterfactual(self) -> Scenario:
        """The same organisation with no CRM and no change programme (the business case's base).

        A CRM that went live before the start (``crm.go_live_week < 0``) stays in the twin.

        Its interventions are this scenario's without their crm.* and change_programme.* keys,
        so the difference between the two runs stays the return on the CRM programme.
        """
        from sim.interventions import is_programme_key, without_programme_keys

        # a CRM that went live before the start is part of the organisation at rest, not a change
        already_live = self.crm.enabled and self.crm.go_live_week < 0
        design_set = {k: v for k, v in self.design.set.items() if not is_programme_key(k)}
        return self.with_overrides(
            {
                "crm.enabled": already_live,
                "change_programme.steps": [],
                "interventions": without_programme_keys(self.interventions),
                "design.set": design_set,
            }
        )

    def to_toml_dict(self) -> dict[str, Any]:
        """Plain data, for recording a scenario beside results."""
        return self.model_dump(mode="json")


# every number of the schema has a unit, a source and consistent ranges, or nothing imports
check_parameters(field_specs(Scenario, items=True))


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
        try:
            check_regular(p)
        except NotReadable as e:
            problem = e.describe(
                MAX_TOML_BYTES,
                "a scenario TOML file or a preset name",
                missing="no such scenario file",
            )
            raise ScenarioError(f"{p}: {problem}") from None
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

#: Deepest nesting of arrays and inline tables accepted in a TOML input (real files nest at most
#: 4 deep: a transformation's list of programme steps). tomllib recurses once per level and
#: stops with RecursionError near 500; the code that reads the data recurses too.
MAX_TOML_DEPTH = 32
#: Most parts of one dotted key or table header (``a.b.c`` has 3; the schema is 4 deep).
#: tomllib's work grows with the square of a key's length (50,000 parts: about a minute).
MAX_KEY_PARTS = 16
#: Most keys (``key = value`` pairs and table headers) in one TOML input (real files have
#: under 500).
MAX_TOML_KEYS = 20_000

_TOML_TOKEN = re.compile(
    r'"""(?:[^\\]|\\.)*?"""(?!")|"""(?:[^\\]|\\.)*?""""{1,2}'  # multi-line basic string
    r"|'''.*?'''(?!')|'''.*?''''{1,2}"  # multi-line literal string
    r'|"(?:[^"\\\n]|\\.)*"'  # basic string
    r"|'[^'\n]*'"  # literal string
    r"|#[^\n]*"  # comment
    r"|[\[\]{}=,.\n]",
    re.S,
)


class TomlShapeError(ValueError):
    """A TOML text nests too deep, has too long a dotted key or too many keys.

    Raised by :func:`check_toml_shape`; ``line`` is where (1-based).
    """

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


def check_toml_shape(text: str) -> None:
    """Refuse, before tomllib parses it, a TOML text whose parsing or reading would explode.

    One linear pass over the text's brackets, dots, equals signs and line ends (strings and
    comments skipped) bounds the nesting of arrays and inline tables (:data:`MAX_TOML_DEPTH`),
    the parts of a dotted key or table header (:data:`MAX_KEY_PARTS`) and the number of keys
    (:data:`MAX_TOML_KEYS`). Malformed TOML is left for tomllib to report.

    Raises:
        TomlShapeError: with the message (no file name) and the line.
    """
    stack: list[str] = []  # the open arrays and inline tables of values
    key_pos, header, parts, keys = True, False, 1, 0

    def line(pos: int) -> int:
        return text.count("\n", 0, pos) + 1

    for m in _TOML_TOKEN.finditer(text):
        tok = m.group()
        if len(tok) > 1 and tok[0] in "\"'#":  # a string or a comment
            continue
        if tok == "\n":
            if not stack:
                key_pos, header, parts = True, False, 1
        elif tok == ".":
            if key_pos or header:
                parts += 1
                if parts > MAX_KEY_PARTS:
                    raise TomlShapeError(
                        f"a dotted key with more than {MAX_KEY_PARTS} parts; expected keys such "
                        "as culture.responsiveness (at most 4 parts)",
                        line(m.start()),
                    )
        elif tok == "=":
            if key_pos:
                keys += 1
                key_pos, parts = False, 1
        elif tok in "[{":
            if tok == "[" and (header or (key_pos and not stack)):  # [table] or [[array]]
                if not header:
                    keys += 1
                header = True
            else:
                stack.append(tok)
                key_pos, parts = tok == "{", 1
                if len(stack) > MAX_TOML_DEPTH:
                    raise TomlShapeError(
                        f"arrays and inline tables nested more than {MAX_TOML_DEPTH} deep; "
                        "expected at most a few levels",
                        line(m.start()),
                    )
        elif tok in "]}":
            if stack and not header:
                stack.pop()
                key_pos = False
        elif tok == "," and stack and stack[-1] == "{":
            key_pos, parts = True, 1
        if keys > MAX_TOML_KEYS:
            raise TomlShapeError(
                f"more than {MAX_TOML_KEYS} keys; expected at most a few hundred settings",
                line(m.start()),
            )


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
        raw = read_regular(path, MAX_TOML_BYTES)
    except NotReadable as e:
        a = _article(what)
        problem = e.describe(
            MAX_TOML_BYTES,
            f"{a} {what} TOML file",
            missing=f"no such {what} file",
            cap=f"{a} {what} file is at most 5 MB ({MAX_TOML_BYTES} bytes)",
        )
        raise error(f"{path}: {problem}") from None
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
        check_toml_shape(text)
    except TomlShapeError as e:
        raise error(f"{path}: line {e.line}: {e}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        where = f"end of document, line {len(text.splitlines())}"
        msg = str(e).replace("(at end of document)", f"(at {where}: something is not closed)")
        raise error(f"{path}: TOML syntax error: {msg}") from None
    if not data:
        raise error(f"{path}: no settings (only comments); expected {example}")
    return raw, text, data


def parse_override(text: str) -> tuple[str, Any]:
    """Parse a CLI ``key=value`` override; the value is read as a TOML value, else as a string."""
    if "=" not in text:
        raise ScenarioError(f"--set {text!r}: expected key=value, e.g. culture.responsiveness=0.8")
    key, _, raw = text.partition("=")
    key, raw = key.strip(), raw.strip()
    if not key:
        raise ScenarioError(f"--set {text!r}: missing key before '='")
    try:
        check_toml_shape(f"v = {raw}")
    except TomlShapeError as e:
        raise ScenarioError(f"--set {key}: the value has {e}") from None
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw
    return key, value
