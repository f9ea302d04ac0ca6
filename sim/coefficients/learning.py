"""Coefficients of process 5, learning (``sim/processes/learning.py``): TOML section ``[learning]``.

Problems met, reported and fixed (``sim.mechanisms.learning``), felt safety and customer
orientation drifting to their norms, and March's (1991) playbook cycle (``sim.mechanisms.playbook``,
started and settled in ``sim.state.build_state``). Rates are per week: March's p1, p2, p3 and p4
are per period, a round of learning in his simulations; here a period is taken to be 16 weeks
(an assumption: the time in which command_and_control's front line turns over March's p3 = 0.1)
and a per-period chance p becomes 1 - (1 - p)^(1/16) a week.
"""

from __future__ import annotations

from sim.parameters import _f, _Section

_SET_BY_HAND = "assumption: set by hand in the first version, not measured; "


class Learning(_Section):
    """Coefficients of problem reporting and fixing, safety, socialisation and the playbook."""

    # ---------------------------------------------------------------- problems
    problems_reference_front: float = _f(
        10.0,
        1.0,
        1000.0,
        "Front-line staff per problem set",
        "Front-line positions that share one set of process problems (a team working the same "
        "processes); the problem stock and its inflow are per set, times the organisation's "
        "sets.",
        unit="count",
        source="assumption: about one front-line team (a team lead's span of 6-12); problems "
        "are counted per team so an organisation's stock grows with its size and is many small "
        "problems, not a handful (version 1 had one set for the whole organisation, so the stock "
        "at rest was a few problems and service quality wandered: docs/ODD.md 8.A)",
        uncertain=True,
        plausible=(5.0, 30.0),
    )
    problems_base: float = _f(
        20.0,
        0.0,
        1000.0,
        "Latent problems (base)",
        "Process and tool problems latent at the start with a perfect tool, per "
        "problems_reference_front front-line staff.",
        unit="count",
        source=_SET_BY_HAND + "a few dozen unfixed process snags in an established operation "
        "of a team's size",
    )
    problems_tool_gap: float = _f(
        40.0,
        0.0,
        1000.0,
        "Latent problems per tool gap",
        "Extra latent problems at the start per unit of tool quality short of 1, per "
        "problems_reference_front front-line staff.",
        unit="count",
        source=_SET_BY_HAND + "a poor tool (quality 0) triples the problems of a perfect one",
        uncertain=True,
        plausible=(10.0, 80.0),
    )
    turbulence_problems: float = _f(
        0.3,
        0.0,
        50.0,
        "New problems a week",
        "Mean number of new process problems a week from a changing market (Poisson), per "
        "problems_reference_front front-line staff.",
        unit="per week",
        source=_SET_BY_HAND + "about 15 new problems a year in a team's processes, fewer than "
        "a responsive organisation fixes, more than an unresponsive one does",
        uncertain=True,
        plausible=(0.1, 1.0),
    )
    encounter_rate: float = _f(
        1.0,
        0.0,
        20.0,
        "Problem encounter rate",
        "Mean problems a front-line person meets a week when all the problems of their set "
        "are unreported (Poisson; scaled by the unreported share).",
        unit="per week",
        source="calibrated: keeps the weekly report rate per problem of version 1 at the test "
        "size (0.08 a person when one set served about 118 front-line staff: 0.08 x 118 / 10 "
        "= 0.94, rounded to 1); a person meets one of their team's snags every week or so "
        "when none is fixed",
        uncertain=True,
        plausible=(0.25, 2.5),
    )
    fix_rate: float = _f(
        0.35,
        0.0,
        1.0,
        "Problem fix rate",
        "Weekly chance that a reported problem is fixed at full responsiveness "
        "(times culture.responsiveness).",
        unit="per week",
        source=_SET_BY_HAND + "a responsive organisation fixes a reported problem in about "
        "three weeks",
        uncertain=True,
        plausible=(0.1, 0.7),
    )
    quality_slope: float = _f(
        0.4,
        0.0,
        1.0,
        "Quality loss from problems",
        "Service quality lost when as many problems are latent as at the start.",
        unit="index 0-1",
        source=_SET_BY_HAND + "the initial problems cost 40% of process quality",
        uncertain=True,
        plausible=(0.2, 0.6),
    )
    quality_floor: float = _f(
        0.4,
        0.0,
        1.0,
        "Quality floor",
        "Lowest service quality, however many problems are latent.",
        unit="index 0-1",
        source=_SET_BY_HAND + "processes still work in part with many snags",
    )
    # ------------------------------------------------------------------ safety
    safety_drift: float = _f(
        0.1,
        0.0,
        1.0,
        "Safety drift",
        "Share of the gap between felt safety and the safety climate closed each week.",
        unit="1/week",
        source=_SET_BY_HAND + "felt safety follows the climate within a couple of months",
        uncertain=True,
        plausible=(0.02, 0.3),
    )
    climate_dial_weight: float = _f(
        0.6,
        0.0,
        1.0,
        "Climate: culture weight",
        "Weight of the organisation's psychological-safety dial in the safety climate.",
        unit="index 0-1",
        source=_SET_BY_HAND + "the organisation's climate dominates (Edmondson 1999: team "
        "safety is a shared belief); the three climate weights sum to 1",
        uncertain=True,
        plausible=(0.4, 0.8),
    )
    climate_manager_weight: float = _f(
        0.25,
        0.0,
        1.0,
        "Climate: manager weight",
        "Weight of a coaching (supportive) manager in the safety climate.",
        unit="index 0-1",
        source=_SET_BY_HAND + "the leader's coaching is the next largest influence "
        "(Edmondson 1999)",
        uncertain=True,
        plausible=(0.1, 0.4),
    )
    climate_voice_weight: float = _f(
        0.15,
        0.0,
        1.0,
        "Climate: voice weight",
        "Weight of voice efficacy (speaking up has been worth it) in the safety climate.",
        unit="index 0-1",
        source=_SET_BY_HAND + "a smaller feedback from whether reports get fixed",
        uncertain=True,
        plausible=(0.05, 0.3),
    )
    initial_voice_efficacy: float = _f(
        0.5,
        0.0,
        1.0,
        "Initial voice efficacy",
        "Share of reported problems people believe get fixed, at the start of the run.",
        unit="share 0-1",
        source="assumption: undecided at the start (half), before any report has been seen",
    )
    voice_weight: float = _f(
        0.1,
        0.0,
        1.0,
        "Voice efficacy update",
        "Weight of this week's fix rate in voice efficacy (the rest is last week's value).",
        unit="1/week",
        source=_SET_BY_HAND + "people judge by the last couple of months of reports",
    )
    voice_gain: float = _f(
        3.0,
        0.0,
        100.0,
        "Voice efficacy gain",
        "Multiplier on the week's fixed share of the queue before it is capped at 1.",
        unit="multiplier",
        source=_SET_BY_HAND + "fixing a third of the queue in a week feels fully worth it",
    )
    # ---------------------------------------------------------- socialisation
    socialise_base: float = _f(
        0.05,
        0.0,
        1.0,
        "Socialisation rate (seasoned)",
        "Weekly share of the gap to the orientation norm closed by a long-tenured person at "
        "full culture.socialisation.",
        unit="1/week",
        source=_SET_BY_HAND + "seasoned staff change slowly (Harrison & Carroll 1991)",
        uncertain=True,
        plausible=(0.01, 0.15),
    )
    socialise_newcomer: float = _f(
        0.15,
        0.0,
        1.0,
        "Socialisation rate (newcomer extra)",
        "Extra weekly socialisation rate of a newcomer, decaying with tenure.",
        unit="1/week",
        source=_SET_BY_HAND + "newcomers are the most malleable (Harrison & Carroll 1991)",
        uncertain=True,
        plausible=(0.05, 0.4),
    )
    socialise_tenure_weeks: float = _f(
        26.0,
        1.0,
        520.0,
        "Socialisation time constant",
        "Tenure over which a newcomer's extra malleability decays by a factor e.",
        unit="weeks",
        source=_SET_BY_HAND + "about the first six months in post",
    )
    norm_team_weight: float = _f(
        0.5,
        0.0,
        1.0,
        "Norm: team weight",
        "Weight of the unit's mean customer orientation in the norm people are socialised to.",
        unit="index 0-1",
        source=_SET_BY_HAND + "peers matter most day to day; the three norm weights sum to 1",
        uncertain=True,
        plausible=(0.3, 0.7),
    )
    norm_manager_weight: float = _f(
        0.3,
        0.0,
        1.0,
        "Norm: manager weight",
        "Weight of the manager's customer orientation in the norm.",
        unit="index 0-1",
        source=_SET_BY_HAND + "the leader sets an example",
        uncertain=True,
        plausible=(0.1, 0.5),
    )
    norm_org_weight: float = _f(
        0.2,
        0.0,
        1.0,
        "Norm: organisation weight",
        "Weight of the organisation's stated customer orientation in the norm.",
        unit="index 0-1",
        source=_SET_BY_HAND + "the official line counts for less than people seen every day",
        uncertain=True,
        plausible=(0.05, 0.4),
    )
    # ---------------------------------------------------------------- playbook
    playbook_p1: float = _f(
        0.134,
        0.0,
        1.0,
        "Playbook socialisation (p1)",
        "Weekly chance that a belief differing from the playbook moves towards it, at full "
        "culture.socialisation (March's p1).",
        unit="per week",
        source="cited: March's (1991) highest simulated p1, 0.9 per period, spread over a "
        "period of 16 weeks (an assumption: the time in which command_and_control's front "
        "line turns over March's p3 = 0.1, see playbook_p2), 1 - (1 - 0.9)^(1/16) = 0.134; at "
        "command_and_control's socialisation 0.3, 0.040 a week = 0.48 a period (March's 0.5)",
        uncertain=True,
        plausible=(0.04, 0.3),
    )
    playbook_p2: float = _f(
        0.134,
        0.0,
        1.0,
        "Playbook learning (p2)",
        "Weekly chance, per unit of the majority's margin in a sample of "
        "playbook_reference_people front-line staff, that the playbook takes up the practice of "
        "those outperforming it, at full culture.responsiveness (March's p2).",
        unit="per week",
        source="cited: March's (1991) highest simulated p2, 0.9 per period, over a period of "
        "16 weeks, 1 - (1 - 0.9)^(1/16) = 0.134. The period is an assumption: March's "
        "turnover runs p3 = 0.1 per period (his Figs. 3-4) and command_and_control's front "
        "line quits at -ln(1 - 0.28)/52 = 0.0063 a week (people.base_quit_annual), so 0.1 "
        "of it turns over in ln(0.9)/ln(1 - 0.0063) = 16.6 weeks; at command_and_control's "
        "responsiveness 0.25, 0.034 a week = 0.42 a period (March's Fig. 4 uses 0.5)",
        uncertain=True,
        plausible=(0.04, 0.3),
    )
    playbook_reference_people: int = _f(
        50,
        1,
        100000,
        "Playbook reference panel",
        "Front-line positions whose practice the playbook learns from (March's organisation), "
        "evenly spread over the front line; the whole front line when it is smaller. Everyone "
        "in post is socialised into the playbook.",
        unit="count",
        source="cited: March (1991) simulates n = 50 individuals; learning from a panel of that "
        "size keeps his rule at his size whatever the organisation's (learning from the whole "
        "front line, 1 - (1 - p2)^k saturated with the majority's margin k and the playbook's "
        "level at rest depended on size); which positions form the panel is an assumption",
    )
    playbook_rest_weeks: int = _f(
        780,
        0,
        5200,
        "Playbook settling weeks",
        "Weeks of March's cycle run on the playbook and the front line's beliefs alone, at the "
        "starting design's rates, before the burn-in, so the playbook starts at its balance "
        "(0: it starts from initial_code_knowledge and relaxes during the run).",
        unit="weeks",
        source="measured: the code relaxes to its balance over years (a time constant of about "
        "two years at command_and_control's rates); 15 years leaves no trend over the next "
        "three (tests/test_rest.py, docs/ODD.md 8.A)",
    )
    playbook_rest_cohort: int = _f(
        2000,
        1,
        1000000,
        "Playbook settling cohort",
        "Most front-line positions settled with the playbook; above it a random cohort of this "
        "size is settled and the rest take the beliefs of a cohort member drawn at random.",
        unit="count",
        source="measured: the playbook learns from its reference panel alone "
        "(playbook_reference_people), the rest of the front line follows it, so a cohort far "
        "above the panel settles as the whole does; "
        "2000 keeps the settling under a second at 100,000 people (docs/ODD.md 8.A)",
    )
    playbook_dimensions: int = _f(
        30,
        1,
        1000,
        "Playbook dimensions (m)",
        "Number of dimensions of customer-handling practice in the playbook (March's m).",
        unit="count",
        source="cited: March (1991) uses m = 30 dimensions of reality",
    )
    initial_code_knowledge: float = _f(
        0.65,
        0.0,
        1.0,
        "Initial playbook knowledge",
        "Share of dimensions on which the playbook matches what works at the start.",
        unit="share 0-1",
        source=_SET_BY_HAND + "an established organisation's playbook is mostly right",
        uncertain=True,
        plausible=(0.4, 0.85),
    )
    initial_blank_share: float = _f(
        0.2,
        0.0,
        1.0,
        "Initial playbook blanks",
        "Share of the dimensions the playbook gets wrong at the start on which it says "
        "nothing (0) instead.",
        unit="share 0-1",
        source=_SET_BY_HAND + "a playbook is silent on a few of the things it does not know",
    )
    initial_socialised: float = _f(
        0.6,
        0.0,
        1.0,
        "Initial socialisation",
        "Chance that a person's belief equals the playbook at the start where it is set.",
        unit="share 0-1",
        source=_SET_BY_HAND + "most staff have absorbed most of the playbook",
        uncertain=True,
        plausible=(0.3, 0.9),
    )


#: The schema defaults (frozen), for formula callers that pass no section.
DEFAULT_LEARNING = Learning()
