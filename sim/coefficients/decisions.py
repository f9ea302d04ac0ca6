"""Coefficients of process 2, issues and decisions (``sim/processes/decisions.py``).

Read by ``sim.mechanisms.escalation`` (decision rights, escalation latency, first-contact
resolution), ``silos.facts_at_hand`` and ``playbook.knowhow``; TOML section ``[decisions]``.
Nearly all were set by hand by the first version of the model; together they give a first-contact
resolution of 0.645 for ``command_and_control``, inside SQM's 60-80% band (docs/ODD.md 7.1-7.2).
"""

from __future__ import annotations

from sim.parameters import _f, _Section

_FCR = (
    "assumption: set by hand; with the other first-contact terms it gives FCR 0.645 for "
    "command_and_control, inside SQM's 60-80% benchmark (docs/ODD.md 7.1-7.2); not measured"
)


class Decisions(_Section):
    decision_share: float = _f(
        0.3,
        0.0,
        1.0,
        "Decision share",
        "Share of new customer issues that need a decision (the rest are information requests).",
        unit="share 0-1",
        source="assumption: most service contacts ask for information, a minority for an "
        "exception or a concession; not measured",
        uncertain=True,
        plausible=(0.15, 0.5),
    )
    rights_reach: float = _f(
        0.9,
        0.0,
        1.0,
        "Reach of decision rights",
        "Severity up to which full decision rights (culture.decision_rights = 1) let anyone "
        "decide: authority a_base + (1 - a_base) * rights_reach * decision_rights.",
        unit="index 0-1",
        source="assumption: even with full decision rights the gravest cases still go up the line",
        uncertain=True,
        plausible=(0.7, 1.0),
    )
    edge_decision_days: float = _f(
        0.5,
        0.0,
        30.0,
        "Edge decision time",
        "Days a decision takes when the handler may take it alone.",
        unit="days",
        source="assumption: decided during or right after the contact, within the working day",
    )
    max_wait_days: float = _f(
        90.0,
        1.0,
        365.0,
        "Longest decision wait",
        "Cap on an escalated decision's latency (days).",
        unit="days",
        source="assumption: after about a quarter a case is settled somehow (or the customer "
        "has gone); a guard against runaway queues",
    )
    vacant_manager_capacity: float = _f(
        0.5,
        0.0,
        1.0,
        "Vacant manager capacity",
        "Share of organisation.manager_capacity an acting cover for a vacant position clears.",
        unit="share 0-1",
        source="assumption: an acting cover does the vacant job beside their own",
        uncertain=True,
        plausible=(0.25, 0.8),
    )
    overtime_cap: float = _f(
        2.0,
        0.0,
        10.0,
        "Manager overtime cap",
        "Most a manager stretches the time given to escalations when a backlog builds, as a "
        "multiple of organisation.manager_capacity beyond it (2 = up to three times the planned "
        "capacity).",
        unit="multiplier",
        source="assumption: the planned capacity is about 2.5 hours a week of a manager's week "
        "(organisation.manager_capacity, 6 cases of about 25 minutes); faced with a pile, a "
        "manager finds up to about 5 hours more (staying later, dropping other desk work), a "
        "week about 10% longer, not more than that week after week; not measured",
        uncertain=True,
        plausible=(0.5, 3.0),
    )
    overtime_half_backlog: float = _f(
        0.5,
        0.01,
        10.0,
        "Backlog for half the overtime",
        "Backlog carried in, in weeks of planned capacity, at which a manager gives half the "
        "overtime cap (the response saturates: stretch = cap x b / (b + this)).",
        unit="weeks",
        source="assumption: a manager notices and acts on a pile of about half a week's cases "
        "within the week; not measured",
        uncertain=True,
        plausible=(0.25, 2.0),
    )
    escalation_time_share: float = _f(
        0.055,
        0.0,
        1.0,
        "Escalation share of a manager's week",
        "Share of a manager's planned week the planned escalation capacity takes: each unit of "
        "overtime stretch adds this to the manager's workload (1 = the staffing plan).",
        unit="share 0-1",
        source="assumption: derived from organisation.manager_capacity's source, 6 cases x 25 "
        "minutes = 2.5 hours of a planned week of about 45 hours",
    )
    fcr_base: float = _f(
        0.45,
        0.0,
        1.0,
        "First-contact base",
        "Chance of settling an issue at first contact with no skill, quality or facts.",
        unit="share 0-1",
        source=_FCR,
        uncertain=True,
        plausible=(0.3, 0.6),
    )
    fcr_skill_weight: float = _f(
        0.25,
        0.0,
        1.0,
        "First contact: skill",
        "Weight of skill x know-how in the first-contact chance.",
        unit="index 0-1",
        source=_FCR,
        uncertain=True,
        plausible=(0.1, 0.4),
    )
    fcr_quality_weight: float = _f(
        0.13,
        0.0,
        1.0,
        "First contact: quality",
        "Weight of service-process quality in the first-contact chance.",
        unit="index 0-1",
        source=_FCR,
        uncertain=True,
        plausible=(0.05, 0.25),
    )
    fcr_facts_weight: float = _f(
        0.2,
        0.0,
        1.0,
        "First contact: facts",
        "Weight of having the customer's facts at hand (CRM or other unit) in the first-contact "
        "chance.",
        unit="index 0-1",
        source=_FCR,
        uncertain=True,
        plausible=(0.1, 0.35),
    )
    callback_days: float = _f(
        3.0,
        0.0,
        30.0,
        "Call-back time",
        "Days to settle an information request not settled at first contact.",
        unit="days",
        source="assumption: a typical call-back promise of a few working days",
    )
    missing_facts_days: float = _f(
        2.0,
        0.0,
        30.0,
        "Missing facts delay",
        "Days added to an escalated decision when the facts were missing too, and to a "
        "call-back in proportion to the facts not at hand (records speed resolution).",
        unit="days",
        source="assumption: gathering the facts takes a couple of days of back and forth",
    )
    other_unit_facts: float = _f(
        0.6,
        0.0,
        1.0,
        "Facts from the other unit",
        "Chance the facts are had from the other unit when what it knows reaches the handler "
        "(times permeability).",
        unit="share 0-1",
        source="assumption: asking a colleague elsewhere often, not always, gets the facts in time",
        uncertain=True,
        plausible=(0.3, 0.9),
    )
    knowhow_base: float = _f(
        0.4,
        0.0,
        2.0,
        "Know-how base",
        "Know-how multiplier on skill of a person whose practice fits nothing that works.",
        unit="multiplier",
        source="calibrated: with 0.8 per unit of practice knowledge, 1 for an average person "
        "of command_and_control at rest (practice knowledge 0.75 once the playbook starts at "
        "its balance: 0.4 + 0.8 x 0.75 = 1.0; it was 0.5 at practice near 0.6), so first-contact "
        "resolution stays in SQM's 60-80% band (docs/ODD.md 7.2, 8.A)",
    )
    knowhow_practice_weight: float = _f(
        0.8,
        0.0,
        2.0,
        "Know-how from practice",
        "Increase of the know-how multiplier per unit of practice knowledge (share of one's "
        "beliefs that match what works).",
        unit="multiplier",
        source="assumption: doubling-ish spread between the least and the best informed "
        "(0.5 to 1.3); not measured",
        uncertain=True,
        plausible=(0.4, 1.2),
    )


#: The schema defaults (frozen), for formula callers that pass no section.
DEFAULT_DECISIONS = Decisions()
