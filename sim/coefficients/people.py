"""Coefficients of process 7, people (``sim/processes/people.py``): TOML section ``[people]``.

Workload, morale, quits and newcomers (``sim.mechanisms.people``), and the spread of the staff's
initial skill, morale, felt safety, customer orientation and tenure (``sim.state.build_state``).
:class:`sim.scenario.People` derives from :class:`PeopleCoefficients`, so these keys sit beside
``people.base_quit_annual`` and the other inputs of that section.
"""

from __future__ import annotations

from sim.parameters import _f, _Section

_SET_BY_HAND = "assumption: set by hand in the first version, not measured; "


class PeopleCoefficients(_Section):
    """Coefficients of workload, morale, quits, newcomers and the initial staff."""

    # ---------------------------------------------------------------- workload
    busywork: float = _f(
        0.25,
        0.0,
        2.0,
        "CRM busywork",
        "Extra workload from full CRM use that yields no data use in return "
        "(times usage and 1 - data use).",
        unit="multiplier",
        source=_SET_BY_HAND + "record keeping nobody uses costs about a quarter of a plan's "
        "work (a common complaint in CRM rollouts)",
        uncertain=True,
        plausible=(0.1, 0.4),
    )
    vacancy_cover_cap: float = _f(
        0.5,
        0.0,
        0.95,
        "Vacancy cover cap",
        "Largest vacant share of a unit its remaining staff cover (workload x 1/(1 - share)).",
        unit="share 0-1",
        source=_SET_BY_HAND + "beyond half the posts vacant, work is dropped, not covered",
    )
    manager_workload_base: float = _f(
        0.7,
        0.0,
        5.0,
        "Manager base workload",
        "A manager's workload with no escalation backlog (1 = the staffing plan).",
        unit="multiplier",
        source=_SET_BY_HAND + "managers have slack when nothing is escalated",
    )
    manager_backlog_weight: float = _f(
        0.5,
        0.0,
        5.0,
        "Manager backlog weight",
        "Extra manager workload per week's capacity of escalation backlog.",
        unit="multiplier",
        source=_SET_BY_HAND + "a full week's backlog brings a manager to 1.2 times the plan",
        uncertain=True,
        plausible=(0.2, 1.0),
    )
    # ------------------------------------------------------------------ morale
    morale_drift: float = _f(
        0.1,
        0.0,
        1.0,
        "Morale drift",
        "Share of the gap between morale and its target closed each week.",
        unit="1/week",
        source=_SET_BY_HAND + "morale follows working conditions within a couple of months",
        uncertain=True,
        plausible=(0.03, 0.3),
    )
    morale_base: float = _f(
        0.69,
        0.0,
        1.0,
        "Morale target (base)",
        "Morale target with no overload, powerlessness or angry customers and no coaching manager.",
        unit="index 0-1",
        source=_SET_BY_HAND + "with the initial mean 0.62 and the quit pivot 0.6, an untroubled "
        "team sits a little above both; 0.72 until version 2, lowered by 0.03 to absorb the "
        "removed direct felt-safety term at command_and_control's felt safety (0.15 x (0.28 - "
        "0.5))",
        uncertain=True,
        plausible=(0.6, 0.85),
    )
    morale_overload_weight: float = _f(
        0.35,
        0.0,
        2.0,
        "Morale: overload weight",
        "Morale target lost per unit of workload over the norm.",
        unit="index 0-1",
        source=_SET_BY_HAND + "job demands are the largest strain (Bakker & Demerouti 2007)",
        uncertain=True,
        plausible=(0.15, 0.6),
    )
    morale_powerless_weight: float = _f(
        0.25,
        0.0,
        2.0,
        "Morale: powerlessness weight",
        "Morale target lost when all of one's open issues are stuck above one's authority.",
        unit="index 0-1",
        source=_SET_BY_HAND + "seed 001: the employee feels his powerlessness",
        uncertain=True,
        plausible=(0.1, 0.5),
    )
    morale_angry_weight: float = _f(
        0.25,
        0.0,
        2.0,
        "Morale: angry customers weight",
        "Morale target lost when all of one's customers are unhappy.",
        unit="index 0-1",
        source=_SET_BY_HAND + "seed 001: he sees the frustrated customer",
        uncertain=True,
        plausible=(0.1, 0.5),
    )
    morale_support_weight: float = _f(
        0.08,
        0.0,
        1.0,
        "Morale: coaching manager",
        "Morale target gained with a supportive (coaching) manager.",
        unit="index 0-1",
        source=_SET_BY_HAND + "a job resource, smaller than the demands (Bakker & Demerouti 2007)",
        uncertain=True,
        plausible=(0.0, 0.2),
    )
    newcomer_morale: float = _f(
        0.7,
        0.0,
        1.0,
        "Newcomer morale",
        "Morale of a new hire on the first day.",
        unit="index 0-1",
        source=_SET_BY_HAND + "new hires start keen, above the initial staff mean 0.62",
    )
    # ------------------------------------------------------------------- quits
    quit_morale_pivot: float = _f(
        0.6,
        0.0,
        1.0,
        "Quit pivot morale",
        "Morale at which the weekly quit hazard equals people.base_quit_annual's rate.",
        unit="index 0-1",
        source=_SET_BY_HAND + "just below the initial mean morale 0.62; with it and "
        "base_quit_annual 0.28 command_and_control loses 0.283 a year (docs/ODD.md 7.2), near "
        "the contact-centre range of 30-45% a year (industry surveys, MODEL_BRIEF)",
        uncertain=True,
        plausible=(0.45, 0.75),
    )
    quit_slope: float = _f(
        3.0,
        0.0,
        20.0,
        "Quit slope",
        "How steeply the quit hazard rises as morale falls (hazard x exp(slope x (pivot - "
        "morale))).",
        unit="multiplier",
        source=_SET_BY_HAND + "a fall of 0.23 in morale doubles the hazard; Park & Shaw (2013) "
        "find turnover strongly tied to attitudes, but give no slope on this scale",
        uncertain=True,
        plausible=(1.0, 6.0),
    )
    manager_quit_scale: float = _f(
        0.5,
        0.0,
        2.0,
        "Managers' quit scale",
        "Managers' quit hazard relative to front-line staff at the same morale.",
        unit="multiplier",
        source=_SET_BY_HAND + "managers move less often than front-line staff",
        uncertain=True,
        plausible=(0.3, 1.0),
    )
    quit_rate_cap: float = _f(
        0.95,
        0.0,
        0.999,
        "Quit rate cap",
        "Largest yearly quit share turned into a weekly hazard by -log(1 - share)/52 "
        "(a guard against log(0); larger values are read as a yearly hazard).",
        unit="per year",
        source="assumption: a numerical guard, well above any real front-line turnover",
    )
    # --------------------------------------------------------------- newcomers
    newcomer_orientation_sd: float = _f(
        0.15,
        0.0,
        1.0,
        "Newcomer orientation spread",
        "Standard deviation of a new hire's customer orientation around "
        "people.hiring_pool_orientation.",
        unit="index 0-1",
        source=_SET_BY_HAND + "the hiring pool varies as much as the staff do",
    )
    hiring_pool_orientation: float = _f(
        0.3,
        0.0,
        1.0,
        "Hiring pool's orientation",
        "Mean customer orientation of the labour market newcomers are hired from, before "
        "socialisation pulls them towards the local norm (team, manager, organisation; "
        "learning.norm_*_weight). The staff start at the mean hiring, turnover and "
        "socialisation settle to (sim.mechanisms.learning.orientation_at_rest).",
        unit="index 0-1",
        source="assumption: the labour market's average customer orientation sits below that of "
        "a firm that sets out to be customer-centred (the presets' culture.customer_orientation "
        "is 0.4-0.55), so newcomers arrive less oriented than the organisation's norm and "
        "socialisation has a gap to close; the mechanism is Harrison & Carroll's (1991, Admin. "
        "Science Quarterly) cultural transmission under hiring, socialisation and turnover, "
        "the number is not from them (docs/ODD.md 8.E)",
        uncertain=True,
        plausible=(0.2, 0.5),
    )
    anchored_usage: float = _f(
        0.5,
        0.0,
        1.0,
        "Anchored newcomers' usage",
        "CRM usage of a front-line newcomer once the change is anchored (Kotter's step 8).",
        unit="share 0-1",
        source=_SET_BY_HAND + "taught the CRM as how we work here, a newcomer starts at half use",
        uncertain=True,
        plausible=(0.2, 0.8),
    )
    # ------------------------------------------------ turnover reaches customers
    relationship_loss: float = _f(
        0.08,
        0.0,
        1.0,
        "Relationship loss",
        "Satisfaction a customer loses when their account owner or service handler leaves "
        "(the relationship and what the person knew of them go too), before the CRM record "
        "softens it; recovers at customers.satisfaction_drift as the new relationship forms.",
        unit="index 0-1",
        source="calibrated: sized so that raising people.base_quit_annual from 0.1 to 0.6 in "
        "command_and_control gives a turnover-performance link near Park & Shaw's (2013, J. "
        "Applied Psychology) meta-analytic rho -0.15 between turnover rates and organisational "
        "performance (docs/ODD.md 8.E)",
        uncertain=True,
        plausible=(0.02, 0.15),
    )
    record_softening: float = _f(
        0.5,
        0.0,
        1.0,
        "CRM record softening",
        "Share of the relationship loss a complete CRM record of the customer keeps away "
        "(loss x (1 - softening x record)).",
        unit="share 0-1",
        source=_SET_BY_HAND + "the record keeps the history and open issues, not the personal "
        "tie; half is a middle guess",
        uncertain=True,
        plausible=(0.2, 0.8),
    )
    newcomer_socialisation_boost: float = _f(
        3.0,
        0.0,
        20.0,
        "Newcomers' socialisation boost",
        "How much faster than a settled colleague a newcomer learns the playbook (March's p1 "
        "x (1 + boost x exp(-tenure / learning.socialise_tenure_weeks))).",
        unit="multiplier",
        source=_SET_BY_HAND + "newcomers are the most malleable (Harrison & Carroll 1991); the "
        "same 3:1 ratio as learning.socialise_newcomer to socialise_base for orientation",
        uncertain=True,
        plausible=(1.0, 6.0),
    )
    # ---------------------------------------------------------- initial staff
    skill_beta_a: float = _f(
        8.0,
        0.1,
        100.0,
        "Initial skill Beta a",
        "First shape parameter (a pseudo-count) of the staff's initial skill, Beta(a, b).",
        unit="count",
        source=_SET_BY_HAND + "Beta(8, 2): mean 0.8, most staff seasoned, a few still learning",
    )
    skill_beta_b: float = _f(
        2.0,
        0.1,
        100.0,
        "Initial skill Beta b",
        "Second shape parameter (a pseudo-count) of the staff's initial skill, Beta(a, b).",
        unit="count",
        source=_SET_BY_HAND + "Beta(8, 2): mean 0.8, most staff seasoned, a few still learning",
    )
    initial_morale_mean: float = _f(
        0.62,
        0.0,
        1.0,
        "Initial morale",
        "Mean morale of the staff at the start (normal, clipped to 0-1).",
        unit="index 0-1",
        source=_SET_BY_HAND + "a little above the quit pivot 0.6: an ordinary operation",
        uncertain=True,
        plausible=(0.45, 0.75),
    )
    initial_morale_sd: float = _f(
        0.1,
        0.0,
        1.0,
        "Initial morale spread",
        "Standard deviation of the staff's initial morale.",
        unit="index 0-1",
        source=_SET_BY_HAND + "moderate spread between people",
    )
    initial_safety_sd: float = _f(
        0.1,
        0.0,
        1.0,
        "Initial safety spread",
        "Standard deviation of felt safety around culture.psychological_safety at the start.",
        unit="index 0-1",
        source=_SET_BY_HAND + "moderate spread between people",
    )
    initial_orientation_sd: float = _f(
        0.15,
        0.0,
        1.0,
        "Initial orientation spread",
        "Standard deviation of customer orientation at the start around its mean at rest "
        "(sim.mechanisms.learning.orientation_at_rest).",
        unit="index 0-1",
        source=_SET_BY_HAND + "culture traits vary more between people than morale does",
    )
    tenure_min_weeks: int = _f(
        26,
        0,
        5200,
        "Initial tenure (shortest)",
        "Shortest tenure in post of the staff at the start (uniform, weeks).",
        unit="weeks",
        source=_SET_BY_HAND + "an established team: nobody started in the last six months",
    )
    tenure_span_weeks: int = _f(
        494,
        1,
        5200,
        "Initial tenure span",
        "Width of the uniform range of the staff's tenure in post at the start: tenures are "
        "tenure_min_weeks up to (not including) tenure_min_weeks + this.",
        unit="weeks",
        source=_SET_BY_HAND + "tenures of 26 weeks up to ten years (520 weeks) in post",
    )


#: The schema defaults (frozen), for formula callers that pass no section.
DEFAULT_PEOPLE = PeopleCoefficients()
