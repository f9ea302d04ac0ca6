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
        0.5,
        0.0,
        2.0,
        "Know-how base",
        "Know-how multiplier on skill of a person whose practice fits nothing that works.",
        unit="multiplier",
        source="assumption: with 0.8 per unit of practice knowledge, about 1 for an average "
        "person (practice near 0.6)",
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
