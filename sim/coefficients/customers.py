"""Coefficients of process 4, customers (``sim/processes/customers.py``).

:class:`CustomerCoefficients` holds the satisfaction, complaint and churn formulas' numbers
(``sim.mechanisms.customers``), record logging (``sim.mechanisms.crm_records``) and the initial
customers of ``sim.state.build_state``; the scenario's ``Customers`` section derives from it, so
they read ``customers.unhappy_line`` etc. Nearly all were set by hand by the first version of the
model; the sources say so.
"""

from __future__ import annotations

from sim.parameters import _f, _Section


class CustomerCoefficients(_Section):
    """How customers' satisfaction moves, when they complain and leave, and their records."""

    unhappy_line: float = _f(
        0.45,
        0.0,
        1.0,
        "Unhappy line",
        "Satisfaction below which a customer is dissatisfied: weighs on staff morale, counts "
        "in dissatisfied_share (complaints use the churn pivot instead).",
        unit="index 0-1",
        source="assumption: a little below the middle of the scale; the initial Beta(6.5, 3.5) "
        "puts about a fifth of customers under it",
        uncertain=True,
        plausible=(0.35, 0.55),
    )
    angry_line: float = _f(
        0.40,
        0.0,
        1.0,
        "Angry line",
        "Satisfaction below which (or with an open issue) a sales call lands badly.",
        unit="index 0-1",
        source="assumption: just under the unhappy line",
        uncertain=True,
        plausible=(0.3, 0.5),
    )
    target_base: float = _f(
        0.22,
        0.0,
        1.0,
        "Satisfaction target base",
        "Satisfaction a customer settles at with no service quality or care, before expectations.",
        unit="index 0-1",
        source="assumption: with the weights, a typical customer settles near the initial mean "
        "0.65 at good service",
        uncertain=True,
        plausible=(0.1, 0.35),
    )
    target_quality_weight: float = _f(
        0.35,
        0.0,
        1.0,
        "Service quality weight",
        "Satisfaction target added by service quality (0-1).",
        unit="index 0-1",
        source="assumption: experienced quality is the largest term (expectation-confirmation, "
        "Oliver 1980, gives the direction, not the size)",
        uncertain=True,
        plausible=(0.2, 0.5),
    )
    target_care_weight: float = _f(
        0.25,
        0.0,
        1.0,
        "Account-care weight",
        "Satisfaction target added by the account owner's care behaviour (0-1: incentive "
        "effort as the owner's customer orientation turns it into care, incentives.owner_care).",
        unit="index 0-1",
        source="assumption: version 1 had 0.1 x care effort + 0.15 x owner orientation; the "
        "orientation term now acts through care, so its weight moved here: 0.25 x care keeps "
        "the target of command_and_control and functional_silos within about 0.015 of version 1",
        uncertain=True,
        plausible=(0.1, 0.4),
    )
    satisfaction_drift: float = _f(
        0.05,
        0.0,
        1.0,
        "Satisfaction drift",
        "Share of the gap to the satisfaction target closed each week.",
        unit="1/week",
        source="assumption: satisfaction settles over about 20 weeks (half-life about 14)",
        uncertain=True,
        plausible=(0.02, 0.1),
    )
    churn_pivot: float = _f(
        0.7,
        0.01,
        1.0,
        "Churn pivot",
        "Satisfaction from which up only the base churn hazard applies; below it the extra "
        "hazard grows with the square of the gap.",
        unit="index 0-1",
        source="assumption: satisfied customers (0.7 and up) leave only for reasons outside "
        "the service",
        uncertain=True,
        plausible=(0.55, 0.85),
    )
    fcr_gain: float = _f(
        0.04,
        0.0,
        1.0,
        "First-contact resolution gain",
        "Satisfaction gained from an issue settled at first contact, at full service quality.",
        unit="index 0-1",
        source="assumption: a few points per issue, in line with SQM's about 1 point of "
        "satisfaction per point of FCR at the population level",
        uncertain=True,
        plausible=(0.02, 0.08),
    )
    repeat_contact_cost: float = _f(
        0.15,
        0.0,
        0.5,
        "Repeat contact cost",
        "Share of a customer's satisfaction lost when an issue is not settled at first contact "
        "(they must come back).",
        unit="share 0-1",
        source="cited: SQM Group, each repeat contact costs about 15% of customer satisfaction "
        "(MODEL_BRIEF, figures); SQM measures transactional top-box satisfaction, carried here "
        "to the relationship index as a share of it",
        uncertain=True,
        plausible=(0.05, 0.2),
    )
    voice_base: float = _f(
        0.25,
        0.0,
        2.0,
        "Voice base",
        "Willingness to complain, as a multiplier on complaint_propensity, where the "
        "organisation does not respond to complaints at all.",
        unit="multiplier",
        source="assumption: a deaf organisation hears a ninth as many unhappy customers as a "
        "fully responsive one (0.25 vs 2.25); complaint behaviour research gives the direction "
        "(customers who expect a complaint to succeed voice more: Richins 1983; Hirschman "
        "1970), not the size",
        uncertain=True,
        plausible=(0.1, 1.0),
    )
    voice_listening_weight: float = _f(
        2.0,
        0.0,
        4.0,
        "Voice from listening",
        "Willingness to complain added by the organisation's responsiveness (0-1): complaints "
        "recovered teach customers that speaking up works.",
        unit="multiplier",
        source="assumption: with voice_base, willingness runs from 0.25 (deaf) to 2.25 (fully "
        "responsive), about 0.75 at the command-and-control preset; not measured",
        uncertain=True,
        plausible=(0.5, 3.0),
    )
    complaint_waiting_weight: float = _f(
        1.0,
        0.0,
        5.0,
        "Waiting issue complaint boost",
        "Relative increase of the weekly complaint chance while the customer's issue is still "
        "open (waiting).",
        unit="multiplier",
        source="assumption: a customer chasing an open issue is twice as likely to complain; "
        "direction from TARP (1979), where complaints follow unresolved problems",
        uncertain=True,
        plausible=(0.0, 3.0),
    )
    retention_rate: float = _f(
        0.05,
        0.0,
        1.0,
        "CRM retention targeting rate",
        "Chance per week that an at-risk customer (below the churn pivot) gets a retention "
        "contact because CRM data singles them out, at full data use, owner usage and record.",
        unit="per week",
        source="assumption: at full use about one at-risk account in five a month is picked "
        "out; no published figure found (Mithas, Krishnan & Fornell 2005 show CRM raises "
        "customer knowledge and through it satisfaction, without a size usable here)",
        uncertain=True,
        plausible=(0.0, 0.15),
    )
    retention_gain: float = _f(
        0.05,
        0.0,
        1.0,
        "Retention contact gain",
        "Satisfaction gained by a retention contact aimed with CRM data.",
        unit="index 0-1",
        source="assumption: about the gain of an informed account-care call; not measured",
        uncertain=True,
        plausible=(0.02, 0.1),
    )
    resolved_gain: float = _f(
        0.02,
        0.0,
        1.0,
        "Late resolution relief",
        "Satisfaction gained when a waiting issue is finally settled.",
        unit="index 0-1",
        source="assumption: half the gain of settling it at first contact",
    )
    wait_cost_per_day: float = _f(
        0.012,
        0.0,
        0.2,
        "Waiting cost per day",
        "Satisfaction lost per day an issue waits beyond the grace days, times (1 + severity).",
        unit="index 0-1",
        source="assumption: a week's wait beyond the grace days costs about 0.06, more than a "
        "first-contact resolution gains",
        uncertain=True,
        plausible=(0.005, 0.025),
    )
    wait_grace_days: float = _f(
        2.0,
        0.0,
        7.0,
        "Waiting grace days",
        "Days an open issue may wait before waiting costs satisfaction.",
        unit="days",
        source="assumption: customers expect a reply within a couple of days",
    )
    recovery_gain: float = _f(
        0.15,
        0.0,
        1.0,
        "Service recovery gain",
        "Satisfaction gained from a complaint handled well.",
        unit="index 0-1",
        source="assumption: sized for the service recovery paradox (McCollough 2000), which "
        "gives the direction, not the size",
        uncertain=True,
        plausible=(0.05, 0.25),
    )
    unrecovered_loss: float = _f(
        0.03,
        0.0,
        1.0,
        "Unrecovered complaint loss",
        "Satisfaction lost from a complaint that goes nowhere.",
        unit="index 0-1",
        source="assumption: a small further loss on top of the dissatisfaction that caused it",
    )
    new_customer_satisfaction: float = _f(
        0.65,
        0.0,
        1.0,
        "New customer satisfaction",
        "Satisfaction of a newly won customer.",
        unit="index 0-1",
        source="assumption: the mean of the initial customers' Beta(6.5, 3.5)",
    )
    new_record_base: float = _f(
        0.2,
        0.0,
        1.0,
        "New customer record",
        "Completeness of a new customer's record when the owner does not use the CRM.",
        unit="index 0-1",
        source="assumption: contact details and the contract only",
    )
    new_record_usage_weight: float = _f(
        0.5,
        0.0,
        0.8,
        "New record usage weight",
        "Completeness added to a new customer's record at the owner's full CRM usage.",
        unit="index 0-1",
        source="assumption: a CRM user records the sale itself (0.2 + 0.5 = 0.7)",
    )
    record_stale_rate: float = _f(
        0.03,
        0.0,
        1.0,
        "Record staleness",
        "Share of a record's freshness lost each week without new logging.",
        unit="1/week",
        source="assumption: a record unattended for half a year keeps about 45% of its value",
        uncertain=True,
        plausible=(0.01, 0.06),
    )
    log_gain: float = _f(
        0.5,
        0.0,
        1.0,
        "Logging gain",
        "Share of the gap to a complete record closed by one logged interaction.",
        unit="share 0-1",
        source="assumption: two logged interactions take a blank record to three quarters",
    )
    initial_satisfaction_a: float = _f(
        6.5,
        0.1,
        100.0,
        "Initial satisfaction Beta a",
        "First shape parameter of the Beta distribution of the initial customers' satisfaction.",
        unit="count",
        source="assumption: Beta(6.5, 3.5), mean 0.65 and sd 0.14, a customer base mostly "
        "content with a discontented tail",
    )
    initial_satisfaction_b: float = _f(
        3.5,
        0.1,
        100.0,
        "Initial satisfaction Beta b",
        "Second shape parameter of the Beta distribution of the initial customers' satisfaction.",
        unit="count",
        source="assumption: Beta(6.5, 3.5), mean 0.65 and sd 0.14, a customer base mostly "
        "content with a discontented tail",
    )
    initial_record_mean: float = _f(
        0.3,
        0.0,
        1.0,
        "Initial record completeness",
        "Mean completeness of the initial customers' records (normal, clipped to 0-1).",
        unit="index 0-1",
        source="assumption: before the CRM, customer data is scattered and patchy",
    )
    initial_record_sd: float = _f(
        0.1,
        0.0,
        0.5,
        "Initial record spread",
        "Standard deviation of the initial customers' record completeness.",
        unit="index 0-1",
        source="assumption: some accounts are documented better than others",
    )
    expectation_sd: float = _f(
        0.12,
        0.0,
        0.5,
        "Expectation spread",
        "Standard deviation of customers' expectations, subtracted from their satisfaction "
        "target (some are never easily pleased).",
        unit="index 0-1",
        source="assumption: expectations spread the settled satisfaction by about an eighth "
        "of the scale",
        uncertain=True,
        plausible=(0.05, 0.2),
    )
    local_handler_share: float = _f(
        0.8,
        0.0,
        1.0,
        "Local service handler share",
        "Share of accounts served by the owner's own unit or circle where it has service staff.",
        unit="share 0-1",
        source="assumption: regional and circle teams handle most of their own accounts",
    )


#: The schema defaults (frozen), for formula callers that pass no section.
DEFAULT_CUSTOMERS = CustomerCoefficients()
